"""Every operation × every kind of caller: the right 401/403/404, and never data.

Part one is generic: every bearer-protected operation of the contract refuses missing,
expired, tampered and wrong-key tokens. Part two is a table: operations on one street's
places, by each role in that street and by outsiders."""

from __future__ import annotations

import base64
import re
import time
from pathlib import Path

import jwt
import pytest
import yaml

from api.auth.tokens import AUDIENCE, ISSUER
from domain.permissions import PLATFORM_SCOPES
from service.settings import DEV_JWT_KEYS
from tests.support.platform import new_street_client, sign_in
from tests.support.spaces import ALL_DAY, day_ahead, span
from tests.support.town import build_town

CONTRACT = yaml.safe_load((Path(__file__).resolve().parents[2] / "schema" / "openapi.yaml").read_text())
PROTECTED = [(path, method) for path, item in CONTRACT["paths"].items() for method, op in item.items()
             if method in ("get", "post", "patch", "put", "delete") and op.get("security") != []]


def concrete_path(path: str, method: str) -> str:
    """The path with each parameter filled by a value of its declared type (an id-like string,
    an integer, the first value of an enum), so that the router matches it and only the token
    decides the answer."""
    declared = {p["name"]: p.get("schema", {}) for p in CONTRACT["paths"][path][method].get("parameters", [])
                if p.get("in") == "path"}

    def value(name: str) -> str:
        schema = declared.get(name, {})
        if schema.get("enum"):
            return str(schema["enum"][0])
        return "1" if schema.get("type") == "integer" else "x_0000000000000000"
    return re.sub(r"{([^}]+)}", lambda m: value(m.group(1)), path)
KID, SECRET = DEV_JWT_KEYS.split(":")


def bad_tokens(platform) -> dict[str, str | None]:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": platform.client_id, "kind": "platform",
              "cid": platform.client_id, "sid": platform.street_id, "scope": " ".join(PLATFORM_SCOPES)}
    key = base64.b64decode(SECRET)
    return {
        "none": None,
        "expired": jwt.encode({**claims, "iat": now - 2000, "exp": now - 1000}, key, "HS256", headers={"kid": KID}),
        "tampered": platform.token[:-3] + ("abc" if not platform.token.endswith("abc") else "xyz"),
        "wrong kid": jwt.encode({**claims, "iat": now, "exp": now + 600}, key, "HS256", headers={"kid": "gone"}),
        "wrong key": jwt.encode({**claims, "iat": now, "exp": now + 600}, b"w" * 32, "HS256", headers={"kid": KID}),
    }


async def test_every_protected_operation_refuses_bad_tokens(client, platform):
    assert len(PROTECTED) > 40
    for name, token in bad_tokens(platform).items():
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        for path, method in PROTECTED:
            concrete = concrete_path(path, method)
            response = await client.request(method.upper(), concrete, headers=headers,
                                            json={} if method in ("post", "patch", "put") else None)
            assert response.status_code == 401, (name, method, path, response.status_code)
            assert response.json()["code"] in ("unauthenticated", "invalid_token", "token_expired")
            assert "data" not in response.json()


CALLERS = ("platform", "reader", "outsider", "officer", "staff", "far_staff", "leader", "head", "tenant",
           "neighbour", "far_resident", "stranger")

