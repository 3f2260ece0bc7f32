"""Accounting as Odoo 16 and 19 keep it: taxes, journals, invoices, payments, reversals, locks.

Customer invoices and credit notes (`account.move` with their `account.move.line`s), taxes
(price-included taxes split by each version's own rounding), sequence numbers per journal and
year, receivable lines matched by partial reconciliations, `account.payment` and the register
wizard, the reversal wizard, company lock dates, collections activities (`mail.activity`) and
the sale order invoicing wizard. Where the versions differ, the difference is the one the
recordings in `reference/odoo-transcripts/` show; each such place says so.

The store (`orm.Database`) calls in here for defaults, checks and the fields it computes;
the model methods (`methods.py`) call the actions. Nothing here talks HTTP.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sandbox.odoo.errors import user_error

if TYPE_CHECKING:
    from sandbox.odoo.orm import Database, Env


class NotComputed:
    """Marks a field that is stored, not computed."""


NOT_COMPUTED = NotComputed()

INVOICE_TYPES = frozenset({"out_invoice", "out_refund"})

# Real Odoo writes readonly fields over RPC (readonly is a view attribute); these models need it
# (an invoice's partner and lines are readonly in 16's fields_get, yet written by RPC).
WRITES_READONLY = frozenset(
    {
        "account.move",
        "account.move.line",
        "account.payment",
        "account.payment.register",
        "account.tax",
        "account.journal",
        "account.move.reversal",
        "mail.activity",
    }
)

# Text fields that read back as "" rather than False when stored empty (16's payment term line).
EMPTY_TEXT: frozenset[tuple[str, str]] = frozenset({("account.move.line", "name")})

COMPUTED: dict[str, frozenset[str]] = {
    "account.move": frozenset(
        {
            "invoice_line_ids",
            "line_ids",
            "commercial_partner_id",
            "company_currency_id",
            "amount_residual",
            "amount_untaxed_signed",
            "amount_tax_signed",
            "amount_total_signed",
            "amount_total_in_currency_signed",
            "amount_residual_signed",
            "payment_state",
            "status_in_payment",
            "invoice_currency_rate",
            "reversal_move_id",
            "reversal_move_ids",
            "payment_id",
            "origin_payment_id",
            "matched_payment_ids",
        }
    ),
    "account.move.line": frozenset(
        {
            "journal_id",
            "company_id",
            "company_currency_id",
            "move_name",
            "parent_state",
            "date",
            "price_subtotal",
            "price_total",
            "amount_residual",
            "amount_residual_currency",
            "reconciled",
            "full_reconcile_id",
            "matched_debit_ids",
            "matched_credit_ids",
            "payment_id",
        }
    ),
    "account.payment": frozenset(
        {
            "is_reconciled",
            "is_matched",
            "reconciled_invoice_ids",
            "reconciled_invoices_count",
            "payment_method_id",
            "outstanding_account_id",
            "destination_account_id",
            "amount_company_currency_signed",
        }
    ),
    "account.journal": frozenset(
        {"inbound_payment_method_line_ids", "outbound_payment_method_line_ids"}
    ),
    "mail.activity": frozenset({"res_model", "state"}),
}


# -- the chart ------------------------------------------------------------------------------------

# (key, code, name, account_type, reconcile): the generic chart's accounts the stand-in needs.
ACCOUNTS: tuple[tuple[str, str, str, str, bool], ...] = (
    ("receivable", "121000", "Account Receivable", "asset_receivable", True),
    ("income", "400000", "Product Sales", "income", False),
    ("tax", "251000", "Tax Received", "liability_current", False),
    ("outstanding", "101402", "Outstanding Receipts", "asset_current", True),
    ("bank", "101401", "Bank", "asset_cash", False),
)


def journal_names(version: int) -> dict[str, str]:
    """The sale and bank journals' names: 16 calls the sale journal "Customer Invoices"."""
    return {"sale": "Customer Invoices" if version < 17 else "Sales", "bank": "Bank"}


def payment_method_name(version: int) -> str:
    return "Manual" if version < 17 else "Manual Payment (Bank)"


def main_chart(version: int, company_id: int) -> dict[str, list[dict[str, Any]]]:
    """The main company's chart, with the ids the recorded databases gave its records.

    Recorded: the receivable account (6) and income account (21) on 16, the sale journal (1)
    on both, the bank journal (7 on 16, 6 on 19) and its manual method line (3 on 16, 1 on
    19). The other ids were not recorded and are chosen not to collide.
    """
    account_ids = {"receivable": 6, "income": 21, "tax": 30, "outstanding": 40, "bank": 41}
    bank_id, method_id = (7, 3) if version < 17 else (6, 1)
    return chart_records(
        version,
        company_id,
        account_ids=account_ids,
        journal_ids={"sale": 1, "bank": bank_id},
        method_id=method_id,
        tax_group_id=1,
    )


def chart_records(
    version: int,
    company_id: int,
    *,
    account_ids: dict[str, int],
    journal_ids: dict[str, int],
    method_id: int,
    tax_group_id: int,
) -> dict[str, list[dict[str, Any]]]:
    """One company's accounts, sale and bank journals, manual payment method and tax group."""
    accounts = [
        {
            "id": account_ids[key],
            "code": code,
            "name": name,
            "account_type": kind,
            "reconcile": reconcile,
            "company_id": company_id,
        }
        for key, code, name, kind, reconcile in ACCOUNTS
    ]
    names = journal_names(version)
    journals = [
        {
            "id": journal_ids["sale"],
            "name": names["sale"],
            "code": "INV",
            "type": "sale",
            "sequence": 5,
            "default_account_id": account_ids["income"],
            "company_id": company_id,
            "refund_sequence": True,
            "payment_sequence": False,
            "invoice_reference_type": "invoice",
            "invoice_reference_model": "odoo",
            "active": True,
        },
        {
            "id": journal_ids["bank"],
            "name": names["bank"],
            "code": "BNK1",
            "type": "bank",
            "sequence": 10,
            "default_account_id": account_ids["bank"],
            "company_id": company_id,
            "refund_sequence": False,
            "payment_sequence": True,
            "invoice_reference_type": "invoice",
            "invoice_reference_model": "odoo",
            "active": True,
        },
    ]
    method = {
        "id": method_id,
        "name": payment_method_name(version),
        "journal_id": journal_ids["bank"],
        "payment_type": "inbound",
    }
    group = {"id": tax_group_id, "name": "Tax 15%", "company_id": company_id}
    return {
        "account.account": accounts,
        "account.journal": journals,
        "account.payment.method.line": [method],
        "account.tax.group": [group],
    }


def load_chart(db: Database, company_id: int) -> None:
    """`try_loading` the generic chart into a company that has none yet."""
    if _journal(db, company_id, "sale") is not None:
        return
    tables = ("account.account", "account.journal", "account.payment.method.line")
    ids: dict[str, dict[str, int]] = {}
    ids["account"] = {key: db._next_id("account.account") for key, *_ in ACCOUNTS}
    ids["journal"] = {
        "sale": db._next_id("account.journal"),
        "bank": db._next_id("account.journal"),
    }
    records = chart_records(
        db.version,
        company_id,
        account_ids=ids["account"],
        journal_ids=ids["journal"],
        method_id=db._next_id("account.payment.method.line"),
        tax_group_id=db._next_id("account.tax.group"),
    )
    for model in (*tables, "account.tax.group"):
        for row in records[model]:
            _insert(db, model, row)


