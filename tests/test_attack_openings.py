"""A cable whose first paragraphs are withheld from most readers, marked in words a post
might spell out and nobody had tried here (``SECRET NOT RELEASABLE TO FOREIGN
NATIONALS``, ``FOR OFFICIAL USE ONLY``, ``C ENTIRE TEXT``, ``S//REL TO USA, NZL``),
read by each kind of reader through every path. Issue 14 changed how a page's openings
are found (the first paragraph a reader may see, from the withheld set the search
already holds, not from the scope's SQL), how hits are ranked and how the facets of a
few hits are counted: a search by field alone shows every hit's opening, so each reader
must see the opening of their own first visible paragraph, and nothing withheld.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cablekit.web import create_app

from .test_attack_every_path import PASSWORD, add_readers, cab

ID = "09OTTAWA998"
CABLE = "\n".join(
    [
        "R 071535Z APR 09",
        "FM AMEMBASSY OTTAWA",
        "TO SECSTATE WASHDC 1234",
        "BT",
        "S E C R E T OTTAWA 000998",
        "E.O. 12958: DECL: 04/07/2035",
        "TAGS: PREL CA",
        "SUBJECT: ZHEADING OPENINGS",
        "",
        "1. (SECRET NOT RELEASABLE TO FOREIGN NATIONALS) zwrittennf first paragraph.",
        "",
        "2. (S//REL TO USA, NZL) zkiwi second paragraph.",
        "",
        "3. (FOR OFFICIAL USE ONLY) zfouo third paragraph.",
        "",
        "4. (U) zopenword fourth paragraph.",
        "",
        "5. (C ENTIRE TEXT) zentire fifth paragraph.",
        "",
        "SMITH",
        "",
    ]
)
WORDS = ["zwrittennf", "zkiwi", "zfouo", "zopenword", "zentire"]
READERS = {  # name: (clearance, citizenship, the words they may see, in order)
    "us_ts": ("TOP SECRET", "USA", WORDS),
    "us_s": ("SECRET", "USA", WORDS),
    "nzl_s": ("SECRET", "NZL", ["zkiwi", "zfouo", "zopenword", "zentire"]),
    "fra_s": ("SECRET", "FRA", ["zfouo", "zopenword", "zentire"]),
    "gbr_s": ("SECRET", "GBR", ["zfouo", "zopenword", "zentire"]),
    "us_c": ("CONFIDENTIAL", "USA", []),  # below the cable's header: no cable at all
}


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    tmp = tmp_path_factory.mktemp("openings")
    db = tmp / "a.db"
    (tmp / "c.txt").write_text(CABLE)
    cab(db, "ingest", "--release", "2011-04", str(tmp / "c.txt"))
    readers = {name: (clearance, country, ()) for name, (clearance, country, _) in READERS.items()}
    return db, add_readers(db, readers, "openings")


def seen(text: str) -> set[str]:
    return {w for w in WORDS if w in text.lower()}


@pytest.mark.parametrize("reader", list(READERS))
def test_each_reader_sees_the_opening_of_their_own_first_paragraph_and_nothing_withheld(
    archive: tuple[Path, dict[str, str]], reader: str, tmp_path: Path
) -> None:
    db, tokens = archive
    allowed = READERS[reader][2]
    h = {"Authorization": f"Bearer {tokens[reader]}"}
    api = TestClient(create_app(db, today=date(2026, 12, 7)))
    pages = {}
    for query in ("tag:PREL", "from:OTTAWA", "zheading"):
        for sort in ("relevance", "newest"):
            found = api.get(
                "/api/v1/search",
                params={"q": query, "sort": sort, "facets": "true", "timeline": "true"},
                headers=h,
            ).json()
            pages[f"api {query} {sort}"] = found
            assert found["total"] == (1 if allowed else 0), (reader, query)
            if allowed:  # no word of the query in a paragraph: the opening is shown
                (hit,) = found["results"]
                assert seen(hit["snippet"]) == {allowed[0]}, (reader, query, hit["snippet"])
    outputs = {k: json.dumps(v) for k, v in pages.items()}
    outputs["cli search"] = cab(db, "search", "tag:PREL", "--facets", "--timeline", user=reader)
    outputs["cli search newest"] = cab(db, "search", "from:OTTAWA", "--sort", "newest", user=reader)
    outputs["cli show"] = cab(db, "show", ID, user=reader)
    outputs["cli versions"] = cab(db, "versions", ID, user=reader)
    out = tmp_path / f"{reader}.jsonl"
    cab(db, "export", "-o", str(out), user=reader)
    outputs["cli export"] = out.read_text() if out.exists() else ""
    outputs["api cable"] = api.get(f"/api/v1/cables/{ID}", headers=h).text
    outputs["api export"] = api.get("/api/v1/export", headers=h).text
    for word in WORDS:
        found = api.get("/api/v1/search", params={"q": word}, headers=h).json()
        assert found["total"] == (1 if word in allowed else 0), (reader, word)
        outputs[f"api search {word}"] = json.dumps(found["results"])
    web = TestClient(create_app(db, today=date(2026, 12, 7)))
    form = re.search(r'name="csrf" value="([^"]+)"', web.get("/login").text)
    assert form is not None
    r = web.post(
        "/login",
        data={"username": reader, "password": PASSWORD, "csrf": form.group(1)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    outputs["web search"] = web.get("/", params={"q": "tag:PREL"}).text
    outputs["web cable"] = web.get(f"/cable/{ID}").text
    outputs["web json"] = web.get(f"/cable/{ID}/json").text
    leaks = {path: sorted(seen(text) - set(allowed)) for path, text in outputs.items()}
    assert not {path: words for path, words in leaks.items() if words}
    shown = set().union(*(seen(text) for text in outputs.values()))
    assert shown == set(allowed)  # the oracle is not vacuous
