"""The Odoo stand-in: XML-RPC, JSON-RPC (`/jsonrpc`) and, on 19, JSON-2 (`/json/2/...`).

It answers as the recorded Odoo 16 and 19 servers do (see `reference/odoo-transcripts/`):
same results, same error envelopes, fault codes and statuses, same exception names. One
database, one user (admin, uid 2) who authenticates with the password or the API key over
XML-RPC and JSON-RPC, and with the API key as a bearer token over JSON-2.

XML-RPC is served on `/xmlrpc/2/<service>` (integer fault codes) and on the legacy
`/xmlrpc/<service>` (text fault codes). As in Odoo, the answer is marshalled after the call
has committed, so a method that returns nothing has changed the data and still answers with
a fault ("cannot marshal None"), where JSON-RPC answers `null`.
"""

from __future__ import annotations

import json
import logging
import xmlrpc.client
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, cast
from xml.parsers.expat import ExpatError

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound, UnsupportedMediaType
from werkzeug.wrappers import Request, Response

from sandbox.http import Call, StandIn, json_response
from sandbox.odoo.base import ADMIN_UID, base_records
from sandbox.odoo.errors import (
    OdooFault,
    access_denied,
    bad_request,
    legacy_xmlrpc_fault,
    not_found,
    unauthorized,
    unprocessable,
    user_error,
    xmlrpc_fault,
)
from sandbox.odoo.methods import Method, bind_positional, call, find_method, methods_for
from sandbox.odoo.orm import Database, Env
from sandbox.odoo.schema import load_schemas

logger = logging.getLogger(__name__)

DEFAULT_API_KEY = "trueup-sandbox-odoo-api-key"
SUPPORTED_VERSIONS = (16, 19)
# The version that serves Odoo Enterprise's subscriptions when switched on.
SUBSCRIPTIONS_VERSION = 19


