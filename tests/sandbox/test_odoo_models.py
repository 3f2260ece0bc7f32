"""The Odoo stand-in's XML-RPC, business models and call log, beyond what the transcripts show."""

from __future__ import annotations

import xmlrpc.client
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sandbox.http import RunningServer, serve
from sandbox.odoo import OdooStandIn

KEY = "test-key"


@pytest.fixture(params=[16, 19], ids=["odoo16", "odoo19"])
def server(request: pytest.FixtureRequest) -> Iterator[RunningServer]:
    running = serve(OdooStandIn(version=request.param, db="trueup", api_key=KEY))
    yield running
    running.stop()


def stand_in(server: RunningServer) -> OdooStandIn:
    served = server.stand_in
    assert isinstance(served, OdooStandIn)
    return served


def execute(server: RunningServer, model: str, method: str, *args: Any, **kwargs: Any) -> Any:
    """execute_kw over JSON-RPC as admin; the result, or the error's data."""
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
    return reply["result"] if "result" in reply else reply["error"]["data"]


def xmlrpc_call(server: RunningServer, path: str, method: str, *params: Any) -> Any:
    """One XML-RPC call; returns the result or the Fault."""
    body = xmlrpc.client.dumps(params, method, allow_none=True)
    response = httpx.post(f"{server.url}{path}", content=body.encode(), timeout=10)
    assert response.status_code == 200
    try:
        (result,), _ = xmlrpc.client.loads(response.content, use_builtin_types=True)
    except xmlrpc.client.Fault as fault:
        return fault
    return result


def xmlrpc_execute(server: RunningServer, model: str, method: str, *args: Any) -> Any:
    return xmlrpc_call(
        server, "/xmlrpc/2/object", "execute_kw", "trueup", 2, "admin", model, method, list(args)
    )


def sale_order(server: RunningServer, **extra: Any) -> tuple[int, int]:
    """A customer, a service product and a one-line quotation: (order id, product id)."""
    partner_id = execute(server, "res.partner", "create", {"name": "Trueup Buyer"})
    product_id = execute(server, "product.product", "create", {"name": "Seat", "list_price": 49.0})
    line = {"product_id": product_id, "product_uom_qty": 3.0, "price_unit": 40.0}
    vals = {"partner_id": partner_id, "order_line": [[0, 0, line]], **extra}
    return execute(server, "sale.order", "create", vals), product_id


# -- XML-RPC -------------------------------------------------------------------------------------


def test_xmlrpc_authenticates_with_the_password_or_the_api_key(server: RunningServer) -> None:
    for secret, expected in [("admin", 2), (KEY, 2), ("wrong", False)]:
        result = xmlrpc_call(
            server, "/xmlrpc/2/common", "authenticate", "trueup", "admin", secret, {}
        )
        assert result == expected


@pytest.mark.parametrize(
    ("password", "model", "method", "args", "code"),
    [
        ("wrong", "res.partner", "search_count", [[]], 3),
        ("admin", "res.partner", "write", [[99999], {"name": "x"}], 2),
        ("admin", "res.partner", "_private", [[1]], 4),
        ("admin", "no.such.model", "search", [[]], 2),
        ("admin", "res.partner", "read", [[1], ["no_such_field"]], 1),
    ],
    ids=["access_denied", "missing_record", "private_method", "unknown_model", "bad_field"],
)
def test_xmlrpc_faults_carry_odoos_integer_codes(
    server: RunningServer, password: str, model: str, method: str, args: list[Any], code: int
) -> None:
    fault = xmlrpc_call(
        server, "/xmlrpc/2/object", "execute_kw", "trueup", 2, password, model, method, args
    )

    assert isinstance(fault, xmlrpc.client.Fault)
    assert fault.faultCode == code
    assert fault.faultString.startswith("Traceback") is (code == 1)


def test_legacy_xmlrpc_faults_carry_text_codes(server: RunningServer) -> None:
    denied = xmlrpc_call(
        server, "/xmlrpc/object", "execute_kw", "trueup", 2, "wrong", "res.partner", "search", [[]]
    )
    missing = xmlrpc_call(
        server,
        "/xmlrpc/object",
        "execute_kw",
        "trueup",
        2,
        "admin",
        "res.partner",
        "write",
        [[99999], {"name": "x"}],
    )

    assert isinstance(denied, xmlrpc.client.Fault) and isinstance(missing, xmlrpc.client.Fault)
    assert (denied.faultCode, denied.faultString) == ("AccessDenied", "Access Denied")
    assert missing.faultCode.startswith("warning -- MissingError\n\nRecord does not exist")


