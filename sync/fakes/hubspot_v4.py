"""The v4 association endpoints of HubSpot's fake: record associations and association labels.

What each answers, and the facts behind it, is in `hubspot_associations` (the book they keep);
this module reads the requests, validates their bodies against HubSpot's OpenAPI (`hubspot_schemas`)
and shapes the answers the official client deserializes (`LabelsBetweenObjectPair` with a 201,
`BatchResponsePublicDefaultAssociation`, `CollectionResponseMultiAssociatedObjectWithLabelForwardPaging`,
`CollectionResponseAssociationSpecWithLabelNoPaging`).
"""
from __future__ import annotations

from typing import Any, Protocol

from .base import Reply, UnexpectedRequest
from .hubspot_associations import HUBSPOT, LABELLED, MAX_LABELS, MAX_PAGE, USER, AssociationBook, AssociationType
from .hubspot_objects import CrmObject, Refused, crm_object, invalid, iso, offset_page, page_size
from .hubspot_schemas import check_request
from .store import LogicalClock


class RecordHost(Protocol):
    """What the endpoints need of the fake: its book, its clock, and its records by object and id."""

    book: AssociationBook
    clock: LogicalClock

    def record(self, obj: str, rid: str) -> dict | None: ...

    def touch(self, obj: str, rid: str) -> None: ...

    def check_params(self, params: dict, allowed: set[str], path: str) -> None: ...


def record_associations(host: RecordHost, method: str, rest: list[str], params: dict, body: Any, path: str) -> Reply:
    """`/crm/v4/objects/{type}/{id}/associations/...`: PUT (with types, or `default`), GET, DELETE."""
    if method == "PUT" and len(rest) == 6 and rest[2:4] == ["associations", "default"]:
        operation, (a_name, aid, _, _, b_name, bid) = "default", rest
    elif len(rest) in (4, 5) and rest[2] == "associations" and (method, len(rest)) in (
            ("GET", 4), ("PUT", 5), ("DELETE", 5)):
        operation, (a_name, aid, _, b_name), bid = method, rest[:4], (rest[4] if len(rest) == 5 else None)
    else:
        raise UnexpectedRequest(f"HubSpot has no {method} {path}", 404)
    host.check_params(params, {"after", "limit"} if operation == "GET" else set(), path)
    a, b = _object(a_name), _object(b_name)
    for obj, rid in ((a, aid), (b, bid)):
        if rid is not None and host.record(obj.name, rid) is None:
            raise Refused(404, "OBJECT_NOT_FOUND", "resource not found",
                          context={"objectType": [obj.name], "id": [rid]})
    if operation == "GET":
        limit = page_size(params.get("limit"), MAX_PAGE, MAX_PAGE)
        page, after = offset_page(host.book.of(a.name, aid, b.name), params.get("after"), limit)
        results = [{"toObjectId": to_id, "associationTypes": [kind.wire() for kind in kinds]} for to_id, kinds in page]
        return 200, {}, {"results": results, **({"paging": {"next": {"after": after}}} if after else {})}
    if operation == "DELETE":
        host.book.remove(a.name, aid, b.name, bid)
    else:
        kinds = [host.book.unlabeled(a.name, b.name)]
        if operation == "default" and kinds[0] is None:
            raise invalid(f"HubSpot defines no default association from {a.name} to {b.name}")
        kinds += _asked(host.book, a, b, method, path, body) if operation == "PUT" else []
        for kind in filter(None, kinds):
            host.book.add(a.name, aid, b.name, bid, kind)
    host.touch(a.name, aid)
    host.touch(b.name, bid)
    if operation == "DELETE":
        return 204, {}, None
    if operation == "default":
        now, kind = iso(host.clock.now), kinds[0]
        made = [(aid, bid, kind.type_id), (bid, aid, kind.inverse_id)]
        return 200, {}, {"status": "COMPLETE", "startedAt": now, "completedAt": now, "results": [
            {"from": {"id": x}, "to": {"id": y}, "associationSpec": {"associationCategory": HUBSPOT,
                                                                     "associationTypeId": type_id}}
            for x, y, type_id in made]}
    labels = sorted({k.label for to_id, ks in host.book.of(a.name, aid, b.name) if to_id == bid for k in ks if k.label})
    return 201, {}, {"fromObjectTypeId": a.type_id, "fromObjectId": aid, "toObjectTypeId": b.type_id,
                     "toObjectId": bid, "labels": labels}


