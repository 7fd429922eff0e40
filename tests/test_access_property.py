"""Nothing any command returns holds more than the reader may see: generated users, and
cables written as telegram text, in versions, with the marking forms the census found
(``docs/markings.md``), ingested through the parser, then read back every way, checked
against the plain oracle in ``access_oracle``.

The generator draws each portion's meaning first (level, NOFORN, REL TO countries,
ORCON, a 25X exemption, or a marking cablekit cannot read in full), then writes it in
one of the forms real cables use (``C``, ``s``, ``CONFIDENTIAL``, ``S/NF``, ``S//NF``,
``S NF``, ``S-NF``, ``SNF``, ``C/REL UK, CANADA, AUSTRALIA``, ``C//REL TO USA, GBR//``,
``S/REL TO NATO/AUS``, ``S//NF//25X1``, ``C/F``, ``S//REL``, ``NF``...), on paragraphs,
bullets (``-- (S/NF)``), sub-paragraphs (``A. (C)``, ``1) (C/NF)``), marked sentences,
inside running text and at the end of a paragraph, among decoys that are no markings
(``person(s)``, ``(a) ... (b) ... (c)``, ``Secretariat (TS) team``). Each cable has
up to three versions with their own header, DECL date, markings and collection, some
paragraphs shared between versions under other numbers; review decisions are taken on
a version's paragraph or on a whole version.

Every read path is checked: search ids, totals, facets, timeline and snippets; show of
the current and of every version (texts, placeholders and their reasons), versions,
diff, export, refs/cited-by, the graph, stats. ``CABLEKIT_ACCESS_EXAMPLES`` sets the
number of examples (default 150), on each backend (``backend``: a SQLite file per
example, or a PostgreSQL database per example, read through a node's index).
"""

from __future__ import annotations

import io
import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from cablekit.access import principals
from cablekit.access.review import record as record_review
from cablekit.archive import Archive
from cablekit.errors import UnknownCable
from cablekit.search import And, Field, Node, Not, Or, Text, format_query, tokens
from cablekit.search.export import export
from cablekit.search.graph import graph, refs

from .access_oracle import (
    CLASS_NAMES,
    DISTRIBUTION,
    EVERY_ACCESS,
    FIVE_EYES,
    NATO_HERE,
    Portion,
    Review,
    Synthetic,
    Unit,
    User,
    Version,
    cable_visible,
    unclear,
    unit_visible,
    version_visible,
    view,
)
from .backends import Backend
from .query_oracle import matching_ids
from .test_search import expected_facets

EXAMPLES = int(os.environ.get("CABLEKIT_ACCESS_EXAMPLES", "150"))
ALL = 10_000
SHARED = ("alpha", "bravo", "charlie")
COUNTRIES = ("USA", "CAN", "GBR", "FRA", "AUS")
COLLECTIONS = ("east", "west")
DAYS = (date(2012, 6, 1), date(2016, 6, 1), date(2031, 1, 1))
DATES = {
    "1980-05-05": "051200Z MAY 80",
    "1990-03-03": "031200Z MAR 90",
    "2009-04-07": "071535Z APR 09",
}

# --- markings: a meaning, then a form the corpus holds -------------------------------

LEVEL_FORMS = {
    "U": ("U", "UNCLASSIFIED", "u"),
    "SBU": ("SBU",),
    "LOU": ("LOU",),
    "C": ("C", "c", "CONFIDENTIAL"),
    "S": ("S", "s", "SECRET"),
    "TS": ("TS",),
}
# How each country may be named in a REL TO list, and what it means.
NAMES = {
    "CAN": ("CAN", "CANADA", "CA"),
    "GBR": ("GBR", "UK", "UNITED KINGDOM"),
    "FRA": ("FRA", "FRANCE", "FR"),
    "AUS": ("AUS", "AUSTRALIA", "AUST"),
    "NATO": ("NATO",),
    "FVEY": ("FVEY",),
    "ISAF": ("ISAF",),  # a group cablekit does not know: releases to nobody
    "IS": ("IS",),  # Israel (FIPS) or Iceland (ISO): nobody
}
MEANS = {"NATO": NATO_HERE, "FVEY": FIVE_EYES, "ISAF": set(), "IS": set()}
# Forms cablekit cannot read in full, with the level they name.
UNREADABLE = (  # written, the level it names, a marking even in running text
    ("C/F", "C", False),  # in a sentence, "C/F" may be cost and freight
    ("S//XYZ", "S", True),
    ("S//REL", "S", True),
    ("CONFIDENTIAL//AUSTRALIA GROUP", "C", True),
)


