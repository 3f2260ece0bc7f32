"""Subscriptions as Odoo Enterprise's `sale_subscription` module shapes them from 17 on.

Served only when the stand-in runs as 19 with `OdooStandIn(subscriptions=True)`, which says
the database has the Enterprise subscriptions module installed. Without it the fields below and
the plan model do not exist, so a client tells the two shapes apart as it would on a real
database: `ir.model` has (or lacks) `sale.subscription.plan`, and `sale.order`'s `fields_get`
has (or lacks) `plan_id` and `subscription_state`.

Where the shape comes from: the recorded servers were Community, so nothing here was recorded.
Field names, types, selection values and labels, the state rules and the method names follow
the published source of Odoo Enterprise's `sale_subscription` (17.0/18.0):

- `models/sale_order.py`: `SUBSCRIPTION_STATES` (`1_draft` Quotation, `2_renewal` Renewal
  Quotation, `3_progress` In Progress, `4_paused` Paused, `5_renewed` Renewed, `6_churn`
  Churned, `7_upsell` Upsell); the fields `is_subscription`, `plan_id`, `subscription_state`,
  `subscription_id`, `origin_order_id`, `subscription_child_ids`, `start_date`,
  `next_invoice_date`, `end_date`, `first_contract_date`, `close_reason_id`,
  `recurring_monthly`, `recurring_total`; the computes `_compute_is_subscription`,
  `_compute_subscription_state`, `_compute_start_date`, `_compute_next_invoice_date`; `create`,
  `action_confirm` (`_prepare_confirmation_values` puts confirmed subscriptions in
  `3_progress`, `_confirm_subscription` sets the start date), `action_draft`, `_action_cancel`,
  `set_close(close_reason_id=None, renew=False)`, `set_open`, `pause_subscription`,
  `resume_subscription`, `_unlink_except_draft_or_cancel`, and the `_sql_constraints`
  `sale_subscription_state_coherence`, `sale_subscription_state_coherence_2` and
  `check_start_date_lower_next_invoice_date`.
- `models/sale_subscription_plan.py` (17 replaced 16's `sale.temporal.recurrence` with this
  model): `name` (default "Monthly"), `active`, `company_id`, `billing_period_value` (default
  1), `billing_period_unit` (`week`/`month`/`year`, default `month`), `user_closable`,
  `auto_close_limit` (default 15).
- `models/sale_order_line.py`: a line's `recurring_monthly` is its subtotal brought to one
  month by the plan's period, for products with `recurring_invoice` (on `product.template`).
- `data/`: the close reasons `sale_subscription.close_reason_renew`,
  `close_reason_end_of_contract` and `close_reason_unknown`, which `set_close` picks from.

Not served: invoicing a subscription (the recurring invoice cron, and `next_invoice_date`
moving on by a period), `prepare_renewal_order`/`prepare_upsell_order` (both refuse a
subscription that was never invoiced, as every one here is), merging a confirmed upsell's lines
into its parent, chatter, MRR logs and KPIs. The ids of the plan's `ir.model` row and of the
close reasons, and the close reasons' names, were not published; the ones below are ours.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox.odoo.errors import user_error, validation_error

if TYPE_CHECKING:
    from sandbox.odoo.orm import Database, Env

PLAN_MODEL = "sale.subscription.plan"
CLOSE_REASON_MODEL = "sale.order.close.reason"

STATES = [
    ["1_draft", "Quotation"],
    ["2_renewal", "Renewal Quotation"],
    ["3_progress", "In Progress"],
    ["4_paused", "Paused"],
    ["5_renewed", "Renewed"],
    ["6_churn", "Churned"],
    ["7_upsell", "Upsell"],
]
DRAFT_STATES = ("1_draft", "2_renewal")
PROGRESS_STATES = ("3_progress", "4_paused")
CLOSED_STATES = ("6_churn", "5_renewed")

# sale_order_line.py's INTERVAL_FACTOR: how many of a period make a month.
MONTHLY_FACTOR = {"week": 30.437 / 7, "month": 1.0, "year": 1 / 12}


def _field(kind: str, relation: str | None = None, **attributes: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"type": kind, "readonly": False, "required": False}
    if relation:
        spec["relation"] = relation
    spec.update(attributes)
    return spec


# Fields the module adds, per model; computed stored fields without readonly=False read as
# readonly in fields_get, as Odoo describes them.
FIELDS: dict[str, dict[str, dict[str, Any]]] = {
    "sale.order": {
        "is_subscription": _field("boolean", readonly=True),
        "plan_id": _field("many2one", PLAN_MODEL),
        "subscription_state": _field("selection", selection=STATES),
        "subscription_id": _field("many2one", "sale.order"),
        "origin_order_id": _field("many2one", "sale.order", readonly=True),
        "subscription_child_ids": _field("one2many", "sale.order"),
        "start_date": _field("date"),
        "next_invoice_date": _field("date"),
        "end_date": _field("date"),
        "first_contract_date": _field("date", readonly=True),
        "close_reason_id": _field("many2one", CLOSE_REASON_MODEL),
        "recurring_monthly": _field("monetary", readonly=True),
        "recurring_total": _field("monetary", readonly=True),
    },
    "product.template": {
        "recurring_invoice": _field("boolean"),
    },
    # A variant reads it from its template (product.product `_inherits` product.template).
    "product.product": {
        "recurring_invoice": _field("boolean"),
    },
    PLAN_MODEL: {
        "name": _field("char", required=True),
        "active": _field("boolean"),
        "company_id": _field("many2one", "res.company"),
        "billing_period_value": _field("integer", required=True),
        "billing_period_unit": _field(
            "selection",
            selection=[["week", "Weeks"], ["month", "Months"], ["year", "Years"]],
            required=True,
        ),
        "user_closable": _field("boolean"),
        "auto_close_limit": _field("integer"),
    },
    CLOSE_REASON_MODEL: {
        "name": _field("char", required=True),
    },
}

LABELS: dict[str, str] = {
    "is_subscription": "Recurring",
    "plan_id": "Recurring Plan",
    "subscription_state": "Subscription Status",
    "subscription_id": "Parent Contract",
    "origin_order_id": "First contract",
    "next_invoice_date": "Next Invoice",
    "close_reason_id": "Close Reason",
    "recurring_monthly": "Monthly Recurring",
    "recurring_total": "Total Recurring",
    "billing_period_value": "Duration",
    "billing_period_unit": "Unit",
    "auto_close_limit": "Automatic Closing",
}

DEFAULTS: dict[str, dict[str, Any]] = {
    PLAN_MODEL: {
        "name": "Monthly",
        "active": True,
        "billing_period_value": 1,
        "billing_period_unit": "month",
        "user_closable": False,
        "auto_close_limit": 15,
    },
    CLOSE_REASON_MODEL: {},
}

# sale.order fields computed when read here (stored in Odoo, but always following these rules).
COMPUTED_ORDER = frozenset(
    {
        "is_subscription",
        "origin_order_id",
        "subscription_child_ids",
        "first_contract_date",
        "recurring_monthly",
        "recurring_total",
    }
)

# The close reasons `set_close` chooses from, by their Odoo external ids.
CLOSE_REASONS = {
    "close_reason_renew": 1,
    "close_reason_end_of_contract": 2,
    "close_reason_unknown": 3,
}


def base_records(ir_model_id: int) -> dict[str, list[dict[str, Any]]]:
    """What installing the module adds to a fresh database: the plan and close reason models
    in ir.model, and the close reasons with their external ids."""
    return {
        "ir.model": [
            {"id": ir_model_id, "model": PLAN_MODEL, "name": "Subscription Plan"},
            {
                "id": ir_model_id + 1,
                "model": CLOSE_REASON_MODEL,
                "name": "Subscription Close Reason",
            },
        ],
        CLOSE_REASON_MODEL: [
            {"id": CLOSE_REASONS["close_reason_renew"], "name": "Subscription renewed"},
            {"id": CLOSE_REASONS["close_reason_end_of_contract"], "name": "End of contract"},
            {"id": CLOSE_REASONS["close_reason_unknown"], "name": "Unknown"},
        ],
    }


def xmlids() -> list[tuple[str, str, str, int]]:
    return [
        ("sale_subscription", name, CLOSE_REASON_MODEL, record_id)
        for name, record_id in CLOSE_REASONS.items()
    ]


def enabled(db: Database) -> bool:
    """Whether the database has the subscriptions module (the stand-in's switch)."""
    return db.has_model(PLAN_MODEL)


def _today(env: Env) -> str:
    return env.now[:10]


def _orders(db: Database) -> dict[int, dict[str, Any]]:
    return db.tables["sale.order"]


def is_subscription(record: dict[str, Any]) -> bool:
    """`_compute_is_subscription`: a plan makes an order recurring, except an upsell."""
    return bool(record.get("plan_id")) and record.get("subscription_state") != "7_upsell"


def _recurring(record: dict[str, Any]) -> bool:
    return is_subscription(record) or record.get("subscription_state") == "7_upsell"


# -- computed when read --------------------------------------------------------------------------


def compute(db: Database, record: dict[str, Any], name: str, not_computed: Any) -> Any:
    """A computed subscription field of a sale order, or `not_computed`."""
    if name not in COMPUTED_ORDER:
        return not_computed
    if name == "is_subscription":
        return is_subscription(record)
    if name == "origin_order_id":
        return _origin(db, record)
    if name == "subscription_child_ids":
        return [o["id"] for o in _orders(db).values() if o.get("subscription_id") == record["id"]]
    if name == "first_contract_date":
        origin = _orders(db).get(_origin(db, record) or 0)
        return (origin or record).get("start_date")
    if name in ("recurring_monthly", "recurring_total"):
        if not _recurring(record):
            return 0.0
        return _recurring_amount(db, record, monthly=name == "recurring_monthly")
    return not_computed


def _origin(db: Database, record: dict[str, Any]) -> int | None:
    """`_compute_origin_order_id`: the first contract of a renewal or upsell's chain."""
    parent = _orders(db).get(record.get("subscription_id") or 0)
    if parent is None or not _recurring(record):
        return None
    return _origin(db, parent) or parent["id"]


def _recurring_amount(db: Database, order: dict[str, Any], *, monthly: bool) -> float:
    from sandbox.odoo import business

    plan = db.tables[PLAN_MODEL].get(order.get("plan_id") or 0) or {}
    value = int(plan.get("billing_period_value") or 1)
    factor = MONTHLY_FACTOR.get(str(plan.get("billing_period_unit") or "month"), 1.0) / value
    total = 0.0
    for line in db.tables["sale.order.line"].values():
        if line.get("order_id") != order["id"] or line.get("display_type"):
            continue
        product = db.tables["product.product"].get(line.get("product_id") or 0)
        if product is None or not db.value("product.product", product, "recurring_invoice"):
            continue
        subtotal = float(db.value("sale.order.line", line, "price_subtotal") or 0.0)
        total += subtotal * factor if monthly else subtotal
    currency = db.value("sale.order", order, "currency_id")
    return business.float_round(total, business._rounding(db, currency))


# -- create and write ----------------------------------------------------------------------------


def after_create(db: Database, env: Env, record: dict[str, Any], given: dict[str, Any]) -> None:
    """The computes a new order runs, for the values the call did not give (Odoo keeps a
    value given to a computed field)."""
    if "subscription_state" not in given:
        _default_state(record)
    if "start_date" not in given:
        record["start_date"] = _today(env) if is_subscription(record) else None
    if "next_invoice_date" not in given:
        _next_invoice_date(env, record)


def after_write(db: Database, env: Env, record: dict[str, Any], given: dict[str, Any]) -> None:
    """The computes a write triggers: the state of a quotation whose plan changed, and the
    next invoice date."""
    if "plan_id" in given and "subscription_state" not in given:
        _default_state(record)
    if "next_invoice_date" not in given:
        _next_invoice_date(env, record)


def _default_state(record: dict[str, Any]) -> None:
    """`_compute_subscription_state` and `create`: a quotation's state follows its plan."""
    if record.get("state") not in ("draft", "sent"):
        return
    if record.get("subscription_state") in ("2_renewal", "7_upsell"):
        return
    if is_subscription(record):
        record["subscription_state"] = "2_renewal" if record.get("subscription_id") else "1_draft"
    else:
        record["subscription_state"] = None


def _next_invoice_date(env: Env, record: dict[str, Any]) -> None:
    """`_compute_next_invoice_date`: the start date, once the order is confirmed."""
    if not _recurring(record):
        record["next_invoice_date"] = None
    elif not record.get("next_invoice_date") and record.get("state") == "sale":
        record["next_invoice_date"] = record.get("start_date") or _today(env)


def check(record: dict[str, Any]) -> None:
    """The module's SQL constraints on sale_order."""
    subscription = is_subscription(record)
    state, sub_state = record.get("state"), record.get("subscription_state")
    if subscription and state == "sale" and sub_state == "1_draft":
        raise validation_error(
            "The operation cannot be completed: You cannot set to draft a confirmed "
            "subscription. Please create a new quotation"
        )
    if subscription and state in ("draft", "sent") and sub_state in PROGRESS_STATES:
        raise validation_error(
            "The operation cannot be completed: You cannot have a draft SO be a confirmed "
            "subscription."
        )
    start, next_invoice = record.get("start_date"), record.get("next_invoice_date")
    if start and next_invoice and str(next_invoice) < str(start):
        raise validation_error(
            "The operation cannot be completed: The next invoice date of a sale order should "
            "be after its start date."
        )


def check_unlink(db: Database, ids: list[int]) -> None:
    """`_unlink_except_draft_or_cancel`: a running subscription is closed before deletion."""
    for record_id in ids:
        order = _orders(db)[record_id]
        sub_state = order.get("subscription_state")
        if (
            order.get("state") not in ("draft", "sent")
            and sub_state
            and sub_state not in DRAFT_STATES + CLOSED_STATES
        ):
            raise user_error(
                "You can not delete a confirmed subscription. You must first close and cancel "
                "it before you can delete it."
            )


# -- actions -------------------------------------------------------------------------------------


def before_confirm(db: Database, env: Env, ids: list[int]) -> tuple[list[int], list[int]]:
    """`action_confirm`'s first pass: the subscriptions among `ids`, checked and in draft, and
    the renewals among them."""
    recurring: list[int] = []
    renewals: list[int] = []
    for record_id in ids:
        order = _orders(db)[record_id]
        if order.get("subscription_id") and order.get("subscription_state") == "2_renewal":
            renewals.append(record_id)
        if is_subscription(order):
            recurring.append(record_id)
            order["subscription_state"] = order.get("subscription_state") or "1_draft"
        elif order.get("subscription_state") != "7_upsell":
            order["subscription_state"] = None
        _check_plan_lines(db, order)
    return recurring, renewals


def _check_plan_lines(db: Database, order: dict[str, Any]) -> None:
    """`_constraint_subscription_plan`, as confirming the order triggers it."""
    if order.get("subscription_state") == "7_upsell":
        return
    has_recurring_line = any(
        db.value(
            "product.product", db.tables["product.product"][line["product_id"]], "recurring_invoice"
        )
        for line in db.tables["sale.order.line"].values()
        if line.get("order_id") == order["id"]
        and line.get("product_id") in db.tables["product.product"]
    )
    if has_recurring_line and not order.get("plan_id"):
        raise user_error(
            "Please add a recurring plan on the subscription or remove the recurring product."
        )
    if order.get("plan_id") and not has_recurring_line:
        raise user_error(
            "Please add a recurring product in the subscription or remove the recurring plan."
        )


def after_confirm(db: Database, env: Env, recurring: list[int], renewals: list[int]) -> None:
    """`_prepare_confirmation_values` and `_confirm_subscription`: confirmed subscriptions are
    in progress from their start date (today when none was set); a confirmed renewal closes the
    contract it renews (`_confirm_renewal`)."""
    for record_id in recurring:
        order = _orders(db)[record_id]
        plan = db.tables[PLAN_MODEL].get(order.get("plan_id") or 0) or {}
        if int(plan.get("billing_period_value") or 0) <= 0:
            raise user_error(
                "Recurring period must be a positive number. Please ensure the input is a valid "
                "positive numeric value."
            )
        order["subscription_state"] = "3_progress"
        order["start_date"] = order.get("start_date") or _today(env)
        _next_invoice_date(env, order)
        parent = _orders(db).get(order.get("subscription_id") or 0)
        if record_id in renewals and parent is not None:
            _renew_parent(db, env, order, parent)
        check(order)


def _renew_parent(db: Database, env: Env, renewal: dict[str, Any], parent: dict[str, Any]) -> None:
    next_invoice = str(parent.get("next_invoice_date") or "")
    if renewal.get("start_date") and str(renewal["start_date"]) < next_invoice:
        raise validation_error(
            "You cannot validate a renewal quotation starting before the next invoice date of "
            "the parent contract. Please update the start date after the "
            f"{_us_date(next_invoice)}."
        )
    if parent.get("start_date") == parent.get("next_invoice_date"):
        raise validation_error(
            "You can not upsell or renew a subscription that has not been invoiced yet. "
            f"Please, update directly the {parent.get('name')} contract or invoice it first."
        )
    if parent.get("subscription_state") == "5_renewed":
        raise validation_error("You cannot renew a subscription that has been renewed. ")
    reason = (
        "close_reason_renew"
        if parent.get("subscription_state") != "6_churn"
        else "close_reason_end_of_contract"
    )
    set_close(db, env, [parent["id"]], CLOSE_REASONS[reason], renew=True)
    parent["end_date"] = parent.get("next_invoice_date")


def _us_date(day: str) -> str:
    """A date as `format_date` writes it for an en_US user (MM/DD/YYYY)."""
    year, month, dom = day.split("-") if day.count("-") == 2 else ("", "", "")
    return f"{month}/{dom}/{year}" if year else day


def after_draft(db: Database, ids: list[int]) -> None:
    """`action_draft`: a subscription set back to quotation is a (renewal) quotation again."""
    for record_id in ids:
        order = _orders(db)[record_id]
        if is_subscription(order) and order.get("state") == "draft":
            order["subscription_state"] = "2_renewal" if order.get("subscription_id") else "1_draft"


def before_cancel(db: Database, ids: list[int]) -> None:
    """`_action_cancel`: an invoiced running subscription cannot be cancelled; otherwise a
    cancelled subscription leaves the subscription states."""
    for record_id in ids:
        order = _orders(db)[record_id]
        sub_state = order.get("subscription_state")
        invoiced = any(
            move.get("invoice_origin") == order.get("name")
            and move.get("state") in ("draft", "posted")
            for move in db.tables["account.move"].values()
        )
        if sub_state in PROGRESS_STATES + CLOSED_STATES and invoiced:
            raise validation_error("You cannot cancel a subscription that has been invoiced.")
        if order.get("subscription_id") and sub_state == "6_churn":
            raise validation_error("You cannot cancel a churned renewed subscription.")
        if sub_state in PROGRESS_STATES + DRAFT_STATES or is_subscription(order):
            order["subscription_state"] = None


def set_close(
    db: Database, env: Env, ids: list[int], close_reason_id: Any = None, *, renew: bool = False
) -> bool:
    """`set_close`: the subscription ends today (or on an end date already past), churned, or
    renewed when a renewal of it is running, with the reason given or the one Odoo picks."""
    today = _today(env)
    for record_id in ids:
        order = _orders(db)[record_id]
        end_date = order.get("end_date")
        closing = str(end_date) if end_date and str(end_date) <= today else today
        renewal_running = any(
            child.get("subscription_id") == record_id
            and child.get("subscription_state") in PROGRESS_STATES
            for child in _orders(db).values()
        )
        if renew and renewal_running and order.get("state") == "sale":
            order["subscription_state"] = "5_renewed"
            order["locked"] = True
        else:
            order["subscription_state"] = "6_churn"
        reason = close_reason_id or order.get("close_reason_id")
        if not reason:
            if renew:
                reason = CLOSE_REASONS["close_reason_renew"]
            elif end_date and str(end_date) <= closing:
                reason = CLOSE_REASONS["close_reason_end_of_contract"]
            else:
                reason = CLOSE_REASONS["close_reason_unknown"]
        order["end_date"] = closing
        order["close_reason_id"] = int(reason)
        order["write_date"] = env.now
    db.revision += 1
    return True


def set_open(db: Database, env: Env, ids: list[int]) -> None:
    """`set_open` (and `reopen_order`): a closed subscription runs again, unless another
    contract of its chain already does. Returns nothing, as Odoo's does."""
    for record_id in ids:
        order = _orders(db)[record_id]
        if order.get("subscription_state") == "6_churn" and order.get("end_date"):
            order["end_date"] = None
        chain = _origin(db, order) or record_id
        busy = any(
            other["id"] != record_id
            and (_origin(db, other) or other["id"]) == chain
            and other.get("subscription_state") in PROGRESS_STATES
            for other in _orders(db).values()
        )
        if is_subscription(order) and not busy:
            order.update(
                state="sale", subscription_state="3_progress", close_reason_id=None, locked=False
            )
        order["write_date"] = env.now
    db.revision += 1


def reopen_order(db: Database, env: Env, ids: list[int]) -> None:
    states = {_orders(db)[i].get("subscription_state") for i in ids}
    if ids and states != {"6_churn"}:
        raise user_error("You cannot reopen a subscription that isn't closed.")
    set_open(db, env, ids)


def pause(db: Database, env: Env, ids: list[int], *, resume: bool = False) -> None:
    """`pause_subscription` / `resume_subscription`: between `3_progress` and `4_paused`.
    Returns nothing, as Odoo's do."""
    source, target = ("4_paused", "3_progress") if resume else ("3_progress", "4_paused")
    changing = [i for i in ids if _orders(db)[i].get("subscription_state") == source]
    if changing:
        db.write(env, "sale.order", changing, {"subscription_state": target})


def copy_values(source: dict[str, Any], vals: dict[str, Any]) -> dict[str, Any]:
    """`copy_data`: a copied subscription is a new quotation; an upsell stays one, with its
    parent. The fields Odoo marks copy=False are left behind."""
    vals = {
        key: value
        for key, value in vals.items()
        if key not in ("subscription_id", "next_invoice_date", "close_reason_id")
    }
    if source.get("subscription_state") == "7_upsell":
        vals.update(subscription_id=source.get("subscription_id"), subscription_state="7_upsell")
    elif source.get("subscription_state") or source.get("plan_id"):
        vals["subscription_state"] = "1_draft"
    return vals
