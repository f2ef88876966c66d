"""The README's requests run as written, and so do the street platform guide's: every block
marked runnable is executed with bash from the repository's root, in order, against the run command (``python -m service.cli dev``, what ``make run`` runs) serving
fresh demo data, and every curl in it must get a 2xx (the runner: tests/support/runnable_docs.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.devrun import running_dev
from tests.support.runnable_docs import check_blocks_are_well_formed, run_blocks, runnable_blocks

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
TEST = "tests/api/test_readme.py"
# The documents whose requests run, in this order, against one fresh run command.
DOCUMENTS = ("README.md", "docs/guides/street-platform.md")


def all_blocks() -> list[str]:
    return [block for document in DOCUMENTS for block in runnable_blocks(ROOT / document, TEST)]


def test_the_runnable_blocks_are_marked_and_fail_on_errors():
    check_blocks_are_well_formed(runnable_blocks(ROOT / "README.md", TEST), at_least=2)
    check_blocks_are_well_formed(runnable_blocks(ROOT / "docs/guides/street-platform.md", TEST), at_least=4)


def test_the_readme_requests_run_as_written(postgres_url, redis_url, worker_id, tmp_path):
    with running_dev(postgres_url, redis_url, f"{worker_id}_readme", log_path=tmp_path / "dev.log") as (_, base):
        run_blocks(all_blocks(), base)
