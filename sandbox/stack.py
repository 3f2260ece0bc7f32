"""The three stand-ins started together, and the environment a user would set for real systems.

`start_sandbox()` serves Stripe, HubSpot and Odoo stand-ins on free loopback ports in this
process; `python -m sandbox up` runs the same in a background process and writes the
environment to `data/sandbox.env`. The pipeline reads only that environment, never this module.
"""

from __future__ import annotations

import json
import secrets
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sandbox.http import RunningServer, serve
from sandbox.world import STRIPE_ACCOUNTS

ODOO_DB = "trueup"
ODOO_LOGIN = "admin"


@dataclass
class Sandbox:
    """Running stand-ins and the environment variables that point at them."""

    servers: dict[str, RunningServer]
    env: dict[str, str]
    odoo_version: int

    def load(self, payloads: dict[str, dict[str, Any]]) -> dict[str, Any]:
        """Load a world's payloads into the stand-ins; returns what each one loaded."""
        return {name: self.servers[name].stand_in.load(payloads[name]) for name in payloads}

    def stop(self) -> None:
        for server in self.servers.values():
            server.stop()


def start_sandbox(*, odoo_version: int = 19, odoo_subscriptions: bool = False) -> Sandbox:
    """Start the three stand-ins on free loopback ports with fresh keys; Odoo 19 may serve
    Enterprise's subscription sale orders (`odoo_subscriptions`)."""
    from sandbox.hubspot import HubSpotStandIn
    from sandbox.odoo import OdooStandIn
    from sandbox.stripe import StripeStandIn

    stripe_keys = {name: f"sk_test_{secrets.token_hex(12)}" for name in STRIPE_ACCOUNTS}
    hubspot_token = f"pat-na1-{secrets.token_hex(12)}"
    odoo_key = secrets.token_hex(20)

    servers = {
        "stripe": serve(StripeStandIn(accounts=stripe_keys)),
        "hubspot": serve(HubSpotStandIn(token=hubspot_token)),
        "odoo": serve(
            OdooStandIn(
                version=odoo_version,
                db=ODOO_DB,
                login=ODOO_LOGIN,
                api_key=odoo_key,
                subscriptions=odoo_subscriptions,
            )
        ),
    }
    env = {
        "STRIPE_API_BASE": servers["stripe"].url,
        **{f"STRIPE_API_KEY_{name.upper()}": key for name, key in stripe_keys.items()},
        "HUBSPOT_API_BASE": servers["hubspot"].url,
        "HUBSPOT_ACCESS_TOKEN": hubspot_token,
        "ODOO_URL": servers["odoo"].url,
        "ODOO_DB": ODOO_DB,
        "ODOO_USERNAME": ODOO_LOGIN,
        "ODOO_API_KEY": odoo_key,
        "TRUEUP_SANDBOX_ODOO_VERSION": str(odoo_version),
    }
    return Sandbox(servers=servers, env=env, odoo_version=odoo_version)


def write_env_file(path: Path, env: dict[str, str]) -> None:
    """Write `KEY=value` lines, readable by a shell's `source` and by `read_env_file`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{key}={value}\n" for key, value in sorted(env.items())))
    path.chmod(0o600)


def read_env_file(path: Path) -> dict[str, str]:
    """Read a file written by `write_env_file`."""
    env: dict[str, str] = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            env[key.strip()] = value.strip()
    return env


def admin_call(base_url: str, route: str, payload: Any | None = None) -> Any:
    """Call a stand-in's admin route over HTTP (GET without a payload, POST with one)."""
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(
        f"{base_url}/__sandbox__/{route}",
        data=data,
        method="GET" if payload is None else "POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def running_urls(env: dict[str, str]) -> dict[str, str]:
    """The stand-ins' base URLs by system, from a sandbox environment."""
    return {
        "stripe": env["STRIPE_API_BASE"],
        "hubspot": env["HUBSPOT_API_BASE"],
        "odoo": env["ODOO_URL"],
    }
