"""The desk's HTTP server: the page, its assets and its JSON API, on 127.0.0.1 only.

Articles are hostile input and the server is on the user's machine, so: it binds loopback only;
it answers only to the Host it serves (a DNS-rebinding page cannot reach it under another name);
every request that reads results or starts work carries the token made at start (in the printed
URL, then in a header the page sets, which another site's page cannot); nothing changes on GET;
a strict Content-Security-Policy lets only the desk's own script and style run; and a path from a
request or a manifest is taken only inside the served folder.
"""

from __future__ import annotations

import hmac
import json
import logging
import secrets
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .._errors import InputError
from ._jobs import DeskJob, DeskJobs
from ._store import DeskStore
from ._views import result_view

logger = logging.getLogger("summarizer.desk")
TOKEN_HEADER = "X-Desk-Token"  # noqa: S105 - the header's name, not a secret
MAX_REQUEST_BYTES = 3_000_000
"""An article (2 MB at most) as base64, with room for the rest of the request."""
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
_ASSETS = {
    "desk.js": "text/javascript; charset=utf-8",
    "desk.css": "text/css; charset=utf-8",
}


def _asset(name: str) -> bytes:
    return resources.files("summarizer._desk").joinpath("static", name).read_bytes()


class DeskServer(ThreadingHTTPServer):
    """The desk on 127.0.0.1: the store it serves, the jobs it runs and the token it asks for."""

    daemon_threads = True

    def __init__(self, store: DeskStore, make_jobs: Callable[[], DeskJobs], port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)  # bound first: a port taken leaves nothing to stop
        self.store = store
        self.jobs = make_jobs()
        self.token = secrets.token_urlsafe(24)
        self.port = self.server_address[1]
        self.hosts = {f"127.0.0.1:{self.port}", f"localhost:{self.port}"}
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The page's address, token included: what the user opens."""
        return f"http://127.0.0.1:{self.port}/?token={self.token}"

    def start(self) -> None:
        """Serve on a thread of its own (for tests and embedding); `close` stops it."""
        self._thread = threading.Thread(target=self.serve_forever, name="summarizer-desk-http", daemon=True)
        self._thread.start()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Log, never print: the library does not write to the terminal."""
        logger.exception("the desk's connection from %s failed", client_address)

    def close(self) -> None:
        """Stop serving, then stop the jobs (and the embedded server, if they started it)."""
        if self._thread is not None:
            self.shutdown()
            self._thread.join()
            self._thread = None
        self.server_close()
        self.jobs.close()


class _Handler(BaseHTTPRequestHandler):
    server: DeskServer
    server_version = "summarizer-desk"
    sys_version = ""
    timeout = 30
    """Seconds a connection may stay silent (or send a body short of its length) before it is dropped."""

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The standard library's own refusals (a bad request line, an unknown method) as the
        desk's: JSON, with the same headers as every other answer."""
        self.close_connection = True
        self._error(HTTPStatus(code), message or HTTPStatus(code).phrase)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the library never prints (the CLI may log)."""

    # -- answers -------------------------------------------------------------------------------

    def _send(self, status: HTTPStatus, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, payload: Any, status: HTTPStatus = HTTPStatus.OK) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self._send(status, body, "application/json; charset=utf-8")

    def _error(self, status: HTTPStatus, message: str) -> None:
        self._json({"error": message}, status)

    # -- the gate ------------------------------------------------------------------------------

    def _host_ok(self) -> bool:
        # The target must be a path ("GET http://other/..." is refused too): only the Host header names the site.
        return self.headers.get("Host", "") in self.server.hosts and self.path.startswith("/")

    def _token_ok(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(given.encode(), self.server.token.encode())

    # -- routes --------------------------------------------------------------------------------

    def do_GET(self) -> None:
        """The page (token in the URL), its assets (no token: they hold no results), and reads."""
        if not self._host_ok():
            self._error(HTTPStatus.FORBIDDEN, "this server answers only to the address it printed")
            return
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        if parts.path == "/":
            # The page itself holds no results (they come from the API, with the token): it is served
            # to anyone on loopback, and takes the token out of the address bar once it has it.
            self._send(HTTPStatus.OK, _asset("desk.html"), "text/html; charset=utf-8")
            return
        if parts.path.startswith("/static/"):
            name = parts.path.removeprefix("/static/")
            if name not in _ASSETS:
                self._error(HTTPStatus.NOT_FOUND, "no such asset")
                return
            self._send(HTTPStatus.OK, _asset(name), _ASSETS[name])
            return
        if not self._token_ok(self.headers.get(TOKEN_HEADER)):
            self._error(HTTPStatus.FORBIDDEN, "no valid token")
            return
        try:
            self._read(parts.path, query)
        except InputError as exc:
            self._error(HTTPStatus.NOT_FOUND, str(exc))
        except Exception:  # a hostile result file must not take the server's answer down with it
            logger.exception("the desk could not answer GET %s", parts.path)
            self._error(HTTPStatus.INTERNAL_SERVER_ERROR, "the desk could not read that result")

    def _read(self, path: str, query: dict[str, list[str]]) -> None:
        store, jobs = self.server.store, self.server.jobs
        if path == "/api/articles":
            self._json({"folder": str(store.folder), "articles": [row.to_json() for row in store.listing()]})
        elif path == "/api/result":
            name = query.get("input", [""])[0]
            self._json(result_view(name, store.result(name), store.json_name(name)))
        elif path.startswith("/api/jobs/"):
            self._job(jobs.get(path.removeprefix("/api/jobs/")))
        else:
            self._error(HTTPStatus.NOT_FOUND, "no such page")

    def _job(self, desk_job: DeskJob | None) -> None:
        if desk_job is None:
            self._error(HTTPStatus.NOT_FOUND, "no such job")
        else:
            self._json(desk_job.to_json())

    def do_HEAD(self) -> None:
        """As GET, without the body."""
        self.do_GET()

    def do_POST(self) -> None:
        """Start work, or cancel it: JSON in, with the token, from the page only."""
        if not self._host_ok():
            self._error(HTTPStatus.FORBIDDEN, "this server answers only to the address it printed")
            return
        if not self._token_ok(self.headers.get(TOKEN_HEADER)):
            self._error(HTTPStatus.FORBIDDEN, "no valid token")
            return
        if self.headers.get("Content-Type", "").split(";")[0].strip() != "application/json":
            self._error(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "send JSON")
            return
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_REQUEST_BYTES:
            self._error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "the request is too large (an article is 2 MB at most)")
            return
        try:
            request = json.loads(self.rfile.read(length) or b"{}")
        except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested past any real request
            self._error(HTTPStatus.BAD_REQUEST, "the request is not JSON")
            return
        path = urlsplit(self.path).path
        jobs = self.server.jobs
        if path == "/api/jobs" and isinstance(request, dict):
            try:
                desk_job = jobs.submit(request)
            except InputError as exc:
                self._error(HTTPStatus.BAD_REQUEST, str(exc))
                return
            except Exception:
                logger.exception("the desk could not start a job")
                self._error(HTTPStatus.INTERNAL_SERVER_ERROR, "the desk could not start that work")
                return
            self._json(desk_job.to_json(), HTTPStatus.ACCEPTED)
        elif path.startswith("/api/jobs/") and path.endswith("/cancel"):
            self._job(jobs.cancel(path.removeprefix("/api/jobs/").removesuffix("/cancel")))
        else:
            self._error(HTTPStatus.NOT_FOUND, "no such action")


__all__ = ["TOKEN_HEADER", "DeskServer"]
