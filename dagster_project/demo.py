"""`python -m dagster_project.demo`: the whole loop on the sandbox, from a fresh warehouse.

Brings the sandbox up if it is down, seeds the demo world, runs the loop as one Dagster job and
at once a second time, scores the run against the world's answer key and prints a summary. The
report is `data/last_run_summary.json`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from dagster_project.settings import PROJECT_ROOT

DATA = PROJECT_ROOT / "data"
DAGSTER_HOME = PROJECT_ROOT / "dagster_home"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dagster_project.demo", description=__doc__)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--size", choices=("small", "demo"), default="demo")
    parser.add_argument("--odoo-version", type=int, choices=(16, 19), default=19)
    parser.add_argument(
        "--prepare-only", action="store_true", help="bring up and seed the sandbox, run nothing"
    )
    args = parser.parse_args(argv)
    os.chdir(PROJECT_ROOT)

    from sandbox.__main__ import is_up

    was_up = is_up()
    # A full demo starts from a fresh sandbox, so stand-ins from an older checkout never serve it.
    if not args.prepare_only and was_up:
        _sandbox("down")
    _sandbox("up", "--if-down", "--odoo-version", str(args.odoo_version))
    if _running_odoo_version() != args.odoo_version:
        _sandbox("down")
        _sandbox("up", "--odoo-version", str(args.odoo_version))
        was_up = False
    # The UI works on the data the last demo left; a sandbox that was down starts empty.
    if args.prepare_only and was_up and (DATA / "world.env").exists():
        return 0
    _sandbox("seed", "--seed", str(args.seed), "--size", args.size)
    if args.prepare_only:
        return 0

    _load_env(DATA / "sandbox.env", DATA / "world.env")
    _fresh_warehouse()
    report = _run()
    _print_summary(report)
    return 0


def _run() -> dict[str, Any]:
    import dagster as dg

    from dagster_project.runner import execute_loop_twice, write_report
    from dagster_project.settings import load_settings
    from sandbox.answer_key import score

    os.environ.setdefault("DAGSTER_HOME", str(DAGSTER_HOME))
    with dg.DagsterInstance.get() as instance:
        report = execute_loop_twice(instance)
    score(report, world_dir=DATA / "world", duckdb_path=load_settings().duckdb_path)
    write_report(report)
    return report


def _sandbox(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "sandbox", *args], check=True, cwd=PROJECT_ROOT)


def _running_odoo_version() -> int:
    from sandbox.stack import read_env_file

    env = read_env_file(DATA / "sandbox.env")
    return int(env.get("TRUEUP_SANDBOX_ODOO_VERSION", "19"))


def _load_env(*paths: Path) -> None:
    from sandbox.stack import read_env_file

    for path in paths:
        os.environ.update(read_env_file(path))


def _fresh_warehouse() -> None:
    for name in ("trueup.duckdb", "trueup.duckdb.wal", "trueup_analytics.duckdb"):
        (DATA / name).unlink(missing_ok=True)
    shutil.rmtree(DATA / "dlt_pipelines", ignore_errors=True)


def _print_summary(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    found = report["discrepancies"]
    table = Table(title=f"trueup demo, as of {report['as_of']}")
    table.add_column("kind")
    table.add_column("planted", justify="right")
    table.add_column("found", justify="right")
    for kind, counts in found["by_kind"].items():
        table.add_row(kind, str(counts["planted"]), str(counts["found"]))
    console.print(table)

    writes, after = report["writes"], report["after_reread"]
    console.print(
        f"recall {found['recall']}  precision {found['precision']}  "
        f"missed {found['missed']}  unexpected {found['unexpected']}"
    )
    console.print(
        f"writes: planned {writes['planned']}, applied {writes['applied']}, "
        f"held {writes['held']}, failed {writes['failed']}; second run wrote "
        f"{report['second_run']['writes']}"
    )
    console.print(
        f"after re-read: {after['open_correctable']} correctable open, "
        f"{after['open_review']} for review, {after['tolerated']} tolerated"
    )
    console.print(f"seconds: {report['seconds']}; report in {DATA / 'last_run_summary.json'}")


if __name__ == "__main__":
    sys.exit(main())
