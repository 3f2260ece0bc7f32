"""The Stripe stand-in answers like Stripe: object shapes, list paging, errors and accounts."""

from __future__ import annotations

import base64
import copy
import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from werkzeug.test import Client

from sandbox.http import serve
from sandbox.stripe import StripeStandIn

MAIN_KEY = "sk_test_main0000000000000001"
EU_KEY = "sk_test_eu000000000000000002"
BASE_CREATED = 1_700_000_000


@pytest.fixture(scope="module")
def fixture_customer(reference_dir: Path) -> dict[str, Any]:
    """Stripe's own example customer at a recent API version."""
    fixtures = json.loads((reference_dir / "stripe-fixtures3.json").read_text())
    customer: dict[str, Any] = fixtures["resources"]["customer"]
    return customer


@pytest.fixture(scope="module")
def fixture_event(reference_dir: Path) -> dict[str, Any]:
    fixtures = json.loads((reference_dir / "stripe-fixtures3.json").read_text())
    event: dict[str, Any] = fixtures["resources"]["event"]
    return event


def make_customer(template: dict[str, Any], index: int, *, created: int) -> dict[str, Any]:
    """A customer with the fixture's shape and its own id, creation time and contact details."""
    customer = copy.deepcopy(template)
    customer.update(
        id=f"cus_{index:014d}",
        created=created,
        email=f"buyer{index}@example.com",
        name=f"Buyer {index}",
        metadata={"world_index": str(index)},
    )
    return customer


def make_event(template: dict[str, Any], index: int, *, event_type: str) -> dict[str, Any]:
    event = copy.deepcopy(template)
    event.update(id=f"evt_{index:014d}", created=BASE_CREATED + index, type=event_type)
    return event


def stand_in_with(
    customers: list[dict[str, Any]],
    events: list[dict[str, Any]] | None = None,
    **options: Any,
) -> StripeStandIn:
    stand_in = StripeStandIn(accounts={"main": MAIN_KEY, "eu": EU_KEY}, **options)
    stand_in.load({"accounts": {"main": {"customers": customers, "events": events or []}}})
    return stand_in


def get(
    stand_in: StripeStandIn, path: str, *, key: str | None = MAIN_KEY, **query: Any
) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    response = Client(stand_in.wsgi_app).get(path, query_string=query, headers=headers)
    return response.status_code, response.get_json()


def walk_customers(stand_in: StripeStandIn, **query: Any) -> list[dict[str, Any]]:
    """Every page of `/v1/customers`, following `starting_after` until `has_more` is false."""
    pages: list[dict[str, Any]] = []
    cursor: dict[str, str] = {}
    while True:
        status, page = get(stand_in, "/v1/customers", **query, **cursor)
        assert status == 200, page
        pages.append(page)
        if not page["has_more"]:
            return pages
        cursor = {"starting_after": page["data"][-1]["id"]}


def shape_mismatches(served: Any, expected: Any, path: str = "customer") -> list[str]:
    """Where `served` differs from `expected` in keys or JSON types; None expects anything."""
    if expected is None:
        return []
    if type(served) is not type(expected):
        return [f"{path}: {type(served).__name__} where Stripe has {type(expected).__name__}"]
    if not isinstance(expected, dict) or not expected:
        return []
    problems = []
    if set(served) != set(expected):
        missing, extra = sorted(set(expected) - set(served)), sorted(set(served) - set(expected))
        problems.append(f"{path}: missing keys {missing}, unexpected keys {extra}")
    for key in set(served) & set(expected):
        problems += shape_mismatches(served[key], expected[key], f"{path}.{key}")
    return problems


def test_listed_customers_have_stripes_keys_and_types(fixture_customer: dict[str, Any]) -> None:
    customers = [make_customer(fixture_customer, i, created=BASE_CREATED + i) for i in range(30)]
    stand_in = stand_in_with(customers)

    served = [c for page in walk_customers(stand_in, limit=7) for c in page["data"]]

    assert len(served) == 30
    assert [p for c in served for p in shape_mismatches(c, fixture_customer)] == []


def test_retrieved_customer_has_stripes_keys_and_types(fixture_customer: dict[str, Any]) -> None:
    customer = make_customer(fixture_customer, 1, created=BASE_CREATED)
    stand_in = stand_in_with([customer])

    status, served = get(stand_in, f"/v1/customers/{customer['id']}")

    assert status == 200
    assert shape_mismatches(served, fixture_customer) == []
    assert served == customer


