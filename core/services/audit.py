"""Reading, sealing, exporting and verifying the audit chain.

Heads are *sealed* (signed with the log key and stored both in the database and in the
journal beside the key) when ``seal_if_due`` finds ``Settings.audit_head_every`` new entries
or ``SEAL_AFTER`` since the last head with anything new, and always at an export. The GUI
calls ``seal_if_due`` on a timer and when it closes; the CLI after every command.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from core import audit as chain
from core.audit import (
    ChainReport,
    Progress,
    SignedHead,
    apply_restores,
    canonical_details,
    latest_head,
    sign_head,
    verify_parts,
    verify_stored,
)
from core.clock import Clock, from_millis, system_clock, to_millis
from core.errors import KeysUnavailable
from core.keys import KeyFolder
from core.models import AuditEntry, Page, User
from core.permissions import Action, require
from core.ports import AuditQuery, Store
from core.services.base import Service
from core.settings import settings_from

SEAL_AFTER = timedelta(minutes=10)
EXPORT_COLUMNS = (
    "seq",
    "at",
    "actor",
    "action",
    "entity",
    "entity_id",
    "details",
    "prev_hash",
    "hash",
)


class AuditService(Service):
    """Supervisors and admins read the log and check that nobody rewrote the record."""

    def __init__(
        self, store: Store, clock: Clock = system_clock, keys: KeyFolder | None = None
    ) -> None:
        super().__init__(store, clock)
        self.keys = keys

    def search(self, actor: User, query: AuditQuery) -> Page[AuditEntry]:
        """A filtered page of the log, newest first."""
        require(actor, Action.VIEW_AUDIT)
        return self.store.audit.search(query)

    def count(self, actor: User) -> int:
        """How many entries the log holds (the verification progress bar's maximum)."""
        require(actor, Action.VIEW_AUDIT)
        return self.store.audit.count()

    def heads(self) -> list[SignedHead]:
        """Every signed head known: the database's and the journal's."""
        journal: list[SignedHead] = []
        if self.keys is not None:
            journal = apply_restores(self.keys.journal_heads(), self.keys.log_public_key())
        return [*self.store.audit.heads(), *journal]

    def verify(self, actor: User, progress: Progress | None = None) -> ChainReport:
        """Recompute every link and check every signed head; the first bad entry is reported.

        Without the log key (another machine, no key folder) signatures cannot be checked:
        the chain is still verified and the report says ``heads_checked: false``."""
        require(actor, Action.VIEW_AUDIT)
        public_key = self.keys.log_public_key() if self.keys is not None else None
        log, heads = self.store.audit, self.heads()
        parts = log.checked_parts()
        if parts is None:
            return verify_stored(log.encoded_entries(), log.raw_entry, heads, public_key, progress)
        return verify_parts(parts, log.encoded_entries, log.raw_entry, heads, public_key, progress)

    def seal(self, now: datetime | None = None) -> SignedHead | None:
        """Sign the current head now (no-op when it is already signed or the log is empty).

        Raises ``KeysUnavailable`` when there is no key folder to hold the log key."""
        if self.keys is None:
            raise KeysUnavailable("no key folder: the audit head cannot be signed")
        head = self.store.audit.head()
        if head is None:
            return None
        last = latest_head(self.store.audit.heads())
        if last is not None and last.seq == head[0]:
            return None
        signed = sign_head(head[0], head[1], to_millis(now or self.clock()), self.keys.log_key())
        with self.store.transaction() as tx:
            tx.audit.add_head(signed)
        # After the commit: a journal line must never name an entry that was rolled back.
        self.keys.append_head(signed)
        return signed

    def seal_if_due(self, now: datetime | None = None) -> SignedHead | None:
        """Seal when enough entries or enough time have gone by since the last head."""
        if self.keys is None:
            return None
        head = self.store.audit.head()
        if head is None:
            return None
        moment = now or self.clock()
        last = latest_head(self.store.audit.heads())
        unsigned = head[0] - (last.seq if last else 0)
        every = settings_from(self.store.settings.all()).audit_head_every
        stale = last is None or moment - from_millis(last.at) >= SEAL_AFTER
        if unsigned >= every or (unsigned > 0 and stale):
            return self.seal(moment)
        return None

    def export(
        self,
        actor: User,
        path: Path,
        query: AuditQuery | None = None,
        progress: Progress | None = None,
    ) -> SignedHead:
        """Write the log (or the entries matching ``query``) as CSV, oldest first, ending with
        the signed head that covers the export itself; the export is audited.

        Entries appended by others while the file is written come after that head and are
        left out, so the file ends exactly at the head it carries: a full export can be
        checked on its own by recomputing each hash from the row before it.

        ``progress`` gets the number of entries written every ``core.audit.PROGRESS_EVERY``
        entries and at the end (its last call says how many were written); an exception it
        raises ends the export, the file left as far as it got."""
        require(actor, Action.VIEW_AUDIT)
        if self.keys is None:
            raise KeysUnavailable("no key folder: an export needs a signed head")
        with self.store.transaction() as tx:
            self.audit(tx, actor, "audit.export", "audit_log", "-", {"file": path.name})
        head = self.seal() or latest_head(self.store.audit.heads())
        assert head is not None  # the export entry itself was just appended and sealed
        rows = self._all_rows(head.seq) if query is None else self._matching_rows(query, head.seq)
        every = chain.PROGRESS_EVERY  # read at the call, as verification does (tests lower it)
        written = 0
        with path.open("w", encoding="utf-8-sig", newline="") as file:
            writer = csv.writer(file)
            writer.writerow(EXPORT_COLUMNS)
            for written, row in enumerate(rows, 1):
                writer.writerow(row)
                if progress is not None and written % every == 0:
                    progress(written)
            writer.writerow(["# head", head.seq, head.hash, head.key_id, head.signature.hex()])
        if progress is not None and (written == 0 or written % every):
            progress(written)  # the end, unless the last call above already said so
        return head

    def _all_rows(self, last_seq: int) -> Iterator[list[object]]:
        """Every entry up to ``last_seq`` as stored, streamed (a million rows never sit in
        memory, and no OFFSET scan grows with the log)."""
        for row in self.store.audit.raw_entries():
            if row.seq > last_seq:
                return
            yield [
                row.seq,
                _iso(row.at),
                row.actor,
                row.action,
                row.entity,
                row.entity_id,
                row.details,
                row.prev_hash,
                row.hash,
            ]

    def _matching_rows(self, query: AuditQuery, last_seq: int) -> Iterator[list[object]]:
        page_size = 5000
        offset = 0
        while True:
            page = self.store.audit.search(
                replace(query, sort="seq", descending=False, limit=page_size, offset=offset)
            )
            for entry in page.rows:
                if entry.seq > last_seq:
                    return
                yield _export_row(entry)
            offset += page_size
            if offset >= page.total or not page.rows:
                return


def _iso(at_ms: object) -> str:
    """A stored time as ISO 8601 UTC (the text as it stands if a tampered row holds no time)."""
    try:
        return from_millis(int(at_ms)).isoformat()  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError, OSError):
        return str(at_ms)


def _export_row(entry: AuditEntry) -> list[object]:
    return [
        entry.seq,
        entry.at.isoformat(),
        entry.actor,
        entry.action,
        entry.entity,
        entry.entity_id,
        canonical_details(entry.details),
        entry.prev_hash,
        entry.hash,
    ]


def journal_restore(keys: KeyFolder, head: tuple[int, str] | None, now: datetime) -> None:
    """Record in the head journal that the database was restored to ``head``: the heads
    signed since the backup name entries the restore removed on purpose (``apply_restores``)."""
    if head is None:
        return
    marker = sign_head(head[0], head[1], to_millis(now), keys.log_key(), restore=True)
    keys.append_head(marker)
