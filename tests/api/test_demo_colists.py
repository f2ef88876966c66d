"""The demo's three lists and co-building (usecases/demo_colists.py): a partner's resource
matched to a need in an active project, under a signed (and, from yesterday, active)
agreement; loading twice adds nothing."""

from __future__ import annotations

import pytest

from tests.api.test_demo import demo_clients_retired_afterwards, load_everything  # noqa: F401 (a fixture)


@pytest.mark.usefixtures("demo_clients_retired_afterwards")
async def test_the_demo_has_a_project_under_a_signed_agreement(client, db, test_settings):
    await load_everything(db, test_settings)
    await load_everything(db, test_settings)
    community = await db.fetchval("SELECT community_id FROM buildings WHERE external_id = 'cli_demo_juyuan-c0-b0'")
    token = (await client.post("/v1/auth/token", json={
        "grant_type": "wechat_code", "client_id": "cli_demo_juyuan_mp", "code": "zhang"})).json()["access_token"]
    resident = {"Authorization": f"Bearer {token}"}
    agreements = (await client.get(f"/v1/communities/{community}/agreements", headers=resident)).json()["data"]
    assert [(a["status"], a["signatures"]["community"] is not None, a["signatures"]["organization"] is not None)
            for a in agreements] == [("active", True, True)]
    projects = (await client.get(f"/v1/communities/{community}/projects", headers=resident)).json()["data"]
    assert len(projects) == 1 and projects[0]["status"] == "active"
    project = projects[0]
    assert project["organization_ids"] == [agreements[0]["organization_id"]]
    need = (await client.get(f"/v1/needs/{project['need_ids'][0]}", headers=resident)).json()
    resource = (await client.get(f"/v1/resources/{project['resource_ids'][0]}", headers=resident)).json()
    assert need["status"] == "matched" and need["project_id"] == project["id"]
    assert resource["organization_id"] == agreements[0]["organization_id"] and resource["kind"] == "volunteers"
    assert await db.fetchval("SELECT count(*) FROM tasks WHERE source = 'project' AND source_id = $1",
                             project["id"]) == 1
