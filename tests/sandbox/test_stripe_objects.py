"""The Stripe stand-in serves billing objects in Stripe's current shapes, and older ones on request.

Objects are built from Stripe's own published examples (`stripe-fixtures3.json`) with this
world's ids, links, amounts and statuses, then read back through the API as a source reads them.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client

from sandbox.stripe import RESOURCES, StripeStandIn

KEY = "sk_test_main0000000000000001"
AS_OF = date(2026, 11, 30)
AS_OF_TS = int(datetime(2026, 11, 30, tzinfo=UTC).timestamp())
DAY = 86_400
STATUSES = [
    "trialing",
    "active",
    "past_due",
    "unpaid",
    "incomplete",
    "incomplete_expired",
    "paused",
    "canceled",
]

# Sub-keys Stripe documents but its example leaves out, because they are expandable: an
# invoice payment names its payment intent or charge, a line names its price.
DOCUMENTED_EXTRA_KEYS = {
    "invoice_payment.payment": {"payment_intent", "charge"},
    "line_item.pricing": {"price_details"},
}
# Opaque payloads whose shape is another object's: an event's `data.object`.
ANY_SHAPE = {"event.data.object"}


@pytest.fixture(scope="module")
def fixtures(reference_dir: Path) -> dict[str, Any]:
    """Stripe's example of every object, by object name."""
    resources: dict[str, Any] = json.loads((reference_dir / "stripe-fixtures3.json").read_text())[
        "resources"
    ]
    return resources


def shape_mismatches(served: Any, expected: Any, path: str) -> list[str]:
    """Where `served` differs from Stripe's example in keys or JSON types.

    A null in the example says nothing about the type; a null served where the example has a
    value is allowed, because the example cannot say which fields are nullable and most are.
    Lists are compared element by element against the example's element of the same `type`
    (a credit note's custom line has no `invoice_line_item`), else its first.
    """
    if expected is None or served is None or path in ANY_SHAPE:
        return []
    if type(served) is not type(expected):
        return [f"{path}: {type(served).__name__} where Stripe has {type(expected).__name__}"]
    if isinstance(expected, list):
        if not expected:
            return []
        return [p for s in served for p in shape_mismatches(s, _same_kind(s, expected), path)]
    if not isinstance(expected, dict) or not expected:
        return []
    problems = []
    suffix = ".".join(path.split(".")[-2:])
    extra_allowed = DOCUMENTED_EXTRA_KEYS.get(suffix, set())
    missing = sorted(set(expected) - set(served))
    extra = sorted(set(served) - set(expected) - extra_allowed)
    if missing or extra:
        problems.append(f"{path}: missing keys {missing}, unexpected keys {extra}")
    for key in set(served) & set(expected):
        problems += shape_mismatches(served[key], expected[key], f"{path}.{key}")
    return problems


def _same_kind(served: Any, examples: list[Any]) -> Any:
    kind = served.get("type") if isinstance(served, dict) else None
    same = [e for e in examples if isinstance(e, dict) and e.get("type") == kind]
    return same[0] if kind is not None and same else examples[0]


def like(template: dict[str, Any], **values: Any) -> dict[str, Any]:
    """A copy of Stripe's example with these values; only keys the example has may be set."""
    unknown = set(values) - set(template)
    assert not unknown, f"keys {unknown} are not in Stripe's example"
    obj = copy.deepcopy(template)
    obj.update(values)
    return obj


