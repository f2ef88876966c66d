"""Display names cannot spoof neighbours: names of persons and organisations refuse control
and format characters (bidi overrides, isolates and marks, zero-width characters), with a
field-level message; content text (comments, descriptions) stays exact."""

from __future__ import annotations

import pytest

from tests.support.town import build_town

SPOOFS = ["\u202e", "\u202a", "\u2066", "\u2069", "\u200e", "\u200f", "\u061c", "\u200b", "\u200d", "\u2060",
          "\ufeff", "\x07", "\n", "\u00ad", "\U000e0041"]


@pytest.fixture
async def town(db, test_settings, platform):
    return await build_town(db, test_settings, platform)


def assert_refused(answer, field: str) -> None:
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert body["code"] == "validation_failed"
    assert body["errors"] == [{"field": field, "code": "name_character", "message": body["errors"][0]["message"]}]
    assert "regex" not in body["errors"][0]["message"]


async def test_person_names_refuse_invisible_and_direction_characters(client, db, town):
    me = town.people["stranger"].headers()
    for spoof in SPOOFS:
        for field in ("nickname", "real_name"):
            assert_refused(await client.patch("/v1/me", headers=me, json={field: f"王{spoof}建国"}), f"body.{field}")
    english = await client.patch("/v1/me", headers={**me, "Accept-Language": "en"}, json={"nickname": "a\u202eb"})
    assert "name" in english.json()["errors"][0]["message"]
    assert await db.fetchval("SELECT nickname FROM persons WHERE id = $1", town.people["stranger"].person_id) == "路人"
    fine = await client.patch("/v1/me", headers=me, json={"nickname": "阳台种花的老王 🌻", "real_name": "欧阳·娜娜"})
    assert fine.status_code == 200, fine.text
    assert fine.json()["nickname"] == "阳台种花的老王 🌻"


async def test_organisation_names_refuse_them_and_content_text_stays_exact(client, db, town):
    staff = town.people["staff"].headers()
    for spoof in SPOOFS:
        created = await client.post("/v1/organizations", headers=staff,
                                    json={"name": f"嘉富{spoof}物业", "kind": "property_company",
                                          "community_id": town.community})
        assert_refused(created, "body.name")
    head = town.people["head"]
    created = await client.post(f"/v1/buildings/{town.building}/proposals", headers=head.headers(),
                                json={"title": "加装电梯", "category": "facilities",
                                      "description": "一楼\u200b住户 👨\u200d👩\u200d👧 \u202e同意"})
    assert created.status_code == 201, created.text
    assert created.json()["description"] == "一楼\u200b住户 👨\u200d👩\u200d👧 \u202e同意"
