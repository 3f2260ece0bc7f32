"""A loopback stand-in for HubSpot's CRM API: companies, contacts, deals and their associations.

It answers the read side a dlt source needs in the shapes of HubSpot's published OpenAPI
documents (`../shared/reference/hubspot-crm-v3/`): pages of `SimplePublicObjectWithAssociations`
ordered by id with an opaque `paging.next.after` cursor, single objects, the `archived` switch
with `archivedAt`, the `properties` selection, the search endpoint (`sandbox.hubspot.search`),
v4 associations one record at a time and in batches, merged records (the survivor lists the
merged-away ids in `hs_merged_object_ids`, and a merged-away id answers with the survivor), a
per-second request limit answered with 429 and `Retry-After`, and HubSpot's `Error` body with a
correlation id. Object types answer by name and by type id (`deals` and `0-3`).
"""

from __future__ import annotations

import base64
import binascii
import re
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from werkzeug.wrappers import Request, Response

from sandbox.http import StandIn, json_response
from sandbox.hubspot.associations import TYPE_IDS, AssociationStore
from sandbox.hubspot.search import SearchRejected, matches, parse_request, sort_key

MAX_LIMIT = 100
DEFAULT_LIMIT = 10
# The v4 associations endpoint returns up to 500 associations a page (its OpenAPI document).
ASSOCIATIONS_PAGE = 500
BATCH_INPUTS = 1000

_OBJECTS_PATH = re.compile(r"^/crm/v3/objects/(?P<type>[^/]+)(?:/(?P<id>[^/]+))?/?$")
_ASSOCIATIONS_PATH = re.compile(
    r"^/crm/v4/objects/(?P<type>[^/]+)/(?P<id>[^/]+)/associations/(?P<to>[^/]+)/?$"
)
_BATCH_READ_PATH = re.compile(r"^/crm/v4/associations/(?P<type>[^/]+)/(?P<to>[^/]+)/batch/read$")


@dataclass(frozen=True)
class ObjectType:
    """One CRM object type: its names in URLs and the properties HubSpot returns unasked."""

    name: str
    type_id: str
    default_properties: tuple[str, ...]
    modified_property: str

    @property
    def always_returned(self) -> frozenset[str]:
        """Returned whatever `properties` asks for: id, creation and last-modified dates."""
        return frozenset({"hs_object_id", "createdate", self.modified_property})


# Default properties per HubSpot's CRM objects documentation; contacts keep their last-modified
# date in `lastmodifieddate`, every other object in `hs_lastmodifieddate`.
OBJECT_TYPES = {
    object_type.name: object_type
    for object_type in (
        ObjectType("companies", "0-2", ("name", "domain"), "hs_lastmodifieddate"),
        ObjectType("contacts", "0-1", ("firstname", "lastname", "email"), "lastmodifieddate"),
        ObjectType(
            "deals",
            "0-3",
            ("dealname", "amount", "closedate", "pipeline", "dealstage"),
            "hs_lastmodifieddate",
        ),
    )
}
_BY_URL_NAME = {
    **OBJECT_TYPES,
    **{object_type.type_id: object_type for object_type in OBJECT_TYPES.values()},
    # v4 association paths also take the singular names.
    **{
        {"companies": "company", "contacts": "contact", "deals": "deal"}[name]: object_type
        for name, object_type in OBJECT_TYPES.items()
    },
}


