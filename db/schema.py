"""Every table LoopPass stores, as numbered migrations (``PRAGMA user_version``).

Migration *n* takes a database from version *n-1* to *n*; each runs in one ``BEGIN IMMEDIATE``
transaction. Never edit a released migration: append a new one. A file whose version is
higher than ``SCHEMA_VERSION`` was written by a newer LoopPass and is refused.

Times are INTEGER milliseconds since the epoch (UTC); booleans are 0/1.
"""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 1: the foundation — registry, accounts, applications, passes, keys, SMS outbox, scans,
    # settings, audit chain.
    """
    CREATE TABLE enterprises (
        id            INTEGER PRIMARY KEY,
        name          TEXT NOT NULL,
        credit_code   TEXT NOT NULL UNIQUE,
        address       TEXT NOT NULL DEFAULT '',
        contact_name  TEXT NOT NULL DEFAULT '',
        contact_phone TEXT NOT NULL DEFAULT '',
        active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
        -- on the city's supply-guarantee whitelist (保供企业白名单): reviewers see a badge
        whitelisted   INTEGER NOT NULL DEFAULT 0 CHECK (whitelisted IN (0, 1))
    );
    CREATE INDEX enterprises_name ON enterprises(name);

    CREATE TABLE checkpoints (
        id            INTEGER PRIMARY KEY,
        code          TEXT NOT NULL UNIQUE,
        name          TEXT NOT NULL,
        kind          TEXT NOT NULL CHECK (kind IN ('GATE', 'ENTERPRISE', 'ISOLATION')),
        enterprise_id INTEGER REFERENCES enterprises(id),
        active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
        CHECK ((kind = 'ENTERPRISE') = (enterprise_id IS NOT NULL))
    );

    CREATE TABLE risk_regions (
        id    INTEGER PRIMARY KEY,
        code  TEXT NOT NULL UNIQUE,
        name  TEXT NOT NULL,
        level TEXT NOT NULL CHECK (level IN ('LOW', 'MEDIUM', 'HIGH'))
    );

    CREATE TABLE vehicles (
        id            INTEGER PRIMARY KEY,
        enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),
        plate         TEXT NOT NULL UNIQUE,
        plate_kind    TEXT NOT NULL,
        needs_review  INTEGER NOT NULL DEFAULT 0 CHECK (needs_review IN (0, 1)),
        description   TEXT NOT NULL DEFAULT '',
        created_at    INTEGER NOT NULL
    );
    CREATE INDEX vehicles_enterprise ON vehicles(enterprise_id, plate);
    CREATE INDEX vehicles_created ON vehicles(created_at);

    CREATE TABLE drivers (
        id            INTEGER PRIMARY KEY,
        enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),
        name          TEXT NOT NULL,
        id_number     TEXT NOT NULL UNIQUE,
        phone         TEXT NOT NULL,
        created_at    INTEGER NOT NULL
    );
    CREATE INDEX drivers_enterprise ON drivers(enterprise_id, name);
    CREATE INDEX drivers_name ON drivers(name);
    CREATE INDEX drivers_phone ON drivers(phone);
    CREATE INDEX drivers_created ON drivers(created_at);

    CREATE TABLE users (
        id              INTEGER PRIMARY KEY,
        username        TEXT NOT NULL UNIQUE COLLATE NOCASE,
        display_name    TEXT NOT NULL,
        role            TEXT NOT NULL
                        CHECK (role IN ('admin', 'clerk', 'reviewer', 'operator', 'supervisor')),
        enterprise_id   INTEGER REFERENCES enterprises(id),
        checkpoint_id   INTEGER REFERENCES checkpoints(id),
        password_hash   TEXT NOT NULL,
        failed_attempts INTEGER NOT NULL DEFAULT 0,
        locked_until    INTEGER,
        active          INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
        CHECK ((role = 'clerk') = (enterprise_id IS NOT NULL)),
        CHECK ((role = 'operator') = (checkpoint_id IS NOT NULL))
    );

    CREATE TABLE applications (
        id               INTEGER PRIMARY KEY,
        enterprise_id    INTEGER NOT NULL REFERENCES enterprises(id),
        vehicle_id       INTEGER NOT NULL REFERENCES vehicles(id),
        driver_id        INTEGER NOT NULL REFERENCES drivers(id),
        co_driver_id     INTEGER REFERENCES drivers(id),
        origin_region_id INTEGER NOT NULL REFERENCES risk_regions(id),
        cargo            TEXT NOT NULL,
        planned_arrival  INTEGER NOT NULL,
        validity_hours   INTEGER NOT NULL CHECK (validity_hours BETWEEN 1 AND 720),
        status           TEXT NOT NULL
                         CHECK (status IN ('DRAFT', 'SUBMITTED', 'APPROVED', 'REJECTED',
                                           'WITHDRAWN')),
        filed_by         INTEGER NOT NULL REFERENCES users(id),
        created_at       INTEGER NOT NULL,
        decided_by       INTEGER REFERENCES users(id),
        decided_at       INTEGER,
        decision_reason  TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX applications_queue ON applications(status, created_at);
    CREATE INDEX applications_enterprise ON applications(enterprise_id, status);
    CREATE INDEX applications_vehicle ON applications(vehicle_id);

    CREATE TABLE passes (
        serial         TEXT PRIMARY KEY,
        application_id INTEGER NOT NULL UNIQUE REFERENCES applications(id),
        plate          TEXT NOT NULL,
        risk           TEXT NOT NULL CHECK (risk IN ('LOW', 'MEDIUM', 'HIGH')),
        route          TEXT NOT NULL CHECK (route IN ('STANDARD', 'ISOLATION_LOOP')),
        status         TEXT NOT NULL
                       CHECK (status IN ('ISSUED', 'ENTERED', 'ARRIVED', 'ISOLATED', 'EXITED',
                                         'REVOKED', 'EXPIRED')),
        issued_at      INTEGER NOT NULL,
        valid_from     INTEGER NOT NULL,
        valid_until    INTEGER NOT NULL,
        key_id         TEXT NOT NULL,
        token          TEXT NOT NULL,
        revoked_at     INTEGER,
        revoke_reason  TEXT NOT NULL DEFAULT ''
    ) WITHOUT ROWID;
    CREATE INDEX passes_plate ON passes(plate, issued_at);
    CREATE INDEX passes_status ON passes(status, valid_until);

    CREATE TABLE scan_events (
        id            INTEGER PRIMARY KEY,
        at            INTEGER NOT NULL,
        checkpoint_id INTEGER NOT NULL REFERENCES checkpoints(id),
        operator_id   INTEGER NOT NULL REFERENCES users(id),
        -- no foreign key: a validly signed token whose pass is unknown here is still recorded
        serial        TEXT,
        verdict       TEXT NOT NULL CHECK (verdict IN ('GREEN', 'AMBER', 'RED')),
        reason        TEXT NOT NULL,
        step          TEXT
    );
    CREATE INDEX scan_events_serial ON scan_events(serial, at);
    CREATE INDEX scan_events_checkpoint ON scan_events(checkpoint_id, at);

    -- The public trust list; private keys live in files outside the database (core.keys).
    CREATE TABLE signing_keys (
        kid          TEXT PRIMARY KEY,
        public_key   BLOB NOT NULL CHECK (length(public_key) = 32),
        created_at   INTEGER NOT NULL,
        valid_from   INTEGER NOT NULL,
        valid_until  INTEGER NOT NULL,
        retired_at   INTEGER,
        withdrawn_at INTEGER
    ) WITHOUT ROWID;

    CREATE TABLE sms_outbox (
        id              INTEGER PRIMARY KEY,
        serial          TEXT NOT NULL REFERENCES passes(serial),
        phone           TEXT NOT NULL,
        body            TEXT NOT NULL,
        status          TEXT NOT NULL CHECK (status IN ('PENDING', 'SENT', 'FAILED')),
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        last_error      TEXT NOT NULL DEFAULT '',
        created_at      INTEGER NOT NULL,
        sent_at         INTEGER
    );
    CREATE INDEX sms_outbox_due ON sms_outbox(status, next_attempt_at);
    CREATE INDEX sms_outbox_serial ON sms_outbox(serial);

    CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE audit_log (
        seq       INTEGER PRIMARY KEY,
        at        INTEGER NOT NULL,
        actor     TEXT NOT NULL,
        action    TEXT NOT NULL,
        entity    TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        details   TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash      TEXT NOT NULL
    );
    CREATE INDEX audit_log_entity ON audit_log(entity, entity_id);
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
    -- INSERT OR REPLACE deletes without firing the delete trigger unless recursive triggers
    -- are on: refuse any insert that reuses a sequence number, on any connection.
    CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log
    WHEN EXISTS (SELECT 1 FROM audit_log WHERE seq = NEW.seq)
    BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
    """,
    # 2: supervision — when each pass last changed status (overdue legs, retention), indexes
    # for the dashboard, trace and anomaly queries, signed audit heads, acknowledged
    # anomalies, anonymized drivers.
    """
    ALTER TABLE passes ADD COLUMN status_at INTEGER;
    UPDATE passes SET status_at = coalesce(
        (SELECT max(at) FROM scan_events
         WHERE scan_events.serial = passes.serial AND verdict = 'GREEN'),
        revoked_at, issued_at);
    -- route: an overdue leg's limit depends on it, read from the index, not from each pass.
    CREATE INDEX passes_open ON passes(status, status_at, route);

    -- A partial index is only *covering* (no table row read per entry) when the columns of its
    -- own WHERE are in it too (SQLite 3.40): hence the trailing ``verdict`` below.
    CREATE INDEX scan_events_at ON scan_events(at, checkpoint_id, verdict, step);
    CREATE INDEX scan_events_flagged ON scan_events(reason, at, verdict) WHERE verdict != 'GREEN';
    CREATE INDEX scan_events_red ON scan_events(at, serial, verdict) WHERE verdict = 'RED';
    -- The points each pass has passed (expired inside the loop: in but never out).
    CREATE INDEX scan_events_green ON scan_events(serial, at, step, verdict)
        WHERE verdict = 'GREEN';
    CREATE INDEX applications_decided ON applications(decided_at, created_at)
        WHERE decided_at IS NOT NULL;
    CREATE INDEX applications_driver ON applications(driver_id);
    CREATE INDEX applications_co_driver ON applications(co_driver_id)
        WHERE co_driver_id IS NOT NULL;
    CREATE INDEX audit_log_at ON audit_log(at);
    CREATE INDEX audit_log_action ON audit_log(action, seq);

    ALTER TABLE drivers ADD COLUMN anonymized_at INTEGER;

    -- Signed chain heads: the log key lives outside the database (core.keys); a copy of each
    -- head is also appended to a journal file beside that key.
    CREATE TABLE audit_heads (
        seq       INTEGER PRIMARY KEY,
        hash      TEXT NOT NULL,
        at        INTEGER NOT NULL,
        key_id    TEXT NOT NULL,
        signature BLOB NOT NULL CHECK (length(signature) = 64)
    );
    CREATE TRIGGER audit_heads_no_update BEFORE UPDATE ON audit_heads
    BEGIN SELECT RAISE(ABORT, 'audit heads are append-only'); END;
    CREATE TRIGGER audit_heads_no_delete BEFORE DELETE ON audit_heads
    BEGIN SELECT RAISE(ABORT, 'audit heads are append-only'); END;

    CREATE TABLE anomaly_acks (
        kind    TEXT NOT NULL,
        subject TEXT NOT NULL,
        note    TEXT NOT NULL,
        user_id INTEGER NOT NULL REFERENCES users(id),
        at      INTEGER NOT NULL,
        PRIMARY KEY (kind, subject)
    ) WITHOUT ROWID;
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)
