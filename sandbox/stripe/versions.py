"""Objects rendered at a pinned API version older than 2025-03-31 (Stripe's "basil" release).

The stand-in stores objects in the current shape. Stripe's 2025-03-31 changelog moved
`invoice.subscription` under `parent.subscription_details`, replaced `invoice.charge` and
`invoice.payment_intent` by invoice payment objects, moved `current_period_start/end` from the
subscription onto its items, and moved a line's subscription details under `parent`. A request
that pins an older `Stripe-Version` gets those fields back where they were.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from sandbox.stripe.resources import lookup

BASIL = "2025-03-31"
_VERSION = re.compile(r"^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$")


def is_valid_version(version: str) -> bool:
    return bool(_VERSION.match(version))


def is_legacy(version: str | None) -> bool:
    """Whether a `Stripe-Version` predates 2025-03-31; no header means the current shape."""
    return version is not None and version[:10] < BASIL


@dataclass
class PaymentLinks:
    """Which charge and payment intent paid each invoice, read from the invoice payments."""

    charge_by_invoice: dict[str, str] = field(default_factory=dict)
    intent_by_invoice: dict[str, str] = field(default_factory=dict)
    invoice_by_intent: dict[str, str] = field(default_factory=dict)
    invoice_by_charge: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(
        cls, invoice_payments: list[dict[str, Any]], intents: dict[str, dict[str, Any]]
    ) -> PaymentLinks:
        links = cls()
        for payment in invoice_payments:
            if payment.get("status") != "paid":
                continue
            invoice = str(payment.get("invoice"))
            intent = lookup(payment, "payment.payment_intent")
            charge = lookup(payment, "payment.charge")
            if intent is not None:
                links.intent_by_invoice[invoice] = intent
                links.invoice_by_intent[intent] = invoice
                charge = charge or lookup(intents.get(intent, {}), "latest_charge")
            if charge is not None:
                links.charge_by_invoice[invoice] = charge
                links.invoice_by_charge[charge] = invoice
        return links


def legacy_shape(obj: dict[str, Any], links: PaymentLinks) -> dict[str, Any]:
    """A current-shape object as an account pinned before 2025-03-31 receives it."""
    kind = obj.get("object")
    if kind == "invoice":
        return _legacy_invoice(obj, links)
    if kind == "subscription":
        return _legacy_subscription(obj)
    if kind == "line_item":
        return _legacy_line(obj)
    if kind in ("payment_intent", "charge"):
        index = links.invoice_by_intent if kind == "payment_intent" else links.invoice_by_charge
        return {**obj, "invoice": index.get(str(obj.get("id")))}
    return obj


def _legacy_invoice(invoice: dict[str, Any], links: PaymentLinks) -> dict[str, Any]:
    shaped = {key: value for key, value in invoice.items() if key != "parent"}
    invoice_id = str(invoice.get("id"))
    shaped["subscription"] = lookup(invoice, "parent.subscription_details.subscription")
    shaped["charge"] = links.charge_by_invoice.get(invoice_id)
    shaped["payment_intent"] = links.intent_by_invoice.get(invoice_id)
    lines = invoice.get("lines")
    if isinstance(lines, dict):
        shaped["lines"] = {**lines, "data": [_legacy_line(line) for line in lines["data"]]}
    return shaped


def _legacy_subscription(subscription: dict[str, Any]) -> dict[str, Any]:
    shaped = copy.deepcopy(subscription)
    items = shaped.get("items", {}).get("data", [])
    first = items[0] if items else {}
    shaped["current_period_start"] = first.get("current_period_start")
    shaped["current_period_end"] = first.get("current_period_end")
    for item in items:
        item.pop("current_period_start", None)
        item.pop("current_period_end", None)
    return shaped


def _legacy_line(line: dict[str, Any]) -> dict[str, Any]:
    shaped = {key: value for key, value in line.items() if key != "parent"}
    parent = line.get("parent") or {}
    details = parent.get("subscription_item_details") or parent.get("invoice_item_details") or {}
    shaped["subscription"] = details.get("subscription") or line.get("subscription")
    shaped["subscription_item"] = details.get("subscription_item")
    shaped["proration"] = bool(details.get("proration"))
    shaped["type"] = (
        "subscription" if parent.get("type") == "subscription_item_details" else "invoiceitem"
    )
    return shaped
