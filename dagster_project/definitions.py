"""What `dagster dev -w workspace.yaml` loads: trueup's assets, checks, job and resources."""

from __future__ import annotations

import dagster as dg
from dagster_dbt import DbtCliResource

from dagster_project.assets import (
    TrueupConfig,
    analytics_copy,
    crm_tables,
    dbt_models,
    dbt_project,
    discrepancies_found,
    odoo_partner_writes,
    odoo_tables,
    partner_plan_expectations,
    reconciliation_after_sync,
    run_report,
    stripe_tables,
)

ASSETS = [
    stripe_tables,
    crm_tables,
    odoo_tables,
    dbt_models,
    discrepancies_found,
    odoo_partner_writes,
    reconciliation_after_sync,
    analytics_copy,
    run_report,
]

# The whole loop in one process: each step in a new process would pay the heavy imports again.
trueup_loop = dg.define_asset_job(
    "trueup_loop",
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,
    description="Land the three systems, reconcile, write the corrections to Odoo, re-read.",
)

# TODO(#12): the 15-minute cash sync, sensors and the run-failure alert.
nightly_sweep = dg.ScheduleDefinition(
    name="nightly_sweep", job=trueup_loop, cron_schedule="0 2 * * *", execution_timezone="UTC"
)

defs = dg.Definitions(
    assets=ASSETS,
    asset_checks=[partner_plan_expectations],
    jobs=[trueup_loop],
    schedules=[nightly_sweep],
    resources={"trueup": TrueupConfig(), "dbt": DbtCliResource(project_dir=dbt_project)},
)
