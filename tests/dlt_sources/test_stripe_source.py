"""The Stripe source against the Stripe stand-in over loopback, landed into DuckDB."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import dlt
import pytest

from dlt_sources.stripe import flag_vanished_customers, stripe_pipeline, stripe_source
from sandbox.http import RunningServer, serve
from sandbox.stripe import StripeStandIn
from tests.dlt_sources.conftest import Warehouse

MAIN_KEY = "sk_test_dltsource0000000000main"
EU_KEY = "sk_test_dltsource00000000000eu"
API_VERSION = "2025-03-31.basil"
BASE_CREATED = 1_700_000_000


@pytest.fixture(scope="module")
def stripe() -> Iterator[RunningServer]:
    running = serve(StripeStandIn(accounts={"main": MAIN_KEY, "eu": EU_KEY}))
    yield running
    running.stop()


def stand_in(running: RunningServer, accounts: dict[str, dict[str, Any]]) -> StripeStandIn:
    """The served stand-in holding only `accounts`, with an empty call log."""
    served = running.stand_in
    assert isinstance(served, StripeStandIn)
    served.load({"accounts": accounts})
    served.clear_calls()
    return served


def customer_id(index: int) -> str:
    return f"cus_{index:014d}"


def customer(index: int, **fields: Any) -> dict[str, Any]:
    """A live customer in Stripe's shape; a higher index was created later."""
    return {
        "id": customer_id(index),
        "object": "customer",
        "balance": 0,
        "created": BASE_CREATED + index,
        "currency": "usd",
        "delinquent": False,
        "email": f"buyer{index}@example.com",
        "livemode": False,
        "metadata": {"hubspot_company_id": str(9_000_000_000 + index)},
        "name": f"Buyer {index}",
        **fields,
    }


def deleted_stub(index: int) -> dict[str, Any]:
    return {"id": customer_id(index), "object": "customer", "deleted": True}


def deletion_event(deleted: dict[str, Any]) -> dict[str, Any]:
    """Stripe's `customer.deleted` event: `data.object` is the customer as it was."""
    return {
        "id": f"evt_{deleted['id'][4:]}",
        "object": "event",
        "api_version": API_VERSION,
        "created": deleted["created"] + 86_400,
        "data": {"object": deleted},
        "livemode": False,
        "pending_webhooks": 0,
        "request": {"id": None, "idempotency_key": None},
        "type": "customer.deleted",
    }


def land(warehouse: Warehouse, running: RunningServer, accounts: dict[str, str]) -> None:
    """Land each account (name to key) in turn, as `dagster_project.extract` does."""
    pipeline = stripe_pipeline(
        duckdb_path=warehouse.duckdb_path, pipelines_dir=str(warehouse.pipelines_dir)
    )
    for account, key in accounts.items():
        source = stripe_source(
            account=account, api_key=key, base_url=running.url, api_version=API_VERSION
        )
        pipeline.run(source, loader_file_format="parquet")


def test_customers_are_paged_by_100_until_has_more_is_false_and_land_once_each(
    stripe: RunningServer, warehouse: Warehouse
) -> None:
    served = stand_in(
        stripe, {"main": {"customers": [customer(i) for i in range(250)], "events": []}}
    )

    land(warehouse, stripe, {"main": MAIN_KEY})

    # Newest first: pages end at the 150th and the 50th customer by creation.
    assert [call.query for call in served.calls if call.path == "/v1/customers"] == [
        {"limit": "100"},
        {"limit": "100", "starting_after": customer_id(150)},
        {"limit": "100", "starting_after": customer_id(50)},
    ]
    assert warehouse.rows("select count(*), count(distinct id) from raw_stripe.customers") == [
        (250, 250)
    ]
    assert warehouse.rows("select id from raw_stripe.customers order by id") == [
        (customer_id(i),) for i in range(250)
    ]


def test_deleted_customer_lands_as_a_deleted_row_of_its_account(
    stripe: RunningServer, warehouse: Warehouse
) -> None:
    gone = customer(2)
    served = stand_in(
        stripe,
        {
            "main": {
                "customers": [customer(0), customer(1), deleted_stub(2)],
                "events": [deletion_event(gone)],
            }
        },
    )

    land(warehouse, stripe, {"main": MAIN_KEY})

    assert warehouse.rows(
        "select account, id, deleted, email, name from raw_stripe.customers order by id"
    ) == [
        ("main", customer_id(0), None, "buyer0@example.com", "Buyer 0"),
        ("main", customer_id(1), None, "buyer1@example.com", "Buyer 1"),
        ("main", customer_id(2), True, None, None),
    ]
    assert [(call.path, call.query) for call in served.calls if call.path != "/v1/customers"] == [
        ("/v1/events", {"limit": "100", "type": "customer.deleted"}),
        (f"/v1/customers/{customer_id(2)}", {}),
    ]


