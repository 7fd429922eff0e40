"""The marking grammar on the forms the census found, where markings stand in a text,
and what it means for readers of real cables: the findings of issue 10 that a misread
marking, a version judged by another's dates, or a review bound to a number let through.

Each finding is tested the way it was seen: the real cable (08NEWDELHI1035's REL lists
with commas, 06VIENNA515's (S/NF) sub-paragraphs, 09CAIRO746's "Key Points" bullets)
or a cable written to hold the form, ingested through the parser, read as the reader
the finding names.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from cablekit import parse
from cablekit.access import principals
from cablekit.access.policy import (
    ALL_BITS,
    NOFORN,
    SPECIAL_ACCESS,
    Requirement,
    cable_requirement,
    marking_requirement,
    paragraph_requirement,
)
from cablekit.access.review import record
from cablekit.archive import Archive
from cablekit.cli import cli
from cablekit.errors import AmbiguousParagraph, UnknownCable
from cablekit.markings import find_marks, read_marking
from cablekit.search import tokens

from .access_oracle import RANKS, need_of
from .conftest import CORPUS, SAMPLE_CABLES
from .test_access_property import COUNTRIES, marks

ROOT = Path(__file__).resolve().parents[1]
ADMIN = "keeper"

# --- the grammar ------------------------------------------------------------------------

# written -> (level, NOFORN, REL TO names, accesses, exempt, understood): census forms.
FORMS = {
    "C": (3, False, None, set(), False, True),
    "c": (3, False, None, set(), False, True),
    "SBU": (1, False, None, set(), False, True),
    "U//FOUO": (1, False, None, set(), False, True),
    "S/NF": (4, True, None, set(), False, True),
    "S//NF": (4, True, None, set(), False, True),
    "C NF": (3, True, None, set(), False, True),
    "S-NF": (4, True, None, set(), False, True),
    "SNF": (4, True, None, set(), False, True),
    "s/nf": (4, True, None, set(), False, True),
    "C/NOFORN": (3, True, None, set(), False, True),
    "SBU/N": (1, True, None, set(), False, True),
    "S//FGI//NF": (4, True, None, set(), False, True),
    "S//NF//25X1": (4, True, None, set(), True, True),
    "C/REL UK, CANADA, AUSTRALIA": (3, False, ("UK", "CANADA", "AUSTRALIA"), set(), False, True),
    "C//REL TO USA, GBR//": (3, False, ("USA", "GBR"), set(), False, True),
    "S/REL TO NATO/AUS": (4, False, ("NATO", "AUS"), set(), False, True),
    "C/REL NATO AND AUS": (3, False, ("NATO", "AUS"), set(), False, True),
    "S//REL AS, CA, JP, ROK, and UK": (
        4,
        False,
        ("AS", "CA", "JP", "ROK", "UK"),
        set(),
        False,
        True,
    ),
    "S/NF/REL PANAMA": (4, True, ("PANAMA",), set(), False, True),
    # a control of several words inside a REL list is a control, not a country
    "S//REL TO GBR, EYES ONLY": (4, False, ("GBR",), {"NODIS"}, False, True),
    "C/RELEASABLE TO ITALY": (3, False, ("ITALY",), set(), False, True),
    "secret//rel germany": (4, False, ("GERMANY",), set(), False, True),
    "SECRET REL INDIA": (4, False, ("INDIA",), set(), False, True),
    "CONFIDENTIAL -- ENTIRE PARAGRAPH": (3, False, None, set(), False, True),
    "C, ENTIRE TEXT, NOFORN": (3, True, None, set(), False, True),
    "ENTIRE TEXT, NF": (None, True, None, set(), False, False),  # NF kept, level missing
    "- S/NF -": (4, True, None, set(), False, True),
    "S//ORCON": (4, False, None, {"ORCON"}, False, True),
    "S//OC//NF": (4, True, None, {"ORCON"}, False, True),
    "NF": (None, True, None, set(), False, False),  # a control without a level
    "C/F": (3, False, None, set(), False, False),
    "S//REL": (4, False, (), set(), False, False),
    "CONFIDENTIAL//AUSTRALIA GROUP": (3, False, None, set(), False, False),
}


@pytest.mark.parametrize("written", list(FORMS))
def test_every_census_form_reads_as_it_is_meant(written: str) -> None:
    level, noforn, names, access, exempt, understood = FORMS[written]
    m = read_marking(written)
    assert m is not None
    assert (m.level, m.noforn, m.release, set(m.access), m.exempt) == (
        level,
        noforn,
        names,
        access,
        exempt,
    )
    assert m.understood is understood


@pytest.mark.parametrize("written", ["A/S", "CDU/CSU", "TIP/PISCES", "a", "1", "ref C", "U.S."])
def test_what_starts_with_neither_a_level_nor_a_control_is_no_marking(written: str) -> None:
    assert read_marking(written) is None


@settings(max_examples=500, deadline=None)
@given(mark=marks(), header=st.sampled_from(list(RANKS)))
def test_every_generated_form_asks_what_it_means(mark: object, header: str) -> None:
    """Any marking the property test's generator writes (every census form, with every
    combination of controls) asks of the reader exactly what the oracle reads in it."""
    from .access_oracle import Portion

    written = mark.written  # type: ignore[attr-defined]
    portion = mark.portion  # type: ignore[attr-defined]
    need = marking_requirement(read_marking(written), RANKS[header])  # type: ignore[arg-type]
    meant = need_of([portion], Portion(header))
    assert need.level == meant.level, written
    assert need.exempt is meant.exempt, written
    if meant.strict:
        assert (need.bits, need.release) == (ALL_BITS, frozenset()), written
        return
    assert bool(need.bits & NOFORN) is meant.noforn, written
    assert {a for a, bit in SPECIAL_ACCESS.items() if need.bits & bit} == meant.access
    if meant.rel is None:
        assert need.release is None, written
    else:
        assert need.release is not None, written
        for citizen in COUNTRIES:  # those the property test draws
            assert (citizen in need.release) is (citizen in meant.rel), (written, citizen)


# --- where markings stand -------------------------------------------------------------


def readings(text: str) -> list[tuple[str, str, str | None]]:
    return [(text[f.start + 1 : f.end - 1], f.position, f.aside) for f in find_marks(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # census examples, each with the rule that decides it
        (
            "meeting with the OPCW Technical Secretariat (TS) on Iraq's draft",
            [("TS", "inner", "in running text")],
        ),
        ("Special Envoy (S/E) Gration and Moussa agreed", [("S/E", "inner", "in running text")]),
        ("the next target(s) for the Favela", [("s", "inner", "glued to a word")]),
        ("Janata Dal(U) leader George Fernandes", [("U", "inner", "glued to a word")]),
        (
            "abort; (a) talks (b) sanctions or (c) military intervention",
            [("c", "inner", "a list letter")],
        ),
        ("SUMMARY (U) Costa Rica's June 1 recognition", [("U", "inner", None)]),
        (
            "bundles of spent nuclear fuel (SNF) originally from",
            [("SNF", "inner", "in running text")],
        ),
        ("Key Points: -- (S/NF) The GOE claims", [("S/NF", "start", None)]),
        ("end of the sentence. (S) Some contacts suggest", [("S", "start", None)]),
        ("talking points (S/REL USA, SAU) We recognize", [("S/REL USA, SAU", "inner", None)]),
        ("moisture content of direct reduced iron (C).", [("C", "end", None)]),
        ("a list (a) x (b) y. 1) (c) who provides", [("c", "start", None)]),
        ("Dutch Political Director (S//XYZ) said", [("S//XYZ", "inner", None)]),
    ],
)
def test_where_a_marking_stands_decides_whether_it_is_one(
    text: str, expected: list[tuple[str, str, str | None]]
) -> None:
    assert readings(text) == expected


def test_bullets_sub_paragraphs_and_marked_sentences_are_units_of_their_own() -> None:
    cable = parse(
        telegram(
            "C O N F I D E N T I A L",
            "1. (C) Key Points:\n-- (S/NF) zbullet one.\n-- (C//REL TO USA, GBR) zbullet two.",
            "2. (S) zlead text. (U) zsentence. A. (S//NF) zsub alpha.",
        )
    )
    got = [(p.number, p.marking, p.label, p.text) for p in cable.paragraphs]
    assert got == [
        (1, "C", None, "Key Points:"),
        (1, "S/NF", "--", "zbullet one."),
        (1, "C//REL TO USA, GBR", "--", "zbullet two."),
        (2, "S", None, "zlead text."),
        (2, "U", "", "zsentence."),
        (2, "S//NF", "A.", "zsub alpha."),
    ]


def test_a_marking_that_cannot_be_read_is_withheld_with_its_reason() -> None:
    cable = parse(
        telegram("S E C R E T", "1. (C/F) zunreadable.", "2. (NF) zbare.", "3. (U) zplain.")
    )
    header = cable_requirement(cable)
    needs = [paragraph_requirement(header, p) for p in cable.paragraphs]
    assert needs[0] == Requirement(3, ALL_BITS, frozenset(), unclear=True)
    assert needs[1] == Requirement(4, NOFORN, None, unclear=True)  # the header's level
    assert not needs[2].unclear
    assert [w.code for w in cable.warnings].count("marking-not-understood") == 2


def test_entire_text_before_a_control_keeps_the_control() -> None:
    """ "(ENTIRE TEXT, NF)" once left ", NF" after the phrase went: not marking-like at
    all, so the paragraph took the cable's marking and its NOFORN was lost."""
    cable = parse(telegram("C O N F I D E N T I A L", "1. (ENTIRE TEXT, NF) zbare."))
    need = paragraph_requirement(cable_requirement(cable), cable.paragraphs[0])
    assert need.bits & NOFORN and need.level == 3 and need.unclear


