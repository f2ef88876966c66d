"""Errors a developer can act on: every problem's detail says what was wrong and how to fix it
(never the title again), in Chinese that is Chinese and in English; validation errors name
fields as they are on the wire and say what to send in words, not in regular expressions."""

from __future__ import annotations

import re

import pytest

from api.conventions import catalogue

PROBLEM = "application/problem+json"
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
# ASCII allowed inside zh-CN texts: code and field names, header, media-type and protocol names.
_ALLOWED = {
    *catalogue.PROBLEMS, "JSON", "UTF", "ASCII", "NUL", "RFC", "UUID", "ETag", "If", "Match",
    "Idempotency", "Key", "Content", "Type", "application", "json", "charset", "utf", "Allow",
    "OPTIONS", "Retry", "After", "RateLimit", "Authorization", "Bearer", "POST", "GET", "v1", "auth",
    "token", "me", "AppID", "wx", "login", "https", "http", "s", "null", "true", "false", "task",
    "created", "T08", "cursor", "ballot", "reason", "outcome", "choice", "stage", "attendees", "errors",
    "field", "message", "scope", "code", "file", "MB", "JPEG", "PNG", "WebP", "HEIC",
    # imports: the form's field names and values, and the file formats and encodings it reads
    "kind", "mode", "upsert", "communities", "buildings", "households", "CSV", "BOM", "GB18030",
}


def english_words(text: str) -> list[str]:
    text = re.sub(r"\{[a-z_]+\}", "", text)  # template placeholders
    return [w for w in _WORD.findall(text) if w not in _ALLOWED and "_" not in w]


@pytest.mark.parametrize("code", sorted(catalogue.PROBLEMS))
def test_every_code_has_an_actionable_detail_in_both_languages(code):
    for language in ("zh-CN", "en"):
        title = catalogue.title(code, language)
        help_text = catalogue.help_for(code, language)
        detail = catalogue.detail(code, language)
        assert detail != title and help_text.cause != title and help_text.fix, (code, language)
        assert help_text.fix not in title and len(help_text.fix) >= 4, (code, language)
    zh = catalogue.help_for(code, "zh-CN")
    for text in (catalogue.title(code, "zh-CN"), zh.cause, zh.fix, zh.cause_with or ""):
        assert not english_words(text), (code, text, english_words(text))


def test_field_messages_in_chinese_are_chinese():
    for code, (zh, _en) in catalogue.FIELD_MESSAGES.items():
        assert not english_words(zh), (code, zh)


async def test_problem_pages_explain_cause_and_fix(client):
    for code in catalogue.PROBLEMS:
        page = await client.get(f"/problems/{code}")
        assert page.status_code == 200
        body = page.json()
        assert body["cause_zh"] and body["fix_zh"] and body["cause_en"] and body["fix_en"], body
        assert body["cause_zh"] != body["title_zh"] and body["cause_en"] != body["title_en"]


async def test_a_problem_detail_is_not_its_title(client, platform):
    for language in ("zh-CN", "en"):
        response = await client.get("/v1/nowhere", headers={"Accept-Language": language})
        body = response.json()
        assert body["detail"] != body["title"]
        assert body["detail"] == catalogue.detail("not_found", language)


async def test_a_bad_from_is_named_query_from_in_words(client, platform):
    path = "/v1/spaces/spc_nope/availability"
    for language in ("zh-CN", "en"):
        headers = platform.headers(**{"Accept-Language": language})
        bad = (await client.get(f"{path}?from=yesterday&to=2026-12-01T00:00:00Z", headers=headers)).json()
        assert bad["code"] == "validation_failed", bad
        assert [e["field"] for e in bad["errors"]] == ["query.from"]
        message = bad["errors"][0]["message"]
        assert "\\" not in message and "^" not in message and "regex" not in message, message
        assert "2026-12-01T08:00:00+08:00" in message
        if language == "zh-CN":
            assert not english_words(message), message
        missing = (await client.get(f"{path}?to=2026-12-01T00:00:00Z", headers=headers)).json()
        assert [(e["field"], e["code"]) for e in missing["errors"]] == [("query.from", "required")], missing


