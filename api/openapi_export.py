"""The committed contract, ``schema/openapi.yaml``, rendered from the code.

Rendering needs no database: the app is built with a placeholder URL and never started."""

from __future__ import annotations

import json

import yaml

from api.settings import Settings


def openapi_document() -> dict:
    from api.app import create_app

    app = create_app(Settings(database_url="postgresql://unused@127.0.0.1:1/unused", log_level="error"))
    return app.openapi_schema.to_schema()


def render_openapi(fmt: str = "yaml") -> str:
    document = openapi_document()
    if fmt == "json":
        return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)
