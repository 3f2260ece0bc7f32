"""The Odoo source against the Odoo 16 and 19 stand-ins over loopback, and its `normalise`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from dlt_sources.odoo import normalise, odoo_pipeline, odoo_source
from reverse_sync.odoo_client import OdooClient
from sandbox.http import serve
from sandbox.odoo import MAIN_COMPANY_ID, OdooStandIn
from tests.dlt_sources.conftest import Warehouse

API_KEY = "dltsource-odoo-key-0123456789abcdef"

WORLD: dict[str, list[dict[str, Any]]] = {
    "res.partner": [
        {
            "id": 1000,
            "name": "Acme Holdings",
            "email": "billing@acme.example",
            "is_company": True,
            "company_id": MAIN_COMPANY_ID,
            "customer_rank": 1,
            "ref": "ACME-1",
            "vat": "BE0477472701",
        },
        # A contact of Acme's: no ref or vat, which Odoo answers as False.
        {"id": 1001, "name": "Ada Okafor", "email": "ada@acme.example", "parent_id": 1000},
        # An archived branch: only a read with active_test off finds it.
        {"id": 1002, "name": "Acme Old Branch", "is_company": True, "active": False},
    ],
    "ir.model.data": [
        {
            "id": 5000,
            "module": "trueup",
            "name": "stripe_customer_cus_PzX9aQ2bLmN4vT",
            "model": "res.partner",
            "res_id": 1000,
        },
        {
            "id": 5001,
            "module": "__export__",
            "name": "res_partner_1001_5f3a2b1c",
            "model": "res.partner",
            "res_id": 1001,
        },
    ],
}
WORLD_PARTNERS = "raw_odoo.res_partner where id >= 1000 order by id"


@pytest.fixture(scope="module", params=[16, 19], ids=["odoo16", "odoo19"])
def landed(
    request: pytest.FixtureRequest, new_warehouse: Callable[[str], Warehouse]
) -> Iterator[Warehouse]:
    """`WORLD` in an Odoo of the given version, landed once."""
    stand_in = OdooStandIn(version=request.param, api_key=API_KEY)
    stand_in.load(WORLD)
    running = serve(stand_in)
    warehouse = new_warehouse(f"odoo{request.param}")
    pipeline = odoo_pipeline(
        duckdb_path=warehouse.duckdb_path, pipelines_dir=str(warehouse.pipelines_dir)
    )
    with OdooClient(running.url, "trueup", username="admin", api_key=API_KEY) as client:
        pipeline.run(odoo_source(client), loader_file_format="parquet")
    yield warehouse
    running.stop()


def test_false_on_a_char_field_lands_as_null(landed: Warehouse) -> None:
    assert landed.rows(f"select id, email, ref, vat from {WORLD_PARTNERS}") == [
        (1000, "billing@acme.example", "ACME-1", "BE0477472701"),
        (1001, "ada@acme.example", None, None),
        (1002, None, None, None),
    ]


def test_boolean_false_stays_false(landed: Warehouse) -> None:
    assert landed.rows(f"select id, is_company, active from {WORLD_PARTNERS}") == [
        (1000, True, True),
        (1001, False, True),
        (1002, True, False),
    ]


def test_many2one_lands_as_an_id_column_and_a_name_column(landed: Warehouse) -> None:
    assert landed.rows(
        f"select id, company_id, company_name, parent_id, parent_name from {WORLD_PARTNERS}"
    ) == [
        (1000, MAIN_COMPANY_ID, "YourCompany", None, None),
        (1001, None, None, 1000, "Acme Holdings"),
        (1002, None, None, None, None),
    ]


def test_archived_partner_lands(landed: Warehouse) -> None:
    assert landed.rows("select id, name, active from raw_odoo.res_partner where id = 1002") == [
        (1002, "Acme Old Branch", False)
    ]


def test_only_trueup_external_ids_land(landed: Warehouse) -> None:
    assert landed.rows(
        "select id, module, name, model, res_id from raw_odoo.ir_model_data order by id"
    ) == [(5000, "trueup", "stripe_customer_cus_PzX9aQ2bLmN4vT", "res.partner", 1000)]


def test_partner_columns_are_typed_from_fields_get(landed: Warehouse) -> None:
    assert landed.columns("raw_odoo.res_partner") == {
        "id": "BIGINT",
        "name": "VARCHAR",
        "email": "VARCHAR",
        "is_company": "BOOLEAN",
        "active": "BOOLEAN",
        "company_id": "BIGINT",
        "company_name": "VARCHAR",
        "parent_id": "BIGINT",
        "parent_name": "VARCHAR",
        "customer_rank": "BIGINT",
        "supplier_rank": "BIGINT",
        "ref": "VARCHAR",
        "vat": "VARCHAR",
        "create_date": "VARCHAR",
        "write_date": "VARCHAR",
    }


TYPES: dict[str, dict[str, Any]] = {
    "id": {"type": "integer"},
    "name": {"type": "char"},
    "comment": {"type": "html"},
    "is_company": {"type": "boolean"},
    "customer_rank": {"type": "integer"},
    "credit_limit": {"type": "float"},
    "type": {"type": "selection"},
    "parent_id": {"type": "many2one"},
    "user": {"type": "many2one"},
}


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        pytest.param({"name": False}, {"name": None}, id="char-false-is-null"),
        pytest.param({"name": "Acme"}, {"name": "Acme"}, id="char-value-kept"),
        pytest.param({"comment": False}, {"comment": None}, id="html-false-is-null"),
        pytest.param({"type": False}, {"type": None}, id="selection-false-is-null"),
        pytest.param({"is_company": False}, {"is_company": False}, id="boolean-false-kept"),
        pytest.param({"is_company": True}, {"is_company": True}, id="boolean-true-kept"),
        pytest.param({"customer_rank": 0}, {"customer_rank": 0}, id="integer-zero-kept"),
        pytest.param({"credit_limit": 0.0}, {"credit_limit": 0.0}, id="float-zero-kept"),
        pytest.param({"id": 42}, {"id": 42}, id="id-kept"),
        pytest.param(
            {"parent_id": [7, "Acme Holdings"]},
            {"parent_id": 7, "parent_name": "Acme Holdings"},
            id="many2one-split-into-id-and-name",
        ),
        pytest.param(
            {"parent_id": False},
            {"parent_id": None, "parent_name": None},
            id="many2one-false-is-null-id-and-name",
        ),
        pytest.param(
            {"user": [2, "Mitchell Admin"]},
            {"user": 2, "user_name": "Mitchell Admin"},
            id="many2one-without-id-suffix-keeps-its-name",
        ),
        pytest.param({"x_unknown": False}, {"x_unknown": None}, id="untyped-false-is-null"),
    ],
)
def test_normalise(row: dict[str, Any], expected: dict[str, Any]) -> None:
    assert normalise(row, TYPES) == expected
