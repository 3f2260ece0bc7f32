"""One sandbox world and one run of the whole loop (and its second run) per test session.

The loop is slow to run and fast to read, so it runs once here and many tests read the result:
the run report, the warehouse, and the stand-ins' state and call logs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from sandbox.stack import Sandbox, start_sandbox
from sandbox.world import World, build_world, stand_in_payloads, write_world

# A seed other than the demo's, so the loop is proven on a world it was not tuned on.
E2E_SEED = 7


@dataclass
class LoopRun:
    """A seeded world, the sandbox serving it, and the scored report of the loop run on it."""

    world: World
    world_dir: Path
    sandbox: Sandbox
    duckdb_path: Path
    report: dict[str, Any]
    odoo_writes_after_first_run: list[Any] = field(default_factory=list)
    odoo_writes_after_second_run: list[Any] = field(default_factory=list)

    @property
    def odoo(self) -> Any:
        return self.sandbox.servers["odoo"].stand_in


def start_world(
    tmp: Path,
    monkeypatch: pytest.MonkeyPatch,
    *,
    seed: int,
    odoo_version: int,
    plant: bool,
    mutate: Callable[[World], None] | None = None,
) -> tuple[World, Path, Sandbox, Path]:
    """Serve a freshly seeded world (changed by `mutate` first, if given) and point the
    pipeline's environment at it."""
    world = build_world(seed=seed, size="small", odoo_version=odoo_version, plant=plant)
    if mutate is not None:
        mutate(world)
    world_dir = write_world(world, tmp / "world")
    sandbox = start_sandbox(odoo_version=odoo_version)
    sandbox.load(stand_in_payloads(world))
    duckdb_path = tmp / "warehouse" / "trueup.duckdb"
    duckdb_path.parent.mkdir(parents=True)
    for key, value in sandbox.env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("TRUEUP_AS_OF", world.as_of.isoformat())
    monkeypatch.setenv("TRUEUP_DUCKDB_PATH", str(duckdb_path))
    monkeypatch.setenv("TRUEUP_ANALYTICS_PATH", str(duckdb_path.parent / "analytics.duckdb"))
    return world, world_dir, sandbox, duckdb_path


def run_loop_twice(world: World, world_dir: Path, sandbox: Sandbox, duckdb_path: Path) -> LoopRun:
    """Run the loop and its second run on an ephemeral Dagster instance; score the report."""
    import dagster as dg

    from dagster_project.runner import execute_loop_twice, write_report
    from sandbox.answer_key import score

    odoo = sandbox.servers["odoo"].stand_in
    run = LoopRun(world, world_dir, sandbox, duckdb_path, report={})

    def after_first_run() -> None:
        run.odoo_writes_after_first_run = list(odoo.writes())

    with dg.DagsterInstance.ephemeral() as instance:
        report = execute_loop_twice(instance, between=after_first_run)
    run.odoo_writes_after_second_run = list(odoo.writes())
    run.report = score(report, world_dir=world_dir, duckdb_path=duckdb_path)
    write_report(run.report)
    return run


@pytest.fixture(scope="session")
def loop_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoopRun]:
    """The loop run twice on the seed-7 world at Odoo 19."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        world, world_dir, sandbox, duckdb_path = start_world(
            tmp_path_factory.mktemp("e2e"), monkeypatch, seed=E2E_SEED, odoo_version=19, plant=True
        )
        try:
            yield run_loop_twice(world, world_dir, sandbox, duckdb_path)
        finally:
            sandbox.stop()
