"""LoopPass 闭环通行证 — entry point: parse the command line, open the database, run.

Composition only. ``python main.py`` starts the GUI; ``python main.py COMMAND`` runs one
command with the same services (see ``--help``). Exit codes: 0 ok, 1 a check failed,
2 bad usage or input (message on stderr, nothing changed).
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import os
import shutil
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import platformdirs

from core import commands
from core.commands import EXIT_BAD_INPUT, Result
from core.errors import DomainError
from core.forms import FormInvalid
from core.keys import KeyFolder
from core.models import PassStatus, User
from core.reports import Lang, ReportFormat, report_document, report_text
from core.services import Services, key_folder_for
from core.validation import ValidationError
from core.version import __version__

APP_NAME = "LoopPass"
log = logging.getLogger("looppass")


def default_db_path() -> Path:
    """``$LOOPPASS_DB``, else ``looppass.db`` in the platform's user-data folder."""
    env = os.environ.get("LOOPPASS_DB")
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "looppass.db"


def build_parser() -> argparse.ArgumentParser:
    """The command line of ARCHITECTURE.md."""
    parser = argparse.ArgumentParser(
        prog="looppass", description="LoopPass 闭环通行证 — logistics passes"
    )
    parser.add_argument(
        "--db", type=Path, help="database file (default: $LOOPPASS_DB or the user-data folder)"
    )
    parser.add_argument("--user", default=os.environ.get("LOOPPASS_USER"))
    parser.add_argument("--password", default=os.environ.get("LOOPPASS_PASSWORD"))
    parser.add_argument("--json", action="store_true", help="one JSON document on stdout")
    parser.add_argument("--lang", choices=("zh_CN", "en"), help="GUI language")
    parser.add_argument("--version", action="version", version=f"LoopPass {__version__}")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check this installation (database, pass, QR decoding, GUI) and exit 0 or 1; "
        "with --db, that file is checked read-only",
    )
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("gui", help="start the GUI (the default)")
    sub.add_parser("demo", help="create a new database with demo data (refuses to overwrite)")
    sub.add_parser("where", help="print the database path in use")
    sub.add_parser("checkpoints", help="list checkpoints: code, name, kind, enterprise")
    _add_supervision_commands(sub)
    apply = sub.add_parser("apply", help="file applications from a CSV/XLSX file (clerk)")
    apply.add_argument("file", type=Path)
    approve = sub.add_parser("approve", help="approve applications; issues their passes")
    approve.add_argument("ids", type=int, nargs="+")
    reject = sub.add_parser("reject", help="reject an application")
    reject.add_argument("id", type=int)
    reject.add_argument("--reason", required=True)
    passes = sub.add_parser("passes", help="list passes: serial, plate, status")
    passes.add_argument(
        "--status", choices=[s.value for s in PassStatus] + [s.value.lower() for s in PassStatus]
    )
    one = sub.add_parser("pass", help="one pass").add_subparsers(dest="pass_command")
    show = one.add_parser("show", help="pass details, token text and route")
    show.add_argument("serial")
    export = one.add_parser("export", help="write the QR code (PNG) and/or the pass (PDF)")
    export.add_argument("serial")
    export.add_argument("--png", type=Path)
    export.add_argument("--pdf", type=Path)
    export.add_argument("--page", choices=("A6", "A4", "a6", "a4"), default="A6")
    revoke = one.add_parser("revoke", help="revoke a pass")
    revoke.add_argument("serial")
    revoke.add_argument("--reason", required=True)
    scan = sub.add_parser("scan", help="scan a pass at a checkpoint (operator or supervisor)")
    scan.add_argument("--checkpoint", required=True)
    source = scan.add_mutually_exclusive_group(required=True)
    source.add_argument("--token", help="the scanned text")
    source.add_argument("--image", type=Path, help="an image holding the QR code")
    source.add_argument("--video", type=Path, help="a video file (as from a camera)")
    scan.add_argument("--at", type=_moment, help="the scan time, ISO-8601 (default: now)")
    decode = sub.add_parser("decode", help="every QR text found in each image")
    decode.add_argument("images", type=Path, nargs="+")
    sms = sub.add_parser("sms", help="SMS outbox").add_subparsers(dest="sms_command")
    sms.add_parser("deliver", help="send due texts once through the configured gateway")
    _add_backup_commands(_with_settings_commands(sub))
    return _with_report_commands(parser, sub)


