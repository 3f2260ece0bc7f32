"""The seeded world: every record of the three systems, its manifest and its answer key.

`build_world(seed=..., size=..., odoo_version=...)` returns a `World` in memory; `write_world`
lays it out as files. The same seed, size and version give the same files byte for byte.

A world is a set of customers as the three systems keep them: a CRM company with its billing
contact, a Stripe customer that points back at the company through `metadata`, and an Odoo
partner that carries trueup's external id for the Stripe customer. Prospects live only in the
CRM and vendors only in Odoo; neither is a customer. Then discrepancies are planted, and each
planted one is written to the answer key, never marked on the records themselves. Last, every
live customer gets a clean billing history in Stripe and a closed-won deal in the CRM
(`sandbox.billing`), drawn from a generator of its own so nothing above changes.
"""

from __future__ import annotations

import json
import random
import string
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

Size = Literal["small", "demo"]

AS_OF = date(2026, 11, 30)
STRIPE_ACCOUNTS = ("main",)
STRIPE_API_VERSION = "2025-03-31.basil"
XMLID_MODULE = "trueup"
MAIN_COMPANY_ID = 1

# Customers per size, and how many of each planted kind.
CUSTOMERS: dict[str, int] = {"small": 14, "demo": 300}
PLANTED_PER_KIND: dict[str, int] = {"small": 1, "demo": 3}
PROSPECTS: dict[str, int] = {"small": 4, "demo": 60}
VENDORS: dict[str, int] = {"small": 2, "demo": 12}

# First ids of the world's Odoo records, above anything the stand-in keeps as base data.
FIRST_PARTNER_ID = 1000
FIRST_XMLID_ID = 5000

# Stripe keeps events for 30 days; a deletion is only visible as an event inside that window.
EVENT_RETENTION_DAYS = 30

_ADJECTIVES = (
    "Amber Bright Cedar Clear Copper Crisp Delta Ember Fable Golden Harbor Indigo Juniper "
    "Keystone Lumen Maple Meridian Nimbus North Onyx Orchard Pine Prism Quartz River Sable "
    "Silver Summit Tidal Umber Vector Willow Zenith"
).split()
_NOUNS = (
    "Analytics Bakery Robotics Logistics Studio Labs Systems Health Foods Media Works Energy "
    "Freight Dental Legal Capital Design Software Clinics Outdoors Print Audio Metrics Cloud"
).split()
_SUFFIXES = ("Inc", "LLC", "Ltd", "GmbH", "SAS", "BV", "Co")
_FIRST_NAMES = (
    "Ana Ben Chloe Dev Elena Farid Grace Hugo Ines Jonas Kira Liam Maya Noah Olga Priya Quinn "
    "Rafael Sofia Tariq Uma Victor Wen Yara Zoe"
).split()
_LAST_NAMES = (
    "Abbott Baptiste Chen Dubois Eriksen Fischer Garcia Haddad Ito Jensen Kowalski Laurent "
    "Moreau Novak Okafor Petrov Quispe Rossi Silva Tanaka Usman Varga Weber Xu Yilmaz Zhang"
).split()
_COUNTRIES = ("US", "GB", "DE", "FR", "NL", "ES", "CA")


@dataclass
class Customer:
    """One paying company as the world knows it, before any drift is planted."""

    name: str
    domain: str
    contact_first: str
    contact_last: str
    email: str
    country: str
    created: datetime
    crm_company_id: str
    crm_contact_id: str
    stripe_customer_id: str
    odoo_partner_id: int
    xmlid_id: int


