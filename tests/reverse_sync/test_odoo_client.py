"""The Odoo client against answers recorded from real Odoo 16 and 19 servers.

An `httpx.MockTransport` replays the transcripts in `reference/odoo-transcripts/`: requests the
client sends are compared with the recorded ones (volatile parts masked), and recorded answers
are sent back on the wire as Odoo sends them.
"""

from __future__ import annotations

import copy
import json
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from werkzeug.wrappers import Request, Response

from reverse_sync import errors
from reverse_sync.errors import (
    OdooAccessDenied,
    OdooAccessError,
    OdooError,
    OdooMissingError,
    OdooNotFound,
    OdooRateLimited,
    OdooServerError,
    OdooTransportError,
    OdooUserError,
    OdooValidationError,
)
from reverse_sync.odoo_client import OdooClient, ServerInfo
from sandbox.http import StandIn, serve

TRANSCRIPTS = Path(__file__).resolve().parents[2].parent / "shared/reference/odoo-transcripts"
URL = "http://odoo.test"
SECRET_KEY = "sk-trueup-5f1c0ffee0ddba11deadbeef"
VOLATILE = "<volatile>"


def _load_cases() -> dict[str, dict[str, Any]]:
    cases: dict[str, dict[str, Any]] = {}
    for name in ("odoo16.jsonl", "odoo19.jsonl"):
        for line in (TRANSCRIPTS / name).read_text().splitlines():
            if line.strip():
                case = json.loads(line)
                cases[case["id"]] = case
    return cases


CASES = _load_cases()

# Answers the recordings hold only over XML-RPC; JSON-RPC carries the same `result`.
VERSION_16 = CASES["v16.xmlrpc.common.version"]["response"]["result"]
VERSION_19_JSON = CASES["v19.json2.json_version"]["response"]["result"]
VERSION_19_RPC = {
    "server_version": VERSION_19_JSON["version"],
    "server_version_info": VERSION_19_JSON["version_info"],
    "server_serie": VERSION_19_JSON["version"],
    "protocol_version": 1,
}
UID = CASES["v16.xmlrpc.common.authenticate.ok"]["response"]["result"]
CONTEXT_GET = CASES["v19.json2.context_get"]["response"]["result"]


# -- helpers: volatile masking and the recorded wire format --------------------------------------

_PATH_TOKEN = re.compile(r"\.([A-Za-z_]\w*)|\[(\d+|\*)\]")


def _mask(root: dict[str, Any], paths: list[str]) -> dict[str, Any]:
    """A copy of `root` with every volatile JSON path (`$.request.body.ids[*]`) replaced."""
    masked = copy.deepcopy(root)
    for path in paths:
        tokens = [key or index for key, index in _PATH_TOKEN.findall(path.removeprefix("$"))]
        _mask_at(masked, tokens)
    return masked


def _mask_at(node: Any, tokens: list[str]) -> None:
    head, rest = tokens[0], tokens[1:]
    if head == "*":
        keys: list[Any] = list(range(len(node))) if isinstance(node, list) else []
    elif head.isdigit():
        keys = [int(head)] if isinstance(node, list) and int(head) < len(node) else []
    else:
        keys = [head] if isinstance(node, dict) and head in node else []
    for key in keys:
        if rest:
            _mask_at(node[key], rest)
        else:
            node[key] = VOLATILE


def _recorded_answer(case: dict[str, Any], rpc_id: Any = None) -> httpx.Response:
    """The HTTP response Odoo sent for a case, rebuilt from the recorded summary."""
    response = case["response"]
    error = response.get("error")
    if case["protocol"] == "jsonrpc":
        if error is None:
            return httpx.Response(
                200, json={"jsonrpc": "2.0", "id": rpc_id, "result": response["result"]}
            )
        data = {
            "name": error["name"],
            "message": error["message_first_line"] + "\n(rest of the message)",
            "arguments": [error["message_first_line"]],
            "context": {},
            "debug": "Traceback (most recent call last):\n  ...",
        }
        body = {"code": error["jsonrpc_code"], "message": error["envelope_message"], "data": data}
        return httpx.Response(200, json={"jsonrpc": "2.0", "id": rpc_id, "error": body})

    if error is None:
        return httpx.Response(response["http_status"], json=response["result"])
    if error.get("body_is_json") is False:
        title = error["message_first_line"]
        html = f"<!doctype html><html><head><title>{title}</title></head><body></body></html>"
        return httpx.Response(
            error["http_status"], text=html, headers={"Content-Type": "text/html"}
        )
    body = {
        "name": error["name"],
        "message": error["message_first_line"] + "\n(rest of the message)",
        "arguments": [error["message_first_line"]],
        "context": {},
        "debug": "Traceback (most recent call last):\n  ...",
    }
    return httpx.Response(error["http_status"], json=body)


