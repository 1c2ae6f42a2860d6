"""The self-test behind ``looppass --self-test``: can this installation do its job?

It runs the chain a pass goes through, end to end, on this machine's libraries — so a
PyInstaller bundle can be checked headless, without a display, a network or a user's data:

1. ``database file`` (only when a file is named): the existing database is opened
   **read-only**; its schema version and SQLite's ``quick_check`` are read and nothing is
   written (no WAL switch, no migration). A deployment's file is never changed by a check.
2. ``runtime``: the native libraries load (SQLite, OpenCV, zxing-cpp, Pillow, cryptography).
3. ``database``: a new database in a temporary folder is created and migrated, and written
   to (the issuing key's trust-list entry), as the first start of the application would.
4. ``issuing key``: an Ed25519 key pair in a temporary key folder (file mode 0600).
5. ``sign``: a ``PH1:`` token for a demo-like pass.
6. ``qr png`` and ``pass pdf``: the QR code and the A6 pass through ``core.pass_document``
   (the PDF needs the Noto Sans CJK font).
7. ``decode zxing-cpp``, ``decode opencv``: both decoders of ``core.scanning`` read the PNG
   back to the same text; zxing-cpp also reads the QR code off the rendered A6 page.
8. ``verify``: the decoded text verifies against the temporary database's trust list, and
   a copy whose signature has one bit flipped is refused with ``BAD_SIGNATURE``.
9. Extra checks the caller adds (``main.py`` adds the GUI check, which needs Qt and so
   cannot live here).

Steps run in order; a failure in the chain (2–9) stops it, and the steps after it are
reported as skipped. The named file (1) is checked on its own: whatever it holds, the chain
still runs, so one run tells whether the file and whether the installation are sound.
Failures are caught and described in one line (the log file gets the traceback).
Everything is written in a temporary folder, removed at the end.

The database layer is passed in (``open_store`` and ``inspect_file``): ``core`` does not
import ``db``.
"""

from __future__ import annotations

import json
import logging
import platform
import secrets
import sqlite3
import stat
import sys
import tempfile
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any, Final, TypeVar

import numpy as np
from cryptography import __version__ as cryptography_version
from PIL import Image
from PIL import __version__ as pillow_version

from core import base45
from core.clock import Clock, system_clock
from core.commands import describe_error
from core.errors import DomainError
from core.keys import IssuingKey, KeyFolder
from core.models import RiskLevel, RouteTemplate
from core.pass_document import PassSheet, find_fonts, pass_pdf, qr_png, render_pass_image
from core.ports import Store
from core.services.passes import PassService
from core.token import PREFIX, PassClaims, TokenReason, sign_pass
from core.version import __version__

__all__ = [
    "DatabaseHealth",
    "ExtraCheck",
    "SelfTestContext",
    "SelfTestReport",
    "StepResult",
    "run_self_test",
]

log = logging.getLogger("looppass.selftest")

STATUS_OK: Final = "ok"
STATUS_FAILED: Final = "FAILED"
STATUS_SKIPPED: Final = "skipped"

# A demo-like pass: the first demo enterprise, a low-risk origin, a Zhejiang plate.
DEMO_PLATE: Final = "浙F12345"
DEMO_ENTERPRISE_ID: Final = 1
DEMO_ENTERPRISE: Final = "平湖市东方精密机械有限公司"
DEMO_DRIVER: Final = "王伟 3304**********1232"
DEMO_ROUTE: Final = ("卡口（入）", f"企业：{DEMO_ENTERPRISE}", "卡口（出）")
VALIDITY: Final = timedelta(hours=72)
PNG_MAGIC: Final = b"\x89PNG\r\n\x1a\n"
PDF_MAGIC: Final = b"%PDF-"
OWNER_ONLY: Final = 0o600

_T = TypeVar("_T")


@dataclass(frozen=True)
class DatabaseHealth:
    """What a read-only look at an existing database file found."""

    path: Path
    schema_version: int
    supported_version: int
    quick_check_ok: bool
    size_bytes: int


