"""trueup's settings: `trueup.yml` plus the environment variables it names, read at run start.

Nothing here runs at import time. A variable that `trueup.yml` names and the environment lacks
stops the run with a message naming the variable; secrets are never part of a message.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[1]


class SettingsError(Exception):
    """`trueup.yml` or the environment is missing something a run needs."""


@dataclass(frozen=True)
class StripeAccount:
    """One Stripe account: its name, its key and the Odoo company its books live in."""

    name: str
    api_key: str
    api_key_env: str
    odoo_company_id: int

    def __repr__(self) -> str:
        return f"StripeAccount(name={self.name!r}, odoo_company_id={self.odoo_company_id})"


@dataclass(frozen=True)
class Settings:
    """Everything one run of the loop needs to know; secrets excluded from its repr."""

    root: Path
    duckdb_path: Path
    analytics_path: Path
    pipelines_dir: Path
    as_of: date
    stripe_base_url: str
    stripe_api_version: str
    stripe_accounts: tuple[StripeAccount, ...]
    hubspot_base_url: str
    hubspot_token: str
    hubspot_token_env: str
    odoo_url: str
    odoo_db: str
    odoo_username: str
    odoo_api_key: str
    odoo_protocol: str
    field_owners: Mapping[str, str]
    max_writes_per_run: int

    def __repr__(self) -> str:
        return f"Settings(root={self.root}, duckdb_path={self.duckdb_path}, as_of={self.as_of})"

    @property
    def account_companies(self) -> dict[str, int]:
        return {account.name: account.odoo_company_id for account in self.stripe_accounts}

    def dbt_vars(self) -> dict[str, Any]:
        """The variables every dbt invocation gets."""
        return {
            "as_of": self.as_of.isoformat(),
            "account_companies": self.account_companies,
            "customer_field_owners": dict(self.field_owners),
        }

    @property
    def secrets(self) -> list[str]:
        keys = [account.api_key for account in self.stripe_accounts]
        return [*keys, self.hubspot_token, self.odoo_api_key]


def load_settings(*, root: Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Read `trueup.yml` under `root` and the environment variables it names."""
    root = root or Path(os.environ.get("TRUEUP_ROOT", PROJECT_ROOT))
    env = os.environ if env is None else env
    path = root / "trueup.yml"
    if not path.exists():
        raise SettingsError(f"no trueup.yml at {path}; run from the project folder")
    config = yaml.safe_load(path.read_text()) or {}

    systems = _section(config, "systems")
    stripe, crm, odoo = (_section(systems, name) for name in ("stripe", "crm", "odoo"))
    companies = _section(config, "companies")
    warehouse = config.get("warehouse", {})

    accounts = []
    for account in stripe.get("accounts", []):
        company = account.get("odoo_company")
        if company not in companies:
            raise SettingsError(
                f"Stripe account {account.get('name')!r} maps to Odoo company {company!r}, "
                "which trueup.yml's companies section does not list"
            )
        accounts.append(
            StripeAccount(
                name=account["name"],
                api_key=_required(env, account["api_key_env"]),
                api_key_env=account["api_key_env"],
                odoo_company_id=int(companies[company]["odoo_company_id"]),
            )
        )

    duckdb_path = Path(env.get("TRUEUP_DUCKDB_PATH") or root / warehouse.get("path"))
    return Settings(
        root=root,
        duckdb_path=duckdb_path,
        analytics_path=Path(
            env.get("TRUEUP_ANALYTICS_PATH") or root / warehouse.get("analytics_copy")
        ),
        pipelines_dir=duckdb_path.parent / "dlt_pipelines",
        as_of=_as_of(env),
        stripe_base_url=env.get(stripe["base_url_env"]) or stripe["default_base_url"],
        stripe_api_version=str(stripe["api_version"]),
        stripe_accounts=tuple(accounts),
        hubspot_base_url=env.get(crm["base_url_env"]) or crm["default_base_url"],
        hubspot_token=_required(env, crm["token_env"]),
        hubspot_token_env=crm["token_env"],
        odoo_url=_required(env, odoo["url_env"]),
        odoo_db=_required(env, odoo["db_env"]),
        odoo_username=_required(env, odoo["username_env"]),
        odoo_api_key=_required(env, odoo["api_key_env"]),
        odoo_protocol=str(odoo.get("protocol", "auto")),
        field_owners=dict(_section(config, "ownership").get("customer", {})),
        max_writes_per_run=int(config.get("guardrails", {}).get("max_writes_per_run", 500)),
    )


def _as_of(env: Mapping[str, str]) -> date:
    value = env.get("TRUEUP_AS_OF")
    if not value:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise SettingsError(
            f"TRUEUP_AS_OF is {value!r}, not a date; give it as YYYY-MM-DD or leave it unset"
        ) from exc


def _section(config: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = config.get(name)
    if not isinstance(value, Mapping):
        raise SettingsError(f"trueup.yml has no {name!r} section")
    return value


def _required(env: Mapping[str, str], name: str) -> str:
    value = env.get(name)
    if not value:
        raise SettingsError(
            f"environment variable {name} is not set; trueup.yml names it (for the sandbox, "
            "source data/sandbox.env)"
        )
    return value
