"""Webhooks, the rules: Standard Webhooks signing, the retry schedule, what an attempt's
outcome does to its delivery and endpoint, and which destinations may be called.

Pure: the caller brings the clock (business time), the randomness of the jitter and the
addresses a host resolved to."""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from domain.errors import Forbidden, InvalidInput
from domain.events import Event
from domain.permissions import Principal
from domain.retry import Backoff

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
MAX_ENDPOINTS_PER_STREET = 20
MAX_URL_LENGTH = 2048
LOG_LIMIT = 20  # attempts kept in a delivery's log (the newest)

# Waits after the 1st, 2nd, … failed attempt: 11 attempts over about 3 days (71.6 hours
# before jitter), fast at first for blips, then hours apart for outages.
RETRY_DELAYS: tuple[int, ...] = (
    5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600, 14 * 3600, 14 * 3600, 16 * 3600,
)
DELIVERY_BACKOFF = Backoff(RETRY_DELAYS, jitter=0.2)

# Delivery statuses, endpoint disable reasons, attempt outcomes.
PENDING, SUCCEEDED, FAILED, CANCELLED = "pending", "succeeded", "failed", "cancelled"
GONE, REPEATED_FAILURE, MANUAL = "gone", "repeated_failure", "manual"
SUCCESS, FAILURE = "success", "failure"


def can_manage_webhooks(principal: Principal) -> None:
    if principal.kind != "platform":
        raise Forbidden("not_allowed")
    if "webhooks:manage" not in principal.scopes:
        raise Forbidden("insufficient_scope", {"scope": "webhooks:manage"})


# Secrets and signatures (https://www.standardwebhooks.com/)

def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def secret_key(secret: str) -> bytes:
    """The HMAC key: the base64-decoded part after ``whsec_``."""
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def signature(key: bytes, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def signature_header(keys: list[bytes], message_id: str, timestamp: int, body: bytes) -> str:
    """One signature per valid secret, space-separated (two during a rotation's overlap), so
    a receiver that knows either secret verifies."""
    return " ".join(signature(key, message_id, timestamp, body) for key in keys)


# The outcome of an attempt

def outcome_of(status_code: int | None) -> str:
    """2xx succeeds; 410 Gone means the receiver asks to stop; anything else (no answer, a
    redirect, an error) is a failure to retry."""
    if status_code is not None and 200 <= status_code < 300:
        return SUCCESS
    if status_code == 410:
        return GONE
    return FAILURE


@dataclass(frozen=True)
class AttemptDecision:
    status: str                       # the delivery's status after the attempt
    next_attempt_at: datetime | None  # when it is pending again
    failing_since: datetime | None    # the endpoint's streak of failures, None after a success
    disable_reason: str | None        # set when this attempt disables the endpoint


def decide(*, outcome: str, attempts_made: int, now: datetime, first_attempt_at: datetime,
           failing_since: datetime | None, rand: float) -> AttemptDecision:
    """What an attempt does. An endpoint is disabled at once by 410, and for repeated failure
    when a delivery used up its schedule (about 3 days) with no success to the endpoint since
    that delivery's first attempt."""
    if outcome == SUCCESS:
        return AttemptDecision(SUCCEEDED, None, None, None)
    since = failing_since or now
    if outcome == GONE:
        return AttemptDecision(FAILED, None, since, GONE)
    next_try = DELIVERY_BACKOFF.next_try(attempts_made, now, rand)
    if next_try is not None:
        return AttemptDecision(PENDING, next_try, since, None)
    return AttemptDecision(FAILED, None, since, REPEATED_FAILURE if since <= first_attempt_at else None)


# Destinations (SSRF protection)

@dataclass(frozen=True)
class Allowlist:
    """Destinations allowed although private (a government intranet, 政务外网)."""

    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    hosts: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, entries: tuple[str, ...] | list[str]) -> Allowlist:
        """CIDRs (``10.0.0.0/8``), addresses, or host names; ValueError for anything else."""
        networks, hosts = [], set()
        for entry in (e.strip().lower() for e in entries if e.strip()):
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
                continue
            except ValueError:
                pass
            if not all(label and len(label) <= 63 and label.replace("-", "").isalnum()
                       for label in entry.rstrip(".").split(".")):
                raise ValueError(f"not a CIDR or host name: {entry!r}")
            hosts.add(entry.rstrip("."))
        return cls(tuple(networks), frozenset(hosts))

    def allows_host(self, host: str) -> bool:
        return host.lower().rstrip(".") in self.hosts

    def allows_address(self, address: str) -> bool:
        ip = _unmapped(ipaddress.ip_address(address))
        return any(ip.version == net.version and ip in net for net in self.networks)