def test_caveats_after_an_unreadable_classification_line_are_kept() -> None:
    """A classification line cablekit cannot read used to take the caveat lines below it
    into the envelope: NOFORN and REL TO were lost, and a TOP SECRET foreign reader read
    the cable."""
    cable = parse(telegram("Q X Z Q X Z", "1. zfirst.", caveats=("NOFORN", "REL NATO/AUS")))
    assert cable.classification is None and cable.caveats == ("NOFORN", "REL NATO/AUS")
    need = cable_requirement(cable)
    assert need.level == 5 and need.bits & NOFORN and need.unclear


def test_controls_on_handling_lines_restrict_the_header() -> None:
    cable = parse(telegram("S E C R E T", "1. zfirst.", caveats=("RELEASABLE TO UK",)))
    assert cable_requirement(cable).release == frozenset({"GBR"})


# --- the findings, on real cables and written ones ----------------------------------------


def telegram(
    class_line: str, *paragraphs: str, caveats: tuple[str, ...] = (), decl: str = "04/07/2030"
) -> str:
    return "\n".join(
        [
            "R 071535Z APR 09",
            "FM AMEMBASSY OTTAWA",
            "TO SECSTATE WASHDC 1234",
            "BT",
            f"{class_line} OTTAWA 000999",
            *caveats,
            f"E.O. 12958: DECL: {decl}",
            "TAGS: PREL CA",
            "SUBJECT: ZSUBJECT TEST",
            "",
            "\n\n".join(paragraphs),
            "",
            "SMITH",
            "",
        ]
    )


