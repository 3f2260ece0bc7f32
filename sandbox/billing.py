"""A world's billing history: Stripe's catalog, subscriptions, invoices, payments and payouts,
and the closed-won HubSpot deal behind each subscription.

`add_billing(world)` runs after the customers and their planted drift exist and adds, for every
live Stripe customer, one subscription on one price of the fixed catalog, its paid invoices of
the last 12 months, each invoice's payment chain (invoice payment, payment intent, charge,
balance transaction), monthly payouts of the nets, and a deal associated with the customer's
CRM company. A trialing subscription has no invoice yet (Stripe's $0 trial invoice is left
out). It draws from its own random generator, so the customer records,
the Odoo records and the answer key are exactly those of a world without billing; and it plants
nothing: every amount agrees across the objects that carry it.

Objects have the keys and value types of Stripe's published examples (stripe-fixtures3.json),
current API shape (periods on subscription items, an invoice's subscription under `parent`).
Amounts are integers in minor units of their currency; JPY has none.
"""

from __future__ import annotations

import copy
import random
import string
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from sandbox.world import EVENT_RETENTION_DAYS, STRIPE_API_VERSION, World

Interval = Literal["month", "year"]

# The Stripe lists a world's billing fills, by their list endpoint's name.
STRIPE_LISTS = (
    "products",
    "prices",
    "subscriptions",
    "invoices",
    "invoice_payments",
    "payment_intents",
    "charges",
    "balance_transactions",
    "payouts",
)
# Invoices are kept for the last year before as_of, which keeps the demo world's files small.
HISTORY_MONTHS = 12
TRIAL_DAYS = 30
CATALOG_CREATED = datetime(2024, 1, 2, 9, 0, tzinfo=UTC)
ACCOUNT_NAME = "Trueup Demo"
# The account numbers its invoices in one sequence (Stripe's account-level numbering), so the
# customers' own `next_invoice_sequence` stays untouched.
ACCOUNT_INVOICE_PREFIX = "TRUEUP"

# Minor units per currency: JPY is zero-decimal (ISO 4217 exponent 0).
EXPONENTS = {"usd": 2, "eur": 2, "jpy": 0}
# Stripe's card pricing as a rate and a fixed part in the charge's minor units.
FEE_PER_MILLE = 29
FIXED_FEE = {"usd": 30, "eur": 25, "jpy": 30}
EURO_COUNTRIES = frozenset({"DE", "FR", "NL", "ES"})
_CARD_BRANDS = ("visa", "mastercard", "amex")


@dataclass(frozen=True)
class Product:
    """A plan of the catalog and its unit amounts per (interval, currency), in minor units."""

    key: str
    name: str
    description: str
    amounts: dict[tuple[Interval, str], int]

    @property
    def id(self) -> str:
        return f"prod_trueup_{self.key}"


PRODUCTS = (
    Product(
        "starter",
        "Starter",
        "For small teams getting their books in order",
        {
            ("month", "usd"): 4900,
            ("year", "usd"): 49000,
            ("month", "eur"): 4500,
            ("month", "jpy"): 7000,
        },
    ),
    Product(
        "growth",
        "Growth",
        "For growing companies with several billing contacts",
        {
            ("month", "usd"): 19900,
            ("year", "usd"): 199000,
            ("month", "eur"): 18500,
            ("month", "jpy"): 29000,
        },
    ),
    Product(
        "scale",
        "Scale",
        "For companies billing across entities",
        {
            ("month", "usd"): 79900,
            ("year", "usd"): 799000,
            ("month", "eur"): 74900,
            ("month", "jpy"): 118000,
        },
    ),
)
_PRODUCT_WEIGHTS = (50, 35, 15)


def price_id(product: Product, interval: Interval, currency: str) -> str:
    return f"price_{product.key}_{interval}_{currency}"


def catalog_products() -> list[dict[str, Any]]:
    """The catalog's products, the same in every world; one row per Stripe product."""
    stamp = _ts(CATALOG_CREATED)
    return [
        {
            "active": True,
            "created": stamp,
            "default_price": price_id(product, "month", "usd"),
            "description": product.description,
            "id": product.id,
            "images": [],
            "livemode": False,
            "marketing_features": [],
            "metadata": {},
            "name": product.name,
            "object": "product",
            "package_dimensions": None,
            "shippable": None,
            "statement_descriptor": None,
            "tax_code": None,
            "unit_label": "seat",
            "updated": stamp,
            "url": None,
            "type": "service",
        }
        for product in PRODUCTS
    ]


