"""The loop as Dagster assets: land, model, check, write to Odoo, re-read, publish, report.

Every asset that opens the DuckDB file runs in the `trueup_warehouse` pool, whose limit of
one is set in the instance's dagster.yaml: DuckDB lets no second process open a file that one
process is writing.
"""

import json
import os
import shutil
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from dagster_project.extract import RAW_TABLES, Landed, land_crm, land_odoo, land_stripe
from dagster_project.settings import PROJECT_ROOT, Settings, load_settings

POOL = "trueup_warehouse"
PLAN_KEY = dg.AssetKey(["sync", "odoo_partner_upserts"])
RECON_KEY = dg.AssetKey(["recon", "recon_customers"])

dbt_project = DbtProject(project_dir=PROJECT_ROOT / "dbt", profiles_dir=PROJECT_ROOT / "dbt")


class TrueupConfig(dg.ConfigurableResource):
    """Where trueup.yml lives; the settings and secrets are read from it and the environment
    when a run starts, never at import."""

    project_root: str = str(PROJECT_ROOT)

    def settings(self) -> Settings:
        settings = load_settings(root=Path(self.project_root))
        settings.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
        # dbt's profile reads the warehouse path from the environment.
        os.environ["TRUEUP_DUCKDB_PATH"] = str(settings.duckdb_path)
        return settings


# --- land ---


def _raw_specs(dataset: str) -> list[dg.AssetSpec]:
    return [
        dg.AssetSpec(
            key=dg.AssetKey([dataset, table]),
            group_name="extract",
            kinds={"dlt", "duckdb"},
            description=f"One row per {dataset.removeprefix('raw_')} record in `{table}`, "
            "as the system sends it.",
        )
        for table in RAW_TABLES[dataset]
    ]


def _landed_results(landed: Landed) -> Iterator[dg.MaterializeResult]:
    for table, rows in landed.rows.items():
        yield dg.MaterializeResult(
            asset_key=dg.AssetKey([landed.dataset, table]),
            metadata={"rows": rows, "seconds": landed.seconds},
        )


def _land_asset(
    dataset: str, land: Callable[[Settings], Landed], description: str
) -> dg.AssetsDefinition:
    @dg.multi_asset(
        specs=_raw_specs(dataset),
        name=f"land_{dataset.removeprefix('raw_')}",
        pool=POOL,
        description=description,
    )
    def land_tables(
        context: dg.AssetExecutionContext, trueup: TrueupConfig
    ) -> Iterator[dg.MaterializeResult]:
        landed = land(trueup.settings())
        context.log.info(f"landed {dataset}: {landed.rows} in {landed.seconds}s")
        yield from _landed_results(landed)

    return land_tables


stripe_tables = _land_asset(
    "raw_stripe", land_stripe, "Every configured Stripe account, landed by dlt's rest_api source."
)
crm_tables = _land_asset("raw_crm", land_crm, "HubSpot companies and contacts, archived included.")
odoo_tables = _land_asset(
    "raw_odoo", land_odoo, "Odoo partners and trueup's external ids, archived partners included."
)


# --- model ---


class TrueupDbtTranslator(DagsterDbtTranslator):
    """dbt sources keep the raw tables' keys; models are keyed by their literal schema."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return str(dbt_resource_props["schema"])


def ensure_dbt_manifest() -> Path:
    """dagster-dbt reads the manifest when the definitions load; parse when it is missing or
    older than any file of the dbt project, so a changed model is never run from a stale one."""
    manifest = dbt_project.manifest_path
    sources = [
        path
        for folder in ("models", "macros", "seeds")
        for path in (dbt_project.project_dir / folder).rglob("*")
        if path.is_file()
    ]
    sources.append(dbt_project.project_dir / "dbt_project.yml")
    if not manifest.exists() or any(
        path.stat().st_mtime > manifest.stat().st_mtime for path in sources
    ):
        dbt_project.preparer.prepare(dbt_project)
    return manifest


@dbt_assets(
    manifest=ensure_dbt_manifest(),
    dagster_dbt_translator=TrueupDbtTranslator(),
    pool=POOL,
)
def dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, trueup: TrueupConfig
) -> Iterator[Any]:
    """Staging, identity, canonical marts, reconciliation and sync plans; dbt tests as checks."""
    settings = trueup.settings()
    args = ["build", "--vars", json.dumps(settings.dbt_vars())]
    yield from dbt.cli(args, context=context).stream()


# --- check, write, re-read ---


def _read_plan(settings: Settings) -> tuple[list[str], list[dict[str, Any]]]:
    """The partner plan's columns and its rows in apply order, read in one query."""
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        cursor = con.execute(f"select * from {'.'.join(PLAN_KEY.path)} order by sequence, 1")
        columns = [column[0] for column in cursor.description or []]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    return columns, rows