@pytest.mark.parametrize(("method", "path", "body"), [
    ("POST", "/v1/communities", {"name": 5}),
    ("POST", "/v1/communities", {"name": ""}),
    ("POST", "/v1/communities", {"name": "x" * 300}),
    ("POST", "/v1/communities", {"name": "x", "external_id": "a b"}),
    ("POST", "/v1/communities", {"name": "x", "nmae": "y"}),
    ("POST", "/v1/communities", {}),
    ("GET", "/v1/communities?limit=0", None),
    ("GET", "/v1/communities?limit=abc", None),
    ("GET", "/v1/events?limit=1000", None),
])
async def test_validation_messages_are_chinese_in_chinese_and_never_regex(client, platform, method, path, body):
    zh = (await client.request(method, path, headers=platform.headers(), json=body)).json()
    en = (await client.request(method, path, headers=platform.headers(**{"Accept-Language": "en"}), json=body)).json()
    assert zh["code"] == en["code"] == "validation_failed", zh
    for error in zh["errors"]:
        assert not english_words(error["message"]), error
        assert "`" not in error["message"] and "\\" not in error["message"]
    for error in en["errors"]:
        assert "`" not in error["message"] and "\\" not in error["message"] and "regex" not in error["message"]
    assert [e["message"] for e in zh["errors"]] != [e["message"] for e in en["errors"]]


async def test_printable_ascii_is_said_in_words(client, platform):
    body = {"name": "x", "external_id": "a b"}
    zh = (await client.post("/v1/communities", headers=platform.headers(), json=body)).json()
    en = (await client.post("/v1/communities", headers=platform.headers(**{"Accept-Language": "en"}), json=body)).json()
    assert "可打印 ASCII 字符" in zh["errors"][0]["message"]
    assert "printable ASCII" in en["errors"][0]["message"]


@pytest.mark.parametrize("path", ["/schema/nope", "/schema/openapi.nope", "/schema/scalar/x", "/nowhere", "/v1/x/y/z"])
async def test_every_404_is_a_problem(client, path):
    response = await client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["code"] == "not_found" and body["request_id"] == response.headers["x-request-id"]


@pytest.fixture
async def town(db, test_settings, platform):
    from tests.support.town import build_town

    return await build_town(db, test_settings, platform)


async def test_a_booking_conflict_names_the_clash_in_local_time(client, db, town):
    from datetime import timedelta

    from tests.support.spaces import day_ahead, new_space, span

    space = await new_space(client, town)
    start = await day_ahead(db, hour=10)  # 10:00 in Shanghai, 02:00 UTC
    body = {"attendees": 4, "purpose": "读书会"}
    path = f"/v1/spaces/{space['id']}/bookings"
    held = await client.post(path, headers=town.people["head"].headers(), json={**body, **span(start, 60)})
    assert held.status_code == 201, held.text
    clash_body = {**body, **span(start + timedelta(minutes=30), 60)}
    zh = (await client.post(path, headers=town.people["tenant"].headers(), json=clash_body)).json()
    en = (await client.post(path, headers=town.people["tenant"].headers(**{"Accept-Language": "en"}),
                            json=clash_body)).json()
    assert zh["code"] == "booking_conflict"
    day = start.strftime("%Y-%m-%d")
    assert f"{day} 10:00 至 11:00" in zh["detail"] and "北京时间" in zh["detail"], zh["detail"]
    assert not english_words(zh["detail"]), zh["detail"]
    assert f"{day} 10:00 to 11:00 (Asia/Shanghai, UTC+08:00)" in en["detail"], en["detail"]
    assert zh["clashing_range"] == en["clashing_range"] == {
        "start_at": held.json()["start_at"], "end_at": held.json()["end_at"]}
