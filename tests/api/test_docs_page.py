"""``/docs`` works offline: every URL the page, its styles and its scripts name is relative,
served by the API itself with a 200; and a headless Chromium with every host but loopback
unresolvable renders the operations of the contract."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from tests.support.server import running_service

BASE = "http://bilin.test"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value for name, value in attrs if name in ("src", "href") and value]


def urls_in_asset(url: str, body: str, media_type: str) -> list[str]:
    """What a browser would fetch because of this file, as absolute URLs: source maps and CSS
    url()/@import (relative to the file), and the contract the initializer fetches (relative to
    the page, as fetch() resolves it)."""
    found = re.findall(r"sourceMappingURL=(\S+?)(?:\s|\*/|$)", body)
    if "css" in media_type:
        found += [u.strip("'\"") for u in re.findall(r"url\(\s*([^)]+?)\s*\)", body)]
        found += re.findall(r"@import\s+[\"']([^\"']+)", body)
    # the initializer is the script that says what to fetch (the bundle's strings are code)
    fetched = re.findall(r"\burl:\s*[\"']([^\"']+)", body) if url.endswith("/docs-init.js") else []
    return ([urljoin(url, found_url) for found_url in found if not found_url.startswith("data:")]
            + [urljoin(f"{BASE}/docs", fetched_url) for fetched_url in fetched])


async def test_every_url_of_the_page_is_relative_and_served(client):
    page = await client.get("/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    parser = _Links()
    parser.feed(page.text)
    assert len(parser.urls) >= 4  # styles, icons, scripts
    pending = [urljoin(f"{BASE}/docs", url) for url in parser.urls]
    seen: set[str] = set()
    while pending:
        url = pending.pop()
        if url in seen:
            continue
        seen.add(url)
        assert urlsplit(url).netloc == "bilin.test", f"{url} leaves the API"
        answer = await client.get(url)
        assert answer.status_code == 200, url
        media_type = answer.headers["content-type"]
        if "css" in media_type or "javascript" in media_type:
            pending += urls_in_asset(url, answer.text, media_type)
    assert f"{BASE}/schema/openapi.json" in seen  # the initializer loads the contract, relative
    assert any(url.endswith("swagger-ui-bundle.js") for url in seen)


async def test_only_the_pages_files_are_served(client):
    assert (await client.get("/docs/assets/LICENSE")).status_code == 404
    assert (await client.get("/docs/assets/..%2Fcore.py")).status_code == 404
    css = (await client.get("/docs/assets/swagger-ui.css")).text
    assert "sourceMappingURL" not in css  # the package ships no map: the page names none


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.slow
def test_chromium_renders_the_operations_with_the_network_cut(database_url, redis_url, tmp_path):
    browser = _chromium()
    if browser is None:  # the test command installs it (scripts/test-tools.sh) where it can
        pytest.skip("no chromium on this machine and it could not be installed (not root, or no apt)")
    with running_service({"DATABASE_URL": database_url, "REDIS_URL": redis_url},
                         log_path=tmp_path / "service.log") as base_url:
        rendered = subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}",
             # every host name fails to resolve, only loopback is reachable: the network is cut
             "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
             "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=127.0.0.1",
             "--virtual-time-budget=20000", "--dump-dom", f"{base_url}/docs"],
            capture_output=True, text=True, timeout=180, check=False)
    dom = rendered.stdout
    assert rendered.returncode == 0, rendered.stderr[-2000:]
    assert 'class="swagger-ui"' in dom, dom[:2000]
    # operations as Swagger UI lists them: one block per operation, with its path
    operations = re.findall(r'class="opblock opblock-(get|post|patch|put|delete)', dom)
    assert len(operations) >= 50, dom[:3000]
    assert "/v1/communities" in dom and "/v1/auth/token" in dom
