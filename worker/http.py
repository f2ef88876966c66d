"""Calling receivers: one POST per attempt, bounded in time, no redirects followed, at most a
few KB of the answer read, and — in production — only to addresses the egress policy allows.

The production guard sits where the connection is made, not only where the URL is checked:
it resolves the host itself, checks every address, and connects to a checked address, so a
name that later resolves to 127.0.0.1 (DNS rebinding) is refused too. TLS still verifies the
certificate against the host name, since httpcore passes the name for SNI separately."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

from domain.webhooks import Allowlist, addresses_allowed
from usecases.egress import EgressPolicy

CONNECT_TIMEOUT = 5.0
TOTAL_TIMEOUT = 10.0
MAX_ANSWER_BYTES = 4096
USER_AGENT = "Bilin-Webhooks/1.0"


class DestinationRefused(Exception):
    """The receiver's address is not one production may call."""


class GuardedBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, policy: EgressPolicy) -> None:
        self.allowlist: Allowlist = policy.allowlist
        self.resolver = policy.resolver
        self.inner = httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        if self.allowlist.allows_host(host):
            candidates = [host]
        else:
            candidates = await self.resolver(host)
            if not addresses_allowed(host, candidates, self.allowlist):
                raise DestinationRefused(host)
        failure: Exception | None = None
        for address in candidates:  # connect to the address that was checked, never the name again
            try:
                return await self.inner.connect_tcp(address, port, timeout=timeout, local_address=local_address,
                                                    socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                failure = error
        raise failure or httpcore.ConnectError(host)

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        raise DestinationRefused(path)

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    def __init__(self, policy: EgressPolicy, limits: httpx.Limits) -> None:
        super().__init__(trust_env=False, limits=limits)
        # httpx has no parameter for the network backend: replace the pool it built with the
        # same pool on the guarded backend.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedBackend(policy),
        )


@dataclass(frozen=True)
class Answer:
    status_code: int | None
    error: str | None  # None for a 2xx, else a short, client-visible reason
    duration_ms: int


class Sender:
    def __init__(self, policy: EgressPolicy, *, max_connections: int = 100) -> None:
        limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=20)
        transport = GuardedTransport(policy, limits) if policy.guarded else httpx.AsyncHTTPTransport(
            trust_env=False, limits=limits)
        self.client = httpx.AsyncClient(transport=transport, follow_redirects=False, trust_env=False,
                                        timeout=httpx.Timeout(TOTAL_TIMEOUT, connect=CONNECT_TIMEOUT),
                                        headers={"user-agent": USER_AGENT})

    async def post(self, url: str, headers: dict[str, str], body: bytes) -> Answer:
        started = time.monotonic()
        status, error = None, None
        try:
            async with asyncio.timeout(TOTAL_TIMEOUT):
                async with self.client.stream("POST", url, content=body, headers=headers) as response:
                    status = response.status_code
                    read = 0
                    async for chunk in response.aiter_raw():  # the answer is ignored; read a little
                        read += len(chunk)
                        if read >= MAX_ANSWER_BYTES:
                            break
        except DestinationRefused:
            error = "address_not_allowed"
        except (TimeoutError, httpx.TimeoutException):
            error = "timeout"
        except httpx.ConnectError:
            error = "connection_failed"
        except httpx.HTTPError:
            error = "request_failed"
        if status is not None:  # the status decides, even if the answer's body then stalled
            error = None if 200 <= status < 300 else "gone" if status == 410 else "http_status"
        return Answer(status, error, int((time.monotonic() - started) * 1000))

    async def close(self) -> None:
        await self.client.aclose()
