"""The one Odoo client trueup uses, over JSON-2 (Odoo 19+) or JSON-RPC `execute_kw` (16 to 18).

Calls are keyword-based (`call(model, method, ids=..., context=..., **params)`) so one call reads
the same on both transports. Odoo's exceptions come back as the typed errors of
`reverse_sync.errors`. Read methods are retried on 429, 5xx and connection errors; writes never
are, because Odoo may have committed before the answer was lost.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal, NoReturn, Self

import httpx
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)

from reverse_sync.errors import (
    OdooAccessDenied,
    OdooError,
    OdooRateLimited,
    OdooServerError,
    OdooTransportError,
    error_class_for,
)

__all__ = ["READ_METHODS", "OdooClient", "RedactingFilter", "ServerInfo"]

logger = logging.getLogger(__name__)

Protocol = Literal["json2", "jsonrpc"]

# Methods that change nothing in Odoo, so a lost or refused answer can safely be asked again.
READ_METHODS = frozenset(
    {
        "search",
        "search_read",
        "read",
        "search_count",
        "fields_get",
        "name_search",
        "context_get",
        "version",
    }
)

# Over JSON-RPC these parameters travel positionally, as in the recorded requests. Odoo 16 names
# the domain of `search`/`search_count` `args` and of `name_search` `args` too, so a `domain=`
# keyword fails there (transcript v16.partner.name_search.domain); position works on 16 to 19.
_JSONRPC_POSITIONAL: dict[str, tuple[str, ...]] = {
    "search": ("domain",),
    "search_count": ("domain",),
    "search_read": ("domain",),
    "name_search": ("name", "domain"),
    "create": ("vals_list",),
    "write": ("vals",),
    "load": ("fields", "data"),
    "fields_get": ("allfields",),
}

# Loggers that see requests: ours, and httpx's and httpcore's (httpcore logs from children).
_REDACTED_LOGGERS = (
    __name__,
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
)

_MASK = "***"
_BEARER = re.compile(r"(?i)\b(bearer|basic)(\s+)[^\s\"',)}\]]+")
_AUTHORIZATION = re.compile(
    r"(?i)(authorization[\"']?\s*[:=,]\s*b?[\"']?)(?!\s*(?:bearer|basic)\b)[^\s\"',)}\]]+"
)


class RedactingFilter(logging.Filter):
    """Masks given secrets, bearer tokens and `Authorization` values in every log record."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._secrets = [secret for secret in secrets if secret]

    def redact_secrets(self, text: str) -> str:
        """The text with every given secret replaced by `***` (for Odoo's own messages)."""
        for secret in self._secrets:
            text = text.replace(secret, _MASK)
        return text

    def redact(self, text: str) -> str:
        """The text with every secret and credential header value replaced by `***`."""
        text = _BEARER.sub(rf"\1\2{_MASK}", self.redact_secrets(text))
        return _AUTHORIZATION.sub(rf"\1{_MASK}", text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.redact(message)
        if redacted != message:
            record.msg = redacted
            record.args = None
        return True


@dataclass(frozen=True)
class ServerInfo:
    """What `connect` learned: Odoo's version ("19.0"), its major number, transport and uid."""

    version: str
    major: int
    protocol: Protocol
    uid: int


class OdooClient:
    """One connection to one Odoo database, as one user authenticated by an API key.

    `protocol="auto"` asks the server its version and uses JSON-2 from Odoo 19 on, JSON-RPC
    before. Every call has an explicit timeout (seconds). Read methods (`READ_METHODS`) are
    retried up to `max_attempts` times with exponential backoff from `backoff_seconds` on 429,
    5xx and connection errors; any other method is sent once. The client connects on first use
    if `connect` was not called. Use it as a context manager, or call `close`.
    """

    def __init__(
        self,
        url: str,
        db: str,
        *,
        username: str,
        api_key: str,
        protocol: Literal["auto", "json2", "jsonrpc"] = "auto",
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
        max_attempts: int = 4,
        backoff_seconds: float = 0.5,
    ) -> None:
        if not api_key:
            raise ValueError(f"OdooClient for {username!r} on {db!r} needs a non-empty api_key")
        self.url = url.rstrip("/")
        self.db = db
        self.username = username
        self._api_key = api_key
        self._requested_protocol = protocol
        self._max_attempts = max(1, max_attempts)
        self._backoff_seconds = backoff_seconds
        self._rpc_ids = itertools.count(1)
        self._info: ServerInfo | None = None

        self._redactor = RedactingFilter([api_key])
        for name in _REDACTED_LOGGERS:
            logging.getLogger(name).addFilter(self._redactor)
        self._http = httpx.Client(
            base_url=self.url, timeout=httpx.Timeout(timeout), transport=transport
        )

    def __repr__(self) -> str:
        return f"OdooClient(url={self.url!r}, db={self.db!r}, username={self.username!r})"

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP connections and take the redaction filter off the loggers."""
        self._http.close()
        for name in _REDACTED_LOGGERS:
            logging.getLogger(name).removeFilter(self._redactor)

    # -- connection ---------------------------------------------------------------------------

    def connect(self) -> ServerInfo:
        """Learn the server's version, pick the transport and check the credentials.

        Returns the `ServerInfo`; raises `OdooAccessDenied` when the key is refused.
        """
        version, major = self._fetch_version()
        protocol: Protocol
        if self._requested_protocol == "auto":
            protocol = "json2" if major >= 19 else "jsonrpc"
        else:
            protocol = self._requested_protocol

        if protocol == "json2":
            try:
                user_context = self._retrying(
                    "context_get", lambda: self._json2("res.users", "context_get", None, None, {})
                )
            except OdooAccessDenied as exc:
                raise self._refused() from exc
            uid = user_context.get("uid") if isinstance(user_context, dict) else None
        else:
            uid = self._authenticate()
        if not isinstance(uid, int) or isinstance(uid, bool):
            raise OdooServerError(
                f"Odoo at {self.url} answered no user id for {self.username!r} on {self.db!r}; "
                "check the server's authentication setup",
                model="res.users",
                method="authenticate",
            )

        self._info = ServerInfo(version=version, major=major, protocol=protocol, uid=uid)
        logger.info(
            "odoo connected: version %s, protocol %s, db %s, uid %d",
            version,
            protocol,
            self.db,
            uid,
        )
        return self._info

    def _fetch_version(self) -> tuple[str, int]:
        # /json/version exists from Odoo 19 on; older servers answer it with an HTML 404.
        answer: Any = None
        if self._requested_protocol != "jsonrpc":
            answer = self._retrying("version", self._get_json_version)
        if isinstance(answer, dict) and "version" in answer:
            return _parse_version(answer.get("version"), answer.get("version_info"))

        answer = self._retrying("version", lambda: self._jsonrpc("common", "version", []))
        if not isinstance(answer, dict):
            raise OdooTransportError(
                f"Odoo at {self.url} answered common.version with {type(answer).__name__}, "
                "not an object; check the URL points at an Odoo server",
                method="version",
            )
        return _parse_version(answer.get("server_version"), answer.get("server_version_info"))

    def _get_json_version(self) -> Any:
        response = self._send("GET", "/json/version", None, None, model=None, method="version")
        payload, is_json = _decode(response)
        if response.status_code == 429 or response.status_code >= 500:
            raise self._error(None, "version", response, payload, is_json)
        return payload if response.status_code == 200 else None

    def _authenticate(self) -> Any:
        uid = self._jsonrpc("common", "authenticate", [self.db, self.username, self._api_key, {}])
        if uid is False:
            raise self._refused()
        return uid

    def _refused(self) -> OdooAccessDenied:
        return OdooAccessDenied(
            f"Odoo refused the API key of user {self.username!r} on database {self.db!r}; "
            f"{OdooAccessDenied.hint}",
            model="res.users",
            method="authenticate",
            name="odoo.exceptions.AccessDenied",
        )

    # -- calls --------------------------------------------------------------------------------

    def call(
        self,
        model: str,
        method: str,
        *,
        ids: list[int] | None = None,
        context: dict[str, Any] | None = None,
        **params: Any,
    ) -> Any:
        """Call `model.method` with named parameters and return Odoo's result as decoded JSON.

        `ids` are the records the method runs on (omit for model-level methods such as
        `search`); `context` is Odoo's context (`active_test`, `allowed_company_ids`, `lang`).
        Raises a subclass of `OdooError`.
        """
        info = self._info or self.connect()
        started = time.monotonic()
        try:
            if info.protocol == "json2":
                result = self._retrying(
                    method, lambda: self._json2(model, method, ids, context, params)
                )
            else:
                args, kwargs = _execute_kw_arguments(method, ids, context, params)
                execute_kw = [self.db, info.uid, self._api_key, model, method, args, kwargs]
                result = self._retrying(
                    method, lambda: self._jsonrpc("object", "execute_kw", execute_kw)
                )
        except OdooError as exc:
            logger.warning(
                "odoo %s.%s failed after %.3fs: %s (%s)",
                model,
                method,
                time.monotonic() - started,
                type(exc).__name__,
                exc.name or exc.http_status,
            )
            raise

        logger.info(
            "odoo %s.%s via %s: ids=%d rows=%s elapsed=%.3fs",
            model,
            method,
            info.protocol,
            len(ids or ()),
            _row_count(result),
            time.monotonic() - started,
        )
        return result

    def search_read(
        self,
        model: str,
        domain: list[Any],
        fields: list[str],
        *,
        order: str | None = None,
        limit: int | None = None,
        offset: int = 0,
        context: dict[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        """Records matching `domain`, one dict per record with `id` and the asked `fields`."""
        params = _page_params(order=order, limit=limit, offset=offset)
        result = self.call(
            model, "search_read", context=context, domain=domain, fields=fields, **params
        )
        return _expect_list(result, model, "search_read")

    def search(
        self,
        model: str,
        domain: list[Any],
        *,
        order: str | None = None,
        limit: int | None = None,
        offset: int = 0,
        context: dict[str, Any] | None = None,
    ) -> list[int]:
        """Ids of the records matching `domain`."""
        params = _page_params(order=order, limit=limit, offset=offset)
        result = self.call(model, "search", context=context, domain=domain, **params)
        return _expect_list(result, model, "search")

    def search_count(
        self, model: str, domain: list[Any], *, context: dict[str, Any] | None = None
    ) -> int:
        """How many records match `domain`."""
        result = self.call(model, "search_count", context=context, domain=domain)
        if not isinstance(result, int) or isinstance(result, bool):
            raise _unexpected(result, model, "search_count", "an integer")
        return result

    def read(
        self,
        model: str,
        ids: list[int],
        fields: list[str] | None,
        *,
        context: dict[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        """One dict per existing record of `ids`; Odoo silently drops ids that do not exist."""
        params = {} if fields is None else {"fields": fields}
        result = self.call(model, "read", ids=ids, context=context, **params)
        return _expect_list(result, model, "read")

    def create(
        self,
        model: str,
        vals_list: list[dict[str, Any]],
        *,
        context: dict[str, Any] | None = None,
    ) -> list[int]:
        """Create one record per dict in one transaction; the new ids, in the same order."""
        result = self.call(model, "create", context=context, vals_list=vals_list)
        if isinstance(result, int) and not isinstance(result, bool):
            return [result]
        return _expect_list(result, model, "create")

    def write(
        self,
        model: str,
        ids: list[int],
        vals: dict[str, Any],
        *,
        context: dict[str, Any] | None = None,
    ) -> bool:
        """Write `vals` to every record of `ids`; raises `OdooMissingError` if one is gone."""
        result = self.call(model, "write", ids=ids, context=context, vals=vals)
        if not isinstance(result, bool):
            raise _unexpected(result, model, "write", "true or false")
        return result

    def load(
        self,
        model: str,
        fields: list[str],
        rows: list[list[Any]],
        *,
        context: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Import `rows` by column `fields` (an `id` column is the xmlid); Odoo's report.

        The report holds `ids` (False when any row failed and nothing was kept), `messages` and
        `nextrow`. A refused row is reported there, not raised.
        """
        result = self.call(model, "load", context=context, fields=fields, data=rows)
        if not isinstance(result, dict):
            raise _unexpected(result, model, "load", "an object")
        return result

    def fields_get(
        self,
        model: str,
        attributes: list[str] | None = None,
        *,
        allfields: list[str] | None = None,
        context: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Field definitions of `model` by field name, limited to `attributes` when given."""
        params: dict[str, Any] = {}
        if allfields is not None:
            params["allfields"] = allfields
        if attributes is not None:
            params["attributes"] = attributes
        result = self.call(model, "fields_get", context=context, **params)
        if not isinstance(result, dict):
            raise _unexpected(result, model, "fields_get", "an object")
        return result

    # -- transports ---------------------------------------------------------------------------

    def _json2(
        self,
        model: str,
        method: str,
        ids: list[int] | None,
        context: dict[str, Any] | None,
        params: dict[str, Any],
    ) -> Any:
        body: dict[str, Any] = {}
        if ids is not None:
            body["ids"] = ids
        if context is not None:
            body["context"] = context
        body.update(params)
        headers = {
            "Authorization": f"bearer {self._api_key}",
            "X-Odoo-Database": self.db,
        }
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("odoo json2 %s.%s body %s", model, method, _dumps(body))

        response = self._send(
            "POST", f"/json/2/{model}/{method}", body, headers, model=model, method=method
        )
        payload, is_json = _decode(response)
        if response.status_code == 200 and is_json:
            return payload
        raise self._error(model, method, response, payload, is_json)

    def _jsonrpc(self, service: str, method: str, args: list[Any]) -> Any:
        envelope = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"service": service, "method": method, "args": args},
            "id": next(self._rpc_ids),
        }
        model, odoo_method = (args[3], args[4]) if method == "execute_kw" else (None, method)
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("odoo jsonrpc %s.%s args %s", service, method, _dumps(args))

        response = self._send("POST", "/jsonrpc", envelope, None, model=model, method=odoo_method)
        payload, is_json = _decode(response)
        if response.status_code != 200 or not isinstance(payload, dict):
            raise self._error(model, odoo_method, response, payload, is_json)
        if "error" in payload:
            self._raise_jsonrpc_error(model, odoo_method, payload["error"])
        if "result" not in payload:
            raise OdooTransportError(
                f"{_target(model, odoo_method)}: Odoo at {self.url} answered a JSON-RPC "
                "envelope with neither result nor error; check the URL points at Odoo's /jsonrpc",
                model=model,
                method=odoo_method,
                http_status=response.status_code,
            )
        return payload["result"]

    def _send(
        self,
        http_method: str,
        path: str,
        body: dict[str, Any] | None,
        headers: dict[str, str] | None,
        *,
        model: str | None,
        method: str | None,
    ) -> httpx.Response:
        try:
            return self._http.request(http_method, path, json=body, headers=headers)
        except httpx.TimeoutException as exc:
            raise OdooTransportError(
                f"{_target(model, method)}: no answer from Odoo at {self.url} within the timeout; "
                f"{OdooTransportError.hint}",
                model=model,
                method=method,
            ) from exc
        except httpx.TransportError as exc:
            raise OdooTransportError(
                f"{_target(model, method)}: could not reach Odoo at {self.url} "
                f"({type(exc).__name__}); {OdooTransportError.hint}",
                model=model,
                method=method,
            ) from exc

    def _retrying(self, method: str, attempt: Callable[[], Any]) -> Any:
        if method not in READ_METHODS:
            return attempt()
        retrying = Retrying(
            stop=stop_after_attempt(self._max_attempts),
            wait=self._wait,
            retry=retry_if_exception(_is_retryable),
            before_sleep=_log_retry,
            reraise=True,
        )
        return retrying(attempt)

    def _wait(self, state: RetryCallState) -> float:
        backoff = wait_exponential(multiplier=self._backoff_seconds, max=30)(state)
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, OdooRateLimited) and exc.retry_after is not None:
            return max(backoff, min(exc.retry_after, 60.0))
        return backoff

    # -- errors -------------------------------------------------------------------------------

    def _error(
        self,
        model: str | None,
        method: str | None,
        response: httpx.Response,
        payload: Any,
        is_json: bool,
    ) -> OdooError:
        status = response.status_code
        name: str | None = None
        first_line: str | None = None
        if is_json and isinstance(payload, dict):
            name = payload.get("name") if isinstance(payload.get("name"), str) else None
            first_line = _first_line(payload.get("message"))
        elif not is_json:
            first_line = _html_title(response.text) or f"HTTP {status}, not JSON"
        if first_line is None:
            first_line = f"HTTP {status}"

        cls = error_class_for(name, status, body_is_json=is_json)
        kwargs: dict[str, Any] = {}
        if cls is OdooRateLimited:
            kwargs["retry_after"] = _retry_after(response.headers.get("Retry-After"))
        return cls(
            self._message(model, method, name or f"HTTP {status}", first_line, cls.hint),
            model=model,
            method=method,
            name=name,
            odoo_message=self._redactor.redact_secrets(first_line),
            http_status=status,
            **kwargs,
        )

    def _raise_jsonrpc_error(self, model: str | None, method: str | None, error: Any) -> NoReturn:
        data = error.get("data") if isinstance(error, dict) else None
        data = data if isinstance(data, dict) else {}
        name = data.get("name") if isinstance(data.get("name"), str) else None
        first_line = _first_line(data.get("message")) or _first_line(
            error.get("message") if isinstance(error, dict) else None
        )
        first_line = first_line or "no message"

        # JSON-RPC errors arrive with HTTP 200; the status must not stand in for the name.
        cls = error_class_for(name, None)
        raise cls(
            self._message(model, method, name or "an unnamed error", first_line, cls.hint),
            model=model,
            method=method,
            name=name,
            odoo_message=self._redactor.redact_secrets(first_line),
            http_status=200,
        )

    def _message(
        self, model: str | None, method: str | None, name: str, first_line: str, hint: str
    ) -> str:
        target = _target(model, method)
        return self._redactor.redact_secrets(
            f"{target} on {self.db!r}: Odoo raised {name}: {first_line} ({hint})"
        )


def _target(model: str | None, method: str | None) -> str:
    """`model.method` for object calls, `common.method` for the version and login calls."""
    return f"{model}.{method}" if model else f"common.{method}"


def _execute_kw_arguments(
    method: str,
    ids: list[int] | None,
    context: dict[str, Any] | None,
    params: dict[str, Any],
) -> tuple[list[Any], dict[str, Any]]:
    """`execute_kw`'s positional and keyword arguments for a keyword-based call."""
    args: list[Any] = [ids] if ids is not None else []
    kwargs = dict(params)
    for name in _JSONRPC_POSITIONAL.get(method, ()):
        if name not in kwargs:
            break
        args.append(kwargs.pop(name))
    if context is not None:
        kwargs["context"] = context
    return args, kwargs


def _page_params(*, order: str | None, limit: int | None, offset: int) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if limit is not None:
        params["limit"] = limit
    if offset:
        params["offset"] = offset
    if order is not None:
        params["order"] = order
    return params


def _decode(response: httpx.Response) -> tuple[Any, bool]:
    try:
        return response.json(), True
    except ValueError:
        return None, False


def _is_retryable(exc: BaseException) -> bool:
    # Connection errors carry no status; a 4xx or a garbled 200 would only fail the same way.
    if isinstance(exc, OdooRateLimited):
        return True
    if isinstance(exc, OdooTransportError):
        return exc.http_status is None or exc.http_status >= 500
    return isinstance(exc, OdooServerError) and (exc.http_status or 0) >= 500


def _log_retry(state: RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome else None
    wait = state.next_action.sleep if state.next_action else 0.0
    method = exc.method if isinstance(exc, OdooError) else None
    logger.warning(
        "odoo %s attempt %d failed (%s); retrying in %.1fs",
        method,
        state.attempt_number,
        type(exc).__name__,
        wait,
    )


def _parse_version(version: Any, version_info: Any) -> tuple[str, int]:
    if isinstance(version_info, list) and version_info and isinstance(version_info[0], int):
        major = version_info[0]
    else:
        match = re.search(r"(\d+)", str(version or ""))
        if match is None:
            raise OdooTransportError(
                f"Odoo answered an unreadable version {version!r}; "
                "check the URL points at an Odoo server",
                method="version",
            )
        major = int(match.group(1))
    return str(version if version is not None else f"{major}.0"), major


def _first_line(message: Any) -> str | None:
    if not isinstance(message, str):
        return None
    for line in message.splitlines():
        if line.strip():
            return line.strip()[:200]
    return None


def _html_title(text: str) -> str | None:
    match = re.search(r"<title>(.*?)</title>", text, re.IGNORECASE | re.DOTALL)
    return match.group(1).strip() if match else None


def _retry_after(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _row_count(result: Any) -> str:
    if isinstance(result, list):
        return str(len(result))
    if isinstance(result, dict) and isinstance(result.get("ids"), list):
        return str(len(result["ids"]))
    return "-"


def _dumps(value: Any) -> str:
    return json.dumps(value, default=str)[:4000]


def _expect_list(result: Any, model: str, method: str) -> list[Any]:
    if not isinstance(result, list):
        raise _unexpected(result, model, method, "a list")
    return result


def _unexpected(result: Any, model: str, method: str, expected: str) -> OdooServerError:
    return OdooServerError(
        f"{model}.{method}: Odoo answered {type(result).__name__} where {expected} was expected; "
        "check the method name and the Odoo version",
        model=model,
        method=method,
    )
