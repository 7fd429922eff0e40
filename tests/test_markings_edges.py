"""The marking grammar at its edges: every field of a read marking on the census forms
and their spellings, and where a bracketed token counts as a marking in a text (the
survivors of ``make mutants``, docs/security.md).

Each form's reading is the one ``docs/markings.md`` gives; a field that changes here
changes what some reader sees (a level, NOFORN, a REL TO list, an access) or whether a
token inside a paragraph binds it at all (``strong``, the position, the reason set
aside).
"""

from __future__ import annotations

import pytest

from cablekit import parse
from cablekit.access.policy import NOFORN, SPECIAL_ACCESS, cable_requirement, paragraph_requirement
from cablekit.markings import (
    Marking,
    find_marks,
    level,
    marking_classification,
    read_marking,
)

from .test_markings import telegram

# written -> (text, level, noforn, release, access, exempt, unread, spelled, joined,
#             controls, double, understood, strong)
READINGS: dict[str, tuple[object, ...]] = {
    "U": ("U", 0, False, None, [], False, (), False, False, 0, False, True, False),
    "UNCLAS": ("UNCLAS", 0, False, None, [], False, (), True, False, 0, False, True, True),
    "Unclassified": (
        "UNCLASSIFIED",
        0,
        False,
        None,
        [],
        False,
        (),
        True,
        False,
        0,
        False,
        True,
        True,
    ),
    "SBU": ("SBU", 1, False, None, [], False, (), False, False, 0, False, True, False),
    "SBU/N": ("SBU/N", 1, True, None, [], False, (), False, False, 1, False, True, True),
    "SBU NOFORN": ("SBU NOFORN", 1, True, None, [], False, (), False, False, 1, False, True, True),
    "U/N": ("U/N", 0, False, None, [], False, ("N",), False, False, 0, False, False, False),
    "LOU": ("LOU", 2, False, None, [], False, (), False, False, 0, False, True, False),
    "LIMITED OFFICIAL USE": (
        "LIMITED OFFICIAL USE",
        2,
        False,
        None,
        [],
        False,
        (),
        True,
        False,
        0,
        False,
        True,
        True,
    ),
    "SENSITIVE BUT UNCLASSIFIED": (
        "SENSITIVE BUT UNCLASSIFIED",
        1,
        False,
        None,
        [],
        False,
        (),
        True,
        False,
        0,
        False,
        True,
        True,
    ),
    "CONFIDENTIAL": (
        "CONFIDENTIAL",
        3,
        False,
        None,
        [],
        False,
        (),
        True,
        False,
        0,
        False,
        True,
        True,
    ),
    "Confidential": (
        "CONFIDENTIAL",
        3,
        False,
        None,
        [],
        False,
        (),
        True,
        False,
        0,
        False,
        True,
        True,
    ),
    "secret": ("SECRET", 4, False, None, [], False, (), False, False, 0, False, True, False),
    " SECRET": ("SECRET", 4, False, None, [], False, (), True, False, 0, False, True, True),
    "SECRET": ("SECRET", 4, False, None, [], False, (), True, False, 0, False, True, True),
    "TS": ("TS", 5, False, None, [], False, (), False, False, 0, False, True, False),
    "TOP SECRET": ("TOP SECRET", 5, False, None, [], False, (), True, False, 0, False, True, True),
    "TS//NODIF": (
        "TS//NODIF",
        5,
        False,
        None,
        ["NODIS"],
        False,
        (),
        False,
        False,
        1,
        True,
        True,
        True,
    ),
    "S//NC": (
        "S//NC",
        4,
        False,
        None,
        ["NOCONTRACT"],
        False,
        (),
        False,
        False,
        1,
        True,
        True,
        True,
    ),
    "S//WN": ("S//WN", 4, False, None, ["WNINTEL"], False, (), False, False, 1, True, True, True),
    "S//WNINTEL//NOCONTRACT": (
        "S//WNINTEL//NOCONTRACT",
        4,
        False,
        None,
        ["NOCONTRACT", "WNINTEL"],
        False,
        (),
        False,
        False,
        2,
        True,
        True,
        True,
    ),
    "C//PROPIN": (
        "C//PROPIN",
        3,
        False,
        None,
        ["PROPIN"],
        False,
        (),
        False,
        False,
        1,
        True,
        True,
        True,
    ),
    "S//CHEROKEE": (
        "S//CHEROKEE",
        4,
        False,
        None,
        ["CHEROKEE"],
        False,
        (),
        False,
        False,
        1,
        True,
        True,
        True,
    ),
    "C//STADIS": (
        "C//STADIS",
        3,
        False,
        None,
        ["STADIS"],
        False,
        (),
        False,
        False,
        1,
        True,
        True,
        True,
    ),
    "C/LIMDIS": (
        "C/LIMDIS",
        3,
        False,
        None,
        ["LIMDIS"],
        False,
        (),
        False,
        False,
        1,
        False,
        True,
        True,
    ),
    "C/EXDIS": (
        "C/EXDIS",
        3,
        False,
        None,
        ["EXDIS"],
        False,
        (),
        False,
        False,
        1,
        False,
        True,
        True,
    ),
    "S/OC": ("S/OC", 4, False, None, ["ORCON"], False, (), False, False, 1, False, True, True),
    "S//FGI": ("S//FGI", 4, False, None, [], False, (), False, False, 1, True, True, True),
    "U/SIPDIS": ("U/SIPDIS", 0, False, None, [], False, (), False, False, 1, False, True, True),
    "C/MR": ("C/MR", 3, False, None, [], False, (), False, False, 1, False, True, True),
    "U/SENSITIVE": (
        "U/SENSITIVE",
        1,
        False,
        None,
        [],
        False,
        (),
        False,
        False,
        1,
        False,
        True,
        True,
    ),
    "U/SBU": ("U/SBU", 1, False, None, [], False, (), False, False, 1, False, True, True),
    "C//FOUO": ("C//FOUO", 3, False, None, [], False, (), False, False, 1, True, True, True),
    "NOFORN": ("NOFORN", None, True, None, [], False, (), False, False, 1, False, False, True),
    "NODIS": (
        "NODIS",
        None,
        False,
        None,
        ["NODIS"],
        False,
        (),
        False,
        False,
        1,
        False,
        False,
        True,
    ),
    "FOUO": ("FOUO", None, False, None, [], False, (), False, False, 1, False, False, False),
    "ORCON": (
        "ORCON",
        None,
        False,
        None,
        ["ORCON"],
        False,
        (),
        False,
        False,
        1,
        False,
        False,
        True,
    ),
    "25X1": ("25X1", None, False, None, [], True, (), False, False, 1, False, False, True),
    "50X1-HUM": ("50X1-HUM", None, False, None, [], True, (), False, False, 1, False, False, True),
    "75X": ("75X", None, False, None, [], True, (), False, False, 1, False, False, True),
    "S//25X1-HUMAN": (
        "S//25X1-HUMAN",
        4,
        False,
        None,
        [],
        True,
        (),
        False,
        False,
        1,
        True,
        True,
        True,
    ),
    "REL TO UK": (
        "REL TO UK",
        None,
        False,
        ("UK",),
        [],
        False,
        (),
        False,
        False,
        1,
        False,
        False,
        True,
    ),
    "RELEASABLE TO UK": (
        "RELEASABLE TO UK",
        None,
        False,
        ("UK",),
        [],
        False,
        (),
        False,
        False,
        1,
        False,
        False,
        True,
    ),
    "REL UK/NF": (
        "REL UK/NF",
        None,
        True,
        ("UK",),
        [],
        False,
        (),
        False,
        False,
        2,
        False,
        False,
        True,
    ),
    "S//REL UK//NF": (
        "S//REL UK//NF",
        4,
        True,
        ("UK",),
        [],
        False,
        (),
        False,
        False,
        2,
        True,
        True,
        True,
    ),
    "S//REL TO USA AND GBR": (
        "S//REL TO USA AND GBR",
        4,
        False,
        ("USA", "GBR"),
        [],
        False,
        (),
        False,
        False,
        1,
        True,
        True,
        True,
    ),
    "S//REL GBR, NF": (
        "S//REL GBR, NF",
        4,
        True,
        ("GBR",),
        [],
        False,
        (),
        False,
        False,
        2,
        True,
        True,
        True,
    ),
    "S/REL TO NATO/AUS//OC": (
        "S/REL TO NATO/AUS//OC",
        4,
        False,
        ("NATO", "AUS"),
        ["ORCON"],
        False,
        (),
        False,
        False,
        2,
        False,
        True,
        True,
    ),
    "SNF": ("SNF", 4, True, None, [], False, (), False, True, 1, False, True, False),
    "SNOFORN": ("SNOFORN", 4, True, None, [], False, (), False, True, 1, False, True, False),
    "SREL UK": ("SREL UK", 4, False, ("UK",), [], False, (), False, True, 1, False, True, False),
    "TSNF": ("TSNF", 5, True, None, [], False, (), False, True, 1, False, True, False),
    "S/P": ("S/P", 4, False, None, [], False, ("P",), False, False, 0, False, False, False),
    "S//XYZ": ("S//XYZ", 4, False, None, [], False, ("XYZ",), False, False, 0, True, False, True),
    "S-NF": ("S-NF", 4, True, None, [], False, (), False, False, 1, False, True, True),
    "C--NF": ("C--NF", 3, True, None, [], False, (), False, False, 1, False, True, True),
    "C,NF": ("C,NF", 3, True, None, [], False, (), False, False, 1, False, True, True),
    "S NF ORCON": (
        "S NF ORCON",
        4,
        True,
        None,
        ["ORCON"],
        False,
        (),
        False,
        False,
        2,
        False,
        True,
        True,
    ),
    "S/NF/ENTIRE TEXT": ("S/NF", 4, True, None, [], False, (), False, False, 1, False, True, True),
    "SECRET NOT RELEASABLE TO FOREIGN NATIONALS": (
        "SECRET NOFORN",
        4,
        True,
        None,
        [],
        False,
        (),
        True,
        False,
        1,
        False,
        True,
        True,
    ),
    "U FOR OFFICIAL USE ONLY": (
        "U FOUO",
        1,
        False,
        None,
        [],
        False,
        (),
        False,
        False,
        1,
        False,
        True,
        True,
    ),
    "S//REL TO": ("S//REL TO", 4, False, (), [], False, (), False, False, 1, True, False, True),
    "REL": ("REL", None, False, (), [], False, (), False, False, 1, False, False, True),
    "S//RELUK": (
        "S//RELUK",
        4,
        False,
        None,
        [],
        False,
        ("RELUK",),
        False,
        False,
        0,
        True,
        False,
        True,
    ),
    "  s / nf  ": ("S / NF", 4, True, None, [], False, (), False, False, 1, False, True, True),
    "S//NF//REL TO GBR": (
        "S//NF//REL TO GBR",
        4,
        True,
        ("GBR",),
        [],
        False,
        (),
        False,
        False,
        2,
        True,
        True,
        True,
    ),
    # names that end in an X or a separator keep every letter
    "S//REL TO LUX, MEX,": (
        "S//REL TO LUX, MEX",
        4,
        False,
        ("LUX", "MEX"),
        [],
        False,
        (),
        False,
        False,
        1,
        True,
        True,
        True,
    ),
}


