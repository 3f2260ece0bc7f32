"""The Odoo stand-in's own contract: schemas as recorded, auth, world loading and the call log."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from sandbox.http import RunningServer, serve
from sandbox.odoo import ADMIN_UID, OdooStandIn, base_records

KEY = "test-key"
FIELD_ATTRIBUTES = ["type", "relation", "required", "readonly", "selection"]


@pytest.fixture
def odoo19() -> Iterator[RunningServer]:
    server = serve(OdooStandIn(version=19, db="trueup", api_key=KEY))
    yield server
    server.stop()


def rpc(server: RunningServer, service: str, method: str, *args: Any) -> dict[str, Any]:
    body = {
        "jsonrpc": "2.0",
        "method": "call",
        "id": 1,
        "params": {"service": service, "method": method, "args": list(args)},
    }
    reply: dict[str, Any] = httpx.post(f"{server.url}/jsonrpc", json=body, timeout=10).json()
    return reply


def execute(server: RunningServer, model: str, method: str, *args: Any, **kwargs: Any) -> Any:
    """execute_kw as admin; returns the result or the error object."""
    reply = rpc(
        server, "object", "execute_kw", "trueup", 2, "admin", model, method, list(args), kwargs
    )
    return reply.get("result", reply.get("error"))


# Every recorded model the stand-in serves.
SERVED_RECORDED_MODELS = [
    "account.move",
    "account.move.line",
    "account.payment",
    "account.payment.register",
    "account.tax",
    "account.journal",
    "res.partner",
    "res.currency",
    "res.company",
    "ir.model.data",
    "product.product",
    "product.template",
    "sale.order",
    "sale.order.line",
]


@pytest.mark.parametrize("version", [16, 19], ids=["odoo16", "odoo19"])
@pytest.mark.parametrize("model", SERVED_RECORDED_MODELS, ids=SERVED_RECORDED_MODELS)
def test_fields_get_matches_the_recorded_schema(
    reference_dir: Path, version: int, model: str
) -> None:
    recorded_file = reference_dir / "odoo-transcripts" / f"fields_get_{version}.json"
    recorded = json.loads(recorded_file.read_text())["models"][model]["response"]["result"]
    server = serve(OdooStandIn(version=version, db="trueup", api_key=KEY))
    try:
        served = execute(server, model, "fields_get", attributes=FIELD_ATTRIBUTES)
    finally:
        server.stop()

    assert {name: served.get(name) for name in recorded} == recorded


def test_authenticate_accepts_password_or_key_and_refuses_a_bad_password(
    odoo19: RunningServer,
) -> None:
    assert rpc(odoo19, "common", "authenticate", "trueup", "admin", "admin", {})["result"] == 2
    assert rpc(odoo19, "common", "authenticate", "trueup", "admin", KEY, {})["result"] == 2
    assert rpc(odoo19, "common", "authenticate", "trueup", "admin", "nope", {})["result"] is False


def test_execute_kw_with_a_bad_password_raises_access_denied(odoo19: RunningServer) -> None:
    reply = rpc(
        odoo19, "object", "execute_kw", "trueup", 2, "nope", "res.partner", "search", [[]], {}
    )

    assert reply["error"]["code"] == 0
    assert reply["error"]["data"]["name"] == "odoo.exceptions.AccessDenied"
    assert reply["error"]["data"]["message"] == "Access Denied"


def test_odoo16_errors_carry_code_200_and_json2_is_absent() -> None:
    server = serve(OdooStandIn(version=16, db="trueup", api_key=KEY))
    try:
        body = {"jsonrpc": "2.0", "method": "call", "id": 1, "params": {}}
        body["params"] = {
            "service": "object",
            "method": "execute_kw",
            "args": ["trueup", 2, "admin", "res.partner", "write", [[999], {"name": "x"}], {}],
        }
        reply = httpx.post(f"{server.url}/jsonrpc", json=body, timeout=10).json()
        json2 = httpx.post(
            f"{server.url}/json/2/res.partner/search",
            json={"domain": []},
            headers={"Authorization": f"bearer {KEY}"},
            timeout=10,
        )
    finally:
        server.stop()

    assert reply["error"]["code"] == 200
    assert reply["error"]["data"]["name"] == "odoo.exceptions.MissingError"
    assert json2.status_code == 404


def test_loading_a_world_keeps_base_records_and_continues_the_id_sequence() -> None:
    stand_in = OdooStandIn(version=19)
    world = {
        "res.partner": [
            {"id": 100, "name": "Acme", "is_company": True, "email": "ap@acme.example"},
            {"id": 101, "name": "Old Acme", "active": False, "company_id": 1, "ref": "C-1"},
        ],
        "ir.model.data": [
            {"id": 500, "module": "trueup", "name": "cus_1", "model": "res.partner", "res_id": 100}
        ],
    }

    counts = stand_in.load(world)
    server = serve(stand_in)
    try:
        visible = execute(server, "res.partner", "search", [], order="id asc")
        everything = execute(
            server, "res.partner", "search", [], order="id asc", context={"active_test": False}
        )
        new_id = execute(server, "res.partner", "create", {"name": "Newcomer"})
        xmlid = execute(server, "res.partner", "get_external_id", [100])
        archived = execute(server, "res.partner", "read", [101], fields=["company_id", "vat"])
    finally:
        server.stop()

    base_partner_ids = [p["id"] for p in base_records(19)["res.partner"]]
    active_base_ids = [p["id"] for p in base_records(19)["res.partner"] if p.get("active", True)]
    assert counts == {"res.partner": 2, "ir.model.data": 1}
    assert visible == [*active_base_ids, 100]
    assert everything == sorted([*base_partner_ids, 100, 101])
    assert new_id == 102
    assert xmlid == {"100": "trueup.cus_1"}
    assert archived == [{"id": 101, "company_id": [1, "YourCompany"], "vat": False}]


def test_loading_a_world_refuses_ids_of_base_records_and_unknown_fields() -> None:
    stand_in = OdooStandIn(version=19)

    with pytest.raises(ValueError, match="collides with a base record"):
        stand_in.load({"res.partner": [{"id": 1, "name": "Clash"}]})
    with pytest.raises(ValueError, match="lacks"):
        stand_in.load({"res.partner": [{"id": 100, "name": "X", "mobile": "+1"}]})


def test_writes_lists_only_calls_that_changed_data(odoo19: RunningServer) -> None:
    stand_in = odoo19.stand_in
    assert isinstance(stand_in, OdooStandIn)

    (partner_id,) = execute(odoo19, "res.partner", "create", [{"name": "Kept"}])
    execute(odoo19, "res.partner", "create", [{"name": "Rolled back"}, {"email": "no@name"}])
    execute(odoo19, "res.partner", "write", [partner_id], {"email": "kept@example.com"})
    execute(odoo19, "res.partner", "search_read", [["id", "=", partner_id]], fields=["email"])
    execute(odoo19, "res.partner", "write", [999999], {"name": "missing"})
    execute(odoo19, "res.partner", "load", ["id", "name"], [["trueup.x", "Loaded"]])

    writes = [(c.detail["method"], c.detail["ids"], c.detail["values"]) for c in stand_in.writes()]
    outcomes = [c.detail["outcome"] for c in stand_in.calls]
    assert writes == [
        ("create", [], [{"name": "Kept"}]),
        ("write", [partner_id], {"email": "kept@example.com"}),
        ("load", [], {"fields": ["id", "name"], "data": [["trueup.x", "Loaded"]]}),
    ]
    assert outcomes == ["ok", "ValidationError", "ok", "ok", "MissingError", "ok"]
    assert execute(odoo19, "res.partner", "search_count", [["name", "=", "Rolled back"]]) == 0


def test_json2_accepts_only_the_bearer_key(odoo19: RunningServer) -> None:
    url = f"{odoo19.url}/json/2/res.users/context_get"
    good = httpx.post(url, json={}, headers={"Authorization": f"bearer {KEY}"}, timeout=10)
    bad = httpx.post(url, json={}, headers={"Authorization": "bearer admin"}, timeout=10)

    assert good.json() == {"lang": "en_US", "tz": "Europe/Brussels", "uid": ADMIN_UID}
    assert (bad.status_code, bad.json()["message"]) == (401, "Invalid apikey")


@pytest.mark.parametrize(
    ("domain", "expected"),
    [
        ([["name", "=like", "A%"]], ["Alpha", "Alpha Two"]),
        ([["name", "ilike", "alpha"]], ["Alpha", "Alpha Two"]),
        (["|", ["name", "=", "Beta"], ["email", "=", False]], ["Alpha Two", "Beta"]),
        (["!", ["name", "like", "Alpha"]], ["Beta"]),
        ([["name", "not in", ["Alpha", "Beta"]]], ["Alpha Two"]),
        ([["parent_id", "child_of", "ROOT"]], ["Alpha", "Alpha Two"]),
        ([["parent_id.name", "=", "Alpha"]], ["Alpha Two"]),
    ],
    ids=["=like", "ilike", "or", "not", "not_in", "child_of", "dotted_path"],
)
def test_search_applies_domains_as_odoo_does(
    odoo19: RunningServer, domain: list[Any], expected: list[str]
) -> None:
    alpha = execute(odoo19, "res.partner", "create", {"name": "Alpha", "email": "a@x", "ref": "D"})
    execute(odoo19, "res.partner", "create", {"name": "Alpha Two", "parent_id": alpha, "ref": "D"})
    execute(odoo19, "res.partner", "create", {"name": "Beta", "email": "b@x", "ref": "D"})
    domain = json.loads(json.dumps(domain).replace('"ROOT"', str(alpha)))

    found = execute(
        odoo19, "res.partner", "search_read", [["ref", "=", "D"], *domain], fields=["name"]
    )

    assert sorted(row["name"] for row in found) == expected
