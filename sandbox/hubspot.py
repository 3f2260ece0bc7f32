"""A loopback stand-in for HubSpot's CRM v3 objects API: companies, contacts and deals.

It answers the read side a dlt source needs in the shapes of HubSpot's published OpenAPI
documents (`../shared/reference/hubspot-crm-v3/`): pages of `SimplePublicObjectWithAssociations`
ordered by id with an opaque `paging.next.after` cursor, single objects, the `archived` switch,
the `properties` selection and HubSpot's `Error` body with a correlation id.
"""

from __future__ import annotations

import base64
import binascii
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from werkzeug.wrappers import Request, Response

from sandbox.http import StandIn, json_response

MAX_LIMIT = 100
DEFAULT_LIMIT = 10

_OBJECTS_PATH = re.compile(r"^/crm/v3/objects/(?P<type>[^/]+)(?:/(?P<id>[^/]+))?/?$")


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
}


class HubSpotError(Exception):
    """An error the stand-in answers with HubSpot's `Error` body."""

    def __init__(self, status: int, category: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.category = category
        self.message = message

    def response(self) -> Response:
        body = {
            "status": "error",
            "message": self.message,
            "correlationId": str(uuid.uuid4()),
            "category": self.category,
        }
        return json_response(body, status=self.status)


class HubSpotStandIn(StandIn):
    """HubSpot CRM v3 object reads for one portal, behind a private-app bearer token.

    `latency_seconds` delays every answer.
    """

    system = "hubspot"

    def __init__(self, *, token: str, latency_seconds: float = 0.0) -> None:
        super().__init__()
        if not token:
            raise ValueError("HubSpotStandIn needs the private-app token it should accept")
        self.token = token
        self.latency_seconds = latency_seconds
        self.objects: dict[str, dict[int, dict[str, Any]]] = {name: {} for name in OBJECT_TYPES}

    def load(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Replace the portal with `payload[<object type>]` lists; return counts per type.

        Keys are `companies`, `contacts` and `deals`; each holds objects in HubSpot's shape.
        Missing `hs_object_id`, `createdate` and last-modified properties are filled in from
        `id`, `createdAt` and `updatedAt`.
        """
        unknown = sorted(set(payload) - set(OBJECT_TYPES))
        if unknown:
            raise ValueError(
                f"HubSpot world has object types {unknown}; the stand-in serves "
                f"{sorted(OBJECT_TYPES)}"
            )

        counts: dict[str, Any] = {}
        with self._lock:
            for name, object_type in OBJECT_TYPES.items():
                records = [_checked(record, object_type) for record in payload.get(name, [])]
                self.objects[name] = {int(record["id"]): record for record in records}
                archived = sum(1 for record in records if record["archived"])
                counts[name] = {"active": len(records) - archived, "archived": archived}
        return counts

    def handle(self, request: Request, detail: dict[str, Any]) -> Response:
        if self.latency_seconds:
            time.sleep(self.latency_seconds)
        try:
            self._authenticate(request)
            return self._route(request, detail)
        except HubSpotError as exc:
            detail["error"] = exc.category
            return exc.response()

    def _route(self, request: Request, detail: dict[str, Any]) -> Response:
        match = _OBJECTS_PATH.match(request.path)
        if match is None:
            raise HubSpotError(404, "OBJECT_NOT_FOUND", f"No route for {request.path}")
        object_type = _BY_URL_NAME.get(match["type"])
        if object_type is None:
            raise HubSpotError(
                400, "VALIDATION_ERROR", f"Unable to infer object type from: {match['type']}"
            )
        if request.method != "GET":
            raise HubSpotError(
                405, "VALIDATION_ERROR", f"{request.method} is not served by the sandbox"
            )

        detail["object_type"] = object_type.name
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
            # HubSpot's cursor points just past the last id served; the client treats it as opaque.
            after = _encode_after(page_ids[-1] + 1)
            query = [
                (key, value) for key, value in request.args.items(multi=True) if key != "after"
            ]
            link = f"{request.base_url}?{urlencode([*query, ('after', after)])}"
            body["paging"] = {"next": {"after": after, "link": link}}
        detail["count"] = len(page_ids)
        return json_response(body)

    def _find(
        self, object_type: ObjectType, key: str, id_property: str | None, archived: bool
    ) -> dict[str, Any]:
        store = self.objects[object_type.name]
        if id_property and id_property != "hs_object_id":
            found = [r for r in store.values() if r["properties"].get(id_property) == key]
            record = found[0] if found else None
        else:
            record = store.get(int(key)) if key.isdigit() else None
        if record is None or record["archived"] != archived:
            raise HubSpotError(
                404, "OBJECT_NOT_FOUND", f"No {object_type.name} object with id {key} was found"
            )
        return record

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


def _limit(request: Request) -> int:
    raw = request.args.get("limit")
    if raw is None:
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise HubSpotError(
            400, "VALIDATION_ERROR", f"limit must be between 1 and {MAX_LIMIT}, not {raw}"
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
