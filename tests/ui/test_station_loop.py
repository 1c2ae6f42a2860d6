"""The closed loop through the scan stations: one camera per point, then every RED reason.

Each checkpoint of the loop gets a StationPage for an operator bound to it, fed by a
FakeFrameSource playing a short "video" of the same pass (blank frames, then the code a
little tilted and blurred). The FakeClock moves 20 minutes between points, so neither the
possible-clone rule nor the 10 s duplicate window applies.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import cv2
import numpy as np
import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from core.models import Checkpoint, Pass, PassStatus, RiskLevel, Role, User, Verdict
from core.pass_document import qr_image
from core.ports import PassQuery
from core.route import ScanReason
from core.scanning import FakeFrameSource
from core.services import Services
from core.services.accounts import UserInput
from core.services.scans import ScanResult
from tests.conftest import FakeClock, demo_user
from ui.pages.station import StationPage

GREY = 128
BLANK_FRAMES = 4
CODE_FRAMES = 12


def _video(token: str) -> list[np.ndarray]:
    """A few blank 1280×720 frames, then the pass's code tilted 4° and slightly blurred."""
    blank = np.full((720, 1280, 3), GREY, dtype=np.uint8)
    code = np.asarray(qr_image(token, box_size=4), dtype=np.uint8)
    h, w = code.shape
    top, left = (720 - h) // 2, (1280 - w) // 2
    gray = np.full((720, 1280), GREY, dtype=np.uint8)
    gray[top : top + h, left : left + w] = code
    turn = cv2.getRotationMatrix2D((640.0, 360.0), 4.0, 1.0)
    gray = cv2.warpAffine(gray, turn, (1280, 720), borderValue=GREY)
    gray = cv2.GaussianBlur(gray, (3, 3), 0.8)
    shown = np.repeat(gray[:, :, None], 3, axis=2)
    return [blank] * BLANK_FRAMES + [shown] * CODE_FRAMES


