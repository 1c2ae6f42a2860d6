"""Printable pass documents: the pass QR code, the A6/A4 pass sheet and its one-page PDF.

A pass is read twice at the gate: the scanner reads the QR code, the officer reads the plate
and compares it with the truck in front of them. The sheet is laid out for that order: the
plate is the largest text on the page, the QR code comes next and is as large as the page
allows, and the details (masked driver, enterprise, route, risk, validity) follow in a
two-column block. The human-readable serial under the QR code lets a driver read the pass
out over the phone when the paper is lost or the scanner is down.

Everything is drawn black on white: passes are printed on office laser printers and
photocopied, where grey and colour turn into noise. The PDF embeds the page as one lossless
bilevel (CCITT G4) image, so the QR modules come out exactly as rendered.

Rendering is deterministic: the same ``PassSheet`` and page give the same pixels and the same
PDF bytes (the PDF dates are the pass's ``issued_at``, never the current time). Layout is a
separate step (``layout_pass``) that returns every text run with its font and ink box, so the
layout can be checked without OCR.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Final, Literal
from zoneinfo import ZoneInfo

import numpy as np
import qrcode
from PIL import Image, ImageDraw, ImageFont
from qrcode.constants import ERROR_CORRECT_Q

__all__ = [
    "FONT_DIRS",
    "FOOTER",
    "LOCAL_TZ",
    "PAGE_MM",
    "QUIET_ZONE",
    "TITLE",
    "FontFace",
    "FontMissing",
    "Layout",
    "PageSize",
    "PassFonts",
    "PassSheet",
    "PlacedText",
    "TextRole",
    "find_fonts",
    "human_serial",
    "layout_pass",
    "pass_pdf",
    "qr_image",
    "qr_png",
    "render_pass_image",
]

PageSize = Literal["A6", "A4"]

PAGE_MM: Final[dict[str, tuple[float, float]]] = {"A6": (105.0, 148.0), "A4": (210.0, 297.0)}
LOCAL_TZ: Final = ZoneInfo("Asia/Shanghai")
QUIET_ZONE: Final = 4  # modules of white around the symbol (ISO/IEC 18004 minimum)

TITLE: Final = "平和码 · 闭环通行证"
BRAND: Final = "LoopPass"
FOOTER: Final = "扫码核验 · 仅限本车本人本线路使用"
ROUTE_ARROW: Final = " → "
VALIDITY_JOIN: Final = " 至 "
ISSUED_PREFIX: Final = "签发 "
LABELS: Final = {
    "driver": "司机",
    "enterprise": "企业",
    "route": "路线",
    "risk": "风险",
    "validity": "有效期",
}

_SERIAL_HEX: Final = re.compile(r"[0-9A-Fa-f]{32}")
_SERIAL_GROUP: Final = 4
_TIME_FORMAT: Final = "%Y-%m-%d %H:%M"
_MM_PER_INCH: Final = 25.4
_PT_PER_INCH: Final = 72.0
_MIN_DPI: Final = 72
_MAX_DPI: Final = 1200
_ELLIPSIS: Final = "…"


# --- the data printed on a pass -------------------------------------------------------------------


def _local(moment: datetime) -> str:
    """A moment as the officer's wall clock shows it; passes are only used in Pinghu."""
    return moment.astimezone(LOCAL_TZ).strftime(_TIME_FORMAT)


@dataclass(frozen=True)
class PassSheet:
    """Everything printed on a pass. Personal data arrives already masked.

    ``route`` is the ordered list of step labels (``["卡口（入）", "企业：…", "卡口（出）"]``);
    it is stored as a tuple so a sheet can be shared and hashed. Times must be timezone-aware;
    they are printed in Asia/Shanghai local time.

    Raises:
        ValueError: a naive datetime, a serial that is not 32 hex digits, an empty token,
            plate or route, or a route given as one string.
    """

    token: str
    serial: str
    plate: str
    driver_masked: str
    enterprise_name: str
    route: Sequence[str]
    risk_label: str
    valid_from: datetime
    valid_until: datetime
    issued_at: datetime

    def __post_init__(self) -> None:
        """Freeze the route and reject values that would print a misleading pass."""
        # A bare string is a Sequence[str] too, and would print one step per character.
        if isinstance(self.route, str):
            raise ValueError("route must be a list of step labels, not one string")
        object.__setattr__(self, "route", tuple(self.route))
        for name in ("valid_from", "valid_until", "issued_at"):
            moment: datetime = getattr(self, name)
            # A naive time would be printed as if it were Shanghai time whatever it meant.
            if moment.tzinfo is None or moment.utcoffset() is None:
                raise ValueError(f"{name} must be timezone-aware")
        if not _SERIAL_HEX.fullmatch(self.serial):
            raise ValueError("serial must be 32 hexadecimal digits")
        if not self.token or not self.plate.strip() or not self.route:
            raise ValueError("token, plate and route must not be empty")

    @property
    def validity_text(self) -> str:
        """``2026-11-25 08:00 至 2026-11-28 08:00`` in Shanghai local time."""
        return _local(self.valid_from) + VALIDITY_JOIN + _local(self.valid_until)

    @property
    def issued_text(self) -> str:
        """``签发 2026-11-25 07:58`` in Shanghai local time."""
        return ISSUED_PREFIX + _local(self.issued_at)