@dataclass(frozen=True)
class Mark:
    """A marking: what it means and how it is written."""

    portion: Portion
    written: str
    strong: bool  # a known control or a spelled level: a marking wherever it stands


@st.composite
def marks(draw: st.DrawFn, allow_bare: bool = True) -> Mark:
    kind = draw(st.integers(0, 19))
    if kind == 0:
        written, level, strong = draw(st.sampled_from(UNREADABLE))
        return Mark(Portion(level, unreadable=True), written, strong)
    if kind == 1 and allow_bare:  # a control without a level: the header's level
        return Mark(Portion(None, noforn=True), draw(st.sampled_from(("NF", "NOFORN"))), True)
    level = draw(st.sampled_from(list(LEVEL_FORMS)))
    lead = draw(st.sampled_from(LEVEL_FORMS[level]))
    sep = draw(st.sampled_from(("/", "//", " ", "-")))
    controls: list[str] = []
    noforn = draw(st.booleans()) if level != "U" else False
    rel: frozenset[str] | None = None
    access: frozenset[str] = frozenset()
    exempt = False
    if noforn:
        if level in ("C", "S", "TS") and lead.isupper() and len(lead) <= 2 and draw(st.booleans()):
            return Mark(Portion(level, True), f"{lead}NF", False)  # run together: SNF
        controls.append(draw(st.sampled_from(("NF", "NOFORN"))))
    elif draw(st.integers(0, 2)) == 0:
        keys = draw(st.lists(st.sampled_from(list(NAMES)), min_size=1, max_size=3, unique=True))
        names = [draw(st.sampled_from(NAMES[k])) for k in keys]
        joiner = draw(st.sampled_from((", ", "/", " AND ")))
        to = draw(st.sampled_from(("REL ", "REL TO ", "Rel to ")))
        controls.append(to + joiner.join(names))
        rel = frozenset().union(*(MEANS.get(k, {k}) for k in keys))
    if draw(st.integers(0, 5)) == 0:
        controls.append("ORCON")
        access = frozenset({"ORCON"})
    if draw(st.integers(0, 7)) == 0:
        controls.append("25X1")
        exempt = True
    if draw(st.integers(0, 9)) == 0:
        controls.append("FGI")
    if controls and any(c.upper().startswith("REL") for c in controls[:-1]):
        sep = "//"  # a REL TO list runs to the next "//"
    written = sep.join([lead, *controls]) if controls else lead
    strong = bool(controls) or lead in ("UNCLASSIFIED", "CONFIDENTIAL", "SECRET")
    return Mark(Portion(level, noforn, rel, access, exempt), written, strong)


# --- cables as telegram text ----------------------------------------------------------

HEADER_LEVELS = ("U", "C", "S", "TS", None)
CLASS_LINES = {
    "U": "UNCLAS",
    "C": "C O N F I D E N T I A L",
    "S": "S E C R E T",
    "TS": "T O P S E C R E T",
    None: "Q X Z Q X Z",  # no classification cablekit can read: TOP SECRET
}
HEADER_RELS = {"REL NATO/AUS": NATO_HERE | {"AUS"}, "REL CANADA": {"CAN"}}


@st.composite
def headers(draw: st.DrawFn) -> tuple[Portion, list[str], tuple[str, ...]]:
    """The header's meaning, its caveat lines, and the caveats as the parser lists them."""
    level = (
        draw(st.sampled_from(HEADER_LEVELS))
        if draw(st.integers(0, 9)) == 0
        else draw(st.sampled_from(("U", "C", "S", "TS")))
    )
    noforn = draw(st.booleans())
    rel_line = draw(st.none() | st.sampled_from(list(HEADER_RELS)))
    access = frozenset(draw(st.lists(st.sampled_from(DISTRIBUTION), max_size=2, unique=True)))
    lines = (["NOFORN"] if noforn else []) + sorted(access)
    lines += [rel_line] if rel_line else []
    lines += ["SIPDIS"] if draw(st.booleans()) else []
    rel = frozenset(HEADER_RELS[rel_line]) if rel_line else None
    return Portion(level, noforn, rel, access), lines, tuple(lines)


