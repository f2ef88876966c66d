"""Where webhooks may go: the production guard against requests to internal addresses
(SSRF). Used when an endpoint's URL is set and again, by the worker, on every connection,
since a name that resolved to a public address yesterday may resolve to 127.0.0.1 today."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from domain.errors import RuleViolation
from domain.webhooks import Allowlist, destination_problem, parse_url


async def resolve(host: str) -> list[str]:
    """Every address ``host`` resolves to (an IP literal resolves to itself); [] when none."""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return []
    return sorted({str(info[4][0]) for info in infos})


@dataclass(frozen=True)
class EgressPolicy:
    guarded: bool  # production: only public addresses, or the allowlist
    allowlist: Allowlist = field(default_factory=Allowlist)
    resolver: Callable[[str], Awaitable[list[str]]] = resolve


async def check_url(url: str, policy: EgressPolicy) -> str:
    """The URL when the policy lets webhooks go there; 400 when it is not an http(s) URL,
    422 ``webhook_url_not_allowed`` when production may not call it."""
    scheme, host = parse_url(url)
    if policy.guarded:
        addresses = [] if policy.allowlist.allows_host(host) else await policy.resolver(host)
        reason = destination_problem(scheme, host, addresses, policy.allowlist)
        if reason is not None:
            raise RuleViolation("webhook_url_not_allowed", {"reason": reason})
    return url
