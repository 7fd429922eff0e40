"""The reference cable parses to exactly the record of spec section 13."""

from __future__ import annotations

from pathlib import Path

import pytest

import cablekit
from cablekit.model import Addressee, Cable, ClassifiedBy, PageMarker, Reference

SAMPLE = Path(cablekit.__file__).parent / "samples" / "09OTTAWA278.scraped.md"

SUMMARY = (
    "Russia is seeking strong re-engagement with Canada following the chilling of relations "
    'after the Russian invasion of Georgia and "Russian provocations in the Arctic." Canada '
    "nonetheless recognizes the need to work with Russia, given the many intersecting areas of "
    'mutual concern, and plans to pursue a policy of "calibrated re-engagement." Canada assesses '
    "that Russia wants a cooperative relationship with NATO in regard to Afghanistan, narcotics, "
    "and counter-terrorism, even as it seeks Western buy-in for a new European security "
    'architecture, about which Canada is "very skeptical." Canada\'s core interests require it to '
    "seek Russian cooperation in stabilizing Afghanistan and building transparency and confidence "
    "mechanisms in the Arctic. Canada is considering Russian overtures for a new notification "
    "regime for military long-range aviation in the Arctic, but wishes to coordinate an agreed "
    "position with the U.S. beforehand."
)

# Spec 13.4: heading, first words, last words of each paragraph.
PARAGRAPHS = [
    (
        None,
        "Summary: Russia is seeking strong re-engagement with Canada",
        "beforehand. End summary.",
    ),
    (
        "TOUGH TALK",
        "Following the Russian invasion of Georgia, Canada took",
        "at the hands of the West.",
    ),
    (
        None,
        "In a meeting with Deputy Foreign Minister Len",
        'described as "calibrated re-engagement."',
    ),
    (None, "Shore praised the new U.S. Administration's overtures toward", "extended hand."),
    (
        "MAINTAINING DIALOGUE",
        "As part of its calibrated re-engagement, Shore described",
        "\"'unavailable' for unspecified reasons.\"",
    ),
    (
        None,
        "DFAIT Assistant Deputy Minister and Political Director Colleen",
        "Shanghai Cooperation Organization. See ref d)",
    ),
    (
        "YOUR NEIGHBORS FEAR YOU",
        "In his February visit to Moscow, ADM Fox",
        'roll over on new security architecture."',
    ),
    (
        None,
        'Shore characterized the NATO-Russia relationship as "very complicated"',
        "reschedule those talks in late 2008.",
    ),
    (
        "THROUGH A POLAR PRISM",
        "In February, Defence Minister Peter MacKay announced that",
        'to Canadian sovereignty in the Arctic."',
    ),
    (
        None,
        "According to Shore, Russian interlocutors have reassured Canadian",
        "to beginning discussions, according to Shore.",
    ),
    (
        "THE ROAD AHEAD",
        "The recent popular press portrayals of a resurgent",
        'a way that is not transparent."',
    ),
    (
        None,
        "Given Canada's recent pause in contacts and tough",
        "this issue with the U.S. beforehand.",
    ),
]

# Spec 13.5: sentences re-joined across blank lines, continuation blocks and page markers.
JOINED = {
    4: "especially in the disarmament arena and, most notably, about the START talks.",
    6: "consultations with Canada on Afghanistan, which the Canadians are still considering.",
    9: "In February, Defence Minister Peter MacKay announced that Canada had scrambled",
    11: 'Prime Minister Putin seems to be using the current global economic turmoil to "reverse',
}


@pytest.fixture(scope="module")
def cable() -> Cable:
    return cablekit.parse(SAMPLE.read_bytes())


def test_envelope(cable: Cable) -> None:
    assert cable.id == "09OTTAWA278"
    assert cable.transmission_id == "XRO1975"
    assert cable.relay is not None
    assert cable.relay.precedence == "PP"
    assert cable.relay.routing_indicators == ("RUEHGA", "RUEHHA", "RUEHMT", "RUEHQI", "RUEHVC")
    assert cable.station is not None
    assert (cable.station.routing_indicator, cable.station.serial, cable.station.section) == (
        "RUEHOT",
        "0278",
        1,
    )
    assert cable.station.filed == "0972102"
    assert cable.station.filed_utc == "2009-04-07T21:02:00Z"
    assert cable.security_warning is not None
    assert cable.security_warning.code == "ZNY"
    assert cable.security_warning.classification == "CONFIDENTIAL"
    assert cable.security_warning.signals == ("ZZH",)
    assert cable.precedence == "PRIORITY"
    assert cable.info_precedence is None
    assert cable.dtg == "2009-04-07T21:02:00Z"
    assert cable.date == "2009-04-07"
    assert cable.from_ is not None
    assert cable.from_.name == "AMEMBASSY OTTAWA"
    assert cable.from_.routing_indicator == "RUEHOT"


