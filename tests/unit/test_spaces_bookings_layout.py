"""Spaces and bookings reach other features through their use cases, never their stores:
each feature's use cases import only the feature's own store and the shared ones (parsed
with ``ast``, so a comment or a string naming a store does not count)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED_STORES = {"store.paging", "store.rows", "store.events", "store.jobs"}
OWN_STORES = {"usecases/spaces.py": {"store.spaces"}, "usecases/bookings.py": {"store.bookings"},
              "usecases/bookings_jobs.py": {"store.bookings"}}


def stores_imported(source: str) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("store")}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("store"):
            module = node.module or ""
            found |= {f"store.{a.name}" for a in node.names} if module == "store" else {module}
    return found


def foreign_stores(path: str, source: str) -> set[str]:
    return stores_imported(source) - SHARED_STORES - OWN_STORES[path]


def test_spaces_and_bookings_use_cases_touch_only_their_own_store():
    for path in OWN_STORES:
        assert foreign_stores(path, (ROOT / path).read_text()) == set(), path


def test_the_check_sees_a_foreign_store():
    # A deliberate violation, in each import form: the check must name it.
    assert foreign_stores("usecases/spaces.py", "from store import bookings, spaces\n") == {"store.bookings"}
    assert foreign_stores("usecases/bookings.py", "import store.buildings\n") == {"store.buildings"}
    assert foreign_stores("usecases/bookings.py", "from store.communities import get\n") == {"store.communities"}
    assert foreign_stores("usecases/spaces.py", "# from store import buildings\nx = 'store.buildings'\n") == set()
