"""The typed errors of the Odoo client: one base class, one subclass per condition.

The class is chosen from the name of the exception Odoo raised (`error.data.name` over JSON-RPC,
the body's `name` over JSON-2), and from the HTTP status only when there is no name. The JSON-RPC
`code` is never used: it is 200 on Odoo 16 and 0 on Odoo 19 for the same exception.

Every error keeps the model, the method, Odoo's exception name and the first line of Odoo's
message. None of them ever holds the API key.
"""

from __future__ import annotations

__all__ = [
    "OdooAccessDenied",
    "OdooAccessError",
    "OdooError",
    "OdooMissingError",
    "OdooNotFound",
    "OdooRateLimited",
    "OdooServerError",
    "OdooTransportError",
    "OdooUserError",
    "OdooValidationError",
    "error_class_for",
]


class OdooError(Exception):
    """Base of every error the Odoo client raises."""

    hint = "see the Odoo server log for the full traceback"

    def __init__(
        self,
        message: str,
        *,
        model: str | None = None,
        method: str | None = None,
        name: str | None = None,
        odoo_message: str | None = None,
        http_status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.model = model
        self.method = method
        self.name = name
        self.odoo_message = odoo_message
        self.http_status = http_status


class OdooAccessDenied(OdooError):
    """Odoo refused the credentials (AccessDenied, HTTP 401, or `authenticate` answered False)."""

    hint = "check the API key, the user it belongs to and the database name"


class OdooAccessError(OdooError):
    """The user may not do this to these records (AccessError, HTTP 403)."""

    hint = "check the user's groups, record rules and allowed_company_ids"


class OdooMissingError(OdooError):
    """A record named by id does not exist or was deleted (MissingError)."""

    hint = "re-read the records; write and unlink raise on ids that no longer exist"


class OdooValidationError(OdooError):
    """Odoo rejected the values (ValidationError; ValueError or KeyError on an invalid field)."""

    hint = "check the values and field names against fields_get"


class OdooUserError(OdooError):
    """A business rule refused the operation (UserError, e.g. a posted move or a lock date)."""

    hint = "the record's state forbids this operation; send it to review"


class OdooNotFound(OdooError):
    """The route does not exist: an unknown model, method or database (HTTP 404)."""

    hint = "check the model and method names and the X-Odoo-Database value"


class OdooServerError(OdooError):
    """Any other exception Odoo raised while handling the call (it rolled the call back)."""


class OdooTransportError(OdooError):
    """No usable answer: connection error, timeout, a 5xx without Odoo's error body, non-JSON.

    Whether Odoo applied a write that ends this way is unknown: re-read before trying again.
    """

    hint = "the outcome is unknown; re-read the records before writing again"


class OdooRateLimited(OdooError):
    """Odoo or a proxy in front of it answered HTTP 429."""

    hint = "slow down; wait for Retry-After before the next call"

    def __init__(
        self,
        message: str,
        *,
        model: str | None = None,
        method: str | None = None,
        name: str | None = None,
        odoo_message: str | None = None,
        http_status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(
            message,
            model=model,
            method=method,
            name=name,
            odoo_message=odoo_message,
            http_status=http_status,
        )
        self.retry_after = retry_after


# Full exception names as Odoo reports them (`<module>.<class>`).
_CLASS_BY_NAME: dict[str, type[OdooError]] = {
    "odoo.exceptions.AccessDenied": OdooAccessDenied,
    "werkzeug.exceptions.Unauthorized": OdooAccessDenied,
    "odoo.exceptions.AccessError": OdooAccessError,
    "werkzeug.exceptions.Forbidden": OdooAccessError,
    "odoo.exceptions.MissingError": OdooMissingError,
    "odoo.exceptions.ValidationError": OdooValidationError,
    # An invalid field name raises ValueError on 16 and KeyError on 19 (recorded transcripts).
    "builtins.ValueError": OdooValidationError,
    "builtins.KeyError": OdooValidationError,
    "odoo.exceptions.UserError": OdooUserError,
    "odoo.exceptions.RedirectWarning": OdooUserError,
    "werkzeug.exceptions.NotFound": OdooNotFound,
    "werkzeug.exceptions.TooManyRequests": OdooRateLimited,
}

_CLASS_BY_STATUS: dict[int, type[OdooError]] = {
    401: OdooAccessDenied,
    403: OdooAccessError,
    404: OdooNotFound,
}


def error_class_for(
    name: str | None, http_status: int | None, *, body_is_json: bool = True
) -> type[OdooError]:
    """The error class for an Odoo exception name, falling back on the HTTP status.

    429 is always `OdooRateLimited`. A known name wins over the status; without one, 401, 403
    and 404 map by status, and a 5xx or a non-JSON answer is an `OdooTransportError` because
    nothing says whether Odoo handled the call. Any other named exception is `OdooServerError`.
    """
    if http_status == 429:
        return OdooRateLimited
    if name and name in _CLASS_BY_NAME:
        return _CLASS_BY_NAME[name]
    if name:
        return OdooServerError
    if http_status in _CLASS_BY_STATUS:
        return _CLASS_BY_STATUS[http_status]
    if not body_is_json or (http_status is not None and http_status >= 500):
        return OdooTransportError
    return OdooServerError
