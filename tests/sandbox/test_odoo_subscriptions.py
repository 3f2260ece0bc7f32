"""Subscriptions on the Odoo stand-in: Enterprise's shape from 17 on, served as 19 when switched on.

Nothing here was recorded (the recorded servers were Community); the expected names and states
are those of Odoo Enterprise's published `sale_subscription` source (see
`sandbox/odoo/subscriptions.py`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from sandbox.http import RunningServer, serve
from sandbox.odoo import OdooStandIn

PLAN = "sale.subscription.plan"
SUBSCRIPTION_FIELDS = [
    "is_subscription",
    "plan_id",
    "subscription_state",
    "next_invoice_date",
    "start_date",
    "end_date",
    "recurring_monthly",
    "subscription_id",
    "origin_order_id",
    "close_reason_id",
]
STATES = ["1_draft", "2_renewal", "3_progress", "4_paused", "5_renewed", "6_churn", "7_upsell"]
NOW = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)


def _serve(subscriptions: bool) -> RunningServer:
    return serve(
        OdooStandIn(
            version=19, db="trueup", api_key="k", subscriptions=subscriptions, clock=lambda: NOW
        )
    )


@pytest.fixture
def community() -> Iterator[RunningServer]:
    running = _serve(subscriptions=False)
    yield running
    running.stop()


@pytest.fixture
def enterprise() -> Iterator[RunningServer]:
    running = _serve(subscriptions=True)
    yield running
    running.stop()


def rpc(
    server: RunningServer, model: str, method: str, *args: Any, **kwargs: Any
) -> dict[str, Any]:
    """The JSON-RPC reply: `result`, or `error` as Odoo words it."""
    body = {
        "jsonrpc": "2.0",
        "method": "call",
        "id": 1,
        "params": {
            "service": "object",
            "method": "execute_kw",
            "args": ["trueup", 2, "admin", model, method, list(args), kwargs],
        },
    }
    reply: dict[str, Any] = httpx.post(f"{server.url}/jsonrpc", json=body, timeout=10).json()
    return reply


def ok(server: RunningServer, model: str, method: str, *args: Any, **kwargs: Any) -> Any:
    reply = rpc(server, model, method, *args, **kwargs)
    if "error" in reply:
        raise AssertionError(f"{model}.{method} failed: {reply['error']['data']['message']}")
    return reply["result"]


def fault(
    server: RunningServer, model: str, method: str, *args: Any, **kwargs: Any
) -> dict[str, Any]:
    reply = rpc(server, model, method, *args, **kwargs)
    assert "error" in reply, f"{model}.{method} succeeded: {reply.get('result')!r}"
    data: dict[str, Any] = reply["error"]["data"]
    return data


def _world(server: RunningServer) -> dict[str, int]:
    """A customer, a recurring product, a monthly plan and a quotation for it."""
    partner = ok(server, "res.partner", "create", {"name": "Acme", "is_company": True})
    product = ok(
        server,
        "product.product",
        "create",
        {"name": "Seat", "list_price": 30.0, "recurring_invoice": True, "type": "service"},
    )
    plan = ok(server, PLAN, "create", {"name": "Quarterly", "billing_period_value": 3})
    order = ok(
        server,
        "sale.order",
        "create",
        {
            "partner_id": partner,
            "plan_id": plan,
            "start_date": "2026-03-01",
            "order_line": [[0, 0, {"product_id": product, "product_uom_qty": 2}]],
        },
    )
    return {"partner": partner, "product": product, "plan": plan, "order": order}


def _read(server: RunningServer, order: int, fields: list[str]) -> dict[str, Any]:
    (row,) = ok(server, "sale.order", "read", [order], fields)
    return dict(row)


# -- the switch ----------------------------------------------------------------------------------


@pytest.mark.parametrize("version", [16], ids=["odoo16"])
def test_the_switch_is_refused_below_19(version: int) -> None:
    with pytest.raises(ValueError, match="subscriptions module is served only with Odoo 19"):
        OdooStandIn(version=version, subscriptions=True)


@pytest.mark.parametrize("version", [16, 19], ids=["odoo16", "odoo19"])
def test_the_switch_is_off_by_default(version: int) -> None:
    assert OdooStandIn(version=version).subscriptions is False


def test_off_sale_orders_have_no_subscription_fields(community: RunningServer) -> None:
    described = ok(community, "sale.order", "fields_get", [], attributes=["type"])
    assert not set(SUBSCRIPTION_FIELDS) & set(described)
    assert "recurring_invoice" not in ok(community, "product.template", "fields_get", [])


def test_off_the_plan_model_is_unknown(community: RunningServer) -> None:
    assert ok(community, "ir.model", "search", [["model", "=", PLAN]]) == []
    error = fault(community, PLAN, "search_read", [])
    assert error["name"] == "odoo.exceptions.UserError"
    assert error["message"] == f"Object {PLAN} doesn't exist"


@pytest.mark.parametrize(
    ("method", "args", "kwargs"),
    [
        ("search_read", [[]], {"fields": ["{field}"]}),
        ("read", [[1], ["{field}"]], {}),
        ("search", [[["{field}", "=", False]]], {}),
        ("create", [{"partner_id": 3, "{field}": False}], {}),
        ("write", [[1], {"{field}": False}], {}),
    ],
    ids=["search_read", "read", "search", "create", "write"],
)
def test_off_a_subscription_field_fails_as_any_unknown_field(
    community: RunningServer, method: str, args: list[Any], kwargs: dict[str, Any]
) -> None:
    """`plan_id` on a Community database fails exactly as a made-up field does."""
    ok(community, "sale.order", "create", {"partner_id": 3})

    def fill(value: Any, field: str) -> Any:
        if isinstance(value, str):
            return value.replace("{field}", field)
        if isinstance(value, list):
            return [fill(v, field) for v in value]
        if isinstance(value, dict):
            return {fill(k, field): fill(v, field) for k, v in value.items()}
        return value

    for field in ("plan_id", "subscription_state", "next_invoice_date"):
        got = fault(community, "sale.order", method, *fill(args, field), **fill(kwargs, field))
        made_up = fault(
            community, "sale.order", method, *fill(args, "x_nope"), **fill(kwargs, "x_nope")
        )
        assert got["name"] == made_up["name"]
        assert got["message"] == made_up["message"].replace("x_nope", field)


def test_off_subscription_methods_do_not_exist(community: RunningServer) -> None:
    error = fault(community, "sale.order", "set_close", [1])
    assert error["name"] == "builtins.AttributeError"
    assert error["message"] == "The method 'sale.order.set_close' does not exist"


# -- switched on ---------------------------------------------------------------------------------


def test_on_the_shape_is_detectable(enterprise: RunningServer) -> None:
    (model,) = ok(enterprise, "ir.model", "search_read", [["model", "=", PLAN]], ["model"])
    assert model["model"] == PLAN
    described = ok(enterprise, "sale.order", "fields_get", SUBSCRIPTION_FIELDS)
    assert set(described) == set(SUBSCRIPTION_FIELDS)
    state = described["subscription_state"]
    assert state["type"] == "selection"
    assert [key for key, _label in state["selection"]] == STATES
    assert described["plan_id"]["relation"] == PLAN
    assert described["next_invoice_date"]["type"] == "date"
    plan_fields = ok(enterprise, PLAN, "fields_get", [], attributes=["type"])
    assert plan_fields["billing_period_unit"]["type"] == "selection"
    assert plan_fields["billing_period_value"]["type"] == "integer"


def test_on_a_plan_takes_odoos_defaults(enterprise: RunningServer) -> None:
    plan = ok(enterprise, PLAN, "create", {"name": "Monthly"})
    (row,) = ok(enterprise, PLAN, "read", [plan], ["billing_period_value", "billing_period_unit"])
    assert row == {"id": plan, "billing_period_value": 1, "billing_period_unit": "month"}


def test_on_a_quotation_with_a_plan_is_a_draft_subscription(enterprise: RunningServer) -> None:
    world = _world(enterprise)
    row = _read(
        enterprise,
        world["order"],
        ["is_subscription", "subscription_state", "next_invoice_date", "recurring_monthly"],
    )
    assert row["is_subscription"] is True
    assert row["subscription_state"] == "1_draft"
    assert row["next_invoice_date"] is False
    assert row["recurring_monthly"] == 20.0  # 2 x 30.00 every 3 months


def test_on_an_order_without_plan_is_not_a_subscription(enterprise: RunningServer) -> None:
    order = ok(enterprise, "sale.order", "create", {"partner_id": 3})
    row = _read(enterprise, order, ["is_subscription", "subscription_state", "start_date"])
    assert row == {
        "id": order,
        "is_subscription": False,
        "subscription_state": False,
        "start_date": False,
    }


def test_on_confirm_closes_and_reopens(enterprise: RunningServer) -> None:
    world = _world(enterprise)
    order = world["order"]
    assert ok(enterprise, "sale.order", "action_confirm", [order]) is True
    fields = ["state", "subscription_state", "start_date", "next_invoice_date"]
    assert _read(enterprise, order, fields) == {
        "id": order,
        "state": "sale",
        "subscription_state": "3_progress",
        "start_date": "2026-03-01",
        "next_invoice_date": "2026-03-01",
    }
    assert ok(enterprise, "sale.order", "search", [["subscription_state", "=", "3_progress"]]) == [
        order
    ]

    assert ok(enterprise, "sale.order", "set_close", [order]) is True
    closed = _read(enterprise, order, ["subscription_state", "end_date", "close_reason_id"])
    assert closed["subscription_state"] == "6_churn"
    assert closed["end_date"] == "2026-03-10"
    assert (
        closed["close_reason_id"][0]
        == ok(
            enterprise,
            "ir.model.data",
            "check_object_reference",
            "sale_subscription",
            "close_reason_unknown",
        )[1]
    )

    assert ok(enterprise, "sale.order", "set_open", [order]) is None
    assert _read(enterprise, order, ["subscription_state", "end_date"]) == {
        "id": order,
        "subscription_state": "3_progress",
        "end_date": False,
    }


@pytest.mark.parametrize(
    ("method", "state"),
    [("pause_subscription", "4_paused"), ("resume_subscription", "3_progress")],
    ids=["pause", "resume"],
)
def test_on_pause_and_resume(enterprise: RunningServer, method: str, state: str) -> None:
    order = _world(enterprise)["order"]
    ok(enterprise, "sale.order", "action_confirm", [order])
    ok(enterprise, "sale.order", "pause_subscription", [order])
    ok(enterprise, "sale.order", method, [order])
    assert _read(enterprise, order, ["subscription_state"])["subscription_state"] == state


def test_on_an_upsell_state_is_settable(enterprise: RunningServer) -> None:
    world = _world(enterprise)
    parent = world["order"]
    ok(enterprise, "sale.order", "action_confirm", [parent])
    upsell = ok(
        enterprise,
        "sale.order",
        "create",
        {"partner_id": world["partner"], "plan_id": world["plan"], "subscription_id": parent},
    )
    # A quotation linked to a contract is a renewal until it is said to be an upsell.
    assert _read(enterprise, upsell, ["subscription_state"])["subscription_state"] == "2_renewal"
    ok(enterprise, "sale.order", "write", [upsell], {"subscription_state": "7_upsell"})
    row = _read(enterprise, upsell, ["subscription_state", "is_subscription", "origin_order_id"])
    assert row["subscription_state"] == "7_upsell"
    assert row["is_subscription"] is False  # upsells carry a plan but are not subscriptions
    assert row["origin_order_id"][0] == parent
    children = _read(enterprise, parent, ["subscription_child_ids"])["subscription_child_ids"]
    assert children == [upsell]


@pytest.mark.parametrize(
    ("vals", "message"),
    [
        ({"subscription_state": "9_bogus"}, "Wrong value for sale.order.subscription_state"),
        (
            {"subscription_state": "3_progress"},
            "You cannot have a draft SO be a confirmed subscription.",
        ),
        (
            {"next_invoice_date": "2026-02-01"},
            "The next invoice date of a sale order should be after its start date.",
        ),
    ],
    ids=["unknown_state", "draft_in_progress", "invoice_before_start"],
)
def test_on_inconsistent_values_are_refused(
    enterprise: RunningServer, vals: dict[str, Any], message: str
) -> None:
    order = _world(enterprise)["order"]
    error = fault(enterprise, "sale.order", "write", [order], vals)
    assert message in error["message"]


def test_on_a_plan_without_recurring_product_cannot_be_confirmed(enterprise: RunningServer) -> None:
    world = _world(enterprise)
    plain = ok(enterprise, "product.product", "create", {"name": "Setup fee", "list_price": 99.0})
    order = ok(
        enterprise,
        "sale.order",
        "create",
        {
            "partner_id": world["partner"],
            "plan_id": world["plan"],
            "order_line": [[0, 0, {"product_id": plain}]],
        },
    )
    error = fault(enterprise, "sale.order", "action_confirm", [order])
    assert error["name"] == "odoo.exceptions.UserError"
    assert error["message"] == (
        "Please add a recurring product in the subscription or remove the recurring plan."
    )
    assert _read(enterprise, order, ["state"])["state"] == "draft"


def test_on_a_running_subscription_cannot_be_deleted(enterprise: RunningServer) -> None:
    order = _world(enterprise)["order"]
    ok(enterprise, "sale.order", "action_confirm", [order])
    error = fault(enterprise, "sale.order", "unlink", [order])
    assert error["message"].startswith("You can not delete a confirmed subscription.")