def _insert(db: Database, model: str, values: dict[str, Any]) -> dict[str, Any]:
    """Store a record the way a model's own code creates it (no RPC checks); returns it."""
    record = db.defaults(model)
    record.update(values)
    if "id" not in record:
        record["id"] = db._next_id(model)
    now = db.env.now if db.env is not None else ""
    record.setdefault("create_date", now)
    record.setdefault("write_date", now)
    db.tables[model][record["id"]] = record
    db.revision += 1
    return record


def defaults(version: int) -> dict[str, dict[str, Any]]:
    """Static defaults of the accounting and activity models for Odoo `version`."""
    activity: dict[str, Any] = {"activity_type_id": 4}
    if version >= 17:
        activity["active"] = True
    return {
        "account.tax": {
            "amount_type": "percent",
            "type_tax_use": "sale",
            "active": True,
            "sequence": 1,
            "include_base_amount": False,
            "is_base_affected": True,
            "tax_exigibility": "on_invoice",
            "children_tax_ids": [],
        },
        "account.move": {"state": "draft", "move_type": "entry", "auto_post": "no"},
        "account.move.line": {"quantity": 1.0, "discount": 0.0, "tax_ids": []},
        "account.payment": {"payment_type": "inbound", "partner_type": "customer"},
        "account.payment.register": {"group_payment": False, "line_ids": []},
        "account.journal": {"active": True},
        "mail.activity": activity,
    }


# -- small helpers --------------------------------------------------------------------------------


def _today(db: Database) -> str:
    return db.env.now[:10] if db.env is not None else date.today().isoformat()


def _round(value: float, rounding: float) -> float:
    from sandbox.odoo.business import float_round

    return float_round(value, rounding) + 0.0


def _rounding(db: Database, currency_id: Any) -> float:
    currency = db.tables["res.currency"].get(currency_id or 0, {})
    return float(currency.get("rounding") or 0.01)


def _is_zero(db: Database, value: float, currency_id: Any) -> bool:
    return abs(_round(value, _rounding(db, currency_id))) < _rounding(db, currency_id) / 2


def _company(db: Database, company_id: Any) -> dict[str, Any]:
    companies = db.tables["res.company"]
    return companies.get(company_id or 0) or companies[db.env_company()]


def _journal(db: Database, company_id: int, kind: str) -> dict[str, Any] | None:
    journals = [
        j
        for j in db.tables["account.journal"].values()
        if j.get("company_id") == company_id and j.get("type") == kind and j.get("active", True)
    ]
    return min(journals, key=lambda j: (j.get("sequence") or 0, j["id"])) if journals else None


def _account(db: Database, company_id: int, account_type: str) -> int | None:
    for account in sorted(db.tables["account.account"].values(), key=lambda a: a["id"]):
        same_company = account.get("company_id") == company_id
        if same_company and account.get("account_type") == account_type:
            return int(account["id"])
    return None


def _rate(db: Database, currency_id: Any, company_id: int, day: str) -> float:
    """Units of `currency_id` per unit of the company's currency on `day`."""
    from sandbox.odoo.business import _raw_rate

    company_currency = _company(db, company_id).get("currency_id")
    if currency_id == company_currency:
        return 1.0
    own = _raw_rate(db, currency_id, company_id, day)
    return own / _raw_rate(db, company_currency, company_id, day)


def _lines(db: Database, move_id: int) -> list[dict[str, Any]]:
    return sorted(
        (line for line in db.tables["account.move.line"].values() if line["move_id"] == move_id),
        key=lambda line: line["id"],
    )


def _move_of(db: Database, line: dict[str, Any]) -> dict[str, Any]:
    return db.tables["account.move"].get(line.get("move_id") or 0, {})


def _is_receivable(db: Database, line: dict[str, Any]) -> bool:
    account = db.tables["account.account"].get(line.get("account_id") or 0, {})
    return account.get("account_type") == "asset_receivable"


def _reconcilable(db: Database, line: dict[str, Any]) -> bool:
    account = db.tables["account.account"].get(line.get("account_id") or 0, {})
    return bool(account.get("reconcile"))


def _lock_date(db: Database, company_id: int) -> str | None:
    """The latest lock date that binds a customer invoice of the company."""
    company = _company(db, company_id)
    names = ["fiscalyear_lock_date", "period_lock_date", "sale_lock_date", "hard_lock_date"]
    found = [str(company[name]) for name in names if company.get(name)]
    return max(found) if found else None


def _us_date(day: str) -> str:
    """A date as Odoo's en_US messages print it (11/30/2026)."""
    year, month, dom = day.split("-")
    return f"{month}/{dom}/{year}"


# -- taxes ----------------------------------------------------------------------------------------


def tax_included(db: Database, tax: dict[str, Any]) -> bool:
    """Whether a tax is included in the price: `price_include` on 16, the override on 19."""
    if db.version >= 17:
        return tax.get("price_include_override") == "tax_included"
    return bool(tax.get("price_include"))


def compute_taxes(
    db: Database,
    price_unit: float,
    quantity: float,
    discount: float,
    tax_ids: list[int],
    currency_id: Any,
) -> tuple[float, list[tuple[int, float]], float]:
    """(untaxed, [(tax id, amount)], total) of one invoice line, rounded per line.

    A price-included percent tax splits differently by version (recorded: 24.99 at 20 % is
    20.83 + 4.16 on 16 and 20.82 + 4.17 on 19): 16 rounds the price without tax first and
    takes the tax as the rest; 19 rounds the tax first and takes the base as the rest.
    """
    rounding = _rounding(db, currency_id)
    gross = _round(price_unit * quantity * (1 - discount / 100), rounding)
    taxes = [db.tables["account.tax"][t] for t in tax_ids if t in db.tables["account.tax"]]
    included = [t for t in taxes if tax_included(db, t) and t.get("amount_type") == "percent"]
    base = gross
    amounts: list[tuple[int, float]] = []
    if included:
        rate = sum(float(t.get("amount") or 0.0) for t in included) / 100
        if db.version >= 17:
            tax_total = _round(gross * rate / (1 + rate), rounding)
            base = _round(gross - tax_total, rounding)
        else:
            base = _round(gross / (1 + rate), rounding)
            tax_total = _round(gross - base, rounding)
        for index, tax in enumerate(included):
            share = float(tax.get("amount") or 0.0) / 100 / rate if rate else 0.0
            amount = (
                tax_total if index == len(included) - 1 else _round(tax_total * share, rounding)
            )
            amounts.append((tax["id"], amount))
    for tax in taxes:
        if tax in included:
            continue
        if tax.get("amount_type") == "fixed":
            amount = _round(float(tax.get("amount") or 0.0) * quantity, rounding)
        else:
            amount = _round(base * float(tax.get("amount") or 0.0) / 100, rounding)
        amounts.append((tax["id"], amount))
    total = _round(base + sum(amount for _, amount in amounts), rounding)
    return base, amounts, total


def tax_defaults(db: Database, vals: dict[str, Any]) -> dict[str, Any]:
    company_id = vals.get("company_id") or db.env_company()
    company = _company(db, company_id)
    groups = [
        g
        for g in db.tables["account.tax.group"].values()
        if g.get("company_id") in (None, company_id)
    ]
    filled: dict[str, Any] = {
        "company_id": company_id,
        "country_id": company.get("country_id"),
        "tax_group_id": min(g["id"] for g in groups) if groups else None,
    }
    return {key: value for key, value in filled.items() if key not in vals}


# -- moves: defaults and computed fields ----------------------------------------------------------


