"""Rendering records as canonical telegram text: the reference cable line for line, layout."""

from __future__ import annotations

import re
from dataclasses import replace
from importlib.resources import files

import pytest

import cablekit
from cablekit.compose import RenderOptions, render
from cablekit.compose.layout import split_in_two, wrap
from cablekit.compose.roundtrip import round_trip
from cablekit.model import Cable

SCRAPE = (files("cablekit") / "samples" / "09OTTAWA278.scraped.md").read_text(encoding="utf-8")
MARKER = re.compile(r"^OTTAWA 00000278 00\d OF 003$")


@pytest.fixture(scope="module")
def ottawa() -> Cable:
    return cablekit.parse(SCRAPE)


def scrape_lines() -> list[str]:
    """The scraped page without its Markdown artefacts (spec 1): links, anchors, heading
    prefixes and underlines, autolinks, trailing spaces, blank lines, and the stray
    ``1`` after the anchor of paragraphs 5-9 (spec 13.2)."""
    lines = []
    for line in SCRAPE.splitlines():
        line = line.replace("[¶](#)", "")
        line = re.sub(r"\[([^\]]*)\]\(#\)", r"\1", line)
        line = re.sub(r"^#{1,6}\s+", "", line)
        line = re.sub(r"^<(https?://[^>]+)>$", r"\1", line)
        line = re.sub(r"^¶1?([5-9]\.)|^¶", r"\1", line).strip()
        if line and not re.fullmatch(r"-{3,}", line):
            lines.append(line)
    return lines


def rendered_lines(cable: Cable) -> list[str]:
    text = render(cable, RenderOptions(end_marks=False, width=None))
    return [line.strip() for line in text.splitlines() if line.strip() and line != "---"]


def body_blocks(lines: list[str]) -> tuple[list[str], dict[str, int]]:
    """Body lines with the text of each paragraph on one line, and the number of the
    paragraph each page marker stands in. The scrape breaks paragraphs 4, 6, 9 and 11
    (blank line, continuation block, page marker: spec 13.5); one paragraph is one line
    in the record, and so in the unwrapped rendering."""
    out: list[str] = []
    markers: dict[str, int] = {}
    paragraph = 0
    for line in lines:
        if MARKER.match(line):
            markers[line] = paragraph
            continue
        number = re.match(r"^(\d+)\. \(", line)
        if number:
            paragraph = int(number[1])
        new_block = number or line.isupper() or line.startswith(("Visit ", "http"))
        if new_block or not out:
            out.append(line)
        else:
            out[-1] += " " + line
    return out, markers


def test_header_line_for_line(ottawa: Cable) -> None:
    scraped, rendered = scrape_lines(), rendered_lines(ottawa)
    end = scraped.index("C O N F I D E N T I A L SECTION 01 OF 03 OTTAWA 000278")
    assert rendered[:end] == scraped[:end]
    assert rendered[end] == scraped[end]


def test_text_header_line_for_line(ottawa: Cable) -> None:
    scraped, rendered = scrape_lines(), rendered_lines(ottawa)
    start = scraped.index("C O N F I D E N T I A L SECTION 01 OF 03 OTTAWA 000278")
    end = next(i for i, line in enumerate(scraped) if line.startswith("Classified By:"))
    assert rendered[start : end + 1] == scraped[start : end + 1]
    assert scraped[start + 7 : end] == ["B. 08 OTTAWA 1140", "C. 08 OTTAWA 1137", "D. MOSCOW 833"]


def test_body_line_for_line(ottawa: Cable) -> None:
    """Every paragraph, heading, the trailer and the signature, in order and verbatim;
    the page markers in the paragraphs they interrupt (6 and 11)."""
    scraped, rendered = scrape_lines(), rendered_lines(ottawa)
    start = next(i for i, line in enumerate(scraped) if line.startswith("Classified By:")) + 1
    scraped_body, scraped_markers = body_blocks(scraped[start:])
    rendered_body, rendered_markers = body_blocks(rendered[start:])
    assert rendered_body == scraped_body
    assert (
        rendered_markers
        == scraped_markers
        == {
            "OTTAWA 00000278 002 OF 003": 6,
            "OTTAWA 00000278 003 OF 003": 11,
        }
    )
    assert rendered_body[-3:] == [
        "Visit Canada's North American partnership community at",
        "http://www.intelink.gov/communities/state/nap/",
        "BREESE",
    ]


def test_reference_cable_round_trips(ottawa: Cable) -> None:
    for options in (RenderOptions(), RenderOptions(width=None), RenderOptions(end_marks=False)):
        assert round_trip(ottawa, options).differences == []
    # Repaired paragraph numbers are written repaired: the text reads back without warnings.
    codes = [w.code for w in round_trip(ottawa).again.warnings]
    assert codes == ["unknown-ri", "malformed-ri"]


def test_default_layout(ottawa: Cable) -> None:
    text = render(ottawa)
    lines = text.splitlines()
    assert lines[0] == "VZCZCXRO1975"
    assert lines[lines.index("RHMFISS/HQ USNORTHCOM PRIORITY") + 1] == "BT"
    assert lines[-4:] == ["BREESE", "BT", "#0278", "NNNN"]
    assert 'SUBJECT: CANADA\'S "CALIBRATED" RE-ENGAGEMENT WITH RUSSIA IN STEP' in lines
    assert "     B. 08 OTTAWA 1140" in lines
    assert max(len(line) for line in lines if not line.startswith("http")) <= 70
    assert text.endswith("NNNN\n")


def test_no_envelope_starts_at_the_classification_line(ottawa: Cable) -> None:
    text = render(ottawa, RenderOptions(envelope=False))
    assert text.startswith("C O N F I D E N T I A L SECTION 01 OF 03 OTTAWA 000278\n")
    assert "VZCZC" not in text and "NNNN" not in text
    assert cablekit.parse(text).paragraphs == ottawa.paragraphs


def test_wrap_never_starts_a_line_with_a_key() -> None:
    text = "the figure in paragraph 2. is wrong; see REF A and TAGS PREL (C) too"
    for width in range(10, 40):
        lines = wrap(text, width)
        assert " ".join(lines) == text
        for line in lines[1:]:
            assert not re.match(r"^(\d|\(|REF\b|TAGS\b)", line), (width, lines)


def test_wrap_keeps_a_page_marker_apart() -> None:
    lines = wrap("shall make more TRIPOLI 00000308 003 OF 003 detailed arrangements", 200)
    assert lines == ["shall make more TRIPOLI", "00000308 003 OF 003 detailed arrangements"]


def test_wrap_keeps_words_together_at_the_end() -> None:
    assert wrap("aaaa bbbb cccc dddd", 14, last_words=2) == ["aaaa bbbb", "cccc dddd"]
    assert split_in_two("1. ", "one two three four") == ["1. one two", "three four"]
    assert split_in_two("1. ", "word") is None


@pytest.mark.parametrize(
    "heading", ["YET GAZPROM EQUIVOCATES ON COST-CUTTING...", "WHAT NEXT FOR THE U.S.-EU TALKS?"]
)
def test_a_heading_that_ends_as_a_sentence_reads_back_alone(ottawa: Cable, heading: str) -> None:
    """09MOSCOW367: a heading boxed by rules in the page, ending in "..." and holding a
    dash, was written underlined only, and read back alone as the end of the paragraph
    above it."""
    first, *rest = ottawa.paragraphs
    cable = replace(ottawa, paragraphs=(first, replace(rest[0], heading=heading), *rest[1:]))
    trip = round_trip(cable, alone=True)
    assert trip.again.paragraphs[1].heading == heading
