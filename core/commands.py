"""The command-line commands, as functions of the services: same rules as the GUI.

Each returns a ``Result``: the exit code (0 ok, 1 a check failed, 2 bad usage or input), the
JSON document for ``--json`` and the plain text for people. ``main.py`` parses arguments,
opens the database and prints; nothing here prints or touches SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from core.errors import AccountLocked, DomainError
from core.forms import FormInvalid
from core.importing import ImportFileError, read_rows
from core.models import PassStatus, User, Verdict
from core.pass_document import pass_pdf, qr_png
from core.ports import PassQuery
from core.services import Services
from core.services.applications import ImportRejected
from core.settings import SETTING_SPECS
from core.supervision import LOCAL_TZ, PassTrace
from core.validation import ValidationError

EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_BAD_INPUT = 2


@dataclass(frozen=True)
class Result:
    """What a command produced."""

    exit_code: int
    document: Any
    text: str


def checkpoints(services: Services) -> Result:
    """Every checkpoint: code, name, kind, and for ENTERPRISE points the enterprise name.

    Checkpoints are public reference data (gates are signposted roads), so this command needs
    no login; it reads the repository directly rather than through a role check.
    """
    points = services.store.checkpoints.list_all()
    names = {}
    for point in points:
        if point.enterprise_id is not None:
            enterprise = services.store.enterprises.get(point.enterprise_id)
            names[point.enterprise_id] = enterprise.name if enterprise else ""
    document = [
        {
            "code": point.code,
            "name": point.name,
            "kind": point.kind.value,
            "enterprise": names.get(point.enterprise_id) if point.enterprise_id else None,
        }
        for point in points
    ]
    width = max((len(point.code) for point in points), default=4)
    lines = [f"{p.code:<{width}}  {p.kind.value:<10}  {p.name}" for p in points]
    return Result(EXIT_OK, document, "\n".join(lines))


def audit_verify(services: Services, actor: User) -> Result:
    """Check the audit chain; exit 1 if it is broken."""
    report = services.audit.verify(actor)
    if not report.ok:
        text = f"audit chain BROKEN at entry {report.first_bad}: {report.problem}"
    elif not report.heads_checked:
        text = f"audit chain ok: {report.entries} entries (no log key here: heads not checked)"
    else:
        text = (
            f"audit chain ok: {report.entries} entries, signed through entry"
            f" {report.signed_through or 0}, {report.unsigned_tail} after the last signed head"
        )
    return Result(EXIT_OK if report.ok else EXIT_CHECK_FAILED, report.as_json(), text)


def audit_export(services: Services, actor: User, path: Path) -> Result:
    """Write the audit log as CSV ending with the signed head that covers it."""
    head = services.audit.export(actor, path)
    document = {"file": str(path), "head": head.as_json()}
    return Result(EXIT_OK, document, f"{path}: entries 1–{head.seq}, head {head.hash}")


# English text for the reason codes of import rows (the GUI shows them in Chinese).
ROW_MESSAGES = {
    "REQUIRED": "required",
    "TOO_LONG": "too long",
    "BAD_FORMAT": "wrong format",
    "BAD_CHECKSUM": "check character does not match",
    "BAD_DATE": "not a valid date, or outside the planning window",
    "FUTURE_DATE": "birth date in the future",
    "BAD_REGION": "not a province code",
    "BAD_PROVINCE": "plate must start with a province abbreviation",
    "BAD_CHARACTER": "contains a character that is not allowed",
    "INNER_WHITESPACE": "spaces inside the number",
    "FORBIDDEN_LETTER": "plates never use I or O",
    "UNRECOGNIZED_PLATE": "not a known plate format",
    "UNKNOWN_REGION": "unknown region code",
    "REGISTERED_ELSEWHERE": "registered by another enterprise",
    "NAME_MISMATCH": "this ID number is registered under another name",
    "NO_ROWS": "the file has no data rows",
}


def apply(services: Services, actor: User, file: Path) -> Result:
    """File one application per row of a CSV/XLSX file; all rows or none."""
    try:
        created = services.importer.import_rows(actor, read_rows(file))
    except ImportFileError as error:
        errors: list[dict[str, Any]] = [
            {
                "row": None,
                "field": "file",
                "code": error.code,
                "message": f"{error.code.lower().replace('_', ' ')} {error.detail}".strip(),
            }
        ]
        return Result(
            EXIT_BAD_INPUT, {"created": [], "errors": errors}, f"{file}: {errors[0]['message']}"
        )
    except ImportRejected as rejected:
        errors = [
            {
                "row": e.row,
                "field": e.field,
                "code": e.code,
                "message": ROW_MESSAGES.get(e.code, e.code),
            }
            for e in rejected.errors
        ]
        lines = [f"row {e['row']}, {e['field']}: {e['message']} ({e['code']})" for e in errors]
        text = "\n".join([f"nothing imported: {len(errors)} problem(s)", *lines])
        return Result(EXIT_BAD_INPUT, {"created": [], "errors": errors}, text)
    return Result(
        EXIT_OK,
        {"created": created, "errors": []},
        f"{len(created)} applications filed: {created[0]}–{created[-1]}",
    )


def approve(services: Services, actor: User, ids: list[int]) -> Result:
    """Approve applications; each approved one gets its pass at once."""
    result = services.passes.approve_many(actor, ids)
    document = {
        "approved": [{"application": p.application_id, "serial": p.serial} for p in result.issued],
        "refused": [{"application": i, "code": code} for i, code in result.refused],
    }
    lines = [f"{p.application_id}: pass {p.serial} ({p.plate})" for p in result.issued]
    lines += [f"{i}: refused ({code})" for i, code in result.refused]
    return Result(EXIT_OK if not result.refused else EXIT_CHECK_FAILED, document, "\n".join(lines))


def reject(services: Services, actor: User, application_id: int, reason: str) -> Result:
    """Reject one application with a reason."""
    services.applications.reject(actor, application_id, reason)
    return Result(EXIT_OK, {"rejected": application_id}, f"{application_id}: rejected")


def passes(services: Services, actor: User, status: str | None) -> Result:
    """Every pass (or those with ``status``): serial, plate, status, risk."""
    statuses = (PassStatus(status.upper()),) if status else ()
    rows: list[dict[str, str]] = []
    offset = 0
    while True:
        page = services.passes.search(
            actor, PassQuery(statuses=statuses, limit=1000, offset=offset, sort="issued_at")
        )
        rows += [
            {"serial": p.serial, "plate": p.plate, "status": p.status.value, "risk": p.risk.value}
            for p in page.rows
        ]
        offset += len(page.rows)
        if not page.rows or offset >= page.total:
            break
    text = "\n".join(f"{r['serial']}  {r['plate']:<10} {r['status']:<9} {r['risk']}" for r in rows)
    return Result(EXIT_OK, rows, text)


def pass_show(services: Services, actor: User, serial: str) -> Result:
    """One pass: details, its token text and its route."""
    issued = services.passes.get(actor, serial)
    steps = services.passes.route_of(issued)
    route = [
        {"kind": step.kind.value, "checkpoint": step.checkpoint, "done": step.done}
        for step in steps
    ]
    document = {
        "serial": issued.serial,
        "plate": issued.plate,
        "status": issued.status.value,
        "risk": issued.risk.value,
        "valid_from": issued.valid_from.isoformat(),
        "valid_until": issued.valid_until.isoformat(),
        "key_id": issued.key_id,
        "token": issued.token,
        "route": route,
    }
    path = " → ".join(
        step.kind.value
        + (f"({step.checkpoint})" if step.checkpoint else "")
        + (" ✓" if step.done else "")
        for step in steps
    )
    text = (
        f"{issued.serial}  {issued.plate}  {issued.status.value}  {issued.risk.value}\n"
        f"valid {issued.valid_from:%Y-%m-%d %H:%M} – {issued.valid_until:%Y-%m-%d %H:%M} UTC\n"
        f"route {path}\n{issued.token}"
    )
    return Result(EXIT_OK, document, text)


def pass_export(
    services: Services, actor: User, serial: str, png: Path | None, pdf: Path | None, page: str
) -> Result:
    """Write the pass's QR code as PNG and/or the printable pass as PDF (A6 or A4)."""
    if png is None and pdf is None:
        return Result(EXIT_BAD_INPUT, {"error": "USAGE"}, "give --png FILE and/or --pdf FILE")
    sheet = services.passes.sheet(actor, serial)
    written: dict[str, str] = {}
    if png is not None:
        png.write_bytes(qr_png(sheet.token))
        written["png"] = str(png)
    if pdf is not None:
        pdf.write_bytes(pass_pdf(sheet, "A4" if page.upper() == "A4" else "A6"))
        written["pdf"] = str(pdf)
    services.passes.record_export(actor, sheet.serial, sorted(written))
    return Result(
        EXIT_OK,
        {"serial": sheet.serial, **written},
        "\n".join(f"{kind}: {path}" for kind, path in written.items()),
    )