def fields(m: Marking) -> tuple[object, ...]:
    return (
        m.text,
        m.level,
        m.noforn,
        m.release,
        sorted(m.access),
        m.exempt,
        m.unread,
        m.spelled,
        m.joined,
        m.controls,
        m.double,
        m.understood,
        m.strong,
    )


@pytest.mark.parametrize("written", list(READINGS))
def test_each_field_of_a_reading(written: str) -> None:
    m = read_marking(written)
    assert m is not None
    assert fields(m) == READINGS[written]


@pytest.mark.parametrize(
    "written",
    [
        "",
        None,
        "OC",
        "NC",
        "WN",
        "MR",
        "FGI",
        "SIPDIS",
        "N",
        "X",
        "ENTIRE TEXT",
        "- ENTIRE PARAGRAPH.",
    ],
)
def test_short_forms_and_informational_words_alone_are_no_marking(written: str | None) -> None:
    """ "(OC)" is the Chief of Operations, "(MR)" a title: without a level, the short forms
    and the words that ask nothing of the reader are not markings."""
    assert read_marking(written) is None


@pytest.mark.parametrize(
    "written", ["NODIF", "EXDIS", "LIMDIS", "STADIS", "WNINTEL", "NOCONTRACT", "PROPIN", "CHEROKEE"]
)
def test_each_restrictive_control_makes_a_marking_alone(written: str) -> None:
    m = read_marking(written)
    assert m is not None and m.level is None and m.access and m.strong and not m.understood