def move_defaults(db: Database, env: Env, vals: dict[str, Any]) -> dict[str, Any]:
    """What a new journal entry takes from its company, journal and the call's clock."""
    move_type = vals.get("move_type") or env.context.get("default_move_type") or "entry"
    journal_id = vals.get("journal_id")
    journal = db.tables["account.journal"].get(journal_id or 0)
    company_id = vals.get("company_id") or (journal or {}).get("company_id") or db.env_company()
    company = _company(db, company_id)
    if journal is None:
        kind = "sale" if move_type in INVOICE_TYPES else "general"
        journal = _journal(db, company["id"], kind)
        if journal is None and kind == "general":
            journal = _journal(db, company["id"], "bank")
        if journal is None:
            raise user_error(
                f"No journal could be found in company {company.get('name')} for any of "
                f"those types: {kind}"
            )
    today = _today(db)
    filled: dict[str, Any] = {
        "move_type": move_type,
        "journal_id": journal["id"],
        "company_id": company["id"],
        "currency_id": journal.get("currency_id") or company.get("currency_id"),
        "date": vals.get("invoice_date") or today,
        # 16 names a draft "/", 19 leaves it empty until posted.
        "name": "/" if db.version < 17 else None,
        "posted_before": False,
    }
    if move_type in INVOICE_TYPES:
        # Without a payment term the due date is the day the invoice was created (recorded).
        filled["invoice_date_due"] = today
        filled["invoice_user_id"] = env.uid
    return {key: value for key, value in filled.items() if key not in vals}


def line_defaults(db: Database, vals: dict[str, Any]) -> dict[str, Any]:
    """What a new invoice line takes from its move, its journal and its product."""
    move = db.tables["account.move"].get(vals.get("move_id") or 0)
    if move is None:
        return {}
    journal = db.tables["account.journal"].get(move.get("journal_id") or 0, {})
    filled: dict[str, Any] = {
        "currency_id": move.get("currency_id"),
        "partner_id": db.value("account.move", move, "commercial_partner_id"),
        "display_type": "product",
        "account_id": journal.get("default_account_id"),
    }
    product = db.tables["product.product"].get(vals.get("product_id") or 0)
    if product is not None:
        from sandbox.odoo.business import product_display_name

        filled["name"] = product_display_name(db, "product.product", product)
        filled["price_unit"] = float(db.value("product.product", product, "lst_price") or 0.0)
        filled["product_uom_id"] = db.value("product.product", product, "uom_id")
    return {key: value for key, value in filled.items() if key not in vals}


def move_display_name(db: Database, move: dict[str, Any]) -> str:
    """ "INV/2026/00001", "Draft Invoice (* 12)", with " (ref)" when the move has one."""
    name = ""
    if move.get("state") == "draft":
        label = {
            "out_invoice": "Draft Invoice",
            "out_refund": "Draft Credit Note",
            "entry": "Draft Entry",
        }.get(move.get("move_type") or "entry", "Draft Entry")
        name = f"{label} "
    if not move.get("name") or move.get("name") == "/":
        name += f"(* {move['id']})"
    else:
        name += str(move["name"])
    return f"{name} ({move['ref']})" if move.get("ref") else name


def _counterpart_moves(db: Database, move: dict[str, Any]) -> list[dict[str, Any]]:
    """The moves whose lines are matched with this move's receivable lines."""
    own = {line["id"] for line in _lines(db, move["id"])}
    found: dict[int, dict[str, Any]] = {}
    for partial in db.tables["account.partial.reconcile"].values():
        pair = (partial["debit_move_id"], partial["credit_move_id"])
        for mine, other in (pair, pair[::-1]):
            if mine in own and other not in own:
                other_line = db.tables["account.move.line"].get(other)
                if other_line is not None:
                    other_move = _move_of(db, other_line)
                    found[other_move["id"]] = other_move
    return list(found.values())


def _residuals(db: Database, line: dict[str, Any]) -> tuple[float, float]:
    """(company, line currency) open amounts of a reconcilable line."""
    company, currency = float(line.get("balance") or 0.0), float(line.get("amount_currency") or 0.0)
    for partial in db.tables["account.partial.reconcile"].values():
        if partial["debit_move_id"] == line["id"]:
            company -= float(partial["amount"])
            currency -= float(partial["debit_amount_currency"])
        if partial["credit_move_id"] == line["id"]:
            company += float(partial["amount"])
            currency += float(partial["credit_amount_currency"])
    move = _move_of(db, line)
    company_currency = _company(db, move.get("company_id")).get("currency_id")
    return (
        _round(company, _rounding(db, company_currency)),
        _round(currency, _rounding(db, line.get("currency_id"))),
    )


def _move_value(db: Database, move: dict[str, Any], name: str) -> Any:
    lines = _lines(db, move["id"])
    company = _company(db, move.get("company_id"))
    company_currency = company.get("currency_id")
    receivable = [line for line in lines if _is_receivable(db, line)]
    if name == "invoice_line_ids":
        return [line["id"] for line in lines if line.get("display_type") == "product"]
    if name == "line_ids":
        return [line["id"] for line in lines]
    if name == "commercial_partner_id":
        partner = db.tables["res.partner"].get(move.get("partner_id") or 0)
        return db._commercial_partner(partner)["id"] if partner else None
    if name == "company_currency_id":
        return company_currency
    if name == "invoice_currency_rate":
        day = move.get("invoice_date") or move.get("date") or _today(db)
        return _rate(db, move.get("currency_id"), company["id"], str(day))
    if name in ("amount_untaxed_signed", "amount_tax_signed", "amount_total_signed"):
        kinds = {
            "amount_untaxed_signed": ("product",),
            "amount_tax_signed": ("tax",),
            "amount_total_signed": ("product", "tax"),
        }[name]
        total = -sum(
            float(line.get("balance") or 0.0) for line in lines if line.get("display_type") in kinds
        )
        return _round(total, _rounding(db, company_currency))
    if name == "amount_total_in_currency_signed":
        sign = -1 if move.get("move_type") == "out_refund" else 1
        return sign * float(move.get("amount_total") or 0.0)
    if name in ("amount_residual", "amount_residual_signed"):
        if name == "amount_residual_signed":
            return _round(
                sum(_residuals(db, line)[0] for line in receivable), _rounding(db, company_currency)
            )
        return abs(
            _round(
                sum(_residuals(db, line)[1] for line in receivable),
                _rounding(db, move.get("currency_id")),
            )
        )
    if name in ("payment_state", "status_in_payment"):
        return _payment_state(db, move, receivable)
    if name in ("reversal_move_id", "reversal_move_ids"):
        return [
            other["id"]
            for other in db.tables["account.move"].values()
            if other.get("reversed_entry_id") == move["id"]
        ]
    if name in ("payment_id", "origin_payment_id"):
        for payment in db.tables["account.payment"].values():
            if payment.get("move_id") == move["id"]:
                return payment["id"]
        return None
    if name == "matched_payment_ids":
        matched = {other["id"] for other in _counterpart_moves(db, move)}
        return [
            p["id"] for p in db.tables["account.payment"].values() if p.get("move_id") in matched
        ]
    return NOT_COMPUTED


def _payment_state(db: Database, move: dict[str, Any], receivable: list[dict[str, Any]]) -> str:
    """not_paid, partial, paid or reversed, from the receivable lines' open amounts."""
    if move.get("move_type") not in INVOICE_TYPES or move.get("state") != "posted":
        return "not_paid"
    currency = move.get("currency_id")
    total = sum(float(line.get("amount_currency") or 0.0) for line in receivable)
    residual = sum(_residuals(db, line)[1] for line in receivable)
    if _is_zero(db, total, currency):
        return "not_paid"
    if _is_zero(db, residual, currency):
        counterparts = _counterpart_moves(db, move)
        reversals = [m for m in counterparts if m.get("reversed_entry_id") == move["id"]]
        if counterparts and len(reversals) == len(counterparts):
            return "reversed"
        return "paid"
    if not _is_zero(db, residual - total, currency):
        return "partial"
    return "not_paid"


