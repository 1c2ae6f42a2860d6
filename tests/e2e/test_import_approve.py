"""A day's bulk filing end to end: 1,000 rows imported, approved, printed as QR and scanned back.

A clerk imports an XLSX of 1,000 trips into the demo database, the reviewer approves them all,
every pass's QR code is rendered as the PNG the driver gets, decoded with zxing-cpp (the
scanner's first decoder) and verified: all 1,000 must come back OK with their own plate.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import subprocess
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
import zxingcpp
from openpyxl import Workbook
from PIL import Image

from core.demo import GIVEN, SURNAMES, id_number
from core.importing import COLUMNS, read_rows
from core.models import ApplicationStatus, RiskLevel, RouteTemplate
from core.pass_document import pass_pdf, qr_png
from core.services import Services
from core.token import TokenReason
from tests.conftest import demo_user

ROWS = 1000
QR_ONLY = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
REGION_CODES = ("330482", "330402", "320583", "310115", "340104")  # low and risk origins


def trips(services: Services) -> list[dict[str, str]]:
    """``ROWS`` valid, distinct trips with plates and drivers the demo does not know."""
    store = services.store
    plates: list[str] = []
    number = 10000
    while len(plates) < ROWS:
        plate = f"浙F{number:05d}"
        if store.vehicles.by_plate(plate) is None:
            plates.append(plate)
        number += 1
    id_numbers: list[str] = []
    birth = date(1970, 1, 1)
    while len(id_numbers) < ROWS:
        candidate = id_number(f"330482{birth:%Y%m%d}{len(id_numbers) % 1000:03d}")
        if store.drivers.by_id_number(candidate) is None:
            id_numbers.append(candidate)
        birth += timedelta(days=1)
    return [
        {
            "plate": plate,
            "vehicle_description": "重型厢式货车",
            "driver_name": SURNAMES[index % len(SURNAMES)] + GIVEN[index % len(GIVEN)],
            "driver_id_number": id_no,
            "driver_phone": f"139{index:08d}",
            "origin_region_code": REGION_CODES[index % len(REGION_CODES)],
            "cargo": "电子元件",
            "planned_arrival": "2026-11-26 09:00",
            "validity_hours": "72",
        }
        for index, (plate, id_no) in enumerate(zip(plates, id_numbers, strict=True))
    ]


def write_xlsx(path: Path, rows: list[dict[str, str]]) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("报备")
    sheet.append(list(COLUMNS.values()))
    for row in rows:
        sheet.append([row.get(field, "") for field in COLUMNS])
    workbook.save(path)


def render_all(tokens: list[str]) -> list[bytes]:
    """Every token's PNG; the QR encoder is pure Python, so use both cores."""
    workers = min(2, os.cpu_count() or 1)
    if workers < 2:  # a pool of one only adds start-up time
        return [qr_png(token) for token in tokens]
    context = multiprocessing.get_context("spawn")  # no fork of a process holding SQLite
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(pool.map(qr_png, tokens, chunksize=50))


def decode(png: bytes) -> list[str]:
    """The texts zxing-cpp reads from a PNG, as the scan station feeds it (grayscale array)."""
    with Image.open(io.BytesIO(png)) as image:
        pixels = np.asarray(image.convert("L"))
    return [
        barcode.text
        for barcode in zxingcpp.read_barcodes(
            pixels,
            formats=QR_ONLY,
            try_rotate=False,
            try_downscale=False,
        )
    ]


@pytest.mark.slow
def test_thousand_rows_imported_approved_printed_and_scanned(
    demo: Services, tmp_path: Path
) -> None:
    clerk = demo_user(demo, "clerk")
    reviewer = demo_user(demo, "reviewer")
    rows = trips(demo)
    path = tmp_path / "千行报备.xlsx"
    write_xlsx(path, rows)

    read = read_rows(path)
    assert [row.number for row in read] == list(range(2, ROWS + 2))
    created = demo.importer.import_rows(clerk, read)

    assert len(created) == ROWS
    for application_id in (created[0], created[ROWS // 2], created[-1]):
        view = demo.applications.get(clerk, application_id)
        assert view.application.status is ApplicationStatus.SUBMITTED

    result = demo.passes.approve_many(reviewer, created)

    assert result.refused == ()
    assert [p.application_id for p in result.issued] == created
    assert [p.plate for p in result.issued] == [row["plate"] for row in rows]
    assert len({p.serial for p in result.issued}) == ROWS

    pngs = render_all([p.token for p in result.issued])

    levels: dict[str, RiskLevel] = {}
    for code in REGION_CODES:
        region = demo.store.risk_regions.get_by_code(code)
        assert region is not None
        levels[code] = region.level

    routes: set[RouteTemplate] = set()
    for issued, png, row in zip(result.issued, pngs, rows, strict=True):
        texts = decode(png)
        assert texts == [issued.token], issued.serial
        check = demo.passes.verify(texts[0])
        assert check.reason is TokenReason.OK, (issued.serial, check.reason)
        assert check.claims is not None
        assert check.claims.plate == row["plate"]
        assert check.claims.serial == issued.serial
        assert check.claims.expires - check.claims.issued_at == timedelta(hours=72)
        routes.add(check.claims.route)
        level = levels[row["origin_region_code"]]
        assert (check.claims.risk, check.claims.route) == (level, RouteTemplate.for_risk(level))
    assert routes == {RouteTemplate.STANDARD, RouteTemplate.ISOLATION_LOOP}

    # One pass printed: the A6 PDF rasterised by poppler, as a printer would, still scans.
    first = result.issued[0]
    pdf = tmp_path / "pass.pdf"
    pdf.write_bytes(pass_pdf(demo.passes.sheet(reviewer, first.serial), "A6"))
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    assert decode((tmp_path / "page.png").read_bytes()) == [first.token]