def _add_supervision_commands(sub: Any) -> None:
    """``audit verify|export``, ``trace`` and ``retention purge``."""
    audit = sub.add_parser("audit", help="audit log").add_subparsers(dest="audit_command")
    audit.add_parser("verify", help="check the hash chain and the signed heads")
    audit_export = audit.add_parser("export", help="write the log as CSV with its signed head")
    audit_export.add_argument("--csv", type=Path, required=True, dest="csv_file")
    trace = sub.add_parser("trace", help="a truck's passes, scans and loop (supervisor)")
    trace.add_argument("query", help="plate, pass serial (or its start), driver name or phone")
    retention = sub.add_parser("retention", help="personal-data retention").add_subparsers(
        dest="retention_command"
    )
    retention.add_parser("purge", help="anonymize trips closed longer ago than the setting")


def _with_settings_commands(sub: Any) -> Any:
    """``sub`` with ``settings show`` and ``settings set KEY VALUE`` added (returned, so
    build_parser stays within the statement limit)."""
    settings = sub.add_parser("settings", help="deployment settings")
    actions = settings.add_subparsers(dest="settings_command")
    actions.add_parser("show", help="every setting (the SMS gateway token masked)")
    change = actions.add_parser("set", help="change one setting (administrator)")
    change.add_argument("key", help="e.g. scan.duplicate_window (see 'settings show')")
    change.add_argument("value", help="the new value; '-' reads it from stdin (for the token)")
    return sub


def _setting_value(text: str) -> str:
    """The value typed, or one line from stdin for '-' (a token stays out of shell history)."""
    return sys.stdin.readline().rstrip("\r\n") if text == "-" else text


def _add_backup_commands(sub: Any) -> None:
    sub.add_parser("backup", help="back up the database now (checked before it is kept)")
    restore = sub.add_parser("restore", help="replace the database by a backup (admin)")
    restore.add_argument("file", type=Path, help="the backup file")
    restore.add_argument("--yes", action="store_true", help="confirm replacing the database")


def _with_report_commands(parser: argparse.ArgumentParser, sub: Any) -> argparse.ArgumentParser:
    """``parser`` with ``report daily`` added to its commands (returned, so build_parser stays
    within the statement limit)."""
    report = sub.add_parser("report", help="reports (supervisor)")
    kinds = report.add_subparsers(dest="report_command")
    daily = kinds.add_parser("daily", help="the daily report of local days FROM … TO")
    for option in ("from", "to"):
        daily.add_argument(
            f"--{option}", dest=f"report_{option}", type=_day, required=True, metavar="YYYY-MM-DD"
        )
    output = daily.add_mutually_exclusive_group()
    for kind in ReportFormat:
        output.add_argument(
            f"--{kind.value}", dest=f"report_{kind.value}", type=Path, metavar="FILE"
        )
    return parser


def _day(text: str) -> date:
    """A calendar date, YYYY-MM-DD (a local day in Asia/Shanghai)."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (use YYYY-MM-DD)") from None


def _moment(text: str) -> datetime:
    """An ISO-8601 time; without a zone it is the station's local time."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.astimezone()


def _emit(result: Result, as_json: bool) -> int:
    if as_json:
        print(json.dumps(result.document, ensure_ascii=False, indent=2))
    elif result.text:
        print(result.text)
    return result.exit_code


def _fail(code: str, message: str, as_json: bool) -> int:
    print(f"looppass: {message}", file=sys.stderr)
    if as_json:
        print(json.dumps({"error": code, "message": message}, ensure_ascii=False))
    return EXIT_BAD_INPUT


def _login(services: Services, args: argparse.Namespace) -> User:
    if not args.user or args.password is None:
        raise _UsageError(
            "this command needs --user and --password (or LOOPPASS_USER and LOOPPASS_PASSWORD)"
        )
    return services.accounts.login(args.user, args.password)


class _UsageError(Exception):
    pass


def _open(path: Path) -> Services:
    from db.store import open_store

    services = Services.build(open_store(path), keys=KeyFolder(key_folder_for(path)))
    services.passes.mark_expired()  # a pass past its validity shows EXPIRED everywhere
    return services


def run_command(args: argparse.Namespace, db_path: Path) -> int:
    """Run one non-GUI command; returns the exit code."""
    offline = {
        "where": lambda: Result(0, {"database": str(db_path)}, str(db_path)),
        "decode": lambda: _decode(args.images),
    }
    if args.command in offline:
        return _emit(offline[args.command](), args.json)
    if args.command == "restore":
        return _restore(args, db_path)
    if args.command == "demo":
        return _demo(db_path, args.json)
    if not db_path.exists():
        return _fail("NO_DATABASE", f"no database at {db_path} (create one with 'demo')", args.json)
    services = _open(db_path)
    try:
        if args.command == "checkpoints":
            return _emit(commands.checkpoints(services), args.json)
        try:
            return _emit(_signed_in_command(services, args), args.json)
        finally:
            _seal_quietly(services)  # a signed-in command appends at least its login entry
    finally:
        services.store.close()


def _seal_quietly(services: Services) -> None:
    """Sign the audit head if due; a failure here must not change the command's outcome."""
    try:
        services.audit.seal_if_due()
    except (DomainError, OSError, ValueError):
        logging.getLogger(__name__).warning("could not seal the audit head", exc_info=True)


