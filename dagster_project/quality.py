"""Great Expectations suites on the sync plans: row problems hold rows, plan problems stop writes.

A row-level expectation that fails names the rows it failed on; those rows are held as dead
letters with the expectation as their reason while the rest of the plan is written. A
plan-level expectation (unique external ids, a size within the guardrail) that fails stops the
write altogether. Great Expectations is imported inside the functions: it is slow to import
and only the check and the writer need it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

logger = logging.getLogger(__name__)

ALLOWED_OPERATIONS = ("create", "update")
EXTERNAL_ID_PATTERN = r"^trueup\.[A-Za-z0-9_]+$"


@dataclass(frozen=True)
class Expectation:
    """One expectation of the plan suite: what it checks and whether it holds rows or plans."""

    name: str
    level: str  # "row" holds the failing rows; "plan" stops the write
    config: Any


@dataclass
class PlanValidation:
    """What the suite found: reasons per failing row position, and plan-level failures."""

    row_failures: dict[int, list[str]] = field(default_factory=dict)
    plan_failures: list[str] = field(default_factory=list)
    evaluated: int = 0

    @property
    def plan_ok(self) -> bool:
        return not self.plan_failures


def partner_plan_suite(*, max_rows: int) -> list[Expectation]:
    """The expectations on `sync.odoo_partner_upserts`."""
    import great_expectations as gx

    e = gx.expectations
    return [
        Expectation(
            "operation is create or update",
            "row",
            e.ExpectColumnValuesToBeInSet(column="operation", value_set=list(ALLOWED_OPERATIONS)),
        ),
        Expectation(
            "external id is present",
            "row",
            e.ExpectColumnValuesToNotBeNull(column="external_id"),
        ),
        Expectation(
            "external id is under module trueup",
            "row",
            e.ExpectColumnValuesToMatchRegex(column="external_id", regex=EXTERNAL_ID_PATTERN),
        ),
        Expectation(
            "target company is set",
            "row",
            e.ExpectColumnValuesToNotBeNull(column="odoo_company_id"),
        ),
        Expectation(
            "a created partner has a name",
            "row",
            e.ExpectColumnValuesToNotBeNull(
                column="set_name", row_condition='operation=="create"', condition_parser="pandas"
            ),
        ),
        Expectation(
            "an operation changes at least one field",
            "row",
            e.ExpectColumnValuesToBeBetween(column="changed_fields", min_value=1),
        ),
        Expectation(
            "external ids are unique",
            "plan",
            e.ExpectColumnValuesToBeUnique(column="external_id"),
        ),
        Expectation(
            f"plan has at most {max_rows} operations (guardrail)",
            "plan",
            e.ExpectTableRowCountToBeBetween(min_value=0, max_value=max_rows),
        ),
    ]


def validate_plan(plan: pd.DataFrame, suite: list[Expectation]) -> PlanValidation:
    """Run the suite on the plan; row positions refer to `plan`'s row order."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    frame = plan.reset_index(drop=True)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch = (
        context.data_sources.add_pandas("plan")
        .add_dataframe_asset("rows")
        .add_batch_definition_whole_dataframe("all")
        .get_batch(batch_parameters={"dataframe": frame})
    )
    # Results are matched back to our expectations through their `meta`, not their order.
    gx_suite = gx.ExpectationSuite(name="plan")
    by_name = {}
    for expectation in suite:
        expectation.config.meta = {"trueup_expectation": expectation.name}
        gx_suite.add_expectation(expectation.config)
        by_name[expectation.name] = expectation
    results = batch.validate(gx_suite, result_format="COMPLETE").results

    validation = PlanValidation(evaluated=len(suite))
    for result in results:
        meta = result.expectation_config.meta if result.expectation_config else None
        expectation = by_name[(meta or {})["trueup_expectation"]]
        if result.success:
            continue
        if expectation.level == "plan":
            observed = result.result.get("observed_value")
            detail = f" (observed {observed})" if observed is not None else ""
            validation.plan_failures.append(f"{expectation.name}{detail}")
            continue
        for position in result.result.get("unexpected_index_list") or []:
            validation.row_failures.setdefault(int(position), []).append(expectation.name)
    logger.info(
        "plan of %d rows: %d rows held, %d plan-level failures",
        len(frame),
        len(validation.row_failures),
        len(validation.plan_failures),
    )
    return validation
