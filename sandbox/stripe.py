"""A loopback stand-in for Stripe's REST API: customers and events, one store per account.

It answers the read side a dlt source needs, with Stripe's own shapes: list objects paged newest
first through `starting_after` / `ending_before` and `has_more`, the deleted-customer stub, and
the `{"error": {...}}` bodies Stripe sends for a bad key, a missing object, a bad parameter and
a rate limit. Objects are served exactly as loaded, so a world decides the API version it plays.
"""

from __future__ import annotations

import base64
import binascii
import operator
import re
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from werkzeug.wrappers import Request, Response

from sandbox.http import StandIn, json_response

MAX_LIMIT = 100
DEFAULT_LIMIT = 10
DOC_URL_RESOURCE_MISSING = "https://stripe.com/docs/error-codes/resource-missing"
_COMPARE: dict[str, Callable[[int, int], bool]] = {
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}

_CUSTOMER_PATH = re.compile(r"^/v1/customers/(?P<id>[^/]+)$")


@dataclass
class AccountStore:
    """What one Stripe account holds: customers (live and deleted) and events, keyed by id."""

    customers: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: dict[str, dict[str, Any]] = field(default_factory=dict)


class StripeError(Exception):
    """An error the stand-in answers with Stripe's `{"error": {...}}` body."""

    def __init__(self, status: int, message: str, **fields: str) -> None:
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {"error": {"type": "invalid_request_error", **fields}}
        self.body["error"]["message"] = message

    def response(self) -> Response:
        return json_response(self.body, status=self.status, headers=_request_id_header())


