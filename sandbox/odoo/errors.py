"""The faults the Odoo stand-in raises, named and worded as real Odoo names and words them.

Each fault carries the dotted class name Odoo puts in `error.data.name` (JSON-RPC) or the body's
`name` (JSON-2), the message, and the HTTP status JSON-2 answers with. The wording of every
message here is copied from the recordings in `reference/odoo-transcripts/`.
"""

from __future__ import annotations

from typing import Any


class OdooFault(Exception):
    """An error the stand-in answers with, shaped by the protocol that carried the call."""

    def __init__(self, name: str, message: str, *, status: int = 500) -> None:
        super().__init__(message)
        self.name = name
        self.message = message
        self.status = status

    @property
    def short_name(self) -> str:
        """The class name without its module, as the call log records the outcome."""
        return self.name.rsplit(".", 1)[-1]

    @property
    def is_http(self) -> bool:
        """Whether Odoo raised this as a werkzeug HTTP exception (two `arguments` on JSON-2)."""
        return self.name.startswith("werkzeug.")

    def arguments(self) -> list[Any]:
        """The exception's `args` as Odoo serialises them in an error body."""
        if self.is_http:
            return [self.message, self.status]
        return [self.message]


def missing_error(model: str, ids: list[int], uid: int) -> OdooFault:
    """A write or unlink on ids that do not exist."""
    records = f"{model}({', '.join(str(i) for i in ids)},)"
    return OdooFault(
        "odoo.exceptions.MissingError",
        f"Record does not exist or has been deleted.\n(Record: {records}, User: {uid})",
        status=404,
    )


def access_error(message: str) -> OdooFault:
    return OdooFault("odoo.exceptions.AccessError", message, status=403)


def company_access_error(model: str, ids: list[int]) -> OdooFault:
    """A record of a company outside `allowed_company_ids` was touched."""
    return access_error(
        "Uh-oh! Looks like you have stumbled upon some top-secret records.\n\n"
        f"Sorry, Mitchell Admin (id=2) doesn't have 'read' access to:\n- {model} {ids}"
    )


def access_denied() -> OdooFault:
    return OdooFault("odoo.exceptions.AccessDenied", "Access Denied", status=401)


def validation_error(message: str) -> OdooFault:
    return OdooFault("odoo.exceptions.ValidationError", message, status=422)


def user_error(message: str) -> OdooFault:
    return OdooFault("odoo.exceptions.UserError", message, status=422)


def value_error(message: str) -> OdooFault:
    return OdooFault("builtins.ValueError", message)


def key_error(message: str) -> OdooFault:
    return OdooFault("builtins.KeyError", message)


def type_error(message: str) -> OdooFault:
    return OdooFault("builtins.TypeError", message)


def attribute_error(message: str) -> OdooFault:
    return OdooFault("builtins.AttributeError", message)


def not_found(message: str) -> OdooFault:
    return OdooFault("werkzeug.exceptions.NotFound", message, status=404)


def unprocessable(message: str) -> OdooFault:
    return OdooFault("werkzeug.exceptions.UnprocessableEntity", message, status=422)


def unauthorized(message: str) -> OdooFault:
    return OdooFault("werkzeug.exceptions.Unauthorized", message, status=401)


def bad_request(message: str) -> OdooFault:
    return OdooFault("werkzeug.exceptions.BadRequest", message, status=400)


# Odoo's XML-RPC fault codes (odoo/service/wsgi_server.py in 16, the rpc addon in 19): user
# errors are warnings, AccessDenied and AccessError have their own codes, anything else is an
# application error whose faultString is the traceback.
XMLRPC_APPLICATION_ERROR = 1
XMLRPC_WARNING = 2
XMLRPC_ACCESS_DENIED = 3
XMLRPC_ACCESS_ERROR = 4

# UserError and the exceptions Odoo derives from it.
USER_ERRORS = frozenset(
    {
        "odoo.exceptions.UserError",
        "odoo.exceptions.MissingError",
        "odoo.exceptions.ValidationError",
        "odoo.exceptions.RedirectWarning",
    }
)


def traceback_text(fault: OdooFault) -> str:
    """The fault as Python's `traceback.format_exception` prints it, the way XML-RPC sends it."""
    module, _, cls = fault.name.rpartition(".")
    shown = cls if module == "builtins" else fault.name
    message = repr(fault.message) if fault.name == "builtins.KeyError" else fault.message
    return (
        "Traceback (most recent call last):\n"
        '  File "odoo/service/model.py", line 1, in execute_kw\n'
        "    (odoo stand-in)\n"
        f"{shown}: {message}\n"
    )


def xmlrpc_fault(fault: OdooFault) -> tuple[int, str]:
    """(faultCode, faultString) as `/xmlrpc/2/*` answers `fault`."""
    if fault.name == "odoo.exceptions.AccessError":
        return XMLRPC_ACCESS_ERROR, fault.message
    if fault.name == "odoo.exceptions.AccessDenied":
        return XMLRPC_ACCESS_DENIED, fault.message
    if fault.name in USER_ERRORS:
        return XMLRPC_WARNING, fault.message
    return XMLRPC_APPLICATION_ERROR, traceback_text(fault)


def legacy_xmlrpc_fault(fault: OdooFault) -> tuple[str, str]:
    """(faultCode, faultString) as the legacy `/xmlrpc/*` paths answer: the code is text."""
    short = fault.short_name
    if fault.name == "odoo.exceptions.RedirectWarning":
        return f"warning -- Warning\n\n{fault.message}", ""
    if fault.name in ("odoo.exceptions.MissingError", "odoo.exceptions.AccessError"):
        return f"warning -- {short}\n\n{fault.message}", ""
    if fault.name == "odoo.exceptions.AccessDenied":
        return "AccessDenied", fault.message
    if fault.name in USER_ERRORS:
        return f"warning -- UserError\n\n{fault.message}", ""
    return fault.message, traceback_text(fault)
