"""A world's billing history: repeatable, in Stripe's shapes, arithmetically whole, and served.

Billing adds Stripe's catalog, subscriptions, invoices, payments and payouts and the CRM's deals
to a world without touching its customers, its Odoo records or its answer key.
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import httpx
import pytest

import sandbox.billing
from sandbox.billing import FIXED_FEE, STRIPE_LISTS, catalog_prices, catalog_products
from sandbox.stack import Sandbox, start_sandbox
from sandbox.world import Size, World, build_world, read_payloads, write_world
from tests.sandbox.test_stripe_objects import shape_mismatches

SEED = 5
AS_OF_TS = int(datetime(2026, 11, 30, tzinfo=UTC).timestamp())
YEAR_BEFORE_AS_OF_TS = int(datetime(2025, 11, 30, tzinfo=UTC).timestamp())
SIZES = [pytest.param("small", id="small"), pytest.param("demo", id="demo")]
BILLING_FILES = [
    *(f"stripe/main/{name}.json" for name in STRIPE_LISTS),
    "stripe/main/events.json",
    "crm/deals.json",
    "crm/associations.json",
]
# Files written before billing existed; billing must leave them byte for byte as they were.
UNBILLED_FILES = [
    "answer_key.jsonl",
    "crm/companies.json",
    "crm/contacts.json",
    "odoo/ir.model.data.json",
    "odoo/res.partner.json",
    "stripe/main/customers.json",
]


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(seed=SEED, size="demo", odoo_version=19)


@pytest.fixture(scope="module")
def fixtures(reference_dir: Path) -> dict[str, Any]:
    """Stripe's example of every object, by object name."""
    resources: dict[str, Any] = json.loads((reference_dir / "stripe-fixtures3.json").read_text())[
        "resources"
    ]
    return resources


def stripe(world: World, name: str) -> list[dict[str, Any]]:
    return world.stripe["main"][name]


def by_id(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["id"]: row for row in rows}


