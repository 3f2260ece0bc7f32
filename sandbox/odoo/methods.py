"""The model methods the external API may call, with the signatures real Odoo gives them.

Both protocols bind their arguments against these signatures: JSON-RPC from `args` and
`kwargs`, JSON-2 from the named keys of its body. A method either works on records (`ids`
first) or on the model (`@api.model`), as in Odoo, and says whether it may change data.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sandbox.odoo import accounting, business, subscriptions
from sandbox.odoo.errors import (
    access_error,
    attribute_error,
    missing_error,
    type_error,
    user_error,
    value_error,
)
from sandbox.odoo.importer import load_rows
from sandbox.odoo.orm import Database, Env

REQUIRED = inspect.Parameter.empty

# Public in Python but refused over RPC by Odoo (marked @api.private in 17+).
PRIVATE_METHODS = frozenset(
    {"browse", "sudo", "with_user", "with_company", "with_context", "with_env", "ensure_one"}
)


@dataclass(frozen=True)
class Method:
    """One callable model method: its parameters (name, default) and how it behaves."""

    name: str
    on_records: bool
    params: tuple[tuple[str, Any], ...]
    mutates: bool = False
    models: frozenset[str] | None = None
    var_keyword: str | None = None

    def signature(self) -> inspect.Signature:
        kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
        parameters = [
            inspect.Parameter(name, kind, default=default) for name, default in self.params
        ]
        if self.var_keyword:
            parameters.append(inspect.Parameter(self.var_keyword, inspect.Parameter.VAR_KEYWORD))
        return inspect.Signature(parameters)


def methods_for(version: int, *, subscriptions_module: bool = False) -> dict[str, Method]:
    """The methods the stand-in serves for Odoo `version`, and those Enterprise's
    subscriptions module adds to sale orders when the database has it."""
    # 17 renamed name_search's filter from `args` to `domain`.
    name_search_filter = "domain" if version >= 17 else "args"
    table = [
        Method(
            "search", False, (("domain", REQUIRED), ("offset", 0), ("limit", None), ("order", None))
        ),
        Method(
            "search_read",
            False,
            (("domain", None), ("fields", None), ("offset", 0), ("limit", None), ("order", None)),
            var_keyword="read_kwargs",
        ),
        Method("search_count", False, (("domain", REQUIRED), ("limit", None))),
        Method("read", True, (("fields", None), ("load", "_classic_read"))),
        Method("create", False, (("vals_list", REQUIRED),), mutates=True),
        Method("write", True, (("vals", REQUIRED),), mutates=True),
        Method("unlink", True, (), mutates=True),
        Method("fields_get", False, (("allfields", None), ("attributes", None))),
        Method(
            "name_search",
            False,
            (("name", ""), (name_search_filter, None), ("operator", "ilike"), ("limit", 100)),
        ),
        Method("copy", True, (("default", None),), mutates=True),
        Method("get_external_id", True, ()),
        Method("load", False, (("fields", REQUIRED), ("data", REQUIRED)), mutates=True),
        Method(
            "check_object_reference",
            False,
            (("module", REQUIRED), ("xml_id", REQUIRED), ("raise_on_access_error", False)),
            models=frozenset({"ir.model.data"}),
        ),
        Method("context_get", False, (), models=frozenset({"res.users"})),
        Method("action_confirm", True, (), mutates=True, models=frozenset({"sale.order"})),
        Method("action_cancel", True, (), mutates=True, models=frozenset({"sale.order"})),
        Method("action_draft", True, (), mutates=True, models=frozenset({"sale.order"})),
    ]
    table.extend(_accounting_methods(version))
    if version < 17:
        # 16's action_archive ends in toggle_active, which returns nothing: JSON-RPC answers
        # null and XML-RPC a marshalling fault, after the records were archived.
        table.append(Method("action_archive", True, (), mutates=True))
        table.append(Method("action_unarchive", True, (), mutates=True))
    if version < 17:
        table.append(Method("name_get", True, ()))
    if subscriptions_module:
        orders = frozenset({"sale.order"})
        table.append(
            Method(
                "set_close",
                True,
                (("close_reason_id", None), ("renew", False)),
                mutates=True,
                models=orders,
            )
        )
        for name in ("set_open", "reopen_order", "pause_subscription", "resume_subscription"):
            table.append(Method(name, True, (), mutates=True, models=orders))
    return {method.name: method for method in table}


def _accounting_methods(version: int) -> list[Method]:
    """Accounting, activity and invoicing actions, with each version's wizard method names."""
    reversal = frozenset({"account.move.reversal"})
    table = [
        Method(
            "action_post",
            True,
            (),
            mutates=True,
            models=frozenset({"account.move", "account.payment"}),
        ),
        Method("button_draft", True, (), mutates=True, models=frozenset({"account.move"})),
        Method(
            "js_assign_outstanding_line",
            True,
            (("line_id", REQUIRED),),
            mutates=True,
            models=frozenset({"account.move"}),
        ),
        Method(
            "action_create_payments",
            True,
            (),
            mutates=True,
            models=frozenset({"account.payment.register"}),
        ),
        Method("action_done", True, (), mutates=True, models=frozenset({"mail.activity"})),
        Method(
            "create_invoices",
            True,
            (),
            mutates=True,
            models=frozenset({"sale.advance.payment.inv"}),
        ),
    ]
    if version >= 17:
        # 17 split 16's reverse_moves (refund_method on the wizard) into two buttons.
        table.append(Method("refund_moves", True, (), mutates=True, models=reversal))
        table.append(Method("modify_moves", True, (), mutates=True, models=reversal))
        table.append(
            Method("reverse_moves", True, (("is_modify", False),), mutates=True, models=reversal)
        )
        table.append(
            Method(
                "try_loading",
                False,
                (("template_code", REQUIRED), ("company", False), ("install_demo", True)),
                mutates=True,
                models=frozenset({"account.chart.template"}),
            )
        )
    else:
        table.append(Method("reverse_moves", True, (), mutates=True, models=reversal))
        table.append(
            Method(
                "try_loading",
                True,
                (("company", False), ("install_demo", True)),
                mutates=True,
                models=frozenset({"account.chart.template"}),
            )
        )
    return table