@dataclass
class World:
    """Every record of one world, its manifest and its answer key."""

    seed: int
    size: Size
    odoo_version: int
    as_of: date
    stripe: dict[str, dict[str, list[dict[str, Any]]]]
    crm: dict[str, list[dict[str, Any]]]
    odoo: dict[str, list[dict[str, Any]]]
    answer_key: list[dict[str, Any]] = field(default_factory=list)

    def manifest(self) -> dict[str, Any]:
        """Rows per raw table that a complete landing must produce, and the world's facts."""
        from sandbox.billing import STRIPE_LISTS
        from sandbox.odoo import base_records

        base = base_records(self.odoo_version)
        trueup_xmlids = [r for r in self.odoo["ir.model.data"] if r["module"] == XMLID_MODULE]
        rows = {
            f"raw_stripe.{name}": sum(len(acct.get(name, [])) for acct in self.stripe.values())
            for name in ("customers", *STRIPE_LISTS)
        }
        rows |= {
            "raw_crm.companies": len(self.crm["companies"]),
            "raw_crm.contacts": len(self.crm["contacts"]),
            "raw_crm.deals": len(self.crm.get("deals", [])),
            "raw_odoo.res_partner": len(base.get("res.partner", []))
            + len(self.odoo["res.partner"]),
            "raw_odoo.ir_model_data": len(trueup_xmlids),
        }
        return {
            "seed": self.seed,
            "size": self.size,
            "odoo_version": self.odoo_version,
            "as_of": self.as_of.isoformat(),
            "stripe_accounts": list(self.stripe),
            "rows": rows,
            "planted": len(self.answer_key),
        }


def build_world(*, seed: int, size: Size, odoo_version: int, plant: bool = True) -> World:
    """Build the world for a seed; with `plant` off, the same world without discrepancies."""
    rng = random.Random(seed)
    customers = [_make_customer(rng, index) for index in range(CUSTOMERS[size])]
    _make_unique_names(customers)

    world = World(
        seed=seed,
        size=size,
        odoo_version=odoo_version,
        as_of=AS_OF,
        stripe={name: {"customers": [], "events": []} for name in STRIPE_ACCOUNTS},
        crm={"companies": [], "contacts": []},
        odoo={"res.partner": [], "ir.model.data": []},
    )
    for customer in customers:
        _add_clean_customer(world, customer)
    _add_prospects(world, rng, PROSPECTS[size])
    _add_vendors(world, rng, VENDORS[size])

    # Plant on customers taken in a seeded order, each customer carrying one discrepancy.
    if plant:
        pool = customers[:]
        rng.shuffle(pool)
        for planter in PLANTERS:
            for _ in range(PLANTED_PER_KIND[size]):
                planter(world, pool.pop(), rng)

    # Imported here: sandbox.billing builds on this module's World.
    from sandbox.billing import add_billing

    add_billing(world)
    _sort_world(world)
    return world


def write_world(world: World, out: Path) -> Path:
    """Write the world's files under `out` and return the folder."""
    out.mkdir(parents=True, exist_ok=True)
    for account, objects in world.stripe.items():
        for name, rows in objects.items():
            _write_json(out / "stripe" / account / f"{name}.json", rows)
    for name, rows in world.crm.items():
        _write_json(out / "crm" / f"{name}.json", rows)
    for model, rows in world.odoo.items():
        _write_json(out / "odoo" / f"{model}.json", rows)
    _write_json(out / "manifest.json", world.manifest())
    lines = [json.dumps(line, sort_keys=True) for line in world.answer_key]
    (out / "answer_key.jsonl").write_text("".join(f"{line}\n" for line in lines))
    return out


def stand_in_payloads(world: World) -> dict[str, dict[str, Any]]:
    """What each stand-in's `/__sandbox__/load` takes, by system."""
    return {
        "stripe": {"accounts": world.stripe},
        "hubspot": world.crm,
        "odoo": world.odoo,
    }


def read_payloads(folder: Path) -> dict[str, dict[str, Any]]:
    """Read a written world back into stand-in payloads."""
    stripe: dict[str, dict[str, Any]] = {}
    for account_dir in sorted((folder / "stripe").iterdir()):
        stripe[account_dir.name] = {
            path.stem: json.loads(path.read_text()) for path in sorted(account_dir.glob("*.json"))
        }
    crm = {path.stem: json.loads(path.read_text()) for path in (folder / "crm").glob("*.json")}
    odoo = {path.stem: json.loads(path.read_text()) for path in (folder / "odoo").glob("*.json")}
    return {"stripe": {"accounts": stripe}, "hubspot": crm, "odoo": odoo}


# --- customers as the systems keep them when nothing has drifted ---


