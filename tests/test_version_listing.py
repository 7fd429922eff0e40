"""What a restricted reader learns from a cable's list of versions.

09OTTAWA278 in two versions: the cable as sent (NOFORN in the header, every paragraph
C/NF) as release 2011-01, and an edit without the NOFORN caption whose paragraphs 1-4
are (C) as release 2011-04, the current one. Before its declassification day a
Canadian reader may read paragraphs 1-4 of version 2 and nothing of version 1. The
hash they are shown of a version is the SHA-1 of the text they are given of it (none
for a version they may not read), never the archived text's, which would let them
confirm a guess at the withheld paragraphs; and no version or record tells them a
server path or the row of an input. A reader cleared for everything, and the public
archive, still get the archived text's hash.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from cablekit.access import principals
from cablekit.archive import Archive
from cablekit.cli import cli
from cablekit.web import create_app

from .test_access import BEFORE_DECL, MIXED_ID, REFERENCE, mixed_reference

TODAY = {"CABLEKIT_TODAY": BEFORE_DECL.isoformat()}
PUBLIC_SOURCE_KEYS = {"format", "original_id"}
PASSWORD = "maple-leaf-liaison"


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def cablekit(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), env=TODAY)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder whose path no reader should ever be shown."""
    folder = tmp_path_factory.mktemp("server-inputs-do-not-show")
    shutil.copy(REFERENCE, folder / REFERENCE.name)
    mixed_reference(folder)
    return folder


@pytest.fixture(scope="module")
def public(inputs: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("listing") / "public.db"
    for release, name in (("2011-01", REFERENCE.name), ("2011-04", "09OTTAWA278.mixed.md")):
        cablekit("ingest", "--db", str(path), "--release", release, str(inputs / name))
    return path


@pytest.fixture(scope="module")
def guarded(public: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The same archive with a Canadian and a US reader; the Canadian's API token."""
    path = tmp_path_factory.mktemp("listing") / "guarded.db"
    shutil.copy(public, path)
    with Archive(path) as archive:
        principals.add(
            archive.store, "liaison", clearance="SECRET", citizenship="CAN", password=PASSWORD
        )
        principals.grant(archive.store, "liaison", collections=["*"])
        principals.add(archive.store, "officer", clearance="SECRET", citizenship="USA")
        principals.grant(archive.store, "officer", collections=["*"])
        token = principals.new_token(archive.store, "liaison", label="tests")
    return path, token


def archived_hashes(path: Path) -> dict[int, str]:
    """The SHA-1 of each version's archived text, as the archive keeps it."""
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT v.number, v.content_hash FROM version v JOIN cable c"
            " ON c.key = v.cable_key WHERE c.id = ?",
            (MIXED_ID,),
        ).fetchall()
    return dict(rows)


def shown_text(path: Path, user: str, number: int) -> str:
    out = cablekit("show", MIXED_ID, "--db", str(path), "--as", user, "--version", str(number))
    raw = cablekit(
        "show", MIXED_ID, "--db", str(path), "--as", user, "--version", str(number), "-o", "raw"
    )
    assert out  # the readable view can be shown too
    return raw[:-1]  # the line end echo adds


def assert_no_location(listed: list[dict[str, Any]], inputs: Path) -> None:
    for version in listed:
        assert set(version["source"]) <= PUBLIC_SOURCE_KEYS, version["source"]
    assert str(inputs) not in json.dumps(listed)


def test_the_cli_lists_hashes_of_what_the_reader_may_read(
    guarded: tuple[Path, str], inputs: Path
) -> None:
    path, _ = guarded
    full = archived_hashes(path)
    listed = json.loads(
        cablekit("versions", MIXED_ID, "--db", str(path), "--as", "liaison", "-o", "json")
    )
    assert_no_location(listed, inputs)
    readable = {v["number"]: v["content_hash"] for v in listed if v["content_hash"]}
    assert list(readable) == [2]  # version 1 is NOFORN throughout: no hash of it
    assert readable[2] == sha1(shown_text(path, "liaison", 2))
    assert readable[2] != full[2]
    assert "[withheld: NOFORN needs US citizenship]" in shown_text(path, "liaison", 2)
    text = cablekit("versions", MIXED_ID, "--db", str(path), "--as", "liaison")
    assert str(inputs) not in text and REFERENCE.name not in text
    record = json.loads(
        cablekit("show", MIXED_ID, "--db", str(path), "--as", "liaison", "-o", "json")
    )
    assert (record["source"]["path"], record["source"]["row"]) == (None, None)
    assert str(inputs) not in cablekit("show", MIXED_ID, "--db", str(path), "--as", "liaison")


def test_a_reader_who_may_read_everything_gets_the_archived_hash(guarded: tuple[Path, str]) -> None:
    path, _ = guarded
    listed = json.loads(
        cablekit("versions", MIXED_ID, "--db", str(path), "--as", "officer", "-o", "json")
    )
    full = archived_hashes(path)
    for version in listed:
        number = version["number"]
        assert version["content_hash"] == full[number] == sha1(shown_text(path, "officer", number))


def test_the_api_lists_hashes_of_what_the_reader_may_read(
    guarded: tuple[Path, str], inputs: Path
) -> None:
    path, token = guarded
    client = TestClient(create_app(path, today=BEFORE_DECL))
    headers = {"Authorization": f"Bearer {token}"}
    listed = client.get(f"/api/v1/cables/{MIXED_ID}/versions", headers=headers).json()
    assert_no_location(listed, inputs)
    hashes = {v["number"]: v["content_hash"] for v in listed}
    assert hashes.get(1) is None
    text = client.get(f"/api/v1/cables/{MIXED_ID}/text", headers=headers).text
    assert hashes[2] == sha1(text) != archived_hashes(path)[2]
    cable = client.get(f"/api/v1/cables/{MIXED_ID}", headers=headers).json()
    assert cable["version"]["content_hash"] == sha1(text)
    assert_no_location([cable["version"]], inputs)
    assert (cable["record"]["source"]["path"], cable["record"]["source"]["row"]) == (None, None)
    export = client.get("/api/v1/export", headers=headers).text
    assert str(inputs) not in export and '"row":null' in export


def test_the_cable_page_shows_no_server_path(guarded: tuple[Path, str], inputs: Path) -> None:
    path, _ = guarded
    client = TestClient(create_app(path, today=BEFORE_DECL))
    form = client.get("/login").text
    found = re.search(r'name="csrf" value="([^"]+)"', form)
    assert found
    signed_in = client.post(
        "/login",
        data={"username": "liaison", "password": PASSWORD, "csrf": found[1], "next": "/"},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303
    page = client.get(f"/cable/{MIXED_ID}")
    assert page.status_code == 200 and "paragraph" in page.text.lower()
    assert str(inputs) not in page.text
    assert archived_hashes(path)[2] not in page.text


def test_the_public_archive_keeps_the_archived_hash_and_the_path(
    public: Path, inputs: Path
) -> None:
    listed = json.loads(cablekit("versions", MIXED_ID, "--db", str(public), "-o", "json"))
    assert {v["number"]: v["content_hash"] for v in listed} == archived_hashes(public)
    assert all(str(inputs) in v["source"]["path"] for v in listed)
