"""The guides' requests run as written (docs/guides/*.md): each guide's marked blocks run in
order against its own fresh run command (demo data, WeChat stand-in), every curl getting a 2xx
(the runner: tests/support/runnable_docs.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.devrun import running_dev
from tests.support.runnable_docs import check_blocks_are_well_formed, run_blocks, runnable_blocks

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
TEST = "tests/api/test_guides.py"
GUIDES = ["docs/guides/mini-program.md"]


@pytest.mark.parametrize("guide", GUIDES)
def test_the_guides_blocks_are_marked_and_fail_on_errors(guide):
    check_blocks_are_well_formed(runnable_blocks(ROOT / guide, TEST), at_least=3)


@pytest.mark.parametrize("guide", GUIDES)
def test_the_guides_requests_run_as_written(guide, postgres_url, redis_url, worker_id, tmp_path):
    name = f"{worker_id}_guide_{Path(guide).stem.replace('-', '_')}"
    with running_dev(postgres_url, redis_url, name, log_path=tmp_path / "dev.log") as (_, base):
        run_blocks(runnable_blocks(ROOT / guide, TEST), base)
