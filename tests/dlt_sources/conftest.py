"""Fixtures the source tests share: a DuckDB warehouse and a dlt pipelines folder per test."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest


@dataclass(frozen=True)
class Warehouse:
    """Where a test lands: the DuckDB file and the folder dlt keeps its pipeline state in."""

    path: Path
    pipelines_dir: Path

    @property
    def duckdb_path(self) -> str:
        return str(self.path)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        """The rows a query returns, read through a read-only connection."""
        with duckdb.connect(str(self.path), read_only=True) as con:
            return con.execute(sql).fetchall()

    def columns(self, table: str) -> dict[str, str]:
        """Column name to DuckDB type of `schema.table`, dlt's bookkeeping columns left out."""
        schema, name = table.split(".")
        found = self.rows(
            "select column_name, data_type from information_schema.columns "
            f"where table_schema = '{schema}' and table_name = '{name}' order by ordinal_position"
        )
        return {column: kind for column, kind in found if not column.startswith("_dlt")}


def warehouse_in(folder: Path) -> Warehouse:
    # Not `trueup.duckdb`: that file name would make the catalog `trueup`.
    return Warehouse(path=folder / "wh.duckdb", pipelines_dir=folder / "pipelines")


@pytest.fixture
def warehouse(tmp_path: Path) -> Warehouse:
    """An empty warehouse for one test."""
    return warehouse_in(tmp_path)


@pytest.fixture(scope="session")
def new_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Warehouse]:
    """Makes an empty warehouse in a fresh folder, for fixtures that land once per module."""
    return lambda name: warehouse_in(tmp_path_factory.mktemp(name))
