"""What the served business models do beyond storing fields, as Odoo 16 and 19 do it.

Currencies and their rates (rates relative to the company currency, decimal places from the
rounding, a company's currency kept active), products (a `product.product` is a variant of a
`product.template` and reads most of its fields from it), and sale orders (a sequence name,
defaults from the company and the customer, totals from the lines, `action_confirm`, and the
refusal to delete a confirmed order). The store (`orm.Database`) calls in here; nothing here
talks HTTP.
"""

from __future__ import annotations

import math
from datetime import date
from typing import TYPE_CHECKING, Any

from sandbox.odoo import accounting, subscriptions
from sandbox.odoo.errors import user_error, validation_error

if TYPE_CHECKING:
    from sandbox.odoo.orm import Database, Env


class NotComputed:
    """Marks a field that is stored, not computed."""


NOT_COMPUTED = NotComputed()

# Fields computed when read (never stored), per model.
COMPUTED: dict[str, frozenset[str]] = {
    "res.currency": frozenset(
        {"rate", "inverse_rate", "decimal_places", "date", "is_current_company_currency"}
    ),
    "res.currency.rate": frozenset({"company_rate", "inverse_company_rate"}),
    "product.product": frozenset(
        {"lst_price", "price_extra", "combination_indices", "currency_id"}
    ),
    "product.template": frozenset(
        {"product_variant_id", "product_variant_count", "default_code", "currency_id", "type"}
    ),
    "sale.order": frozenset(
        {
            "currency_id",
            "amount_untaxed",
            "amount_tax",
            "amount_total",
            "amount_invoiced",
            "amount_to_invoice",
            "invoice_count",
            "invoice_ids",
            "invoice_status",
        }
    ),
    "sale.order.line": frozenset(
        {
            "company_id",
            "currency_id",
            "order_partner_id",
            "state",
            "price_subtotal",
            "price_tax",
            "price_total",
            "qty_invoiced",
            "qty_to_invoice",
            "invoice_status",
            "untaxed_amount_invoiced",
            "untaxed_amount_to_invoice",
        }
    ),
}
COMPUTED.update(accounting.COMPUTED)
# Only reached on a database with Enterprise's subscriptions module, which has these fields.
COMPUTED["sale.order"] = COMPUTED["sale.order"] | subscriptions.COMPUTED_ORDER

# A product.product keeps these itself; every other product field lives on its template
# (Odoo's `_inherits = {"product.template": "product_tmpl_id"}`).
VARIANT_OWN_FIELDS = frozenset(
    {
        "id",
        "product_tmpl_id",
        "default_code",
        "barcode",
        "active",
        "lst_price",
        "price_extra",
        "standard_price",
        "product_template_attribute_value_ids",
        "combination_indices",
        "display_name",
        "create_date",
        "write_date",
        "currency_id",
    }
)


def defaults(version: int) -> dict[str, dict[str, Any]]:
    """Static defaults (`default=`) of the business models for Odoo `version`."""
    product: dict[str, Any] = {
        "active": True,
        "sale_ok": True,
        "purchase_ok": True,
        "list_price": 1.0,
        "standard_price": 0.0,
        "categ_id": 1,
        "uom_id": 1,
        "invoice_policy": "order",
        "service_type": "manual",
        "taxes_id": [],
        "supplier_taxes_id": [],
    }
    if version >= 17:
        product.update(type="consu", service_tracking="no")
    else:
        product.update(detailed_type="consu", uom_po_id=1, sale_line_warn="no-message")
    order: dict[str, Any] = {"state": "draft", "require_signature": False}
    order["require_payment"] = False
    if version >= 17:
        order["locked"] = False
    line: dict[str, Any] = {
        "sequence": 10,
        "product_uom_qty": 1.0,
        "discount": 0.0,
        "customer_lead": 0.0,
        "qty_delivered": 0.0,
        "is_downpayment": False,
        "tax_ids" if version >= 17 else "tax_id": [],
    }
    return {
        **accounting.defaults(version),
        "res.currency.rate": {"rate": 1.0},
        "product.template": product,
        "product.product": {"active": True, "standard_price": 0.0},
        "product.category": {},
        "uom.uom": {"active": True},
        "product.pricelist": {"active": True},
        "sale.order": order,
        "sale.order.line": line,
        **subscriptions.DEFAULTS,
    }


# -- currencies ----------------------------------------------------------------------------------


