"""Declassification review at its edges (``cablekit.access.review``): naming a paragraph by
its hash, the sentences that name the problem, the order decisions are weighed in, and
the list of releasable cables between two days."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cablekit import parse
from cablekit.access.policy import header_hash, paragraph_hash
from cablekit.access.review import (
    MIN_UNIT_PREFIX,
    decided_texts,
    declassification,
    history,
    paragraph_groups,
    record,
    releasable,
)
from cablekit.archive import Archive
from cablekit.errors import AmbiguousParagraph, UnknownCable

from .test_markings import ADMIN, telegram, written_archive

CABLE = "09OTTAWA999"
LONG = "zlong paragraph of exactly eight words in it."
SIX = "zsix words and no more here."


def one_cable(tmp_path: Path, decl: str = "01/01/2030") -> Path:
    text = telegram(
        "C O N F I D E N T I A L",
        f"1. (C) {LONG}",
        f"2. (C) {SIX}",
        "3. (C) zthird:\n-- (S) zbullet one.\n-- (C) zbullet two.",
        decl=decl,
    )
    return written_archive(tmp_path, [("2011-04-01", text)], {"intern": ("SECRET", "USA")})


def decide(db: Path, day: date, **kw: object) -> None:
    with Archive(db, user=ADMIN, today=day) as archive:
        record(archive.store, CABLE, reviewer=ADMIN, day=day, **kw)  # type: ignore[arg-type]


def test_a_paragraph_is_named_by_six_hex_digits_of_its_hash_in_any_case(tmp_path: Path) -> None:
    db = one_cable(tmp_path)
    with Archive(db, user=ADMIN) as archive:
        cable = archive.store.get(CABLE).cable
        first = paragraph_hash(cable.paragraphs[0])
        assert decided_texts(cable, None, first[:MIN_UNIT_PREFIX].upper()) == {first}
        with pytest.raises(UnknownCable) as short:
            decided_texts(cable, None, first[: MIN_UNIT_PREFIX - 1])
        assert str(short.value) == "Give at least 6 characters of the paragraph's hash"
        with pytest.raises(UnknownCable) as wrong:
            decided_texts(cable, None, "zzzzzzzz")
        listed = "; ".join(
            f"{paragraph_hash(p)[:12]} ({opening})"
            for p, opening in zip(
                cable.paragraphs,
                [
                    "zlong paragraph of exactly eight words ...",
                    "zsix words and no more here.",
                    "zthird:",
                    "zbullet one.",
                    "zbullet two.",
                ],
                strict=True,
            )
        )
        assert str(wrong.value) == (
            f"No single paragraph of {CABLE} has a hash starting zzzzzzzz: {listed}"
        )


def test_a_decision_on_a_number_takes_the_bullets_under_it(tmp_path: Path) -> None:
    db = one_cable(tmp_path)
    with Archive(db, user=ADMIN) as archive:
        cable = archive.store.get(CABLE).cable
    hashes = [paragraph_hash(p) for p in cable.paragraphs]
    assert decided_texts(cable, 3, None) == set(hashes[2:])
    assert decided_texts(cable, 1, None) == {hashes[0]}
    assert decided_texts(cable, None, None) == {header_hash(cable), *hashes}
    with pytest.raises(UnknownCable, match=f"Cable {CABLE} has no paragraph 4"):
        decided_texts(cable, 4, None)
    groups = paragraph_groups(cable.paragraphs)
    assert [[p.text for p in g] for g in groups] == [
        [LONG],
        [SIX],
        ["zthird:", "zbullet one.", "zbullet two."],
    ]


def test_a_number_two_paragraphs_share_is_refused_naming_both() -> None:
    cable = parse(
        telegram(
            "C O N F I D E N T I A L",
            "1. (C) zfirst of two.",
            "1. (C) zsecond one with many more words than six in it.",
        )
    )
    assert [p.number for p in cable.paragraphs] == [1, 1]
    with pytest.raises(AmbiguousParagraph) as refused:
        decided_texts(cable, 1, None)
    a, b = (paragraph_hash(p)[:12] for p in cable.paragraphs)
    assert str(refused.value) == (
        f"Cable {cable.id} has 2 paragraphs numbered 1; name the one you mean with --unit: "
        f"{a} (zfirst of two.); {b} (zsecond one with many more words ...)"
    )


def test_a_bullet_of_another_number_starts_a_group_of_its_own() -> None:
    cable = parse(telegram("C O N F I D E N T I A L", "1. (C) zone.", "2. (C) ztwo."))
    p1, p2 = cable.paragraphs
    bullet = type(p1)(1, "S", None, "zbullet.", "--")
    groups = paragraph_groups([p1, p2, bullet])
    assert [len(g) for g in groups] == [1, 1, 1]
    unlabelled = type(p1)(2, "C", None, "zagain.", None)
    assert [len(g) for g in paragraph_groups([p1, p2, unlabelled])] == [1, 1, 1]
    assert [len(g) for g in paragraph_groups([p2, type(p1)(2, "S", None, "z.", "A.")])] == [2]


def test_the_history_keeps_each_decision_as_taken(tmp_path: Path) -> None:
    db = one_cable(tmp_path)
    decide(db, date(2012, 1, 1), release=False, reason="sources", paragraph=3)
    decide(db, date(2013, 1, 1), release=True, reason="FOIA", unit=None)
    with Archive(db, user=ADMIN) as archive:
        cable = archive.store.get(CABLE).cable
        prefix = paragraph_hash(cable.paragraphs[1])[:8]
    decide(db, date(2014, 1, 1), release=False, reason="again", unit=prefix)
    with Archive(db, user=ADMIN) as archive:
        got = history(archive.store, CABLE)
    assert [
        (r.number, r.cable, r.paragraph, r.action, r.reason, r.reviewer, r.day, r.version, r.texts)
        for r in got
    ] == [
        (1, CABLE, 3, "withhold", "sources", ADMIN, "2012-01-01", 1, 3),
        (2, CABLE, None, "release", "FOIA", ADMIN, "2013-01-01", 1, 6),
        (3, CABLE, None, "withhold", "again", ADMIN, "2014-01-01", 1, 1),
    ]
    assert all(r.at.endswith("Z") and len(r.at) == 20 for r in got)


def test_decisions_are_weighed_by_their_day_not_the_order_they_were_recorded(
    tmp_path: Path,
) -> None:
    db = one_cable(tmp_path)
    decide(db, date(2014, 1, 1), release=True, reason="later day", paragraph=1)
    decide(db, date(2013, 1, 1), release=False, reason="earlier day", paragraph=1)
    with Archive(db, user="intern", today=date(2015, 1, 1)) as archive:
        key = archive.store.cable_key(CABLE)
        facts = declassification(archive.store, key, date(2030, 1, 1))
        assert [r.reason for r in facts.reviews] == ["earlier day", "later day"]
        assert facts.day == date(2030, 1, 1)
        assert [r.day for r in facts.reviews] == [date(2013, 1, 1), date(2014, 1, 1)]
        assert all(r.paragraph and r.reviewer == ADMIN for r in facts.reviews)
        assert [r.release for r in facts.reviews] == [False, True]
    with Archive(db, user=ADMIN, today=date(2015, 1, 1)) as archive:
        cable = archive.store.get(CABLE).cable
        assert facts.reviews[0].units == frozenset({paragraph_hash(cable.paragraphs[0])})
    with Archive(db, user=ADMIN) as archive:
        unreviewed = declassification(archive.store, key + 1000, None)
    assert (unreviewed.day, unreviewed.reviews) == (None, ())


def test_releasable_lists_cables_released_between_two_days(tmp_path: Path) -> None:
    db = one_cable(tmp_path, decl="06/01/2019")
    with Archive(db, user=ADMIN) as archive:
        store = archive.store
        found = releasable(store, date(2019, 6, 1))
        assert [(r.id, r.date, r.classification, r.reason) for r in found] == [
            (CABLE, "2009-04-07", "CONFIDENTIAL", "released: declassified on 2019-06-01")
        ]
        assert releasable(store, date(2019, 5, 31)) == []
        assert [r.id for r in releasable(store, date(2019, 6, 2), date(2019, 5, 31))] == [CABLE]
        assert releasable(store, date(2019, 6, 2), date(2019, 6, 1)) == []
        assert releasable(store, date(2019, 6, 2), date(2019, 6, 2)) == []
    decide(db, date(2015, 1, 1), release=True, reason="FOIA")
    with Archive(db, user=ADMIN) as archive:
        (early,) = releasable(archive.store, date(2015, 1, 1))
        assert early.reason == f"released by review ({ADMIN}, 2015-01-01): FOIA"
        assert releasable(archive.store, date(2016, 1, 1), date(2015, 6, 1)) == []
        assert [r.id for r in releasable(archive.store, date(2016, 1, 1), date(2014, 1, 1))] == [
            CABLE
        ]


def test_a_decision_on_an_older_version_names_that_versions_texts(
    archive_copy: Archive,
) -> None:
    """A decision taken on version 1 of a cable with three is recorded on version 1,
    naming version 1's texts, not the current version's."""
    from cablekit.access.review import decided_texts, history, record

    store = archive_copy.store
    older = store.get("09CAIRO746", 1).cable
    current = store.get("09CAIRO746").cable
    assert decided_texts(older, None, None) != decided_texts(current, None, None)
    record(store, "09CAIRO746", release=False, reason="x", reviewer="r", day=date(2011, 1, 1),
           version=1)  # fmt: skip
    [decision] = history(store, "09CAIRO746")
    assert decision.version == 1
    assert decision.texts == len(decided_texts(older, None, None))
