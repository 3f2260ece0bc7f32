"""An Odoo 16/19 external-API stand-in for the sandbox: XML-RPC, JSON-RPC and JSON-2 on loopback."""

from sandbox.odoo.base import ADMIN_UID, MAIN_COMPANY_ID, base_records
from sandbox.odoo.stand_in import DEFAULT_API_KEY, OdooStandIn

__all__ = ["ADMIN_UID", "DEFAULT_API_KEY", "MAIN_COMPANY_ID", "OdooStandIn", "base_records"]
