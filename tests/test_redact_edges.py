"""The record a reader gets, at its edges (``cablekit.access.redact``): what a placeholder
keeps, when the summary goes with a withheld paragraph, and what warnings lose."""

from __future__ import annotations

import dataclasses
from datetime import date

from cablekit import parse
from cablekit.access.policy import Declassification, Reader, ReviewDecision, header_hash
from cablekit.access.redact import (
    PLACEHOLDER,
    SHARED_RUN,
    header_decision,
    placeholder,
    reader_record,
)
from cablekit.model import Paragraph, ParseWarning

from .test_markings import telegram

DAY = date(2010, 1, 1)
CLOSED = Declassification(None)
SECRET_TEXT = "zalpha zbravo zcharlie zdelta zecho zfoxtrot zgolf."


def cable(summary: str | None = None):  # type: ignore[no-untyped-def]
    parsed = parse(
        telegram(
            "C O N F I D E N T I A L",
            "1. (C) zopen paragraph.",
            f"2. (S//NF) {SECRET_TEXT}",
            "3. (C) zclosing paragraph.",
        )
    )
    warnings = (ParseWarning("odd-line", "a line that quotes zbravo"),)
    return dataclasses.replace(parsed, summary=summary, warnings=warnings)


def reader(clearance: int, citizenship: str = "USA") -> Reader:
    return Reader("r", clearance, citizenship)


def test_a_withheld_paragraph_keeps_its_number_label_and_marking_only() -> None:
    seen = reader_record(reader(3), cable(), CLOSED, DAY)
    assert seen.withheld == 1
    p = seen.cable.paragraphs[1]
    assert p == Paragraph(2, "S//NF", None, "[withheld: SECRET needs a SECRET clearance]", None)
    assert [q.text for q in seen.cable.paragraphs[::2]] == [
        "zopen paragraph.",
        "zclosing paragraph.",
    ]
    assert seen.cable.warnings == (ParseWarning("odd-line", ""),)
    bullet = Paragraph(4, "S", "ZHEAD", "zsecret bullet.", "--")
    withheld = placeholder(bullet, type(seen.decisions[0])(False, "withheld: why not"))
    assert withheld == Paragraph(4, "S", None, "[withheld: why not]", "--")
    assert PLACEHOLDER.format(reason="x") == "[withheld: x]"


def test_a_reader_who_may_see_everything_gets_the_record_untouched() -> None:
    whole = cable("zalpha zbravo zcharlie zdelta zecho zfoxtrot")
    seen = reader_record(reader(4), whole, CLOSED, DAY)
    assert seen.cable is whole and seen.withheld == 0
    assert [d.visible for d in seen.decisions] == [True, True, True]
    public = reader_record(None, whole, CLOSED, DAY)
    assert public.cable is whole
    assert reader_record(reader(3, "GBR"), whole, CLOSED, DAY).withheld == 1


def test_the_summary_goes_when_it_shares_a_run_of_words_with_a_withheld_paragraph() -> None:
    assert SHARED_RUN == 6
    run = "zalpha zbravo zcharlie zdelta zecho zfoxtrot"  # six words of the secret one
    for summary in (
        f"The embassy says {run} and more.",
        run,
        "zbravo   zcharlie\nzdelta zecho zfoxtrot zgolf.",
    ):
        assert reader_record(reader(3), cable(summary), CLOSED, DAY).cable.summary is None
    for summary in (
        "The embassy says zalpha zbravo zcharlie zdelta zecho and more.",  # five in a row
        "zopen paragraph. zclosing paragraph.",
        "",
        None,
    ):
        seen = reader_record(reader(3), cable(summary), CLOSED, DAY)
        assert seen.cable.summary == summary, summary


def test_the_summary_goes_when_it_holds_a_short_withheld_paragraph_whole() -> None:
    parsed = parse(
        telegram("C O N F I D E N T I A L", "1. (C) zopen paragraph.", "2. (S) ztiny secret.")
    )
    with_summary = dataclasses.replace(parsed, summary="Summary: ztiny   secret. More.")
    assert reader_record(reader(3), with_summary, CLOSED, DAY).cable.summary is None
    unrelated = dataclasses.replace(parsed, summary="Summary: ztiny. More secret.")
    assert reader_record(reader(3), unrelated, CLOSED, DAY).cable.summary == unrelated.summary


def test_an_empty_withheld_paragraph_does_not_take_the_summary() -> None:
    parsed = parse(telegram("C O N F I D E N T I A L", "1. (C) zopen paragraph."))
    empty = Paragraph(2, "S", None, "", None)
    with_empty = dataclasses.replace(
        parsed, paragraphs=(*parsed.paragraphs, empty), summary="zopen paragraph."
    )
    seen = reader_record(reader(3), with_empty, CLOSED, DAY)
    assert seen.withheld == 1 and seen.cable.summary == "zopen paragraph."


def test_the_header_is_judged_by_its_own_marking_and_release() -> None:
    whole = cable()
    assert header_decision(reader(3), whole, CLOSED, DAY).visible
    refused = header_decision(reader(2), whole, CLOSED, DAY)
    assert refused.reason == "withheld: CONFIDENTIAL needs a CONFIDENTIAL clearance"
    released = Declassification(date(2009, 6, 1))
    assert header_decision(reader(0), whole, released, DAY).visible
    withheld = Declassification(
        date(2009, 6, 1),
        (ReviewDecision(frozenset({header_hash(whole)}), False, False, DAY, "kim", "no"),),
    )
    assert not header_decision(reader(0), whole, withheld, DAY).visible
    assert header_decision(reader(0), whole, withheld, date(2009, 12, 31)).visible