@dataclass(frozen=True)
class StepResult:
    """One step of the self-test: its status (ok, FAILED, skipped), a line, its duration."""

    name: str
    status: str
    detail: str
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when the step ran and passed."""
        return self.status == STATUS_OK


@dataclass(frozen=True)
class SelfTestReport:
    """Every step's result, plus what was tested (version, frozen bundle or source)."""

    version: str
    frozen: bool
    python: str
    steps: tuple[StepResult, ...]
    seconds: float

    @property
    def ok(self) -> bool:
        """True when every step passed (a skipped step means an earlier one failed)."""
        return bool(self.steps) and all(step.ok for step in self.steps)

    def document(self) -> dict[str, Any]:
        """The report as a JSON-ready dict (``--self-test --json``)."""
        return {
            "ok": self.ok,
            "version": self.version,
            "frozen": self.frozen,
            "python": self.python,
            "seconds": round(self.seconds, 3),
            "steps": [
                {
                    "name": step.name,
                    "status": step.status,
                    "ok": step.ok,
                    "detail": step.detail,
                    "seconds": round(step.seconds, 3),
                }
                for step in self.steps
            ],
        }

    def json(self) -> str:
        """``document()`` as indented JSON text."""
        return json.dumps(self.document(), ensure_ascii=False, indent=2)

    def text(self) -> str:
        """One line per step and a verdict line, for a terminal or a build log."""
        kind = "bundle" if self.frozen else "source"
        lines = [f"LoopPass {self.version} self-test ({kind}, Python {self.python})"]
        width = max(len(step.name) for step in self.steps) if self.steps else 0
        for step in self.steps:
            timing = f" ({step.seconds * 1000:.0f} ms)" if step.status != STATUS_SKIPPED else ""
            lines.append(f"  {step.status:<7} {step.name:<{width}}  {step.detail}{timing}")
        passed = sum(step.ok for step in self.steps)
        verdict = "passed" if self.ok else "FAILED"
        lines.append(
            f"self-test {verdict}: {passed}/{len(self.steps)} steps ok in {self.seconds:.1f} s"
        )
        return "\n".join(lines)


@dataclass
class SelfTestContext:
    """What the steps share: the temporary folder, the temporary store and what was made."""

    workdir: Path
    clock: Clock
    store: Store | None = None
    keys: KeyFolder | None = None
    key: IssuingKey | None = None
    token: str = ""
    serial: str = ""
    png: Path | None = None
    page: Image.Image | None = None  # the rendered A6 page, decoded by zxing-cpp
    decoded: dict[str, str] = field(default_factory=dict)


ExtraCheck = tuple[str, Callable[[SelfTestContext], str]]
"""A named step the caller adds; it returns its one-line detail or raises."""


class StepFailed(Exception):
    """A check that ran and found something wrong (the message says what)."""


def run_self_test(
    db_path: Path | None,
    *,
    open_store: Callable[[Path], Store],
    inspect_file: Callable[[Path], DatabaseHealth],
    extra_checks: Sequence[ExtraCheck] = (),
    clock: Clock = system_clock,
) -> SelfTestReport:
    """Run every step (module docstring) and return their results; never raises.

    ``db_path`` names an existing database to check read-only, or ``None`` for none.
    ``open_store`` creates and migrates a database (``db.store.open_store``);
    ``inspect_file`` looks at an existing file read-only (``db.health.inspect_file``).
    """
    started = time.perf_counter()
    results: list[StepResult] = []
    with tempfile.TemporaryDirectory(prefix="looppass-selftest-") as folder:
        context = SelfTestContext(workdir=Path(folder), clock=clock)
        # The chain: each step uses what the one before made, so a failure skips the rest.
        chain: list[tuple[str, Callable[[], str]]] = [
            ("runtime", _runtime),
            ("database", partial(_database, context, open_store)),
            ("issuing key", partial(_issuing_key, context)),
            ("sign", partial(_sign, context)),
            ("qr png", partial(_qr_png, context)),
            ("pass pdf", partial(_pass_pdf, context)),
            ("decode zxing-cpp", partial(_decode, context, "zxing-cpp")),
            ("decode opencv", partial(_decode, context, "opencv")),
            ("verify", partial(_verify, context)),
        ]
        chain += [(name, partial(check, context)) for name, check in extra_checks]
        try:
            # The named file is checked first and on its own: a damaged file says nothing
            # about the installation, so the chain still runs.
            if db_path is not None:
                results.append(
                    _run_step("database file", partial(_database_file, db_path, inspect_file))
                )
            broken = False
            for name, step in chain:
                if broken:
                    results.append(StepResult(name, STATUS_SKIPPED, "not run"))
                    continue
                results.append(_run_step(name, step))
                broken = not results[-1].ok
        finally:
            if context.store is not None:
                context.store.close()
    return SelfTestReport(
        version=__version__,
        frozen=bool(getattr(sys, "frozen", False)),
        python=platform.python_version(),
        steps=tuple(results),
        seconds=time.perf_counter() - started,
    )


