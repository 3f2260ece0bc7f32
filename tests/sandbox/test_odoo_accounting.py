"""Accounting on the Odoo stand-in, walked step by step against the recorded 16 and 19 values.

Each expected amount or state below is read from the recorded case of the same step in
`reference/odoo-transcripts/`, so the walk checks the stand-in against real Odoo, not against
numbers written here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from sandbox.http import RunningServer, serve
from sandbox.odoo import OdooStandIn

VERSIONS = [16, 19]
STATE = ["amount_total", "amount_residual", "payment_state"]


def recorded(reference_dir: Path, case_id: str) -> Any:
    """The recorded result of one case."""
    version = case_id.split(".")[0][1:]
    path = reference_dir / "odoo-transcripts" / f"odoo{version}.jsonl"
    for line in path.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        if case["id"] == case_id:
            return case["response"]["result"]
    raise LookupError(f"no recorded case {case_id}")


@pytest.fixture(params=VERSIONS, ids=["odoo16", "odoo19"])
def server(request: pytest.FixtureRequest) -> Iterator[RunningServer]:
    running = serve(OdooStandIn(version=request.param, db="trueup", api_key="k"))
    running.version = request.param  # type: ignore[attr-defined]
    yield running
    running.stop()


def execute(server: RunningServer, model: str, method: str, *args: Any, **kwargs: Any) -> Any:
    body = {
        "jsonrpc": "2.0",
        "method": "call",
        "id": 1,
        "params": {
            "service": "object",
            "method": "execute_kw",
            "args": ["trueup", 2, "admin", model, method, list(args), kwargs],
        },
    }
    reply = httpx.post(f"{server.url}/jsonrpc", json=body, timeout=10).json()
    if "error" in reply:
        raise AssertionError(f"{model}.{method} failed: {reply['error']['data']['message']}")
    return reply["result"]


def state(server: RunningServer, move_id: int) -> dict[str, Any]:
    (row,) = execute(server, "account.move", "read", [move_id], fields=STATE)
    return {name: row[name] for name in STATE}


def invoice(server: RunningServer, price: float, *, tax_ids: list[int] | None = None) -> int:
    (partner_id,) = execute(server, "res.partner", "create", [{"name": "Trueup Parent Co"}])
    line = {"name": "Trueup service line", "quantity": 2.0, "price_unit": price}
    line["tax_ids"] = [[6, 0, tax_ids or []]]
    vals = {
        "move_type": "out_invoice",
        "partner_id": partner_id,
        "invoice_date": "2026-12-01",
        "invoice_line_ids": [[0, 0, line]],
    }
    move_id: int = execute(server, "account.move", "create", vals)
    return move_id


def register(server: RunningServer, move_id: int, amount: float | None = None) -> None:
    context = {"active_model": "account.move", "active_ids": [move_id]}
    vals: dict[str, Any] = {"payment_date": "2026-12-02"}
    if amount is not None:
        vals["amount"] = amount
    wizard = execute(server, "account.payment.register", "create", vals, context=context)
    execute(server, "account.payment.register", "action_create_payments", [wizard], context=context)


def credit_note(server: RunningServer, move_id: int) -> int:
    context = {"active_model": "account.move", "active_ids": [move_id]}
    vals: dict[str, Any] = {"reason": "Trueup credit", "journal_id": 1, "date": "2026-12-01"}
    method = "refund_moves"
    if server.version < 17:  # type: ignore[attr-defined]
        vals.update(refund_method="refund", date_mode="custom")
        method = "reverse_moves"
    wizard = execute(server, "account.move.reversal", "create", vals, context=context)
    action = execute(server, "account.move.reversal", method, [wizard], context=context)
    credit_id: int = action["res_id"]
    return credit_id


def test_an_invoice_walks_from_draft_to_paid_and_credited_as_recorded(
    server: RunningServer, reference_dir: Path
) -> None:
    v = server.version  # type: ignore[attr-defined]
    posted = recorded(reference_dir, f"v{v}.invoice.read.posted")[0]
    full = recorded(reference_dir, f"v{v}.payment.invoice.after_full")[0]
    move_id = invoice(server, 100.0)

    assert state(server, move_id) == {
        "amount_total": posted["amount_total"],
        "amount_residual": posted["amount_residual"],
        "payment_state": "not_paid",
    }
    execute(server, "account.move", "action_post", [move_id])
    assert state(server, move_id) == {name: posted[name] for name in STATE}

    register(server, move_id, 50.0)
    # 19's read after the partial payment was held back; 16's records the same step.
    partial = recorded(reference_dir, "v16.payment.invoice.after_partial")[0]
    assert state(server, move_id) == {
        "amount_total": posted["amount_total"],
        "amount_residual": partial["amount_residual"],
        "payment_state": partial["payment_state"],
    }

    register(server, move_id)
    assert state(server, move_id) == {
        "amount_total": posted["amount_total"],
        "amount_residual": full["amount_residual"],
        "payment_state": full["payment_state"],
    }

    # A credit note of a paid invoice stays open on both versions: nothing is left to match.
    credit_id = credit_note(server, move_id)
    draft_credit = recorded(reference_dir, "v16.refund.read.draft")[0]
    assert state(server, credit_id) == {name: draft_credit[name] for name in STATE}
    execute(server, "account.move", "action_post", [credit_id])
    assert state(server, credit_id) == {name: draft_credit[name] for name in STATE}
    assert state(server, move_id)["payment_state"] == full["payment_state"]


def test_a_posted_credit_note_settles_its_open_invoice_only_on_19(server: RunningServer) -> None:
    move_id = invoice(server, 100.0)
    execute(server, "account.move", "action_post", [move_id])

    credit_id = credit_note(server, move_id)
    execute(server, "account.move", "action_post", [credit_id])

    states = (state(server, move_id)["payment_state"], state(server, credit_id)["payment_state"])
    if server.version < 17:  # type: ignore[attr-defined]
        assert states == ("not_paid", "not_paid")
    else:
        assert states == ("reversed", "paid")


@pytest.mark.parametrize(
    ("quantity", "split"),
    [(1.0, {16: (20.83, 4.16), 19: (20.82, 4.17)}), (3.0, {16: (62.48, 12.49), 19: (62.47, 12.5)})],
    ids=["one_at_24_99", "three_at_24_99"],
)
def test_a_price_included_tax_splits_by_each_version_rounding(
    server: RunningServer, quantity: float, split: dict[int, tuple[float, float]]
) -> None:
    v = server.version  # type: ignore[attr-defined]
    included = {"price_include": True} if v < 17 else {"price_include_override": "tax_included"}
    tax_id = execute(
        server,
        "account.tax",
        "create",
        {"name": "VAT 20% incl", "amount": 20.0, "amount_type": "percent", **included},
    )
    (partner_id,) = execute(server, "res.partner", "create", [{"name": "Trueup Tax Co"}])
    line = {"name": "x", "quantity": quantity, "price_unit": 24.99, "tax_ids": [[6, 0, [tax_id]]]}
    move_id = execute(
        server,
        "account.move",
        "create",
        {"move_type": "out_invoice", "partner_id": partner_id, "invoice_line_ids": [[0, 0, line]]},
    )

    (row,) = execute(
        server, "account.move", "read", [move_id], fields=["amount_untaxed", "amount_tax"]
    )
    assert (row["amount_untaxed"], row["amount_tax"]) == split[v]


def test_a_zero_decimal_invoice_rounds_to_whole_yen(server: RunningServer) -> None:
    v = server.version  # type: ignore[attr-defined]
    jpy = 26 if v < 17 else 25
    execute(server, "res.currency", "write", [jpy], {"active": True})
    (partner_id,) = execute(server, "res.partner", "create", [{"name": "Trueup JP"}])
    line = {"name": "x", "quantity": 3.0, "price_unit": 1234.5}
    move_id = execute(
        server,
        "account.move",
        "create",
        {
            "move_type": "out_invoice",
            "partner_id": partner_id,
            "currency_id": jpy,
            "invoice_line_ids": [[0, 0, line]],
        },
    )

    (row,) = execute(server, "account.move", "read", [move_id], fields=["amount_total"])
    assert row["amount_total"] == 3704.0
