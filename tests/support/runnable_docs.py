"""Documents whose requests run as written (README.md, docs/guides/*.md).

A block is runnable when the line before its fence is ``<!-- runs as written: TEST -->``
(TEST names the test that runs it) and the fence is ```` ```sh ````. Each block starts from
``BILIN=http://127.0.0.1:8000`` (the base a reader uses with ``make run``); the runner swaps in
the base of the service under test, runs the blocks of one document in order, in one bash each,
and asserts every curl got a 2xx. Every curl is ``curl -fsS`` so a failure stops the block.

Used by tests/api/test_readme.py and the guides' tests::

    blocks = runnable_blocks(ROOT / "docs/guides/x.md", "tests/api/test_guides.py")
    check_blocks_are_well_formed(blocks)
    run_blocks(blocks, base_url)
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BASE_LINE = re.compile(r"^BILIN=http://127\.0\.0\.1:8000\b.*$", flags=re.MULTILINE)
# Every curl reports its status on stderr, where the answers the blocks parse are not.
STATUS_HOOK = "curl() { command curl -w '%{stderr}DOC-HTTP %{http_code}\\n' \"$@\"; }\n"


def mark_of(test: str) -> str:
    return f"<!-- runs as written: {test} -->"


def runnable_blocks(document: Path, test: str) -> list[str]:
    """The sh blocks of ``document`` marked as run by ``test``, in order."""
    text = document.read_text()
    return re.findall(re.escape(mark_of(test)) + r"\n```sh\n(.*?)```", text, flags=re.DOTALL)


def curls_in(block: str) -> int:
    code = "\n".join(line.split("#", 1)[0] for line in block.splitlines())
    return len(re.findall(r"\bcurl -", code))


def check_blocks_are_well_formed(blocks: list[str], *, at_least: int = 1) -> None:
    assert len(blocks) >= at_least, f"expected at least {at_least} runnable blocks, found {len(blocks)}"
    for block in blocks:
        assert len(BASE_LINE.findall(block)) == 1, "each block starts from BILIN=http://127.0.0.1:8000"
        assert curls_in(block) == len(re.findall(r"\bcurl -fsS\b", block)), "every curl is curl -fsS"
        assert "…" not in block, "no placeholders"


def run_blocks(blocks: list[str], base_url: str, *, env: Mapping[str, str] | None = None,
               timeout: float = 120) -> list[subprocess.CompletedProcess]:
    """Run each block with bash against ``base_url``; every curl must answer 2xx."""
    results = []
    for block in blocks:
        script = "set -euo pipefail\n" + STATUS_HOOK + BASE_LINE.sub(f"BILIN={base_url}", block, count=1)
        ran = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=timeout,
                             env={**os.environ, "LC_ALL": "C.UTF-8", **(env or {})}, check=False,
                             cwd=ROOT)  # blocks name files by their path in the repository
        shown = f"{block}\n--- stdout\n{ran.stdout}\n--- stderr\n{ran.stderr}"
        assert ran.returncode == 0, shown
        statuses = [int(code) for code in re.findall(r"^DOC-HTTP (\d{3})$", ran.stderr, flags=re.MULTILINE)]
        assert len(statuses) == curls_in(block), shown
        assert all(200 <= status < 300 for status in statuses), shown
        results.append(ran)
    return results
