"""A publisher's id is a cable id only when it is one; downloads name files safely.

A JSON line's ``reference_id`` becomes the archive's key, a path in URLs and a file
name in downloads. Crafted ones (a quote and a second ``filename``, CR LF and a header,
characters outside Latin-1, digits of another script, a path) are refused with a
warning, and the cable takes the id its classification line gives. Downloads of ids
already archived by an older cablekit still get a header no client can misread.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from cablekit.cli import cli
from cablekit.parser.derive import is_cable_id
from cablekit.web import create_app
from cablekit.web.download import attachment

from .conftest import SAMPLES

PARIS = (SAMPLES / "09PARIS1007.txt").read_bytes().decode("latin-1")
CRAFTED_IDS = [
    '09PARIS1007"; filename="evil.exe',
    "09PARIS1007\r\nSet-Cookie: session=forged",
    "09PARIS\u4e2d\u65871007",
    "\u0660\u0669PARIS1007",
    "../../../etc/09PARIS1007",
    "09PARIS1007\x00.json",
]
TOKEN = re.compile(r"[A-Za-z0-9._-]+")
EXT_VALUE = re.compile(r"(?:[A-Za-z0-9!#$&+.^_`|~-]|%[0-9A-F]{2})+")  # RFC 8187 value-chars


def paris(serial: int) -> str:
    """The Paris sample as cable 09PARIS<serial> (classification and DE lines)."""
    text = PARIS.replace("PARIS 001007", f"PARIS {serial:06d}").replace("#1007", f"#{serial}")
    assert text != PARIS
    return text


def crafted_jsonl(folder: Path) -> Path:
    path = folder / "crafted.jsonl"
    lines = [
        json.dumps({"reference_id": crafted, "text": paris(1001 + n)})
        for n, crafted in enumerate(CRAFTED_IDS)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def read_as_a_client(header: str) -> tuple[str, str]:
    """(disposition, file name) of a Content-Disposition header as a browser reads it
    (RFC 6266: ``filename*`` preferred). The header must be plain ASCII with no quote,
    backslash, CR or LF, and hold no parameter but the file name, once or twice."""
    assert header.isascii() and not set(header) & set('"\\\r\n'), header
    disposition, *parameters = header.split("; ")
    params = dict(p.split("=", 1) for p in parameters)
    assert len(params) == len(parameters) and set(params) in (
        {"filename"},
        {"filename", "filename*"},
    )
    assert TOKEN.fullmatch(params["filename"]), params["filename"]
    name = params["filename"]
    if "filename*" in params:
        charset, language, encoded = params["filename*"].split("'")
        assert (charset, language) == ("UTF-8", "")
        assert EXT_VALUE.fullmatch(encoded), encoded
        name = unquote(encoded, encoding="utf-8", errors="strict")
    assert not set(name) & set('/\\"\r\n\x00'), name
    assert not name.startswith("."), name
    return disposition, name


@pytest.fixture(scope="module")
def crafted_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ids")
    path = folder / "crafted.db"
    result = CliRunner().invoke(
        cli, ["ingest", "--db", str(path), "--no-progress", str(crafted_jsonl(folder))]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{len(CRAFTED_IDS)} ingested")
    return path


def test_crafted_reference_ids_are_not_taken_as_cable_ids(crafted_archive: Path) -> None:
    with sqlite3.connect(crafted_archive) as db:
        ids = sorted(cable_id for (cable_id,) in db.execute("SELECT id FROM cable"))
    assert ids == [f"09PARIS{1001 + n}" for n in range(len(CRAFTED_IDS))]
    for n, crafted in enumerate(CRAFTED_IDS):
        result = CliRunner().invoke(
            cli, ["show", "--db", str(crafted_archive), f"09PARIS{1001 + n}", "-o", "json"]
        )
        record = json.loads(result.stdout)
        codes = [w["code"] for w in record["warnings"]]
        assert "publication-id-invalid" in codes
        # What was published stays in the record, as data (its newlines normalised).
        assert record["source"]["original_id"] == crafted.replace("\r\n", "\n")


def test_downloads_of_the_crafted_archive_name_their_files_safely(crafted_archive: Path) -> None:
    client = TestClient(create_app(crafted_archive))
    for n in range(len(CRAFTED_IDS)):
        response = client.get(f"/cable/09PARIS{1001 + n}/json")
        assert response.status_code == 200
        disposition, name = read_as_a_client(response.headers["content-disposition"])
        assert (disposition, name) == ("attachment", f"09PARIS{1001 + n}-v1.json")
    response = client.get("/api/v1/export", params={"format": "csv"})
    assert read_as_a_client(response.headers["content-disposition"]) == (
        "attachment",
        "cablekit-export.csv",
    )


@pytest.fixture(scope="module")
def legacy_archive(crafted_archive: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same cables under the crafted ids, as a cablekit that took them unchecked
    archived them (stripped and upper-cased)."""
    path = tmp_path_factory.mktemp("legacy") / "legacy.db"
    path.write_bytes(crafted_archive.read_bytes())
    with sqlite3.connect(path) as db:
        for n, crafted in enumerate(CRAFTED_IDS):
            legacy_id = crafted.strip().upper()
            db.execute("UPDATE cable SET id = ? WHERE id = ?", (legacy_id, f"09PARIS{1001 + n}"))
    return path


@pytest.mark.parametrize("crafted", [i for i in CRAFTED_IDS if "/" not in i])
def test_downloads_of_ids_archived_unchecked_never_fail_nor_inject(
    legacy_archive: Path, crafted: str
) -> None:
    client = TestClient(create_app(legacy_archive), raise_server_exceptions=False)
    response = client.get(f"/cable/{quote(crafted, safe='')}/json")
    assert response.status_code == 200, response.text
    disposition, name = read_as_a_client(response.headers["content-disposition"])
    assert disposition == "attachment" and name.endswith("-v1.json")
    assert "Set-Cookie" not in response.headers or "forged" not in response.headers["set-cookie"]


@pytest.mark.parametrize(
    ("filename", "ascii_name", "name"),
    [
        ("cablekit-export.jsonl", "cablekit-export.jsonl", "cablekit-export.jsonl"),
        ('a"; filename="evil.exe', "a__filename__evil.exe", "a_ filename=_evil.exe"),
        ("x\r\nSet-Cookie: a=b.json", "xSet-Cookie__a_b.json", "xSet-Cookie_ a=b.json"),
        ("../../etc/passwd", "_.._etc_passwd", "_.._etc_passwd"),
        ("Caf\u00e9-\u4e2d\u6587.json", "Cafe-__.json", "Caf\u00e9-\u4e2d\u6587.json"),
        ("\u4e2d\u6587", "download", "\u4e2d\u6587"),
        ("\u4e2d\u6587.json", "__.json", "\u4e2d\u6587.json"),
        ("", "download", "download"),
        (".hidden", "hidden", "hidden"),
    ],
)
def test_the_header_is_one_file_name_whatever_the_name_holds(
    filename: str, ascii_name: str, name: str
) -> None:
    header = attachment(filename)
    assert read_as_a_client(header) == ("attachment", name)
    assert f"filename={ascii_name}" in header.split("; ")


def test_the_cable_id_grammar_is_ascii_and_whole() -> None:
    assert is_cable_id("09OTTAWA278") and is_cable_id("66BUENOSAIRES2394")
    for crafted in [*CRAFTED_IDS, "09OTTAWA278\n", "09ottawa278", "\u0660\u0669OTTAWA278"]:
        assert not is_cable_id(crafted)
