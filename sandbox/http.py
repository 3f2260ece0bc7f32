"""The plumbing every stand-in shares: a WSGI app, a call log and the sandbox's admin routes.

A stand-in subclasses `StandIn`, implements `handle` for the system's own API and `load` for a
world's files. Admin routes live under `/__sandbox__/` so they can never collide with a real
API path: `POST /__sandbox__/load` replaces the store with a world payload, `GET
/__sandbox__/calls` returns the call log, `POST /__sandbox__/calls/clear` empties it, and `GET
/__sandbox__/health` answers while the server is up.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

ADMIN_PREFIX = "/__sandbox__/"


@dataclass
class Call:
    """One request a stand-in received, as tests read it back."""

    system: str
    method: str
    path: str
    query: dict[str, Any]
    status: int
    at: float
    detail: dict[str, Any] = field(default_factory=dict)


class StandIn:
    """Base of the loopback stand-ins: routing to `handle`, the call log and admin routes."""

    system = "base"

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._lock = threading.RLock()

    # The system's own API: subclasses answer here and may add to `detail` for the call log.
    def handle(self, request: Request, detail: dict[str, Any]) -> Response:
        raise NotImplementedError

    def load(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Replace the store with a world payload and return counts of what was loaded."""
        raise NotImplementedError

    def clear_calls(self) -> None:
        with self._lock:
            self.calls.clear()

    def wsgi_app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        if request.path.startswith(ADMIN_PREFIX):
            response = self._admin(request)
        else:
            detail: dict[str, Any] = {}
            with self._lock:
                response = self.handle(request, detail)
                self.calls.append(
                    Call(
                        system=self.system,
                        method=request.method,
                        path=request.path,
                        query=request.args.to_dict(flat=True),
                        status=response.status_code,
                        at=time.time(),
                        detail=detail,
                    )
                )
        return response(environ, start_response)

    def _admin(self, request: Request) -> Response:
        route = request.path[len(ADMIN_PREFIX) :].strip("/")
        if route == "health":
            return json_response({"system": self.system, "ok": True})
        if route == "calls" and request.method == "GET":
            with self._lock:
                return json_response([asdict(call) for call in self.calls])
        if route == "calls/clear" and request.method == "POST":
            self.clear_calls()
            return json_response({"cleared": True})
        if route == "load" and request.method == "POST":
            with self._lock:
                counts = self.load(json.loads(request.get_data() or b"{}"))
            return json_response({"loaded": counts})
        return json_response({"error": f"no admin route {route!r}"}, status=404)


def json_response(
    body: Any, *, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """A JSON response with the content type every API here uses."""
    return Response(
        json.dumps(body), status=status, headers=headers, content_type="application/json"
    )


@dataclass
class RunningServer:
    """A stand-in served on a loopback port from a background thread."""

    stand_in: StandIn
    server: BaseWSGIServer
    thread: threading.Thread

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


def serve(stand_in: StandIn, *, port: int = 0) -> RunningServer:
    """Serve a stand-in on 127.0.0.1 (a free port unless one is given) in a daemon thread."""
    server = make_server("127.0.0.1", port, stand_in.wsgi_app, threaded=True)
    thread = threading.Thread(
        target=server.serve_forever, name=f"sandbox-{stand_in.system}", daemon=True
    )
    thread.start()
    return RunningServer(stand_in=stand_in, server=server, thread=thread)
