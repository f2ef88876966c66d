"""Who may do what. A principal is the authenticated caller; the policy functions raise
``Forbidden`` when the caller may see a thing but not act on it. Rows of other streets are
never loaded in the first place (every query is street-scoped), which is what makes them 404."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.errors import Forbidden

PLATFORM_SCOPES = frozenset(
    {"street:read", "street:write", "tasks:dispatch", "webhooks:manage", "imports:write"}
)


@dataclass(frozen=True)
class Principal:
    kind: str  # "platform" (a server-to-server client) or "person" (a signed-in resident)
    client_id: str
    street_id: str
    scopes: frozenset[str] = field(default_factory=frozenset)
    person_id: str | None = None

    @property
    def caller_key(self) -> str:
        """The identity that owns idempotency keys and rate-limit buckets: client + person."""
        return f"{self.client_id}:{self.person_id or '-'}"


def require_scope(principal: Principal, scope: str) -> None:
    if scope not in principal.scopes:
        raise Forbidden("insufficient_scope", {"scope": scope})


def can_read_street(principal: Principal) -> None:
    """Platform reads of the street's places: `street:read` (or `street:write`, which implies it)."""
    if principal.kind == "platform" and not principal.scopes & {"street:read", "street:write"}:
        raise Forbidden("insufficient_scope", {"scope": "street:read"})


def can_manage_places(principal: Principal) -> None:
    """Creating and changing communities, buildings and households: what community staff
    may do, which for a platform client means `street:write`."""
    if principal.kind != "platform":
        raise Forbidden("not_allowed")
    require_scope(principal, "street:write")