def test_addressees(cable: Cable) -> None:
    assert cable.to == (Addressee("SECSTATE WASHDC", "RUEHC", "PRIORITY", "9314"),)
    assert cable.info == (
        Addressee("ALL CANADIAN POSTS COLLECTIVE", "RUCNCCAN", "PRIORITY", None, collective=True),
        Addressee("NATO EU COLLECTIVE", "RUEHZG", "PRIORITY", None, collective=True),
        Addressee("AMEMBASSY MOSCOW", "RUEHMO", "PRIORITY", "2284"),
        Addressee("AMEMBASSY TBILISI", "RUEHSI", "PRIORITY", "0049"),
        Addressee("CDR NORAD PETERSON AFB CO", "RHMFISS", "PRIORITY", None),
        Addressee("HQ USNORTHCOM", "RHMFISS", "PRIORITY", None),
    )


def test_text_header(cable: Cable) -> None:
    assert cable.classification == "CONFIDENTIAL"
    assert (cable.post, cable.serial) == ("OTTAWA", 278)
    assert cable.sections is not None
    assert (cable.sections.number, cable.sections.total) == (1, 3)
    assert cable.caveats == ("NOFORN", "SIPDIS")
    assert cable.handling == ()
    assert cable.executive_order == "12958"
    assert cable.declassify_on == "2019-04-07"
    assert cable.declassify_note is None
    assert cable.tags == ("PREL", "ETRD", "RS", "GG", "CA")
    assert cable.subject == 'CANADA\'S "CALIBRATED" RE-ENGAGEMENT WITH RUSSIA IN STEP WITH U.S.'
    assert cable.references == (
        Reference("A", "OTTAWA 8", "cable", "09OTTAWA8", year_inferred=True),
        Reference("B", "08 OTTAWA 1140", "cable", "08OTTAWA1140"),
        Reference("C", "08 OTTAWA 1137", "cable", "08OTTAWA1137"),
        Reference("D", "MOSCOW 833", "cable", "09MOSCOW833", year_inferred=True),
    )
    assert cable.classified_by == ClassifiedBy(
        "PolMinCouns",
        "Scott Bellard",
        ("1.4(b)", "1.4(d)"),
        "Classified By: PolMinCouns Scott Bellard, reasons 1.4 (b) and (d)",
    )


def test_paragraphs(cable: Cable) -> None:
    assert [p.number for p in cable.paragraphs] == list(range(1, 13))
    assert {p.marking for p in cable.paragraphs} == {"C/NF"}
    for paragraph, (heading, first, last) in zip(cable.paragraphs, PARAGRAPHS, strict=True):
        assert paragraph.heading == heading
        assert paragraph.text.startswith(first)
        assert paragraph.text.endswith(last)
        assert "  " not in paragraph.text and "\n" not in paragraph.text
    for number, sentence in JOINED.items():
        assert sentence in cable.paragraphs[number - 1].text
    assert "Shore added that a Canadian delegation will travel" in cable.paragraphs[5].text
    assert "Shore added that the recent drop in hydrocarbon prices" in cable.paragraphs[10].text
    assert not any("OTTAWA 00000278" in p.text for p in cable.paragraphs)
    assert not any("Visit Canada" in p.text for p in cable.paragraphs)


def test_summary_signature_trailer(cable: Cable) -> None:
    assert cable.summary == SUMMARY
    assert len(cable.summary) == 929
    assert cable.signature == "BREESE"
    assert cable.trailer == (
        "Visit Canada's North American partnership community at "
        "http://www.intelink.gov/communities/state/nap/",
    )
    assert cable.page_markers == (
        PageMarker("OTTAWA 00000278 002 OF 003", 2, 3, None, 6),
        PageMarker("OTTAWA 00000278 003 OF 003", 3, 3, None, 11),
    )


def test_warnings(cable: Cable) -> None:
    codes = [w.code for w in cable.warnings]
    assert codes == ["unknown-ri", "malformed-ri"] + ["paragraph-number-repaired"] * 5
    messages = [w.message for w in cable.warnings]
    assert "RUEHQI" in messages[0] and "RUEHQU" in messages[0]
    assert "RUCNCCAN" in messages[1] and "RUCNCAN" in messages[1]
    for message, number in zip(messages[2:], range(5, 10), strict=True):
        assert (
            message == f"Paragraph number 1{number} repaired to {number} from the running sequence"
        )


def test_json_round_trip(cable: Cable) -> None:
    data = cable.to_json()
    assert data["from"]["name"] == "AMEMBASSY OTTAWA"
    assert Cable.from_json(data) == cable