def test_every_row_carries_the_account_it_was_read_from(
    stripe: RunningServer, warehouse: Warehouse
) -> None:
    # The same id in two accounts is two customers: merged on (account, id), both stay.
    stand_in(
        stripe,
        {
            "main": {"customers": [customer(0), customer(1)], "events": []},
            "eu": {"customers": [customer(1), customer(5)], "events": []},
        },
    )

    land(warehouse, stripe, {"main": MAIN_KEY, "eu": EU_KEY})

    assert warehouse.rows("select account, id from raw_stripe.customers order by all") == [
        ("eu", customer_id(1)),
        ("eu", customer_id(5)),
        ("main", customer_id(0)),
        ("main", customer_id(1)),
    ]


def test_amounts_and_ids_land_as_sent(stripe: RunningServer, warehouse: Warehouse) -> None:
    sent = customer(
        7,
        id="cus_PzX9aQ2bLmN4vT",
        balance=-2550,
        created=1_712_345_678,
        currency="eur",
        delinquent=True,
        invoice_prefix="PZX9AQ2B",
        next_invoice_sequence=12,
        metadata={"hubspot_company_id": "0012345678"},
    )
    stand_in(stripe, {"main": {"customers": [sent], "events": []}})

    land(warehouse, stripe, {"main": MAIN_KEY})

    assert warehouse.rows(
        "select id, balance, created, currency, delinquent, invoice_prefix, "
        "next_invoice_sequence, metadata__hubspot_company_id from raw_stripe.customers"
    ) == [("cus_PzX9aQ2bLmN4vT", -2550, 1_712_345_678, "eur", True, "PZX9AQ2B", 12, "0012345678")]
    columns = warehouse.columns("raw_stripe.customers")
    assert {
        name: columns[name] for name in ("id", "balance", "created", "metadata__hubspot_company_id")
    } == {
        "id": "VARCHAR",
        "balance": "BIGINT",
        "created": "BIGINT",
        "metadata__hubspot_company_id": "VARCHAR",
    }


@pytest.fixture
def http_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every record of dlt, urllib3 and requests at DEBUG."""
    # dlt sets its logger's level when its run context starts; start it first so DEBUG holds.
    dlt.current.run_context()
    for name in ("dlt", "urllib3", "requests"):
        caplog.set_level(logging.DEBUG, logger=name)
    # dlt's logger does not propagate to the root logger, where caplog listens.
    dlt_logger = logging.getLogger("dlt")
    dlt_logger.addHandler(caplog.handler)
    yield caplog
    dlt_logger.removeHandler(caplog.handler)


def test_api_key_never_reaches_the_logs(
    stripe: RunningServer, warehouse: Warehouse, http_logs: pytest.LogCaptureFixture
) -> None:
    gone = customer(1)
    stand_in(
        stripe,
        {"main": {"customers": [customer(0), deleted_stub(1)], "events": [deletion_event(gone)]}},
    )

    land(warehouse, stripe, {"main": MAIN_KEY})

    messages = [record.getMessage() for record in http_logs.records]
    request_lines = [m for m in messages if "request to" in m and "/v1/customers" in m]
    assert {record.name for record in http_logs.records} >= {"dlt", "urllib3.connectionpool"}
    assert len(request_lines) == 2
    assert [m for m in messages if MAIN_KEY in m] == []
    assert MAIN_KEY not in http_logs.text


def test_a_customer_gone_from_a_complete_listing_is_kept_and_flagged_deleted(
    stripe: RunningServer, warehouse: Warehouse
) -> None:
    pipeline = stripe_pipeline(
        duckdb_path=warehouse.duckdb_path, pipelines_dir=str(warehouse.pipelines_dir)
    )

    def land_and_sweep() -> int:
        source = stripe_source(
            account="main", api_key=MAIN_KEY, base_url=stripe.url, api_version=API_VERSION
        )
        info = pipeline.run(source, loader_file_format="parquet")
        return flag_vanished_customers(
            warehouse.duckdb_path, account="main", load_id=info.loads_ids[-1]
        )

    stand_in(stripe, {"main": {"customers": [customer(1), customer(2), customer(3)]}})
    assert land_and_sweep() == 0
    # Deleted more than 30 days ago: no event, just absent from the listing.
    stand_in(stripe, {"main": {"customers": [customer(1), customer(3)]}})
    assert land_and_sweep() == 1

    assert warehouse.rows(
        "select id, name, coalesce(deleted, false) from raw_stripe.customers order by id"
    ) == [
        (customer_id(1), "Buyer 1", False),
        (customer_id(2), "Buyer 2", True),
        (customer_id(3), "Buyer 3", False),
    ]
