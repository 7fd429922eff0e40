"""The same cable in different forms parses to the same record.

Nov 2010 and Aug 2011 WikiLeaks pages against the Apr 2011 corpus pages, and the
rows of the leaked cables.csv against the pages of the same cables; the csv rows'
references against WikiLeaks' own reference column.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import cablekit
from cablekit.model import Cable

DATA = Path(__file__).parents[1] / ".." / "shared" / "data"
pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason="../shared/data is not present")

NOV_2010 = DATA / "samples" / "page-2010-11"
AUG_2011 = DATA / "samples" / "page-2011-08"
CSV = DATA / "samples" / "cables-csv"


def corpus_page(cable_id: str) -> Path:
    found = list((DATA / "corpus" / "cablegate-2011-04" / "cable").rglob(f"{cable_id}.html"))
    assert found, cable_id
    return found[0]


def one(path: Path) -> Cable:
    (cable,) = cablekit.read(path)
    return cable


def essence(cable: Cable) -> dict[str, Any]:
    """What must not depend on the wrapper."""
    return {
        "id": cable.id,
        "date": cable.date,
        "dtg": cable.dtg,
        "classification": cable.classification,
        "caveats": cable.caveats,
        "subject": cable.subject,
        "tags": cable.tags,
        "references": [(r.letter, r.id) for r in cable.references],
        "paragraphs": [(p.number, p.marking, p.text) for p in cable.paragraphs],
        "to": cable.to,
        "info": cable.info,
    }


@pytest.mark.parametrize("page", sorted(NOV_2010.glob("*.html")), ids=lambda p: p.stem)
def test_nov_2010_page_matches_apr_2011_page(page: Path) -> None:
    nov, apr = one(page), one(corpus_page(page.stem))
    assert nov.source.format == apr.source.format == "wikileaks-html"
    assert nov.paragraphs, "nothing parsed"
    assert essence(nov) == essence(apr)


def test_aug_2011_page_matches_apr_2011_page() -> None:
    aug, apr = one(AUG_2011 / "66BUENOSAIRES2481.html"), one(corpus_page("66BUENOSAIRES2481"))
    assert essence(aug) == essence(apr)
    assert aug.publication is not None and aug.publication.released is not None


def test_malformed_page_id_is_canonicalised() -> None:
    cable = one(AUG_2011 / "7575LIBREVILLE1895.html")
    assert cable.id == "75LIBREVILLE1895"
    assert cable.source.original_id == "7575LIBREVILLE1895"


def rows() -> list[Cable]:
    return list(cablekit.read(CSV / "cables-first-5-rows.csv"))


def test_csv_rows_match_the_pages_of_the_same_cables() -> None:
    by_id = {c.id: c for c in rows()}
    assert list(by_id) == [
        "66BUENOSAIRES2481",
        "72TEHRAN1164",
        "72TEHRAN1381",
        "72TEHRAN4789",
        "72TEHRAN5055",
    ]
    assert essence(by_id["66BUENOSAIRES2481"]) == essence(one(AUG_2011 / "66BUENOSAIRES2481.html"))
    for cable_id in ("66BUENOSAIRES2481", "72TEHRAN1164", "72TEHRAN5055"):
        assert essence(by_id[cable_id]) == essence(one(corpus_page(cable_id))), cable_id


def test_csv_date_is_the_dtg() -> None:
    first = rows()[0]
    assert first.dtg == "1966-12-28T18:48:00Z"
    assert first.publication is not None and first.publication.created == "1966-12-28T18:48"


def test_csv_references_agree_with_wikileaks_reference_column() -> None:
    for cable in [*rows(), *cablekit.read(CSV / "cables-sample-2-rows.csv")]:
        assert cable.publication is not None
        ours = sorted(r.id for r in cable.references if r.id)
        assert ours == sorted(cable.publication.references), cable.id


def test_two_csv_files_agree_on_shared_rows() -> None:
    five = {c.id: essence(c) for c in rows()}
    for cable in cablekit.read(CSV / "cables-sample-2-rows.csv"):
        assert essence(cable) == five[cable.id]


def test_flattened_json_lines_take_the_id_from_the_classification_line() -> None:
    cables = list(cablekit.read(DATA / "samples" / "cables-json-flattened" / "delhi-3.jsonl"))
    assert [c.id for c in cables] == ["87NEWDELHI19406", "87NEWDELHI23722", "97NEWDELHI6957"]
    first = cables[0]
    assert first.subject is not None and first.subject.startswith("INCREASE IN SIKH TERRORISM")
    assert [r.id for r in first.references] == ["87NEWDELHI17853"]
    assert first.tags == ("PTER", "PGOV", "IN")