@st.composite
def paragraph_units(draw: st.DrawFn, tag: str, number: int) -> tuple[list[Unit], str]:
    """One numbered paragraph: its units and its text."""
    word = f"{tag}p{number}"
    shared = " ".join(draw(st.lists(st.sampled_from(SHARED), max_size=2)))
    own = draw(st.none() | marks()) if draw(st.integers(0, 3)) else None
    lead = f"{word} {shared}".strip()
    inner: list[Portion] = []
    decoy = draw(st.integers(0, 6))
    if decoy == 0:
        lead += " for the person(s) named"
    elif decoy == 1:
        lead += " by (a) one (b) two (c) three"
    elif decoy == 2:
        lead += " with the Technical Secretariat (TS) team"
    bullets = draw(
        st.lists(st.tuples(st.sampled_from(("--", "A.", "1)", "")), marks()), max_size=2)
    )
    if decoy == 1 and bullets:  # a list of letters is set aside only in running text
        lead = lead.removesuffix(" by (a) one (b) two (c) three")
    places: list[str] = []
    if not bullets and draw(st.integers(0, 4)) == 0:  # a marking inside the running text
        inside = draw(marks(allow_bare=False).filter(lambda m: m.strong))
        lead += f" background ({inside.written}) more words"
        inner.append(inside.portion)
        places.append(f"in running text: {form(inside.written)}")
    if not bullets and draw(st.integers(0, 5)) == 0:  # at the very end
        end = draw(marks(allow_bare=False))
        lead += f" closing words ({end.written})"
        inner.append(end.portion)
        places.append(f"at the end: {form(end.written)}")
    head = f"{number}. ({own.written}) {lead}." if own else f"{number}. {lead}."
    units = [
        Unit(
            number,
            f"{lead}.",
            own.written.upper() if own else None,
            own.portion if own else None,
            tuple(inner),
            "paragraph",
            tuple(places),
        )
    ]
    lines = [head]
    for k, (label, mark) in enumerate(bullets, start=1):
        text = f"{word}b{k} {draw(st.sampled_from(SHARED))}."
        label = "A." if label == "A." and k == 1 else "B." if label == "A." else label
        if label:
            lines.append(f"{label} ({mark.written}) {text}")
        else:  # a marked sentence in the same line
            lines[-1] += f" ({mark.written}) {text}"
        place = f"after the label {label}" if label else "a marked sentence"
        units.append(Unit(number, text, mark.written.upper(), mark.portion, (), place))
    return units, "\n".join(lines)


def form(written: str) -> str:
    """A marking's form for the statistics: its level word's style, separators, run
    together, and which controls, REL TO names as <names>."""
    lead = written.split("/")[0].split(" ")[0].split("-")[0]
    style = "spelled" if len(lead) > 3 else "lower" if lead.islower() else "abbreviation"
    rel = re.sub(r"(?i)(REL(?: TO)? )(?:(?!//).)+", r"\1<names>", written)
    return f"{style}: " + re.sub(
        r"\b(UNCLASSIFIED|CONFIDENTIAL|SECRET|TS|SBU|LOU|[UCS])\b", "L", rel, count=1, flags=re.I
    )


