"""The Odoo stand-in replays the recorded Odoo 19 and 16 transcripts and answers as Odoo did.

Each XML-RPC, JSON-RPC and JSON-2 case of `reference/odoo-transcripts/` on the models the stand-in
serves is sent, in recording order, to a served stand-in; its answer must equal the recorded
one everywhere except the case's `volatile` paths. Record ids the stand-in hands out are mapped
to the recorded ones as they appear in responses and substituted back into later requests, so
a case naming "partner 210" reaches the stand-in's own partner.
"""

from __future__ import annotations

import copy
import html
import json
import re
import xmlrpc.client
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from sandbox.http import serve
from sandbox.odoo import OdooStandIn
from tests.conftest import REFERENCE

TRANSCRIPTS = REFERENCE / "odoo-transcripts"
API_KEY = "<API_KEY>"

TOKEN = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\*|\d+)\]")


def read_cases(path: Path) -> list[dict[str, Any]]:
    """The cases of one transcript file, in recording order."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def path_pattern(path: str) -> re.Pattern[str]:
    """A volatile path (`$.response.result[*].id`) as a pattern over concrete paths."""
    pattern = re.escape(path).replace(r"\[\*\]", r"\[\d+\]")
    return re.compile(f"^{pattern}$")


def walk(value: Any, path: str) -> list[tuple[str, Any]]:
    """Every (concrete path, value) under `value`, containers included."""
    found = [(path, value)]
    if isinstance(value, dict):
        for key, item in value.items():
            found.extend(walk(item, f"{path}.{key}"))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(walk(item, f"{path}[{index}]"))
    return found


def set_path(document: Any, path: str, value: Any) -> None:
    """Set a concrete path (`$.request.args[0][1]`) inside `document` (rooted at `$`)."""
    tokens = [(name, index) for name, index in TOKEN.findall(path[1:])]
    target = document
    for name, index in tokens[:-1]:
        target = target[name] if name else target[int(index)]
    name, index = tokens[-1]
    if name:
        target[name] = value
    else:
        target[int(index)] = value


@dataclass
class Replayer:
    """Sends recorded requests to a served stand-in and keeps the recorded -> replayed ids."""

    url: str
    db: str
    api_key: str
    mapped: dict[Any, Any] = field(default_factory=dict)
    notes: dict[str, Any] = field(default_factory=dict)

    def rpc(
        self, model: str, method: str, args: list[Any], kwargs: dict[str, Any] | None = None
    ) -> Any:
        """A plain execute_kw call, for set-up steps that stand in for held-back cases."""
        body = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 0,
            "params": {
                "service": "object",
                "method": "execute_kw",
                "args": [self.db, 2, "admin", model, method, args, kwargs or {}],
            },
        }
        reply = httpx.post(f"{self.url}/jsonrpc", json=body, timeout=10).json()
        if "error" in reply:
            raise AssertionError(f"set-up call {model}.{method} failed: {reply['error']}")
        return reply["result"]

    def replay(self, case: dict[str, Any]) -> list[str]:
        """Send one case; return its differences from the recording (empty when it matches)."""
        volatile = [path_pattern(p) for p in case.get("volatile", [])]
        document = {"request": copy.deepcopy(case["request"])}
        for path, value in walk(document["request"], "$.request"):
            if any(p.match(path) for p in volatile) and _mappable(value) in self.mapped:
                set_path(document, path, self.mapped[_mappable(value)])

        request = document["request"]
        if case["protocol"] == "jsonrpc":
            actual = self._send_jsonrpc(request)
        elif case["protocol"] == "xmlrpc":
            actual = self._send_xmlrpc(request)
        else:
            actual = self._send_json2(request)
        return self._compare(case["response"], actual, "$.response", volatile)

    def _send_jsonrpc(self, request: dict[str, Any]) -> dict[str, Any]:
        if request["service"] == "object":
            args = [
                request["db"],
                request["uid"],
                request["password"],
                request["model"],
                request["method"],
                request["args"],
                request["kwargs"],
            ]
            method = request["rpc_method"]
        else:
            args, method = request["args"], request["method"]
        body = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": request["rpc_id"],
            "params": {"service": request["service"], "method": method, "args": args},
        }
        response = httpx.post(f"{self.url}{request['endpoint']}", json=body, timeout=10)
        reply = response.json()
        shaped: dict[str, Any] = {
            "http_status": response.status_code,
            "jsonrpc": reply["jsonrpc"],
            "id": reply["id"],
        }
        if "error" in reply:
            error = reply["error"]
            shaped["error"] = {
                "http_status": response.status_code,
                "jsonrpc_code": error["code"],
                "envelope_message": error["message"],
                "name": error["data"]["name"],
                "message_first_line": _first_line(error["data"]["message"]),
                "data_keys": sorted(error["data"]),
            }
        else:
            shaped["result"] = reply["result"]
        return shaped

    def _send_xmlrpc(self, request: dict[str, Any]) -> dict[str, Any]:
        """One XML-RPC call, its answer shaped as the recorder shaped it (see the README)."""
        if request["service"] == "object":
            params: tuple[Any, ...] = (
                request["db"],
                request["uid"],
                request["password"],
                request["model"],
                request["method"],
                request["args"],
                request["kwargs"],
            )
            method = request["rpc_method"]
        else:
            params, method = tuple(request["args"]), request["method"]
        body = xmlrpc.client.dumps(params, method, allow_none=True)
        response = httpx.post(
            f"{self.url}{request['endpoint']}",
            content=body.encode(),
            headers={"Content-Type": "text/xml"},
            timeout=10,
        )
        try:
            (result,), _ = xmlrpc.client.loads(response.content, use_builtin_types=True)
        except xmlrpc.client.Fault as fault:
            return {"http_status": response.status_code, "error": _shape_fault(fault, response)}
        return {"http_status": response.status_code, "result": result}

    def _send_json2(self, request: dict[str, Any]) -> dict[str, Any]:
        headers = {
            key: value.replace("<API_KEY>", self.api_key)
            for key, value in request.get("headers", {}).items()
        }
        if "raw_body" in request:
            content: bytes | None = request["raw_body"].encode()
        elif "body" in request:
            content = json.dumps(request["body"]).encode()
        else:
            content = None
        response = httpx.request(
            request["http_method"],
            f"{self.url}{request['path']}",
            headers=headers,
            content=content,
            timeout=10,
        )
        content_type = response.headers.get("content-type", "").split(";")[0]
        if response.status_code == 200:
            return {
                "http_status": 200,
                "content_type": content_type,
                "result": response.json(),
            }
        error: dict[str, Any] = {"http_status": response.status_code, "content_type": content_type}
        try:
            body = response.json()
        except ValueError:
            title = re.search(r"<title>(.*?)</title>", response.text)
            error.update(
                name=None,
                body_is_json=False,
                message_first_line=html.unescape(title.group(1)) if title else "",
            )
        else:
            error.update(
                name=body["name"],
                message_first_line=_first_line(body["message"]),
                body_keys=sorted(body),
                arguments_len=len(body["arguments"]),
            )
        return {"http_status": response.status_code, "error": error}

    def _compare(
        self, recorded: Any, actual: Any, path: str, volatile: list[re.Pattern[str]]
    ) -> list[str]:
        if any(p.match(path) for p in volatile):
            if _mappable(recorded) is not None and _mappable(actual) is not None:
                self.mapped[_mappable(recorded)] = actual
            return []
        if isinstance(recorded, dict) and isinstance(actual, dict):
            differences = []
            if sorted(recorded) != sorted(actual):
                differences.append(f"{path}: keys {sorted(actual)} != recorded {sorted(recorded)}")
            for key in recorded:
                if key in actual:
                    differences.extend(
                        self._compare(recorded[key], actual[key], f"{path}.{key}", volatile)
                    )
            return differences
        if isinstance(recorded, list) and isinstance(actual, list):
            if len(recorded) != len(actual):
                return [f"{path}: {actual!r} != recorded {recorded!r}"]
            differences = []
            for index, (left, right) in enumerate(zip(recorded, actual, strict=True)):
                differences.extend(self._compare(left, right, f"{path}[{index}]", volatile))
            return differences
        if recorded != actual or type(recorded) is not type(actual):
            return [f"{path}: {actual!r} != recorded {recorded!r}"]
        return []


def _mappable(value: Any) -> Any:
    """Ids and datetime strings are mapped; other volatile values (tags, names) are not."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", value):
        return value
    return None


