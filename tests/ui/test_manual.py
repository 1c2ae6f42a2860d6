"""The manuals: a guide per role in both languages, whose pictures the script makes from the
real application (docs/manual/make_screenshots.py, run here into a temporary folder)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from ui.manual_screenshots import NAMES

ROOT = Path(__file__).resolve().parents[2]
MANUAL = ROOT / "docs" / "manual"
SCRIPT = MANUAL / "make_screenshots.py"
ROLES = ("clerk", "reviewer", "operator", "supervisor", "admin")
LANGUAGES = ("zh", "en")
PICTURE = re.compile(r"!\[[^\]]*\]\(\.\./images/(?P<lang>[a-z]+)/(?P<name>[a-z0-9-]+)\.png\)")
COMMITTED_MAX_BYTES = 250_000  # 256-colour pictures of a screen are far smaller


def guides() -> list[Path]:
    return [MANUAL / language / f"{role}.md" for language in LANGUAGES for role in ROLES]


def pictures(guide: Path) -> list[tuple[str, str]]:
    """(language folder, picture name) of every picture ``guide`` shows."""
    text = guide.read_text(encoding="utf-8")
    assert "](images/" not in text and "](/" not in text, f"{guide}: use ../images/<lang>/"
    return [(m["lang"], m["name"]) for m in PICTURE.finditer(text)]


def used() -> set[tuple[str, str]]:
    return {picture for guide in guides() for picture in pictures(guide)}


def test_every_role_has_a_guide_in_each_language_listed_in_the_index() -> None:
    index = (MANUAL / "README.md").read_text(encoding="utf-8")
    for guide in guides():
        assert guide.is_file(), guide
        assert f"]({guide.relative_to(MANUAL).as_posix()})" in index, guide
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/manual/README.md" in readme


def test_each_guide_shows_its_own_language_and_pictures_the_script_makes() -> None:
    for guide in guides():
        shown = pictures(guide)
        assert shown, f"{guide} has no pictures"
        assert {language for language, _name in shown} == {guide.parent.name}, guide
        assert {name for _language, name in shown} <= set(NAMES), guide
    for role in ROLES:  # both languages of a guide show the same screens
        zh, en = (pictures(MANUAL / language / f"{role}.md") for language in LANGUAGES)
        assert [name for _l, name in zh] == [name for _l, name in en], role


def test_the_committed_pictures_are_exactly_those_the_guides_show() -> None:
    committed = {(path.parent.name, path.stem) for path in (MANUAL / "images").glob("*/*.png")}
    assert committed == used()
    for language, name in committed:
        size = (MANUAL / "images" / language / f"{name}.png").stat().st_size
        assert 0 < size <= COMMITTED_MAX_BYTES, (language, name, size)


@pytest.mark.slow
def test_the_script_makes_every_picture_the_guides_show(tmp_path: Path) -> None:
    wanted = sorted({name for _language, name in used()})
    environment = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path), "--only", *wanted],
        cwd=tmp_path,  # the script finds the repository by itself
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,  # a hung script fails the test instead of stopping the suite
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    for language, name in sorted(used()):
        path = tmp_path / language / f"{name}.png"
        assert path.is_file(), f"{path} was not made"
        with Image.open(path) as image:
            width, height = image.size
            colours = image.convert("RGB").getcolors(maxcolors=1 << 16)
        assert 300 <= width <= 1400 and 100 <= height <= 800, (path, image.size)
        assert colours is None or len(colours) > 8, f"{path} is nearly blank"
    made = {(path.parent.name, path.stem) for path in tmp_path.glob("*/*.png")}
    assert made == used()  # --only made exactly what was asked