def test_xmlrpc_answers_a_fault_for_nothing_returned_after_committing() -> None:
    running = serve(OdooStandIn(version=16, db="trueup", api_key=KEY))
    try:
        partner_id = execute(running, "res.partner", "create", {"name": "Trueup Archived"})
        fault = xmlrpc_execute(running, "res.partner", "action_archive", [partner_id])
        (row,) = execute(
            running,
            "res.partner",
            "read",
            [partner_id],
            fields=["active"],
            context={"active_test": False},
        )
        jsonrpc_answer = execute(running, "res.partner", "action_unarchive", [partner_id])
    finally:
        running.stop()

    assert isinstance(fault, xmlrpc.client.Fault)
    assert fault.faultCode == 1
    assert fault.faultString.rstrip().endswith(
        "TypeError: cannot marshal None unless allow_none is enabled"
    )
    assert row["active"] is False
    assert jsonrpc_answer is None


def test_xmlrpc_nil_clears_a_field(server: RunningServer) -> None:
    partner_id = execute(server, "res.partner", "create", {"name": "Trueup Nil", "ref": "R1"})

    assert xmlrpc_execute(server, "res.partner", "write", [partner_id], {"ref": None}) is True
    assert execute(server, "res.partner", "read", [partner_id], fields=["ref"])[0]["ref"] is False


# -- companies, users, currencies ----------------------------------------------------------------


def test_a_new_company_joins_the_users_companies_and_activates_its_currency(
    server: RunningServer,
) -> None:
    eur_id = execute(
        server, "res.currency", "search", [["name", "=", "EUR"]], context={"active_test": False}
    )[0]
    company_id = execute(
        server, "res.company", "create", {"name": "Trueup EU", "currency_id": eur_id}
    )

    (admin,) = execute(server, "res.users", "read", [2], fields=["company_ids", "company_id"])
    (eur,) = execute(server, "res.currency", "read", [eur_id], fields=["active"])
    assert company_id in admin["company_ids"]
    assert admin["company_id"][0] == 1
    assert eur["active"] is True


def test_currency_decimal_places_follow_the_rounding_and_a_company_currency_stays_active(
    server: RunningServer,
) -> None:
    jpy_id = execute(
        server, "res.currency", "search", [["name", "=", "JPY"]], context={"active_test": False}
    )[0]
    usd_id = execute(server, "res.company", "read", [1], fields=["currency_id"])[0]["currency_id"][
        0
    ]

    execute(server, "res.currency", "write", [jpy_id], {"active": True, "rounding": 0.001})
    (jpy,) = execute(server, "res.currency", "read", [jpy_id], fields=["decimal_places", "active"])
    refused = execute(server, "res.currency", "write", [usd_id], {"active": False})

    assert jpy == {"id": jpy_id, "decimal_places": 3, "active": True}
    assert refused["name"] == "odoo.exceptions.UserError"


def test_a_rate_reads_relative_to_the_company_currency(server: RunningServer) -> None:
    eur_id = execute(
        server, "res.currency", "search", [["name", "=", "EUR"]], context={"active_test": False}
    )[0]
    execute(server, "res.currency", "write", [eur_id], {"active": True})
    usd_id = execute(server, "res.company", "read", [1], fields=["currency_id"])[0]["currency_id"][
        0
    ]
    execute(
        server,
        "res.currency.rate",
        "create",
        {"currency_id": usd_id, "name": "2026-11-01", "rate": 2.0},
    )
    execute(
        server,
        "res.currency.rate",
        "create",
        {"currency_id": eur_id, "name": "2026-11-01", "rate": 1.0},
    )

    (eur,) = execute(server, "res.currency", "read", [eur_id], fields=["rate", "inverse_rate"])
    duplicate = execute(
        server,
        "res.currency.rate",
        "create",
        {"currency_id": eur_id, "name": "2026-11-01", "rate": 3.0},
    )

    assert (eur["rate"], eur["inverse_rate"]) == (0.5, 2.0)
    assert duplicate["name"] == "odoo.exceptions.ValidationError"


# -- products and sale orders --------------------------------------------------------------------


def test_a_product_variant_reads_its_templates_fields(server: RunningServer) -> None:
    product_id = execute(
        server,
        "product.product",
        "create",
        {"name": "Seat", "list_price": 49.0, "default_code": "SEAT"},
    )
    (product,) = execute(
        server, "product.product", "read", [product_id], fields=["display_name", "product_tmpl_id"]
    )
    template_id = product["product_tmpl_id"][0]
    execute(server, "product.template", "write", [template_id], {"list_price": 59.0})

    (template,) = execute(
        server, "product.template", "read", [template_id], fields=["product_variant_ids", "name"]
    )
    (priced,) = execute(server, "product.product", "read", [product_id], fields=["lst_price"])
    assert product["display_name"] == "[SEAT] Seat"
    assert template == {"id": template_id, "product_variant_ids": [product_id], "name": "Seat"}
    assert priced["lst_price"] == 59.0


