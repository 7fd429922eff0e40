"""Drafts become cables: the fixtures, sections, and parse(render(draft)) for generated drafts."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cablekit
from cablekit.compose import RenderOptions, render
from cablekit.compose.build import Numbering, compose, parse_dtg
from cablekit.compose.draft import (
    Draft,
    DraftAddressee,
    DraftClassifiedBy,
    DraftParagraph,
    DraftReference,
    load_draft,
)
from cablekit.compose.roundtrip import round_trip
from cablekit.compose.template import TEMPLATE
from cablekit.errors import DraftError, DraftInvalid
from cablekit.model import Cable

FIXTURES = Path(__file__).parent / "fixtures" / "drafts"


def load(name: str) -> Draft:
    path = FIXTURES / name
    return load_draft(path.read_text(encoding="utf-8"), str(path))


def test_the_template_is_a_valid_draft() -> None:
    assert (FIXTURES / "template.yaml").read_text(encoding="utf-8") == TEMPLATE
    cable = compose(load("template.yaml"))
    assert cable.id == "09OTTAWA278"
    assert [r.id for r in cable.references] == ["09OTTAWA8", "08OTTAWA1140", None]
    assert cable.summary == (
        "Russia is seeking strong re-engagement with Canada. Canada plans a policy of "
        "calibrated re-engagement."
    )
    assert round_trip(cable).differences == []


def test_envelope_of_a_composed_cable() -> None:
    cable = compose(load("unclassified.yaml"))
    lines = render(cable).splitlines()
    assert lines[:9] == [
        "VZCZCXRO1234",
        "RR RUEHOT RUEHMO",
        "DE RUEHC #1234 0041530",
        "ZNR UUUUU ZZH",
        "R 041530Z JAN 10",
        "FM SECSTATE WASHDC",
        "TO RUEHOT/AMEMBASSY OTTAWA",
        "RUEHMO/AMEMBASSY MOSCOW IMMEDIATE 2284",
        "BT",
    ]
    assert "UNCLAS STATE 001234" in lines
    assert "E.O. 12958: N/A" in lines
    assert round_trip(cable).differences == []


def test_json_draft() -> None:
    cable = compose(load("draft.json"))
    assert (cable.id, cable.classification, cable.declassify_on) == (
        "09PARIS1007",
        "SECRET",
        "2019-07-24",
    )
    assert render(cable).splitlines()[3] == "ZNY SSSSS ZZH"
    assert round_trip(cable).differences == []


def test_serial_and_dtg_passed_in() -> None:
    cable = compose(load("template.yaml"), Numbering(serial=10278), "2009-04-08T06:15Z")
    assert cable.id == "09OTTAWA10278"
    assert cable.station is not None and cable.station.serial == "0278"
    assert cable.station.filed == "0980615"
    assert cable.dtg_text == "080615Z APR 09"


def test_dtg_forms() -> None:
    expected = datetime.datetime(2009, 4, 7, 21, 2, tzinfo=datetime.UTC)
    for text in ("072102Z APR 09", "072102Z APR 2009", "2009-04-07T21:02Z", "2009-04-07 21:02"):
        assert parse_dtg(text) == expected
    with pytest.raises(DraftError, match="is not a date-time group"):
        parse_dtg("yesterday")


def test_invalid_draft_lists_every_problem() -> None:
    text = TEMPLATE.replace("tags: [PREL, ETRD, RS, CA]", "tags: [PREL]")
    text = text.replace("declassify: 2019-04-07", "declassify: 2049-04-07")
    with pytest.raises(DraftInvalid) as caught:
        compose(load_draft(text, "d.yaml"))
    assert caught.value.problems == [
        "d.yaml, line 56: declassify: 2049-04-07 is more than 25 years after 2009-04-07; "
        "use an exemption",
        "d.yaml, line 36: tags: TAGS need a country or organization code (CA, RS, NATO)",
    ]
    assert caught.value.exit_code == 5


def test_long_cables_are_split_into_sections() -> None:
    base = load("template.yaml")
    text = "The delegation discussed the Arctic, trade and security at length. " * 12
    paragraphs = tuple(DraftParagraph(text.strip(), "C") for _ in range(8))
    cable = compose(Draft(**{**_fields(base), "paragraphs": paragraphs}))
    assert cable.sections is not None and cable.sections.total == 3
    assert [m.text for m in cable.page_markers] == [
        "OTTAWA 00000278 002 OF 003",
        "OTTAWA 00000278 003 OF 003",
    ]
    rendered = render(cable)
    assert "C O N F I D E N T I A L SECTION 01 OF 03 OTTAWA 000278" in rendered
    assert "DE RUEHOT #0278/01 0972102" in rendered
    assert round_trip(cable).differences == []


def test_per_addressee_serials_cover_every_section() -> None:
    base = load("template.yaml")
    to = (DraftAddressee("SECSTATE WASHDC", serial=9314),)
    text = "A long paragraph about the Arctic and its many neighbours. " * 40
    paragraphs = tuple(DraftParagraph(text.strip(), "C") for _ in range(3))
    cable = compose(Draft(**{**_fields(base), "to": to, "paragraphs": paragraphs}))
    assert cable.sections is not None
    assert cable.to[0].serial == f"9314-{9313 + cable.sections.total}"


def _fields(draft: Draft) -> dict[str, object]:
    return {name: getattr(draft, name) for name in Draft.__dataclass_fields__}


# --------------------------------------------------------------------------- property test

WORDS = [
    "the", "embassy", "minister", "said", "that", "Canada", "would", "support", "talks",
    "on", "trade", "and", "security", "in", "February", "officials", "noted", "a",
    # words that would start something else at the start of a line
    "2.", "REF", "TAGS", "(d)", "1.4", "E.O.", "U.S.-Russian", "re-engagement",
]  # fmt: skip
POSTS = {"OTTAWA": "AMEMBASSY OTTAWA", "MOSCOW": "AMEMBASSY MOSCOW", "STATE": "SECSTATE WASHDC"}
ADDRESSES = ("SECSTATE WASHDC", "AMEMBASSY PARIS", "NATO EU COLLECTIVE", "AMEMBASSY TOKYO")
MARKS = {"UNCLASSIFIED": "U", "CONFIDENTIAL": "C", "SECRET": "S/NF"}

sentences = st.lists(st.sampled_from(WORDS), min_size=3, max_size=60).map(
    lambda words: "Officials " + " ".join(words) + "."
)
headings = st.none() | st.lists(
    st.sampled_from(["TOUGH", "TALK", "THE", "ROAD", "AHEAD", "ARCTIC"]), min_size=1, max_size=4
).map(" ".join)
addressees = st.builds(
    DraftAddressee,
    name=st.sampled_from(ADDRESSES),
    precedence=st.sampled_from([None, "IMMEDIATE", "PRIORITY"]),
    serial=st.none() | st.integers(1, 9999),
)
references = st.lists(
    st.sampled_from(["OTTAWA 8", "08 OTTAWA 1140", "MOSCOW 833", "EMAIL FROM EUR/CAN"]),
    max_size=4,
    unique=True,
).map(lambda texts: tuple(DraftReference(text=t) for t in texts))


@st.composite
def drafts(draw: st.DrawFn) -> Draft:
    level = draw(st.sampled_from(sorted(MARKS)))
    classified = level != "UNCLASSIFIED"
    count = draw(st.integers(1, 8))
    paragraphs = tuple(
        DraftParagraph(draw(sentences), MARKS[level], draw(headings)) for _ in range(count)
    )
    year = draw(st.integers(2005, 2012))
    return Draft(
        origin=draw(st.sampled_from(sorted(POSTS))),
        classification=level,
        subject=draw(
            st.lists(
                st.sampled_from(["CANADA", "RUSSIA", "TRADE", "U.S.-EU"]), min_size=1, max_size=14
            ).map(" ".join)
        ),
        paragraphs=paragraphs,
        to=tuple(draw(st.lists(addressees, min_size=1, max_size=3))),
        info=tuple(draw(st.lists(addressees, max_size=3))),
        precedence=draw(st.sampled_from(["ROUTINE", "PRIORITY", "IMMEDIATE"])),
        caveats=("NOFORN", "SIPDIS") if level == "SECRET" else ("SIPDIS",),
        tags=tuple(draw(st.sampled_from([("PREL", "CA"), ("ETRD", "RS", "NATO")]))),
        references=draw(references),
        classified_by=DraftClassifiedBy("PolMinCouns", "Scott Bellard", ("b", "d"))
        if classified
        else None,
        declassify=f"{year + 10}-01-15" if classified else None,
        signature=draw(st.sampled_from([None, "BREESE", "KEEGAN PAAL"])),
        serial=draw(st.integers(1, 99_999)),
        dtg=f"{draw(st.integers(10, 28))}1200Z MAR {year % 100:02d}",
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(drafts(), st.sampled_from([69, 40, None]))
def test_parse_of_rendered_draft_gives_the_draft_back(draft: Draft, width: int | None) -> None:
    cable = compose(draft)
    again = cablekit.parse(render(cable, RenderOptions(width=width)))
    assert_same_as_draft(draft, again)
    assert round_trip(cable, RenderOptions(width=width)).differences == []


def assert_same_as_draft(draft: Draft, cable: Cable) -> None:
    assert cable.from_ is not None and cable.from_.name == POSTS[draft.origin]
    assert cable.classification == draft.classification
    assert cable.precedence == draft.precedence
    for mine, theirs in ((draft.to, cable.to), (draft.info, cable.info)):
        assert [a.name for a in theirs] == [a.name for a in mine]
        wanted = [a.precedence or draft.precedence for a in mine]
        assert [a.precedence or "ROUTINE" for a in theirs] == wanted
        sections = cable.sections.total if cable.sections else 1
        serials = [a.serial.split("-")[0] if a.serial else None for a in theirs]
        assert serials == [f"{a.serial:04d}" if a.serial else None for a in mine], sections
    assert cable.caveats == draft.caveats
    assert cable.tags == draft.tags
    assert cable.subject == draft.subject
    assert [r.text for r in cable.references] == [r.text for r in draft.references]
    assert cable.serial == draft.serial
    assert cable.dtg is not None and draft.dtg is not None
    assert cable.dtg_text == draft.dtg
    if draft.classified_by is not None:
        by = cable.classified_by
        assert by is not None
        assert (by.title, by.name) == (draft.classified_by.title, draft.classified_by.name)
        assert by.reasons == tuple(f"1.4({r})" for r in draft.classified_by.reasons)
        assert cable.declassify_on == draft.declassify
    single = len(draft.paragraphs) == 1
    assert [(p.number, p.marking, p.heading, p.text) for p in cable.paragraphs] == [
        (None if single else n, p.marking, p.heading, p.text)
        for n, p in enumerate(draft.paragraphs, 1)
    ]
    assert cable.signature == draft.signature
