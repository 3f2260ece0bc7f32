"""The partner writer against the Odoo stand-in, at 16 (JSON-RPC) and 19 (JSON-2).

Every test reads Odoo back and the stand-in's call log, so each pins what landed and which
data-changing calls were made, not only what the writer says it did.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

import pytest

from reverse_sync.odoo_client import OdooClient
from reverse_sync.partners import PartnerUpsert, apply_partner_upserts, find_external_ids
from reverse_sync.sync_log import SyncLogEntry
from sandbox.http import serve
from sandbox.odoo import OdooStandIn

API_KEY = "partners-test-key-0123456789abcdef"
WRITE_CONTEXT = {"active_test": False, "allowed_company_ids": [1]}
PARTNER_FIELDS = ["name", "email", "is_company", "active"]

# A returning customer archived in Odoo with no trueup external id, and a customer trueup
# already owns, both as a world loads them (explicit ids above the base records).
ARCHIVED_ID = 1000
OWNED_ID = 1001
WORLD: dict[str, list[dict[str, Any]]] = {
    "res.partner": [
        {
            "id": ARCHIVED_ID,
            "name": "Harbor Labs LLC",
            "email": "grace.novak@harborlabsllc.example",
            "is_company": True,
            "active": False,
        },
        {
            "id": OWNED_ID,
            "name": "Crisp Audio BV",
            "email": "liam.rossi@crispaudiobv.example",
            "is_company": True,
            "active": True,
        },
    ],
    "ir.model.data": [
        {
            "id": 5001,
            "module": "trueup",
            "name": "stripe_customer_cus_Owned0000001",
            "model": "res.partner",
            "res_id": OWNED_ID,
        },
        {
            "id": 5002,
            "module": "__import__",
            "name": "stripe_customer_cus_Owned0000001",
            "model": "res.partner",
            "res_id": ARCHIVED_ID,
        },
    ],
}


@pytest.fixture(params=[16, 19], ids=["odoo16", "odoo19"])
def stand_in(request: pytest.FixtureRequest) -> OdooStandIn:
    stand_in = OdooStandIn(version=request.param, db="trueup", api_key=API_KEY)
    stand_in.load(WORLD)
    return stand_in


@pytest.fixture
def client(stand_in: OdooStandIn) -> Iterator[OdooClient]:
    running = serve(stand_in)
    with OdooClient(running.url, "trueup", username="admin", api_key=API_KEY) as client:
        yield client
    running.stop()


def plan_row(operation_id: str, stripe_customer_id: str, **columns: Any) -> dict[str, Any]:
    """A row of `sync.odoo_partner_upserts`; `set_*` columns not given are NULL."""
    row: dict[str, Any] = {
        "operation_id": operation_id,
        "operation": "create",
        "external_id": f"trueup.stripe_customer_{stripe_customer_id}",
        "odoo_partner_id": None,
        "odoo_company_id": 1,
        "discrepancy_ids": f"dsc_{operation_id}",
    }
    row.update(columns)
    return row


def logged(entries: list[SyncLogEntry]) -> list[dict[str, Any]]:
    """Entries without their timings, which vary from run to run."""
    return [
        {k: v for k, v in asdict(entry).items() if k not in ("duration_seconds", "logged_at")}
        for entry in entries
    ]


def expected_entry(
    row: dict[str, Any],
    outcome: str,
    *,
    record_id: int | None,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    error: str | None = None,
) -> dict[str, Any]:
    return {
        "run_id": "run-1",
        "operation_id": row["operation_id"],
        "discrepancy_ids": row["discrepancy_ids"],
        "model": "res.partner",
        "external_id": row["external_id"],
        "operation": row["operation"],
        "record_id": record_id,
        "old_values": old or {},
        "new_values": new or {},
        "outcome": outcome,
        "error": error,
    }


def writes(stand_in: OdooStandIn) -> list[tuple[str, str, list[int], Any]]:
    """The data-changing calls the stand-in received: model, method, ids, values."""
    return [
        (call.detail["model"], call.detail["method"], call.detail["ids"], call.detail["values"])
        for call in stand_in.writes()
    ]


def trueup_xmlids(client: OdooClient, name: str) -> list[dict[str, Any]]:
    return client.search_read(
        "ir.model.data",
        [["module", "=", "trueup"], ["name", "=", name]],
        ["module", "name", "model", "res_id"],
    )


def partner_count(client: OdooClient) -> int:
    return client.search_count("res.partner", [], context={"active_test": False})


def apply(client: OdooClient, rows: list[dict[str, Any]]) -> list[SyncLogEntry]:
    upserts = [PartnerUpsert.from_plan_row(row) for row in rows]
    return apply_partner_upserts(client, upserts, run_id="run-1")


NEW_CUSTOMER = plan_row(
    "op_create",
    "cus_N1mbusFreight01",
    set_name="Nimbus Freight Ltd",
    set_email="ines.ito@nimbusfreightltd.example",
    set_is_company=True,
)


# --- creates ----------------------------------------------------------------------------------


def test_create_loads_one_partner_carrying_the_trueup_external_id(
    stand_in: OdooStandIn, client: OdooClient
) -> None:
    entries = apply(client, [NEW_CUSTOMER])

    (xmlid,) = trueup_xmlids(client, "stripe_customer_cus_N1mbusFreight01")
    partner_id = xmlid["res_id"]
    assert xmlid == {
        "id": xmlid["id"],
        "module": "trueup",
        "name": "stripe_customer_cus_N1mbusFreight01",
        "model": "res.partner",
        "res_id": partner_id,
    }
    assert client.read("res.partner", [partner_id], PARTNER_FIELDS) == [
        {
            "id": partner_id,
            "name": "Nimbus Freight Ltd",
            "email": "ines.ito@nimbusfreightltd.example",
            "is_company": True,
            "active": True,
        }
    ]
    assert logged(entries) == [
        expected_entry(
            NEW_CUSTOMER,
            "created",
            record_id=partner_id,
            new={
                "name": "Nimbus Freight Ltd",
                "email": "ines.ito@nimbusfreightltd.example",
                "is_company": True,
            },
        )
    ]
    assert writes(stand_in) == [
        (
            "res.partner",
            "load",
            [],
            {
                "fields": ["id", "email", "is_company", "name"],
                "data": [
                    [
                        "trueup.stripe_customer_cus_N1mbusFreight01",
                        "ines.ito@nimbusfreightltd.example",
                        "True",
                        "Nimbus Freight Ltd",
                    ]
                ],
            },
        )
    ]


def test_reapplying_a_create_writes_nothing_and_makes_no_duplicate(
    stand_in: OdooStandIn, client: OdooClient
) -> None:
    (first,) = apply(client, [NEW_CUSTOMER])
    writes_before = len(stand_in.writes())

    again = apply(client, [NEW_CUSTOMER])

    assert logged(again) == [expected_entry(NEW_CUSTOMER, "unchanged", record_id=first.record_id)]
    assert len(stand_in.writes()) == writes_before
    assert client.search_read(
        "res.partner",
        [["email", "=", "ines.ito@nimbusfreightltd.example"]],
        ["name"],
        context={"active_test": False},
    ) == [{"id": first.record_id, "name": "Nimbus Freight Ltd"}]


def test_refused_row_is_logged_failed_while_the_rest_of_its_batch_is_created(
    stand_in: OdooStandIn, client: OdooClient
) -> None:
    good_first = plan_row("op_a", "cus_AmberMetrics001", set_name="Amber Metrics Inc")
    nameless = plan_row("op_b", "cus_NoName00000001", set_name="")
    good_last = plan_row("op_c", "cus_CedarCloud0001", set_name="Cedar Cloud SAS")

    entries = apply(client, [good_first, nameless, good_last])

    created = {
        row["name"]: row["res_id"]
        for row in client.search_read(
            "ir.model.data", [["module", "=", "trueup"]], ["name", "res_id"]
        )
    }
    first_id = created["stripe_customer_cus_AmberMetrics001"]
    last_id = created["stripe_customer_cus_CedarCloud0001"]
    assert sorted(created) == [
        "stripe_customer_cus_AmberMetrics001",
        "stripe_customer_cus_CedarCloud0001",
        "stripe_customer_cus_Owned0000001",
    ]
    assert logged(entries) == [
        expected_entry(
            good_first, "created", record_id=first_id, new={"name": "Amber Metrics Inc"}
        ),
        expected_entry(nameless, "failed", record_id=None, error="'Contacts require a name'"),
        expected_entry(good_last, "created", record_id=last_id, new={"name": "Cedar Cloud SAS"}),
    ]
    # The whole batch is refused once, then each row is loaded alone; only two loads land.
    fields = ["id", "name"]
    assert writes(stand_in) == [
        (
            "res.partner",
            "load",
            [],
            {
                "fields": fields,
                "data": [["trueup.stripe_customer_cus_AmberMetrics001", "Amber Metrics Inc"]],
            },
        ),
        (
            "res.partner",
            "load",
            [],
            {
                "fields": fields,
                "data": [["trueup.stripe_customer_cus_CedarCloud0001", "Cedar Cloud SAS"]],
            },
        ),
    ]
    assert [
        len(call.detail["values"]["data"])
        for call in stand_in.calls
        if call.detail.get("method") == "load"
    ] == [3, 1, 1, 1]


def test_create_that_leaves_active_alone_is_created_active_beside_one_that_sets_it(
    client: OdooClient,
) -> None:
    sets_active = plan_row("op_a", "cus_SetsActive0001", set_name="Sets Active Co", set_active=True)
    leaves_active = plan_row("op_b", "cus_LeavesActive01", set_name="Leaves Active Co")

    apply(client, [sets_active, leaves_active])

    partners = client.search_read(
        "res.partner",
        [["name", "in", ["Sets Active Co", "Leaves Active Co"]]],
        ["name", "active"],
        order="name asc",
        context={"active_test": False},
    )
    assert [(partner["name"], partner["active"]) for partner in partners] == [
        ("Leaves Active Co", True),
        ("Sets Active Co", True),
    ]


# --- adoption and updates ---------------------------------------------------------------------


def test_archived_partner_given_by_id_is_adopted_and_reactivated_not_duplicated(
    stand_in: OdooStandIn, client: OdooClient
) -> None:
    returning = plan_row(
        "op_return",
        "cus_HarborLabs0001",
        operation="update",
        odoo_partner_id=ARCHIVED_ID,
        set_active=True,
    )
    partners_before = partner_count(client)

    entries = apply(client, [returning])

    assert partner_count(client) == partners_before
    assert [
        (xmlid["module"], xmlid["name"], xmlid["model"], xmlid["res_id"])
        for xmlid in trueup_xmlids(client, "stripe_customer_cus_HarborLabs0001")
    ] == [("trueup", "stripe_customer_cus_HarborLabs0001", "res.partner", ARCHIVED_ID)]
    assert client.read("res.partner", [ARCHIVED_ID], ["active"]) == [
        {"id": ARCHIVED_ID, "active": True}
    ]
    assert logged(entries) == [
        expected_entry(
            returning, "updated", record_id=ARCHIVED_ID, old={"active": False}, new={"active": True}
        )
    ]
    # The external id is created before the partner is touched.
    assert writes(stand_in) == [
        (
            "ir.model.data",
            "create",
            [],
            [
                {
                    "module": "trueup",
                    "name": "stripe_customer_cus_HarborLabs0001",
                    "model": "res.partner",
                    "res_id": ARCHIVED_ID,
                }
            ],
        ),
        ("res.partner", "write", [ARCHIVED_ID], {"active": True}),
    ]


@pytest.mark.parametrize(
    ("columns", "changed_old", "changed_new"),
    [
        pytest.param(
            {"set_name": "Crisp Audio B.V.", "set_email": "liam.rossi@crispaudiobv.example"},
            {"name": "Crisp Audio BV"},
            {"name": "Crisp Audio B.V."},
            id="name-differs",
        ),
        pytest.param(
            {"set_name": "Crisp Audio BV", "set_email": "billing.42@crispaudiobv.example"},
            {"email": "liam.rossi@crispaudiobv.example"},
            {"email": "billing.42@crispaudiobv.example"},
            id="email-differs",
        ),
        pytest.param(
            {"set_email": "liam.rossi@crispaudiobv.example", "set_active": False},
            {"active": True},
            {"active": False},
            id="active-differs",
        ),
    ],
)
def test_update_writes_only_the_field_that_differs(
    stand_in: OdooStandIn,
    client: OdooClient,
    columns: dict[str, Any],
    changed_old: dict[str, Any],
    changed_new: dict[str, Any],
) -> None:
    row = plan_row(
        "op_update",
        "cus_Owned0000001",
        operation="update",
        odoo_partner_id=OWNED_ID,
        set_is_company=True,
        **columns,
    )

    entries = apply(client, [row])

    assert writes(stand_in) == [("res.partner", "write", [OWNED_ID], changed_new)]
    assert logged(entries) == [
        expected_entry(row, "updated", record_id=OWNED_ID, old=changed_old, new=changed_new)
    ]


def test_writes_carry_the_target_company_in_allowed_company_ids(
    stand_in: OdooStandIn, client: OdooClient
) -> None:
    (europe_id,) = client.create("res.company", [{"name": "Trueup Europe BV"}])
    first_write = len(stand_in.writes())
    in_europe = dict(NEW_CUSTOMER, odoo_company_id=europe_id)
    in_main = plan_row(
        "op_main",
        "cus_Owned0000001",
        operation="update",
        odoo_partner_id=OWNED_ID,
        set_email="billing.7@crispaudiobv.example",
    )

    apply(client, [in_europe, in_main])

    assert [
        (call.detail["model"], call.detail["method"], call.detail["context"])
        for call in stand_in.writes()[first_write:]
    ] == [
        ("res.partner", "load", {"active_test": False, "allowed_company_ids": [europe_id]}),
        ("res.partner", "write", {"active_test": False, "allowed_company_ids": [1]}),
    ]


# --- external ids and plan rows ---------------------------------------------------------------


def test_find_external_ids_maps_trueup_names_only(client: OdooClient) -> None:
    found = find_external_ids(
        client, ["stripe_customer_cus_Owned0000001", "stripe_customer_cus_Unknown00001"]
    )

    assert found == {"stripe_customer_cus_Owned0000001": OWNED_ID}


def test_from_plan_row_leaves_null_set_columns_out_of_the_values() -> None:
    row = plan_row("op_x", "cus_X", operation="update", odoo_partner_id=1001, set_email="a@b.c")
    row.update(set_name=None, set_is_company=None, set_active=False)

    upsert = PartnerUpsert.from_plan_row(row)

    assert upsert == PartnerUpsert(
        operation_id="op_x",
        operation="update",
        external_id="trueup.stripe_customer_cus_X",
        odoo_partner_id=1001,
        odoo_company_id=1,
        values={"email": "a@b.c", "active": False},
        discrepancy_ids="dsc_op_x",
    )


FOREIGN_EXTERNAL_IDS = [
    pytest.param("__import__.stripe_customer_cus_X", id="other-module"),
    pytest.param("stripe_customer_cus_X", id="no-module"),
    pytest.param("trueup.", id="no-name"),
]


@pytest.mark.parametrize("external_id", FOREIGN_EXTERNAL_IDS)
def test_from_plan_row_rejects_an_external_id_outside_trueup(external_id: str) -> None:
    row = plan_row("op_foreign", "cus_X", external_id=external_id, set_name="X")

    with pytest.raises(ValueError, match=r"^operation op_foreign: external id .* module 'trueup'"):
        PartnerUpsert.from_plan_row(row)
