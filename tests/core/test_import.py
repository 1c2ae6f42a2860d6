"""Bulk filing from CSV/XLSX files (``core.importing`` and ``ApplicationImporter``).

The template round-trips; GB18030 CSVs from Chinese Excel are read; a file with any bad row
is refused as a whole, listing every problem by spreadsheet row, field and code, with nothing
saved; a good file files the applications and registers new vehicles and drivers while reusing
the clerk's own; SQL metacharacters are plain text and invisible characters are refused.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from core.demo import id_number
from core.errors import PermissionDenied
from core.importing import (
    COLUMNS,
    EXAMPLE_ROW,
    ImportFileError,
    RawRow,
    read_csv,
    read_rows,
    write_template,
)
from core.models import ApplicationStatus, Driver, User, Vehicle
from core.ports import ApplicationQuery, SearchQuery
from core.services import Services
from core.services.applications import ImportRejected, RowError
from tests.conftest import demo_user

ARRIVAL = "2026-11-26 09:00"  # China time, the day after the fixed clock's NOW
ARRIVAL_UTC = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Counts:
    vehicles: int
    drivers: int
    applications: int
    audit: int


def counts(services: Services) -> Counts:
    store = services.store
    return Counts(
        store.vehicles.search(SearchQuery(limit=0)).total,
        store.drivers.search(SearchQuery(limit=0)).total,
        store.applications.search(ApplicationQuery(limit=0)).total,
        store.audit.count(),
    )


@pytest.fixture
def clerk(demo: Services) -> User:
    return demo_user(demo, "clerk")


def free_plates(services: Services, count: int, start: int = 80000) -> list[str]:
    """Plates 浙F + 5 digits that nobody has registered."""
    plates: list[str] = []
    number = start
    while len(plates) < count:
        plate = f"浙F{number:05d}"
        if services.store.vehicles.by_plate(plate) is None:
            plates.append(plate)
        number += 1
    return plates


def free_id_numbers(services: Services, count: int) -> list[str]:
    """Valid resident ID numbers (Beijing Xicheng, born 1980) that nobody has registered."""
    found: list[str] = []
    sequence = 0
    while len(found) < count:
        candidate = id_number(f"11010219800101{sequence:03d}")
        if services.store.drivers.by_id_number(candidate) is None:
            found.append(candidate)
        sequence += 1
    return found


NAMES = ("赵一", "钱二", "孙三", "李四", "周五", "吴六")


def good_rows(services: Services, count: int) -> list[dict[str, str]]:
    """``count`` valid rows with new plates and new drivers."""
    return [
        {
            "plate": plate,
            "vehicle_description": "重型厢式货车",
            "driver_name": NAMES[index % len(NAMES)],
            "driver_id_number": id_no,
            "driver_phone": f"1390000{index:04d}",
            "origin_region_code": "330482" if index % 2 else "310115",
            "cargo": "电子元件",
            "planned_arrival": ARRIVAL,
            "validity_hours": "48",
        }
        for index, (plate, id_no) in enumerate(
            zip(free_plates(services, count), free_id_numbers(services, count), strict=True)
        )
    ]


def write_csv(
    path: Path, rows: Sequence[dict[str, str]], *, encoding: str = "utf-8-sig", chinese: bool = True
) -> Path:
    with path.open("w", encoding=encoding, newline="") as file:
        writer = csv.writer(file)
        writer.writerow([COLUMNS[f] if chinese else f for f in COLUMNS])
        for row in rows:
            writer.writerow([row.get(f, "") for f in COLUMNS])
    return path


def write_xlsx(path: Path, rows: Sequence[dict[str, str] | None]) -> Path:
    """An XLSX with the Chinese headers; ``None`` leaves a blank spreadsheet row."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(COLUMNS.values()))
    for row in rows:
        sheet.append([None] * len(COLUMNS) if row is None else [row.get(f, "") for f in COLUMNS])
    workbook.save(path)
    return path


def rejected(services: Services, clerk: User, rows: list[RawRow]) -> list[RowError]:
    """The errors of an import that must fail, after checking that it saved nothing."""
    before = counts(services)
    with pytest.raises(ImportRejected) as caught:
        services.importer.import_rows(clerk, rows)
    assert counts(services) == before
    return list(caught.value.errors)