def _run_step(name: str, step: Callable[[], str]) -> StepResult:
    """Run one step; any exception becomes a FAILED result with a one-line reason."""
    started = time.perf_counter()
    try:
        detail = step()
    except Exception as error:
        log.warning("self-test step %s failed", name, exc_info=True)
        return StepResult(name, STATUS_FAILED, _describe(error), time.perf_counter() - started)
    return StepResult(name, STATUS_OK, detail, time.perf_counter() - started)


def _describe(error: Exception) -> str:
    """One line for a failure: the message of an expected error, the type of another."""
    if isinstance(error, StepFailed):
        return str(error)
    if isinstance(error, DomainError):
        code, message = describe_error(error)
        detail = f" ({error.detail})" if error.detail and error.detail != message else ""
        return f"{code}: {message}{detail}"
    if isinstance(error, ImportError):
        return f"cannot load {error.name or 'a module'}: {error}"
    text = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


# --- the steps ----------------------------------------------------------------------------------


def _database_file(path: Path, inspect_file: Callable[[Path], DatabaseHealth]) -> str:
    health = inspect_file(path)
    if health.schema_version == 0:
        raise StepFailed(f"{path}: not a LoopPass database (schema version 0)")
    if not health.quick_check_ok:
        raise StepFailed(f"{path}: SQLite quick_check found damage")
    note = (
        ""
        if health.schema_version == health.supported_version
        else f", migrated to {health.supported_version} at the next start"
    )
    return (
        f"{path} ({health.size_bytes / 1e6:.1f} MB): schema {health.schema_version}{note}, "
        "quick_check ok, opened read-only"
    )


def _runtime() -> str:
    # OpenCV and zxing-cpp are imported here, not at module level (nothing else the steps
    # need imports them): a missing native library in a bundle is then a failed step with
    # its name, not a crash before the report.
    import cv2  # noqa: PLC0415
    import zxingcpp  # noqa: PLC0415

    zxing = f"zxing-cpp {zxingcpp.__version__}" if hasattr(zxingcpp, "__version__") else "zxing-cpp"
    return (
        f"SQLite {sqlite3.sqlite_version}, OpenCV {cv2.__version__}, {zxing}, "
        f"Pillow {pillow_version}, cryptography {cryptography_version}"
    )


def _database(context: SelfTestContext, open_store: Callable[[Path], Store]) -> str:
    path = context.workdir / "selftest.db"
    context.store = open_store(path)
    if not context.store.quick_check():
        raise StepFailed("a new database failed SQLite's quick_check")
    return "new database created and migrated in a temporary folder, quick_check ok"


def _issuing_key(context: SelfTestContext) -> str:
    store = _need(context.store)
    context.keys = KeyFolder(context.workdir / "selftest-keys")
    key = context.keys.create(context.clock())
    with store.transaction() as tx:
        tx.keys.add(key)
    mode = stat.S_IMODE((context.keys.folder / f"{key.kid_hex}.pem").stat().st_mode)
    if mode != OWNER_ONLY:
        raise StepFailed(f"private key file has mode {mode:o}, not 600")
    context.key = key
    return f"Ed25519 key {key.kid_hex} written (mode 600) and added to the trust list"


