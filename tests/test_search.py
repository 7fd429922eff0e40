"""Search in the archive against an independent brute-force evaluation of each query.

The archive answers with SQL over its tables; ``query_oracle`` answers by looking at
every parsed record in memory. For generated queries (words, phrases, prefixes,
every field, dates, AND/OR/NOT) both must give the same cables, the same exact
total and the same facet counts. Paging, sorting, snippets and timeline are checked
on the side. Every test over the archive runs on both backends (``backend``): the
SQLite file, and a PostgreSQL record searched through a node's index.
"""

from __future__ import annotations

import dataclasses
import math
import random
import sqlite3
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cablekit.archive import Archive
from cablekit.errors import QuerySyntaxError
from cablekit.model import Cable
from cablekit.search import And, DateRange, Field, Node, Not, Or, Text, format_query, sql, tokens
from cablekit.search.engine import FACET_SIZE, TAG_FACETS
from cablekit.store.postgres import PostgresRecord
from cablekit.tables import tag_kind

from .backends import Backend
from .query_oracle import Corpus, matching_ids

ALL = 100_000


def current_records(target: str | Path) -> list[Cable]:
    """The current version of every cable of an archive, in id order."""
    with Archive(target) as archive:
        ids = [row[0] for row in archive.store.query("SELECT id FROM cable ORDER BY id")]
        return [archive.get(cable_id).cable for cable_id in ids]


@pytest.fixture(scope="module")
def records(sample_target: str) -> list[Cable]:
    return current_records(sample_target)


@pytest.fixture()
def sample_archive(sample_target: str) -> Iterator[Archive]:
    """The sample archive on each backend (conftest's ``sample_archive`` is SQLite's)."""
    with Archive(sample_target) as archive:
        yield archive


def test_both_backends_hold_the_same_records(
    records: list[Cable], sample_archive: Archive, sample_archive_file: Path, backend: Backend
) -> None:
    """What the oracle judges on PostgreSQL is what it judges on SQLite: the same
    answers from the same oracle mean the same answers from both backends."""
    assert isinstance(sample_archive.record, PostgresRecord) == backend.postgres
    assert len(records) == 202
    assert records == current_records(sample_archive_file)
    with Archive(sample_archive_file) as reference:  # and in the same archive order
        assert [c.id for c in sample_archive.records()] == [c.id for c in reference.records()]


@pytest.fixture(scope="module")
def corpus(records: list[Cable]) -> Corpus:
    return Corpus(records)


def vocabulary(records: Sequence[Cable]) -> dict[str, list[str]]:
    """Values worth asking about, drawn from the records themselves."""
    rng = random.Random(7)
    words = Counter(w for c in records for p in c.paragraphs for w in tokens(p.text))
    frequent = [w for w, _ in words.most_common(300)]
    rare = [w for w, n in words.items() if n <= 2][:300]
    phrases = []
    for cable in rng.sample(list(records), 60):
        for p in cable.paragraphs[:2]:
            ws = tokens(p.text)
            if len(ws) > 3:
                i = rng.randrange(len(ws) - 2)
                phrases.append(" ".join(ws[i : i + rng.choice((2, 3))]))
    return {
        "word": frequent + rare,
        "phrase": phrases,
        "tag": sorted({t for c in records for t in c.tags}),
        "from": sorted({c.post for c in records if c.post} | {"AMEMBASSY", "SECSTATE WASHDC"}),
        "to": sorted({a.name.split()[0] for c in records for a in c.to + c.info} | {"RUEHC"}),
        "class": sorted({c.classification for c in records if c.classification}),
        "caveat": ["NOFORN", "SIPDIS", "REL", "EFTO", "REL NATO"],
        "id": [c.id for c in records if c.id][:80],
        "ref": sorted({r.id for c in records for r in c.references if r.id})[:120],
        "year": [str(y) for y in range(1966, 2011)],
    }


def leaves(vocab: dict[str, list[str]]) -> st.SearchStrategy[Node]:
    def text(kind: str, field: str = "text") -> st.SearchStrategy[Node]:
        def build(value: str, prefix: bool) -> Node:
            words = tuple(tokens(value))
            if prefix:
                return Text((words[0][:3],), True, field)  # type: ignore[arg-type]
            return Text(words, False, field)  # type: ignore[arg-type]

        return st.builds(build, st.sampled_from(vocab[kind]), st.booleans())

    def field(name: str, source: str | None = None) -> st.SearchStrategy[Node]:
        return st.sampled_from(vocab[source or name]).map(lambda v: Field(name, v, False))

    def dates(year: str) -> DateRange:
        return DateRange(f"{year}-01-01", f"{int(year) + 1}-06-30")

    return st.one_of(
        text("word"),
        text("phrase"),
        text("word", "subject"),
        field("tag"),
        field("from"),
        field("to"),
        field("class"),
        field("caveat"),
        field("id"),
        st.sampled_from(vocab["id"]).map(lambda v: Field("id", v[:4], True)),
        field("ref"),
        field("citedby", "id"),
        st.sampled_from(vocab["year"]).map(dates),
    )


def queries(vocab: dict[str, list[str]]) -> st.SearchStrategy[Node]:
    return st.recursive(
        leaves(vocab),
        lambda inner: st.one_of(
            st.lists(inner, min_size=2, max_size=3).map(lambda xs: And(tuple(xs))),
            st.lists(inner, min_size=2, max_size=3).map(lambda xs: Or(tuple(xs))),
            inner.map(Not),
        ),
        max_leaves=5,
    )


def expected_facets(matched: list[Cable]) -> dict[str, list[tuple[str, int]]]:
    """Facet counts computed by hand from the matching records."""
    counters: dict[str, Counter[str]] = {name: Counter() for name in TAG_FACETS.values()}
    for cable in matched:
        for tag in set(cable.tags):
            kind = tag_kind(tag)
            if kind:
                counters[TAG_FACETS[kind]][tag] += 1
    counters["origin"] = Counter(c.post for c in matched if c.post)
    counters["classification"] = Counter(c.classification for c in matched if c.classification)
    counters["caveat"] = Counter(v for c in matched for v in set(c.caveats))
    counters["year"] = Counter(c.date[:4] for c in matched if c.date)
    return {
        name: sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:FACET_SIZE]
        for name, counter in counters.items()
    }


def check(archive: Archive, records: list[Cable], corpus: Corpus, node: Node) -> None:
    query = format_query(node)
    result = archive.search(query, limit=ALL, facets=True, snippets=False)
    expected = matching_ids(node, corpus)
    got = [hit.id for hit in result.results]
    assert len(got) == len(set(got))
    assert set(got) == expected, query
    assert result.total == len(expected), query
    matched = [c for c in records if c.id in expected]
    facets = {name: [(v.value, v.count) for v in vs] for name, vs in result.facets.items()}
    assert facets == expected_facets(matched), query


@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
def test_both_backends_give_the_same_pages(
    sample_archive: Archive, sample_archive_file: Path, sort: str
) -> None:
    """Not only the same cables: the same order, scores, snippets, facets, timeline
    and cursors as the SQLite archive, page after page (a cursor is signed with its
    archive's own key: the positions it holds are the same)."""
    queries = ["embassy", '"prime minister" OR nucl*', "tag:PREL -caveat:NOFORN", "date:2009"]
    with Archive(sample_archive_file) as reference:
        for query in queries:
            cursors: list[str | None] = [None, None]
            for _ in range(3):
                pages = [
                    archive.search(
                        query, sort=sort, limit=25, cursor=cursor, facets=True, timeline=True
                    )  # type: ignore[arg-type]
                    for archive, cursor in zip((sample_archive, reference), cursors, strict=True)
                ]
                cursors = [page.next_cursor for page in pages]
                unsigned = [
                    dataclasses.replace(page, next_cursor=(page.next_cursor or "").split(".")[0])
                    for page in pages
                ]
                assert unsigned[0] == unsigned[1], (query, sort)
                if cursors[0] is None:
                    break


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_generated_queries_agree_with_the_oracle(
    sample_archive: Archive, records: list[Cable], corpus: Corpus, data: st.DataObject
) -> None:
    node = data.draw(queries(vocabulary_cache(records)))
    check(sample_archive, records, corpus, node)