@st.composite
def versions_of(
    draw: st.DrawFn, i: int, day: str, refs_to: list[str]
) -> tuple[list[Version], list[str]]:
    """The versions of cable ``i`` and their texts (citing the cables ``refs_to``); a
    paragraph may come again in a later version, under another number and marking."""
    out: list[Version] = []
    texts: list[str] = []
    for k in range(draw(st.integers(1, 3))):
        header, caveat_lines, caveats = draw(headers())
        decl = draw(st.sampled_from((None, None, "2010-01-01", "2015-01-01")))
        note = None if decl else draw(st.sampled_from(("OADR", "25X1", "N/A")))
        tags = tuple(
            draw(
                st.lists(
                    st.sampled_from(("PREL", "PGOV", "CA", "RS")),
                    min_size=1,
                    max_size=2,
                    unique=True,
                )
            )
        )
        subject = f"zs{i}v{k} {draw(st.sampled_from(SHARED))}"
        units: list[Unit] = []
        paragraphs: list[str] = []
        previous = [u for u in out[-1].units] if out else []
        for number in range(1, draw(st.integers(1, 4)) + 1):
            if previous and draw(st.integers(0, 3)) == 0:  # the same text again
                again = draw(st.sampled_from(previous))
                mark = draw(marks())
                units.append(
                    Unit(
                        number,
                        again.text,
                        mark.written.upper(),
                        mark.portion,
                        again.inner,
                        "again, in a later version",
                        again.inner_places,
                    )
                )
                paragraphs.append(f"{number}. ({mark.written}) {again.text}")
                continue
            found, text = draw(paragraph_units(f"zc{i}v{k}", number))
            units += found
            paragraphs.append(text)
        decl_line = (
            f"DECL: {decl[5:7]}/{decl[8:]}/{decl[:4]}"
            if decl
            else ("N/A" if note == "N/A" else f"DECL: {note}")
        )
        ref_line = (
            "REF: "
            + " ".join(f"{chr(65 + n)}. {t[:2]} OTTAWA {t[8:]}" for n, t in enumerate(refs_to))
            if refs_to
            else ""
        )
        header_text = "\n".join(
            [
                f"{CLASS_LINES[header.level]} OTTAWA {1000 + i:06d}",
                *caveat_lines,
                f"E.O. 12958: {decl_line}",
                f"TAGS: {' '.join(tags)}",
                f"SUBJECT: {subject}",
                *([ref_line] if ref_line else []),
            ]
        )
        text = "\n".join(
            [
                f"R {DATES[day]}",
                "FM AMEMBASSY OTTAWA",
                "TO SECSTATE WASHDC 1234",
                "BT",
                header_text,
                "",
                "\n\n".join(paragraphs),
                "",
                "SMITH",
                "",
            ]
        )
        out.append(
            Version(
                released=f"2010-12-{k + 1:02d}",
                collection=draw(st.sampled_from(COLLECTIONS)),
                header=header,
                header_text=header_text,
                classification=CLASS_NAMES[header.level] if header.level else None,
                caveats=caveats,
                declassify_on=decl,
                note=note,
                subject=subject,
                units=units,
                tags=tags,
            )
        )
        texts.append(text)
    return out, texts


def cable_id(i: int, day: str) -> str:
    return f"{day[2:4]}OTTAWA{1000 + i}"


@st.composite
def worlds(draw: st.DrawFn) -> tuple[list[Synthetic], list[list[str]], list[User], date]:
    count = draw(st.integers(2, 4))
    cables: list[Synthetic] = []
    texts: list[list[str]] = []
    days = [draw(st.sampled_from(list(DATES))) for _ in range(count)]
    ids = [cable_id(i, day) for i, day in enumerate(days)]
    for i in range(count):
        others = [c for c in ids if c != ids[i]]  # a cable does not cite itself
        cites = draw(st.lists(st.sampled_from(others), max_size=2, unique=True))
        versions, written = draw(versions_of(i, days[i], cites))
        cables.append(Synthetic(ids[i], days[i], "OTTAWA", tuple(cites), versions))
        texts.append(written)
    for order in range(draw(st.integers(0, 3))):
        s = cables[draw(st.integers(0, count - 1))]
        k = draw(st.integers(0, len(s.versions) - 1))
        numbers = sorted({u.number for u in s.versions[k].units})
        number = draw(st.none() | st.sampled_from(numbers))
        day = draw(st.sampled_from((date(2011, 1, 1), date(2013, 1, 1), date(2016, 1, 1))))
        s.reviews.append(Review(k, number, draw(st.booleans()), day, order))
    users = [
        User(
            f"u{n}",
            draw(st.sampled_from(("U", "C", "S", "TS"))),
            draw(st.none() | st.sampled_from(COUNTRIES)),
            EVERY_ACCESS
            if draw(st.integers(0, 4)) == 0
            else frozenset(draw(st.lists(st.sampled_from(DISTRIBUTION), max_size=3))),
            frozenset(draw(st.lists(st.sampled_from((*COLLECTIONS, "*")), max_size=2))),
        )
        for n in range(draw(st.integers(1, 3)))
    ]
    return cables, texts, users, draw(st.sampled_from(DAYS))


