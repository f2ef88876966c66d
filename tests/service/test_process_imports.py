"""The worker is a process of its own: it loads neither the HTTP framework nor anything of
the API (settings, the envelope and the composition root live in service/)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HTTP_ONLY = {"api", "litestar", "uvicorn"}


def http_imports(source: str) -> list[str]:
    """The modules of the HTTP side a module imports, at any depth of its code."""
    found = []
    for node in ast.walk(ast.parse(source)):
        names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                 else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
        found += [name for name in names if name.split(".")[0] in HTTP_ONLY]
    return found


def test_the_check_catches_a_worker_module_that_reaches_into_the_api():
    assert http_imports("from api.settings import Settings\nimport litestar.status_codes\n") == [
        "api.settings", "litestar.status_codes"]
    assert http_imports("def f():\n    from api.schemas.events import event_view\n") == ["api.schemas.events"]
    assert http_imports("from service.settings import Settings\nfrom . import jobs\n") == []


def test_no_worker_module_imports_the_http_side():
    for path in sorted((ROOT / "worker").rglob("*.py")):
        assert http_imports(path.read_text()) == [], path.relative_to(ROOT)


def test_shared_service_modules_import_the_api_only_in_the_commands_that_serve_it():
    # At the top of a module, an import would load the API into every process; only the
    # commands that serve HTTP or print its contract import it, inside their functions.
    for path in sorted((ROOT / "service").rglob("*.py")):
        tree = ast.parse(path.read_text())
        top_level = [node for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)]
        found = http_imports(ast.unparse(ast.Module(body=top_level, type_ignores=[])))
        assert [name for name in found if not name.startswith("uvicorn")] == [], path.name


def test_starting_a_worker_loads_no_http_framework():
    probe = ("import sys, worker.main, worker.jobs, worker.webhooks, service.cli, service.services\n"
             "loaded = sorted(m for m in sys.modules if m.split('.')[0] in {'api', 'litestar', 'uvicorn'})\n"
             "print(','.join(loaded))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