def corpus_page(cable_id: str, folder: Path) -> Path:
    """One page of the corpus (or of the bundled sample), written to ``folder``."""
    for source in (SAMPLE_CABLES, CORPUS):
        if not source.exists():
            continue
        with tarfile.open(source) as tar:
            for member in tar:
                if member.name.endswith(f"/{cable_id}.html"):
                    path = folder / f"{cable_id}.html"
                    path.write_bytes(tar.extractfile(member).read())  # type: ignore[union-attr]
                    return path
    pytest.skip(f"{cable_id} needs the corpus in ../shared/data")


def archive_with(path: Path, inputs: list[Path], readers: dict[str, tuple[str, str]]) -> None:
    """An archive of ``inputs`` and the readers (name: clearance, citizenship)."""
    with Archive(path, create=True) as archive:
        archive.ingest([str(p) for p in inputs], release="2011-04")
        principals.add(archive.store, ADMIN, citizenship="USA", admin=True)
        for name, (clearance, citizenship) in readers.items():
            principals.add(archive.store, name, clearance=clearance, citizenship=citizenship)
            principals.grant(archive.store, name, collections=["*"])


def shown(path: Path, user: str, cable_id: str, day: date) -> list[tuple[str | None, bool]]:
    """Each unit of the cable as ``user`` gets it: (marking, shown)."""
    with Archive(path, user=user, today=day) as archive:
        cable = archive.get(cable_id).cable
    return [(p.marking, not p.text.startswith("[withheld: ")) for p in cable.paragraphs]