def float_round(value: float, rounding: float) -> float:
    """`value` rounded half-up to a multiple of `rounding`, as Odoo's float_round does."""
    if not rounding:
        return value
    digits = max(0, -math.floor(math.log10(rounding))) if rounding < 1 else 0
    steps = round(value / rounding + math.copysign(1e-9, value) if value else 0.0)
    return round(steps * rounding, digits)


def decimal_places(rounding: float | None) -> int:
    """Digits after the decimal point for a currency rounding (0.01 gives 2, 1.0 gives 0)."""
    if rounding and 0 < rounding < 1:
        return math.ceil(math.log10(1 / rounding))
    return 0


def _today(db: Database) -> str:
    env = db.env
    now = env.now if env is not None else date.today().isoformat()
    return str(env.context.get("date") or now[:10]) if env is not None else now[:10]


def _raw_rate(db: Database, currency_id: Any, company_id: int, day: str) -> float:
    """The latest rate of a currency on or before `day`, the company's own before shared ones."""
    rates = [
        rate
        for rate in db.tables["res.currency.rate"].values()
        if rate.get("currency_id") == currency_id
        and str(rate.get("name") or "") <= day
        and rate.get("company_id") in (None, False, company_id)
    ]
    if not rates:
        return 1.0
    # Odoo orders by company_id (the company's own rate first, shared ones last), then date.
    own = [r for r in rates if r.get("company_id") == company_id]
    chosen = max(own or rates, key=lambda r: str(r.get("name")))
    return float(chosen.get("rate") or 1.0)


def _latest_rate(db: Database, currency_id: Any, company_id: int) -> float:
    return _raw_rate(db, currency_id, company_id, "9999-12-31")


def _company(db: Database, company_id: int | None = None) -> dict[str, Any]:
    companies = db.tables["res.company"]
    if company_id and company_id in companies:
        return companies[company_id]
    env_company = db.env_company()
    return companies.get(env_company) or next(iter(companies.values()))


def _currency_value(db: Database, record: dict[str, Any], name: str) -> Any:
    company = _company(db)
    company_currency = company.get("currency_id")
    if name == "decimal_places":
        return decimal_places(record.get("rounding"))
    if name in ("rate", "inverse_rate"):
        rate = _raw_rate(db, record["id"], company["id"], _today(db))
        rate /= _latest_rate(db, company_currency, company["id"])
        return rate if name == "rate" else 1 / rate
    if name == "date":
        day = _today(db)
        dates = [
            str(r.get("name"))
            for r in db.tables["res.currency.rate"].values()
            if r.get("currency_id") == record["id"] and str(r.get("name")) <= day
        ]
        return max(dates) if dates else None
    if name == "is_current_company_currency":
        return record["id"] == company_currency
    return NOT_COMPUTED


def _rate_value(db: Database, record: dict[str, Any], name: str) -> Any:
    # The company currency's latest rate, as _get_last_rates_for_companies reads it.
    company = _company(db, record.get("company_id"))
    company_rate = float(record.get("rate") or 1.0) / _latest_rate(
        db, company.get("currency_id"), company["id"]
    )
    return company_rate if name == "company_rate" else 1 / company_rate


def check_currency_write(db: Database, ids: list[int], vals: dict[str, Any]) -> None:
    """A company's currency stays active (res.currency._check_company_currency_stays_active)."""
    if "active" in vals and not vals["active"]:
        in_use = {c.get("currency_id") for c in db.tables["res.company"].values()}
        if any(i in in_use for i in ids):
            raise user_error(
                "This currency is set on a company and therefore cannot be deactivated."
            )


def check_rate(db: Database, record: dict[str, Any]) -> None:
    """The SQL constraints of res.currency.rate."""
    if float(record.get("rate") or 0.0) <= 0:
        raise validation_error(
            "The operation cannot be completed: The currency rate must be strictly positive."
        )
    for other in db.tables["res.currency.rate"].values():
        same_key = all(
            other.get(key) == record.get(key) for key in ("name", "currency_id", "company_id")
        )
        if other["id"] != record["id"] and same_key:
            raise validation_error(
                "The operation cannot be completed: Only one currency rate per day allowed!"
            )


# -- products ------------------------------------------------------------------------------------


def delegated(model: str, name: str) -> bool:
    """Whether a product.product field is read from and written to its template."""
    return model == "product.product" and name not in VARIANT_OWN_FIELDS


def _variants(db: Database, template_id: int) -> list[dict[str, Any]]:
    return [
        p
        for p in db.tables["product.product"].values()
        if p.get("product_tmpl_id") == template_id and p.get("active", True)
    ]


