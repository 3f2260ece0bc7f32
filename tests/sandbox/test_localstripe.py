"""trueup's Stripe source lands a Stripe server nobody here wrote: localstripe (PyPI).

localstripe is seeded through the official `stripe` SDK and read by `dlt_sources.stripe` into a
fresh DuckDB file; what landed must be what was seeded. localstripe is a test-only dependency
(GPL-licensed; trueup does not ship it). Its own command line listens on every interface and
keeps its store in `/tmp/localstripe.pickle`, so the test starts its aiohttp app through a
small launcher that binds 127.0.0.1 and keeps the store in the test's temporary folder. It
slows sharply as its store grows (it pickles the whole store on every write), so the world is
a few dozen customers. It speaks an older API version and filters little, so the source runs
a full refresh.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import httpx
import pytest
import stripe

from dlt_sources.stripe import stripe_pipeline, stripe_source

API_KEY = "sk_test_localstripe0000000001"
# localstripe renders objects as this API version does.
API_VERSION = "2017-08-15"
CUSTOMERS = 36

# Runs in the child process: localstripe's app on loopback, its pickle in the given folder.
LAUNCHER = """
import pickle, sys
from aiohttp import web
from localstripe import resources, server

port, store_path = int(sys.argv[1]), sys.argv[2]

def dump_to_disk(self):
    with open(store_path, "wb") as f:
        pickle.dump(dict(self), f, protocol=pickle.HIGHEST_PROTOCOL)

resources.Store.dump_to_disk = dump_to_disk
resources.Store.try_load_from_disk = lambda self: None
web.run_app(server.app, host="127.0.0.1", port=port, print=None)
"""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def localstripe_url(tmp_path: Path) -> Iterator[str]:
    """A localstripe server on a free loopback port, stopped when the test ends."""
    port = free_port()
    store = tmp_path / "localstripe" / "store.pickle"
    store.parent.mkdir()
    log = (tmp_path / "localstripe" / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-c", LAUNCHER, str(port), str(store)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail(f"localstripe exited with {process.returncode}; see {log.name}")
            try:
                ready = httpx.get(
                    f"{url}/v1/customers", headers={"Authorization": f"Bearer {API_KEY}"}
                )
                if ready.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"localstripe did not answer on {url} within 30 s")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def test_source_lands_what_was_seeded_into_localstripe(
    localstripe_url: str, tmp_path: Path
) -> None:
    client = stripe.StripeClient(API_KEY, base_addresses={"api": localstripe_url})
    seeded = {}
    for index in range(CUSTOMERS):
        customer = client.v1.customers.create(
            params={
                "email": f"buyer{index:02d}@example.com",
                "name": f"Buyer {index:02d} GmbH",
                "metadata": {"hubspot_company_id": str(9_000_000 + index)},
            }
        )
        seeded[customer.id] = (customer.email, customer.name)

    pipeline = stripe_pipeline(
        duckdb_path=str(tmp_path / "wh.duckdb"), pipelines_dir=str(tmp_path / "pipelines")
    )
    source = stripe_source(
        account="main", api_key=API_KEY, base_url=localstripe_url, api_version=API_VERSION
    )
    pipeline.run(source, refresh="drop_sources")

    with duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True) as warehouse:
        rows = warehouse.execute(
            "select account, id, email, name, metadata__hubspot_company_id "
            "from raw_stripe.customers"
        ).fetchall()
    assert len(seeded) == CUSTOMERS
    assert {row[1]: (row[2], row[3]) for row in rows} == seeded
    assert len(rows) == CUSTOMERS
    assert {row[0] for row in rows} == {"main"}
    assert sorted(row[4] for row in rows) == [str(9_000_000 + i) for i in range(CUSTOMERS)]
