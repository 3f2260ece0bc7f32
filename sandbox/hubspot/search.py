"""HubSpot's CRM search: filter groups, one sort, a free-text query and offset paging.

Rules follow HubSpot's CRM search guide: filters in a group must all match, any group may
match; at most 5 groups, 6 filters in a group and 18 in all; one sort; at most 200 results a
page; and no query is paged past its 10,000th result. String comparisons ignore case; a date
property compares with a value given in epoch milliseconds or ISO 8601.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

MAX_GROUPS = 5
MAX_FILTERS_PER_GROUP = 6
MAX_FILTERS = 18
MAX_PAGE = 200
DEFAULT_PAGE = 10
# HubSpot's search returns at most 10,000 results for one query, however it is paged.
RESULT_CAP = 10_000

OPERATORS = frozenset(
    {
        "EQ",
        "NEQ",
        "LT",
        "LTE",
        "GT",
        "GTE",
        "BETWEEN",
        "IN",
        "NOT_IN",
        "HAS_PROPERTY",
        "NOT_HAS_PROPERTY",
        "CONTAINS_TOKEN",
        "NOT_CONTAINS_TOKEN",
    }
)


class SearchRejected(ValueError):
    """A search request HubSpot would refuse with a 400 VALIDATION_ERROR."""


@dataclass(frozen=True)
class SearchRequest:
    """A parsed search body: what to keep, in which order, and which page."""

    groups: list[list[dict[str, Any]]]
    sort: tuple[str, bool] | None
    query: str | None
    offset: int
    limit: int
    properties: list[str] | None


def parse_request(body: Any) -> SearchRequest:
    """Check a search body against HubSpot's limits and read it."""
    if not isinstance(body, dict):
        raise SearchRejected("The search body must be a JSON object")
    groups = [group.get("filters", []) for group in body.get("filterGroups") or []]
    if len(groups) > MAX_GROUPS:
        raise SearchRejected(f"Too many filter groups ({len(groups)}); the limit is {MAX_GROUPS}")
    if any(len(filters) > MAX_FILTERS_PER_GROUP for filters in groups):
        raise SearchRejected(f"A filter group may hold at most {MAX_FILTERS_PER_GROUP} filters")
    if sum(len(filters) for filters in groups) > MAX_FILTERS:
        raise SearchRejected(f"A search may hold at most {MAX_FILTERS} filters in all")
    for filters in groups:
        for rule in filters:
            if rule.get("operator") not in OPERATORS or not rule.get("propertyName"):
                raise SearchRejected(
                    f"Filter {rule} needs a propertyName and an operator of {sorted(OPERATORS)}"
                )

    sorts = body.get("sorts") or []
    if len(sorts) > 1:
        raise SearchRejected("A search may sort on one property only")
    sort = _sort(sorts[0]) if sorts else None

    limit = body.get("limit", DEFAULT_PAGE)
    if not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE:
        raise SearchRejected(f"limit must be between 1 and {MAX_PAGE}, not {limit}")
    after = str(body.get("after") or "0")
    if not after.isdigit():
        raise SearchRejected(f"after {after!r} is not a cursor this search returned")
    offset = int(after)
    if offset >= RESULT_CAP:
        raise SearchRejected(
            f"Cannot page past result {RESULT_CAP} of a search; narrow the filters (for "
            "example on hs_object_id or a date) and search again"
        )
    properties = body.get("properties") or None
    return SearchRequest(groups, sort, body.get("query") or None, offset, limit, properties)


def matches(properties: dict[str, str | None], request: SearchRequest) -> bool:
    """Whether a record's properties pass the query and any one filter group."""
    if request.query and not any(
        value and request.query.lower() in value.lower() for value in properties.values()
    ):
        return False
    if not request.groups:
        return True
    return any(all(_passes(properties, rule) for rule in group) for group in request.groups)


def sort_key(request: SearchRequest) -> tuple[Callable[[dict[str, Any]], Any], bool]:
    """The key and direction results are ordered by: the sort asked for, else the id."""
    if request.sort is None:
        return (lambda record: int(record["id"])), False
    name, descending = request.sort

    def key(record: dict[str, Any]) -> tuple[int, Any, int]:
        value = record["properties"].get(name)
        # Records without the property sort after those with it, as HubSpot orders nulls.
        missing = int(value is None) if not descending else int(value is not None)
        return (missing, _sortable(value), int(record["id"]))

    return key, descending


def _sort(raw: Any) -> tuple[str, bool]:
    """A sort given as HubSpot documents it, `{"propertyName", "direction"}`, or `-name`."""
    if isinstance(raw, dict):
        name = str(raw.get("propertyName", ""))
        direction = str(raw.get("direction", "ASCENDING")).upper()
        if direction not in ("ASCENDING", "DESCENDING"):
            raise SearchRejected(f"sort direction must be ASCENDING or DESCENDING, not {direction}")
        return name, direction == "DESCENDING"
    text = str(raw)
    return text.lstrip("-"), text.startswith("-")


def _passes(properties: dict[str, str | None], rule: dict[str, Any]) -> bool:
    operator = rule["operator"]
    actual = properties.get(rule["propertyName"])
    if operator == "HAS_PROPERTY":
        return actual is not None and actual != ""
    if operator == "NOT_HAS_PROPERTY":
        return actual is None or actual == ""
    if operator in ("IN", "NOT_IN"):
        values = [str(v).lower() for v in rule.get("values") or []]
        found = actual is not None and actual.lower() in values
        return found if operator == "IN" else not found
    if operator in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
        found = actual is not None and _contains_token(actual, str(rule.get("value", "")))
        return found if operator == "CONTAINS_TOKEN" else not found
    if actual is None:
        return operator == "NEQ"
    left, right = _comparable(actual, str(rule.get("value", "")))
    if operator == "BETWEEN":
        low, high = right, _comparable(actual, str(rule.get("highValue", "")))[1]
        return bool(low <= left <= high)
    return bool(
        {
            "EQ": left == right,
            "NEQ": left != right,
            "LT": left < right,
            "LTE": left <= right,
            "GT": left > right,
            "GTE": left >= right,
        }[operator]
    )


def _contains_token(actual: str, token: str) -> bool:
    pattern = ".*".join(re.escape(part) for part in token.lower().split("*"))
    words = [actual.lower(), *re.split(r"[\s;,]+", actual.lower())]
    return any(re.fullmatch(pattern, word) for word in words)


def _comparable(actual: str, wanted: str) -> tuple[Any, Any]:
    """Both sides as numbers, as epoch milliseconds for dates, else as lower-case text."""
    actual_number, wanted_number = _number(actual), _number(wanted)
    if actual_number is not None and wanted_number is not None:
        return actual_number, wanted_number
    actual_ms = _epoch_ms(actual)
    if actual_ms is not None:
        wanted_ms = wanted_number if wanted_number is not None else _epoch_ms(wanted)
        if wanted_ms is not None:
            return actual_ms, wanted_ms
    return actual.lower(), wanted.lower()


def _sortable(value: str | None) -> Any:
    if value is None:
        return (0, 0.0, "")
    number = _number(value)
    if number is not None:
        return (1, number, "")
    moment = _epoch_ms(value)
    return (1, float(moment), "") if moment is not None else (2, 0.0, value.lower())


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _epoch_ms(text: str) -> float | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000
    except ValueError:
        return None
