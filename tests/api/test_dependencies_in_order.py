"""A route's dependencies (caller, connection, page) are resolved one after another, never in
an anyio task group (api/deps.py): with the task group made to fail, the routes still answer
as before — a list, a 401 for a missing token, a 404 that reveals nothing."""

from __future__ import annotations

from litestar._kwargs import kwargs_model


def _no_task_group():
    raise AssertionError("a task group was created to resolve dependencies")


async def test_dependencies_resolve_without_a_task_group(client, platform, monkeypatch):
    monkeypatch.setattr(kwargs_model, "create_task_group", _no_task_group)
    listed = await client.get("/v1/buildings", headers=platform.headers())  # principal, conn, keyset
    assert listed.status_code == 200, listed.text
    assert (await client.get("/v1/buildings")).status_code == 401
    missing = await client.get("/v1/buildings/bld_nothing_here", headers=platform.headers())
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("application/problem+json")
