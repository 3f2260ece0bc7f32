"""A loopback stand-in for Stripe's REST API, one store per account, each behind its own key.

It answers the read side a dlt source needs, in Stripe's own shapes: customers, products,
prices, subscriptions (and their items), invoices (and their lines), invoice payments, charges,
payment intents, refunds, credit notes (and their lines), balance transactions, payouts and
events. Lists are paged newest first through `starting_after` / `ending_before` and `has_more`,
narrowed by `created[gt|gte|lt|lte]` and each list's own filters (`customer`, `status`...).
Deleted objects are left out of lists and retrieved as Stripe's `deleted: true` stub. Events
are kept for 30 days before the world's `as_of`, as Stripe keeps them.

Objects are loaded in the current API shape (2025-03-31 and later); a request that pins an
older `Stripe-Version` gets the older shapes (`sandbox.stripe.versions`). Errors carry Stripe's
`{"error": {...}}` body: a bad key, a missing object, a bad parameter and a rate limit.
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
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import Any

from werkzeug.wrappers import Request, Response

from sandbox.http import StandIn, json_response
from sandbox.stripe.resources import EMBEDDED_LISTS, EMBEDDED_PAGE, RESOURCES, Resource
from sandbox.stripe.versions import PaymentLinks, is_legacy, is_valid_version, legacy_shape

MAX_LIMIT = 100
DEFAULT_LIMIT = 10
# Stripe keeps events for 30 days (API reference, "List all events").
EVENT_RETENTION = timedelta(days=30)
DOC_URL_RESOURCE_MISSING = "https://stripe.com/docs/error-codes/resource-missing"
_COMPARE: dict[str, Callable[[int, int], bool]] = {
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}
_PAGING_PARAMS = frozenset({"limit", "starting_after", "ending_before"})
_ARRAY_PARAM = re.compile(r"^(?P<name>[a-z_]+)\[\d*\]$")
_RANGE_PARAM = re.compile(r"^(?P<name>[a-z_]+)\[(?P<op>gt|gte|lt|lte)\]$")
# Lists embedded in an object that Stripe cuts to one page, with `has_more` set.
_EMBEDDED_KEYS = {
    "invoice": "lines",
    "credit_note": "lines",
    "subscription": "items",
    "charge": "refunds",
}


@dataclass
class AccountStore:
    """What one Stripe account holds, per list name (`customers`, `invoices`...), by id."""

    objects: dict[str, dict[str, dict[str, Any]]] = field(
        default_factory=lambda: {name: {} for name in RESOURCES}
    )
    links: PaymentLinks = field(default_factory=PaymentLinks)

    @property
    def customers(self) -> dict[str, dict[str, Any]]:
        return self.objects["customers"]

    @property
    def events(self) -> dict[str, dict[str, Any]]:
        return self.objects["events"]

    def subscription_items(self) -> dict[str, dict[str, Any]]:
        """Every subscription's items by id, in the order their subscription lists them."""
        return {
            item["id"]: item
            for subscription in self.objects["subscriptions"].values()
            for item in subscription.get("items", {}).get("data", [])
        }


class StripeError(Exception):
    """An error the stand-in answers with Stripe's `{"error": {...}}` body."""

    def __init__(
        self, status: int, message: str, *, headers: dict[str, str] | None = None, **fields: str
    ) -> None:
        super().__init__(message)
        self.status = status
        self.headers = headers or {}
        self.body: dict[str, Any] = {"error": {"type": "invalid_request_error", **fields}}
        self.body["error"]["message"] = message

    def response(self) -> Response:
        return json_response(
            self.body, status=self.status, headers={**_request_id_header(), **self.headers}
        )


@dataclass
class _Route:
    """A parsed request path: the endpoint as Stripe documents it, and the ids in it."""

    endpoint: str
    list_name: str
    object_id: str | None = None
    sub_list: str | None = None


