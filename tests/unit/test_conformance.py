"""docs/conformance.md cannot rot: it names every problem code of the catalogue and every
operation of the committed contract, and every test and source file it cites exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import yaml

from api.conventions.catalogue import PROBLEMS

ROOT = Path(__file__).resolve().parents[2]
CONFORMANCE = (ROOT / "docs" / "conformance.md").read_text()
METHODS = ("get", "put", "post", "patch", "delete")


def test_every_problem_code_is_mapped():
    missing = [code for code in PROBLEMS if f"`{code}`" not in CONFORMANCE]
    assert not missing, f"docs/conformance.md lacks the codes {missing}"


def test_every_operation_of_the_contract_is_mapped():
    contract = yaml.safe_load((ROOT / "schema" / "openapi.yaml").read_text())
    operations = [f"{method.upper()} {path}" for path, item in contract["paths"].items()
                  for method in item if method in METHODS]
    missing = [operation for operation in operations if f"`{operation}`" not in CONFORMANCE]
    assert not missing, f"docs/conformance.md lacks the operations {missing}"


def test_every_cited_test_exists():
    cited = set(re.findall(r"(tests/[\w/]+\.py)::(\w+)", CONFORMANCE))
    assert cited
    for path, name in cited:
        source = ROOT / path
        assert source.is_file(), path
        functions = {node.name for node in ast.walk(ast.parse(source.read_text()))
                     if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
        assert name in functions, f"{path}::{name} does not exist"


def test_every_cited_source_file_exists():
    for path in set(re.findall(r"`((?:api|domain|usecases|store|worker|integrations)/[\w/]*\.py)`", CONFORMANCE)):
        assert (ROOT / path).is_file(), path
