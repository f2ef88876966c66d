"""The client developer's kits, against the committed contract and the running service (the
run command: demo data, WeChat stand-in), started once for this module:

- Redocly's recommended ruleset finds nothing in the contract;
- the TypeScript SDK (clients/typescript): its generated types are those openapi-typescript
  makes from the contract, they compile, and its Node tests (a resident's and a platform's
  journeys, through the fetch and the wx.request transports) pass;
- openapi-python-client generates a client that imports, and signs in through it, with the
  token request as JSON and as the OAuth form."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.devrun import running_dev
from tests.support.node_tools import npm, npx

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("client_kits")]

ROOT = Path(__file__).resolve().parents[2]
PLATFORM = ("cli_demo_juyuan", "dev-secret-not-for-production")


@pytest.fixture(scope="module")
def service(postgres_url: str, redis_url: str, worker_id: str, tmp_path_factory) -> Iterator[str]:
    log_path = tmp_path_factory.mktemp("kits") / "dev.log"
    with running_dev(postgres_url, redis_url, f"{worker_id}_kits", log_path=log_path) as (_, base):
        yield base


def test_the_contract_passes_redoclys_recommended_ruleset():
    linted = npx("redocly", "lint", "../../schema/openapi.yaml", "--format=json")
    report = json.loads(linted.stdout[linted.stdout.index("{"):])
    shown = json.dumps(report["problems"][:20], ensure_ascii=False, indent=1)
    assert report["totals"] == {"errors": 0, "warnings": 0, "ignored": 0}, shown


def test_the_generated_types_are_current_and_compile():
    checked = npm("run", "check-generated")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    compiled = npm("run", "typecheck")
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr


def test_the_sdk_journeys_pass_against_the_running_service(service):
    ran = npm("test", env={"BILIN_BASE_URL": service})
    assert ran.returncode == 0, ran.stdout[-6000:] + ran.stderr[-3000:]
    assert "# fail 0" in ran.stdout and "# skipped 0" in ran.stdout, ran.stdout[-3000:]


def test_a_generated_python_client_signs_in(service, tmp_path, monkeypatch):
    bin_dir = Path(sys.executable).parent
    # The generator reads JSON, text and octet streams; a photo's bytes are read as the latter
    # (its documented content_type_overrides setting).
    config = tmp_path / "generator.yaml"
    config.write_text("content_type_overrides:\n" + "".join(
        f"  {kind}: application/octet-stream\n" for kind in ("image/jpeg", "image/png", "image/webp")))
    generated = subprocess.run(
        [bin_dir / "openapi-python-client", "generate", "--path", ROOT / "schema" / "openapi.yaml",
         "--meta", "none", "--config", config, "--output-path", tmp_path / "bilin_client"],
        capture_output=True, text=True, timeout=300, check=False,
        env={"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path)})
    assert generated.returncode == 0, generated.stdout + generated.stderr
    assert "Warning" not in generated.stdout + generated.stderr, generated.stdout + generated.stderr
    monkeypatch.syspath_prepend(str(tmp_path))
    client_module = importlib.import_module("bilin_client")
    issue = importlib.import_module("bilin_client.api.auth.issue_token")
    models = importlib.import_module("bilin_client.models")
    list_buildings = importlib.import_module("bilin_client.api.places.list_buildings")

    client = client_module.Client(base_url=service)
    grant = models.ClientCredentialsGrantGrantType.CLIENT_CREDENTIALS
    as_json = issue.sync(client=client, body=models.ClientCredentialsGrant(
        grant_type=grant, client_id=PLATFORM[0], client_secret=PLATFORM[1]))
    assert isinstance(as_json, models.TokenResponse), as_json
    as_form = issue.sync(client=client, body=models.TokenForm(
        grant_type=models.TokenFormGrantType.CLIENT_CREDENTIALS, client_id=PLATFORM[0], client_secret=PLATFORM[1]))
    assert isinstance(as_form, models.TokenResponse), as_form
    assert as_form.access_token != as_json.access_token

    authed = client_module.AuthenticatedClient(base_url=service, token=as_form.access_token)
    page = list_buildings.sync(client=authed, limit=2)
    assert isinstance(page, models.BuildingPage), page
    assert len(page.data) == 2 and page.data[0].id.startswith("bld_")
    refused = issue.sync(client=client, body=models.ClientCredentialsGrant(
        grant_type=grant, client_id=PLATFORM[0], client_secret="wrong"))
    assert isinstance(refused, models.Problem) and refused.code.value == "invalid_client", refused


def test_every_event_in_the_feed_matches_its_webhook_payload_schema(service):
    """The typed payloads of the contract's webhooks: section hold for the events the service
    really appends (the demo data's, and a resident's proposal, support and ballot)."""
    import httpx
    import jsonschema_rs
    import yaml

    def token(body: dict) -> str:
        return httpx.post(f"{service}/v1/auth/token", json=body, timeout=30).raise_for_status().json()["access_token"]

    resident = {"Authorization": "Bearer " + token(
        {"grant_type": "wechat_code", "client_id": "cli_demo_juyuan_mp", "code": "zhang"})}
    me = httpx.get(f"{service}/v1/me", headers=resident, timeout=30).raise_for_status().json()
    building = me["memberships"][0]["building_id"]
    proposal = httpx.post(f"{service}/v1/buildings/{building}/proposals", headers=resident, timeout=30,
                          json={"title": "单元门口加装扶手", "category": "facilities"}).raise_for_status().json()
    httpx.post(f"{service}/v1/proposals/{proposal['id']}/supports", headers=resident, json={},
               timeout=30).raise_for_status()
    platform = {"Authorization": "Bearer " + token(
        {"grant_type": "client_credentials", "client_id": PLATFORM[0], "client_secret": PLATFORM[1]})}
    document = yaml.safe_load((ROOT / "schema" / "openapi.yaml").read_text())
    events, cursor, deadline = [], None, time.monotonic() + 60
    # the worker numbers new events for the feed: read on until the proposal's support is there
    while not any(e["type"] == "proposal.supported" and e["subject"]["id"] == proposal["id"] for e in events):
        assert time.monotonic() < deadline, "the proposal's events never reached the feed"
        page = httpx.get(f"{service}/v1/events", headers=platform, timeout=30,
                         params={"limit": 100, **({"after": cursor} if cursor else {})}).raise_for_status().json()
        events += page["data"]
        cursor = page["next_cursor"]
        if not page.get("has_more", False):
            time.sleep(0.2)
    seen = {event["type"] for event in events}
    assert {"community.created", "household.joined", "proposal.created", "proposal.supported"} <= seen, seen
    for event in events:
        webhook = document["webhooks"].get(event["type"])
        assert webhook is not None, f"{event['type']} is not in the contract's webhooks"
        schema = webhook["post"]["requestBody"]["content"]["application/json"]["schema"]
        validator = jsonschema_rs.Draft202012Validator({**schema, "components": document["components"]})
        errors = [error.message for error in validator.iter_errors(event)]
        assert not errors, (event, errors)