_VOCAB: dict[int, dict[str, list[str]]] = {}


def vocabulary_cache(records: list[Cable]) -> dict[str, list[str]]:
    return _VOCAB.setdefault(id(records), vocabulary(records))


@pytest.mark.parametrize(
    "query",
    [
        "tag:PREL AND from:OTTAWA",
        '"polar prism"',
        "polar AND prism AND NOT caveat:NOFORN",
        "citedby:05BRASILIA1979",
        "ref:05BRASILIA1544",
        "to:SECSTATE date:2009-01..2009-06",
        "subject:canada OR class:SECRET",
        "nucl* -tag:MNUC",
        "id:09OTTAWA*",
        "caveat:REL",
        "date:..1999",
    ],
)
def test_hand_written_queries_agree_with_the_oracle(
    sample_archive: Archive, records: list[Cable], corpus: Corpus, query: str
) -> None:
    from cablekit.search import parse_query

    check(sample_archive, records, corpus, parse_query(query))


def test_reference_cable_is_found_by_its_words_and_fields(sample_archive: Archive) -> None:
    result = sample_archive.search('"polar prism" tag:PREL from:OTTAWA caveat:NOFORN')
    assert [hit.id for hit in result.results] == ["09OTTAWA278"]
    assert "«POLAR PRISM»" in result.results[0].snippet.upper()


@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
def test_cursor_paging_visits_every_hit_once_in_order(sample_archive: Archive, sort: str) -> None:
    query = "to:SECSTATE OR embassy"
    everything = sample_archive.search(query, sort=sort, limit=ALL)  # type: ignore[arg-type]
    seen: list[str] = []
    cursor = None
    while True:
        page = sample_archive.search(query, sort=sort, limit=7, cursor=cursor)  # type: ignore[arg-type]
        assert page.total == everything.total
        seen += [hit.id for hit in page.results]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [hit.id for hit in everything.results]
    assert len(seen) == everything.total > 50
    dates = [hit.date or "" for hit in everything.results]
    if sort == "newest":
        assert dates == sorted(dates, reverse=True)
    elif sort == "oldest":
        assert dates == sorted(dates)
    else:
        scores = [hit.score for hit in everything.results]
        assert scores == sorted(scores, reverse=True)


def test_timeline_bins_are_contiguous_and_count_every_dated_hit(
    sample_archive: Archive,
) -> None:
    for query, width in (
        ("to:SECSTATE", 4),
        ("date:2009-01..2009-12", 7),
        ("date:2009-04-01..2009-04-30", 10),
    ):
        result = sample_archive.search(query, limit=ALL, timeline=True)
        dated = sum(1 for hit in result.results if hit.date)
        assert sum(b.count for b in result.timeline) == dated
        assert all(len(b.start) == 10 for b in result.timeline)
        assert {len(b.start[:width]) for b in result.timeline} == {width}
        for before, after in zip(result.timeline, result.timeline[1:], strict=False):
            assert before.end < after.start


def test_a_cursor_from_another_query_is_refused(sample_archive: Archive) -> None:
    first = sample_archive.search("embassy", limit=2)
    assert first.next_cursor
    with pytest.raises(QuerySyntaxError, match="not one this archive gave out"):
        sample_archive.search("consulate", cursor=first.next_cursor)
    with pytest.raises(QuerySyntaxError, match="not one this archive gave out"):
        sample_archive.search("embassy", cursor="not-a-cursor")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "Empty query at position 0"),
        ("(tag:PREL", "Unbalanced parenthesis at position 0"),
        ("form:OTTAWA", 'Unknown field "form" at position 0'),
    ],
)
def test_malformed_queries(sample_archive: Archive, query: str, message: str) -> None:
    with pytest.raises(QuerySyntaxError, match=message):
        sample_archive.search(query)


@pytest.mark.parametrize(
    "query",
    ["embassy", '"prime minister"', "nucl*", "iran OR iraq OR embassy", "the", "oil gas pipeline"],
)
def test_bm25_in_python_is_the_number_fts5_gives(sample_archive: Archive, query: str) -> None:
    """Snippets of hits sorted by date pick their passage by ranking.bm25: it must be
    FTS5's own rank, to the last bit, for every unit the expression matches."""
    from cablekit.search import parse_query
    from cablekit.search.engine import ranking_phrases
    from cablekit.search.ranking import Stats, bm25, expression

    store = sample_archive.store
    phrases = ranking_phrases(parse_query(query))
    stats = Stats.of(store)
    idf = []
    for phrase in phrases:
        (hits,) = store.query("SELECT count(*) FROM unit_fts WHERE unit_fts MATCH ?", [phrase.fts])[
            0
        ]
        idf.append(stats.idf(hits))
    rows = store.query(
        "SELECT f.rank, u.body FROM unit_fts f JOIN unit u ON u.rowid = f.rowid"
        " WHERE unit_fts MATCH ?",
        [expression(phrases)],
    )
    assert len(rows) > 20
    assert all(bm25(phrases, idf, tokens(body), stats.average) == rank for rank, body in rows)


def occurrences(words: tuple[str, ...], prefix: bool, text: list[str]) -> int:
    """How many times the phrase ``words`` (its last word a prefix if ``prefix``) occurs
    in ``text``."""
    n = len(words)
    found = 0
    for at in range(len(text) - n + 1):
        *head, last = text[at : at + n]
        ok = last.startswith(words[-1]) if prefix else last == words[-1]
        found += ok and head == list(words[:-1])
    return found


@pytest.mark.parametrize(
    "query",
    [
        "embassy",
        '"prime minister"',
        "nucl*",
        "iran OR iraq OR embassy",
        "the",
        "oil OR gas pipeline",
        "embassy OR embassy",
        "subject:visit",
        "embassy -canada",
        "tag:PREL OR canada",
    ],
)
def test_relevance_is_bm25_over_cables_counting_units_for_every_hit(
    sample_archive: Archive, query: str
) -> None:
    """Every hit's score is bm25 over cables computed here from the stored units' texts:
    a term's frequency in a cable is the number of its units holding the term (any unit,
    the subject too, also for subject:), a cable's length its number of units, and the
    number of cables, their average length and the cables holding each term are over the
    archive. The order, the whole of it and its first page, is that of these scores, then
    of archive keys: no hit is left unscored or misplaced."""
    from cablekit.search import parse_query
    from cablekit.search.sql import positive_texts

    store = sample_archive.store
    texts: dict[int, list[list[str]]] = {key: [] for (key,) in store.query("SELECT key FROM cable")}
    for key, body in store.query("SELECT cable_key, body FROM unit ORDER BY rowid"):
        texts[key].append(tokens(body))
    ids = dict(store.query("SELECT id, key FROM cable"))
    terms = positive_texts(parse_query(query))
    cables = len(texts)
    average = sum(map(len, texts.values())) / cables
    found = {
        key: [sum(1 for w in words if occurrences(t.words, t.prefix, w)) for t in terms]
        for key, words in texts.items()
    }
    idf = []
    for i in range(len(terms)):
        holding = sum(1 for n in found.values() if n[i])
        idf.append(max(math.log((cables - holding + 0.5) / (holding + 0.5)), 0) or 1e-6)
    expected = {}
    for key, n in found.items():
        norm = 1.2 * (0.25 + 0.75 * len(texts[key]) / average)
        expected[key] = sum(w * f * 2.2 / (f + norm) for w, f in zip(idf, n, strict=True))

    hits = sample_archive.search(query, limit=ALL, snippets=False).results
    keys = [ids[hit.id] for hit in hits]
    assert len(hits) > 5
    for hit, key in zip(hits, keys, strict=True):
        assert hit.score == pytest.approx(expected[key], abs=1e-6), (query, hit.id)
    assert keys == sorted(keys, key=lambda k: (-expected[k], k))
    first = sample_archive.search(query, limit=20, snippets=False).results
    assert [hit.id for hit in first] == [hit.id for hit in hits[:20]]


def test_phrase_frequencies_are_counted_in_the_tokens(sample_archive: Archive) -> None:
    """Snippets pick a cable's best paragraph by ranking.frequencies, quicker than
    counting in the tokens of the text (most texts need no tokens): the same counts, for
    every unit and for odd text, of words, phrases, prefixes, and words beyond ASCII."""
    from cablekit.search.ranking import Phrase, frequencies

    phrases = [
        Phrase(("the",), False),
        Phrase(("embassy",), False),
        Phrase(("prime", "minister"), False),
        Phrase(("nucl",), True),
        Phrase(("the", "the"), False),
        Phrase(("of", "the", "gov"), True),
        Phrase(("1", "4"), False),
        Phrase(("cafe",), False),
        Phrase(("strasse",), False),
        Phrase(("ærø",), False),
    ]
    bodies = [body for (body,) in sample_archive.store.query("SELECT body FROM unit")]
    odd = [
        "Café DÉJÀ-vu 1.4(b) don\u2019t_x Ærø STRAßE \u00bd\u00b2 e\u0301t\u00e9 CAFE",
        "THE THE THE the-the \u201cthe\u201d of the government OF THE GOVERNORS",
        "\u2014Prime  Minister\u2014prime\u00a0minister PRIME MINISTERS",
    ]
    assert len(bodies) > 1000
    for body in [*bodies, *odd]:
        words = tokens(body)
        assert frequencies(phrases, body) == [p.count(words) for p in phrases], body


@pytest.mark.parametrize("query", ["embassy", '"prime minister"', "nucl*", "iran OR iraq OR oil"])
def test_the_snippet_is_the_paragraph_with_the_lowest_bm25(
    sample_archive: Archive, query: str
) -> None:
    """Each hit's snippet comes from its matching paragraph of lowest bm25 (FTS5's rank,
    the archive's statistics for a reader who sees it all), the first of them on a tie."""
    from cablekit.search import parse_query
    from cablekit.search.engine import ranking_phrases
    from cablekit.search.matching import Matcher
    from cablekit.search.ranking import best_units, expression

    store = sample_archive.store
    phrases = ranking_phrases(parse_query(query))
    ranks: dict[int, tuple[float, int]] = {}
    rows = store.query(
        "SELECT rowid, rank FROM unit_fts WHERE unit_fts MATCH ? ORDER BY rowid",
        [expression(phrases)],
    )
    for rowid, rank in rows:
        if rowid & 0xFFFF and (rowid >> 16 not in ranks or rank < ranks[rowid >> 16][0]):
            ranks[rowid >> 16] = (rank, rowid)
    keys = sorted(ranks)
    with store.snapshot():
        found = best_units(Matcher.of(store, sample_archive.scope), phrases, keys)
    assert len(keys) > 10
    assert found == {key: rowid for key, (_, rowid) in ranks.items()}


