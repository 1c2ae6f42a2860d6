#!/usr/bin/env bash
# Installs what LoopPass needs on a Debian machine with Python 3.11:
#   - system packages (Qt's X11/EGL libraries, a CJK font, Xvfb and poppler for tests), when run as
#     root with apt-get available; otherwise it prints the list for an administrator to install;
#   - a virtualenv in .venv with the pinned Python dependencies.
# Usage: bash packaging/setup.sh [runtime|dev]     (sourced by start.sh and test.sh)
set -euo pipefail
profile="${1:-runtime}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

runtime_packages=(libegl1 libgl1 libglib2.0-0 libfontconfig1 libfreetype6 libdbus-1-3 libxkbcommon0
  libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-randr0
  libxcb-render-util0 libxcb-image0 libxcb-xinerama0 libxcb-xkb1 libx11-xcb1 libpulse0 fonts-noto-cjk)
dev_packages=(xvfb poppler-utils)

wanted=("${runtime_packages[@]}")
[ "$profile" = dev ] && wanted+=("${dev_packages[@]}")

missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing system packages: ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: please install these Debian packages (as root): ${missing[*]}" >&2
  fi
fi

python="${PYTHON:-python3}"
if [ ! -x "$root/.venv/bin/python" ]; then
  echo "setup: creating $root/.venv" >&2
  "$python" -m venv "$root/.venv"
fi
requirements="$root/requirements.txt"
[ "$profile" = dev ] && requirements="$root/requirements-dev.txt"
"$root/.venv/bin/python" -m pip install -q --disable-pip-version-check -r "$requirements"