def human_serial(serial: str) -> str:
    """The 32-hex serial in upper case, in groups of four: ``3F2A 9C01 … 77E0``.

    Groups of four are what people read aloud and type back without losing their place.

    Raises:
        ValueError: ``serial`` is not exactly 32 hexadecimal digits.
    """
    if not _SERIAL_HEX.fullmatch(serial):
        raise ValueError("serial must be 32 hexadecimal digits")
    upper = serial.upper()
    return " ".join(upper[i : i + _SERIAL_GROUP] for i in range(0, len(upper), _SERIAL_GROUP))


# --- QR code --------------------------------------------------------------------------------------


# Encoding is the slow part (~40 ms: the encoder scores all eight masks in Python) and a pass
# needs the matrix twice, for the layout and for drawing; the cached array is read-only.
@lru_cache(maxsize=64)
def _qr_matrix(token: str) -> np.ndarray[tuple[int, int], np.dtype[np.bool_]]:
    """Dark modules of the token's QR symbol (EC level Q), without any quiet zone."""
    if not token:
        raise ValueError("token must not be empty")
    # Q (25 % recovery) survives creases, coffee and a phone screen's glare; the PH1: token is
    # upper-case Base45, which the encoder packs in alphanumeric mode, so Q still fits a
    # ~250-character pass in version 11 (61 modules).
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_Q, border=0)
    code.add_data(token)
    code.make(fit=True)
    matrix = np.array(code.get_matrix(), dtype=np.bool_)
    matrix.flags.writeable = False
    return matrix


def _qr_from_matrix(
    matrix: np.ndarray[tuple[int, int], np.dtype[np.bool_]], box_size: int, border: int
) -> Image.Image:
    """Scale a module matrix to an 8-bit black-on-white image with a white border."""
    padded = np.pad(matrix, border, constant_values=False)
    pixels = np.where(padded, 0, 255).astype(np.uint8)
    # Integer repetition keeps every module exactly box_size pixels: resampling by a
    # fractional factor makes modules uneven, which costs decoders their timing patterns.
    pixels = np.repeat(np.repeat(pixels, box_size, axis=0), box_size, axis=1)
    return Image.fromarray(pixels)  # 2-D uint8: mode "L"


def qr_image(token: str, box_size: int = 8, border: int = QUIET_ZONE) -> Image.Image:
    """The token's QR code: error correction Q, black on white, mode ``"L"``.

    ``box_size`` is pixels per module; ``border`` the quiet zone in modules.

    Raises:
        ValueError: empty token, ``box_size`` below 1, or a border under the 4-module
            quiet zone that scanners need to find the symbol.
    """
    if box_size < 1:
        raise ValueError("box_size must be at least 1")
    if border < QUIET_ZONE:
        raise ValueError(f"border must be at least {QUIET_ZONE} modules")
    return _qr_from_matrix(_qr_matrix(token), box_size, border)


def qr_png(token: str, box_size: int = 8, border: int = QUIET_ZONE) -> bytes:
    """``qr_image`` as PNG bytes (bilevel, so a pass QR is a few kilobytes)."""
    out = io.BytesIO()
    qr_image(token, box_size, border).convert("1", dither=Image.Dither.NONE).save(
        out, format="PNG", optimize=True
    )
    return out.getvalue()


# --- fonts ----------------------------------------------------------------------------------------


class FontMissing(RuntimeError):
    """No Noto Sans CJK font was found; the pass cannot be drawn without Chinese glyphs."""

    def __init__(self, searched: Sequence[Path]) -> None:
        """Name the folders searched and the package that provides the font."""
        self.searched = tuple(searched)
        where = ", ".join(str(path) for path in self.searched)
        super().__init__(
            "Noto Sans CJK font not found (searched: "
            + where
            + "). Install the Debian package fonts-noto-cjk (apt install fonts-noto-cjk) "
            "or put NotoSansCJK-Regular.ttc and NotoSansCJK-Bold.ttc in resources/fonts."
        )


# The project's own copy comes first so a packaged build renders the same everywhere.
FONT_DIRS: Final = (
    Path(__file__).resolve().parent.parent / "resources" / "fonts",
    Path("/usr/share/fonts/opentype/noto"),
    Path("/usr/share/fonts/truetype"),
    Path("/usr/share/fonts/opentype"),
)