@pytest.mark.parametrize("held", [False, True], ids=["by SQL", "by columns"])
@pytest.mark.parametrize(
    "query",
    [
        "tag:PREL OR tag:IR",
        "class:SECRET -caveat:NOFORN",
        "caveat:REL",
        "date:2009-01..2009-06 OR date:..1990",
        "from:OTTAWA OR from:AMEMBASSY",
        "to:SECSTATE -to:RUEHC",
        "to:MOSCOW AND NOT from:MOSCOW",
    ],
)
def test_field_terms_agree_whether_the_columns_are_held_or_not(
    sample_target: str,
    corpus: Corpus,
    monkeypatch: pytest.MonkeyPatch,
    query: str,
    held: bool,
) -> None:
    """A search on a fresh connection answers field terms in SQL; once a search with
    facets has read the columns (and names read the addressees), from them."""
    from cablekit.search import matching, parse_query

    monkeypatch.setattr(matching, "NAMES_READ_FROM", 0 if held else 10**9)
    with Archive(sample_target) as archive:
        if held:
            archive.search("embassy", facets=True)
        result = archive.search(query, limit=ALL, snippets=False)
    expected = matching_ids(parse_query(query), corpus)
    assert {hit.id for hit in result.results} == expected and result.total == len(expected)


@settings(max_examples=200, deadline=None)
@given(
    days=st.lists(st.sampled_from([None, "2001-01-01", "2009-04-07", "2009-04-08"]), max_size=30),
    cursor=st.none()
    | st.tuples(st.sampled_from(["", "2001-01-01", "2005-05-05", "2010"]), st.integers(0, 31)),
    newest=st.booleans(),
    limit=st.integers(1, 8),
)
def test_date_order_and_cursors_follow_the_stored_dates(
    days: list[str | None], cursor: tuple[str, int] | None, newest: bool, limit: int
) -> None:
    """ranking.by_date against sorting by (date as stored or "", key), cursor dates
    that no cable has included."""
    import numpy as np

    from cablekit.search.columns import Dates
    from cablekit.search.ranking import by_date

    stored = sorted({d for d in days if d})
    codes = np.array([-1] + [stored.index(d) if d else -1 for d in days], np.int64)
    hits = np.ones(len(codes), np.bool_)
    hits[0] = False  # key 0 is never a cable
    empty = np.zeros(len(codes), np.int64)
    keys = np.flatnonzero(hits)
    picked, more = by_date(Dates(codes, stored, empty, empty, empty), keys, newest, limit, cursor)
    rows = [(d or "", key) for key, d in enumerate(days, start=1)]
    if cursor is not None:
        rows = (
            [r for r in rows if (r[0], -r[1]) < (cursor[0], -cursor[1])]
            if newest
            else [r for r in rows if r > cursor]
        )
    rows.sort(key=lambda r: (r[0], -r[1]) if newest else r, reverse=newest)
    assert picked == [key for _, key in rows[:limit]] and more == (len(rows) > limit)


@pytest.mark.parametrize(
    ("sort", "value"),
    [("relevance", "2009-01-01"), ("relevance", None), ("newest", 3.5), ("oldest", None)],
)
def test_a_cursor_with_a_position_of_the_wrong_kind_is_refused(
    sample_archive: Archive, sort: str, value: object
) -> None:
    import base64
    import json

    forged = json.dumps([sort, "embassy", value, 5]).encode()
    cursor = base64.urlsafe_b64encode(forged).decode().rstrip("=")
    with pytest.raises(QuerySyntaxError, match="not one this archive gave out"):
        sample_archive.search("embassy", sort=sort, cursor=cursor)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "scope",
    [
        "public",
        "no subjects",  # a units condition without a ``hidden`` query
        "no SECRET cables",
    ],
)
@pytest.mark.parametrize(
    "query",
    [
        "subject:canada OR embassy",
        "embassy -tag:PREL",
        "NOT nucl*",
        '"prime minister" OR to:SECSTATE',
        "citedby:05BRASILIA1979 OR ref:05BRASILIA1544",
    ],
)
def test_search_finds_what_the_compiled_sql_selects(
    sample_archive: Archive, scope: str, query: str
) -> None:
    """The engine combines the leaves in memory; compile_query (export, graph, plots)
    in SQL: both must select the same cables for every scope."""
    from cablekit.scope import Scope
    from cablekit.search import parse_query
    from cablekit.search.engine import search
    from cablekit.search.sql import compile_query

    scopes = {
        "public": Scope(),
        "no subjects": Scope(units="u.seq > ?", unit_params=(0,), name="test"),
        "no SECRET cables": Scope(cables="c.classification <> ?", cable_params=("SECRET",)),
    }
    store = sample_archive.store
    compiled = compile_query(parse_query(query), scopes[scope])
    rows = store.query(
        f"SELECT c.id FROM ({compiled.sql}) k JOIN cable c ON c.key = k.key", compiled.params
    )
    result = search(store, query, limit=ALL, snippets=False, scope=scopes[scope])
    assert {hit.id for hit in result.results} == {cable_id for (cable_id,) in rows}
    assert result.total == len(rows)