def _shape_fault(fault: xmlrpc.client.Fault, response: httpx.Response) -> dict[str, Any]:
    """A fault as the recordings keep it: code, first lines, and the class when it shows."""
    error: dict[str, Any] = {"http_status": response.status_code}
    if isinstance(fault.faultCode, str):
        # Legacy /xmlrpc: the text code carries the message after a blank line, if at all.
        head, _, rest = fault.faultCode.partition("\n\n")
        error.update(
            fault_code=head.splitlines()[0],
            fault_code_kind="string",
            message_first_line=_first_line(rest or head),
            name=None,
            name_source="not_on_wire",
        )
        return error
    text = str(fault.faultString)
    error["fault_code"] = fault.faultCode
    if not text.startswith("Traceback (most recent call last):"):
        error.update(
            name=None,
            name_source="not_on_wire",
            message_first_line=_first_line(text),
            fault_string_is_traceback=False,
        )
        return error
    # The exception line is the first line after the traceback that is not indented.
    last = next(line for line in text.splitlines()[1:] if line and not line[0].isspace())
    shown, _, message = last.partition(": ")
    error.update(
        name=shown if "." in shown else f"builtins.{shown}",
        name_source="fault_string_traceback_last_line",
        message_first_line=message[:120],
        fault_string_is_traceback=True,
        fault_string_first_line=_first_line(text),
    )
    return error