def own(services: Services, clerk: User) -> tuple[tuple[Vehicle, ...], tuple[Driver, ...]]:
    query = SearchQuery(enterprise_id=clerk.enterprise_id, limit=1000)
    return services.store.vehicles.search(query).rows, services.store.drivers.search(query).rows


def foreign(services: Services, clerk: User) -> tuple[Vehicle, Driver]:
    vehicle = next(
        v
        for v in services.store.vehicles.search(SearchQuery(limit=1000)).rows
        if v.enterprise_id != clerk.enterprise_id
    )
    driver = next(
        d
        for d in services.store.drivers.search(SearchQuery(limit=1000)).rows
        if d.enterprise_id != clerk.enterprise_id
    )
    return vehicle, driver


# --- reading files --------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_template_round_trips_the_example_row(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"模板{suffix}"
    write_template(path)

    rows = read_rows(path)

    assert [row.number for row in rows] == [2]
    assert {field: rows[0].get(field) for field in COLUMNS} == {
        field: EXAMPLE_ROW.get(field, "") for field in COLUMNS
    }


def test_the_template_example_imports_as_is(demo: Services, clerk: User, tmp_path: Path) -> None:
    assert demo.store.vehicles.by_plate(EXAMPLE_ROW["plate"]) is None
    path = tmp_path / "template.xlsx"
    write_template(path)

    [created] = demo.importer.import_rows(clerk, read_rows(path))

    view = demo.applications.get(clerk, created)
    assert view.plate == EXAMPLE_ROW["plate"]
    assert view.driver_name == EXAMPLE_ROW["driver_name"]
    assert view.application.status is ApplicationStatus.SUBMITTED


def test_gb18030_csv_from_chinese_excel_is_read(demo: Services, tmp_path: Path) -> None:
    rows = good_rows(demo, 2)
    path = write_csv(tmp_path / "报备.csv", rows, encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")  # really not UTF-8

    read = read_rows(path)

    assert [row.number for row in read] == [2, 3]
    assert [row.get("driver_name") for row in read] == [r["driver_name"] for r in rows]
    assert [row.get("vehicle_description") for row in read] == ["重型厢式货车"] * 2


def test_english_headers_any_order_and_unknown_columns() -> None:
    data = "备注,cargo,plate,driver_name,driver_id_number,driver_phone,origin_region_code,"
    data += "planned_arrival\n随便,纸浆,浙F12345,张三,11010519491231002X,13800138000,330482,"
    data += "2026-12-01 09:00\n"
    [row] = read_csv(data.encode("utf-8"))
    assert (row.get("plate"), row.get("cargo"), row.get("validity_hours")) == (
        "浙F12345",
        "纸浆",
        "",
    )
    assert "备注" not in row.values


def test_missing_columns_are_named(tmp_path: Path) -> None:
    path = tmp_path / "missing.csv"
    path.write_text("车牌号,驾驶员姓名,货物\n浙F12345,张三,纸浆\n", encoding="utf-8")
    with pytest.raises(ImportFileError) as caught:
        read_rows(path)
    assert caught.value.code == "MISSING_COLUMNS"
    for header in ("驾驶员身份证号", "驾驶员手机号", "始发地行政区划代码", "计划到达时间"):
        assert header in caught.value.detail
    assert "车牌号" not in caught.value.detail


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("applications.xls", b"\xd0\xcf\x11\xe0", "UNSUPPORTED_TYPE"),
        ("applications.txt", b"plate\n", "UNSUPPORTED_TYPE"),
        ("applications", b"plate\n", "UNSUPPORTED_TYPE"),
        ("broken.xlsx", b"PK\x03\x04 not really a zip", "BAD_XLSX"),
        ("empty.csv", b"", "EMPTY_FILE"),
    ],
)
def test_unreadable_files_are_refused_with_a_code(
    tmp_path: Path, name: str, content: bytes, code: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ImportFileError) as caught:
        read_rows(path)
    assert caught.value.code == code


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError) as caught:
        read_rows(tmp_path / "nowhere.csv")
    assert caught.value.code == "NO_FILE"


