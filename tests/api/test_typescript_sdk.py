"""The TypeScript SDK (clients/typescript) and the contract as generators and linters read it:
Redocly's recommended ruleset finds nothing, the committed generated types are those
openapi-typescript makes from the committed contract, they compile with the SDK, and the SDK's
Node tests pass against the running service (demo data, WeChat stand-in) with both transports."""

from __future__ import annotations

import json

import pytest

from tests.support.devrun import running_dev
from tests.support.node_tools import npm, npx

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("node")]


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


def test_the_sdk_journeys_pass_against_the_running_service(postgres_url, redis_url, worker_id, tmp_path):
    with running_dev(postgres_url, redis_url, f"{worker_id}_sdk", log_path=tmp_path / "dev.log") as (_, base):
        ran = npm("test", env={"BILIN_BASE_URL": base})
    assert ran.returncode == 0, ran.stdout[-6000:] + ran.stderr[-3000:]
    assert "# fail 0" in ran.stdout and "# skipped 0" in ran.stdout, ran.stdout[-3000:]
