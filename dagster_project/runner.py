"""Running the loop without the UI: one run, or a run and its immediate second run.

The demo and the end-to-end tests use this; both read the report the `run_report` asset wrote.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dagster as dg

from dagster_project.settings import load_settings

logger = logging.getLogger(__name__)

# Step events at INFO on the console; the DEBUG stream stays in the run's event log.
QUIET_CONSOLE = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}


def report_path() -> Path:
    """Where the run report lives: beside the warehouse."""
    return load_settings().duckdb_path.parent / "last_run_summary.json"


def execute_loop(instance: dg.DagsterInstance) -> dict[str, Any]:
    """Run the `trueup_loop` job once in this process and return its run report."""
    from dagster_project.definitions import defs

    started = time.monotonic()
    result = defs.resolve_job_def("trueup_loop").execute_in_process(
        instance=instance, run_config=QUIET_CONSOLE
    )
    if not result.success:
        raise RuntimeError(f"run {result.run_id} of trueup_loop failed; see its events")
    report = json.loads(report_path().read_text())
    report["seconds"]["total"] = round(time.monotonic() - started, 2)
    return report


def execute_loop_twice(
    instance: dg.DagsterInstance, *, between: Callable[[], None] | None = None
) -> dict[str, Any]:
    """Run the loop, then again at once; the first run's report with the second's writes.

    `between` is called after the first run, for a caller that wants to observe that state.
    """
    first = execute_loop(instance)
    if between is not None:
        between()
    second = execute_loop(instance)
    first["second_run"] = {
        "run_id": second["run_id"],
        "writes": second["writes"]["applied"],
        "planned": second["writes"]["planned"],
    }
    write_report(first)
    return first


def write_report(report: dict[str, Any]) -> Path:
    """Write the run report where the pipeline keeps it."""
    path = report_path()
    path.write_text(json.dumps(report, indent=2) + "\n")
    return path