class RecordedOdoo:
    """A mock Odoo of one version: answers connect requests, then each `object` call in turn.

    `answers` are what the object calls get, in order: a recorded case or a ready response.
    Every object call is kept in `object_calls` as the recorded request shape.
    """

    def __init__(self, major: int, answers: list[dict[str, Any] | httpx.Response]) -> None:
        self.major = major
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []
        self.object_calls: list[dict[str, Any]] = []

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if request.method == "GET" and path == "/json/version":
            if self.major >= 19:
                return httpx.Response(200, json=VERSION_19_JSON)
            return httpx.Response(404, text="<title>404 Not Found</title>")
        if path == "/json/2/res.users/context_get":
            return httpx.Response(200, json=CONTEXT_GET)

        body = json.loads(request.content)
        if path == "/jsonrpc":
            params = body["params"]
            if params["service"] == "common" and params["method"] == "version":
                version = VERSION_19_RPC if self.major >= 19 else VERSION_16
                return httpx.Response(
                    200, json={"jsonrpc": "2.0", "id": body["id"], "result": version}
                )
            if params["service"] == "common" and params["method"] == "authenticate":
                _, _, key, _ = params["args"]
                uid = UID if key != "wrong-key" else False
                return httpx.Response(200, json={"jsonrpc": "2.0", "id": body["id"], "result": uid})
            db, uid, password, model, method, args, kwargs = params["args"]
            self.object_calls.append(
                {
                    "db": db,
                    "uid": uid,
                    "password": password,
                    "model": model,
                    "method": method,
                    "args": args,
                    "kwargs": kwargs,
                }
            )
        else:
            self.object_calls.append({"path": path, "headers": request.headers, "body": body})

        answer = self.answers.pop(0)
        if isinstance(answer, httpx.Response):
            return answer
        return _recorded_answer(answer, body.get("id"))


def _client(odoo: RecordedOdoo, *, api_key: str, db: str, **options: Any) -> OdooClient:
    return OdooClient(
        URL,
        db,
        username="admin",
        api_key=api_key,
        transport=odoo.transport(),
        backoff_seconds=0.0,
        **options,
    )


def _client_for_case(case: dict[str, Any], odoo: RecordedOdoo, **options: Any) -> OdooClient:
    request = case["request"]
    if case["protocol"] == "json2":
        key = request["headers"].get("Authorization", "bearer <API_KEY>").split(" ", 1)[1]
        return _client(odoo, api_key=key, db=request["headers"]["X-Odoo-Database"], **options)
    return _client(
        odoo, api_key=request["password"], db=request["db"], protocol="jsonrpc", **options
    )


# -- version detection ---------------------------------------------------------------------------


def test_connect_picks_json2_on_odoo_19() -> None:
    odoo = RecordedOdoo(19, [])

    info = _client(odoo, api_key="<API_KEY>", db="odoo19").connect()

    assert info == ServerInfo(version="19.0", major=19, protocol="json2", uid=2)
    context_get = odoo.requests[-1]
    assert context_get.url.path == "/json/2/res.users/context_get"
    assert context_get.headers["Authorization"] == "bearer <API_KEY>"
    assert context_get.headers["X-Odoo-Database"] == "odoo19"


