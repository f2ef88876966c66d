"""The docs point only at what the project has: every relative link in README.md and docs/*.md
resolves to a file of the repository (and its #anchor to a heading there), and no text names a
Markdown file the repository does not hold (the specification's files are not part of it)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
OWN_MARKDOWN = {path.name for path in ROOT.rglob("*.md")
                if not {".venv", ".data", "node_modules", ".git"} & set(path.parts)}


def anchor_of(heading: str) -> str:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    return {anchor_of(line.lstrip("#")) for line in path.read_text().splitlines() if line.startswith("#")}


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_relative_link_resolves(doc: Path):
    for target in LINK.findall(doc.read_text()):
        if re.match(r"[a-z]+:", target):
            continue  # http(s), mailto: outside the repository
        file_part, _, anchor = target.partition("#")
        resolved = (doc.parent / file_part).resolve() if file_part else doc
        assert resolved.is_file() and ROOT in resolved.parents, f"{doc.name}: {target} is not in the repository"
        if anchor and resolved.suffix == ".md":
            assert anchor in anchors(resolved), f"{doc.name}: {target} has no such heading"


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_text_names_a_markdown_file_the_repository_lacks(doc: Path):
    named = set(re.findall(r"[\w.-]+\.md\b", doc.read_text()))
    assert not {Path(name).name for name in named} - OWN_MARKDOWN, f"{doc.name} names files outside the project"
