#!/usr/bin/env bash
# Builds the desktop bundle, dist/looppass/ (PyInstaller, one folder), and checks it.
#
#   bash packaging/build.sh
#
# 1. build/venv: a virtualenv with the pinned runtime packages and requirements-build.txt
#    (PyInstaller) — not .venv, so no test tool can end up in the bundle;
# 2. PyInstaller with packaging/looppass.spec (work files in build/pyinstaller);
# 3. prints the build time and the bundle's size;
# 4. runs `env -i dist/looppass/looppass --self-test` (no PATH, no HOME, no Python) and fails
#    if it fails; with xvfb-run installed, also the self-test on Qt's X11 platform and a
#    start of the real GUI on a new database (it must still be up after a few seconds).
# Environment: PYTHON (default python3, 3.11) makes the venv; LOOPPASS_BUILD_CLEAN=1 drops
# PyInstaller's cache first.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
started=$(date +%s.%N)
elapsed() { awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

venv="$root/build/venv"
if [ ! -x "$venv/bin/python" ]; then
  echo "build: creating $venv" >&2
  "${PYTHON:-python3}" -m venv "$venv"
fi
"$venv/bin/python" -m pip install -q --disable-pip-version-check -r requirements-build.txt

clean=()
[ "${LOOPPASS_BUILD_CLEAN:-0}" = 1 ] && clean=(--clean)
echo "build: PyInstaller ($("$venv/bin/python" -m PyInstaller --version)), packaging/looppass.spec" >&2
"$venv/bin/python" -m PyInstaller --noconfirm "${clean[@]}" --log-level WARN \
  --distpath "$root/dist" --workpath "$root/build/pyinstaller" packaging/looppass.spec

bundle="$root/dist/looppass"
echo "build: done in $(elapsed) s; bundle $(du -sh "$bundle" | cut -f1) in $bundle" \
  "($(find "$bundle" -type f | wc -l) files)"

echo "build: env -i dist/looppass/looppass --self-test"
env -i "$bundle/looppass" --self-test

if command -v xvfb-run >/dev/null; then
  smoke="$(mktemp -d)"
  trap 'rm -rf "$smoke"' EXIT
  echo "build: under Xvfb: --self-test on the xcb platform, then the GUI on a new database"
  # xvfb-run sets DISPLAY and XAUTHORITY; env -i keeps only those.
  # shellcheck disable=SC2016 # expanded by the inner shell, where xvfb-run has set them
  xvfb-run -a -s "-screen 0 1280x800x24" sh -c '
    set -e
    bundle="$1"; smoke="$2"
    env -i DISPLAY="$DISPLAY" XAUTHORITY="$XAUTHORITY" QT_QPA_PLATFORM=xcb \
      "$bundle/looppass" --self-test >"$smoke/xcb.txt"
    grep "gui" "$smoke/xcb.txt"
    env -i DISPLAY="$DISPLAY" XAUTHORITY="$XAUTHORITY" HOME="$smoke" \
      "$bundle/looppass" --db "$smoke/new.db" >"$smoke/gui.log" 2>&1 &
    gui=$!
    sleep 6
    if ! kill -0 "$gui" 2>/dev/null; then
      echo "build: the GUI exited early:"; cat "$smoke/gui.log"; exit 1
    fi
    kill "$gui"; wait "$gui" 2>/dev/null || true
    echo "build: the GUI started and was still running after 6 s"
  ' sh "$bundle" "$smoke"
else
  echo "build: xvfb-run not installed; the X11 start was not checked" >&2
fi
echo "build: dist/looppass is ready ($(elapsed) s in all)"
