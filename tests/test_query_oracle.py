"""The brute-force query evaluator (tests/query_oracle.py) on real records.

Hand-checked answers on the three bundled sample cables (the oracle's, and the
archive's on both backends: a SQLite file and a PostgreSQL record), then invariants
and a check against SQLite FTS5 on a few hundred pages of the shared corpus (skipped
when ../shared is absent).
"""

from __future__ import annotations

import dataclasses
import itertools
import random
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

import cablekit
from cablekit.archive import Archive
from cablekit.model import Cable, Reference
from cablekit.search import Text, format_query, parse_query, tokens

from .backends import Backend
from .query_oracle import Corpus, matching_ids

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "src" / "cablekit" / "samples"
CORPUS = ROOT / ".." / "shared" / "data" / "corpus" / "cablegate-2011-04" / "cable.tar.xz"
CORPUS_CABLES = 300

OTTAWA, BEIJING, PARIS = "09OTTAWA278", "09BEIJING22", "09PARIS1007"
ALL = {OTTAWA, BEIJING, PARIS}


@pytest.fixture(scope="module")
def samples() -> Corpus:
    names = ["09OTTAWA278.scraped.md", "09BEIJING22.html", "09PARIS1007.txt"]
    return Corpus(cablekit.parse((SAMPLES / name).read_bytes()) for name in names)


SAMPLE_QUERIES = [
    ('tag:PREL AND from:OTTAWA AND "polar prism"', {OTTAWA}),  # a heading's words
    ("NOT caveat:NOFORN", {BEIJING, PARIS}),
    ("caveat:SIPDIS", ALL),
    ("caveat:NOF", set()),  # whole words only
    # words and phrases
    ("calibrated", {OTTAWA}),
    ("Calibrated", {OTTAWA}),
    ("calibrat*", {OTTAWA, BEIJING}),  # Beijing: "re-calibrate"
    ("calibrat", set()),
    ('"calibrated re-engagement"', {OTTAWA}),
    ('"calibrated re"*', {OTTAWA}),
    ('"re-engagement calibrated"', set()),
    ('"People\'s Republic of China"', {BEIJING}),  # the page writes People’s
    ('"talk following"', {OTTAWA}),  # a heading and its paragraph are one unit
    ('"summary tough"', set()),  # never across two paragraphs
    ('"u s summary"', set()),  # nor from the subject into a paragraph
    ("Sarkozy Mubarak", {PARIS}),
    ("Sarkozy OR Mubarak OR Harper", {PARIS, OTTAWA}),
    ("Russia", {OTTAWA, BEIJING}),  # Beijing: "Russia" in its paragraph on energy
    ("Russia -China", {OTTAWA}),
    ("arctic", {OTTAWA}),
    # subject
    ("subject:russia", {OTTAWA}),
    ('subject:"U.S.-China"', {BEIJING}),
    ("subject:calibrated", {OTTAWA}),  # CANADA'S "CALIBRATED" RE-ENGAGEMENT...
    ("subject:summary", set()),
    ("subject:sarko*", {PARIS}),
    # from: post, routing indicator, whole words of the FM name
    ("from:OTTAWA", {OTTAWA}),
    ("from:ottawa", {OTTAWA}),
    ('from:"AMEMBASSY OTTAWA"', {OTTAWA}),
    ("from:RUEHOT", {OTTAWA}),
    ("from:AMEMBASSY", ALL),
    ("from:OTTAW", set()),
    ('from:"EMBASSY OTTAWA"', set()),
    # to: TO and INFO addressees
    ('to:"SECSTATE WASHDC"', ALL),
    ("to:NSC", {BEIJING, PARIS}),
    ('to:"NSC WASHDC"', {BEIJING}),
    ("to:RUEHMO", {OTTAWA}),
    ("to:MOSCOW", {OTTAWA}),
    ('to:"NATO EU COLLECTIVE"', {OTTAWA}),
    ("to:WASH", set()),
    ("to:OTTAWA", set()),
    # tags, classification, ids, references
    ("tag:PREL", ALL),
    ("tag:CA", {OTTAWA}),
    ("tag:prel tag:ch", {BEIJING}),
    ("class:C", ALL),
    ("class:confidential", ALL),
    ("NOT class:S", ALL),
    ("id:09OTTAWA278", {OTTAWA}),
    ("id:09*", ALL),
    ("id:09P*", {PARIS}),
    ("id:09OTTAWA", set()),
    ("ref:09MOSCOW833", {OTTAWA}),
    ('cites:"09 OTTAWA 8"', {OTTAWA}),
    ("ref:09OTTAWA1", set()),
    ("citedby:09OTTAWA278", set()),  # it cites none of the samples
    # dates
    ("date:2009", ALL),
    ("date:2009-04", {OTTAWA}),
    ("date:2009-04-07", {OTTAWA}),
    ("date:..2009-01-06", {BEIJING}),
    ("date:2009-01-07..2009-07-23", {OTTAWA}),
    ("date:2009-07..", {PARIS}),
    ("date:2010..", set()),
    # boolean structure
    ("tag:PREL (from:OTTAWA OR from:PARIS) NOT tag:FR", {OTTAWA}),
    ("NOT (tag:CA OR tag:CH)", {PARIS}),
    ("NOT tag:CA NOT tag:CH", {PARIS}),
    ("NOT NOT tag:CA", {OTTAWA}),
]


@pytest.mark.parametrize(("query", "expected"), SAMPLE_QUERIES)
def test_samples(samples: Corpus, query: str, expected: set[str]) -> None:
    assert matching_ids(parse_query(query), samples) == expected


@pytest.fixture(scope="module")
def sample_archive_of_three(backend: Backend) -> Iterator[Archive]:
    """The three sample cables in an archive of their own, on each backend."""
    target = backend.new("three")
    names = ["09OTTAWA278.scraped.md", "09BEIJING22.html", "09PARIS1007.txt"]
    with backend.environment(), Archive(target, create=True) as archive:
        archive.ingest([str(SAMPLES / name) for name in names], release="samples")
        yield archive


@pytest.mark.parametrize(("query", "expected"), SAMPLE_QUERIES)
def test_the_archive_gives_the_hand_checked_answers(
    sample_archive_of_three: Archive, query: str, expected: set[str]
) -> None:
    found = sample_archive_of_three.search(query, limit=10, facets=True)
    assert {hit.id for hit in found.results} == expected and found.total == len(expected)


def test_citedby_and_ref_are_inverse(samples: Corpus) -> None:
    """A cable citing two samples: citedby: finds them, ref: finds it."""
    ottawa = samples.cables[0]
    cites = tuple(
        Reference(letter, text, "cable", cid)
        for letter, text, cid in [
            ("A", "09 OTTAWA 278", OTTAWA),
            ("B", "09 PARIS 1007", PARIS),
            ("C", "09 NOWHERE 1", None),
        ]
    )
    citing = dataclasses.replace(ottawa, id="09STATE1", references=cites)
    cables = [*samples.cables, citing]
    assert matching_ids(parse_query("citedby:09STATE1"), cables) == {OTTAWA, PARIS}
    assert matching_ids(parse_query("ref:09PARIS1007"), cables) == {"09STATE1"}
    assert matching_ids(parse_query("NOT citedby:09STATE1"), cables) == {BEIJING, "09STATE1"}


def test_a_cable_without_a_date_never_matches_a_date(samples: Corpus) -> None:
    undated = dataclasses.replace(samples.cables[0], date=None)
    assert matching_ids(parse_query("date:1900.."), [undated]) == set()
    assert matching_ids(parse_query("NOT date:1900.."), [undated]) == {OTTAWA}


def test_excluded_addressees_are_not_addressees(samples: Corpus) -> None:
    ottawa = samples.cables[0]
    moscow = ottawa.info[2]
    assert moscow.name == "AMEMBASSY MOSCOW"
    info = (*ottawa.info[:2], dataclasses.replace(moscow, excluded=True), *ottawa.info[3:])
    excluded = dataclasses.replace(ottawa, info=info)
    assert matching_ids(parse_query("to:MOSCOW"), [excluded]) == set()


# --- the corpus ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    if not CORPUS.is_file():
        pytest.skip(f"no corpus at {CORPUS}")
    return Corpus(itertools.islice(cablekit.read(CORPUS), CORPUS_CABLES))


def own_terms(cable: Cable, rng: random.Random) -> list[str]:
    """Queries that the cable must match, drawn from its own record."""
    queries = [f"id:{cable.id}", f"id:{(cable.id or '')[:4]}*"]
    queries += [format_query(parse_query(f'tag:"{tag}"')) for tag in cable.tags[:3]]
    if cable.post:
        queries.append(f'from:"{cable.post}"')
    if cable.classification:
        queries.append(f'class:"{cable.classification}"')
    if cable.date:
        queries += [f"date:{cable.date}", f"date:{cable.date[:7]}", f"date:..{cable.date[:4]}"]
    words = [t for p in cable.paragraphs for t in [tokens(p.text)] if len(t) >= 3]
    if words:
        unit = rng.choice(words)
        start = rng.randrange(len(unit) - 2)
        queries += [f'"{" ".join(unit[start : start + 3])}"', f"{unit[start][:3]}*"]
    return queries


@pytest.mark.corpus
def test_each_cable_matches_its_own_terms(corpus: Corpus) -> None:
    rng = random.Random(278)
    for cable in rng.sample(corpus.cables, 25):
        for query in own_terms(cable, rng):
            assert cable.id in matching_ids(parse_query(query), corpus), query


@pytest.mark.corpus
def test_boolean_laws(corpus: Corpus) -> None:
    every = corpus.ids(range(len(corpus.cables)))
    a, b = "tag:PREL", "caveat:NOFORN"
    ids = {q: matching_ids(parse_query(q), corpus) for q in (a, b)}
    assert ids[a] and ids[b] and ids[a] != every
    query = {
        f"NOT ({a} OR {b})": every - (ids[a] | ids[b]),
        f"NOT {a} NOT {b}": every - (ids[a] | ids[b]),
        f"{a} {b}": ids[a] & ids[b],
        f"{a} OR {b}": ids[a] | ids[b],
        f"-{a}": every - ids[a],
    }
    for text, expected in query.items():
        assert matching_ids(parse_query(text), corpus) == expected, text


@pytest.mark.corpus
def test_citedby_is_the_inverse_of_ref(corpus: Corpus) -> None:
    by_id = {c.id: c for c in corpus.cables}
    checked = 0
    for cable in corpus.cables:
        cited = {r.id for r in cable.references if r.id in by_id}
        assert matching_ids(parse_query(f"citedby:{cable.id}"), corpus) == cited
        for cid in cited:
            assert cable.id in matching_ids(parse_query(f"ref:{cid}"), corpus)
        checked += len(cited)
    assert checked > 10  # the sample holds enough citations to mean something


@pytest.mark.corpus
def test_text_terms_agree_with_sqlite_fts5(corpus: Corpus) -> None:
    """Words, phrases and prefixes: the oracle and an FTS5 index of the same units."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE u USING fts5(unit, tokenize='unicode61 remove_diacritics 2')")
    owner: list[int] = []  # rowid - 1 -> the cable's position
    for i, cable in enumerate(corpus.cables):
        units = [cable.subject or ""]
        units += [f"{p.heading}\n{p.text}" if p.heading else p.text for p in cable.paragraphs]
        rows = ((len(owner) + k + 1, text) for k, text in enumerate(units))
        db.executemany("INSERT INTO u(rowid, unit) VALUES (?, ?)", rows)
        owner += [i] * len(units)
    rng = random.Random(6712)
    for _ in range(150):
        cable = rng.choice(corpus.cables)
        texts = [t for p in cable.paragraphs if len(t := tokens(p.text)) >= 2]
        if not texts:
            continue
        unit = rng.choice(texts)
        n = rng.choice([1, 1, 2, 3])
        start = rng.randrange(len(unit) - n + 1)
        words, prefix = unit[start : start + n], rng.random() < 0.3
        if prefix:
            words[-1] = words[-1][: max(1, len(words[-1]) // 2)]
        match = '"' + " ".join(words) + '"' + (" *" if prefix else "")
        rows = db.execute("SELECT rowid FROM u WHERE u MATCH ?", (match,))
        expected = corpus.ids(owner[rowid - 1] for (rowid,) in rows)
        assert matching_ids(Text(tuple(words), prefix, "text"), corpus) == expected, match
    db.close()