class Loop:
    """The demo's loop: its checkpoints, an operator bound to each, and the passes."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.supervisor = demo_user(services, "supervisor")
        self.reviewer = demo_user(services, "reviewer")
        self.points = {p.code: p for p in services.store.checkpoints.list_all()}
        admin = demo_user(services, "admin")
        self.operators: dict[str, User] = {"G01": demo_user(services, "gate1")}
        for code in ("E0001", "E0002", "I01", "G03"):
            form = UserInput(
                f"op{code.lower()}",
                f"Operator {code}",
                Role.OPERATOR,
                "LoopPass-demo-op",
                checkpoint_id=self.points[code].id,
            )
            self.operators[code] = services.accounts.create_user(admin, form)

    def passes(self, risk: RiskLevel) -> list[Pass]:
        rows = self.services.passes.search(self.supervisor, PassQuery(limit=100)).rows
        return [p for p in rows if (p.risk is RiskLevel.LOW) == (risk is RiskLevel.LOW)]

    def events(self) -> int:
        return self.services.store.conn.execute("SELECT count(*) FROM scan_events").fetchone()[0]

    def status(self, issued: Pass) -> PassStatus:
        return self.services.store.passes.get(issued.serial).status

    def setup_scan(self, code: str, token: str) -> ScanResult:
        """A scan at ``code`` outside the station under test (the point's own operator)."""
        point = self.points[code]
        return self.services.scans.scan(self.operators[code], point, token)


class Recorder:
    def __init__(self) -> None:
        self.played: list[Verdict] = []

    def __call__(self, verdict: Verdict) -> None:
        self.played.append(verdict)


@pytest.fixture
def loop(demo: Services) -> Loop:
    return Loop(demo)


StationMaker = Callable[..., StationPage]


@pytest.fixture
def station(qtbot: QtBot, zh_app: QApplication, loop: Loop) -> Iterator[StationMaker]:
    """Makes StationPages for the loop's operators; every one is closed at the end."""
    made: list[StationPage] = []

    def make(code: str, frames: list[np.ndarray] | None = None) -> StationPage:
        factory = None
        if frames is not None:
            video = list(frames)

            def factory() -> FakeFrameSource:
                return FakeFrameSource(video, loop=True)

        page = StationPage(
            loop.services, loop.operators[code], sound=Recorder(), camera_factory=factory
        )
        qtbot.addWidget(page)
        made.append(page)
        return page

    yield make
    for page in made:
        page.close()
        assert page.worker is None or not page.worker.isRunning()


def _camera_scan(qtbot: QtBot, page: StationPage) -> ScanResult:
    """Show the page (its camera starts), wait for the verdict, close it (camera stops)."""
    with qtbot.waitSignal(page.scan_recorded, timeout=10000) as blocker:
        page.show()
    worker = page.worker
    assert worker is not None
    page.close()
    assert not worker.isRunning()
    result: ScanResult = blocker.args[0]
    return result


def _typed_scan(page: StationPage, text: str) -> ScanResult:
    page.entry.setText(text)
    page.submit_entry()
    assert page.last_result is not None
    return page.last_result


def _assert_recorded_red(
    loop: Loop, page: StationPage, result: ScanResult, before: int, reasons: set[ScanReason]
) -> None:
    assert result.verdict is Verdict.RED
    assert result.reason in reasons
    assert result.recorded
    assert page.current_verdict is Verdict.RED
    assert loop.events() == before + 1
    latest = loop.services.store.scans.recent_at(page.point.id, 1)[0]
    assert latest.verdict is Verdict.RED
    assert latest.reason in {reason.value for reason in reasons}


LOW_LOOP = [
    ("G01", "GATE_IN", PassStatus.ENTERED),
    ("E0001", "ENTERPRISE", PassStatus.ARRIVED),
    ("G03", "GATE_OUT", PassStatus.EXITED),
]
RISK_LOOP = [
    ("G01", "GATE_IN", PassStatus.ENTERED),
    ("E0001", "ENTERPRISE", PassStatus.ARRIVED),
    ("I01", "ISOLATION", PassStatus.ISOLATED),
    ("G03", "GATE_OUT", PassStatus.EXITED),
]


@pytest.mark.parametrize(
    ("risk", "route"),
    [(RiskLevel.LOW, LOW_LOOP), (RiskLevel.HIGH, RISK_LOOP)],
    ids=["low-risk", "risk-origin"],
)
def test_camera_loop_is_green_at_every_point(
    qtbot: QtBot,
    loop: Loop,
    station: StationMaker,
    clock: FakeClock,
    risk: RiskLevel,
    route: list[tuple[str, str, PassStatus]],
) -> None:
    issued = loop.passes(risk)[0]
    assert (issued.risk is RiskLevel.LOW) == (risk is RiskLevel.LOW)
    assert loop.status(issued) is PassStatus.ISSUED
    frames = _video(issued.token)
    for code, step, status in route:
        clock.advance(minutes=20)
        page = station(code, frames)
        point: Checkpoint = page.point
        assert point.code == code
        assert code in page.point_label.text()
        before = loop.events()
        result = _camera_scan(qtbot, page)
        assert (result.verdict, result.reason) == (Verdict.GREEN, ScanReason.OK), code
        assert result.step == step
        assert result.serial == issued.serial and result.plate == issued.plate
        assert result.checkpoint == code and result.recorded
        assert page.current_verdict is Verdict.GREEN
        assert page.last_result == result
        assert "✓" in page.route_label.text()
        assert loop.status(issued) is status
        assert loop.events() == before + 1
        latest = loop.services.store.scans.recent_at(point.id, 1)[0]
        assert (latest.serial, latest.verdict, latest.step) == (issued.serial, Verdict.GREEN, step)


def test_wrong_checkpoint_at_another_enterprise(
    qtbot: QtBot, loop: Loop, station: StationMaker, clock: FakeClock
) -> None:
    issued = loop.passes(RiskLevel.LOW)[0]
    loop.setup_scan("G01", issued.token)
    clock.advance(minutes=20)
    page = station("E0002", _video(issued.token))
    before = loop.events()
    result = _camera_scan(qtbot, page)
    _assert_recorded_red(loop, page, result, before, {ScanReason.WRONG_CHECKPOINT})
    assert loop.status(issued) is PassStatus.ENTERED


def test_risk_pass_leaving_without_isolation_is_out_of_order(
    loop: Loop, station: StationMaker, clock: FakeClock
) -> None:
    issued = loop.passes(RiskLevel.HIGH)[0]
    loop.setup_scan("G01", issued.token)
    clock.advance(minutes=20)
    loop.setup_scan("E0001", issued.token)
    clock.advance(minutes=20)
    page = station("G03")
    before = loop.events()
    result = _typed_scan(page, issued.token)
    _assert_recorded_red(loop, page, result, before, {ScanReason.OUT_OF_ORDER})
    assert loop.status(issued) is PassStatus.ARRIVED


def test_enterprise_twice_is_already_scanned(
    loop: Loop, station: StationMaker, clock: FakeClock
) -> None:
    issued = loop.passes(RiskLevel.LOW)[0]
    loop.setup_scan("G01", issued.token)
    clock.advance(minutes=20)
    page = station("E0001")
    assert _typed_scan(page, issued.token).verdict is Verdict.GREEN
    clock.advance(minutes=20)
    before = loop.events()
    result = _typed_scan(page, issued.token)
    _assert_recorded_red(loop, page, result, before, {ScanReason.ALREADY_SCANNED})
    assert loop.status(issued) is PassStatus.ARRIVED


def test_scan_after_exit_is_pass_closed(
    loop: Loop, station: StationMaker, clock: FakeClock
) -> None:
    issued = loop.passes(RiskLevel.LOW)[0]
    for code in ("G01", "E0001", "G03"):
        assert loop.setup_scan(code, issued.token).verdict is Verdict.GREEN
        clock.advance(minutes=20)
    page = station("G01")
    before = loop.events()
    result = _typed_scan(page, issued.token)
    _assert_recorded_red(loop, page, result, before, {ScanReason.PASS_CLOSED})
    assert loop.status(issued) is PassStatus.EXITED


def test_revoked_pass_is_red(loop: Loop, station: StationMaker) -> None:
    issued = loop.passes(RiskLevel.LOW)[0]
    loop.services.passes.revoke(loop.reviewer, issued.serial, "driver replaced")
    page = station("G01")
    before = loop.events()
    result = _typed_scan(page, issued.token)
    _assert_recorded_red(loop, page, result, before, {ScanReason.REVOKED})


def test_expired_pass_is_red(loop: Loop, station: StationMaker, clock: FakeClock) -> None:
    issued = loop.passes(RiskLevel.LOW)[0]
    clock.advance(hours=73)
    page = station("G01")
    before = loop.events()
    result = _typed_scan(page, issued.token)
    _assert_recorded_red(loop, page, result, before, {ScanReason.EXPIRED})
    assert loop.status(issued) is PassStatus.ISSUED


def test_garbage_code_is_not_a_pass(qtbot: QtBot, loop: Loop, station: StationMaker) -> None:
    page = station("G01", _video("https://example.com/menu?table=7"))
    before = loop.events()
    result = _camera_scan(qtbot, page)
    _assert_recorded_red(loop, page, result, before, {ScanReason.NOT_A_PASS})
    assert result.serial is None


def _tampered(token: str) -> str:
    """The token with one Base45 character in the middle of its body changed."""
    prefix, _, body = token.partition(":")
    middle = len(body) // 2
    swap = "A" if body[middle] != "A" else "B"
    return f"{prefix}:{body[:middle]}{swap}{body[middle + 1 :]}"


def test_tampered_token_is_red(loop: Loop, station: StationMaker) -> None:
    issued = loop.passes(RiskLevel.LOW)[0]
    forged = _tampered(issued.token)
    assert forged != issued.token and len(forged) == len(issued.token)
    page = station("G01")
    before = loop.events()
    result = _typed_scan(page, forged)
    _assert_recorded_red(
        loop, page, result, before, {ScanReason.BAD_SIGNATURE, ScanReason.MALFORMED}
    )
    assert loop.status(issued) is PassStatus.ISSUED


def test_plate_differs_is_a_red_mismatch(qtbot: QtBot, loop: Loop, station: StationMaker) -> None:
    issued = loop.passes(RiskLevel.LOW)[0]
    page = station("G01")
    assert _typed_scan(page, issued.token).verdict is Verdict.GREEN
    assert loop.status(issued) is PassStatus.ENTERED
    before = loop.events()
    with qtbot.waitSignal(page.scan_recorded) as blocker:
        page.differ_button.click()
    _assert_recorded_red(loop, page, blocker.args[0], before, {ScanReason.PLATE_MISMATCH})
    assert loop.status(issued) is PassStatus.ISSUED