_REGULAR_FILES: Final = (
    "NotoSansCJK-Regular.ttc",
    "NotoSansCJKsc-Regular.otf",
    "NotoSansSC-Regular.otf",
    "NotoSansSC-Regular.ttf",
)
_BOLD_FILES: Final = tuple(name.replace("Regular", "Bold") for name in _REGULAR_FILES)
# The collections hold Japanese, Korean, Simplified and Traditional Chinese faces; the first
# (Japanese) draws some hanzi with Japanese glyph shapes, so pick the Simplified Chinese one.
_TEXT_FAMILIES: Final = ("Noto Sans CJK SC", "Noto Sans SC")
_MONO_FAMILIES: Final = ("Noto Sans Mono CJK SC",)
_MAX_COLLECTION_FACES: Final = 32


@dataclass(frozen=True)
class FontFace:
    """One face of a font file (``index`` selects it inside a ``.ttc`` collection)."""

    path: Path
    index: int = 0

    def at(self, size: int) -> ImageFont.FreeTypeFont:
        """This face at ``size`` pixels (cached: the CJK files are 20 MB each)."""
        return _load_font(self.path, self.index, size)


@dataclass(frozen=True)
class PassFonts:
    """The faces a pass uses: regular text, bold plate and title, monospaced serial."""

    regular: FontFace
    bold: FontFace
    mono: FontFace


@lru_cache(maxsize=256)
def _load_font(path: Path, index: int, size: int) -> ImageFont.FreeTypeFont:
    # BASIC layout needs no shaping library, so every machine measures and draws the same.
    return ImageFont.truetype(str(path), size, index=index, layout_engine=ImageFont.Layout.BASIC)


def _find_file(dirs: Iterable[Path], names: Sequence[str]) -> Path | None:
    """The first of ``names`` in a folder of ``dirs`` or one level below it."""
    for folder in dirs:
        if not folder.is_dir():
            continue
        for name in names:
            direct = folder / name
            if direct.is_file():
                return direct
            nested = sorted(folder.glob(f"*/{name}"))
            if nested:
                return nested[0]
    return None


def _face(path: Path, families: Sequence[str]) -> FontFace | None:
    """The face of ``path`` whose family is the first of ``families`` it contains."""
    found: dict[str, int] = {}
    for index in range(_MAX_COLLECTION_FACES):
        try:
            family = ImageFont.truetype(str(path), 12, index=index).getname()[0]
        except OSError:
            break  # past the last face of the collection
        if family is not None:
            found.setdefault(family, index)
    for family in families:
        if family in found:
            return FontFace(path, found[family])
    return None


@lru_cache(maxsize=8)
def _find_fonts(dirs: tuple[Path, ...]) -> PassFonts:
    regular_path = _find_file(dirs, _REGULAR_FILES)
    if regular_path is None:
        raise FontMissing(dirs)
    regular = _face(regular_path, _TEXT_FAMILIES) or FontFace(regular_path)
    bold_path = _find_file(dirs, _BOLD_FILES)
    # Without the bold file the plate is still legible in the regular weight.
    bold = (_face(bold_path, _TEXT_FAMILIES) or FontFace(bold_path)) if bold_path else regular
    mono = _face(regular_path, _MONO_FAMILIES) or regular
    return PassFonts(regular, bold, mono)


def find_fonts(dirs: Sequence[Path] = FONT_DIRS) -> PassFonts:
    """Locate Noto Sans CJK (Regular, Bold, and the Mono face for the serial) in ``dirs``.

    Each folder is searched directly and one level down (``/usr/share/fonts/truetype/noto``).

    Raises:
        FontMissing: no Regular file was found; the message names fonts-noto-cjk.
    """
    return _find_fonts(tuple(dirs))


# --- layout ---------------------------------------------------------------------------------------


class TextRole(StrEnum):
    """What a run of text on the pass is, so tests and previews can find it."""

    TITLE = "TITLE"
    BRAND = "BRAND"
    PLATE = "PLATE"
    LABEL = "LABEL"
    DRIVER = "DRIVER"
    ENTERPRISE = "ENTERPRISE"
    ROUTE = "ROUTE"
    RISK = "RISK"
    VALIDITY = "VALIDITY"
    SERIAL = "SERIAL"
    FOOTER = "FOOTER"
    ISSUED = "ISSUED"


Box = tuple[int, int, int, int]  # left, top, right, bottom in page pixels


@dataclass(frozen=True)
class PlacedText:
    """One line of text on the page: drawn with its left baseline at ``origin``.

    ``box`` is the ink bounding box on the page (``FreeTypeFont.getbbox`` moved to ``origin``).
    """

    role: TextRole
    text: str
    face: FontFace
    size: int
    origin: tuple[int, int]
    box: Box