@dg.asset_check(
    asset=PLAN_KEY,
    name="partner_plan_expectations",
    blocking=True,
    pool=POOL,
    description="Great Expectations on the partner plan: a plan-level failure blocks the "
    "write; failing rows are held as dead letters while the rest is written.",
)
def partner_plan_expectations(trueup: TrueupConfig) -> dg.AssetCheckResult:
    """Blocks the partner writes when the plan as a whole fails its expectations."""
    import pandas as pd

    from dagster_project.quality import partner_plan_suite, validate_plan

    settings = trueup.settings()
    columns, rows = _read_plan(settings)
    suite = partner_plan_suite(max_rows=settings.max_writes_per_run)
    validation = validate_plan(pd.DataFrame(rows, columns=columns), suite)
    return dg.AssetCheckResult(
        passed=validation.plan_ok,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "plan_rows": len(rows),
            "rows_held": len(validation.row_failures),
            "plan_failures": "; ".join(validation.plan_failures) or "none",
        },
    )


@dg.asset(
    key=["trueup", "discrepancies_found"],
    deps=[RECON_KEY],
    group_name="sync",
    pool=POOL,
    kinds={"duckdb"},
)
def discrepancies_found(
    context: dg.AssetExecutionContext, trueup: TrueupConfig
) -> dg.MaterializeResult:
    """One row per discrepancy this run found before writing, kept with the run's id."""
    from reverse_sync.sync_log import ensure_tables, trueup_table

    settings = trueup.settings()
    with duckdb.connect(str(settings.duckdb_path)) as con:
        ensure_tables(con)
        table = trueup_table(con, "discrepancies_found")
        con.execute(
            f"create table if not exists {table} as select ''::varchar as run_id, "
            "now() as found_at, * from recon.recon_customers limit 0"
        )
        con.execute(
            f"insert into {table} by name "
            "select ? as run_id, now() as found_at, * from recon.recon_customers",
            [context.run_id],
        )
        by_kind = dict(
            con.execute(
                "select kind, count(*) from recon.recon_customers group by kind order by kind"
            ).fetchall()
        )
    return dg.MaterializeResult(
        metadata={"found": sum(by_kind.values()), "by_kind": dg.MetadataValue.json(by_kind)}
    )


@dg.asset(
    key=["trueup", "odoo_partner_writes"],
    deps=[PLAN_KEY, dg.AssetKey(["trueup", "discrepancies_found"])],
    group_name="sync",
    pool=POOL,
    kinds={"odoo"},
)
def odoo_partner_writes(
    context: dg.AssetExecutionContext, trueup: TrueupConfig
) -> dg.MaterializeResult:
    """The partner plan applied to Odoo: one `trueup.sync_log` row per operation, failing rows
    held in `trueup.dead_letters` with their reason."""
    import pandas as pd

    from dagster_project.extract import odoo_client
    from dagster_project.quality import partner_plan_suite, validate_plan
    from reverse_sync.partners import PartnerUpsert, apply_partner_upserts
    from reverse_sync.sync_log import DeadLetter, record_dead_letters, record_entries

    started = time.monotonic()
    settings = trueup.settings()
    columns, rows = _read_plan(settings)
    validation = validate_plan(
        pd.DataFrame(rows, columns=columns),
        partner_plan_suite(max_rows=settings.max_writes_per_run),
    )
    if not validation.plan_ok:
        raise dg.Failure(f"partner plan refused: {'; '.join(validation.plan_failures)}")

    held = [
        DeadLetter(
            run_id=context.run_id,
            operation_id=str(rows[position]["operation_id"]),
            external_id=rows[position].get("external_id"),
            model="res.partner",
            reason="; ".join(reasons),
            payload=rows[position],
        )
        for position, reasons in sorted(validation.row_failures.items())
    ]
    upserts = [
        PartnerUpsert.from_plan_row(row)
        for position, row in enumerate(rows)
        if position not in validation.row_failures
    ]
    with odoo_client(settings) as client:
        entries = apply_partner_upserts(client, upserts, run_id=context.run_id)
    with duckdb.connect(str(settings.duckdb_path)) as con:
        record_entries(con, entries)
        record_dead_letters(con, held)

    outcomes = {
        outcome: sum(1 for entry in entries if entry.outcome == outcome)
        for outcome in ("created", "updated", "unchanged", "failed")
    }
    context.log.info(f"partner writes: {outcomes}, held {len(held)}")
    return dg.MaterializeResult(
        metadata={
            "planned": len(rows),
            "applied": outcomes["created"] + outcomes["updated"],
            **outcomes,
            "held": len(held),
            "seconds": round(time.monotonic() - started, 3),
        }
    )


