"""The reference page at ``/docs``: Swagger UI, whose scripts and styles come from the
``swagger-ui-py`` package pinned in uv.lock and are served by the API itself, so the page
works offline and behind the Great Firewall (no CDN, no version drift).

Every URL the page uses is relative to ``/docs``: ``docs/assets/…`` for the files, and
``schema/openapi.json`` for the contract. Only the files the page needs are served; a source
map comment naming a file the package does not ship is removed, so nothing the page names is
missing."""

from __future__ import annotations

import importlib.util
import re
from functools import cache
from pathlib import Path

ASSET_PREFIX = "docs/assets/"
CONTRACT_URL = "schema/openapi.json"
# name → media type: the page's own files, nothing else of the package
ASSETS = {
    "swagger-ui.css": "text/css; charset=utf-8",
    "index.css": "text/css; charset=utf-8",
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui-standalone-preset.js": "text/javascript; charset=utf-8",
    "favicon-32x32.png": "image/png",
    "favicon-16x16.png": "image/png",
    "docs-init.js": "text/javascript; charset=utf-8",
}
_SOURCE_MAP = re.compile(rb"\n?(//# sourceMappingURL=\S+|/\*# sourceMappingURL=[^*]*\*/)\s*$")

# Ours, not the package's: the package's initializer points at a public demo contract.
# The validator badge is off (it would call validator.swagger.io).
_INIT = f"""window.addEventListener("load", function () {{
  window.ui = SwaggerUIBundle({{
    url: "{CONTRACT_URL}",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "StandaloneLayout"
  }});
}});
"""

PAGE = f"""<!doctype html>
<html lang="zh-CN">
<head>
  <meta charset="utf-8">
  <title>Bilin (比邻) API</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="stylesheet" href="{ASSET_PREFIX}swagger-ui.css">
  <link rel="stylesheet" href="{ASSET_PREFIX}index.css">
  <link rel="icon" type="image/png" href="{ASSET_PREFIX}favicon-32x32.png" sizes="32x32">
  <link rel="icon" type="image/png" href="{ASSET_PREFIX}favicon-16x16.png" sizes="16x16">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{ASSET_PREFIX}swagger-ui-bundle.js" charset="UTF-8"></script>
  <script src="{ASSET_PREFIX}swagger-ui-standalone-preset.js" charset="UTF-8"></script>
  <script src="{ASSET_PREFIX}docs-init.js" charset="UTF-8"></script>
</body>
</html>
"""


def _static_dir() -> Path:
    # found without importing the package (its __init__ loads web framework adapters)
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("swagger-ui-py is not installed: run make install")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


@cache
def asset(name: str) -> tuple[bytes, str] | None:
    """The file's bytes and media type, or None when the page has no such file."""
    media_type = ASSETS.get(name)
    if media_type is None:
        return None
    if name == "docs-init.js":
        return _INIT.encode(), media_type
    body = (_static_dir() / name).read_bytes()
    if not media_type.startswith("image/"):
        body = _SOURCE_MAP.sub(b"\n", body)
    return body, media_type