def find_method(methods: dict[str, Method], model: str, name: str, *, version: int) -> Method:
    """The method `name` of `model`, or the fault Odoo raises for a private or unknown one."""
    if version < 17 and name.startswith("_"):
        raise access_error(f"Private methods (such as {name}) cannot be called remotely.")
    if name.startswith("_") or name in PRIVATE_METHODS:
        raise access_error(f"Private methods (such as '{model}.{name}') cannot be called remotely.")
    method = methods.get(name)
    if method is None or (method.models is not None and model not in method.models):
        if version < 17:
            raise attribute_error(f"The method '{name}' does not exist on the model '{model}'")
        raise attribute_error(f"The method '{model}.{name}' does not exist")
    return method


def bind_positional(method: Method, args: list[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    """JSON-RPC's `args` and `kwargs` bound to the method, raising Odoo's TypeError."""
    try:
        bound = method.signature().bind(*args, **kwargs)
    except TypeError as exc:
        reason = str(exc).replace(
            "missing a required argument", "missing 1 required positional argument"
        )
        raise type_error(f"BaseModel.{method.name}() {reason}") from exc
    return dict(bound.arguments)


def call(
    db: Database,
    env: Env,
    model: str,
    method: Method,
    ids: list[int],
    arguments: dict[str, Any],
    *,
    single_create: bool = False,
) -> Any:
    """Run one bound method call on the store and return its JSON-ready result."""
    runner = _RUNNERS[method.name]
    db.env = env
    try:
        result = runner(db, env, model, ids, arguments)
    finally:
        db.env = None
    if method.name == "create" and single_create and isinstance(arguments["vals_list"], dict):
        return result[0]
    return result


def _search(db: Database, env: Env, model: str, ids: list[int], a: dict[str, Any]) -> Any:
    return db.search(
        env,
        model,
        a["domain"],
        offset=a.get("offset") or 0,
        limit=a.get("limit"),
        order=a.get("order"),
    )


def _search_read(db: Database, env: Env, model: str, ids: list[int], a: dict[str, Any]) -> Any:
    read_kwargs = dict(a.get("read_kwargs") or {})
    unknown = [key for key in read_kwargs if key != "load"]
    if unknown:
        raise type_error(f"BaseModel.read() got an unexpected keyword argument '{unknown[0]}'")
    found = db.search(
        env,
        model,
        a.get("domain") or [],
        offset=a.get("offset") or 0,
        limit=a.get("limit"),
        order=a.get("order"),
    )
    if not found:
        # Odoo validates the field names before it searches; an empty result still checks them.
        db.read(env, model, [], a.get("fields"))
        return []
    return db.read(env, model, found, a.get("fields"), read_kwargs.get("load", "_classic_read"))


def _search_count(db: Database, env: Env, model: str, ids: list[int], a: dict[str, Any]) -> Any:
    return len(db.search(env, model, a["domain"], limit=a.get("limit")))


def _read(db: Database, env: Env, model: str, ids: list[int], a: dict[str, Any]) -> Any:
    return db.read(env, model, ids, a.get("fields"), a.get("load", "_classic_read"))


def _create(db: Database, env: Env, model: str, ids: list[int], a: dict[str, Any]) -> Any:
    vals_list = a["vals_list"]
    if isinstance(vals_list, dict):
        vals_list = [vals_list]
    if not isinstance(vals_list, list) or not all(isinstance(v, dict) for v in vals_list):
        raise type_error("create() expects a dict or a list of dicts of field values")
    return db.create(env, model, vals_list)


def _write(db: Database, env: Env, model: str, ids: list[int], a: dict[str, Any]) -> Any:
    return db.write(env, model, ids, a["vals"] or {})


def _unlink(db: Database, env: Env, model: str, ids: list[int], a: dict[str, Any]) -> Any:
    return db.unlink(env, model, ids)


def _fields_get(db: Database, env: Env, model: str, ids: list[int], a: dict[str, Any]) -> Any:
    return db.fields_get(model, a.get("allfields"), a.get("attributes"))


def _name_search(db: Database, env: Env, model: str, ids: list[int], a: dict[str, Any]) -> Any:
    domain = a.get("domain", a.get("args"))
    limit = a.get("limit", 100)
    return db.name_search(
        env, model, a.get("name") or "", domain, a.get("operator") or "ilike", limit
    )


def _copy(db: Database, env: Env, model: str, ids: list[int], a: dict[str, Any]) -> Any:
    new_ids = db.copy(env, model, ids, a.get("default"))
    # 17+ returns the new records (a list of ids over RPC); 16 returns the single new id.
    return new_ids if env.version >= 17 else new_ids[0]


def _get_external_id(db: Database, env: Env, model: str, ids: list[int], a: dict[str, Any]) -> Any:
    return {str(key): value for key, value in db.external_ids(model, ids).items()}


def _load(db: Database, env: Env, model: str, ids: list[int], a: dict[str, Any]) -> Any:
    return load_rows(db, env, model, list(a["fields"]), [list(row) for row in a["data"]])


def _check_object_reference(
    db: Database, env: Env, model: str, ids: list[int], a: dict[str, Any]
) -> Any:
    return db.check_object_reference(a["module"], a["xml_id"])


def _context_get(db: Database, env: Env, model: str, ids: list[int], a: dict[str, Any]) -> Any:
    user = db.tables["res.users"].get(env.uid)
    if user is None:
        raise user_error(f"No user with id {env.uid}")
    return {"lang": user.get("lang") or "en_US", "tz": user.get("tz") or False, "uid": env.uid}


def _name_get(db: Database, env: Env, model: str, ids: list[int], a: dict[str, Any]) -> Any:
    return [[i, db.display_name(model, i)] for i in ids if i in db.tables[model]]


def _existing(db: Database, env: Env, model: str, ids: list[int]) -> list[int]:
    missing = [i for i in ids if i not in db.tables[model]]
    if missing:
        raise missing_error(model, missing, env.uid)
    return ids


def _action_confirm(db: Database, env: Env, model: str, ids: list[int], a: dict[str, Any]) -> Any:
    return business.action_confirm(db, env, _existing(db, env, model, ids))


def _action_cancel(db: Database, env: Env, model: str, ids: list[int], a: dict[str, Any]) -> Any:
    return business.action_cancel(db, env, _existing(db, env, model, ids))


def _action_draft(db: Database, env: Env, model: str, ids: list[int], a: dict[str, Any]) -> Any:
    return business.action_draft(db, env, _existing(db, env, model, ids))


def _set_close(db: Database, env: Env, model: str, ids: list[int], a: dict[str, Any]) -> Any:
    return subscriptions.set_close(
        db,
        env,
        _existing(db, env, model, ids),
        a.get("close_reason_id"),
        renew=bool(a.get("renew")),
    )


def _set_open(db: Database, env: Env, model: str, ids: list[int], a: dict[str, Any]) -> Any:
    subscriptions.set_open(db, env, _existing(db, env, model, ids))
    return None


def _reopen_order(db: Database, env: Env, model: str, ids: list[int], a: dict[str, Any]) -> Any:
    subscriptions.reopen_order(db, env, _existing(db, env, model, ids))
    return None


def _pause(resume: bool) -> Callable[[Database, Env, str, list[int], dict[str, Any]], Any]:
    def runner(db: Database, env: Env, model: str, ids: list[int], a: dict[str, Any]) -> Any:
        subscriptions.pause(db, env, _existing(db, env, model, ids), resume=resume)
        return None

    return runner


def _action_post(db: Database, env: Env, model: str, ids: list[int], a: dict[str, Any]) -> Any:
    ids = _existing(db, env, model, ids)
    if model == "account.payment":
        accounting.payment_post(db, env, ids)
        return None
    return accounting.action_post(db, env, ids)


def _button_draft(db: Database, env: Env, model: str, ids: list[int], a: dict[str, Any]) -> Any:
    accounting.button_draft(db, env, _existing(db, env, model, ids))
    return None


def _js_assign(db: Database, env: Env, model: str, ids: list[int], a: dict[str, Any]) -> Any:
    return accounting.js_assign_outstanding_line(
        db, env, _existing(db, env, model, ids), int(a["line_id"])
    )


def _one(db: Database, env: Env, model: str, ids: list[int]) -> int:
    ids = _existing(db, env, model, ids)
    if len(ids) != 1:
        raise value_error(f"Expected singleton: {model}({', '.join(str(i) for i in ids)},)")
    return ids[0]


def _create_payments(db: Database, env: Env, model: str, ids: list[int], a: dict[str, Any]) -> Any:
    return accounting.action_create_payments(db, env, _one(db, env, model, ids))


def _reverse(mode: str | None) -> Callable[[Database, Env, str, list[int], dict[str, Any]], Any]:
    def runner(db: Database, env: Env, model: str, ids: list[int], a: dict[str, Any]) -> Any:
        wizard_id = _one(db, env, model, ids)
        chosen = mode
        if chosen is None:
            # 16: the wizard's refund_method; 19's reverse_moves(is_modify).
            wizard = db.tables[model][wizard_id]
            chosen = "modify" if a.get("is_modify") else wizard.get("refund_method") or "refund"
        return accounting.reverse(db, env, wizard_id, mode=chosen)

    return runner


def _action_done(db: Database, env: Env, model: str, ids: list[int], a: dict[str, Any]) -> Any:
    return accounting.activity_done(db, env, _existing(db, env, model, ids))


def _create_invoices(db: Database, env: Env, model: str, ids: list[int], a: dict[str, Any]) -> Any:
    return accounting.create_invoices(db, env, _one(db, env, model, ids))


def _try_loading(db: Database, env: Env, model: str, ids: list[int], a: dict[str, Any]) -> Any:
    company = a.get("company")
    company_id = company[0] if isinstance(company, list) and company else company
    accounting.load_chart(db, int(company_id or db.env_company()))
    return None


def _set_active(active: bool) -> Callable[[Database, Env, str, list[int], dict[str, Any]], Any]:
    def runner(db: Database, env: Env, model: str, ids: list[int], a: dict[str, Any]) -> Any:
        if "active" not in db.schema(model).fields:
            raise attribute_error(f"The method 'action_archive' does not exist on '{model}'")
        changing = [
            i
            for i in _existing(db, env, model, ids)
            if bool(db.tables[model][i].get("active", True)) != active
        ]
        if changing:
            db.write(env, model, changing, {"active": active})
        return None

    return runner


_RUNNERS: dict[str, Callable[[Database, Env, str, list[int], dict[str, Any]], Any]] = {
    "search": _search,
    "search_read": _search_read,
    "search_count": _search_count,
    "read": _read,
    "create": _create,
    "write": _write,
    "unlink": _unlink,
    "fields_get": _fields_get,
    "name_search": _name_search,
    "copy": _copy,
    "get_external_id": _get_external_id,
    "load": _load,
    "check_object_reference": _check_object_reference,
    "context_get": _context_get,
    "name_get": _name_get,
    "action_confirm": _action_confirm,
    "action_cancel": _action_cancel,
    "action_draft": _action_draft,
    "action_post": _action_post,
    "button_draft": _button_draft,
    "js_assign_outstanding_line": _js_assign,
    "action_create_payments": _create_payments,
    "reverse_moves": _reverse(None),
    "refund_moves": _reverse("refund"),
    "modify_moves": _reverse("modify"),
    "action_done": _action_done,
    "create_invoices": _create_invoices,
    "try_loading": _try_loading,
    "set_close": _set_close,
    "set_open": _set_open,
    "reopen_order": _reopen_order,
    "pause_subscription": _pause(False),
    "resume_subscription": _pause(True),
    "action_archive": _set_active(False),
    "action_unarchive": _set_active(True),
}
