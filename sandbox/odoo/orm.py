"""The stand-in's store and the ORM methods the external API reaches, as Odoo 16/19 run them.

One `Database` holds every table as `{id: stored values}`. Computed fields (display names,
`commercial_partner_id`, `child_ids`, `complete_name`) are computed when read, so they always
follow the stored values. Methods take an `Env` (user, context, the request's clock) and raise
`OdooFault`s worded as real Odoo words them.
"""

from __future__ import annotations

import copy
import functools
import logging
from dataclasses import dataclass, field
from typing import Any

from sandbox.odoo import accounting, business, subscriptions
from sandbox.odoo import domain as domains
from sandbox.odoo.errors import (
    access_error,
    company_access_error,
    key_error,
    missing_error,
    validation_error,
    value_error,
)
from sandbox.odoo.schema import INVERSES, NOT_NULL, ModelSchema, label

logger = logging.getLogger(__name__)

RELATIONAL = frozenset({"many2one", "one2many", "many2many"})
X2MANY = frozenset({"one2many", "many2many"})

# Values a record gets when `create` does not give them (the model's `default=`).
DEFAULTS: dict[str, dict[str, Any]] = {
    "res.partner": {
        "active": True,
        "type": "contact",
        "is_company": False,
        "customer_rank": 0,
        "supplier_rank": 0,
        "autopost_bills": "ask",
        "category_id": [],
    },
    "res.partner.category": {"active": True, "color": 0, "partner_ids": []},
    "ir.model.data": {"noupdate": False},
    "res.company": {"active": True, "sequence": 10},
    "res.users": {"active": True, "company_ids": []},
    "res.currency": {"active": True, "rounding": 0.01, "position": "after"},
}

ADDRESS_FIELDS = ("street", "street2", "zip", "city", "state_id", "country_id")

# Fields a `copy` leaves behind (copy=False in Odoo).
NOT_COPIED = frozenset({"id", "create_date", "write_date", "child_ids", "user_ids", "bank_ids"})


@dataclass
class Env:
    """Who calls, with which context, and the request's time as stored in write_date (UTC).

    19 stores "YYYY-MM-DD HH:MM:SS"; 16 keeps microseconds ("...SS.ffffff") and reads back
    whole seconds, so a domain `write_date = T` with the T read back finds nothing on 16.
    """

    uid: int
    context: dict[str, Any]
    now: str
    version: int

    @property
    def active_test(self) -> bool:
        return self.context.get("active_test", True) is not False


@dataclass(frozen=True)
class Snapshot:
    """The store as it was before a call, for rollback."""

    tables: dict[str, dict[int, dict[str, Any]]]
    sequences: dict[str, int]
    revision: int