# (method, path template, body, {caller: expected status}); callers not named expect `default`.
MATRIX = [
    ("GET", "/v1/communities/{community}", None, {"default": 200, "outsider": 404, "far_staff": 404,
                                                   "far_resident": 404, "stranger": 404}),
    ("PATCH", "/v1/communities/{community}", {}, {"default": 403, "platform": 200, "officer": 200,
                                                  "outsider": 404, "far_staff": 404, "far_resident": 404,
                                                  "stranger": 404}),
    ("GET", "/v1/buildings/{building}", None, {"default": 200, "outsider": 404, "far_staff": 404,
                                                "neighbour": 404, "far_resident": 404, "stranger": 404}),
    ("PATCH", "/v1/buildings/{building}", {"rules": {"collect_days": 10}},
     {"default": 403, "platform": 200, "officer": 200, "staff": 200, "leader": 200, "reader": 403,
      "outsider": 404, "far_staff": 404, "neighbour": 404, "far_resident": 404, "stranger": 404}),
    ("PATCH", "/v1/buildings/{building}", {"name": "改名"},
     {"default": 403, "platform": 200, "officer": 200, "outsider": 404, "far_staff": 404, "neighbour": 404,
      "far_resident": 404, "stranger": 404}),
    ("GET", "/v1/buildings/{building}/households", None,
     {"default": 403, "platform": 200, "reader": 200, "officer": 200, "staff": 200, "leader": 200,
      "outsider": 404, "far_staff": 404, "neighbour": 404, "far_resident": 404, "stranger": 404}),
    ("POST", "/v1/buildings/{building}/households", {"unit_label": "{unique}", "area_m2": "70.00"},
     {"default": 403, "platform": 201, "officer": 201, "staff": 201, "outsider": 404, "far_staff": 404,
      "neighbour": 404, "far_resident": 404, "stranger": 404}),
    ("GET", "/v1/households/{household}", None,
     {"default": 404, "platform": 200, "reader": 200, "officer": 200, "staff": 200, "leader": 200, "head": 200}),
    ("PATCH", "/v1/households/{household}", {},
     {"default": 404, "platform": 200, "reader": 403, "officer": 200, "staff": 200, "leader": 403, "head": 403}),
    ("GET", "/v1/buildings/{building}/members", None,
     {"default": 200, "outsider": 404, "far_staff": 404, "neighbour": 404, "far_resident": 404, "stranger": 404}),
    ("POST", "/v1/households/{household}/invites", {"role": "family"},
     {"default": 404, "platform": 201, "officer": 201, "staff": 201, "leader": 201, "head": 201, "reader": 403,
      "tenant": 404}),
    ("GET", "/v1/buildings/{building}/roles", None,
     {"default": 403, "platform": 200, "reader": 200, "officer": 200, "staff": 200, "leader": 200, "outsider": 404,
      "far_staff": 404, "neighbour": 404, "far_resident": 404, "stranger": 404}),
    # street-level collections are always the caller's own street: an outsider sees its own
    ("GET", "/v1/streets/roles", None, {"default": 403, "platform": 200, "reader": 200, "officer": 200,
                                        "outsider": 200}),
    ("POST", "/v1/communities", {"name": "{unique}"}, {"default": 403, "platform": 201, "officer": 201,
                                                      "outsider": 201}),
    ("GET", "/v1/audit", None, {"default": 403, "platform": 200, "reader": 200, "officer": 200, "outsider": 200}),
    ("GET", "/v1/me", None, {"default": 200, "platform": 403, "reader": 403, "outsider": 403}),
    ("GET", "/v1/communities/{community}/roles", None,
     {"default": 403, "platform": 200, "reader": 200, "officer": 200, "staff": 200, "outsider": 404,
      "far_staff": 404, "far_resident": 404, "stranger": 404}),
    ("POST", "/v1/communities/{community}/role-invites",
     {"role": "building_leader", "scope": {"type": "building", "id": "{building}"}},
     {"default": 403, "platform": 201, "officer": 201, "staff": 201, "outsider": 404, "far_staff": 404,
      "far_resident": 404, "stranger": 404}),
    ("GET", "/v1/organizations", None, {"default": 403, "platform": 200, "reader": 200, "officer": 200,
                                        "staff": 200, "far_staff": 200, "outsider": 200}),
    ("GET", "/v1/clients", None, {"default": 403, "platform": 200, "officer": 200, "outsider": 200}),
    ("GET", "/v1/events", None, {"default": 403, "platform": 200, "reader": 200, "outsider": 200}),
    ("GET", "/v1/webhook-endpoints", None, {"default": 403, "platform": 200, "outsider": 200}),
    # proposals: the building's residents and leaders
    ("GET", "/v1/buildings/{building}/proposals", None,
     {"default": 200, "outsider": 404, "far_staff": 404, "neighbour": 404, "far_resident": 404, "stranger": 404}),
    ("GET", "/v1/proposals/{proposal}", None,
     {"default": 200, "outsider": 404, "far_staff": 404, "neighbour": 404, "far_resident": 404, "stranger": 404}),
    ("POST", "/v1/buildings/{building}/proposals", {"title": "{unique}"},
     {"default": 201, "platform": 403, "reader": 403, "outsider": 404, "far_staff": 404, "neighbour": 404,
      "far_resident": 404, "stranger": 404}),
    # spaces: whoever may book or manage them sees them; only leaders change them
    ("GET", "/v1/spaces/{space}", None,
     {"default": 200, "outsider": 404, "far_staff": 404, "neighbour": 404, "far_resident": 404, "stranger": 404}),
    ("PATCH", "/v1/spaces/{space}", {},
     {"default": 403, "platform": 200, "officer": 200, "staff": 200, "leader": 200, "outsider": 404,
      "far_staff": 404, "neighbour": 404, "far_resident": 404, "stranger": 404}),
    # tasks: whoever sees the building sees its tasks; leaders make, change and cancel them
    ("GET", "/v1/buildings/{building}/tasks", None,
     {"default": 200, "outsider": 404, "far_staff": 404, "neighbour": 404, "far_resident": 404, "stranger": 404}),
    ("GET", "/v1/tasks/{task}", None,
     {"default": 200, "outsider": 404, "far_staff": 404, "neighbour": 404, "far_resident": 404, "stranger": 404}),
    ("POST", "/v1/buildings/{building}/tasks", {"title": "{unique}"},
     {"default": 403, "platform": 201, "officer": 201, "staff": 201, "leader": 201, "outsider": 404,
      "far_staff": 404, "neighbour": 404, "far_resident": 404, "stranger": 404}),
    ("PATCH", "/v1/tasks/{task}", {},
     {"default": 403, "platform": 200, "officer": 200, "staff": 200, "leader": 200, "outsider": 404,
      "far_staff": 404, "neighbour": 404, "far_resident": 404, "stranger": 404}),
    # cancelling needs a leader (403 first), then a reason (422): nothing moves
    ("POST", "/v1/tasks/{task}/transitions", {"to": "cancelled"},
     {"default": 403, "platform": 422, "officer": 422, "staff": 422, "leader": 422, "outsider": 404,
      "far_staff": 404, "neighbour": 404, "far_resident": 404, "stranger": 404}),
    ("GET", "/v1/me/tasks", None, {"default": 200, "platform": 403, "reader": 403, "outsider": 403}),
    # reports: the reporter (tenant) and the building's leaders; residents list their own
    ("GET", "/v1/buildings/{building}/reports", None,
     {"default": 200, "outsider": 404, "far_staff": 404, "neighbour": 404, "far_resident": 404, "stranger": 404}),
    ("GET", "/v1/reports/{report}", None,
     {"default": 404, "platform": 200, "reader": 200, "officer": 200, "staff": 200, "leader": 200, "tenant": 200}),
    ("POST", "/v1/buildings/{building}/reports", {"category": "other", "description": "{unique}"},
     {"default": 201, "platform": 403, "reader": 403, "outsider": 404, "far_staff": 404, "neighbour": 404,
      "far_resident": 404, "stranger": 404}),
    # rejecting needs a leader (403 first), then a reason (422): nothing moves
    ("POST", "/v1/reports/{report}/transitions", {"to": "rejected"},
     {"default": 404, "platform": 422, "officer": 422, "staff": 422, "leader": 422, "reader": 403, "tenant": 403}),
    ("POST", "/v1/reports/{report}/feedback", {"rating": 5},
     {"default": 404, "platform": 403, "officer": 403, "staff": 403, "leader": 403, "reader": 403, "tenant": 409}),
    # bookings: the booker (the head, for their household) and the leaders of the space's
    # place; no other resident learns a booking exists. The moves asked for are refused for
    # everyone (so the booking stays as it is): leaders may not check in (403) nor confirm a
    # confirmed booking (409); the booker may not confirm (403) and is days early (422).
    ("GET", "/v1/spaces/{space}/bookings", None,
     {"default": 200, "outsider": 404, "far_staff": 404, "neighbour": 404, "far_resident": 404, "stranger": 404}),
    ("GET", "/v1/me/bookings", None, {"default": 200, "platform": 403, "reader": 403, "outsider": 403}),
    ("GET", "/v1/bookings/{booking}", None,
     {"default": 404, "platform": 200, "officer": 200, "staff": 200, "leader": 200, "head": 200}),
    ("POST", "/v1/bookings/{booking}/transitions", {"status": "confirmed"},
     {"default": 404, "platform": 409, "officer": 409, "staff": 409, "leader": 409, "head": 403}),
    ("POST", "/v1/bookings/{booking}/transitions", {"status": "checked_in"},
     {"default": 404, "platform": 403, "officer": 403, "staff": 403, "leader": 403, "head": 422}),
]