def _signed_in_command(services: Services, args: argparse.Namespace) -> Result:
    """The commands that act as the signed-in user."""
    command = args.command
    sub_command = getattr(args, f"{command}_command", None)
    if sub_command:
        command = f"{command} {sub_command}"
    runners = {
        "audit verify": lambda user: commands.audit_verify(services, user),
        "audit export": lambda user: commands.audit_export(services, user, args.csv_file),
        "trace": lambda user: commands.trace(services, user, args.query),
        "retention purge": lambda user: commands.retention_purge(services, user),
        "sms deliver": lambda _user: commands.sms_deliver(services),
        "settings show": lambda _user: commands.settings_show(services),
        "settings set": lambda user: commands.settings_set(
            services, user, args.key, _setting_value(args.value)
        ),
        "backup": lambda user: _backup(services, user),
        "apply": lambda user: commands.apply(services, user, args.file),
        "approve": lambda user: commands.approve(services, user, args.ids),
        "reject": lambda user: commands.reject(services, user, args.id, args.reason),
        "passes": lambda user: commands.passes(services, user, args.status),
        "pass show": lambda user: commands.pass_show(services, user, args.serial),
        "scan": lambda user: commands.scan(
            services, user, args.checkpoint, _scanned_texts(args), args.at
        ),
        "pass export": lambda user: commands.pass_export(
            services, user, args.serial, args.png, args.pdf, args.page
        ),
        "pass revoke": lambda user: commands.pass_revoke(services, user, args.serial, args.reason),
        "report daily": lambda user: _report_daily(services, user, args),
    }
    runner = runners.get(command)
    if runner is None:
        raise _UsageError(f"unknown command {command}; see --help")
    return runner(_login(services, args))


def _report_daily(services: Services, user: User, args: argparse.Namespace) -> Result:
    """``report daily``: the report as a table (or JSON), or written to the one file asked for."""
    report = services.reports.daily(user, args.report_from, args.report_to)
    lang: Lang = "en" if args.lang == "en" else "zh"
    for kind in ReportFormat:
        path = getattr(args, f"report_{kind.value}")
        if path is not None:
            services.reports.export(user, report, path, kind, lang)
            document = {"file": str(path), "format": kind.value}
            document |= {"from": report.start.isoformat(), "to": report.end.isoformat()}
            return Result(0, document, f"{kind.value}: {path}")
    return Result(0, report_document(report), report_text(report, lang))


def _backup(services: Services, user: User) -> Result:
    """``backup``: ``{"path", "bytes", "entries", "ok"}``; exit 1 if the copy failed its check."""
    report = services.backup.create(user)
    if report.ok:
        text = f"backup saved: {report.path} ({report.size} bytes, {report.entries} audit entries)"
        return Result(0, report.as_json(), text)
    text = f"backup FAILED its check ({report.problem}); no backup kept, none rotated"
    return Result(1, report.as_json(), text)


def _restore(args: argparse.Namespace, db_path: Path) -> int:
    """``restore FILE --yes``: replace the database by a checked backup (administrator).

    The password is checked against the live database, or against the backup when the live
    database is too damaged to read its accounts.
    """
    from core.errors import BackupCorrupt
    from core.services.backup import BackupService
    from db.backup import SqliteBackups, login_store

    if not args.yes:
        return _fail(
            "CONFIRM",
            f"restore replaces {db_path} by {args.file}: whatever was recorded after that "
            "backup is no longer in the database (the current file is kept aside). "
            "Add --yes to confirm.",
            args.json,
        )
    if not args.file.is_file():
        return _fail("NO_FILE", f"no backup file at {args.file}", args.json)
    try:
        store, scratch = login_store(db_path, args.file)
    except BackupCorrupt as error:
        return _restore_refused(args, error)
    try:
        user = _login(Services.build(store), args)
        backups = SqliteBackups(db_path)
        keys = KeyFolder(key_folder_for(db_path))  # the head journal learns of the restore
        report = BackupService(store, backups=backups, keys=keys).restore(user, args.file)
    except BackupCorrupt as error:
        return _restore_refused(args, error)
    finally:
        store.close()
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    aside = ", ".join(str(path) for path in report.kept_aside) or "nothing"
    text = (
        f"restored {db_path} from {args.file} ({report.entries} audit entries); kept aside: {aside}"
    )
    return _emit(Result(0, report.as_json(), text), args.json)


def _restore_refused(args: argparse.Namespace, error: Any) -> int:
    """A backup that failed its check: exit 1, nothing changed."""
    message = f"{args.file} failed its check ({error.problem}); nothing was changed"
    print(f"looppass: {message}", file=sys.stderr)
    document = {"ok": False, "problem": error.problem, "message": message}
    return _emit(Result(1, document, ""), args.json)


