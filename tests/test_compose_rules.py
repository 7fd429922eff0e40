"""Every drafting rule, with a bad draft and the exact message a user sees."""

from __future__ import annotations

import datetime

import pytest

from cablekit.compose.draft import load_draft
from cablekit.compose.rules import problems
from cablekit.errors import DraftError

GOOD = """\
from: OTTAWA
precedence: PRIORITY
to:
  - SECSTATE WASHDC
info:
  - AMEMBASSY MOSCOW
classification: CONFIDENTIAL
caveats: [NOFORN, SIPDIS]
tags: [PREL, RS, CA]
subject: CANADA AND RUSSIA
references:
  - OTTAWA 8
  - MOSCOW 833
classified_by:
  title: PolMinCouns
  name: Scott Bellard
  reasons: [b, d]
declassify: 2019-04-07
paragraphs:
  - marking: C/NF
    text: Canada plans a policy of calibrated re-engagement.
  - marking: C
    text: Canada took a strong stand.
signature: BREESE
dtg: 072102Z APR 09
"""
DAY = datetime.date(2009, 4, 7)


def found(old: str, new: str) -> list[str]:
    assert old in GOOD
    return problems(load_draft(GOOD.replace(old, new), "draft.yaml"), DAY)


def test_the_good_draft_has_no_problem() -> None:
    assert problems(load_draft(GOOD, "draft.yaml"), DAY) == []


def test_classification_below_a_marking() -> None:
    assert found("classification: CONFIDENTIAL", "classification: UNCLASSIFIED") == [
        "draft.yaml, line 20: paragraphs[0].marking: (C/NF) is above the cable's "
        "classification UNCLASSIFIED",
        "draft.yaml, line 22: paragraphs[1].marking: (C) is above the cable's "
        "classification UNCLASSIFIED",
    ]


def test_unknown_classification() -> None:
    assert found("classification: CONFIDENTIAL", "classification: RESTRICTED") == [
        "draft.yaml, line 7: classification: RESTRICTED is not a level (UNCLASSIFIED, "
        "SENSITIVE BUT UNCLASSIFIED, LIMITED OFFICIAL USE, CONFIDENTIAL, SECRET, TOP SECRET)"
    ]


def test_unmarked_paragraph_of_a_classified_cable() -> None:
    assert found("  - marking: C\n    text:", "  - text:") == [
        "draft.yaml, line 22: paragraphs[1].marking: every paragraph of a CONFIDENTIAL cable "
        "needs a marking"
    ]


def test_unknown_portion_marking() -> None:
    assert found("marking: C/NF", "marking: Q") == [
        "draft.yaml, line 20: paragraphs[0].marking: (Q) is not a portion marking "
        "(U, SBU, C, S, TS, C/NF)"
    ]


def test_classified_cable_without_classified_by() -> None:
    bad = "classified_by:\n  title: PolMinCouns\n  name: Scott Bellard\n  reasons: [b, d]\n"
    assert found(bad, "") == [
        "draft.yaml: classified_by: a CONFIDENTIAL cable needs a Classified By"
    ]


def test_classified_by_without_reasons() -> None:
    assert found("  reasons: [b, d]\n", "") == [
        "draft.yaml, line 14: classified_by.reasons: give the reasons, 1.4 (a) to (h)"
    ]


def test_reason_outside_a_to_h() -> None:
    assert found("reasons: [b, d]", "reasons: [b, z]") == [
        "draft.yaml, line 17: classified_by.reasons[1]: z is not a reason of E.O. 13526 "
        "1.4 (a) to (h)"
    ]


def test_declassification_more_than_25_years_out() -> None:
    assert found("declassify: 2019-04-07", "declassify: 2034-04-08") == [
        "draft.yaml, line 18: declassify: 2034-04-08 is more than 25 years after 2009-04-07; "
        "use an exemption"
    ]
    assert found("declassify: 2019-04-07", "declassify: 2034-04-07") == []


def test_declassification_exemption_or_nothing() -> None:
    assert found("declassify: 2019-04-07", "declassify: 25X1-human") == []
    assert found("declassify: 2019-04-07", "declassify: 50X1-HUM") == []
    assert found("declassify: 2019-04-07", "declassify: never") == [
        "draft.yaml, line 18: declassify: NEVER is neither a date (YYYY-MM-DD) nor an exemption "
        "(25X1, 50X1-HUM)"
    ]
    assert found("declassify: 2019-04-07\n", "") == [
        "draft.yaml: declassify: a CONFIDENTIAL cable needs a declassification date or exemption"
    ]
    assert found("declassify: 2019-04-07", "declassify: 2009-04-01") == [
        "draft.yaml, line 18: declassify: 2009-04-01 is not after the cable's date 2009-04-07"
    ]


def test_unknown_caveat() -> None:
    assert found("caveats: [NOFORN, SIPDIS]", "caveats: [NOFRON, SIPDIS]") == [
        "draft.yaml, line 8: caveats[0]: unknown caveat NOFRON; did you mean NOFORN or ORCON?"
    ]


def test_noforn_with_rel_to() -> None:
    assert found("caveats: [NOFORN, SIPDIS]", "caveats:\n  - NOFORN\n  - REL TO USA, CAN") == [
        "draft.yaml, line 8: caveats: NOFORN and REL TO USA, CAN contradict each other"
    ]


def test_sipdis_with_nodis() -> None:
    assert found("caveats: [NOFORN, SIPDIS]", "caveats: [NODIS, SIPDIS]") == [
        "draft.yaml, line 8: caveats: SIPDIS cannot go with NODIS"
    ]