def _line_value(db: Database, line: dict[str, Any], name: str) -> Any:
    move = _move_of(db, line)
    if name in ("journal_id", "company_id", "date"):
        return move.get(name)
    if name == "company_currency_id":
        return _company(db, move.get("company_id")).get("currency_id")
    if name == "move_name":
        return move.get("name")
    if name == "parent_state":
        return move.get("state")
    if name in ("price_subtotal", "price_total"):
        if line.get("display_type") != "product":
            return 0.0
        base, _taxes, total = compute_taxes(
            db,
            float(line.get("price_unit") or 0.0),
            float(line.get("quantity") or 0.0),
            float(line.get("discount") or 0.0),
            list(line.get("tax_ids") or []),
            line.get("currency_id"),
        )
        return base if name == "price_subtotal" else total
    if name in ("amount_residual", "amount_residual_currency", "reconciled"):
        if not _reconcilable(db, line):
            return False if name == "reconciled" else 0.0
        company, currency = _residuals(db, line)
        if name == "reconciled":
            return _is_zero(db, currency, line.get("currency_id")) and bool(line.get("balance"))
        return company if name == "amount_residual" else currency
    if name in ("matched_debit_ids", "matched_credit_ids"):
        key = "credit_move_id" if name == "matched_debit_ids" else "debit_move_id"
        return [
            p["id"] for p in db.tables["account.partial.reconcile"].values() if p[key] == line["id"]
        ]
    if name == "full_reconcile_id":
        for partial in db.tables["account.partial.reconcile"].values():
            matched = line["id"] in (partial["debit_move_id"], partial["credit_move_id"])
            if matched and partial.get("full_reconcile_id"):
                return partial["full_reconcile_id"]
        return None
    if name == "payment_id":
        return _move_value(db, move, "payment_id") if move else None
    return NOT_COMPUTED


# -- moves: lines from the invoice lines ----------------------------------------------------------


def recompute_move(db: Database, move_id: int) -> None:
    """Rebuild an invoice's tax and receivable lines and its stored totals from its lines."""
    move = db.tables["account.move"].get(move_id)
    if move is None or move.get("move_type") not in INVOICE_TYPES:
        return
    company = _company(db, move.get("company_id"))
    company_rounding = _rounding(db, company.get("currency_id"))
    currency = move.get("currency_id")
    day = str(move.get("invoice_date") or move.get("date") or _today(db))
    rate = _rate(db, currency, company["id"], day) or 1.0
    # An invoice credits income and debits the receivable; a credit note the reverse.
    sign = -1.0 if move.get("move_type") == "out_invoice" else 1.0
    partner_id = _move_value(db, move, "commercial_partner_id")

    lines = _lines(db, move_id)
    untaxed = 0.0
    per_tax: dict[int, float] = {}
    for line in lines:
        if line.get("display_type") != "product":
            continue
        base, taxes, _total = compute_taxes(
            db,
            float(line.get("price_unit") or 0.0),
            float(line.get("quantity") or 0.0),
            float(line.get("discount") or 0.0),
            list(line.get("tax_ids") or []),
            currency,
        )
        untaxed += base
        for tax_id, amount in taxes:
            per_tax[tax_id] = per_tax.get(tax_id, 0.0) + amount
        _set_amounts(line, sign * base, rate, company_rounding)
        line["currency_id"] = currency
        line["partner_id"] = partner_id

    existing_tax: dict[int, dict[str, Any]] = {
        int(line["tax_line_id"]): line
        for line in lines
        if line.get("display_type") == "tax" and line.get("tax_line_id")
    }
    for stale_tax, stale in existing_tax.items():
        if not per_tax.get(stale_tax):
            del db.tables["account.move.line"][stale["id"]]
    for tax_id, amount in per_tax.items():
        if not amount:
            continue
        tax_line = existing_tax.get(tax_id)
        if tax_line is None:
            tax = db.tables["account.tax"][tax_id]
            tax_line = _insert(
                db,
                "account.move.line",
                {
                    "move_id": move_id,
                    "display_type": "tax",
                    "name": tax.get("name"),
                    "tax_line_id": tax_id,
                    "quantity": 0.0,
                    "price_unit": 0.0,
                    "account_id": _account(db, company["id"], "liability_current"),
                },
            )
        _set_amounts(tax_line, sign * amount, rate, company_rounding)
        tax_line["currency_id"] = currency
        tax_line["partner_id"] = partner_id

    others = [
        line for line in _lines(db, move_id) if line.get("display_type") in ("product", "tax")
    ]
    terms = [line for line in _lines(db, move_id) if line.get("display_type") == "payment_term"]
    term = terms[0] if terms else None
    if term is None:
        term = _insert(
            db,
            "account.move.line",
            {
                "move_id": move_id,
                "display_type": "payment_term",
                # 16 reads the payment term line's label back as "" (recorded).
                "name": "",
                "quantity": 0.0,
                "price_unit": 0.0,
                "account_id": _account(db, company["id"], "asset_receivable"),
            },
        )
    term["amount_currency"] = _round(
        -sum(float(line.get("amount_currency") or 0.0) for line in others), _rounding(db, currency)
    )
    term["balance"] = _round(
        -sum(float(line.get("balance") or 0.0) for line in others), company_rounding
    )
    term["debit"], term["credit"] = max(term["balance"], 0.0), max(-term["balance"], 0.0)
    term["currency_id"] = currency
    term["partner_id"] = partner_id
    term["date_maturity"] = move.get("invoice_date_due")

    tax_total = sum(per_tax.values())
    rounding = _rounding(db, currency)
    move["amount_untaxed"] = _round(untaxed, rounding)
    move["amount_tax"] = _round(tax_total, rounding)
    move["amount_total"] = _round(untaxed + tax_total, rounding)


def _set_amounts(
    line: dict[str, Any], amount_currency: float, rate: float, rounding: float
) -> None:
    line["amount_currency"] = amount_currency
    line["balance"] = _round(amount_currency / rate, rounding)
    line["debit"] = max(line["balance"], 0.0)
    line["credit"] = max(-line["balance"], 0.0)


# -- moves: hooks from the store ------------------------------------------------------------------

# Fields 19 refuses to change on a posted move (recorded: lines and customer).
POSTED_READONLY = (
    "partner_id",
    "invoice_line_ids",
    "line_ids",
    "currency_id",
    "journal_id",
    "invoice_date",
    "date",
    "move_type",
    "company_id",
)


def check_write(db: Database, env: Env, model: str, ids: list[int], vals: dict[str, Any]) -> None:
    """What a version refuses before a write: 19's posted-move fields, 19's hard lock."""
    if model == "account.move" and db.version >= 17:
        for move_id in ids:
            move = db.tables[model][move_id]
            if move.get("state") != "posted":
                continue
            refused = [
                name for name in vals if name in POSTED_READONLY and vals[name] != move.get(name)
            ]
            if refused:
                raise user_error(
                    "You cannot modify the following readonly fields on a posted move: "
                    + ", ".join(refused)
                )
    if model == "res.company" and db.version >= 17 and "hard_lock_date" in vals:
        for company_id in ids:
            current = db.tables[model][company_id].get("hard_lock_date")
            new = vals["hard_lock_date"]
            if current and (not new or str(new) < str(current)):
                raise user_error("The Hard Lock Date cannot be removed.")


