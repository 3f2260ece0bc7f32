"""Scoring a run against the world's answer key and manifest: the sandbox's side of the report.

The pipeline never reads the key. After a run, this fills the report's answer-key fields:
`source_total` per landed table from the manifest, and `planted`, `recall`, `precision`,
`missed` and `unexpected` from matching the run's discrepancies with the key. A discrepancy
matches a key line when the entity, kind and disposition agree and so does every id the line
gives (an Odoo id list must equal the discrepancy's partner ids as a set).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb

from reverse_sync.sync_log import trueup_table


def read_answer_key(world_dir: Path) -> list[dict[str, Any]]:
    """The key's lines, one per planted discrepancy."""
    text = (world_dir / "answer_key.jsonl").read_text()
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def found_discrepancies(duckdb_path: Path, run_id: str) -> list[dict[str, Any]]:
    """The discrepancies a run found before it wrote anything."""
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        cursor = con.execute(
            f"select * from {trueup_table(con, 'discrepancies_found')} where run_id = ? "
            "order by discrepancy_id",
            [run_id],
        )
        columns = [column[0] for column in cursor.description or []]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def matches(line: dict[str, Any], row: dict[str, Any]) -> bool:
    """Whether a found discrepancy is the one a key line planted."""
    if (line["entity"], line["kind"], line["disposition"]) != (
        row["entity"],
        row["kind"],
        row["disposition"],
    ):
        return False
    ids = line.get("ids", {})
    partner_ids = {int(i) for i in str(row.get("odoo_partner_ids") or "").split(",") if i}
    if row.get("odoo_partner_id") is not None:
        partner_ids.add(int(row["odoo_partner_id"]))
    if "crm" in ids and str(ids["crm"]) != str(row.get("crm_company_id")):
        return False
    if "stripe" in ids and ids["stripe"] != row.get("stripe_customer_id"):
        return False
    if "odoo" in ids:
        wanted = ids["odoo"]
        if isinstance(wanted, list):
            return {int(i) for i in wanted} == partner_ids
        return int(wanted) in partner_ids
    return True


def score(report: dict[str, Any], *, world_dir: Path, duckdb_path: Path) -> dict[str, Any]:
    """Fill the report's answer-key fields for the run it describes; returns the report."""
    manifest = json.loads((world_dir / "manifest.json").read_text())
    for table, entry in report["landed"].items():
        entry["source_total"] = manifest["rows"].get(table)

    key = read_answer_key(world_dir)
    found = found_discrepancies(duckdb_path, report["run_id"])
    unmatched_rows = list(found)
    missed = []
    for line in key:
        hit = next((row for row in unmatched_rows if matches(line, row)), None)
        if hit is None:
            missed.append(line["id"])
        else:
            unmatched_rows.remove(hit)

    matched = len(key) - len(missed)
    planted_by_kind = Counter(line["kind"] for line in key)
    found_by_kind = Counter(row["kind"] for row in found)
    report["discrepancies"].update(
        planted=len(key),
        found=len(found),
        recall=round(matched / len(key), 4) if key else 1.0,
        precision=round((len(found) - len(unmatched_rows)) / len(found), 4) if found else 1.0,
        missed=missed,
        unexpected=[row["discrepancy_id"] for row in unmatched_rows],
        by_kind={
            kind: {"planted": planted_by_kind.get(kind, 0), "found": found_by_kind.get(kind, 0)}
            for kind in sorted(set(planted_by_kind) | set(found_by_kind))
        },
    )
    return report