class StripeStandIn(StandIn):
    """Stripe's `/v1/customers` and `/v1/events` for several accounts, one secret key each.

    `accounts` maps an account name (the `account` column the pipeline lands beside each row)
    to its secret key. `latency_seconds` delays every answer; `rate_limit_per_second`, when set,
    answers 429 once an account has made that many requests to one path within a second.
    """

    system = "stripe"

    def __init__(
        self,
        *,
        accounts: dict[str, str],
        latency_seconds: float = 0.0,
        rate_limit_per_second: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        if not accounts:
            raise ValueError("StripeStandIn needs at least one account; pass accounts={name: key}")
        self.keys = {key: name for name, key in accounts.items()}
        self.stores = {name: AccountStore() for name in accounts}
        self.latency_seconds = latency_seconds
        self.rate_limit_per_second = rate_limit_per_second
        self._clock = clock
        self._recent: dict[tuple[str, str], deque[float]] = {}

    def load(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Replace every account's store with `payload["accounts"][name]`; return counts.

        Each account's entry holds `customers` (full customer objects or deleted stubs) and
        `events`. Accounts the payload leaves out are emptied.
        """
        accounts = payload.get("accounts", {})
        unknown = sorted(set(accounts) - set(self.stores))
        if unknown:
            raise ValueError(
                f"Stripe world names accounts {unknown} the stand-in was not given; "
                f"known accounts are {sorted(self.stores)}"
            )

        counts: dict[str, Any] = {}
        with self._lock:
            for name in self.stores:
                entry = accounts.get(name, {})
                store = AccountStore(
                    customers=_index(entry.get("customers", []), "customer", name),
                    events=_index(entry.get("events", []), "event", name),
                )
                self.stores[name] = store
                deleted = sum(1 for c in store.customers.values() if c.get("deleted"))
                counts[name] = {
                    "customers": len(store.customers) - deleted,
                    "deleted_customers": deleted,
                    "events": len(store.events),
                }
        return counts

    def handle(self, request: Request, detail: dict[str, Any]) -> Response:
        if self.latency_seconds:
            time.sleep(self.latency_seconds)
        try:
            account = self._authenticate(request)
            detail["account"] = account
            self._check_rate(account, request.path)
            return self._route(request, self.stores[account], detail)
        except StripeError as exc:
            detail["error"] = exc.body["error"].get("code") or exc.body["error"]["type"]
            return exc.response()

    def _route(self, request: Request, store: AccountStore, detail: dict[str, Any]) -> Response:
        if request.method != "GET":
            raise _unrecognized(request)
        if request.path == "/v1/customers":
            detail["object"] = "customer"
            live = [c for c in store.customers.values() if not c.get("deleted")]
            email = request.args.get("email")
            if email is not None:
                live = [c for c in live if c.get("email") == email]
            return self._list(request, live, "/v1/customers", "customer", store.customers, detail)
        if request.path == "/v1/events":
            detail["object"] = "event"
            events = [e for e in store.events.values() if _type_matches(e, _event_types(request))]
            return self._list(request, events, "/v1/events", "event", store.events, detail)

        match = _CUSTOMER_PATH.match(request.path)
        if match:
            detail["object"] = "customer"
            customer = store.customers.get(match["id"])
            if customer is None:
                raise _missing("customer", match["id"], param="id", status=404)
            if customer.get("deleted"):
                customer = {"id": customer["id"], "object": "customer", "deleted": True}
            detail["count"] = 1
            return json_response(customer, headers=_request_id_header())
        raise _unrecognized(request)

    def _list(
        self,
        request: Request,
        objects: list[dict[str, Any]],
        url: str,
        object_name: str,
        everything: dict[str, dict[str, Any]],
        detail: dict[str, Any],
    ) -> Response:
        """One page of a Stripe list object, newest first, after the filters in the query."""
        limit = _limit(request)
        bounds = _created_bounds(request)
        objects = sorted(
            (o for o in objects if _created_within(o, bounds)), key=_newest_first, reverse=True
        )

        # Stripe pages by position, not by filter: the cursor may be any object of the account.
        starting_after = request.args.get("starting_after")
        ending_before = request.args.get("ending_before")
        if starting_after and ending_before:
            raise StripeError(
                400,
                "You may only specify one of these parameters: ending_before, starting_after.",
            )
        if ending_before:
            cursor = _cursor(everything, ending_before, object_name, "ending_before")
            before = [o for o in objects if _newest_first(o) > cursor]
            page = before[-limit:]
            has_more = len(before) > limit
        else:
            if starting_after:
                cursor = _cursor(everything, starting_after, object_name, "starting_after")
                objects = [o for o in objects if _newest_first(o) < cursor]
            page = objects[:limit]
            has_more = len(objects) > limit

        detail["count"] = len(page)
        body = {"object": "list", "data": page, "has_more": has_more, "url": url}
        return json_response(body, headers=_request_id_header())

    def _authenticate(self, request: Request) -> str:
        """The account whose secret key the request carries, as a bearer token or basic user."""
        header = request.headers.get("Authorization", "")
        scheme, _, credential = header.partition(" ")
        key = ""
        if scheme.lower() == "bearer":
            key = credential.strip()
        elif scheme.lower() == "basic":
            try:
                key = base64.b64decode(credential.strip()).decode().partition(":")[0]
            except (binascii.Error, UnicodeDecodeError):
                key = ""
        if not key:
            raise StripeError(
                401,
                "You did not provide an API key. You need to provide your API key in the "
                "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
                "YOUR_SECRET_KEY').",
            )
        account = self.keys.get(key)
        if account is None:
            # Stripe masks all but the last four characters of a key it rejects.
            raise StripeError(401, f"Invalid API Key provided: {_mask(key)}")
        return account

    def _check_rate(self, account: str, path: str) -> None:
        if self.rate_limit_per_second is None:
            return
        now = self._clock()
        recent = self._recent.setdefault((account, path), deque())
        while recent and now - recent[0] >= 1.0:
            recent.popleft()
        if len(recent) >= self.rate_limit_per_second:
            raise StripeError(
                429,
                "Request rate limit exceeded. Learn more about rate limits here "
                "https://stripe.com/docs/rate-limits.",
                code="rate_limit",
                doc_url="https://stripe.com/docs/error-codes/rate-limit",
            )
        recent.append(now)


def _index(objects: list[dict[str, Any]], object_name: str, account: str) -> dict[str, Any]:
    """Objects keyed by id, after checking each is a Stripe object of the expected kind."""
    indexed: dict[str, dict[str, Any]] = {}
    for obj in objects:
        if not isinstance(obj, dict) or not isinstance(obj.get("id"), str):
            raise ValueError(f"a {object_name} in Stripe account {account!r} has no string id")
        if obj.get("object") != object_name:
            raise ValueError(
                f"{object_name} {obj['id']} in Stripe account {account!r} has object "
                f"{obj.get('object')!r}; set it to {object_name!r}"
            )
        if not obj.get("deleted") and not isinstance(obj.get("created"), int):
            raise ValueError(
                f"{object_name} {obj['id']} in Stripe account {account!r} needs an integer "
                "`created` (Unix seconds)"
            )
        indexed[obj["id"]] = obj
    return indexed


def _newest_first(obj: dict[str, Any]) -> tuple[int, str]:
    """The sort key of Stripe lists: creation time, then id (both descending in a list)."""
    return (int(obj.get("created", 0)), str(obj["id"]))


def _cursor(
    everything: dict[str, dict[str, Any]], object_id: str, object_name: str, param: str
) -> tuple[int, str]:
    obj = everything.get(object_id)
    if obj is None or obj.get("deleted"):
        raise _missing(object_name, object_id, param=param, status=400)
    return _newest_first(obj)


def _limit(request: Request) -> int:
    raw = request.args.get("limit")
    if raw is None:
        return DEFAULT_LIMIT
    value = _integer(raw, "limit")
    if value < 1 or value > MAX_LIMIT:
        raise StripeError(
            400,
            f"This value must be greater than or equal to 1 and less than or equal to "
            f"{MAX_LIMIT} (it currently is '{raw}').",
            param="limit",
        )
    return value


def _integer(raw: str, param: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise StripeError(400, f"Invalid integer: {raw}", param=param) from None


def _created_bounds(request: Request) -> dict[str, int]:
    """`created` filters from the query: `created=<ts>` or `created[gt|gte|lt|lte]=<ts>`."""
    bounds: dict[str, int] = {}
    exact = request.args.get("created")
    if exact is not None:
        bounds["gte"] = bounds["lte"] = _integer(exact, "created")
    for name in _COMPARE:
        raw = request.args.get(f"created[{name}]")
        if raw is not None:
            bounds[name] = _integer(raw, f"created[{name}]")
    return bounds


def _created_within(obj: dict[str, Any], bounds: dict[str, int]) -> bool:
    created = int(obj.get("created", 0))
    return all(_COMPARE[name](created, bound) for name, bound in bounds.items())


def _event_types(request: Request) -> list[str]:
    """Event types asked for by `type` or `types[]` (also `types[0]`); empty means all."""
    single = request.args.get("type")
    several = [
        value
        for key, values in request.args.lists()
        if key == "types" or key.startswith("types[")
        for value in values
    ]
    if single is not None and several:
        raise StripeError(400, "You may only specify one of these parameters: type, types.")
    return [single] if single is not None else several


def _type_matches(event: dict[str, Any], patterns: list[str]) -> bool:
    """Whether an event's type matches a pattern; Stripe allows `*` as in `customer.*`."""
    if not patterns:
        return True
    event_type = str(event.get("type", ""))
    return any(
        re.fullmatch(".*".join(re.escape(part) for part in pattern.split("*")), event_type)
        for pattern in patterns
    )


def _missing(object_name: str, object_id: str, *, param: str, status: int) -> StripeError:
    return StripeError(
        status,
        f"No such {object_name}: '{object_id}'",
        code="resource_missing",
        doc_url=DOC_URL_RESOURCE_MISSING,
        param=param,
    )


def _unrecognized(request: Request) -> StripeError:
    return StripeError(
        404,
        f"Unrecognized request URL ({request.method}: {request.path}). Please see "
        "https://stripe.com/docs or we can help at https://support.stripe.com/.",
    )


def _mask(key: str) -> str:
    prefix = key[: key.find("_", 3) + 1] if key.startswith(("sk_", "rk_")) else ""
    return f"{prefix}{'*' * 12}{key[-4:]}" if len(key) > 8 else "*" * len(key)


def _request_id_header() -> dict[str, str]:
    return {"Request-Id": f"req_{uuid.uuid4().hex[:14]}"}