def catalog_prices() -> list[dict[str, Any]]:
    """The catalog's prices, the same in every world; unit amounts in minor units."""
    stamp = _ts(CATALOG_CREATED)
    return [
        {
            "active": True,
            "billing_scheme": "per_unit",
            "created": stamp,
            "currency": currency,
            "custom_unit_amount": None,
            "id": price_id(product, interval, currency),
            "livemode": False,
            "lookup_key": f"{product.key}_{interval}_{currency}",
            "metadata": {},
            "nickname": f"{product.name} {interval}ly {currency.upper()}",
            "object": "price",
            "product": product.id,
            "recurring": {
                "interval": interval,
                "interval_count": 1,
                "meter": None,
                "usage_type": "licensed",
                "trial_period_days": None,
            },
            "tax_behavior": "unspecified",
            "tiers_mode": None,
            "transform_quantity": None,
            "type": "recurring",
            "unit_amount": amount,
            "unit_amount_decimal": str(amount),
        }
        for product in PRODUCTS
        for (interval, currency), amount in product.amounts.items()
    ]


def add_billing(world: World) -> None:
    """Add the catalog and every live customer's billing history and deal to `world`."""
    rng = random.Random(world.seed * 7919 + 1)
    as_of = datetime.combine(world.as_of, datetime.min.time(), tzinfo=UTC)
    ledger = _Ledger(as_of=as_of)
    prices = {price["id"]: price for price in catalog_prices()}
    companies = {company["id"]: company for company in world.crm["companies"]}

    account = world.stripe["main"]
    live = sorted(
        (customer for customer in account["customers"] if not customer.get("deleted")),
        key=lambda customer: customer["id"],
    )
    plans = _choose_plans(live, rng, as_of)
    for customer in live:
        plan = plans[customer["id"]]
        price = prices[price_id(plan.product, plan.interval, plan.currency)]
        company = companies[customer["metadata"]["hubspot_company_id"]]
        _bill_customer(ledger, customer, company, plan, price, rng)
    _number_invoices(ledger)
    _pay_out(ledger, rng)
    _announce_paid_invoices(ledger, rng)

    for other in world.stripe.values():
        for name in STRIPE_LISTS:
            other.setdefault(name, [])
    for name in STRIPE_LISTS:
        account[name] = sorted(ledger.stripe[name], key=lambda row: row["id"])
    account["products"] = catalog_products()
    account["prices"] = list(prices.values())
    account["events"] += ledger.events
    world.crm["deals"] = sorted(ledger.deals, key=lambda row: row["id"])
    world.crm["associations"] = sorted(
        ledger.associations, key=lambda row: (row["from_id"], row["to_id"])
    )


# --- who buys what ---


@dataclass(frozen=True)
class _Plan:
    """What one customer bought, and when the subscription started, trialed or ended."""

    product: Product
    interval: Interval
    currency: str
    quantity: int
    status: Literal["active", "trialing", "canceled"]
    start: datetime
    ended_at: datetime | None = None


