"""The access policy at its edges: each rule of ``cablekit.access.policy`` held by a test
that fails when the rule is bent (the survivors of ``make mutants``, docs/security.md).

The cables are written as telegrams and read through the parser, as the archive reads
them (``tests/test_markings.telegram``); readers are ``policy.Reader`` with the
citizenships and clearances the archive gives them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import date
from pathlib import Path

import pytest

from cablekit import parse
from cablekit.access.policy import (
    ALL_BITS,
    NOFORN,
    NOT_UNDERSTOOD,
    SPECIAL_ACCESS,
    UNKNOWN_LEVEL,
    Declassification,
    Reader,
    Requirement,
    ReviewDecision,
    automatic_release,
    cable_requirement,
    decide,
    granted,
    granted_collections,
    header_hash,
    marking_requirement,
    normalise_citizenship,
    paragraph_hash,
    paragraph_requirement,
    portion_decision,
    release_text,
    released,
    text_hash,
)
from cablekit.access.redact import reader_record
from cablekit.archive import Archive
from cablekit.errors import AccessError
from cablekit.markings import read_marking
from cablekit.model import Cable, Paragraph, Publication, SecurityWarning, Source
from cablekit.search import tokens

from .test_markings import telegram, written_archive

U, SBU, LOU, C, S, TS = range(6)
BEFORE = date(2010, 1, 1)  # before any of these cables declassifies itself
CLOSED = Declassification(None)  # a version that never declassifies itself


def reader(clearance: int, citizenship: str | None = "USA", *access: str) -> Reader:
    return Reader("r", clearance, citizenship, frozenset(access))


def sees(who: Reader, need: Requirement) -> bool:
    return decide(who, need).visible


def needs(class_line: str, *paragraphs: str, **kw: object) -> list[Requirement]:
    """The requirement of each unit of a telegram, as the archive computes it."""
    cable = parse(telegram(class_line, *paragraphs, **kw))  # type: ignore[arg-type]
    header = cable_requirement(cable)
    return [paragraph_requirement(header, p) for p in cable.paragraphs]


def bare_cable(**fields: object) -> Cable:
    return Cable("09OTTAWA999", Source("test"), **fields)  # type: ignore[arg-type]


# --- the rules the brief names -------------------------------------------------------


def test_a_secret_paragraph_of_a_confidential_cable_is_hidden_from_a_confidential_reader() -> None:
    text = telegram("C O N F I D E N T I A L", "1. (C) zconf text.", "2. (S) zsecret text.")
    cable = parse(text)
    seen = reader_record(reader(C), cable, CLOSED, BEFORE)
    assert [d.visible for d in seen.decisions] == [True, False]
    assert "zsecret" not in " ".join(p.text for p in seen.cable.paragraphs)
    assert seen.cable.paragraphs[1].text == "[withheld: SECRET needs a SECRET clearance]"
    assert all(d.visible for d in reader_record(reader(S), cable, CLOSED, BEFORE).decisions)


def test_rel_to_an_ally_admits_that_ally_and_no_other_foreigner() -> None:
    (need,) = needs("S E C R E T", "1. (S//REL TO USA, GBR) zrel text.")
    assert need.release == frozenset({"USA", "GBR"})
    assert sees(reader(S, "GBR"), need)
    assert sees(reader(S, "USA"), need)
    for other in ("FRA", "CAN", "DEU", None):
        decision = decide(reader(S, other), need)
        assert not decision.visible
        assert decision.reason == "withheld: REL TO does not list your country"


@pytest.mark.parametrize(
    ("written", "members", "others"),
    [
        ("S//REL TO NATO", ("FRA", "DEU", "TUR", "CAN", "GBR", "NOR"), ("AUS", "NZL", "JPN")),
        ("S//REL TO FVEY", ("AUS", "NZL", "CAN", "GBR"), ("FRA", "DEU", "JPN")),
        ("S/REL TO NATO/AUS", ("AUS", "FRA", "ITA"), ("NZL", "JPN")),
    ],
)
def test_rel_to_a_group_admits_its_members_only(
    written: str, members: tuple[str, ...], others: tuple[str, ...]
) -> None:
    (need,) = needs("S E C R E T", f"1. ({written}) zgroup text.")
    for citizen in members:
        assert sees(reader(S, citizen), need), citizen
    for citizen in others:
        assert not sees(reader(S, citizen), need), citizen


def test_noforn_excludes_every_non_us_reader_even_a_listed_ally() -> None:
    for written in ("S//NF", "S/NOFORN", "S//NF/REL TO GBR", "SNF"):
        (need,) = needs("S E C R E T", f"1. ({written}) znoforn text.")
        assert need.bits & NOFORN, written
        assert sees(reader(TS, "USA"), need), written
        for citizen in ("GBR", "CAN", "AUS", "FRA", None):
            decision = decide(reader(TS, citizen, *SPECIAL_ACCESS), need)
            assert decision == decide(reader(TS, "XXX"), need), written
            assert not decision.visible, (written, citizen)
    (need,) = needs("S E C R E T", "1. (S//NF) znoforn text.")
    assert decide(reader(TS, "GBR"), need).reason == "withheld: NOFORN needs US citizenship"


def test_a_25x_exemption_keeps_a_paragraph_classified_past_its_decl_date() -> None:
    text = telegram("S E C R E T", "1. (S) zplain.", "2. (S//25X1) zexempt.", decl="01/01/2015")
    cable = parse(text)
    facts = Declassification(automatic_release(cable))
    assert facts.day == date(2015, 1, 1)
    after = date(2020, 6, 1)
    seen = reader_record(reader(U), cable, facts, after)
    assert [d.visible for d in seen.decisions] == [True, False]
    assert seen.decisions[0].reason == "released: declassified on 2015-01-01"
    assert seen.decisions[1].reason == "withheld: SECRET needs a SECRET clearance"
    # the day before DECL, neither is released
    before = reader_record(reader(U), cable, facts, date(2014, 12, 31))
    assert [d.visible for d in before.decisions] == [False, False]
    # on the DECL day itself, the plain one is
    on_day = reader_record(reader(U), cable, facts, date(2015, 1, 1))
    assert [d.visible for d in on_day.decisions] == [True, False]


def test_an_exemption_in_the_decl_line_stops_the_25_year_rule() -> None:
    cable = parse(telegram("S E C R E T", "1. (S) z.", decl="25X1"))
    assert cable.declassify_on is None
    assert automatic_release(cable) is None
    plain = parse(telegram("S E C R E T", "1. (S) z.", decl="OADR"))
    assert automatic_release(plain) == date(2034, 12, 31)  # a 2009 cable turns 25 in 2034


@pytest.mark.parametrize("written", ["S//REL TO ISAF", "C//REL TO AUSTRALIA GROUP", "S//REL IS"])
def test_an_unknown_name_in_a_rel_list_releases_to_nobody_foreign(written: str) -> None:
    (need,) = needs("S E C R E T", f"1. ({written}) zunknown.")
    assert need.release is not None
    assert not {"GBR", "ISR", "ISL", "AUS", "CAN"} & need.release
    for citizen in ("GBR", "ISR", "ISL", "AUS", "CAN", "AFG"):
        assert not sees(reader(TS, citizen), need), citizen
    assert sees(reader(TS, "USA"), need)


@pytest.mark.parametrize("written", ["C/F", "S//REL", "NF", "CONFIDENTIAL//AUSTRALIA GROUP"])
def test_an_unreadable_marking_withholds_from_all_but_a_us_reader_holding_everything(
    written: str,
) -> None:
    (need,) = needs("S E C R E T", f"1. ({written}) zunreadable.")
    assert need.unclear
    for who in (reader(TS, "GBR", *SPECIAL_ACCESS), reader(U, "USA")):
        decision = decide(who, need)
        assert not decision.visible, (written, who)
        assert decision.reason == f"withheld: {NOT_UNDERSTOOD}"
    assert sees(reader(TS, "USA", *SPECIAL_ACCESS), need)
    # a marking without a level asks the header's level with what it names (NOFORN);
    # the others ask every control
    strictest = written != "NF"
    assert sees(reader(TS, "USA"), need) is not strictest
    assert (need.bits == ALL_BITS) is strictest


def test_a_bracket_that_is_no_marking_at_all_asks_for_everything() -> None:
    cable = parse(telegram("C O N F I D E N T I A L", "1. zplain."))
    header = cable_requirement(cable)
    odd = Paragraph(1, "XQ7", None, "ztext.")
    need = paragraph_requirement(header, odd)
    assert need == Requirement(C, ALL_BITS, frozenset(), unclear=True)


# --- readers --------------------------------------------------------------------------


def test_a_reader_satisfies_noforn_only_as_a_us_citizen_and_known_accesses_only() -> None:
    assert reader(S, "USA").bits == NOFORN
    assert reader(S, "GBR").bits == 0
    assert reader(S, None).bits == 0 and not reader(S, None).us
    assert reader(S, "GBR", "NODIS", "ORCON", "COSMIC").bits == 2 | 16
    assert reader(S, "USA", "EXDIS").bits == NOFORN | 4


def test_a_clearance_equal_to_the_level_is_enough() -> None:
    for lvl in range(6):
        need = Requirement(lvl)
        assert sees(reader(lvl), need)
        if lvl:
            assert not decide(reader(lvl - 1), need).visible
    assert decide(reader(LOU), Requirement(S)).reason == (
        "withheld: SECRET needs a SECRET clearance"
    )


@pytest.mark.parametrize("access", list(SPECIAL_ACCESS))
def test_each_special_access_is_asked_for_by_name(access: str) -> None:
    need = Requirement(C, SPECIAL_ACCESS[access])
    assert sees(reader(C, "USA", access), need)
    assert sees(reader(C, "GBR", access), need)
    decision = decide(reader(TS, "USA", *(a for a in SPECIAL_ACCESS if a != access)), need)
    assert decision == type(decision)(False, f"withheld: {access} needs {access} access")


def test_the_clearance_is_named_before_noforn_and_noforn_before_rel_to() -> None:
    need = Requirement(S, NOFORN | SPECIAL_ACCESS["NODIS"], frozenset({"GBR"}))
    assert decide(reader(C, "FRA"), need).reason == "withheld: SECRET needs a SECRET clearance"
    assert decide(reader(S, "FRA"), need).reason == "withheld: NOFORN needs US citizenship"
    rel = Requirement(S, SPECIAL_ACCESS["NODIS"], frozenset({"GBR"}))
    assert decide(reader(S, "FRA"), rel).reason == "withheld: REL TO does not list your country"
    assert decide(reader(S, "GBR"), rel).reason == "withheld: NODIS needs NODIS access"
    assert decide(reader(S, "GBR", "NODIS"), rel) == decide(reader(S, "USA", "NODIS"), rel)
    assert decide(reader(S, "GBR", "NODIS"), rel).reason == "visible: cleared"


def test_a_public_archive_shows_everything() -> None:
    need = Requirement(TS, ALL_BITS, frozenset(), unclear=True)
    assert decide(None, need).visible
    assert decide(None, need).reason == "visible: the archive is public"
    assert portion_decision(None, need, CLOSED, "x", BEFORE) == decide(None, need)


def test_grants_on_collections() -> None:
    alice = Reader("alice", S, "USA", collections=frozenset({"embassy"}))
    assert granted(alice, ["embassy", "other"]).visible
    assert granted(alice, ["embassy", "other"]).reason == "visible: granted"
    refused = granted(alice, ["other"])
    assert refused.visible is False
    assert refused.reason == "withheld: no grant on the version's collections"
    assert not granted(alice, []).visible
    everyone = Reader("root", S, "USA", collections=frozenset({"*"}))
    assert everyone.all_collections and not alice.all_collections
    assert granted(everyone, ["other"]).visible
    assert granted(None, []).visible


# --- requirements -----------------------------------------------------------------------


def test_meet_takes_the_most_restrictive_of_each_part() -> None:
    a = Requirement(C, NOFORN, frozenset({"GBR", "CAN"}))
    b = Requirement(S, SPECIAL_ACCESS["ORCON"], frozenset({"GBR", "FRA"}), exempt=True)
    assert a.meet(b) == Requirement(S, NOFORN | 16, frozenset({"GBR"}), False, True)
    assert b.meet(a) == a.meet(b)
    open_ = Requirement(U)
    assert open_.meet(a) == a and a.meet(open_) == a
    assert open_.meet(open_).release is None
    unclear = Requirement(U, unclear=True)
    assert a.meet(unclear).unclear and unclear.meet(a).unclear
    assert not a.meet(b).unclear
    assert not a.meet(open_).exempt and open_.meet(b).exempt


def test_implied_by_holds_exactly_when_every_reader_of_the_other_sees_this_one() -> None:
    header = Requirement(S, NOFORN, frozenset({"GBR"}))
    assert Requirement(S, NOFORN, frozenset({"GBR"})).implied_by(header)
    assert Requirement(C).implied_by(header)
    assert Requirement(C, NOFORN).implied_by(header)
    assert Requirement(C, 0, frozenset({"GBR", "CAN"})).implied_by(header)
    assert not Requirement(TS).implied_by(header)
    assert not Requirement(C, SPECIAL_ACCESS["NODIS"]).implied_by(header)
    assert not Requirement(C, 0, frozenset({"CAN"})).implied_by(header)
    assert not Requirement(C, 0, frozenset({"GBR"})).implied_by(Requirement(S))
    assert not Requirement(C, exempt=True).implied_by(header)
    assert Requirement(C, exempt=True).implied_by(Requirement(S, exempt=True))
    assert Requirement(C).implied_by(Requirement(S, exempt=True))
    assert Requirement(S).implied_by(Requirement(S))


def test_a_marking_without_a_level_takes_the_default_and_is_unclear_unless_a_caveat() -> None:
    nf = read_marking("NF")
    assert nf is not None
    assert marking_requirement(nf, S) == Requirement(S, NOFORN, None, unclear=True)
    assert marking_requirement(nf, C, caveat=True) == Requirement(C, NOFORN)
    plain = read_marking("C//NODIS")
    assert plain is not None
    assert marking_requirement(plain, TS) == Requirement(C, SPECIAL_ACCESS["NODIS"])
    exempt = read_marking("S//25X1")
    assert exempt is not None
    assert marking_requirement(exempt, U) == Requirement(S, exempt=True)
    rel = read_marking("C//REL TO GBR")
    assert rel is not None
    assert marking_requirement(rel, U) == Requirement(C, 0, frozenset({"GBR"}))


def test_a_marking_with_an_unread_part_asks_every_control() -> None:
    for written, level in (("C/F", C), ("S//REL", S), ("S//NODIS//XYZ", S)):
        m = read_marking(written)
        assert m is not None
        need = marking_requirement(m, U, caveat=True)
        assert need == Requirement(level, ALL_BITS, frozenset(), unclear=True), written


# --- the header -------------------------------------------------------------------------


def test_the_header_takes_the_highest_of_its_classifications() -> None:
    base = {"classification": "CONFIDENTIAL"}
    assert cable_requirement(bare_cable(**base)) == Requirement(C)
    warned = bare_cable(**base, security_warning=SecurityWarning("ZNY", "SECRET"))
    assert cable_requirement(warned) == Requirement(S)
    lower = bare_cable(classification="SECRET", security_warning=SecurityWarning("ZNY", None))
    assert cable_requirement(lower) == Requirement(S)
    published = bare_cable(**base, publication=Publication(classification="SECRET//NOFORN"))
    assert cable_requirement(published) == Requirement(S, NOFORN)
    # the publisher's level counts even with no control to carry it
    secret_pub = bare_cable(**base, publication=Publication(classification="SECRET"))
    assert cable_requirement(secret_pub) == Requirement(S)
    plain_pub = bare_cable(**base, publication=Publication(classification="UNCLASSIFIED"))
    assert cable_requirement(plain_pub) == Requirement(C)
    no_class = bare_cable(**base, publication=Publication(classification=None))
    assert cable_requirement(no_class) == Requirement(C)


def test_an_unreadable_classification_counts_as_top_secret_and_not_understood() -> None:
    odd = bare_cable(classification="MAUVE", security_warning=SecurityWarning("ZNY", "SECRET"))
    assert cable_requirement(odd) == Requirement(UNKNOWN_LEVEL, unclear=True)
    assert UNKNOWN_LEVEL == TS
    assert cable_requirement(bare_cable()) == Requirement(TS, unclear=True)


def test_caveats_bind_the_header() -> None:
    for caveat, bit in (("NODIS", 2), ("nodis", 2), ("EYES ONLY", 2), ("EXDIS", 4), ("NODIF", 2)):
        need = cable_requirement(bare_cable(classification="SECRET", caveats=(caveat,)))
        assert need == Requirement(S, bit), caveat
    rel = cable_requirement(bare_cable(classification="SECRET", caveats=("REL TO GBR, CAN",)))
    assert rel == Requirement(S, 0, frozenset({"GBR", "CAN"}))
    nf = cable_requirement(bare_cable(classification="SECRET", caveats=("NOFORN",)))
    assert nf == Requirement(S, NOFORN)
    ignored = cable_requirement(bare_cable(classification="SECRET", caveats=("PASS TO AID",)))
    assert ignored == Requirement(S)


def test_controls_on_handling_lines_bind_the_header() -> None:
    for line, need in (
        ("PLEASE PASS NOFORN", Requirement(C, NOFORN)),
        ("not releasable to foreign nationals", Requirement(C, NOFORN)),
        ("EXDIS HANDLING", Requirement(C, SPECIAL_ACCESS["EXDIS"])),
        ("REL TO UK, CANADA", Requirement(C, 0, frozenset({"GBR", "CAN"}))),
        ("SECRET/REL UK", Requirement(C, 0, frozenset({"GBR"}))),
        ("RELEASE TO NOBODY", Requirement(C)),
        ("CONDIS", Requirement(C)),
    ):
        got = cable_requirement(bare_cable(classification="CONFIDENTIAL", handling=(line,)))
        assert got == need, line


def test_a_publisher_classification_binds_the_header_only_by_its_controls() -> None:
    pub = Publication(classification="CONFIDENTIAL//REL TO GBR")
    need = cable_requirement(bare_cable(classification="CONFIDENTIAL", publication=pub))
    assert need == Requirement(C, 0, frozenset({"GBR"}))


# --- paragraphs -------------------------------------------------------------------------


def test_a_marked_paragraph_keeps_the_headers_captions_but_not_its_noforn() -> None:
    units = needs(
        "S E C R E T",
        "1. (U) zopen.",
        "2. zunmarked.",
        caveats=("NODIS", "NOFORN"),
    )
    assert units[0] == Requirement(U, SPECIAL_ACCESS["NODIS"])
    assert units[1] == Requirement(S, NOFORN | SPECIAL_ACCESS["NODIS"])


def test_markings_inside_a_paragraph_restrict_it_and_set_aside_ones_do_not() -> None:
    units = needs(
        "C O N F I D E N T I A L",
        "1. (C) zlead. The embassy (S/NF) heard more.",
        "2. (C) the Technical Secretariat (TS) team met.",
    )
    assert units[0] == Requirement(S, NOFORN)
    assert units[1] == Requirement(C)


def test_a_marking_in_a_heading_restricts_the_paragraph() -> None:
    cable = parse(telegram("C O N F I D E N T I A L", "1. zplain."))
    header = cable_requirement(cable)
    para = Paragraph(1, "C", "ZHEADING (S//NF) ZMORE", "ztext.")
    assert paragraph_requirement(header, para) == Requirement(S, NOFORN)
    no_heading = Paragraph(1, "C", None, "ztext.")
    assert paragraph_requirement(header, no_heading) == Requirement(C)


# --- texts and hashes ---------------------------------------------------------------------


def test_a_text_hash_ignores_case_width_and_spacing_only() -> None:
    h = text_hash("The  Minister\nsaid")
    assert h == hashlib.sha256(b"the minister said").hexdigest()[:32]
    assert text_hash("the minister said") == h
    assert text_hash("ＴＨＥ minister said") == h  # full-width letters: NFKC
    assert text_hash("the minister sighed") != h
    assert len(h) == 32
    assert paragraph_hash(Paragraph(1, "C", "HEAD", "The minister said")) == h


def test_a_header_hash_is_never_a_paragraphs_and_ignores_the_paragraphs() -> None:
    one = parse(telegram("C O N F I D E N T I A L", "1. (C) zone."))
    two = parse(telegram("C O N F I D E N T I A L", "1. (C) ztwo.", "2. (C) zthree."))
    other = parse(telegram("S E C R E T", "1. (C) zone."))
    assert header_hash(one) == header_hash(two)
    assert header_hash(one) != header_hash(other)
    assert header_hash(one).startswith("h") and len(header_hash(one)) == 32
    moved = dataclasses.replace(one, source=Source("elsewhere", "/x"), summary="zsummary")
    assert header_hash(moved) == header_hash(one)


def test_a_header_hash_is_the_one_stored_decisions_name() -> None:
    """Review decisions are stored under this hash: its form (sorted keys, compact, the
    text as written, not escaped) must not change under them."""
    text = telegram("C O N F I D E N T I A L", "1. (C) zone.")
    cable = parse(text.replace("ZSUBJECT TEST", "ZSUBJECT MÉXICO"))
    assert "MÉXICO" in (cable.subject or "")
    data = {
        k: v
        for k, v in cable.to_json().items()
        if k not in ("source", "publication", "paragraphs", "summary", "warnings", "page_markers")
    }
    body = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert header_hash(cable) == "h" + hashlib.sha256(body.encode()).hexdigest()[:31]


# --- declassification ----------------------------------------------------------------------


def test_automatic_release_reads_the_decl_date_then_the_25_year_rule() -> None:
    assert automatic_release(bare_cable(declassify_on="2019-04-07")) == date(2019, 4, 7)
    assert automatic_release(bare_cable(declassify_on="2019-04-07T00:00")) == date(2019, 4, 7)
    bad = bare_cable(declassify_on="2019-13-45", date="2009-04-07")
    assert automatic_release(bad) == date(2034, 12, 31)
    assert automatic_release(bare_cable(date="1990-01-01")) == date(2015, 12, 31)
    exempt = bare_cable(date="1990-01-01", declassify_note="25x1-human")
    assert automatic_release(exempt) is None
    for note in ("50X1-HUM", "75X", "25X6"):
        assert automatic_release(bare_cable(date="1990-01-01", declassify_note=note)) is None
    not_exempt = bare_cable(date="1990-01-01", declassify_note="OADR 125 X1")
    assert automatic_release(not_exempt) == date(2015, 12, 31)
    dated_exempt = bare_cable(declassify_on="2019-04-07", declassify_note="25X1")
    assert automatic_release(dated_exempt) == date(2019, 4, 7)
    assert automatic_release(bare_cable()) is None


def review(units: set[str], *, paragraph: bool, release: bool, day: date) -> ReviewDecision:
    return ReviewDecision(frozenset(units), paragraph, release, day, "kim", "FOIA 2019")


def test_released_takes_the_latest_paragraph_decision_then_the_version_one() -> None:
    day = date(2015, 1, 1)
    facts = Declassification(
        date(2012, 1, 1),
        (
            review({"p1", "p2", "h"}, paragraph=False, release=False, day=date(2013, 1, 1)),
            review({"p1"}, paragraph=True, release=True, day=date(2014, 1, 1)),
            review({"p1"}, paragraph=True, release=False, day=date(2016, 1, 1)),
        ),
    )
    got = released(facts, "p1", day)
    assert got == type(got)(True, "released by review (kim, 2014-01-01): FOIA 2019")
    assert released(facts, "p2", day).reason == "withheld by review (kim, 2013-01-01): FOIA 2019"
    assert not released(facts, "p2", day).visible
    # the later decision takes effect on its day, not before
    assert released(facts, "p1", date(2015, 12, 31)).visible
    assert not released(facts, "p1", date(2016, 1, 1)).visible
    # before any review, the automatic day decides
    early = released(facts, "p1", date(2012, 6, 1))
    assert early == type(early)(True, "released: declassified on 2012-01-01")
    assert released(facts, "p3", day).reason == "released: declassified on 2012-01-01"
    assert released(facts, "p1", date(2011, 12, 31)) == type(early)(False, "classified")
    assert released(facts, "p1", date(2012, 1, 1)).visible
    assert not released(facts, "p3", day, exempt=True).visible
    # an exempt portion is still released by a review
    assert released(facts, "p1", day, exempt=True).visible


def test_the_latest_of_two_decisions_taken_on_the_same_kind_wins() -> None:
    facts = Declassification(
        None,
        (
            review({"p"}, paragraph=True, release=False, day=date(2013, 1, 1)),
            review({"p"}, paragraph=True, release=True, day=date(2014, 1, 1)),
        ),
    )
    assert released(facts, "p", date(2014, 1, 1)).visible
    assert not released(facts, "p", date(2013, 6, 1)).visible
    assert released(Declassification(None), "p", date(2099, 1, 1)).reason == "classified"


def test_portion_decision_shows_a_released_portion_and_judges_the_others() -> None:
    need = Requirement(S, NOFORN)
    facts = Declassification(date(2012, 1, 1))
    foreign = reader(U, "FRA")
    assert portion_decision(foreign, need, facts, "p", date(2013, 1, 1)).visible
    before = portion_decision(foreign, need, facts, "p", date(2011, 1, 1))
    assert before == decide(foreign, need)
    exempt = Requirement(S, exempt=True)
    assert not portion_decision(foreign, exempt, facts, "p", date(2013, 1, 1)).visible
    assert portion_decision(reader(S), exempt, facts, "p", date(2013, 1, 1)).visible


# --- the stored forms -----------------------------------------------------------------------


def test_release_text_and_granted_collections_as_stored() -> None:
    assert release_text(frozenset({"GBR", "CAN"})) == " CAN GBR "
    assert release_text(frozenset()) == "  "
    assert release_text(None) is None
    assert granted_collections([]).endswith("vc.collection_key IN (NULL))")
    sql = granted_collections([3, 4])
    assert "IN (?,?))" in sql and "{key}" in sql and "{number}" in sql


def test_a_citizenship_is_a_trigraph_or_refused() -> None:
    assert normalise_citizenship("Canada") == "CAN"
    assert normalise_citizenship("uk") == "GBR"
    assert normalise_citizenship("usa") == "USA"
    assert normalise_citizenship("XYZ") == "XYZ"
    assert normalise_citizenship(None) is None
    assert normalise_citizenship("") is None
    for bad in ("Atlantis", "XY", "XYZW", "X1Z"):
        with pytest.raises(AccessError, match="three-letter code"):
            normalise_citizenship(bad)


# --- the same rules in the archive's queries ------------------------------------------------


def test_the_archive_finds_a_rel_to_paragraph_for_the_ally_and_no_other(tmp_path: Path) -> None:
    """The SQL twin of the rules: a REL TO GBR paragraph is found, counted and shown for
    a British reader; not for a French one; a NOFORN one for neither."""
    text = telegram(
        "S E C R E T",
        "1. (S) zopen words.",
        "2. (S//REL TO USA, GBR) zallied words.",
        "3. (S//NF) zdomestic words.",
        "4. (S//REL TO NATO) zalliance words.",
    )
    db = written_archive(
        tmp_path,
        [("2011-04-01", text)],
        {"london": ("SECRET", "GBR"), "paris": ("SECRET", "FRA"), "home": ("SECRET", "USA")},
    )
    found = {}
    for user in ("london", "paris", "home"):
        with Archive(db, user=user, today=BEFORE) as archive:
            found[user] = {
                word
                for word in ("zopen", "zallied", "zdomestic", "zalliance")
                if archive.search(word).total
            }
            shown = archive.get("09OTTAWA999").text
            assert found[user] <= set(tokens(shown)), user
    assert found == {
        "london": {"zopen", "zallied", "zalliance"},
        "paris": {"zopen", "zalliance"},
        "home": {"zopen", "zallied", "zdomestic", "zalliance"},
    }


def test_two_rel_lists_in_a_paragraph_release_it_to_the_countries_both_name() -> None:
    (need,) = needs(
        "S E C R E T",
        "1. (S//REL TO USA, GBR, CAN) zwords. The embassy (S//REL TO USA, GBR, AUS) said more.",
    )
    assert need.release == frozenset({"USA", "GBR"})
    assert sees(reader(S, "GBR"), need)
    assert not sees(reader(S, "CAN"), need) and not sees(reader(S, "AUS"), need)
    (one,) = needs("S E C R E T", "1. (S) zwords. The embassy (S//REL TO USA, GBR) said more.")
    assert one.release == frozenset({"USA", "GBR"}) and not sees(reader(S, "CAN"), one)
    (other,) = needs("S E C R E T", "1. (S//REL TO GBR) zwords. The embassy (S) said more.")
    assert other.release == frozenset({"GBR"})
