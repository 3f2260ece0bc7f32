"""The sync log and dead letters as DuckDB rows, in a warehouse of any file name."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from reverse_sync.sync_log import (
    DeadLetter,
    SyncLogEntry,
    ensure_tables,
    record_dead_letters,
    record_entries,
    trueup_table,
)

# `trueup.duckdb` makes DuckDB name the catalog `trueup`, the same as the schema.
WAREHOUSE_NAMES = [
    pytest.param("warehouse.duckdb", id="other-name"),
    pytest.param("trueup.duckdb", id="catalog-named-trueup"),
]

UPDATED = SyncLogEntry(
    run_id="run-7",
    operation_id="op_3f9a1c2b4d5e6f70",
    discrepancy_ids="dsc_a1,dsc_b2",
    model="res.partner",
    external_id="trueup.stripe_customer_cus_HarborLabs0001",
    operation="update",
    record_id=1000,
    old_values={"active": False, "email": None},
    new_values={"active": True, "email": "grace.novak@harborlabsllc.example"},
    outcome="updated",
    error=None,
    duration_seconds=0.0125,
    logged_at="2026-11-30T09:15:02.250000+00:00",
)
FAILED = SyncLogEntry(
    run_id="run-7",
    operation_id="op_0000000000000002",
    discrepancy_ids="dsc_c3",
    model="res.partner",
    external_id="trueup.stripe_customer_cus_NoName00000001",
    operation="create",
    record_id=None,
    old_values={},
    new_values={},
    outcome="failed",
    error="'Contacts require a name'",
    duration_seconds=0.003,
    logged_at="2026-11-30T09:15:02.500000+00:00",
)
HELD = DeadLetter(
    run_id="run-7",
    operation_id="op_0000000000000003",
    external_id="trueup.stripe_customer_cus_Summit000001",
    model="res.partner",
    reason="prerequisite op_0000000000000002 failed",
    payload={
        "operation": "update",
        "set_email": "ana.xu@summit.example",
        "as_of": date(2026, 11, 30),
    },
    held_at="2026-11-30T09:15:03+00:00",
)


@pytest.fixture(params=WAREHOUSE_NAMES)
def warehouse(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(tmp_path / request.param)) as con:
        yield con


def test_trueup_table_is_qualified_by_the_file_catalog(tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "trueup.duckdb")) as con:
        assert trueup_table(con, "sync_log") == '"trueup".trueup.sync_log'


def test_ensure_tables_creates_the_trueup_tables_once(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    ensure_tables(warehouse)
    ensure_tables(warehouse)

    tables = warehouse.execute(
        "select table_name from information_schema.tables "
        "where table_schema = 'trueup' order by table_name"
    ).fetchall()
    assert tables == [("dead_letters",), ("sync_log",)]


def test_entries_round_trip_with_json_old_and_new_values(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    record_entries(warehouse, [UPDATED, FAILED])

    rows = warehouse.execute(
        f"select * exclude (old_values, new_values, logged_at), "
        f"old_values::varchar, new_values::varchar, logged_at "
        f"from {trueup_table(warehouse, 'sync_log')} order by operation_id"
    ).fetchall()
    assert rows == [
        (
            "run-7",
            "op_0000000000000002",
            "dsc_c3",
            "res.partner",
            "trueup.stripe_customer_cus_NoName00000001",
            "create",
            None,
            "failed",
            "'Contacts require a name'",
            0.003,
            "{}",
            "{}",
            datetime.fromisoformat("2026-11-30T09:15:02.500000+00:00"),
        ),
        (
            "run-7",
            "op_3f9a1c2b4d5e6f70",
            "dsc_a1,dsc_b2",
            "res.partner",
            "trueup.stripe_customer_cus_HarborLabs0001",
            "update",
            1000,
            "updated",
            None,
            0.0125,
            '{"active": false, "email": null}',
            '{"active": true, "email": "grace.novak@harborlabsllc.example"}',
            datetime.fromisoformat("2026-11-30T09:15:02.250000+00:00"),
        ),
    ]


def test_entry_values_are_queryable_as_json(warehouse: duckdb.DuckDBPyConnection) -> None:
    record_entries(warehouse, [UPDATED])

    row = warehouse.execute(
        "select old_values ->> 'active', new_values ->> 'email' "
        f"from {trueup_table(warehouse, 'sync_log')}"
    ).fetchone()
    assert row == ("false", "grace.novak@harborlabsllc.example")


def test_recording_no_entries_creates_the_tables_and_no_rows(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    record_entries(warehouse, [])

    assert warehouse.execute(
        f"select count(*) from {trueup_table(warehouse, 'sync_log')}"
    ).fetchone() == (0,)


def test_dead_letters_round_trip_with_json_payload(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    record_dead_letters(warehouse, [HELD])

    rows = warehouse.execute(
        "select run_id, operation_id, external_id, model, reason, payload::varchar, held_at, "
        f"replayed_in_run from {trueup_table(warehouse, 'dead_letters')}"
    ).fetchall()
    assert rows == [
        (
            "run-7",
            "op_0000000000000003",
            "trueup.stripe_customer_cus_Summit000001",
            "res.partner",
            "prerequisite op_0000000000000002 failed",
            '{"as_of": "2026-11-30", "operation": "update", "set_email": "ana.xu@summit.example"}',
            datetime.fromisoformat("2026-11-30T09:15:03+00:00"),
            None,
        )
    ]
    assert json.loads(rows[0][5]) == {
        "as_of": "2026-11-30",
        "operation": "update",
        "set_email": "ana.xu@summit.example",
    }


def test_a_second_run_appends_to_the_log(warehouse: duckdb.DuckDBPyConnection) -> None:
    record_entries(warehouse, [UPDATED])
    record_entries(warehouse, [replace(UPDATED, run_id="run-8")])

    assert warehouse.execute(
        f"select run_id, operation_id from {trueup_table(warehouse, 'sync_log')} order by run_id"
    ).fetchall() == [("run-7", "op_3f9a1c2b4d5e6f70"), ("run-8", "op_3f9a1c2b4d5e6f70")]
