"""Apply planned partner operations to Odoo: upserts keyed by trueup's external ids.

Creations go through `load` with an `id` column, so a partner and its external id are made in
one transaction: a crash can never leave a partner without the id that finds it again. An
update first reads the partner (archived ones included) and writes only the fields whose value
differs, so re-applying a plan that already took effect writes nothing. A partner matched by
e-mail alone is adopted: its external id is created before any change is written.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from reverse_sync.errors import OdooError
from reverse_sync.odoo_client import OdooClient
from reverse_sync.sync_log import SyncLogEntry

logger = logging.getLogger(__name__)

MODEL = "res.partner"
MODULE = "trueup"

# The plan's `set_*` columns and the Odoo fields they set.
PLAN_FIELDS = {
    "set_name": "name",
    "set_email": "email",
    "set_is_company": "is_company",
    "set_active": "active",
}
BOOLEAN_FIELDS = {"is_company", "active"}


@dataclass(frozen=True)
class PartnerUpsert:
    """One planned partner operation, as a row of `sync.odoo_partner_upserts` holds it."""

    operation_id: str
    operation: Literal["create", "update"]
    external_id: str
    odoo_partner_id: int | None
    odoo_company_id: int
    values: dict[str, Any]
    discrepancy_ids: str

    @property
    def xmlid_name(self) -> str:
        module, _, name = self.external_id.partition(".")
        if module != MODULE or not name:
            raise ValueError(
                f"operation {self.operation_id}: external id {self.external_id!r} is not under "
                f"module {MODULE!r}; plan rows must use '{MODULE}.<name>'"
            )
        return name

    @classmethod
    def from_plan_row(cls, row: dict[str, Any]) -> PartnerUpsert:
        """Build from a plan row; NULL `set_*` columns mean "leave that field alone"."""
        values = {
            odoo_field: row[column]
            for column, odoo_field in PLAN_FIELDS.items()
            if row.get(column) is not None
        }
        partner_id = row.get("odoo_partner_id")
        upsert = cls(
            operation_id=str(row["operation_id"]),
            operation=row["operation"],
            external_id=str(row["external_id"]),
            odoo_partner_id=int(partner_id) if partner_id is not None else None,
            odoo_company_id=int(row["odoo_company_id"]),
            values=values,
            discrepancy_ids=str(row.get("discrepancy_ids") or ""),
        )
        # Refuse a foreign external id here, before any batch of the plan is written.
        _ = upsert.xmlid_name
        return upsert


@dataclass
class _Batch:
    company_id: int
    upserts: list[PartnerUpsert] = field(default_factory=list)


def apply_partner_upserts(
    client: OdooClient, upserts: Iterable[PartnerUpsert], *, run_id: str
) -> list[SyncLogEntry]:
    """Apply partner operations company by company; one sync-log entry per operation.

    An operation that Odoo refuses is logged as `failed` with Odoo's message and the others go
    on; nothing is retried blindly, because the next run finds what took effect by external id.
    """
    batches: dict[int, _Batch] = {}
    for upsert in upserts:
        batches.setdefault(upsert.odoo_company_id, _Batch(upsert.odoo_company_id))
        batches[upsert.odoo_company_id].upserts.append(upsert)

    entries: list[SyncLogEntry] = []
    for batch in batches.values():
        # Writes carry the target company first, so a user in several companies writes in
        # the right one (DESIGN.md, rules drawn from other people's failures).
        context = {"active_test": False, "allowed_company_ids": [batch.company_id]}
        entries.extend(_apply_batch(client, batch.upserts, run_id=run_id, context=context))
    return entries


def find_external_ids(client: OdooClient, names: list[str]) -> dict[str, int]:
    """Map trueup external-id names to the partner ids they point at (missing ones left out)."""
    if not names:
        return {}
    rows = client.search_read(
        "ir.model.data",
        [["module", "=", MODULE], ["model", "=", MODEL], ["name", "in", names]],
        ["name", "res_id"],
        context={"active_test": False},
    )
    return {row["name"]: int(row["res_id"]) for row in rows}


def _apply_batch(
    client: OdooClient, upserts: list[PartnerUpsert], *, run_id: str, context: dict[str, Any]
) -> list[SyncLogEntry]:
    known = find_external_ids(client, [upsert.xmlid_name for upsert in upserts])

    to_create: list[PartnerUpsert] = []
    to_adopt: list[PartnerUpsert] = []
    targets: dict[str, int] = {}
    for upsert in upserts:
        if upsert.xmlid_name in known:
            targets[upsert.operation_id] = known[upsert.xmlid_name]
        elif upsert.odoo_partner_id is not None:
            to_adopt.append(upsert)
            targets[upsert.operation_id] = upsert.odoo_partner_id
        else:
            to_create.append(upsert)

    entries = _create(client, to_create, run_id=run_id, context=context)
    failed = _adopt(client, to_adopt, run_id=run_id, context=context)
    entries.extend(failed.values())
    to_update = [
        upsert
        for upsert in upserts
        if upsert.operation_id in targets and upsert.operation_id not in failed
    ]
    entries.extend(_update(client, to_update, targets, run_id=run_id, context=context))
    return entries


def _create(
    client: OdooClient, upserts: list[PartnerUpsert], *, run_id: str, context: dict[str, Any]
) -> list[SyncLogEntry]:
    # One `load` per set of fields: a row must never be sent a value it did not plan.
    groups: dict[tuple[str, ...], list[PartnerUpsert]] = {}
    for upsert in upserts:
        groups.setdefault(tuple(sorted(upsert.values)), []).append(upsert)
    entries: list[SyncLogEntry] = []
    for fields, group in groups.items():
        entries.extend(_create_group(client, group, list(fields), run_id=run_id, context=context))
    return entries


def _create_group(
    client: OdooClient,
    upserts: list[PartnerUpsert],
    fields: list[str],
    *,
    run_id: str,
    context: dict[str, Any],
) -> list[SyncLogEntry]:
    started = time.monotonic()
    rows = [
        [upsert.external_id, *(_load_value(upsert, name) for name in fields)] for upsert in upserts
    ]
    result = _load(client, ["id", *fields], rows, context=context)

    # `load` is all or nothing; when a row fails, each row is loaded alone to keep the rest.
    if result.get("ids") is False or result.get("messages"):
        logger.warning("partner load of %d rows refused; loading row by row", len(rows))
        entries = []
        for upsert, row in zip(upserts, rows, strict=True):
            single = _load(client, ["id", *fields], [row], context=context)
            entries.append(_created_entry(upsert, single, run_id=run_id, started=started))
        return entries

    elapsed = time.monotonic() - started
    logger.info("created %d partners in %.2fs", len(upserts), elapsed)
    return [
        _entry(upsert, run_id, "created", record_id=record_id, new=upsert.values, started=started)
        for upsert, record_id in zip(upserts, result["ids"], strict=True)
    ]


def _load(
    client: OdooClient, fields: list[str], rows: list[list[Any]], *, context: dict[str, Any]
) -> dict[str, Any]:
    try:
        return client.load(MODEL, fields, rows, context=context)
    except OdooError as exc:
        return {"ids": False, "messages": [{"type": "error", "message": str(exc)}]}


def _created_entry(
    upsert: PartnerUpsert, result: dict[str, Any], *, run_id: str, started: float
) -> SyncLogEntry:
    ids = result.get("ids")
    if ids and not result.get("messages"):
        return _entry(
            upsert, run_id, "created", record_id=ids[0], new=upsert.values, started=started
        )
    messages = "; ".join(str(m.get("message")) for m in result.get("messages") or [])
    return _entry(
        upsert, run_id, "failed", error=messages or "Odoo refused the row", started=started
    )


def _adopt(
    client: OdooClient, upserts: list[PartnerUpsert], *, run_id: str, context: dict[str, Any]
) -> dict[str, SyncLogEntry]:
    """Give partners matched by e-mail trueup's external id; returns the failures by op id."""
    failed: dict[str, SyncLogEntry] = {}
    for upsert in upserts:
        started = time.monotonic()
        try:
            client.create(
                "ir.model.data",
                [
                    {
                        "module": MODULE,
                        "name": upsert.xmlid_name,
                        "model": MODEL,
                        "res_id": upsert.odoo_partner_id,
                    }
                ],
                context=context,
            )
        except OdooError as exc:
            failed[upsert.operation_id] = _entry(
                upsert, run_id, "failed", error=str(exc), started=started
            )
    return failed


