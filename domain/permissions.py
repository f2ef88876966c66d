"""Who may do what, on which place.

A principal is the authenticated caller (a platform client, or a person signed in through a
mini-program client); an actor is a principal together with the grants it holds in the
token's street: roles on scopes and household memberships. The policy answers two questions
about a place: may the actor *see* it (else 404, never revealing that it exists) and may it
*do* a given thing there (else 403). "Leader" follows resources.md: the building's leader or
anyone above — community staff of its community, a street officer, or a platform client of
the street with `street:write`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from domain.errors import Forbidden, NotFound

PLATFORM_SCOPES = frozenset(
    {"street:read", "street:write", "tasks:dispatch", "webhooks:manage", "imports:write"}
)
MEMBER_ROLES = ("owner", "tenant", "family")


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


@dataclass(frozen=True)
class Tie:
    """A live membership of a household."""

    household_id: str
    building_id: str
    community_id: str
    role: str  # owner, tenant, family
    head: bool


@dataclass(frozen=True)
class Grants:
    street_officer: bool = False
    communities: frozenset[str] = frozenset()  # community_staff
    buildings: Mapping[str, str] = field(default_factory=dict)  # building_leader: building → community
    organizations: frozenset[str] = frozenset()
    households: Mapping[str, Tie] = field(default_factory=dict)


@dataclass(frozen=True)
class Place:
    """Where a thing lives; the wider levels are always filled in."""

    street_id: str
    community_id: str | None = None
    building_id: str | None = None
    household_id: str | None = None


@dataclass(frozen=True)
class Actor:
    principal: Principal
    grants: Grants = field(default_factory=Grants)

    @property
    def is_platform(self) -> bool:
        return self.principal.kind == "platform"

    @property
    def person_id(self) -> str | None:
        return self.principal.person_id

    def _in_street(self, place: Place) -> bool:
        return place.street_id == self.principal.street_id

    # Levels of authority over a place

    def street_wide(self, *, write: bool) -> bool:
        """A street officer, or a platform client with the scope for reading or writing."""
        if self.is_platform:
            wanted = {"street:write"} if write else {"street:read", "street:write"}
            return bool(self.principal.scopes & wanted)
        return self.grants.street_officer

    def staff_of(self, place: Place, *, write: bool = True) -> bool:
        """Community staff of the place's community, or anyone street-wide."""
        if not self._in_street(place):
            return False
        return self.street_wide(write=write) or (
            place.community_id is not None and place.community_id in self.grants.communities)

    def leader_of(self, place: Place, *, write: bool = True) -> bool:
        """The building's leader or anyone above it."""
        if self.staff_of(place, write=write):
            return True
        return place.building_id is not None and place.building_id in self.grants.buildings

    def resident_of(self, place: Place) -> bool:
        """A member of a household of the place's building (or of the household itself)."""
        if not self._in_street(place):
            return False
        ties = self.grants.households.values()
        if place.household_id is not None:
            return place.household_id in self.grants.households
        if place.building_id is not None:
            return any(t.building_id == place.building_id for t in ties)
        return place.community_id is not None and any(t.community_id == place.community_id for t in ties)

    def head_of(self, household_id: str) -> bool:
        tie = self.grants.households.get(household_id)
        return tie is not None and tie.head

    def sees(self, place: Place) -> bool:
        """May read the place: its leaders (reading) or its residents; a community is also
        visible to the leaders of its buildings."""
        if self.leader_of(place, write=False) or self.resident_of(place):
            return True
        if place.building_id is None and place.community_id is not None:
            return place.community_id in self.grants.buildings.values()
        return False


def may_administer_role(actor: Actor, role: str, place: Place) -> bool:
    """Who grants, revokes and invites to a role held on ``place``: community staff and street
    officers, or any role of a street-level organisation — street-wide writers; a building's
    leaders and a community organisation's members — staff of that community and above."""
    if role in ("community_staff", "street_officer") or place.community_id is None:
        return actor.street_wide(write=True)
    return actor.staff_of(place)


def may_list_role(actor: Actor, scope_type: str, place: Place) -> bool:
    """Who lists the holders of a scope's role: a building's leaders (its leader and above),
    the street's officers (street-wide readers), a community's staff or an organisation's
    members (staff of its community and street-wide readers)."""
    if scope_type == "building":
        return actor.leader_of(place, write=False)
    if scope_type == "street":
        return actor.street_wide(write=False)
    return actor.staff_of(place, write=False)


def casts_ballots(tie: Tie) -> bool:
    """A household's ballot is cast by its head or by any owner member."""
    return tie.head or tie.role == "owner"


def may_cast_ballot(actor: Actor, household_id: str, at_opening: Tie | None) -> bool:
    """May the actor cast or change the household's ballot in a vote? Only a person who casts
    the household's ballots now *and* did so already when the vote opened (``at_opening``:
    their membership as frozen with the electorate, None when they were no member then). So a
    household's voters can only shrink while a vote runs: nobody who joins — or is promoted —
    afterwards touches its ballot."""
    if actor.is_platform or actor.person_id is None or at_opening is None:
        return False
    now = actor.grants.households.get(household_id)
    return (now is not None and at_opening.household_id == household_id
            and casts_ballots(now) and casts_ballots(at_opening))


