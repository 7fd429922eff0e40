"""The parse errors seen on real cables (issue 11, point 4), each as it was seen.

The fifth, bullets and sub-paragraphs with markings of their own (09CAIRO746's "Key
Points"), is tested in ``test_markings.py`` (test_key_points_bullets_are_units_of_their_own).
"""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

import cablekit
from cablekit.access.policy import cable_requirement
from cablekit.errors import NotACable
from cablekit.markings import LEVELS
from cablekit.parser.refs import parse_references, split_items

# the bundled copy of the raw telegram (../shared/data/samples/raw-telegram), so the
# tests run without the shared data
PARIS = Path(__file__).resolve().parents[1] / "src" / "cablekit" / "samples" / "09PARIS1007.txt"

CABLE = """VZCZCXYZ0000
RR RUEHWEB
DE RUEHRO #1234 2830505
ZNR UUUUU ZZH
R 100505Z OCT 85
FM AMEMBASSY ROME
TO RUEHC/SECSTATE WASHDC 1234
{classification} ROME 001234

SIPDIS
{caption}
E.O. 12356: N/A
TAGS: PGOV IT
SUBJECT: COALITION TALKS
{after_subject}
1. (U) The first paragraph.

2. (U) The second paragraph.

RABB
"""


def cable(
    classification: str = "UNCLAS", caption: str = "", after_subject: str = ""
) -> cablekit.Cable:
    return cablekit.parse(
        CABLE.format(classification=classification, caption=caption, after_subject=after_subject)
    )


# --- numbered REF lists on one line ---------------------------------------------------


def test_numbered_ref_list_on_one_line() -> None:
    text = "1. ROME 1902, 2. STATE 31565  3. STATE 014859"
    assert split_items(text) == [("1", "ROME 1902"), ("2", "STATE 31565"), ("3", "STATE 014859")]
    refs = parse_references(text, "85ROME1234", 1985)
    assert [(r.letter, r.id) for r in refs] == [
        ("1", "85ROME1902"),
        ("2", "85STATE31565"),
        ("3", "85STATE14859"),
    ]


def test_numbered_ref_list_in_a_cable() -> None:
    found = cable(after_subject="REF: 1. ROME 1902, 2. STATE 31565  3. STATE 014859\n")
    assert [r.id for r in found.references] == ["85ROME1902", "85STATE31565", "85STATE14859"]
    assert [p.number for p in found.paragraphs] == [1, 2]


@pytest.mark.parametrize(
    "text",
    [
        "STATE 12345 PARA 2. AND 3.",  # numbers that do not start a list
        "ROME 1902, 2. STATE 31565",  # no "1." at the start: "2." is not an item
    ],
)
def test_numbers_that_are_no_list(text: str) -> None:
    assert all(letter is None for letter, _ in split_items(text))


# --- Classified By: wrapped, misspelled --------------------------------------------------


def test_classified_by_wrapped_over_two_lines() -> None:
    """09PARIS1007: "... for reasons 1.4" / "(B) AND (D).": the reasons were lost and
    "(B) AND (D)." became an unnumbered paragraph 0."""
    (found,) = cablekit.read(PARIS)
    assert found.classified_by is not None
    assert found.classified_by.reasons == ("1.4(b)", "1.4(d)")
    assert found.classified_by.name == "Kathleen Allegrone"
    assert found.paragraphs[0].number == 1
    assert not any("(B) AND (D)" in p.text for p in found.paragraphs)


@pytest.mark.parametrize("word", ["Classfied", "Classifed", "Clasified"])
def test_classified_by_misspelled(word: str) -> None:
    found = cable(after_subject=f"{word} By: Charge Richard Miles, reasons 1.4 (b) and (d).\n")
    assert found.subject == "COALITION TALKS"
    assert found.classified_by is not None
    assert found.classified_by.name == "Richard Miles"
    assert found.classified_by.reasons == ("1.4(b)", "1.4(d)")
    assert [p.number for p in found.paragraphs] == [1, 2]