def test_connect_picks_jsonrpc_on_odoo_16() -> None:
    odoo = RecordedOdoo(16, [])

    info = _client(odoo, api_key="admin", db="odoo16").connect()

    assert info == ServerInfo(version="16.0", major=16, protocol="jsonrpc", uid=2)
    authenticate = json.loads(odoo.requests[-1].content)["params"]
    assert authenticate == {
        "service": "common",
        "method": "authenticate",
        "args": ["odoo16", "admin", "admin", {}],
    }
    assert all("Authorization" not in request.headers for request in odoo.requests)


def test_connect_with_a_refused_key_names_user_and_db_but_not_the_key() -> None:
    odoo = RecordedOdoo(16, [])

    with pytest.raises(OdooAccessDenied) as raised:
        _client(odoo, api_key="wrong-key", db="odoo16").connect()

    assert "'admin'" in str(raised.value)
    assert "'odoo16'" in str(raised.value)
    assert "wrong-key" not in str(raised.value)


# -- request shapes ------------------------------------------------------------------------------


def _call_search_read(client: OdooClient, case: dict[str, Any]) -> Any:
    request = case["request"]
    if case["protocol"] == "json2":
        named = dict(request["body"])
    else:
        named = {"domain": request["args"][0], **request["kwargs"]}
    return client.search_read(
        request["model"],
        named["domain"],
        named["fields"],
        order=named.get("order"),
        limit=named.get("limit"),
        offset=named.get("offset", 0),
    )


def _call_create(client: OdooClient, case: dict[str, Any]) -> Any:
    request = case["request"]
    vals_list = request["body"]["vals_list"] if "body" in request else request["args"][0]
    return client.create(request["model"], vals_list)


def _call_write(client: OdooClient, case: dict[str, Any]) -> Any:
    request = case["request"]
    if "body" in request:
        ids, vals = request["body"]["ids"], request["body"]["vals"]
    else:
        ids, vals = request["args"]
    return client.write(request["model"], ids, vals)


def _call_read(client: OdooClient, case: dict[str, Any]) -> Any:
    request = case["request"]
    if "body" in request:
        ids, fields = request["body"]["ids"], request["body"]["fields"]
    else:
        ids, fields = request["args"][0], request["kwargs"]["fields"]
    return client.read(request["model"], ids, fields)


SHAPE_CASES: list[tuple[str, Callable[[OdooClient, dict[str, Any]], Any]]] = [
    ("v19.json2.search_read", _call_search_read),
    ("v19.json2.create.list", _call_create),
    ("v19.json2.write", _call_write),
    ("v19.json2.read", _call_read),
    ("v16.partner.search_read.domain_fields_limit_offset_order", _call_search_read),
    ("v16.partner.search_read.order_desc_all", _call_search_read),
    ("v16.partner.create.many", _call_create),
    ("v16.partner.write.ok", _call_write),
    ("v16.partner.read.m2o_and_false", _call_read),
    ("v19.partner.search_read.domain_fields_limit_offset_order", _call_search_read),
    ("v19.partner.create.many", _call_create),
    ("v19.partner.write.ok", _call_write),
    ("v19.partner.read.m2o_and_false", _call_read),
]


@pytest.mark.parametrize(
    ("case_id", "invoke"), SHAPE_CASES, ids=[case_id for case_id, _ in SHAPE_CASES]
)
def test_request_matches_the_recorded_request(
    case_id: str, invoke: Callable[[OdooClient, dict[str, Any]], Any]
) -> None:
    case = CASES[case_id]
    odoo = RecordedOdoo(int(case["odoo_version"].split(".")[0]), [case])
    client = _client_for_case(case, odoo)

    result = invoke(client, case)

    (sent,) = odoo.object_calls
    recorded = case["request"]
    if case["protocol"] == "json2":
        assert sent["path"] == recorded["path"]
        for header in ("Authorization", "X-Odoo-Database", "Content-Type"):
            assert sent["headers"][header] == recorded["headers"][header]
        compared = ["body"]
    else:
        compared = ["db", "uid", "password", "model", "method", "args", "kwargs"]
    sent_request = {"request": {key: sent[key] for key in compared}}
    recorded_request = {"request": {key: recorded[key] for key in compared}}
    assert _mask(sent_request, case["volatile"]) == _mask(recorded_request, case["volatile"])
    assert result == case["response"]["result"]


