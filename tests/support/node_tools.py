"""The Node tooling of clients/typescript (installed from its lock file by scripts/test-tools.sh,
which the test command runs): run its npm scripts and binaries from pytest."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

SDK = Path(__file__).resolve().parents[2] / "clients" / "typescript"


def require_node_tools() -> None:
    """Fail (not skip) without them: the contract's linter and the SDK's tests must run."""
    assert shutil.which("npm"), "npm is required (Node.js 20+): the SDK's tests and the contract linter run on it"
    assert (SDK / "node_modules" / ".package-lock.json").exists(), (
        "clients/typescript/node_modules is missing: run `make test-tools` (npm ci from the lock file)")


def npm(*args: str, env: dict[str, str] | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    require_node_tools()
    return subprocess.run(["npm", "--silent", *args], cwd=SDK, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "NO_COLOR": "1", **(env or {})}, check=False)


def npx(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    require_node_tools()
    return subprocess.run(["npx", "--no-install", *args], cwd=SDK, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "NO_COLOR": "1"}, check=False)