def after_write(db: Database, env: Env, model: str, ids: list[int], vals: dict[str, Any]) -> None:
    """Keep an invoice's lines and totals in step with what was written.

    16 recomputes a posted invoice as it does a draft one (recorded: a new price on a posted
    line moves the totals); 19 leaves a posted move's balances as they are (recorded: a line
    written directly changes its price and subtotal, not its balance nor the totals).
    """
    if model == "account.move.line":
        moves = {db.tables[model][i]["move_id"] for i in ids if i in db.tables[model]}
    elif model == "account.move":
        moves = set(ids)
        if set(vals) <= {"amount_total", "amount_untaxed", "amount_tax", "ref", "narration"}:
            return
    else:
        return
    for move_id in moves:
        move = db.tables["account.move"].get(move_id)
        if move is not None and (move.get("state") == "draft" or db.version < 17):
            recompute_move(db, move_id)


def after_create(db: Database, env: Env, model: str, record: dict[str, Any]) -> None:
    if model == "account.move.line":
        after_write(db, env, model, [record["id"]], {})
    elif model == "account.move":
        recompute_move(db, record["id"])
    elif model == "account.payment" and db.version < 17:
        # 16 gives a payment its draft journal entry at once; 19 only when it is posted.
        _payment_move(db, record)


def check_unlink(db: Database, model: str, ids: list[int]) -> None:
    """A posted entry, or a line of one, is not deleted."""
    if model == "account.move":
        posted = [i for i in ids if db.tables[model][i].get("state") == "posted"]
    elif model == "account.move.line":
        posted = [i for i in ids if _move_of(db, db.tables[model][i]).get("state") == "posted"]
    else:
        return
    if posted:
        if db.version >= 17:
            raise user_error(
                "You can't delete a posted journal item. Don\u2019t play games with your "
                "accounting records; reset the journal entry to draft before deleting it."
            )
        raise user_error("You cannot delete an item linked to a posted entry.")


def before_unlink(db: Database, model: str, ids: list[int]) -> None:
    """An entry's lines and their matches go with it."""
    if model != "account.move":
        return
    gone = set(ids)
    lines = [i for i, line in db.tables["account.move.line"].items() if line["move_id"] in gone]
    _unreconcile(db, lines)
    for line_id in lines:
        del db.tables["account.move.line"][line_id]


# -- posting, sequences, lock dates ---------------------------------------------------------------


def _next_name(db: Database, move: dict[str, Any], *, payment: bool = False) -> str:
    """The next number of the move's journal and year: INV/2026/00001, RINV/..., PBNK1/..."""
    journal = db.tables["account.journal"][move["journal_id"]]
    code = str(journal.get("code"))
    if move.get("move_type") == "out_refund" and journal.get("refund_sequence"):
        code = f"R{code}"
    elif payment and journal.get("payment_sequence"):
        code = f"P{code}"
    prefix = f"{code}/{str(move.get('date'))[:4]}/"
    numbers = [
        int(str(other["name"])[len(prefix) :])
        for other in db.tables["account.move"].values()
        if other.get("journal_id") == move["journal_id"]
        and str(other.get("name") or "").startswith(prefix)
        and str(other["name"])[len(prefix) :].isdigit()
    ]
    return f"{prefix}{max(numbers, default=0) + 1:05d}"


def _accounting_date(db: Database, move: dict[str, Any]) -> str:
    """The invoice's accounting date, moved out of a locked period as Odoo does on posting.

    Recorded on both versions: an invoice dated 2026-11-15 posted on 2026-12-03 in a company
    locked up to 2026-11-30 posts without error, with `date` 2026-12-03.
    """
    day = str(move.get("date") or move.get("invoice_date") or _today(db))
    lock = _lock_date(db, move["company_id"])
    if lock is None or day > lock:
        return day
    after_lock = (date.fromisoformat(lock) + timedelta(days=1)).isoformat()
    return max(_today(db), after_lock)


def action_post(db: Database, env: Env, ids: list[int]) -> bool:
    """Post draft entries: number, accounting date, state; 19 matches a credit note at once."""
    moves = [db.tables["account.move"][i] for i in ids]
    for move in moves:
        if move.get("state") != "draft":
            shown = move.get("name") or "/"
            if db.version >= 17:
                raise user_error(f"The entry {shown} (id {move['id']}) must be in draft.")
            raise user_error(f"The entry {shown} (id {move['id']}) is already posted.")
        if move.get("move_type") in INVOICE_TYPES and not _move_value(db, move, "invoice_line_ids"):
            raise user_error("You need to add a line before posting.")
    for move in moves:
        _post(db, move)
    if db.version >= 17:
        for move in moves:
            original = db.tables["account.move"].get(move.get("reversed_entry_id") or 0)
            if original is not None and original.get("state") == "posted":
                _reconcile_moves(db, [original["id"], move["id"]])
    return False


def _post(db: Database, move: dict[str, Any], *, payment: bool = False) -> None:
    if move.get("move_type") in INVOICE_TYPES and not move.get("invoice_date"):
        move["invoice_date"] = _today(db)
    move["date"] = _accounting_date(db, move)
    if not move.get("name") or move.get("name") == "/":
        move["name"] = _next_name(db, move, payment=payment)
    if move.get("move_type") in INVOICE_TYPES and not move.get("payment_reference"):
        move["payment_reference"] = move["name"]
    recompute_move(db, move["id"])
    move["state"] = "posted"
    move["posted_before"] = True
    move["write_date"] = db.env.now if db.env is not None else move.get("write_date")
    db.revision += 1


def button_draft(db: Database, env: Env, ids: list[int]) -> None:
    """Reset posted entries to draft, keeping their numbers and dropping their matches."""
    moves = [db.tables["account.move"][i] for i in ids]
    for move in moves:
        lock = _lock_date(db, move["company_id"])
        if lock is not None and str(move.get("date")) <= lock:
            if db.version >= 17:
                raise user_error(
                    "You cannot add/modify entries prior to and inclusive of: Global Lock "
                    f"Date ({_us_date(lock)})."
                )
            raise user_error(
                "You cannot add/modify entries prior to and inclusive of the lock date "
                f"{_us_date(lock)}."
            )
    for move in moves:
        _unreconcile(db, [line["id"] for line in _lines(db, move["id"])])
        move["state"] = "draft"
        move["write_date"] = env.now
    db.revision += 1


# -- reconciliation -------------------------------------------------------------------------------


class Recordset(str):
    """A recordset's repr: JSON-RPC sends it as text, XML-RPC cannot marshal it (recorded)."""


def _recordset(model: str, ids: list[int]) -> Recordset:
    # The class's printed name is what the XML-RPC fault shows: <class 'odoo.api.MODEL'>.
    kind = type(model, (Recordset,), {"__module__": "odoo.api"})
    inner = ", ".join(str(i) for i in ids) + ("," if len(ids) == 1 else "")
    shown: Recordset = kind(f"{model}({inner})")
    return shown


def _unreconcile(db: Database, line_ids: list[int]) -> None:
    lines = set(line_ids)
    table = db.tables["account.partial.reconcile"]
    for partial_id, partial in list(table.items()):
        if partial["debit_move_id"] in lines or partial["credit_move_id"] in lines:
            del table[partial_id]