def _template_value(db: Database, record: dict[str, Any], name: str) -> Any:
    variants = _variants(db, record["id"])
    if name == "product_variant_id":
        return variants[0]["id"] if variants else None
    if name == "product_variant_count":
        return len(variants)
    if name == "default_code":
        return variants[0].get("default_code") if len(variants) == 1 else None
    if name == "currency_id":
        return _company(db, record.get("company_id")).get("currency_id")
    if name == "type":
        # 16 derives `type` from `detailed_type`; 19 stores `type` itself.
        if db.version >= 17:
            return record.get("type")
        return record.get("detailed_type")
    return NOT_COMPUTED


def _product_value(db: Database, record: dict[str, Any], name: str) -> Any:
    template = db.tables["product.template"].get(record.get("product_tmpl_id") or 0, {})
    if name == "lst_price":
        return float(template.get("list_price") or 0.0)
    if name == "price_extra":
        return 0.0
    if name == "combination_indices":
        return ""
    if name == "currency_id":
        return _company(db, template.get("company_id")).get("currency_id")
    return NOT_COMPUTED


def product_display_name(db: Database, model: str, record: dict[str, Any]) -> str:
    """ "[CODE] Name" when the product has an internal reference, else its name."""
    name = str(db.value(model, record, "name") or "")
    code = db.value(model, record, "default_code")
    return f"[{code}] {name}" if code else name


# -- sale orders ---------------------------------------------------------------------------------


def _lines(db: Database, order_id: int) -> list[dict[str, Any]]:
    return [
        line for line in db.tables["sale.order.line"].values() if line.get("order_id") == order_id
    ]


def _order_currency(db: Database, order: dict[str, Any]) -> Any:
    return _company(db, order.get("company_id")).get("currency_id")


def _rounding(db: Database, currency_id: Any) -> float:
    currency = db.tables["res.currency"].get(currency_id or 0, {})
    return float(currency.get("rounding") or 0.01)


def _line_value(db: Database, record: dict[str, Any], name: str) -> Any:
    order = db.tables["sale.order"].get(record.get("order_id") or 0, {})
    currency = _order_currency(db, order) if order else None
    subtotal = float_round(
        float(record.get("product_uom_qty") or 0.0)
        * float(record.get("price_unit") or 0.0)
        * (1 - float(record.get("discount") or 0.0) / 100),
        _rounding(db, currency),
    )
    invoiceable = order.get("state") == "sale" and not record.get("display_type")
    values: dict[str, Any] = {
        "company_id": order.get("company_id"),
        "currency_id": currency,
        "order_partner_id": order.get("partner_id"),
        "state": order.get("state"),
        # TODO(#4): taxes are accounting's (account.tax); until then a line carries none.
        "price_subtotal": subtotal,
        "price_tax": 0.0,
        "price_total": subtotal,
        "qty_invoiced": 0.0,
        "qty_to_invoice": float(record.get("product_uom_qty") or 0.0) if invoiceable else 0.0,
        "invoice_status": "to invoice" if invoiceable else "no",
        "untaxed_amount_invoiced": 0.0,
        "untaxed_amount_to_invoice": subtotal if invoiceable else 0.0,
    }
    return values.get(name, NOT_COMPUTED)


def _order_value(db: Database, record: dict[str, Any], name: str) -> Any:
    lines = _lines(db, record["id"])
    if name == "currency_id":
        return _order_currency(db, record)
    if name in ("amount_untaxed", "amount_total", "amount_to_invoice"):
        total = sum(float(_line_value(db, line, "price_subtotal")) for line in lines)
        if name == "amount_to_invoice" and record.get("state") != "sale":
            return 0.0
        return float_round(total, _rounding(db, _order_currency(db, record)))
    if name in ("amount_tax", "amount_invoiced"):
        return 0.0
    if name == "invoice_count":
        return 0
    if name == "invoice_ids":
        return []
    if name == "invoice_status":
        statuses = {_line_value(db, line, "invoice_status") for line in lines}
        return "to invoice" if "to invoice" in statuses else "no"
    return NOT_COMPUTED


def order_defaults(db: Database, env: Env, vals: dict[str, Any], now: str) -> dict[str, Any]:
    """What a new sale order takes from its context, company and customer."""
    partner_id = vals.get("partner_id")
    company_id = vals.get("company_id") or db.env_company()
    company = _company(db, company_id)
    db.sequences["sale.order#name"] = db.sequences.get("sale.order#name", 0) + 1
    filled: dict[str, Any] = {
        "name": f"S{db.sequences['sale.order#name']:05d}",
        "company_id": company["id"],
        "user_id": env.uid,
        # Datetime defaults are whole seconds, whatever the version stores in write_date.
        "date_order": now[:19],
        "partner_invoice_id": partner_id,
        "partner_shipping_id": partner_id,
    }
    pricelists = db.tables["product.pricelist"]
    if pricelists:
        filled["pricelist_id"] = min(pricelists)
    return {key: value for key, value in filled.items() if key not in vals}


