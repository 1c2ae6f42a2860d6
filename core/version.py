"""The version of LoopPass: the one place it is set.

``main.py --version``, the PyInstaller spec (``packaging/looppass.spec``), the bundle's
``.desktop`` entry and ``pyproject.toml`` (``dynamic = ["version"]``) all read it from here.
"""

from __future__ import annotations

from typing import Final

__all__ = ["__version__"]

__version__: Final = "0.5.0"
