"""Matching found discrepancies with the answer key, and scoring a run against it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest

from sandbox.answer_key import matches, score

MISSING = {
    "id": "AK-0001",
    "entity": "customer",
    "kind": "missing_in_odoo",
    "disposition": "correctable",
    "ids": {"crm": "7454034571", "stripe": "cus_NZYW2mZp0zVZom"},
    "field": None,
    "expected": {"name": "Onyx Print Co", "email": "chloe.weber@onyxprintco.example"},
}
ARCHIVED = {
    "id": "AK-0002",
    "entity": "customer",
    "kind": "status_mismatch",
    "disposition": "correctable",
    "ids": {"crm": "6644219119", "stripe": "cus_tpYlSXpfKtHF4v", "odoo": 1002},
    "field": "active",
    "expected": {"active": True},
}
DUPLICATE = {
    "id": "AK-0003",
    "entity": "customer",
    "kind": "duplicate_in_odoo",
    "disposition": "review",
    "ids": {"crm": "8474751589", "stripe": "cus_Hbn88HxjSI6bWH", "odoo": [1009, 5009]},
    "field": None,
    "expected": None,
}
DELETED = {
    "id": "AK-0004",
    "entity": "customer",
    "kind": "deleted_upstream",
    "disposition": "correctable",
    "ids": {"stripe": "cus_NyjOq9wMxEhh2F", "odoo": 1008},
    "field": None,
    "expected": {"active": False},
}


def found(line: dict[str, Any], discrepancy_id: str, **overrides: Any) -> dict[str, Any]:
    """A `trueup.discrepancies_found` row for the customer a key line names."""
    ids = line["ids"]
    odoo = ids.get("odoo")
    row = {
        "discrepancy_id": discrepancy_id,
        "entity": line["entity"],
        "kind": line["kind"],
        "disposition": line["disposition"],
        "crm_company_id": ids.get("crm"),
        "stripe_customer_id": ids.get("stripe"),
        "odoo_partner_id": None if isinstance(odoo, list) else odoo,
        "odoo_partner_ids": ",".join(str(i) for i in odoo) if isinstance(odoo, list) else None,
    }
    row.update(overrides)
    return row


@pytest.mark.parametrize(
    ("line", "row", "expected"),
    [
        pytest.param(MISSING, found(MISSING, "d"), True, id="same-ids-no-odoo"),
        pytest.param(
            DUPLICATE,
            found(DUPLICATE, "d", odoo_partner_ids="5009,1009"),
            True,
            id="odoo-id-list-equals-set-in-any-order",
        ),
        pytest.param(
            DUPLICATE,
            found(DUPLICATE, "d", odoo_partner_ids="1009"),
            False,
            id="odoo-id-list-missing-one",
        ),
        pytest.param(
            DUPLICATE,
            found(DUPLICATE, "d", odoo_partner_ids="1009,5009,6009"),
            False,
            id="odoo-id-list-with-an-extra",
        ),
        pytest.param(
            ARCHIVED,
            found(ARCHIVED, "d", odoo_partner_id=None, odoo_partner_ids="1002,5002"),
            True,
            id="single-odoo-id-contained-in-list",
        ),
        pytest.param(
            ARCHIVED, found(ARCHIVED, "d", odoo_partner_id=1003), False, id="other-odoo-id"
        ),
        pytest.param(ARCHIVED, found(ARCHIVED, "d", kind="field_mismatch"), False, id="wrong-kind"),
        pytest.param(
            ARCHIVED, found(ARCHIVED, "d", disposition="review"), False, id="wrong-disposition"
        ),
        pytest.param(ARCHIVED, found(ARCHIVED, "d", entity="deal"), False, id="wrong-entity"),
        pytest.param(
            ARCHIVED, found(ARCHIVED, "d", crm_company_id=None), False, id="missing-crm-id"
        ),
        pytest.param(
            ARCHIVED, found(ARCHIVED, "d", crm_company_id=6644219119), True, id="crm-id-as-number"
        ),
        pytest.param(
            ARCHIVED,
            found(ARCHIVED, "d", stripe_customer_id="cus_other"),
            False,
            id="wrong-stripe-id",
        ),
        pytest.param(
            DELETED,
            found(DELETED, "d", crm_company_id="1234567890"),
            True,
            id="crm-id-not-given-by-line",
        ),
    ],
)
def test_matches(line: dict[str, Any], row: dict[str, Any], expected: bool) -> None:
    assert matches(line, row) is expected


# --- scoring ----------------------------------------------------------------------------------


def write_world_dir(folder: Path, key: list[dict[str, Any]]) -> Path:
    folder.mkdir()
    manifest = {"rows": {"raw_stripe.customers": 14, "raw_odoo.res_partner": 19}}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    (folder / "answer_key.jsonl").write_text("".join(json.dumps(line) + "\n" for line in key))
    return folder


def write_found(duckdb_path: Path, rows: list[dict[str, Any]]) -> None:
    # The file is named trueup.duckdb as the pipeline's is, so catalog and schema share a name.
    with duckdb.connect(str(duckdb_path)) as con:
        con.execute('create schema "trueup".trueup')
        con.execute(
            'create table "trueup".trueup.discrepancies_found (run_id varchar, '
            "discrepancy_id varchar, entity varchar, kind varchar, disposition varchar, "
            "crm_company_id varchar, stripe_customer_id varchar, odoo_partner_id bigint, "
            "odoo_partner_ids varchar)"
        )
        for row in rows:
            con.execute(
                'insert into "trueup".trueup.discrepancies_found by name '
                "select $run_id as run_id, $discrepancy_id as discrepancy_id, "
                "$entity as entity, $kind as kind, $disposition as disposition, "
                "$crm_company_id as crm_company_id, $stripe_customer_id as stripe_customer_id, "
                "$odoo_partner_id as odoo_partner_id, $odoo_partner_ids as odoo_partner_ids",
                row,
            )


def empty_report(run_id: str) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "landed": {
            "raw_stripe.customers": {"rows": 14, "source_total": None},
            "raw_odoo.account_move": {"rows": 0, "source_total": None},
        },
        "discrepancies": {},
    }


def test_score_fills_recall_precision_missed_and_unexpected(tmp_path: Path) -> None:
    world_dir = write_world_dir(tmp_path / "world", [MISSING, ARCHIVED, DUPLICATE])
    duckdb_path = tmp_path / "trueup.duckdb"
    write_found(
        duckdb_path,
        [
            {"run_id": "run-2", **found(MISSING, "dsc_a")},
            {"run_id": "run-2", **found(DUPLICATE, "dsc_b", odoo_partner_ids="5009,1009")},
            {"run_id": "run-2", **found(ARCHIVED, "dsc_c", kind="field_mismatch")},
            # Another run's finding does not count for this one.
            {"run_id": "run-1", **found(ARCHIVED, "dsc_d")},
        ],
    )

    report = score(empty_report("run-2"), world_dir=world_dir, duckdb_path=duckdb_path)

    assert report == {
        "run_id": "run-2",
        "landed": {
            "raw_stripe.customers": {"rows": 14, "source_total": 14},
            "raw_odoo.account_move": {"rows": 0, "source_total": None},
        },
        "discrepancies": {
            "planted": 3,
            "found": 3,
            "recall": 0.6667,
            "precision": 0.6667,
            "missed": ["AK-0002"],
            "unexpected": ["dsc_c"],
            "by_kind": {
                "duplicate_in_odoo": {"planted": 1, "found": 1},
                "field_mismatch": {"planted": 0, "found": 1},
                "missing_in_odoo": {"planted": 1, "found": 1},
                "status_mismatch": {"planted": 1, "found": 0},
            },
        },
    }


def test_score_matches_each_found_row_to_one_key_line_only(tmp_path: Path) -> None:
    twin = dict(MISSING, id="AK-0002")
    world_dir = write_world_dir(tmp_path / "world", [MISSING, twin])
    duckdb_path = tmp_path / "trueup.duckdb"
    write_found(duckdb_path, [{"run_id": "run-2", **found(MISSING, "dsc_a")}])

    report = score(empty_report("run-2"), world_dir=world_dir, duckdb_path=duckdb_path)

    assert {k: report["discrepancies"][k] for k in ("recall", "precision", "missed")} == {
        "recall": 0.5,
        "precision": 1.0,
        "missed": ["AK-0002"],
    }


def test_score_of_a_clean_world_and_a_clean_run_is_perfect(tmp_path: Path) -> None:
    world_dir = write_world_dir(tmp_path / "world", [])
    duckdb_path = tmp_path / "trueup.duckdb"
    write_found(duckdb_path, [])

    report = score(empty_report("run-2"), world_dir=world_dir, duckdb_path=duckdb_path)

    assert report["discrepancies"] == {
        "planted": 0,
        "found": 0,
        "recall": 1.0,
        "precision": 1.0,
        "missed": [],
        "unexpected": [],
        "by_kind": {},
    }
