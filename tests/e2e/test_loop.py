"""The whole loop against the sandbox: found what was planted, corrected it, proved it closed."""

from __future__ import annotations

import json
from typing import Any

import duckdb
import pytest

from reverse_sync.odoo_client import OdooClient
from reverse_sync.sync_log import trueup_table
from tests.e2e.conftest import LoopRun

pytestmark = pytest.mark.e2e

REPORT_KEYS = {
    "as_of",
    "landed",
    "discrepancies",
    "writes",
    "after_reread",
    "second_run",
    "seconds",
}


def _key_lines(run: LoopRun, kind: str) -> list[dict[str, Any]]:
    return [line for line in run.world.answer_key if line["kind"] == kind]


def _client(run: LoopRun) -> OdooClient:
    env = run.sandbox.env
    return OdooClient(
        env["ODOO_URL"], env["ODOO_DB"], username=env["ODOO_USERNAME"], api_key=env["ODOO_API_KEY"]
    )


def _xmlid_target(run: LoopRun, stripe_id: str) -> int | None:
    with _client(run) as client:
        rows = client.search_read(
            "ir.model.data",
            [["module", "=", "trueup"], ["name", "=", f"stripe_customer_{stripe_id}"]],
            ["res_id"],
        )
    return int(rows[0]["res_id"]) if rows else None


def _read_partner(run: LoopRun, partner_id: int) -> dict[str, Any]:
    with _client(run) as client:
        rows = client.read(
            "res.partner",
            [partner_id],
            ["name", "email", "active", "is_company"],
            context={"active_test": False},
        )
    assert rows, f"partner {partner_id} is gone from Odoo"
    return rows[0]


def test_report_has_the_designed_shape(loop_run: LoopRun) -> None:
    assert set(loop_run.report) >= REPORT_KEYS
    assert set(loop_run.report["after_reread"]) >= {"open_correctable", "open_review", "tolerated"}


def test_every_planted_discrepancy_is_found_and_nothing_else(loop_run: LoopRun) -> None:
    found = loop_run.report["discrepancies"]
    assert (found["recall"], found["precision"]) == (1.0, 1.0)
    assert (found["missed"], found["unexpected"]) == ([], [])
    assert found["planted"] == len(loop_run.world.answer_key) == found["found"]


@pytest.mark.parametrize(
    "table",
    [
        "raw_stripe.customers",
        "raw_crm.companies",
        "raw_crm.contacts",
        "raw_odoo.res_partner",
        "raw_odoo.ir_model_data",
    ],
)
def test_landed_rows_equal_the_manifest(loop_run: LoopRun, table: str) -> None:
    landed = loop_run.report["landed"][table]
    assert landed["rows"] == landed["source_total"] == loop_run.world.manifest()["rows"][table]


def test_no_correctable_discrepancy_is_open_after_the_reread(loop_run: LoopRun) -> None:
    after = loop_run.report["after_reread"]
    review = sum(1 for line in loop_run.world.answer_key if line["disposition"] == "review")
    tolerated = sum(1 for line in loop_run.world.answer_key if line["disposition"] == "tolerated")
    assert after == {"open_correctable": 0, "open_review": review, "tolerated": tolerated}


def test_every_correctable_discrepancy_got_exactly_one_write(loop_run: LoopRun) -> None:
    correctable = [k for k in loop_run.world.answer_key if k["disposition"] == "correctable"]
    writes = loop_run.report["writes"]
    assert writes == {
        "planned": len(correctable),
        "applied": len(correctable),
        "held": 0,
        "failed": 0,
    }


def test_the_second_run_writes_nothing(loop_run: LoopRun) -> None:
    assert loop_run.report["second_run"]["writes"] == 0
    assert loop_run.report["second_run"]["planned"] == 0
    assert loop_run.odoo_writes_after_second_run == loop_run.odoo_writes_after_first_run


def test_missing_customer_is_created_once_with_the_owners_values(loop_run: LoopRun) -> None:
    (line,) = _key_lines(loop_run, "missing_in_odoo")
    partner_id = _xmlid_target(loop_run, line["ids"]["stripe"])
    assert partner_id is not None
    partner = _read_partner(loop_run, partner_id)
    assert {k: partner[k] for k in line["expected"]} == line["expected"]
    assert partner["active"] is True


def test_changed_billing_email_reaches_odoo(loop_run: LoopRun) -> None:
    (line,) = _key_lines(loop_run, "field_mismatch")
    assert _read_partner(loop_run, line["ids"]["odoo"])["email"] == line["expected"]["email"]


def test_archived_partner_is_reused_not_duplicated(loop_run: LoopRun) -> None:
    (line,) = _key_lines(loop_run, "status_mismatch")
    partner_id = line["ids"]["odoo"]
    assert _read_partner(loop_run, partner_id)["active"] is True
    assert _xmlid_target(loop_run, line["ids"]["stripe"]) == partner_id
    creates = [
        call
        for call in loop_run.odoo_writes_after_second_run
        if call.detail.get("method") in ("create", "load")
        and call.detail.get("model") == "res.partner"
    ]
    assert len(creates) == len(_key_lines(loop_run, "missing_in_odoo"))


def test_partner_of_a_deleted_stripe_customer_is_archived(loop_run: LoopRun) -> None:
    (line,) = _key_lines(loop_run, "deleted_upstream")
    assert _read_partner(loop_run, line["ids"]["odoo"])["active"] is False


def test_review_and_tolerated_partners_are_never_written(loop_run: LoopRun) -> None:
    untouched = set()
    for line in loop_run.world.answer_key:
        if line["disposition"] in ("review", "tolerated"):
            ids = line["ids"]["odoo"]
            untouched |= set(ids) if isinstance(ids, list) else {ids}
    written = {
        record_id
        for call in loop_run.odoo_writes_after_second_run
        if call.detail.get("model") == "res.partner"
        for record_id in call.detail.get("ids") or []
    }
    assert untouched and not untouched & written


def test_tolerated_email_keeps_its_odoo_spelling(loop_run: LoopRun) -> None:
    (line,) = _key_lines(loop_run, "email_format")
    original = next(p for p in loop_run.world.odoo["res.partner"] if p["id"] == line["ids"]["odoo"])
    assert _read_partner(loop_run, line["ids"]["odoo"])["email"] == original["email"]


def test_sync_log_joins_each_write_to_the_discrepancies_it_closed(loop_run: LoopRun) -> None:
    with duckdb.connect(str(loop_run.duckdb_path), read_only=True) as con:
        log = con.execute(
            f"select discrepancy_ids, outcome, new_values from {trueup_table(con, 'sync_log')} "
            "where run_id = ?",
            [loop_run.report["run_id"]],
        ).fetchall()
        found = {
            row[0]
            for row in con.execute(
                f"select discrepancy_id from {trueup_table(con, 'discrepancies_found')} "
                "where run_id = ?",
                [loop_run.report["run_id"]],
            ).fetchall()
        }
    assert len(log) == loop_run.report["writes"]["planned"]
    for discrepancy_ids, outcome, new_values in log:
        assert outcome in ("created", "updated")
        assert set(discrepancy_ids.split(",")) <= found
        assert json.loads(new_values)


def test_analytics_copy_is_published_and_readable(loop_run: LoopRun) -> None:
    copy = loop_run.duckdb_path.parent / "analytics.duckdb"
    with duckdb.connect(str(copy), read_only=True) as con:
        (rows,) = con.execute("select count(*) from recon.recon_customers").fetchone() or (0,)
    assert rows == (
        loop_run.report["after_reread"]["open_review"]
        + loop_run.report["after_reread"]["tolerated"]
    )
