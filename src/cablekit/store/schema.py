"""The archive's tables, as named migrations recorded in the archive itself.

An archive made by an older cablekit opens safely in a newer one: each migration
runs once, in order, inside a transaction, and its name is recorded in
``migrations``. A migration is never edited once released; a change is a new one.

Only the *current* version of each cable is spread over the searchable tables
(``unit``, ``addressee``, ``tag``, ``caveat``, ``reference``); every version keeps
its whole record and normalised text in ``version``.

``unit`` is what text search sees: the subject (``seq`` 0) and each paragraph
(``seq`` 1..n), each with its own marking and ``level`` (the classification rank
that covers it: the paragraph's portion marking, or the cable's classification
when the paragraph is unmarked and for the subject). Words are matched per unit,
so that access rules can hide single paragraphs inside every query.
"""

from __future__ import annotations

import json
import re
import sqlite3
import zlib
from collections.abc import Callable

# FTS5 tokenizers. Text: the definition of a word in ``cablekit.search.text``.
# Names (FM/TO/INFO): words are split on white space and "/" only, so that
# "AMEMBASSY OTTAWA" and "USMISSION USNATO" match whole name words.
TEXT_TOKENIZER = "unicode61 remove_diacritics 2"
FTS_HASH_BYTES = 32 * 1024 * 1024
_NAME_PUNCTUATION = "!#$%&()*+,-.:;<=>?@[]^_`{|}~'"
NAME_TOKENIZER = "unicode61 remove_diacritics 2 separators '/' tokenchars '{}'".format(
    _NAME_PUNCTUATION.replace("'", "''")
)


def _initial(db: sqlite3.Connection) -> None:
    run_script(
        db,
        f"""
        CREATE TABLE cable (
            key INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            version INTEGER NOT NULL,
            date TEXT,
            year INTEGER,
            dtg TEXT,
            origin TEXT,
            from_name TEXT,
            from_ri TEXT,
            classification TEXT,
            level INTEGER NOT NULL,
            precedence TEXT,
            subject TEXT,
            caveats TEXT NOT NULL,
            tags TEXT NOT NULL,
            sections INTEGER,
            partial INTEGER NOT NULL,
            paragraphs INTEGER NOT NULL,
            warnings INTEGER NOT NULL
        );
        CREATE INDEX cable_date ON cable(date, key);
        CREATE INDEX cable_origin ON cable(origin);
        CREATE INDEX cable_classification ON cable(classification);
        CREATE INDEX cable_from_ri ON cable(from_ri);
        CREATE INDEX cable_facets ON cable(key, date, year, origin, classification);

        CREATE TABLE version (
            cable_key INTEGER NOT NULL REFERENCES cable(key),
            number INTEGER NOT NULL,
            content_hash TEXT NOT NULL,
            release TEXT,
            released TEXT,
            ingested_at TEXT NOT NULL,
            seen INTEGER NOT NULL,
            source TEXT NOT NULL,
            record BLOB NOT NULL,
            text BLOB NOT NULL,
            PRIMARY KEY (cable_key, number),
            UNIQUE (cable_key, content_hash)
        ) WITHOUT ROWID;

        CREATE TABLE unit (
            rowid INTEGER PRIMARY KEY,
            cable_key INTEGER NOT NULL REFERENCES cable(key),
            seq INTEGER NOT NULL,
            number INTEGER,
            marking TEXT,
            level INTEGER NOT NULL,
            heading TEXT,
            body TEXT NOT NULL
        );
        CREATE INDEX unit_cable ON unit(cable_key, seq);
        CREATE VIRTUAL TABLE unit_fts USING fts5(
            body, content='unit', content_rowid='rowid', tokenize="{TEXT_TOKENIZER}"
        );

        CREATE TABLE addressee (
            rowid INTEGER PRIMARY KEY,
            cable_key INTEGER NOT NULL REFERENCES cable(key),
            role TEXT NOT NULL,
            position INTEGER NOT NULL,
            name TEXT NOT NULL,
            routing_indicator TEXT,
            precedence TEXT,
            serial TEXT,
            collective INTEGER NOT NULL,
            excluded INTEGER NOT NULL
        );
        CREATE INDEX addressee_cable ON addressee(cable_key);
        CREATE INDEX addressee_ri ON addressee(routing_indicator);
        CREATE VIRTUAL TABLE name_fts USING fts5(
            name, content='addressee', content_rowid='rowid', tokenize="{NAME_TOKENIZER}"
        );

        CREATE TABLE tag (
            cable_key INTEGER NOT NULL REFERENCES cable(key),
            code TEXT NOT NULL,
            kind TEXT,
            PRIMARY KEY (cable_key, code)
        ) WITHOUT ROWID;
        CREATE INDEX tag_code ON tag(code, cable_key);

        CREATE TABLE caveat (
            cable_key INTEGER NOT NULL REFERENCES cable(key),
            caveat TEXT NOT NULL,
            PRIMARY KEY (cable_key, caveat)
        ) WITHOUT ROWID;
        CREATE INDEX caveat_value ON caveat(caveat, cable_key);

        CREATE TABLE reference (
            cable_key INTEGER NOT NULL REFERENCES cable(key),
            position INTEGER NOT NULL,
            letter TEXT,
            text TEXT NOT NULL,
            kind TEXT NOT NULL,
            target TEXT,
            PRIMARY KEY (cable_key, position)
        ) WITHOUT ROWID;
        CREATE INDEX reference_target ON reference(target, cable_key);

        CREATE TABLE failure (
            key INTEGER PRIMARY KEY,
            place TEXT NOT NULL,
            message TEXT NOT NULL,
            release TEXT,
            at TEXT NOT NULL,
            UNIQUE (place, message)
        );
        """,
    )