class StripeStandIn(StandIn):
    """Stripe's read API for several accounts, one secret key each.

    `accounts` maps an account name (the `account` column the pipeline lands beside each row)
    to its secret key. `latency_seconds` delays every answer. `rate_limit_per_second`, when
    set, answers 429 once an account has made that many requests to one endpoint (such as
    `/v1/invoices` or `/v1/invoices/{id}`) within a second; `endpoint_rate_limits` sets the
    ceiling of single endpoints. `as_of` is the world's today: events older than 30 days
    before it are gone; a load payload's `as_of` replaces it. Without one, every event is kept.
    """

    system = "stripe"

    def __init__(
        self,
        *,
        accounts: dict[str, str],
        latency_seconds: float = 0.0,
        rate_limit_per_second: int | None = None,
        endpoint_rate_limits: dict[str, int] | None = None,
        as_of: date | datetime | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        if not accounts:
            raise ValueError("StripeStandIn needs at least one account; pass accounts={name: key}")
        self.keys = {key: name for name, key in accounts.items()}
        self.stores = {name: AccountStore() for name in accounts}
        self.latency_seconds = latency_seconds
        self.rate_limit_per_second = rate_limit_per_second
        self.endpoint_rate_limits = dict(endpoint_rate_limits or {})
        self.as_of = _moment(as_of)
        self._clock = clock
        self._recent: dict[tuple[str, str], deque[float]] = {}

    def load(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Replace every account's store with `payload["accounts"][name]`; return counts.

        Each account's entry holds lists named as Stripe's list endpoints (`customers`,
        `products`, `prices`, `subscriptions`, `invoices`, `invoice_payments`, `charges`,
        `payment_intents`, `refunds`, `credit_notes`, `balance_transactions`, `payouts`,
        `events`) of objects in the current API shape, deleted ones as `deleted: true` stubs.
        Accounts the payload leaves out are emptied. An optional top-level `as_of` (ISO date or
        date-time, UTC) sets the world's today.
        """
        accounts = payload.get("accounts", {})
        unknown = sorted(set(accounts) - set(self.stores))
        if unknown:
            raise ValueError(
                f"Stripe world names accounts {unknown} the stand-in was not given; "
                f"known accounts are {sorted(self.stores)}"
            )
        as_of = payload.get("as_of")
        if as_of is not None:
            self.as_of = _moment(_parse_as_of(as_of))

        counts: dict[str, Any] = {}
        with self._lock:
            for name in self.stores:
                entry = accounts.get(name, {})
                lists = sorted(set(entry) - set(RESOURCES))
                if lists:
                    raise ValueError(
                        f"Stripe account {name!r} has lists {lists} the stand-in does not "
                        f"serve; it serves {sorted(RESOURCES)}"
                    )
                store = AccountStore(
                    objects={
                        list_name: _index(entry.get(list_name, []), resource, name)
                        for list_name, resource in RESOURCES.items()
                    }
                )
                store.links = PaymentLinks.build(
                    list(store.objects["invoice_payments"].values()),
                    store.objects["payment_intents"],
                )
                self.stores[name] = store
                counts[name] = _counts(store)
        return counts

    def handle(self, request: Request, detail: dict[str, Any]) -> Response:
        if self.latency_seconds:
            time.sleep(self.latency_seconds)
        try:
            account = self._authenticate(request)
            detail["account"] = account
            version = _api_version(request)
            route = _parse_route(request)
            detail["endpoint"] = route.endpoint
            self._check_rate(account, route.endpoint)
            return self._answer(request, route, self.stores[account], version, detail)
        except StripeError as exc:
            detail["error"] = exc.body["error"].get("code") or exc.body["error"]["type"]
            return exc.response()

    def _answer(
        self,
        request: Request,
        route: _Route,
        store: AccountStore,
        version: str | None,
        detail: dict[str, Any],
    ) -> Response:
        def render(obj: dict[str, Any]) -> dict[str, Any]:
            shaped = _embedded_page(obj)
            return legacy_shape(shaped, store.links) if is_legacy(version) else shaped

        if route.list_name == "subscription_items":
            detail["object"] = "subscription_item"
            return self._subscription_items(request, route, store, render, detail)

        resource = RESOURCES[route.list_name]
        detail["object"] = resource.object_name
        everything = self._visible(resource, store)
        if route.object_id is None:
            objects = _filtered(request, resource, everything)
            page, has_more = _page(request, objects, everything, resource.object_name)
            return self._list_body([render(o) for o in page], has_more, resource.url, detail)

        obj = everything.get(route.object_id)
        if obj is None:
            raise _missing(resource.object_name, route.object_id, param="id", status=404)
        if route.sub_list is not None:
            return self._embedded_list(request, route, obj, render, detail)
        if obj.get("deleted"):
            obj = {"id": obj["id"], "object": resource.object_name, "deleted": True}
        detail["count"] = 1
        return json_response(render(obj), headers=_request_id_header())

    def _visible(self, resource: Resource, store: AccountStore) -> dict[str, dict[str, Any]]:
        """The account's objects of a list, less the events Stripe no longer keeps."""
        objects = store.objects[resource.list_name]
        if resource.list_name != "events" or self.as_of is None:
            return objects
        oldest = int((self.as_of - EVENT_RETENTION).timestamp())
        return {key: obj for key, obj in objects.items() if obj["created"] >= oldest}

    def _subscription_items(
        self,
        request: Request,
        route: _Route,
        store: AccountStore,
        render: Callable[[dict[str, Any]], dict[str, Any]],
        detail: dict[str, Any],
    ) -> Response:
        items = store.subscription_items()
        if route.object_id is not None:
            item = items.get(route.object_id)
            if item is None:
                raise _missing("subscription_item", route.object_id, param="id", status=404)
            detail["count"] = 1
            return json_response(_item_shape(render, item), headers=_request_id_header())

        _refuse_unknown(request, {"subscription"})
        subscription_id = request.args.get("subscription")
        if subscription_id is None:
            raise StripeError(400, "Missing required param: subscription.", param="subscription")
        subscription = store.objects["subscriptions"].get(subscription_id)
        if subscription is None:
            raise _missing("subscription", subscription_id, param="subscription", status=400)
        entries = subscription.get("items", {}).get("data", [])
        page, has_more = _positional_page(request, entries, "subscription_item")
        url = f"/v1/subscription_items?subscription={subscription_id}"
        return self._list_body([_item_shape(render, i) for i in page], has_more, url, detail)

    def _embedded_list(
        self,
        request: Request,
        route: _Route,
        parent: dict[str, Any],
        render: Callable[[dict[str, Any]], dict[str, Any]],
        detail: dict[str, Any],
    ) -> Response:
        _refuse_unknown(request, set())
        entries = parent.get(str(route.sub_list), {}).get("data", [])
        object_name = EMBEDDED_LISTS[(route.list_name, str(route.sub_list))]
        page, has_more = _positional_page(request, entries, object_name)
        detail["object"] = object_name
        url = f"/v1/{route.list_name}/{route.object_id}/{route.sub_list}"
        return self._list_body([render(entry) for entry in page], has_more, url, detail)

    @staticmethod
    def _list_body(
        page: list[dict[str, Any]], has_more: bool, url: str, detail: dict[str, Any]
    ) -> Response:
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

    def _check_rate(self, account: str, endpoint: str) -> None:
        ceiling = self.endpoint_rate_limits.get(endpoint, self.rate_limit_per_second)
        if ceiling is None:
            return
        now = self._clock()
        recent = self._recent.setdefault((account, endpoint), deque())
        while recent and now - recent[0] >= 1.0:
            recent.popleft()
        if len(recent) >= ceiling:
            raise StripeError(
                429,
                "Request rate limit exceeded. Learn more about rate limits here "
                "https://stripe.com/docs/rate-limits.",
                code="rate_limit",
                doc_url="https://stripe.com/docs/error-codes/rate-limit",
            )
        recent.append(now)


def _parse_route(request: Request) -> _Route:
    """The endpoint a GET addresses; anything else is Stripe's unrecognized-URL 404."""
    parts = request.path.strip("/").split("/")
    if request.method != "GET" or len(parts) < 2 or parts[0] != "v1":
        raise _unrecognized(request)
    list_name = parts[1]
    if list_name not in RESOURCES and list_name != "subscription_items":
        raise _unrecognized(request)
    if len(parts) == 2:
        return _Route(endpoint=f"/v1/{list_name}", list_name=list_name)
    if len(parts) == 3 and parts[2]:
        return _Route(endpoint=f"/v1/{list_name}/{{id}}", list_name=list_name, object_id=parts[2])
    if len(parts) == 4 and (list_name, parts[3]) in EMBEDDED_LISTS:
        return _Route(
            endpoint=f"/v1/{list_name}/{{id}}/{parts[3]}",
            list_name=list_name,
            object_id=parts[2],
            sub_list=parts[3],
        )
    raise _unrecognized(request)


def _api_version(request: Request) -> str | None:
    version = request.headers.get("Stripe-Version")
    if version is not None and not is_valid_version(version.strip()):
        raise StripeError(400, f"Invalid Stripe API version: {version}")
    return version.strip() if version is not None else None


def _filtered(
    request: Request, resource: Resource, everything: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """The live objects of a list that the query's filters keep, newest first."""
    filters = _filter_values(request, resource)
    bounds = _range_bounds(request, resource)
    kept = []
    for obj in everything.values():
        if obj.get("deleted"):
            continue
        if not all(values_match(obj, values) for values_match, values in filters) or not _within(
            obj, bounds
        ):
            continue
        kept.append(obj)
    return sorted(kept, key=_newest_first, reverse=True)


def _filter_values(
    request: Request, resource: Resource
) -> list[tuple[Callable[[dict[str, Any], list[str]], bool], list[str]]]:
    """Each filter the query sets with its values, then the defaults of filters it leaves out."""
    ranges = {f"{name}[{op}]" for name in resource.ranges for op in _COMPARE}
    _refuse_unknown(request, {*resource.filters, *resource.ranges, *ranges})

    given: dict[str, list[str]] = {}
    for key, values in request.args.lists():
        array = _ARRAY_PARAM.match(key)
        name = array["name"] if array and array["name"] in resource.filters else key
        if name in resource.filters:
            given.setdefault(name, []).extend(values)
    if "type" in given and "types" in given and resource.list_name == "events":
        raise StripeError(400, "You may only specify one of these parameters: type, types.")

    chosen = []
    for name, values in given.items():
        allowed = resource.choices.get(name)
        bad = [value for value in values if allowed is not None and value not in allowed]
        if bad:
            raise StripeError(
                400,
                f"Invalid {name}: must be one of {', '.join(allowed or ())}",
                param=name,
            )
        chosen.append((resource.filters[name], values))
    chosen += [(matcher, []) for name, matcher in resource.defaults.items() if name not in given]
    return chosen


def _refuse_unknown(request: Request, known: set[str]) -> None:
    for key in request.args:
        array = _ARRAY_PARAM.match(key)
        if key in _PAGING_PARAMS or key in known or (array and array["name"] in known):
            continue
        if key == "expand" or key.startswith("expand["):
            # TODO(#5): expand nested objects; until then a source that relies on it learns here.
            raise StripeError(400, "The sandbox's Stripe does not expand objects.", param=key)
        raise StripeError(400, f"Received unknown parameter: {key}", param=key)


def _range_bounds(request: Request, resource: Resource) -> list[tuple[str, str, int]]:
    """`<field>=<ts>` and `<field>[gt|gte|lt|lte]=<ts>` bounds from the query."""
    bounds: list[tuple[str, str, int]] = []
    for key, raw in request.args.items():
        if key in resource.ranges:
            value = _integer(raw, key)
            bounds += [(key, "gte", value), (key, "lte", value)]
            continue
        match = _RANGE_PARAM.match(key)
        if match and match["name"] in resource.ranges:
            bounds.append((match["name"], match["op"], _integer(raw, key)))
    return bounds


def _within(obj: dict[str, Any], bounds: list[tuple[str, str, int]]) -> bool:
    for name, op, bound in bounds:
        value = obj.get(name)
        if not isinstance(value, int) or not _COMPARE[op](value, bound):
            return False
    return True


def _page(
    request: Request,
    objects: list[dict[str, Any]],
    everything: dict[str, dict[str, Any]],
    object_name: str,
) -> tuple[list[dict[str, Any]], bool]:
    """One page of a newest-first list and whether more remain past it."""
    limit = _limit(request)
    starting_after, ending_before = _cursors(request)

    # Stripe pages by position, not by filter: the cursor may be any object of the account.
    if ending_before:
        cursor = _cursor(everything, ending_before, object_name, "ending_before")
        before = [o for o in objects if _newest_first(o) > cursor]
        return before[-limit:], len(before) > limit
    if starting_after:
        cursor = _cursor(everything, starting_after, object_name, "starting_after")
        objects = [o for o in objects if _newest_first(o) < cursor]
    return objects[:limit], len(objects) > limit


def _positional_page(
    request: Request, entries: list[dict[str, Any]], object_name: str
) -> tuple[list[dict[str, Any]], bool]:
    """One page of a list kept in its parent's order (invoice lines, subscription items)."""
    limit = _limit(request)
    starting_after, ending_before = _cursors(request)
    ids = [entry["id"] for entry in entries]
    cursor_id = starting_after or ending_before
    if cursor_id and cursor_id not in ids:
        param = "starting_after" if starting_after else "ending_before"
        raise _missing(object_name, cursor_id, param=param, status=400)
    if ending_before:
        before = entries[: ids.index(ending_before)]
        return before[-limit:], len(before) > limit
    start = ids.index(starting_after) + 1 if starting_after else 0
    rest = entries[start:]
    return rest[:limit], len(rest) > limit


def _cursors(request: Request) -> tuple[str | None, str | None]:
    starting_after = request.args.get("starting_after")
    ending_before = request.args.get("ending_before")
    if starting_after and ending_before:
        raise StripeError(
            400, "You may only specify one of these parameters: ending_before, starting_after."
        )
    return starting_after, ending_before


def _embedded_page(obj: dict[str, Any]) -> dict[str, Any]:
    """An object with its embedded list cut to Stripe's first page, `has_more` set."""
    key = _EMBEDDED_KEYS.get(str(obj.get("object")))
    embedded = obj.get(key) if key else None
    if key is None or not isinstance(embedded, dict) or not isinstance(embedded.get("data"), list):
        return obj
    data = embedded["data"]
    return {
        **obj,
        key: {**embedded, "data": data[:EMBEDDED_PAGE], "has_more": len(data) > EMBEDDED_PAGE},
    }


def _item_shape(
    render: Callable[[dict[str, Any]], dict[str, Any]], item: dict[str, Any]
) -> dict[str, Any]:
    """A subscription item, without its periods when the version keeps them on the parent."""
    wrapped = render({"object": "subscription", "items": {"data": [item]}})
    return dict(wrapped["items"]["data"][0])


def _index(objects: list[dict[str, Any]], resource: Resource, account: str) -> dict[str, Any]:
    """Objects keyed by id, after checking each is a Stripe object of the expected kind."""
    object_name = resource.object_name
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


def _counts(store: AccountStore) -> dict[str, int]:
    """Live objects per list (customers and events always), and deleted customers."""
    counts: dict[str, int] = {}
    for list_name, objects in store.objects.items():
        live = sum(1 for obj in objects.values() if not obj.get("deleted"))
        if live or list_name in ("customers", "events"):
            counts[list_name] = live
        if list_name == "customers":
            counts["deleted_customers"] = len(objects) - live
    return counts


def _moment(as_of: date | datetime | None) -> datetime | None:
    """The world's today as a UTC moment: a date means its midnight, a naive time is UTC."""
    if as_of is None:
        return None
    if isinstance(as_of, datetime):
        return as_of.astimezone(UTC) if as_of.tzinfo else as_of.replace(tzinfo=UTC)
    return datetime.combine(as_of, clock_time(), tzinfo=UTC)


def _parse_as_of(raw: Any) -> date | datetime:
    text = str(raw)
    try:
        return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"Stripe world as_of {text!r} is not an ISO date or date-time; use e.g. 2026-11-30"
        ) from None


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
