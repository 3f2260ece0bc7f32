"""Stripe, declared with dlt's `rest_api` source: one source per Stripe account.

Lists are paged with Stripe's cursor (`starting_after` = the last object's id) until
`has_more` is false. Stripe leaves deleted customers out of lists, so the `customer.deleted`
events are read too and each deleted customer is retrieved by id, which answers with Stripe's
`deleted: true` stub; the stub lands in `customers` so the deletion is kept, not lost.
"""

from __future__ import annotations

import logging
from typing import Any

import dlt
import duckdb
from dlt.sources import DltSource
from dlt.sources.rest_api import RESTAPIConfig, rest_api_source

from dlt_sources.http import AdvancingCursorPaginator, redact_loggers

logger = logging.getLogger(__name__)

# Columns staging reads even when no row of a run carries them (a world with no deletions
# has no `deleted` key anywhere).
CUSTOMER_COLUMNS: dict[str, Any] = {
    "account": {"data_type": "text", "nullable": False},
    "id": {"data_type": "text", "nullable": False},
    "deleted": {"data_type": "bool"},
    "email": {"data_type": "text"},
    "name": {"data_type": "text"},
    "created": {"data_type": "bigint"},
    "currency": {"data_type": "text"},
    "metadata__hubspot_company_id": {"data_type": "text"},
}


def stripe_source(*, account: str, api_key: str, base_url: str, api_version: str) -> DltSource:
    """Customers of one Stripe account, deleted ones included as `deleted: true` stubs.

    One row per Stripe customer and account in `customers`; Stripe's amounts are integers in
    minor units and land as sent.
    """
    if not api_key:
        raise ValueError(f"Stripe account {account!r} has no API key; set its key variable")
    redact_loggers([api_key])

    config: RESTAPIConfig = {
        "client": {
            "base_url": base_url.rstrip("/"),
            "auth": {"type": "bearer", "token": api_key},
            "headers": {"Stripe-Version": api_version},
        },
        "resource_defaults": {
            "primary_key": ["account", "id"],
            # Merged on (account, id): accounts land one after another into the same tables.
            "write_disposition": "merge",
            "endpoint": {"data_selector": "data"},
        },
        "resources": [
            {
                "name": "customers",
                "columns": CUSTOMER_COLUMNS,
                "endpoint": {
                    "path": "/v1/customers",
                    "params": {"limit": 100},
                    "paginator": _stripe_paginator("customers"),
                },
            },
            {
                "name": "customer_deletions",
                "selected": False,
                "endpoint": {
                    "path": "/v1/events",
                    "params": {"limit": 100, "type": "customer.deleted"},
                    "paginator": _stripe_paginator("events"),
                },
            },
            {
                # TODO(#7): read deletions from every customer event incrementally; a deletion
                # older than the 30-day event window is found by `flag_vanished_customers`.
                "name": "deleted_customers",
                "table_name": "customers",
                "columns": CUSTOMER_COLUMNS,
                "endpoint": {
                    "path": "/v1/customers/{id}",
                    "params": {
                        "id": {
                            "type": "resolve",
                            "resource": "customer_deletions",
                            "field": "data.object.id",
                        }
                    },
                    "data_selector": "$",
                    "paginator": "single_page",
                },
            },
        ],
    }
    source = rest_api_source(config, name="stripe")
    for resource in source.resources.values():
        resource.add_map(_with_account(account))
    return source


def flag_vanished_customers(duckdb_path: str, *, account: str, load_id: str) -> int:
    """Flag as deleted the customers of an account that a complete listing no longer returned.

    Stripe lists every customer that is not deleted, and announces a deletion only as an event
    kept for 30 days; a customer that was landed before and is missing from a complete listing
    was deleted upstream. It is kept and flagged, never dropped. Returns how many were flagged.
    """
    with duckdb.connect(duckdb_path) as con:
        flagged = con.execute(
            "update raw_stripe.customers set deleted = true "
            "where account = ? and _dlt_load_id != ? and not coalesce(deleted, false) "
            "returning id",
            [account, load_id],
        ).fetchall()
    if flagged:
        logger.warning(
            "stripe %s: %d customers missing from a complete listing flagged deleted",
            account,
            len(flagged),
        )
    return len(flagged)


def _stripe_paginator(resource: str) -> AdvancingCursorPaginator:
    return AdvancingCursorPaginator(
        resource=f"stripe {resource}",
        cursor_path="data[-1].id",
        cursor_param="starting_after",
        has_more_path="has_more",
    )


def _with_account(account: str) -> Any:
    def add_account(row: dict[str, Any]) -> dict[str, Any]:
        return {**row, "account": account}

    return add_account


def stripe_pipeline(*, duckdb_path: str, pipelines_dir: str) -> dlt.Pipeline:
    """The pipeline that lands every Stripe account into `raw_stripe`."""
    return dlt.pipeline(
        pipeline_name="trueup_stripe",
        destination=dlt.destinations.duckdb(credentials=duckdb_path),
        dataset_name="raw_stripe",
        pipelines_dir=pipelines_dir,
    )