@dataclass(frozen=True)
class Layout:
    """Where everything goes on one page, in pixels at ``dpi``."""

    page: PageSize
    dpi: int
    width: int
    height: int
    margin: int
    texts: tuple[PlacedText, ...]
    qr_box: Box  # the QR image including its quiet zone
    qr_module: int  # pixels per module
    qr_modules: int  # modules across the symbol, without the quiet zone
    frames: tuple[tuple[Box, int], ...]  # outlined rectangles and their line width
    rules: tuple[Box, ...]  # filled rectangles (separator lines)

    @property
    def font_sizes(self) -> dict[TextRole, int]:
        """The largest pixel size used for each role on this page."""
        sizes: dict[TextRole, int] = {}
        for placed in self.texts:
            sizes[placed.role] = max(placed.size, sizes.get(placed.role, 0))
        return sizes

    @property
    def qr_symbol_box(self) -> Box:
        """The dark part of the QR code: ``qr_box`` without the quiet zone."""
        inset = QUIET_ZONE * self.qr_module
        left, top, right, bottom = self.qr_box
        return (left + inset, top + inset, right - inset, bottom - inset)

    def lines(self, role: TextRole) -> list[str]:
        """The text of every line drawn for ``role``, top to bottom."""
        return [placed.text for placed in self.texts if placed.role is role]


@dataclass(frozen=True)
class _Spec:
    """Type sizes (points) and proportions for one paper size."""

    margin_mm: float
    gap_mm: float
    title_pt: float
    brand_pt: float
    plate_pt: float
    detail_pt: float
    detail_min_pt: float
    serial_pt: float
    footer_pt: float
    qr_fraction: float  # symbol width / page width the QR code aims for


# A6 is the driver's copy, held up to a gate officer: the QR symbol and the plate each take
# about two thirds of the width. A4 is the office printout: same order, more air, the QR
# symbol half the width.
_SPECS: Final[dict[str, _Spec]] = {
    "A6": _Spec(
        margin_mm=5.0,
        gap_mm=1.4,
        title_pt=13.0,
        brand_pt=7.0,
        plate_pt=42.0,
        detail_pt=10.0,
        detail_min_pt=6.5,
        serial_pt=11.0,
        footer_pt=7.0,
        qr_fraction=0.64,
    ),
    "A4": _Spec(
        margin_mm=14.0,
        gap_mm=4.0,
        title_pt=26.0,
        brand_pt=12.0,
        plate_pt=96.0,
        detail_pt=18.0,
        detail_min_pt=11.0,
        serial_pt=20.0,
        footer_pt=11.0,
        qr_fraction=0.5,
    ),
}

_LEADING: Final = 0.2  # extra space between lines, in em
_LABEL_GAP: Final = 0.8  # space between the label column and the values, in em
_FIELD_GAP: Final = 0.12  # extra space between two detail fields, in em
_PLATE_PAD: Final = 0.12  # space between the plate and its frame, in em
_PLATE_STROKE: Final = 0.035  # plate frame line width, in em
_RULE_MM: Final = 0.35
# (preferred, most) lines per detail value; a 100-character enterprise name needs three.
_LINES: Final = {
    "driver": (1, 2),
    "enterprise": (2, 3),
    "route": (2, 4),
    "risk": (1, 1),
    "validity": (1, 2),
}
_SOFT_SHRINK: Final = 0.85  # a value shrinks this far before it takes more lines
_SHRINK_STEP: Final = 0.94  # each shrink attempt is 6 % smaller: fine enough, few attempts
# Measuring a line by this sample makes every line of a size equally tall whatever its text:
# the hanzi gives the ideographic top, the Latin descenders the bottom.
_LINE_SAMPLE: Final = "国Ag(jy）"
_PLATE_SAMPLE: Final = "国8"

# Characters a line must not start with (closing punctuation) or end with (opening ones and
# the route arrow, which belongs to the step after it).
_NO_LINE_START: Final = frozenset("，。、；：！？）》」』】〕…·,.;:!?)]}%")
_NO_LINE_END: Final = frozenset("（《「『【〔([{→")
# Latin words, numbers, times and masked IDs stay whole; everything else may break anywhere.
_TOKEN: Final = re.compile(r"[0-9A-Za-z*#@&+\-_./:']+|\s+|.")


def _px_mm(mm: float, dpi: int) -> int:
    return round(mm / _MM_PER_INCH * dpi)


def _px_pt(pt: float, dpi: int) -> int:
    return max(1, round(pt / _PT_PER_INCH * dpi))


def _tokens(text: str) -> list[str]:
    """Break opportunities of ``text``: glue that must not be split, with line-start rules."""
    tokens: list[str] = []
    for token in _TOKEN.findall(text):
        glue = tokens and (
            token[0] in _NO_LINE_START or (tokens[-1].rstrip() or " ")[-1] in _NO_LINE_END
        )
        if glue:
            tokens[-1] += token
        else:
            tokens.append(token)
    return tokens


def _width(font: ImageFont.FreeTypeFont, text: str) -> float:
    return font.getlength(text)


@lru_cache(maxsize=8192)
def _char_width(font: ImageFont.FreeTypeFont, char: str) -> float:
    return font.getlength(char)


