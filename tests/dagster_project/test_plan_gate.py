"""The Great Expectations gate on the partner plan, through real Dagster runs.

The loop runs once up to the plan; each test then corrupts a copy of that plan, runs the
blocking check and the writer as Dagster does, and reads what reached Odoo and the warehouse.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest

from dagster_project.assets import PLAN_KEY, partner_plan_expectations
from dagster_project.definitions import defs
from reverse_sync.sync_log import trueup_table
from sandbox.stack import Sandbox
from sandbox.world import World, stand_in_payloads
from tests.e2e.conftest import start_world

WRITES_KEY = dg.AssetKey(["trueup", "odoo_partner_writes"])
PLAN = ".".join(PLAN_KEY.path)


@dataclass
class GateWorld:
    """A world whose plan has been built once, and a pristine copy of that plan."""

    world: World
    sandbox: Sandbox
    duckdb_path: Path
    instance: dg.DagsterInstance

    def reset(self) -> None:
        """Odoo back to the seeded world, the plan back to what dbt built."""
        self.sandbox.load(stand_in_payloads(self.world))
        self.sandbox.servers["odoo"].stand_in.clear_calls()
        with duckdb.connect(str(self.duckdb_path)) as con:
            con.execute(f"delete from {PLAN}")
            con.execute(f"insert into {PLAN} select * from gate_test.pristine_plan")

    def corrupt(self, sql: str) -> None:
        with duckdb.connect(str(self.duckdb_path)) as con:
            con.execute(sql)

    def plan(self) -> list[dict[str, Any]]:
        with duckdb.connect(str(self.duckdb_path), read_only=True) as con:
            cursor = con.execute(f"select * from {PLAN} order by operation_id")
            columns = [c[0] for c in cursor.description or []]
            return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]

    def run_gate_and_writer(self) -> dg.ExecuteInProcessResult:
        selection = dg.AssetSelection.assets(WRITES_KEY) | dg.AssetSelection.checks(
            partner_plan_expectations
        )
        return dg.materialize(
            [*defs.assets, *defs.asset_checks],  # type: ignore[list-item]
            selection=selection,
            instance=self.instance,
            resources=defs.resources,
            raise_on_error=False,
        )

    def odoo_writes(self) -> list[Any]:
        return list(self.sandbox.servers["odoo"].stand_in.writes())

    def logged(self, table: str, run_id: str) -> list[tuple[Any, ...]]:
        with duckdb.connect(str(self.duckdb_path), read_only=True) as con:
            return con.execute(
                f"select * from {trueup_table(con, table)} where run_id = ? order by 2",
                [run_id],
            ).fetchall()


@pytest.fixture(scope="module")
def gate(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GateWorld]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        world, _, sandbox, duckdb_path = start_world(
            tmp_path_factory.mktemp("gate"), monkeypatch, seed=11, odoo_version=19, plant=True
        )
        instance = dg.DagsterInstance.ephemeral()
        upstream = [
            key
            for key in defs.resolve_all_asset_keys()
            if key.path[0] in ("raw_stripe", "raw_crm", "raw_odoo", "staging", "core", "recon")
            or key == PLAN_KEY
        ]
        result = defs.resolve_implicit_global_asset_job_def().execute_in_process(
            instance=instance, asset_selection=upstream
        )
        assert result.success
        with duckdb.connect(str(duckdb_path)) as con:
            con.execute("create schema gate_test")
            con.execute(f"create table gate_test.pristine_plan as select * from {PLAN}")
        try:
            yield GateWorld(world, sandbox, duckdb_path, instance)
        finally:
            instance.dispose()
            sandbox.stop()


@pytest.fixture
def fresh_gate(gate: GateWorld) -> GateWorld:
    gate.reset()
    return gate


def _check_passed(result: dg.ExecuteInProcessResult) -> bool:
    (evaluation,) = result.get_asset_check_evaluations()
    return evaluation.passed


def test_a_clean_plan_passes_and_is_written(fresh_gate: GateWorld) -> None:
    planned = fresh_gate.plan()
    result = fresh_gate.run_gate_and_writer()

    assert result.success and _check_passed(result)
    assert len(fresh_gate.logged("sync_log", result.run_id)) == len(planned) > 0
    assert fresh_gate.logged("dead_letters", result.run_id) == []


@pytest.mark.parametrize(
    "corruption",
    [
        pytest.param(
            f"insert into {PLAN} select * from {PLAN} order by operation_id limit 1",
            id="duplicate-external-id",
        ),
        pytest.param(
            f"insert into {PLAN} by name "
            "select 'op_bulk_' || i as operation_id, 10 as sequence, "
            "'res.partner' as target_model, 'create' as operation, "
            "'trueup.bulk_' || i as external_id, 1 as odoo_company_id, "
            "'Bulk ' || i as set_name, 1 as changed_fields, 'x' as discrepancy_ids "
            "from range(600) as t(i)",
            id="over-the-guardrail",
        ),
    ],
)
def test_a_plan_level_failure_stops_every_write(fresh_gate: GateWorld, corruption: str) -> None:
    fresh_gate.corrupt(corruption)
    result = fresh_gate.run_gate_and_writer()

    assert not _check_passed(result)
    assert not result.success
    assert WRITES_KEY not in {
        event.asset_key for event in result.get_asset_materialization_events()
    }
    assert fresh_gate.odoo_writes() == []
    assert fresh_gate.logged("sync_log", result.run_id) == []


# Each row-level expectation, broken on one row; that row is held and the rest is written.
ROW_CORRUPTIONS = [
    pytest.param("operation = 'delete'", "operation is create or update", id="operation"),
    pytest.param("external_id = null", "external id is present", id="external-id-missing"),
    pytest.param(
        "external_id = 'base.partner_x'",
        "external id is under module trueup",
        id="external-id-other-module",
    ),
    pytest.param("odoo_company_id = null", "target company is set", id="company-missing"),
    pytest.param(
        "operation = 'create', set_name = null", "a created partner has a name", id="create-no-name"
    ),
    pytest.param(
        "changed_fields = 0", "an operation changes at least one field", id="changes-nothing"
    ),
]


@pytest.mark.parametrize(("assignment", "reason"), ROW_CORRUPTIONS)
def test_a_failing_row_is_held_and_the_rest_is_written(
    fresh_gate: GateWorld, assignment: str, reason: str
) -> None:
    planned = fresh_gate.plan()
    victim = planned[0]["operation_id"]
    fresh_gate.corrupt(f"update {PLAN} set {assignment} where operation_id = '{victim}'")
    result = fresh_gate.run_gate_and_writer()

    assert result.success and _check_passed(result)
    held = fresh_gate.logged("dead_letters", result.run_id)
    assert [(row[1], row[4]) for row in held] == [(victim, reason)]
    assert json.loads(held[0][5])["operation_id"] == victim
    written = fresh_gate.logged("sync_log", result.run_id)
    assert sorted(row[1] for row in written) == sorted(
        row["operation_id"] for row in planned if row["operation_id"] != victim
    )
    assert all(row[9] in ("created", "updated") for row in written)
