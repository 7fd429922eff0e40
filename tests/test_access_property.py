"""Nothing any command returns holds more than the reader may see: generated users,
cables with mixed paragraph markings, caveats, declassification dates and review
decisions, and queries, checked against the plain oracle in ``access_oracle``.

Every read path is checked: search ids, totals, facets, timeline and snippets;
show (texts and placeholders), versions, export, refs/cited-by, the graph, stats.
``CABLEKIT_ACCESS_EXAMPLES`` sets the number of examples (default 150).
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from cablekit.access import principals
from cablekit.access.review import record as record_review
from cablekit.archive import Archive
from cablekit.errors import UnknownCable
from cablekit.model import Cable, Originator, Paragraph, Reference, Source
from cablekit.search import And, Field, Node, Not, Or, Text, format_query, tokens
from cablekit.search.export import export
from cablekit.search.graph import graph, refs
from cablekit.sources.base import RawCable
from cablekit.store.rows import prepare

from .access_oracle import (
    CLASS_NAMES,
    DISTRIBUTION,
    Portion,
    Review,
    Synthetic,
    User,
    cable_visible,
    paragraph_visible,
    view,
    withheld,
)
from .query_oracle import matching_ids
from .test_search import expected_facets

EXAMPLES = int(os.environ.get("CABLEKIT_ACCESS_EXAMPLES", "150"))
ALL = 10_000
SHARED = ("alpha", "bravo", "charlie")
COUNTRIES = ("USA", "CAN", "GBR", "FRA", "AUS")
COLLECTIONS = ("east", "west")
DAYS = (date(2012, 6, 1), date(2016, 6, 1), date(2031, 1, 1))

levels = st.sampled_from(list(CLASS_NAMES))
rel_lists = st.none() | st.lists(
    st.sampled_from(("CAN", "GBR", "FRA", "AUS", "NATO")), min_size=1, max_size=2, unique=True
).map(tuple)


@st.composite
def header_portions(draw: st.DrawFn) -> Portion:
    return Portion(
        draw(st.none() | levels) if draw(st.integers(0, 9)) == 0 else draw(levels),
        draw(st.booleans()),
        draw(rel_lists),
        frozenset(draw(st.lists(st.sampled_from(DISTRIBUTION), max_size=2))),
    )


@st.composite
def paragraph_portions(draw: st.DrawFn) -> Portion | None:
    if draw(st.integers(0, 3)) == 0:
        return None
    orcon = frozenset({"ORCON"}) if draw(st.integers(0, 5)) == 0 else frozenset()
    return Portion(draw(levels), draw(st.booleans()), draw(rel_lists), orcon)


def marking(p: Portion) -> str:
    parts = [str(p.level)]
    if p.noforn:
        parts.append("NF")
    if "ORCON" in p.access:
        parts.append("ORCON")
    if p.rel:
        parts.append("REL TO " + ", ".join(p.rel))
    return "//".join(parts)


def caveats(p: Portion, sipdis: bool) -> tuple[str, ...]:
    out = ["NOFORN"] if p.noforn else []
    out += sorted(p.access)
    if p.rel:
        out.append("REL " + "/".join(p.rel))
    return (*out, *(["SIPDIS"] if sipdis else []))


@st.composite
def synthetic(draw: st.DrawFn, i: int, count: int) -> Synthetic:
    header = draw(header_portions())
    portions = draw(st.lists(paragraph_portions(), min_size=1, max_size=4))
    paragraphs = tuple(
        Paragraph(
            n,
            ("XX" if draw(st.booleans()) else None) if p is None else marking(p),
            None,
            f"zc{i}p{n} {' '.join(draw(st.lists(st.sampled_from(SHARED), max_size=2)))}.",
        )
        for n, p in enumerate(portions, start=1)
    )
    targets = draw(st.lists(st.integers(0, count - 1), max_size=2, unique=True))
    cable = Cable(
        id=f"09TEST{i}",
        source=Source("jsonl"),
        date=draw(st.sampled_from(("1980-05-05", "1990-03-03", "2009-04-07"))),
        classification=CLASS_NAMES[header.level] if header.level else None,
        caveats=caveats(header, draw(st.booleans())),
        declassify_on=draw(st.sampled_from((None, None, "2010-01-01", "2015-01-01"))),
        declassify_note=draw(st.sampled_from((None, "OADR", "25X1", "N/A"))),
        tags=tuple(draw(st.lists(st.sampled_from(("PREL", "PGOV", "CA", "RS")), max_size=2))),
        post=draw(st.sampled_from(("OTTAWA", "PARIS"))),
        from_=Originator("AMEMBASSY X"),
        subject=f"zs{i} {draw(st.sampled_from(SHARED))}",
        references=tuple(
            Reference(chr(65 + n), f"REF {t}", "cable", f"09TEST{t}") for n, t in enumerate(targets)
        ),
        paragraphs=paragraphs,
    )
    where = draw(st.lists(st.sampled_from(COLLECTIONS), min_size=1, max_size=2, unique=True))
    return Synthetic(cable, header, list(portions), where)


@st.composite
def worlds(draw: st.DrawFn) -> tuple[list[Synthetic], list[User], date]:
    count = draw(st.integers(2, 6))
    cables = [draw(synthetic(i, count)) for i in range(count)]
    for _ in range(draw(st.integers(0, 3))):
        s = cables[draw(st.integers(0, count - 1))]
        number = draw(st.none() | st.integers(1, len(s.cable.paragraphs)))
        day = draw(st.sampled_from((date(2011, 1, 1), date(2013, 1, 1), date(2016, 1, 1))))
        s.reviews.append(Review(0, number, draw(st.booleans()), day))
    users = [
        User(
            f"u{n}",
            draw(st.sampled_from(("U", "C", "S", "TS"))),
            draw(st.none() | st.sampled_from(COUNTRIES)),
            frozenset(draw(st.lists(st.sampled_from(DISTRIBUTION), max_size=3))),
            frozenset(draw(st.lists(st.sampled_from((*COLLECTIONS, "*")), max_size=2))),
        )
        for n in range(draw(st.integers(1, 3)))
    ]
    return cables, users, draw(st.sampled_from(DAYS))


def leaves(count: int) -> st.SearchStrategy[Node]:
    unique = [f"zc{i}p{n}" for i in range(count) for n in range(1, 5)] + [
        f"zs{i}" for i in range(count)
    ]
    ids = [f"09TEST{i}" for i in range(count)]
    return st.one_of(
        st.sampled_from(SHARED + tuple(unique)).map(lambda w: Text((w,), False, "text")),
        st.sampled_from(SHARED).map(lambda w: Text((w,), False, "subject")),
        st.sampled_from([f"zc{i}" for i in range(count)]).map(lambda w: Text((w,), True, "text")),
        st.sampled_from(("PREL", "CA", "RS")).map(lambda v: Field("tag", v, False)),
        st.sampled_from(("NOFORN", "NODIS", "REL", "SIPDIS")).map(
            lambda v: Field("caveat", v, False)
        ),
        st.sampled_from(("SECRET", "CONFIDENTIAL")).map(lambda v: Field("class", v, False)),
        st.sampled_from(ids).map(lambda v: Field("ref", v, False)),
        st.sampled_from(ids).map(lambda v: Field("citedby", v, False)),
    )


def queries(count: int) -> st.SearchStrategy[Node]:
    return st.recursive(
        leaves(count),
        lambda inner: st.one_of(
            st.lists(inner, min_size=2, max_size=3).map(lambda xs: And(tuple(xs))),
            st.lists(inner, min_size=2, max_size=3).map(lambda xs: Or(tuple(xs))),
            inner.map(Not),
        ),
        max_leaves=4,
    )


# --- building the archive ------------------------------------------------------------

CLEARANCE_NAMES = {"U": "UNCLASSIFIED", "C": "CONFIDENTIAL", "S": "SECRET", "TS": "TOP SECRET"}


@contextmanager
def archive_of(path: Path, cables: list[Synthetic], users: list[User]) -> Iterator[Archive]:
    with Archive(path, create=True) as archive:
        for name in COLLECTIONS:
            batch = [
                prepare(s.cable, RawCable(f"{s.cable.id}\n{s.cable.paragraphs}", Source("jsonl")))
                for s in cables
                if name in s.collections
            ]
            archive.store.write_batch(batch, [], None, "2020-01-01T00:00:00Z", name)
        for n, s in enumerate(cables):
            for r in s.reviews:
                record_review(
                    archive.store,
                    s.cable.id or "",
                    release=r.release,
                    reason="test",
                    reviewer="rev",
                    day=r.day,
                    paragraph=r.paragraph,
                )
                s.reviews[s.reviews.index(r)] = Review(n, r.paragraph, r.release, r.day)
        for u in users:
            principals.add(
                archive.store,
                u.name,
                clearance=CLEARANCE_NAMES[u.clearance],
                citizenship=u.citizenship,
                access=u.access,
            )
            principals.grant(archive.store, u.name, collections=u.collections)
        yield archive


# --- the checks ----------------------------------------------------------------------


def visible_words(user: User, s: Synthetic, today: date) -> set[str]:
    mine = view(user, s, today)
    return {
        w for text in [mine.subject or "", *(p.text for p in mine.paragraphs)] for w in tokens(text)
    }


def secrets(user: User, cables: list[Synthetic], today: date) -> set[str]:
    """The unique words the reader must never be shown."""
    hidden = {
        w
        for s in cables
        for p in (
            s.cable.paragraphs if not cable_visible(user, s, today) else withheld(user, s, today)
        )
        for w in tokens(p.text)
        if w.startswith("zc")
    }
    hidden |= {f"zs{i}" for i, s in enumerate(cables) if not cable_visible(user, s, today)}
    return hidden


def check_search(
    archive: Archive, user: User, cables: list[Synthetic], today: date, node: Node
) -> None:
    visible = [s for s in cables if cable_visible(user, s, today)]
    expected = matching_ids(node, [view(user, s, today) for s in visible])
    query = format_query(node)
    result = archive.search(query, limit=ALL, facets=True, timeline=True)
    got = [h.id for h in result.results]
    assert set(got) == expected and result.total == len(expected), (query, user)
    matched = [s.cable for s in visible if s.cable.id in expected]
    facets = {name: [(v.value, v.count) for v in vs] for name, vs in result.facets.items()}
    assert facets == expected_facets(matched), query
    assert sum(b.count for b in result.timeline) == len(matched)
    by_id = {s.cable.id: s for s in visible}
    for hit in result.results:
        words = set(tokens(hit.snippet))
        assert words <= visible_words(user, by_id[hit.id], today), (query, hit.snippet)


def check_reads(archive: Archive, user: User, cables: list[Synthetic], today: date) -> None:
    hidden = secrets(user, cables, today)
    visible_ids = {s.cable.id for s in cables if cable_visible(user, s, today)}
    for s in cables:
        cid = s.cable.id or ""
        if cid not in visible_ids:
            with pytest.raises(UnknownCable):
                archive.get(cid)
            with pytest.raises(UnknownCable):
                archive.versions(cid)
            continue
        stored = archive.get(cid)
        assert not set(tokens(stored.text)) & hidden
        for n, (mine, original) in enumerate(
            zip(stored.cable.paragraphs, s.cable.paragraphs, strict=True)
        ):
            if paragraph_visible(user, s, n, today):
                assert mine == original
            else:
                assert (mine.number, mine.marking) == (original.number, original.marking)
                assert mine.text.startswith("[withheld: ")
        assert [v.number for v in archive.versions(cid)] == [1]
    out = io.BytesIO()
    export(archive.store, None, archive.scope, "jsonl", out)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert {r["id"] for r in records} == visible_ids
    assert not set(tokens(out.getvalue().decode())) & hidden
    for s in cables:
        cited_by = {
            s2.cable.id for s2 in cables if s.cable.id in {r.id for r in s2.cable.references}
        }
        try:
            found = refs(archive.store, s.cable.id or "", archive.scope)
        except UnknownCable:
            assert not cited_by & visible_ids and s.cable.id not in visible_ids
            continue
        assert {c.id for c in found.cited_by} == cited_by & visible_ids
        assert all(c.target in visible_ids for c in found.cites if c.in_archive)
        assert not set(tokens(json.dumps(found.to_json()))) & hidden
    g = graph(archive.store, None, archive.scope)
    assert {n.id for n in g.nodes.values() if n.in_archive} == visible_ids
    assert not set(tokens(json.dumps(g.to_json()))) & hidden
    assert archive.stats().cables == len(visible_ids)


def note_coverage(cables: list[Synthetic], users: list[User], today: date) -> None:
    """Hypothesis statistics (``--hypothesis-show-statistics``): which combinations of
    reader and marking the examples reached, and with what outcome."""
    for user in users:
        for s in cables:
            seen = cable_visible(user, s, today)
            event(f"cable {s.header.level}/{user.clearance}: {'shown' if seen else 'hidden'}")
            if not seen:
                continue
            for n, p in enumerate(s.portions):
                shown = "shown" if paragraph_visible(user, s, n, today) else "withheld"
                if p is None:
                    continue
                kinds = ["NF"] * p.noforn + ["REL"] * (p.rel is not None) + sorted(p.access)
                for kind in kinds or ["plain"]:
                    event(f"paragraph {kind} to {user.citizenship}: {shown}")
            for caveat in [*sorted(s.header.access), *["REL"] * (s.header.rel is not None)]:
                event(f"header {caveat}: shown to a reader holding {sorted(user.access)}")


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=worlds(), data=st.data())
def test_nothing_returned_exceeds_what_the_reader_may_see(
    tmp_path_factory: pytest.TempPathFactory,
    world: tuple[list[Synthetic], list[User], date],
    data: st.DataObject,
) -> None:
    cables, users, today = world
    note_coverage(cables, users, today)
    path = tmp_path_factory.mktemp("access") / "a.db"
    with archive_of(path, cables, users):
        pass
    for user in users:
        with Archive(path, user=user.name, today=today) as archive:
            for _ in range(3):
                check_search(archive, user, cables, today, data.draw(queries(len(cables))))
            check_reads(archive, user, cables, today)
