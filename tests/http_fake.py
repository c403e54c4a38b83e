"""The HTTP plumbing the fake forges share: a threaded server on 127.0.0.1 that
hands every request to `handle(method, path, body, headers)`. A crash in a fake
is recorded as a violation and answered with a 500, never a hang."""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple

Handle = Callable[[str, str, bytes, dict[str, str]], tuple[int, dict[str, str], bytes]]


def serve(handle: Handle, violations: list[str]) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                status, headers, body = handle(self.command, self.path, raw, dict(self.headers))
            except Exception as exc:  # a bug in the fake: fail the test, never hang the client
                violations.append(f"the fake server crashed on {self.command} {self.path}: {exc!r}")
                status, headers, body = 500, {}, b"{}"
            try:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


class FakeServer:
    """What both fake forges share: the server's life, its address and the violations it saw.
    `base_url` is where clients are pointed (a test may add a prefix such as `/api/v3`)."""

    REVOKED = "revoked-token"  # a token the forge answers with 401, as it does an expired or revoked one

    def __init__(self) -> None:
        self.retry_after = "1"  # what a rate-limit fault asks the client to wait, in seconds
        self.violations: list[str] = []
        self.server: ThreadingHTTPServer | None = None
        self.base = self.base_url = ""

    def rejected(self, credential: str | None) -> bool:
        """No credential, or the revoked one: the forge's 401."""
        return not credential or credential.split()[-1] == self.REVOKED

    def handle(self, method: str, path: str, raw: bytes, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        raise NotImplementedError

    def start(self) -> str:
        self.server, self.base = serve(self.handle, self.violations)
        self.base_url = self.base
        return self.base

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


class Checked(NamedTuple):
    """A GraphQL request checked against a forge's schema."""

    bad_body: bool  # not a {query, variables} body: the forge answers 400
    errors: list[str]  # the errors the forge answers with (each one also a violation)
    document: Any = None  # the parsed query, when it parsed


def check_graphql(schema: Any, body: Any, violations: list[str], forge: str) -> Checked:
    from graphql import GraphQLError, parse, validate

    if not isinstance(body, dict) or not isinstance(body.get("query"), str) or set(body) - {"query", "variables", "operationName"}:
        violations.append(f"GraphQL request that is not {{query, variables}}: {body!r:.200}")
        return Checked(True, [])
    try:
        document = parse(body["query"])
    except GraphQLError as exc:
        violations.append(f"GraphQL syntax: {exc.message}")
        return Checked(False, [exc.message])
    problems = [p.message for p in validate(schema, document)]
    violations.extend(f"GraphQL invalid against {forge}'s schema: {p}" for p in problems)
    return Checked(False, problems, document)