def test_a_sale_order_totals_its_lines_and_confirms(server: RunningServer) -> None:
    order_id, _ = sale_order(server)

    (draft,) = execute(
        server, "sale.order", "read", [order_id], fields=["state", "amount_untaxed", "order_line"]
    )
    confirmed = execute(server, "sale.order", "action_confirm", [order_id])
    (order,) = execute(server, "sale.order", "read", [order_id], fields=["state", "invoice_status"])
    refused = execute(server, "sale.order", "unlink", [order_id])

    assert draft["state"] == "draft" and draft["amount_untaxed"] == 120.0
    assert len(draft["order_line"]) == 1
    assert confirmed is True
    assert order == {"id": order_id, "state": "sale", "invoice_status": "to invoice"}
    assert refused["name"] == "odoo.exceptions.UserError"


@pytest.mark.parametrize(
    ("commands", "expected_lines", "expected_total"),
    [
        ("add", 2, 130.0),
        ("update", 1, 150.0),
        ("delete", 0, 0.0),
        ("clear", 0, 0.0),
        ("replace", 0, 0.0),
    ],
    ids=["create_0", "update_1", "delete_2", "clear_5", "set_6"],
)
def test_order_lines_follow_x2many_commands(
    server: RunningServer, commands: str, expected_lines: int, expected_total: float
) -> None:
    order_id, product_id = sale_order(server)
    (line_id,) = execute(server, "sale.order", "read", [order_id], fields=["order_line"])[0][
        "order_line"
    ]
    by_name = {
        "add": [[0, 0, {"product_id": product_id, "product_uom_qty": 1.0, "price_unit": 10.0}]],
        "update": [[1, line_id, {"price_unit": 50.0}]],
        "delete": [[2, line_id, 0]],
        "clear": [[5, 0, 0]],
        "replace": [[6, 0, []]],
    }

    assert execute(server, "sale.order", "write", [order_id], {"order_line": by_name[commands]})
    (order,) = execute(
        server, "sale.order", "read", [order_id], fields=["order_line", "amount_total"]
    )
    assert len(order["order_line"]) == expected_lines
    assert order["amount_total"] == expected_total


@pytest.mark.parametrize(
    ("command", "expected"),
    [([[4, 2, 0]], [1, 2]), ([[3, 1, 0]], []), ([[6, 0, [2]]], [2]), ([[5, 0, 0]], [])],
    ids=["link_4", "unlink_3", "set_6", "clear_5"],
)
def test_partner_tags_follow_x2many_commands(
    server: RunningServer, command: list[Any], expected: list[int]
) -> None:
    partner_id = execute(
        server, "res.partner", "create", {"name": "Trueup Tagged", "category_id": [[6, 0, [1]]]}
    )

    execute(server, "res.partner", "write", [partner_id], {"category_id": command})
    (row,) = execute(server, "res.partner", "read", [partner_id], fields=["category_id"])
    assert sorted(row["category_id"]) == expected


def test_sale_orders_follow_the_company_record_rules(server: RunningServer) -> None:
    company_id = execute(server, "res.company", "create", {"name": "Trueup Second Co"})
    order_id, _ = sale_order(server)
    other_id = execute(
        server,
        "sale.order",
        "create",
        {"partner_id": execute(server, "res.partner", "create", {"name": "Other Buyer"})},
        context={"allowed_company_ids": [company_id, 1]},
    )

    main_only = execute(server, "sale.order", "search", [], context={"allowed_company_ids": [1]})
    no_context = execute(server, "sale.order", "search", [], order="id asc")
    hidden = execute(
        server,
        "sale.order",
        "read",
        [other_id],
        fields=["name"],
        context={"allowed_company_ids": [1]},
    )
    (other,) = execute(server, "sale.order", "read", [other_id], fields=["company_id"])

    assert main_only == [order_id]
    assert no_context == [order_id, other_id]
    assert hidden["name"] == "odoo.exceptions.AccessError"
    assert other["company_id"][0] == company_id


# -- the call log --------------------------------------------------------------------------------


def test_the_log_records_every_call_and_writes_only_data_changes(server: RunningServer) -> None:
    order_id, _ = sale_order(server)
    execute(server, "sale.order", "read", [order_id], fields=["name"])
    execute(server, "sale.order", "unlink", [99999])
    xmlrpc_execute(server, "sale.order", "action_confirm", [order_id])

    log = stand_in(server).log()
    written = [(c.detail["model"], c.detail["method"]) for c in stand_in(server).writes()]

    assert [(e["protocol"], e["model"], e["method"], e["outcome"]) for e in log] == [
        ("jsonrpc", "res.partner", "create", "ok"),
        ("jsonrpc", "product.product", "create", "ok"),
        ("jsonrpc", "sale.order", "create", "ok"),
        ("jsonrpc", "sale.order", "read", "ok"),
        ("jsonrpc", "sale.order", "unlink", "MissingError"),
        ("xmlrpc", "sale.order", "action_confirm", "ok"),
    ]
    assert log[2]["values"]["order_line"][0][2]["product_uom_qty"] == 3.0
    assert log[5]["ids"] == [order_id]
    assert written == [
        ("res.partner", "create"),
        ("product.product", "create"),
        ("sale.order", "create"),
        ("sale.order", "action_confirm"),
    ]
