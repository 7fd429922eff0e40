"""Field parsers, one by one, on the variants of the specification's checklist (section 14)."""

from __future__ import annotations

import pytest

import cablekit
from cablekit.model import Addressee
from cablekit.parser.classified import parse_classified_by
from cablekit.parser.classline import parse_class_line
from cablekit.parser.dates import dtg_to_iso, julian_to_iso, parse_date
from cablekit.parser.envelope import parse_addressee
from cablekit.parser.markers import remove_markers
from cablekit.parser.refs import parse_references, split_items
from cablekit.parser.tags import parse_tags


@pytest.mark.parametrize(
    ("line", "classification", "post", "serial", "section"),
    [
        (
            "C O N F I D E N T I A L SECTION 01 OF 03 OTTAWA 000278",
            "CONFIDENTIAL",
            "OTTAWA",
            278,
            1,
        ),
        (
            "UNCLAS SECTION 01 OF 02 RIO DE JANEIRO 001238",
            "UNCLASSIFIED",
            "RIO DE JANEIRO",
            1238,
            1,
        ),
        ("C O N F I D E N T I A L LA PAZ 003449", "CONFIDENTIAL", "LA PAZ", 3449, None),
        ("SS E C R E T STATE 012345", "SECRET", "STATE", 12345, None),
        ("O N F I D E N T I A L ANKARA 000348", "CONFIDENTIAL", "ANKARA", 348, None),
        ("S e c r e t state 068250", "SECRET", "STATE", 68250, None),
        ("UNCLASSIFIED SECTION 1 OF 2 TEHRAN 1164", "UNCLASSIFIED", "TEHRAN", 1164, 1),
        ("LIMITED OFFICIAL USE MADRID 05480", "LIMITED OFFICIAL USE", "MADRID", 5480, None),
        ("T O P S E C R E T STATE 000001", "TOP SECRET", "STATE", 1, None),
    ],
)
def test_classification_line_variants(
    line: str, classification: str, post: str, serial: int, section: int | None
) -> None:
    found = parse_class_line(line)
    assert found is not None
    assert (found.classification, found.post, found.serial, found.section) == (
        classification,
        post,
        serial,
        section,
    )


def test_classification_line_with_captions_and_efto() -> None:
    found = parse_class_line("S E C R E T BOGOTA 000243 SIPDIS NOFORN")
    assert found is not None and found.captions == "SIPDIS NOFORN"
    efto = parse_class_line("UNCLAS E F T O NEW DELHI 012345")
    assert efto is not None and efto.efto and efto.post == "NEW DELHI"


@pytest.mark.parametrize(
    "line", ["THE MEETING WILL BE HELD ON 123", "REF: STATE 12345", "1. (C) TEXT 2009"]
)
def test_not_a_classification_line(line: str) -> None:
    assert parse_class_line(line) is None


def test_addressee_variants() -> None:
    assert parse_addressee("RUEHC/SECSTATE WASHDC PRIORITY 9314") == Addressee(
        "SECSTATE WASHDC", "RUEHC", "PRIORITY", "9314"
    )
    assert parse_addressee("ZEN/AMEMBASSY BELMOPAN NIACT IMMEDIATE 2276-2279") == Addressee(
        "AMEMBASSY BELMOPAN", "ZEN", "NIACT IMMEDIATE", "2276-2279"
    )
    assert parse_addressee("SECSTATE WASHDC 7561") == Addressee("SECSTATE WASHDC", serial="7561")
    assert parse_addressee("RUEHBU/AMEMBASSY BAKU PIORITY 0001").precedence == "PRIORITY"
    collective = parse_addressee("SPECIAL EMBASSY PROGRAM")
    assert collective.collective and collective.routing_indicator is None
    assert parse_addressee("AMCONSUL JOHANNESBURG", excluded=True).excluded