def _update(
    client: OdooClient,
    upserts: list[PartnerUpsert],
    targets: dict[str, int],
    *,
    run_id: str,
    context: dict[str, Any],
) -> list[SyncLogEntry]:
    if not upserts:
        return []
    fields = sorted({name for upsert in upserts for name in upsert.values})
    ids = sorted({targets[upsert.operation_id] for upsert in upserts})
    started = time.monotonic()
    try:
        rows = client.read(MODEL, ids, fields, context=context)
    except OdooError as exc:
        # Nothing of these updates was sent; the creates before them stay logged.
        return [
            _entry(upsert, run_id, "failed", error=str(exc), started=started) for upsert in upserts
        ]
    current = {row["id"]: row for row in rows}

    entries = []
    for upsert in upserts:
        started = time.monotonic()
        record_id = targets[upsert.operation_id]
        if record_id not in current:
            entries.append(
                _entry(
                    upsert,
                    run_id,
                    "failed",
                    record_id=record_id,
                    error=f"partner {record_id} named by {upsert.external_id} no longer exists",
                    started=started,
                )
            )
            continue
        old = current[record_id]
        changes = {
            name: value
            for name, value in upsert.values.items()
            if _odoo_value(name, old.get(name)) != value
        }
        if not changes:
            entries.append(
                _entry(upsert, run_id, "unchanged", record_id=record_id, started=started)
            )
            continue
        try:
            client.write(MODEL, [record_id], changes, context=context)
        except OdooError as exc:
            entries.append(
                _entry(
                    upsert, run_id, "failed", record_id=record_id, error=str(exc), started=started
                )
            )
            continue
        entries.append(
            _entry(
                upsert,
                run_id,
                "updated",
                record_id=record_id,
                old={name: _odoo_value(name, old.get(name)) for name in changes},
                new=changes,
                started=started,
            )
        )
    return entries


def _odoo_value(name: str, value: Any) -> Any:
    """Odoo's `False` for an empty text field reads as None here; booleans stay booleans."""
    if name in BOOLEAN_FIELDS:
        return bool(value)
    return None if value is False else value


def _load_value(upsert: PartnerUpsert, name: str) -> str:
    # `load` takes what an import file holds: text, with booleans spelled out.
    value = upsert.values.get(name)
    if name in BOOLEAN_FIELDS:
        return "True" if value else "False"
    return "" if value is None else str(value)


def _entry(
    upsert: PartnerUpsert,
    run_id: str,
    outcome: str,
    *,
    record_id: int | None = None,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    error: str | None = None,
    started: float,
) -> SyncLogEntry:
    return SyncLogEntry(
        run_id=run_id,
        operation_id=upsert.operation_id,
        discrepancy_ids=upsert.discrepancy_ids,
        model=MODEL,
        external_id=upsert.external_id,
        operation=upsert.operation,
        record_id=record_id,
        old_values=old or {},
        new_values=new or {},
        outcome=outcome,
        error=error,
        duration_seconds=round(time.monotonic() - started, 4),
    )
