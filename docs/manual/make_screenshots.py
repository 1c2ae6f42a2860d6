"""The manual's pictures, taken from the real application: see ``ui/manual_screenshots.py``.

    .venv/bin/python docs/manual/make_screenshots.py [OUT] [--lang zh_CN en] [--only NAME ...]

Writes ``OUT/<zh|en>/<name>.png`` (OUT defaults to ``docs/manual/images``). The Qt code lives
in ``ui/`` (the only package that uses Qt); this file only finds it from the repository.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from ui.manual_screenshots import main  # noqa: E402 - after the repository is on the path

if __name__ == "__main__":
    sys.exit(main())