def test_sensitive_alone_is_a_marking_of_no_level() -> None:
    m = read_marking("SENSITIVE")
    assert m is not None and (m.level, m.controls, m.strong) == (None, 1, False)


def test_the_level_is_not_run_into_a_word_but_only_into_nf_noforn_or_rel() -> None:
    for written in ("SECRETARY", "CIA", "TSA", "UN", "SS", "STATE"):
        assert read_marking(written) is None, written
    assert read_marking("SNFX") is None
    assert read_marking("CRELX") is None


def test_a_control_word_inside_a_rel_list_binds_but_a_phrase_is_a_name() -> None:
    m = read_marking("S//REL TO GBR/NODIS, CAN")
    assert m is not None
    assert (m.release, sorted(m.access)) == (("GBR", "CAN"), ["NODIS"])
    phrase = read_marking("S//REL TO AUSTRALIA GROUP")
    assert phrase is not None and phrase.release == ("AUSTRALIA GROUP",)


def test_a_rel_list_ends_at_the_first_double_slash() -> None:
    m = read_marking("S//REL TO GBR//FGI//NF")
    assert m is not None
    assert (m.release, m.noforn, m.controls, m.unread) == (("GBR",), True, 3, ())
    # an unknown part after the list is not read as a country: the marking is unclear
    odd = read_marking("S//REL TO GBR//XYZ//FGI")
    assert odd is not None
    assert (odd.release, odd.unread, odd.controls, odd.understood) == (("GBR",), ("XYZ",), 2, False)


