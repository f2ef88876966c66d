"""Schemathesis hooks for test_schemathesis.py, loaded by the CLI through SCHEMATHESIS_HOOKS.

`filter_failure` sorts every failure schemathesis finds:
- a test-configuration artefact (CONFIG) is dropped;
- a 5xx is never dropped;
- a failure caused by a known, reported bug (KNOWN_BUGS) is dropped from the run — so that the
  run still fails on anything new — and recorded, so that test_schemathesis.py reports it as an
  xfail naming the bug;
- anything else stays a failure and fails the run.

Each failure is appended as a JSON line to the file named by BILIN_SCHEMATHESIS_FAILURES."""

from __future__ import annotations

import json
import os
import re
from typing import Any

import schemathesis

# Known bugs, reported; the keys are the names test_schemathesis.py's xfails carry.
KNOWN_BUGS: dict[str, str] = {}  # none today; add {name: reason} while a reported bug is open

TEXT_PATTERN_MARK = "ud800-"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def _problem(response: Any) -> dict[str, Any]:
    try:
        body = json.loads(response.content or b"null")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def classify(failure: Any, case: Any, response: Any) -> str | None:
    """'config' for a test artefact, a KNOWN_BUGS key, or None for a genuine new failure."""
    checks = set(getattr(failure, "checks", ()) or ())
    status = getattr(response, "status_code", None)
    problem = _problem(response) if response is not None else {}
    query = case.query or {}
    if status is not None and status >= 500:
        return None  # a 5xx always fails the run, known or not
    if "positive_data_acceptance" in checks and status == 400 and (query.get("cursor") or query.get("after")):
        # The cursor is opaque: only a next_cursor the server issued is valid, and no schema can
        # say so. Refusing a made-up one (or one with a NUL) with 400 is the documented behaviour.
        codes = {e.get("code") for e in problem.get("errors") or [] if isinstance(e, dict)}
        if problem.get("code") == "invalid_cursor" or codes == {"nul_character"}:
            return "config"
    if ("positive_data_acceptance" in checks and status == 400 and case.operation.label == "POST /v1/auth/token"
            and problem.get("code") in ("invalid_grant", "wechat_code_invalid")):
        # Refresh tokens and WeChat codes are opaque one-time credentials: only one the server
        # (or WeChat) issued is live, and no schema can say which. A made-up one is rightly 400.
        return "config"
    return None


@schemathesis.hook
def filter_failure(context, failure, case, response) -> bool:  # type: ignore[no-untyped-def]
    tag = classify(failure, case, response)
    path = os.environ.get("BILIN_SCHEMATHESIS_FAILURES")
    if path:
        record = {
            "tag": tag, "code": getattr(failure, "code", None), "title": getattr(failure, "title", None),
            "checks": list(getattr(failure, "checks", ()) or ()), "operation": case.operation.label,
            "status": getattr(response, "status_code", None),
            "response": (response.content or b"")[:500].decode("utf-8", "replace") if response is not None else None,
            "curl": case.as_curl_command() if hasattr(case, "as_curl_command") else None,
        }
        with open(path, "a", encoding="utf-8") as log:
            log.write(json.dumps(record, ensure_ascii=False) + "\n")
    return tag is None
