"""The architecture rules that keep the code readable: a pure domain and small modules."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN_IN_DOMAIN = {"litestar", "asyncpg", "redis", "structlog", "api", "store", "usecases", "msgspec"}


def python_files(*folders: str) -> list[Path]:
    return [p for folder in folders for p in (ROOT / folder).rglob("*.py")]


def test_domain_imports_no_framework_driver_or_outer_layer():
    for path in python_files("domain"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                assert name.split(".")[0] not in FORBIDDEN_IN_DOMAIN, f"{path.name} imports {name}"


def test_store_and_usecases_do_not_import_the_http_layer():
    for path in python_files("store", "usecases", "integrations"):
        source = path.read_text()
        assert "from litestar" not in source and "import litestar" not in source, path
        assert "from api." not in source, path


def test_no_module_over_500_lines():
    for path in python_files("api", "domain", "store", "usecases", "devservices", "worker", "integrations", "bench"):
        assert len(path.read_text().splitlines()) <= 500, path
