"""Citations in the text (issue 11, point 3): what is a mention and what is not, how it
resolves, and that a mention is its paragraph's: a reader who may not see the paragraph
sees nothing of it, anywhere (refs, ref:, citedby:, refkind:, the graph, stats, exports).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

import cablekit
from cablekit.access import principals
from cablekit.archive import Archive
from cablekit.model import Paragraph, Reference
from cablekit.parser.mentions import find_mentions

REFS = (
    Reference("A", "STATE 31565", "cable", "09STATE31565", True),
    Reference("B", "ROME 1902", "cable", "09ROME1902", True),
    Reference("C", "SMITH-JONES EMAIL", "email"),
)


def mentioned(text: str, refs: tuple[Reference, ...] = REFS) -> list[tuple[str, str | None]]:
    return [
        (m.text, m.id)
        for m in find_mentions([Paragraph(1, None, None, text)], refs, "09ROME1", 2009)
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ACCORDING TO ROME 1902, THE MINISTER", [("ROME 1902", "09ROME1902")]),
        ("THE PARTY WAS SPLIT (BEIRUT 1013).", [("BEIRUT 1013", "09BEIRUT1013")]),
        ("AS INSTRUCTED IN STATE 31565 WE MET", [("STATE 31565", "09STATE31565")]),
        ("See USUN 6028 for the vote.", [("USUN 6028", "09USUNNEWYORK6028")]),
        ("(08 STATE 12345)", [("08 STATE 12345", "08STATE12345")]),
        (
            "A long sentence before it, longer than the window. " * 3 + "(08 STATE 12345)",
            [("08 STATE 12345", "08STATE12345")],
        ),
        ("(2005 USUN 2635)", [("2005 USUN 2635", "05USUNNEWYORK2635")]),
        ("REF: A. LIMA 4516 (06)", [("LIMA 4516 (06)", "06LIMA4516")]),
        ("(See MEXICO 2371, 3498)", [("MEXICO 2371", "09MEXICO2371"), ("3498", "09MEXICO3498")]),
        ("would climb. (Tbilisi 1356)", [("Tbilisi 1356", "09TBILISI1356")]),
        ("has languished (05 Mexico 184).", [("05 Mexico 184", "05MEXICO184")]),
        ("(See also London 2774 regarding)", [("London 2774", "09LONDON2774")]),
        ("as reported in reftel A, the", [("reftel A", "09STATE31565")]),
        ("PER REF B THE EMBASSY", [("REF B", "09ROME1902")]),
        ("PARA 3 REFTEL B SAYS", [("PARA 3 REFTEL B", "09ROME1902")]),
        (
            "the talks (refs A and B)",
            [("refs A and B", "09STATE31565"), ("refs A and B", "09ROME1902")],
        ),
        ("(Reftels A-B)", [("Reftels A-B", "09STATE31565"), ("Reftels A-B", "09ROME1902")]),
        ("(see reftels)", [("reftels", "09STATE31565"), ("reftels", "09ROME1902")]),
    ],
)
def test_what_is_a_mention(text: str, expected: list[tuple[str, str]]) -> None:
    assert mentioned(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "IN PARIS 2009 THE LEADERS MET",  # a year
        "At the Paris 2009 summit",  # not in capitals
        "STATE 1 IS A MEMBER STATE 12 OF",  # small numbers in prose
        "VIA VENETO 119, 00187 ROME 06 4674 2222",  # an address and a phone number
        "CALL ROME 0646742222",  # a phone number
        "KABUL 100 KM TO THE SOUTH",  # a distance
        "THE GENEVA 1949 CONVENTIONS",  # a year
        "RUEHAR/AMEMBASSY ACCRA 0953 RUEHBJ/AMEMBASSY BEIJING 0064",  # an address list
        "TO SECSTATE WASHDC 7633",  # a message number
        "C O N F I D E N T I A L SECTION 01 OF 03 THE HAGUE 002163",  # a classification line
        "the refs say (reftel C)",  # REF C is an email: no cable
        "REFTEL A MEETING WAS HELD",  # nothing lettered A in an empty REF line
        "We met at ROME 1 (our office)",
        "Mexico City 1978-80 Translation department",  # Title Case without a cue
        "initial planning for London 2012",
        "Villas de San Agustin Metepec Edo de Mexico 52140",
        "the summit (Paris 2009)",  # a year, cue or not
        "the Minsk Group (Minsk 2)",
    ],
)
def test_what_is_not(text: str) -> None:
    refs = REFS if "reftel C" in text else ()
    assert mentioned(text, refs) == []


def test_reftel_alone_needs_one_cable_on_the_ref_line() -> None:
    one = (Reference(None, "STATE 31565", "cable", "09STATE31565", True),)
    assert mentioned("Post delivered reftel demarche", one) == [("reftel", "09STATE31565")]
    assert mentioned("Post delivered reftel demarche") == []  # two cables: which one?


def test_self_and_repeated_mentions() -> None:
    paragraphs = [
        Paragraph(1, None, None, "THIS CORRECTS ROME 1 AND ROME 1902 (ROME 1902)."),
        Paragraph(2, None, None, "SEE ROME 1902."),
    ]
    found = find_mentions(paragraphs, (), "09ROME1", 2009)
    assert [(m.id, m.paragraph, m.kind) for m in found] == [
        ("09ROME1902", 1, "mention"),
        ("09ROME1902", 2, "mention"),
    ]


CABLE = """VZCZCXYZ0000
RR RUEHWEB
DE RUEHRO #{serial} 2830505
ZNR UUUUU ZZH
R 100505Z OCT 09
FM AMEMBASSY ROME
TO RUEHC/SECSTATE WASHDC 1234
C O N F I D E N T I A L ROME 00{serial}

