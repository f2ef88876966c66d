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
    generated = subprocess.run(
        [bin_dir / "openapi-python-client", "generate", "--path", ROOT / "schema" / "openapi.yaml",
         "--meta", "none", "--output-path", tmp_path / "bilin_client"],
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