def pass_revoke(services: Services, actor: User, serial: str, reason: str) -> Result:
    """Revoke a pass with a reason."""
    services.passes.revoke(actor, serial, reason)
    return Result(EXIT_OK, {"revoked": serial}, f"{serial}: revoked")


def scan(
    services: Services, actor: User, checkpoint: str, texts: list[str], at: datetime | None
) -> Result:
    """Scan texts (a typed token, or what an image or video held) at a checkpoint.

    The JSON is the result of the last text (one per scan for ``--image``/``--video``:
    the decisive one); exit 0 only when it is GREEN. No text found is a RED NOT_A_PASS.
    """
    point = services.scans.station_checkpoint(actor, checkpoint)
    results = [services.scans.scan(actor, point, text, at) for text in texts or [""]]
    last = results[-1]
    lines = [
        f"{r.verdict.value:<5} {r.reason.value:<18} {r.plate or '-':<10} {r.step or '-'}"
        f"{'' if r.recorded else '  (repeat, not recorded)'}"
        for r in results
    ]
    return Result(
        EXIT_OK if last.verdict is Verdict.GREEN else EXIT_CHECK_FAILED,
        last.as_json(),
        "\n".join(lines),
    )


def sms_deliver(services: Services) -> Result:
    """Send the due texts of the outbox once (run it from a timer, e.g. every minute)."""
    counts = services.outbox.deliver_due()
    text = f"sent {counts['sent']}, to retry {counts['retry']}, failed {counts['failed']}"
    return Result(EXIT_OK, counts, text)


