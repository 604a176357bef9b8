"""HubSpot's associations in its fake: v4 record associations, their labels, and the v3 view of them.

Associations live in their own SQLite table beside the records, one row a direction and a type:
HubSpot's associations are two-way, each direction with its own type id (contact -> company 279,
company -> contact 280). What it serves, as HubSpot's OpenAPI (associations.json, associationsSchema.json)
and hubspot-api-client 12 have it:

* `PUT /crm/v4/objects/{type}/{id}/associations/{toType}/{toId}` with `[{"associationCategory",
  "associationTypeId"}]`: 201 `LabelsBetweenObjectPair`; HubSpot adds the pair's unlabeled type
  beside any label (association-details guide). `PUT .../associations/default/{toType}/{toId}`: the
  unlabeled type, 200 `BatchResponsePublicDefaultAssociation`. `GET .../associations/{toType}`:
  `{results: [{toObjectId, associationTypes: [{category, typeId, label}]}], paging?}`, 500 a page at
  most (the OpenAPI's default; the cap is a commonly quoted figure). `DELETE .../{toType}/{toId}`:
  every type between the pair, 204. A record that does not exist: 404.
* Labels at `/crm/v4/associations/{from}/{to}/labels` (the client's path) and
  `/crm/associations/v4/{from}/{to}/labels` (the OpenAPI's): GET; POST `{label, name, inverseLabel?}`
  making one USER_DEFINED type a direction (ids from 1000 up, clear of HubSpot's own), 200 with the
  types made; PUT `{associationTypeId, label, inverseLabel?}` and DELETE `.../labels/{typeId}`, 204.
  Labels exist between contacts, companies, deals and tickets only, ten to a pair (HubSpot's guide).
  A second label of the same name or text between a pair: 409 CONFLICT (HubSpot's status unverified).
* HUBSPOT_DEFINED types between the standard objects from the start, with the ids of the client's
  own table (`hubspot.crm.AssociationType`); an unlabeled type answers with no `label` (HubSpot sends
  null, which its OpenAPI does not allow; the client reads both as None).
* The v3 view (`associations=deals` on a read): `{"deals": {"results": [{"id", "type"}]}}`, one
  entry a type, `contact_to_company` for a primary and `contact_to_company_unlabeled` beside it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .hubspot_objects import OBJECTS, crm_object, id_order
from .store import FakeStore

_SCHEMA = """
CREATE TABLE IF NOT EXISTS hubspot_associations (from_type TEXT, from_id TEXT, to_type TEXT, to_id TEXT,
    category TEXT, type_id INTEGER, PRIMARY KEY (from_type, from_id, to_type, to_id, category, type_id));
CREATE TABLE IF NOT EXISTS hubspot_labels (type_id INTEGER PRIMARY KEY, from_type TEXT, to_type TEXT,
    label TEXT, name TEXT, inverse_id INTEGER);