SIPDIS

E.O. 12958: DECL: 10/10/2019
TAGS: PGOV IT
SUBJECT: COALITION TALKS {serial}

REF: A. ROME 1100 B. STATE 31565

Classified By: Ambassador Ronald Spogli, reasons 1.4 (b) and (d).

1. (C) The coalition met (ref A) and agreed.

2. (S) The minister told us what ROME 1902 reported.

3. (C) Nothing else here.

SPOGLI
"""


def test_a_parsed_cable_has_its_mentions_with_their_paragraphs() -> None:
    cable = cablekit.parse(CABLE.format(serial=1200))
    assert [(m.text, m.id, m.paragraph, m.letter) for m in cable.mentions] == [
        ("ref A", "09ROME1100", 1, "A"),
        ("ROME 1902", "09ROME1902", 2, None),
    ]
    assert [r.id for r in cable.references] == ["09ROME1100", "09STATE31565"]
    assert cablekit.Cable.from_json(cable.to_json()) == cable


@pytest.fixture()
def archive_path(tmp_path: Path) -> Path:
    """09ROME1200 cites 09ROME1100 on its REF line and in ¶1 (C), and mentions
    09ROME1902 in ¶2 (S); 09ROME1100 and 09ROME1902 are in the archive. Readers:
    a CONFIDENTIAL one (¶2 is withheld from them) and a SECRET one."""
    folder = tmp_path / "in"
    folder.mkdir()
    for serial in (1100, 1200, 1902):
        text = CABLE.format(serial=serial)
        if serial != 1200:  # the cited ones cite nothing
            text = text.replace("REF: A. ROME 1100 B. STATE 31565", "")
            text = text.replace("(ref A)", "").replace("what ROME 1902 reported", "it")
        (folder / f"09ROME{serial}.txt").write_text(text)
    path = tmp_path / "a.db"
    with Archive(path, create=True) as archive:
        archive.ingest([str(folder)], release="2011-04")
        principals.add(archive.store, "keeper", citizenship="USA", admin=True)
        for name, clearance in (("conf", "CONFIDENTIAL"), ("secret", "SECRET")):
            principals.add(archive.store, name, clearance=clearance, citizenship="USA")
            principals.grant(archive.store, name, collections=["*"])
    return path


DAY = date(2010, 1, 1)


def test_refs_show_both_kinds_and_filter_by_kind(archive_path: Path) -> None:
    with Archive(archive_path, user="secret", today=DAY) as archive:
        found = archive.refs("09ROME1200")
        assert [(c.kind, c.target, c.paragraph) for c in found.cites] == [
            ("cable", "09ROME1100", None),
            ("cable", "09STATE31565", None),
            ("mention", "09ROME1100", 1),
            ("mention", "09ROME1902", 2),
        ]
        assert [c.kind for c in archive.refs("09ROME1200", "mention").cites] == ["mention"] * 2
        assert [c.kind for c in archive.refs("09ROME1200", "ref").cites] == ["cable"] * 2
        (citer,) = archive.refs("09ROME1902").cited_by
        assert (citer.id, citer.kinds) == ("09ROME1200", ("mention",))
        (citer,) = archive.refs("09ROME1100").cited_by
        assert citer.kinds == ("ref", "mention")
        assert archive.matching_ids(cablekit_query("ref:09ROME1902")) == ["09ROME1200"]
        assert archive.matching_ids(cablekit_query("citedby:09ROME1200")) == [
            "09ROME1100",
            "09ROME1902",
        ]
        assert archive.matching_ids(cablekit_query("refkind:mention")) == ["09ROME1200"]
        edges = {(e.source, e.target, e.kind) for e in archive.graph(None).edges}
        assert ("09ROME1200", "09ROME1902", "mention") in edges
        assert {e.kind for e in archive.graph(None, kind="mention").edges} == {"mention"}
        assert archive.stats().mentions == 2


def cablekit_query(text: str) -> object:
    from cablekit.search.query import parse_query

    return parse_query(text)


def test_a_mention_in_a_withheld_paragraph_does_not_leak(archive_path: Path) -> None:
    """¶2 (S) of 09ROME1200 mentions 09ROME1902: a CONFIDENTIAL reader sees the cable
    but not ¶2, so nothing may tell them that it cites 09ROME1902."""
    with Archive(archive_path, user="conf", today=DAY) as archive:
        found = archive.refs("09ROME1200")
        assert "09ROME1902" not in [c.target for c in found.cites]
        assert [c.target for c in found.cites if c.kind == "mention"] == ["09ROME1100"]
        assert archive.refs("09ROME1902").cited_by == []
        assert archive.matching_ids(cablekit_query("ref:09ROME1902")) == []
        assert archive.matching_ids(cablekit_query("citedby:09ROME1200")) == ["09ROME1100"]
        graph = archive.graph(None, hops=1)
        assert ("09ROME1200", "09ROME1902") not in {(e.source, e.target) for e in graph.edges}
        assert "09ROME1902" in archive.neighbourhood("09ROME1902").nodes  # itself only
        assert archive.neighbourhood("09ROME1902").edges == []
        assert archive.stats().mentions == 1
        record = archive.get("09ROME1200").cable
        assert record.paragraphs[1].text.startswith("[withheld: ")
        assert [m.id for m in record.mentions] == ["09ROME1100"]
        out = archive_path.parent / "export.jsonl"
        archive.export(None, "jsonl", str(out))
    exported = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert [m["id"] for m in exported["09ROME1200"]["mentions"]] == ["09ROME1100"]
    assert "09ROME1902" not in out.read_text().replace('"id":"09ROME1902"', "")