def settings_show(services: Services) -> Result:
    """Every setting, typed, with the SMS gateway token only as set or not, and the station
    PCs' rows (``station.<id>.checkpoint`` / ``.camera``)."""
    listing = services.settings.listing()
    units = {spec.key: spec.unit for spec in SETTING_SPECS}
    lines = [
        f"{key} = {value if value != '' else '(not set)'}"
        + (f" {units[key]}" if units.get(key) else "")
        for key, value in listing.items()
    ]
    return Result(EXIT_OK, listing, "\n".join(lines))


def settings_set(services: Services, actor: User, key: str, value: str) -> Result:
    """Change one setting (administrator), audited; a bad value changes nothing."""
    services.settings.update(actor, {key: value})
    shown = services.settings.listing().get(key, "")
    return Result(EXIT_OK, {"key": key, "value": shown}, f"{key} = {shown}")


def describe_error(error: Exception) -> tuple[str, str]:
    """A stable code and an English message for an expected failure."""
    if isinstance(error, FormInvalid):
        parts = [
            f"{e.field}: {e.code}" + (f" ({e.detail})" if e.detail else "") for e in error.errors
        ]
        return "INVALID_INPUT", "invalid input — " + "; ".join(parts)
    if isinstance(error, ValidationError):
        return "INVALID_INPUT", f"invalid input — {error.field}: {error.code}"
    if isinstance(error, AccountLocked):
        return error.code, f"account locked until {error.until:%Y-%m-%d %H:%M:%S} UTC"
    if isinstance(error, DomainError):
        messages = {
            "BAD_CREDENTIALS": "wrong user name or password",
            "PERMISSION_DENIED": "your role may not do this",
            "NOT_FOUND": "no such record",
            "BUSY": "the database is busy; try again",
            "STORAGE_FAILURE": "the database could not be written; nothing was changed",
            "SCHEMA_TOO_NEW": "this database was written by a newer LoopPass; please upgrade",
            "NOT_A_DATABASE": "this file is not a LoopPass database",
            "INVALID_STATE": "not possible in the record's current state (already decided?)",
            "KEYS_UNAVAILABLE": "the issuing key is not on this machine",
        }
        return error.code, messages.get(error.code, error.detail or error.code)
    return "INTERNAL", "internal error"


