#!/usr/bin/env bash
# Installs LoopPass with its test tools (packaging/setup.sh dev) and runs the whole suite:
# ruff (lint + format check), mypy --strict, then pytest. Extra arguments go to pytest.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/packaging/setup.sh" dev
cd "$root"
echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy"
.venv/bin/mypy
echo "== pytest"
.venv/bin/python -m pytest "$@"
