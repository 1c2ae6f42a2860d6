"""core/ and db/ never import PySide6 (ARCHITECTURE.md "Layers"), checked in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, pkgutil, importlib, sys
import core, db
names = []
for package in (core, db):
    names.append(package.__name__)
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        importlib.import_module(info.name)
        names.append(info.name)
qt = sorted(m for m in sys.modules if m == "PySide6" or m.startswith("PySide6."))
print(json.dumps({"imported": names, "qt": qt}))
"""


def test_core_and_db_import_without_qt() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["qt"] == []
    # The walk really imported the layers, not just the two package markers.
    for module in ("core.services.accounts", "core.validation", "db.store", "db.repositories"):
        assert module in report["imported"]
