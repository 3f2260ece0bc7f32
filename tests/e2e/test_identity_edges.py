"""Identity edge cases through the whole loop: ambiguous e-mails, cleared CRM values, customers
the CRM does not know. Each must be reported for a person, never guessed into an Odoo write."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import duckdb
import pytest

from sandbox.world import World
from tests.e2e.conftest import LoopRun, run_loop_twice, start_world

pytestmark = pytest.mark.e2e

SHARED_EMAIL = "returning@shared.example"
SHARED_PARTNER_ID = 7900
BAD_REFERENCE = "9999999999"
UNKNOWN_EMAIL = "billing@unknown-to-crm.example"


def _stripe_customer(world: World, index: int) -> dict[str, Any]:
    live = [c for c in world.stripe["main"]["customers"] if not c.get("deleted")]
    return live[index]


def _mutate(world: World) -> None:
    # Two Stripe customers share an e-mail that one archived Odoo partner also has.
    for suffix, name in (("A", "Returning A Ltd"), ("B", "Returning B Ltd")):
        twin = dict(_stripe_customer(world, 0), id=f"cus_twin{suffix}", name=name)
        twin.update(email=SHARED_EMAIL, metadata={})
        world.stripe["main"]["customers"].append(twin)
    world.odoo["res.partner"].append(
        {
            "id": SHARED_PARTNER_ID,
            "name": "Returning Old Name",
            "email": SHARED_EMAIL,
            "is_company": True,
            "active": False,
            "company_id": False,
        }
    )
    # The CRM cleared a customer's billing e-mail: HubSpot reports it as an empty string.
    company_id = _stripe_customer(world, 2)["metadata"]["hubspot_company_id"]
    contact = next(
        c for c in world.crm["contacts"] if c["properties"]["associatedcompanyid"] == company_id
    )
    contact["properties"]["email"] = ""
    # A Stripe customer whose CRM reference points at no company, and whose e-mail the CRM
    # does not know either (Odoo has the same e-mail, so nothing else disagrees).
    unknown = _stripe_customer(world, 1)
    unknown.update(metadata={"hubspot_company_id": BAD_REFERENCE}, email=UNKNOWN_EMAIL)
    xmlid = next(
        x for x in world.odoo["ir.model.data"] if x["name"] == f"stripe_customer_{unknown['id']}"
    )
    partner = next(p for p in world.odoo["res.partner"] if p["id"] == xmlid["res_id"])
    partner["email"] = UNKNOWN_EMAIL


@pytest.fixture(scope="module")
def edge_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoopRun]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        world, world_dir, sandbox, duckdb_path = start_world(
            tmp_path_factory.mktemp("edges"),
            monkeypatch,
            seed=23,
            odoo_version=19,
            plant=False,
            mutate=_mutate,
        )
        try:
            yield run_loop_twice(world, world_dir, sandbox, duckdb_path)
        finally:
            sandbox.stop()


def _found(run: LoopRun) -> list[dict[str, Any]]:
    with duckdb.connect(str(run.duckdb_path), read_only=True) as con:
        cursor = con.execute(
            'select * from "trueup".trueup.discrepancies_found where run_id = ? '
            "order by stripe_customer_id, kind",
            [run.report["run_id"]],
        )
        columns = [c[0] for c in cursor.description or []]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def test_a_partner_matched_by_two_customers_is_sent_to_review(edge_run: LoopRun) -> None:
    twins = [
        row
        for row in _found(edge_run)
        if row["stripe_customer_id"].startswith("cus_twin") and row["kind"] == "missing_in_odoo"
    ]
    assert [
        (r["stripe_customer_id"], r["kind"], r["reason_code"], r["disposition"]) for r in twins
    ] == [
        ("cus_twinA", "missing_in_odoo", "ambiguous_email_match", "review"),
        ("cus_twinB", "missing_in_odoo", "ambiguous_email_match", "review"),
    ]


def test_the_shared_partner_is_never_adopted_or_renamed(edge_run: LoopRun) -> None:
    touched = [
        call
        for call in edge_run.odoo_writes_after_second_run
        if SHARED_PARTNER_ID in (call.detail.get("ids") or [])
        or (call.detail.get("values") or {}).get("res_id") == SHARED_PARTNER_ID
        or "twin" in str(call.detail.get("values"))
    ]
    assert touched == []


def test_a_cleared_crm_email_never_blanks_the_odoo_email(edge_run: LoopRun) -> None:
    blanked = [
        call
        for call in edge_run.odoo_writes_after_second_run
        if (call.detail.get("values") or {}).get("email") in ("", False, None)
        and "email" in (call.detail.get("values") or {})
    ]
    assert blanked == []


def test_a_customer_the_crm_does_not_know_is_reported_for_review(edge_run: LoopRun) -> None:
    rows = [row for row in _found(edge_run) if row["kind"] == "missing_in_crm"]
    assert sorted((r["stripe_customer_id"], r["reason_code"], r["disposition"]) for r in rows) == [
        (_stripe_id(edge_run, 1), "crm_company_not_found", "review"),
        ("cus_twinA", "no_crm_reference", "review"),
        ("cus_twinB", "no_crm_reference", "review"),
    ]


def _stripe_id(run: LoopRun, index: int) -> str:
    return str(_stripe_customer(run.world, index)["id"])


def test_nothing_is_written_and_the_second_run_is_quiet(edge_run: LoopRun) -> None:
    assert edge_run.report["writes"]["applied"] == 0
    assert edge_run.report["second_run"]["writes"] == 0
    assert edge_run.odoo_writes_after_second_run == []
