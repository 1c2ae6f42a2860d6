"""Tests for core.pass_document: the pass QR code, the printed A6/A4 sheet and its PDF.

What a gate officer and a scanner notice: the QR code decodes to exactly the token (also
after the PDF is rasterised), the page is really A6/A4, the plate is the largest thing on
it, long names stay on the paper, and the serial reads in groups of four.
"""

from __future__ import annotations

import dataclasses
import io
import random
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import zxingcpp
from PIL import Image, ImageChops, ImageFont

from core.pass_document import (
    FOOTER,
    PAGE_MM,
    QUIET_ZONE,
    TITLE,
    FontMissing,
    Layout,
    PageSize,
    PassSheet,
    PlacedText,
    TextRole,
    find_fonts,
    human_serial,
    layout_pass,
    pass_pdf,
    qr_image,
    qr_png,
    render_pass_image,
)

BASE45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
# A real pass token is ~250 characters of Base45 after the prefix (ARCHITECTURE.md).
_RNG = random.Random(2026)
TOKEN = "PH1:" + "".join(_RNG.choice(BASE45) for _ in range(246))
SERIAL = "3f2a9c01b7e455d0c3a1f00e9b2d77e0"
ENTERPRISE = "平湖景兴纸业有限公司"
ROUTE = ["卡口（入）", f"企业：{ENTERPRISE}", "隔离点", "卡口（出）"]
# 60 characters: a realistic worst case for a registered enterprise name.
LONG_NAME = (
    "浙江省嘉兴市平湖市独山港经济开发区景兴纸业集团有限公司国际物流供应链管理分公司"
    "第一仓储配送中心冷链分拨站暨二号危化品堆场"
)
PAGES: tuple[PageSize, ...] = ("A6", "A4")
MM_PER_INCH = 25.4
PT_PER_INCH = 72.0


def make_sheet(**changes: Any) -> PassSheet:
    sheet = PassSheet(
        token=TOKEN,
        serial=SERIAL,
        plate="浙F12345",
        driver_masked="张三 3304**********1232",
        enterprise_name=ENTERPRISE,
        route=ROUTE,
        risk_label="中风险",
        valid_from=datetime(2026, 11, 25, 0, 0, tzinfo=UTC),
        valid_until=datetime(2026, 11, 28, 0, 0, tzinfo=UTC),
        issued_at=datetime(2026, 11, 24, 23, 58, tzinfo=UTC),
    )
    return dataclasses.replace(sheet, **changes)


def decode(image: Image.Image) -> list[Any]:
    return list(zxingcpp.read_barcodes(image))


def others(layout: Layout, role: TextRole) -> list[PlacedText]:
    return [placed for placed in layout.texts if placed.role is not role]


def rasterise(pdf: bytes, tmp_path: Path) -> Image.Image:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (Debian package poppler-utils) is not installed")
    source = tmp_path / "pass.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", str(source), str(tmp_path / "page")],
        check=True,
        capture_output=True,
        timeout=60,
    )
    with Image.open(tmp_path / "page.png") as page:
        return page.convert("L")


# --- QR code ------------------------------------------------------------------------------------


def test_token_is_realistic() -> None:
    assert len(TOKEN) == 250
    assert TOKEN.startswith("PH1:")
    assert len(set(TOKEN)) > 30


def test_qr_png_decodes_to_exactly_the_token_at_level_q() -> None:
    with Image.open(io.BytesIO(qr_png(TOKEN))) as image:
        results = decode(image)
    assert [result.text for result in results] == [TOKEN]
    assert results[0].format == zxingcpp.BarcodeFormat.QRCode
    if hasattr(results[0], "ec_level"):
        assert results[0].ec_level == "Q"


def test_qr_image_is_black_on_white_with_a_four_module_quiet_zone() -> None:
    image = qr_image(TOKEN, box_size=8)
    assert image.mode in ("1", "L")
    pixels = np.asarray(image.convert("L"))
    assert set(np.unique(pixels)) <= {0, 255}
    ring = 4 * 8
    assert (pixels[:ring, :] == 255).all()
    assert (pixels[-ring:, :] == 255).all()
    assert (pixels[:, :ring] == 255).all()
    assert (pixels[:, -ring:] == 255).all()
    # The finder pattern starts right after the quiet zone.
    assert pixels[ring, ring] == 0
    modules = image.width // 8 - 2 * QUIET_ZONE
    assert image.width == image.height == (modules + 2 * QUIET_ZONE) * 8
    assert (modules - 17) % 4 == 0  # a real QR version: 21, 25, ... modules


def test_qr_refuses_a_quiet_zone_scanners_cannot_find() -> None:
    with pytest.raises(ValueError, match="border"):
        qr_image(TOKEN, border=2)
    with pytest.raises(ValueError, match="empty"):
        qr_png("")


# --- serial ---------------------------------------------------------------------------------------