def leaves(cables: list[Synthetic]) -> st.SearchStrategy[Node]:
    unique = sorted(
        {
            w
            for s in cables
            for v in s.versions
            for u in v.units
            for w in tokens(u.text)
            if w.startswith("zc")
        }
    )
    subjects = sorted({tokens(v.subject)[0] for s in cables for v in s.versions})
    ids = [s.id for s in cables]
    return st.one_of(
        st.sampled_from(SHARED + tuple(unique) + tuple(subjects)).map(
            lambda w: Text((w,), False, "text")
        ),
        st.sampled_from(SHARED).map(lambda w: Text((w,), False, "subject")),
        st.sampled_from([f"zc{i}" for i in range(len(cables))]).map(
            lambda w: Text((w,), True, "text")
        ),
        st.sampled_from(("PREL", "CA", "RS")).map(lambda v: Field("tag", v, False)),
        st.sampled_from(("NOFORN", "NODIS", "REL", "SIPDIS")).map(
            lambda v: Field("caveat", v, False)
        ),
        st.sampled_from(("SECRET", "CONFIDENTIAL", "TOP SECRET")).map(
            lambda v: Field("class", v, False)
        ),
        st.sampled_from(ids).map(lambda v: Field("ref", v, False)),
        st.sampled_from(ids).map(lambda v: Field("citedby", v, False)),
    )


def queries(cables: list[Synthetic]) -> st.SearchStrategy[Node]:
    return st.recursive(
        leaves(cables),
        lambda inner: st.one_of(
            st.lists(inner, min_size=2, max_size=3).map(lambda xs: And(tuple(xs))),
            st.lists(inner, min_size=2, max_size=3).map(lambda xs: Or(tuple(xs))),
            inner.map(Not),
        ),
        max_leaves=4,
    )


# --- building the archive: through the parser ----------------------------------------

CLEARANCE_NAMES = {"U": "UNCLASSIFIED", "C": "CONFIDENTIAL", "S": "SECRET", "TS": "TOP SECRET"}


@contextmanager
def archive_of(
    path: str,
    folder: Path,
    cables: list[Synthetic],
    texts: list[list[str]],
    users: list[User],
    order: list[int],
) -> Iterator[Archive]:
    """Every version ingested as a JSON line of telegram text (files in ``folder``), in
    the order ``order`` (indexes into all versions), into its collection; then the
    reviews and users, written to the record."""
    every = [(i, k) for i, s in enumerate(cables) for k in range(len(s.versions))]
    with Archive(path, create=True) as archive:
        for n in order:
            i, k = every[n]
            s, v = cables[i], cables[i].versions[k]
            line = {"reference_id": s.id, "released": v.released, "text": texts[i][k]}
            source = folder / f"{s.id}-{k}.jsonl"
            source.write_text(json.dumps(line) + "\n", encoding="utf-8")
            report = archive.ingest([str(source)], release=f"r{k}", collection=v.collection)
            assert report.failed == 0
        for s in cables:
            numbers = {info.released: info.number for info in archive.store.versions(s.id)}
            for r in s.reviews:
                record_review(
                    archive.record,
                    s.id,
                    release=r.release,
                    reason="test",
                    reviewer="rev",
                    day=r.day,
                    paragraph=r.paragraph,
                    version=numbers[s.versions[r.version].released],
                )
        for u in users:
            principals.add(
                archive.record,
                u.name,
                clearance=CLEARANCE_NAMES[u.clearance],
                citizenship=u.citizenship,
                access=u.access,
            )
            principals.grant(archive.record, u.name, collections=u.collections)
        archive.refresh()  # a node's index takes the reviews and users in
        yield archive


# --- the checks ----------------------------------------------------------------------


def words(text: str) -> set[str]:
    return set(tokens(text))


def secret_words(text: str) -> set[str]:
    """The words that name one unit alone (``zc1v0p2b1``): the ones a leak shows."""
    return {w for w in tokens(text) if w.startswith("zc")}


def check_version(
    stored_paragraphs: tuple[object, ...], user: User, s: Synthetic, v: Version, today: date
) -> set[str]:
    """The units of one version as the reader got them, unit by unit; returns the words
    that must not appear in what was shown of it."""
    hidden, shown = version_words(stored_paragraphs, user, s, v, today)
    return hidden - shown


