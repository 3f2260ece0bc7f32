"""The HubSpot stand-in answers as HubSpot's published CRM v3 OpenAPI documents say it does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl, urlsplit

import pytest
from openapi_core import Config, OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from werkzeug.test import Client, EnvironBuilder

from sandbox.hubspot import HubSpotStandIn

TOKEN = "pat-na1-00000000-0000-0000-0000-000000000001"
HUBSPOT = "https://api.hubapi.com"

# (document, path the document uses, object type) for each object type served.
DOCUMENTED_PATHS = [
    pytest.param("companies", "/crm/v3/objects/companies", "companies", id="companies"),
    pytest.param("contacts", "/crm/v3/objects/contacts", "contacts", id="contacts"),
    pytest.param("deals", "/crm/v3/objects/0-3", "deals", id="deals"),
]


@pytest.fixture(scope="module")
def documents(reference_dir: Path) -> dict[str, tuple[OpenAPI, OpenAPI]]:
    """Per object type, a strict and a lenient OpenAPI app from HubSpot's own document.

    The documents declare error bodies as `*/*`, which openapi-core leaves unparsed, so JSON is
    named as their deserializer. Success bodies are checked strictly (no undeclared keys);
    error bodies leniently, because HubSpot's real ones carry a `status` the document omits.
    """

    def app(document: dict[str, Any], policy: Literal["allow", "forbid"]) -> OpenAPI:
        config = Config(
            extra_media_type_deserializers={"*/*": json.loads},
            additional_properties_default_policy=policy,
        )
        return OpenAPI.from_dict(document, config=config)

    apps = {}
    for name in ("companies", "contacts", "deals"):
        document = json.loads((reference_dir / "hubspot-crm-v3" / f"{name}.json").read_text())
        apps[name] = (app(document, "forbid"), app(document, "allow"))
    return apps


def make_record(object_type: str, index: int, *, archived: bool = False) -> dict[str, Any]:
    """A record in HubSpot's object shape with a few properties typical of its type."""
    created, updated = f"2024-01-{index % 28 + 1:02d}T09:00:00Z", "2024-03-01T10:30:00.125Z"
    properties = {
        "companies": {"name": f"Company {index}", "domain": f"c{index}.example.com"},
        "contacts": {"email": f"p{index}@example.com", "firstname": "Pat", "lastname": f"L{index}"},
        "deals": {"dealname": f"Deal {index}", "amount": "1200.00", "dealstage": "closedwon"},
    }[object_type]
    record: dict[str, Any] = {
        "id": str(1000 + index),
        "properties": {
            **properties,
            "hs_object_id": str(1000 + index),
            "createdate": created,
            "hs_lastmodifieddate": updated,
        },
        "createdAt": created,
        "updatedAt": updated,
        "archived": archived,
    }
    if archived:
        record["archivedAt"] = "2024-04-01T00:00:00Z"
    return record


def call(
    stand_in: HubSpotStandIn, path: str, *, token: str | None = TOKEN, **query: Any
) -> tuple[WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse, Any]:
    """A GET as HubSpot would receive it, with its request and response wrapped for openapi-core."""
    headers = [("Authorization", f"Bearer {token}")] if token else []
    builder = EnvironBuilder(path=path, base_url=HUBSPOT, query_string=query, headers=headers)
    request = builder.get_request()
    response = Client(stand_in.wsgi_app).open(builder)
    return (
        WerkzeugOpenAPIRequest(request),
        WerkzeugOpenAPIResponse(response),
        response.get_json(),
    )


def validated(
    documents: dict[str, tuple[OpenAPI, OpenAPI]],
    document: str,
    exchange: tuple[WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse, Any],
) -> tuple[int, Any]:
    """The status and body of an exchange, after validating the response against the document."""
    request, response, body = exchange
    strict, lenient = documents[document]
    (strict if response.status_code < 400 else lenient).validate_response(request, response)
    return response.status_code, body


def stand_in_with(**records: list[dict[str, Any]]) -> HubSpotStandIn:
    stand_in = HubSpotStandIn(token=TOKEN)
    stand_in.load(records)
    return stand_in


