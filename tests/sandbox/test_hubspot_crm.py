"""Search, v4 associations, merged records and the per-second limit of the HubSpot stand-in.

Every response is validated against HubSpot's published OpenAPI documents
(`hubspot-crm-v3/*.json`, associations included) before its content is asserted.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import pytest
from openapi_core import Config, OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from werkzeug.test import Client, EnvironBuilder

from sandbox.hubspot import HubSpotStandIn

TOKEN = "pat-na1-00000000-0000-0000-0000-000000000001"
HUBSPOT = "https://api.hubapi.com"
# Where each object type's document serves it: deals' document uses the type id.
TYPE_PATHS = {"companies": "companies", "contacts": "contacts", "deals": "0-3"}
Apps = dict[str, tuple[OpenAPI, OpenAPI]]


@pytest.fixture(scope="module")
def documents(reference_dir: Path) -> Apps:
    """Per document, a strict app (success bodies) and a lenient one (error bodies).

    HubSpot declares error bodies as `*/*`, so JSON is named as their deserializer; its real
    error bodies carry keys the document omits (`status`, and `errorType` on a 429).
    """

    def app(document: dict[str, Any], policy: Literal["allow", "forbid"]) -> OpenAPI:
        config = Config(
            extra_media_type_deserializers={"*/*": json.loads},
            additional_properties_default_policy=policy,
        )
        return OpenAPI.from_dict(document, config=config)

    apps = {}
    for name in ("companies", "contacts", "deals", "associations"):
        document = json.loads((reference_dir / "hubspot-crm-v3" / f"{name}.json").read_text())
        apps[name] = (app(document, "forbid"), app(document, "allow"))
    return apps


def record(index: int, properties: dict[str, str], **extra: Any) -> dict[str, Any]:
    created = f"2024-{index % 12 + 1:02d}-{index % 28 + 1:02d}T09:00:00Z"
    return {
        "id": str(index),
        "properties": properties,
        "createdAt": created,
        "updatedAt": "2024-12-01T10:00:00Z",
        "archived": False,
        **extra,
    }


def deal(index: int, amount: str, stage: str, closedate: str) -> dict[str, Any]:
    return record(
        index,
        {
            "dealname": f"Deal {index}",
            "amount": amount,
            "dealstage": stage,
            "pipeline": "default",
            "closedate": closedate,
        },
    )


def exchange(
    stand_in: HubSpotStandIn,
    documents: Apps,
    document: str,
    path: str,
    *,
    body: Any = None,
    **query: Any,
) -> tuple[int, Any, dict[str, str]]:
    """One request, its response validated against `document`; status, body and headers."""

    def builder() -> EnvironBuilder:
        return EnvironBuilder(
            path=path,
            base_url=HUBSPOT,
            method="GET" if body is None else "POST",
            query_string=query,
            json=body,
            headers=[("Authorization", f"Bearer {TOKEN}")],
        )

    # One builder per reader: a request body stream can be read once.
    request = builder().get_request()
    response = Client(stand_in.wsgi_app).open(builder())
    strict, lenient = documents[document]
    (strict if response.status_code < 400 else lenient).validate_response(
        WerkzeugOpenAPIRequest(request), WerkzeugOpenAPIResponse(response)
    )
    return response.status_code, response.get_json(), dict(response.headers)


def search(
    stand_in: HubSpotStandIn, documents: Apps, object_type: str, body: dict[str, Any]
) -> tuple[int, Any]:
    path = f"/crm/v3/objects/{TYPE_PATHS[object_type]}/search"
    status, answer, _ = exchange(stand_in, documents, object_type, path, body=body)
    return status, answer


@pytest.fixture
def deals_portal() -> HubSpotStandIn:
    stand_in = HubSpotStandIn(token=TOKEN)
    stand_in.load(
        {
            "deals": [
                deal(1, "1200.00", "closedwon", "2024-03-01T00:00:00Z"),
                deal(2, "800", "closedwon", "2024-05-01T00:00:00Z"),
                deal(3, "15000.50", "contractsent", "2024-07-01T00:00:00Z"),
                deal(4, "99", "closedlost", "2024-09-01T00:00:00Z"),
                {
                    **deal(5, "5000", "closedwon", "2024-01-01T00:00:00Z"),
                    "archived": True,
                    "archivedAt": "2024-10-01T00:00:00Z",
                },
            ]
        }
    )
    return stand_in


def eq(name: str, value: str, operator: str = "EQ") -> dict[str, Any]:
    return {"propertyName": name, "operator": operator, "value": value}


@pytest.mark.parametrize(
    ("groups", "expected_ids"),
    [
        pytest.param([], ["1", "2", "3", "4"], id="no-filter-leaves-out-archived"),
        pytest.param([[eq("dealstage", "CLOSEDWON")]], ["1", "2"], id="eq-ignores-case"),
        pytest.param([[eq("amount", "1000", "GT")]], ["1", "3"], id="gt-numeric"),
        pytest.param([[eq("dealstage", "closedwon"), eq("amount", "1000", "LT")]], ["2"], id="and"),
        pytest.param(
            [[eq("dealstage", "closedlost")], [eq("amount", "10000", "GTE")]],
            ["3", "4"],
            id="or-of-groups",
        ),
        pytest.param(
            [[{"propertyName": "dealstage", "operator": "IN", "values": ["closedlost", "x"]}]],
            ["4"],
            id="in",
        ),
        pytest.param(
            [[{**eq("closedate", "1711929600000", "BETWEEN"), "highValue": "1725148800000"}]],
            ["2", "3", "4"],
            id="between-epoch-ms-dates",
        ),
        pytest.param(
            [[eq("closedate", "2024-06-01T00:00:00Z", "LT")]], ["1", "2"], id="lt-iso-date"
        ),
        pytest.param([[eq("hs_merged_object_ids", "", "HAS_PROPERTY")]], [], id="has-property"),
        pytest.param(
            [[eq("dealname", "deal*", "CONTAINS_TOKEN")]],
            ["1", "2", "3", "4"],
            id="contains-token-wildcard",
        ),
    ],
)
def test_search_filter_groups(
    deals_portal: HubSpotStandIn,
    documents: Apps,
    groups: list[list[dict[str, Any]]],
    expected_ids: list[str],
) -> None:
    body = {"filterGroups": [{"filters": g} for g in groups], "limit": 100}

    status, answer = search(deals_portal, documents, "deals", body)

    assert status == 200, answer
    assert [r["id"] for r in answer["results"]] == expected_ids
    assert answer["total"] == len(expected_ids)


@pytest.mark.parametrize(
    ("sorts", "expected_ids"),
    [
        pytest.param(
            [{"propertyName": "amount", "direction": "DESCENDING"}],
            ["3", "1", "2", "4"],
            id="amount-desc",
        ),
        pytest.param(
            [{"propertyName": "closedate", "direction": "ASCENDING"}],
            ["1", "2", "3", "4"],
            id="date-asc",
        ),
        pytest.param(["-closedate"], ["4", "3", "2", "1"], id="string-form-desc"),
    ],
)
def test_search_sorts(
    deals_portal: HubSpotStandIn, documents: Apps, sorts: list[Any], expected_ids: list[str]
) -> None:
    status, answer = search(deals_portal, documents, "deals", {"sorts": sorts, "limit": 10})

    assert status == 200, answer
    assert [r["id"] for r in answer["results"]] == expected_ids


def test_search_pages_with_after_until_no_next(
    deals_portal: HubSpotStandIn, documents: Apps
) -> None:
    pages, body = [], {"limit": 3, "properties": ["amount"]}
    while True:
        status, answer = search(deals_portal, documents, "deals", body)
        assert status == 200
        pages.append([r["id"] for r in answer["results"]])
        if "paging" not in answer:
            break
        body = {**body, "after": answer["paging"]["next"]["after"]}

    assert pages == [["1", "2", "3"], ["4"]]
    assert set(answer["results"][0]["properties"]) == {
        "amount",
        "hs_object_id",
        "createdate",
        "hs_lastmodifieddate",
    }


def test_search_stops_at_10000_results_per_query(documents: Apps) -> None:
    stand_in = HubSpotStandIn(token=TOKEN)
    stand_in.load({"companies": [record(i, {"name": f"Co {i}"}) for i in range(1, 10_051)]})

    status, last = search(stand_in, documents, "companies", {"limit": 100, "after": "9900"})
    refused, error = search(stand_in, documents, "companies", {"limit": 100, "after": "10000"})

    assert status == 200
    assert last["total"] == 10_050
    assert [r["id"] for r in last["results"]][-1] == "10000"
    assert last["paging"]["next"]["after"] == "10000"
    assert refused == 400
    assert error["category"] == "VALIDATION_ERROR"


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"limit": 201}, id="limit-over-200"),
        pytest.param({"filterGroups": [{"filters": [eq("a", "b")]}] * 6}, id="six-groups"),
        pytest.param({"sorts": ["amount", "closedate"]}, id="two-sorts"),
        pytest.param({"filterGroups": [{"filters": [eq("a", "b", "LIKE")]}]}, id="bad-operator"),
    ],
)
def test_search_refuses_what_hubspot_refuses(
    deals_portal: HubSpotStandIn, documents: Apps, body: dict[str, Any]
) -> None:
    status, error = search(deals_portal, documents, "deals", body)

    assert status == 400
    assert error["category"] == "VALIDATION_ERROR"


@pytest.fixture
def associated_portal() -> HubSpotStandIn:
    """Company 1 with 250 contacts (the first its primary company), and a deal on both."""
    stand_in = HubSpotStandIn(token=TOKEN)
    contacts = [
        record(1000 + i, {"email": f"p{i}@example.com", "associatedcompanyid": "1"})
        for i in range(250)
    ]
    stand_in.load(
        {
            "companies": [record(1, {"name": "Acme"}), record(2, {"name": "Other"})],
            "contacts": contacts,
            "deals": [deal(500, "1200", "closedwon", "2024-03-01T00:00:00Z")],
            "associations": [
                {
                    "from_type": "deals",
                    "from_id": "500",
                    "to_type": "companies",
                    "to_id": "1",
                    "primary": True,
                },
                {"from_type": "deals", "from_id": "500", "to_type": "contacts", "to_id": "1000"},
            ],
        }
    )
    return stand_in


def test_v4_associations_page_past_100(associated_portal: HubSpotStandIn, documents: Apps) -> None:
    ids: list[str] = []
    pages = 0
    query: dict[str, Any] = {"limit": 100}
    while True:
        status, page, _ = exchange(
            associated_portal,
            documents,
            "associations",
            "/crm/v4/objects/companies/1/associations/contacts",
            **query,
        )
        assert status == 200
        pages += 1
        ids += [r["toObjectId"] for r in page["results"]]
        if "paging" not in page:
            break
        query = {"limit": 100, "after": page["paging"]["next"]["after"]}

    assert pages == 3
    assert ids == [str(1000 + i) for i in range(250)]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        pytest.param(
            "/crm/v4/objects/contacts/1000/associations/companies",
            [
                {
                    "toObjectId": "1",
                    "associationTypes": [
                        {"category": "HUBSPOT_DEFINED", "typeId": 1, "label": "Primary"},
                        {"category": "HUBSPOT_DEFINED", "typeId": 279},
                    ],
                }
            ],
            id="contact-primary-company",
        ),
        pytest.param(
            "/crm/v4/objects/0-3/500/associations/company",
            [
                {
                    "toObjectId": "1",
                    "associationTypes": [
                        {"category": "HUBSPOT_DEFINED", "typeId": 5, "label": "Primary"},
                        {"category": "HUBSPOT_DEFINED", "typeId": 341},
                    ],
                }
            ],
            id="deal-company-by-type-id",
        ),
        pytest.param(
            "/crm/v4/objects/contacts/1000/associations/deals",
            [
                {
                    "toObjectId": "500",
                    "associationTypes": [
                        {"category": "HUBSPOT_DEFINED", "typeId": 4},
                    ],
                }
            ],
            id="contact-deal-mirrored",
        ),
        pytest.param("/crm/v4/objects/companies/2/associations/contacts", [], id="none"),
    ],
)
def test_v4_association_types_and_directions(
    associated_portal: HubSpotStandIn, documents: Apps, path: str, expected: list[Any]
) -> None:
    status, page, _ = exchange(associated_portal, documents, "associations", path)

    assert status == 200
    assert page["results"] == expected


def test_v4_batch_read_pages_each_id_and_reports_missing_ones(
    documents: Apps,
) -> None:
    stand_in = HubSpotStandIn(token=TOKEN)
    contacts = [record(1000 + i, {"associatedcompanyid": "1"}) for i in range(600)]
    stand_in.load({"companies": [record(1, {"name": "Acme"})], "contacts": contacts})
    path = "/crm/v4/associations/companies/contacts/batch/read"

    status, first, _ = exchange(
        stand_in, documents, "associations", path, body={"inputs": [{"id": "1"}, {"id": "9"}]}
    )
    after = first["results"][0]["paging"]["next"]["after"]
    _, second, _ = exchange(
        stand_in, documents, "associations", path, body={"inputs": [{"id": "1", "after": after}]}
    )

    assert status == 207
    assert len(first["results"][0]["to"]) == 500
    assert [e["context"]["ids"] for e in first["errors"]] == [["9"]]
    assert len(second["results"][0]["to"]) == 100
    assert "paging" not in second["results"][0]
    assert second["results"][0]["to"][-1]["toObjectId"] == "1599"


@pytest.fixture
def merged_portal() -> HubSpotStandIn:
    stand_in = HubSpotStandIn(token=TOKEN)
    survivor = record(10, {"email": "a@example.com", "hs_merged_object_ids": "11;12"})
    stand_in.load({"contacts": [survivor, record(13, {"email": "b@example.com"})]})
    return stand_in


def test_merged_away_id_answers_with_the_survivor(
    merged_portal: HubSpotStandIn, documents: Apps
) -> None:
    status, body, _ = exchange(
        merged_portal,
        documents,
        "contacts",
        "/crm/v3/objects/contacts/11",
        properties="email,hs_merged_object_ids",
    )

    assert status == 200
    assert body["id"] == "10"
    assert body["properties"]["hs_merged_object_ids"] == "11;12"


def test_merged_away_ids_are_not_listed_or_searched(
    merged_portal: HubSpotStandIn, documents: Apps
) -> None:
    _, listed, _ = exchange(merged_portal, documents, "contacts", "/crm/v3/objects/contacts")
    _, found = search(
        merged_portal,
        documents,
        "contacts",
        {"filterGroups": [{"filters": [eq("hs_object_id", "11")]}]},
    )

    assert [r["id"] for r in listed["results"]] == ["10", "13"]
    assert found["results"] == []


def test_loading_a_merged_away_record_is_refused() -> None:
    stand_in = HubSpotStandIn(token=TOKEN)

    with pytest.raises(ValueError, match="merged into 10"):
        stand_in.load({"contacts": [record(10, {"hs_merged_object_ids": "11"}), record(11, {})]})


def test_archived_record_is_listed_with_archived_at_only_when_asked(
    deals_portal: HubSpotStandIn, documents: Apps
) -> None:
    _, archived, _ = exchange(
        deals_portal, documents, "deals", "/crm/v3/objects/0-3", archived="true"
    )
    _, active, _ = exchange(deals_portal, documents, "deals", "/crm/v3/objects/0-3")

    assert [(r["id"], r["archivedAt"]) for r in archived["results"]] == [
        ("5", "2024-10-01T00:00:00Z")
    ]
    assert all("archivedAt" not in r for r in active["results"])


def test_per_second_limit_answers_429_with_retry_after(documents: Apps) -> None:
    now = [50.0]
    stand_in = HubSpotStandIn(
        token=TOKEN,
        rate_limit_per_second=3,
        search_rate_limit_per_second=1,
        clock=lambda: now[0],
    )
    stand_in.load({"companies": [record(1, {"name": "Acme"})]})

    first_search, _ = search(stand_in, documents, "companies", {})
    second_search, _ = search(stand_in, documents, "companies", {})
    statuses = [
        exchange(stand_in, documents, "companies", "/crm/v3/objects/companies")[0] for _ in range(2)
    ]
    status, body, headers = exchange(stand_in, documents, "companies", "/crm/v3/objects/companies")
    now[0] += 1.0
    later = exchange(stand_in, documents, "companies", "/crm/v3/objects/companies")[0]

    assert (first_search, second_search) == (200, 429)
    assert statuses == [200, 200]
    assert status == 429
    assert headers["Retry-After"] == "1"
    assert (body["category"], body["errorType"]) == ("RATE_LIMITS", "RATE_LIMIT")
    assert later == 200
    assert [c.status for c in stand_in.calls] == [200, 429, 200, 200, 429, 200]