def test_rel_lists_with_commas_bind_an_indian_reader(tmp_path: Path) -> None:
    """08NEWDELHI1035 marks paragraphs 2-6 (C/REL UK, CANADA, AUSTRALIA): a CONFIDENTIAL
    Indian reader read them; a Canadian one may."""
    page = corpus_page("08NEWDELHI1035", tmp_path)
    db = tmp_path / "a.db"
    archive_with(db, [page], {"delhi": ("CONFIDENTIAL", "IND"), "ottawa": ("CONFIDENTIAL", "CAN")})
    before = date(2010, 1, 1)  # it declassifies itself on 2018-04-10
    rel = "C/REL UK, CANADA, AUSTRALIA"
    assert [ok for mark, ok in shown(db, "delhi", "08NEWDELHI1035", before) if mark == rel] == [
        False
    ] * 5
    assert all(ok for _, ok in shown(db, "ottawa", "08NEWDELHI1035", before))
    with Archive(db, user="delhi", today=before) as archive:
        assert archive.search("scholar").total == 0  # a word of ¶3 alone
    with Archive(db, user="ottawa", today=before) as archive:
        assert archive.search("scholar").total == 1


def test_noforn_sub_paragraphs_bind_a_russian_reader(tmp_path: Path) -> None:
    """06VIENNA515's (S/NF) sub-paragraphs, once flattened into unmarked paragraphs under
    the header's SECRET (no NOFORN caption), were read by a SECRET Russian reader."""
    page = corpus_page("06VIENNA515", tmp_path)
    db = tmp_path / "a.db"
    archive_with(db, [page], {"moscow": ("SECRET", "RUS"), "washington": ("SECRET", "USA")})
    before = date(2010, 1, 1)
    units = shown(db, "moscow", "06VIENNA515", before)
    assert len(units) > 30
    assert all(not ok for mark, ok in units if mark == "S/NF")
    assert all(ok for mark, ok in units if mark in ("U", None))
    assert all(ok for _, ok in shown(db, "washington", "06VIENNA515", before))


def test_key_points_bullets_are_units_of_their_own(tmp_path: Path) -> None:
    """09CAIRO746's "Key Points" bullets, each (S/NF), were flattened into one unmarked
    paragraph: now each is a unit with its marking, and a review can release one."""
    page = corpus_page("09CAIRO746", tmp_path)
    cable = parse(page.read_bytes())
    units = [(p.number, p.marking, p.label) for p in cable.paragraphs[:6]]
    assert units == [(1, None, None)] + [(1, "S/NF", "-")] * 5
    assert cable.paragraphs[0].text == "Key Points:"
    db = tmp_path / "a.db"
    archive_with(db, [page], {"paris": ("SECRET", "FRA"), "washington": ("SECRET", "USA")})
    before = date(2010, 1, 1)  # it declassifies itself on 2019-04-26
    assert all(ok for _, ok in shown(db, "washington", "09CAIRO746", before))
    with Archive(db, user="paris", today=before) as archive:
        assert archive.search("Soliman").total == 0  # the header is NOFORN too
    with Archive(db, user=ADMIN, today=before) as archive:
        archive.admin.review("09CAIRO746", release=True, reason="FOIA", reviewer=ADMIN)
        first = cable.paragraphs[1].text.split()[:4]
        released = archive.admin.reviews("09CAIRO746")[0]
        assert released.texts == len(cable.paragraphs) + 1  # every text, and the header
    with Archive(db, user="paris", today=before) as archive:
        assert " ".join(first) in " ".join(archive.get("09CAIRO746").text.split())


