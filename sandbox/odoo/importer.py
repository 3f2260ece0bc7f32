"""`Model.load(fields, data)`: Odoo's import, keyed by external id, all rows or none.

Columns are field names, `id` (the row's external id), `field/id` (a related record's
external id, comma-separated for many2many) or `field/.id` (a database id). Values come as
text, as from a CSV file. A row whose xmlid exists updates that record, otherwise it creates
one and its xmlid. Any row error rolls back every row: `ids` is then False and `messages` says
why, in the shape Odoo's import dialog reads.
"""

from __future__ import annotations

from typing import Any

from sandbox.odoo.errors import OdooFault
from sandbox.odoo.orm import Database, Env
from sandbox.odoo.schema import label


class RowError(Exception):
    """One cell that could not be converted; becomes one entry of `messages`."""

    def __init__(self, field: str, message: str, moreinfo: dict[str, Any]) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.moreinfo = moreinfo


def load_rows(
    db: Database, env: Env, model: str, fields: list[str], data: list[list[Any]]
) -> dict[str, Any]:
    """Import `data` into `model`: {"ids": [...] or False, "messages": [...], "nextrow": 0}."""
    state = db.snapshot()
    ids: list[int] = []
    messages: list[dict[str, Any]] = []

    for index, row in enumerate(data):
        cells = dict(zip(fields, row, strict=False))
        xmlid = str(cells.pop("id", "") or "")
        try:
            vals = _convert_row(db, model, cells)
        except ExceptionGroup as group:
            for error in sorted(group.exceptions, key=lambda e: getattr(e, "field", "")):
                if isinstance(error, RowError):
                    messages.append(_row_message(index, error))
            continue
        try:
            ids.append(_upsert(db, env, model, xmlid, vals))
        except OdooFault as fault:
            messages.append(
                {
                    "rows": {"from": index, "to": index},
                    "record": index,
                    "type": "error",
                    "message": repr(fault.message.split("The operation cannot be completed: ")[-1]),
                }
            )

    if any(message["type"] == "error" for message in messages):
        db.restore(state)
        return {"ids": False, "messages": messages, "nextrow": 0}
    return {"ids": ids, "messages": messages, "nextrow": 0}


def _row_message(index: int, error: RowError) -> dict[str, Any]:
    return {
        "rows": {"from": index, "to": index},
        "type": "error",
        "record": index,
        "field": error.field,
        "message": error.message,
        "moreinfo": error.moreinfo,
        "field_name": label(error.field),
    }


def _upsert(db: Database, env: Env, model: str, xmlid: str, vals: dict[str, Any]) -> int:
    row = db.xmlid_lookup(xmlid) if xmlid else None
    if row is not None and row["res_id"] in db.tables[model]:
        db.write(env, model, [row["res_id"]], vals)
        return int(row["res_id"])

    (record_id,) = db.create(env, model, [vals])
    if row is not None:
        db.write(env, "ir.model.data", [row["id"]], {"res_id": record_id})
    elif xmlid:
        module, _, name = xmlid.rpartition(".")
        db.create(
            env,
            "ir.model.data",
            [{"module": module or "__import__", "name": name, "model": model, "res_id": record_id}],
        )
    return record_id


def _convert_row(db: Database, model: str, cells: dict[str, Any]) -> dict[str, Any]:
    schema = db.schema(model)
    vals: dict[str, Any] = {}
    errors: list[RowError] = []
    for column, raw in cells.items():
        name, _, suffix = column.partition("/")
        spec = schema.fields.get(name)
        if spec is None:
            errors.append(RowError(name, f"Unknown field {column!r}", {}))
            continue
        try:
            vals[name] = _convert_cell(db, name, spec, suffix, raw, version=db.version)
        except RowError as error:
            errors.append(error)
    if errors:
        raise ExceptionGroup("row errors", errors)
    return vals


def _convert_cell(
    db: Database, name: str, spec: dict[str, Any], suffix: str, raw: Any, *, version: int
) -> Any:
    kind = spec["type"]
    text = "" if raw is None or raw is False else str(raw)
    if kind == "boolean":
        return text.strip().lower() in ("1", "true", "yes")
    if kind in ("integer", "many2one_reference"):
        return int(text) if text else 0
    if kind in ("float", "monetary"):
        return float(text) if text else 0.0
    if kind not in ("many2one", "many2many"):
        return text or False

    comodel = spec.get("relation") or ""
    parts = [p.strip() for p in text.split(",")] if kind == "many2many" else [text.strip()]
    ids = [_reference(db, name, comodel, suffix, part, version=version) for part in parts if part]
    if kind == "many2one":
        return ids[0] if ids else False
    return [[6, 0, ids]]


def _reference(
    db: Database, name: str, comodel: str, suffix: str, value: str, *, version: int
) -> int:
    """A related record named by xmlid (`/id`), database id (`/.id`) or display name."""
    view_mode = "list,form" if version >= 17 else "tree,form"
    moreinfo: dict[str, Any] = {
        "name": "Possible Values",
        "type": "ir.actions.act_window",
        "target": "new",
        "view_mode": view_mode,
        "views": [[False, "list"], [False, "form"]],
        "context": {"create": False},
        "help": "See all possible values",
    }
    if suffix == "id":
        row = db.xmlid_lookup(value)
        if row is None or row.get("res_id") not in db.tables.get(comodel, {}):
            moreinfo.update(res_model="ir.model.data", domain=[["model", "=", comodel]])
            raise RowError(
                name,
                f"No matching record found for external id '{value}' in field '{label(name)}'",
                moreinfo,
            )
        return int(row["res_id"])
    if suffix == ".id":
        if not value.isdigit() or int(value) not in db.tables.get(comodel, {}):
            moreinfo.update(res_model=comodel)
            raise RowError(
                name,
                f"No matching record found for database id '{value}' in field '{label(name)}'",
                moreinfo,
            )
        return int(value)
    for record in db.tables.get(comodel, {}).values():
        if db.display_name(comodel, record["id"]) == value:
            return int(record["id"])
    moreinfo.update(res_model=comodel)
    raise RowError(
        name, f"No matching record found for name '{value}' in field '{label(name)}'", moreinfo
    )
