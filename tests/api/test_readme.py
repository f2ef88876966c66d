"""The README's requests run as written, and so do the guides' (``DOCUMENTS``): every block
marked runnable is executed with bash from the repository's root, in order, against the run
command (``python -m service.cli dev``, what ``make run`` runs) serving fresh demo data, and
every curl in it must get a 2xx."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.support.devrun import running_dev

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
MARK = "<!-- runs as written: tests/api/test_readme.py -->"
BASE_LINE = re.compile(r"^BILIN=http://127\.0\.0\.1:8000\b.*$", flags=re.MULTILINE)
# Every curl reports its status on stderr, where the answers the blocks parse are not.
STATUS_HOOK = "curl() { command curl -w '%{stderr}README-HTTP %{http_code}\\n' \"$@\"; }\n"


# The documents whose requests run, in this order, against one fresh run command.
DOCUMENTS = ("README.md", "docs/guides/street-platform.md")


def runnable_blocks() -> list[str]:
    return [block for document in DOCUMENTS
            for block in re.findall(re.escape(MARK) + r"\n```sh\n(.*?)```", (ROOT / document).read_text(),
                                    flags=re.DOTALL)]


def curls_in(block: str) -> int:
    code = "\n".join(line.split("#", 1)[0] for line in block.splitlines())
    return len(re.findall(r"\bcurl -", code))


def test_the_runnable_blocks_are_marked_and_fail_on_errors():
    blocks = runnable_blocks()
    assert len(blocks) >= 2
    for block in blocks:
        assert len(BASE_LINE.findall(block)) == 1, "each block starts from BILIN=http://127.0.0.1:8000"
        assert curls_in(block) == len(re.findall(r"\bcurl -fsS\b", block)), "every curl is curl -fsS"
        assert "…" not in block, "no placeholders"


def test_the_readme_requests_run_as_written(postgres_url, redis_url, worker_id, tmp_path):
    with running_dev(postgres_url, redis_url, f"{worker_id}_readme", log_path=tmp_path / "dev.log") as (_, base):
        for block in runnable_blocks():
            script = "set -euo pipefail\n" + STATUS_HOOK + BASE_LINE.sub(f"BILIN={base}", block, count=1)
            ran = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=120,
                                 env={**os.environ, "LC_ALL": "C.UTF-8"}, check=False, cwd=ROOT)
            shown = f"{block}\n--- stdout\n{ran.stdout}\n--- stderr\n{ran.stderr}"
            assert ran.returncode == 0, shown
            statuses = [int(code) for code in re.findall(r"^README-HTTP (\d{3})$", ran.stderr, flags=re.MULTILINE)]
            assert len(statuses) == curls_in(block), shown
            assert all(200 <= status < 300 for status in statuses), shown