def test_n_means_noforn_only_after_sbu_even_when_the_level_rises() -> None:
    sbu = read_marking("SBU/N")
    assert sbu is not None and sbu.noforn
    raised = read_marking("U//FOUO/N")  # the level rises to SBU, but was written as U
    assert raised is not None and raised.level == 1 and not raised.noforn and raised.unread


def test_foUO_raises_only_a_level_below_sbu() -> None:
    m = read_marking("S//FOUO")
    assert m is not None and m.level == 4
    lou = read_marking("LOU//SBU")
    assert lou is not None and lou.level == 2


def test_classification_and_level_helpers() -> None:
    assert marking_classification("S//NF") == "SECRET"
    assert marking_classification("c") == "CONFIDENTIAL"
    assert marking_classification("NF") is None
    assert marking_classification("A/S") is None
    assert marking_classification(None) is None
    assert level("SECRET") == 4 and level("UNCLASSIFIED") == 0
    assert level("MAUVE") is None and level(None) is None and level("") is None
    m = read_marking("TS")
    assert m is not None and m.classification == "TOP SECRET"
    nf = read_marking("NF")
    assert nf is not None and nf.classification is None


def test_controlled_names_each_control() -> None:
    def controlled(written: str) -> bool:
        m = read_marking(written)
        assert m is not None
        return m.controlled

    assert controlled("S//NF") and controlled("S//REL GBR") and controlled("S//ORCON")
    assert controlled("S//25X1") and controlled("S//REL")
    assert not controlled("S//FGI") and not controlled("SECRET") and not controlled("U//FOUO")


# --- where markings stand -------------------------------------------------------------


def readings(text: str) -> list[tuple[str, str, str | None]]:
    return [(text[f.start + 1 : f.end - 1], f.position, f.aside) for f in find_marks(text)]


OPENS = [
    "(C) The minister said",
    "   (C) The minister",
    "end of it. (C) next",
    "said: (C) next",
    "said! (C) next",
    "said? (C) next",
    "said; (C) next",
    'said." (C) next',
    "said.) (C) next",
    "said.] (C) next",
    "said.’ (C) next",
    "3. (C) next",
    "999. (C) next",
    "2 (C) next",
    "12,(C) next",
    "end. 4. (C) next",
    "A. (S) text",
    "a) (C) text",
    "-- (S) text",
    "- (S) text",
    "--- (C) text",
    "* (C) text",
    "• (C) text",
    "· (C) text",
    "o (C) text",
    "> (C) text",
    "Q: (C) text",
    "Q (C) text",
    "Q4. (C) text",
    "A1. (C) text",
    "b2-3) (C) text",
    "(1) (C) text",
    "(ab) (C) text",
    "1) (C) text",
    "II. (C) text",
    "VI) (C) text",
    "I: (C) text",
    "text ---- (C) text",
]


@pytest.mark.parametrize("text", OPENS)
def test_a_level_where_a_portion_opens_is_a_marking(text: str) -> None:
    assert readings(text) == [("C" if "(C)" in text else "S", "start", None)]