def test_classified_by_wrapped_after_a_blank_line() -> None:
    found = cable(
        after_subject="Classified By: Ambassador Ronald Spogli, reasons 1.4\n\n(b) and (d)\n"
    )
    assert found.classified_by is not None
    assert found.classified_by.reasons == ("1.4(b)", "1.4(d)")
    assert [p.number for p in found.paragraphs] == [1, 2]


def test_a_truncated_classified_by_line_keeps_to_its_line() -> None:
    """08BERLIN1095 (and nine more corpus pages): "Classified By: Acting..." cut short;
    the lines after the blank line below it are the first paragraph, not its rest."""
    found = cable(after_subject="Classified By: Acting...\n")
    assert found.classified_by is not None
    assert found.classified_by.text == "Classified By: Acting..."
    assert [p.number for p in found.paragraphs] == [1, 2]


# --- UNCLAS cables with FOUO and LIMITED OFFICIAL USE captions ----------------------------


@pytest.mark.parametrize(
    ("caption", "level"),
    [
        ("FOR OFFICIAL USE ONLY", "SENSITIVE BUT UNCLASSIFIED"),
        ("FOUO", "SENSITIVE BUT UNCLASSIFIED"),
        ("LIMITED OFFICIAL USE", "LIMITED OFFICIAL USE"),
    ],
)
def test_official_use_captions_are_caveats_of_an_unclassified_cable(
    caption: str, level: str
) -> None:
    """The cable is UNCLASSIFIED, the caption a handling caveat as written; what a
    reader needs is what the caption says (never lower than before the change)."""
    found = cable(caption=caption)
    assert found.classification == "UNCLASSIFIED"
    assert found.caveats == ("SIPDIS", caption)
    assert cable_requirement(found).level == LEVELS[level]


def test_sensitive_caption_still_makes_the_cable_sbu() -> None:
    found = cable(caption="SENSITIVE")
    assert found.classification == "SENSITIVE BUT UNCLASSIFIED"
    assert found.caveats == ("SIPDIS",)


def test_limited_official_use_classification_line() -> None:
    found = cable(classification="LIMITED OFFICIAL USE")
    assert found.classification == "LIMITED OFFICIAL USE"
    assert "LIMITED OFFICIAL USE" not in found.caveats


def test_fouo_caption_under_a_publisher_column() -> None:
    """WikiLeaks' column says UNCLASSIFIED//FOR OFFICIAL USE ONLY for FOUO and SBU
    captions alike: the caption in the text decides."""
    found = cable(caption="FOR OFFICIAL USE ONLY")
    assert found.classification == "UNCLASSIFIED"


# --- UTF-16 with a byte-order mark, and NUL padding --------------------------------------


def paris_text() -> str:
    return PARIS.read_bytes().decode("latin-1")


@pytest.mark.parametrize(
    "encode",
    [
        lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le"),
        lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"),
        lambda t: t.encode("utf-16"),
        lambda t: t.encode("latin-1").replace(b"\n", b"\n\0\0\0") + b"\0" * 512,
        lambda t: b"\0" * 64 + t.encode("latin-1"),
    ],
    ids=["utf-16-le", "utf-16-be", "utf-16-native", "nul-padded-lines", "nul-leader"],
)
def test_utf16_and_nul_padded_texts_are_read(encode: object, tmp_path: Path) -> None:
    assert callable(encode)
    data = encode(paris_text())
    (expected,) = cablekit.read(PARIS)
    found = cablekit.parse(data)
    assert (found.id, found.subject, found.paragraphs) == (
        expected.id,
        expected.subject,
        expected.paragraphs,
    )
    path = tmp_path / "09PARIS1007.txt"
    path.write_bytes(data)
    (from_file,) = cablekit.read(path)
    assert from_file.paragraphs == expected.paragraphs


def test_a_binary_file_is_still_refused() -> None:
    with pytest.raises(NotACable, match="binary file"):
        cablekit.parse(b"\0\1\2\3" + bytes(range(256)))