def version_words(
    stored_paragraphs: tuple[object, ...], user: User, s: Synthetic, v: Version, today: date
) -> tuple[set[str], set[str]]:
    """Checks the units of one version unit by unit; (the unique words of its withheld
    units, those of its shown ones)."""
    assert len(stored_paragraphs) == len(v.units), (s.id, v.released)
    hidden: set[str] = set()
    shown: set[str] = set()
    for p, unit in zip(stored_paragraphs, v.units, strict=True):
        assert p.marking == unit.written, (s.id, p, unit)  # type: ignore[attr-defined]
        if unit_visible(user, s, v, unit, today):
            assert " ".join(p.text.split()) == unit.text, (s.id, p, unit)  # type: ignore[attr-defined]
            shown |= secret_words(unit.text)
        else:
            assert p.text.startswith("[withheld: "), (s.id, p, unit)  # type: ignore[attr-defined]
            if unclear(unit, v.header):
                assert "marking not understood" in p.text, (s.id, p, unit)  # type: ignore[attr-defined]
            hidden |= secret_words(unit.text)
    return hidden, shown


def check_search(
    archive: Archive, user: User, cables: list[Synthetic], today: date, node: Node
) -> None:
    visible = [s for s in cables if cable_visible(user, s, today)]
    views = {s.id: view(user, s, s.current, today) for s in visible}
    expected = matching_ids(node, list(views.values()))
    query = format_query(node)
    result = archive.search(query, limit=ALL, facets=True, timeline=True)
    got = [h.id for h in result.results]
    assert set(got) == expected and result.total == len(expected), (query, user, got, expected)
    matched = [views[cid] for cid in expected]
    facets = {name: [(v.value, v.count) for v in vs] for name, vs in result.facets.items()}
    assert facets == expected_facets(matched), (query, facets, expected_facets(matched))
    assert sum(b.count for b in result.timeline) == len(matched)
    for hit in result.results:
        mine = views[hit.id]
        allowed = words(mine.subject or "") | {w for p in mine.paragraphs for w in words(p.text)}
        assert words(hit.snippet) <= allowed, (query, hit.snippet)


def check_reads(archive: Archive, user: User, cables: list[Synthetic], today: date) -> None:
    visible_ids = {s.id for s in cables if cable_visible(user, s, today)}
    hidden_current: set[str] = set()
    for s in cables:
        readable = [v for v in s.versions if version_visible(user, s, v, today)]
        numbers = {info.released: info.number for info in archive.store.versions(s.id)}
        if not readable:
            with pytest.raises(UnknownCable, match="There is no cable"):
                archive.versions(s.id)
            with pytest.raises(UnknownCable, match="There is no cable"):
                archive.get(s.id)
            for v in s.versions:
                with pytest.raises(UnknownCable, match="There is no cable"):
                    archive.get(s.id, numbers[v.released])
            hidden_current |= {tokens(s.current.subject)[0]}
            continue
        assert {i.released for i in archive.versions(s.id)} == {v.released for v in readable}
        for v in s.versions:
            if v in readable:
                stored = archive.get(s.id, numbers[v.released])
                hidden = check_version(stored.cable.paragraphs, user, s, v, today)
                assert not words(stored.text) & hidden, (s.id, v.released, hidden, stored.text)
            else:
                with pytest.raises(UnknownCable, match="you may read"):
                    archive.get(s.id, numbers[v.released])
        if s.id in visible_ids:
            stored = archive.get(s.id)
            hidden_current |= check_version(stored.cable.paragraphs, user, s, s.current, today)
        else:
            with pytest.raises(UnknownCable):
                archive.get(s.id)
            hidden_current |= {tokens(s.current.subject)[0]}
        found = archive.diff(s.id)
        by_number = {numbers[v.released]: v for v in s.versions}
        hidden, shown = set(), set()
        for n in {found.old, found.new}:
            got = archive.get(s.id, n).cable.paragraphs
            h, w = version_words(got, user, s, by_number[n], today)
            hidden, shown = hidden | h, shown | w
        assert not words(json.dumps([c.text for c in found.changes])) & (hidden - shown)
    out = io.BytesIO()
    export(archive.store, None, archive.scope, "jsonl", out)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert {r["id"] for r in records} == visible_ids
    assert not words(out.getvalue().decode()) & hidden_current
    for s in cables:
        cited_by = {c.id for c in cables if s.id in c.references} & visible_ids
        try:
            found_refs = refs(archive.store, s.id, archive.scope)
        except UnknownCable:
            assert s.id not in visible_ids
            continue
        assert {c.id for c in found_refs.cited_by} == cited_by
        assert all(c.target in visible_ids for c in found_refs.cites if c.in_archive)
        assert not words(json.dumps(found_refs.to_json())) & hidden_current
    g = graph(archive.store, None, archive.scope)
    assert {n.id for n in g.nodes.values() if n.in_archive} == visible_ids
    assert not words(json.dumps(g.to_json())) & hidden_current
    assert archive.stats().cables == len(visible_ids)