def _first_line(message: str) -> str:
    for line in message.splitlines():
        if line.strip():
            return line.strip()[:120]
    return ""


class FakeClock:
    """The stand-in's clock; set-up steps move it on where a case needs time to pass."""

    def __init__(self) -> None:
        # A quarter second in, so 16's sub-second write_date shows as it does on a real server.
        self.now = datetime(2026, 12, 3, 12, 0, 0, 250000, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


# -- what is replayed ----------------------------------------------------------------------------

SERVED_MODELS = frozenset(
    {
        "res.partner",
        "ir.model.data",
        "res.users",
        "res.company",
        "res.partner.category",
        "res.currency",
        "res.currency.rate",
        "product.product",
        "product.template",
        "sale.order",
        "sale.order.line",
        "account.move",
        "account.move.line",
        "account.tax",
        "account.payment",
        "account.payment.register",
        "account.move.reversal",
        "mail.activity",
        "ir.model",
        "sale.advance.payment.inv",
    }
)

# In-scope cases (served models, JSON-RPC or JSON-2) that are not replayed, and why.
NOT_REPLAYED: dict[str, str] = {
    "v19.xmlrpc.access_error": (
        "needs the demo user (uid 5) and ir.config_parameter's access rules; the stand-in "
        "serves one user, the integration user"
    ),
    "v16.extra2.multicompany.partner.company_dependent.B": (
        "needs company-dependent partner properties (property_account_receivable_id and "
        "payable per company) and credit_limit, which the stand-in does not model"
    ),
}


def skip_reason(case: dict[str, Any]) -> str | None:
    """Why a case is not replayed, or None when it is."""
    if case["id"] in NOT_REPLAYED:
        return NOT_REPLAYED[case["id"]]
    model = case["request"].get("model")
    # no.such.model is asked for on purpose, to see the unknown-model error.
    if model is not None and model not in SERVED_MODELS and model != "no.such.model":
        return f"{model} is not served by the stand-in"
    return None


# -- set-ups standing in for held-back cases -----------------------------------------------------
# Some cases rely on records made by cases held back from the folder (their `state_before`
# says what). These steps make the same records through the API and map the recorded ids.

Setup = Callable[["Replayer", dict[str, Any], FakeClock], None]


def _fresh_partner(name: str) -> Setup:
    def setup(replayer: Replayer, case: dict[str, Any], clock: FakeClock) -> None:
        (partner_id,) = replayer.rpc("res.partner", "create", [[{"name": name}]])
        replayer.mapped[case["request"]["args"][0][0]] = partner_id

    return setup


def _currency_active(name: str) -> Setup:
    """The currency was switched on by an earlier recording run (see the case's state_before)."""

    def setup(replayer: Replayer, case: dict[str, Any], clock: FakeClock) -> None:
        context = {"active_test": False}
        ids = replayer.rpc("res.currency", "search", [[["name", "=", name]]], {"context": context})
        replayer.rpc("res.currency", "write", [ids, {"active": True}])

    return setup


def _second_company_partner(replayer: Replayer, case: dict[str, Any], clock: FakeClock) -> None:
    """company.partner.create_ctx (held back): a partner of the new company, made in its context."""
    recorded = case["response"]["result"][1]
    company_id = replayer.mapped[recorded["company_id"][0]]
    ref = case["request"]["args"][0][0][2]
    context = {"allowed_company_ids": [company_id]}
    vals = {"name": recorded["name"], "company_id": company_id, "ref": ref}
    replayer.rpc("res.partner", "create", [vals], {"context": context})


def _pages(replayer: Replayer, ref: str, clock: FakeClock) -> list[int]:
    """Five pages created in one call, then page 3 and later page 1 written 1.2 s apart."""
    if "pages" not in replayer.notes:
        vals = [{"name": f"Trueup Page {n}", "ref": ref} for n in range(5)]
        ids = replayer.rpc("res.partner", "create", [vals])
        clock.advance(1.2)
        replayer.rpc("res.partner", "write", [[ids[3]], {"comment": "touched"}])
        clock.advance(1.2)
        replayer.rpc("res.partner", "write", [[ids[1]], {"comment": "touched"}])
        replayer.notes["pages"] = ids
    pages: list[int] = replayer.notes["pages"]
    return pages


def _write_date(replayer: Replayer, partner_id: int) -> str:
    (row,) = replayer.rpc("res.partner", "read", [[partner_id]], {"fields": ["write_date"]})
    return str(row["write_date"])


def _paging_from_creation(replayer: Replayer, case: dict[str, Any], clock: FakeClock) -> None:
    """The domain's write_date is the pages' creation write_date."""
    pages = _pages(replayer, case["request"]["args"][0][0][2], clock)
    replayer.mapped[case["request"]["args"][0][1][2]] = _write_date(replayer, pages[0])


def _paging_last_touch(replayer: Replayer, case: dict[str, Any], clock: FakeClock) -> None:
    """The domain's write_date is the last write's (page 1)."""
    pages = _pages(replayer, case["request"]["args"][0][0][2], clock)
    replayer.mapped[case["request"]["args"][0][1][2]] = _write_date(replayer, pages[1])


def _write_three(ref: str) -> Setup:
    """Three partners created in one call about 1.2 s before paging2.write_three."""

    def setup(replayer: Replayer, case: dict[str, Any], clock: FakeClock) -> None:
        vals = [{"name": f"Trueup WD {n}", "ref": ref} for n in range(3)]
        ids = replayer.rpc("res.partner", "create", [vals])
        for recorded, new in zip(case["request"]["args"][0], ids, strict=True):
            replayer.mapped[recorded] = new
        replayer.notes["write_three"] = ids
        clock.advance(1.2)

    return setup


def _read_back_t(replayer: Replayer, case: dict[str, Any], clock: FakeClock) -> None:
    """T is the write_date read back after paging2.write_three."""
    first = replayer.notes["write_three"][0]
    replayer.mapped[case["request"]["args"][0][1][2]] = _write_date(replayer, first)


# -- accounting set-ups ---------------------------------------------------------------------------

# The recorded "Trueup Parent Co" partner each version's invoices were made for.
PARENT_PARTNER = {16: 181, 19: 210}


def _version(case: dict[str, Any]) -> int:
    return int(str(case["odoo_version"]).split(".")[0])


def _partner(replayer: Replayer, recorded: int, name: str) -> int:
    """The stand-in's partner for a recorded id, made with the recorded name if none is yet."""
    if recorded not in replayer.mapped:
        (partner_id,) = replayer.rpc("res.partner", "create", [[{"name": name}]])
        replayer.mapped[recorded] = partner_id
    mapped: int = replayer.mapped[recorded]
    return mapped


def _make_invoice(
    replayer: Replayer,
    partner_id: int,
    lines: list[tuple[float, float]],
    *,
    post: bool = True,
    day: str = "2026-12-01",
    currency_id: int | None = None,
    ref: str | None = None,
    company_id: int | None = None,
) -> tuple[int, list[int]]:
    """A customer invoice with untaxed lines (quantity, price); returns (id, line ids)."""
    vals: dict[str, Any] = {
        "move_type": "out_invoice",
        "partner_id": partner_id,
        "invoice_date": day,
        "invoice_line_ids": [
            [0, 0, {"name": "Trueup service line", "quantity": qty, "price_unit": price}]
            for qty, price in lines
        ],
    }
    if currency_id is not None:
        vals["currency_id"] = currency_id
    if ref is not None:
        vals["ref"] = ref
    kwargs = {"context": {"allowed_company_ids": [company_id]}} if company_id else {}
    (move_id,) = replayer.rpc("account.move", "create", [[vals]], kwargs)
    if post:
        replayer.rpc("account.move", "action_post", [[move_id]], kwargs)
    (move,) = replayer.rpc("account.move", "read", [[move_id], ["invoice_line_ids"]], kwargs)
    return move_id, list(move["invoice_line_ids"])


def _invoice(
    move: int,
    line: int | None = None,
    *,
    lines: tuple[tuple[float, float], ...] = ((2.0, 100.0),),
    post: bool = True,
    other_partner: int | None = None,
) -> Setup:
    """A fresh invoice of the parent partner (2 x 100.00 USD unless told), mapped to `move`."""

    def setup(replayer: Replayer, case: dict[str, Any], clock: FakeClock) -> None:
        partner_id = replayer.mapped[PARENT_PARTNER[_version(case)]]
        move_id, line_ids = _make_invoice(replayer, partner_id, list(lines), post=post)
        replayer.mapped[move] = move_id
        if line is not None:
            replayer.mapped[line] = line_ids[0]
        if other_partner is not None:
            _partner(replayer, other_partner, "Trueup Other Customer")

    return setup


def _reversal_wizard(move: int, wizard: int) -> Setup:
    """A posted 80.00 invoice and a reversal wizard on it (16: refund_method 'cancel')."""

    def setup(replayer: Replayer, case: dict[str, Any], clock: FakeClock) -> None:
        _invoice(move, lines=((1.0, 80.0),))(replayer, case, clock)
        vals: dict[str, Any] = {"reason": "Trueup cancel", "date": "2026-12-01"}
        if _version(case) < 17:
            vals.update(refund_method="cancel", date_mode="custom")
        context = {"active_model": "account.move", "active_ids": [replayer.mapped[move]]}
        wizard_id = replayer.rpc("account.move.reversal", "create", [vals], {"context": context})
        replayer.mapped[wizard] = wizard_id

    return setup


def _draft_payment(payment: int) -> Setup:
    """A fresh draft inbound payment of 30.00 from the parent partner."""

    def setup(replayer: Replayer, case: dict[str, Any], clock: FakeClock) -> None:
        vals = {
            "payment_type": "inbound",
            "partner_type": "customer",
            "partner_id": replayer.mapped[PARENT_PARTNER[_version(case)]],
            "amount": 30.0,
            "date": "2026-12-02",
        }
        replayer.mapped[payment] = replayer.rpc("account.payment", "create", [vals])

    return setup


def _invoice_and_payment_line(move: int, payment: int, line: int) -> Setup:
    """A posted 30.00 invoice, and the receivable line of a recorded (posted) payment."""

    def setup(replayer: Replayer, case: dict[str, Any], clock: FakeClock) -> None:
        _invoice(move, lines=((1.0, 30.0),))(replayer, case, clock)
        (row,) = replayer.rpc("account.payment", "read", [[replayer.mapped[payment]], ["move_id"]])
        lines = replayer.rpc(
            "account.move.line",
            "search",
            [
                [
                    ["move_id", "=", row["move_id"][0]],
                    ["account_id.account_type", "=", "asset_receivable"],
                ]
            ],
        )
        replayer.mapped[line] = lines[0]

    return setup


def _partners(named: dict[int, str]) -> Setup:
    def setup(replayer: Replayer, case: dict[str, Any], clock: FakeClock) -> None:
        for recorded, name in named.items():
            _partner(replayer, recorded, name)

    return setup


def _payable_invoices(invoices: dict[int, tuple[int, str, float]]) -> Setup:
    """Fresh posted invoices {recorded id: (recorded partner, partner name, amount)}."""

    def setup(replayer: Replayer, case: dict[str, Any], clock: FakeClock) -> None:
        for move, (recorded_partner, name, amount) in invoices.items():
            partner_id = _partner(replayer, recorded_partner, name)
            replayer.mapped[move], _ = _make_invoice(replayer, partner_id, [(1.0, amount)])

    return setup


def _batch_draft(move: int, partner: int, ref: str) -> Setup:
    """A fresh draft 10.00 invoice of the batch's first partner, with the batch's ref."""

    def setup(replayer: Replayer, case: dict[str, Any], clock: FakeClock) -> None:
        replayer.mapped[move], _ = _make_invoice(
            replayer, replayer.mapped[partner], [(1.0, 10.0)], post=False, ref=ref
        )

    return setup


def _lock_company(company: int, posted: int, draft: int | None, ref: str) -> Setup:
    """The generic chart in the fresh lock company, a posted invoice of 2026-11-10 (40.00) and,
    on 19, a draft one of 2026-11-15 (20.00)."""

    def setup(replayer: Replayer, case: dict[str, Any], clock: FakeClock) -> None:
        company_id = replayer.mapped[company]
        if _version(case) >= 17:
            replayer.rpc("account.chart.template", "try_loading", ["generic_coa", company_id])
        else:
            replayer.rpc("account.chart.template", "try_loading", [[1], company_id])
        (partner_id,) = replayer.rpc("res.partner", "create", [[{"name": "Trueup Lock Customer"}]])
        replayer.notes["lock_customer"] = partner_id
        replayer.mapped[posted], _ = _make_invoice(
            replayer, partner_id, [(1.0, 40.0)], day="2026-11-10", ref=ref, company_id=company_id
        )
        if draft is not None:
            replayer.mapped[draft], _ = _make_invoice(
                replayer,
                partner_id,
                [(1.0, 20.0)],
                post=False,
                day="2026-11-15",
                ref=ref,
                company_id=company_id,
            )

    return setup


def _drop_draft(company: int, draft: int) -> Setup:
    def setup(replayer: Replayer, case: dict[str, Any], clock: FakeClock) -> None:
        context = {"context": {"allowed_company_ids": [replayer.mapped[company]]}}
        replayer.rpc("account.move", "unlink", [[replayer.mapped[draft]]], context)

    return setup


def _hard_lock(company: int) -> Setup:
    def setup(replayer: Replayer, case: dict[str, Any], clock: FakeClock) -> None:
        company_id = replayer.mapped[company]
        context = {"context": {"allowed_company_ids": [company_id]}}
        replayer.rpc(
            "res.company", "write", [[company_id], {"hard_lock_date": "2026-10-31"}], context
        )

    return setup


def _lock_invoice(company: int, move: int, amount: float, day: str, ref: str) -> Setup:
    def setup(replayer: Replayer, case: dict[str, Any], clock: FakeClock) -> None:
        replayer.mapped[move], _ = _make_invoice(
            replayer,
            replayer.notes["lock_customer"],
            [(1.0, amount)],
            post=False,
            day=day,
            ref=ref,
            company_id=replayer.mapped[company],
        )

    return setup


def _eur_invoice(move: int, currency: int, company: int | None = None) -> Setup:
    """A fresh posted 2 x 100.00 EUR invoice, in the main company or a fresh one."""

    def setup(replayer: Replayer, case: dict[str, Any], clock: FakeClock) -> None:
        company_id = replayer.mapped[company] if company is not None else None
        partner_id = replayer.mapped[PARENT_PARTNER[_version(case)]]
        replayer.mapped[move], _ = _make_invoice(
            replayer, partner_id, [(2.0, 100.0)], currency_id=currency, company_id=company_id
        )

    return setup


def _post(move: int) -> Setup:
    """The case's state_before says the invoice was posted by a call that was not recorded."""

    def setup(replayer: Replayer, case: dict[str, Any], clock: FakeClock) -> None:
        replayer.rpc("account.move", "action_post", [[replayer.mapped[move]]])

    return setup


def _payreg(version: int, first_partner: int, moves: list[list[int]]) -> dict[str, Setup]:
    """Set-ups of the four register-wizard batches (one/two partners, grouped or not)."""
    names = ["One G", "One U", "Two G1", "Two G2", "Two U1", "Two U2"]
    amounts = [100.0, 50.0, 70.0]
    batches = {
        "one_partner.grouped": [(0, moves[0][0], 0), (0, moves[0][1], 1)],
        "one_partner.ungrouped": [(1, moves[1][0], 0), (1, moves[1][1], 1)],
        "two_partners.grouped": [(2, moves[2][0], 0), (2, moves[2][1], 1), (3, moves[2][2], 2)],
        "two_partners.ungrouped": [(4, moves[3][0], 0), (4, moves[3][1], 1), (5, moves[3][2], 2)],
    }
    return {
        f"v{version}.extra2.payreg.{batch}.create": _payable_invoices(
            {
                move: (first_partner + partner, f"Trueup Pay {names[partner]}", amounts[index])
                for partner, move, index in rows
            }
        )
        for batch, rows in batches.items()
    }


# Keyed by case id; the refs are the recorded runs' tags, which later cases search for.
SETUPS: dict[str, Setup] = {
    "v19.partner.unlink": _fresh_partner("Trueup To Delete"),
    "v19.company.partner.search_no_ctx": _second_company_partner,
    "v19.paging.write_date.after_last_touch": _paging_last_touch,
    "v19.extra2.category.write.link_link_unlink": _fresh_partner("Trueup Tagged Partner"),
    "v19.extra2.paging2.write_three": _write_three("TUEF33C83D-WD"),
    "v19.extra2.paging2.search_read.ge_T": _read_back_t,
    "v16.partner.unlink": _fresh_partner("Trueup To Delete"),
    "v16.currency.second.read": _currency_active("EUR"),
    "v16.paging.write_date.page2": _paging_from_creation,
    "v16.paging.write_date.after_last_touch": _paging_last_touch,
    "v16.extra2.category.write.link_link_unlink": _fresh_partner("Trueup Tagged Partner"),
    "v16.extra2.paging2.write_three": _write_three("TU4C9E2F20-WD"),
    "v16.extra2.paging2.search_read.eq_T": _read_back_t,
    # accounting, 19
    "v19.invoice.posted.write_line_price": _invoice(163, 357),
    "v19.invoice.posted.write_line_direct": _invoice(164, 359),
    "v19.invoice.posted.write_amount_total": _invoice(165),
    "v19.invoice.posted.write_partner": _invoice(166, other_partner=212),
    "v19.invoice.button_draft": _invoice(167, 365),
    "v19.refund.cancel.reverse": _reversal_wizard(170, 10),
    "v19.currency.second.invoice.read": _post(173),
    "v19.payment.register.create_partial": _invoice(177),
    "v19.xmlrpc.payment.action_post": _draft_payment(29),
    "v19.payment.js_assign_outstanding_line.jsonrpc": _invoice_and_payment_line(182, 28, 394),
    "v19.xmlrpc.js_assign_outstanding_line": _invoice_and_payment_line(183, 29, 396),
    "v19.xmlrpc.invoice.action_post": _invoice(185, lines=((1.0, 42.0),), post=False),
    "v19.json2.invoice.action_post": _invoice(187, 407, lines=((1.0, 60.0),), post=False),
    "v19.extra2.batch.create.many": _partners(
        {906: "Trueup X2 Customer", 907: "Trueup X2 Customer Two"}
    ),
    "v19.extra2.batch.action_post.mixed": _batch_draft(410, 906, "TUEF33C83D-BATCH"),
    **_payreg(19, 908, [[411, 412], [414, 415], [418, 419, 420], [423, 424, 425]]),
    "v19.extra2.lock.company.write.with_draft": _lock_company(10, 429, 430, "TUEF33C83D-LOCK"),
    "v19.extra2.lock.company.write": _drop_draft(10, 430),
    "v19.extra2.lock.company.remove_hard_lock": _hard_lock(10),
    "v19.extra2.lock.invoice.inside.action_post": _lock_invoice(
        10, 431, 25.0, "2026-11-15", "TUEF33C83D-LOCK"
    ),
    "v19.extra2.lock.invoice.after.action_post": _lock_invoice(
        10, 432, 35.0, "2026-12-01", "TUEF33C83D-LOCK"
    ),
    "v19.extra2.currency.eur_invoice.fresh_company.read": _eur_invoice(434, 126, company=10),
    "v19.extra2.json2.payreg.create": _payable_invoices(
        {437: (914, "Trueup J2 Pay", 100.0), 438: (914, "Trueup J2 Pay", 50.0)}
    ),
    # accounting, 16
    "v16.invoice.posted.write_line_price": _invoice(111, 240),
    "v16.invoice.posted.write_line_direct": _invoice(112, 242),
    "v16.invoice.posted.write_amount_total": _invoice(113),
    "v16.invoice.posted.write_partner": _invoice(114, other_partner=183),
    "v16.invoice.button_draft": _invoice(115, 248),
    "v16.invoice.draft.unlink": _invoice(116, post=False),
    "v16.refund.cancel.reverse": _reversal_wizard(118, 11),
    "v16.payment.register.create_partial": _invoice(124),
    "v16.xmlrpc.payment.action_post": _draft_payment(25),
    "v16.payment.js_assign_outstanding_line.jsonrpc": _invoice_and_payment_line(129, 24, 275),
    "v16.xmlrpc.js_assign_outstanding_line": _invoice_and_payment_line(130, 25, 277),
    "v16.xmlrpc.invoice.action_post": _invoice(132, lines=((1.0, 42.0),), post=False),
    "v16.extra2.batch.create.many": _partners(
        {863: "Trueup X2 Customer", 864: "Trueup X2 Customer Two"}
    ),
    **_payreg(16, 865, [[348, 349], [351, 352], [355, 356, 357], [360, 361, 362]]),
    "v16.extra2.lock.company.write": _lock_company(9, 367, None, "TU4C9E2F20-LOCK"),
    "v16.extra2.lock.invoice.inside.action_post": _lock_invoice(
        9, 368, 25.0, "2026-11-15", "TU4C9E2F20-LOCK"
    ),
    "v16.extra2.lock.invoice.after.action_post": _lock_invoice(
        9, 369, 35.0, "2026-12-01", "TU4C9E2F20-LOCK"
    ),
    "v16.extra2.multicompany.move.search_read.A": _batch_draft(347, 863, "TU4C9E2F20-BATCH"),
    "v16.extra2.currency.eur_invoice.main.read": _eur_invoice(370, 1),
}


# -- the replay ----------------------------------------------------------------------------------


def cases_of(version: int) -> list[dict[str, Any]]:
    path = TRANSCRIPTS / f"odoo{version}.jsonl"
    return read_cases(path) if path.is_file() else []


def replay_all(version: int, db: str) -> Iterator[tuple[str, str | None, list[str]]]:
    """Replay a transcript once, in order: (case id, skip reason, differences) per case."""
    clock = FakeClock()
    stand_in = OdooStandIn(version=version, db=db, api_key=API_KEY, clock=clock)
    server = serve(stand_in)
    replayer = Replayer(server.url, db, API_KEY)
    try:
        for case in cases_of(version):
            reason = skip_reason(case)
            if reason is not None:
                yield case["id"], reason, []
                continue
            setup = SETUPS.get(case["id"])
            if setup is not None:
                setup(replayer, case, clock)
            yield case["id"], None, replayer.replay(case)
    finally:
        server.stop()


@pytest.fixture(scope="module")
def replayed_19(reference_dir: Path) -> dict[str, tuple[str | None, list[str]]]:
    """Every Odoo 19 case replayed once against one stand-in, by case id."""
    return {case_id: (reason, diff) for case_id, reason, diff in replay_all(19, "odoo19")}


@pytest.mark.parametrize("case_id", [case["id"] for case in cases_of(19)])
def test_odoo19_case_answers_as_recorded(
    case_id: str, replayed_19: dict[str, tuple[str | None, list[str]]]
) -> None:
    reason, differences = replayed_19[case_id]
    if reason is not None:
        pytest.skip(reason)
    assert differences == []


@pytest.fixture(scope="module")
def replayed_16(reference_dir: Path) -> dict[str, tuple[str | None, list[str]]]:
    """Every Odoo 16 case replayed once against one stand-in, by case id."""
    return {case_id: (reason, diff) for case_id, reason, diff in replay_all(16, "odoo16")}


@pytest.mark.parametrize("case_id", [case["id"] for case in cases_of(16)])
def test_odoo16_case_answers_as_recorded(
    case_id: str, replayed_16: dict[str, tuple[str | None, list[str]]]
) -> None:
    reason, differences = replayed_16[case_id]
    if reason is not None:
        pytest.skip(reason)
    assert differences == []


@pytest.mark.parametrize(
    ("path", "value", "differs"),
    [
        (("response", "result", "version"), "18.0", True),
        (("response", "content_type"), "text/html", True),
        (("volatile",), ["$.response.result.version"], False),
    ],
    ids=["changed_value", "changed_content_type", "volatile_value"],
)
def test_replay_flags_any_difference_outside_volatile_paths(
    path: tuple[str, ...], value: Any, differs: bool
) -> None:
    case = next(c for c in cases_of(19) if c["id"] == "v19.json2.json_version")
    tampered = copy.deepcopy(case)
    target = tampered
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    if path == ("volatile",):
        tampered["response"]["result"]["version"] = "18.0"
    server = serve(OdooStandIn(version=19, db="odoo19", api_key=API_KEY))
    try:
        differences = Replayer(server.url, "odoo19", API_KEY).replay(tampered)
    finally:
        server.stop()

    assert bool(differences) is differs