def test_context_travels_in_kwargs_over_jsonrpc_and_in_the_body_over_json2() -> None:
    case_16 = CASES["v16.partner.search.archived_active_test_false"]
    odoo_16 = RecordedOdoo(16, [case_16])
    client_16 = _client_for_case(case_16, odoo_16)
    domain = case_16["request"]["args"][0]

    ids = client_16.search("res.partner", domain, order="id asc", context={"active_test": False})

    assert odoo_16.object_calls[0]["args"] == case_16["request"]["args"]
    assert odoo_16.object_calls[0]["kwargs"] == case_16["request"]["kwargs"]
    assert ids == case_16["response"]["result"]

    case_19 = CASES["v19.json2.company.read_other"]
    odoo_19 = RecordedOdoo(19, [case_19])
    body = case_19["request"]["body"]
    with pytest.raises(OdooAccessError):
        _client_for_case(case_19, odoo_19).read(
            "res.partner", body["ids"], body["fields"], context=body["context"]
        )
    assert odoo_19.object_calls[0]["body"] == body


# -- error mapping -------------------------------------------------------------------------------

EXPECTED_BY_NAME: dict[str | None, type[OdooError]] = {
    "odoo.exceptions.MissingError": OdooMissingError,
    "odoo.exceptions.ValidationError": OdooValidationError,
    "builtins.ValueError": OdooValidationError,
    "builtins.KeyError": OdooValidationError,
    "odoo.exceptions.UserError": OdooUserError,
    "odoo.exceptions.AccessError": OdooAccessError,
    "werkzeug.exceptions.Unauthorized": OdooAccessDenied,
    "werkzeug.exceptions.NotFound": OdooNotFound,
    "builtins.TypeError": OdooServerError,
    "werkzeug.exceptions.UnprocessableEntity": OdooServerError,
    "werkzeug.exceptions.BadRequest": OdooServerError,
}
# Recorded errors without a name: an HTML body, so only the status speaks.
EXPECTED_BY_CASE: dict[str, type[OdooError]] = {
    "v19.json2.wrong_content_type": OdooTransportError,
    "v19.json2.unknown_database_header": OdooNotFound,
}
ERROR_CASES = [
    case
    for case in CASES.values()
    if case["protocol"] in ("jsonrpc", "json2") and "error" in case["response"]
]


def _call_like_recorded(client: OdooClient, case: dict[str, Any]) -> Any:
    """Make the call a recorded case made, through `OdooClient.call`."""
    request = case["request"]
    model, method = request.get("model", "res.partner"), request.get("method", "search_count")
    if case["protocol"] == "json2":
        params = dict(request.get("body", {"domain": []}))
        ids, context = params.pop("ids", None), params.pop("context", None)
        return client.call(model, method, ids=ids, context=context, **params)

    args, kwargs = list(request["args"]), dict(request["kwargs"])
    context = kwargs.pop("context", None)
    names = {"create": ["vals_list"], "write": ["ids", "vals"], "search": ["domain"]}
    names |= {"search_read": ["domain"], "search_count": ["domain"]}
    for name in names.get(method, ["ids"]):
        if args:
            kwargs[name] = args.pop(0)
    ids = kwargs.pop("ids", None)
    assert not args, f"{case['id']}: positional arguments left over: {args}"
    return client.call(model, method, ids=ids, context=context, **kwargs)


@pytest.mark.parametrize("case", ERROR_CASES, ids=[case["id"] for case in ERROR_CASES])
def test_recorded_error_maps_to_its_class(case: dict[str, Any]) -> None:
    error = case["response"]["error"]
    expected = EXPECTED_BY_CASE.get(case["id"]) or EXPECTED_BY_NAME[error["name"]]
    odoo = RecordedOdoo(int(case["odoo_version"].split(".")[0]), [case])
    client = _client_for_case(case, odoo)

    with pytest.raises(OdooError) as raised:
        _call_like_recorded(client, case)

    assert type(raised.value) is expected
    assert raised.value.name == error["name"]
    # The recording cut first lines at 120 characters.
    first_line = error["message_first_line"].strip()
    assert raised.value.odoo_message is not None
    assert raised.value.odoo_message.startswith(first_line)
    assert raised.value.method == case["request"].get("method", "search_count")
    assert first_line in str(raised.value)
    assert len(odoo.object_calls) == 1