def _sign(context: SelfTestContext) -> str:

    key, keys = _need(context.key), _need(context.keys)
    now = context.clock().replace(microsecond=0)
    claims = PassClaims(
        issuer="LoopPass",
        issued_at=now,
        not_before=now,
        expires=now + VALIDITY,
        cti=secrets.token_bytes(16),
        plate=DEMO_PLATE,
        enterprise_id=DEMO_ENTERPRISE_ID,
        route=RouteTemplate.for_risk(RiskLevel.LOW),
        risk=RiskLevel.LOW,
    )
    context.token = sign_pass(claims, keys.load(key.kid))
    context.serial = claims.serial
    return f"PH1 token of {len(context.token)} characters, serial {claims.serial}"


def _qr_png(context: SelfTestContext) -> str:

    data = qr_png(context.token)
    if not data.startswith(PNG_MAGIC):
        raise StepFailed("qr_png did not produce a PNG")
    context.png = context.workdir / "pass-qr.png"
    context.png.write_bytes(data)
    return f"QR code PNG, {len(data)} bytes"


def _pass_pdf(context: SelfTestContext) -> str:

    now = context.clock().replace(microsecond=0)
    sheet = PassSheet(
        token=context.token,
        serial=context.serial,
        plate=DEMO_PLATE,
        driver_masked=DEMO_DRIVER,
        enterprise_name=DEMO_ENTERPRISE,
        route=DEMO_ROUTE,
        risk_label="低风险",
        valid_from=now,
        valid_until=now + VALIDITY,
        issued_at=now,
    )
    data = pass_pdf(sheet, "A6")
    if not data.startswith(PDF_MAGIC):
        raise StepFailed("pass_pdf did not produce a PDF")
    (context.workdir / "pass.pdf").write_bytes(data)
    context.page = render_pass_image(sheet, "A6")
    font = find_fonts().regular.path
    return f"A6 pass PDF, {len(data) / 1024:.0f} KiB, font {font}"


def _decode(context: SelfTestContext, which: str) -> str:
    from core import scanning  # noqa: PLC0415

    frame = scanning.read_image(_need(context.png))
    if frame is None:
        raise StepFailed("the QR PNG could not be read back")
    decoder: scanning.Decoder = (
        scanning.ZxingDecoder() if which == "zxing-cpp" else scanning.OpenCvDecoder()
    )
    texts = decoder.decode(frame)
    if texts != [context.token]:
        raise StepFailed(f"{decoder.name} read {len(texts)} code(s), not the signed token")
    context.decoded[which] = texts[0]
    if which != "zxing-cpp" or context.page is None:
        return f"{decoder.name} read the token from the PNG"
    page_texts = decoder.decode(np.asarray(context.page, dtype=np.uint8))
    if page_texts != [context.token]:
        raise StepFailed("zxing-cpp did not read the token off the rendered A6 page")
    return f"{decoder.name} read the token from the PNG and from the A6 page"


def _verify(context: SelfTestContext) -> str:

    service = PassService(_need(context.store), context.keys, context.clock)
    reasons = {which: service.verify(text).reason for which, text in context.decoded.items()}
    wrong = {which: reason for which, reason in reasons.items() if reason is not TokenReason.OK}
    if wrong or not reasons:
        raise StepFailed(f"the decoded token did not verify: {wrong or 'nothing decoded'}")
    # Flip one bit of the signature (the COSE structure's last byte): a well-formed token
    # that only the signature check can refuse.
    cose = zlib.decompress(base45.decode(context.token.removeprefix(PREFIX)))
    forged_cose = cose[:-1] + bytes([cose[-1] ^ 1])
    forged = service.verify(PREFIX + base45.encode(zlib.compress(forged_cose))).reason
    if forged is not TokenReason.BAD_SIGNATURE:
        raise StepFailed(f"a token with a forged signature gave {forged}, not BAD_SIGNATURE")
    return f"decoded token verifies: OK; a forged signature: {forged}"


def _need(value: _T | None) -> _T:
    if value is None:
        raise StepFailed("an earlier step did not produce what this step needs")
    return value