def test_human_serial_reads_in_upper_case_groups_of_four() -> None:
    assert human_serial(SERIAL) == "3F2A 9C01 B7E4 55D0 C3A1 F00E 9B2D 77E0"
    assert human_serial(SERIAL.upper()) == human_serial(SERIAL)
    assert re.fullmatch(r"[0-9A-F]{4}( [0-9A-F]{4}){7}", human_serial("0" * 32))


@pytest.mark.parametrize("bad", ["", SERIAL[:-1], SERIAL + "0", "g" * 32, "3f2a 9c01" + "0" * 24])
def test_human_serial_rejects_anything_but_32_hex_digits(bad: str) -> None:
    with pytest.raises(ValueError, match="32 hexadecimal"):
        human_serial(bad)


# --- the sheet ------------------------------------------------------------------------------------


def test_sheet_refuses_naive_times_and_bad_serials() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        make_sheet(valid_from=datetime(2026, 11, 25, 8, 0))
    with pytest.raises(ValueError, match="serial"):
        make_sheet(serial="1234")
    with pytest.raises(ValueError, match="route"):
        make_sheet(route="卡口（入）")
    assert make_sheet().route == tuple(ROUTE)  # frozen: a caller's list cannot change it


def test_times_print_in_shanghai_local_time_whatever_the_input_zone() -> None:
    tokyo = timezone(timedelta(hours=9))
    sheet = make_sheet(valid_until=datetime(2026, 11, 28, 9, 0, tzinfo=tokyo))
    layout = layout_pass(sheet, "A6")
    assert layout.lines(TextRole.VALIDITY) == ["2026-11-25 08:00 至 2026-11-28 08:00"]
    assert layout.lines(TextRole.ISSUED) == ["签发 2026-11-25 07:58"]


@pytest.mark.parametrize("page", PAGES)
def test_every_field_is_printed(page: PageSize) -> None:
    layout = layout_pass(make_sheet(), page)
    assert layout.lines(TextRole.TITLE) == [TITLE]
    assert layout.lines(TextRole.BRAND) == ["LoopPass"]
    assert layout.lines(TextRole.PLATE) == ["浙F12345"]
    assert layout.lines(TextRole.DRIVER) == ["张三 3304**********1232"]
    assert layout.lines(TextRole.ENTERPRISE) == [ENTERPRISE]
    assert layout.lines(TextRole.RISK) == ["中风险"]
    assert layout.lines(TextRole.SERIAL) == [human_serial(SERIAL)]
    assert layout.lines(TextRole.FOOTER) == [FOOTER]
    route = "".join(layout.lines(TextRole.ROUTE)).replace(" ", "")
    assert route == "→".join(ROUTE)
    assert "→" in layout.lines(TextRole.ROUTE)[0]


@pytest.mark.parametrize("page", PAGES)
def test_plate_is_the_largest_text_on_the_page(page: PageSize) -> None:
    layout = layout_pass(make_sheet(), page)
    (plate,) = [placed for placed in layout.texts if placed.role is TextRole.PLATE]

    def ink_height(placed: PlacedText) -> float:
        font = ImageFont.truetype(str(placed.face.path), placed.size, index=placed.face.index)
        _, top, _, bottom = font.getbbox(placed.text)
        return bottom - top

    plate_height = ink_height(plate)
    for placed in others(layout, TextRole.PLATE):
        assert placed.size < plate.size, placed.role
        assert ink_height(placed) < plate_height, placed.role
    sizes = layout.font_sizes
    assert sizes[TextRole.PLATE] == max(sizes.values())
    # Readable at arm's length: plate characters at least 12 mm (A6) / 25 mm (A4) tall.
    assert plate_height / layout.dpi * MM_PER_INCH >= {"A6": 12, "A4": 25}[page]


def test_a_different_plate_changes_only_the_plate_area() -> None:
    first = render_pass_image(make_sheet(), "A6")
    second = render_pass_image(make_sheet(plate="沪D67890"), "A6")
    changed = ImageChops.difference(first, second).getbbox()
    assert changed is not None
    layout = layout_pass(make_sheet(), "A6")
    (frame, _), *_ = layout.frames
    assert changed[1] >= frame[1]
    assert changed[3] <= frame[3]


@pytest.mark.parametrize("page", PAGES)
def test_qr_is_large_centred_and_the_serial_sits_under_it(page: PageSize) -> None:
    layout = layout_pass(make_sheet(), page)
    left, _, right, _ = layout.qr_symbol_box
    share = (right - left) / layout.width
    if page == "A6":
        assert share >= 0.60
    else:
        assert 0.45 <= share <= 0.55
    assert abs(left - (layout.width - right)) <= 1
    assert left >= layout.margin
    assert right <= layout.width - layout.margin
    (serial,) = [placed for placed in layout.texts if placed.role is TextRole.SERIAL]
    # Under the symbol and clear of its quiet zone, centred on it.
    assert serial.box[1] >= layout.qr_box[3]
    assert abs((serial.box[0] + serial.box[2]) / 2 - (left + right) / 2) <= layout.width * 0.01