def test_jsonrpc_errors_include_both_codes() -> None:
    codes = {case["response"]["error"].get("jsonrpc_code") for case in ERROR_CASES}

    assert {0, 200} <= codes


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (httpx.Response(429, headers={"Retry-After": "7"}), OdooRateLimited),
        (httpx.Response(502, text="<title>502 Bad Gateway</title>"), OdooTransportError),
        (
            httpx.Response(500, json={"name": "psycopg2.errors.Foo", "message": "x"}),
            OdooServerError,
        ),
        (httpx.Response(200, text="not json"), OdooTransportError),
        (httpx.Response(401, text="<title>401</title>"), OdooAccessDenied),
        (httpx.Response(403, json={"message": "no"}), OdooAccessError),
    ],
    ids=["429", "502-html", "500-unknown-name", "200-not-json", "401-html", "403-no-name"],
)
def test_json2_status_without_a_known_name_maps_to_its_class(
    answer: httpx.Response, expected: type[OdooError]
) -> None:
    odoo = RecordedOdoo(19, [answer])
    client = _client(odoo, api_key="<API_KEY>", db="odoo19")

    with pytest.raises(expected) as raised:
        client.call("res.partner", "action_archive", ids=[7])

    assert raised.value.http_status == answer.status_code
    if expected is OdooRateLimited:
        assert isinstance(raised.value, OdooRateLimited)
        assert raised.value.retry_after == 7.0


@pytest.mark.parametrize(
    "failure",
    [httpx.ConnectError("refused"), httpx.ReadTimeout("slow")],
    ids=["connect-error", "read-timeout"],
)
def test_connection_failures_become_transport_errors(failure: Exception) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise failure

    client = OdooClient(
        URL,
        "odoo19",
        username="admin",
        api_key=SECRET_KEY,
        transport=httpx.MockTransport(refuse),
        backoff_seconds=0.0,
        max_attempts=2,
    )

    with pytest.raises(OdooTransportError) as raised:
        client.connect()

    assert raised.value.__cause__ is failure
    assert SECRET_KEY not in str(raised.value)


def test_every_error_class_is_exported_and_derives_from_the_base() -> None:
    classes = [getattr(errors, name) for name in errors.__all__ if name.startswith("Odoo")]

    assert len(classes) == 10
    assert all(issubclass(cls, OdooError) for cls in classes)


# -- secrets -------------------------------------------------------------------------------------