def written_archive(
    tmp_path: Path, versions: list[tuple[str, str]], readers: dict[str, tuple[str, str]]
) -> Path:
    """An archive of one cable (09OTTAWA999) in versions: (release date, telegram)."""
    db = tmp_path / "w.db"
    with Archive(db, create=True) as archive:
        for k, (released, text) in enumerate(versions):
            line = {"reference_id": "09OTTAWA999", "released": released, "text": text}
            source = tmp_path / f"v{k}.jsonl"
            source.write_text(json.dumps(line) + "\n", encoding="utf-8")
            archive.ingest([str(source)], release=released[:7])
        principals.add(archive.store, ADMIN, citizenship="USA", admin=True)
        for name, (clearance, citizenship) in readers.items():
            principals.add(archive.store, name, clearance=clearance, citizenship=citizenship)
            principals.grant(archive.store, name, collections=["*"])
    return db


def test_an_older_version_is_judged_by_its_own_declassification_date(tmp_path: Path) -> None:
    """Version 1 SECRET//NOFORN, DECL 2035; version 2 CONFIDENTIAL, DECL 2015: from 2016
    every reader read version 1 too (show --version 1, diff, the API)."""
    db = written_archive(
        tmp_path,
        [
            (
                "2010-12-01",
                telegram(
                    "S E C R E T",
                    "1. (S//NF) zolder secret.",
                    caveats=("NOFORN",),
                    decl="01/01/2035",
                ),
            ),
            (
                "2011-04-01",
                telegram("C O N F I D E N T I A L", "1. (C) znewer text.", decl="01/01/2015"),
            ),
        ],
        {"intern": ("UNCLASSIFIED", "USA")},
    )
    day = date(2016, 6, 1)
    with Archive(db, user="intern", today=day) as archive:
        assert "znewer" in archive.get("09OTTAWA999").text
        assert [v.number for v in archive.versions("09OTTAWA999")] == [2]
        figures = archive.stats()
        assert (figures.versions, figures.cables_with_versions, figures.failures) == (1, 0, None)
        with pytest.raises(UnknownCable, match="has no version 1 you may read"):
            archive.get("09OTTAWA999", 1)
        with pytest.raises(UnknownCable):
            archive.diff("09OTTAWA999", 1, 2)
        found = archive.diff("09OTTAWA999")
        assert (found.old, found.new) == (2, 2)
    with Archive(db, user="intern", today=date(2036, 1, 1)) as archive:
        assert "zolder" in archive.get("09OTTAWA999", 1).text  # declassified in its turn


def test_a_review_binds_a_text_in_every_version_that_holds_it(tmp_path: Path) -> None:
    """Withholding paragraph 2 of the current version left the same text readable as
    paragraph 3 of an older version, and in diff."""
    shared = "zshared paragraph text that both versions hold."
    db = written_archive(
        tmp_path,
        [
            (
                "2010-12-01",
                telegram(
                    "C O N F I D E N T I A L",
                    "1. (C) zfirst.",
                    "2. (C) zsecond.",
                    f"3. (C) {shared}",
                    decl="01/01/2012",
                ),
            ),
            (
                "2011-04-01",
                telegram(
                    "C O N F I D E N T I A L",
                    "1. (C) zfirst.",
                    f"2. (C) {shared}",
                    decl="01/01/2012",
                ),
            ),
        ],
        {"intern": ("UNCLASSIFIED", "USA")},
    )
    with Archive(db, user=ADMIN, today=date(2013, 1, 1)) as archive:
        record(
            archive.store,
            "09OTTAWA999",
            release=False,
            reason="25X1: sources",
            reviewer=ADMIN,
            day=date(2013, 1, 1),
            paragraph=2,
        )
    with Archive(db, user="intern", today=date(2014, 1, 1)) as archive:
        for number in (1, 2):
            words = set(tokens(archive.get("09OTTAWA999", number).text))
            assert "zshared" not in words and "zfirst" in words
        assert "zshared" not in json.dumps(
            [c.text for c in archive.diff("09OTTAWA999", 1, 2).changes]
        )
        assert archive.search("zshared").total == 0