@pytest.fixture
async def callers(client, db, test_settings, database_url, platform):
    town = await build_town(db, test_settings, platform)
    town.proposal = (await client.post(f"/v1/buildings/{town.building}/proposals",
                                       headers=town.people["head"].headers(), json={"title": "楼道照明"})).json()["id"]
    town.space = (await client.post(f"/v1/buildings/{town.building}/spaces", headers=town.people["leader"].headers(),
                                    json={"name": "共享客厅", "kind": "lounge", "capacity": 10,
                                          "opening_hours": ALL_DAY})).json()["id"]
    town.task = (await client.post(f"/v1/buildings/{town.building}/tasks", headers=town.people["leader"].headers(),
                                   json={"title": "更换楼道灯泡"})).json()["id"]
    town.report = (await client.post(f"/v1/buildings/{town.building}/reports",
                                     headers=town.people["tenant"].headers(),
                                     json={"category": "facilities", "description": "3 楼楼道灯不亮"})).json()["id"]
    booked = await client.post(f"/v1/spaces/{town.space}/bookings", headers=town.people["head"].headers(),
                               json={**span(await day_ahead(db), 60), "attendees": 2})
    assert booked.status_code == 201, booked.text
    town.booking = booked.json()["id"]
    reader = await sign_in(client, await new_street_client(database_url, scopes=frozenset({"street:read"})))
    # a reader of *this* street: re-home its client into the town's street
    await db.execute("UPDATE clients SET street_id = $1 WHERE id = $2", platform.street_id, reader.client_id)
    reader = await sign_in(client, reader)
    outsider = await sign_in(client, await new_street_client(database_url))
    headers = {"platform": platform.headers(), "reader": reader.headers(), "outsider": outsider.headers()}
    headers.update({name: person.headers() for name, person in town.people.items()})
    return town, headers


@pytest.mark.parametrize("method, template, body, expected", MATRIX,
                         ids=[f"{m} {t} {sorted(b) if b else ''}" for m, t, b, _ in MATRIX])
async def test_each_caller_gets_the_right_answer(client, callers, method, template, body, expected):
    town, headers = callers
    path = template.format(community=town.community, building=town.building, household=town.household,
                           proposal=town.proposal, space=town.space, task=town.task, report=town.report,
                           booking=town.booking)
    for index, caller in enumerate(CALLERS):
        payload = None
        if body is not None:
            payload = {k: (f"{caller}-{index}" if v == "{unique}" else v) for k, v in body.items()}
            if "scope" in payload:
                payload["scope"] = {**payload["scope"], "id": town.building}
        response = await client.request(method, path, headers=headers[caller], json=payload)
        want = expected.get(caller, expected["default"])
        assert response.status_code == want, (caller, method, path, response.status_code, response.text[:200])
        if want >= 400:
            assert response.headers["content-type"] == "application/problem+json"
            assert "data" not in response.json() and "id" not in response.json()