def test_dtg_and_julian_dates() -> None:
    assert dtg_to_iso("07", "2102", "APR", "09") == "2009-04-07T21:02:00Z"
    assert dtg_to_iso("28", "1848", "DEC", "66") == "1966-12-28T18:48:00Z"
    assert dtg_to_iso("31", "1200", "FEB", "09") is None
    assert julian_to_iso(97, "2102", 2009) == "2009-04-07T21:02:00Z"
    assert julian_to_iso(366, "0000", 2009) is None


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("04/07/2019", "2019-04-07"),
        ("4/7/2019", "2019-04-07"),
        ("2020/06/30", "2020-06-30"),
        ("2020-06-30", "2020-06-30"),
        ("05/08/18", "2018-05-08"),
        ("JUNE 21, 2006", "2006-06-21"),
        ("OADR", None),
        ("X1", None),
    ],
)
def test_declassification_dates(text: str, iso: str | None) -> None:
    assert parse_date(text) == iso


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PREL ETRD RS GG CA", ["PREL", "ETRD", "RS", "GG", "CA"]),
        ("PREL, PGOV, ECON, EFIN, CH", ["PREL", "PGOV", "ECON", "EFIN", "CH"]),
        ("ETRDEINVECINPGOVCS", ["ETRD", "EINV", "ECIN", "PGOV", "CS"]),
        ("PHUM KDEM HUMAN RIGHTS", ["PHUM", "KDEM", "HUMAN", "RIGHTS"]),
        ("PREL SIPDIS OVIP (CLINTON, HILLARY)", ["PREL", "OVIP (CLINTON, HILLARY)"]),
        ("prel, pgov, pins, tu", ["PREL", "PGOV", "PINS", "TU"]),
        ("PINR, PGOV, PREL, PGOV", ["PINR", "PGOV", "PREL"]),
    ],
)
def test_tags(text: str, expected: list[str]) -> None:
    assert list(parse_tags(text)) == expected


def test_reference_items_and_resolution() -> None:
    items = split_items("A. OTTAWA 8 B. 08 OTTAWA 1140 C. 08 OTTAWA 1137 D. MOSCOW 833")
    assert [letter for letter, _ in items] == ["A", "B", "C", "D"]
    refs = parse_references(
        "(A) 05 SAO PAULO 405; (B) STATE 135205; (C) LEE EMAIL 05/11/07", None, 2006
    )
    assert [(r.letter, r.id, r.kind) for r in refs] == [
        ("A", "05SAOPAULO405", "cable"),
        ("B", "06STATE135205", "cable"),
        ("C", None, "email"),
    ]


def test_references_chains_years_and_self_references() -> None:
    chain = parse_references("BERN 1253 AND 1260", None, 2006)
    assert [r.id for r in chain] == ["06BERN1253", "06BERN1260"]
    assert [r.id for r in parse_references("2007 MANAGUA 2135", None, 2009)] == ["07MANAGUA2135"]
    assert [r.id for r in parse_references("RIO DE JAN 138", None, 2008)] == ["08RIODEJANEIRO138"]
    assert [r.id for r in parse_references("SECSTATE 74879", None, 2008)] == ["08STATE74879"]
    assert parse_references("OTTAWA 278", "09OTTAWA278", 2009) == []
    serial_not_year = parse_references("ANKARA 0112 ISTANBUL 0015", None, 2007)
    assert [r.id for r in serial_not_year] == ["07ANKARA112", "07ISTANBUL15"]
    assert [r.id for r in parse_references("MOSCOW 240...", None, 2008)] == [None]