def may_redeem_invite(person_id: str, issued_by: str) -> bool:
    """The issuer of an invite never redeems it: a code is for someone else, or a leader could
    make themselves a member (and a voter) of any household they may invite into."""
    return person_id != issued_by


def may_see_catalogue(actor: Actor, place: Place) -> bool:
    """Rewards: a street's catalogue is for anyone of the street; a community's for those who
    see the community."""
    if not actor._in_street(place):
        return False
    return place.community_id is None or actor.sees(place)


def may_manage_catalogue(actor: Actor, place: Place) -> bool:
    """A community's rewards: its staff and above; the street's: street-wide writers."""
    return actor.staff_of(place) if place.community_id else actor.street_wide(write=True)


def may_hand_out_reward(actor: Actor, place: Place, provider_organization_id: str | None) -> bool:
    """Fulfil (or cancel) a redemption: a member of the reward's provider organisation, or a
    leader of the catalogue's place (for a community's, the leaders of its buildings too)."""
    if provider_organization_id and provider_organization_id in actor.grants.organizations:
        return True
    if actor.staff_of(place):
        return True
    return place.community_id is not None and place.community_id in actor.grants.buildings.values()


def may_award_points(actor: Actor, person_id: str, places_of_person: list[Place]) -> bool:
    """A leader awards points to a resident of a building they lead (or above) — never to
    themself."""
    return person_id != actor.person_id and any(actor.leader_of(place) for place in places_of_person)


def may_set_street_settings(actor: Actor, *, write: bool) -> bool:
    return actor.street_wide(write=write)


def may_file_document(actor: Actor, place: Place) -> bool:
    """备案 of a building's document with the street: a street officer of its street, or the
    street's platform with ``street:write``."""
    return actor._in_street(place) and actor.street_wide(write=True)


def ensure_visible(actor: Actor, place: Place) -> None:
    if not actor.sees(place):
        raise NotFound("not_found")


def ensure(allowed: bool, code: str = "not_allowed") -> None:
    if not allowed:
        raise Forbidden(code)


def ensure_for(actor: Actor, allowed: bool, scope: str = "street:write") -> None:
    """403 when not allowed: `insufficient_scope` for a platform client (its token lacks the
    scope), `not_allowed` for a person (their roles do not reach)."""
    if allowed:
        return
    if actor.is_platform:
        raise Forbidden("insufficient_scope", {"scope": scope})
    raise Forbidden("not_allowed")


def require_scope(principal: Principal, scope: str) -> None:
    if scope not in principal.scopes:
        raise Forbidden("insufficient_scope", {"scope": scope})


def ensure_street_wide(actor: Actor, *, write: bool) -> None:
    """For street-level collections: a platform client lacking the scope gets 403
    `insufficient_scope`; a person who is not a street officer gets 403 `not_allowed`."""
    if actor.street_wide(write=write):
        return
    if actor.is_platform:
        raise Forbidden("insufficient_scope", {"scope": "street:write" if write else "street:read"})
    raise Forbidden("not_allowed")


def can_manage(actor: Actor, place: Place) -> None:
    """Creating and changing places and households: community staff or above. A platform
    client without `street:write` gets `insufficient_scope`."""
    if actor.staff_of(place, write=True):
        return
    if actor.is_platform:
        raise Forbidden("insufficient_scope", {"scope": "street:write"})
    raise Forbidden("not_allowed")


# Three lists and co-building agreements (the community spec §14)

def may_see_lists(actor: Actor, place: Place) -> bool:
    """A community's needs, resources and projects: whoever sees the community, and members of
    the street's organisations (the partners who answer needs)."""
    return actor.sees(place) or (actor._in_street(place) and bool(actor.grants.organizations))


def may_raise_need(actor: Actor, place: Place) -> bool:
    """A resident of the place (its building, or any of the community's) or a leader of it."""
    return actor.resident_of(place) or actor.leader_of(place)


def may_run_projects(actor: Actor, place: Place) -> bool:
    """Projects and agreements of a community: its staff and above."""
    return actor.staff_of(place)


def may_offer_resource(actor: Actor, place: Place, organization_id: str) -> bool:
    """A member of the offering organisation, or the community's staff on its behalf."""
    return organization_id in actor.grants.organizations or actor.staff_of(place)


def may_see_agreement(actor: Actor, place: Place, organization_id: str) -> bool:
    return actor.sees(place) or (actor._in_street(place) and organization_id in actor.grants.organizations)


def signing_sides(actor: Actor, place: Place, organization_id: str) -> tuple[str, ...]:
    """The sides of an agreement a signed-in person may sign: ``community`` for the
    community's staff (street officers included), ``organization`` for the organisation's
    members. A platform client signs for no side."""
    if actor.person_id is None or not actor._in_street(place):
        return ()
    sides = ("community",) if actor.staff_of(place) else ()
    return sides + (("organization",) if organization_id in actor.grants.organizations else ())


def may_end_agreement(actor: Actor, place: Place, organization_id: str) -> bool:
    """Either side terminates: the community's staff or a member of the organisation."""
    return actor.staff_of(place) or (actor._in_street(place) and organization_id in actor.grants.organizations)
