"""Posting an import file as multipart and running its jobs in the test's process."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from tests.support.due_jobs import run_due_jobs_of
from tests.support.platform import Platform
from usecases.imports import APPLY_JOB, STAGE_JOB


def form(kind: str, content: bytes, *, mode: str | None = None, filename: str = "registry.csv") -> tuple[bytes, dict[str, str]]:
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\n{kind}\r\n'.encode()]
    if mode is not None:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="mode"\r\n\r\n{mode}\r\n'.encode())
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
                 "Content-Type: text/csv\r\n\r\n".encode() + content + f"\r\n--{boundary}--\r\n".encode())
    return b"".join(parts), {"Content-Type": f"multipart/form-data; boundary={boundary}"}


async def post_import(client: Any, platform: Platform, kind: str, content: bytes, **options: Any) -> Any:
    body, headers = form(kind, content, **options)
    return await client.post("/v1/imports", content=body, headers=platform.headers(**headers))


async def run_import(db: asyncpg.Pool) -> int:
    return await run_due_jobs_of(db, [STAGE_JOB, APPLY_JOB])


async def imported(client: Any, db: asyncpg.Pool, platform: Platform, kind: str, content: bytes,
                   **options: Any) -> dict[str, Any]:
    """Post the file, run its jobs, return the finished import."""
    started = await post_import(client, platform, kind, content, **options)
    assert started.status_code == 202, started.text
    await run_import(db)
    return (await client.get(started.headers["location"], headers=platform.headers())).json()
