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
