"""Issuing keys: Ed25519 key pairs whose private halves live in files, never in the database.

The database holds the public trust list (key id, public key, validity, withdrawn) so every
station can verify offline; the private key of each pair is a PKCS#8 PEM file in a key folder
beside the database, readable by its owner only (folder 0700, file 0600), optionally encrypted
with a passphrase. A private key never appears in the QR, a log line or an export.

Rotation makes a new key the one that signs; older keys keep verifying the passes they signed
until those expire. Withdrawing a key invalidates every pass it signed (``KEY_NOT_VALID``).

The same folder holds the *log key* (``audit-log.pem``) that signs audit chain heads, and the
head journal (``audit-heads.jsonl``, one signed head per line): kept outside the database, so
someone who rewrites or truncates the database file cannot also rewrite what was signed.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from core.audit import SignedHead
from core.token import key_id

KEY_LIFETIME = timedelta(days=730)  # long enough that a pass never outlives its key


def public_raw(private_key: Ed25519PrivateKey) -> bytes:
    """The raw 32-byte public key of ``private_key``."""
    return private_key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )


@dataclass(frozen=True)
class IssuingKey:
    """A key's public record, as stored in the trust list."""

    kid: bytes
    public_key: bytes
    created_at: datetime
    valid_from: datetime
    valid_until: datetime
    retired_at: datetime | None = None  # after rotation: verifies, no longer signs
    withdrawn_at: datetime | None = None  # withdrawn: every pass it signed is invalid

    @property
    def kid_hex(self) -> str:
        """The key id as 16 hex characters (file name, logs, UI)."""
        return self.kid.hex()

    def can_sign(self, now: datetime, until: datetime) -> bool:
        """True if this key may sign a pass issued ``now`` and valid until ``until``."""
        return (
            self.retired_at is None
            and self.withdrawn_at is None
            and self.valid_from <= now
            and until <= self.valid_until
        )


def _link_new(source: Path, target: Path) -> None:
    """Give ``source`` the name ``target``; ``FileExistsError`` if ``target`` exists."""
    try:
        os.link(source, target)
    except FileExistsError:
        raise
    except OSError:
        # A file system without hard links (a FAT-formatted stick): check, then rename.
        if target.exists():
            raise FileExistsError(str(target)) from None
        os.replace(source, target)


class KeyFolder:
    """The owner-only folder of private key files."""

    def __init__(self, folder: Path, passphrase: bytes | None = None) -> None:
        self.folder = folder
        self._passphrase = passphrase

    @property
    def log_key_path(self) -> Path:
        return self.folder / "audit-log.pem"

    @property
    def journal_path(self) -> Path:
        return self.folder / "audit-heads.jsonl"

    def _path(self, kid: bytes) -> Path:
        return self.folder / f"{kid.hex()}.pem"

    def create(self, now: datetime, lifetime: timedelta = KEY_LIFETIME) -> IssuingKey:
        """Generate a key pair, write the private key (0600), return the public record."""
        private_key = Ed25519PrivateKey.generate()
        raw = public_raw(private_key)
        kid = key_id(raw)
        self._write_private(self._path(kid), private_key)
        # Pass times are whole seconds (CWT NumericDate): a window starting at 08:00:00.5 could
        # not sign a pass issued within that second, nor verify it.
        start = now.replace(microsecond=0)
        return IssuingKey(kid, raw, now, start, start + lifetime)

    def load(self, kid: bytes) -> Ed25519PrivateKey:
        """The private key with id ``kid``; ``FileNotFoundError`` if this machine lacks it."""
        key = serialization.load_pem_private_key(
            self._path(kid).read_bytes(), password=self._passphrase
        )
        if not isinstance(key, Ed25519PrivateKey) or key_id(public_raw(key)) != kid:
            raise ValueError(f"key file {kid.hex()} does not hold that Ed25519 key")
        return key

    def has(self, kid: bytes) -> bool:
        """True if the private key of ``kid`` is on this machine."""
        return self._path(kid).exists()

    def _write_private(self, path: Path, private_key: Ed25519PrivateKey) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        os.chmod(self.folder, 0o700)
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(self._passphrase)
            if self._passphrase
            else serialization.NoEncryption()
        )
        pem = private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )
        # O_EXCL + mode 0600 at creation: the key is never readable by others, not even briefly.
        # Written aside and linked into place, so a crash or a full disk never leaves a
        # half-written key under the real name, and an existing key is never replaced.
        partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(pem)
                file.flush()
                os.fsync(file.fileno())
            _link_new(partial, path)
        finally:
            partial.unlink(missing_ok=True)

    def log_key(self) -> Ed25519PrivateKey:
        """The log key, created on first use."""
        if not self.log_key_path.exists():
            # Another process (the CLI beside the GUI) may create it at the same moment:
            # the first one wins and both then sign with it.
            with contextlib.suppress(FileExistsError):
                self._write_private(self.log_key_path, Ed25519PrivateKey.generate())
        key = serialization.load_pem_private_key(
            self.log_key_path.read_bytes(), password=self._passphrase
        )
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("audit-log.pem does not hold an Ed25519 key")
        return key

    def log_public_key(self) -> Ed25519PublicKey | None:
        """The public half of the log key, or None when this machine has no log key."""
        if not self.log_key_path.exists():
            return None
        return self.log_key().public_key()

    def append_head(self, head: SignedHead) -> None:
        """Add a signed head to the journal (flushed to disk before returning)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        line = json.dumps(head.as_json(), separators=(",", ":")) + "\n"
        descriptor = os.open(self.journal_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(descriptor, "a", encoding="ascii") as file:
            file.write(line)
            file.flush()
            os.fsync(file.fileno())

    def journal_heads(self) -> list[SignedHead]:
        """Every head in the journal; a damaged line is skipped (its head is in the database)."""
        if not self.journal_path.exists():
            return []
        heads: list[SignedHead] = []
        for line in self.journal_path.read_text(encoding="ascii", errors="replace").splitlines():
            try:
                heads.append(SignedHead.from_json(json.loads(line)))
            except (ValueError, KeyError, TypeError):
                continue
        return heads