def test_a_paragraph_number_two_paragraphs_share_is_refused_with_both(tmp_path: Path) -> None:
    db = written_archive(
        tmp_path,
        [
            (
                "2011-04-01",
                telegram(
                    "C O N F I D E N T I A L",
                    "1. (C) zfirst.",
                    "2. (C) zone two.",
                    "2. (C) zother two.",
                ),
            )
        ],
        {},
    )
    runner = CliRunner()
    base = ["review", "09OTTAWA999", "--db", str(db), "--as", ADMIN, "--withhold", "--reason", "x"]
    result = runner.invoke(cli, [*base, "--paragraph", "2"])
    assert result.exit_code == AmbiguousParagraph.exit_code
    assert "has 2 paragraphs numbered 2" in result.output
    assert "(zone two.)" in result.output and "(zother two.)" in result.output
    unit = result.output.split("(zother two.)")[0].split()[-1]
    assert runner.invoke(cli, [*base, "--unit", unit]).exit_code == 0
    with Archive(db, user=ADMIN) as archive:
        assert archive.admin.reviews("09OTTAWA999")[0].texts == 1


def test_a_grant_on_one_release_reads_that_release_only(tmp_path: Path) -> None:
    """Collections held cables, not versions: a grant on the 2010-12 release read the
    2011-04 version too."""
    db = written_archive(
        tmp_path,
        [
            ("2010-12-01", telegram("U N C L A S", "1. (U) zearly text.")),
            ("2011-04-01", telegram("U N C L A S", "1. (U) zlate text.")),
        ],
        {},
    )
    with Archive(db) as archive:
        principals.add(archive.store, "early", citizenship="USA")
        principals.grant(archive.store, "early", collections=["2010-12"])
    with Archive(db, user="early") as archive:
        assert archive.search("zlate OR zearly").total == 0  # the current version is 2011-04
        assert "zearly" in archive.get("09OTTAWA999", 1).text
        with pytest.raises(UnknownCable, match="no cable"):
            archive.get("09OTTAWA999")
        assert [v.number for v in archive.versions("09OTTAWA999")] == [1]


# --- the census ----------------------------------------------------------------------------


@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS.exists(), reason="needs the corpus in ../shared/data")
def test_the_census_finds_no_marking_that_is_not_applied() -> None:
    """Every marking-like token of the corpus pages is applied to its unit, as ingest
    stores it, or set aside by a rule of docs/markings.md (tools/marking_census.py)."""
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "tools" / "marking_census.py"),
            "--sources",
            "corpus",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    figures = json.loads(run.stdout)
    assert figures["cables"] == 6712 and figures["not_applied"] == []
    forms = {
        (place, form): n for place, form, reading, n in figures["forms"] if reading == "understood"
    }
    assert forms[("paragraph start", "C/REL <names>")] >= 5
    assert forms[("bullet or sub-paragraph", "S/NF")] >= 100


def test_the_cable_page_shows_each_bullet_under_its_paragraph(
    sample_archive_file: Path, tmp_path: Path
) -> None:
    from fastapi.testclient import TestClient

    from cablekit.web.app import create_app

    from .web_archive import copy_archive

    app = create_app(copy_archive(sample_archive_file, tmp_path / "copy.db"))
    with TestClient(app) as client:
        page = client.get("/cable/09CAIRO746").text
    assert page.count('<p class="para part">') == 5
    assert '<span class="num">-</span> <span class="mark">(S/NF)</span>' in page
