"""A loopback TCP proxy that a test can cut and restore, to make a network outage between the
service under test (a subprocess) and PostgreSQL or Redis without touching either server.

It runs its own asyncio loop in a daemon thread, so sync and async tests drive it alike:

    with TcpProxy("127.0.0.1", 6379) as proxy:   # listens on 127.0.0.1:<proxy.port>
        proxy.cut()       # listener and every live connection closed: new ones are refused
        proxy.restore()   # listening again on the same port
        proxy.blackhole() # a silent partition: nothing is forwarded and nothing is closed
        proxy.restore()   # the held connections reset, then forwarding as before
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Coroutine
from typing import Any, Self
from urllib.parse import urlsplit, urlunsplit


class TcpProxy:
    def __init__(self, target_host: str, target_port: int, *, host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self.host = host
        self.port = 0  # chosen by the OS at the first start, kept for every restore
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="tcp-proxy", daemon=True)
        self._server: asyncio.base_events.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()  # both ends of every live connection
        self._tasks: set[asyncio.Task[Any]] = set()
        # Set while blackholed: bytes are read and dropped, new connections are held open.
        self._blackholed = False
        self._unblocked = asyncio.Event()

    # -- the sync interface (called from the test's thread) ---------------------------------

    def start(self) -> Self:
        self._thread.start()
        self._call(self._listen())
        return self

    def cut(self) -> None:
        """Stop listening and abort every live connection (both sides see a reset)."""
        self._call(self._cut())

    def restore(self) -> None:
        """Listen again on the same port; connections made from now on are forwarded."""
        self._call(self._restore())

    def blackhole(self) -> None:
        """Drop every byte in both directions without closing anything, and accept new
        connections without ever answering: what a silent network partition looks like."""
        self._call(self._blackhole())

    @property
    def is_cut(self) -> bool:
        return self._server is None

    def close(self) -> None:
        if self._thread.is_alive():
            self._call(self._cut())
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)
        self._loop.close()

    def url_for(self, url: str) -> str:
        """``url`` (postgresql://… or redis://…) with its host and port replaced by the proxy's."""
        parts = urlsplit(url)
        userinfo = parts.netloc.rpartition("@")[0]
        netloc = f"{userinfo}@" if userinfo else ""
        return urlunsplit((parts.scheme, f"{netloc}{self.host}:{self.port}", parts.path,
                           parts.query, parts.fragment))

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(self, coroutine: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=10)

    # -- the proxy itself (runs on the proxy's loop) ----------------------------------------

    async def _listen(self) -> None:
        if self._server is not None:
            return
        # reuse_address lets a restore bind the port again while old connections sit in TIME_WAIT.
        self._server = await asyncio.start_server(self._accept, self.host, self.port,
                                                  reuse_address=True, family=socket.AF_INET)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _blackhole(self) -> None:
        self._unblocked.clear()
        self._blackholed = True

    async def _restore(self) -> None:
        if self._blackholed:
            # The dropped bytes broke every conversation in flight: end them as a partition
            # that heals does, with a reset, and forward afresh.
            self._blackholed = False
            self._unblocked.set()
            await self._cut()
        await self._listen()

    async def _cut(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()  # refuses new connections from now on
        for writer in list(self._writers):
            writer.transport.abort()  # RST, no graceful FIN: what a broken network looks like
        self._writers.clear()
        if self._tasks:  # their pipes end at the reset; no cancel (3.11 streams log that loudly)
            await asyncio.wait(list(self._tasks), timeout=2)

    async def _accept(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        writers, pipes = [client_writer], []
        self._writers.add(client_writer)
        try:
            if self._server is None:  # accepted just before a cut: drop it
                return
            if self._blackholed:  # hold it, silent, until the partition heals
                await self._unblocked.wait()
                return
            try:
                upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
            except OSError:
                return  # the target is down: the client sees its connection close
            writers.append(upstream_writer)
            self._writers.add(upstream_writer)
            if self._server is None:  # cut while connecting upstream
                return
            # Pump both directions until either side closes.
            pipes = [asyncio.create_task(self._pipe(client_reader, upstream_writer)),
                     asyncio.create_task(self._pipe(upstream_reader, client_writer))]
            await asyncio.wait(pipes, return_when=asyncio.FIRST_COMPLETED)
            if self._server is not None:  # one side hung up, no cut: close both gracefully
                for writer in writers:
                    writer.close()
                    self._writers.discard(writer)
        finally:
            for pipe in pipes:
                pipe.cancel()
            for writer in writers:
                if writer in self._writers:  # cut, or dropped: reset whatever is still open
                    writer.transport.abort()
                    self._writers.discard(writer)
            self._tasks.discard(task)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                if self._blackholed:
                    continue  # dropped on the floor, as by a partition
                writer.write(data)
                await writer.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass
