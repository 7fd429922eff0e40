"""The shared record's tables in PostgreSQL, as named migrations (see ``schema``).

The record holds what must be one truth, written by many: cables and every version,
collections, principals and grants, reviews, web sessions, sign-in failures, the audit
log, and ``change``, the numbered log of what changed that search nodes follow. It holds
no search index: each node derives its own (``store.replica``).

Tables and columns carry the names of their SQLite counterparts, so that the access
modules' statements run on both (``store.postgres.Connection`` adapts the few words
that differ). A version row also keeps its searchable rows, packed (``rows``): a node
installs a cable without parsing it again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_INITIAL = """
CREATE TABLE cable (
    key BIGSERIAL PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    version INTEGER NOT NULL,
    rv INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE version (
    cable_key BIGINT NOT NULL REFERENCES cable(key),
    number INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    release TEXT,
    released TEXT,
    ingested_at TEXT NOT NULL,
    source TEXT NOT NULL,
    record BYTEA NOT NULL,
    text BYTEA NOT NULL,
    rows BYTEA NOT NULL,
    level INTEGER, need BIGINT, rel TEXT, declass TEXT, hhash TEXT,
    order_release TEXT NOT NULL DEFAULT '',
    order_place INTEGER NOT NULL DEFAULT 0,
    canonical INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (cable_key, number),
    UNIQUE (cable_key, content_hash)
);
CREATE TABLE collection (
    key BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
CREATE TABLE version_collection (
    cable_key BIGINT NOT NULL REFERENCES cable(key),
    number INTEGER NOT NULL,
    collection_key BIGINT NOT NULL REFERENCES collection(key),
    PRIMARY KEY (cable_key, number, collection_key)
);
CREATE TABLE alias (
    id TEXT NOT NULL,
    cable_key BIGINT NOT NULL REFERENCES cable(key),
    number INTEGER NOT NULL,
    PRIMARY KEY (id, cable_key, number)
);
CREATE TABLE failure (
    key BIGSERIAL PRIMARY KEY,
    place TEXT NOT NULL,
    message TEXT NOT NULL,
    release TEXT,
    at TEXT NOT NULL,
    UNIQUE (place, message)
);
CREATE TABLE principal (
    key BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('user', 'group')),
    clearance INTEGER NOT NULL,
    citizenship TEXT,
    access TEXT NOT NULL,
    password TEXT,
    created_at TEXT NOT NULL,
    admin INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE membership (
    member BIGINT NOT NULL REFERENCES principal(key),
    grp BIGINT NOT NULL REFERENCES principal(key),
    PRIMARY KEY (member, grp)
);
CREATE TABLE access_grant (
    principal BIGINT NOT NULL REFERENCES principal(key),
    collection TEXT NOT NULL,
    PRIMARY KEY (principal, collection)
);
CREATE TABLE api_token (
    digest TEXT PRIMARY KEY,
    principal BIGINT NOT NULL REFERENCES principal(key),
    label TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE review (
    key BIGSERIAL PRIMARY KEY,
    cable_key BIGINT NOT NULL REFERENCES cable(key),
    paragraph INTEGER,
    release INTEGER NOT NULL,
    reason TEXT NOT NULL,
    reviewer TEXT NOT NULL,
    day TEXT NOT NULL,
    at TEXT NOT NULL,
    on_paragraph INTEGER NOT NULL DEFAULT 0,
    version INTEGER
);
CREATE TABLE review_unit (
    hash TEXT NOT NULL,
    review BIGINT NOT NULL REFERENCES review(key),
    PRIMARY KEY (hash, review)
);
CREATE INDEX review_unit_review ON review_unit (review);
CREATE INDEX review_cable ON review (cable_key);
CREATE INDEX version_collection_cable ON version_collection (cable_key);
CREATE INDEX alias_cable ON alias (cable_key);
CREATE TABLE audit (
    seq BIGINT PRIMARY KEY,
    at TEXT NOT NULL,
    "user" TEXT,
    action TEXT NOT NULL,
    query TEXT,
    ids TEXT NOT NULL,
    prev TEXT NOT NULL,
    hash TEXT NOT NULL,
    login TEXT,
    refused INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE setting (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE web_session (
    digest TEXT PRIMARY KEY,
    principal BIGINT NOT NULL REFERENCES principal(key),
    csrf TEXT NOT NULL,
    created BIGINT NOT NULL,
    last_seen BIGINT NOT NULL,
    ended BIGINT,
    ended_why TEXT
);
CREATE TABLE sign_in_failure (
    rowid BIGSERIAL PRIMARY KEY,
    address TEXT NOT NULL,
    account TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX sign_in_failure_address ON sign_in_failure (address, account);
CREATE SEQUENCE change_seq;
CREATE TABLE change (
    seq BIGINT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('cable', 'principals')),
    subject BIGINT,
    narrows BOOLEAN NOT NULL,
    at DOUBLE PRECISION NOT NULL
);
CREATE INDEX change_narrowing ON change (seq) WHERE narrows;

CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION '%', TG_ARGV[0]; END $$;
CREATE TRIGGER audit_no_update BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION refuse_change('the audit log is append-only');
CREATE TRIGGER review_no_update BEFORE UPDATE ON review
    FOR EACH ROW EXECUTE FUNCTION refuse_change('review decisions are never changed');
CREATE TRIGGER review_unit_no_update BEFORE UPDATE ON review_unit
    FOR EACH ROW EXECUTE FUNCTION refuse_change('review decisions are never changed');
"""

Migration = tuple[str, Callable[[Any], None]]


def _initial(cursor: Any) -> None:
    cursor.execute(_INITIAL)


MIGRATIONS: tuple[Migration, ...] = (("0001_record", _initial),)
