"""Nothing learned from side doors of search (issue 10): scores, cursors, stats and the
work a search does must not depend on material hidden from the reader.

The archive here is written as text, cables of the leaked ``cables.csv`` with chosen
classifications and portion marks, and ingested through the parser; the oracle
decides what a reader may see from those chosen markings, and computes bm25 plainly
(over cables, counting units) from the unit texts of the archive. Readers who see few
cables have an index of their own and the others share the archive's
(``matching.NARROW_CABLES``): each test runs both ways.
"""

from __future__ import annotations

import base64
import contextlib
import json
import math
import random
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from cablekit.access import principals
from cablekit.archive import Archive
from cablekit.errors import QuerySyntaxError, UnknownCable
from cablekit.search import matching, parse_query, tokens
from cablekit.search.query import Text
from cablekit.search.sql import positive_texts

TODAY = date(2011, 6, 1)  # before every DECL date below
REFUSED = "The cursor is not one this archive gave out"
LEVELS = {"U": 0, "C": 3, "S": 4}
NAMES = {"U": "UNCLASSIFIED", "C": "CONFIDENTIAL", "S": "SECRET"}
CLEARANCE = {"intern": "U", "officer": "C", "liaison": "S"}
WORDS = [
    *("minister", "talks", "embassy", "minister", "oil", "gas", "pipeline", "nuclear"),
    *("ministry", "talks", "the", "the", "the", "of", "agreement", "border", "visit"),
    *("the", "minister", "talks", "delegation", "election", "reform", "the", "of"),
]
# Words no query looks for, the only words of other cables: the words above are then in
# some cables only, as words are in an archive, and their weight (bm25's idf over
# cables) is above its floor, so that the statistics show in every score.
OTHER_WORDS = [
    *("army", "budget", "court", "drought", "export", "farmer", "grain", "harbor"),
    *("island", "journal", "kingdom", "labor", "market", "navy", "opera", "police"),
]
PATHS = ["own index", "archive index"]


@dataclass(frozen=True)
class Crafted:
    """A cable as written: its classification, subject and marked paragraphs."""

    id: str
    level: str
    subject: str
    paragraphs: tuple[tuple[str, str], ...]  # (portion mark, text)


def csv_line(n: int, cable: Crafted) -> str:
    """One row of the leaked cables.csv holding ``cable`` as raw telegram text."""
    body = "\n\n".join(
        f"{i}. ({mark}) {text}" for i, (mark, text) in enumerate(cable.paragraphs, start=1)
    )
    text = (
        f"{NAMES[cable.level]} PARIS {n}\n\nE.O. 12958: DECL: 03/01/2035\nTAGS: PREL, FR\n"
        f"SUBJECT: {cable.subject}\n\n{body}\n"
    )
    header = "R 011200Z MAR 09\nFM AMEMBASSY PARIS\nTO SECSTATE WASHDC"
    fields = [str(n), "3/1/2009 12:00", cable.id, "Embassy Paris", NAMES[cable.level], "", header]
    return ",".join(f'"{f}"' for f in [*fields, text]) + "\n"


def crafted_cables(
    count: int, seed: int, first: int = 1, words: list[str] = WORDS
) -> list[Crafted]:
    rng = random.Random(seed)
    cables = []
    for n in range(first, first + count):
        level = rng.choice("UCS")
        marks = [m for m in "UCS" if LEVELS[m] <= LEVELS[level]]
        paragraphs = tuple(
            (rng.choice(marks), " ".join(rng.choices(words, k=rng.randint(3, 40))).upper() + ".")
            for _ in range(rng.randint(1, 5))
        )
        subject = " ".join(rng.choices(words, k=3)).upper()
        cables.append(Crafted(f"09PARIS{n}", level, subject, paragraphs))
    return cables


def ingest(path: Path, cables: list[Crafted], first: int = 1) -> None:
    rows = path.parent / f"cables-{first}.csv"
    rows.write_text("".join(csv_line(first + i, c) for i, c in enumerate(cables)))
    with Archive(path, create=True) as archive:
        assert archive.ingest([str(rows)], release="test").ingested == len(cables)


CABLES = crafted_cables(40, seed=3) + crafted_cables(40, seed=4, first=41, words=OTHER_WORDS)


def add_users(path: Path) -> None:
    with Archive(path) as archive:
        for name, level in CLEARANCE.items():
            principals.add(archive.store, name, clearance=NAMES[level], citizenship="USA")
            principals.grant(archive.store, name, collections=["*"])
        principals.add(archive.store, "nobody", clearance="TOP SECRET", citizenship="USA")
        principals.grant(archive.store, "nobody", collections=["no such collection"])


@pytest.fixture(scope="module")
def crafted_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("crafted") / "crafted.db"
    ingest(path, CABLES)
    add_users(path)
    return path


@pytest.fixture
def crafted(crafted_file: Path, tmp_path: Path) -> Path:
    path = tmp_path / "crafted.db"
    shutil.copy(crafted_file, path)
    return path


@pytest.fixture(params=PATHS)
def index_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Readers get an index of their own (these archives are small), or none."""
    if request.param == "archive index":
        monkeypatch.setattr(matching, "NARROW_CABLES", 0)
    yield request.param


# --- the oracle --------------------------------------------------------------------


def visible_units(path: Path, user: str, cables: list[Crafted]) -> dict[str, list[str]]:
    """The texts of the units ``user`` may see, by cable id, decided from the markings
    as written; the texts are the archive's units (subject, then each paragraph)."""
    clearance = LEVELS[CLEARANCE[user]]
    seen: dict[str, list[str]] = {}
    with Archive(path) as archive:  # public: the stored units as they are
        for cable in cables:
            if LEVELS[cable.level] > clearance:
                continue
            rows = archive.store.query(
                "SELECT u.seq, u.body FROM unit u JOIN cable c ON c.key = u.cable_key"
                " WHERE c.id = ? ORDER BY u.seq",
                [cable.id],
            )
            marks = {0: cable.level} | {i: m for i, (m, _) in enumerate(cable.paragraphs, 1)}
            assert len(rows) == len(marks)
            seen[cable.id] = [body for seq, body in rows if LEVELS[marks[seq]] <= clearance]
    return seen


def occurrences(term: Text, words: list[str]) -> int:
    """How many times the term's phrase occurs in ``words`` (a prefix on its last word)."""
    n = len(term.words)
    found = 0
    for at in range(len(words) - n + 1):
        window = words[at : at + n]
        head_ok = window[:-1] == list(term.words[:-1])
        last = window[-1]
        last_ok = last.startswith(term.words[-1]) if term.prefix else last == term.words[-1]
        found += head_ok and last_ok
    return found


def oracle_scores(query: str, units: dict[str, list[str]]) -> dict[str, float]:
    """bm25 (k1 1.2, b 0.75, FTS5's idf floor) over the cables of ``units``, counting
    units: a term's frequency in a cable is the number of its units holding the term, a
    cable's length its number of units, and the number of documents, their average
    length and each term's document frequency are over these cables."""
    terms = positive_texts(parse_query(query))
    texts = {cable_id: [tokens(body) for body in bodies] for cable_id, bodies in units.items()}
    cables = len(texts)
    average = sum(map(len, texts.values())) / cables
    holding = [
        sum(1 for words in texts.values() if any(occurrences(term, w) for w in words))
        for term in terms
    ]
    idf = [max(math.log((cables - h + 0.5) / (h + 0.5)), 0) or 1e-6 for h in holding]
    scores = {}
    for cable_id, words in texts.items():
        found = [sum(1 for w in words if occurrences(term, w)) for term in terms]
        norm = 1.2 * (0.25 + 0.75 * len(words) / average)
        scores[cable_id] = sum(w * f * 2.2 / (f + norm) for w, f in zip(idf, found, strict=True))
    return scores


QUERIES = [
    "minister",
    "the",
    "minister OR talks",
    '"the minister"',
    "min*",
    "pipeline AND nuclear",
    "talks -election",
    "embassy OR embassy",
]


# --- scores ------------------------------------------------------------------------


@pytest.mark.parametrize("user", ["intern", "officer", "liaison"])
def test_scores_are_bm25_over_exactly_the_units_the_reader_may_see(
    crafted: Path, index_path: str, user: str
) -> None:
    units = visible_units(crafted, user, CABLES)
    scored = 0
    highest = 0.0
    with Archive(crafted, user=user, today=TODAY) as archive:
        for query in QUERIES:
            expected = oracle_scores(query, units)
            highest = max(highest, *expected.values())
            result = archive.search(query, limit=1000)
            got = {hit.id: hit.score for hit in result.results}
            assert result.total == len(got), query
            for cable_id, score in got.items():
                assert score == pytest.approx(expected[cable_id], abs=2e-6), (query, cable_id)
            scores = [hit.score for hit in result.results]
            assert scores == sorted(scores, reverse=True)
            scored += sum(1 for score in scores if score > 0)
    assert scored > 3 * len(QUERIES)
    assert highest > 0.1  # weights above their floor (1e-6): the statistics count


def test_a_hidden_cable_with_the_words_leaves_a_readers_scores_unchanged(
    crafted: Path, index_path: str
) -> None:
    """Finding 4: bm25 over the whole index moved a reader's scores when a cable they
    may not see, holding the word, was added."""

    def scores(user: str | None) -> dict[str, list[tuple[str, float]]]:
        with Archive(crafted, user=user, today=TODAY) as archive:
            return {
                q: [(h.id, h.score) for h in archive.search(q, limit=1000).results] for q in QUERIES
            }

    before = {user: scores(user) for user in ("intern", "officer", "liaison")}
    secret = Crafted(
        "09PARIS900",
        "S",
        "MINISTER TALKS",
        (("S", "THE MINISTER TALKS OF THE MINISTER AND THE PIPELINE NUCLEAR EMBASSY."),) * 3,
    )
    ingest(crafted, [secret], first=900)
    for user in ("intern", "officer"):
        assert scores(user) == before[user]
    # The reader who may see the new cable: their statistics, and so scores, did change.
    after = scores("liaison")
    assert any(
        dict(before["liaison"][q]) != {i: v for i, v in after[q] if i != secret.id} for q in QUERIES
    )


# --- cursors -----------------------------------------------------------------------


def cursor_of(archive: Archive, query: str = "the", sort: str = "relevance") -> str:
    cursor = archive.search(query, sort=sort, limit=3).next_cursor  # type: ignore[arg-type]
    assert cursor
    return cursor


def test_a_cursor_holds_only_what_the_page_showed(crafted: Path) -> None:
    with Archive(crafted, user="officer", today=TODAY) as archive:
        page = archive.search("the", limit=3)
        assert page.next_cursor
        body = page.next_cursor.split(".")[0]
        shown = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        last = page.results[-1]
        assert shown[1] == last.id and round(shown[0], 6) == last.score
        assert len(shown) == 2  # no key, no query, no reader


def test_forged_cursors_are_refused(crafted: Path) -> None:
    """Finding 5: an unsigned cursor carried an internal key; forging them listed the
    visible keys, and their gaps counted the hidden cables."""
    with Archive(crafted, user="officer", today=TODAY) as archive:
        old_form = json.dumps(["relevance", "the", 0.0, 5]).encode()
        signed = cursor_of(archive)
        body, tag = signed.split(".")
        other_body = base64.urlsafe_b64encode(json.dumps([0.0, CABLES[0].id]).encode())
        forged = [
            base64.urlsafe_b64encode(old_form).decode().rstrip("="),
            f"{other_body.decode().rstrip('=')}.{tag}",
            body,
            f"{body}.",
            f"{body}.{'A' * len(tag)}",
            ".",
            "é.é",
        ]
        for cursor in forged:
            with pytest.raises(QuerySyntaxError, match=REFUSED):
                archive.search("the", cursor=cursor)


def test_every_bit_flipped_in_a_cursor_is_refused(crafted: Path) -> None:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    with Archive(crafted, user="officer", today=TODAY) as archive:
        signed = cursor_of(archive)
        for at, char in enumerate(signed):
            if char == ".":
                continue
            for bit in (1, 2, 4, 8, 16, 32):
                flipped = alphabet[alphabet.index(char) ^ bit]
                edited = signed[:at] + flipped + signed[at + 1 :]
                with pytest.raises(QuerySyntaxError, match=REFUSED):
                    archive.search("the", cursor=edited)


def test_a_cursor_works_only_for_its_reader_query_and_sort(crafted: Path) -> None:
    with Archive(crafted, user="officer", today=TODAY) as officer:
        given = cursor_of(officer)
        officer.search("the", cursor=given)  # its own: accepted
        for query, sort in (("minister", "relevance"), ("the", "newest"), ("the ", "relevance")):
            with pytest.raises(QuerySyntaxError, match=REFUSED):
                officer.search(query, sort=sort, cursor=given)  # type: ignore[arg-type]
    with (
        Archive(crafted, user="liaison", today=TODAY) as liaison,
        pytest.raises(QuerySyntaxError, match=REFUSED),
    ):
        liaison.search("the", cursor=given)