def _access(db: sqlite3.Connection) -> None:
    """What the access policy needs (``cablekit.access.policy`` says how it is used):
    requirements on cables and units, the ``guard`` of strict paragraphs, collections,
    users and groups with their grants, review decisions, and the audit log."""
    run_script(
        db,
        """
        ALTER TABLE cable ADD COLUMN need INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE cable ADD COLUMN rel TEXT;
        ALTER TABLE cable ADD COLUMN declass TEXT;
        ALTER TABLE cable ADD COLUMN rv INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE unit ADD COLUMN need INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE unit ADD COLUMN rel TEXT;
        CREATE INDEX cable_access ON cable(level, need, rel, declass, rv);

        CREATE TABLE guard (
            rowid INTEGER PRIMARY KEY,
            cable_key INTEGER NOT NULL REFERENCES cable(key),
            number INTEGER,
            level INTEGER NOT NULL,
            need INTEGER NOT NULL,
            rel TEXT,
            declass TEXT,
            rv INTEGER NOT NULL
        );
        CREATE INDEX guard_cable ON guard(cable_key);

        CREATE TABLE collection (
            key INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL
        );
        CREATE TABLE cable_collection (
            cable_key INTEGER NOT NULL REFERENCES cable(key),
            collection_key INTEGER NOT NULL REFERENCES collection(key),
            PRIMARY KEY (cable_key, collection_key)
        ) WITHOUT ROWID;
        CREATE INDEX cable_collection_collection ON cable_collection(collection_key, cable_key);

        CREATE TABLE principal (
            key INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL CHECK (kind IN ('user', 'group')),
            clearance INTEGER NOT NULL,
            citizenship TEXT,
            access TEXT NOT NULL,
            password TEXT,
            created_at TEXT NOT NULL
        );
        CREATE TABLE membership (
            member INTEGER NOT NULL REFERENCES principal(key),
            grp INTEGER NOT NULL REFERENCES principal(key),
            PRIMARY KEY (member, grp)
        ) WITHOUT ROWID;
        CREATE TABLE access_grant (
            principal INTEGER NOT NULL REFERENCES principal(key),
            collection TEXT NOT NULL,
            PRIMARY KEY (principal, collection)
        ) WITHOUT ROWID;

        CREATE TABLE review (
            key INTEGER PRIMARY KEY,
            cable_key INTEGER NOT NULL REFERENCES cable(key),
            paragraph INTEGER,
            release INTEGER NOT NULL,
            reason TEXT NOT NULL,
            reviewer TEXT NOT NULL,
            day TEXT NOT NULL,
            at TEXT NOT NULL
        );
        CREATE INDEX review_cable ON review(cable_key, paragraph, day);

        CREATE TABLE audit (
            seq INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            user TEXT,
            action TEXT NOT NULL,
            query TEXT,
            ids TEXT NOT NULL,
            prev TEXT NOT NULL,
            hash TEXT NOT NULL
        );
        CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        CREATE TRIGGER review_no_update BEFORE UPDATE ON review
            BEGIN SELECT RAISE(ABORT, 'review decisions are never changed'); END;
        """,
    )
    _backfill_access(db)


def _backfill_access(db: sqlite3.Connection) -> None:
    """Collections of the cables already archived (an archive made before this
    migration); their requirements are derived again after the migrations
    (``stale``)."""
    stale(db, "0002_access")
    now = "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"
    db.execute(
        "INSERT INTO collection (name, created_at) SELECT DISTINCT coalesce(release, 'default'),"
        f" {now} FROM version"
    )
    db.execute(
        "INSERT OR IGNORE INTO cable_collection (cable_key, collection_key)"
        " SELECT v.cable_key, k.key FROM version v"
        " JOIN collection k ON k.name = coalesce(v.release, 'default')"
    )


def _web(db: sqlite3.Connection) -> None:
    """What the web application keeps: its settings (the key that signs session
    cookies) and API tokens, stored as SHA-256 digests, never in clear."""
    run_script(
        db,
        """
        CREATE TABLE setting (name TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE api_token (
            digest TEXT PRIMARY KEY,
            principal INTEGER NOT NULL REFERENCES principal(key),
            label TEXT,
            created_at TEXT NOT NULL
        );
        """,
    )


def _markings(db: sqlite3.Connection) -> None:
    """Every version judged by itself, reviews bound to text, markings read by one
    grammar (``cablekit.markings``): each version's own header requirement and
    collections, each unit's text hash and exemption, review decisions naming texts.
    The requirements of what is archived are worked out again, fail-closed, from the
    stored records."""
    run_script(
        db,
        """
        ALTER TABLE unit ADD COLUMN hash TEXT;
        ALTER TABLE unit ADD COLUMN exempt INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE guard ADD COLUMN hash TEXT;
        ALTER TABLE cable ADD COLUMN hhash TEXT;
        ALTER TABLE version ADD COLUMN level INTEGER;
        ALTER TABLE version ADD COLUMN need INTEGER;
        ALTER TABLE version ADD COLUMN rel TEXT;
        ALTER TABLE version ADD COLUMN declass TEXT;
        ALTER TABLE version ADD COLUMN hhash TEXT;
        CREATE INDEX guard_hash ON guard(hash);

        CREATE TABLE version_collection (
            cable_key INTEGER NOT NULL REFERENCES cable(key),
            number INTEGER NOT NULL,
            collection_key INTEGER NOT NULL REFERENCES collection(key),
            PRIMARY KEY (cable_key, number, collection_key)
        ) WITHOUT ROWID;
        CREATE INDEX version_collection_collection ON version_collection(collection_key, cable_key);

        DROP TRIGGER review_no_update;
        ALTER TABLE review ADD COLUMN on_paragraph INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE review ADD COLUMN version INTEGER;
        CREATE TABLE review_unit (
            hash TEXT NOT NULL,
            review INTEGER NOT NULL REFERENCES review(key),
            PRIMARY KEY (hash, review)
        ) WITHOUT ROWID;
        """,
    )
    _backfill_markings(db)
    run_script(
        db,
        """
        DROP TABLE cable_collection;
        CREATE TRIGGER review_no_update BEFORE UPDATE ON review
            BEGIN SELECT RAISE(ABORT, 'review decisions are never changed'); END;
        CREATE TRIGGER review_unit_no_update BEFORE UPDATE ON review_unit
            BEGIN SELECT RAISE(ABORT, 'review decisions are never changed'); END;
        """,
    )


def _version_order(db: sqlite3.Connection) -> None:
    """What orders two copies of a cable with the same release date, whatever order or
    concurrency they were ingested in (``sqlite._BatchWriter._newest``): the greatest
    release label each was ingested under, and its place in that ingest's input.
    Versions already archived take their release label and their arrival."""
    run_script(
        db,
        """
        ALTER TABLE version ADD COLUMN order_release TEXT NOT NULL DEFAULT '';
        ALTER TABLE version ADD COLUMN order_place INTEGER NOT NULL DEFAULT 0;
        UPDATE version SET order_release = coalesce(release, ''), order_place = seen
        """,
    )


def _audit(db: sqlite3.Connection) -> None:
    """Administrators, and who stood behind each audit entry: the operating-system
    login of a command (or the web client's address) and whether the read was
    refused. An archive that has users already gets its first user as administrator,
    as ``user add`` now requires of a first user (otherwise no one could administer it).
    Entries written before keep their unkeyed hashes (``cablekit.access.audit``)."""
    run_script(
        db,
        """
        ALTER TABLE principal ADD COLUMN admin INTEGER NOT NULL DEFAULT 0;
        UPDATE principal SET admin = 1
            WHERE key = (SELECT min(key) FROM principal WHERE kind = 'user');
        ALTER TABLE audit ADD COLUMN login TEXT;
        ALTER TABLE audit ADD COLUMN refused INTEGER NOT NULL DEFAULT 0
        """,
    )


def _sessions(db: sqlite3.Connection) -> None:
    """Web sessions kept on the server, and failed sign-ins, shared by every worker.

    A session row is known by the SHA-256 digest of its id (the cookie holds the id:
    256 random bits; a copy of the archive yields no cookie). ``ended`` and
    ``ended_why`` record sign-out, a password change, revoked credentials or expiry;
    times are Unix seconds, compared in SQL. ``sign_in_failure`` holds one row per
    failed (or running) sign-in attempt, by client address and by a digest of the
    account name typed, for the rate limits of ``cablekit.access.limits``."""
    run_script(
        db,
        """
        CREATE TABLE web_session (
            digest TEXT PRIMARY KEY,
            principal INTEGER NOT NULL REFERENCES principal(key),
            csrf TEXT NOT NULL,
            created INTEGER NOT NULL,
            last_seen INTEGER NOT NULL,
            ended INTEGER,
            ended_why TEXT
        );
        CREATE INDEX web_session_principal ON web_session(principal);
        CREATE INDEX web_session_last_seen ON web_session(last_seen);
        CREATE TABLE sign_in_failure (
            rowid INTEGER PRIMARY KEY,
            address TEXT NOT NULL,
            account TEXT NOT NULL,
            at INTEGER NOT NULL
        );
        CREATE INDEX sign_in_failure_address ON sign_in_failure(address, account, at);
        CREATE INDEX sign_in_failure_at ON sign_in_failure(at);
        """,
    )


# A cable id as the parser checks one (``parser.derive.CABLE_ID``), and a publisher's id
# kept as an alias (``store.rows.ALIAS``), copied here: a migration never calls today's code.
_CABLE_ID = re.compile(r"(\d{2})([A-Z]+?)(\d{1,7})", re.ASCII)
_ALIAS = re.compile(r"\d{2}[A-Z][A-Z0-9]{1,46}", re.ASCII)


def _one_cable_per_id(db: sqlite3.Connection) -> None:
    """A cable id names one cable. Each version records whether it was published under
    the cable's own id (``canonical``), and ``alias`` the other cable ids it was
    published under (``id:`` finds the cable by them). Cables that an older cablekit
    kept apart under a malformed id WikiLeaks published beside the correct one
    (``08SCTION02OF02SAOPAULO335``) are merged into the cable their record names:
    their versions become that cable's (the same text: the same version), with their
    collections and review decisions, and the garbled id an alias."""
    run_script(
        db,
        """
        ALTER TABLE version ADD COLUMN canonical INTEGER NOT NULL DEFAULT 1;
        CREATE TABLE alias (
            id TEXT NOT NULL,
            cable_key INTEGER NOT NULL REFERENCES cable(key),
            number INTEGER NOT NULL,
            PRIMARY KEY (id, cable_key, number)
        ) WITHOUT ROWID;
        CREATE INDEX alias_cable ON alias(cable_key, number)
        """,
    )
    rows = db.execute(
        "SELECT c.key, c.id, v.number, v.source FROM cable c JOIN version v ON v.cable_key = c.key"
    ).fetchall()
    for key, cable_id, number, source in rows:
        published = _original_id(source)
        other = (published or "").strip().upper()
        if other and other != cable_id and _ALIAS.fullmatch(other):
            db.execute("INSERT OR IGNORE INTO alias VALUES (?, ?, ?)", (other, key, number))
            db.execute(
                "UPDATE version SET canonical = 0 WHERE cable_key = ? AND number = ?", (key, number)
            )
    for key, record_id in _kept_apart(db):
        target = db.execute("SELECT key FROM cable WHERE id = ?", (record_id,)).fetchone()
        if target is None:
            db.execute("UPDATE cable SET id = ? WHERE key = ?", (record_id, key))
        else:
            _merge_cable(db, key, target[0])