def _quick_width(font: ImageFont.FreeTypeFont) -> Callable[[str], float]:
    """Width as the sum of cached character advances: one FreeType call per distinct glyph
    instead of one per candidate line (each costs ~0.1 ms with CJK). Exact unless the font
    kerns; ``_wrap`` checks the result and measures exactly if it does.
    """
    return lambda text: sum(_char_width(font, char) for char in text)


def _break_long(text: str, measure: Callable[[str], float], width: float) -> list[str]:
    """Split one unbreakable run by characters when it alone is wider than a line."""
    pieces: list[str] = []
    rest = text
    while rest and measure(rest) > width:
        cut = 1
        while cut < len(rest) and measure(rest[: cut + 1]) <= width:
            cut += 1
        pieces.append(rest[:cut])
        rest = rest[cut:]
    if rest:
        pieces.append(rest)
    return pieces


def _wrap(units: Sequence[str], font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """Greedy line filling: whole ``units`` where they fit, else their tokens, else chars.

    A unit that would fit on a line of its own starts a new line (a route step is not split
    without need); one longer than a whole line is poured in token by token right away.
    """
    lines = _wrap_measured(units, _quick_width(font), width)
    if all(_width(font, line) <= width for line in lines):
        return lines
    return _wrap_measured(units, font.getlength, width)


def _wrap_measured(
    units: Sequence[str], measure: Callable[[str], float], width: float
) -> list[str]:
    lines: list[str] = []
    current = ""

    def place(piece: str) -> bool:
        nonlocal current
        candidate = current + piece if current else piece.lstrip()
        if measure(candidate) <= width:
            current = candidate
            return True
        return False

    def flush() -> None:
        nonlocal current
        if current.strip():
            lines.append(current.rstrip())
        current = ""

    for unit in units:
        if place(unit):
            continue
        if measure(unit.strip()) <= width:
            flush()
            place(unit)
            continue
        for token in _tokens(unit):
            if place(token):
                continue
            flush()
            if place(token):
                continue
            *full, current = _break_long(token.lstrip(), measure, width)
            lines.extend(full)
    flush()
    return lines


def _ellipsize(text: str, font: ImageFont.FreeTypeFont, width: float) -> str:
    while text and _width(font, text + _ELLIPSIS) > width:
        text = text[:-1]
    return text + _ELLIPSIS


# Cached: when the QR code has to give up a pixel per module, the details are planned again
# with exactly the same values and sizes.
@lru_cache(maxsize=1024)
def _fit(
    units: tuple[str, ...],
    face: FontFace,
    size: int,
    min_size: int,
    width: float,
    budget: tuple[int, int],
) -> tuple[int, tuple[str, ...]]:
    """Size and lines for a value of ``width`` with a (preferred, most) line ``budget``.

    First shrink a little (to ``_SOFT_SHRINK`` of ``size``) to stay within the preferred
    lines, then allow up to the most lines while shrinking on to ``min_size``. Past that
    the last line ends in an ellipsis: only text far beyond the form limits gets there,
    and it must never run off the page.
    """
    preferred, most = budget
    soft_min = max(min_size, round(size * _SOFT_SHRINK))
    for lines_allowed, floor in ((preferred, soft_min), (most, min_size)):
        current = size
        while True:
            lines = _wrap(units, face.at(current), width)
            if len(lines) <= lines_allowed:
                return current, tuple(lines)
            if current <= floor:
                break
            current = max(floor, int(current * _SHRINK_STEP))
    kept = lines[:most]
    kept[-1] = _ellipsize(kept[-1], face.at(current), width)
    return current, tuple(kept)


def _fit_line(text: str, face: FontFace, size: int, width: float) -> int:
    """The largest size up to ``size`` at which ``text`` fits on one line of ``width``."""
    current = size
    while current > 1 and _width(face.at(current), text) > width:
        current = max(1, int(current * _SHRINK_STEP))
    return current


def _line_extent(face: FontFace, size: int) -> tuple[int, int]:
    """(above, below) the baseline that one line of this face and size occupies."""
    _, top, _, bottom = face.at(size).getbbox(_LINE_SAMPLE, anchor="ls")
    return -round(top), round(bottom)


@dataclass
class _Canvas:
    """Page geometry in pixels, and the text placed on it so far."""

    spec: _Spec
    fonts: PassFonts
    width: int
    height: int
    margin: int
    gap: int
    texts: list[PlacedText] = field(default_factory=list)

    @property
    def right(self) -> int:
        return self.width - self.margin

    @property
    def bottom(self) -> int:
        return self.height - self.margin

    @property
    def content(self) -> int:
        return self.width - 2 * self.margin

    def text(self, role: TextRole, text: str, face: FontFace, size: int, x: int, y: int) -> None:
        """Place ``text`` with its left baseline at (``x``, ``y``)."""
        left, top, right, bottom = face.at(size).getbbox(text, anchor="ls")
        box = (x + round(left), y + round(top), x + round(right), y + round(bottom))
        self.texts.append(PlacedText(role, text, face, size, (x, y), box))

    def centered(self, role: TextRole, text: str, face: FontFace, size: int, y: int) -> None:
        """Place ``text`` centred on the page with its baseline at ``y``."""
        self.text(role, text, face, size, (self.width - round(_width(face.at(size), text))) // 2, y)


@dataclass(frozen=True)
class _Plate:
    """The plate's size and its frame, measured before the page is placed."""

    size: int
    pad: int
    stroke: int
    ink_left: int
    above: int  # from the frame's inner top (after padding) to the baseline
    frame_width: int
    frame_height: int


def _measure_plate(canvas: _Canvas, plate: str, dpi: int) -> _Plate:
    """Size the plate: the spec's size unless a long plate would not fit inside its frame."""
    bold = canvas.fonts.bold
    nominal = _px_pt(canvas.spec.plate_pt, dpi)
    pad = round(nominal * _PLATE_PAD)
    stroke = max(2, round(nominal * _PLATE_STROKE))
    # Horizontal padding is twice the vertical one: a plate reads better with air at the sides.
    size = _fit_line(plate, bold, nominal, canvas.content - 2 * stroke - 4 * pad)
    font = bold.at(size)
    # The frame hugs the ink, not the line box: plates have no descenders, and every
    # millimetre saved here goes to the QR code. The sample keeps frames of equal height.
    ink_left, ink_top, ink_right, ink_bottom = font.getbbox(plate, anchor="ls")
    _, sample_top, _, sample_bottom = font.getbbox(_PLATE_SAMPLE, anchor="ls")
    above = -round(min(ink_top, sample_top))
    below = round(max(ink_bottom, sample_bottom))
    return _Plate(
        size=size,
        pad=pad,
        stroke=stroke,
        ink_left=round(ink_left),
        above=above,
        frame_width=round(ink_right - ink_left) + 2 * stroke + 4 * pad,
        frame_height=above + below + 2 * (pad + stroke),
    )


@dataclass(frozen=True)
class _Field:
    """One labelled detail: its value lines and their baselines from the field's top."""

    label: str
    role: TextRole
    size: int
    lines: tuple[str, ...]
    baselines: tuple[int, ...]
    height: int


def _detail_fields(
    canvas: _Canvas, sheet: PassSheet, label_size: int, min_size: int
) -> tuple[int, list[_Field]]:
    """Fit every detail value at ``label_size`` (shrinking long ones); returns the value column."""
    regular = canvas.fonts.regular
    label_font = regular.at(label_size)
    label_width = max(round(_width(label_font, label)) for label in LABELS.values())
    value_x = canvas.margin + label_width + round(label_size * _LABEL_GAP)
    value_width = canvas.right - value_x
    label_above, label_below = _line_extent(regular, label_size)
    # Route steps and the two validity times are kept whole where a line allows.
    route_units = [sheet.route[0], *(ROUTE_ARROW + step for step in sheet.route[1:])]
    validity_units = [_local(sheet.valid_from), VALIDITY_JOIN + _local(sheet.valid_until)]
    values = (
        ("driver", TextRole.DRIVER, _tokens(sheet.driver_masked)),
        ("enterprise", TextRole.ENTERPRISE, _tokens(sheet.enterprise_name)),
        ("route", TextRole.ROUTE, route_units),
        ("risk", TextRole.RISK, _tokens(sheet.risk_label)),
        ("validity", TextRole.VALIDITY, validity_units),
    )
    fields: list[_Field] = []
    for key, role, units in values:
        size, lines = _fit(tuple(units), regular, label_size, min_size, value_width, _LINES[key])
        above, below = _line_extent(regular, size)
        step = above + below + round(size * _LEADING)
        first = max(above, label_above)
        baselines = tuple(first + i * step for i in range(len(lines)))
        height = max(baselines[-1] + below, first + label_below)
        fields.append(_Field(LABELS[key], role, size, tuple(lines), baselines, height))
    return value_x, fields


def _plan_details(
    canvas: _Canvas, sheet: PassSheet, room: int, dpi: int
) -> tuple[int, int, list[_Field]] | None:
    """The largest detail size whose block fits in ``room`` pixels: (size, value x, fields)."""
    size = _px_pt(canvas.spec.detail_pt, dpi)
    min_size = _px_pt(canvas.spec.detail_min_pt, dpi)
    while True:
        value_x, fields = _detail_fields(canvas, sheet, size, min_size)
        if _details_height(fields, size) <= room:
            return size, value_x, fields
        if size <= min_size:
            return None
        size = max(min_size, int(size * _SHRINK_STEP))


def _details_height(fields: Sequence[_Field], label_size: int) -> int:
    return sum(f.height for f in fields) + round(label_size * _FIELD_GAP) * (len(fields) - 1)


@dataclass(frozen=True)
class _Footer:
    """The footer row (notice left, issue time right), or two centred rows if too narrow."""

    size: int
    rows: int
    step: int
    below: int
    height: int


def _measure_footer(canvas: _Canvas, issued: str, dpi: int) -> _Footer:
    regular = canvas.fonts.regular
    size = _px_pt(canvas.spec.footer_pt, dpi)
    font = regular.at(size)
    one_row = _width(font, FOOTER) + _width(font, issued) + 2 * canvas.gap
    rows = 1 if one_row <= canvas.content else 2
    above, below = _line_extent(regular, size)
    step = above + below + round(size * _LEADING)
    return _Footer(size, rows, step, below, above + below + (rows - 1) * step)


def _place_header(canvas: _Canvas, dpi: int) -> tuple[int, Box]:
    """Title left, brand right, a rule under them; returns the rule's bottom and the rule."""
    fonts, spec = canvas.fonts, canvas.spec
    brand_size = _px_pt(spec.brand_pt, dpi)
    brand_width = round(_width(fonts.regular.at(brand_size), BRAND))
    title_room = canvas.content - brand_width - canvas.gap
    title_size = _fit_line(TITLE, fonts.bold, _px_pt(spec.title_pt, dpi), title_room)
    # The title has no descenders: measure it by its own ink, not the generic line sample.
    _, title_top, _, title_bottom = fonts.bold.at(title_size).getbbox(TITLE, anchor="ls")
    baseline = canvas.margin - round(title_top)
    canvas.text(TextRole.TITLE, TITLE, fonts.bold, title_size, canvas.margin, baseline)
    brand_x = canvas.right - brand_width
    canvas.text(TextRole.BRAND, BRAND, fonts.regular, brand_size, brand_x, baseline)
    rule_top = baseline + round(title_bottom) + canvas.gap
    rule = (canvas.margin, rule_top, canvas.right, rule_top + max(1, _px_mm(_RULE_MM, dpi)))
    return rule[3], rule


def _place_footer(canvas: _Canvas, footer: _Footer, issued: str) -> None:
    regular = canvas.fonts.regular
    baseline = canvas.bottom - footer.below - (footer.rows - 1) * footer.step
    if footer.rows == 1:
        canvas.text(TextRole.FOOTER, FOOTER, regular, footer.size, canvas.margin, baseline)
        issued_x = canvas.right - round(_width(regular.at(footer.size), issued))
        canvas.text(TextRole.ISSUED, issued, regular, footer.size, issued_x, baseline)
        return
    for role, text in ((TextRole.FOOTER, FOOTER), (TextRole.ISSUED, issued)):
        canvas.centered(
            role, text, regular, _fit_line(text, regular, footer.size, canvas.content), baseline
        )
        baseline += footer.step


def layout_pass(sheet: PassSheet, page: PageSize, dpi: int = 300) -> Layout:
    """Compute where every element of the pass goes on ``page`` at ``dpi``.

    Top to bottom: title row, the framed plate (the largest type on the page), the QR code
    with the grouped serial under it, the details (label column, wrapped values), the footer.
    The QR code gets its target size first; the details shrink to the room left, and long
    values wrap, then shrink further. Nothing leaves the margins.

    Raises:
        FontMissing: Noto Sans CJK is not installed.
        ValueError: unknown page, ``dpi`` outside 72..1200, or a token too long for the page.
    """
    if page not in _SPECS:
        raise ValueError(f"page must be one of {sorted(_SPECS)}")
    if not _MIN_DPI <= dpi <= _MAX_DPI:
        raise ValueError(f"dpi must be within {_MIN_DPI}..{_MAX_DPI}")
    spec = _SPECS[page]
    fonts = find_fonts()
    width_mm, height_mm = PAGE_MM[page]
    canvas = _Canvas(
        spec=spec,
        fonts=fonts,
        width=_px_mm(width_mm, dpi),
        height=_px_mm(height_mm, dpi),
        margin=_px_mm(spec.margin_mm, dpi),
        gap=_px_mm(spec.gap_mm, dpi),
    )
    gap = canvas.gap
    header_bottom, rule = _place_header(canvas, dpi)
    plate = _measure_plate(canvas, sheet.plate, dpi)
    issued = sheet.issued_text
    footer = _measure_footer(canvas, issued, dpi)
    serial = human_serial(sheet.serial)
    serial_size = _fit_line(serial, fonts.mono, _px_pt(spec.serial_pt, dpi), canvas.content)
    serial_above, serial_below = _line_extent(fonts.mono, serial_size)

    # QR: whole modules, aiming at the spec's share of the page width. The quiet zone is
    # white, so it doubles as the space above and below the symbol and may reach into the
    # side margins; the symbol may not. The QR code is what must scan, so it keeps its size
    # and the details shrink to fit; only if even the smallest details do not fit does the
    # QR code give up a pixel per module.
    modules = len(_qr_matrix(sheet.token))
    total_modules = modules + 2 * QUIET_ZONE
    module = min(
        round(canvas.width * spec.qr_fraction / modules),
        canvas.content // modules,
        canvas.width // total_modules,
    )
    fixed = plate.frame_height + serial_above + serial_below + footer.height + 3 * gap
    while True:
        if module < 1:
            raise ValueError("token too long to print on this page")
        room = canvas.bottom - header_bottom - fixed - module * total_modules
        plan = _plan_details(canvas, sheet, room, dpi)
        if plan is not None:
            break
        module -= 1
    label_size, value_x, fields = plan
    qr_size = module * total_modules
    # What is left is spread over the four gaps between the blocks (it matters on A4).
    extra = (room - _details_height(fields, label_size)) // 4

    y = header_bottom + gap + extra
    frame_left = (canvas.width - plate.frame_width) // 2
    frame = (frame_left, y, frame_left + plate.frame_width, y + plate.frame_height)
    plate_x = frame_left + plate.stroke + 2 * plate.pad - plate.ink_left
    plate_baseline = y + plate.stroke + plate.pad + plate.above
    canvas.text(TextRole.PLATE, sheet.plate, fonts.bold, plate.size, plate_x, plate_baseline)

    y = frame[3] + extra
    qr_left = (canvas.width - qr_size) // 2
    qr_box = (qr_left, y, qr_left + qr_size, y + qr_size)

    y = qr_box[3] + serial_above
    canvas.centered(TextRole.SERIAL, serial, fonts.mono, serial_size, y)

    y += serial_below + gap + extra
    for item in fields:
        first = y + item.baselines[0]
        canvas.text(TextRole.LABEL, item.label, fonts.regular, label_size, canvas.margin, first)
        for line, baseline in zip(item.lines, item.baselines, strict=True):
            canvas.text(item.role, line, fonts.regular, item.size, value_x, y + baseline)
        y += item.height + round(label_size * _FIELD_GAP)

    _place_footer(canvas, footer, issued)
    return Layout(
        page=page,
        dpi=dpi,
        width=canvas.width,
        height=canvas.height,
        margin=canvas.margin,
        texts=tuple(canvas.texts),
        qr_box=qr_box,
        qr_module=module,
        qr_modules=modules,
        frames=((frame, plate.stroke),),
        rules=(rule,),
    )


# --- rendering ------------------------------------------------------------------------------------


def _inclusive(box: Box) -> Box:
    """Layout boxes exclude their right and bottom edge; ImageDraw rectangles include them."""
    left, top, right, bottom = box
    return (left, top, right - 1, bottom - 1)


def _draw(sheet: PassSheet, layout: Layout) -> Image.Image:
    image = Image.new("L", (layout.width, layout.height), 255)
    draw = ImageDraw.Draw(image)
    for rule in layout.rules:
        draw.rectangle(_inclusive(rule), fill=0)
    for frame, line_width in layout.frames:
        radius = line_width * 3
        draw.rounded_rectangle(_inclusive(frame), radius=radius, outline=0, width=line_width)
    for placed in layout.texts:
        draw.text(placed.origin, placed.text, fill=0, font=placed.face.at(placed.size), anchor="ls")
    code = qr_image(sheet.token, layout.qr_module, QUIET_ZONE)
    image.paste(code, layout.qr_box[:2])
    return image


def render_pass_image(sheet: PassSheet, page: PageSize, dpi: int = 300) -> Image.Image:
    """The whole pass page as an 8-bit grey image (``"L"``) at ``dpi``, black on white.

    Raises:
        FontMissing: Noto Sans CJK is not installed.
        ValueError: see ``layout_pass``.
    """
    return _draw(sheet, layout_pass(sheet, page, dpi))


def _pdf_time(moment: datetime) -> time.struct_time:
    return moment.astimezone(UTC).timetuple()


def pass_pdf(sheet: PassSheet, page: PageSize, dpi: int = 300) -> bytes:
    """A one-page PDF of the pass at the page's physical size (A6 105×148 mm, A4 210×297 mm).

    The page is one bilevel image (CCITT G4, lossless) at ``dpi``; the PDF dates are the
    pass's ``issued_at`` so the same pass always gives the same bytes.

    Raises:
        FontMissing: Noto Sans CJK is not installed.
        ValueError: see ``layout_pass``.
    """
    image = render_pass_image(sheet, page, dpi)
    # A hard threshold, not dithering: dithered edges blur the QR modules and the type.
    bilevel = image.convert("1", dither=Image.Dither.NONE)
    out = io.BytesIO()
    stamp = _pdf_time(sheet.issued_at)
    bilevel.save(
        out,
        format="PDF",
        resolution=float(dpi),
        # ASCII only: the writer's UTF-16 text strings are not escaped byte for byte.
        title=f"LoopPass {sheet.serial.upper()}",
        creator="LoopPass",
        creationDate=stamp,
        modDate=stamp,
    )
    return out.getvalue()
