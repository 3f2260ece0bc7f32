"""The models the Odoo stand-in knows: their fields, default order and labels, per version.

`res.partner`, `ir.model.data`, `res.company`, `res.currency`, `product.product`,
`product.template`, `sale.order`, `sale.order.line`, `account.move`, `account.move.line`,
`account.payment`, `account.payment.register`, `account.tax` and `account.journal` take their
fields from the `fields_get` answers recorded on real Odoo (copied beside this module as
`fields_<version>.json`). The other
models the recorded cases touch (`res.users`, `res.country`, `res.partner.category`,
`res.currency.rate`, the catalog's `product.category`, `uom.uom`, `product.pricelist`, the
chart's `account.account`, reconciliation records, the reversal and invoicing wizards,
`mail.activity` and `ir.model`) are described here by hand with the handful of fields they need.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sandbox.odoo import subscriptions

SCHEMA_DIR = Path(__file__).resolve().parent

# Fields real Odoo has on these models but that the recorded fields_get did not ask for; the
# stand-in needs them to compute names and orders.
EXTRA_FIELDS: dict[str, dict[str, dict[str, Any]]] = {
    "res.partner": {
        "complete_name": {"type": "char", "readonly": True, "required": False},
    },
    "res.company": {},
    "res.users": {
        "name": {"type": "char", "readonly": False, "required": False},
        "login": {"type": "char", "readonly": False, "required": True},
        "partner_id": {
            "type": "many2one",
            "relation": "res.partner",
            "readonly": False,
            "required": True,
        },
        "company_id": {
            "type": "many2one",
            "relation": "res.company",
            "readonly": False,
            "required": True,
        },
        "company_ids": {
            "type": "many2many",
            "relation": "res.company",
            "readonly": False,
            "required": False,
        },
        "lang": {"type": "char", "readonly": False, "required": False},
        "tz": {"type": "char", "readonly": False, "required": False},
        "active": {"type": "boolean", "readonly": False, "required": False},
    },
    "res.country": {
        "name": {"type": "char", "readonly": False, "required": True},
        "code": {"type": "char", "readonly": False, "required": False},
    },
    "res.partner.category": {
        "name": {"type": "char", "readonly": False, "required": True},
        "color": {"type": "integer", "readonly": False, "required": False},
        "active": {"type": "boolean", "readonly": False, "required": False},
        "partner_ids": {
            "type": "many2many",
            "relation": "res.partner",
            "readonly": False,
            "required": False,
        },
    },
}


def _field(kind: str, relation: str | None = None, **attributes: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"type": kind, "readonly": False, "required": False}
    if relation:
        spec["relation"] = relation
    spec.update(attributes)
    return spec


EXTRA_FIELDS["res.currency.rate"] = {
    "name": _field("date", required=True),
    "rate": _field("float"),
    "company_rate": _field("float"),
    "inverse_company_rate": _field("float"),
    "currency_id": _field("many2one", "res.currency", required=True),
    "company_id": _field("many2one", "res.company"),
}
EXTRA_FIELDS["product.category"] = {
    "name": _field("char", required=True),
    "complete_name": _field("char", readonly=True),
}
EXTRA_FIELDS["uom.uom"] = {
    "name": _field("char", required=True),
    "active": _field("boolean"),
}
EXTRA_FIELDS["product.pricelist"] = {
    "name": _field("char", required=True),
    "active": _field("boolean"),
    "currency_id": _field("many2one", "res.currency", required=True),
    "company_id": _field("many2one", "res.company"),
}

# Accounting and activity models the recorded fields_get did not describe: the chart
# (accounts), reconciliation records, the wizards' own fields, activities and ir.model.
EXTRA_FIELDS["account.account"] = {
    "name": _field("char", required=True),
    "code": _field("char", required=True),
    "account_type": _field(
        "selection",
        selection=[
            ["asset_receivable", "Receivable"],
            ["asset_cash", "Bank and Cash"],
            ["asset_current", "Current Assets"],
            ["liability_payable", "Payable"],
            ["liability_current", "Current Liabilities"],
            ["income", "Income"],
        ],
        required=True,
    ),
    "reconcile": _field("boolean"),
    "company_id": _field("many2one", "res.company", required=True),
}
EXTRA_FIELDS["account.tax.group"] = {
    "name": _field("char", required=True),
    "company_id": _field("many2one", "res.company"),
}
EXTRA_FIELDS["account.payment.method.line"] = {
    "name": _field("char"),
    "journal_id": _field("many2one", "account.journal"),
    "payment_type": _field(
        "selection", selection=[["inbound", "Inbound"], ["outbound", "Outbound"]]
    ),
}
EXTRA_FIELDS["account.partial.reconcile"] = {
    "debit_move_id": _field("many2one", "account.move.line", required=True),
    "credit_move_id": _field("many2one", "account.move.line", required=True),
    "amount": _field("monetary"),
    "debit_amount_currency": _field("monetary"),
    "credit_amount_currency": _field("monetary"),
    "full_reconcile_id": _field("many2one", "account.full.reconcile"),
    "company_id": _field("many2one", "res.company"),
}
EXTRA_FIELDS["account.full.reconcile"] = {
    "name": _field("char"),
}
EXTRA_FIELDS["account.move.reversal"] = {
    "move_ids": _field("many2many", "account.move"),
    "reason": _field("char"),
    "date": _field("date"),
    "journal_id": _field("many2one", "account.journal"),
    "company_id": _field("many2one", "res.company"),
}
EXTRA_FIELDS["account.chart.template"] = {
    "name": _field("char"),
}
EXTRA_FIELDS["sale.advance.payment.inv"] = {
    "advance_payment_method": _field(
        "selection",
        selection=[["delivered", "Regular invoice"], ["percentage", "Down payment"]],
    ),
    "sale_order_ids": _field("many2many", "sale.order"),
}
EXTRA_FIELDS["ir.model"] = {
    "name": _field("char", required=True),
    "model": _field("char", required=True),
}
EXTRA_FIELDS["mail.activity.type"] = {
    "name": _field("char", required=True),
}
EXTRA_FIELDS["mail.activity"] = {
    "res_model_id": _field("many2one", "ir.model", required=True),
    "res_model": _field("char", readonly=True),
    "res_id": _field("many2one_reference", required=True),
    "activity_type_id": _field("many2one", "mail.activity.type"),
    "summary": _field("char"),
    "note": _field("html"),
    "date_deadline": _field("date", required=True),
    "user_id": _field("many2one", "res.users"),
    "state": _field(
        "selection",
        selection=[["overdue", "Overdue"], ["today", "Today"], ["planned", "Planned"]],
        readonly=True,
    ),
}

# Fields one version has and the other lacks, on the models above and on res.company.
VERSION_EXTRA_FIELDS: dict[int, dict[str, dict[str, dict[str, Any]]]] = {
    16: {
        "account.move.reversal": {
            "refund_method": _field(
                "selection",
                selection=[
                    ["refund", "Partial Refund"],
                    ["cancel", "Full Refund"],
                    ["modify", "Full refund and new draft invoice"],
                ],
            ),
            "date_mode": _field(
                "selection", selection=[["custom", "Specific"], ["entry", "Journal Entry Date"]]
            ),
        },
    },
    19: {
        "account.move": {"invoice_currency_rate": _field("float", readonly=True)},
        "res.company": {
            "hard_lock_date": _field("date"),
            "sale_lock_date": _field("date"),
        },
        "mail.activity": {
            "active": _field("boolean"),
            "date_done": _field("date", readonly=True),
            "state": _field(
                "selection",
                selection=[
                    ["overdue", "Overdue"],
                    ["today", "Today"],
                    ["planned", "Planned"],
                    ["done", "Done"],
                ],
                readonly=True,
            ),
        },
    },
}

COMMON_FIELDS: dict[str, dict[str, Any]] = {
    "create_date": {"type": "datetime", "readonly": True, "required": False},
    "write_date": {"type": "datetime", "readonly": True, "required": False},
}

# Each model's `_order` in real Odoo; 16 stores the partner's display_name where 17+ has
# complete_name, and the two sort the same way.
DEFAULT_ORDER: dict[str, str] = {
    "res.partner": "complete_name asc, id desc",
    "ir.model.data": "module asc, model asc, name asc",
    "res.company": "sequence asc, name asc",
    "res.currency": "active desc, name asc",
    "res.users": "name asc, login asc",
    "res.country": "name asc",
    "res.partner.category": "name asc, id asc",
    "res.currency.rate": "name desc",
    "product.product": "default_code asc, name asc, id asc",
    "product.template": "name asc, id asc",
    "product.category": "complete_name asc",
    "uom.uom": "name asc",
    "product.pricelist": "name asc, id asc",
    "sale.order": "date_order desc, id desc",
    "sale.order.line": "order_id asc, sequence asc, id asc",
    "account.move": "date desc, name desc, id desc",
    "account.move.line": "date desc, move_name desc, id asc",
    "account.payment": "date desc, name desc",
    "account.journal": "sequence asc, type asc, code asc",
    "account.tax": "sequence asc, id asc",
    "account.account": "code asc",
    "mail.activity": "date_deadline asc, id asc",
    "ir.model": "model asc",
}

# one2many fields and the many2one on the comodel that holds them (Odoo's `inverse_name`).
INVERSES: dict[tuple[str, str], str] = {
    ("sale.order", "order_line"): "order_id",
    ("res.currency", "rate_ids"): "currency_id",
    ("product.template", "product_variant_ids"): "product_tmpl_id",
    ("res.company", "child_ids"): "parent_id",
    ("account.move", "line_ids"): "move_id",
    ("account.move", "invoice_line_ids"): "move_id",
}

# Columns the database declares NOT NULL (partner names are a check constraint instead).
NOT_NULL: dict[str, tuple[str, ...]] = {
    "ir.model.data": ("module", "name", "model"),
    "res.company": ("name",),
    "res.partner.category": ("name",),
    "res.country": ("name",),
    "res.users": ("login",),
    "res.currency": ("name", "symbol"),
    "res.currency.rate": ("name", "currency_id"),
    "product.template": ("name",),
    "sale.order": ("name", "partner_id", "company_id", "date_order"),
    "sale.order.line": ("order_id", "name", "product_uom_qty", "price_unit", "customer_lead"),
    "account.move": ("journal_id", "company_id", "currency_id", "move_type", "state", "date"),
    "account.move.line": ("move_id", "account_id", "currency_id"),
    "account.tax": ("name", "amount_type", "type_tax_use", "company_id"),
    "account.journal": ("name", "code", "type", "company_id"),
    "account.payment": ("journal_id", "payment_type", "partner_type"),
    "mail.activity": ("res_model_id", "res_id", "date_deadline"),
}

# Field labels (`string`) as Odoo shows them; `load` names fields by label in its messages.
LABELS: dict[str, str] = {
    "name": "Name",
    "display_name": "Display Name",
    "parent_id": "Related Company",
    "child_ids": "Contact",
    "category_id": "Tags",
    "active": "Active",
    "type": "Address Type",
    "email": "Email",
    "write_date": "Last Updated on",
    "create_date": "Created on",
    "country_id": "Country",
    "state_id": "State",
    "company_id": "Company",
    "user_id": "Salesperson",
    "vat": "Tax ID",
    "ref": "Reference",
    "is_company": "Is a Company",
    "phone": "Phone",
    "mobile": "Mobile",
    "street": "Street",
    "street2": "Street2",
    "zip": "Zip",
    "city": "City",
    "commercial_partner_id": "Commercial Entity",
    "lang": "Language",
    "tz": "Timezone",
    "website": "Website Link",
    "comment": "Notes",
    "currency_id": "Currency",
    "module": "Module",
    "model": "Model Name",
    "res_id": "Record ID",
    "noupdate": "Non Updatable",
    "complete_name": "Complete ID",
    **subscriptions.LABELS,
}


def label(field_name: str) -> str:
    """The field's label, or one derived from its name when the stand-in does not know it."""
    if field_name in LABELS:
        return LABELS[field_name]
    return field_name.removesuffix("_ids").removesuffix("_id").replace("_", " ").title()


