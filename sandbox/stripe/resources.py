"""The Stripe list endpoints the stand-in serves, and the filters each one takes.

Each resource is named by its list (`/v1/<list_name>`, the load payload's key and the raw
table's name) and says which query parameters narrow it. Filters and their meaning follow
Stripe's API reference for each list endpoint; a parameter a list does not take is refused as
Stripe refuses it, so a source that misspells a filter learns of it instead of paging everything.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# Event types may use `*` as in `customer.*` (Stripe's `type` parameter on /v1/events).
Matcher = Callable[[dict[str, Any], list[str]], bool]

# Subscription statuses a list returns when `status` is not given: Stripe leaves canceled ones
# out unless asked for `canceled`, `ended` or `all`.
SUBSCRIPTION_STATUSES = (
    "trialing",
    "active",
    "past_due",
    "unpaid",
    "incomplete",
    "incomplete_expired",
    "paused",
    "canceled",
)
_ENDED = frozenset({"canceled", "incomplete_expired"})


def lookup(obj: dict[str, Any], path: str) -> Any:
    """The value at a dotted path (`parent.subscription_details.subscription`), or None."""
    value: Any = obj
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    # An expanded object matches by its id.
    if isinstance(value, dict) and "id" in value:
        return value["id"]
    return value


def field_equals(path: str) -> Matcher:
    """Match when the field at `path` equals the parameter (booleans as `true`/`false`)."""

    def matches(obj: dict[str, Any], values: list[str]) -> bool:
        value = lookup(obj, path)
        if isinstance(value, bool):
            value = "true" if value else "false"
        return value is not None and str(value) in values

    return matches


def _subscription_status(obj: dict[str, Any], values: list[str]) -> bool:
    wanted = values[0]
    if wanted == "all":
        return True
    if wanted == "ended":
        return obj.get("status") in _ENDED
    return obj.get("status") == wanted


def _subscription_price(obj: dict[str, Any], values: list[str]) -> bool:
    items = lookup(obj, "items") or {}
    return any(lookup(item, "price") in values for item in items.get("data", []))


def _event_type(obj: dict[str, Any], patterns: list[str]) -> bool:
    event_type = str(obj.get("type", ""))
    return any(
        re.fullmatch(".*".join(re.escape(part) for part in pattern.split("*")), event_type)
        for pattern in patterns
    )


@dataclass(frozen=True)
class Resource:
    """One Stripe list: its object name, filters and what it leaves out unless asked."""

    list_name: str
    object_name: str
    filters: dict[str, Matcher] = field(default_factory=dict)
    # Parameters whose values are checked against a closed list, as Stripe validates enums.
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Timestamp fields that take `<name>[gt|gte|lt|lte]` besides `created`.
    ranges: tuple[str, ...] = ("created",)
    # Applied when a parameter is absent: (parameter, default matcher).
    defaults: dict[str, Matcher] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"/v1/{self.list_name}"


RESOURCES: dict[str, Resource] = {
    resource.list_name: resource
    for resource in (
        Resource("customers", "customer", {"email": field_equals("email")}, ranges=("created",)),
        Resource(
            "products",
            "product",
            {
                "active": field_equals("active"),
                "ids": field_equals("id"),
                "shippable": field_equals("shippable"),
                "type": field_equals("type"),
            },
        ),
        Resource(
            "prices",
            "price",
            {
                "active": field_equals("active"),
                "currency": field_equals("currency"),
                "product": field_equals("product"),
                "type": field_equals("type"),
                "lookup_keys": field_equals("lookup_key"),
                "recurring[interval]": field_equals("recurring.interval"),
                "recurring[usage_type]": field_equals("recurring.usage_type"),
            },
            choices={"type": ("one_time", "recurring")},
        ),
        Resource(
            "subscriptions",
            "subscription",
            {
                "customer": field_equals("customer"),
                "price": _subscription_price,
                "status": _subscription_status,
                "collection_method": field_equals("collection_method"),
            },
            choices={"status": (*SUBSCRIPTION_STATUSES, "ended", "all")},
            defaults={"status": lambda obj, _: obj.get("status") != "canceled"},
        ),
        Resource(
            "invoices",
            "invoice",
            {
                "customer": field_equals("customer"),
                "status": field_equals("status"),
                "subscription": field_equals("parent.subscription_details.subscription"),
                "collection_method": field_equals("collection_method"),
            },
            choices={"status": ("draft", "open", "paid", "uncollectible", "void")},
            ranges=("created", "due_date"),
        ),
        Resource(
            "invoice_payments",
            "invoice_payment",
            {
                "invoice": field_equals("invoice"),
                "status": field_equals("status"),
                "payment[type]": field_equals("payment.type"),
                "payment[payment_intent]": field_equals("payment.payment_intent"),
                "payment[charge]": field_equals("payment.charge"),
            },
            choices={"status": ("canceled", "open", "paid")},
        ),
        Resource(
            "charges",
            "charge",
            {
                "customer": field_equals("customer"),
                "payment_intent": field_equals("payment_intent"),
                "transfer_group": field_equals("transfer_group"),
            },
        ),
        Resource("payment_intents", "payment_intent", {"customer": field_equals("customer")}),
        Resource(
            "refunds",
            "refund",
            {"charge": field_equals("charge"), "payment_intent": field_equals("payment_intent")},
        ),
        Resource(
            "credit_notes",
            "credit_note",
            {"customer": field_equals("customer"), "invoice": field_equals("invoice")},
        ),
        Resource(
            "balance_transactions",
            "balance_transaction",
            {
                "payout": field_equals("payout"),
                "source": field_equals("source"),
                "type": field_equals("type"),
                "currency": field_equals("currency"),
            },
        ),
        Resource(
            "payouts",
            "payout",
            {"status": field_equals("status"), "destination": field_equals("destination")},
            choices={"status": ("pending", "paid", "failed", "canceled", "in_transit")},
            ranges=("created", "arrival_date"),
        ),
        Resource("events", "event", {"type": _event_type, "types": _event_type}),
    )
}

# Lists embedded in an object and also served on their own path, as `/v1/invoices/{id}/lines`.
EMBEDDED_LISTS: dict[tuple[str, str], str] = {
    ("invoices", "lines"): "line_item",
    ("credit_notes", "lines"): "credit_note_line_item",
}

# How many entries of an embedded list Stripe includes in its parent before `has_more`.
EMBEDDED_PAGE = 10