def reconcile_lines(db: Database, line_ids: list[int]) -> tuple[list[int], int | None]:
    """Match open debit and credit lines, oldest first; returns (partial ids, full id)."""
    lines = [db.tables["account.move.line"][i] for i in line_ids]
    debits = [line for line in lines if float(line.get("balance") or 0.0) > 0]
    credits = [line for line in lines if float(line.get("balance") or 0.0) < 0]
    partials: list[int] = []
    for debit in debits:
        for credit in credits:
            debit_company, debit_currency = _residuals(db, debit)
            credit_company, credit_currency = _residuals(db, credit)
            if debit_currency <= 0 or credit_currency >= 0:
                continue
            amount_currency = min(debit_currency, -credit_currency)
            ratio = amount_currency / debit_currency
            amount = _round(min(debit_company * ratio, -credit_company), 0.01)
            partial = _insert(
                db,
                "account.partial.reconcile",
                {
                    "debit_move_id": debit["id"],
                    "credit_move_id": credit["id"],
                    "amount": amount,
                    "debit_amount_currency": amount_currency,
                    "credit_amount_currency": amount_currency,
                    "company_id": _move_of(db, debit).get("company_id"),
                },
            )
            partials.append(partial["id"])
    full_id = None
    if partials and all(
        _is_zero(db, _residuals(db, line)[1], line.get("currency_id")) for line in lines
    ):
        full = _insert(db, "account.full.reconcile", {})
        full_id = int(full["id"])
        for partial_id in partials:
            db.tables["account.partial.reconcile"][partial_id]["full_reconcile_id"] = full_id
    return partials, full_id


def _open_receivable(db: Database, move_id: int) -> list[int]:
    return [
        line["id"]
        for line in _lines(db, move_id)
        if _is_receivable(db, line)
        and not _is_zero(db, _residuals(db, line)[1], line.get("currency_id"))
    ]


def _reconcile_moves(db: Database, move_ids: list[int]) -> None:
    lines = [line for move_id in move_ids for line in _open_receivable(db, move_id)]
    if lines:
        reconcile_lines(db, lines)


def js_assign_outstanding_line(db: Database, env: Env, ids: list[int], line_id: int) -> Any:
    """Match an outstanding payment line with the invoices' receivable lines.

    16 answers with the recordsets it made (recorded as their reprs over JSON-RPC, a fault
    over XML-RPC); 19 answers nothing.
    """
    if line_id not in db.tables["account.move.line"]:
        from sandbox.odoo.errors import missing_error

        raise missing_error("account.move.line", [line_id], env.uid)
    lines = [line_id] + [line for move_id in ids for line in _open_receivable(db, move_id)]
    partials, full_id = reconcile_lines(db, lines)
    if db.version >= 17:
        return None
    return {
        "exchange_partials": _recordset("account.partial.reconcile", []),
        "partials": _recordset("account.partial.reconcile", partials),
        "full_reconcile": _recordset("account.full.reconcile", [full_id] if full_id else []),
    }


# -- payments -------------------------------------------------------------------------------------


def payment_defaults(db: Database, vals: dict[str, Any]) -> dict[str, Any]:
    journal = db.tables["account.journal"].get(vals.get("journal_id") or 0)
    company_id = vals.get("company_id") or (journal or {}).get("company_id") or db.env_company()
    company = _company(db, company_id)
    if journal is None:
        journal = _journal(db, company["id"], "bank")
        if journal is None:
            raise user_error(
                f"No journal could be found in company {company.get('name')} for any of "
                "those types: bank, cash, credit"
            )
    methods = [
        m["id"]
        for m in db.tables["account.payment.method.line"].values()
        if m.get("journal_id") == journal["id"]
        and m.get("payment_type") == (vals.get("payment_type") or "inbound")
    ]
    filled: dict[str, Any] = {
        "journal_id": journal["id"],
        "company_id": company["id"],
        "currency_id": journal.get("currency_id") or company.get("currency_id"),
        "date": _today(db),
        "state": "draft",
        "name": "/" if db.version < 17 else None,
        "payment_method_line_id": min(methods) if methods else None,
    }
    return {key: value for key, value in filled.items() if key not in vals}


def _payment_move(db: Database, payment: dict[str, Any]) -> dict[str, Any]:
    """The payment's journal entry: the bank's outstanding receipts against the receivable."""
    company = _company(db, payment.get("company_id"))
    currency = payment.get("currency_id")
    rate = _rate(db, currency, company["id"], str(payment.get("date"))) or 1.0
    move = _insert(
        db,
        "account.move",
        {
            "move_type": "entry",
            "journal_id": payment["journal_id"],
            "company_id": company["id"],
            "currency_id": currency,
            "date": payment.get("date"),
            "partner_id": payment.get("partner_id"),
            "ref": _payment_memo(db, payment),
            "name": "/" if db.version < 17 else None,
            "state": "draft",
            "posted_before": False,
        },
    )
    amount = float(payment.get("amount") or 0.0)
    sign = 1.0 if payment.get("payment_type") == "inbound" else -1.0
    rounding = _rounding(db, company.get("currency_id"))
    for account_type, direction in (("asset_current", sign), ("asset_receivable", -sign)):
        line = _insert(
            db,
            "account.move.line",
            {
                "move_id": move["id"],
                "display_type": "product" if account_type == "asset_current" else "payment_term",
                "name": _payment_memo(db, payment) or "",
                "account_id": _account(db, company["id"], account_type),
                "partner_id": payment.get("partner_id"),
                "currency_id": currency,
                "quantity": 0.0,
                "price_unit": 0.0,
            },
        )
        _set_amounts(line, direction * amount, rate, rounding)
    move["amount_total"] = amount
    payment["move_id"] = move["id"]
    return move


def _payment_memo(db: Database, payment: dict[str, Any]) -> Any:
    """The payment's communication: `ref` on 16, `memo` on 19."""
    return payment.get("memo" if db.version >= 17 else "ref")


def payment_post(db: Database, env: Env, ids: list[int]) -> None:
    """Post payments: 16 leaves them `posted`, 19 `in_process` until matched (recorded)."""
    for payment_id in ids:
        payment = db.tables["account.payment"][payment_id]
        if payment.get("state") != "draft":
            raise user_error("Only a draft payment can be posted.")
        move = db.tables["account.move"].get(payment.get("move_id") or 0) or _payment_move(
            db, payment
        )
        _post(db, move, payment=True)
        payment["name"] = move["name"]
        payment["state"] = "in_process" if db.version >= 17 else "posted"
        payment["write_date"] = env.now
    db.revision += 1


def _counterpart_lines(db: Database, payment: dict[str, Any]) -> list[dict[str, Any]]:
    if not payment.get("move_id"):
        return []
    return [line for line in _lines(db, payment["move_id"]) if _is_receivable(db, line)]


def _payment_value(db: Database, payment: dict[str, Any], name: str) -> Any:
    counterparts = _counterpart_lines(db, payment)
    posted = bool(payment.get("state") not in ("draft", "cancel", "canceled", None))
    if name == "is_reconciled":
        return (
            posted
            and bool(counterparts)
            and all(
                _is_zero(db, _residuals(db, line)[1], line.get("currency_id"))
                for line in counterparts
            )
        )
    if name == "is_matched":
        # Matching the liquidity line with a bank statement is outside the stand-in.
        return False
    if name in ("reconciled_invoice_ids", "reconciled_invoices_count"):
        move = db.tables["account.move"].get(payment.get("move_id") or 0)
        invoices = [
            m["id"]
            for m in (_counterpart_moves(db, move) if move else [])
            if m.get("move_type") in INVOICE_TYPES
        ]
        return invoices if name == "reconciled_invoice_ids" else len(invoices)
    if name == "outstanding_account_id":
        return _account(db, payment.get("company_id") or 1, "asset_current")
    if name == "destination_account_id":
        return _account(db, payment.get("company_id") or 1, "asset_receivable")
    if name == "amount_company_currency_signed":
        return float(payment.get("amount") or 0.0)
    if name == "payment_method_id":
        return None
    return NOT_COMPUTED


def payment_state(db: Database, payment: dict[str, Any]) -> Any:
    """19 derives `in_process` / `paid` from whether the payment is matched; 16 stores it."""
    state = payment.get("state")
    if db.version >= 17 and state in ("in_process", "paid"):
        return "paid" if _payment_value(db, payment, "is_reconciled") else "in_process"
    return state


