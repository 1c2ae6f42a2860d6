#!/usr/bin/env bash
# Installs LoopPass (packaging/setup.sh) and starts the GUI. The first start creates the demo
# database in the default location (or $LOOPPASS_DB); later starts open the same file.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/packaging/setup.sh" runtime
cd "$root"
db="$(.venv/bin/python main.py where)"
[ -e "$db" ] || .venv/bin/python main.py demo
exec .venv/bin/python main.py "$@"
