"""The Odoo client against the sandbox's Odoo stand-in over loopback, on both transports."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reverse_sync.odoo_client import OdooClient
from sandbox.http import RunningServer, serve
from sandbox.odoo import OdooStandIn

API_KEY = "standin-test-key-0123456789abcdef"


@pytest.fixture(params=[16, 19], ids=["odoo16-jsonrpc", "odoo19-json2"])
def running_odoo(request: pytest.FixtureRequest) -> Iterator[RunningServer]:
    running = serve(OdooStandIn(version=request.param, db="trueup", api_key=API_KEY))
    yield running
    running.stop()


def test_create_search_read_write_read_round_trip(running_odoo: RunningServer) -> None:
    stand_in = running_odoo.stand_in
    assert isinstance(stand_in, OdooStandIn)
    expected_protocol = "json2" if stand_in.version >= 19 else "jsonrpc"

    with OdooClient(running_odoo.url, "trueup", username="admin", api_key=API_KEY) as client:
        info = client.connect()
        ids = client.create(
            "res.partner",
            [
                {"name": "Trueup Loopback A", "ref": "TU-LOOP", "active": False},
                {"name": "Trueup Loopback B", "ref": "TU-LOOP"},
            ],
        )
        found = client.search_read(
            "res.partner",
            [["ref", "=", "TU-LOOP"]],
            ["name", "active"],
            order="id asc",
            context={"active_test": False},
        )
        written = client.write("res.partner", ids, {"email": "loop@trueup.example"})
        read_back = client.read("res.partner", ids, ["email", "name"])

    assert info.protocol == expected_protocol
    assert info.major == stand_in.version
    assert info.uid == 2
    assert len(ids) == 2
    assert found == [
        {"id": ids[0], "name": "Trueup Loopback A", "active": False},
        {"id": ids[1], "name": "Trueup Loopback B", "active": True},
    ]
    assert written is True
    assert read_back == [
        {"id": ids[0], "email": "loop@trueup.example", "name": "Trueup Loopback A"},
        {"id": ids[1], "email": "loop@trueup.example", "name": "Trueup Loopback B"},
    ]
    assert {call.detail["protocol"] for call in stand_in.writes()} == {expected_protocol}