class OdooStandIn(StandIn):
    """A loopback Odoo 16 or 19: partners, companies, currencies, products, sale orders,
    invoices, taxes, payments, credit notes and activities; as 19, optionally with Odoo
    Enterprise's subscriptions (`subscriptions=True`)."""

    system = "odoo"

    def __init__(
        self,
        *,
        version: int = 19,
        db: str = "trueup",
        login: str = "admin",
        password: str = "admin",
        api_key: str = DEFAULT_API_KEY,
        clock: Callable[[], datetime] | None = None,
        subscriptions: bool = False,
    ) -> None:
        """`subscriptions` says the database has Odoo Enterprise's subscriptions module: sale
        orders then take the subscription shape Enterprise gives them from 17 on (see
        `sandbox.odoo.subscriptions`). Only served as 19."""
        super().__init__()
        if version not in SUPPORTED_VERSIONS:
            raise ValueError(
                f"Odoo version {version} is not served; use one of {SUPPORTED_VERSIONS}"
            )
        if subscriptions and version != SUBSCRIPTIONS_VERSION:
            raise ValueError(
                f"the subscriptions module is served only with Odoo {SUBSCRIPTIONS_VERSION} "
                f"(Enterprise's subscription shape from 17 on); got version {version}"
            )
        self.version = version
        self.subscriptions = subscriptions
        self.db_name = db
        self.login = login
        self.password = password
        self.api_key = api_key
        self.clock = clock or (lambda: datetime.now(UTC))
        self.methods = methods_for(version, subscriptions_module=subscriptions)
        self.db = Database(version, load_schemas(version, subscriptions_module=subscriptions))
        self.db.reset(self._base(), now=self._now())

    def _base(self) -> dict[str, list[dict[str, Any]]]:
        return base_records(self.version, subscriptions_module=self.subscriptions)

    # -- world ---------------------------------------------------------------------------------

    def load(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Replace the world's records with `payload` ({model: [records with ids]}).

        Base records (`base_records`) stay; a world record may not reuse their ids. Returns the
        number of world records loaded per model.
        """
        base = self._base()
        merged = {model: [dict(row) for row in rows] for model, rows in base.items()}
        counts: dict[str, int] = {}
        for model, rows in payload.items():
            if not self.db.has_model(model):
                logger.warning(
                    "odoo stand-in skips %d %s records: model not served", len(rows), model
                )
                continue
            fields = self.db.schema(model).fields
            base_ids = {row["id"] for row in base.get(model, [])}
            for row in rows:
                if "id" not in row:
                    raise ValueError(
                        f"a {model} record of the world has no id; give every record one"
                    )
                if row["id"] in base_ids:
                    raise ValueError(
                        f"world {model} id {row['id']} collides with a base record; "
                        f"start world ids above {max(base_ids)}"
                    )
                unknown = sorted(set(row) - set(fields) - {"id"})
                if unknown:
                    raise ValueError(
                        f"world {model} id {row['id']} has fields Odoo {self.version} lacks: "
                        f"{unknown}; drop them or rename them"
                    )
            merged.setdefault(model, []).extend(dict(row) for row in rows)
            counts[model] = len(rows)
        self.db.reset(merged, now=self._now())
        logger.info("odoo stand-in loaded a world: %s", counts)
        return counts

    def log(self) -> list[dict[str, Any]]:
        """Every call received, oldest first: protocol, model, method, ids, values, outcome.

        `method` is the model method for object calls and the service method otherwise
        (`authenticate`, `version`); `changed` says whether the call changed data.
        """
        with self._lock:
            calls = list(self.calls)
        return [
            {
                "protocol": call.detail.get("protocol"),
                "model": call.detail.get("model"),
                "method": call.detail.get("method", call.detail.get("rpc_method")),
                "ids": list(call.detail.get("ids") or []),
                "values": call.detail.get("values"),
                "outcome": call.detail.get("outcome"),
                "changed": bool(call.detail.get("changed")),
            }
            for call in calls
        ]

    def writes(self) -> list[Call]:
        """The calls that changed data (a create, write, unlink, copy or load that took effect)."""
        with self._lock:
            return [c for c in self.calls if c.detail.get("changed")]

    # -- routing -------------------------------------------------------------------------------

    def handle(self, request: Request, detail: dict[str, Any]) -> Response:
        env_now = self._now()
        if request.path == "/jsonrpc":
            detail["protocol"] = "jsonrpc"
            if request.method != "POST":
                return _html_error(MethodNotAllowed(valid_methods=["POST"]))
            return self._jsonrpc(request, detail, env_now)
        if request.path.startswith("/xmlrpc/"):
            detail["protocol"] = "xmlrpc"
            if request.method != "POST":
                return _html_error(MethodNotAllowed(valid_methods=["POST"]))
            return self._xmlrpc(request, detail, env_now)
        if request.path.startswith("/json/") and self.version >= 17:
            detail["protocol"] = "json2"
            return self._json2(request, detail, env_now)
        detail["protocol"] = "http"
        return _html_error(NotFound())

    def _now(self) -> str:
        """The request's start as Odoo stores it (UTC): to the second on 19, finer on 16."""
        stamp = "%Y-%m-%d %H:%M:%S" if self.version >= 17 else "%Y-%m-%d %H:%M:%S.%f"
        return self.clock().astimezone(UTC).strftime(stamp)

    # -- JSON-RPC ------------------------------------------------------------------------------

    def _jsonrpc(self, request: Request, detail: dict[str, Any], now: str) -> Response:
        rpc_id: Any = None
        try:
            body = json.loads(request.get_data() or b"{}")
            rpc_id = body.get("id")
            params = body.get("params") or {}
            result = self._dispatch_rpc(
                str(params.get("service")),
                str(params.get("method")),
                params.get("args") or [],
                detail,
                now,
            )
        except OdooFault as fault:
            detail["outcome"] = fault.short_name
            return json_response({"jsonrpc": "2.0", "id": rpc_id, "error": self._rpc_error(fault)})
        except (ValueError, TypeError, AttributeError) as exc:
            # A malformed request body: Odoo answers these with the builtin's name too.
            builtin = OdooFault(f"builtins.{type(exc).__name__}", str(exc))
            detail["outcome"] = builtin.short_name
            return json_response(
                {"jsonrpc": "2.0", "id": rpc_id, "error": self._rpc_error(builtin)}
            )
        detail.setdefault("outcome", "ok")
        return json_response({"jsonrpc": "2.0", "id": rpc_id, "result": result})

    def _rpc_error(self, fault: OdooFault) -> dict[str, Any]:
        return {
            # The envelope code is 200 on 16 and 0 on 19; clients must dispatch on the name.
            "code": 0 if self.version >= 17 else 200,
            "message": "Odoo Server Error",
            "data": {
                "name": fault.name,
                "debug": f"Traceback (most recent call last):\n  (odoo stand-in)\n{fault.name}: "
                f"{fault.message}",
                "message": fault.message,
                "arguments": fault.arguments(),
                "context": {},
            },
        }

    def _dispatch_rpc(
        self, service: str, method: str, args: list[Any], detail: dict[str, Any], now: str
    ) -> Any:
        detail.update(service=service, rpc_method=method)
        if service == "common":
            if method == "version":
                return self._version_info()
            if method in ("login", "authenticate"):
                db, login, password = args[0], args[1], args[2]
                self._check_db(db)
                ok = login == self.login and password in (self.password, self.api_key)
                return ADMIN_UID if ok else False
        if service == "db" and method == "list":
            return [self.db_name]
        if service == "object" and method in ("execute_kw", "execute"):
            db, uid, password, model, name = args[:5]
            if method == "execute_kw":
                call_args = list(args[5]) if len(args) > 5 else []
                kwargs = dict(args[6] or {}) if len(args) > 6 else {}
            else:
                call_args, kwargs = list(args[5:]), {}
            self._check_db(db)
            if uid != ADMIN_UID or password not in (self.password, self.api_key):
                raise access_denied()
            context = kwargs.pop("context", None) or {}
            return self._execute_rpc(str(model), str(name), call_args, kwargs, context, detail, now)
        raise OdooFault("builtins.NameError", f"{method!r} is not a method of service {service!r}")

    def _execute_rpc(
        self,
        model: str,
        name: str,
        args: list[Any],
        kwargs: dict[str, Any],
        context: dict[str, Any],
        detail: dict[str, Any],
        now: str,
    ) -> Any:
        detail.update(model=model, method=name)
        if not self.db.has_model(model):
            raise user_error(f"Object {model} doesn't exist")
        method = find_method(self.methods, model, name, version=self.version)
        ids: list[int] = []
        if method.on_records:
            if not args:
                raise OdooFault(
                    "builtins.TypeError",
                    f"BaseModel.{name}() missing 1 required positional argument: 'self'",
                )
            ids, args = _as_ids(args[0]), args[1:]
        arguments = bind_positional(method, args, kwargs)
        return self._run(method, model, ids, arguments, context, detail, now, single_create=True)

    # -- XML-RPC -------------------------------------------------------------------------------

    def _xmlrpc(self, request: Request, detail: dict[str, Any], now: str) -> Response:
        parts = request.path.strip("/").split("/")
        legacy = len(parts) == 2
        if not (legacy or (len(parts) == 3 and parts[1] == "2")):
            return _html_error(NotFound())
        service = parts[-1]
        try:
            params, method = xmlrpc.client.loads(request.get_data(), use_builtin_types=True)
            result = self._dispatch_rpc(service, str(method), list(params), detail, now)
        except OdooFault as fault:
            detail["outcome"] = fault.short_name
            return self._xmlrpc_fault(fault, legacy=legacy)
        except (ValueError, TypeError, AttributeError, IndexError) as exc:
            builtin = OdooFault(f"builtins.{type(exc).__name__}", str(exc))
            detail["outcome"] = builtin.short_name
            return self._xmlrpc_fault(builtin, legacy=legacy)
        except ExpatError as exc:
            builtin = OdooFault("xml.parsers.expat.ExpatError", str(exc))
            detail["outcome"] = builtin.short_name
            return self._xmlrpc_fault(builtin, legacy=legacy)

        # The call has committed; only now is the answer marshalled, as Odoo does.
        try:
            body = xmlrpc.client.dumps((result,), methodresponse=True, allow_none=False)
        except TypeError as exc:
            detail["outcome"] = "TypeError"
            return self._xmlrpc_fault(OdooFault("builtins.TypeError", str(exc)), legacy=legacy)
        detail.setdefault("outcome", "ok")
        return _xml_response(body)

    def _xmlrpc_fault(self, fault: OdooFault, *, legacy: bool) -> Response:
        code: int | str
        code, text = legacy_xmlrpc_fault(fault) if legacy else xmlrpc_fault(fault)
        # The legacy paths' codes are text; the marshaller takes them as it takes ints.
        fault_code = cast(int, code)
        return _xml_response(xmlrpc.client.dumps(xmlrpc.client.Fault(fault_code, text)))

    # -- JSON-2 --------------------------------------------------------------------------------

    def _json2(self, request: Request, detail: dict[str, Any], now: str) -> Response:
        if request.path == "/json/version" and request.method == "GET":
            detail["outcome"] = "ok"
            info = self._version_info()
            return _json2_response(
                {"version_info": info["server_version_info"], "version": info["server_version"]}
            )
        parts = request.path.strip("/").split("/")
        try:
            if parts[:2] != ["json", "2"]:
                return _html_error(NotFound())
            if len(parts) != 4:
                raise not_found("Did you mean POST /json/2/<model>/<method>?")
            model, name = parts[2], parts[3]
            detail.update(model=model, method=name)
            if request.method != "POST":
                return _html_error(MethodNotAllowed(valid_methods=["POST"]))
            database = request.headers.get("X-Odoo-Database")
            if database is not None and database != self.db_name:
                return _html_error(NotFound())
            if request.mimetype != "application/json":
                return _html_error(UnsupportedMediaType())
            body = self._json2_body(request)
            self._json2_auth(request)
            result = self._json2_call(model, name, body, detail, now)
        except OdooFault as fault:
            detail["outcome"] = fault.short_name
            return _json2_response(
                {
                    "name": fault.name,
                    "message": fault.message,
                    "arguments": fault.arguments(),
                    "context": {},
                    "debug": f"Traceback (most recent call last):\n  (odoo stand-in)\n"
                    f"{fault.name}: {fault.message}",
                },
                status=fault.status,
            )
        detail.setdefault("outcome", "ok")
        return _json2_response(result)

    def _json2_body(self, request: Request) -> dict[str, Any]:
        try:
            body = json.loads(request.get_data() or b"{}")
        except json.JSONDecodeError as exc:
            raise bad_request(f"could not parse the body as json: {exc}") from exc
        if not isinstance(body, dict):
            raise bad_request("could not parse the body as json: the body must be an object")
        return body

    def _json2_auth(self, request: Request) -> None:
        scheme, _, key = (request.headers.get("Authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise unauthorized(
                "User not authenticated, use an API Key with a Bearer Authorization header."
            )
        if key.strip() != self.api_key:
            raise unauthorized("Invalid apikey")

    def _json2_call(
        self, model: str, name: str, body: dict[str, Any], detail: dict[str, Any], now: str
    ) -> Any:
        if not self.db.has_model(model):
            raise not_found(f"the model '{model}' does not exist")
        try:
            method = find_method(self.methods, model, name, version=self.version)
        except OdooFault as fault:
            if fault.name == "builtins.AttributeError":
                raise not_found(fault.message) from None
            raise

        body = dict(body)
        ids = body.pop("ids", None)
        context = body.pop("context", None) or {}
        if ids is not None and not method.on_records:
            raise unprocessable(f"cannot call {model}.{name} with ids")
        try:
            bound = method.signature().bind(**body)
        except TypeError as exc:
            raise unprocessable(str(exc)) from exc
        return self._run(
            method, model, _as_ids(ids or []), dict(bound.arguments), context, detail, now
        )

    # -- shared --------------------------------------------------------------------------------

    def _run(
        self,
        method: Method,
        model: str,
        ids: list[int],
        arguments: dict[str, Any],
        context: dict[str, Any],
        detail: dict[str, Any],
        now: str,
        *,
        single_create: bool = False,
    ) -> Any:
        """Run one method atomically and record it in the call's detail."""
        detail.update(model=model, method=method.name, ids=ids, context=context)
        if method.name in ("create", "write", "copy"):
            detail["values"] = arguments.get(
                "vals_list", arguments.get("vals", arguments.get("default"))
            )
        elif method.name == "load":
            detail["values"] = {"fields": arguments.get("fields"), "data": arguments.get("data")}

        env = Env(uid=ADMIN_UID, context=context, now=now, version=self.version)
        revision = self.db.revision
        state = self.db.snapshot() if method.mutates else None
        try:
            result = call(self.db, env, model, method, ids, arguments, single_create=single_create)
        except OdooFault:
            if state is not None:
                self.db.restore(state)
            raise
        detail["changed"] = self.db.revision != revision
        detail["outcome"] = "ok"
        logger.debug("odoo stand-in %s.%s ids=%s -> ok", model, method.name, ids)
        return result

    def _check_db(self, db: Any) -> None:
        if db != self.db_name:
            raise OdooFault(
                "psycopg2.OperationalError",
                f'connection to server failed: FATAL:  database "{db}" does not exist',
            )

    def _version_info(self) -> dict[str, Any]:
        serie = f"{self.version}.0"
        return {
            "server_version": serie,
            "server_version_info": [self.version, 0, 0, "final", 0, ""],
            "server_serie": serie,
            "protocol_version": 1,
        }


def _as_ids(value: Any) -> list[int]:
    if isinstance(value, int) and not isinstance(value, bool):
        return [value]
    return [int(i) for i in value or []]


def _xml_response(body: str) -> Response:
    """An XML-RPC answer: always HTTP 200, faults included."""
    return Response(body, status=200, content_type="text/xml; charset=utf-8")


def _json2_response(body: Any, *, status: int = 200) -> Response:
    return json_response(body, status=status)


def _html_error(exc: HTTPException) -> Response:
    """Werkzeug's own HTML error page, as Odoo sends before its JSON-2 handler runs."""
    return exc.get_response()
