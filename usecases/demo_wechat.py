"""Demo mini-program clients, one per demo street, so a newcomer can sign in as a resident
through the WeChat stand-in that the run command starts (development only).

With the stand-in, login code ``X`` is the person with openid ``openid-X``: the same code
always signs in as the same person."""

from __future__ import annotations

import asyncpg

from usecases.clients import register_demo_miniprogram
from usecases.crypto import Sealer
from usecases.demo import DEMO_STREETS

DEMO_APP_SECRET = "demo-app-secret-not-for-production"


def demo_miniprogram_id(platform_client_id: str) -> str:
    return f"{platform_client_id}_mp"


async def load_demo_miniprograms(conn: asyncpg.Connection, sealer: Sealer) -> list[tuple[str, str, str]]:
    """Register the demo mini-program clients; return (street, client id, appid) of each.
    Run after load_demo, which creates the streets."""
    loaded = []
    for index, (street_name, (platform_client_id, _)) in enumerate(DEMO_STREETS.items(), start=1):
        street_id = await conn.fetchval("SELECT street_id FROM clients WHERE id = $1", platform_client_id)
        client_id, appid = demo_miniprogram_id(platform_client_id), f"wxdemo{index:012d}"
        await register_demo_miniprogram(conn, sealer, client_id=client_id, street_id=street_id,
                                        name=f"{street_name} 演示小程序", appid=appid, app_secret=DEMO_APP_SECRET)
        loaded.append((street_name, client_id, appid))
    return loaded