def _original_id(source: object) -> str | None:
    """The publisher's id in a version's stored source (None when unreadable)."""
    try:
        value = json.loads(source).get("original_id")  # type: ignore[arg-type]
    except (TypeError, ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


def _kept_apart(db: sqlite3.Connection) -> list[tuple[int, str]]:
    """(key, the id its record names) of each cable archived under another id."""
    found = []
    for key, cable_id, record in db.execute(
        "SELECT c.key, c.id, v.record FROM cable c JOIN version v"
        " ON v.cable_key = c.key AND v.number = c.version"
    ):
        try:
            record_id = json.loads(zlib.decompress(record)).get("id")
        except (zlib.error, ValueError, AttributeError):
            continue  # a damaged record: left where it is, and named when read
        if isinstance(record_id, str) and record_id != cable_id and _CABLE_ID.fullmatch(record_id):
            found.append((key, record_id))
    return found


def _merge_cable(db: sqlite3.Connection, key: int, target: int) -> None:
    """Cable ``key``'s versions, collections, reviews and aliases moved to ``target``;
    the searchable rows follow the current version; cable ``key`` goes."""
    (last,) = db.execute(
        "SELECT max(number) FROM version WHERE cable_key = ?", (target,)
    ).fetchone()
    (old_id,) = db.execute("SELECT id FROM cable WHERE key = ?", (key,)).fetchone()
    renumber: dict[int, int] = {}
    for number, digest in db.execute(
        "SELECT number, content_hash FROM version WHERE cable_key = ? ORDER BY number", (key,)
    ).fetchall():
        same = db.execute(
            "SELECT number FROM version WHERE cable_key = ? AND content_hash = ?", (target, digest)
        ).fetchone()
        if same is not None:
            renumber[number] = same[0]
            continue
        last += 1
        renumber[number] = last
        db.execute(
            "UPDATE version SET cable_key = ?, number = ?, canonical = 0"
            " WHERE cable_key = ? AND number = ?",
            (target, last, key, number),
        )
    for old, new in renumber.items():
        db.execute("INSERT OR IGNORE INTO alias VALUES (?, ?, ?)", (old_id, target, new))
        db.execute(
            "INSERT OR IGNORE INTO alias SELECT id, ?, ? FROM alias WHERE cable_key = ?"
            " AND number = ?",
            (target, new, key, old),
        )
        db.execute(
            "INSERT OR IGNORE INTO version_collection (cable_key, number, collection_key)"
            " SELECT ?, ?, collection_key FROM version_collection WHERE cable_key = ?"
            " AND number = ?",
            (target, new, key, old),
        )
        db.execute(
            "UPDATE review SET cable_key = ?, version = ? WHERE cable_key = ? AND version = ?",
            (target, new, key, old),
        )
    db.execute("UPDATE review SET cable_key = ? WHERE cable_key = ?", (target, key))
    (current,) = db.execute(
        "SELECT number FROM version WHERE cable_key = ? ORDER BY coalesce(released, '') DESC,"
        " canonical DESC, order_release DESC, order_place DESC, content_hash DESC LIMIT 1",
        (target,),
    ).fetchone()
    (was, moved_current) = db.execute(
        "SELECT t.version, c.version FROM cable t, cable c WHERE t.key = ? AND c.key = ?",
        (target, key),
    ).fetchone()
    if current != was and current == renumber.get(moved_current):
        _move_search_rows(db, key, target, current)
    _drop_search_rows(db, key)
    db.execute(
        "UPDATE cable SET rv = max(rv, (SELECT rv FROM cable WHERE key = ?)) WHERE key = ?",
        (key, target),
    )
    for table in ("alias", "version_collection", "version"):
        db.execute(f"DELETE FROM {table} WHERE cable_key = ?", (key,))
    db.execute("DELETE FROM cable WHERE key = ?", (key,))


_CABLE_COLUMNS = (
    "date, year, dtg, origin, from_name, from_ri, classification, level, precedence, subject,"
    " caveats, tags, sections, partial, paragraphs, warnings, need, rel, declass, hhash"
)


def _move_search_rows(db: sqlite3.Connection, key: int, target: int, number: int) -> None:
    """The searchable rows of ``key``'s current version made ``target``'s, as its new
    current version ``number`` (unit rowids hold the cable key: ``key << 16 | seq``)."""
    _drop_search_rows(db, target)
    db.execute(
        f"UPDATE cable SET version = ?, ({_CABLE_COLUMNS}) = (SELECT {_CABLE_COLUMNS}"
        " FROM cable WHERE key = ?) WHERE key = ?",
        (number, key, target),
    )
    shift = (target - key) << 16
    db.execute(
        "INSERT INTO unit_fts (unit_fts, rowid, body)"
        " SELECT 'delete', rowid, body FROM unit WHERE cable_key = ?",
        (key,),
    )
    db.execute(
        "UPDATE unit SET rowid = rowid + ?, cable_key = ? WHERE cable_key = ?", (shift, target, key)
    )
    db.execute(
        "INSERT INTO unit_fts (rowid, body) SELECT rowid, body FROM unit WHERE cable_key = ?",
        (target,),
    )
    db.execute(
        "UPDATE guard SET rowid = rowid + ?, cable_key = ? WHERE cable_key = ?",
        (shift, target, key),
    )
    for table in ("addressee", "tag", "caveat", "reference"):
        db.execute(f"UPDATE {table} SET cable_key = ? WHERE cable_key = ?", (target, key))


def _drop_search_rows(db: sqlite3.Connection, key: int) -> None:
    db.execute(
        "INSERT INTO unit_fts (unit_fts, rowid, body)"
        " SELECT 'delete', rowid, body FROM unit WHERE cable_key = ?",
        (key,),
    )
    db.execute(
        "INSERT INTO name_fts (name_fts, rowid, name)"
        " SELECT 'delete', rowid, name FROM addressee WHERE cable_key = ?",
        (key,),
    )
    for table in ("unit", "guard", "addressee", "tag", "caveat", "reference"):
        db.execute(f"DELETE FROM {table} WHERE cable_key = ?", (key,))


def _backfill_markings(db: sqlite3.Connection) -> None:
    """Each version joins the collections its cable was in; decisions of an older
    archive named a paragraph number of the current version: they now name that
    version. The requirements and text hashes, and the texts the decisions name, are
    derived after the migrations (``stale``, ``derive.rederive``)."""
    db.execute(
        "INSERT INTO version_collection (cable_key, number, collection_key)"
        " SELECT v.cable_key, v.number, cc.collection_key FROM version v"
        " JOIN cable_collection cc ON cc.cable_key = v.cable_key"
        " JOIN collection k ON k.key = cc.collection_key"
        # the collection named after the version's release; another name (given with
        # --collection) held the whole cable before: it holds every version
        " WHERE k.name = coalesce(v.release, 'default') OR NOT EXISTS (SELECT 1 FROM version w"
        " WHERE w.cable_key = cc.cable_key AND coalesce(w.release, 'default') = k.name)"
    )
    db.execute(
        "UPDATE review SET on_paragraph = paragraph IS NOT NULL,"
        " version = (SELECT c.version FROM cable c WHERE c.key = review.cable_key)"
    )
    stale(db, "0006_markings")


def stale(db: sqlite3.Connection, why: str) -> None:
    """Note that the rows derived from the stored records (requirements, text hashes,
    the texts review decisions name) must be derived again, by today's code, once the
    migrations are done: a migration never calls it (``derive.rederive``)."""
    db.execute("CREATE TABLE IF NOT EXISTS stale_derivation (why TEXT NOT NULL)")
    db.execute("INSERT INTO stale_derivation VALUES (?)", (why,))


def _mentions(db: sqlite3.Connection) -> None:
    """References of kind ``mention`` (a cable cited in a paragraph) name their
    paragraph unit (``seq``): a reader sees one only when they see that unit. REF
    items have none. Cables ingested before keep no mentions until ingested again."""
    db.execute("ALTER TABLE reference ADD COLUMN paragraph INTEGER")
    db.execute("CREATE INDEX reference_kind ON reference(kind, cable_key)")


def _review_unit_by_review(db: sqlite3.Connection) -> None:
    """The texts of one decision, found without reading every decision's (a node
    re-installing a cable deletes its decisions' texts)."""
    db.execute("CREATE INDEX review_unit_review ON review_unit(review)")


def _version_seen(db: sqlite3.Connection) -> None:
    """Each batch of an ingest numbers its versions after the last one seen: found in
    the index, not by reading every version (a tenth of the writer's time at 250,000
    cables)."""
    db.execute("CREATE INDEX version_seen ON version(seen)")


def _index_memory(db: sqlite3.Connection) -> None:
    """The full-text index keeps a batch's terms in memory up to 32 MiB, not 1 MiB, and
    writes them at commit as one segment: with SQLite's 1 MiB, a batch was written as a
    dozen small segments that were merged again and again (at 250,000 cables the index
    took 134 s of the writer's time, now 92 s). Merging 16 segments at a time rather
    than 4 took a quarter off what is left, alone, but only 2% off an ingest (the
    workers' CPU is as much of the limit), and a tenth longer to read a common word's
    every match: not done."""
    db.execute(f"INSERT INTO unit_fts (unit_fts, rank) VALUES ('hashsize', {FTS_HASH_BYTES})")


def run_script(db: sqlite3.Connection, script: str) -> None:
    """Run statements one by one: ``executescript`` would commit the open transaction."""
    for statement in script.split(";\n"):
        if statement.strip():
            db.execute(statement)


MIGRATIONS: tuple[tuple[str, Callable[[sqlite3.Connection], None]], ...] = (
    ("0001_initial", _initial),
    ("0002_access", _access),
    ("0003_web", _web),
    ("0004_sessions", _sessions),
    ("0005_audit", _audit),
    ("0006_markings", _markings),
    ("0007_version_order", _version_order),
    ("0008_one_cable_per_id", _one_cable_per_id),
    ("0009_mentions", _mentions),
    ("0010_review_unit_review", _review_unit_by_review),
    ("0011_version_seen", _version_seen),
    ("0012_index_memory", _index_memory),
)


def pending(db: sqlite3.Connection) -> bool:
    """Whether the archive lacks some migration (it was made by an older cablekit)."""
    done = {name for (name,) in db.execute("SELECT name FROM migrations")}
    return any(name not in done for name, _ in MIGRATIONS)


def migrate(db: sqlite3.Connection) -> None:
    """Apply, in order, every migration the archive has not had yet.

    ``db`` is in autocommit mode (``isolation_level=None``); each migration is one
    transaction, so a crash leaves the archive before or after it, never inside.
    """
    db.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
    for name, apply in MIGRATIONS:
        db.execute("BEGIN IMMEDIATE")
        try:
            if db.execute("SELECT 1 FROM migrations WHERE name = ?", (name,)).fetchone():
                db.execute("ROLLBACK")
                continue
            apply(db)
            db.execute(
                "INSERT INTO migrations VALUES (?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
                (name,),
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