def _make_customer(rng: random.Random, index: int) -> Customer:
    name = f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)} {rng.choice(_SUFFIXES)}"
    first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
    created = _timestamp(AS_OF - timedelta(days=rng.randint(40, 720)), rng)
    return Customer(
        name=name,
        domain="",
        contact_first=first,
        contact_last=last,
        email="",
        country=rng.choice(_COUNTRIES),
        created=created,
        crm_company_id=str(rng.randint(10**9, 10**10 - 1)),
        crm_contact_id=str(rng.randint(10**9, 10**10 - 1)),
        stripe_customer_id="cus_" + _token(rng, 14),
        odoo_partner_id=FIRST_PARTNER_ID + index,
        xmlid_id=FIRST_XMLID_ID + index,
    )


def _make_unique_names(customers: list[Customer]) -> None:
    seen: dict[str, int] = {}
    for customer in customers:
        count = seen.get(customer.name, 0)
        seen[customer.name] = count + 1
        if count:
            customer.name = f"{customer.name} {count + 1}"
        slug = "".join(ch for ch in customer.name.lower() if ch.isalnum())
        customer.domain = f"{slug}.example"
        customer.email = f"{customer.contact_first}.{customer.contact_last}@{customer.domain}"
        customer.email = customer.email.lower()


def _add_clean_customer(world: World, customer: Customer) -> None:
    world.crm["companies"].append(_crm_company(customer))
    world.crm["contacts"].append(_crm_contact(customer))
    world.stripe["main"]["customers"].append(_stripe_customer(customer))
    world.odoo["res.partner"].append(_odoo_partner(customer))
    world.odoo["ir.model.data"].append(_xmlid(customer))


def _crm_company(customer: Customer) -> dict[str, Any]:
    created = _iso(customer.created - timedelta(days=21))
    return _crm_object(
        customer.crm_company_id,
        created,
        {
            "name": customer.name,
            "domain": customer.domain,
            "country": customer.country,
            "lifecyclestage": "customer",
            "hs_lastmodifieddate": created,
        },
    )


def _crm_contact(customer: Customer) -> dict[str, Any]:
    created = _iso(customer.created - timedelta(days=20))
    return _crm_object(
        customer.crm_contact_id,
        created,
        {
            "email": customer.email,
            "firstname": customer.contact_first,
            "lastname": customer.contact_last,
            "associatedcompanyid": customer.crm_company_id,
            "lifecyclestage": "customer",
            "lastmodifieddate": created,
        },
    )


def _crm_object(object_id: str, created: str, properties: dict[str, str]) -> dict[str, Any]:
    modified = properties.get("hs_lastmodifieddate") or properties["lastmodifieddate"]
    return {
        "id": object_id,
        "properties": {"hs_object_id": object_id, "createdate": created, **properties},
        "createdAt": created,
        "updatedAt": modified,
        "archived": False,
    }


def _stripe_customer(customer: Customer) -> dict[str, Any]:
    # Keys and value types follow Stripe's published example customer (stripe-fixtures3.json).
    return {
        "id": customer.stripe_customer_id,
        "object": "customer",
        "address": {
            "city": None,
            "country": customer.country,
            "line1": None,
            "line2": None,
            "postal_code": None,
            "state": None,
        },
        "balance": 0,
        "created": int(customer.created.timestamp()),
        "currency": "usd",
        "default_source": None,
        "delinquent": False,
        "description": None,
        "discount": None,
        "email": customer.email,
        "invoice_prefix": customer.stripe_customer_id[4:12].upper(),
        "invoice_settings": {
            "custom_fields": None,
            "default_payment_method": None,
            "footer": None,
            "rendering_options": None,
        },
        "livemode": False,
        "metadata": {"hubspot_company_id": customer.crm_company_id},
        "name": customer.name,
        "next_invoice_sequence": 1,
        "phone": None,
        "preferred_locales": [],
        "shipping": None,
        "tax_exempt": "none",
        "test_clock": None,
    }


