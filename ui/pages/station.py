"""The scan station: a checkpoint operator's lane screen.

A pass reaches the station four ways: the camera (``ui.camera.CameraWorker``), a USB
keyboard-wedge scanner or a typed serial (the always-focused entry; Enter submits), an image
file (the "Open image…" button or a file dropped on the page). Every text goes to
``ScanService``; the verdict it returns has been committed, and the big panel shows it:
GREEN (let through), AMBER (check by hand) or RED (stop), the reason, the plate in very large
type, the route with the points done. The operator compares the plate with the truck: F1 says
it matches, F2 records a PLATE_MISMATCH (RED). The panel goes back to "Ready to scan" after
``clear_after_ms``.

A supervisor sees "Override…" on an AMBER or RED verdict (never on a forged or revoked pass):
a reason code and a note turn it GREEN through ``ScanService.override``, audited there.
"Camera…" picks the camera source (a device index, a video file or a stream URL); the choice
is stored in the database for this station PC (``station.<id>.camera``, audited; see
``ui.station_identity``) and in QSettings (``station/camera``), which is the fallback while
the database has none; the worker restarts on the new source. A supervisor without a post of
their own starts at this station's checkpoint (set in the settings dialog).
"""

from __future__ import annotations

import html
import logging
import math
import struct
import tempfile
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, QTimer, Signal, Slot
from PySide6.QtGui import (
    QCloseEvent,
    QColor,
    QDragEnterEvent,
    QDropEvent,
    QHideEvent,
    QImage,
    QKeySequence,
    QPixmap,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.errors import DomainError, StorageBusy
from core.forms import FormInvalid
from core.models import Checkpoint, CheckpointKind, Pass, ScanEvent, User, Verdict
from core.pass_document import human_serial
from core.permissions import Action, allowed
from core.route import NOT_OVERRIDABLE, OverrideReason, ScanReason, override_code
from core.services import Services
from core.services.scans import ScanResult
from core.validation import ValidationCode, ValidationError, mask_id_number
from ui import formatting, i18n
from ui.camera import CameraWorker, SourceFactory
from ui.form_dialog import FormDialog
from ui.messages import error_message, name_of
from ui.pages.applications import ask_open_file
from ui.station_identity import this_station_id

log = logging.getLogger("looppass.station")

CONTEXT = "StationPage"
CLEAR_AFTER_MS = 6000
PREVIEW_SIZE = (640, 360)
RECENT_ROWS = 20
RECENT_FIT_COLUMNS = 3  # time, pass, verdict: sized to contents; the reason stretches
PASS_LABELS_KEPT = 1000

# (background, text) of the verdict panel; AMBER carries dark text (white on yellow is
# unreadable in daylight).
VERDICT_COLORS: dict[Verdict | None, tuple[str, str]] = {
    Verdict.GREEN: ("#2e7d32", "#ffffff"),
    Verdict.AMBER: ("#f9a825", "#1a1a1a"),
    Verdict.RED: ("#c62828", "#ffffff"),
    None: ("#eceff1", "#263238"),
}

VERDICT_WORDS = {
    Verdict.GREEN: QT_TRANSLATE_NOOP("StationPage", "PASS"),
    Verdict.AMBER: QT_TRANSLATE_NOOP("StationPage", "CHECK"),
    Verdict.RED: QT_TRANSLATE_NOOP("StationPage", "STOP"),
}

REASONS = {
    ScanReason.OK: QT_TRANSLATE_NOOP("StationPage", "Valid pass: let the truck through"),
    ScanReason.CLOCK_SKEW: QT_TRANSLATE_NOOP(
        "StationPage", "Station clock is behind: check by hand"
    ),
    ScanReason.POSSIBLE_CLONE: QT_TRANSLATE_NOOP(
        "StationPage", "Seen elsewhere minutes ago: check the truck"
    ),
    ScanReason.OVERDUE: QT_TRANSLATE_NOOP("StationPage", "Overdue on its route: check the truck"),
    ScanReason.PLATE_CHECK: QT_TRANSLATE_NOOP("StationPage", "Check the plate by hand"),
    ScanReason.NOT_A_PASS: QT_TRANSLATE_NOOP("StationPage", "Not a LoopPass pass"),
    ScanReason.UNSUPPORTED_VERSION: QT_TRANSLATE_NOOP(
        "StationPage", "Pass from a newer LoopPass: not accepted here"
    ),
    ScanReason.TOO_LARGE: QT_TRANSLATE_NOOP("StationPage", "Not a LoopPass pass (too long)"),
    ScanReason.MALFORMED: QT_TRANSLATE_NOOP("StationPage", "Damaged or incomplete code"),
    ScanReason.UNSUPPORTED_ALG: QT_TRANSLATE_NOOP("StationPage", "Forged or damaged pass"),
    ScanReason.UNKNOWN_KEY: QT_TRANSLATE_NOOP("StationPage", "Signed by an unknown key"),
    ScanReason.BAD_SIGNATURE: QT_TRANSLATE_NOOP("StationPage", "Forged or damaged pass"),
    ScanReason.NOT_YET_VALID: QT_TRANSLATE_NOOP("StationPage", "Pass not valid yet"),
    ScanReason.EXPIRED: QT_TRANSLATE_NOOP("StationPage", "Pass expired"),
    ScanReason.KEY_NOT_VALID: QT_TRANSLATE_NOOP(
        "StationPage", "Signing key withdrawn: pass not valid"
    ),
    ScanReason.REVOKED: QT_TRANSLATE_NOOP("StationPage", "Pass revoked"),
    ScanReason.WRONG_CHECKPOINT: QT_TRANSLATE_NOOP("StationPage", "Not on this pass's route"),
    ScanReason.OUT_OF_ORDER: QT_TRANSLATE_NOOP("StationPage", "A point of the route was skipped"),
    ScanReason.ALREADY_SCANNED: QT_TRANSLATE_NOOP("StationPage", "This point is already done"),
    ScanReason.PASS_CLOSED: QT_TRANSLATE_NOOP("StationPage", "The loop is already closed"),
    ScanReason.PLATE_MISMATCH: QT_TRANSLATE_NOOP("StationPage", "Plate does not match"),
}

OVERRIDE_REASONS = {
    OverrideReason.PLATE_VERIFIED_BY_HAND: QT_TRANSLATE_NOOP(
        "StationPage", "Plate verified by hand"
    ),
    OverrideReason.CLOCK_CORRECTED: QT_TRANSLATE_NOOP("StationPage", "Station clock corrected"),
    OverrideReason.ROUTE_CHANGED_BY_ORDER: QT_TRANSLATE_NOOP(
        "StationPage", "Route changed by order"
    ),
    OverrideReason.CLONE_CHECKED: QT_TRANSLATE_NOOP("StationPage", "Checked: not a cloned pass"),
    OverrideReason.OTHER: QT_TRANSLATE_NOOP("StationPage", "Other (note required)"),
}
OVERRIDDEN = QT_TRANSLATE_NOOP("StationPage", "Overridden by a supervisor: {reason}")

CAMERA_SETTING = "station/camera"
CAMERA_INDEXES = range(10)
CAMERA_SIZE = (1280, 720)
STREAM_SCHEMES = frozenset({"rtsp", "rtsps", "http", "https"})
CameraSpec = int | str
SourceFactoryBuilder = Callable[[CameraSpec], SourceFactory]

Sound = Callable[[Verdict], None]
FileAsker = Callable[[QWidget, str, str], str]


def reason_text(reason: ScanReason | str) -> str:
    """The translated sentence for a scan reason code (the code itself if unknown)."""
    code = override_code(str(reason))
    if code is not None:
        return QCoreApplication.translate(CONTEXT, OVERRIDDEN).format(
            reason=override_reason_text(code)
        )
    try:
        source = REASONS[ScanReason(reason)]
    except ValueError:
        return str(reason)
    return QCoreApplication.translate(CONTEXT, source)


def verdict_word(verdict: Verdict) -> str:
    """PASS / CHECK / STOP, translated."""
    return QCoreApplication.translate(CONTEXT, VERDICT_WORDS[verdict])


def override_reason_text(code: OverrideReason) -> str:
    """The translated name of an override reason code."""
    return QCoreApplication.translate(CONTEXT, OVERRIDE_REASONS[code])


def parse_camera_spec(value: object) -> CameraSpec:
    """A stored camera setting as a source: digits are a device index, else a path or URL."""
    text = str(value).strip() if value is not None else ""
    if not text:
        return 0
    return int(text) if text.isdecimal() and text.isascii() else text


def saved_camera() -> CameraSpec:
    """The camera source chosen on this machine (device 0 until one is chosen)."""
    return parse_camera_spec(i18n.settings().value(CAMERA_SETTING, 0))


def save_camera(spec: CameraSpec) -> None:
    """Remember the camera source on this machine."""
    i18n.settings().setValue(CAMERA_SETTING, str(spec))


def video_source_factory(spec: CameraSpec) -> SourceFactory:
    """A factory of ``VideoCaptureSource(spec)`` at 1280×720 (opened on the worker thread)."""

    def factory() -> Any:
        from core.scanning import VideoCaptureSource  # noqa: PLC0415 - loads OpenCV lazily

        return VideoCaptureSource(spec, *CAMERA_SIZE)

    return factory


def default_camera_factory() -> Any:
    """The station's camera: the saved source (device 0 by default) at 1280×720."""
    return video_source_factory(saved_camera())()


def station_camera(services: Services) -> CameraSpec:
    """This station's camera: the one stored for it in the database, else this PC's choice
    in QSettings (device 0 until one is chosen)."""
    station_id = this_station_id(create=False)
    stored = services.settings.station(station_id).camera if station_id else ""
    return parse_camera_spec(stored) if stored else saved_camera()


def station_camera_factory(services: Services) -> SourceFactory:
    """A factory of this station's camera, looked up now, on the GUI thread.

    The factory itself runs on the camera worker's thread, where the GUI's SQLite connection
    may not be used ("objects created in a thread can only be used in that same thread"), so
    the database is read here, once per station page; the lane's own camera picker replaces
    the factory when the operator chooses another camera."""
    return video_source_factory(station_camera(services))


# -- sounds ---------------------------------------------------------------------------------

# (frequency Hz, milliseconds) notes per verdict; 0 Hz is a rest. GREEN one short high beep,
# AMBER two middle beeps, RED a long low buzz in three pulses: told apart without looking.
TONES: dict[Verdict, tuple[tuple[int, int], ...]] = {
    Verdict.GREEN: ((1320, 120),),
    Verdict.AMBER: ((880, 120), (0, 80), (880, 120)),
    Verdict.RED: ((330, 180), (0, 60), (330, 180), (0, 60), (330, 180)),
}
_RATE = 22050


def write_tones(folder: Path) -> dict[Verdict, Path]:
    """Write one short 16-bit mono WAV per verdict into ``folder``; returns their paths."""
    paths = {}
    for verdict, notes in TONES.items():
        samples = bytearray()
        for frequency, ms in notes:
            count = _RATE * ms // 1000
            for i in range(count):
                # A 5 ms fade in and out keeps the speaker from clicking.
                envelope = min(1.0, i / (_RATE * 0.005), (count - i) / (_RATE * 0.005))
                value = math.sin(2 * math.pi * frequency * i / _RATE) if frequency else 0.0
                samples += struct.pack("<h", int(value * envelope * 0.6 * 32767))
        path = folder / f"{verdict.value.lower()}.wav"
        with wave.open(str(path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(_RATE)
            out.writeframes(bytes(samples))
        paths[verdict] = path
    return paths


class ToneSound:
    """Plays the verdict's tone with QSoundEffect; ``QApplication.beep()`` without it.

    The WAV files are written once, on first use, to a temporary folder.
    """

    def __init__(self) -> None:
        self._effects: dict[Verdict, Any] | None = None
        self._folder: tempfile.TemporaryDirectory[str] | None = None

    def __call__(self, verdict: Verdict) -> None:
        effects = self._load()
        effect = effects.get(verdict)
        if effect is None:
            QApplication.beep()
            return
        effect.play()

    def _load(self) -> dict[Verdict, Any]:
        if self._effects is not None:
            return self._effects
        self._effects = {}
        try:
            from PySide6.QtCore import QUrl  # noqa: PLC0415
            from PySide6.QtMultimedia import QSoundEffect  # noqa: PLC0415 - optional module

            self._folder = tempfile.TemporaryDirectory(prefix="looppass-tones-")
            for verdict, path in write_tones(Path(self._folder.name)).items():
                effect = QSoundEffect()
                effect.setSource(QUrl.fromLocalFile(str(path)))
                effect.setVolume(0.9)
                self._effects[verdict] = effect
        except (ImportError, OSError):
            log.warning("no sound effects: falling back to the system beep", exc_info=True)
        return self._effects


# -- the page -------------------------------------------------------------------------------


class PreviewLabel(QLabel):
    """The camera picture; the worker draws the guide box (where to hold the code) on it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedSize(*PREVIEW_SIZE)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setObjectName("cameraPreview")
        self.setStyleSheet(
            "QLabel#cameraPreview { background: #263238; color: #cfd8dc; font-size: 18px; }"
        )

    def show_image(self, image: QImage) -> None:
        """Show a preview from the camera worker (it carries the guide box already)."""
        pixmap = QPixmap.fromImage(image)
        if pixmap.size() != self.size():
            pixmap = pixmap.scaled(
                self.size(),
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        self.setPixmap(pixmap)


class StationPage(QWidget):
    """The lane screen of one checkpoint; see the module docstring.

    ``camera_factory`` returns a ``core.scanning.FrameSource`` (``default_camera_factory``
    for the real camera; None: no camera, typing and images only). ``sound(verdict)`` plays
    the verdict's tone; ``ask_file(parent, title, filters)`` picks an image ('' to cancel).
    """

    scan_recorded = Signal(object)  # the ScanResult shown

    def __init__(
        self,
        services: Services,
        user: User,
        parent: QWidget | None = None,
        camera_factory: SourceFactory | None = None,
        sound: Sound | None = None,
        ask_file: FileAsker = ask_open_file,
        source_factory_for: SourceFactoryBuilder = video_source_factory,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.user = user
        self.camera_factory = camera_factory
        self.sound: Sound = sound if sound is not None else ToneSound()
        self._ask_file = ask_file
        self._source_factory_for = source_factory_for
        self.override_form: FormDialog | None = None
        self.camera_form: FormDialog | None = None
        self._decoder: Any = None
        self._pass_labels: dict[str, str] = {}  # serial → "plate  SERIAL8" of the recent list
        self.worker: CameraWorker | None = None
        self.current_verdict: Verdict | None = None
        self.last_result: ScanResult | None = None
        self.clear_after_ms = CLEAR_AFTER_MS
        self.setAcceptDrops(True)
        self.setObjectName("stationPage")
        self.point: Checkpoint = self._initial_point()

        self._clear_timer = QTimer(self)
        self._clear_timer.setSingleShot(True)
        self._clear_timer.timeout.connect(self.clear_verdict)
        # The recent list is refreshed once the verdict is on screen: a zero-interval timer
        # fires after Qt has handled its posted events, the panel's repaint among them.
        # (``QTimer.singleShot(0, ...)`` would not do: it is a posted call itself, handled
        # before the repaint, which Qt posts at low priority.)
        self._recent_timer = QTimer(self)
        self._recent_timer.setSingleShot(True)
        self._recent_timer.setInterval(0)
        self._recent_timer.timeout.connect(self.refresh_recent)

        layout = QVBoxLayout(self)
        layout.addLayout(self._header())
        body = QHBoxLayout()
        body.addLayout(self._input_column())
        body.addWidget(self._verdict_panel(), 1)
        layout.addLayout(body, 1)
        layout.addWidget(self._recent_table())

        for key, slot in ((Qt.Key.Key_F1, self.plate_matches), (Qt.Key.Key_F2, self.plate_differs)):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        self._show_point()
        self.clear_verdict()

    # -- building ---------------------------------------------------------------------

    def _initial_point(self) -> Checkpoint:
        if self.user.checkpoint_id is not None:
            return self.services.scans.station_checkpoint(self.user)
        # A supervisor without a post of their own stands in at this station's checkpoint
        # (settings dialog), else at the first open one.
        points = self._points()
        station_id = this_station_id(create=False)
        chosen = self.services.settings.station(station_id).checkpoint if station_id else ""
        point = next((p for p in points if p.code == chosen), points[0])
        return self.services.scans.station_checkpoint(self.user, point.code)

    def _points(self) -> list[Checkpoint]:
        return [p for p in self.services.registry.list_checkpoints(self.user) if p.active]

    def _header(self) -> QHBoxLayout:
        self.title = self.tr("Scan station")  # the navigation entry, like every page's
        self.heading = QLabel(self.title)
        self.heading.setStyleSheet("font-size: 20px; color: #546e7a;")
        self.point_label = QLabel()
        self.point_label.setObjectName("stationPoint")
        self.point_label.setStyleSheet("font-size: 32px; font-weight: 700;")
        row = QHBoxLayout()
        row.addWidget(self.heading)
        row.addSpacing(12)
        row.addWidget(self.point_label)
        row.addStretch(1)
        self.point_combo: QComboBox | None = None
        if allowed(self.user, Action.SCAN_ANY_CHECKPOINT):
            self.point_combo = QComboBox()
            self.point_combo.setObjectName("stationCombo")
            for point in self._points():
                self.point_combo.addItem(f"{point.code}  {point.name}", point.code)
            self.point_combo.setCurrentIndex(max(0, self.point_combo.findData(self.point.code)))
            self.point_combo.currentIndexChanged.connect(self._on_point_chosen)
            row.addWidget(QLabel(self.tr("Scanning for:")))
            row.addWidget(self.point_combo)
        return row

    def _input_column(self) -> QVBoxLayout:
        self.preview = PreviewLabel()
        self.preview.setText(self.tr("No camera"))
        self.banner = QLabel(self.tr("No camera — type or scan with the USB scanner"))
        self.banner.setObjectName("cameraBanner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(
            "background: #fff176; color: #3e2723; font-size: 18px; font-weight: 600;"
            " padding: 8px; border: 2px solid #f9a825;"
        )
        self.banner.setMaximumWidth(PREVIEW_SIZE[0])
        self.banner.hide()
        self.entry = QLineEdit()
        self.entry.setObjectName("scanEntry")
        self.entry.setPlaceholderText(self.tr("Scan with the USB scanner or type the serial"))
        self.entry.setStyleSheet("font-size: 20px; padding: 6px;")
        self.entry.returnPressed.connect(self.submit_entry)
        self.open_button = QPushButton(self.tr("Open image…"))
        self.open_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.open_button.clicked.connect(self.open_image)
        self.camera_button = QPushButton(self.tr("Camera…"))
        self.camera_button.setObjectName("cameraSource")
        self.camera_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.camera_button.clicked.connect(self.choose_camera)
        # The entry has the preview's whole width to itself (its hint, in 20 px type, needs
        # more than what the two buttons beside it left in English); the buttons go below.
        source_row = QHBoxLayout()
        source_row.addStretch(1)
        source_row.addWidget(self.open_button)
        source_row.addWidget(self.camera_button)
        column = QVBoxLayout()
        column.addWidget(self.preview)
        column.addWidget(self.banner)
        column.addWidget(self.entry)
        column.addLayout(source_row)
        column.addStretch(1)
        return column

    def _verdict_panel(self) -> QFrame:
        self.panel = QFrame()
        self.panel.setObjectName("verdictPanel")
        self.panel.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.panel.setMinimumWidth(520)
        self.verdict_label = QLabel()
        self.verdict_label.setObjectName("verdictWord")
        self.verdict_label.setWordWrap(True)
        self.reason_label = QLabel()
        self.reason_label.setObjectName("verdictReason")
        self.reason_label.setWordWrap(True)
        self.plate_label = QLabel()
        self.plate_label.setObjectName("verdictPlate")
        self.detail_label = QLabel()
        self.detail_label.setObjectName("verdictDetail")
        self.detail_label.setWordWrap(True)
        self.route_label = QLabel()
        self.route_label.setObjectName("verdictRoute")
        self.route_label.setWordWrap(True)
        self.route_label.setTextFormat(Qt.TextFormat.RichText)
        for label in (self.verdict_label, self.reason_label, self.plate_label):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.match_button = QPushButton(self.tr("Plate matches (F1)"))
        self.match_button.setObjectName("plateMatches")
        self.match_button.clicked.connect(self.plate_matches)
        self.differ_button = QPushButton(self.tr("Plate differs (F2)"))
        self.differ_button.setObjectName("plateDiffers")
        self.differ_button.clicked.connect(self.plate_differs)
        self.override_button = QPushButton(self.tr("Override…"))
        self.override_button.setObjectName("overrideVerdict")
        self.override_button.clicked.connect(self.open_override)
        # The two plate buttons share a row (half the panel each: their English labels need
        # it on a 1280 x 720 screen); the supervisor's override goes below them.
        plate_row = QHBoxLayout()
        for button in (self.match_button, self.differ_button, self.override_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the entry keeps the scanner
            button.setMinimumHeight(48)
        plate_row.addWidget(self.match_button)
        plate_row.addWidget(self.differ_button)
        buttons = QVBoxLayout()
        buttons.addLayout(plate_row)
        buttons.addWidget(self.override_button)
        column = QVBoxLayout(self.panel)
        column.setContentsMargins(24, 16, 24, 16)
        column.addWidget(self.verdict_label)
        column.addWidget(self.reason_label)
        column.addWidget(self.plate_label)
        column.addWidget(self.detail_label)
        column.addWidget(self.route_label)
        column.addStretch(1)
        column.addLayout(buttons)
        return self.panel

    def _recent_table(self) -> QTableWidget:
        self.recent = QTableWidget(0, 4)
        self.recent.setObjectName("recentScans")
        self.recent.setHorizontalHeaderLabels(
            [self.tr("Time"), self.tr("Pass"), self.tr("Verdict"), self.tr("Reason")]
        )
        self.recent.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.recent.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.recent.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.recent.verticalHeader().hide()
        header = self.recent.horizontalHeader()
        for column in range(RECENT_FIT_COLUMNS):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(RECENT_FIT_COLUMNS, QHeaderView.ResizeMode.Stretch)
        self.recent.setMaximumHeight(200)
        return self.recent

    # -- the checkpoint ---------------------------------------------------------------

    def _show_point(self) -> None:
        self.point_label.setText(f"{self.point.code}  {self.point.name}")
        self.refresh_recent()

    @Slot(int)
    def _on_point_chosen(self, index: int) -> None:
        if self.point_combo is None or index < 0:
            return
        code = self.point_combo.itemData(index)
        try:
            self.point = self.services.scans.station_checkpoint(self.user, code)
        except DomainError as error:
            self._show_message(error_message(error))
            return
        self._show_point()
        self.clear_verdict()

    # -- input ------------------------------------------------------------------------

    @Slot()
    def submit_entry(self) -> None:
        """The entry's text: a token (``PH…``) is scanned, anything else is a serial."""
        text = self.entry.text().strip()
        self.entry.clear()
        if text:
            self.scan_text(text, typed=not text.upper().startswith("PH"))

    @Slot(str)
    def scan_text(self, text: str, typed: bool = False) -> ScanResult | None:
        """Verify a scanned (or, with ``typed``, a typed serial) text and show the verdict."""
        if typed:
            return self._run(lambda: self.services.scans.scan_serial(self.user, self.point, text))
        return self._run(lambda: self.services.scans.scan(self.user, self.point, text))

    @Slot()
    def open_image(self) -> None:
        """Pick an image file and scan every pass code in it."""
        path = self._ask_file(
            self, self.tr("Open pass image"), self.tr("Images (*.png *.jpg *.jpeg *.bmp)")
        )
        if path:
            self.scan_image(path)

    def scan_image(self, path: str) -> None:
        """Scan every code read in the image at ``path`` (a message if there is none)."""
        from core.scanning import decode_file, default_decoder  # noqa: PLC0415

        if self._decoder is None:
            self._decoder = default_decoder()
        texts = decode_file(path, self._decoder)
        if not texts:
            self._show_message(self.tr("No QR code found in {name}").format(name=Path(path).name))
            return
        for text in texts:
            self.scan_text(text)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        event.acceptProposedAction()
        for path in paths:
            self.scan_image(path)

    # -- plate check ------------------------------------------------------------------

    @Slot()
    def plate_matches(self) -> None:
        """The operator saw the pass's plate on the truck: the lane is done with it."""
        if self.match_button.isEnabled():
            self.clear_verdict()

    @Slot()
    def plate_differs(self) -> None:
        """Another truck than the pass's: record a RED PLATE_MISMATCH."""
        result = self.last_result
        if not self.differ_button.isEnabled() or result is None or result.serial is None:
            return
        serial = result.serial
        self._run(lambda: self.services.scans.plate_mismatch(self.user, self.point, serial))

    # -- supervisor override ----------------------------------------------------------

    def can_override(self, result: ScanResult) -> bool:
        """Whether to offer "Override…" for ``result``: a supervisor, an AMBER or RED scan of
        a known pass, and not a forged or revoked one (the service refuses those anyway)."""
        return (
            allowed(self.user, Action.OVERRIDE_VERDICT)
            and result.verdict is not Verdict.GREEN
            and result.serial is not None
            and result.reason not in NOT_OVERRIDABLE
        )

    @Slot()
    def open_override(self) -> None:
        """Ask for a reason code and a note, then override the verdict on screen."""
        result = self.last_result
        if not self.override_button.isEnabled() or result is None or result.serial is None:
            return
        serial = result.serial
        point = self.point
        self._clear_timer.stop()  # the verdict stays up while the supervisor decides
        dialog = FormDialog(self.tr("Override the verdict"), self)
        dialog.setObjectName("overrideDialog")
        dialog.add_combo(
            "reason_code",
            self.tr("Reason"),
            [(override_reason_text(code), code) for code in OverrideReason],
        )
        dialog.add_line("note", self.tr("Note"), placeholder=self.tr("Why (required for Other)"))

        def submit(form: FormDialog) -> ScanResult:
            return self.services.scans.override(
                self.user, point, serial, form.value("reason_code"), form.text("note")
            )

        dialog.set_submit(submit)
        dialog.accepted.connect(lambda: self._override_done(dialog))
        dialog.rejected.connect(self._restart_clear)
        dialog.finished.connect(self._override_closed)
        self.override_form = dialog
        dialog.open()

    @Slot()
    def _override_closed(self) -> None:
        if self.override_form is not None:
            self.override_form.deleteLater()
            self.override_form = None

    def _override_done(self, dialog: FormDialog) -> None:
        if isinstance(dialog.result_value, ScanResult):
            self.show_result(dialog.result_value)

    # -- showing ----------------------------------------------------------------------

    def _run(self, call: Callable[[], ScanResult]) -> ScanResult | None:
        try:
            result = call()
        except StorageBusy:
            self._show_message(self.tr("Database busy — scan again"))
            return None
        except DomainError as error:
            self._show_message(error_message(error))
            return None
        self.show_result(result)
        return result

    def show_result(self, result: ScanResult) -> None:
        """Paint the panel for ``result``, play its sound; the list follows the paint."""
        self.last_result = result
        self.current_verdict = result.verdict
        issued = self.services.store.passes.get(result.serial) if result.serial else None
        self._paint(result.verdict)
        self.verdict_label.setText(verdict_word(result.verdict))
        if result.override is not None:
            self.reason_label.setText(
                self.tr("Overridden by a supervisor: {reason}").format(
                    reason=override_reason_text(result.override)
                )
            )
        else:
            self.reason_label.setText(reason_text(result.reason))
        self.plate_label.setText(result.plate or "")
        self.plate_label.setVisible(bool(result.plate))
        self.detail_label.setText(self._details(result, issued))
        self.route_label.setText(self._route(issued) if issued else "")
        # The plate check only matters for a truck about to be let through (or checked).
        can_check = issued is not None and result.verdict is not Verdict.RED
        for button in (self.match_button, self.differ_button):
            button.setEnabled(can_check)
            button.setVisible(can_check)
        can_override = self.can_override(result)
        self.override_button.setEnabled(can_override)
        self.override_button.setVisible(can_override)
        self._recent_timer.start()  # after the verdict is painted; see __init__
        self._restart_clear()
        self.entry.setFocus()
        try:
            self.sound(result.verdict)
        except Exception:  # a sound problem must never hide a verdict
            log.exception("sound failed")
        self.scan_recorded.emit(result)

    def _details(self, result: ScanResult, issued: Pass | None) -> str:
        lines = []
        if result.serial:
            lines.append(self.tr("Serial {serial}").format(serial=human_serial(result.serial)))
        if issued is not None:
            application = self.services.store.applications.get(issued.application_id)
            driver = self.services.store.drivers.get(application.driver_id) if application else None
            if driver is not None:
                lines.append(
                    self.tr("Driver {name}  {id_number}").format(
                        name=driver.name, id_number=mask_id_number(driver.id_number)
                    )
                )
        return "\n".join(lines)

    def _route(self, issued: Pass) -> str:
        steps = self.services.passes.route_of(issued)
        next_index = next((i for i, step in enumerate(steps) if not step.done), None)
        parts = []
        for index, step in enumerate(steps):
            name = name_of(step.kind.value)
            if step.kind is CheckpointKind.GATE:
                name = (self.tr("{gate} (in)") if index == 0 else self.tr("{gate} (out)")).format(
                    gate=name
                )
            elif step.checkpoint:
                name = f"{name} {step.checkpoint}"
            if step.done:
                text = f"✓ {name}"
            elif index == next_index:
                text = "▶ " + self.tr("next: {point}").format(point=name)
            else:
                text = f"○ {name}"
            # Non-breaking spaces: a point's name never wraps in the middle.
            text = html.escape(text).replace(" ", "&nbsp;")
            parts.append(f"<b><u>{text}</u></b>" if index == next_index else text)
        return " → ".join(parts)

    def _paint(self, verdict: Verdict | None) -> None:
        background, text = VERDICT_COLORS[verdict]
        self.panel.setStyleSheet(
            f"QFrame#verdictPanel {{ background: {background}; border-radius: 8px; }}"
            f"QFrame#verdictPanel QLabel {{ color: {text}; background: transparent; }}"
            f"QLabel#verdictWord {{ font-size: {96 if verdict else 56}px; font-weight: 900; }}"
            "QLabel#verdictReason { font-size: 30px; font-weight: 700; }"
            "QFrame#verdictPanel QLabel#verdictPlate { font-size: 88px; font-weight: 800;"
            " letter-spacing: 4px;"
            " background: #ffffff; color: #000000; border: 4px solid #000000;"
            " border-radius: 6px; padding: 0px 16px; }"
            "QLabel#verdictDetail { font-size: 18px; }"
            "QLabel#verdictRoute { font-size: 20px; }"
            "QPushButton { font-size: 18px; font-weight: 600; padding: 6px 14px; }"
        )

    @property
    def panel_color(self) -> str:
        """The verdict panel's background colour (``#rrggbb``)."""
        return VERDICT_COLORS[self.current_verdict][0]

    def _show_message(self, text: str) -> None:
        """A neutral panel with a message and no verdict (busy database, an error...)."""
        self.clear_verdict()
        self.verdict_label.setText("")
        self.reason_label.setText(text)
        self._restart_clear()

    @Slot()
    def clear_verdict(self) -> None:
        """Back to the neutral "Ready to scan" panel."""
        self._clear_timer.stop()
        self.current_verdict = None
        self.last_result = None
        self._paint(None)
        self.verdict_label.setText(self.tr("Ready to scan"))
        self.reason_label.setText(
            self.tr("Hold the pass's QR code up to the camera, or scan it with the USB scanner")
        )
        self.plate_label.setText("")
        self.plate_label.hide()
        self.detail_label.setText("")
        self.route_label.setText("")
        self.match_button.setEnabled(False)
        self.differ_button.setEnabled(False)
        self.match_button.hide()
        self.differ_button.hide()
        self.override_button.setEnabled(False)
        self.override_button.hide()
        self.entry.setFocus()

    def _restart_clear(self) -> None:
        self._clear_timer.start(self.clear_after_ms)

    @Slot()
    def refresh_recent(self) -> None:
        """Reload the station's latest scans into the table, newest first."""
        try:
            events = self.services.scans.recent(self.user, self.point, RECENT_ROWS)
        except DomainError as error:
            log.warning("recent scans unavailable: %s", error)
            return
        # The sized-to-contents columns are held fixed while the cells are filled and
        # measured once at the end: measured after every cell, filling the table took
        # ~30 ms of the verdict's path instead of ~1 ms.
        header = self.recent.horizontalHeader()
        for column in range(RECENT_FIT_COLUMNS):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
        self.recent.setRowCount(len(events))
        for row, event in enumerate(events):
            verdict = event.verdict
            background, text = VERDICT_COLORS[verdict]
            cells = [
                formatting.time_of_day(event.at),
                self._pass_label(event),
                verdict_word(verdict),
                reason_text(event.reason),
            ]
            for column, value in enumerate(cells):
                item = QTableWidgetItem(value)
                if column == 2:  # noqa: PLR2004 - the verdict column
                    item.setBackground(QColor(background))
                    item.setForeground(QColor(text))
                self.recent.setItem(row, column, item)
        for column in range(RECENT_FIT_COLUMNS):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)

    def _pass_label(self, event: ScanEvent) -> str:
        if not event.serial:
            return "—"
        label = self._pass_labels.get(event.serial)
        if label is not None:
            return label
        issued = self.services.store.passes.get(event.serial)
        short = event.serial[:8].upper()
        if issued is None:
            return short
        # A pass's plate is signed into it and never changes: look each serial up once.
        if len(self._pass_labels) >= PASS_LABELS_KEPT:
            self._pass_labels.clear()
        label = self._pass_labels[event.serial] = f"{issued.plate}  {short}"
        return label

    # -- the camera -------------------------------------------------------------------

    def start_camera(self) -> None:
        """Start the camera worker (if there is a camera factory and it is not running)."""
        if self.camera_factory is None or (self.worker is not None and self.worker.isRunning()):
            return
        if self.worker is not None:
            self.worker.deleteLater()  # finished when the page was last hidden
        self.worker = CameraWorker(self.camera_factory, parent=self)
        self.worker.frame_ready.connect(self._on_frame)
        self.worker.decoded.connect(self.scan_text)
        self.worker.camera_failed.connect(self._on_camera_failed)
        self.worker.camera_recovered.connect(self._on_camera_recovered)
        self.preview.setText(self.tr("Starting the camera…"))
        self.worker.start()

    def stop_camera(self) -> None:
        """Stop the camera worker and wait for it (at most 2 s)."""
        if self.worker is not None:
            self.worker.stop()

    @Slot()
    def choose_camera(self) -> None:
        """Pick the camera source: a device index, a video file or a stream URL."""
        current = saved_camera()
        dialog = FormDialog(self.tr("Camera source"), self)
        dialog.setObjectName("cameraDialog")
        kinds = [
            (self.tr("Camera"), "device"),
            (self.tr("Video file"), "file"),
            (self.tr("Stream URL (RTSP/HTTP)"), "url"),
        ]
        if isinstance(current, int):
            kind = "device"
        elif urlsplit(current).scheme in STREAM_SCHEMES:
            kind = "url"
        else:
            kind = "file"
        dialog.add_combo("kind", self.tr("Source"), kinds, kind)
        devices = [(self.tr("Camera {index}").format(index=i), i) for i in CAMERA_INDEXES]
        dialog.add_combo("device", self.tr("Camera"), devices, current if kind == "device" else 0)
        video = dialog.add_line("file", self.tr("Video file"), current if kind == "file" else "")
        browse = QPushButton(self.tr("Browse…"))
        browse.clicked.connect(lambda: self._browse_video(dialog, video))
        dialog.add_field("browse", "", browse)
        dialog.add_line(
            "url",
            self.tr("Stream URL"),
            current if kind == "url" else "",
            placeholder="rtsp://192.168.1.20:554/stream1",
        )
        dialog.set_submit(_camera_choice)
        dialog.accepted.connect(lambda: self._camera_chosen(dialog))
        dialog.finished.connect(self._camera_closed)
        self.camera_form = dialog
        dialog.open()

    @Slot()
    def _camera_closed(self) -> None:
        if self.camera_form is not None:
            self.camera_form.deleteLater()
            self.camera_form = None

    def _browse_video(self, dialog: FormDialog, video: QLineEdit) -> None:
        path = self._ask_file(
            dialog, self.tr("Open video file"), self.tr("Videos (*.mp4 *.avi *.mkv *.mov)")
        )
        if path:
            video.setText(path)
            combo = dialog.findChild(QComboBox, "field_kind")
            if combo is not None:
                combo.setCurrentIndex(combo.findData("file"))

    def _camera_chosen(self, dialog: FormDialog) -> None:
        if dialog.result_value is not None:
            self.set_camera_source(dialog.result_value)

    def set_camera_source(self, spec: CameraSpec) -> None:
        """Remember ``spec`` for this station and restart the camera worker on it."""
        save_camera(spec)
        station_id = this_station_id()
        try:
            if station_id is not None:
                self.services.settings.set_station_camera(self.user, station_id, str(spec))
        except (DomainError, FormInvalid):
            # Kept in QSettings all the same: the lane works, only other PCs don't see it.
            log.warning("camera source not stored in the database", exc_info=True)
        self.camera_factory = self._source_factory_for(spec)
        running = self.worker is not None and self.worker.isRunning()
        self.stop_camera()
        if running or self.isVisible():
            self.banner.hide()
            self.start_camera()

    @Slot(QImage)
    def _on_frame(self, image: QImage) -> None:
        self.preview.show_image(image)

    @Slot(str)
    def _on_camera_failed(self, reason: str) -> None:
        log.warning("camera failed: %s", reason)
        self.banner.show()
        self.preview.clear()
        self.preview.setText(self.tr("No camera"))
        self.entry.setFocus()

    @Slot()
    def _on_camera_recovered(self) -> None:
        self.banner.hide()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.start_camera()
        self.entry.setFocus()

    def hideEvent(self, event: QHideEvent) -> None:
        self.stop_camera()
        super().hideEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.stop_camera()
        super().closeEvent(event)


def _camera_choice(form: FormDialog) -> CameraSpec:
    """The source the camera dialog describes; ``ValidationError`` names the bad field."""
    kind = form.value("kind")
    if kind == "device":
        return int(form.value("device"))
    if kind == "file":
        path = form.text("file").strip()
        if not path:
            raise ValidationError("file", ValidationCode.REQUIRED)
        if not Path(path).is_file():
            raise ValidationError("file", ValidationCode.BAD_FORMAT, "no such file")
        return str(Path(path).resolve())
    url = form.text("url").strip()
    if not url:
        raise ValidationError("url", ValidationCode.REQUIRED)
    parts = urlsplit(url)
    if parts.scheme.lower() not in STREAM_SCHEMES or not parts.hostname:
        raise ValidationError("url", ValidationCode.BAD_FORMAT, "not an RTSP/HTTP URL")
    return url
