"""HubSpot CRM v3, declared with dlt's `rest_api` source.

Companies and contacts are listed twice, once active and once with `archived=true`, into the
same table: an archived record is kept and flagged by HubSpot's own `archived` column, never
treated as deleted. Pages follow `paging.next.after` until HubSpot stops sending it.
"""

from __future__ import annotations

from typing import Any

import dlt
from dlt.sources import DltSource
from dlt.sources.rest_api import RESTAPIConfig, rest_api_source

from dlt_sources.http import AdvancingCursorPaginator, redact_loggers

# The properties trueup reads; HubSpot returns only the properties a request names.
PROPERTIES: dict[str, list[str]] = {
    "companies": [
        "name",
        "domain",
        "country",
        "lifecyclestage",
        "createdate",
        "hs_lastmodifieddate",
    ],
    "contacts": [
        "email",
        "firstname",
        "lastname",
        "associatedcompanyid",
        "lifecyclestage",
        "createdate",
        "lastmodifieddate",
    ],
}


def crm_source(*, token: str, base_url: str) -> DltSource:
    """HubSpot companies and contacts, archived ones included and flagged.

    One row per HubSpot object in `companies` and `contacts`; properties land as
    `properties__<name>` text columns, as HubSpot sends every property as a string.
    """
    if not token:
        raise ValueError("HubSpot has no access token; set HUBSPOT_ACCESS_TOKEN")
    redact_loggers([token])

    resources: list[Any] = []
    for object_type, properties in PROPERTIES.items():
        columns = {
            "id": {"data_type": "text", "nullable": False},
            "archived": {"data_type": "bool"},
            "archived_at": {"data_type": "text"},
            **{f"properties__{name}": {"data_type": "text"} for name in properties},
        }
        for archived in (False, True):
            resources.append(
                {
                    "name": f"{object_type}_archived" if archived else object_type,
                    "table_name": object_type,
                    "columns": columns,
                    "endpoint": {
                        "path": f"/crm/v3/objects/{object_type}",
                        "params": {
                            "limit": 100,
                            "archived": "true" if archived else "false",
                            "properties": ",".join(properties),
                        },
                        "paginator": AdvancingCursorPaginator(
                            resource=f"hubspot {object_type}",
                            cursor_path="paging.next.after",
                            cursor_param="after",
                        ),
                    },
                }
            )

    config: RESTAPIConfig = {
        "client": {
            "base_url": base_url.rstrip("/"),
            "auth": {"type": "bearer", "token": token},
        },
        "resource_defaults": {
            "primary_key": "id",
            "write_disposition": "replace",
            "endpoint": {"data_selector": "results"},
        },
        "resources": resources,
    }
    return rest_api_source(config, name="crm")


def crm_pipeline(*, duckdb_path: str, pipelines_dir: str) -> dlt.Pipeline:
    """The pipeline that lands the CRM into `raw_crm`."""
    return dlt.pipeline(
        pipeline_name="trueup_crm",
        destination=dlt.destinations.duckdb(credentials=duckdb_path),
        dataset_name="raw_crm",
        pipelines_dir=pipelines_dir,
    )