def trace(services: Services, actor: User, query: str) -> Result:
    """Every pass of a plate (or serial, or driver), with its scans and its loop.

    Exit 1 when nothing matches. JSON: ``{"query", "passes": [{"serial", "plate", "status",
    "enterprise", "driver", "valid_from", "valid_until", "loop": [{"step", "kind",
    "checkpoint", "state", "at", "done_at"}], "scans": [{"at", "checkpoint", "kind",
    "verdict", "reason", "operator", "step"}]}]}`` with times in ISO 8601 UTC."""
    found = services.supervision.trace(actor, query)
    document = {"query": found.query, "passes": [_trace_json(item) for item in found.passes]}
    if not found.passes:
        return Result(EXIT_CHECK_FAILED, document, f"no pass found for {query!r}")
    return Result(EXIT_OK, document, "\n\n".join(_trace_text(item) for item in found.passes))


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _trace_json(item: PassTrace) -> dict[str, Any]:
    issued = item.issued
    return {
        "serial": issued.serial,
        "plate": issued.plate,
        "status": issued.status.value,
        "enterprise": item.enterprise,
        "driver": item.driver,
        "valid_from": _iso(issued.valid_from),
        "valid_until": _iso(issued.valid_until),
        "loop": [
            {
                "step": point.step,
                "kind": point.kind.value,
                "checkpoint": point.checkpoint_code,
                "state": point.state.value,
                "at": _iso(point.at),
                "done_at": point.done_at_code,
            }
            for point in item.loop
        ],
        "scans": [
            {
                "at": _iso(scan.at),
                "checkpoint": scan.checkpoint_code,
                "kind": scan.checkpoint_kind.value,
                "verdict": scan.verdict.value,
                "reason": scan.reason,
                "operator": scan.operator,
                "step": scan.step,
            }
            for scan in item.scans
        ],
    }


def _trace_text(item: PassTrace) -> str:
    issued = item.issued
    loop = " → ".join(
        f"{point.step}[{point.state.value}"
        + (f" {point.done_at_code} {point.at.astimezone(LOCAL_TZ):%m-%d %H:%M}" if point.at else "")
        + "]"
        for point in item.loop
    )
    lines = [
        f"{issued.plate}  {issued.serial}  {issued.status.value}  {item.enterprise}",
        f"loop {loop}",
    ]
    lines += [
        f"  {scan.at.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M:%S}  {scan.checkpoint_code:<6}"
        f" {scan.verdict.value:<5} {scan.reason:<16} {scan.operator}"
        for scan in item.scans
    ]
    return "\n".join(lines)


def retention_purge(services: Services, actor: User) -> Result:
    """Anonymize the personal data of trips closed longer ago than the retention setting."""
    drivers, messages = services.supervision.purge_personal_data(actor)
    document = {"drivers": drivers, "messages": messages}
    return Result(EXIT_OK, document, f"anonymized {drivers} driver(s), cleared {messages} text(s)")