@dataclass
class ModelSchema:
    """One model's fields (as fields_get describes them) and its default order."""

    name: str
    fields: dict[str, dict[str, Any]] = field(default_factory=dict)
    order: str = "id asc"

    def relation(self, field_name: str) -> str | None:
        return self.fields.get(field_name, {}).get("relation")

    def type_of(self, field_name: str) -> str:
        if field_name == "id":
            return "integer"
        return str(self.fields[field_name]["type"])


def load_schemas(version: int, *, subscriptions_module: bool = False) -> dict[str, ModelSchema]:
    """Every model the stand-in serves for one Odoo version (16 or 19).

    `subscriptions_module` adds what Odoo Enterprise's `sale_subscription` adds (see
    `subscriptions`): the plan and close reason models, and their fields on sale orders and
    products.
    """
    recorded = json.loads((SCHEMA_DIR / f"fields_{version}.json").read_text(encoding="utf-8"))

    schemas: dict[str, ModelSchema] = {}
    versioned = VERSION_EXTRA_FIELDS.get(version, {})
    added = subscriptions.FIELDS if subscriptions_module else {}
    for model in sorted(set(recorded) | set(EXTRA_FIELDS) | set(added)):
        fields = dict(COMMON_FIELDS)
        fields.update(EXTRA_FIELDS.get(model, {}))
        fields.update(versioned.get(model, {}))
        fields.update(recorded.get(model, {}))
        fields.update(added.get(model, {}))
        schemas[model] = ModelSchema(model, fields, DEFAULT_ORDER.get(model, "id asc"))

    # complete_name appeared on res.partner in 17; 16 sorts on the stored display_name.
    if version < 17:
        schemas["res.partner"].fields.pop("complete_name", None)
        schemas["res.partner"].order = "display_name asc, id desc"
    return schemas