def boxes_overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def assert_on_the_paper(layout: Layout, image: Image.Image) -> None:
    """Every text box inside the margins, no two overlapping, margins blank in the pixels."""
    margin = layout.margin
    for placed in layout.texts:
        left, top, right, bottom = placed.box
        assert left >= margin, placed
        assert top >= margin, placed
        assert right <= layout.width - margin, placed
        assert bottom <= layout.height - margin, placed
        assert not boxes_overlap(placed.box, layout.qr_box), placed
    for index, placed in enumerate(layout.texts):
        for other in layout.texts[index + 1 :]:
            assert not boxes_overlap(placed.box, other.box), (placed, other)
    pixels = np.asarray(image)
    inner = pixels[margin:-margin, margin:-margin].copy()
    pixels = pixels.copy()
    pixels[margin:-margin, margin:-margin] = 255
    assert (pixels == 255).all(), "something was drawn in the margins"
    assert (inner < 128).any()


@pytest.mark.parametrize("page", PAGES)
def test_sixty_character_enterprise_name_wraps_within_the_margins(page: PageSize) -> None:
    assert len(LONG_NAME) == 60
    route = ["卡口（入）", f"企业：{LONG_NAME}", "隔离点", "卡口（出）"]
    sheet = make_sheet(enterprise_name=LONG_NAME, route=route)
    layout = layout_pass(sheet, page)
    assert "".join(layout.lines(TextRole.ENTERPRISE)) == LONG_NAME  # wrapped, not cut
    assert "".join(layout.lines(TextRole.ROUTE)).replace(" ", "") == "→".join(route)
    assert_on_the_paper(layout, render_pass_image(sheet, page))
    if page == "A6":
        symbol = layout.qr_symbol_box
        assert (symbol[2] - symbol[0]) / layout.width >= 0.60


@pytest.mark.parametrize("page", PAGES)
def test_absurdly_long_values_still_stay_on_the_paper(page: PageSize) -> None:
    name = (LONG_NAME * 4)[:200]
    sheet = make_sheet(
        enterprise_name=name,
        route=["卡口（入）", f"企业：{name}", "隔离点", "卡口（出）"],
        plate="浙A1234港澳挂学警",
        driver_masked="欧阳" * 20 + " 3304**********1232",
    )
    layout = layout_pass(sheet, page)
    assert layout.lines(TextRole.ENTERPRISE)[-1].endswith("…")
    assert_on_the_paper(layout, render_pass_image(sheet, page))


def test_rendering_is_deterministic() -> None:
    sheet = make_sheet()
    assert pass_pdf(sheet, "A6") == pass_pdf(make_sheet(), "A6")
    assert render_pass_image(sheet, "A4").tobytes() == render_pass_image(sheet, "A4").tobytes()


# --- PDF ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_pdf_page_is_the_physical_paper_size(page: PageSize) -> None:
    pdf = pass_pdf(make_sheet(), page)
    assert pdf.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert len(boxes) == 1
    width_pt, height_pt = (float(value) for value in boxes[0])
    width_mm, height_mm = PAGE_MM[page]
    assert width_pt == pytest.approx(width_mm / MM_PER_INCH * PT_PER_INCH, abs=1)
    assert height_pt == pytest.approx(height_mm / MM_PER_INCH * PT_PER_INCH, abs=1)


@pytest.mark.parametrize("page", PAGES)
def test_printed_pdf_scans_back_to_the_token(page: PageSize, tmp_path: Path) -> None:
    rendered = rasterise(pass_pdf(make_sheet(), page), tmp_path)
    width_mm, _ = PAGE_MM[page]
    assert rendered.width == pytest.approx(width_mm / MM_PER_INCH * 150, abs=2)
    assert [result.text for result in decode(rendered)] == [TOKEN]


# --- fonts ----------------------------------------------------------------------------------------


def test_missing_font_names_the_debian_package(tmp_path: Path) -> None:
    with pytest.raises(FontMissing, match="fonts-noto-cjk") as raised:
        find_fonts([tmp_path / "nowhere", tmp_path])
    assert isinstance(raised.value, RuntimeError)
    assert str(tmp_path) in str(raised.value)


def test_fonts_are_noto_sans_cjk_simplified_chinese() -> None:
    fonts = find_fonts()
    regular = ImageFont.truetype(str(fonts.regular.path), 20, index=fonts.regular.index)
    bold = ImageFont.truetype(str(fonts.bold.path), 20, index=fonts.bold.index)
    assert regular.getname() == ("Noto Sans CJK SC", "Regular")
    assert bold.getname() == ("Noto Sans CJK SC", "Bold")
