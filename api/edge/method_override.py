"""``X-HTTP-Method-Override``: WeChat's wx.request cannot send PATCH, so a POST carrying
``PATCH`` or ``DELETE`` becomes that method; other values are ignored."""

from __future__ import annotations

from typing import Any

from api.edge.asgi import ASGIApp, header

_OVERRIDABLE = {b"PATCH": "PATCH", b"DELETE": "DELETE"}


def method_override(app: ASGIApp) -> ASGIApp:
    async def handle(scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            override = header(scope, b"x-http-method-override")
            if override and override.upper() in _OVERRIDABLE:
                scope["method"] = _OVERRIDABLE[override.upper()]
        await app(scope, receive, send)

    return handle
