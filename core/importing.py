"""Reading bulk application files (CSV or XLSX) into rows, and the downloadable template.

Headers may be the Chinese ones of the template or the English field names, in any order;
unknown columns are ignored. CSV files are read as UTF-8 (with or without BOM) and fall back to
GB18030, the encoding Chinese Excel uses when it saves CSV. Row numbers are the spreadsheet's
own (the header is row 1), so an error report points at the line the clerk sees.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# field -> Chinese header, in template order. Optional fields may be left empty.
COLUMNS: dict[str, str] = {
    "plate": "车牌号",
    "vehicle_description": "车型",
    "driver_name": "驾驶员姓名",
    "driver_id_number": "驾驶员身份证号",
    "driver_phone": "驾驶员手机号",
    "co_driver_name": "副驾驶姓名",
    "co_driver_id_number": "副驾驶身份证号",
    "co_driver_phone": "副驾驶手机号",
    "origin_region_code": "始发地行政区划代码",
    "cargo": "货物",
    "planned_arrival": "计划到达时间",
    "validity_hours": "有效期（小时）",
}
REQUIRED_COLUMNS = (
    "plate",
    "driver_name",
    "driver_id_number",
    "driver_phone",
    "origin_region_code",
    "cargo",
    "planned_arrival",
)
EXAMPLE_ROW = {
    "plate": "浙F12345",
    "vehicle_description": "重型厢式货车",
    "driver_name": "张三",
    "driver_id_number": "11010519491231002X",
    "driver_phone": "13800138000",
    "origin_region_code": "330482",
    "cargo": "电子元件",
    "planned_arrival": "2026-12-01 09:00",
    "validity_hours": "72",
}
MAX_ROWS = 20_000
MAX_FILE_BYTES = 20 * 1024 * 1024


class ImportFileError(ValueError):
    """The file itself cannot be read: wrong type, too big, no header, missing columns."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(detail or code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class RawRow:
    """One data row as text, keyed by field name; ``number`` is the spreadsheet row."""

    number: int
    values: dict[str, str]

    def get(self, field: str) -> str:
        """The cell's text, stripped ('' when empty or absent)."""
        return self.values.get(field, "").strip()


def _field_for(header: str) -> str | None:
    text = header.strip().lstrip("\ufeff")
    for field, chinese in COLUMNS.items():
        if text in (field, chinese):
            return field
    return None


def _rows(table: Iterator[list[str]]) -> list[RawRow]:
    header = next(table, None)
    if header is None:
        raise ImportFileError("EMPTY_FILE")
    fields = [_field_for(cell) for cell in header]
    missing = [f for f in REQUIRED_COLUMNS if f not in fields]
    if missing:
        raise ImportFileError("MISSING_COLUMNS", ", ".join(COLUMNS[f] for f in missing))
    rows: list[RawRow] = []
    for number, cells in enumerate(table, start=2):
        values = {f: cells[i] for i, f in enumerate(fields) if f and i < len(cells)}
        if not any(value.strip() for value in values.values()):
            continue  # blank lines at the end of a sheet are not rows
        if len(rows) >= MAX_ROWS:
            raise ImportFileError("TOO_MANY_ROWS", f"at most {MAX_ROWS} rows")
        rows.append(RawRow(number, values))
    return rows


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if hasattr(value, "strftime"):  # Excel dates arrive as datetime
        return value.strftime("%Y-%m-%d %H:%M")  # type: ignore[no-any-return]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_rows(path: Path) -> list[RawRow]:
    """The data rows of a .csv or .xlsx file; ``ImportFileError`` if the file is unusable."""
    if not path.is_file():
        raise ImportFileError("NO_FILE", str(path))
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ImportFileError("FILE_TOO_LARGE", f"at most {MAX_FILE_BYTES // 2**20} MiB")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv(path.read_bytes())
    if suffix == ".xlsx":
        return read_xlsx(path)
    raise ImportFileError("UNSUPPORTED_TYPE", "use .csv or .xlsx")


def read_csv(data: bytes) -> list[RawRow]:
    """Rows of CSV bytes (UTF-8, with or without BOM, or GB18030)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise ImportFileError("BAD_ENCODING")
    return _rows(iter(csv.reader(io.StringIO(text))))


def read_xlsx(path: Path) -> list[RawRow]:
    """Rows of the first sheet of an .xlsx workbook."""
    from openpyxl import load_workbook  # noqa: PLC0415 (a few hundred ms: only for a workbook)

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for a damaged file
        raise ImportFileError("BAD_XLSX", type(error).__name__) from error
    try:
        sheet = workbook.worksheets[0]
        table = ([_cell_text(cell) for cell in row] for row in sheet.iter_rows(values_only=True))
        return _rows(table)
    finally:
        workbook.close()


def write_template(path: Path) -> None:
    """The template a clerk downloads: Chinese headers and one example row (.xlsx or .csv)."""
    header = list(COLUMNS.values())
    example = [EXAMPLE_ROW.get(field, "") for field in COLUMNS]
    if path.suffix.lower() == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as file:
            writer = csv.writer(file)
            writer.writerow(header)
            writer.writerow(example)
        return
    from openpyxl import Workbook  # noqa: PLC0415 (a few hundred ms: only for a workbook)

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "报备"
    sheet.append(header)
    sheet.append(example)
    for index, title in enumerate(header):
        sheet.column_dimensions[chr(ord("A") + index)].width = max(12, 2 * len(title) + 4)
    workbook.save(path)
