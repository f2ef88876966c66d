"""The README's requests run as written: every block marked runnable is executed with bash,
in order, against the run command (``python -m service.cli dev``, what ``make run`` runs) serving
fresh demo data, and every curl in it must get a 2xx (the runner: tests/support/runnable_docs.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.devrun import running_dev
from tests.support.runnable_docs import check_blocks_are_well_formed, run_blocks, runnable_blocks

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
TEST = "tests/api/test_readme.py"


def test_the_runnable_blocks_are_marked_and_fail_on_errors():
    check_blocks_are_well_formed(runnable_blocks(ROOT / "README.md", TEST), at_least=2)


def test_the_readme_requests_run_as_written(postgres_url, redis_url, worker_id, tmp_path):
    with running_dev(postgres_url, redis_url, f"{worker_id}_readme", log_path=tmp_path / "dev.log") as (_, base):
        run_blocks(runnable_blocks(ROOT / "README.md", TEST), base)