# -- the register payment wizard ------------------------------------------------------------------


def register_defaults(db: Database, env: Env, vals: dict[str, Any]) -> dict[str, Any]:
    """The wizard's lines from the context's invoices, refusing what Odoo refuses."""
    active_ids = env.context.get("active_ids") or []
    if (
        env.context.get("active_model") not in ("account.move", "account.move.line")
        or not active_ids
    ):
        raise user_error(
            "The register payment wizard should only be called on account.move or "
            "account.move.line records."
        )
    lines: list[int] = []
    for move_id in active_ids:
        move = db.tables["account.move"].get(int(move_id))
        if move is None or move.get("state") != "posted":
            raise user_error("You can only register payment for posted journal entries.")
        lines.extend(_open_receivable(db, move["id"]))
    if not lines:
        if db.version >= 17:
            raise user_error(
                "There's nothing left to pay for the selected journal items, so no payment "
                "registration is necessary. You've got your finances under control!"
            )
        raise user_error(
            "You can't register a payment because there is nothing left to pay on the "
            "selected journal items."
        )
    first = db.tables["account.move"][int(active_ids[0])]
    bank = _journal(db, first["company_id"], "bank")
    filled: dict[str, Any] = {
        "line_ids": [[6, 0, lines]],
        "payment_date": _today(db),
        "journal_id": bank["id"] if bank else None,
        "currency_id": first.get("currency_id"),
        "payment_type": "inbound",
        "partner_type": "customer",
    }
    return {key: value for key, value in filled.items() if key not in vals}


def action_create_payments(db: Database, env: Env, wizard_id: int) -> dict[str, Any]:
    """Create, post and match the wizard's payments; one per partner when grouped.

    Recorded on both versions: grouping two partners' invoices still gives one payment per
    partner, and the payments are created last batch first (the second partner's payment has
    the lower id). 16 names a grouped payment after its invoices; 19 gives it a GROUP number.
    """
    wizard = db.tables["account.payment.register"][wizard_id]
    lines = [
        db.tables["account.move.line"][i]
        for i in wizard.get("line_ids") or []
        if i in db.tables["account.move.line"]
    ]
    batches: list[list[dict[str, Any]]] = []
    by_partner: dict[Any, list[dict[str, Any]]] = {}
    for line in lines:
        if wizard.get("group_payment"):
            key = line.get("partner_id")
            if key not in by_partner:
                by_partner[key] = []
                batches.append(by_partner[key])
            by_partner[key].append(line)
        else:
            batches.append([line])
    single = len(batches) == 1

    payment_ids: list[int] = []
    for batch in reversed(batches):
        open_amount = sum(_residuals(db, line)[1] for line in batch)
        amount = float(wizard["amount"]) if single and wizard.get("amount") else open_amount
        moves = [_move_of(db, line) for line in batch]
        memo = _batch_memo(db, moves)
        vals = {
            "payment_type": "inbound",
            "partner_type": "customer",
            "partner_id": batch[0].get("partner_id"),
            "amount": amount,
            "date": wizard.get("payment_date") or _today(db),
            "journal_id": wizard.get("journal_id"),
            "currency_id": batch[0].get("currency_id"),
            "memo" if db.version >= 17 else "ref": memo,
        }
        vals.update(payment_defaults(db, vals))
        payment = _insert(db, "account.payment", vals)
        _payment_move(db, payment)
        payment_post(db, env, [payment["id"]])
        counterpart = _counterpart_lines(db, payment)
        reconcile_lines(db, [line["id"] for line in counterpart] + [line["id"] for line in batch])
        payment_ids.append(payment["id"])

    payment_ids.sort()
    action: dict[str, Any] = {
        "name": "Payments",
        "type": "ir.actions.act_window",
        "res_model": "account.payment",
        "context": {"create": False},
    }
    if len(payment_ids) == 1:
        action.update(view_mode="form", res_id=payment_ids[0])
    else:
        view_mode = "list,form" if db.version >= 17 else "tree,form"
        action.update(view_mode=view_mode, domain=[["id", "in", payment_ids]])
    return action


def _batch_memo(db: Database, moves: list[dict[str, Any]]) -> str:
    names = [str(m.get("payment_reference") or m.get("name")) for m in moves]
    if len(moves) == 1:
        return names[0]
    if db.version < 17:
        return " ".join(names)
    year = str(moves[0].get("date"))[:4]
    db.sequences["payment.group"] = db.sequences.get("payment.group", 0) + 1
    return f"GROUP/{year}/{db.sequences['payment.group']:05d}"


# -- the reversal wizard --------------------------------------------------------------------------


def reversal_defaults(db: Database, env: Env, vals: dict[str, Any]) -> dict[str, Any]:
    active_ids = env.context.get("active_ids") or []
    filled: dict[str, Any] = {"move_ids": [int(i) for i in active_ids], "date": _today(db)}
    if db.version < 17:
        filled.update(refund_method="refund", date_mode="custom")
    return {key: value for key, value in filled.items() if key not in vals}


def reverse(db: Database, env: Env, wizard_id: int, *, mode: str) -> dict[str, Any]:
    """Credit the wizard's invoices: `refund` leaves a draft credit note, `cancel` posts and
    matches it, `modify` also opens a new draft copy of each invoice."""
    wizard = db.tables["account.move.reversal"][wizard_id]
    created: list[int] = []
    drafts: list[int] = []
    for move_id in wizard.get("move_ids") or []:
        move = db.tables["account.move"][move_id]
        reversal = _reverse_move(db, env, move, wizard)
        created.append(reversal)
        if mode in ("cancel", "modify"):
            action_post(db, env, [reversal])
            if db.version < 17:
                _reconcile_moves(db, [move_id, reversal])
        if mode == "modify":
            drafts.append(_copy_invoice(db, env, move))
    shown, kind = (drafts, "out_invoice") if mode == "modify" else (created, "out_refund")
    action: dict[str, Any] = {
        "name": "Reverse Moves",
        "type": "ir.actions.act_window",
        "res_model": "account.move",
    }
    if len(shown) == 1:
        action.update(view_mode="form", res_id=shown[0])
    else:
        view_mode = "list,form" if db.version >= 17 else "tree,form"
        action.update(view_mode=view_mode, domain=[["id", "in", shown]])
    action["context"] = {"default_move_type": kind}
    return action


def _invoice_lines(db: Database, move: dict[str, Any]) -> list[list[Any]]:
    keep = ("product_id", "name", "quantity", "price_unit", "discount", "account_id")
    return [
        [
            0,
            0,
            {
                **{k: line.get(k) for k in keep},
                "tax_ids": [[6, 0, list(line.get("tax_ids") or [])]],
            },
        ]
        for line in _lines(db, move["id"])
        if line.get("display_type") == "product"
    ]


def _reverse_move(db: Database, env: Env, move: dict[str, Any], wizard: dict[str, Any]) -> int:
    day = str(wizard.get("date") or _today(db))
    if db.version < 17 and wizard.get("date_mode") == "entry":
        day = str(move.get("date"))
    reason = wizard.get("reason")
    ref = f"Reversal of: {move.get('name')}" + (f", {reason}" if reason else "")
    vals = {
        "move_type": "out_refund" if move.get("move_type") == "out_invoice" else "out_invoice",
        "partner_id": move.get("partner_id"),
        "currency_id": move.get("currency_id"),
        "journal_id": wizard.get("journal_id") or move.get("journal_id"),
        "company_id": move.get("company_id"),
        "invoice_date": day,
        "date": day,
        "invoice_date_due": day,
        "ref": ref,
        "reversed_entry_id": move["id"],
        "invoice_line_ids": _invoice_lines(db, move),
    }
    (reversal_id,) = db.create(env, "account.move", [vals])
    return reversal_id