class HubSpotError(Exception):
    """An error the stand-in answers with HubSpot's `Error` body."""

    def __init__(
        self,
        status: int,
        category: str,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        **extra: str,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.category = category
        self.message = message
        self.headers = headers or {}
        self.extra = extra

    def response(self) -> Response:
        body = {
            "status": "error",
            "message": self.message,
            "correlationId": str(uuid.uuid4()),
            "category": self.category,
            **self.extra,
        }
        return json_response(body, status=self.status, headers=self.headers)


class HubSpotStandIn(StandIn):
    """HubSpot CRM reads for one portal, behind a private-app bearer token.

    `latency_seconds` delays every answer. `rate_limit_per_second`, when set, answers 429 with
    `Retry-After` once that many requests came within a second; `search_rate_limit_per_second`
    does the same for the search endpoints, which HubSpot limits on their own.
    """

    system = "hubspot"

    def __init__(
        self,
        *,
        token: str,
        latency_seconds: float = 0.0,
        rate_limit_per_second: int | None = None,
        search_rate_limit_per_second: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        if not token:
            raise ValueError("HubSpotStandIn needs the private-app token it should accept")
        self.token = token
        self.latency_seconds = latency_seconds
        self.rate_limit_per_second = rate_limit_per_second
        self.search_rate_limit_per_second = search_rate_limit_per_second
        self.objects: dict[str, dict[int, dict[str, Any]]] = {name: {} for name in OBJECT_TYPES}
        # Per type, each merged-away id and the id of the record it was merged into.
        self.merged: dict[str, dict[int, int]] = {name: {} for name in OBJECT_TYPES}
        self.associations = AssociationStore()
        self._clock = clock
        self._recent: dict[str, deque[float]] = {}

    def load(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Replace the portal with `payload[<object type>]` lists; return counts per type.

        Keys are `companies`, `contacts` and `deals`, each holding objects in HubSpot's shape,
        and `associations`, a list of `{"from_type", "from_id", "to_type", "to_id",
        "primary"}`. A contact's `associatedcompanyid` property is its primary company
        association too. A survivor of a merge lists the merged-away ids in its
        `hs_merged_object_ids` property (`;`-separated); those ids are not loaded as records.
        Missing `hs_object_id`, `createdate` and last-modified properties are filled in from
        `id`, `createdAt` and `updatedAt`.
        """
        unknown = sorted(set(payload) - {*OBJECT_TYPES, "associations"})
        if unknown:
            raise ValueError(
                f"HubSpot world has object types {unknown}; the stand-in serves "
                f"{sorted(OBJECT_TYPES)} and their associations"
            )

        counts: dict[str, Any] = {}
        with self._lock:
            for name, object_type in OBJECT_TYPES.items():
                records = [_checked(record, object_type) for record in payload.get(name, [])]
                self.objects[name] = {int(record["id"]): record for record in records}
                self.merged[name] = _merged_ids(name, self.objects[name])
                archived = sum(1 for record in records if record["archived"])
                counts[name] = {"active": len(records) - archived, "archived": archived}
                if self.merged[name]:
                    counts[name]["merged_away"] = len(self.merged[name])
            self.associations = self._associations(payload.get("associations", []))
            counts["associations"] = self.associations.count()
        return counts

    def handle(self, request: Request, detail: dict[str, Any]) -> Response:
        if self.latency_seconds:
            time.sleep(self.latency_seconds)
        try:
            self._authenticate(request)
            self._check_rate(request)
            return self._route(request, detail)
        except HubSpotError as exc:
            detail["error"] = exc.category
            return exc.response()

    def _route(self, request: Request, detail: dict[str, Any]) -> Response:
        associations = _ASSOCIATIONS_PATH.match(request.path)
        if associations is not None and request.method == "GET":
            return self._associations_page(request, associations, detail)
        batch = _BATCH_READ_PATH.match(request.path)
        if batch is not None and request.method == "POST":
            return self._associations_batch(request, batch, detail)

        match = _OBJECTS_PATH.match(request.path)
        if match is None:
            raise HubSpotError(404, "OBJECT_NOT_FOUND", f"No route for {request.path}")
        object_type = _object_type(match["type"])
        detail["object_type"] = object_type.name
        if match["id"] == "search" and request.method == "POST":
            return self._search(request, object_type, detail)
        if request.method != "GET":
            raise HubSpotError(
                405, "VALIDATION_ERROR", f"{request.method} is not served by the sandbox"
            )

        archived = _archived(request)
        wanted = _requested_properties(request)
        if match["id"] is None:
            return self._page(request, object_type, archived, wanted, detail)

        record = self._find(object_type, match["id"], request.args.get("idProperty"), archived)
        detail["count"] = 1
        return json_response(_shaped(record, object_type, wanted))

    def _page(
        self,
        request: Request,
        object_type: ObjectType,
        archived: bool,
        wanted: list[str] | None,
        detail: dict[str, Any],
    ) -> Response:
        """One page by ascending id from the cursor, with `paging.next` when more remain."""
        limit = _limit(request)
        start = _decode_after(request.args.get("after"))
        store = self.objects[object_type.name]
        ids = sorted(i for i, r in store.items() if r["archived"] == archived and i >= start)
        page_ids = ids[:limit]

        body: dict[str, Any] = {
            "results": [_shaped(store[i], object_type, wanted) for i in page_ids]
        }
        if len(ids) > limit:
            body["paging"] = _next_page(request, _encode_after(page_ids[-1] + 1))
        detail["count"] = len(page_ids)
        return json_response(body)

    def _search(
        self, request: Request, object_type: ObjectType, detail: dict[str, Any]
    ) -> Response:
        """`POST .../search`: active records that pass the filters, sorted, one page of them."""
        try:
            search = parse_request(request.get_json(silent=True))
        except SearchRejected as exc:
            raise HubSpotError(400, "VALIDATION_ERROR", str(exc)) from None

        # Search never returns archived records (HubSpot's CRM search guide).
        found = [
            record
            for record in self.objects[object_type.name].values()
            if not record["archived"] and matches(record["properties"], search)
        ]
        key, descending = sort_key(search)
        found.sort(key=key, reverse=descending)
        page = found[search.offset : search.offset + search.limit]

        body: dict[str, Any] = {
            "total": len(found),
            "results": [_shaped(record, object_type, search.properties) for record in page],
        }
        following = search.offset + search.limit
        if following < len(found):
            # HubSpot hands out the cursor at its 10,000 cap too; following it is refused.
            body["paging"] = {"next": {"after": str(following)}}
        detail["count"] = len(page)
        detail["total"] = len(found)
        return json_response(body)

    def _associations_page(
        self, request: Request, match: re.Match[str], detail: dict[str, Any]
    ) -> Response:
        """`GET /crm/v4/objects/{type}/{id}/associations/{toType}`, paged by target id."""
        from_type, to_type = _object_type(match["type"]), _object_type(match["to"])
        detail["object_type"] = f"{from_type.name}->{to_type.name}"
        from_id = self._resolve(from_type, match["id"])
        limit = _limit(request, maximum=ASSOCIATIONS_PAGE, default=ASSOCIATIONS_PAGE)
        start = _decode_after(request.args.get("after"))

        targets = self.associations.of(from_type.name, from_id, to_type.name)
        remaining = [t for t in targets if int(t["toObjectId"]) >= start]
        page = remaining[:limit]
        body: dict[str, Any] = {"results": page}
        if len(remaining) > limit:
            body["paging"] = _next_page(request, _encode_after(int(page[-1]["toObjectId"]) + 1))
        detail["count"] = len(page)
        return json_response(body)

    def _associations_batch(
        self, request: Request, match: re.Match[str], detail: dict[str, Any]
    ) -> Response:
        """`POST /crm/v4/associations/{type}/{toType}/batch/read`: a page of targets per id."""
        started = _now_iso()
        from_type, to_type = _object_type(match["type"]), _object_type(match["to"])
        detail["object_type"] = f"{from_type.name}->{to_type.name}"
        body = request.get_json(silent=True)
        inputs = body.get("inputs") if isinstance(body, dict) else None
        if not isinstance(inputs, list) or not all(
            isinstance(i, dict) and isinstance(i.get("id"), str) for i in inputs
        ):
            raise HubSpotError(400, "VALIDATION_ERROR", "inputs must be a list of {id, after}")
        if len(inputs) > BATCH_INPUTS:
            raise HubSpotError(
                400, "VALIDATION_ERROR", f"A batch may hold at most {BATCH_INPUTS} inputs"
            )

        results, errors = [], []
        for entry in inputs:
            try:
                from_id = self._resolve(from_type, entry["id"])
            except HubSpotError as exc:
                errors.append(_batch_error(exc, entry["id"]))
                continue
            start = _decode_after(entry.get("after"))
            targets = self.associations.of(from_type.name, from_id, to_type.name)
            remaining = [t for t in targets if int(t["toObjectId"]) >= start]
            result: dict[str, Any] = {
                "from": {"id": str(from_id)},
                "to": remaining[:ASSOCIATIONS_PAGE],
            }
            if len(remaining) > ASSOCIATIONS_PAGE:
                after = _encode_after(int(remaining[ASSOCIATIONS_PAGE]["toObjectId"]))
                result["paging"] = {"next": {"after": after}}
            results.append(result)

        answer: dict[str, Any] = {
            "status": "COMPLETE",
            "results": results,
            "startedAt": started,
            "completedAt": _now_iso(),
        }
        if errors:
            answer.update(errors=errors, numErrors=len(errors))
        detail["count"] = len(results)
        return json_response(answer, status=207 if errors else 200)

    def _find(
        self, object_type: ObjectType, key: str, id_property: str | None, archived: bool
    ) -> dict[str, Any]:
        store = self.objects[object_type.name]
        if id_property and id_property != "hs_object_id":
            found = [r for r in store.values() if r["properties"].get(id_property) == key]
            record = found[0] if found else None
        else:
            # A merged-away id answers with the record it was merged into, as HubSpot does.
            record_id = (
                self.merged[object_type.name].get(int(key), int(key)) if key.isdigit() else 0
            )
            record = store.get(record_id)
        if record is None or record["archived"] != archived:
            raise HubSpotError(
                404, "OBJECT_NOT_FOUND", f"No {object_type.name} object with id {key} was found"
            )
        return record

    def _resolve(self, object_type: ObjectType, key: str) -> int:
        """The id of a live record, following a merge; HubSpot's 404 otherwise."""
        return int(self._find(object_type, key, None, archived=False)["id"])

    def _associations(self, entries: list[dict[str, Any]]) -> AssociationStore:
        """The associations of a payload, plus each contact's `associatedcompanyid`."""
        store = AssociationStore()
        for contact_id, contact in self.objects["contacts"].items():
            company_id = contact["properties"].get("associatedcompanyid")
            if company_id and company_id.isdigit() and int(company_id) in self.objects["companies"]:
                store.add("contacts", contact_id, "companies", int(company_id), primary=True)
        for entry in entries:
            pair = (str(entry.get("from_type")), str(entry.get("to_type")))
            if pair not in TYPE_IDS:
                raise ValueError(
                    f"HubSpot association {entry} links {pair}; the stand-in knows "
                    f"{sorted(TYPE_IDS)}"
                )
            ids = (str(entry.get("from_id")), str(entry.get("to_id")))
            for object_name, object_id in zip(pair, ids, strict=True):
                if not object_id.isdigit() or int(object_id) not in self.objects[object_name]:
                    raise ValueError(
                        f"HubSpot association {entry} names {object_name} {object_id}, "
                        "which the world does not hold"
                    )
            store.add(
                pair[0], int(ids[0]), pair[1], int(ids[1]), primary=bool(entry.get("primary"))
            )
        return store

    def _check_rate(self, request: Request) -> None:
        """HubSpot's per-second limits: every request, and searches on their own."""
        windows = [("all", self.rate_limit_per_second)]
        if request.path.endswith("/search"):
            windows.append(("search", self.search_rate_limit_per_second))
        now = self._clock()
        for name, ceiling in windows:
            if ceiling is None:
                continue
            recent = self._recent.setdefault(name, deque())
            while recent and now - recent[0] >= 1.0:
                recent.popleft()
            if len(recent) >= ceiling:
                wait = max(1, int(1.0 - (now - recent[0]) + 0.999))
                raise HubSpotError(
                    429,
                    "RATE_LIMITS",
                    "You have reached your secondly limit.",
                    headers={"Retry-After": str(wait)},
                    errorType="RATE_LIMIT",
                    policyName="SECONDLY",
                )
        for name, ceiling in windows:
            if ceiling is not None:
                self._recent[name].append(now)

    def _authenticate(self, request: Request) -> None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise HubSpotError(
                401,
                "INVALID_AUTHENTICATION",
                "Authentication credentials not found. This API supports OAuth 2.0 and "
                "private app access tokens sent as 'Authorization: Bearer <token>'.",
            )
        if token.strip() != self.token:
            raise HubSpotError(
                401,
                "INVALID_AUTHENTICATION",
                "Authentication credentials were not accepted: the private app access token "
                "is invalid or has been rotated.",
            )


def _object_type(url_name: str) -> ObjectType:
    object_type = _BY_URL_NAME.get(url_name)
    if object_type is None:
        raise HubSpotError(400, "VALIDATION_ERROR", f"Unable to infer object type from: {url_name}")
    return object_type


def _merged_ids(name: str, records: dict[int, dict[str, Any]]) -> dict[int, int]:
    """Merged-away id -> survivor id, from the survivors' `hs_merged_object_ids`."""
    merged: dict[int, int] = {}
    for survivor_id, record in records.items():
        raw = record["properties"].get("hs_merged_object_ids") or ""
        for part in filter(None, raw.split(";")):
            if not part.isdigit():
                raise ValueError(
                    f"HubSpot {name} {survivor_id} has hs_merged_object_ids {raw!r}; use ids "
                    "separated by ';'"
                )
            if int(part) in records:
                raise ValueError(
                    f"HubSpot {name} {part} was merged into {survivor_id}; leave it out of "
                    "the world, HubSpot keeps only the survivor"
                )
            merged[int(part)] = survivor_id
    return merged


def _next_page(request: Request, after: str) -> dict[str, Any]:
    """`paging.next` with HubSpot's opaque cursor and a link that repeats the query."""
    query = [(key, value) for key, value in request.args.items(multi=True) if key != "after"]
    link = f"{request.base_url}?{urlencode([*query, ('after', after)])}"
    return {"next": {"after": after, "link": link}}


def _batch_error(exc: HubSpotError, object_id: str) -> dict[str, Any]:
    return {
        "status": "error",
        "category": exc.category,
        "message": exc.message,
        "context": {"ids": [object_id]},
        "errors": [],
        "links": {},
    }


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _checked(record: dict[str, Any], object_type: ObjectType) -> dict[str, Any]:
    """A copy of a loaded record after checking its shape, with the always-present properties."""
    name = object_type.name
    record_id = record.get("id") if isinstance(record, dict) else None
    if not isinstance(record_id, str) or not record_id.isdigit():
        raise ValueError(f"a HubSpot {name} record needs a numeric string id, got {record_id!r}")
    properties = record.get("properties")
    if not isinstance(properties, dict) or not all(
        isinstance(v, str | None) for v in properties.values()
    ):
        raise ValueError(f"HubSpot {name} {record_id} needs properties of strings (or null)")
    for key in ("createdAt", "updatedAt"):
        if not isinstance(record.get(key), str):
            raise ValueError(f"HubSpot {name} {record_id} needs an ISO 8601 string {key}")
    archived = record.get("archived", False)
    if not isinstance(archived, bool):
        raise ValueError(f"HubSpot {name} {record_id} has archived={archived!r}; use a bool")
    if archived and not isinstance(record.get("archivedAt"), str):
        raise ValueError(f"HubSpot {name} {record_id} is archived and needs an archivedAt")

    properties = {
        "hs_object_id": record_id,
        "createdate": record["createdAt"],
        object_type.modified_property: record["updatedAt"],
        **properties,
    }
    checked = {**record, "properties": properties, "archived": archived}
    if not archived:
        checked.pop("archivedAt", None)
    return checked


def _shaped(
    record: dict[str, Any], object_type: ObjectType, wanted: list[str] | None
) -> dict[str, Any]:
    """A record as the API returns it: only the selected properties that hold a value.

    HubSpot's documents type property values as strings and say requested properties an
    object lacks are ignored, so an unset (null) property is left out rather than sent as null.
    """
    names = set(object_type.default_properties if wanted is None else wanted)
    names |= object_type.always_returned
    properties = {
        key: value
        for key, value in sorted(record["properties"].items())
        if key in names and value is not None
    }
    shaped = {
        "id": record["id"],
        "properties": properties,
        "createdAt": record["createdAt"],
        "updatedAt": record["updatedAt"],
        "archived": record["archived"],
    }
    if record["archived"]:
        shaped["archivedAt"] = record["archivedAt"]
    return shaped


def _requested_properties(request: Request) -> list[str] | None:
    """Property names from `properties`, comma-separated or repeated; None when not asked."""
    names = [
        name.strip()
        for value in request.args.getlist("properties")
        for name in value.split(",")
        if name.strip()
    ]
    return names or None


def _archived(request: Request) -> bool:
    raw = request.args.get("archived", "false").lower()
    if raw not in ("true", "false"):
        raise HubSpotError(400, "VALIDATION_ERROR", f"archived must be true or false, not {raw}")
    return raw == "true"


def _limit(request: Request, *, maximum: int = MAX_LIMIT, default: int = DEFAULT_LIMIT) -> int:
    raw = request.args.get("limit")
    if raw is None:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= maximum:
        raise HubSpotError(
            400, "VALIDATION_ERROR", f"limit must be between 1 and {maximum}, not {raw}"
        )
    return int(raw)


def _encode_after(start_id: int) -> str:
    return base64.urlsafe_b64encode(str(start_id).encode()).decode().rstrip("=")


def _decode_after(after: str | None) -> int:
    if not after:
        return 0
    try:
        decoded = base64.urlsafe_b64decode(after + "=" * (-len(after) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError):
        decoded = ""
    if not decoded.isdigit():
        raise HubSpotError(
            400, "VALIDATION_ERROR", f"after {after!r} is not a cursor this API returned"
        )
    return int(decoded)