def test_a_cursor_from_another_archive_is_refused(crafted: Path, tmp_path: Path) -> None:
    """The same cables and users in another file: another secret."""
    other = tmp_path / "other.db"
    ingest(other, CABLES)
    add_users(other)
    with Archive(other, user="officer", today=TODAY) as archive:
        given = cursor_of(archive)
    with (
        Archive(crafted, user="officer", today=TODAY) as archive,
        pytest.raises(QuerySyntaxError, match=REFUSED),
    ):
        archive.search("the", cursor=given)


@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
def test_a_restricted_reader_pages_through_every_hit_once(
    crafted: Path, index_path: str, sort: str
) -> None:
    with Archive(crafted, user="officer", today=TODAY) as archive:
        everything = [h.id for h in archive.search("the OR talks", sort=sort, limit=1000).results]  # type: ignore[arg-type]
        seen: list[str] = []
        cursor = None
        while True:
            page = archive.search("the OR talks", sort=sort, limit=4, cursor=cursor)  # type: ignore[arg-type]
            seen += [h.id for h in page.results]
            cursor = page.next_cursor
            if cursor is None:
                break
    assert seen == everything and len(everything) > 8


# --- stats -------------------------------------------------------------------------


def test_stats_count_only_what_the_reader_may_see(sample_archive_file: Path, tmp_path: Path):
    """Finding 6: references to hidden cables counted as resolved in the archive, and
    paragraphs were the stored count, withheld ones included."""
    path = tmp_path / "samples.db"
    shutil.copy(sample_archive_file, path)
    with Archive(path) as archive:
        principals.add(archive.store, "liaison", clearance="SECRET", citizenship="CAN")
        principals.grant(archive.store, "liaison", collections=["*"])
        everything = archive.store.query("SELECT id FROM cable")
    with Archive(path, user="liaison", today=TODAY) as archive:
        figures = archive.stats()
        visible = {}
        for (cable_id,) in everything:
            with contextlib.suppress(UnknownCable):
                visible[cable_id] = archive.get(cable_id).cable
        cited = [ref.id for cable in visible.values() for ref in cable.references if ref.id]
    archived = {cable_id for (cable_id,) in everything}
    assert figures.cables == len(visible) < len(everything)
    assert figures.resolved_in_archive == sum(1 for target in cited if target in visible)
    assert figures.resolved_in_archive < sum(1 for target in cited if target in archived)
    readable = sum(
        1
        for cable in visible.values()
        for paragraph in cable.paragraphs
        if not paragraph.text.startswith("[withheld")
    )
    assert figures.paragraphs == readable


# --- the work a search does --------------------------------------------------------


def statements(archive: Archive) -> list[str]:
    seen: list[str] = []
    archive.store.db.set_trace_callback(seen.append)
    return seen


HIDDEN_WORDS = ["the", "t*", "minister OR talks", '"the minister"', "tag:PREL"]


def index_work(statements: list[str]) -> list[str]:
    """The statements that read words or field values, as opposed to the reader's sets
    and the columns (read once per state of the archive, whatever the query)."""
    marks = ("MATCH", "unit_fts", "FROM unit", "FROM tag", "FROM addressee", "FROM reference")
    return [sql for sql in statements if any(mark in sql for mark in marks)]


def test_a_reader_who_sees_nothing_costs_no_index_work(crafted: Path) -> None:
    """Finding 10: the time of a search told how common its words are in hidden material;
    for a reader who sees no cable, nothing is looked up at all."""
    with Archive(crafted, user="nobody", today=TODAY) as archive:
        archive.search("warm up", sort="newest", facets=True, timeline=True)
        ran = statements(archive)
        for query in HIDDEN_WORDS:
            for sort in ("relevance", "newest"):
                result = archive.search(query, sort=sort, facets=True, timeline=True)  # type: ignore[arg-type]
                assert result.total == 0 and not result.results
    assert ran and not index_work(ran)


def test_a_reader_who_sees_few_cables_never_reads_the_archives_index(crafted: Path) -> None:
    with Archive(crafted, user="intern", today=TODAY) as archive:
        ran = statements(archive)
        for query in HIDDEN_WORDS:
            for sort in ("relevance", "newest"):
                assert archive.search(query, sort=sort, facets=True).total  # type: ignore[arg-type]
    assert ran and not [sql for sql in ran if "unit_fts" in sql]
