"""`chargebee_wire` against the official client's own parameter definitions.

The connector and the fake both read `sync/connectors/chargebee_wire.py`; this checks that
description, parameter by parameter, against the `*Params` classes of Chargebee's Python
client (`chargebee` 3.x): every parameter we describe exists there for that operation, with the
same required flag, a compatible type and the same enum values, and every parameter the client
requires we require too.
"""
from __future__ import annotations

import enum
import typing

import pytest

pytest.importorskip("chargebee", reason="the official client is in the test extra")

from chargebee.models.address.operations import Address  # noqa: E402
from chargebee.models.currency.operations import Currency  # noqa: E402
from chargebee.models.customer.operations import Customer  # noqa: E402
from chargebee.models.item.operations import Item  # noqa: E402
from chargebee.models.item_family.operations import ItemFamily  # noqa: E402
from chargebee.models.order.operations import Order  # noqa: E402

from sync.connectors.chargebee_wire import RESOURCES, Param  # noqa: E402

MODELS = {"customer": Customer, "item": Item, "item_family": ItemFamily, "order": Order, "currency": Currency,
          "address": Address}
CLASSES = {"create": "CreateParams", "update": "UpdateParams", "update_billing_info": "UpdateBillingInfoParams"}
# The client's method for each operation the description names (an address is written by `update`).
OPERATIONS = {("address", "upsert"): "UpdateParams", ("address", "create"): "UpdateParams"}
SCALARS = {"string": str, "integer": int, "boolean": bool, "timestamp": int}


def client_params(key: str, operation: str) -> type:
    return getattr(MODELS[key], OPERATIONS.get((key, operation)) or CLASSES[operation])


def resolve(model: type, annotation: typing.Any) -> typing.Any:
    inner = typing.get_args(annotation)[0] if typing.get_origin(annotation) in (typing.Required,
                                                                                  typing.NotRequired) else annotation
    if isinstance(inner, typing.ForwardRef):
        target: typing.Any = model
        for part in inner.__forward_arg__.split(".")[1:]:
            target = getattr(target, part)
        return target
    return inner


def described() -> list[tuple[str, str, str, Param]]:
    rows = []
    for key, res in RESOURCES.items():
        if key not in MODELS:
            continue
        for operation in ("create", "update", "update_billing_info"):
            for name, param in res.params_for(operation).items():
                rows.append((key, operation, name, param))
    return rows


@pytest.mark.parametrize("key, operation, name, param", described(),
                         ids=[f"{k}.{o}.{n}" for k, o, n, _ in described()])
def test_a_described_parameter_is_the_client_s(key, operation, name, param):
    params = client_params(key, operation)
    assert name in params.__annotations__, f"the client's {params.__qualname__} has no {name}"
    if operation == "create":
        assert param.required == (name in params.__required_keys__), f"{name}: required flag differs"
    kind = resolve(MODELS[key], params.__annotations__[name])
    if param.type == "enum":
        assert isinstance(kind, type) and issubclass(kind, enum.Enum), f"{name} is no enum in the client"
        assert set(param.values) == {member.value for member in kind}, f"{name}: enum values differ"
    elif param.type == "json":
        assert typing.get_origin(kind) is dict, f"{name} is no JSON object in the client"
    elif param.type == "object":
        assert isinstance(kind, type) and hasattr(kind, "__annotations__"), f"{name} is no object in the client"
        for field, inner in param.fields.items():
            assert field in kind.__annotations__, f"{name}[{field}] is not in the client's {kind.__qualname__}"
            inner_kind = resolve(MODELS[key], kind.__annotations__[field])
            if inner.type == "enum":
                assert {m.value for m in inner_kind} == set(inner.values), f"{name}[{field}]: enum values differ"
            else:
                assert inner_kind is SCALARS[inner.type], f"{name}[{field}]: {inner.type} vs {inner_kind}"
    else:
        assert kind is SCALARS[param.type], f"{name}: {param.type} here, {kind} in the client"


@pytest.mark.parametrize("key", sorted(set(MODELS) & set(RESOURCES)))
def test_every_parameter_the_client_requires_is_required_here(key):
    res = RESOURCES[key]
    operation = "upsert" if "upsert" in res.operations else "create"
    params = client_params(key, operation)
    assert set(params.__required_keys__) <= set(res.required_on_create())