"""
HUBSPOT, USER = "HUBSPOT_DEFINED", "USER_DEFINED"
FIRST_USER_TYPE = 1000
LABELLED = frozenset({"contacts", "companies", "deals", "tickets"})
MAX_LABELS, MAX_PAGE = 10, 500


@dataclass(frozen=True, slots=True)
class AssociationType:
    category: str
    type_id: int
    label: str | None
    inverse_id: int
    name: str = ""

    def wire(self) -> dict[str, Any]:
        return {"category": self.category, "typeId": self.type_id, **({"label": self.label} if self.label else {})}


# (from, to, type id, inverse id, label): hubspot.crm.AssociationType, HubSpot's association-details guide.
_PAIRS = (("contacts", "companies", 279, 280, None), ("contacts", "companies", 1, 2, "Primary"),
          ("deals", "companies", 341, 342, None), ("deals", "companies", 5, 6, "Primary"),
          ("tickets", "companies", 339, 340, None), ("tickets", "companies", 26, 25, "Primary"),
          ("contacts", "deals", 4, 3, None), ("contacts", "tickets", 15, 16, None),
          ("deals", "line_items", 19, 20, None), ("deals", "tickets", 27, 28, None), ("deals", "quotes", 63, 64, None),
          ("quotes", "line_items", 67, 68, None), ("quotes", "contacts", 69, 70, None),
          ("quotes", "companies", 71, 72, None))
DEFINED: dict[tuple[str, str], list[AssociationType]] = {}
for _a, _b, _id, _inverse, _label in _PAIRS:
    DEFINED.setdefault((_a, _b), []).append(AssociationType(HUBSPOT, _id, _label, _inverse))
    DEFINED.setdefault((_b, _a), []).append(AssociationType(HUBSPOT, _inverse, _label, _id))


class AssociationBook:
    """The association rows and user-defined labels of one fake, in the fake's own database."""

    def __init__(self, store: FakeStore):
        self._db = store.extend(_SCHEMA)

    def types(self, a: str, b: str) -> list[AssociationType]:
        rows = self._db.execute("SELECT type_id, label, inverse_id, name FROM hubspot_labels WHERE from_type=? AND "
                                "to_type=? ORDER BY type_id", (a, b))
        return [*DEFINED.get((a, b), ()), *(AssociationType(USER, *row) for row in rows)]

    def type_of(self, a: str, b: str, category: str, type_id: int) -> AssociationType | None:
        return next((t for t in self.types(a, b) if (t.category, t.type_id) == (category, type_id)), None)

    def unlabeled(self, a: str, b: str) -> AssociationType | None:
        return next((t for t in DEFINED.get((a, b), ()) if t.label is None), None)

    def add(self, a: str, aid: str, b: str, bid: str, kind: AssociationType | None) -> None:
        """Associates a record with another, both ways; `kind` None for a pair HubSpot defines no type for."""
        kind = kind or AssociationType(HUBSPOT, 0, None, 0)
        self._db.executemany("INSERT OR IGNORE INTO hubspot_associations VALUES (?,?,?,?,?,?)",
                             [(a, aid, b, bid, kind.category, kind.type_id),
                              (b, bid, a, aid, kind.category, kind.inverse_id)])

    def remove(self, a: str, aid: str, b: str, bid: str) -> None:
        self._db.execute("DELETE FROM hubspot_associations WHERE (from_type=? AND from_id=? AND to_type=? AND "
                         "to_id=?) OR (from_type=? AND from_id=? AND to_type=? AND to_id=?)",
                         (a, aid, b, bid, b, bid, a, aid))

    def of(self, a: str, aid: str, b: str) -> list[tuple[str, list[AssociationType]]]:
        """(to id, its types) for every record of `b` associated with record `aid` of `a`, in id order."""
        known = {(t.category, t.type_id): t for t in self.types(a, b)}
        found: dict[str, list[AssociationType]] = {}
        for bid, category, type_id in self._db.execute(
                "SELECT to_id, category, type_id FROM hubspot_associations WHERE from_type=? AND from_id=? AND "
                "to_type=? ORDER BY category, type_id", (a, aid, b)):
            found.setdefault(bid, []).append(known.get((category, type_id)) or AssociationType(category, type_id,
                                                                                               None, type_id))
        return sorted(found.items(), key=lambda item: id_order(item[0]))

    def v3(self, a: str, aid: str, keys: list[str]) -> dict[str, Any]:
        """The v3 `associations` of a read: per key asked for (as asked), `{"results": [{"id", "type"}]}`."""
        view = {}
        for key in keys:
            b = crm_object(key)
            results = [{"id": bid, "type": v3_type(a, b.name if b else key, kind)}
                       for bid, kinds in self.of(a, aid, b.name if b else key) for kind in kinds]
            if results:
                view[key] = {"results": results}
        return view

    # labels
    def create_labels(self, a: str, b: str, label: str, name: str, inverse: str | None) -> list[AssociationType]:
        first = max([FIRST_USER_TYPE - 1, *(t for (t,) in self._db.execute("SELECT type_id FROM hubspot_labels"))]) + 1
        back = first + 1 if (a != b or inverse) else first
        rows = [(first, a, b, label, name, back)]
        if back != first:
            rows.append((back, b, a, inverse or label, name, first))
        self._db.executemany("INSERT INTO hubspot_labels VALUES (?,?,?,?,?,?)", rows)
        return [AssociationType(USER, type_id, text, inverse_id, name)
                for type_id, _, _, text, name, inverse_id in rows]

    def relabel(self, type_id: int, label: str, inverse: str | None) -> None:
        self._db.execute("UPDATE hubspot_labels SET label=? WHERE type_id=?", (label, type_id))
        if inverse:
            self._db.execute("UPDATE hubspot_labels SET label=? WHERE inverse_id=? AND type_id<>?",
                             (inverse, type_id, type_id))

    def delete_label(self, kind: AssociationType) -> None:
        gone = (kind.type_id, kind.inverse_id)
        self._db.execute("DELETE FROM hubspot_labels WHERE type_id IN (?,?)", gone)
        self._db.execute("DELETE FROM hubspot_associations WHERE category=? AND type_id IN (?,?)", (USER, *gone))


def v3_type(a: str, b: str, kind: AssociationType) -> str:
    """The `type` of a v3 association entry: `contact_to_deal`; `..._unlabeled` where the pair has a primary."""
    if kind.category == USER:
        return kind.name or f"{_singular(a)}_to_{_singular(b)}"
    text = f"{_singular(a)}_to_{_singular(b)}"
    has_primary = any(t.label == "Primary" for t in DEFINED.get((a, b), ()))
    return text + "_unlabeled" if has_primary and kind.label is None else text


def _singular(name: str) -> str:
    return OBJECTS[name].singular if name in OBJECTS else name

