"""Access control on real cables: the reference cable's NOFORN paragraphs, the days on
which declassification changes what a reader sees, review decisions, the audit chain,
and the ``user``, ``review``, ``declass`` and ``audit`` commands. Each test over an
archive runs on both backends (``backend``: a SQLite file, a PostgreSQL record)."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from cablekit.access import audit, principals
from cablekit.access.review import record
from cablekit.archive import Archive
from cablekit.cli import cli
from cablekit.errors import AccessError, ReaderRequired, UnknownCable, UnknownUser
from cablekit.search import tokens
from cablekit.store.postgres import is_url

from .backends import Backend

SAMPLES = Path(__file__).resolve().parents[1] / "src" / "cablekit" / "samples"
REFERENCE = SAMPLES / "09OTTAWA278.scraped.md"
BEFORE_DECL = date(2015, 6, 1)  # 09OTTAWA278 declassifies itself on 2019-04-07

# 09OTTAWA278 as a mixed cable: no NOFORN caption in the header and paragraphs 1-4
# marked (C); paragraphs 5-12 keep their (C/NF).
MIXED_ID = "09OTTAWA278"


def mixed_reference(folder: Path) -> Path:
    text = REFERENCE.read_text(encoding="utf-8")
    lines = text.split("\n")
    assert lines[29] == "NOFORN"
    del lines[29]
    text = "\n".join(lines)
    for n in range(1, 5):
        text = text.replace(f"{n}. (C/NF)", f"{n}. (C)", 1)
    path = folder / "09OTTAWA278.mixed.md"
    path.write_text(text, encoding="utf-8")
    return path


ADMIN = "rita"  # administers the archives of these tests (and reads nothing)


def add_users(path: str | Path) -> None:
    with Archive(path) as archive:
        store = archive.record  # the archive file, or the PostgreSQL record
        principals.add(store, ADMIN, citizenship="USA", admin=True)
        principals.add(store, "liaison", clearance="SECRET", citizenship="CAN")
        principals.grant(store, "liaison", collections=["*"])
        principals.add(store, "officer", clearance="CONFIDENTIAL", citizenship="USA")
        principals.grant(store, "officer", collections=["*"])
        principals.add(store, "intern", clearance="UNCLASSIFIED", citizenship="USA")
        principals.grant(store, "intern", collections=["*"])


@pytest.fixture
def mixed(tmp_path: Path, backend: Backend) -> str:
    path = backend.new("mixed")
    with Archive(path, create=True) as archive:
        archive.ingest([mixed_reference(tmp_path)], release="test")
    add_users(path)
    return path


@pytest.fixture
def reference(backend: Backend) -> str:
    path = backend.new("reference")
    with Archive(path, create=True) as archive:
        archive.ingest([REFERENCE], release="test")
    add_users(path)
    return path


def test_a_word_only_in_a_noforn_paragraph_never_matches_for_a_non_us_reader(mixed: str):
    with Archive(mixed, user="liaison", today=BEFORE_DECL) as archive:
        assert archive.search("uptick").total == 0  # paragraph 5, C/NF
        assert archive.search("rebuffed").total == 1  # paragraph 2, C
        assert archive.search('"calibrated re-engagement"').total == 1  # paragraphs 1, 3, 5
        assert archive.search("uptick OR rebuffed").total == 1
        assert archive.search("rebuffed AND NOT uptick").total == 1  # NOT sees no hidden word
        result = archive.search("Russia", limit=5, facets=True, timeline=True)
        assert result.total == 1
        assert sum(b.count for b in result.timeline) == 1
        snippet_words = set(tokens(result.results[0].snippet))
        stored = archive.get(MIXED_ID)
    hidden = {w for p in stored.cable.paragraphs[4:] for w in tokens(p.text)} - {
        w for p in stored.cable.paragraphs[:4] for w in tokens(p.text)
    }
    assert "uptick" not in set(tokens(stored.text))
    assert not snippet_words & {"uptick", "glitters", "hazing"}
    assert [p.number for p in stored.cable.paragraphs] == list(range(1, 13))
    for p in stored.cable.paragraphs[4:]:
        assert p.marking == "C/NF"
        assert p.text == "[withheld: NOFORN needs US citizenship]"
    assert hidden <= {"withheld", "noforn", "needs", "us", "citizenship"}
    with Archive(mixed, user="officer", today=BEFORE_DECL) as archive:
        assert archive.search("uptick").total == 1
        assert "uptick" in set(tokens(archive.get(MIXED_ID).text))


def test_the_reference_cable_stays_hidden_from_a_non_us_reader_until_its_declassification_day(
    reference: str,
):
    for day, seen in [
        (BEFORE_DECL, False),
        (date(2019, 4, 6), False),
        (date(2019, 4, 7), True),
        (date(2026, 1, 1), True),
    ]:
        with Archive(reference, user="liaison", today=day) as archive:
            assert archive.search("uptick").total == int(seen), day
            assert archive.stats().cables == int(seen)
            if not seen:
                with pytest.raises(UnknownCable):
                    archive.get("09OTTAWA278")
            else:
                assert "uptick" in archive.get("09OTTAWA278").text
    with Archive(reference, user="intern", today=BEFORE_DECL) as archive:
        assert archive.search("Russia").total == 0  # CONFIDENTIAL needs a clearance


def test_review_decisions_take_effect_on_their_day(reference: str):
    with Archive(reference) as archive:
        record(
            archive.record,
            "09OTTAWA278",
            release=False,
            reason="25X1: foreign government information",
            reviewer="reviewer",
            day=date(2020, 1, 1),
            paragraph=5,
        )
        record(
            archive.record,
            "09OTTAWA278",
            release=True,
            reason="FOIA release",
            reviewer="reviewer",
            day=date(2016, 1, 1),
        )
    expectations = [
        (date(2015, 12, 31), None),  # classified: hidden from the liaison
        (date(2016, 1, 1), True),  # released by review, every paragraph
        (date(2019, 12, 31), True),
        (date(2020, 1, 1), False),  # paragraph 5 withheld from then on
    ]
    for day, paragraph_5 in expectations:
        with Archive(reference, user="liaison", today=day) as archive:
            found = archive.search("uptick").total
            if paragraph_5 is None:
                assert archive.search("Russia").total == 0
                continue
            assert found == int(paragraph_5), day
            text = archive.get("09OTTAWA278").cable.paragraphs[4].text
            assert ("uptick" in text) == paragraph_5
            assert archive.search("glitters").total == 1  # paragraph 11 stays released
    # Withheld is not released: a reader cleared for the paragraph still sees it.
    with Archive(reference, user="officer", today=date(2021, 1, 1)) as archive:
        assert archive.search("uptick").total == 1
    with Archive(reference, user="intern", today=date(2021, 1, 1)) as archive:
        assert archive.search("uptick").total == 0
        assert archive.search("glitters").total == 1
        withheld = archive.get("09OTTAWA278").cable.paragraphs[4].text
        assert withheld == "[withheld: CONFIDENTIAL needs a CONFIDENTIAL clearance]"


def csv_row(n: int, cable_id: str, decl: str, subject: str, word: str) -> str:
    """A row of the leaked cables.csv: a CONFIDENTIAL cable of 1 March 1985."""
    text = (
        f"CONFIDENTIAL PARIS {n}\n\nE.O. 12356: DECL: {decl}\nTAGS: PREL, FR\n"
        f"SUBJECT: {subject}\n\n1. (C) THE MINISTER SPOKE OF {word}.\n"
    )
    header = "R 011200Z MAR 85\nFM AMEMBASSY PARIS\nTO SECSTATE WASHDC"
    fields = [str(n), "3/1/1985 12:00", cable_id, "Embassy Paris", "CONFIDENTIAL", "", header, text]
    return ",".join(f'"{f}"' for f in fields) + "\n"


def test_the_25_year_rule_and_exemptions(tmp_path: Path, backend: Backend):
    rows = tmp_path / "cables.csv"
    rows.write_text(
        csv_row(1, "85PARIS1", "OADR", "OLD TALKS", "ZANZIBAR")
        + csv_row(2, "85PARIS2", "25X1", "OTHER TALKS", "TIMBUKTU")
    )
    path = backend.new("a")
    with Archive(path, create=True) as archive:
        assert archive.ingest([rows], release="test").ingested == 2
    add_users(path)
    # OADR, 1985: declassified on 31 December 2010; 25X1: exempt, never automatically.
    with Archive(path, user="intern", today=date(2010, 12, 30)) as archive:
        assert archive.search("zanzibar OR timbuktu").total == 0
    for day in (date(2010, 12, 31), date(2040, 1, 1)):
        with Archive(path, user="intern", today=day) as archive:
            assert [h.id for h in archive.search("zanzibar OR timbuktu").results] == ["85PARIS1"]
    with Archive(path, user="officer", today=date(2010, 12, 30)) as archive:
        assert archive.search("zanzibar OR timbuktu").total == 2


def test_the_automatic_release_day_of_parsed_cables(tmp_path: Path):
    from cablekit.access.policy import automatic_release
    from cablekit.model import Cable, Source

    def day(**fields: str | None) -> date | None:
        return automatic_release(Cable(id="X", source=Source("text"), **fields))  # type: ignore[arg-type]

    assert day(date="1985-03-01", declassify_note="OADR") == date(2010, 12, 31)
    assert day(date="1985-03-01") == date(2010, 12, 31)
    assert day(date="1985-03-01", declassify_note="25X1") is None
    assert day(date="1985-03-01", declassify_note="50X1-HUM") is None
    assert day(date="2009-04-07", declassify_on="2019-04-07") == date(2019, 4, 7)
    assert day(date=None) is None


def test_an_archive_with_users_needs_a_named_reader(reference: str):
    with Archive(reference) as archive, pytest.raises(ReaderRequired):
        archive.search("Russia")
    with Archive(reference, user="nobody") as archive, pytest.raises(UnknownUser):
        archive.search("Russia")


def test_a_public_archive_keeps_no_log_and_shows_everything(backend: Backend):
    path = backend.new("public")
    with Archive(path, create=True) as archive:
        archive.ingest([REFERENCE])
        assert archive.search("uptick").total == 1
        assert audit.entries(archive.record) == []


# --- audit ---------------------------------------------------------------------------


def reads(path: str) -> None:
    with Archive(path, user="officer", today=BEFORE_DECL) as archive:
        archive.search("Russia")
        archive.get("09OTTAWA278")
        archive.versions("09OTTAWA278")


def test_every_read_is_logged_with_user_query_and_ids(reference: str):
    reads(reference)
    with Archive(reference) as archive:
        found = audit.entries(archive.record)
        assert [(e.event.action, e.event.user) for e in found] == [
            ("search", "officer"),
            ("show", "officer"),
            ("versions", "officer"),
        ]
        assert found[0].event.query == "Russia"
        assert found[0].event.ids == ("09OTTAWA278",)
        assert audit.verify(archive.record, archive.audit_key).ok


def tamper(target: str, *statements: str) -> None:
    """Change an archive behind cablekit's back, as whoever holds the database can."""
    if not is_url(target):
        with sqlite3.connect(target) as db:
            for statement in statements:
                db.execute(statement)
        return
    import psycopg

    with psycopg.connect(target, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def test_the_log_refuses_changes_and_the_chain_detects_them(reference: str):
    reads(reference)
    with pytest.raises(Exception, match="the audit log is append-only"):
        tamper(reference, "DELETE FROM audit WHERE seq = 2")
    # Someone who drops the triggers can change the table; the chain shows where.
    drop = (
        ["DROP TRIGGER audit_no_update ON audit"]
        if is_url(reference)  # one trigger refuses updates and deletes there
        else ["DROP TRIGGER audit_no_update", "DROP TRIGGER audit_no_delete"]
    )
    tamper(reference, *drop, "UPDATE audit SET query = 'nothing' WHERE seq = 1")
    with Archive(reference) as archive:
        check = audit.verify(archive.record, archive.audit_key)
    assert (check.broken_at, check.problem) == (
        1,
        "its content was changed, or it was written without the audit key",
    )
    tamper(
        reference,
        "UPDATE audit SET query = 'Russia' WHERE seq = 1",
        "DELETE FROM audit WHERE seq = 2",
    )
    with Archive(reference) as archive:
        check = audit.verify(archive.record, archive.audit_key)
    assert (check.broken_at, check.problem) == (3, "entries 2..2 are missing")


# --- the commands ----------------------------------------------------------------------


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env={"CABLEKIT_TODAY": "2015-06-01"})
    return result.exit_code, result.output