def line_defaults(db: Database, vals: dict[str, Any]) -> dict[str, Any]:
    """What a new order line takes from its product."""
    product = db.tables["product.product"].get(vals.get("product_id") or 0)
    if product is None:
        return {}
    filled: dict[str, Any] = {
        "name": product_display_name(db, "product.product", product),
        "price_unit": float(db.value("product.product", product, "lst_price") or 0.0),
        "product_template_id": product.get("product_tmpl_id"),
        "product_uom_id" if db.version >= 17 else "product_uom": db.value(
            "product.product", product, "uom_id"
        ),
    }
    description = db.value("product.product", product, "description_sale")
    if description:
        filled["name"] = f"{filled['name']}\n{description}"
    return {key: value for key, value in filled.items() if key not in vals}


def action_confirm(db: Database, env: Env, ids: list[int]) -> bool:
    """Confirm quotations: state `sale`, order date now (sale.order.action_confirm); with the
    subscriptions module, subscriptions start (`subscriptions.after_confirm`)."""
    orders = [db.tables["sale.order"][i] for i in ids]
    refused = sorted({o["state"] for o in orders if o.get("state") not in ("draft", "sent")})
    if refused:
        raise user_error(
            "It is not allowed to confirm an order in the following states: " + ", ".join(refused)
        )
    confirmed = {"state": "sale", "date_order": env.now[:19]}
    recurring: list[int] = []
    renewals: list[int] = []
    if subscriptions.enabled(db):
        recurring, renewals = subscriptions.before_confirm(db, env, ids)
    if recurring:
        # _prepare_confirmation_values: subscriptions are confirmed straight into progress.
        progress = {**confirmed, "subscription_state": "3_progress"}
        db.write(env, "sale.order", recurring, progress, force=True)
        subscriptions.after_confirm(db, env, recurring, renewals)
    others = [i for i in ids if i not in recurring]
    if others:
        db.write(env, "sale.order", others, confirmed, force=True)
    return True


def action_cancel(db: Database, env: Env, ids: list[int]) -> bool:
    if subscriptions.enabled(db):
        subscriptions.before_cancel(db, ids)
    db.write(env, "sale.order", ids, {"state": "cancel"}, force=True)
    return True


def action_draft(db: Database, env: Env, ids: list[int]) -> bool:
    orders = [db.tables["sale.order"][i] for i in ids]
    drafts = [o["id"] for o in orders if o.get("state") in ("cancel", "sent")]
    if drafts:
        db.write(env, "sale.order", drafts, {"state": "draft"}, force=True)
    if subscriptions.enabled(db):
        subscriptions.after_draft(db, ids)
    return True


def check_unlink(db: Database, model: str, ids: list[int]) -> None:
    """Records Odoo refuses to delete (sale.order._unlink_except_draft_or_cancel, posted
    entries)."""
    accounting.check_unlink(db, model, ids)
    if model == "sale.order" and subscriptions.enabled(db):
        subscriptions.check_unlink(db, ids)
    if model == "sale.order":
        for record_id in ids:
            if db.tables[model][record_id].get("state") not in ("draft", "cancel"):
                raise user_error(
                    "You can not delete a sent quotation or a confirmed sales order. "
                    "You must first cancel it."
                )


# -- dispatch ------------------------------------------------------------------------------------


def compute(db: Database, model: str, record: dict[str, Any], name: str) -> Any:
    """The value of a computed business field, or NOT_COMPUTED for a stored one."""
    found = accounting.compute(db, model, record, name)
    if found is not accounting.NOT_COMPUTED:
        return found
    if name not in COMPUTED.get(model, ()):
        return NOT_COMPUTED
    if model == "res.currency":
        return _currency_value(db, record, name)
    if model == "res.currency.rate":
        return _rate_value(db, record, name)
    if model == "product.template":
        return _template_value(db, record, name)
    if model == "product.product":
        return _product_value(db, record, name)
    if model == "sale.order":
        found = subscriptions.compute(db, record, name, NOT_COMPUTED)
        return found if found is not NOT_COMPUTED else _order_value(db, record, name)
    if model == "sale.order.line":
        return _line_value(db, record, name)
    return NOT_COMPUTED