def _odoo_partner(customer: Customer) -> dict[str, Any]:
    stamp = _odoo_stamp(customer.created + timedelta(hours=2))
    return {
        "id": customer.odoo_partner_id,
        "name": customer.name,
        "email": customer.email,
        "is_company": True,
        "active": True,
        "company_id": False,
        "customer_rank": 1,
        "create_date": stamp,
        "write_date": stamp,
    }


def _xmlid(customer: Customer) -> dict[str, Any]:
    return {
        "id": customer.xmlid_id,
        "module": XMLID_MODULE,
        "name": f"stripe_customer_{customer.stripe_customer_id}",
        "model": "res.partner",
        "res_id": customer.odoo_partner_id,
    }


def _add_prospects(world: World, rng: random.Random, count: int) -> None:
    for index in range(count):
        prospect = _make_customer(rng, 10_000 + index)
        prospect.name = f"{prospect.name} Prospect {index + 1}"
        _make_unique_names([prospect])
        company = _crm_company(prospect)
        company["properties"]["lifecyclestage"] = "lead"
        contact = _crm_contact(prospect)
        contact["properties"]["lifecyclestage"] = "lead"
        # Every other prospect was archived in the CRM: landed and flagged, never lost.
        if index % 2:
            for record in (company, contact):
                record["archived"] = True
                record["archivedAt"] = _iso(prospect.created)
        world.crm["companies"].append(company)
        world.crm["contacts"].append(contact)


def _add_vendors(world: World, rng: random.Random, count: int) -> None:
    for index in range(count):
        vendor = _make_customer(rng, 20_000 + index)
        partner = _odoo_partner(vendor)
        partner.update(
            id=FIRST_PARTNER_ID + 8000 + index,
            name=f"{vendor.name} Supplies",
            email=f"billing@supplies{index}.example",
            customer_rank=0,
            supplier_rank=1,
        )
        world.odoo["res.partner"].append(partner)


# --- planted discrepancies: each changes the records of one customer and writes its key ---


def _plant_missing_in_odoo(world: World, customer: Customer, rng: random.Random) -> None:
    _remove_odoo(world, customer)
    _key(
        world,
        "missing_in_odoo",
        "correctable",
        {"crm": customer.crm_company_id, "stripe": customer.stripe_customer_id},
        expected={"name": customer.name, "email": customer.email, "is_company": True},
    )


def _plant_email_changed_in_crm(world: World, customer: Customer, rng: random.Random) -> None:
    new_email = f"billing.{rng.randint(10, 99)}@{customer.domain}"
    contact = _find(world.crm["contacts"], "id", customer.crm_contact_id)
    contact["properties"]["email"] = new_email
    contact["properties"]["lastmodifieddate"] = _iso(_timestamp(AS_OF - timedelta(days=3), rng))
    contact["updatedAt"] = contact["properties"]["lastmodifieddate"]
    _key(
        world,
        "field_mismatch",
        "correctable",
        _all_ids(customer),
        field_name="email",
        expected={"email": new_email},
    )


def _plant_email_format(world: World, customer: Customer, rng: random.Random) -> None:
    partner = _find(world.odoo["res.partner"], "id", customer.odoo_partner_id)
    local, domain = customer.email.split("@")
    partner["email"] = f" {local.capitalize()}@{domain.upper()} "
    _key(world, "email_format", "tolerated", _all_ids(customer), field_name="email")


def _plant_archived_partner(world: World, customer: Customer, rng: random.Random) -> None:
    # A returning customer whose old partner was archived in Odoo, with no trueup external id:
    # the partner must be found with active_test off and re-used, not duplicated.
    partner = _find(world.odoo["res.partner"], "id", customer.odoo_partner_id)
    partner["active"] = False
    _remove_xmlid(world, customer)
    _key(
        world,
        "status_mismatch",
        "correctable",
        _all_ids(customer),
        field_name="active",
        expected={"active": True},
    )