def test_a_query_without_words_comes_newest_first(sample_archive: Archive) -> None:
    """Nothing to rank by: relevance would be ingest order. Newest first, and said."""
    asked = sample_archive.search("tag:PREL", limit=200)
    newest = sample_archive.search("tag:PREL", sort="newest", limit=200)
    assert asked.sort == "newest" and asked.order_note.startswith("newest first")
    assert [h.id for h in asked.results] == [h.id for h in newest.results]
    dates = [h.date or "" for h in asked.results]  # by day; ties in archive order
    assert dates == sorted(dates, reverse=True) and len(set(dates)) > 10
    paged, cursor = [], None
    while True:
        page = sample_archive.search("tag:PREL", limit=40, cursor=cursor)
        paged += [h.id for h in page.results]
        if not (cursor := page.next_cursor):
            break
    assert paged == [h.id for h in asked.results]
    worded = sample_archive.search("embassy tag:PREL")
    assert worded.sort == "relevance" and worded.order_note == ""


def test_facets_of_a_few_hits_counted_one_by_one_equal_the_vectorised_counts(
    sample_archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Up to FEW_HITS hits are counted in Python: the same values and order as the
    vectorised counts, for sets of hits drawn at random."""
    from cablekit.search import engine

    store = sample_archive.store
    keys = [int(k) for (k,) in store.query("SELECT key FROM cable ORDER BY key")]
    size = max(keys) + 1
    draw = random.Random(14)
    for n in [0, 1, 2, 3, 5, 8, 13, 21, 34, 55, engine.FEW_HITS]:
        hits = np.array(sorted(draw.sample(keys, n)), np.int64)
        few = engine.facet_counts(store, hits, size)
        monkeypatch.setattr(engine, "FEW_HITS", -1)
        assert engine.facet_counts(store, hits, size) == few, n
        monkeypatch.undo()
        assert sum(v.count for v in few["year"]) <= n


@given(
    st.lists(st.sampled_from(["w", "ab", "é", "x.", " ", "  ", "\n", "\t", "\u2003"]), max_size=80)
)
def test_an_opening_is_the_first_words_and_says_when_more_follow(parts: list[str]) -> None:
    from cablekit.search.engine import SNIPPET_WORDS, opening

    text = "".join(parts)
    words = text.split()
    more = "…" if len(words) > SNIPPET_WORDS else ""
    assert opening(text) == " ".join(words[:SNIPPET_WORDS]) + more


@pytest.mark.parametrize("count", [0, 1, 12, 1000, 1001, 40_000])
def test_a_list_of_keys_selects_the_same_rows_bound_either_way(count: int) -> None:
    """A page's keys are bound one by one, a longer list as one JSON array (SQLite
    binds 32,766 parameters at most): the rows are those of the keys, either way. The
    limit is set to SQLite's own, as some builds (Debian's) raise it to 250,000."""
    db = sqlite3.connect(":memory:")
    db.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 32_766)
    db.execute("CREATE TABLE t (x INTEGER PRIMARY KEY)")
    db.executemany("INSERT INTO t VALUES (?)", [(x,) for x in range(100_000)])
    wanted = random.Random(count).sample(range(-10, 100_010), count)
    within, params = sql.among(wanted)
    found = [x for (x,) in db.execute(f"SELECT x FROM t WHERE x {within}", params)]
    assert sorted(found) == sorted(x for x in wanted if 0 <= x < 100_000)
