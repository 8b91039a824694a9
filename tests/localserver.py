"""A real HTTP server on 127.0.0.1 for collector tests: routes, scripted responses, a request log."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def arg(self, name: str, default: str | None = None) -> str | None:
        return self.query.get(name, [default])[0]


@dataclass
class Response:
    status: int = 200
    body: bytes | str | dict | list = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (timeouts)


Handler = Callable[[Request], Response]


class LocalServer:
    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], list[Response | Handler]] = {}
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        server = self

        class _H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                req = Request(
                    self.command,
                    parts.path,
                    parse_qs(parts.query),
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                )
                resp = server._respond(req)
                if resp.delay:
                    import time

                    time.sleep(resp.delay)
                payload = resp.body
                headers = dict(resp.headers)
                if isinstance(payload, dict | list):
                    payload = json.dumps(payload, ensure_ascii=False).encode()
                    headers.setdefault("Content-Type", "application/json; charset=utf-8")
                elif isinstance(payload, str):
                    payload = payload.encode()
                try:
                    self.send_response(resp.status)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = do_POST = do_HEAD = _serve

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _H)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def add(self, path: str, *responses: Response | Handler, method: str = "GET") -> None:
        """Answer `path` with these responses in turn; the last one repeats."""
        self.routes[(method, path)] = list(responses)

    def _respond(self, req: Request) -> Response:
        with self._lock:
            self.requests.append(req)
            queue = self.routes.get((req.method if req.method != "HEAD" else "GET", req.path))
            if not queue:
                return Response(404, {"error": "Not Found"})
            item = queue.pop(0) if len(queue) > 1 else queue[0]
        return item(req) if callable(item) else item

    def hits(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