@dataclass
class Database:
    """Every table of the stand-in, with the id sequence of each."""

    version: int
    schemas: dict[str, ModelSchema]
    tables: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)
    sequences: dict[str, int] = field(default_factory=dict)
    revision: int = 0
    # The call being served, for fields computed from its context (company, date).
    env: Env | None = None

    def defaults(self, model: str) -> dict[str, Any]:
        """The model's static defaults, as a fresh copy."""
        values = dict(DEFAULTS.get(model, {}))
        values.update(business.defaults(self.version).get(model, {}))
        return copy.deepcopy(values)

    def env_company(self) -> int:
        """`env.company`: the first allowed company, else the user's default company."""
        env = self.env
        uid = env.uid if env is not None else 2
        allowed = env.context.get("allowed_company_ids") if env is not None else None
        if isinstance(allowed, list) and allowed:
            return int(allowed[0])
        user = self.tables["res.users"].get(uid, {})
        return int(user.get("company_id") or 1)

    # -- store ---------------------------------------------------------------------------------

    def reset(self, records: dict[str, list[dict[str, Any]]], *, now: str) -> None:
        """Replace every table with `records` (explicit ids); sequences continue after them."""
        self.tables = {model: {} for model in self.schemas}
        for model, rows in records.items():
            schema = self.schema(model)
            for row in rows:
                values = self.defaults(model)
                values.update({k: v for k, v in row.items() if k in schema.fields})
                values.setdefault("create_date", now)
                values.setdefault("write_date", values["create_date"])
                values["id"] = int(row["id"])
                self.tables[model][values["id"]] = values
        self.sequences = {model: max(table, default=0) for model, table in self.tables.items()}
        self.revision += 1

    def snapshot(self) -> Snapshot:
        """A copy of every table, to roll a failed call back to."""
        return Snapshot(copy.deepcopy(self.tables), dict(self.sequences), self.revision)

    def restore(self, state: Snapshot) -> None:
        self.tables, self.sequences, self.revision = state.tables, state.sequences, state.revision

    def schema(self, model: str) -> ModelSchema:
        try:
            return self.schemas[model]
        except KeyError:
            raise value_error(f"Unknown model {model!r}") from None

    def has_model(self, model: str) -> bool:
        return model in self.schemas

    def _next_id(self, model: str) -> int:
        self.sequences[model] = self.sequences.get(model, 0) + 1
        return self.sequences[model]

    # -- field values --------------------------------------------------------------------------

    def value(self, model: str, record: dict[str, Any], name: str) -> Any:
        """A field's value on a stored record: ids for relations, None for empty, computed."""
        if name == "id":
            return record["id"]
        computed = self._computed(model, record, name)
        if computed is not _NOT_COMPUTED:
            return computed
        return record.get(name)

    def _computed(self, model: str, record: dict[str, Any], name: str) -> Any:
        if business.delegated(model, name):
            template = self.tables["product.template"].get(record.get("product_tmpl_id") or 0)
            return self.value("product.template", template, name) if template else None
        found = business.compute(self, model, record, name)
        if found is not business.NOT_COMPUTED:
            return found
        inverse = INVERSES.get((model, name))
        if inverse is not None:
            comodel = self.schema(model).relation(name) or ""
            return [
                child["id"]
                for child in self.tables[comodel].values()
                if child.get(inverse) == record["id"] and child.get("active", True)
            ]
        if model in ("product.product", "product.template") and name == "display_name":
            return business.product_display_name(self, model, record)
        if model == "product.product" and name == "product_variant_ids":
            template_id = record.get("product_tmpl_id")
            return [
                p["id"]
                for p in self.tables[model].values()
                if p.get("product_tmpl_id") == template_id and p.get("active", True)
            ]
        if model == "product.category" and name == "complete_name":
            return record.get("name")
        if model == "res.partner":
            if name in ("display_name", "complete_name"):
                return self._partner_name(record)
            if name == "commercial_partner_id":
                return self._commercial_partner(record)["id"]
            if name == "child_ids":
                return [
                    child["id"]
                    for child in self.tables["res.partner"].values()
                    if child.get("parent_id") == record["id"] and child.get("active", True)
                ]
            if name == "company_type":
                return "company" if record.get("is_company") else "person"
            if name == "currency_id":
                company = self.tables["res.company"].get(record.get("company_id") or 1)
                return company.get("currency_id") if company else None
            if name == "credit":
                return 0.0
        if model == "ir.model.data":
            if name in ("complete_name", "display_name"):
                return f"{record.get('module')}.{record.get('name')}"
            if name == "reference":
                return f"{record.get('model')},{record.get('res_id')}"
        if model == "res.partner.category" and name == "partner_ids":
            return [
                partner["id"]
                for partner in self.tables["res.partner"].values()
                if record["id"] in (partner.get("category_id") or [])
            ]
        if name == "display_name":
            return record.get("name") or f"{model},{record['id']}"
        return _NOT_COMPUTED

    def _commercial_partner(self, record: dict[str, Any]) -> dict[str, Any]:
        seen: set[int] = set()
        current = record
        while not current.get("is_company") and current.get("parent_id"):
            parent = self.tables["res.partner"].get(current["parent_id"])
            if parent is None or parent["id"] in seen:
                break
            seen.add(parent["id"])
            current = parent
        return current

    def _partner_name(self, record: dict[str, Any]) -> str:
        name = record.get("name") or ""
        parent = self.tables["res.partner"].get(record.get("parent_id") or 0)
        if parent is None or record.get("is_company"):
            return name
        commercial = self._commercial_partner(record)
        prefix = commercial.get("name") if commercial.get("is_company") else parent.get("name")
        return f"{prefix}, {name}" if prefix else name

    def display_name(self, model: str, record_id: int) -> str:
        record = self.tables.get(model, {}).get(record_id)
        if record is None:
            return f"{model},{record_id}"
        return str(self.value(model, record, "display_name"))

    def _render(self, env: Env, model: str, record: dict[str, Any], name: str, load: Any) -> Any:
        """A field as `read` returns it: False for empty, [id, name] for a many2one."""
        schema = self.schema(model)
        kind = schema.type_of(name)
        raw = self.value(model, record, name)
        if kind == "many2one":
            if not raw:
                return False
            if load != "_classic_read":
                return raw
            return [raw, self.display_name(schema.relation(name) or "", raw)]
        if kind in X2MANY:
            return self._ordered(schema.relation(name) or "", list(raw or []))
        if kind == "boolean":
            return bool(raw)
        if kind == "integer":
            return int(raw or 0)
        if kind in ("float", "monetary"):
            return float(raw or 0.0)
        if kind == "many2one_reference":
            return raw or 0
        if raw == "" and (model, name) in accounting.EMPTY_TEXT:
            return raw
        if raw is None or raw == "":
            return False
        if kind == "datetime":
            # 16 stores microseconds but reads back whole seconds; see Env.now.
            return str(raw)[:19]
        return raw

    def _ordered(self, model: str, ids: list[int]) -> list[int]:
        """x2many ids in the comodel's default order, as Odoo reads them."""
        if model not in self.tables:
            return ids
        records = [self.tables[model][i] for i in ids if i in self.tables[model]]
        return [r["id"] for r in self._sort(model, records, self.schema(model).order)]

    # -- search --------------------------------------------------------------------------------

    def _check_companies(self, env: Env) -> list[int]:
        """The companies a call may see: the context's, checked against the user's."""
        user = self.tables["res.users"].get(env.uid, {})
        user_companies = list(user.get("company_ids") or [user.get("company_id") or 1])
        allowed = env.context.get("allowed_company_ids")
        if allowed is None:
            return user_companies
        if not isinstance(allowed, list) or any(c not in user_companies for c in allowed):
            raise access_error("Access to unauthorized or invalid companies.")
        return [int(c) for c in allowed]

    def _visible(self, model: str, record: dict[str, Any], companies: list[int]) -> bool:
        """Odoo's multi-company record rules: no company, or one of the allowed companies."""
        if "company_id" not in self.schema(model).fields or model == "res.users":
            return True
        company = self.value(model, record, "company_id")
        return not company or company in companies

    def _leaf(self, model: str, leaf: domains.Leaf) -> domains.Leaf:
        """Check one leaf's field and operator, as the ORM does before it builds SQL."""
        path, operator, _value = leaf
        first = path.split(".", 1)[0]
        if first != "id" and first not in self.schema(model).fields:
            if self.version >= 17:
                raise value_error(f"Invalid field {model}.{path} in condition {leaf!r}")
            raise value_error(f"Invalid field {model}.{path} in leaf {leaf!r}")
        if operator not in domains.OPERATORS:
            raise value_error(f"Invalid operator {operator!r} in domain term {leaf!r}")
        return leaf

    def _leaf_matches(self, model: str, record: dict[str, Any], leaf: domains.Leaf) -> bool:
        path, operator, value = leaf
        name, _, rest = path.partition(".")
        schema = self.schema(model)
        actual = self.value(model, record, name)
        kind = schema.type_of(name)
        comodel = schema.relation(name) or ""

        if rest and kind in RELATIONAL:
            targets = actual if isinstance(actual, list) else ([actual] if actual else [])
            table = self.tables.get(comodel, {})
            return any(
                self._leaf_matches(comodel, table[t], (rest, operator, value))
                for t in targets
                if t in table
            )
        if operator in ("child_of", "parent_of"):
            roots = value if isinstance(value, list) else [value]
            return self._hierarchy(model, record, [int(r) for r in roots], operator)
        if kind == "many2one" and isinstance(value, str):
            # A many2one compared with text compares the related record's name.
            actual = self.display_name(comodel, actual) if actual else None
        if kind == "boolean" and operator in ("=", "!=", "<>"):
            actual = bool(actual)
            equal = actual == bool(value)
            return equal if operator == "=" else not equal
        return domains.compare(actual, operator, value)

    def _hierarchy(
        self, model: str, record: dict[str, Any], roots: list[int], operator: str
    ) -> bool:
        """`child_of`: the record is a root or below one; `parent_of`: the reverse."""
        table = self.tables[model]
        if operator == "child_of":
            current: dict[str, Any] | None = record
            seen: set[int] = set()
            while current is not None and current["id"] not in seen:
                if current["id"] in roots:
                    return True
                seen.add(current["id"])
                current = table.get(current.get("parent_id") or 0)
            return False
        return any(
            self._hierarchy(model, table[root], [record["id"]], "child_of")
            for root in roots
            if root in table
        )

    def _sort(self, model: str, records: list[dict[str, Any]], order: str) -> list[dict[str, Any]]:
        keys = self._parse_order(model, order)
        ordered = list(records)
        for name, descending in reversed(keys):
            ordered.sort(
                key=functools.partial(self._sort_key, model, name=name), reverse=descending
            )
        return ordered

    def _sort_key(self, model: str, record: dict[str, Any], *, name: str) -> tuple[int, Any]:
        schema = self.schema(model)
        value = self.value(model, record, name)
        if schema.type_of(name) == "many2one" and value:
            value = self.display_name(schema.relation(name) or "", value)
        if value is None or (value is False and schema.type_of(name) != "boolean"):
            # PostgreSQL puts NULLs last in ascending order and first in descending order.
            return (1, "")
        if isinstance(value, str):
            return (0, value.casefold())
        if isinstance(value, list):
            return (0, tuple(value))
        return (0, value)

    def _parse_order(self, model: str, order: str) -> list[tuple[str, bool]]:
        keys = []
        for part in order.split(","):
            words = part.strip().split()
            if not words:
                continue
            name = words[0]
            if name != "id" and name not in self.schema(model).fields:
                raise value_error(f"Invalid field {name!r} on model {model!r}")
            descending = len(words) > 1 and words[1].lower() == "desc"
            keys.append((name, descending))
        return keys

    def search(
        self,
        env: Env,
        model: str,
        domain: list[Any],
        *,
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
    ) -> list[int]:
        """Ids matching `domain`, archived ones hidden unless the domain or context asks."""
        schema = self.schema(model)
        companies = self._check_companies(env)
        tree = domains.parse(list(domain or []))
        for leaf in domains.leaves(tree):
            self._leaf(model, leaf)
        # An unknown order field fails before any record is looked at, as in Odoo.
        self._parse_order(model, order or schema.order)

        mentions_active = any(leaf[0] == "active" for leaf in domains.leaves(tree))
        hide_archived = "active" in schema.fields and env.active_test and not mentions_active
        found = [
            record
            for record in self.tables[model].values()
            if (not hide_archived or record.get("active", True))
            and self._visible(model, record, companies)
            and domains.matches(tree, functools.partial(self._leaf_matches, model, record))
        ]
        ordered = self._sort(model, found, order or schema.order)
        ids = [record["id"] for record in ordered][offset or 0 :]
        return ids[:limit] if limit else ids

    # -- read ----------------------------------------------------------------------------------

    def read(
        self,
        env: Env,
        model: str,
        ids: list[int],
        fields: list[str] | None = None,
        load: Any = "_classic_read",
    ) -> list[dict[str, Any]]:
        """Existing records among `ids` (missing ones dropped), `id` first then `fields`."""
        schema = self.schema(model)
        names = list(fields) if fields else [n for n in schema.fields if n != "id"]
        for name in names:
            if name != "id" and name not in schema.fields:
                if self.version >= 17:
                    raise value_error(f"Invalid field {name!r} on {model!r}")
                raise value_error(f"Invalid field {name!r} on model {model!r}")
        companies = self._check_companies(env)

        table = self.tables[model]
        present = [i for i in _ids(ids) if i in table]
        hidden = [i for i in present if not self._visible(model, table[i], companies)]
        if hidden:
            raise company_access_error(model, hidden)
        rows = []
        for record_id in present:
            row: dict[str, Any] = {"id": record_id}
            for name in names:
                if name != "id":
                    row[name] = self._render(env, model, table[record_id], name, load)
            rows.append(row)
        return rows

    def fields_get(
        self, model: str, allfields: list[str] | None = None, attributes: list[str] | None = None
    ) -> dict[str, dict[str, Any]]:
        """The model's field descriptions, unknown names silently dropped as Odoo does."""
        schema = self.schema(model)
        names = [n for n in (allfields or schema.fields) if n in schema.fields]
        described = {}
        for name in names:
            full = dict(schema.fields[name])
            full["string"] = label(name)
            if attributes:
                full = {key: value for key, value in full.items() if key in attributes}
            described[name] = full
        return described

    # -- create / write / unlink ---------------------------------------------------------------

    def create(
        self,
        env: Env,
        model: str,
        vals_list: list[dict[str, Any]],
        *,
        nested: bool = False,
    ) -> list[int]:
        """Create one record per dict, in order; the caller rolls back when one fails.

        `nested` marks records created through an x2many command, which Odoo validates with
        the same wording in every version.
        """
        schema = self.schema(model)
        companies = self._check_companies(env)
        created = []
        for vals in vals_list:
            for name in vals:
                if name not in schema.fields and name != "id":
                    if self.version >= 17 and not nested:
                        raise value_error(f"Invalid field {name!r} in {model!r}")
                    raise value_error(f"Invalid field {name!r} on model {model!r}")
            vals = self._with_dynamic_defaults(env, model, vals)
            own, inherited = self._split_delegated(model, vals)
            if model == "product.product" and "product_tmpl_id" not in own:
                silent = Env(
                    env.uid, {**env.context, "create_product_product": False}, env.now, env.version
                )
                (own["product_tmpl_id"],) = self.create(silent, "product.template", [inherited])
            elif inherited:
                own.update(inherited)

            record = self.defaults(model)
            record.update(self._convert(model, {}, own))
            if model == "res.partner":
                self._sync_from_parent(record, own)
            record["id"] = self._next_id(model)
            record["create_date"] = record["write_date"] = env.now
            self._check(model, record)
            if not self._visible(model, record, companies):
                raise company_access_error(model, [record["id"]])
            self.tables[model][record["id"]] = record
            self._write_one2many(env, model, record, own)
            if model == "sale.order" and subscriptions.enabled(self):
                subscriptions.after_create(self, env, record, own)
            self._check(model, record)
            self._after_create(env, model, record)
            created.append(record["id"])
        self.revision += 1
        return created

    def _with_dynamic_defaults(self, env: Env, model: str, vals: dict[str, Any]) -> dict[str, Any]:
        """Defaults computed from the call (company, user, clock) or from related records."""
        vals = dict(vals)
        if model == "sale.order":
            vals.update(business.order_defaults(self, env, vals, env.now))
        elif model == "sale.order.line":
            vals.update(business.line_defaults(self, vals))
        elif model == "res.currency.rate":
            vals.setdefault("name", env.now[:10])
            vals.setdefault("company_id", self.env_company())
        else:
            vals.update(accounting.dynamic_defaults(self, env, model, vals))
        return vals

    def _split_delegated(
        self, model: str, vals: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """A product's own values, and those that belong to its template."""
        own = {k: v for k, v in vals.items() if not business.delegated(model, k)}
        inherited = {k: v for k, v in vals.items() if business.delegated(model, k)}
        if model == "product.product" and "lst_price" in own:
            # lst_price's inverse writes the template's list_price (no variant extras here).
            inherited["list_price"] = own.pop("lst_price")
        return own, inherited

    def _after_create(self, env: Env, model: str, record: dict[str, Any]) -> None:
        """Side records real Odoo creates with some models."""
        if model == "res.company" and not record.get("partner_id"):
            (partner_id,) = self.create(
                env, "res.partner", [{"name": record.get("name"), "is_company": True}]
            )
            record["partner_id"] = partner_id
        if model == "res.company":
            record.setdefault("currency_id", None)
            if not record.get("currency_id"):
                record["currency_id"] = self.tables["res.company"][1].get("currency_id")
            self._activate_currency(record.get("currency_id"))
            for user in self.tables["res.users"].values():
                if user["id"] in (1, env.uid):
                    user["company_ids"] = [*(user.get("company_ids") or []), record["id"]]
        if model == "product.template" and env.context.get("create_product_product", True):
            self.create(env, "product.product", [{"product_tmpl_id": record["id"]}])
        accounting.after_create(self, env, model, record)

    def _activate_currency(self, currency_id: Any) -> None:
        """A company's currency is switched on when the company takes it (res.company)."""
        currency = self.tables["res.currency"].get(currency_id or 0)
        if currency is not None:
            currency["active"] = True

    def write(
        self,
        env: Env,
        model: str,
        ids: list[int],
        vals: dict[str, Any],
        *,
        force: bool = False,
    ) -> bool:
        """Write `vals` on every record; a missing id raises MissingError, nothing is written.

        `force` lets a model's own methods set fields the client may not (a sale's state).
        """
        schema = self.schema(model)
        for name in vals:
            if name not in schema.fields:
                if self.version >= 17:
                    raise key_error(name)
                raise value_error(f"Invalid field {name!r} on model {model!r}")
        companies = self._check_companies(env)
        table = self.tables[model]
        ids = _ids(ids)
        missing = [i for i in ids if i not in table]
        if missing:
            raise missing_error(model, missing, env.uid)
        hidden = [i for i in ids if not self._visible(model, table[i], companies)]
        if hidden:
            raise company_access_error(model, hidden)
        if model == "res.currency":
            business.check_currency_write(self, ids, vals)
        accounting.check_write(self, env, model, ids, vals)

        own, inherited = self._split_delegated(model, vals)
        for record_id in ids:
            record = table[record_id]
            record.update(self._convert(model, record, own, force=force))
            if model == "res.partner" and own.get("parent_id"):
                self._sync_from_parent(record, own)
            if model == "res.company" and own.get("currency_id"):
                self._activate_currency(record.get("currency_id"))
            record["write_date"] = env.now
            self._write_one2many(env, model, record, own)
            if model == "sale.order" and subscriptions.enabled(self):
                subscriptions.after_write(self, env, record, own)
            self._check(model, record)
            if inherited and record.get("product_tmpl_id"):
                self.write(env, "product.template", [record["product_tmpl_id"]], inherited)
        accounting.after_write(self, env, model, ids, vals)
        self.revision += 1
        return True

    def _write_one2many(
        self, env: Env, model: str, record: dict[str, Any], vals: dict[str, Any]
    ) -> None:
        """Apply x2many commands on one2many fields: the children hold the link."""
        schema = self.schema(model)
        for name, value in vals.items():
            inverse = INVERSES.get((model, name))
            if schema.fields.get(name, {}).get("type") != "one2many" or inverse is None:
                continue
            comodel = schema.relation(name) or ""
            current = list(self.value(model, record, name) or [])
            for command in _commands(value):
                code = command[0]
                target = command[1] if len(command) > 1 else 0
                if code == 0:
                    child = {**(command[2] or {}), inverse: record["id"]}
                    self.create(env, comodel, [child], nested=True)
                elif code == 1:
                    self.write(env, comodel, [target], command[2] or {})
                elif code in (2, 3):
                    # The recorded one2many children (order lines, rates, variants) are
                    # deleted with their parent link, as their inverse is ondelete=cascade.
                    self.unlink(env, comodel, [target])
                elif code == 4:
                    self.write(env, comodel, [target], {inverse: record["id"]})
                elif code in (5, 6):
                    keep = [int(i) for i in command[2]] if code == 6 else []
                    gone = [i for i in current if i not in keep]
                    if gone:
                        self.unlink(env, comodel, gone)
                    for child_id in keep:
                        self.write(env, comodel, [child_id], {inverse: record["id"]})
                current = list(self.value(model, record, name) or [])

    def unlink(self, env: Env, model: str, ids: list[int]) -> bool:
        """Delete the records, their external ids and the references to them."""
        table = self.tables[model]
        ids = _ids(ids)
        missing = [i for i in ids if i not in table]
        if missing:
            raise missing_error(model, missing, env.uid)
        companies = self._check_companies(env)
        hidden = [i for i in ids if not self._visible(model, table[i], companies)]
        if hidden:
            raise company_access_error(model, hidden)
        business.check_unlink(self, model, ids)
        accounting.before_unlink(self, model, ids)

        # Children whose link to these records is ondelete=cascade go with them.
        for (parent, field_name), inverse in INVERSES.items():
            if parent != model:
                continue
            comodel = self.schema(model).relation(field_name) or ""
            children = [
                child_id
                for child_id, child in self.tables[comodel].items()
                if child.get(inverse) in set(ids)
            ]
            if children and comodel != model:
                self.unlink(env, comodel, children)
        for record_id in ids:
            del table[record_id]
        gone = set(ids)
        self.tables["ir.model.data"] = {
            i: row
            for i, row in self.tables["ir.model.data"].items()
            if not (row.get("model") == model and row.get("res_id") in gone)
        }
        for other, schema in self.schemas.items():
            for name, spec in schema.fields.items():
                if spec.get("relation") != model or name not in _stored(other, schema):
                    continue
                for row in self.tables[other].values():
                    if spec["type"] == "many2one" and row.get(name) in gone:
                        row[name] = None
                    elif spec["type"] == "many2many" and row.get(name):
                        row[name] = [i for i in row[name] if i not in gone]
        self.revision += 1
        return True

    def _convert(
        self, model: str, record: dict[str, Any], vals: dict[str, Any], *, force: bool = False
    ) -> dict[str, Any]:
        """Incoming values as stored: None for empty, ids for relations, commands applied."""
        schema = self.schema(model)
        stored: dict[str, Any] = {}
        for name, value in vals.items():
            spec = schema.fields.get(name, {})
            kind = spec.get("type")
            if name == "company_type" and model == "res.partner":
                stored["is_company"] = value == "company"
                continue
            if name in business.COMPUTED.get(model, ()):
                continue
            readonly = (
                spec.get("readonly")
                and name not in ("currency_id", "name")
                and model not in accounting.WRITES_READONLY
            )
            if readonly and not force:
                continue
            if kind == "selection" and value not in (False, None):
                allowed = [key for key, _ in spec.get("selection") or []]
                if value not in allowed:
                    raise value_error(f"Wrong value for {model}.{name}: {value!r}")
            if kind == "many2one":
                stored[name] = self._many2one(spec.get("relation") or "", name, value)
            elif kind == "many2many":
                current = list(record.get(name) or [])
                stored[name] = self._apply_many2many(spec.get("relation") or "", current, value)
            elif kind == "one2many":
                continue
            elif kind == "boolean":
                stored[name] = bool(value)
            elif value is False or value is None:
                stored[name] = None
            else:
                stored[name] = value
        if model == "res.currency.rate" and "rate" in stored and stored["rate"] is None:
            stored["rate"] = 0.0
        return stored

    def _apply_many2many(self, comodel: str, current: list[int], commands: Any) -> list[int]:
        """x2many commands on a many2many: 0 create, 1 update, 2 delete, 3 unlink, 4 link,
        5 clear, 6 set; a bare list of ids sets the list as (6, 0, ids) does."""
        if commands in (False, None):
            return []
        if isinstance(commands, list) and all(isinstance(c, int) for c in commands):
            return [int(c) for c in commands]
        env = self.env or Env(uid=2, context={}, now="", version=self.version)
        served = comodel in self.tables
        result = list(current)
        for command in _commands(commands):
            code = command[0]
            target = int(command[1]) if len(command) > 1 and command[1] else 0
            if code == 0 and served:
                (new_id,) = self.create(env, comodel, [command[2] or {}], nested=True)
                result.append(new_id)
            elif code == 1 and served:
                self.write(env, comodel, [target], command[2] or {})
            elif code in (2, 3):
                if code == 2 and served:
                    self.unlink(env, comodel, [target])
                result = [i for i in result if i != target]
            elif code == 4 and target not in result:
                result.append(target)
            elif code == 5:
                result = []
            elif code == 6:
                result = [int(i) for i in command[2]]
            elif code in (0, 1):
                raise value_error(
                    f"the stand-in does not serve {comodel}; link existing ids instead"
                )
        return result

    def _sync_from_parent(self, record: dict[str, Any], vals: dict[str, Any]) -> None:
        """A contact takes its parent's address, and the commercial entity's VAT, as in Odoo."""
        parent = self.tables["res.partner"].get(record.get("parent_id") or 0)
        if parent is None or record.get("type", "contact") != "contact":
            return
        if not any(name in vals for name in ADDRESS_FIELDS):
            for name in ADDRESS_FIELDS:
                record[name] = parent.get(name)
        if "vat" not in vals:
            record["vat"] = self._commercial_partner(parent).get("vat")

    def _many2one(self, comodel: str, name: str, value: Any) -> int | None:
        if value in (False, None, 0):
            return None
        if isinstance(value, (list, tuple)) and value:
            value = value[0]
        if not isinstance(value, int) or isinstance(value, bool):
            raise value_error(f"Invalid many2one value {value!r} for field {name!r}")
        if comodel in self.tables and value not in self.tables[comodel]:
            raise validation_error(
                "The operation cannot be completed: another model requires the record being "
                f"deleted. If possible, archive it instead.\n\nModel: {comodel}, "
                f"Field: {name}, Value: {value}"
            )
        return value

    def _check(self, model: str, record: dict[str, Any]) -> None:
        """The model's constraints: partner names, NOT NULL columns, unique external ids."""
        contact = model == "res.partner" and record.get("type", "contact") == "contact"
        if contact and not record.get("name"):
            raise validation_error("The operation cannot be completed: Contacts require a name")
        for name in NOT_NULL.get(model, ()):
            value = record.get(name)
            if value is None or value is False or value == "":
                raise validation_error(
                    "The operation cannot be completed: Missing required value for the field "
                    f"'{label(name)}' ({name})"
                )
        if model == "res.currency.rate":
            business.check_rate(self, record)
        if model == "sale.order" and subscriptions.enabled(self):
            subscriptions.check(record)
        if model == "ir.model.data":
            for other in self.tables[model].values():
                if (
                    other["id"] != record["id"]
                    and other.get("module") == record.get("module")
                    and other.get("name") == record.get("name")
                ):
                    raise validation_error(
                        "The operation cannot be completed: duplicate key value violates unique "
                        'constraint "ir_model_data_module_name_uniq_index"'
                    )

    # -- other public methods ------------------------------------------------------------------

    def copy(
        self, env: Env, model: str, ids: list[int], default: dict[str, Any] | None
    ) -> list[int]:
        """Duplicate each record with `default` applied; partners get " (copy)" in the name."""
        table = self.tables[model]
        ids = _ids(ids)
        missing = [i for i in ids if i not in table]
        if missing:
            raise missing_error(model, missing, env.uid)
        schema = self.schema(model)
        stored = _stored(model, schema)
        new_ids = []
        for record_id in ids:
            source = table[record_id]
            vals = {
                name: source[name]
                for name in source
                if name in stored and name not in NOT_COPIED and source[name] is not None
            }
            if "category_id" in vals:
                vals["category_id"] = [[6, 0, list(vals["category_id"])]]
            if model == "res.partner" and source.get("name"):
                vals["name"] = f"{source['name']} (copy)"
            if model == "sale.order" and subscriptions.enabled(self):
                vals = subscriptions.copy_values(source, vals)
            vals.update(default or {})
            new_ids.extend(self.create(env, model, [vals]))
        return new_ids

    def name_search(
        self,
        env: Env,
        model: str,
        name: str,
        domain: list[Any] | None,
        operator: str,
        limit: int | None,
    ) -> list[list[Any]]:
        """[[id, display_name]] of records whose name matches, in the model's order."""
        search_domain = list(domain or [])
        if name:
            if model == "res.partner":
                name_field = "complete_name" if self.version >= 17 else "display_name"
                fields = [name_field, "email", "ref", "vat", "company_registry"]
                name_domain: list[Any] = ["|"] * (len(fields) - 1)
                name_domain += [[f, operator, name] for f in fields]
            else:
                rec_name = "name" if "name" in self.schema(model).fields else "display_name"
                name_domain = [[rec_name, operator, name]]
            # Top-level terms are ANDed, so the two domains can simply be concatenated.
            search_domain = [*search_domain, *name_domain]
        ids = self.search(env, model, search_domain, limit=limit)
        return [[i, self.display_name(model, i)] for i in ids]

    def external_ids(self, model: str, ids: list[int]) -> dict[int, str]:
        """`get_external_id`: each id's "module.name", or "" when it has none."""
        names: dict[int, str] = {i: "" for i in _ids(ids)}
        for row in sorted(self.tables["ir.model.data"].values(), key=lambda r: r["id"]):
            first = row.get("model") == model and names.get(int(row.get("res_id") or 0)) == ""
            if first:
                names[row["res_id"]] = f"{row['module']}.{row['name']}"
        return names

    def xmlid_lookup(self, xmlid: str) -> dict[str, Any] | None:
        """The ir.model.data row of "module.name" (no dot means module `__import__`)."""
        module, _, name = xmlid.rpartition(".")
        module = module or "__import__"
        for row in self.tables["ir.model.data"].values():
            if row.get("module") == module and row.get("name") == name:
                return row
        return None

    def check_object_reference(self, module: str, xml_id: str) -> list[Any]:
        row = self.xmlid_lookup(f"{module}.{xml_id}")
        if row is None:
            raise value_error(f"External ID not found in the system: {module}.{xml_id}")
        return [row["model"], row["res_id"]]


class _NotComputed:
    pass


_NOT_COMPUTED = _NotComputed()


def _stored(model: str, schema: ModelSchema) -> set[str]:
    """Fields the stand-in stores (the rest are computed when read)."""
    computed = {"display_name", "complete_name", "commercial_partner_id", "child_ids"}
    computed |= {"company_type", "credit", "partner_ids", "reference"}
    computed |= business.COMPUTED.get(model, frozenset())
    return {
        name
        for name, spec in schema.fields.items()
        if name not in computed and spec.get("type") != "one2many"
    }


def _ids(ids: Any) -> list[int]:
    if isinstance(ids, int) and not isinstance(ids, bool):
        return [ids]
    return [int(i) for i in ids or []]


def _commands(value: Any) -> list[list[Any]]:
    """x2many commands as lists; Odoo rejects anything else with a ValueError."""
    if value in (False, None):
        return [[5]]
    commands = []
    for command in value:
        if not isinstance(command, (list, tuple)) or not command or command[0] not in range(7):
            raise value_error(f"Invalid x2many command {command!r}")
        commands.append(list(command))
    return commands