def association_labels(host: RecordHost, method: str, rest: list[str], params: dict, body: Any, path: str) -> Reply:
    """`/crm/v4/associations/{from}/{to}/labels` (and `/crm/associations/v4/...`): GET, POST, PUT,
    DELETE `/{typeId}`."""
    if not (rest[2:3] == ["labels"] and ((len(rest) == 3 and method in ("GET", "POST", "PUT"))
                                         or (len(rest) == 4 and method == "DELETE"))):
        raise UnexpectedRequest(f"HubSpot has no {method} {path}", 404)
    host.check_params(params, set(), path)
    a, b = _object(rest[0]), _object(rest[1])
    book = host.book
    if method == "GET":
        return 200, {}, {"results": [kind.wire() for kind in book.types(a.name, b.name)]}
    if method in ("POST", "PUT"):
        check_request(method, path, body)
    if method == "POST":
        if not {a.name, b.name} <= LABELLED:
            raise invalid(f"association labels exist between {', '.join(sorted(LABELLED))} only, not {a.name} "
                          f"and {b.name}")
        mine = [kind for kind in book.types(a.name, b.name) if kind.category == USER]
        if any(kind.name == body["name"] or kind.label == body["label"] for kind in mine):
            raise Refused(409, "CONFLICT", f"an association label {body['label']!r} ({body['name']}) already exists "
                                           f"from {a.name} to {b.name}")
        if len(mine) >= MAX_LABELS:
            raise invalid(f"at most {MAX_LABELS} association labels from {a.name} to {b.name}")
        made = book.create_labels(a.name, b.name, body["label"], body["name"], body.get("inverseLabel"))
        ends = [(a, b), (b, a)]
        return 200, {}, {"results": [{**kind.wire(), "fromObjectTypeId": x.type_id, "toObjectTypeId": y.type_id}
                                     for kind, (x, y) in zip(made, ends)]}
    type_id = body["associationTypeId"] if method == "PUT" else rest[3]
    kind = _user_type(book, a, b, type_id)
    if method == "PUT":
        book.relabel(kind.type_id, body["label"], body.get("inverseLabel"))
    else:
        book.delete_label(kind)
    return 204, {}, None


def _object(spelling: str) -> CrmObject:
    found = crm_object(spelling)
    if found is None:
        raise invalid(f"Unable to infer object type from: {spelling}")
    return found


def _asked(book: AssociationBook, a: CrmObject, b: CrmObject, method: str, path: str, body: Any) -> list:
    """The association types a PUT's body names, each one HubSpot has between the pair."""
    check_request(method, path, body)
    kinds = []
    for spec in body:
        kind = book.type_of(a.name, b.name, spec["associationCategory"], spec["associationTypeId"])
        if kind is None:
            raise invalid(f"{spec['associationCategory']} association type {spec['associationTypeId']} does not "
                          f"exist from {a.name} to {b.name}")
        kinds.append(kind)
    return kinds


def _user_type(book: AssociationBook, a: CrmObject, b: CrmObject, type_id: Any) -> AssociationType:
    """The label `type_id` names between the pair: 404 if none, 400 if it is one of HubSpot's own."""
    if not str(type_id).isdigit():
        raise invalid(f"associationTypeId must be a whole number, got {type_id!r}")
    kind = next((k for k in book.types(a.name, b.name) if k.type_id == int(type_id)), None)
    if kind is None:
        raise Refused(404, "OBJECT_NOT_FOUND", f"no association type {type_id} from {a.name} to {b.name}")
    if kind.category != USER:
        raise invalid(f"association type {type_id} is HUBSPOT_DEFINED: only labels a user made may change")
    return kind

