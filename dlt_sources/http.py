"""HTTP pieces the sources share: a cursor paginator that refuses to loop, and log redaction."""

from __future__ import annotations

import logging
import re
from typing import Any

from dlt.common import jsonpath
from dlt.sources.helpers.rest_client.paginators import JSONResponseCursorPaginator
from requests import Request, Response


class SourceError(Exception):
    """Base of the errors trueup's sources raise."""


class CursorNotAdvancing(SourceError):
    """The server answered a page cursor with a cursor it had already given."""


class AdvancingCursorPaginator(JSONResponseCursorPaginator):
    """A cursor paginator that stops the run when the server hands back a cursor it gave before.

    A server that ignores the cursor parameter would otherwise be paged forever (DESIGN.md,
    "Rules drawn from other people's failures").
    """

    def __init__(self, *, resource: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.resource = resource
        self._seen: set[str] = set()

    def update_state(self, response: Response, data: list[Any] | None = None) -> None:
        super().update_state(response, data)
        empty = data is not None and len(data) == 0
        if self.has_more_path is not None and empty and _says_more(response, self.has_more_path):
            raise CursorNotAdvancing(
                f"{self.resource}: the server sent an empty page that says more pages follow; "
                "there is no cursor to go on from, so paging stopped instead of ending early"
            )
        if not self._has_next_page or self._next_reference is None:
            return
        cursor = str(self._next_reference)
        if cursor in self._seen:
            raise CursorNotAdvancing(
                f"{self.resource}: the server returned page cursor {cursor!r} twice; it is not "
                "honouring the cursor parameter, so paging stopped instead of looping"
            )
        self._seen.add(cursor)

    def init_request(self, request: Request) -> None:
        # dlt reuses one paginator per resource for every listing; each starts afresh.
        self._seen.clear()
        super().init_request(request)


def _says_more(response: Response, has_more_path: Any) -> bool:
    values = jsonpath.find_values(has_more_path, response.json())
    return bool(values) and values[0] is True


class SecretRedactor(logging.Filter):
    """Masks given secrets and any Authorization header value in log records."""

    _AUTH = re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?)(bearer|basic)?\s*[^\s'\",}]+")

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [secret for secret in secrets if secret]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = self._AUTH.sub(r"\1\2 ***", message)
        for secret in self.secrets:
            masked = masked.replace(secret, "***")
        if masked != message:
            record.msg, record.args = masked, None
        return True


# A logger's filters do not apply to its children's records, so each child is named.
HTTP_LOGGERS = (
    "dlt",
    "urllib3",
    "urllib3.connectionpool",
    "urllib3.util.retry",
    "requests",
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
)

_redactor = SecretRedactor([])


def redact_loggers(secrets: list[str]) -> None:
    """Mask these secrets on the loggers HTTP requests pass through (one shared filter)."""
    _redactor.secrets = sorted({*_redactor.secrets, *(s for s in secrets if s)})
    for name in HTTP_LOGGERS:
        logger = logging.getLogger(name)
        if _redactor not in logger.filters:
            logger.addFilter(_redactor)
