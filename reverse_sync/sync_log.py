"""The sync log and the dead letters: what the writer did, and what it held back, in DuckDB.

`trueup.sync_log` has one row per operation attempted in a run, with the values it found and
the values it wrote, so each write joins back to the discrepancies it was meant to close.
`trueup.dead_letters` has one row per operation held back, with its reason, for replay.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb

SCHEMA = "trueup"

# Outcomes that changed Odoo; every other outcome wrote nothing.
WRITE_OUTCOMES = frozenset({"created", "updated"})


@dataclass(frozen=True)
class SyncLogEntry:
    """One operation's outcome in one run."""

    run_id: str
    operation_id: str
    discrepancy_ids: str
    model: str
    external_id: str
    operation: str
    record_id: int | None
    old_values: dict[str, Any]
    new_values: dict[str, Any]
    outcome: str
    error: str | None
    duration_seconds: float
    logged_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())

    @property
    def wrote(self) -> bool:
        return self.outcome in WRITE_OUTCOMES


@dataclass(frozen=True)
class DeadLetter:
    """One operation held back, with why; `payload` is the plan row to replay."""

    run_id: str
    operation_id: str
    external_id: str | None
    model: str
    reason: str
    payload: dict[str, Any]
    held_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())


def trueup_table(con: duckdb.DuckDBPyConnection, name: str) -> str:
    """A table of the `trueup` schema, qualified by catalog.

    The warehouse file is `trueup.duckdb`, so DuckDB names its catalog `trueup` too, and an
    unqualified `trueup.sync_log` is ambiguous between catalog and schema.
    """
    row = con.execute("select current_database()").fetchone()
    catalog = row[0] if row else "memory"
    return f'"{catalog}".{SCHEMA}.{name}'


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the `trueup` schema and its tables when they do not exist."""
    con.execute(f"create schema if not exists {trueup_table(con, '')[:-1]}")
    con.execute(
        f"""
        create table if not exists {trueup_table(con, "sync_log")} (
            run_id varchar not null,
            operation_id varchar not null,
            discrepancy_ids varchar,
            model varchar not null,
            external_id varchar,
            operation varchar not null,
            record_id bigint,
            old_values json,
            new_values json,
            outcome varchar not null,
            error varchar,
            duration_seconds double,
            logged_at timestamptz not null
        )
        """
    )
    con.execute(
        f"""
        create table if not exists {trueup_table(con, "dead_letters")} (
            run_id varchar not null,
            operation_id varchar not null,
            external_id varchar,
            model varchar not null,
            reason varchar not null,
            payload json not null,
            held_at timestamptz not null,
            replayed_in_run varchar
        )
        """
    )


def record_entries(con: duckdb.DuckDBPyConnection, entries: list[SyncLogEntry]) -> None:
    """Append sync-log entries."""
    ensure_tables(con)
    rows = []
    for entry in entries:
        row = asdict(entry)
        row["old_values"] = json.dumps(row["old_values"], sort_keys=True)
        row["new_values"] = json.dumps(row["new_values"], sort_keys=True)
        rows.append(row)
    if rows:
        columns = list(rows[0])
        placeholders = ", ".join("?" for _ in columns)
        con.executemany(
            f"insert into {trueup_table(con, 'sync_log')} ({', '.join(columns)}) "
            f"values ({placeholders})",
            [[row[column] for column in columns] for row in rows],
        )


def record_dead_letters(con: duckdb.DuckDBPyConnection, letters: list[DeadLetter]) -> None:
    """Append held operations with their reasons."""
    ensure_tables(con)
    if not letters:
        return
    con.executemany(
        f"""
        insert into {trueup_table(con, "dead_letters")}
            (run_id, operation_id, external_id, model, reason, payload, held_at)
        values (?, ?, ?, ?, ?, ?, ?)
        """,
        [
            [
                letter.run_id,
                letter.operation_id,
                letter.external_id,
                letter.model,
                letter.reason,
                json.dumps(letter.payload, sort_keys=True, default=str),
                letter.held_at,
            ]
            for letter in letters
        ],
    )
