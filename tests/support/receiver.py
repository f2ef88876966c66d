"""A webhook receiver on loopback: a real HTTP server (the standard library's, in a thread)
that records every request and answers as the test tells it — a status, after a delay.

    with Receiver() as receiver:            # listens on 127.0.0.1:<free port>
        receiver.answer(500)                # every request from now on gets 500
        receiver.answer(204, delay=2.0)     # … or 204 after two seconds
        receiver.plan = lambda n: (500, 0) if n < 3 else (204, 0)   # by request number
        await receiver.wait_for(lambda r: len(r) >= 3)
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    number: int
    answered: bool = False
    at: float = field(default_factory=time.monotonic)

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]


class Receiver:
    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.plan: Callable[[int], tuple[int, float]] = lambda number: (204, 0.0)
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # the standard library's name
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                if len(body) < length:
                    # The sender was killed mid-body: no request arrived (a real receiver would
                    # not parse half a body either), so it is not recorded.
                    return
                with receiver._lock:
                    request = Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body,
                                       len(receiver.requests))
                    receiver.requests.append(request)
                    status, delay = receiver.plan(request.number)
                time.sleep(delay)
                try:
                    body = b"" if status in (204, 304) else b"ok"  # a 204 has no body
                    self.send_response(status)
                    self.send_header("content-length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    request.answered = True
                except OSError:  # the caller gave up (or was killed) while we waited
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="receiver", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def answer(self, status: int, delay: float = 0.0) -> None:
        self.plan = lambda number: (status, delay)

    def snapshot(self) -> list[Received]:
        with self._lock:
            return list(self.requests)

    async def wait_for(self, condition: Callable[[list[Received]], bool], timeout: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while True:
            requests = self.snapshot()
            if condition(requests):
                return requests
            if time.monotonic() > deadline:
                raise TimeoutError(f"receiver: condition not met in {timeout} s; got {len(requests)} requests")
            await asyncio.sleep(0.05)

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