def test_unknown_tags_with_suggestions() -> None:
    assert found("tags: [PREL, RS, CA]", "tags: [PRELL, RS, CA]") == [
        "draft.yaml, line 9: tags[0]: unknown TAGS code PRELL; did you mean PREL or PREF?"
    ]


def test_tags_without_a_country_or_organization() -> None:
    assert found("tags: [PREL, RS, CA]", "tags: [PREL, ETRD]") == [
        "draft.yaml, line 9: tags: TAGS need a country or organization code (CA, RS, NATO)"
    ]
    assert found("tags: [PREL, RS, CA]", "tags: [PREL, NATO]") == []


def test_unknown_addressee_with_suggestions() -> None:
    assert found("  - AMEMBASSY MOSCOW", "  - AMEMBASY MOSCOW") == [
        "draft.yaml, line 6: info[0]: no routing indicator for AMEMBASY MOSCOW; did you mean "
        "AMEMBASSY MOSCOW or AMEMBASSY OSLO or AMEMBASSY MUSCAT?"
    ]


def test_unknown_routing_indicator_with_suggestions() -> None:
    assert found("  - AMEMBASSY MOSCOW", "  - RUEHMX/AMEMBASSY MOSCOW") == [
        "draft.yaml, line 6: info[0]: unknown routing indicator RUEHMX; did you mean "
        "RUEHMZ or RUEHMV or RUEHMU?"
    ]
    assert found("  - AMEMBASSY MOSCOW", "  - RHMFISS/CDR USEUCOM VAIHINGEN GE") == []


def test_no_action_addressee() -> None:
    assert found("to:\n  - SECSTATE WASHDC\n", "") == [
        "draft.yaml: to: a cable needs at least one action (TO) addressee"
    ]


def test_unknown_post() -> None:
    assert found("from: OTTAWA", "from: OTAWA") == [
        "draft.yaml, line 1: from: unknown post OTAWA; did you mean OTTAWA?"
    ]
    assert found("from: OTTAWA", "from: AMEMBASSY OTTAWA") == []


def test_reference_letters_in_order() -> None:
    refs = "  - OTTAWA 8\n  - MOSCOW 833\n"
    lettered = "  - {letter: A, text: OTTAWA 8}\n  - {letter: C, text: MOSCOW 833}\n"
    assert found(refs, lettered) == [
        "draft.yaml, line 13: references[1].letter: letter C out of order; expected B"
    ]
    half = "  - {letter: A, text: OTTAWA 8}\n  - MOSCOW 833\n"
    assert found(refs, half) == [
        "draft.yaml, line 11: references: give every reference a letter, or none"
    ]
    assert found("  - MOSCOW 833", "  - id: 09MOSKVA833") == [
        "draft.yaml, line 13: references[1].id: 09MOSKVA833 is not a cable id (09OTTAWA8)"
    ]


def test_precedence_words() -> None:
    assert found("precedence: PRIORITY", "precedence: URGENT") == [
        "draft.yaml, line 2: precedence: URGENT is not a precedence (FLASH, NIACT IMMEDIATE, "
        "IMMEDIATE, PRIORITY, ROUTINE)"
    ]
    nested = "  - name: AMEMBASSY MOSCOW\n    precedence: NIGHT"
    assert found("  - AMEMBASSY MOSCOW", nested) == [
        "draft.yaml, line 7: info[0].precedence: NIGHT is not a precedence (FLASH, "
        "NIACT IMMEDIATE, IMMEDIATE, PRIORITY, ROUTINE)"
    ]
    assert found("precedence: PRIORITY", "precedence: niact immediate") == []


def test_every_problem_is_listed() -> None:
    text = GOOD.replace("PREL, RS, CA", "PRELL").replace("declassify: 2019-04-07\n", "")
    assert len(problems(load_draft(text, "draft.yaml"), DAY)) == 3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "from: [OTTAWA\nsubject: X\n",
            "draft.yaml, line 2, column 8: malformed YAML: expected ',' or ']', but got ':'",
        ),
        (
            "from: OTTAWA\n  to: x\n",
            "draft.yaml, line 2, column 5: malformed YAML: mapping values are not allowed here",
        ),
        (
            "from: OTTAWA\nparagraphs:\n- text: a\n\tmarking: C\n",
            "draft.yaml, line 4, column 1: malformed YAML: found character '\\t' that cannot "
            "start any token",
        ),
    ],
)
def test_malformed_yaml_gets_line_and_column(text: str, message: str) -> None:
    with pytest.raises(DraftError) as caught:
        load_draft(text, "draft.yaml")
    assert str(caught.value) == message


def test_malformed_json_gets_line_and_column() -> None:
    with pytest.raises(DraftError) as caught:
        load_draft('{"from": "OTTAWA",\n "to": [}', "draft.json")
    assert str(caught.value) == ("draft.json, line 2, column 9: malformed JSON: Expecting value")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("subject: CANADA AND RUSSIA\n", "", "draft.yaml: subject: is required"),
        ("to:\n  - SECSTATE WASHDC", "to: {a: 1}", "draft.yaml, line 3: to: must be a list"),
        ("signature: BREESE", "signatory: BREESE", "draft.yaml, line 24: signatory: unknown"),
        ("dtg: 072102Z APR 09", "serial: 0", "draft.yaml, line 25: serial: must be a whole"),
        (
            "paragraphs:\n  - marking: C/NF",
            "paragraphs: []\nx:\n  - marking: C/NF",
            "draft.yaml, line 20: x: unknown field",
        ),
    ],
)
def test_shape_errors_name_the_field(old: str, new: str, message: str) -> None:
    with pytest.raises(DraftError) as caught:
        load_draft(GOOD.replace(old, new), "draft.yaml")
    assert str(caught.value).startswith(message)
