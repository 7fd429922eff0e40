"""The readers: every input form in, RawCable objects (or error objects) out.

Real samples come from ../shared/data (tests using them skip when it is
missing); archives, damaged files and odd inputs are built in tmp_path.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import re
import resource
import sys
import tarfile
import zipfile
from collections.abc import Iterable
from pathlib import Path

import pytest

from cablekit.archive import Archive
from cablekit.errors import CablekitError, MissingInput, NotACable, UnknownFormat, UnreadableInput
from cablekit.sources import (
    FLATTENED,
    FORMAT_NAMES,
    FORMATS,
    HTML,
    MARKDOWN,
    TEXT,
    RawCable,
    containers,
    detect,
    iter_inputs,
    jsonl,
    read_bytes,
)
from cablekit.sources.decode import decode, text_stream

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
SAMPLES = DATA / "samples"
CORPUS = DATA / "corpus" / "cablegate-2011-04"
PACKAGED = ROOT / "src" / "cablekit" / "samples"


@pytest.fixture
def samples() -> Path:
    if not SAMPLES.is_dir():
        pytest.skip(f"{SAMPLES} is missing")
    return SAMPLES


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} is missing")
    return CORPUS


def one(path: Path) -> RawCable:
    """The single cable of a single-cable file."""
    (cable,) = read_bytes(path.read_bytes(), str(path))
    return cable


def items(paths: Iterable[str | Path], format: str | None = None) -> list[RawCable | CablekitError]:
    return list(iter_inputs([str(p) for p in paths], format))


def cables(got: list[RawCable | CablekitError]) -> list[RawCable]:
    """``got``, checked to hold cables only."""
    assert all(isinstance(item, RawCable) for item in got), got
    return [item for item in got if isinstance(item, RawCable)]


def describe(item: RawCable | CablekitError) -> str:
    """A member's name, or the error's class: a compact view of an iter_inputs stream."""
    if isinstance(item, CablekitError):
        return type(item).__name__
    assert item.source.path is not None
    return item.source.path.rsplit("/", 1)[-1]


# --- detection ------------------------------------------------------------------

SAMPLE_FORMATS = [
    ("raw-telegram/06NEWDELHI5135.txt", "telegram"),
    ("raw-telegram/09PARIS1007.txt", "telegram"),
    ("raw-telegram/09USEUBRUSSELS948.txt", "telegram"),
    ("seed/09OTTAWA278.scraped.md", "markdown"),
    ("page-2010-11/66BUENOSAIRES2481.html", "wikileaks-html"),
    ("page-2010-11/72TEHRAN1164.html", "wikileaks-html"),
    ("page-2010-11/79TEHRAN8980.html", "wikileaks-html"),
    ("page-2010-11/86MADRID5480.html", "wikileaks-html"),
    ("page-2010-11/89PANAMA8545.html", "wikileaks-html"),
    ("page-2011-08/66BUENOSAIRES2481.html", "wikileaks-html"),
    ("page-2011-08/73TEHRAN8233.html", "wikileaks-html"),
    ("page-2011-08/7575LIBREVILLE1895.html", "wikileaks-html"),
    ("cables-csv/cables-first-5-rows.csv", "cables-csv"),
    ("cables-csv/cables-sample-2-rows.csv", "cables-csv"),
    ("cables-json-flattened/delhi-3.jsonl", "jsonl"),
]


@pytest.mark.parametrize(("relative", "expected"), SAMPLE_FORMATS)
def test_detect_every_sample_by_name_and_by_content_alone(
    samples: Path, relative: str, expected: str
) -> None:
    path = samples / relative
    head = path.read_bytes()[: containers.HEAD_BYTES]
    assert detect(str(path), head) == expected
    assert detect(None, head) == expected


def test_detect_corpus_page_and_packaged_samples() -> None:
    for name, expected in [
        ("09BEIJING22.html", "wikileaks-html"),
        ("09OTTAWA278.scraped.md", "markdown"),
        ("09PARIS1007.txt", "telegram"),
    ]:
        head = (PACKAGED / name).read_bytes()[: containers.HEAD_BYTES]
        assert detect(name, head) == expected
        assert detect(None, head) == expected


def test_detect_falls_back_to_telegram_and_uses_extensions() -> None:
    assert detect(None, b"SOME PLAIN TEXT\n") == "telegram"
    assert detect("notes.md", b"plain words\n") == "markdown"
    assert detect("rows.csv", b"a,b\n") == "cables-csv"
    assert detect("x.jsonl", b"") == "jsonl"
    assert detect(None, b'  {"text": "x"}\n') == "jsonl"
    assert detect(None, b'"1","12/28/1966 18:48","66BUENOSAIRES2481","Embassy"') == "cables-csv"


def test_detect_rejects_binary() -> None:
    with pytest.raises(UnknownFormat, match=re.escape("photo.png is a binary file, not a cable")):
        detect("photo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")


def test_format_names_cover_formats() -> None:
    assert FORMATS == ("telegram", "markdown", "wikileaks-html", "cables-csv", "jsonl", "pdf")
    assert tuple(FORMAT_NAMES) == FORMATS


# --- decoding -------------------------------------------------------------------


def test_decode_utf8_strips_bom_and_normalises_line_ends() -> None:
    assert decode("\ufeffA ¶\r\nB\rC\n".encode()) == "A ¶\nB\nC\n"


def test_decode_falls_back_to_cp1252_then_latin1() -> None:
    # 0xB6 is ¶ in both; 0x93/0x94 are cp1252 quotes; 0x81 is undefined in cp1252.
    assert decode(b"\xb615. \x93QTE\x94 \x81\r\n") == "¶15. “QTE” \x81\n"


def test_text_stream_reads_stray_bytes_as_cp1252() -> None:
    stream = io.BytesIO(b"\xef\xbb\xbfcaf\xc3\xa9 \xb6 ok")
    text = text_stream(stream)
    assert text.read() == "café ¶ ok"
    text.detach()
    assert not stream.closed


# --- single-cable formats -------------------------------------------------------


def test_raw_telegram_is_decoded_from_latin1_crlf(samples: Path) -> None:
    cable = one(samples / "raw-telegram" / "09PARIS1007.txt")
    assert cable.markup == TEXT
    assert cable.header is None and cable.publication is None
    assert cable.source.format == "telegram"
    assert cable.body.startswith("\nVZCZCXRO5911\nOO RUEHDBU")
    assert "\r" not in cable.body
    assert cable.body.count("¶") == 5  # byte 0xB6 five times in the file


def test_markdown_scrape_keeps_its_artefacts_for_the_parser() -> None:
    cable = one(PACKAGED / "09OTTAWA278.scraped.md")
    assert cable.markup == MARKDOWN
    assert cable.header is None
    assert cable.source.format == "markdown"
    assert "[¶](#)" in cable.body and "VZCZCXRO1975" in cable.body


def test_page_2010_11_four_columns(samples: Path) -> None:
    cable = one(samples / "page-2010-11" / "66BUENOSAIRES2481.html")
    assert cable.markup == HTML
    assert cable.publication is not None
    assert cable.publication.reference_id == "66BUENOSAIRES2481"
    assert cable.publication.created == "1966-12-28 18:06"  # as written (minutes wrong)
    assert cable.publication.released is None
    assert cable.publication.classification == "UNCLASSIFIED"
    assert cable.publication.origin == "Embassy Buenos Aires"
    assert cable.source.original_id == "66BUENOSAIRES2481"
    assert cable.header is not None
    assert cable.header.startswith("P R 281848Z DEC 66&#x000A;FM AMEMBASSY BUENOS AIRES")
    assert cable.header.endswith("AMEMBASSY LONDON&#x000A;STATE GRNC")
    assert cable.body.startswith("UNCLASSIFIED BUENOS AIRES 2481 &#x000A;")
    assert cable.body.endswith("GP-3 &#x000A;SACCIO")
    assert not cable.partial


def test_page_2011_08_five_columns(samples: Path) -> None:
    cable = one(samples / "page-2011-08" / "66BUENOSAIRES2481.html")
    assert cable.publication is not None
    assert cable.publication.created == "1966-12-28 18:48"
    assert cable.publication.released == "2011-08-30 01:44"
    assert cable.publication.classification == "UNCLASSIFIED"
    assert cable.publication.origin == "Embassy Buenos Aires"
    assert cable.header is not None and cable.header.startswith("P R 281848Z DEC 66&#x000A;")
    assert cable.body.startswith("UNCLASSIFIED BUENOS AIRES 2481 &#x000A;")
    odd = one(samples / "page-2011-08" / "7575LIBREVILLE1895.html")
    assert odd.publication is not None
    assert odd.publication.reference_id == "7575LIBREVILLE1895"  # malformed, kept as published


def test_page_staged_release_template_keeps_inner_html_verbatim() -> None:
    cable = one(PACKAGED / "09BEIJING22.html")  # byte-identical to the corpus page
    assert cable.publication is not None
    assert cable.publication.reference_id == "09BEIJING22"
    assert cable.publication.created == "2009-01-06 08:08"
    assert cable.publication.released == "2010-12-04 21:09"
    assert cable.publication.classification == "CONFIDENTIAL"
    assert cable.publication.origin == "Embassy Beijing"
    assert cable.header is not None
    assert cable.header.startswith("VZCZCXRO0309&#x000A;OO RUEHCN RUEHGH RUEHVC&#x000A;")
    assert cable.header.endswith("RHMFISS/CDR USPACOM HONOLULU HI")
    assert cable.body.startswith("C O N F I D E N T I A L SECTION 01 OF 07 BEIJING 000022 ")
    assert "<a id='par" in cable.body and "&#x000A;" in cable.body
    assert not cable.partial


def test_partial_page_note_is_cut_from_the_header(corpus: Path) -> None:
    madrid = one(corpus / "cable" / "2005" / "03" / "05MADRID1178.html")
    assert madrid.partial and madrid.header == ""
    assert madrid.body.startswith("C O N F I D E N T I A L MADRID 001178")
    harare = one(corpus / "cable" / "2000" / "09" / "00HARARE5461.html")
    assert harare.partial
    assert harare.header is not None
    assert harare.header.lstrip().startswith("CONFIDENTIAL     PTQ2529&#x000A;")


def test_html_page_without_a_cable_is_not_a_cable() -> None:
    page = b"<!DOCTYPE html><html><body><p>index</p></body></html>"
    with pytest.raises(NotACable, match=re.escape("index.html is an HTML page without a cable")):
        list(read_bytes(page, "index.html"))


# --- cables.csv -----------------------------------------------------------------


def test_cables_csv_rows(samples: Path) -> None:
    five = items([samples / "cables-csv" / "cables-first-5-rows.csv"])
    two = items([samples / "cables-csv" / "cables-sample-2-rows.csv"])
    assert len(five) == 5 and len(two) == 2
    assert all(isinstance(item, RawCable) for item in five + two)
    first = five[0]
    assert isinstance(first, RawCable) and first.publication is not None
    assert first.markup == TEXT
    assert first.source.format == "cables-csv" and first.source.row == 1
    assert first.source.original_id == "66BUENOSAIRES2481"
    assert first.publication.record_number == 1
    assert first.publication.created == "1966-12-28T18:48"
    assert first.publication.origin == "Embassy Buenos Aires"
    assert first.publication.classification == "UNCLASSIFIED"
    assert first.publication.references == ("66STATE106206",)
    assert first.header is not None and first.header.startswith("P R 281848Z DEC 66\nFM AMEMBASSY")
    assert first.body.startswith("UNCLASSIFIED BUENOS AIRES 2481 \n")
    assert '"PREFERENTIAL JURISDICTION"' in first.body  # \" decoded
    second = five[1]
    assert isinstance(second, RawCable) and second.publication is not None
    assert second.publication.references == ("72MOSCOW1603", "72TEHRAN1091", "72TEHRAN263")
    assert second.publication.created == "1972-02-25T09:30"
    assert [c.source.row for c in five if isinstance(c, RawCable)] == [1, 2, 3, 4, 5]


def test_cables_csv_malformed_row_is_skipped_with_an_error(tmp_path: Path) -> None:
    rows = (
        '"1","2/5/2009 16:36","09KUWAIT110","Embassy Kuwait","SECRET//NOFORN",'
        '"09KUWAIT95, 09KUWAIT96","VZCZC\r\nDE RUEHKU","S E C R E T KUWAIT 000110\r\n1. TEXT"\r\n'
        '"2","2/5/2009 16:36","09KUWAIT111","Embassy Kuwait"\r\n'
        '"3","2009-02-06 08:00:00","09KUWAIT112","Embassy Kuwait","CONFIDENTIAL","","H","B"\r\n'
    )
    path = tmp_path / "cables.csv"
    path.write_bytes(rows.encode())
    got = items([path])
    assert [type(item) for item in got] == [RawCable, UnreadableInput, RawCable]
    assert str(got[1]) == f"{path} row 2 has 4 fields instead of 8; skipped"
    first, third = got[0], got[2]
    assert isinstance(first, RawCable) and isinstance(third, RawCable)
    assert first.publication is not None and third.publication is not None
    assert first.publication.references == ("09KUWAIT95", "09KUWAIT96")
    assert first.body == "S E C R E T KUWAIT 000110\n1. TEXT"  # CRLF inside a field
    assert third.source.row == 3 and third.publication.created == "2009-02-06T08:00"
    assert third.publication.references == ()


# --- JSON lines -----------------------------------------------------------------


def test_jsonl_flattened_export_never_takes_id_from_underscore_id(samples: Path) -> None:
    got = items([samples / "cables-json-flattened" / "delhi-3.jsonl"])
    assert len(got) == 3
    first = got[0]
    assert isinstance(first, RawCable) and first.publication is not None
    assert first.markup == FLATTENED and first.header is None
    assert first.source.format == "jsonl" and first.source.row == 1
    assert first.publication.origin == "Embassy New Delhi"
    assert first.publication.created == "1987-08-07T12:11"
    assert first.publication.classification == "UNCLASSIFIED"
    assert first.body.startswith("UNCLAS SECTION 01 OF 02 NEW DELHI 19406")
    for cable in got:  # _id is the first REF (87NEWDELHI17853 for NEW DELHI 19406)
        assert isinstance(cable, RawCable)
        assert cable.source.original_id is None
        assert cable.publication is not None and cable.publication.reference_id is None
        assert "87NEWDELHI17853" not in repr((cable.source, cable.publication))


def test_jsonl_other_shapes_and_bad_lines(tmp_path: Path) -> None:
    lines = [
        '{"header": "VZCZC\\nDE RUEHKU", "content": "S E C R E T\\r\\n1. X",'
        ' "refid": "09KUWAIT110"}',
        "{not json",
        '{"text": "R 250930Z FEB 72\\nFM AMEMBASSY TEHRAN", "id": 2}',
        "",
        '["a list"]',
        '{"origin": "Embassy X"}',
    ]
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(lines) + "\n")
    got = items([path])
    kinds = [type(item) for item in got]
    assert kinds == [RawCable, UnreadableInput, RawCable, UnreadableInput, NotACable]
    csv_like, text = got[0], got[2]
    assert isinstance(csv_like, RawCable) and isinstance(text, RawCable)
    assert csv_like.markup == TEXT and csv_like.header == "VZCZC\nDE RUEHKU"
    assert csv_like.body == "S E C R E T\n1. X"
    assert csv_like.source.original_id == "09KUWAIT110"
    assert text.markup == TEXT and text.header is None and text.source.original_id is None
    assert str(got[1]).startswith(f"{path} line 2 is not valid JSON")


def test_jsonl_line_too_long_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonl, "_LINE_LIMIT", 100)
    path = tmp_path / "long.jsonl"
    path.write_text('{"text": "' + "X" * 500 + '"}\n{"text": "SHORT"}\n')
    got = items([path])
    assert [type(item) for item in got] == [UnreadableInput, RawCable]
    assert str(got[0]) == f"{path} line 1 is too long to hold a single cable; skipped"
    assert isinstance(got[1], RawCable) and got[1].source.row == 2


# --- paths, directories, errors -------------------------------------------------


def test_missing_path_is_reported_and_the_next_path_still_read(tmp_path: Path) -> None:
    good = tmp_path / "cable.txt"
    good.write_bytes((PACKAGED / "09PARIS1007.txt").read_bytes())
    got = items(["x.txt", good])
    assert isinstance(got[0], MissingInput)
    assert str(got[0]) == "No such file or directory: x.txt"
    assert isinstance(got[1], RawCable) and got[1].source.path == str(good)


def test_permission_denied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "y.txt"
    path.write_text("TEXT")

    def refuse(file: str, mode: str = "r") -> io.BufferedReader:
        raise PermissionError(13, "Permission denied", file)

    monkeypatch.setattr(containers, "open", refuse, raising=False)  # root could read anyway
    (error,) = items([path])
    assert isinstance(error, UnreadableInput) and str(error) == f"Permission denied: {path}"


def test_binary_and_empty_files(tmp_path: Path) -> None:
    photo = tmp_path / "photo.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(100))
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b" \n")
    binary, nothing = items([photo, empty])
    assert isinstance(binary, UnknownFormat)
    assert str(binary) == f"{photo} is a binary file, not a cable"
    assert isinstance(nothing, NotACable) and str(nothing) == f"{empty} is empty"


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="no /dev/null")
def test_devices_are_streamed_not_slurped() -> None:
    (error,) = items(["/dev/null"])
    assert isinstance(error, NotACable) and str(error) == "/dev/null is empty"


def test_single_cable_over_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(containers, "MAX_CABLE_BYTES", 1000)
    big = tmp_path / "big.txt"
    big.write_bytes(b"VZCZC " * 400)
    (error,) = items([big])
    assert isinstance(error, UnreadableInput)
    assert str(error).startswith(f"{big} is too large to be a single cable")


def test_directory_walk_is_recursive_sorted_and_skips_hidden(tmp_path: Path) -> None:
    text = (PACKAGED / "09PARIS1007.txt").read_bytes()
    for name in ["b/2.txt", "a.txt", "b/1.txt", ".hidden.txt", ".git/x.txt", "c/.x.txt"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(text)
    got = items([tmp_path])
    assert [item.source.path for item in got if isinstance(item, RawCable)] == [
        str(tmp_path / "a.txt"),
        str(tmp_path / "b" / "1.txt"),
        str(tmp_path / "b" / "2.txt"),
    ]


def test_stdin(monkeypatch: pytest.MonkeyPatch, samples: Path) -> None:
    data = (samples / "cables-json-flattened" / "delhi-3.jsonl").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    got = cables(items(["-"]))
    assert len(got) == 3 and got[0].source.path == "<stdin>"


def test_forced_and_unknown_formats() -> None:
    (cable,) = read_bytes(b"[x](#) looks like markdown\nTAGS: PREL", format="telegram")
    assert cable.source.format == "telegram" and cable.source.path is None
    (error,) = list(iter_inputs(["whatever"], format="docx"))
    assert isinstance(error, UnknownFormat) and "choose one of telegram" in str(error)
    with pytest.raises(UnknownFormat):
        list(read_bytes(b"\0\0binary"))


# --- archives -------------------------------------------------------------------

TELEGRAMS = ["06NEWDELHI5135.txt", "09PARIS1007.txt", "09USEUBRUSSELS948.txt"]


def members(samples: Path) -> list[tuple[str, bytes]]:
    """Nine telegram members (the three raw samples, three times): about 170 KB."""
    files = [(name, (samples / "raw-telegram" / name).read_bytes()) for name in TELEGRAMS]
    return [(f"cable/{n}/{name}", data) for n in range(3) for name, data in files]


def write_tar(path: Path, mode: str, content: list[tuple[str, bytes]]) -> None:
    with tarfile.open(path, mode) as tar:  # type: ignore[call-overload]
        for name, data in content:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        hidden = tarfile.TarInfo("cable/.DS_Store")
        tar.addfile(hidden, io.BytesIO(b""))


@pytest.mark.parametrize(
    ("suffix", "mode"),
    [("tar", "w"), ("tar.gz", "w:gz"), ("tgz", "w:gz"), ("tar.xz", "w:xz"), ("tar.bz2", "w:bz2")],
)
def test_tar_archives_are_read_member_by_member(
    tmp_path: Path, samples: Path, suffix: str, mode: str
) -> None:
    content = members(samples)
    archive = tmp_path / f"cables.{suffix}"
    write_tar(archive, mode, content)
    got = cables(items([archive]))
    assert [item.source.path for item in got] == [f"{archive}!{name}" for name, _ in content]
    assert got[1].body.startswith("\nVZCZCXRO5911")


def test_zip_archive_and_nested_compressed_files(tmp_path: Path, samples: Path) -> None:
    archive = tmp_path / "cables.zip"
    jsonl = (samples / "cables-json-flattened" / "delhi-3.jsonl").read_bytes()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "a/09PARIS1007.txt", (samples / "raw-telegram" / "09PARIS1007.txt").read_bytes()
        )
        zf.writestr("a/delhi.jsonl.gz", gzip.compress(jsonl))
        zf.writestr("__MACOSX/a/._09PARIS1007.txt", b"\0\0resource fork")
    got = items([archive])
    assert [describe(item) for item in got] == ["09PARIS1007.txt"] + ["delhi.jsonl.gz"] * 3
    jsonl_cable = cables(got)[1]
    assert jsonl_cable.source.path == f"{archive}!a/delhi.jsonl.gz"
    assert jsonl_cable.markup == FLATTENED


def test_inputs_over_the_single_cable_limit_are_streamed(
    tmp_path: Path, samples: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(containers, "MAX_CABLE_BYTES", 1000)
    jsonl_data = (samples / "cables-json-flattened" / "delhi-3.jsonl").read_bytes()
    csv_data = (samples / "cables-csv" / "cables-first-5-rows.csv").read_bytes()
    archive = tmp_path / "big.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("delhi.jsonl", jsonl_data)
    (tmp_path / "big.csv").write_bytes(csv_data)
    tarball = tmp_path / "big.tar.gz"
    write_tar(tarball, "w:gz", [("rows.csv", csv_data)])
    got = cables(items([archive, tmp_path / "big.csv", tarball]))
    assert [c.source.format for c in got] == ["jsonl"] * 3 + ["cables-csv"] * 10
    assert got[-1].source.path == f"{tarball}!rows.csv" and got[-1].source.row == 5


def test_single_compressed_files(tmp_path: Path, samples: Path) -> None:
    jsonl = (samples / "cables-json-flattened" / "delhi-3.jsonl").read_bytes()
    page = (samples / "page-2010-11" / "72TEHRAN1164.html").read_bytes()
    (tmp_path / "delhi.jsonl.xz").write_bytes(lzma.compress(jsonl))
    (tmp_path / "page.html.bz2").write_bytes(bz2.compress(page))
    got = cables(items([tmp_path / "delhi.jsonl.xz", tmp_path / "page.html.bz2"]))
    assert [item.source.format for item in got] == ["jsonl"] * 3 + ["wikileaks-html"]
    assert got[3].publication is not None
    assert got[3].publication.reference_id == "72TEHRAN1164"


def test_truncated_tar_gz_yields_the_members_before_the_damage(
    tmp_path: Path, samples: Path
) -> None:
    content = members(samples)
    whole = tmp_path / "whole.tar.gz"
    write_tar(whole, "w:gz", content)
    cut = tmp_path / "x.tar.gz"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size * 6 // 10])
    got = items([cut, whole])
    first_error = next(i for i, item in enumerate(got) if isinstance(item, CablekitError))
    assert first_error >= 2  # about half of the members came through
    before = cables(got[:first_error])
    assert [item.source.path for item in before] == [
        f"{cut}!{name}" for name, _ in content[:first_error]
    ]
    assert isinstance(got[first_error], UnreadableInput)
    assert str(got[first_error]) == f"{cut} is a truncated or corrupt archive"
    assert len(got) == first_error + 1 + len(content)  # and the next input is read whole


def test_tar_cut_at_a_member_boundary_is_noticed(tmp_path: Path, samples: Path) -> None:
    # tarfile itself ends such a stream quietly, as if the archive were complete.
    content = members(samples)
    whole = tmp_path / "whole.tar"
    write_tar(whole, "w", content)
    with tarfile.open(whole) as tar:
        fourth = tar.getmembers()[3].offset
    cut = tmp_path / "cut.tar"
    cut.write_bytes(whole.read_bytes()[:fourth])
    got = items([cut])
    assert [type(item) for item in got] == [RawCable] * 3 + [UnreadableInput]


def test_truncated_zip_yields_the_members_before_the_damage(tmp_path: Path, samples: Path) -> None:
    content = members(samples)
    whole = tmp_path / "whole.zip"
    with zipfile.ZipFile(whole, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in content:
            zf.writestr(name, data)
    cut = tmp_path / "cut.zip"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    got = items([cut])
    assert len(got) >= 3
    assert all(isinstance(item, RawCable) for item in got[:-1])
    assert isinstance(got[-1], UnreadableInput)
    assert str(got[-1]) == f"{cut} is a truncated or corrupt archive"


def test_read_bytes_unpacks_archives_and_raises_on_damage(tmp_path: Path, samples: Path) -> None:
    archive = tmp_path / "a.tar.gz"
    write_tar(archive, "w:gz", members(samples)[:2])
    data = archive.read_bytes()
    assert [c.source.path for c in read_bytes(data, "a.tar.gz")] == [
        "a.tar.gz!cable/0/06NEWDELHI5135.txt",
        "a.tar.gz!cable/0/09PARIS1007.txt",
    ]
    with pytest.raises(
        UnreadableInput, match=re.escape("a.tar.gz is a truncated or corrupt archive")
    ):
        list(read_bytes(data[:-100], "a.tar.gz"))


# --- the corpus -----------------------------------------------------------------


@pytest.mark.corpus
def test_corpus_archive_streams_all_pages(corpus: Path) -> None:
    archive = corpus / "cable.tar.xz"
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    count = partial = 0
    beijing: RawCable | None = None
    for item in iter_inputs([archive]):
        assert isinstance(item, RawCable), item
        assert item.source.format == "wikileaks-html" and item.publication is not None
        assert item.publication.released is not None  # every page: staged-release template
        count += 1
        partial += item.partial
        if item.source.path == f"{archive}!cable/2009/01/09BEIJING22.html":
            beijing = item
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert count == 6712
    assert partial == 694
    assert beijing is not None and beijing.source.original_id == "09BEIJING22"
    # ~450 MiB of pages went through; the xz decoder alone needs ~65 MiB.
    assert grown < 200 * 1024


@pytest.mark.parametrize("shape", ["lines", "array"])
def test_half_a_surrogate_pair_in_json_becomes_a_replacement_character(
    tmp_path: Path, shape: str
) -> None:
    """JSON may escape half of a surrogate pair alone: Python reads a string that no
    UTF-8 can hold, and the ingest (hashing the text) and `cablekit parse` (writing it)
    stopped on a traceback. It is read as U+FFFD; a whole pair stays the character it is."""
    record = (
        '{"content": "R 250930Z FEB 09\\nFM AMEMBASSY TEHRAN\\nTO SECSTATE WASHDC\\n'
        'SUBJECT: TEA \\ud83d AND \\ud83d\\ude00\\n1. TEXT.", "refid": "09TEHRAN1"}'
    )
    path = tmp_path / ("one.jsonl" if shape == "lines" else "one.json")
    path.write_text(record + "\n" if shape == "lines" else f"[{record}]")
    (cable,) = items([path])
    assert isinstance(cable, RawCable)
    assert "TEA \ufffd AND \U0001f600" in cable.body
    cable.body.encode("utf-8")  # holds only Unicode

    with Archive(tmp_path / "a.db", create=True) as archive:
        report = archive.ingest([str(path)])
        assert (report.ingested, report.failed) == (1, 0)
        (hit,) = archive.search("tea").results
        assert "\ufffd" in hit.subject