@dg.asset(
    key=["trueup", "reconciliation_after_sync"],
    deps=[dg.AssetKey(["trueup", "odoo_partner_writes"])],
    group_name="sync",
    pool=POOL,
    kinds={"dbt", "odoo"},
)
def reconciliation_after_sync(
    context: dg.AssetExecutionContext, trueup: TrueupConfig, dbt: DbtCliResource
) -> dg.MaterializeResult:
    """Odoo read again and the diffs rebuilt: what is still open after this run's writes, and
    whether each write closed the discrepancies it was meant to."""
    started = time.monotonic()
    settings = trueup.settings()
    land_odoo(settings)
    args = ["build", "--select", "source:raw_odoo+", "--vars", json.dumps(settings.dbt_vars())]
    dbt.cli(args, manifest=dbt_project.manifest_path).wait()

    from reverse_sync.sync_log import trueup_table

    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        open_by_disposition = dict(
            con.execute(
                "select disposition, count(*) from recon.recon_customers group by disposition"
            ).fetchall()
        )
        still_open = con.execute(
            f"""
            select count(*) from {trueup_table(con, "sync_log")} as log
            where log.run_id = ? and log.outcome in ('created', 'updated')
            and exists (
                select 1 from recon.recon_customers as recon
                where list_contains(string_split(log.discrepancy_ids, ','), recon.discrepancy_id)
            )
            """,
            [context.run_id],
        ).fetchone()
    after = {
        "open_correctable": int(open_by_disposition.get("correctable", 0)),
        "open_review": int(open_by_disposition.get("review", 0)),
        "tolerated": int(open_by_disposition.get("tolerated", 0)),
        "writes_not_closed": int(still_open[0]) if still_open else 0,
    }
    context.log.info(f"after re-read: {after}")
    return dg.MaterializeResult(metadata={**after, "seconds": round(time.monotonic() - started, 3)})


@dg.asset(
    key=["trueup", "analytics_copy"],
    deps=[dg.AssetKey(["trueup", "reconciliation_after_sync"])],
    group_name="publish",
    pool=POOL,
    kinds={"duckdb"},
)
def analytics_copy(trueup: TrueupConfig) -> dg.MaterializeResult:
    """A read-only copy of the warehouse for analysts, notebooks and previews."""
    settings = trueup.settings()
    staging = settings.analytics_path.with_suffix(".tmp")
    shutil.copyfile(settings.duckdb_path, staging)
    staging.replace(settings.analytics_path)
    return dg.MaterializeResult(
        metadata={
            "path": str(settings.analytics_path),
            "bytes": settings.analytics_path.stat().st_size,
        }
    )


@dg.asset(
    key=["trueup", "run_report"],
    deps=[dg.AssetKey(["trueup", "analytics_copy"])],
    group_name="publish",
    pool=POOL,
)
def run_report(context: dg.AssetExecutionContext, trueup: TrueupConfig) -> dg.MaterializeResult:
    """`last_run_summary.json` beside the warehouse: what this run landed, found and wrote."""
    from dagster_project.report import build_run_report

    settings = trueup.settings()
    report = build_run_report(context.instance, context.run_id, settings)
    path = settings.duckdb_path.parent / "last_run_summary.json"
    path.write_text(json.dumps(report, indent=2, sort_keys=False) + "\n")
    return dg.MaterializeResult(
        metadata={"path": str(path), "summary": dg.MetadataValue.json(report)}
    )
