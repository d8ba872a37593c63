#!/usr/bin/env bash
# Regenerate requirements/ci.lock: the exact, hashed versions of every dependency (all extras and
# the tests) that CI and README command 2 install.  Run it after changing a dependency range in
# pyproject.toml and commit both files.  Needs uv (`pip install uv`); installs it into a throw-away
# virtual environment when it is not on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
UV=${UV:-uv}
if ! command -v "$UV" >/dev/null 2>&1; then
  tools=$(mktemp -d)
  python3 -m venv "$tools" && "$tools/bin/pip" install -q uv
  UV="$tools/bin/uv"
fi
# CI and README command 2 run on Linux x86-64 with the machine's Python 3.11
"$UV" pip compile pyproject.toml --all-extras --generate-hashes --no-header --quiet \
  --python-version 3.11 --python-platform x86_64-manylinux_2_28 \
  --custom-compile-command "scripts/lock.sh" -o requirements/ci.lock "$@"
echo "requirements/ci.lock: $(grep -c '^[a-z0-9]' requirements/ci.lock) packages"
