"""The one invite-code mechanism (usecases/invites.py) that household, role and
organisation-member invites share: shown once and kept as a digest, redeemed once, never by
its issuer, and only used up when what it gives was given."""

from __future__ import annotations

import pytest

from domain.errors import Conflict, RuleViolation
from domain.people import HouseholdInvite
from domain.roles import RoleInvite
from tests.support.town import build_town
from usecases import invites


@pytest.fixture
async def town(db, test_settings, platform):
    return await build_town(db, test_settings, platform)


def _household_terms(town):
    return {"household_id": town.household, "role": "family", "head": False}


async def test_a_code_is_redeemed_once_and_never_by_its_issuer(db, town):
    leader, stranger = town.people["leader"].person_id, town.people["stranger"].person_id
    given = []

    async def give(invite):
        given.append(invite.id)
        return invite.household_id

    async with db.acquire() as conn, conn.transaction():
        invite, code = await invites.issue(conn, HouseholdInvite, street_id=town.street_id, issued_by=leader,
                                           terms=_household_terms(town))
        assert invite.household_id == town.household and invite.created_by == leader
        assert not await conn.fetchval("SELECT count(*) FROM household_invites WHERE code_digest::text LIKE $1",
                                       f"%{code}%")
        with pytest.raises(RuleViolation) as own:
            await invites.redeem(conn, HouseholdInvite, street_id=town.street_id, person_id=leader,
                                 typed_code=code, apply=give)
        assert own.value.code == "own_invite" and given == []
        # Typed back in lower case without separators, it is the same code.
        typed = code.replace("-", "").lower()
        assert await invites.redeem(conn, HouseholdInvite, street_id=town.street_id, person_id=stranger,
                                    typed_code=typed, apply=give) == town.household
        with pytest.raises(RuleViolation) as again:
            await invites.redeem(conn, HouseholdInvite, street_id=town.street_id, person_id=stranger,
                                 typed_code=code, apply=give)
    assert again.value.code == "invalid_invite" and given == [invite.id]
    assert await db.fetchval("SELECT used_by FROM household_invites WHERE id = $1", invite.id) == stranger


async def test_a_code_is_only_for_its_own_kind_and_street(db, town, other_platform):
    async with db.acquire() as conn:
        _, code = await invites.issue(conn, HouseholdInvite, street_id=town.street_id,
                                      issued_by=town.people["leader"].person_id, terms=_household_terms(town))
        for kind, street in ((RoleInvite, town.street_id), (HouseholdInvite, other_platform.street_id)):
            with pytest.raises(RuleViolation) as refused:
                await invites.redeem(conn, kind, street_id=street, person_id=town.people["stranger"].person_id,
                                     typed_code=code, apply=pytest.fail)
            assert refused.value.code == "invalid_invite"


async def test_an_expired_or_malformed_code_gives_nothing(db, town):
    async with db.acquire() as conn:
        invite, code = await invites.issue(
            conn, RoleInvite, street_id=town.street_id, issued_by=town.people["staff"].person_id,
            terms={"role": "building_leader", "scope_type": "building", "scope_id": town.building,
                   "community_id": town.community, "building_id": town.building})
        await conn.execute("UPDATE role_invites SET expires_at = clock_timestamp() - interval '1 second' "
                           "WHERE id = $1", invite.id)
        for typed in (code, "not a code", ""):
            with pytest.raises(RuleViolation) as refused:
                await invites.redeem(conn, RoleInvite, street_id=town.street_id,
                                     person_id=town.people["stranger"].person_id, typed_code=typed, apply=pytest.fail)
            assert refused.value.code == "invalid_invite"


async def test_a_code_whose_gift_fails_stays_unused(db, town):
    async def refuse(invite):
        raise Conflict("already_member")

    async with db.acquire() as conn:
        invite, code = await invites.issue(conn, HouseholdInvite, street_id=town.street_id,
                                           issued_by=town.people["leader"].person_id, terms=_household_terms(town))
        with pytest.raises(Conflict):
            await invites.redeem(conn, HouseholdInvite, street_id=town.street_id,
                                 person_id=town.people["head"].person_id, typed_code=code, apply=refuse)
    assert await db.fetchval("SELECT used_at FROM household_invites WHERE id = $1", invite.id) is None
