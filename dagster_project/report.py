"""The run report: what one run of the loop landed, found, wrote and left open.

The pipeline fills what it knows from the run's own events and the warehouse. The answer-key
fields (`source_total`, `planted`, `recall`, `precision`, `missed`, `unexpected`) stay null
here; on the sandbox the demo and the tests fill them (`sandbox.answer_key`).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import dagster as dg
import duckdb

from dagster_project.extract import RAW_TABLES
from dagster_project.settings import Settings
from reverse_sync.sync_log import trueup_table

# Which steps count towards which part of the report's timings.
STEP_PHASES = {
    "land_stripe": "extract",
    "land_crm": "extract",
    "land_odoo": "extract",
    "dbt_models": "dbt",
    "trueup__discrepancies_found": "dbt",
    "trueup__odoo_partner_writes": "sync",
    "trueup__reconciliation_after_sync": "sync",
}


def build_run_report(instance: dg.DagsterInstance, run_id: str, settings: Settings) -> dict:
    """The report of one run, in the shape ../shared/DESIGN.md gives."""
    metadata = _materialization_metadata(instance, run_id)
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        by_kind = dict(
            con.execute(
                f"select kind, count(*) from {trueup_table(con, 'discrepancies_found')} "
                "where run_id = ? group by kind order by kind",
                [run_id],
            ).fetchall()
        )

    landed = {
        f"{dataset}.{table}": {
            "rows": _value(metadata.get(f"{dataset}/{table}", {}).get("rows")),
            "source_total": None,
        }
        for dataset, tables in RAW_TABLES.items()
        for table in tables
    }
    writes = metadata.get("trueup/odoo_partner_writes", {})
    after = metadata.get("trueup/reconciliation_after_sync", {})
    return {
        "as_of": settings.as_of.isoformat(),
        "run_id": run_id,
        "landed": landed,
        "discrepancies": {
            "planted": None,
            "found": sum(by_kind.values()),
            "recall": None,
            "precision": None,
            "missed": None,
            "unexpected": None,
            "by_kind": {kind: {"planted": None, "found": n} for kind, n in by_kind.items()},
        },
        "writes": {
            "planned": _value(writes.get("planned"), 0),
            "applied": _value(writes.get("applied"), 0),
            "held": _value(writes.get("held"), 0),
            "failed": _value(writes.get("failed"), 0),
        },
        "after_reread": {
            "open_correctable": _value(after.get("open_correctable")),
            "open_review": _value(after.get("open_review")),
            "tolerated": _value(after.get("tolerated")),
        },
        "second_run": {"writes": None},
        "seconds": _step_seconds(instance, run_id),
    }


def _materialization_metadata(
    instance: dg.DagsterInstance, run_id: str
) -> dict[str, dict[str, Any]]:
    records = instance.get_records_for_run(
        run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION, limit=10_000
    ).records
    latest: dict[str, dict[str, Any]] = {}
    for record in records:
        event = record.event_log_entry.dagster_event
        if event is None or event.asset_key is None:
            continue
        materialization = event.event_specific_data.materialization  # type: ignore[union-attr]
        latest[event.asset_key.to_user_string()] = dict(materialization.metadata)
    return latest


def _step_seconds(instance: dg.DagsterInstance, run_id: str) -> dict[str, float]:
    seconds: dict[str, float] = defaultdict(float)
    records = instance.get_records_for_run(
        run_id, of_type=dg.DagsterEventType.STEP_SUCCESS, limit=10_000
    ).records
    for record in records:
        event = record.event_log_entry.dagster_event
        if event is None or event.step_key is None:
            continue
        duration = event.event_specific_data.duration_ms / 1000  # type: ignore[union-attr]
        phase = STEP_PHASES.get(
            event.step_key, "checks" if "expectations" in event.step_key else None
        )
        seconds[phase or "other"] += duration
    stats = instance.get_run_stats(run_id)
    total = (stats.end_time or 0) - (stats.start_time or 0) if stats.start_time else 0
    phases = ("extract", "dbt", "checks", "sync", "other")
    return {
        **{phase: round(seconds.get(phase, 0.0), 2) for phase in phases},
        "total": round(total or sum(seconds.values()), 2),
    }


def _value(value: Any, default: Any = None) -> Any:
    if value is None:
        return default
    return getattr(value, "value", value)
