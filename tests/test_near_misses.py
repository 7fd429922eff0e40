"""Nothing misread in silence (issue 16, part 3): each reader checks the shape it
expects before it reads, and refuses a near miss of its own format with one sentence
naming what it found and what it expected. Nothing of a refused input is archived;
the other inputs of the same ingest are.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cablekit.archive import Archive
from cablekit.errors import CablekitError
from cablekit.sources import iter_inputs
from cablekit.store.sqlite import SQLiteStore

from .conftest import DATA, SAMPLES

DATA_SAMPLES = DATA / "samples"
GOOD = SAMPLES / "09PARIS1007.txt"
BEIJING = (SAMPLES / "09BEIJING22.html").read_bytes()
NARA = (
    "URL,Draft Date,Document Number,Film Number,From,Subject,TAGS,To\n"
    '"https://aad.archives.gov/aad/createpdf?rid=1&dt=2476&dl=1345",1975-01-02,'
    '1975STATE000123,D750001-0012,SECSTATE WASHDC,"SUBJECT OF A CABLE",'
    '"PFOR, US",AMEMBASSY PARIS\n'
)


def ingest_beside_a_good_cable(tmp_path: Path, bad: Path) -> tuple[list[str], list[str]]:
    """(ids archived, failure messages) of an ingest of a good cable and ``bad``."""
    path = tmp_path / "a.db"
    with Archive(path, create=True) as archive:
        archive.ingest([str(GOOD), str(bad)])
    with SQLiteStore(path) as store:
        ids = [cable_id for (cable_id,) in store.query("SELECT id FROM cable")]
        return ids, [f.message for f in store.failures()]


def refusal(tmp_path: Path, name: str, data: bytes) -> str:
    """The one sentence refusing ``data`` as the file ``name``; only the good cable is in."""
    bad = tmp_path / name
    bad.write_bytes(data)
    ids, failures = ingest_beside_a_good_cable(tmp_path, bad)
    assert ids == ["09PARIS1007"], failures
    (message,) = failures
    assert str(bad) in message and message.count(". ") == 0, message
    return message


def test_telegram_prose_is_refused(tmp_path: Path) -> None:
    message = refusal(tmp_path, "letter.txt", b"Dear Anna,\n\nThe meeting is on Monday.\n")
    assert "'Dear Anna,'" in message and "classification line" in message


def test_markdown_that_is_not_a_scrape_is_refused(tmp_path: Path) -> None:
    message = refusal(tmp_path, "README.md", b"# My notes\n\nSee [the list](#).\n")
    assert "Markdown" in message and "'# My notes'" in message


def test_html_table_of_another_shape_is_refused(tmp_path: Path) -> None:
    page = BEIJING.replace(b"<th>Reference ID</th>", b"<th>Document</th>").replace(
        b"<th>Created</th>", b"<th>Author</th>"
    )
    message = refusal(tmp_path, "page.html", page)
    assert "Document, Author" in message and "Reference ID" in message


def test_html_page_with_a_shifted_table_is_refused(tmp_path: Path) -> None:
    page = BEIJING.replace(b">CONFIDENTIAL</a>", b">Embassy Beijing</a>")
    message = refusal(tmp_path, "page.html", page)
    assert "'Embassy Beijing' as Classification" in message


def test_the_national_archives_csv_export_is_refused_whole(tmp_path: Path) -> None:
    message = refusal(tmp_path, "aad-export.csv", NARA.encode())
    assert "National Archives" in message and "URL, Draft Date, Document Number" in message
    assert "8 columns without a title row" in message


def test_cables_csv_with_columns_in_another_order_is_refused(tmp_path: Path) -> None:
    text = GOOD.read_bytes().decode("latin-1").replace('"', "'")
    # origin and classification swapped: "Embassy Paris" in column 5
    row = f'"1","4/7/2009 12:00","09PARIS1007","CONFIDENTIAL","Embassy Paris","","","{text}"'
    message = refusal(tmp_path, "cables.csv", row.encode() + b"\n")
    assert "'Embassy Paris' in column 5 where cables.csv has a classification" in message


def test_jsonl_record_with_a_value_of_another_kind_is_refused(tmp_path: Path) -> None:
    text = GOOD.read_bytes().decode("latin-1")
    lines = [
        {"classification": "Embassy Paris", "text": text},
        {"date": "last Tuesday", "text": text},
    ]
    bad = tmp_path / "export.jsonl"
    bad.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    items = list(iter_inputs([bad]))
    assert all(isinstance(item, CablekitError) for item in items)
    assert "'Embassy Paris' as classification where a classification word" in str(items[0])
    assert "'last Tuesday' as date where a date" in str(items[1])


@pytest.mark.skipif(not DATA_SAMPLES.exists(), reason="needs the samples in ../shared/data")
def test_a_json_array_reads_like_json_lines(tmp_path: Path) -> None:
    flat = DATA_SAMPLES / "cables-json-flattened" / "delhi-3.jsonl"
    records = [json.loads(line) for line in flat.read_text("utf-8").splitlines() if line]
    array = tmp_path / "delhi.json"
    array.write_text(json.dumps(records, indent=2), encoding="utf-8")
    from_lines = [item for item in iter_inputs([flat])]
    from_array = [item for item in iter_inputs([array])]
    assert len(from_array) == len(records) == 3
    assert [(c.body, c.publication) for c in from_array] == [  # type: ignore[union-attr]
        (c.body, c.publication)  # type: ignore[union-attr]
        for c in from_lines
    ]
