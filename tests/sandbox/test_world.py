"""The seeded world: repeatable files, exactly the planted drift, no markers, a true manifest."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reverse_sync.odoo_client import OdooClient
from sandbox.billing import STRIPE_LISTS
from sandbox.http import serve
from sandbox.odoo import OdooStandIn, base_records
from sandbox.world import (
    CUSTOMERS,
    PLANTED_PER_KIND,
    PLANTERS,
    Size,
    World,
    build_world,
    write_world,
)

VERSIONS = [pytest.param(16, id="odoo16"), pytest.param(19, id="odoo19")]
SIZES = [pytest.param("small", id="small"), pytest.param("demo", id="demo")]
SYSTEM_DIRS = ("stripe", "crm", "odoo")

# What each planter in sandbox/world.py plants, in PLANTERS order.
PLANTED_KINDS = [
    ("missing_in_odoo", "correctable"),
    ("field_mismatch", "correctable"),
    ("email_format", "tolerated"),
    ("status_mismatch", "correctable"),
    ("deleted_upstream", "correctable"),
    ("duplicate_in_odoo", "review"),
]


def files_under(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def read_json(path: Path) -> Any:
    return json.loads(path.read_text())


def keys_and_texts(value: Any) -> Iterator[str]:
    """Every key and every text value in a JSON document, at any depth."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield str(key)
            yield from keys_and_texts(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from keys_and_texts(inner)
    elif isinstance(value, str):
        yield value


# --- repeatability ----------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("version", VERSIONS)
def test_same_seed_size_and_version_write_identical_files(
    tmp_path: Path, version: int, size: Size
) -> None:
    first = write_world(build_world(seed=11, size=size, odoo_version=version), tmp_path / "a")
    second = write_world(build_world(seed=11, size=size, odoo_version=version), tmp_path / "b")

    first_files, second_files = files_under(first), files_under(second)
    assert sorted(first_files) == sorted(
        [
            "answer_key.jsonl",
            "crm/associations.json",
            "crm/companies.json",
            "crm/contacts.json",
            "crm/deals.json",
            "manifest.json",
            "odoo/ir.model.data.json",
            "odoo/res.partner.json",
            "stripe/main/customers.json",
            "stripe/main/events.json",
            *(f"stripe/main/{name}.json" for name in STRIPE_LISTS),
        ]
    )
    assert [name for name in first_files if first_files[name] != second_files[name]] == []


def test_another_seed_gives_different_customers() -> None:
    one = build_world(seed=1, size="small", odoo_version=19)
    two = build_world(seed=2, size="small", odoo_version=19)

    one_customers = one.stripe["main"]["customers"]
    two_customers = two.stripe["main"]["customers"]
    assert {c["id"] for c in one_customers} & {c["id"] for c in two_customers} == set()
    assert sorted(c.get("name") or "" for c in one_customers) != sorted(
        c.get("name") or "" for c in two_customers
    )


# --- planted drift ----------------------------------------------------------------------------


def test_planters_are_the_six_listed_kinds() -> None:
    assert [planter.__name__ for planter in PLANTERS] == [
        "_plant_missing_in_odoo",
        "_plant_email_changed_in_crm",
        "_plant_email_format",
        "_plant_archived_partner",
        "_plant_deleted_in_stripe",
        "_plant_duplicate_partner",
    ]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("version", VERSIONS)
def test_planted_kinds_are_exactly_the_planters_with_their_dispositions(
    version: int, size: Size
) -> None:
    world = build_world(seed=5, size=size, odoo_version=version)

    per_kind = PLANTED_PER_KIND[size]
    assert Counter((line["kind"], line["disposition"]) for line in world.answer_key) == {
        kind: per_kind for kind in PLANTED_KINDS
    }
    assert [line["id"] for line in world.answer_key] == [
        f"AK-{number:04d}" for number in range(1, len(PLANTED_KINDS) * per_kind + 1)
    ]
    assert {line["entity"] for line in world.answer_key} == {"customer"}


@pytest.mark.parametrize("version", VERSIONS)
def test_unplanted_world_has_an_empty_answer_key(tmp_path: Path, version: int) -> None:
    world = build_world(seed=5, size="small", odoo_version=version, plant=False)

    folder = write_world(world, tmp_path)

    assert world.answer_key == []
    assert (folder / "answer_key.jsonl").read_text() == ""
    assert read_json(folder / "manifest.json")["planted"] == 0


def customer_views(world: World) -> list[dict[str, Any]]:
    """One row per Stripe customer: what each system says about that customer."""
    companies = {c["id"]: c for c in world.crm["companies"]}
    contacts = {c["properties"]["associatedcompanyid"]: c for c in world.crm["contacts"]}
    xmlids = {
        x["name"]: x["res_id"] for x in world.odoo["ir.model.data"] if x["module"] == "trueup"
    }
    partners = {p["id"]: p for p in world.odoo["res.partner"]}

    views = []
    for customer in world.stripe["main"]["customers"]:
        company_id = customer.get("metadata", {}).get("hubspot_company_id")
        company = companies.get(company_id, {"properties": {}})
        contact = contacts.get(company_id, {"properties": {}})
        partner = partners.get(xmlids.get(f"stripe_customer_{customer['id']}"), {})
        views.append(
            {
                "stripe_deleted": customer.get("deleted", False),
                "names": {
                    customer.get("name"),
                    company["properties"].get("name"),
                    partner.get("name"),
                },
                "emails": {
                    customer.get("email"),
                    contact["properties"].get("email"),
                    partner.get("email"),
                },
                "partner_active": partner.get("active"),
            }
        )
    return views


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("version", VERSIONS)
def test_unplanted_world_has_every_customer_agreeing_across_systems(
    version: int, size: Size
) -> None:
    world = build_world(seed=5, size=size, odoo_version=version, plant=False)

    views = customer_views(world)

    assert len(views) == CUSTOMERS[size]
    disagreeing = [
        view
        for view in views
        if view["stripe_deleted"]
        or len(view["names"]) != 1
        or None in view["names"]
        or len(view["emails"]) != 1
        or None in view["emails"]
        or view["partner_active"] is not True
    ]
    assert disagreeing == []


@pytest.mark.parametrize("version", VERSIONS)
def test_unplanted_world_has_no_partner_outside_its_customers_and_vendors(version: int) -> None:
    world = build_world(seed=5, size="small", odoo_version=version, plant=False)

    owned = {x["res_id"] for x in world.odoo["ir.model.data"] if x["module"] == "trueup"}
    ranks = Counter(
        (
            "owned" if p["id"] in owned else "not owned",
            p["customer_rank"],
            p.get("supplier_rank", 0),
        )
        for p in world.odoo["res.partner"]
    )
    assert ranks == {("owned", 1, 0): CUSTOMERS["small"], ("not owned", 0, 1): 2}
    assert len({p["email"] for p in world.odoo["res.partner"]}) == len(world.odoo["res.partner"])


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("version", VERSIONS)
def test_no_system_file_carries_a_planting_marker(tmp_path: Path, version: int, size: Size) -> None:
    folder = write_world(build_world(seed=5, size=size, odoo_version=version), tmp_path)

    marked = [
        (str(path.relative_to(folder)), text)
        for system in SYSTEM_DIRS
        for path in sorted((folder / system).rglob("*.json"))
        for text in keys_and_texts(read_json(path))
        if "plant" in text.lower() or "AK-" in text or "discrepanc" in text.lower()
    ]
    assert marked == []


# --- manifest ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "plant", [pytest.param(True, id="planted"), pytest.param(False, id="clean")]
)
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("version", VERSIONS)
def test_manifest_rows_equal_the_records_in_the_files(
    tmp_path: Path, version: int, size: Size, plant: bool
) -> None:
    folder = write_world(
        build_world(seed=5, size=size, odoo_version=version, plant=plant), tmp_path
    )

    manifest = read_json(folder / "manifest.json")
    xmlids = read_json(folder / "odoo" / "ir.model.data.json")
    assert manifest["rows"] == {
        "raw_stripe.customers": len(read_json(folder / "stripe" / "main" / "customers.json")),
        **{
            f"raw_stripe.{name}": len(read_json(folder / "stripe" / "main" / f"{name}.json"))
            for name in STRIPE_LISTS
        },
        "raw_crm.companies": len(read_json(folder / "crm" / "companies.json")),
        "raw_crm.contacts": len(read_json(folder / "crm" / "contacts.json")),
        "raw_crm.deals": len(read_json(folder / "crm" / "deals.json")),
        "raw_odoo.res_partner": len(base_records(version)["res.partner"])
        + len(read_json(folder / "odoo" / "res.partner.json")),
        "raw_odoo.ir_model_data": len([x for x in xmlids if x["module"] == "trueup"]),
    }
    assert manifest["planted"] == len((folder / "answer_key.jsonl").read_text().splitlines())
    assert {k: manifest[k] for k in ("seed", "size", "odoo_version", "as_of")} == {
        "seed": 5,
        "size": size,
        "odoo_version": version,
        "as_of": "2026-11-30",
    }


@pytest.mark.parametrize("version", VERSIONS)
def test_manifest_partner_rows_equal_what_the_odoo_stand_in_serves(version: int) -> None:
    world = build_world(seed=5, size="small", odoo_version=version)
    stand_in = OdooStandIn(version=version, db="trueup", api_key="world-test-key-0123456789")
    stand_in.load(world.odoo)
    running = serve(stand_in)
    try:
        with OdooClient(
            running.url, "trueup", username="admin", api_key="world-test-key-0123456789"
        ) as client:
            partners = client.search_count("res.partner", [], context={"active_test": False})
            xmlids = client.search_count("ir.model.data", [["module", "=", "trueup"]])
    finally:
        running.stop()

    assert {
        "raw_odoo.res_partner": partners,
        "raw_odoo.ir_model_data": xmlids,
    } == {
        name: world.manifest()["rows"][name]
        for name in ("raw_odoo.res_partner", "raw_odoo.ir_model_data")
    }
