"""The CRM source against the HubSpot stand-in over loopback, landed into DuckDB."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from dlt_sources.crm import crm_pipeline, crm_source
from sandbox.http import RunningServer, serve
from sandbox.hubspot import HubSpotStandIn
from tests.dlt_sources.conftest import Warehouse

TOKEN = "pat-na1-dltsource-0000-0000-000000000001"
ARCHIVED_AT = "2025-06-07T08:09:10.000Z"
COMPANY_PROPERTIES = "name,domain,country,lifecyclestage,createdate,hs_lastmodifieddate"
CONTACT_PROPERTIES = (
    "email,firstname,lastname,associatedcompanyid,lifecyclestage,createdate,lastmodifieddate"
)


@pytest.fixture(scope="module")
def hubspot() -> Iterator[RunningServer]:
    running = serve(HubSpotStandIn(token=TOKEN))
    yield running
    running.stop()


def stand_in(running: RunningServer, portal: dict[str, list[dict[str, Any]]]) -> HubSpotStandIn:
    """The served stand-in holding only `portal`, with an empty call log."""
    served = running.stand_in
    assert isinstance(served, HubSpotStandIn)
    served.load(portal)
    served.clear_calls()
    return served


def crm_object(
    object_id: int, properties: dict[str, str], *, archived_at: str | None = None
) -> dict[str, Any]:
    """A HubSpot object; archived when `archived_at` is given."""
    record: dict[str, Any] = {
        "id": str(object_id),
        "properties": properties,
        "createdAt": "2025-01-02T03:04:05.000Z",
        "updatedAt": "2025-02-03T04:05:06.000Z",
        "archived": archived_at is not None,
    }
    if archived_at is not None:
        record["archivedAt"] = archived_at
    return record


def company(object_id: int, name: str, **properties: str) -> dict[str, Any]:
    return crm_object(object_id, {"name": name, **properties})


def contact(object_id: int, email: str, **properties: str) -> dict[str, Any]:
    return crm_object(object_id, {"email": email, **properties})


def land(warehouse: Warehouse, running: RunningServer) -> None:
    pipeline = crm_pipeline(
        duckdb_path=warehouse.duckdb_path, pipelines_dir=str(warehouse.pipelines_dir)
    )
    pipeline.run(crm_source(token=TOKEN, base_url=running.url), loader_file_format="parquet")


PORTAL: dict[str, list[dict[str, Any]]] = {
    "companies": [
        company(
            101,
            "Acme Robotics Inc",
            domain="acmerobotics.example",
            country="US",
            lifecyclestage="customer",
        ),
        # HubSpot leaves a property out of the answer when it holds no value.
        company(102, "Birch Foods Ltd", domain="birchfoods.example", lifecyclestage="lead"),
        crm_object(
            103, {"name": "Cobalt Legal GmbH", "lifecyclestage": "lead"}, archived_at=ARCHIVED_AT
        ),
    ],
    "contacts": [
        contact(
            201,
            "ada@acmerobotics.example",
            firstname="Ada",
            lastname="Okafor",
            associatedcompanyid="101",
            lifecyclestage="customer",
        ),
        crm_object(202, {"email": "ben@cobaltlegal.example"}, archived_at=ARCHIVED_AT),
        crm_object(203, {"email": "cy@cobaltlegal.example"}, archived_at=ARCHIVED_AT),
    ],
}


@pytest.fixture(scope="module")
def landed_portal(hubspot: RunningServer, new_warehouse: Callable[[str], Warehouse]) -> Warehouse:
    """`PORTAL`, landed once for the tests that only read it."""
    warehouse = new_warehouse("crm-portal")
    stand_in(hubspot, PORTAL)
    land(warehouse, hubspot)
    return warehouse


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        pytest.param(
            "companies",
            [("101", False, None), ("102", False, None), ("103", True, ARCHIVED_AT)],
            id="companies",
        ),
        pytest.param(
            "contacts",
            [("201", False, None), ("202", True, ARCHIVED_AT), ("203", True, ARCHIVED_AT)],
            id="contacts",
        ),
    ],
)
def test_archived_records_land_in_the_same_table_flagged_archived(
    landed_portal: Warehouse, table: str, expected: list[tuple[Any, ...]]
) -> None:
    assert (
        landed_portal.rows(f"select id, archived, archived_at from raw_crm.{table} order by id")
        == expected
    )


def test_active_and_archived_lists_are_both_requested(
    hubspot: RunningServer, warehouse: Warehouse
) -> None:
    served = stand_in(hubspot, PORTAL)

    land(warehouse, hubspot)

    assert sorted(
        (call.path, call.query["archived"], call.query["properties"]) for call in served.calls
    ) == [
        ("/crm/v3/objects/companies", "false", COMPANY_PROPERTIES),
        ("/crm/v3/objects/companies", "true", COMPANY_PROPERTIES),
        ("/crm/v3/objects/contacts", "false", CONTACT_PROPERTIES),
        ("/crm/v3/objects/contacts", "true", CONTACT_PROPERTIES),
    ]


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        pytest.param(
            "companies",
            {
                "id": "VARCHAR",
                "archived": "BOOLEAN",
                "archived_at": "VARCHAR",
                "properties__name": "VARCHAR",
                "properties__domain": "VARCHAR",
                "properties__country": "VARCHAR",
                "properties__lifecyclestage": "VARCHAR",
                "properties__createdate": "VARCHAR",
                "properties__hs_lastmodifieddate": "VARCHAR",
                "created_at": "TIMESTAMP WITH TIME ZONE",
                "updated_at": "TIMESTAMP WITH TIME ZONE",
                "properties__hs_object_id": "VARCHAR",
            },
            id="companies",
        ),
        pytest.param(
            "contacts",
            {
                "id": "VARCHAR",
                "archived": "BOOLEAN",
                "archived_at": "VARCHAR",
                "properties__email": "VARCHAR",
                "properties__firstname": "VARCHAR",
                "properties__lastname": "VARCHAR",
                "properties__associatedcompanyid": "VARCHAR",
                "properties__lifecyclestage": "VARCHAR",
                "properties__createdate": "VARCHAR",
                "properties__lastmodifieddate": "VARCHAR",
                "created_at": "TIMESTAMP WITH TIME ZONE",
                "updated_at": "TIMESTAMP WITH TIME ZONE",
                "properties__hs_object_id": "VARCHAR",
            },
            id="contacts",
        ),
    ],
)
def test_properties_land_as_properties_columns(
    landed_portal: Warehouse, table: str, expected: dict[str, str]
) -> None:
    assert landed_portal.columns(f"raw_crm.{table}") == expected


def test_property_values_land_as_sent(landed_portal: Warehouse) -> None:
    assert landed_portal.rows(
        "select properties__name, properties__domain, properties__country, "
        "properties__lifecyclestage, properties__createdate, properties__hs_lastmodifieddate, "
        "properties__hs_object_id from raw_crm.companies where id = '101'"
    ) == [
        (
            "Acme Robotics Inc",
            "acmerobotics.example",
            "US",
            "customer",
            "2025-01-02T03:04:05.000Z",
            "2025-02-03T04:05:06.000Z",
            "101",
        )
    ]


def test_property_hubspot_leaves_out_lands_as_null(landed_portal: Warehouse) -> None:
    assert landed_portal.rows(
        "select id, properties__domain, properties__country from raw_crm.companies where id = '102'"
    ) == [("102", "birchfoods.example", None)]


def encoded_after(start_id: int) -> str:
    """The stand-in's opaque `after` cursor: the next id to serve, base64 without padding."""
    return base64.urlsafe_b64encode(str(start_id).encode()).decode().rstrip("=")


def test_contacts_are_paged_by_100_and_land_once_each(
    hubspot: RunningServer, warehouse: Warehouse
) -> None:
    first_id = 300_001
    contacts = [contact(first_id + i, f"person{i}@example.com") for i in range(250)]
    served = stand_in(hubspot, {"contacts": contacts})

    land(warehouse, hubspot)

    pages = [
        call.query.get("after")
        for call in served.calls
        if call.path == "/crm/v3/objects/contacts" and call.query["archived"] == "false"
    ]
    assert pages == [None, encoded_after(first_id + 100), encoded_after(first_id + 200)]
    assert warehouse.rows("select count(*), count(distinct id) from raw_crm.contacts") == [
        (250, 250)
    ]
    assert warehouse.rows("select id from raw_crm.contacts order by id") == [
        (str(first_id + i),) for i in range(250)
    ]
