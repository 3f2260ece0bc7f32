"""The shared HTTP pieces: the paginator that refuses to loop, and log redaction."""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from dlt.pipeline.exceptions import PipelineStepFailed
from requests import Request, Response
from werkzeug.wrappers import Request as WsgiRequest
from werkzeug.wrappers import Response as WsgiResponse

from dlt_sources.crm import crm_pipeline, crm_source
from dlt_sources.http import (
    HTTP_LOGGERS,
    AdvancingCursorPaginator,
    CursorNotAdvancing,
    SecretRedactor,
    redact_loggers,
)
from dlt_sources.stripe import stripe_pipeline, stripe_source
from sandbox.http import RunningServer, StandIn, json_response, serve
from tests.dlt_sources.conftest import Warehouse

SECRET = "sk_test_redactme000000000001"


class StuckPageStandIn(StandIn):
    """A server that ignores the cursor: every path answers its one page, forever."""

    system = "stuck"

    def __init__(self, pages: dict[str, dict[str, Any]]) -> None:
        super().__init__()
        self.pages = pages

    def handle(self, request: WsgiRequest, detail: dict[str, Any]) -> WsgiResponse:
        page = self.pages.get(request.path)
        if page is None:
            return json_response({"error": f"no page for {request.path}"}, status=404)
        return json_response(page)


STRIPE_STUCK = {
    "/v1/customers": {
        "object": "list",
        "data": [
            {"id": "cus_00000000000002", "object": "customer", "created": 1_700_000_002},
            {"id": "cus_00000000000001", "object": "customer", "created": 1_700_000_001},
        ],
        "has_more": True,
        "url": "/v1/customers",
    },
    "/v1/events": {"object": "list", "data": [], "has_more": False, "url": "/v1/events"},
}


def hubspot_stuck_page(first_id: int) -> dict[str, Any]:
    return {
        "results": [
            {
                "id": str(first_id),
                "properties": {"hs_object_id": str(first_id)},
                "createdAt": "2025-01-02T03:04:05.000Z",
                "updatedAt": "2025-01-02T03:04:05.000Z",
                "archived": False,
            }
        ],
        "paging": {"next": {"after": "MTAx", "link": "http://127.0.0.1/next?after=MTAx"}},
    }


HUBSPOT_STUCK = {
    "/crm/v3/objects/companies": hubspot_stuck_page(100),
    "/crm/v3/objects/contacts": hubspot_stuck_page(200),
}


@pytest.fixture
def stuck_server(request: pytest.FixtureRequest) -> Iterator[RunningServer]:
    running = serve(StuckPageStandIn(request.param))
    yield running
    running.stop()


def run_stripe(warehouse: Warehouse, url: str) -> None:
    pipeline = stripe_pipeline(
        duckdb_path=warehouse.duckdb_path, pipelines_dir=str(warehouse.pipelines_dir)
    )
    source = stripe_source(account="main", api_key=SECRET, base_url=url, api_version="2025")
    pipeline.run(source, loader_file_format="parquet")


def run_crm(warehouse: Warehouse, url: str) -> None:
    pipeline = crm_pipeline(
        duckdb_path=warehouse.duckdb_path, pipelines_dir=str(warehouse.pipelines_dir)
    )
    pipeline.run(crm_source(token=SECRET, base_url=url), loader_file_format="parquet")