def build_world(fx: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """A small account: two customers, every subscription status, invoices, payments, payouts."""
    world: dict[str, list[dict[str, Any]]] = {name: [] for name in RESOURCES}
    base = AS_OF_TS - 200 * DAY
    customers = [
        like(fx["customer"], id=f"cus_{i}", created=base + i, email=f"c{i}@example.com")
        for i in range(2)
    ]
    world["customers"] = customers
    world["products"] = [
        like(fx["product"], id="prod_seats", name="Seats", created=base, default_price=None),
        like(fx["product"], id="prod_usage", name="API calls", created=base + 1),
        {"id": "prod_gone", "object": "product", "deleted": True},
    ]

    # Minor units by currency exponent: JPY has none, KWD has three.
    price_specs = [
        ("price_usd_month", "usd", 2000, "month", "licensed"),
        ("price_usd_year", "usd", 20000, "year", "licensed"),
        ("price_jpy_month", "jpy", 3000, "month", "licensed"),
        ("price_kwd_month", "kwd", 5500, "month", "licensed"),
        ("price_usd_metered", "usd", 3, "month", "metered"),
    ]
    prices = {}
    for n, (price_id, currency, amount, interval, usage) in enumerate(price_specs):
        prices[price_id] = like(
            fx["price"],
            id=price_id,
            created=base + n,
            currency=currency,
            unit_amount=amount,
            unit_amount_decimal=str(amount),
            product="prod_usage" if usage == "metered" else "prod_seats",
            custom_unit_amount=None,
            transform_quantity=None,
            recurring={
                "interval": interval,
                "interval_count": 1,
                "meter": "mtr_api_calls" if usage == "metered" else None,
                "usage_type": usage,
                "trial_period_days": None,
            },
        )
    world["prices"] = list(prices.values())

    item_template = fx["subscription_item"]
    for n, status in enumerate(STATUSES):
        sub_id, price = f"sub_{status}", prices[list(prices)[n % len(prices)]]
        start = base + 10 * DAY + n
        item = like(
            item_template,
            id=f"si_{status}",
            created=start,
            subscription=sub_id,
            price=price,
            quantity=n + 1,
            plan=like(
                item_template["plan"],
                id=price["id"],
                amount=price["unit_amount"],
                amount_decimal=price["unit_amount_decimal"],
                billing_scheme="per_unit",
                currency=price["currency"],
                interval=price["recurring"]["interval"],
                interval_count=1,
                product=price["product"],
                usage_type=price["recurring"]["usage_type"],
            ),
            current_period_start=AS_OF_TS - 10 * DAY,
            current_period_end=AS_OF_TS + 20 * DAY,
        )
        world["subscriptions"].append(
            like(
                fx["subscription"],
                id=sub_id,
                created=start,
                customer=customers[n % 2]["id"],
                currency=price["currency"],
                status=status,
                cancel_at_period_end=status == "active",
                canceled_at=start + DAY if status == "canceled" else None,
                items={
                    **fx["subscription"]["items"],
                    "data": [item],
                    "url": f"/v1/subscription_items?subscription={sub_id}",
                },
            )
        )

    line_template = fx["line_item"]
    for n, sub in enumerate(world["subscriptions"][:4]):
        invoice_id = f"in_{n}"
        line_count = 12 if n == 0 else 2
        lines = []
        for k in range(line_count):
            proration = k > 0
            lines.append(
                like(
                    line_template,
                    id=f"il_{n}_{k}",
                    invoice=invoice_id,
                    amount=1000 if not proration else -250,
                    currency=sub["currency"],
                    parent={
                        "invoice_item_details": None,
                        "subscription_item_details": {
                            "invoice_item": None,
                            "proration": proration,
                            "proration_details": {"credited_items": None},
                            "subscription": sub["id"],
                            "subscription_item": sub["items"]["data"][0]["id"],
                        },
                        "type": "subscription_item_details",
                    },
                )
            )
        world["invoices"].append(
            like(
                fx["invoice"],
                id=invoice_id,
                created=base + 20 * DAY + n,
                customer=sub["customer"],
                currency=sub["currency"],
                status=["paid", "open", "paid", "void"][n],
                subscription=None,
                parent={
                    "quote_details": None,
                    "subscription_details": {"metadata": {}, "subscription": sub["id"]},
                    "type": "subscription_details",
                },
                lines={
                    **fx["invoice"]["lines"],
                    "data": lines,
                    "url": f"/v1/invoices/{invoice_id}/lines",
                },
            )
        )

    for n in (0, 2):
        invoice = world["invoices"][n]
        created = invoice["created"] + 60
        world["payment_intents"].append(
            like(
                fx["payment_intent"],
                id=f"pi_{n}",
                created=created,
                customer=invoice["customer"],
                amount=1000,
                amount_received=1000,
                currency=invoice["currency"],
                status="succeeded",
                latest_charge=f"ch_{n}",
            )
        )
        world["charges"].append(
            like(
                fx["charge"],
                id=f"ch_{n}",
                created=created,
                customer=invoice["customer"],
                amount=1000,
                amount_captured=1000,
                currency=invoice["currency"],
                payment_intent=f"pi_{n}",
                balance_transaction=f"txn_ch_{n}",
                refunds={**fx["charge"]["refunds"], "url": f"/v1/charges/ch_{n}/refunds"},
            )
        )
        world["invoice_payments"].append(
            like(
                fx["invoice_payment"],
                id=f"inpay_{n}",
                created=created,
                invoice=invoice["id"],
                amount_paid=1000,
                amount_requested=1000,
                currency=invoice["currency"],
                status="paid",
                payment={"type": "payment_intent", "payment_intent": f"pi_{n}"},
            )
        )
        world["balance_transactions"].append(
            like(
                fx["balance_transaction"],
                id=f"txn_ch_{n}",
                created=created,
                amount=1000,
                fee=59,
                net=941,
                currency=invoice["currency"],
                source=f"ch_{n}",
                fee_details=[
                    {
                        "amount": 59,
                        "application": None,
                        "currency": invoice["currency"],
                        "description": "Stripe processing fees",
                        "type": "stripe_fee",
                    }
                ],
            )
        )

    # A partial refund on the first charge, a full one on the second.
    for n, amount in ((0, 400), (2, 1000)):
        world["refunds"].append(
            like(
                fx["refund"],
                id=f"re_{n}",
                created=world["charges"][n // 2]["created"] + DAY,
                amount=amount,
                charge=f"ch_{n}",
                payment_intent=f"pi_{n}",
            )
        )
    world["credit_notes"].append(
        like(
            fx["credit_note"],
            id="cn_0",
            created=world["invoices"][0]["created"] + DAY,
            customer=world["invoices"][0]["customer"],
            invoice="in_0",
            amount=400,
            type="post_payment",
            lines={**fx["credit_note"]["lines"], "url": "/v1/credit_notes/cn_0/lines"},
        )
    )
    world["payouts"].append(
        like(
            fx["payout"],
            id="po_0",
            created=base + 30 * DAY,
            arrival_date=base + 32 * DAY,
            amount=1882,
            status="paid",
            balance_transaction="txn_po_0",
        )
    )
    world["balance_transactions"].append(
        like(
            fx["balance_transaction"],
            id="txn_po_0",
            created=base + 30 * DAY,
            amount=-1882,
            net=-1882,
            type="payout",
            reporting_category="payout",
            source="po_0",
        )
    )
    world["events"] = [
        like(fx["event"], id=f"evt_{age}", created=AS_OF_TS - age * DAY, type="invoice.paid")
        for age in (1, 29, 31, 45)
    ]
    return world


@pytest.fixture(scope="module")
def world(fixtures: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return build_world(fixtures)


@pytest.fixture
def stand_in(world: dict[str, list[dict[str, Any]]]) -> StripeStandIn:
    stand_in = StripeStandIn(accounts={"main": KEY}, as_of=AS_OF)
    stand_in.load({"accounts": {"main": world}})
    return stand_in


def get(
    stand_in: StripeStandIn, path: str, *, version: str | None = None, **query: Any
) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {KEY}"}
    if version:
        headers["Stripe-Version"] = version
    response = Client(stand_in.wsgi_app).get(path, query_string=query, headers=headers)
    return response.status_code, response.get_json()


def walk(stand_in: StripeStandIn, path: str, **query: Any) -> list[dict[str, Any]]:
    """Every object of a list, page by page through `starting_after`."""
    served: list[dict[str, Any]] = []
    cursor: dict[str, str] = {}
    while True:
        status, page = get(stand_in, path, limit=3, **query, **cursor)
        assert status == 200, page
        served += page["data"]
        if not page["has_more"]:
            return served
        cursor = {"starting_after": page["data"][-1]["id"]}


@pytest.mark.parametrize("list_name", sorted(RESOURCES))
def test_every_listed_and_retrieved_object_has_the_fixtures_keys_and_types(
    stand_in: StripeStandIn, fixtures: dict[str, Any], list_name: str
) -> None:
    object_name = RESOURCES[list_name].object_name
    query = {"status": "all"} if list_name == "subscriptions" else {}

    listed = walk(stand_in, f"/v1/{list_name}", **query)
    retrieved = [get(stand_in, f"/v1/{list_name}/{obj['id']}")[1] for obj in listed]

    assert listed
    assert retrieved == listed
    assert [
        p for o in listed for p in shape_mismatches(o, fixtures[object_name], object_name)
    ] == []


@pytest.mark.parametrize(
    ("path", "object_name", "parent"),
    [
        pytest.param("/v1/invoices/in_0/lines", "line_item", "invoice", id="invoice-lines"),
        pytest.param(
            "/v1/credit_notes/cn_0/lines", "credit_note_line_item", "credit_note", id="cn-lines"
        ),
        pytest.param(
            "/v1/subscription_items?subscription=sub_active",
            "subscription_item",
            "subscription",
            id="items",
        ),
    ],
)
def test_sub_lists_have_the_fixtures_keys_and_types(
    stand_in: StripeStandIn, fixtures: dict[str, Any], path: str, object_name: str, parent: str
) -> None:
    base, _, query = path.partition("?")
    params = dict([query.split("=")]) if query else {}
    # Stripe's example of the parent holds one line of each kind (a custom credit-note line).
    embedded = next(v for v in fixtures[parent].values() if isinstance(v, dict) and "data" in v)
    examples = [fixtures[object_name], *embedded["data"]]

    served = walk(stand_in, base, **params)

    assert served
    assert [
        p for o in served for p in shape_mismatches(o, _same_kind(o, examples), object_name)
    ] == []


def test_invoice_embeds_its_first_ten_lines_and_the_lines_endpoint_pages_the_rest(
    stand_in: StripeStandIn,
) -> None:
    _, invoice = get(stand_in, "/v1/invoices/in_0")
    lines = walk(stand_in, "/v1/invoices/in_0/lines")

    assert len(invoice["lines"]["data"]) == 10
    assert invoice["lines"]["has_more"] is True
    assert [line["id"] for line in lines] == [f"il_0_{k}" for k in range(12)]


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        pytest.param(None, [s for s in STATUSES if s != "canceled"], id="default-not-canceled"),
        pytest.param("all", STATUSES, id="all"),
        pytest.param("ended", ["incomplete_expired", "canceled"], id="ended"),
        *[pytest.param(s, [s], id=s) for s in STATUSES],
    ],
)
def test_subscription_status_filter(
    stand_in: StripeStandIn, status: str | None, expected: list[str]
) -> None:
    query = {"status": status} if status else {}

    served = walk(stand_in, "/v1/subscriptions", **query)

    assert sorted(s["status"] for s in served) == sorted(expected)


def test_unknown_subscription_status_is_400_on_status(stand_in: StripeStandIn) -> None:
    status, body = get(stand_in, "/v1/subscriptions", status="cancelled")

    assert status == 400
    assert body["error"]["param"] == "status"


@pytest.mark.parametrize(
    ("path", "query", "expected_ids"),
    [
        pytest.param("/v1/invoices", {"customer": "cus_1"}, ["in_3", "in_1"], id="inv-customer"),
        pytest.param("/v1/invoices", {"status": "paid"}, ["in_2", "in_0"], id="inv-status"),
        pytest.param(
            "/v1/invoices", {"subscription": "sub_past_due"}, ["in_2"], id="inv-subscription"
        ),
        pytest.param(
            "/v1/subscriptions",
            {"customer": "cus_0", "status": "all"},
            ["sub_paused", "sub_incomplete", "sub_past_due", "sub_trialing"],
            id="sub-customer",
        ),
        pytest.param(
            "/v1/subscriptions", {"price": "price_jpy_month"}, ["sub_past_due"], id="sub-price"
        ),
        pytest.param("/v1/prices", {"currency": "kwd"}, ["price_kwd_month"], id="price-kwd"),
        pytest.param(
            "/v1/prices",
            {"recurring[usage_type]": "metered"},
            ["price_usd_metered"],
            id="price-metered",
        ),
        pytest.param(
            "/v1/prices",
            {"recurring[interval]": "year"},
            ["price_usd_year"],
            id="price-yearly",
        ),
        pytest.param("/v1/refunds", {"charge": "ch_0"}, ["re_0"], id="refund-charge"),
        pytest.param("/v1/charges", {"payment_intent": "pi_2"}, ["ch_2"], id="charge-pi"),
        pytest.param(
            "/v1/invoice_payments", {"invoice": "in_2"}, ["inpay_2"], id="invoice-payment"
        ),
        pytest.param("/v1/balance_transactions", {"type": "payout"}, ["txn_po_0"], id="txn-type"),
        pytest.param("/v1/credit_notes", {"invoice": "in_0"}, ["cn_0"], id="cn-invoice"),
        pytest.param("/v1/payouts", {"status": "paid"}, ["po_0"], id="payout-status"),
        pytest.param("/v1/products", {"ids[]": "prod_usage"}, ["prod_usage"], id="product-ids"),
    ],
)
def test_list_filters(
    stand_in: StripeStandIn, path: str, query: dict[str, str], expected_ids: list[str]
) -> None:
    status, page = get(stand_in, path, limit=100, **query)

    assert status == 200, page
    assert [obj["id"] for obj in page["data"]] == expected_ids


def test_prices_keep_minor_units_of_zero_and_three_decimal_currencies(
    stand_in: StripeStandIn,
) -> None:
    _, page = get(stand_in, "/v1/prices", limit=100)

    amounts = {p["id"]: (p["currency"], p["unit_amount"]) for p in page["data"]}
    assert amounts["price_jpy_month"] == ("jpy", 3000)
    assert amounts["price_kwd_month"] == ("kwd", 5500)


def test_refunds_partial_and_full_against_their_charges(stand_in: StripeStandIn) -> None:
    refunds = {r["charge"]: r["amount"] for r in walk(stand_in, "/v1/refunds")}
    charges = {c["id"]: c["amount"] for c in walk(stand_in, "/v1/charges")}

    assert refunds == {"ch_0": 400, "ch_2": 1000}
    assert refunds["ch_0"] < charges["ch_0"]
    assert refunds["ch_2"] == charges["ch_2"]


def test_deleted_product_is_left_out_and_retrieved_as_stub(stand_in: StripeStandIn) -> None:
    listed = walk(stand_in, "/v1/products")
    status, stub = get(stand_in, "/v1/products/prod_gone")

    assert "prod_gone" not in [p["id"] for p in listed]
    assert status == 200
    assert stub == {"id": "prod_gone", "object": "product", "deleted": True}


def test_current_version_links_invoice_to_subscription_under_parent(
    stand_in: StripeStandIn,
) -> None:
    _, invoice = get(stand_in, "/v1/invoices/in_0", version="2025-03-31.basil")
    _, payments = get(stand_in, "/v1/invoice_payments", invoice="in_0")

    assert invoice["parent"]["subscription_details"]["subscription"] == "sub_trialing"
    assert invoice["subscription"] is None
    assert "charge" not in invoice
    assert [p["payment"]["payment_intent"] for p in payments["data"]] == ["pi_0"]


@pytest.mark.parametrize("version", ["2024-06-20", "2025-02-24.acacia"])
def test_older_version_puts_subscription_and_charge_on_the_invoice(
    stand_in: StripeStandIn, version: str
) -> None:
    _, invoice = get(stand_in, "/v1/invoices/in_0", version=version)
    _, listed = get(stand_in, "/v1/invoices", version=version, limit=100)
    _, unpaid = get(stand_in, "/v1/invoices/in_1", version=version)
    _, lines = get(stand_in, "/v1/invoices/in_0/lines", version=version, limit=1)

    assert invoice["subscription"] == "sub_trialing"
    assert invoice["charge"] == "ch_0"
    assert invoice["payment_intent"] == "pi_0"
    assert "parent" not in invoice
    assert {i["id"]: i["charge"] for i in listed["data"]}["in_2"] == "ch_2"
    assert (unpaid["subscription"], unpaid["charge"]) == ("sub_active", None)
    assert lines["data"][0]["subscription"] == "sub_trialing"
    assert lines["data"][0]["subscription_item"] == "si_trialing"
    assert "parent" not in lines["data"][0]


@pytest.mark.parametrize(
    ("version", "on_subscription", "on_item"),
    [
        pytest.param("2024-06-20", True, False, id="older"),
        pytest.param("2025-03-31.basil", False, True, id="basil"),
        pytest.param(None, False, True, id="unpinned"),
    ],
)
def test_billing_periods_sit_on_items_from_2025_03_31(
    stand_in: StripeStandIn, version: str | None, on_subscription: bool, on_item: bool
) -> None:
    _, subscription = get(stand_in, "/v1/subscriptions/sub_active", version=version)
    _, items = get(stand_in, "/v1/subscription_items", version=version, subscription="sub_active")

    item = subscription["items"]["data"][0]
    assert ("current_period_end" in subscription) is on_subscription
    assert ("current_period_end" in item) is on_item
    assert ("current_period_end" in items["data"][0]) is on_item
    if on_subscription:
        assert subscription["current_period_end"] == AS_OF_TS + 20 * DAY


def test_malformed_version_is_400(stand_in: StripeStandIn) -> None:
    status, body = get(stand_in, "/v1/invoices", version="latest")

    assert status == 400
    assert body["error"]["message"] == "Invalid Stripe API version: latest"


def test_events_older_than_30_days_before_as_of_are_gone(stand_in: StripeStandIn) -> None:
    listed = walk(stand_in, "/v1/events")
    old_status, old = get(stand_in, "/v1/events/evt_31")
    cursor_status, _ = get(stand_in, "/v1/events", starting_after="evt_45")

    assert [e["id"] for e in listed] == ["evt_1", "evt_29"]
    assert old_status == 404
    assert old["error"]["code"] == "resource_missing"
    assert cursor_status == 400


def test_as_of_from_the_load_payload_replaces_the_constructors(
    world: dict[str, list[dict[str, Any]]],
) -> None:
    stand_in = StripeStandIn(accounts={"main": KEY}, as_of=date(2020, 1, 1))
    stand_in.load({"as_of": "2026-12-20", "accounts": {"main": world}})

    listed = walk(stand_in, "/v1/events")

    # 20 days later, the 1- and 29-day-old events are 21 and 49 days old.
    assert [e["id"] for e in listed] == ["evt_1"]


def test_without_as_of_every_event_is_kept(world: dict[str, list[dict[str, Any]]]) -> None:
    stand_in = StripeStandIn(accounts={"main": KEY})
    stand_in.load({"accounts": {"main": world}})

    assert len(walk(stand_in, "/v1/events")) == 4


@pytest.mark.parametrize(
    ("path", "param"),
    [
        pytest.param("/v1/invoices", "subscriptions", id="misspelt-filter"),
        pytest.param("/v1/charges", "status", id="filter-of-another-list"),
        pytest.param("/v1/invoices", "expand[]", id="expand"),
    ],
)
def test_a_parameter_the_list_does_not_take_is_400(
    stand_in: StripeStandIn, path: str, param: str
) -> None:
    status, body = get(stand_in, path, **{param: "x"})

    assert status == 400
    assert body["error"]["param"] == param


def test_rate_ceiling_is_per_endpoint_and_counts_every_id_of_a_retrieve(
    world: dict[str, list[dict[str, Any]]],
) -> None:
    now = [10.0]
    stand_in = StripeStandIn(
        accounts={"main": KEY},
        endpoint_rate_limits={"/v1/invoices/{id}": 2},
        rate_limit_per_second=50,
        clock=lambda: now[0],
    )
    stand_in.load({"accounts": {"main": world}})

    retrieves = [get(stand_in, f"/v1/invoices/in_{n}")[0] for n in range(3)]
    _, body = get(stand_in, "/v1/invoices/in_3")
    listing, _ = get(stand_in, "/v1/invoices")
    now[0] += 1.0
    later, _ = get(stand_in, "/v1/invoices/in_3")

    assert retrieves == [200, 200, 429]
    assert body["error"]["code"] == "rate_limit"
    assert listing == 200
    assert later == 200
    assert [c.detail["endpoint"] for c in stand_in.calls][:2] == ["/v1/invoices/{id}"] * 2


def test_load_counts_live_objects_per_list(world: dict[str, list[dict[str, Any]]]) -> None:
    stand_in = StripeStandIn(accounts={"main": KEY})

    counts = stand_in.load({"accounts": {"main": world}})

    assert counts["main"]["subscriptions"] == 8
    assert counts["main"]["products"] == 2
    assert counts["main"]["invoices"] == 4
    assert counts["main"]["deleted_customers"] == 0


def test_loading_a_list_the_stand_in_does_not_serve_is_refused() -> None:
    stand_in = StripeStandIn(accounts={"main": KEY})

    with pytest.raises(ValueError, match="'quotes'"):
        stand_in.load({"accounts": {"main": {"quotes": []}}})
