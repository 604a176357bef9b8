"""Chargebee API v2 as its wire sees it: the one description both the connector and the fake read.

Taken from Chargebee's API reference and the official Python client (`chargebee` 3.x, its
`models/*/operations.py` parameter classes): which resources exist at which paths, which
operations the public API offers on each, the parameters of each write with their types,
required flags, enum values and lengths, the fields `update_billing_info` replaces, and the
parameters that travel as one JSON-valued form field (`meta_data`, `metadata`).
`tests/contract/test_wire_description.py` checks every parameter here against the client's.

What the public API does not offer is said here too (`Resource.lacks`), so the connector can
declare it and the checks report "not verifiable" instead of anyone inventing an endpoint.
Resources this description does not know are reached in the same conventions (plural path,
singular envelope key) and their parameters are not checked.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

ID_MAX_LENGTH = 50
MAX_LIMIT = 100
IDEMPOTENCY_HEADER = "chargebee-idempotency-key"
REPLAYED_HEADER = "chargebee-idempotency-replayed"

# (HTTP status, api_error_code, type) of the answers the connector handles. The types group the
# codes as Chargebee's error reference does: `invalid_request` (resource_not_found,
# param_wrong_value, duplicate_entry, invalid_state_for_request, ...), `operation_failed`
# (internal_error, internal_temporary_error, api_request_limit_exceeded, ...) and untyped
# (api_authentication_failed, api_authorization_failed, site_not_found).
ERRORS: dict[str, tuple[int, str, str | None]] = {
    "auth": (401, "api_authentication_failed", None),
    "not_found": (404, "resource_not_found", "invalid_request"),
    "wrong_value": (400, "param_wrong_value", "invalid_request"),
    "missing": (400, "param_wrong_value", "invalid_request"),
    "duplicate": (400, "duplicate_entry", "invalid_request"),
    "not_allowed": (400, "param_wrong_value", "invalid_request"),
    "state_conflict": (409, "invalid_state_for_request", "invalid_request"),
    "idempotency_reused": (409, "invalid_request", "invalid_request"),
    "rate_limited": (429, "api_request_limit_exceeded", "operation_failed"),
    "internal": (500, "internal_error", "operation_failed"),
    "unavailable": (503, "internal_temporary_error", "operation_failed"),
}


@dataclass(frozen=True, slots=True)
class Param:
    """One form parameter: its wire type, whether a create needs it, its enum values and length."""

    type: str = "string"  # string | integer | boolean | timestamp | enum | json | object
    required: bool = False
    max_length: int | None = None
    values: tuple[str, ...] = ()
    fields: Mapping[str, "Param"] = field(default_factory=dict)  # an object's sub-parameters
    default: Any = None  # what a create that does not send it stores, per Chargebee's reference


def _s(max_length: int | None = None, required: bool = False) -> Param:
    return Param("string", required, max_length)


def _e(*values: str, required: bool = False, default: str | None = None) -> Param:
    return Param("enum", required, values=values, default=default)


_INT, _BOOL, _TIME, _JSON = Param("integer"), Param("boolean"), Param("timestamp"), Param("json")
_ID = _s(ID_MAX_LENGTH)

_ADDRESS_FIELDS = {name: _s() for name in ("first_name", "last_name", "email", "company", "phone", "line1", "line2",
                                             "line3", "city", "state_code", "state", "zip", "country")}
_ADDRESS_FIELDS["validation_status"] = _e("not_validated", "valid", "partially_valid", "invalid")
BILLING_ADDRESS = Param("object", fields=_ADDRESS_FIELDS)

_CUSTOMER_COMMON = {
    "first_name": _s(), "last_name": _s(), "email": _s(), "preferred_currency_code": _s(), "phone": _s(),
    "company": _s(), "auto_collection": _e("on", "off", default="on"), "net_term_days": Param("integer", default=0),
    "allow_direct_debit": Param("boolean", default=False), "taxability": _e("taxable", "exempt", "zero_rated",
                                                                          default="taxable"), "customer_type": _e("residential", "business", "senior_citizen",
                                                                 "industrial"),
    "locale": _s(), "exempt_number": _s(), "invoice_notes": _s(), "auto_close_invoices": _BOOL, "meta_data": _JSON,
    "consolidated_invoicing": _BOOL, "client_profile_id": _s(),
}
# What `update_billing_info` replaces as a whole: sub-fields and these fields not sent are cleared.
BILLING_INFO = {"billing_address": BILLING_ADDRESS, "vat_number": _s(), "vat_number_prefix": _s(),
                "registered_for_gst": _BOOL, "business_customer_without_vat_number": _BOOL}
_ITEM_TYPES = ("plan", "addon", "charge")


@dataclass(frozen=True, slots=True)
class Resource:
    """One Chargebee resource: where it lives, what the public API offers, and its write parameters."""

    key: str  # the envelope key, singular snake_case: `customer`
    path: str  # the collection path: `/customers`
    operations: frozenset[str]  # list, retrieve, create, update, update_billing_info, retrieve_by_key, upsert
    create: Mapping[str, Param] = field(default_factory=dict)
    update: Mapping[str, Param] = field(default_factory=dict)
    billing_info: Mapping[str, Param] = field(default_factory=dict)
    list_path: str = ""  # where it differs from `path` (`/currencies/list`)
    key_params: tuple[str, ...] = ()  # a keyed resource's identity (an address: subscription + label)
    lacks: str = ""  # what the public API does not offer, in words a report can show

    @property
    def listing(self) -> str:
        return self.list_path or self.path

    def params_for(self, operation: str) -> Mapping[str, Param]:
        return {"create": self.create, "update": self.update, "update_billing_info": self.billing_info,
                "upsert": self.create}.get(operation, {})

    def required_on_create(self) -> list[str]:
        return [name for name, param in self.create.items() if param.required]


def _ops(*names: str) -> frozenset[str]:
    return frozenset(names)


RESOURCES: dict[str, Resource] = {r.key: r for r in (
    Resource("customer", "/customers", _ops("list", "retrieve", "create", "update", "update_billing_info"),
             create={"id": _ID, **_CUSTOMER_COMMON, **BILLING_INFO, "business_entity_id": _s()},
             update=_CUSTOMER_COMMON, billing_info=BILLING_INFO),
    Resource("item", "/items", _ops("list", "retrieve", "create", "update"),
             create={"id": _s(ID_MAX_LENGTH, required=True), "name": _s(required=True),
                     "type": _e(*_ITEM_TYPES, required=True), "item_family_id": _s(ID_MAX_LENGTH, required=True),
                     "description": _s(), "external_name": _s(), "unit": _s(), "is_shippable": _BOOL,
                     "is_giftable": _BOOL, "enabled_in_portal": _BOOL, "enabled_for_checkout": _BOOL,
                     "item_applicability": _e("all", "restricted"), "metered": _BOOL, "metadata": _JSON,
                     "redirect_url": _s(), "included_in_mrr": _BOOL, "business_entity_id": _s()},
             update={"name": _s(), "description": _s(), "external_name": _s(), "item_family_id": _s(ID_MAX_LENGTH),
                     "unit": _s(), "is_shippable": _BOOL, "enabled_in_portal": _BOOL, "enabled_for_checkout": _BOOL,
                     "item_applicability": _e("all", "restricted"), "metadata": _JSON, "redirect_url": _s(),
                     "included_in_mrr": _BOOL, "status": _e("active", "archived", "deleted")}),
    Resource("item_family", "/item_families", _ops("list", "retrieve", "create", "update"),
             create={"id": _s(ID_MAX_LENGTH, required=True), "name": _s(required=True), "description": _s(),
                     "business_entity_id": _s()},
             update={"name": _s(), "description": _s()}),
    Resource("order", "/orders", _ops("list", "retrieve", "create", "update"),
             create={"id": _ID, "invoice_id": _s(required=True), "reference_id": _s(), "fulfillment_status": _s(),
                     "note": _s(), "tracking_id": _s(), "tracking_url": _s(), "batch_id": _s(),
                     "status": _e("new", "processing", "complete", "cancelled", "voided", "queued",
                                  "awaiting_shipment", "on_hold", "delivered", "shipped", "partially_delivered",
                                  "returned")},
             update={"reference_id": _s(), "batch_id": _s(), "note": _s(), "shipping_date": _TIME,
                     "order_date": _TIME, "tracking_id": _s(), "tracking_url": _s(), "shipment_carrier": _s(),
                     "fulfillment_status": _s(), "shipped_at": _TIME, "delivered_at": _TIME}),
    Resource("currency", "/currencies", _ops("list", "retrieve", "create", "update"), list_path="/currencies/list",
             create={"currency_code": _s(3, required=True), "forex_type": _e("manual", "auto", required=True),
                     "manual_exchange_rate": _s()},
             update={"forex_type": _e("manual", "auto"), "manual_exchange_rate": _s()}),
    Resource("address", "/addresses", _ops("retrieve_by_key", "upsert"), key_params=("subscription_id", "label"),
             create={"subscription_id": _s(ID_MAX_LENGTH, required=True), "label": _s(required=True),
                     **{name: _s() for name in ("first_name", "last_name", "email", "company", "phone", "addr",
                                                "extended_addr", "extended_addr2", "city", "state_code", "state",
                                                "zip", "country")},
                     "validation_status": _ADDRESS_FIELDS["validation_status"]},
             lacks="list of all addresses and no address id: an address is read and written by "
                   "subscription_id and label"),
    Resource("business_entity", "/business_entities", _ops(),
             lacks="create, list, retrieve or update of business entities (only transfers between them)"),
)}


def resource(key: str) -> Resource | None:
    """The described resource with this envelope key, or None for one this description does not know."""
    return RESOURCES.get(key)


OPERATION_WORDS = {"list": "a list", "retrieve": "a retrieve", "create": "a create", "update": "an update"}


def lacking(key: str, operation: str, mapped: tuple[str, ...] = ()) -> str | None:
    """Why the public API cannot do `operation` on resource `key` given the `mapped` fields, or None if it can."""
    res = resource(key)
    if res is None:
        return None
    keyed = {"retrieve": "retrieve_by_key", "create": "upsert", "update": "upsert"}
    if operation not in res.operations and keyed.get(operation) not in res.operations:
        return f"Chargebee's public API has no {res.lacks or OPERATION_WORDS.get(operation, operation)}"
    if operation == "create":
        # An id is chosen by the connector when the API wants one; other required fields must be mapped.
        wanted = [name for name in res.required_on_create() if name != "id" and name not in mapped]
        if wanted:
            article = "an" if key[0] in "aeiou" else "a"
            return (f"Chargebee's public API creates {article} {key} only with {', '.join(wanted)}, "
                    f"which the section does not map")
    return None


def allowed_values(key: str, path: str) -> tuple[str, ...] | None:
    """The values an enum parameter at dotted `path` of resource `key` takes, or None if it is no enum."""
    res = resource(key)
    top, _, inner = path.partition(".")
    for params in ((res.create, res.update, res.billing_info) if res else ()):
        param = params.get(top)
        if param is not None and inner and param.type == "object":
            param = param.fields.get(inner)
        if param is not None and param.type == "enum":
            return param.values
    return None