@pytest.mark.parametrize(
    ("text", "title", "name", "reasons"),
    [
        (
            "Classified By: PolMinCouns Scott Bellard, reasons 1.4 (b) and (d)",
            "PolMinCouns",
            "Scott Bellard",
            ("1.4(b)", "1.4(d)"),
        ),
        (
            "CLASSIFIED BY: Rose E. Gottemoeller, Assistant Secretary, VCI; REASON: 1.4(B), (D)",
            "Assistant Secretary, VCI",
            "Rose E. Gottemoeller",
            ("1.4(b)", "1.4(d)"),
        ),
        (
            "1. (U) CLASSIFIED BY ROBERT P. FINN, DEPUTY CHIEF OF MISSION. REASON: 1.5 (D)",
            "DEPUTY CHIEF OF MISSION",
            "ROBERT P. FINN",
            ("1.5(d)",),
        ),
        (
            "Classified By: Classified by DCM Liz Dibble for rea sons 1.4 (b,d)",
            "DCM",
            "Liz Dibble",
            ("1.4(b)", "1.4(d)"),
        ),
        (
            "Classified By: Ambassador Richard E. Hoagland: 1.4 (B), (D)",
            "Ambassador",
            "Richard E. Hoagland",
            ("1.4(b)", "1.4(d)"),
        ),
        ("Classified By: Derived from Multiple Sources", "Derived from Multiple Sources", None, ()),
    ],
)
def test_classified_by(
    text: str, title: str | None, name: str | None, reasons: tuple[str, ...]
) -> None:
    found = parse_classified_by(text)
    assert found is not None
    assert (found.title, found.name, found.reasons) == (title, name, reasons)


def test_page_markers_removed_and_sentences_flagged() -> None:
    lines = [
        "1. (C) Text that runs on and the",
        "",
        "OTTAWA 00000278 002 OF 003",
        "",
        "rest of it.",
    ]
    cleaned = remove_markers(lines, "OTTAWA")
    assert [m.text for _, m in cleaned.markers] == ["OTTAWA 00000278 002 OF 003"]
    assert "OTTAWA 00000278 002 OF 003" not in cleaned.lines
    rest = cleaned.lines.index("rest of it.")
    assert rest in cleaned.joins
    inline = remove_markers(["SUBJECT: DEATH IN LIBYA TRIPOLI 00000939 001.2 OF 003"], "TRIPOLI")
    assert inline.lines == ["SUBJECT: DEATH IN LIBYA"]
    assert inline.markers[0][1].sub == 2


TELEGRAM = """\
VZCZCXYZ0003
OO RUEHWEB

DE RUEHC #3511 2710604
ZNY SSSSS ZZH
O 270333Z SEP 08
FM SECSTATE WASHDC
TO ZEN/AMEMBASSY BELMOPAN NIACT IMMEDIATE 2276-2279
RUEHKV/AMEMBASSY KYIV NIACT IMMEDIATE 7881-7884
INFO RUCNMEM/EU MEMBER STATES COLLECTIVE
XMT AMCONSUL JOHANNESBURG
S E C R E T STATE 103511

NODIS
SIPDIS

E.O. 12958: DECL: 09/26/2018
TAGS: PREL PTER XX
SUBJECT: TEST

1. (S/NF) First paragraph, which ends
STATE 00103511 002 OF 002
with a marker in it.

2. (U) Second. END SUMMARY.

RICE
"""


def test_a_whole_telegram() -> None:
    cable = cablekit.parse(TELEGRAM)
    assert cable.id == "08STATE103511"
    assert cable.precedence == "IMMEDIATE"
    assert cable.relay is not None and cable.relay.routing_indicators == ("RUEHWEB",)
    assert [a.name for a in cable.to] == ["AMEMBASSY BELMOPAN", "AMEMBASSY KYIV"]
    assert cable.to[0].precedence == "NIACT IMMEDIATE"
    assert cable.info[0].collective and cable.info[1].excluded
    assert cable.classification == "SECRET"
    assert cable.caveats == ("NODIS", "SIPDIS")
    assert [p.marking for p in cable.paragraphs] == ["S/NF", "U"]
    assert cable.paragraphs[0].text == "First paragraph, which ends with a marker in it."
    assert cable.page_markers[0].paragraph == 1
    assert cable.signature == "RICE"
    assert cable.station is not None and cable.station.serial == "3511"
    assert not [w for w in cable.warnings if w.code == "ssn-mismatch"]


def test_ssn_mismatch_is_a_warning() -> None:
    cable = cablekit.parse(TELEGRAM.replace("#3511", "#9999"))
    assert [w.code for w in cable.warnings if w.code == "ssn-mismatch"] == ["ssn-mismatch"]


def test_not_a_cable() -> None:
    with pytest.raises(cablekit.NotACable):
        cablekit.parse("Dear friends, the picnic is on Sunday.")