def test_paging_250_customers_by_100_returns_each_once_newest_first(
    fixture_customer: dict[str, Any],
) -> None:
    # Pairs share a creation second so the id tie-break is exercised across page edges.
    customers = [
        make_customer(fixture_customer, i, created=BASE_CREATED + i // 2) for i in range(250)
    ]
    stand_in = stand_in_with(customers)

    pages = walk_customers(stand_in, limit=100)

    ids = [c["id"] for page in pages for c in page["data"]]
    assert [len(page["data"]) for page in pages] == [100, 100, 50]
    assert [page["has_more"] for page in pages] == [True, True, False]
    assert sorted(ids) == sorted(c["id"] for c in customers)
    assert len(set(ids)) == 250
    assert ids == sorted(ids, reverse=True)
    assert all(page["object"] == "list" and page["url"] == "/v1/customers" for page in pages)


def test_default_limit_is_ten(fixture_customer: dict[str, Any]) -> None:
    stand_in = stand_in_with(
        [make_customer(fixture_customer, i, created=BASE_CREATED + i) for i in range(15)]
    )

    status, page = get(stand_in, "/v1/customers")

    assert status == 200
    assert len(page["data"]) == 10
    assert page["has_more"] is True


def test_ending_before_pages_towards_newer_customers(fixture_customer: dict[str, Any]) -> None:
    customers = [make_customer(fixture_customer, i, created=BASE_CREATED + i) for i in range(10)]
    stand_in = stand_in_with(customers)

    status, page = get(stand_in, "/v1/customers", limit=3, ending_before=customers[2]["id"])

    assert status == 200
    assert [c["id"] for c in page["data"]] == [customers[i]["id"] for i in (5, 4, 3)]
    assert page["has_more"] is True


def test_deleted_customer_is_left_out_of_lists_and_retrieved_as_stub(
    fixture_customer: dict[str, Any],
) -> None:
    live = make_customer(fixture_customer, 1, created=BASE_CREATED)
    stub = {"id": "cus_gone0000000001", "object": "customer", "deleted": True}
    stand_in = StripeStandIn(accounts={"main": MAIN_KEY})

    counts = stand_in.load({"accounts": {"main": {"customers": [live, stub]}}})
    _, page = get(stand_in, "/v1/customers", limit=100)
    status, retrieved = get(stand_in, f"/v1/customers/{stub['id']}")

    assert counts == {"main": {"customers": 1, "deleted_customers": 1, "events": 0}}
    assert [c["id"] for c in page["data"]] == [live["id"]]
    assert status == 200
    assert retrieved == {"id": stub["id"], "object": "customer", "deleted": True}


def test_unknown_customer_is_404_resource_missing() -> None:
    stand_in = stand_in_with([])

    status, body = get(stand_in, "/v1/customers/cus_nope")

    assert status == 404
    assert body["error"]["type"] == "invalid_request_error"
    assert body["error"]["code"] == "resource_missing"
    assert body["error"]["message"] == "No such customer: 'cus_nope'"


@pytest.mark.parametrize("param", ["starting_after", "ending_before"])
def test_unknown_cursor_is_400_resource_missing(param: str) -> None:
    stand_in = stand_in_with([])

    status, body = get(stand_in, "/v1/customers", **{param: "cus_nope"})

    assert status == 400
    assert body["error"]["code"] == "resource_missing"
    assert body["error"]["param"] == param


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param(None, id="missing"),
        pytest.param("Bearer sk_test_wrong0000000000009999", id="wrong-bearer"),
        pytest.param("Basic " + base64.b64encode(b"sk_test_x:").decode(), id="wrong-basic"),
    ],
)
def test_bad_or_missing_key_is_401_without_echoing_the_key(authorization: str | None) -> None:
    stand_in = stand_in_with([])
    headers = {"Authorization": authorization} if authorization else {}

    response = Client(stand_in.wsgi_app).get("/v1/customers", headers=headers)

    body = response.get_json()
    assert response.status_code == 401
    assert set(body) == {"error"}
    assert body["error"]["type"] == "invalid_request_error"
    assert "wrong0000000000" not in body["error"]["message"]


def test_basic_auth_with_the_key_as_username_is_accepted(
    fixture_customer: dict[str, Any],
) -> None:
    stand_in = stand_in_with([make_customer(fixture_customer, 1, created=BASE_CREATED)])
    basic = base64.b64encode(f"{MAIN_KEY}:".encode()).decode()

    response = Client(stand_in.wsgi_app).get(
        "/v1/customers", headers={"Authorization": f"Basic {basic}"}
    )

    assert response.status_code == 200
    assert len(response.get_json()["data"]) == 1


@pytest.mark.parametrize("limit", [101, 0])
def test_limit_out_of_range_is_400_on_limit(limit: int) -> None:
    stand_in = stand_in_with([])

    status, body = get(stand_in, "/v1/customers", limit=limit)

    assert status == 400
    assert body["error"]["type"] == "invalid_request_error"
    assert body["error"]["param"] == "limit"