@pytest.mark.parametrize(("document", "path", "object_type"), DOCUMENTED_PATHS)
def test_paging_250_records_by_100_returns_each_once_in_id_order(
    documents: dict[str, tuple[OpenAPI, OpenAPI]], document: str, path: str, object_type: str
) -> None:
    records = [make_record(object_type, i) for i in range(250)]
    stand_in = stand_in_with(**{object_type: records[::-1]})

    pages: list[dict[str, Any]] = []
    cursor: dict[str, str] = {}
    while True:
        status, page = validated(documents, document, call(stand_in, path, limit=100, **cursor))
        assert status == 200
        pages.append(page)
        if "paging" not in page:
            break
        cursor = {"after": page["paging"]["next"]["after"]}

    ids = [r["id"] for page in pages for r in page["results"]]
    assert [len(page["results"]) for page in pages] == [100, 100, 50]
    assert ids == [r["id"] for r in records]


@pytest.mark.parametrize(("document", "path", "object_type"), DOCUMENTED_PATHS)
def test_single_object_validates_and_matches_the_store(
    documents: dict[str, tuple[OpenAPI, OpenAPI]], document: str, path: str, object_type: str
) -> None:
    record = make_record(object_type, 7)
    stand_in = stand_in_with(**{object_type: [record]})

    status, body = validated(documents, document, call(stand_in, f"{path}/{record['id']}"))

    assert status == 200
    assert body["id"] == record["id"]
    assert body["archived"] is False
    assert "archivedAt" not in body
    assert (body["createdAt"], body["updatedAt"]) == (record["createdAt"], record["updatedAt"])


def test_default_limit_is_ten_and_link_follows_to_the_next_page(
    documents: dict[str, tuple[OpenAPI, OpenAPI]],
) -> None:
    stand_in = stand_in_with(companies=[make_record("companies", i) for i in range(15)])

    _, first = validated(documents, "companies", call(stand_in, "/crm/v3/objects/companies"))
    link = urlsplit(first["paging"]["next"]["link"])
    _, second = validated(
        documents, "companies", call(stand_in, link.path, **dict(parse_qsl(link.query)))
    )

    assert len(first["results"]) == 10
    assert f"{link.scheme}://{link.netloc}{link.path}" == f"{HUBSPOT}/crm/v3/objects/companies"
    assert [r["id"] for r in second["results"]] == [str(1000 + i) for i in range(10, 15)]
    assert "paging" not in second


@pytest.mark.parametrize(
    ("archived", "expected_indexes"),
    [
        pytest.param(None, [0, 2], id="default-active-only"),
        pytest.param("false", [0, 2], id="false-active-only"),
        pytest.param("true", [1, 3], id="true-archived-only"),
    ],
)
def test_archived_switch_selects_active_or_archived_records(
    documents: dict[str, tuple[OpenAPI, OpenAPI]],
    archived: str | None,
    expected_indexes: list[int],
) -> None:
    records = [make_record("contacts", i, archived=i % 2 == 1) for i in range(4)]
    stand_in = stand_in_with(contacts=records)
    query = {"archived": archived} if archived else {}

    status, page = validated(
        documents, "contacts", call(stand_in, "/crm/v3/objects/contacts", **query)
    )

    assert status == 200
    assert [r["id"] for r in page["results"]] == [records[i]["id"] for i in expected_indexes]
    assert all(r["archived"] is (archived == "true") for r in page["results"])
    assert all(("archivedAt" in r) is (archived == "true") for r in page["results"])


def test_archived_object_is_found_only_when_archived_is_asked_for(
    documents: dict[str, tuple[OpenAPI, OpenAPI]],
) -> None:
    record = make_record("companies", 1, archived=True)
    stand_in = stand_in_with(companies=[record])
    path = f"/crm/v3/objects/companies/{record['id']}"

    hidden, _ = validated(documents, "companies", call(stand_in, path))
    found, body = validated(documents, "companies", call(stand_in, path, archived="true"))

    assert hidden == 404
    assert found == 200
    assert body["archivedAt"] == record["archivedAt"]


