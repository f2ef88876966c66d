"""The signature checks the street platform guide shows integrators (Python and Java) accept
what Bilin signs — both secrets during a rotation — and refuse a changed body, a foreign
secret and an old timestamp. The snippets are read from the guide, so the guide cannot drift."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from domain.webhooks import new_secret, secret_key, signature_header

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "guides" / "street-platform.md"
BODY = '{"type":"task.created","data":{"task_id":"tsk_1"}}'.encode()


def _snippet(language: str) -> str:
    found = re.findall(rf"```{language}\n(.*?)```", GUIDE.read_text(), flags=re.DOTALL)
    assert len(found) == 1, f"one {language} snippet in the guide"
    return found[0]


def _cases() -> list[tuple[str, str, int, bytes, str, bool]]:
    """(secret the receiver knows, message id, timestamp, body, signature header, expected)."""
    old, new, foreign = new_secret(), new_secret(), new_secret()
    now = int(time.time())
    both = signature_header([secret_key(old), secret_key(new)], "msg_1", now, BODY)
    return [
        (old, "msg_1", now, BODY, both, True),
        (new, "msg_1", now, BODY, both, True),
        (foreign, "msg_1", now, BODY, both, False),
        (new, "msg_1", now, BODY + b" ", both, False),
        (new, "msg_2", now, BODY, both, False),
        (new, "msg_1", now - 600, BODY, signature_header([secret_key(new)], "msg_1", now - 600, BODY), False),
    ]


def test_the_python_snippet_verifies_what_bilin_signs():
    namespace: dict = {}
    exec(compile(_snippet("python"), str(GUIDE), "exec"), namespace)  # the guide's own code
    verify = namespace["verify"]
    for secret, message_id, stamp, body, header, expected in _cases():
        headers = {"webhook-id": message_id, "webhook-timestamp": str(stamp), "webhook-signature": header}
        assert verify(secret, headers, body) is expected


def _java(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.mark.skipif(shutil.which("javac") is None, reason="no JDK on this machine")
def test_the_java_snippet_verifies_what_bilin_signs(tmp_path):
    (tmp_path / "BilinWebhooks.java").write_text(_snippet("java"))
    checks = "\n".join(
        f"        check(BilinWebhooks.verify({_java(secret)}, {_java(message_id)}, {_java(str(stamp))}, "
        f"{_java(header)}, {_java(body.decode())}.getBytes(java.nio.charset.StandardCharsets.UTF_8)), "
        f"{str(expected).lower()});"
        for secret, message_id, stamp, body, header, expected in _cases())
    (tmp_path / "Check.java").write_text(
        "public final class Check {\n"
        "    static void check(boolean got, boolean want) { if (got != want) throw new AssertionError(got); }\n"
        "    public static void main(String[] args) throws Exception {\n" + checks + "\n    }\n}\n")
    compiled = subprocess.run(["javac", "BilinWebhooks.java", "Check.java"], cwd=tmp_path, capture_output=True, text=True)
    assert compiled.returncode == 0, compiled.stderr
    ran = subprocess.run(["java", "-cp", ".", "Check"], cwd=tmp_path, capture_output=True, text=True)
    assert ran.returncode == 0, ran.stderr