@pytest.mark.parametrize(
    "text",
    [
        "the budget (C) was cut",
        "x (C) y",
        "the talks (S/P) and",
        "the talks (secret) and",
        "the talks (SNF) and",
        "the talks (FOUO) and",
        "the man (S) said",
        "(abcd) (C) text",
        "((C)) text",
        "the house(C) was",
        "1968 (C) was",
        "the budget (C) and the rest of the sentence goes on",
    ],
)
def test_a_bare_level_in_running_text_is_set_aside(text: str) -> None:
    (found,) = find_marks(text)
    assert found.aside in ("in running text", "glued to a word"), text
    assert found.position == "inner"


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("the budget (C).", "end"),
        ("the budget (C)", "end"),
        ("the budget (C) ", "end"),
        ("the budget (C)).", "end"),
        ("the budget (C) ;", "end"),
        ('the budget (C)."', "end"),
        ("the budget (C) Was cut", "inner"),
        ('the man (S) "Said', "inner"),
        ("the man ( S ) Said", "inner"),
        ("the talks (SECRET) and", "inner"),
        ("the talks (S/NF) and", "inner"),
        ("the talks (S//XYZ) and", "inner"),
        ("the talks (NF) and", "inner"),
        ("the talks (U//FOUO) and", "inner"),
        ("the (25X1) one", "inner"),
        ("the (rel uk) one", "inner"),
    ],
)
def test_a_marking_that_binds_where_it_stands(text: str, position: str) -> None:
    (found,) = find_marks(text)
    assert (found.position, found.aside) == (position, None), text


def test_a_strong_marking_glued_to_a_word_still_binds() -> None:
    (found,) = find_marks("the report(S//NF) said")
    assert found.aside is None


def test_a_level_glued_to_the_first_letter_of_a_text_is_set_aside() -> None:
    assert readings("x(S) The talks") == [("S", "inner", "glued to a word")]


def test_a_bracket_of_no_marking_is_not_found() -> None:
    for text in ("no brackets", "xx (Walter) yy", "the words (E) e", "the (2) one", "a (A/S) b"):
        assert find_marks(text) == [], text


def test_list_letters_need_the_letter_before_in_the_same_case() -> None:
    assert readings("abort; (a) talks (b) sanctions or (c) military") == [
        ("c", "inner", "a list letter")
    ]
    assert readings("(A) one (B) two (c) three") == [("c", "inner", "in running text")]
    assert readings("(b) one (r) two (s) three") == [("s", "inner", "a list letter")]
    assert readings("a list (a) x (b) y. 1) (c) who provides") == [("c", "start", None)]
    assert readings("(b) one (c) two") == [("c", "inner", "a list letter")]
    # the letter before must stand before it, and be the one just before
    assert readings("costs (c) rose; see (b) below") == [("c", "inner", "in running text")]
    assert readings("(a) one (c) two") == [("c", "inner", "in running text")]
    # not a list letter when only a later letter stands before it
    assert readings("(d) one (c) Two") == [("c", "inner", None)]
    # several letters are never list letters
    assert readings("(r) one (s) two (ts) three") == [
        ("s", "inner", "a list letter"),
        ("ts", "inner", "in running text"),
    ]


def test_a_list_letter_after_a_label_is_a_marking() -> None:
    assert readings("(b) one. -- (c) The talks") == [("c", "start", None)]


def test_the_window_before_a_token_is_what_decides_a_start() -> None:
    far = "The talks went on. " + "x" * 30 + " (C) went on"
    assert readings(far) == [("C", "inner", "in running text")]
    gap = "The talks went on." + " " * 30 + "(C) went on"  # blank window, text before
    assert readings(gap) == [("C", "inner", "in running text")]
    for pad in (0, 1, 23, 24, 25, 60):  # nothing but white space before it: it opens
        assert readings(" " * pad + "(C) the minister") == [("C", "start", None)], pad


# --- what the markings inside a paragraph ask ----------------------------------------------


def test_a_restrictive_control_inside_running_text_binds_the_paragraph() -> None:
    cable = parse(
        telegram(
            "S E C R E T",
            "1. (C) the embassy heard (NF) that the minister would resign.",
            "2. (C) the OPCW Technical Secretariat (TS) team arrived.",
            "3. (C) the embassy heard (S//ORCON) more.",
        )
    )
    header = cable_requirement(cable)
    needs = [paragraph_requirement(header, p) for p in cable.paragraphs]
    assert needs[0].bits & NOFORN and needs[0].level == 4 and needs[0].unclear
    assert (needs[1].level, needs[1].bits) == (3, 0)
    assert needs[2].bits == SPECIAL_ACCESS["ORCON"] and needs[2].level == 4
