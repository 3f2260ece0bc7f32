"""The records every fresh Odoo database has before any world is loaded.

These mirror the ids real Odoo gives them (admin is uid 2, the main company id 1, the United
States id 233, and USD id 1 on 19 but 2 on 16), so ids a test or a world names stay the ones
real Odoo would use. A world's own records must use ids above these. The main company has the
generic chart's sale and bank journals (`accounting.main_chart`), and activities find the "To
Do" type (id 4) and the ir.model rows they point at.
"""

from __future__ import annotations

from typing import Any

from sandbox.odoo import subscriptions
from sandbox.odoo.accounting import main_chart

ADMIN_UID = 2
MAIN_COMPANY_ID = 1


def _currencies(version: int) -> list[dict[str, Any]]:
    usd_id, eur_id, jpy_id = (1, 126, 25) if version >= 17 else (2, 1, 26)
    return [
        {
            "id": usd_id,
            "name": "USD",
            "symbol": "$",
            "active": True,
            "decimal_places": 2,
            "rounding": 0.01,
            "position": "before",
            "full_name": "United States dollar",
        },
        {
            "id": eur_id,
            "name": "EUR",
            "symbol": "€",
            "active": False,
            "decimal_places": 2,
            "rounding": 0.01,
            "position": "after",
            "full_name": "Euro",
        },
        {
            "id": jpy_id,
            "name": "JPY",
            "symbol": "¥",
            "active": False,
            "decimal_places": 0,
            "rounding": 1.0,
            "position": "before",
            "full_name": "Japanese yen",
        },
    ]


def _rates(version: int) -> list[dict[str, Any]]:
    """16's demo rates, as recorded (EUR at 1.0, USD moved in 2026, JPY as its rate implies).

    The recorded 16 database reads EUR at 0.6540650140623978 and JPY at 87.3961671790176 per
    USD: both follow from these rows. The JPY row's id was not recorded. The recorded 19
    database listed none, yet its posted EUR invoices convert at 1.2834 EUR per USD (recorded:
    370.35 EUR read as 288.57 USD, 200 EUR as 155.84), so 19 starts with that one EUR rate.
    Its date and id were not recorded.
    """
    if version >= 17:
        return [
            {"id": 1, "name": "2010-01-01", "currency_id": 126, "rate": 1.2834, "company_id": 1}
        ]
    usd_id, eur_id, jpy_id = 2, 1, 26
    return [
        {"id": 1, "name": "2010-01-01", "currency_id": usd_id, "rate": 1.2834, "company_id": 1},
        {"id": 2, "name": "2026-01-01", "currency_id": usd_id, "rate": 1.5289, "company_id": 1},
        {"id": 125, "name": "2010-01-01", "currency_id": eur_id, "rate": 1.0, "company_id": 1},
        {"id": 126, "name": "2010-01-01", "currency_id": jpy_id, "rate": 133.62, "company_id": 1},
    ]


def base_records(
    version: int, *, subscriptions_module: bool = False
) -> dict[str, list[dict[str, Any]]]:
    """The built-in records per model for Odoo `version`; one dict per record, with its id.

    A world loaded into the stand-in keeps these and adds its own; the world generator counts
    them so its manifest matches what the stand-in serves. `subscriptions_module` adds what
    installing Enterprise's subscriptions module adds (`subscriptions.base_records`).
    """
    currencies = _currencies(version)
    usd_id = currencies[0]["id"]
    xmlids = [
        ("base", "main_company", "res.company", MAIN_COMPANY_ID),
        ("base", "main_partner", "res.partner", 1),
        ("base", "partner_root", "res.partner", 2),
        ("base", "partner_admin", "res.partner", 3),
        ("base", "user_root", "res.users", 1),
        ("base", "user_admin", "res.users", ADMIN_UID),
        ("base", "USD", "res.currency", usd_id),
        ("base", "EUR", "res.currency", currencies[1]["id"]),
        ("base", "JPY", "res.currency", currencies[2]["id"]),
        ("base", "us", "res.country", 233),
        ("base", "be", "res.country", 20),
        ("base", "fr", "res.country", 75),
    ]
    chart = main_chart(version, MAIN_COMPANY_ID)
    # ir.model ids: account.move's was recorded (443 on 16, 463 on 19); the others were not.
    move_model_id = 443 if version < 17 else 463
    ir_models = [
        {"id": move_model_id, "model": "account.move", "name": "Journal Entry"},
        {"id": move_model_id + 1, "model": "account.payment", "name": "Payments"},
        {"id": 85, "model": "res.partner", "name": "Contact"},
        {"id": move_model_id + 200, "model": "sale.order", "name": "Sales Order"},
    ]
    extra: dict[str, list[dict[str, Any]]] = {}
    if subscriptions_module:
        # Not recorded (the recorded servers were Community): the ids are ours.
        extra = subscriptions.base_records(move_model_id + 300)
        ir_models += extra.pop("ir.model")
        xmlids += subscriptions.xmlids()
    return {
        **chart,
        **extra,
        "ir.model": ir_models,
        "mail.activity.type": [
            {"id": 1, "name": "Email"},
            {"id": 2, "name": "Call"},
            {"id": 4, "name": "To Do"},
        ],
        "account.chart.template": [{"id": 1, "name": "Generic Chart Template"}]
        if version < 17
        else [],
        "res.company": [
            {
                "id": MAIN_COMPANY_ID,
                "name": "YourCompany",
                "partner_id": 1,
                "currency_id": usd_id,
                "country_id": 233,
                "sequence": 10,
                "active": True,
            }
        ],
        "res.partner": [
            {"id": 1, "name": "YourCompany", "is_company": True, "company_id": MAIN_COMPANY_ID},
            {"id": 2, "name": "OdooBot", "active": False},
            {"id": 3, "name": "Mitchell Admin", "email": "admin@yourcompany.example.com"},
        ],
        "res.users": [
            {
                "id": 1,
                "name": "OdooBot",
                "login": "__system__",
                "partner_id": 2,
                "company_id": MAIN_COMPANY_ID,
                "company_ids": [MAIN_COMPANY_ID],
                "active": False,
            },
            {
                "id": ADMIN_UID,
                "name": "Mitchell Admin",
                "login": "admin",
                "partner_id": 3,
                "company_id": MAIN_COMPANY_ID,
                "company_ids": [MAIN_COMPANY_ID],
                "lang": "en_US",
                "tz": "Europe/Brussels",
                "active": True,
            },
        ],
        "res.currency": currencies,
        "res.country": [
            {"id": 20, "name": "Belgium", "code": "BE"},
            {"id": 75, "name": "France", "code": "FR"},
            {"id": 233, "name": "United States", "code": "US"},
        ],
        "res.partner.category": [
            {"id": 1, "name": "Vendor", "active": True},
            {"id": 2, "name": "Prospects", "active": True},
        ],
        "res.currency.rate": _rates(version),
        "product.category": [{"id": 1, "name": "All"}],
        "uom.uom": [{"id": 1, "name": "Units"}],
        "product.pricelist": [
            {"id": 1, "name": "Public Pricelist", "currency_id": usd_id, "company_id": None}
        ],
        "ir.model.data": [
            {"id": index, "module": module, "name": name, "model": model, "res_id": res_id}
            for index, (module, name, model, res_id) in enumerate(xmlids, start=1)
        ],
    }