def test_blank_rows_keep_spreadsheet_row_numbers(demo: Services, tmp_path: Path) -> None:
    rows = good_rows(demo, 2)
    path = write_xlsx(tmp_path / "gaps.xlsx", [rows[0], None, rows[1], None, None])
    assert [row.number for row in read_rows(path)] == [2, 4]
    csv_path = tmp_path / "gaps.csv"
    write_csv(csv_path, rows)
    lines = csv_path.read_text(encoding="utf-8-sig").splitlines()
    csv_path.write_text("\n".join([lines[0], lines[1], "", ",,,", lines[2], ""]), "utf-8")
    assert [row.number for row in read_rows(csv_path)] == [2, 5]


# --- all or nothing -------------------------------------------------------------------------------


def test_one_bad_row_rejects_the_whole_file_and_saves_nothing(
    demo: Services, clerk: User, tmp_path: Path
) -> None:
    rows = good_rows(demo, 4)
    rows[2]["plate"] = "浙F1234I"  # spreadsheet row 4 (the header is row 1)
    path = write_xlsx(tmp_path / "四行.xlsx", rows)

    errors = rejected(demo, clerk, read_rows(path))

    assert errors == [RowError(4, "plate", "FORBIDDEN_LETTER")]
    for row in (rows[0], rows[1], rows[3]):
        assert demo.store.vehicles.by_plate(row["plate"]) is None
    for row in rows:
        assert demo.store.drivers.by_id_number(row["driver_id_number"]) is None


def test_every_error_of_every_row_is_listed(demo: Services, clerk: User, tmp_path: Path) -> None:
    rows = good_rows(demo, 3)
    rows[0].update(driver_phone="1234", validity_hours="0")
    rows[1].update(driver_id_number="11010519491231002Y", planned_arrival="明天")
    rows[2].update(origin_region_code="999999", cargo="", planned_arrival="2027-03-01 09:00")
    path = write_csv(tmp_path / "bad.csv", rows)

    errors = rejected(demo, clerk, read_rows(path))

    assert {(e.row, e.field, e.code) for e in errors} == {
        (2, "driver_phone", "BAD_FORMAT"),
        (2, "validity_hours", "BAD_FORMAT"),
        (3, "driver_id_number", "BAD_FORMAT"),
        (3, "planned_arrival", "BAD_FORMAT"),
        (4, "origin_region_code", "UNKNOWN_REGION"),
        (4, "cargo", "REQUIRED"),
        (4, "planned_arrival", "BAD_DATE"),
    }


def test_an_empty_file_is_an_error(demo: Services, clerk: User) -> None:
    assert rejected(demo, clerk, []) == [RowError(1, "file", "NO_ROWS")]


def test_plate_registered_by_another_enterprise(
    demo: Services, clerk: User, tmp_path: Path
) -> None:
    vehicle, _ = foreign(demo, clerk)
    rows = good_rows(demo, 2)
    rows[1]["plate"] = vehicle.plate
    errors = rejected(demo, clerk, read_rows(write_csv(tmp_path / "x.csv", rows)))
    assert errors == [RowError(3, "plate", "REGISTERED_ELSEWHERE")]


def test_driver_registered_by_another_enterprise(
    demo: Services, clerk: User, tmp_path: Path
) -> None:
    _, driver = foreign(demo, clerk)
    rows = good_rows(demo, 1)
    rows[0].update(driver_name=driver.name, driver_id_number=driver.id_number)
    errors = rejected(demo, clerk, read_rows(write_csv(tmp_path / "x.csv", rows)))
    assert errors == [RowError(2, "driver_id_number", "REGISTERED_ELSEWHERE")]


def test_known_id_number_with_another_name(demo: Services, clerk: User, tmp_path: Path) -> None:
    _, drivers = own(demo, clerk)
    rows = good_rows(demo, 2)
    other_name = "欧阳某" if drivers[0].name != "欧阳某" else "司马某"
    rows[1].update(driver_name=other_name, driver_id_number=drivers[0].id_number)
    errors = rejected(demo, clerk, read_rows(write_csv(tmp_path / "x.csv", rows)))
    assert errors == [RowError(3, "driver_name", "NAME_MISMATCH")]