def _copy_invoice(db: Database, env: Env, move: dict[str, Any]) -> int:
    vals = {
        "move_type": move.get("move_type"),
        "partner_id": move.get("partner_id"),
        "currency_id": move.get("currency_id"),
        "journal_id": move.get("journal_id"),
        "company_id": move.get("company_id"),
        "invoice_date": move.get("invoice_date"),
        "invoice_line_ids": _invoice_lines(db, move),
    }
    (copy_id,) = db.create(env, "account.move", [vals])
    return copy_id


# -- lock dates, activities, ir.model, sale invoicing ---------------------------------------------


def activity_defaults(db: Database, env: Env, vals: dict[str, Any]) -> dict[str, Any]:
    filled: dict[str, Any] = {"user_id": env.uid}
    return {key: value for key, value in filled.items() if key not in vals}


def _activity_value(db: Database, activity: dict[str, Any], name: str) -> Any:
    if name == "res_model":
        model = db.tables["ir.model"].get(activity.get("res_model_id") or 0, {})
        return model.get("model")
    if name == "state":
        if activity.get("date_done") or activity.get("active") is False:
            return "done"
        deadline, today = str(activity.get("date_deadline")), _today(db)
        if deadline < today:
            return "overdue"
        return "today" if deadline == today else "planned"
    return NOT_COMPUTED


def activity_done(db: Database, env: Env, ids: list[int]) -> int:
    """Mark activities done: 16 deletes them, 19 archives them with `date_done` (recorded).

    Both answer with the id of the chatter message posted on the record; the stand-in keeps
    no chatter and only counts the messages.
    """
    for activity_id in ids:
        if db.version >= 17:
            activity = db.tables["mail.activity"][activity_id]
            activity.update(active=False, date_done=_today(db), write_date=env.now)
        else:
            del db.tables["mail.activity"][activity_id]
    db.sequences["mail.message"] = db.sequences.get("mail.message", 2000) + len(ids)
    db.revision += 1
    return db.sequences["mail.message"]


def create_invoices(db: Database, env: Env, wizard_id: int) -> dict[str, Any]:
    """Invoice the wizard's confirmed orders, one draft invoice per order."""
    wizard = db.tables["sale.advance.payment.inv"][wizard_id]
    order_ids = list(wizard.get("sale_order_ids") or env.context.get("active_ids") or [])
    invoices: list[int] = []
    partner_id: Any = None
    taxes_field = "tax_ids" if db.version >= 17 else "tax_id"
    for order_id in order_ids:
        order = db.tables["sale.order"][int(order_id)]
        lines = [
            [
                0,
                0,
                {
                    "product_id": line.get("product_id"),
                    "name": line.get("name"),
                    "quantity": float(line.get("product_uom_qty") or 0.0),
                    "price_unit": float(line.get("price_unit") or 0.0),
                    "discount": float(line.get("discount") or 0.0),
                    "tax_ids": [[6, 0, list(line.get(taxes_field) or [])]],
                },
            ]
            for line in db.tables["sale.order.line"].values()
            if line.get("order_id") == order["id"] and not line.get("display_type")
        ]
        partner_id = order.get("partner_invoice_id") or order.get("partner_id")
        vals = {
            "move_type": "out_invoice",
            "partner_id": partner_id,
            "company_id": order.get("company_id"),
            "invoice_origin": order.get("name"),
            "ref": order.get("client_order_ref"),
            "invoice_line_ids": lines,
        }
        invoices.extend(db.create(env, "account.move", [vals]))
    if db.version < 17:
        return {"type": "ir.actions.act_window_close"}
    return _invoice_action_19(partner_id, invoices)


def _invoice_action_19(partner_id: Any, invoices: list[int]) -> dict[str, Any]:
    """The customer invoices window action 19 answers with after invoicing (as recorded)."""
    return {
        "id": 261,
        "display_name": "Invoices",
        "name": "Invoices",
        "type": "ir.actions.act_window",
        "xml_id": "account.action_move_out_invoice_type",
        "path": "invoicing",
        "help": '<p class="o_view_nocontent_smiling_face">\n                Create a customer '
        "invoice\n              </p><p>\n                Create invoices, register payments "
        "and keep track of the discussions with your customers.\n              </p>\n"
        "            ",
        "binding_model_id": False,
        "binding_type": "action",
        "binding_view_types": "list,form",
        "view_id": [732, "account.out.invoice.list"],
        "domain": "[('move_type', 'in', ['out_invoice', 'out_refund', 'out_receipt'])]",
        "context": {
            "default_move_type": "out_invoice",
            "default_partner_id": partner_id,
            "default_partner_shipping_id": partner_id,
            "default_invoice_payment_term_id": None,
        },
        "res_id": invoices[0] if invoices else False,
        "res_model": "account.move",
        "target": "current",
        "view_mode": "list,kanban,form,activity",
        "mobile_view_mode": "kanban",
        "views": [[738, "form"], [732, "list"], [False, "kanban"], [False, "activity"]],
        "limit": 80,
        "group_ids": [],
        "search_view_id": [741, "account.invoice.select"],
        "embedded_action_ids": [],
        "filter": False,
        "cache": True,
    }


# -- dispatch -------------------------------------------------------------------------------------


def dynamic_defaults(db: Database, env: Env, model: str, vals: dict[str, Any]) -> dict[str, Any]:
    """Defaults (and refusals) that depend on the call, for the models of this module."""
    if model == "account.move":
        return move_defaults(db, env, vals)
    if model == "account.move.line":
        return line_defaults(db, vals)
    if model == "account.tax":
        return tax_defaults(db, vals)
    if model == "account.payment":
        return payment_defaults(db, vals)
    if model == "account.payment.register":
        return register_defaults(db, env, vals)
    if model == "account.move.reversal":
        return reversal_defaults(db, env, vals)
    if model == "mail.activity":
        return activity_defaults(db, env, vals)
    if model == "sale.advance.payment.inv":
        ids = [int(i) for i in env.context.get("active_ids") or []]
        return {} if "sale_order_ids" in vals else {"sale_order_ids": ids}
    return {}


def compute(db: Database, model: str, record: dict[str, Any], name: str) -> Any:
    """The value of a computed accounting field, or NOT_COMPUTED for a stored one."""
    if model == "account.move" and name == "display_name":
        return move_display_name(db, record)
    if model == "account.account" and name == "display_name":
        return f"{record.get('code')} {record.get('name')}"
    if model == "account.payment" and name == "state":
        return payment_state(db, record)
    if model == "account.payment" and name == "display_name":
        return record.get("name") or "Draft Payment"
    if model == "account.tax" and name == "price_include" and db.version >= 17:
        # 19 keeps the company's default and a per-tax override; price_include follows them.
        return tax_included(db, record)
    if name not in COMPUTED.get(model, ()):
        return NOT_COMPUTED
    if model == "account.move":
        return _move_value(db, record, name)
    if model == "account.move.line":
        return _line_value(db, record, name)
    if model == "account.payment":
        return _payment_value(db, record, name)
    if model == "account.journal":
        kind = "inbound" if name.startswith("inbound") else "outbound"
        return [
            m["id"]
            for m in db.tables["account.payment.method.line"].values()
            if m.get("journal_id") == record["id"] and m.get("payment_type") == kind
        ]
    if model == "mail.activity":
        return _activity_value(db, record, name)
    return NOT_COMPUTED
