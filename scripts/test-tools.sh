#!/usr/bin/env bash
# What the test command needs beyond Python, installed when missing:
# - Chromium (Debian's package) for the offline /docs browser test; without root or apt the
#   test skips and says why;
# - the Node tooling of clients/typescript (openapi-typescript, openapi-fetch, Redocly's
#   linter) from its lock file with `npm ci`, when node_modules is missing or older than the lock.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test-tools: installing chromium" >&2
    (apt-get install -y -qq chromium >/dev/null 2>&1 ||
      { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq chromium >/dev/null 2>&1; }) ||
      echo "test-tools: chromium could not be installed; the browser test will skip" >&2
  else
    echo "test-tools: no chromium and not root; the browser test will skip" >&2
  fi
fi

lock=clients/typescript/package-lock.json
stamp=clients/typescript/node_modules/.package-lock.json
if [ -f "$lock" ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "test-tools: npm is required for clients/typescript (install Node.js 20+)" >&2
    exit 1
  fi
  if [ ! -f "$stamp" ] || [ "$lock" -nt "$stamp" ]; then
    echo "test-tools: npm ci in clients/typescript" >&2
    (cd clients/typescript && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
