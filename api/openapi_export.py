"""The committed contract, ``schema/openapi.yaml``, rendered from the code.

Rendering needs no database: the app is built with a placeholder URL and never started."""

from __future__ import annotations

from api.conventions.openapi import contract_document, render_json, render_yaml
from service.settings import Settings


def openapi_document() -> dict:
    from api.app import create_app

    # Development, so the contract also describes /v1/test-clock (which production does not serve).
    app = create_app(Settings(environment="development", database_url="postgresql://unused@127.0.0.1:1/unused",
                              log_level="error"))
    return contract_document(app)


def render_openapi(fmt: str = "yaml") -> str:
    document = openapi_document()
    return render_json(document) if fmt == "json" else render_yaml(document)
