#!/usr/bin/env bash
# Install everything the test suite needs into .venv, then run the whole suite.
# Extra arguments go to pytest (e.g. `bash scripts/test.sh -k seeds`).
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --editable '.[test]'

# The browser test drives Debian's Chromium; a browser is never downloaded.
if ! command -v chromium >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && apt-get install -y -qq chromium >/dev/null
    elif command -v sudo >/dev/null 2>&1; then
        sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null
    fi
fi

.venv/bin/python -m ruff check src tests benchmarks
exec .venv/bin/python -m pytest "$@"
