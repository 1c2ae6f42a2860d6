"""``scan`` and ``decode`` on the command line, on images and a camera-like video clip."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import cv2
import numpy as np
import pytest

from core.pass_document import qr_png
from tests.core.test_scanning import _write_clip, pass_scene
from tests.e2e.test_cli import run

CREDENTIALS = ["--user", "gate1", "--password", "LoopPass-demo"]


@pytest.fixture
def db(demo_db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "copy.db"
    shutil.copyfile(demo_db, copy)
    return copy


def _issued_token(db: Path, home: Path) -> str:
    listing = run(
        [
            "--db",
            db,
            "--json",
            "--user",
            "supervisor",
            "--password",
            "LoopPass-demo",
            "passes",
            "--status",
            "ISSUED",
        ],
        home,
    )
    serial = json.loads(listing.stdout)[0]["serial"]
    shown = run(
        [
            "--db",
            db,
            "--json",
            "--user",
            "supervisor",
            "--password",
            "LoopPass-demo",
            "pass",
            "show",
            serial,
        ],
        home,
    )
    return str(json.loads(shown.stdout)["token"])


def _events(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM scan_events").fetchone()[0])


def test_scan_video_of_one_pass_records_exactly_one_event(db: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    token = _issued_token(db, home)
    rng = np.random.default_rng(7)
    # A phone held up to the camera: blank frames, then the code for two seconds, tilted,
    # blurred and noisy, then blank again.
    frames = [pass_scene(rng, None) for _ in range(5)]
    frames += [pass_scene(rng, token, angle_deg=float(rng.uniform(-8, 8))) for _ in range(20)]
    frames += [pass_scene(rng, None) for _ in range(5)]
    clip = _write_clip(tmp_path / "lane.avi", "MJPG", frames)
    before = _events(db)
    done = run(
        ["--db", db, "--json", *CREDENTIALS, "scan", "--checkpoint", "G01", "--video", clip], home
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert (result["verdict"], result["reason"], result["step"]) == ("GREEN", "OK", "GATE_IN")
    assert result["recorded"] is True
    assert _events(db) == before + 1


def test_scan_image_at_the_wrong_checkpoint_is_red_exit_1(db: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    token = _issued_token(db, home)
    image = tmp_path / "pass.png"
    image.write_bytes(qr_png(token))
    done = run(
        [
            "--db",
            db,
            "--json",
            "--user",
            "supervisor",
            "--password",
            "LoopPass-demo",
            "scan",
            "--checkpoint",
            "E0002",  # another enterprise's point: on no pass's route of this clerk
            "--image",
            image,
        ],
        home,
    )
    assert done.returncode == 1
    assert json.loads(done.stdout)["reason"] == "WRONG_CHECKPOINT", done.stdout


def test_decode_lists_every_text_of_each_image(tmp_path: Path) -> None:
    with_code = tmp_path / "a.png"
    with_code.write_bytes(qr_png("PH1:HELLO"))
    blank = tmp_path / "b.png"
    cv2.imwrite(str(blank), np.full((200, 200), 255, np.uint8))
    done = run(["--json", "decode", with_code, blank], tmp_path / "home")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [
        {"file": str(with_code), "texts": ["PH1:HELLO"]},
        {"file": str(blank), "texts": []},
    ]
