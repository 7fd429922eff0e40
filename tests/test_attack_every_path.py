"""A cable marked as a post might mark it and nobody had tried (REL TO a group, a
marked sentence above its lead, SBU with NOFORN, a bullet REL to one ally, an
unreadable control, a portion above its cable, lower-case 25X1, ORCON), in two
versions, read by eight kinds of reader through every path: CLI search, show,
versions, diff, export, refs, stats; the API's search, record, versions, diff and
export; the web's search, cable, raw, JSON and diff pages. Each word of the cable
stands for one portion: no path may show a reader a word the oracle below withholds,
nor count it in a total, and every path together shows every word it allows.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from cablekit.access import principals
from cablekit.archive import Archive
from cablekit.cli import cli
from cablekit.web import create_app

PASSWORD = "a long attack password"


def telegram(cls: str, paras: list[str], decl: str = "04/07/2035") -> str:
    return "\n".join(
        [
            "R 071535Z APR 09",
            "FM AMEMBASSY OTTAWA",
            "TO SECSTATE WASHDC 1234",
            "BT",
            f"{cls} OTTAWA 000999",
            f"E.O. 12958: DECL: {decl}",
            "TAGS: PREL CA",
            "SUBJECT: ZSUBJECT ATTACK",
            "",
            "\n\n".join(paras),
            "",
            "SMITH",
            "",
        ]
    )


V1 = telegram(
    "S E C R E T",
    [
        "1. (U) zpublicword opening.",
        "2. (S//REL TO USA, FVEY) zfiveeyes text.",
        "3. (C) Lead text zleadc. (S//NF) zsecretnf inner sentence.",
        "4. (SBU//NOFORN) zsbunf handled.",
        "5. (C) Points:\n\n-- (S/REL GBR) zbulletgbr point.\n\n-- (C//ZQX) zbadmark point.",
        "6. (TS//NF) ztopsecret above its cable.",
        "7. (S) zplainsecret.",
        "8. (s//rel to usa, can, gbr//25x1) zlowerrel exempt.",
        "9. (C/NF/ORCON) zorcon.",
    ],
)
V2 = telegram(
    "C O N F I D E N T I A L",
    [
        "1. (U) zpublicword opening.",
        "2. (C) zchangedconf now.",
        "3. (C) Lead text zleadc. (S//NF) zsecretnf inner sentence.",
        "4. (SBU//NOFORN) zsbunf handled.",
        "6. (TS//NF) ztopsecret above its cable.",
    ],
)
WORDS = [
    "zpublicword",
    "zfiveeyes",
    "zleadc",
    "zsecretnf",
    "zsbunf",
    "zbulletgbr",
    "zbadmark",
    "ztopsecret",
    "zplainsecret",
    "zchangedconf",
    "zlowerrel",
    "zorcon",
]
READERS = {  # name: (clearance, citizenship, accesses)
    "us_ts": ("TOP SECRET", "USA", ()),
    "us_s": ("SECRET", "USA", ()),
    "gbr_s": ("SECRET", "GBR", ()),
    "fra_s": ("SECRET", "FRA", ()),
    "can_ts": ("TOP SECRET", "CAN", ()),
    "us_c": ("CONFIDENTIAL", "USA", ()),
    "us_u": ("UNCLASSIFIED", "USA", ()),
    "us_s_orcon": ("SECRET", "USA", ("ORCON",)),
}
RANK = {"UNCLASSIFIED": 0, "SBU": 1, "CONFIDENTIAL": 3, "SECRET": 4, "TOP SECRET": 5}
FVEY = {"USA", "GBR", "CAN", "AUS", "NZL"}
# word: (level, released to (None: any), accesses, version numbers holding it)
MEANT = {
    "zpublicword": (0, None, (), {1, 2}),
    "zfiveeyes": (4, FVEY, (), {1}),
    "zleadc": (3, None, (), {1, 2}),
    "zsecretnf": (4, {"USA"}, (), {1, 2}),  # a marked sentence is its own unit
    "zsbunf": (1, {"USA"}, (), {1, 2}),
    "zbulletgbr": (4, {"USA", "GBR"}, (), {1}),
    "zbadmark": (99, set(), (), {1}),
    "ztopsecret": (5, {"USA"}, (), {1, 2}),
    "zplainsecret": (4, None, (), {1}),
    "zchangedconf": (3, None, (), {2}),
    "zlowerrel": (4, {"USA", "CAN", "GBR"}, (), {1}),
    "zorcon": (3, {"USA"}, ("ORCON",), {1}),
}
HEADER = {1: 4, 2: 3}
ID = "09OTTAWA999"


def may(reader: str, word: str, version: int) -> bool:
    clearance, country, accesses = READERS[reader]
    level, rel, need, versions = MEANT[word]
    if version not in versions or RANK[clearance] < HEADER[version]:
        return False
    return (
        RANK[clearance] >= level and (rel is None or country in rel) and set(need) <= set(accesses)
    )


def allowed(reader: str, versions: tuple[int, ...] = (1, 2)) -> set[str]:
    return {w for w in WORDS for v in versions if may(reader, w, v)}


def seen(text: str) -> set[str]:
    return {w for w in WORDS if w in text.lower()}


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    tmp = tmp_path_factory.mktemp("attack")
    db = tmp / "a.db"
    (tmp / "v1.txt").write_text(V1)
    (tmp / "v2.txt").write_text(V2)
    cab(db, "ingest", "--release", "2010-12", str(tmp / "v1.txt"))
    cab(db, "ingest", "--release", "2011-04", str(tmp / "v2.txt"))
    return db, add_readers(db, READERS, "attack")


def add_readers(db: Path, readers: dict[str, Any], label: str) -> dict[str, str]:
    """An administrator "boss", and each reader (clearance, citizenship, accesses) granted
    every collection, with an API token each: the tokens by reader."""
    tokens = {}
    with Archive(db) as a:
        principals.add(a.store, "boss", citizenship="USA", admin=True)
        for name, (cl, ctry, acc) in readers.items():
            principals.add(
                a.store, name, clearance=cl, citizenship=ctry, password=PASSWORD, access=list(acc)
            )
            principals.grant(a.store, name, collections=["*"])
            tokens[name] = principals.new_token(a.store, name, label=label)
    return tokens


def cab(db: Path, *args: str, user: str | None = None) -> str:
    result = CliRunner().invoke(
        cli,
        [*args, "--db", str(db), *(["--as", user] if user else [])],
        env={"CABLEKIT_TODAY": "2026-12-07"},
    )
    return result.output


@pytest.mark.parametrize("reader", list(READERS))
def test_no_path_shows_a_reader_more_than_the_oracle_allows(
    archive: tuple[Path, dict[str, str]], reader: str, tmp_path: Path
) -> None:
    db, tokens = archive
    app = create_app(db, today=date(2026, 12, 7))
    ok_any = allowed(reader)
    outputs: dict[str, str] = {}
    outputs["cli search"] = cab(db, "search", " OR ".join(WORDS), "--limit", "50", user=reader)
    for w in WORDS:
        outputs[f"cli search {w}"] = cab(db, "search", w, "--facets", "--timeline", user=reader)
    outputs["cli show"] = cab(db, "show", ID, user=reader)
    outputs["cli show v1"] = cab(db, "show", ID, "--version", "1", user=reader)
    outputs["cli show v2"] = cab(db, "show", ID, "--version", "2", user=reader)
    outputs["cli versions"] = cab(db, "versions", ID, user=reader)
    outputs["cli diff"] = cab(db, "diff", ID, "1", "2", user=reader)
    out = tmp_path / f"{reader}.jsonl"
    cab(db, "export", "-o", str(out), user=reader)
    outputs["cli export"] = out.read_text() if out.exists() else ""
    outputs["cli refs"] = cab(db, "refs", ID, user=reader)
    outputs["cli stats"] = cab(db, "stats", user=reader)
    h = {"Authorization": f"Bearer {tokens[reader]}"}
    api = TestClient(app)
    outputs["api search"] = api.get(
        "/api/v1/search", params={"q": " OR ".join(WORDS), "facets": "true"}, headers=h
    ).text
    for w in WORDS:
        outputs[f"api search {w}"] = api.get("/api/v1/search", params={"q": w}, headers=h).text
    outputs["api cable"] = api.get(f"/api/v1/cables/{ID}", headers=h).text
    outputs["api v1"] = api.get(f"/api/v1/cables/{ID}", params={"version": 1}, headers=h).text
    outputs["api versions"] = api.get(f"/api/v1/cables/{ID}/versions", headers=h).text
    outputs["api diff"] = api.get(
        f"/api/v1/cables/{ID}/diff", params={"a": 1, "b": 2}, headers=h
    ).text
    outputs["api export"] = api.get("/api/v1/export", headers=h).text
    web = TestClient(app)
    form = re.search(r'name="csrf" value="([^"]+)"', web.get("/login").text)
    assert form is not None
    csrf = form.group(1)
    r = web.post(
        "/login",
        data={"username": reader, "password": PASSWORD, "csrf": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303, (reader, r.status_code, r.text[:200])
    outputs["web search"] = web.get("/", params={"q": " OR ".join(WORDS)}).text
    outputs["web cable"] = web.get(f"/cable/{ID}").text
    outputs["web cable v1"] = web.get(f"/cable/{ID}", params={"version": 1}).text
    outputs["web raw v1"] = web.get(f"/cable/{ID}/raw", params={"version": 1}).text
    outputs["web json"] = web.get(f"/cable/{ID}/json").text
    outputs["web diff"] = web.get(f"/cable/{ID}/diff", params={"a": 1, "b": 2}).text
    got_any: set[str] = set()
    leaks: list[str] = []
    for path, text in outputs.items():
        if "search" in path:  # the query is echoed back: it is not what was found
            text = text.replace(" OR ".join(WORDS), "").replace(
                " OR ".join(WORDS).replace(" ", "+"), ""
            )
            text = re.sub(
                r'(?:\\"|"|&#34;|&quot;|&#39;)z[a-z]+(?:\\"|"|&#34;|&quot;|&#39;)', "", text
            )
            text = re.sub(r'value="z[a-z]+"|q=z[a-z]+|"query":"z[a-z]+"', "", text)
        got = seen(text)
        got_any |= got
        if path.startswith(("cli search z", "api search z")):
            w = path.split()[-1]
            n = (
                re.search(r'"total":\s*(\d+)', text)
                if path.startswith("api")
                else re.search(r"^(\d+) cables?", text, re.M)
            )
            total = int(n.group(1)) if n else 0
            if total and w not in ok_any:
                leaks.append(f"{path}: total {total} for a hidden word")
        extra = got - ok_any
        if extra:
            leaks.append(f"{path}: {sorted(extra)}")
    assert not leaks
    assert got_any == ok_any  # the oracle is not vacuous: what it allows is shown