def _choose_plans(
    customers: list[dict[str, Any]], rng: random.Random, as_of: datetime
) -> dict[str, _Plan]:
    """One plan per customer; a few trialing and a few canceled, at least one of each."""
    order = customers[:]
    rng.shuffle(order)
    trialing = max(1, len(order) // 15)

    plans = {}
    canceled_left = max(1, len(order) // 12)
    for index, customer in enumerate(order):
        # The customer's default currency stays USD; Stripe bills a multi-currency customer in
        # the subscription's currency (docs.stripe.com/invoicing/multiple-currencies).
        country = customer["address"]["country"]
        currency = "eur" if country in EURO_COUNTRIES else "usd"
        if index % 10 == 3:
            currency = "jpy"
        interval: Interval = "year" if currency == "usd" and rng.random() < 0.25 else "month"
        product = rng.choices(PRODUCTS, weights=_PRODUCT_WEIGHTS)[0]
        quantity = rng.randint(1, 12)
        created = datetime.fromtimestamp(customer["created"], tz=UTC)

        if index < trialing:
            start = as_of - timedelta(days=rng.randint(2, 25), minutes=rng.randint(60, 600))
            plans[customer["id"]] = _Plan(product, interval, currency, quantity, "trialing", start)
            continue
        start = created + timedelta(minutes=rng.randint(5, 90))
        periods = _period_starts(start, interval, as_of)
        if canceled_left and len(periods) >= 3:
            # Canceled at once, partway through a past period that is not the current one.
            canceled_left -= 1
            last = rng.randint(1, len(periods) - 2)
            ended_at = periods[last] + timedelta(days=rng.randint(1, 20))
            plans[customer["id"]] = _Plan(
                product, interval, currency, quantity, "canceled", start, ended_at
            )
            continue
        plans[customer["id"]] = _Plan(product, interval, currency, quantity, "active", start)
    return plans


# --- one customer's subscription, invoices and payments ---


@dataclass
class _Ledger:
    """Everything billing adds, gathered while customers are billed one after another."""

    as_of: datetime
    stripe: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    events: list[dict[str, Any]] = field(default_factory=list)
    deals: list[dict[str, Any]] = field(default_factory=list)
    associations: list[dict[str, Any]] = field(default_factory=list)
    deal_ids: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class _Card:
    payment_method: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int
    fingerprint: str


def _bill_customer(
    ledger: _Ledger,
    customer: dict[str, Any],
    company: dict[str, Any],
    plan: _Plan,
    price: dict[str, Any],
    rng: random.Random,
) -> None:
    subscription_id = "sub_" + _token(rng, 24)
    item_id = "si_" + _token(rng, 14)
    card = _Card(
        payment_method="pm_" + _token(rng, 24),
        brand=rng.choice(_CARD_BRANDS),
        last4=f"{rng.randint(0, 9999):04d}",
        exp_month=rng.randint(1, 12),
        exp_year=rng.randint(2027, 2031),
        fingerprint=_token(rng, 16),
    )

    # Billing periods start at the anchor; the first paid one is the trial's end, if any.
    if plan.status == "trialing":
        anchor = plan.start + timedelta(days=TRIAL_DAYS)
        period = (plan.start, anchor)
        starts: list[datetime] = []
    else:
        anchor = plan.start
        until = plan.ended_at or ledger.as_of
        starts = _period_starts(anchor, plan.interval, until)
        period = (starts[-1], _add_months(anchor, _months(plan.interval) * len(starts)))

    invoices = []
    history_from = _add_months(ledger.as_of, -HISTORY_MONTHS)
    for number, start in enumerate(starts, start=1):
        if start < history_from:
            continue
        end = _add_months(anchor, _months(plan.interval) * number)
        previous = _add_months(anchor, _months(plan.interval) * max(number - 2, 0))
        invoice = _invoice(
            customer, plan, price, (subscription_id, item_id), number, (previous, start, end), rng
        )
        invoices.append(invoice)
        ledger.stripe["invoices"].append(invoice)
        _pay(ledger, customer, invoice, card, rng)

    deal_id = _deal(ledger, company, plan, price, rng)
    ledger.stripe["subscriptions"].append(
        _subscription(
            customer,
            plan,
            price,
            subscription_id,
            item_id,
            anchor,
            period,
            latest_invoice=invoices[-1]["id"] if invoices else None,
            payment_method=card.payment_method,
            deal_id=deal_id,
        )
    )


def _subscription(
    customer: dict[str, Any],
    plan: _Plan,
    price: dict[str, Any],
    subscription_id: str,
    item_id: str,
    anchor: datetime,
    period: tuple[datetime, datetime],
    *,
    latest_invoice: str | None,
    payment_method: str,
    deal_id: str,
) -> dict[str, Any]:
    created = _ts(plan.start)
    trialing = plan.status == "trialing"
    ended = _ts(plan.ended_at) if plan.ended_at else None
    item = {
        "created": created,
        "discounts": [],
        "id": item_id,
        "metadata": {},
        "object": "subscription_item",
        "price": copy.deepcopy(price),
        "quantity": plan.quantity,
        "subscription": subscription_id,
        "tax_rates": [],
        "plan": _plan_of(price),
        "current_period_end": _ts(period[1]),
        "current_period_start": _ts(period[0]),
        "billing_thresholds": None,
    }
    return {
        "application": None,
        "application_fee_percent": None,
        "automatic_tax": {"enabled": False, "liability": None, "disabled_reason": None},
        "billing_cycle_anchor": _ts(anchor),
        "billing_cycle_anchor_config": None,
        "cancel_at": None,
        "canceled_at": ended,
        "cancellation_details": {
            "comment": None,
            "feedback": None,
            "reason": "cancellation_requested" if ended else None,
        },
        "collection_method": "charge_automatically",
        "created": created,
        "currency": plan.currency,
        "customer": customer["id"],
        "days_until_due": None,
        "default_payment_method": payment_method,
        "default_source": None,
        "default_tax_rates": [],
        "description": None,
        "discounts": [],
        "ended_at": ended,
        "id": subscription_id,
        "invoice_settings": {
            "account_tax_ids": None,
            "issuer": {"type": "self"},
            "custom_fields": None,
            "description": None,
            "footer": None,
        },
        "items": {
            "data": [item],
            "has_more": False,
            "object": "list",
            "url": f"/v1/subscription_items?subscription={subscription_id}",
        },
        "latest_invoice": latest_invoice,
        "livemode": False,
        "metadata": {"hubspot_deal_id": deal_id},
        "next_pending_invoice_item_invoice": None,
        "object": "subscription",
        "on_behalf_of": None,
        "pause_collection": None,
        "payment_settings": {
            "payment_method_options": None,
            "payment_method_types": None,
            "save_default_payment_method": "off",
        },
        "pending_invoice_item_interval": None,
        "pending_setup_intent": None,
        "pending_update": None,
        "schedule": None,
        "start_date": created,
        "status": plan.status,
        "test_clock": None,
        "transfer_data": None,
        "trial_end": _ts(anchor) if trialing else None,
        "trial_settings": {"end_behavior": {"missing_payment_method": "create_invoice"}},
        "trial_start": created if trialing else None,
        "cancel_at_period_end": False,
        "billing_thresholds": None,
        "billing_mode": {"type": "classic", "flexible": None},
        "customer_account": None,
        "managed_payments": {"enabled": False},
        "billing_schedules": [],
    }


def _plan_of(price: dict[str, Any]) -> dict[str, Any]:
    """The legacy plan Stripe still embeds beside an item's price, with the price's id."""
    return {
        "active": True,
        "amount": price["unit_amount"],
        "amount_decimal": price["unit_amount_decimal"],
        "billing_scheme": "per_unit",
        "created": price["created"],
        "currency": price["currency"],
        "id": price["id"],
        "interval": price["recurring"]["interval"],
        "interval_count": 1,
        "livemode": False,
        "metadata": {},
        "meter": None,
        "nickname": price["nickname"],
        "object": "plan",
        "product": price["product"],
        "tiers_mode": None,
        "transform_usage": None,
        "trial_period_days": None,
        "usage_type": "licensed",
    }


def _invoice(
    customer: dict[str, Any],
    plan: _Plan,
    price: dict[str, Any],
    subscription: tuple[str, str],
    number: int,
    periods: tuple[datetime, datetime, datetime],
    rng: random.Random,
) -> dict[str, Any]:
    """A paid subscription invoice with its one line, for the period from `periods[1]` to
    `periods[2]`; `periods[0]` is the previous period's start. Amounts in minor units."""
    subscription_id, item_id = subscription
    previous, start, end = periods
    invoice_id = "in_" + _token(rng, 24)
    created = _ts(start)
    # Stripe finalizes a renewal about an hour after creating it; the first one at once.
    finalized = created + (3600 if number > 1 else 0)
    paid = finalized + rng.randint(5, 120)
    amount = price["unit_amount"] * plan.quantity
    line = {
        "amount": amount,
        "currency": plan.currency,
        # Stripe's own wording, with the multiplication sign: "3 \u00d7 Growth (at ...)".
        "description": f"{plan.quantity} \u00d7 {plan.product.name} "
        f"(at {_money(price['unit_amount'], plan.currency)} / {plan.interval})",
        "discount_amounts": [],
        "discountable": True,
        "discounts": [],
        "id": "il_" + _token(rng, 24),
        "invoice": invoice_id,
        "livemode": False,
        "metadata": {},
        "object": "line_item",
        "period": {"end": _ts(end), "start": created},
        "quantity": plan.quantity,
        "subscription": None,
        "pretax_credit_amounts": [],
        "taxes": [],
        "parent": {
            "invoice_item_details": None,
            "subscription_item_details": {
                "invoice_item": None,
                "proration": False,
                "proration_details": {"credited_items": None},
                "subscription": subscription_id,
                "subscription_item": item_id,
            },
            "type": "subscription_item_details",
        },
        "pricing": {
            "price_details": {"price": price["id"], "product": price["product"]},
            "type": "price_details",
            "unit_amount_decimal": price["unit_amount_decimal"],
        },
        "subtotal": amount,
        "quantity_decimal": str(plan.quantity),
    }
    lines = [line]
    total = sum(entry["amount"] for entry in lines)
    return {
        "account_country": "US",
        "account_name": ACCOUNT_NAME,
        "account_tax_ids": None,
        "amount_due": total,
        "amount_paid": total,
        "amount_remaining": 0,
        "amount_shipping": 0,
        "application": None,
        "attempt_count": 1,
        "attempted": True,
        "auto_advance": False,
        "automatic_tax": {
            "enabled": False,
            "liability": None,
            "status": None,
            "disabled_reason": None,
            "provider": None,
        },
        "billing_reason": "subscription_create" if number == 1 else "subscription_cycle",
        "collection_method": "charge_automatically",
        "created": created,
        "currency": plan.currency,
        "custom_fields": None,
        "customer": customer["id"],
        "customer_address": dict(customer["address"]),
        "customer_email": customer["email"],
        "customer_name": customer["name"],
        "customer_phone": None,
        "customer_shipping": None,
        "customer_tax_exempt": "none",
        "customer_tax_ids": [],
        "default_payment_method": None,
        "default_source": None,
        "default_tax_rates": [],
        "description": None,
        "discounts": [],
        "due_date": None,
        "effective_at": finalized,
        "ending_balance": 0,
        "footer": None,
        "from_invoice": None,
        "hosted_invoice_url": None,
        "id": invoice_id,
        "invoice_pdf": None,
        "issuer": {"type": "self"},
        "last_finalization_error": None,
        "latest_revision": None,
        "lines": {
            "data": lines,
            "has_more": False,
            "object": "list",
            "url": f"/v1/invoices/{invoice_id}/lines",
        },
        "livemode": False,
        "metadata": {},
        "next_payment_attempt": None,
        "number": None,
        "object": "invoice",
        "on_behalf_of": None,
        "payment_settings": {
            "default_mandate": None,
            "payment_method_options": None,
            "payment_method_types": None,
        },
        # Stripe dates a subscription invoice's own period as the one just ended.
        "period_end": created,
        "period_start": _ts(previous),
        "post_payment_credit_notes_amount": 0,
        "pre_payment_credit_notes_amount": 0,
        "receipt_number": None,
        "rendering": None,
        "shipping_cost": None,
        "shipping_details": None,
        "starting_balance": 0,
        "statement_descriptor": None,
        "status": "paid",
        "status_transitions": {
            "finalized_at": finalized,
            "marked_uncollectible_at": None,
            "paid_at": paid,
            "voided_at": None,
        },
        "subscription": None,
        "subtotal": total,
        "subtotal_excluding_tax": total,
        "test_clock": None,
        "total": total,
        "total_discount_amounts": [],
        "total_excluding_tax": total,
        "webhooks_delivered_at": finalized,
        "automatically_finalizes_at": None,
        "total_pretax_credit_amounts": [],
        "total_taxes": [],
        "amount_overpaid": 0,
        "parent": {
            "quote_details": None,
            "subscription_details": {"metadata": {}, "subscription": subscription_id},
            "type": "subscription_details",
        },
        "customer_account": None,
    }


def _pay(
    ledger: _Ledger,
    customer: dict[str, Any],
    invoice: dict[str, Any],
    card: _Card,
    rng: random.Random,
) -> None:
    """The invoice payment, payment intent, charge and balance transaction of a paid invoice."""
    intent_id = "pi_" + _token(rng, 24)
    charge_id = "ch_" + _token(rng, 24)
    transaction_id = "txn_" + _token(rng, 24)
    amount, currency = invoice["amount_paid"], invoice["currency"]
    created = invoice["status_transitions"]["finalized_at"]
    paid = invoice["status_transitions"]["paid_at"]
    description = _payment_description(invoice)

    ledger.stripe["invoice_payments"].append(
        {
            "amount_paid": amount,
            "amount_requested": amount,
            "created": created,
            "currency": currency,
            "id": "inpay_" + _token(rng, 24),
            "invoice": invoice["id"],
            "is_default": True,
            "livemode": False,
            "object": "invoice_payment",
            "payment": {"type": "payment_intent", "payment_intent": intent_id},
            "status": "paid",
            "status_transitions": {"canceled_at": None, "paid_at": paid},
        }
    )
    ledger.stripe["payment_intents"].append(
        _payment_intent(intent_id, charge_id, customer, invoice, created, card, rng)
    )
    ledger.stripe["charges"].append(
        _charge(charge_id, intent_id, transaction_id, customer, invoice, paid, card, rng)
    )

    fee = _fee(amount, currency)
    available_on = _ts(_midnight(datetime.fromtimestamp(paid, tz=UTC)) + timedelta(days=2))
    ledger.stripe["balance_transactions"].append(
        {
            "amount": amount,
            "available_on": available_on,
            "created": paid,
            "currency": currency,
            "description": description,
            "exchange_rate": None,
            "fee": fee,
            "fee_details": [
                {
                    "amount": fee,
                    "application": None,
                    "currency": currency,
                    "description": "Stripe processing fees",
                    "type": "stripe_fee",
                }
            ],
            "id": transaction_id,
            "net": amount - fee,
            "object": "balance_transaction",
            "reporting_category": "charge",
            "source": charge_id,
            "status": "available" if available_on <= _ts(ledger.as_of) else "pending",
            "type": "charge",
            "balance_type": "payments",
        }
    )


def _payment_description(invoice: dict[str, Any]) -> str:
    """How Stripe describes the payment of a subscription invoice."""
    if invoice["billing_reason"] == "subscription_create":
        return "Subscription creation"
    return "Subscription update"


def _payment_intent(
    intent_id: str,
    charge_id: str,
    customer: dict[str, Any],
    invoice: dict[str, Any],
    created: int,
    card: _Card,
    rng: random.Random,
) -> dict[str, Any]:
    amount, currency = invoice["amount_paid"], invoice["currency"]
    return {
        "amount": amount,
        "amount_capturable": 0,
        "amount_details": {"tip": {}},
        "amount_received": amount,
        "application": None,
        "application_fee_amount": None,
        "automatic_payment_methods": None,
        "canceled_at": None,
        "cancellation_reason": None,
        "capture_method": "automatic",
        "client_secret": f"{intent_id}_secret_{_token(rng, 25)}",
        "confirmation_method": "automatic",
        "created": created,
        "currency": currency,
        "customer": customer["id"],
        "description": _payment_description(invoice),
        "id": intent_id,
        "last_payment_error": None,
        "latest_charge": charge_id,
        "livemode": False,
        "metadata": {},
        "next_action": None,
        "object": "payment_intent",
        "on_behalf_of": None,
        "payment_method": card.payment_method,
        "payment_method_configuration_details": None,
        "payment_method_options": {},
        "payment_method_types": ["card"],
        "processing": None,
        "receipt_email": None,
        "review": None,
        "setup_future_usage": "off_session",
        "shipping": None,
        "statement_descriptor": None,
        "statement_descriptor_suffix": None,
        "status": "succeeded",
        "transfer_data": None,
        "transfer_group": None,
        "source": None,
        "excluded_payment_method_types": None,
        "customer_account": None,
        "managed_payments": {"enabled": False},
    }


def _charge(
    charge_id: str,
    intent_id: str,
    transaction_id: str,
    customer: dict[str, Any],
    invoice: dict[str, Any],
    created: int,
    card: _Card,
    rng: random.Random,
) -> dict[str, Any]:
    amount, currency = invoice["amount_paid"], invoice["currency"]
    return {
        "amount": amount,
        "amount_captured": amount,
        "amount_refunded": 0,
        "application": None,
        "application_fee": None,
        "application_fee_amount": None,
        "balance_transaction": transaction_id,
        "billing_details": {
            "address": dict(customer["address"]),
            "email": customer["email"],
            "name": customer["name"],
            "phone": None,
            "tax_id": None,
        },
        "calculated_statement_descriptor": "TRUEUP",
        "captured": True,
        "created": created,
        "currency": currency,
        "customer": customer["id"],
        "description": _payment_description(invoice),
        "disputed": False,
        "failure_balance_transaction": None,
        "failure_code": None,
        "failure_message": None,
        "fraud_details": {},
        "id": charge_id,
        "livemode": False,
        "metadata": {},
        "object": "charge",
        "on_behalf_of": None,
        "outcome": {
            "advice_code": None,
            "network_advice_code": None,
            "network_decline_code": None,
            "network_status": "approved_by_network",
            "reason": None,
            "seller_message": "Payment complete.",
            "type": "authorized",
        },
        "paid": True,
        "payment_intent": intent_id,
        "payment_method": card.payment_method,
        "payment_method_details": {
            "card": {
                "amount_authorized": amount,
                "brand": card.brand,
                "checks": {
                    "address_line1_check": None,
                    "address_postal_code_check": None,
                    "cvc_check": None,
                },
                "country": customer["address"]["country"],
                "exp_month": card.exp_month,
                "exp_year": card.exp_year,
                "extended_authorization": {"status": "disabled"},
                "fingerprint": card.fingerprint,
                "funding": "credit",
                "incremental_authorization": {"status": "unavailable"},
                "installments": None,
                "last4": card.last4,
                "mandate": None,
                "multicapture": {"status": "unavailable"},
                "network": card.brand,
                "network_token": {"used": False},
                "overcapture": {"maximum_amount_capturable": amount, "status": "unavailable"},
                "three_d_secure": None,
                "wallet": None,
                "authorization_code": f"{rng.randint(0, 999999):06d}",
                "regulated_status": "unregulated",
                "network_transaction_id": str(rng.randint(10**14, 10**15 - 1)),
                "transaction_link_id": None,
            },
            "type": "card",
        },
        "receipt_email": None,
        "receipt_number": None,
        "receipt_url": None,
        "refunded": False,
        "refunds": {
            "data": [],
            "has_more": False,
            "object": "list",
            "url": f"/v1/charges/{charge_id}/refunds",
        },
        "review": None,
        "shipping": None,
        "source_transfer": None,
        "statement_descriptor": None,
        "statement_descriptor_suffix": None,
        "status": "succeeded",
        "transfer_data": None,
        "transfer_group": None,
        "source": None,
    }


# --- invoice numbers, payouts and events, across customers ---


def _number_invoices(ledger: _Ledger) -> None:
    """Number the invoices in the account's one sequence, in the order they were finalized."""
    invoices = sorted(
        ledger.stripe["invoices"],
        key=lambda row: (row["status_transitions"]["finalized_at"], row["id"]),
    )
    for sequence, invoice in enumerate(invoices, start=1):
        invoice["number"] = f"{ACCOUNT_INVOICE_PREFIX}-{sequence:04d}"


def _pay_out(ledger: _Ledger, rng: random.Random) -> None:
    """One payout per month and currency of the charges' nets, on the 5th of the next month.

    Months whose payout date is after `as_of` stay in the balance, not yet paid out.
    """
    nets: dict[tuple[date, str], int] = defaultdict(int)
    for transaction in ledger.stripe["balance_transactions"]:
        day = datetime.fromtimestamp(transaction["created"], tz=UTC).date()
        nets[(day.replace(day=1), transaction["currency"])] += transaction["net"]

    for (month, currency), amount in sorted(nets.items()):
        next_month = _add_months(datetime(month.year, month.month, 1, tzinfo=UTC), 1)
        created = next_month.replace(day=5, hour=3)
        if created >= ledger.as_of:
            continue
        arrival = _ts(_midnight(created) + timedelta(days=2))
        payout_id = "po_" + _token(rng, 24)
        transaction_id = "txn_" + _token(rng, 24)
        ledger.stripe["payouts"].append(
            {
                "amount": amount,
                "application_fee": None,
                "application_fee_amount": None,
                "arrival_date": arrival,
                "automatic": True,
                "balance_transaction": transaction_id,
                "created": _ts(created),
                "currency": currency,
                "description": "STRIPE PAYOUT",
                "destination": f"ba_trueup_{currency}",
                "failure_balance_transaction": None,
                "failure_code": None,
                "failure_message": None,
                "id": payout_id,
                "livemode": False,
                "metadata": {},
                "method": "standard",
                "object": "payout",
                "original_payout": None,
                "reconciliation_status": "completed",
                "reversed_by": None,
                "source_type": "card",
                "statement_descriptor": None,
                "status": "paid" if arrival <= _ts(ledger.as_of) else "in_transit",
                "type": "bank_account",
                "trace_id": {"status": "unsupported", "value": None},
                "payout_method": None,
            }
        )
        ledger.stripe["balance_transactions"].append(
            {
                "amount": -amount,
                "available_on": _ts(created),
                "created": _ts(created),
                "currency": currency,
                "description": "STRIPE PAYOUT",
                "exchange_rate": None,
                "fee": 0,
                "fee_details": [],
                "id": transaction_id,
                "net": -amount,
                "object": "balance_transaction",
                "reporting_category": "payout",
                "source": payout_id,
                "status": "available",
                "type": "payout",
                "balance_type": "payments",
            }
        )


def _announce_paid_invoices(ledger: _Ledger, rng: random.Random) -> None:
    """An `invoice.paid` event for each invoice paid inside Stripe's 30-day event window."""
    oldest = _ts(ledger.as_of - timedelta(days=EVENT_RETENTION_DAYS))
    for invoice in sorted(ledger.stripe["invoices"], key=lambda row: row["id"]):
        paid = invoice["status_transitions"]["paid_at"]
        if paid < oldest:
            continue
        ledger.events.append(
            {
                "id": "evt_" + _token(rng, 24),
                "object": "event",
                "api_version": STRIPE_API_VERSION,
                "created": paid + 1,
                "data": {"object": invoice},
                "livemode": False,
                "pending_webhooks": 0,
                "request": {"id": None, "idempotency_key": None},
                "type": "invoice.paid",
            }
        )


# --- the CRM side ---


def _deal(
    ledger: _Ledger,
    company: dict[str, Any],
    plan: _Plan,
    price: dict[str, Any],
    rng: random.Random,
) -> str:
    """A closed-won deal for the subscription, worth a year of it, tied to the company."""
    deal_id = str(rng.randint(10**9, 10**10 - 1))
    while deal_id in ledger.deal_ids:
        deal_id = str(rng.randint(10**9, 10**10 - 1))
    ledger.deal_ids.add(deal_id)

    company_created = datetime.strptime(company["createdAt"], "%Y-%m-%dT%H:%M:%S.000Z")
    company_created = company_created.replace(tzinfo=UTC)
    closed = plan.start
    created = max(
        closed - timedelta(days=rng.randint(7, 30), minutes=rng.randint(0, 600)),
        company_created + timedelta(hours=1),
    )
    modified = closed + timedelta(minutes=rng.randint(1, 60))
    periods_per_year = 12 if plan.interval == "month" else 1
    yearly = price["unit_amount"] * plan.quantity * periods_per_year
    cadence = "monthly" if plan.interval == "month" else "annual"
    properties = {
        "hs_object_id": deal_id,
        "createdate": _iso(created),
        "dealname": f"{company['properties']['name']} - {plan.product.name} ({cadence})",
        "amount": _major(yearly, plan.currency),
        "deal_currency_code": plan.currency.upper(),
        "closedate": _iso(closed),
        "pipeline": "default",
        "dealstage": "closedwon",
        "hs_lastmodifieddate": _iso(modified),
    }
    ledger.deals.append(
        {
            "id": deal_id,
            "properties": properties,
            "createdAt": properties["createdate"],
            "updatedAt": properties["hs_lastmodifieddate"],
            "archived": False,
        }
    )
    ledger.associations.append(
        {
            "from_type": "deals",
            "from_id": deal_id,
            "to_type": "companies",
            "to_id": company["id"],
            "primary": True,
        }
    )
    return deal_id


# --- helpers ---


def _months(interval: Interval) -> int:
    return 1 if interval == "month" else 12


def _period_starts(anchor: datetime, interval: Interval, until: datetime) -> list[datetime]:
    """Every period start from `anchor` that is before `until`."""
    starts: list[datetime] = []
    step = _months(interval)
    while (start := _add_months(anchor, step * len(starts))) < until:
        starts.append(start)
    return starts


def _add_months(moment: datetime, months: int) -> datetime:
    """`months` later on the same day, or the month's last day, as Stripe's cycles keep it."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    next_first = date(year + month // 12, month % 12 + 1, 1)
    last_day = (next_first - timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


def _fee(amount: int, currency: str) -> int:
    """Stripe's card fee in minor units: 2.9% rounded half up, plus the fixed part."""
    return (amount * FEE_PER_MILLE + 500) // 1000 + FIXED_FEE[currency]


def _major(minor: int, currency: str) -> str:
    """An amount in major units, as HubSpot keeps it, with the currency's own decimals."""
    exponent = EXPONENTS[currency]
    if exponent == 0:
        return str(minor)
    sign = "-" if minor < 0 else ""
    whole, fraction = divmod(abs(minor), 10**exponent)
    return f"{sign}{whole}.{fraction:0{exponent}d}"


def _money(minor: int, currency: str) -> str:
    return f"{_major(minor, currency)} {currency.upper()}"


def _midnight(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def _ts(moment: datetime) -> int:
    return int(moment.timestamp())


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _token(rng: random.Random, length: int) -> str:
    return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(length))