@pytest.mark.parametrize("major", [16, 19], ids=["jsonrpc-16", "json2-19"])
def test_api_key_never_reaches_logs_or_errors(major: int, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "reverse_sync.odoo_client"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    if major == 16:
        search_case = CASES["v16.partner.search_count"]
        error_case = CASES["v16.partner.write.missing_id"]
    else:
        search_case = CASES["v19.json2.create.batch_atomic.check"]
        error_case = CASES["v19.json2.write.missing"]
    odoo = RecordedOdoo(major, [search_case, error_case])
    client = _client(odoo, api_key=SECRET_KEY, db=f"odoo{major}")

    client.search_count("res.partner", [["ref", "=", "x"]])
    with pytest.raises(OdooMissingError) as raised:
        client.write("res.partner", [99999999], {"name": "x"})
    logging.getLogger("httpx").debug("sent headers Authorization: bearer %s", SECRET_KEY)
    logging.getLogger("httpcore.http11").debug("(b'Authorization', b'bearer other-token')")

    assert SECRET_KEY not in caplog.text
    assert "other-token" not in caplog.text
    assert SECRET_KEY not in str(raised.value)
    assert SECRET_KEY not in repr(client)
    assert "res.partner.search_count" in caplog.text
    assert any(record.levelno == logging.DEBUG for record in caplog.records)


def test_one_info_line_per_call_with_counts(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="reverse_sync.odoo_client")
    case = CASES["v19.json2.read"]
    odoo = RecordedOdoo(19, [case])
    client = _client_for_case(case, odoo)
    client.connect()
    caplog.clear()

    _call_read(client, case)

    lines = [r.getMessage() for r in caplog.records if r.name == "reverse_sync.odoo_client"]
    assert len(lines) == 1
    assert lines[0].startswith("odoo res.partner.read via json2: ids=2 rows=2 elapsed=")


# -- retries -------------------------------------------------------------------------------------


@pytest.mark.parametrize("major", [16, 19], ids=["jsonrpc-16", "json2-19"])
def test_read_is_retried_after_a_503_then_succeeds(major: int) -> None:
    case = CASES[f"v{major}.partner.read.no_fields"] if major == 16 else CASES["v19.json2.read"]
    odoo = RecordedOdoo(major, [httpx.Response(503, text="<title>503</title>"), case])
    client = _client_for_case(case, odoo)

    result = _call_read(client, case)

    assert result == case["response"]["result"]
    assert len(odoo.object_calls) == 2
    assert odoo.object_calls[0] == odoo.object_calls[1]


@pytest.mark.parametrize("major", [16, 19], ids=["jsonrpc-16", "json2-19"])
def test_create_is_not_retried_after_a_503(major: int) -> None:
    case = CASES[f"v{major}.partner.create.many"] if major == 16 else CASES["v19.json2.create.list"]
    odoo = RecordedOdoo(major, [httpx.Response(503, text="<title>503</title>"), case])
    client = _client_for_case(case, odoo)

    with pytest.raises(OdooTransportError) as raised:
        _call_create(client, case)

    assert raised.value.method == "create"
    assert raised.value.http_status == 503
    assert len(odoo.object_calls) == 1


def test_reads_give_up_after_max_attempts() -> None:
    case = CASES["v19.json2.read"]
    answers: list[dict[str, Any] | httpx.Response] = [
        httpx.Response(429, headers={"Retry-After": "0"}) for _ in range(3)
    ]
    odoo = RecordedOdoo(19, answers)
    client = _client_for_case(case, odoo, max_attempts=3)

    with pytest.raises(OdooRateLimited):
        _call_read(client, case)

    assert len(odoo.object_calls) == 3


def test_json2_connect_with_a_refused_key_names_user_and_db() -> None:
    odoo = RecordedOdoo(19, [])
    refused = CASES["v19.json2.bad_key"]

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/json/2/res.users/context_get":
            return _recorded_answer(refused)
        return odoo.handle(request)

    client = OdooClient(
        URL, "odoo19", username="admin", api_key=SECRET_KEY, transport=httpx.MockTransport(handle)
    )

    with pytest.raises(OdooAccessDenied) as raised:
        client.connect()

    assert "'admin'" in str(raised.value)
    assert "'odoo19'" in str(raised.value)
    assert SECRET_KEY not in str(raised.value)


def test_api_key_stays_out_of_httpcore_debug_logs_over_loopback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class ReplayingOdoo(StandIn):
        """Odoo 19 over a real socket, so httpx and httpcore log their own debug lines."""

        system = "odoo-replay"

        def handle(self, request: Request, detail: dict[str, Any]) -> Response:
            detail["authorization"] = request.headers.get("Authorization")
            if request.path == "/json/version":
                return Response(json.dumps(VERSION_19_JSON), content_type="application/json")
            if request.path == "/json/2/res.users/context_get":
                return Response(json.dumps(CONTEXT_GET), content_type="application/json")
            return Response("4", content_type="application/json")

    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    running = serve(ReplayingOdoo())
    try:
        with OdooClient(running.url, "odoo19", username="admin", api_key=SECRET_KEY) as client:
            count = client.search_count("res.partner", [])
    finally:
        running.stop()

    assert count == 4
    assert running.stand_in.calls[-1].detail["authorization"] == f"bearer {SECRET_KEY}"
    assert any(record.name.startswith("httpcore") for record in caplog.records)
    assert SECRET_KEY not in caplog.text