def note_coverage(cables: list[Synthetic], users: list[User], today: date) -> None:
    """Hypothesis statistics (``--hypothesis-show-statistics``): which forms, places and
    combinations of reader and marking the examples reached, and with what outcome."""
    for user in users:
        for s in cables:
            for v in s.versions:
                seen = version_visible(user, s, v, today)
                event(f"version {v.header.level}/{user.clearance}: {'shown' if seen else 'hidden'}")
                if not seen:
                    continue
                for unit in v.units:
                    shown = "shown" if unit_visible(user, s, v, unit, today) else "withheld"
                    event(f"place: {unit.place}")
                    for inside in unit.inner_places:
                        event(f"inside: {inside}")
                    if unit.written:
                        event(f"form {form(unit.written)}")
                    p = unit.own
                    if p is None:
                        event(f"unmarked unit: {shown}")
                        continue
                    kinds = ["unreadable"] * p.unreadable + ["bare"] * (p.level is None)
                    kinds += ["NF"] * p.noforn + ["REL"] * (p.rel is not None) + sorted(p.access)
                    kinds += ["25X"] * p.exempt + ["inner"] * bool(unit.inner)
                    for kind in kinds or [f"level {p.level}"]:
                        event(f"unit {kind} to {user.citizenship}: {shown}")
                    event(f"unit level {p.level} to clearance {user.clearance}: {shown}")


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(world=worlds(), data=st.data())
def test_nothing_returned_exceeds_what_the_reader_may_see(
    tmp_path_factory: pytest.TempPathFactory,
    backend: Backend,
    world: tuple[list[Synthetic], list[list[str]], list[User], date],
    data: st.DataObject,
) -> None:
    cables, texts, users, today = world
    note_coverage(cables, users, today)
    total = sum(len(s.versions) for s in cables)
    order = data.draw(st.permutations(range(total)))
    path = backend.new("access")
    try:
        with archive_of(path, tmp_path_factory.mktemp("access"), cables, texts, users, list(order)):
            pass
        for user in users:
            with Archive(path, user=user.name, today=today) as archive:
                for _ in range(3):
                    check_search(archive, user, cables, today, data.draw(queries(cables)))
                check_reads(archive, user, cables, today)
    finally:
        backend.drop(path)  # hundreds of examples: each archive goes once checked


@settings(max_examples=40, deadline=None)
@given(world=worlds())
def test_the_generator_writes_what_it_means(
    world: tuple[list[Synthetic], list[list[str]], list[User], date],
) -> None:
    """Each generated text parses to the cable meant: id, date, classification, caveats,
    tags, subject, references, and its units with their markings and texts (else the
    oracle would judge another cable than the one archived)."""
    import cablekit

    cables, texts, _, _ = world
    for s, written in zip(cables, texts, strict=True):
        for v, text in zip(s.versions, written, strict=True):
            line = json.dumps({"reference_id": s.id, "released": v.released, "text": text})
            c = cablekit.parse(line)
            assert (c.id, c.date, c.classification) == (s.id, s.date, v.classification)
            assert (c.caveats, c.tags, c.subject) == (v.caveats, v.tags, v.subject)
            assert {r.id for r in c.references} == set(s.references)
            got = [(p.number, p.marking, " ".join(p.text.split())) for p in c.paragraphs]
            assert got == [(u.number, u.written, u.text) for u in v.units], text