def files_under(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


# --- repeatability and what billing leaves alone --------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_same_seed_writes_identical_billing_files(tmp_path: Path, size: Size) -> None:
    first = files_under(
        write_world(build_world(seed=11, size=size, odoo_version=19), tmp_path / "a")
    )
    second = files_under(
        write_world(build_world(seed=11, size=size, odoo_version=19), tmp_path / "b")
    )

    assert set(BILLING_FILES) <= set(first)
    assert [name for name in first if first[name] != second[name]] == []


@pytest.mark.parametrize(
    "plant", [pytest.param(True, id="planted"), pytest.param(False, id="clean")]
)
def test_billing_leaves_customers_odoo_and_answer_key_byte_identical(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, plant: bool
) -> None:
    billed = files_under(
        write_world(
            build_world(seed=SEED, size="demo", odoo_version=19, plant=plant), tmp_path / "a"
        )
    )
    monkeypatch.setattr(sandbox.billing, "add_billing", lambda world: None)
    unbilled = files_under(
        write_world(
            build_world(seed=SEED, size="demo", odoo_version=19, plant=plant), tmp_path / "b"
        )
    )

    assert {name: billed[name] for name in UNBILLED_FILES} == {
        name: unbilled[name] for name in UNBILLED_FILES
    }
    events = json.loads(billed["stripe/main/events.json"])
    assert [e for e in events if e["type"] != "invoice.paid"] == json.loads(
        unbilled["stripe/main/events.json"]
    )


def test_catalog_is_the_same_in_every_world() -> None:
    one = build_world(seed=1, size="small", odoo_version=16)
    two = build_world(seed=2, size="demo", odoo_version=19)

    for name in ("products", "prices"):
        assert stripe(one, name) == stripe(two, name)
    assert [p["id"] for p in stripe(one, "products")] == [
        "prod_trueup_growth",
        "prod_trueup_scale",
        "prod_trueup_starter",
    ]
    assert "price_growth_month_usd" in by_id(stripe(one, "prices"))


def test_another_seed_gives_other_subscriptions() -> None:
    one = build_world(seed=1, size="small", odoo_version=19)
    two = build_world(seed=2, size="small", odoo_version=19)

    assert not by_id(stripe(one, "subscriptions")).keys() & by_id(stripe(two, "subscriptions"))


# --- Stripe's shapes ---------------------------------------------------------------------------


def objects_of_kind(world: World, kind: str) -> Iterator[dict[str, Any]]:
    """Every object of a Stripe kind in the world, embedded ones included."""
    if kind == "subscription_item":
        for subscription in stripe(world, "subscriptions"):
            yield from subscription["items"]["data"]
    elif kind == "line_item":
        for invoice in stripe(world, "invoices"):
            yield from invoice["lines"]["data"]
    else:
        yield from stripe(world, f"{kind}s")


KINDS = [
    "product",
    "price",
    "subscription",
    "subscription_item",
    "invoice",
    "line_item",
    "invoice_payment",
    "payment_intent",
    "charge",
    "balance_transaction",
    "payout",
    "event",
]


@pytest.mark.parametrize("kind", [pytest.param(kind, id=kind) for kind in KINDS])
def test_every_billing_object_has_stripes_keys_and_types(
    world: World, fixtures: dict[str, Any], kind: str
) -> None:
    objects = list(objects_of_kind(world, kind))

    assert objects, f"the world holds no {kind}"
    assert {frozenset(obj) for obj in objects} == {frozenset(fixtures[kind])}
    problems = Counter(
        problem
        for obj in objects
        for problem in shape_mismatches(without_embedded(obj), fixtures[kind], kind)
    )
    assert list(problems) == []


def without_embedded(obj: dict[str, Any]) -> dict[str, Any]:
    """An object with its embedded list emptied: lines and items are checked as their own kind."""
    key = {"invoice": "lines", "subscription": "items"}.get(obj["object"])
    return {**obj, key: {**obj[key], "data": []}} if key else obj


def test_prices_are_minor_units_of_their_own_currency() -> None:
    prices = by_id(catalog_prices())

    # JPY is zero-decimal: 7000 is ¥7,000; USD and EUR count cents.
    assert prices["price_starter_month_jpy"]["unit_amount"] == 7000
    assert prices["price_starter_month_usd"]["unit_amount"] == 4900
    assert prices["price_starter_month_eur"]["unit_amount"] == 4500
    assert {(p["currency"], p["recurring"]["interval"]) for p in prices.values()} == {
        ("usd", "month"),
        ("usd", "year"),
        ("eur", "month"),
        ("jpy", "month"),
    }
    assert {p["product"] for p in prices.values()} == {p["id"] for p in catalog_products()}


# --- subscriptions ---------------------------------------------------------------------------


def test_every_live_customer_has_one_subscription_and_deleted_ones_none(world: World) -> None:
    customers = stripe(world, "customers")
    live = {c["id"] for c in customers if not c.get("deleted")}

    per_customer = Counter(s["customer"] for s in stripe(world, "subscriptions"))

    assert set(per_customer) == live
    assert set(per_customer.values()) == {1}


def test_subscriptions_are_active_trialing_or_canceled_with_consistent_periods(
    world: World,
) -> None:
    subscriptions = stripe(world, "subscriptions")
    statuses = Counter(s["status"] for s in subscriptions)

    assert set(statuses) == {"active", "trialing", "canceled"}
    assert statuses["active"] > statuses["canceled"] + statuses["trialing"]
    for s in subscriptions:
        item = s["items"]["data"][0]
        if s["status"] == "canceled":
            assert s["ended_at"] == s["canceled_at"] < AS_OF_TS
            assert item["current_period_start"] <= s["ended_at"] < item["current_period_end"]
        else:
            assert s["ended_at"] is None
            assert item["current_period_start"] <= AS_OF_TS < item["current_period_end"]
        if s["status"] == "trialing":
            assert (s["trial_start"], s["trial_end"]) == (
                item["current_period_start"],
                item["current_period_end"],
            )


def test_subscriptions_come_in_several_currencies_one_zero_decimal(world: World) -> None:
    currencies = Counter(s["currency"] for s in stripe(world, "subscriptions"))

    assert set(currencies) == {"usd", "eur", "jpy"}


# --- invoices and payments -------------------------------------------------------------------


def test_invoice_totals_are_the_sum_of_their_lines_and_fully_paid(world: World) -> None:
    subscriptions = by_id(stripe(world, "subscriptions"))
    wrong = []
    for invoice in stripe(world, "invoices"):
        subscription = subscriptions[invoice["parent"]["subscription_details"]["subscription"]]
        item = subscription["items"]["data"][0]
        line_sum = sum(line["amount"] for line in invoice["lines"]["data"])
        expected = item["price"]["unit_amount"] * item["quantity"]
        amounts = (
            invoice["total"],
            invoice["subtotal"],
            invoice["amount_due"],
            invoice["amount_paid"],
            line_sum,
        )
        if amounts != (expected,) * 5 or invoice["amount_remaining"] != 0:
            wrong.append(invoice["id"])
        if (invoice["status"], invoice["currency"]) != ("paid", subscription["currency"]):
            wrong.append(invoice["id"])
    assert wrong == []


def test_invoices_cover_the_last_year_one_per_period_newest_is_latest(world: World) -> None:
    invoices: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for invoice in stripe(world, "invoices"):
        invoices[invoice["parent"]["subscription_details"]["subscription"]].append(invoice)

    for subscription in stripe(world, "subscriptions"):
        own = sorted(invoices[subscription["id"]], key=lambda i: i["created"])
        assert len(own) <= 12
        assert all(YEAR_BEFORE_AS_OF_TS <= i["created"] < AS_OF_TS for i in own)
        assert subscription["latest_invoice"] == (own[-1]["id"] if own else None)
        # Each line's period ends where the next invoice's begins.
        periods = [i["lines"]["data"][0]["period"] for i in own]
        assert all(a["end"] == b["start"] for a, b in pairwise(periods))
        if subscription["status"] == "active":
            item = subscription["items"]["data"][0]
            assert periods[-1] == {
                "start": item["current_period_start"],
                "end": item["current_period_end"],
            }
        if subscription["status"] == "trialing":
            assert own == []


def test_each_paid_invoice_links_one_payment_chain_of_its_amount(world: World) -> None:
    payments = {p["invoice"]: p for p in stripe(world, "invoice_payments")}
    intents = by_id(stripe(world, "payment_intents"))
    charges = by_id(stripe(world, "charges"))
    transactions = by_id(stripe(world, "balance_transactions"))

    assert len(payments) == len(stripe(world, "invoices")) == len(intents) == len(charges)
    broken = []
    for invoice in stripe(world, "invoices"):
        payment = payments[invoice["id"]]
        intent = intents[payment["payment"]["payment_intent"]]
        charge = charges[intent["latest_charge"]]
        transaction = transactions[charge["balance_transaction"]]
        chain = (
            payment["amount_paid"],
            intent["amount"],
            intent["amount_received"],
            charge["amount"],
            charge["amount_captured"],
            transaction["amount"],
        )
        links = (
            payment["status"] == "paid",
            intent["status"] == "succeeded",
            charge["status"] == "succeeded" and charge["captured"] and charge["paid"],
            charge["payment_intent"] == intent["id"],
            transaction["source"] == charge["id"],
            intent["customer"] == charge["customer"] == invoice["customer"],
            {payment["currency"], intent["currency"], charge["currency"], transaction["currency"]}
            == {invoice["currency"]},
            payment["status_transitions"]["paid_at"]
            == invoice["status_transitions"]["paid_at"]
            == charge["created"],
        )
        if chain != (invoice["total"],) * 6 or not all(links):
            broken.append(invoice["id"])
    assert broken == []


def test_charge_fees_are_stripes_rate_plus_fixed_part_and_net_is_the_rest(world: World) -> None:
    wrong = []
    for transaction in stripe(world, "balance_transactions"):
        if transaction["type"] != "charge":
            continue
        amount, currency = transaction["amount"], transaction["currency"]
        fee = (amount * 29 + 500) // 1000 + FIXED_FEE[currency]
        if (
            transaction["fee"] != fee
            or transaction["net"] != amount - fee
            or sum(d["amount"] for d in transaction["fee_details"]) != fee
        ):
            wrong.append(transaction["id"])
    assert wrong == []


def test_each_payout_pays_out_its_months_nets_in_its_currency(world: World) -> None:
    transactions = stripe(world, "balance_transactions")
    nets: Counter[tuple[str, str]] = Counter()
    for t in transactions:
        if t["type"] == "charge":
            month = datetime.fromtimestamp(t["created"], tz=UTC).strftime("%Y-%m")
            nets[(month, t["currency"])] += t["net"]
    payout_transactions = {t["source"]: t for t in transactions if t["type"] == "payout"}

    paid_out: Counter[tuple[str, str]] = Counter()
    for payout in stripe(world, "payouts"):
        created = datetime.fromtimestamp(payout["created"], tz=UTC)
        month_before = (created.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
        paid_out[(month_before, payout["currency"])] += payout["amount"]
        transaction = payout_transactions[payout["id"]]
        assert transaction["id"] == payout["balance_transaction"]
        assert transaction["amount"] == transaction["net"] == -payout["amount"]
        assert payout["created"] < AS_OF_TS

    assert len(paid_out) == len(stripe(world, "payouts"))
    assert {key: nets[key] for key in paid_out} == dict(paid_out)
    # What is not paid out yet is the last month's nets, still in the balance.
    unpaid = {key for key in nets if key not in paid_out}
    assert {month for month, _ in unpaid} == {"2026-11"}


def test_invoice_paid_events_cover_the_last_30_days_exactly(world: World) -> None:
    oldest = AS_OF_TS - 30 * 86_400
    events = [e for e in stripe(world, "events") if e["type"] == "invoice.paid"]
    recent = {
        i["id"] for i in stripe(world, "invoices") if i["status_transitions"]["paid_at"] >= oldest
    }

    assert sorted(e["data"]["object"]["id"] for e in events) == sorted(recent)
    assert all(oldest <= e["created"] < AS_OF_TS for e in events)


def test_no_billing_object_is_dated_after_as_of(world: World) -> None:
    late = [
        obj["id"]
        for name in STRIPE_LISTS
        for obj in stripe(world, name)
        if obj["created"] >= AS_OF_TS
    ]
    assert late == []


# --- deals -----------------------------------------------------------------------------------


def test_each_subscription_has_one_closed_won_deal_on_its_company_worth_a_year(
    world: World,
) -> None:
    deals = by_id(world.crm["deals"])
    customers = by_id(stripe(world, "customers"))
    companies = {a["from_id"]: a["to_id"] for a in world.crm["associations"]}

    assert len(deals) == len(stripe(world, "subscriptions")) == len(companies)
    for subscription in stripe(world, "subscriptions"):
        deal = deals[subscription["metadata"]["hubspot_deal_id"]]
        item = subscription["items"]["data"][0]
        per_year = 12 if item["price"]["recurring"]["interval"] == "month" else 1
        yearly = item["price"]["unit_amount"] * item["quantity"] * per_year
        exponent = 0 if subscription["currency"] == "jpy" else 2
        properties = deal["properties"]

        assert (
            companies[deal["id"]]
            == customers[subscription["customer"]]["metadata"]["hubspot_company_id"]
        )
        assert (properties["pipeline"], properties["dealstage"]) == ("default", "closedwon")
        assert properties["amount"] == (
            str(yearly) if exponent == 0 else f"{yearly // 100}.{yearly % 100:02d}"
        )
        assert properties["deal_currency_code"] == subscription["currency"].upper()
        assert properties["createdate"] <= properties["closedate"]
        assert properties["hs_object_id"] == deal["id"]
        assert all(isinstance(value, str) for value in properties.values())


# --- manifest --------------------------------------------------------------------------------


def test_manifest_counts_the_billing_rows_in_the_files(tmp_path: Path, world: World) -> None:
    folder = write_world(world, tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())

    assert {
        name: count
        for name, count in manifest["rows"].items()
        if name.split(".")[1] in {*STRIPE_LISTS, "deals"}
    } == {
        **{
            f"raw_stripe.{name}": len(json.loads((folder / f"stripe/main/{name}.json").read_text()))
            for name in STRIPE_LISTS
        },
        "raw_crm.deals": len(json.loads((folder / "crm/deals.json").read_text())),
    }


# --- served from the files -------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(world: World, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """The sandbox serving the demo world, loaded from its written files."""
    folder = write_world(world, tmp_path_factory.mktemp("world"))
    running = start_sandbox(odoo_version=19)
    try:
        payloads = read_payloads(folder)
        running.load({name: payloads[name] for name in ("stripe", "hubspot")})
        yield running
    finally:
        running.stop()


def stripe_list(running: Sandbox, path: str, **params: str) -> list[dict[str, Any]]:
    """Every object of a Stripe list, paged with `starting_after` until `has_more` is false."""
    headers = {"Authorization": f"Bearer {running.env['STRIPE_API_KEY_MAIN']}"}
    objects: list[dict[str, Any]] = []
    with httpx.Client(base_url=running.env["STRIPE_API_BASE"], headers=headers) as client:
        while True:
            after = {"starting_after": objects[-1]["id"]} if objects else {}
            page = client.get(path, params={"limit": "100", **params, **after}).raise_for_status()
            objects += page.json()["data"]
            if not page.json()["has_more"]:
                return objects


def test_served_subscriptions_with_status_all_are_every_subscription(
    served: Sandbox, world: World
) -> None:
    everything = stripe_list(served, "/v1/subscriptions", status="all")
    by_default = stripe_list(served, "/v1/subscriptions")

    assert sorted(s["id"] for s in everything) == sorted(
        s["id"] for s in stripe(world, "subscriptions")
    )
    assert {s["status"] for s in by_default} == {"active", "trialing"}


def test_served_invoices_per_customer_are_that_customers_newest_first(
    served: Sandbox, world: World
) -> None:
    # The oldest monthly subscription still running: a full year of invoices.
    customer = min(
        (
            s
            for s in stripe(world, "subscriptions")
            if s["status"] == "active"
            and s["items"]["data"][0]["price"]["recurring"]["interval"] == "month"
        ),
        key=lambda s: s["created"],
    )["customer"]
    expected = sorted(
        (i for i in stripe(world, "invoices") if i["customer"] == customer),
        key=lambda i: (i["created"], i["id"]),
        reverse=True,
    )

    served_invoices = stripe_list(served, "/v1/invoices", customer=customer)

    assert [i["id"] for i in served_invoices] == [i["id"] for i in expected]
    assert len(served_invoices) == 12


def test_served_invoice_at_an_older_version_names_its_subscription_and_charge(
    served: Sandbox, world: World
) -> None:
    invoice = stripe(world, "invoices")[0]
    payment = next(p for p in stripe(world, "invoice_payments") if p["invoice"] == invoice["id"])
    intent = by_id(stripe(world, "payment_intents"))[payment["payment"]["payment_intent"]]
    headers = {
        "Authorization": f"Bearer {served.env['STRIPE_API_KEY_MAIN']}",
        "Stripe-Version": "2024-06-20",
    }

    legacy = (
        httpx.get(f"{served.env['STRIPE_API_BASE']}/v1/invoices/{invoice['id']}", headers=headers)
        .raise_for_status()
        .json()
    )

    assert (legacy["subscription"], legacy["charge"], legacy["payment_intent"]) == (
        invoice["parent"]["subscription_details"]["subscription"],
        intent["latest_charge"],
        intent["id"],
    )


def test_served_deals_by_type_id_are_every_deal_with_its_company(
    served: Sandbox, world: World
) -> None:
    headers = {"Authorization": f"Bearer {served.env['HUBSPOT_ACCESS_TOKEN']}"}
    deals: list[dict[str, Any]] = []
    with httpx.Client(base_url=served.env["HUBSPOT_API_BASE"], headers=headers) as client:
        params = {"limit": "100", "properties": "dealname,amount,dealstage,deal_currency_code"}
        while True:
            page = client.get("/crm/v3/objects/0-3", params=params).raise_for_status().json()
            deals += page["results"]
            if "paging" not in page:
                break
            params["after"] = page["paging"]["next"]["after"]
        first = world.crm["associations"][0]
        linked = client.get(
            f"/crm/v4/objects/deals/{first['from_id']}/associations/companies"
        ).raise_for_status()

    assert sorted(d["id"] for d in deals) == sorted(d["id"] for d in world.crm["deals"])
    assert {d["properties"]["dealstage"] for d in deals} == {"closedwon"}
    assert [r["toObjectId"] for r in linked.json()["results"]] == [first["to_id"]]


# --- size and speed --------------------------------------------------------------------------


def test_demo_world_builds_and_writes_in_seconds(tmp_path: Path) -> None:
    started = time.perf_counter()
    world = build_world(seed=1, size="demo", odoo_version=19)
    built = time.perf_counter()
    folder = write_world(world, tmp_path)
    written = time.perf_counter()

    size = sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())
    print(
        f"demo world: built in {built - started:.2f} s, written in {written - built:.2f} s, "
        f"{size / 1e6:.1f} MB, {len(stripe(world, 'invoices'))} invoices"
    )
    assert size > 0
