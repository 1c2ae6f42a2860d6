"""What the command-line tests share."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_cli import run


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo database made through the CLI (``demo.db`` and its ``demo-keys/``), read-only:
    a test that changes a database works on a copy."""
    folder = tmp_path_factory.mktemp("cli-demo")
    path = folder / "demo.db"
    done = run(["--db", path, "demo"], folder / "home")
    assert done.returncode == 0, done.stderr
    return path
