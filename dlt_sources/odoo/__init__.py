"""Odoo, read through trueup's one Odoo client (`reverse_sync.odoo_client`).

Every model is read with `active_test` off, so archived records land and are flagged by their
`active` column rather than missing. Values are normalised by their `fields_get` type: Odoo's
`False` becomes NULL on every field that is not boolean, and a many2one `[id, name]` becomes an
id column (the field's own name) and a `<field without _id>_name` column.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import dlt
from dlt.sources import DltResource

from reverse_sync.odoo_client import OdooClient

logger = logging.getLogger(__name__)

PAGE_SIZE = 500


@dataclass(frozen=True)
class OdooModel:
    """One Odoo model to land: its fields and the domain that bounds it."""

    model: str
    fields: tuple[str, ...]
    domain: tuple[tuple[str, str, Any], ...] = ()

    @property
    def table(self) -> str:
        return self.model.replace(".", "_")


MODELS = (
    OdooModel(
        "res.partner",
        (
            "name",
            "email",
            "is_company",
            "active",
            "company_id",
            "parent_id",
            "customer_rank",
            "supplier_rank",
            "ref",
            "vat",
            "create_date",
            "write_date",
        ),
    ),
    # Only trueup's own external ids: other modules hold thousands that say nothing here.
    OdooModel(
        "ir.model.data",
        ("module", "name", "model", "res_id", "create_date", "write_date"),
        (("module", "=", "trueup"),),
    ),
)


def odoo_source(client: OdooClient, *, models: tuple[OdooModel, ...] = MODELS) -> Any:
    """One resource per Odoo model; one row per record, archived records included."""

    @dlt.source(name="odoo")
    def source() -> list[DltResource]:
        return [_model_resource(client, spec) for spec in models]

    return source()


def _model_resource(client: OdooClient, spec: OdooModel) -> DltResource:
    types = client.fields_get(spec.model, attributes=["type"])
    unknown = [name for name in spec.fields if name not in types]
    if unknown:
        raise ValueError(
            f"Odoo model {spec.model} has no field(s) {unknown}; check the Odoo version"
        )

    # TODO(#7): incremental reads on write_date with an overlap window, and an id-set sweep
    # for deletions; this reads every record on every run.
    @dlt.resource(
        name=spec.table,
        primary_key="id",
        write_disposition="replace",
        columns=column_hints(spec, types),
    )
    def records() -> Iterator[list[dict[str, Any]]]:
        offset = 0
        while True:
            started = time.monotonic()
            page = client.search_read(
                spec.model,
                [list(term) for term in spec.domain],
                ["id", *spec.fields],
                order="id asc",
                limit=PAGE_SIZE,
                offset=offset,
                context={"active_test": False},
            )
            logger.info(
                "odoo %s: %d rows at offset %d in %.2fs",
                spec.model,
                len(page),
                offset,
                time.monotonic() - started,
            )
            if page:
                yield [normalise(row, types) for row in page]
            if len(page) < PAGE_SIZE:
                return
            offset += PAGE_SIZE

    return records


def column_hints(spec: OdooModel, types: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """dlt column types for a model, so a column exists even when every value is empty."""
    hints: dict[str, Any] = {"id": {"data_type": "bigint", "nullable": False}}
    for name in spec.fields:
        kind = types[name]["type"]
        if kind == "many2one":
            base = name[:-3] if name.endswith("_id") else name
            hints[name] = {"data_type": "bigint"}
            hints[f"{base}_name"] = {"data_type": "text"}
        else:
            hints[name] = {"data_type": _DLT_TYPES.get(kind, "text")}
    return hints


_DLT_TYPES = {
    "boolean": "bool",
    "integer": "bigint",
    "many2one_reference": "bigint",
    "float": "double",
    "monetary": "double",
}


def normalise(row: dict[str, Any], types: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Odoo's values in plain columns: NULL for `False` outside booleans, many2one split."""
    out: dict[str, Any] = {}
    for name, value in row.items():
        kind = types.get(name, {}).get("type")
        if kind == "many2one":
            base = name[:-3] if name.endswith("_id") else name
            out[name] = value[0] if value else None
            out[f"{base}_name"] = value[1] if value else None
        elif kind == "boolean" or name == "id":
            out[name] = bool(value) if name != "id" else value
        else:
            out[name] = None if value is False else value
    return out


def odoo_pipeline(*, duckdb_path: str, pipelines_dir: str) -> dlt.Pipeline:
    """The pipeline that lands Odoo into `raw_odoo`."""
    return dlt.pipeline(
        pipeline_name="trueup_odoo",
        destination=dlt.destinations.duckdb(credentials=duckdb_path),
        dataset_name="raw_odoo",
        pipelines_dir=pipelines_dir,
    )