def causes(exc: BaseException) -> Iterator[BaseException]:
    """The exception and everything it was raised from or while handling, outermost first."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


@pytest.mark.parametrize(
    ("stuck_server", "run", "message", "requests_per_listing"),
    [
        pytest.param(
            STRIPE_STUCK,
            run_stripe,
            "stripe customers: the server returned page cursor 'cus_00000000000001' twice",
            {"/v1/customers": 2, "/v1/events": 1},
            id="stripe-starting_after",
        ),
        pytest.param(
            HUBSPOT_STUCK,
            run_crm,
            "hubspot companies: the server returned page cursor 'MTAx' twice",
            # dlt takes one page from each resource in turn, so the other listings got one.
            {
                "/crm/v3/objects/companies?archived=false": 2,
                "/crm/v3/objects/companies?archived=true": 1,
                "/crm/v3/objects/contacts?archived=false": 1,
                "/crm/v3/objects/contacts?archived=true": 1,
            },
            id="hubspot-after",
        ),
    ],
    indirect=["stuck_server"],
)
def test_server_ignoring_the_cursor_stops_the_run_after_the_repeated_page(
    stuck_server: RunningServer,
    warehouse: Warehouse,
    run: Any,
    message: str,
    requests_per_listing: dict[str, int],
) -> None:
    with pytest.raises(PipelineStepFailed) as failed:
        run(warehouse, stuck_server.url)

    found = [exc for exc in causes(failed.value) if isinstance(exc, CursorNotAdvancing)]
    listings = [
        call.path + (f"?archived={call.query['archived']}" if "archived" in call.query else "")
        for call in stuck_server.stand_in.calls
    ]
    assert len(found) == 1
    assert str(found[0]).startswith(message)
    assert Counter(listings) == requests_per_listing


def response(body: dict[str, Any]) -> Response:
    answer = Response()
    answer.status_code = 200
    answer._content = json.dumps(body).encode()
    return answer


def stripe_paginator() -> AdvancingCursorPaginator:
    return AdvancingCursorPaginator(
        resource="stripe customers",
        cursor_path="data[-1].id",
        cursor_param="starting_after",
        has_more_path="has_more",
    )


def stripe_page(*ids: str, has_more: bool) -> Response:
    return response({"data": [{"id": object_id} for object_id in ids], "has_more": has_more})


def test_paginator_follows_advancing_cursors_to_the_last_page() -> None:
    paginator = stripe_paginator()
    request = Request("GET", "http://stripe.test/v1/customers", params={"limit": 2})
    sent: list[dict[str, Any]] = []

    paginator.init_request(request)
    for page in (
        stripe_page("cus_4", "cus_3", has_more=True),
        stripe_page("cus_2", "cus_1", has_more=True),
        stripe_page("cus_0", has_more=False),
    ):
        paginator.update_state(page)
        paginator.update_request(request)
        sent.append(dict(request.params))

    assert sent == [
        {"limit": 2, "starting_after": "cus_3"},
        {"limit": 2, "starting_after": "cus_1"},
        {"limit": 2, "starting_after": "cus_0"},
    ]
    assert paginator.has_next_page is False


def test_paginator_raises_when_a_cursor_comes_back() -> None:
    paginator = stripe_paginator()
    paginator.update_state(stripe_page("cus_4", "cus_3", has_more=True))

    with pytest.raises(CursorNotAdvancing) as raised:
        paginator.update_state(stripe_page("cus_4", "cus_3", has_more=True))

    assert str(raised.value) == (
        "stripe customers: the server returned page cursor 'cus_3' twice; it is not honouring "
        "the cursor parameter, so paging stopped instead of looping"
    )


def test_paginator_does_not_raise_on_a_repeated_cursor_of_the_last_page() -> None:
    paginator = stripe_paginator()
    paginator.update_state(stripe_page("cus_4", "cus_3", has_more=True))

    paginator.update_state(stripe_page("cus_4", "cus_3", has_more=False))

    assert paginator.has_next_page is False


def test_paginator_starts_a_new_listing_with_no_cursors_seen() -> None:
    paginator = stripe_paginator()
    for listing in ("first", "second"):
        request = Request("GET", f"http://stripe.test/v1/customers?run={listing}")
        paginator.init_request(request)
        paginator.update_state(stripe_page("cus_4", "cus_3", has_more=True))
        paginator.update_request(request)
        paginator.update_state(stripe_page("cus_2", has_more=False))

    assert paginator.has_next_page is False


@pytest.mark.parametrize(
    ("msg", "args", "expected"),
    [
        pytest.param(f"key is {SECRET}", (), "key is ***", id="secret-in-message"),
        pytest.param("key is %s", (SECRET,), "key is ***", id="secret-in-args"),
        pytest.param(
            "headers={'Authorization': 'Bearer abc.def'}",
            (),
            "headers={'Authorization': 'Bearer ***'}",
            id="bearer-header-in-a-dict",
        ),
        pytest.param(
            "Authorization: Basic dXNlcjpwYXNz",
            (),
            "Authorization: Basic ***",
            id="basic-header-line",
        ),
        pytest.param(
            "GET /v1/customers?limit=%d",
            (100,),
            "GET /v1/customers?limit=100",
            id="nothing-secret-unchanged",
        ),
    ],
)
def test_secret_redactor_masks_secrets_and_authorization_values(
    msg: str, args: tuple[Any, ...], expected: str
) -> None:
    record = logging.LogRecord("dlt", logging.DEBUG, __file__, 1, msg, args, None)

    kept = SecretRedactor(["", SECRET]).filter(record)

    assert kept is True
    assert record.getMessage() == expected


@pytest.fixture
def redacted_loggers() -> Iterator[None]:
    """`redact_loggers([SECRET])` for one test, its filters taken off afterwards."""
    names = HTTP_LOGGERS
    before = {name: list(logging.getLogger(name).filters) for name in names}
    redact_loggers([SECRET])
    yield
    for name in names:
        logger = logging.getLogger(name)
        for added in [f for f in logger.filters if f not in before[name]]:
            logger.removeFilter(added)


@pytest.mark.parametrize(
    "logger_name",
    [
        pytest.param("dlt", id="dlt"),
        pytest.param("urllib3", id="urllib3"),
        pytest.param("urllib3.connectionpool", id="urllib3-connectionpool"),
    ],
)
def test_redact_loggers_masks_secrets_logged_on_the_http_loggers(
    redacted_loggers: None, caplog: pytest.LogCaptureFixture, logger_name: str
) -> None:
    caplog.set_level(logging.DEBUG, logger=logger_name)

    # dlt's own logger does not propagate to the root, where caplog listens.
    logger = logging.getLogger(logger_name)
    listening = [] if logger.propagate else [caplog.handler]
    for handler in listening:
        logger.addHandler(handler)
    try:
        logger.debug("GET /v1/customers with key %s", SECRET)
    finally:
        for handler in listening:
            logger.removeHandler(handler)

    assert [record.getMessage() for record in caplog.records] == ["GET /v1/customers with key ***"]


def test_an_empty_page_that_says_more_follow_stops_the_run() -> None:
    paginator = stripe_paginator()
    response = stripe_page(has_more=True)

    with pytest.raises(CursorNotAdvancing, match="empty page that says more pages follow"):
        paginator.update_state(response, [])