def _decode(images: list[Path]) -> Result:
    """Every QR text in each image: ``[{"file": path, "texts": [...]}, ...]``."""
    from core import scanning

    decoder = scanning.default_decoder()
    found = [
        {"file": str(image), "texts": scanning.decode_file(image, decoder)} for image in images
    ]
    lines = [f"{item['file']}: {len(item['texts'])} code(s)" for item in found]
    for item in found:
        lines += [f"  {text}" for text in item["texts"]]
    return Result(0, found, "\n".join(lines))


def _scanned_texts(args: argparse.Namespace) -> list[str]:
    """The texts to verify: the typed token, or the QR codes an image or a video holds."""
    if args.token is not None:
        return [args.token]
    from core import scanning

    decoder = scanning.default_decoder()
    if args.image is not None:
        return scanning.decode_file(args.image, decoder)[:1]
    return scanning.decode_video(args.video, decoder, scanning.Debouncer())


def _demo(db_path: Path, as_json: bool) -> int:
    from core import demo

    if db_path.exists() and db_path.stat().st_size > 0:
        return _fail(
            "EXISTS", f"{db_path} already exists; demo never overwrites a database", as_json
        )
    keys = key_folder_for(db_path)
    had_keys = keys.exists()
    services = _open(db_path)
    try:
        demo.populate(services.store, datetime.now(UTC), keys=KeyFolder(keys), history=True)
        services.audit.seal()  # the demo's history starts out signed
    except BaseException:
        # A half-made demo is no use: remove what we created, or the next 'demo' would
        # refuse to overwrite it.
        services.store.close()
        for leftover in (db_path, *(db_path.with_name(db_path.name + s) for s in ("-wal", "-shm"))):
            leftover.unlink(missing_ok=True)
        if not had_keys:
            shutil.rmtree(keys, ignore_errors=True)
        raise
    services.store.close()
    document: dict[str, Any] = {
        "database": str(db_path),
        "users": list(demo.DEMO_USERS),
        "password": demo.DEMO_PASSWORD,
    }
    text = (
        f"demo database created: {db_path}\nusers: {', '.join(demo.DEMO_USERS)} "
        f"(password {demo.DEMO_PASSWORD})"
    )
    return _emit(Result(0, document, text), as_json)


def _setup_logging() -> None:
    log_dir = Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.FileHandler(log_dir / "looppass.log", encoding="utf-8")
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.INFO)


def _self_test(args: argparse.Namespace) -> int:
    """``--self-test``: the steps of core.selftest plus the GUI check; 0 ok, 1 failed."""
    from core.selftest import SelfTestContext, run_self_test
    from db.health import inspect_file
    from db.store import SqliteStore, open_store

    def gui(context: SelfTestContext) -> str:
        from ui.selftest import gui_check  # Qt loads here: its failure is a failed step

        return gui_check(context)

    def audit_workers(context: SelfTestContext) -> str:
        from db.audit_chain import check_in_worker

        store = context.store
        assert isinstance(store, SqliteStore)
        with store.transaction():  # a short chain in the temporary database, for the worker
            for number in range(3):
                store.audit.append(context.clock(), "self-test", "selftest", "-", "", {"n": number})
        return check_in_worker(store.conn)

    report = run_self_test(
        args.db,
        open_store=open_store,
        inspect_file=inspect_file,
        extra_checks=[("audit workers", audit_workers), ("gui", gui)],
    )
    print(report.json() if args.json else report.text())
    return 0 if report.ok else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; never lets a traceback reach the user."""
    _setup_logging()
    args = build_parser().parse_args(argv)
    if args.self_test:
        return _self_test(args)
    db_path = args.db or default_db_path()
    if args.command in (None, "gui"):
        from ui.app import run_gui

        return run_gui(db_path, lang=args.lang, user=args.user, password=args.password)
    try:
        return run_command(args, db_path)
    except _UsageError as error:
        return _fail("USAGE", str(error), args.json)
    except (DomainError, FormInvalid, ValidationError) as error:
        code, message = commands.describe_error(error)
        return _fail(code, message, args.json)
    except BrokenPipeError:
        raise  # the reader of our output went away: handled quietly below
    except Exception:
        log.exception("command %s failed", args.command)
        return _fail("INTERNAL", "internal error; details are in the log file", args.json)


def _exit_quietly_on_closed_pipe() -> int:
    """``looppass … | head``: the reader went away; that is not an error worth a traceback."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 0


if __name__ == "__main__":
    # In the bundle, a worker process that checks part of the audit chain starts as this
    # program again: this hands it to its task instead of running LoopPass a second time.
    multiprocessing.freeze_support()
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:
        code = _exit_quietly_on_closed_pipe()
    sys.exit(code)