def test_one_new_id_number_with_two_names_in_the_same_file(
    demo: Services, clerk: User, tmp_path: Path
) -> None:
    """Two rows cannot register one person under two names (the second would be dropped)."""
    rows = good_rows(demo, 3)
    rows[2].update(driver_id_number=rows[0]["driver_id_number"], driver_name="另一人")
    errors = rejected(demo, clerk, read_rows(write_csv(tmp_path / "x.csv", rows)))
    assert errors == [RowError(4, "driver_name", "NAME_MISMATCH")]


def test_co_driver_cannot_be_the_driver(demo: Services, clerk: User, tmp_path: Path) -> None:
    """As in the filing form: the co-driver must be another person."""
    rows = good_rows(demo, 1)
    rows[0].update(
        co_driver_name=rows[0]["driver_name"],
        co_driver_id_number=rows[0]["driver_id_number"],
        co_driver_phone=rows[0]["driver_phone"],
    )
    errors = rejected(demo, clerk, read_rows(write_csv(tmp_path / "x.csv", rows)))
    assert errors == [RowError(2, "co_driver_id_number", "BAD_FORMAT")]


def test_zero_width_and_bidi_characters_are_refused(
    demo: Services, clerk: User, tmp_path: Path
) -> None:
    rows = good_rows(demo, 3)
    rows[0]["cargo"] = "电子\u200b元件"
    rows[1]["driver_name"] = "张\u200d三"
    rows[2]["co_driver_name"] = "\u202e四李"
    rows[2]["co_driver_id_number"] = free_id_numbers(demo, 4)[3]
    rows[2]["co_driver_phone"] = "13700000000"
    errors = rejected(demo, clerk, read_rows(write_csv(tmp_path / "x.csv", rows)))
    assert errors == [
        RowError(2, "cargo", "BAD_CHARACTER"),
        RowError(3, "driver_name", "BAD_CHARACTER"),
        RowError(4, "co_driver_name", "BAD_CHARACTER"),
    ]


def test_only_clerks_import(demo: Services, tmp_path: Path) -> None:
    reviewer = demo_user(demo, "reviewer")
    rows = read_rows(write_csv(tmp_path / "x.csv", good_rows(demo, 1)))
    before = counts(demo)
    with pytest.raises(PermissionDenied):
        demo.importer.import_rows(reviewer, rows)
    assert counts(demo) == before


# --- a good file ----------------------------------------------------------------------------------