_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _unmapped(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """The IPv4 address inside an IPv4-mapped or NAT64 IPv6 address (which reach it)."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip in _NAT64:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip


def is_public(address: str) -> bool:
    """Routable on the internet: not loopback, link-local, private, shared (CGNAT),
    unspecified, reserved or multicast."""
    ip = _unmapped(ipaddress.ip_address(address))
    return ip.is_global and not ip.is_multicast


def addresses_allowed(host: str, addresses: list[str], allowlist: Allowlist) -> bool:
    """Every address the host resolved to must be public or allowlisted (one private answer
    among public ones is how DNS rebinding gets in)."""
    if allowlist.allows_host(host):
        return True
    return bool(addresses) and all(is_public(a) or allowlist.allows_address(a) for a in addresses)


def destination_problem(scheme: str, host: str, addresses: list[str], allowlist: Allowlist) -> str | None:
    """Why production may not deliver to this URL, or None. Plain http is allowed only to
    allowlisted destinations (an intranet); the internet gets https."""
    if allowlist.allows_host(host):
        return None
    if not addresses:
        return "unresolvable"
    if not addresses_allowed(host, addresses, allowlist):
        return "private_address"
    if scheme != "https" and not all(allowlist.allows_address(a) for a in addresses):
        return "https_required"
    return None


# What an endpoint URL may be, published as the schema's pattern so that the contract and the
# check agree exactly: http(s), a DNS name or an IPv4 address, an optional port, then visible
# ASCII without a fragment. No credentials (no "@" before the path), no spaces.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_PORT = r"(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4})"
URL_PATTERN = (rf"^https?://{_LABEL}(?:\.{_LABEL})*(?::{_PORT})?"
               r"(?:[/?][\x21\x22\x24-\x7e]*)?$")
_URL = re.compile(URL_PATTERN)


def parse_url(url: str, field: str = "body.url") -> tuple[str, str]:
    """(scheme, host) of an absolute http(s) URL that matches URL_PATTERN; 400 otherwise."""
    if len(url) > MAX_URL_LENGTH or not _URL.fullmatch(url):
        raise InvalidInput(field, "invalid_url")
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower()


# The models: what the store answers with (store/webhooks.py, store/deliveries.py)

@dataclass(frozen=True, slots=True)
class WebhookEndpoint:
    """An endpoint as the API shows it; its sealed secrets stay in the store (only the
    signing path reads them)."""

    id: str
    street_id: str
    url: str
    description: str
    event_types: list[str]
    enabled: bool
    disabled_reason: str | None
    disabled_at: datetime | None
    failing_since: datetime | None
    previous_secret_expires_at: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class WebhookDelivery:
    """One event to one endpoint, with the log of its latest attempts (``at``,
    ``status_code``, ``error``, ``duration_ms``; oldest first)."""

    id: str
    street_id: str
    endpoint_id: str
    event_id: str
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    first_attempt_at: datetime | None
    last_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    log: list[dict[str, object]]
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class DeliveryClaim:
    """A due delivery a worker holds (row-locked) while it calls the receiver: the event, and
    what it takes to sign and send it and to judge the attempt."""

    delivery_id: str
    endpoint_id: str
    attempts: int
    first_attempt_at: datetime | None
    log: list[dict[str, object]]
    url: str
    secret_sealed: bytes
    previous_secret_sealed: bytes | None
    previous_secret_expires_at: datetime | None
    failing_since: datetime | None
    event: Event