AS_ADMIN = ("--as", ADMIN)


def test_user_commands_and_reading_as_a_user(mixed: str):
    db = ["--db", str(mixed)]
    # IS is Israel in FIPS 10-4 and Iceland in ISO 3166: not a citizenship for sure
    code, out = run(
        "user", "add", "analyst", *db, *AS_ADMIN, "--clearance", "SECRET", "--citizenship", "IS"
    )
    assert code == AccessError.exit_code and out == (
        "Error: 'IS' is not a citizenship cablekit knows; write it as an ISO 3166"
        " three-letter code (USA, CAN, GBR, FRA ...)\n"
    )
    code, out = run(
        "user", "add", "analyst", *db, *AS_ADMIN, "--clearance", "SECRET", "--citizenship", "France"
    )
    assert code == 0 and "user analyst added" in out
    code, out = run("search", "rebuffed", *db, "--as", "analyst")
    assert (code, out) == (0, '0 cables: cables with the word "rebuffed"\n')  # no grant yet
    assert run("user", "grant", "analyst", *db, *AS_ADMIN, "--collection", "test")[0] == 0
    code, out = run("search", "rebuffed", *db, "--as", "analyst", "--output", "json")
    assert code == 0 and json.loads(out)["total"] == 1
    code, out = run("search", "uptick", *db, "--as", "analyst", "--output", "json")
    assert json.loads(out)["total"] == 0
    code, out = run("show", MIXED_ID, *db, "--as", "analyst")
    assert code == 0 and "[withheld: NOFORN needs US citizenship]" in out and "uptick" not in out
    code, out = run("user", "list", *db, *AS_ADMIN, "--output", "json")
    listed = {p["name"]: p for p in json.loads(out)["principals"]}
    assert listed["analyst"]["citizenship"] == "FRA"
    assert listed["analyst"]["collections"] == ["test"]
    assert run("user", "revoke", "analyst", *db, *AS_ADMIN, "--collection", "test")[0] == 0
    code, out = run("show", MIXED_ID, *db, "--as", "analyst")
    assert code == 1 and out == f"Error: There is no cable {MIXED_ID} in the archive\n"


def test_commands_name_the_problem_in_one_sentence(mixed: str):
    db = ["--db", str(mixed)]
    code, out = run("search", "Russia", *db)
    assert code == AccessError.exit_code
    assert out == (
        "Error: This archive has users: name the reader with --as USER (or CABLEKIT_USER)\n"
    )
    code, out = run("search", "Russia", *db, "--as", "ghost")
    assert code == AccessError.exit_code and out.startswith("Error: ") and "ghost" in out
    code, out = run("user", "add", "liaison", *db, *AS_ADMIN)
    assert code == AccessError.exit_code
    assert out == "Error: There is already a user or group named liaison\n"
    code, out = run("declass", *db, *AS_ADMIN, "--as-of", "2019-13-01")
    assert code == 2 and out == "Error: '2019-13-01' is not a date; write it as YYYY-MM-DD\n"
    code, out = run(
        "review", MIXED_ID, *db, *AS_ADMIN, "--withhold", "--paragraph", "99", "--reason", "x"
    )
    assert code == 1 and out == f"Error: Cable {MIXED_ID} has no paragraph 99\n"


def test_review_declass_and_audit_commands(reference: str):
    db = ["--db", str(reference)]
    code, out = run("declass", *db, *AS_ADMIN, "--as-of", "2019-04-07", "--since", "2019-04-06")
    assert code == 0 and "1 cables releasable between 2019-04-06 and 2019-04-07" in out
    assert "09OTTAWA278" in out and "declassified on 2019-04-07" in out
    code, out = run("declass", *db, *AS_ADMIN, "--as-of", "2019-04-06")
    assert "0 cables releasable by 2019-04-06" in out
    code, out = run("review", "09OTTAWA278", *db, *AS_ADMIN, "--release", "--reason", "FOIA")
    assert code == 0 and (
        "1. 2015-06-01  release the cable of version 1 (13 texts)  by rita: FOIA" in out
    )
    code, out = run("search", "uptick", *db, "--as", "liaison", "--output", "json")
    assert json.loads(out)["total"] == 1  # released by review on 2015-06-01
    code, out = run("audit", *db, *AS_ADMIN, "--user", "liaison", "--output", "json")
    entries = json.loads(out)
    assert [(e["action"], e["query"], e["ids"]) for e in entries] == [
        ("search", "uptick", ["09OTTAWA278"])
    ]
    code, out = run("audit", *db, *AS_ADMIN, "--output", "json")
    assert [(e["user"], e["action"]) for e in json.loads(out)] == [
        (ADMIN, "declass"),
        (ADMIN, "declass"),
        (ADMIN, "review"),  # the decision, logged before it is recorded
        (ADMIN, "review"),  # the cable's decisions, listed
        ("liaison", "search"),
        (ADMIN, "audit"),
        (ADMIN, "audit"),  # this reading
    ]
    assert run("audit", *db, *AS_ADMIN, "--verify")[1].startswith("audit log whole: 8 entries")


def test_an_older_version_marked_higher_stays_hidden(tmp_path: Path, backend: Backend):
    path = backend.new("two")
    with Archive(path, create=True) as archive:
        archive.ingest([REFERENCE], release="2011-04")  # NOFORN in the header
        archive.ingest([mixed_reference(tmp_path)], release="2011-05")  # not any more
    add_users(path)
    with Archive(path, user="liaison", today=BEFORE_DECL) as archive:
        assert [v.number for v in archive.versions(MIXED_ID)] == [2]  # 1 is not listed
        assert archive.get(MIXED_ID).version.number == 2
        with pytest.raises(UnknownCable, match="has no version 1 you may read"):
            archive.get(MIXED_ID, 1)
        with pytest.raises(UnknownCable):
            archive.diff(MIXED_ID, 1, 2)
        assert (archive.diff(MIXED_ID).old, archive.diff(MIXED_ID).new) == (2, 2)
    with Archive(path, user="officer", today=BEFORE_DECL) as archive:
        assert archive.get(MIXED_ID, 1).cable.caveats == ("NOFORN", "SIPDIS")
        assert archive.diff(MIXED_ID).old == 1