def test_good_file_files_applications_and_registers_the_fleet(
    demo: Services, clerk: User, tmp_path: Path
) -> None:
    vehicles, drivers = own(demo, clerk)
    rows = good_rows(demo, 3)
    rows.append(
        {
            "plate": vehicles[0].plate.replace("浙", " 浙").lower(),  # typed loosely
            "driver_name": drivers[0].name,
            "driver_id_number": drivers[0].id_number.lower(),
            "driver_phone": drivers[0].phone,
            "co_driver_name": rows[0]["driver_name"],  # a driver registered by row 2
            "co_driver_id_number": rows[0]["driver_id_number"],
            "co_driver_phone": rows[0]["driver_phone"],
            "origin_region_code": "320583",
            "cargo": "纸浆",
            "planned_arrival": "2026/11/27 18:30",
            "validity_hours": "",
        }
    )
    rows.append(dict(rows[0], cargo="第二趟"))  # the same truck and driver, another trip
    before = counts(demo)
    path = write_xlsx(tmp_path / "good.xlsx", rows)

    created = demo.importer.import_rows(clerk, read_rows(path))

    after = counts(demo)
    assert len(created) == 5
    assert after.applications == before.applications + 5
    assert after.vehicles == before.vehicles + 3
    assert after.drivers == before.drivers + 3
    views = [demo.applications.get(clerk, application_id) for application_id in created]
    assert [v.application.status for v in views] == [ApplicationStatus.SUBMITTED] * 5
    assert [v.plate for v in views] == [r["plate"] for r in rows[:3]] + [
        vehicles[0].plate,
        rows[0]["plate"],
    ]
    assert {v.application.enterprise_id for v in views} == {clerk.enterprise_id}
    assert {v.application.filed_by for v in views} == {clerk.id}
    first, _, _, reused, again = (v.application for v in views)
    assert (reused.vehicle_id, reused.driver_id) == (vehicles[0].id, drivers[0].id)
    assert reused.co_driver_id == first.driver_id
    assert reused.validity_hours == 72  # empty cell: the default
    assert reused.planned_arrival == datetime(2026, 11, 27, 10, 30, tzinfo=UTC)
    assert views[3].risk.value == "MEDIUM"
    assert (again.vehicle_id, again.driver_id) == (first.vehicle_id, first.driver_id)
    assert first.planned_arrival == ARRIVAL_UTC
    assert first.validity_hours == 48
    new_vehicle = demo.store.vehicles.by_plate(rows[1]["plate"])
    assert new_vehicle is not None and new_vehicle.enterprise_id == clerk.enterprise_id
    assert new_vehicle.description == "重型厢式货车"
    new_driver = demo.store.drivers.by_id_number(rows[1]["driver_id_number"])
    assert new_driver is not None
    assert (new_driver.name, new_driver.phone, new_driver.enterprise_id) == (
        rows[1]["driver_name"],
        rows[1]["driver_phone"],
        clerk.enterprise_id,
    )
    # Every change is audited in the clerk's name.
    entries = demo.store.audit.entries(before.audit + 1)
    assert entries
    assert {e.actor for e in entries} == {"clerk"}
    assert sorted({e.action for e in entries}) == [
        "application.import",
        "driver.add",
        "vehicle.add",
    ]


def test_import_as_drafts(demo: Services, clerk: User, tmp_path: Path) -> None:
    rows = read_rows(write_csv(tmp_path / "x.csv", good_rows(demo, 2), chinese=False))
    created = demo.importer.import_rows(clerk, rows, submit=False)
    statuses = [demo.applications.get(clerk, i).application.status for i in created]
    assert statuses == [ApplicationStatus.DRAFT] * 2


def test_sql_metacharacters_are_plain_text(demo: Services, clerk: User, tmp_path: Path) -> None:
    rows = good_rows(demo, 2)
    cargo = "纸浆'); DROP TABLE applications; --"
    name = "O'Brien\"; DROP TABLE drivers; --"
    rows[0]["cargo"] = cargo
    rows[1]["driver_name"] = name
    rows[1]["vehicle_description"] = "%_\\ 厢式"
    before = counts(demo)

    created = demo.importer.import_rows(clerk, read_rows(write_csv(tmp_path / "x.csv", rows)))

    assert counts(demo).applications == before.applications + 2
    assert counts(demo).drivers == before.drivers + 2
    assert demo.applications.get(clerk, created[0]).application.cargo == cargo
    assert demo.applications.get(clerk, created[1]).driver_name == name
    found = demo.applications.search(clerk, ApplicationQuery(text="DROP TABLE drivers"))
    assert [v.application.id for v in found.rows] == [created[1]]
    # LIKE wildcards typed into a search match themselves only.
    for wildcard in ("%", "_"):
        assert demo.applications.search(clerk, ApplicationQuery(text=wildcard)).total == 0
    vehicle = demo.store.vehicles.by_plate(rows[1]["plate"])
    assert vehicle is not None and vehicle.description == "%_\\ 厢式"


def test_too_many_rows_are_refused(tmp_path: Path) -> None:
    """The cap is on rows: 20,001 data rows are refused before any row is checked."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(list(COLUMNS))
    for index in range(20_001):
        writer.writerow([f"浙F{index:05d}"] + [""] * (len(COLUMNS) - 1))
    path = tmp_path / "big.csv"
    path.write_text(text.getvalue(), encoding="utf-8")
    with pytest.raises(ImportFileError) as caught:
        read_rows(path)
    assert caught.value.code == "TOO_MANY_ROWS"
