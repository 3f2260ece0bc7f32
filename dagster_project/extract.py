"""Landing each system into DuckDB with its dlt source; shared by the assets and the re-read."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import duckdb

from dagster_project.settings import Settings
from dlt_sources.crm import crm_pipeline, crm_source
from dlt_sources.odoo import MODELS, odoo_pipeline, odoo_source
from dlt_sources.stripe import flag_vanished_customers, stripe_pipeline, stripe_source
from reverse_sync.odoo_client import OdooClient

logger = logging.getLogger(__name__)

RAW_TABLES: dict[str, tuple[str, ...]] = {
    "raw_stripe": ("customers",),
    "raw_crm": ("companies", "contacts"),
    "raw_odoo": tuple(spec.table for spec in MODELS),
}


@dataclass(frozen=True)
class Landed:
    """Rows in each raw table of one dataset after a load, and how long the load took."""

    dataset: str
    rows: dict[str, int]
    seconds: float


def odoo_client(settings: Settings) -> OdooClient:
    """The one Odoo client, configured from the settings."""
    return OdooClient(
        settings.odoo_url,
        settings.odoo_db,
        username=settings.odoo_username,
        api_key=settings.odoo_api_key,
        protocol=settings.odoo_protocol,  # type: ignore[arg-type]
    )


def land_stripe(settings: Settings) -> Landed:
    """Land every configured Stripe account into `raw_stripe`."""
    started = time.monotonic()
    pipeline = stripe_pipeline(
        duckdb_path=str(settings.duckdb_path), pipelines_dir=str(settings.pipelines_dir)
    )
    for account in settings.stripe_accounts:
        source = stripe_source(
            account=account.name,
            api_key=account.api_key,
            base_url=settings.stripe_base_url,
            api_version=settings.stripe_api_version,
        )
        with _naming_refusals(f"Stripe account {account.name!r}", account.api_key_env):
            info = pipeline.run(source, loader_file_format="parquet")
        # Every run lists every customer, so what a listing no longer returns was deleted.
        if info.loads_ids:
            flag_vanished_customers(
                str(settings.duckdb_path), account=account.name, load_id=info.loads_ids[-1]
            )
    return _landed(settings, "raw_stripe", started)


def land_crm(settings: Settings) -> Landed:
    """Land the CRM's companies and contacts into `raw_crm`."""
    started = time.monotonic()
    pipeline = crm_pipeline(
        duckdb_path=str(settings.duckdb_path), pipelines_dir=str(settings.pipelines_dir)
    )
    with _naming_refusals("HubSpot", settings.hubspot_token_env):
        pipeline.run(
            crm_source(token=settings.hubspot_token, base_url=settings.hubspot_base_url),
            loader_file_format="parquet",
        )
    return _landed(settings, "raw_crm", started)


def land_odoo(settings: Settings) -> Landed:
    """Land Odoo's partners and trueup's external ids into `raw_odoo`."""
    started = time.monotonic()
    pipeline = odoo_pipeline(
        duckdb_path=str(settings.duckdb_path), pipelines_dir=str(settings.pipelines_dir)
    )
    with odoo_client(settings) as client:
        pipeline.run(odoo_source(client), loader_file_format="parquet")
    return _landed(settings, "raw_odoo", started)


class AccessRefused(Exception):
    """A system refused the key trueup was given for it."""


@contextmanager
def _naming_refusals(system: str, key_env: str) -> Iterator[None]:
    """Turn a 401 or 403 deep inside a dlt run into an error naming the system and variable."""
    try:
        yield
    except Exception as exc:
        status = _http_status(exc)
        if status in (401, 403):
            raise AccessRefused(
                f"{system} refused the key in {key_env} (HTTP {status}); check that variable"
            ) from exc
        raise


def _http_status(exc: BaseException | None) -> int | None:
    while exc is not None:
        response = getattr(exc, "response", None)
        if response is not None and getattr(response, "status_code", None):
            return int(response.status_code)
        exc = exc.__cause__ or exc.__context__
    return None


def _landed(settings: Settings, dataset: str, started: float) -> Landed:
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        rows = {
            table: int(con.execute(f"select count(*) from {dataset}.{table}").fetchone()[0])  # type: ignore[index]
            for table in RAW_TABLES[dataset]
        }
    seconds = round(time.monotonic() - started, 3)
    logger.info("landed %s: %s in %.2fs", dataset, rows, seconds)
    return Landed(dataset=dataset, rows=rows, seconds=seconds)