@pytest.mark.parametrize(
    ("query", "expected_indexes"),
    [
        pytest.param({"email": "buyer3@example.com"}, [3], id="email"),
        pytest.param({"created[gt]": BASE_CREATED + 2}, [4, 3], id="created-gt"),
        pytest.param({"created[gte]": BASE_CREATED + 2}, [4, 3, 2], id="created-gte"),
        pytest.param({"created[lt]": BASE_CREATED + 2}, [1, 0], id="created-lt"),
        pytest.param({"created[lte]": BASE_CREATED + 2}, [2, 1, 0], id="created-lte"),
        pytest.param({"created": BASE_CREATED + 2}, [2], id="created-exact"),
    ],
)
def test_customer_filters(
    fixture_customer: dict[str, Any], query: dict[str, Any], expected_indexes: list[int]
) -> None:
    customers = [make_customer(fixture_customer, i, created=BASE_CREATED + i) for i in range(5)]
    stand_in = stand_in_with(customers)

    status, page = get(stand_in, "/v1/customers", **query)

    assert status == 200
    assert [c["id"] for c in page["data"]] == [customers[i]["id"] for i in expected_indexes]


@pytest.mark.parametrize(
    ("query", "expected_indexes"),
    [
        pytest.param({}, [3, 2, 1, 0], id="all"),
        pytest.param({"type": "customer.created"}, [2, 0], id="type"),
        pytest.param({"type": "customer.*"}, [3, 2, 0], id="wildcard"),
        pytest.param({"types[]": ["invoice.paid", "customer.updated"]}, [3, 1], id="types"),
        pytest.param({"created[gte]": BASE_CREATED + 2}, [3, 2], id="created"),
    ],
)
def test_event_filters(
    fixture_event: dict[str, Any], query: dict[str, Any], expected_indexes: list[int]
) -> None:
    types = ["customer.created", "invoice.paid", "customer.created", "customer.updated"]
    events = [make_event(fixture_event, i, event_type=t) for i, t in enumerate(types)]
    stand_in = stand_in_with([], events)

    status, page = get(stand_in, "/v1/events", **query)

    assert status == 200
    assert page["url"] == "/v1/events"
    assert [e["id"] for e in page["data"]] == [events[i]["id"] for i in expected_indexes]


def test_each_key_sees_only_its_own_account(fixture_customer: dict[str, Any]) -> None:
    stand_in = StripeStandIn(accounts={"main": MAIN_KEY, "eu": EU_KEY})
    main = make_customer(fixture_customer, 1, created=BASE_CREATED)
    eu = make_customer(fixture_customer, 2, created=BASE_CREATED)
    stand_in.load({"accounts": {"main": {"customers": [main]}, "eu": {"customers": [eu]}}})

    _, main_page = get(stand_in, "/v1/customers", key=MAIN_KEY)
    _, eu_page = get(stand_in, "/v1/customers", key=EU_KEY)
    status, _ = get(stand_in, f"/v1/customers/{eu['id']}", key=MAIN_KEY)

    assert [c["id"] for c in main_page["data"]] == [main["id"]]
    assert [c["id"] for c in eu_page["data"]] == [eu["id"]]
    assert status == 404
    assert [(c.detail["account"], c.detail["object"]) for c in stand_in.calls] == [
        ("main", "customer"),
        ("eu", "customer"),
        ("main", "customer"),
    ]


def test_loading_an_unknown_account_is_refused() -> None:
    stand_in = StripeStandIn(accounts={"main": MAIN_KEY})

    with pytest.raises(ValueError, match="'us'"):
        stand_in.load({"accounts": {"us": {"customers": []}}})


def test_rate_ceiling_answers_429_with_stripes_body_until_the_second_passes() -> None:
    now = [100.0]
    stand_in = stand_in_with([], rate_limit_per_second=2, clock=lambda: now[0])

    statuses = [get(stand_in, "/v1/customers")[0] for _ in range(3)]
    _, body = get(stand_in, "/v1/customers")
    other_path, _ = get(stand_in, "/v1/events")
    now[0] += 1.0
    after_a_second, _ = get(stand_in, "/v1/customers")

    assert statuses == [200, 200, 429]
    assert body["error"]["code"] == "rate_limit"
    assert body["error"]["type"] == "invalid_request_error"
    assert other_path == 200
    assert after_a_second == 200


def test_latency_delays_each_answer_over_http(fixture_customer: dict[str, Any]) -> None:
    stand_in = stand_in_with(
        [make_customer(fixture_customer, 1, created=BASE_CREATED)], latency_seconds=0.2
    )
    server = serve(stand_in)
    try:
        started = time.monotonic()
        response = httpx.get(
            f"{server.url}/v1/customers", headers={"Authorization": f"Bearer {MAIN_KEY}"}
        )
        elapsed = time.monotonic() - started
    finally:
        server.stop()

    assert response.status_code == 200
    assert response.json()["data"][0]["id"] == "cus_00000000000001"
    assert elapsed >= 0.2