@pytest.mark.parametrize(
    ("object_type", "query", "expected_properties"),
    [
        pytest.param(
            "companies",
            {},
            ["createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"],
            id="companies-defaults",
        ),
        pytest.param(
            "contacts",
            {},
            ["createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"],
            id="contacts-defaults",
        ),
        pytest.param(
            "companies",
            {"properties": "domain,industry,not_a_property"},
            ["createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "industry"],
            id="requested-plus-always",
        ),
        pytest.param(
            "companies",
            {"properties": "phone"},
            ["createdate", "hs_lastmodifieddate", "hs_object_id"],
            id="null-property-left-out",
        ),
    ],
)
def test_properties_returned(
    documents: dict[str, tuple[OpenAPI, OpenAPI]],
    object_type: str,
    query: dict[str, str],
    expected_properties: list[str],
) -> None:
    record = make_record(object_type, 1)
    record["properties"].update(industry="SOFTWARE", phone=None, city="Lyon")
    stand_in = stand_in_with(**{object_type: [record]})

    _, page = validated(
        documents, object_type, call(stand_in, f"/crm/v3/objects/{object_type}", **query)
    )

    assert sorted(page["results"][0]["properties"]) == expected_properties


@pytest.mark.parametrize(
    ("type_id", "object_type"),
    [
        pytest.param("0-2", "companies", id="companies"),
        pytest.param("0-1", "contacts", id="contacts"),
    ],
)
def test_type_id_answers_like_the_type_name(type_id: str, object_type: str) -> None:
    stand_in = stand_in_with(**{object_type: [make_record(object_type, i) for i in range(3)]})

    _, _, by_name = call(stand_in, f"/crm/v3/objects/{object_type}")
    _, _, by_id = call(stand_in, f"/crm/v3/objects/{type_id}")
    _, _, one = call(stand_in, f"/crm/v3/objects/{type_id}/1001")

    assert by_id == by_name
    assert one == by_name["results"][1]


def test_contact_is_found_by_an_id_property(documents: dict[str, tuple[OpenAPI, OpenAPI]]) -> None:
    stand_in = stand_in_with(contacts=[make_record("contacts", i) for i in range(3)])

    status, body = validated(
        documents,
        "contacts",
        call(stand_in, "/crm/v3/objects/contacts/p2@example.com", idProperty="email"),
    )

    assert status == 200
    assert body["id"] == "1002"


@pytest.mark.parametrize(
    ("path", "token", "query", "status", "category"),
    [
        pytest.param("/crm/v3/objects/companies", None, {}, 401, "INVALID_AUTHENTICATION", id="no"),
        pytest.param(
            "/crm/v3/objects/companies", "pat-wrong", {}, 401, "INVALID_AUTHENTICATION", id="bad"
        ),
        pytest.param("/crm/v3/objects/companies/999", TOKEN, {}, 404, "OBJECT_NOT_FOUND", id="404"),
        pytest.param(
            "/crm/v3/objects/companies", TOKEN, {"limit": 101}, 400, "VALIDATION_ERROR", id="limit"
        ),
        pytest.param(
            "/crm/v3/objects/companies", TOKEN, {"after": "!!"}, 400, "VALIDATION_ERROR", id="after"
        ),
    ],
)
def test_errors_carry_hubspots_error_body(
    documents: dict[str, tuple[OpenAPI, OpenAPI]],
    path: str,
    token: str | None,
    query: dict[str, Any],
    status: int,
    category: str,
) -> None:
    stand_in = stand_in_with(companies=[make_record("companies", 1)])

    answered, body = validated(documents, "companies", call(stand_in, path, token=token, **query))

    assert answered == status
    assert body["status"] == "error"
    assert body["category"] == category
    assert "pat-wrong" not in body["message"]


def test_calls_are_logged_with_object_type_and_count() -> None:
    stand_in = stand_in_with(deals=[make_record("deals", i) for i in range(3)])

    call(stand_in, "/crm/v3/objects/0-3", limit=2)
    call(stand_in, "/crm/v3/objects/deals", token="pat-wrong")

    assert [(c.status, c.detail) for c in stand_in.calls] == [
        (200, {"object_type": "deals", "count": 2}),
        (401, {"error": "INVALID_AUTHENTICATION"}),
    ]


def test_load_fills_always_present_properties_and_counts() -> None:
    record = make_record("contacts", 1)
    record["properties"] = {"email": "p1@example.com"}
    stand_in = HubSpotStandIn(token=TOKEN)

    counts = stand_in.load({"contacts": [record, make_record("contacts", 2, archived=True)]})
    _, _, body = call(stand_in, "/crm/v3/objects/contacts/1001")

    assert counts["contacts"] == {"active": 1, "archived": 1}
    assert body["properties"] == {
        "createdate": record["createdAt"],
        "email": "p1@example.com",
        "hs_object_id": "1001",
        "lastmodifieddate": record["updatedAt"],
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param({"id": "abc"}, "numeric string id", id="id"),
        pytest.param({"properties": {"amount": 12}}, "properties of strings", id="property"),
        pytest.param({"archived": True}, "archivedAt", id="archived-at"),
        pytest.param({"updatedAt": None}, "updatedAt", id="updated-at"),
    ],
)
def test_load_refuses_records_out_of_hubspot_shape(change: dict[str, Any], message: str) -> None:
    record = {**make_record("companies", 1), **change}

    with pytest.raises(ValueError, match=message):
        HubSpotStandIn(token=TOKEN).load({"companies": [record]})