def _plant_deleted_in_stripe(world: World, customer: Customer, rng: random.Random) -> None:
    account = world.stripe["main"]
    stripe_customer = _find(account["customers"], "id", customer.stripe_customer_id)
    deleted_at = _timestamp(AS_OF - timedelta(days=rng.randint(1, EVENT_RETENTION_DAYS - 5)), rng)
    account["events"].append(_event("customer.deleted", stripe_customer, deleted_at, rng))
    account["customers"].remove(stripe_customer)
    account["customers"].append({"id": customer.stripe_customer_id, "object": "customer"})
    account["customers"][-1]["deleted"] = True
    _key(
        world,
        "deleted_upstream",
        "correctable",
        {"stripe": customer.stripe_customer_id, "odoo": customer.odoo_partner_id},
        expected={"active": False},
    )


def _plant_duplicate_partner(world: World, customer: Customer, rng: random.Random) -> None:
    # A bookkeeper keyed the customer in by hand a second time: same name and e-mail, no
    # external id. Which one to keep is a person's decision.
    original = _find(world.odoo["res.partner"], "id", customer.odoo_partner_id)
    duplicate = dict(original, id=customer.odoo_partner_id + 4000)
    duplicate["create_date"] = duplicate["write_date"] = _odoo_stamp(
        customer.created + timedelta(days=rng.randint(5, 30))
    )
    world.odoo["res.partner"].append(duplicate)
    ids = _all_ids(customer)
    ids["odoo"] = sorted([customer.odoo_partner_id, duplicate["id"]])
    _key(world, "duplicate_in_odoo", "review", ids)


PLANTERS = (
    _plant_missing_in_odoo,
    _plant_email_changed_in_crm,
    _plant_email_format,
    _plant_archived_partner,
    _plant_deleted_in_stripe,
    _plant_duplicate_partner,
)


def _key(
    world: World,
    kind: str,
    disposition: str,
    ids: dict[str, Any],
    *,
    field_name: str | None = None,
    expected: dict[str, Any] | None = None,
) -> None:
    world.answer_key.append(
        {
            "id": f"AK-{len(world.answer_key) + 1:04d}",
            "entity": "customer",
            "kind": kind,
            "disposition": disposition,
            "ids": ids,
            "field": field_name,
            "expected": expected,
        }
    )


def _all_ids(customer: Customer) -> dict[str, Any]:
    return {
        "crm": customer.crm_company_id,
        "stripe": customer.stripe_customer_id,
        "odoo": customer.odoo_partner_id,
    }


def _remove_odoo(world: World, customer: Customer) -> None:
    world.odoo["res.partner"].remove(
        _find(world.odoo["res.partner"], "id", customer.odoo_partner_id)
    )
    _remove_xmlid(world, customer)


def _remove_xmlid(world: World, customer: Customer) -> None:
    world.odoo["ir.model.data"].remove(_find(world.odoo["ir.model.data"], "id", customer.xmlid_id))


def _event(kind: str, obj: dict[str, Any], at: datetime, rng: random.Random) -> dict[str, Any]:
    return {
        "id": "evt_" + _token(rng, 24),
        "object": "event",
        "api_version": STRIPE_API_VERSION,
        "created": int(at.timestamp()),
        "data": {"object": obj},
        "livemode": False,
        "pending_webhooks": 0,
        "request": {"id": None, "idempotency_key": None},
        "type": kind,
    }


# --- helpers ---


def _sort_world(world: World) -> None:
    for account in world.stripe.values():
        for rows in account.values():
            rows.sort(key=lambda row: row["id"])
    for name, rows in world.crm.items():
        # Associations have no id of their own; sandbox.billing writes them in order.
        if name != "associations":
            rows.sort(key=lambda row: row["id"])
    for rows in world.odoo.values():
        rows.sort(key=lambda row: row["id"])


def _find(rows: list[dict[str, Any]], key: str, value: Any) -> dict[str, Any]:
    for row in rows:
        if row[key] == value:
            return row
    raise KeyError(f"no record with {key}={value!r} in the world")


def _token(rng: random.Random, length: int) -> str:
    return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(length))


def _timestamp(day: date, rng: random.Random) -> datetime:
    return datetime(
        day.year, day.month, day.day, rng.randint(8, 19), rng.randint(0, 59), tzinfo=UTC
    )


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _odoo_stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _write_json(path: Path, rows: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(rows, indent=1, sort_keys=True) + "\n")
