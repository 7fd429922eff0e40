"""Tests written against the survivors of a mutation run (issue 14) over three changes of
the same day: the hashes that name reviewed text (``access.policy``), the record's JSON
writer (``model.compact_json`` and the converters of ``model.to_data``), and a small
page's search (few-hit facets, openings, page rows, ``sql.among``).

Each test below failed on at least one mutant that the other tests let through; the
mutants are named in the docstrings."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pytest

import cablekit
from cablekit.access.policy import header_hash, text_hash
from cablekit.archive import Archive
from cablekit.model import compact_json
from cablekit.search.export import export

from .conftest import DATA, SAMPLES

RAW = DATA / "samples" / "raw-telegram"
NOT_HEADER = ("source", "publication", "paragraphs", "summary", "warnings", "page_markers")


def compact(data: object, sort_keys: bool = False) -> bytes:
    """What records are documented to be: ``json``'s compact form, in UTF-8."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=sort_keys)
    return text.encode("utf-8")


def exported(archive: Archive) -> list[bytes]:
    out = io.BytesIO()
    export(archive.store, None, out=out)
    return out.getvalue().splitlines()


# --- the hashes that name reviewed text ------------------------------------------------------


def test_a_text_hash_folds_case_as_unicode_does() -> None:
    """Cables are written in capitals and later copies in mixed case; a decision taken
    on one copy must name the other. Full case folding makes "ß" "ss" (``lower()`` leaves
    it): WILHELMSTRASSE and Wilhelmstraße are the same text. (Mutant: casefold ->
    lower.)"""
    upper = "THE MINISTRY OF FINANCE, WILHELMSTRASSE 97, CONFIRMED THE FIGURES."
    mixed = "The Ministry of Finance, Wilhelmstraße 97, confirmed the figures."
    assert text_hash(upper) == text_hash(mixed)
    assert text_hash(mixed) == hashlib.sha256(upper.lower().encode()).hexdigest()[:32]


# --- the record's JSON: orjson, and json for what orjson refuses ------------------------------


def test_a_record_holding_an_integer_past_64_bits_is_stored_as_json_writes_it(
    tmp_path: Path,
) -> None:
    """JSON integers have no bound, so a record read from a JSON line may hold one that
    orjson refuses (past 64 bits): json writes it, and the archive must not tell the
    difference. The cable is stored and read back, its export line is json's compact
    form (non-ASCII text as written, fields in order), and the header hash stored with
    it is the one computed from its sorted header. (Mutants of the fallback: removed,
    ``ensure_ascii`` dropped, ``sort_keys`` dropped, ``separators`` dropped.)"""
    (cable,) = cablekit.read(SAMPLES / "09BEIJING22.html")
    record = cable.to_json()
    record["serial"] = 2**64 + 22  # in the header: the header hash goes through json too
    path = tmp_path / "09BEIJING22.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    with Archive(tmp_path / "big.db", create=True) as archive:
        archive.ingest([str(path)])
        stored = archive.get("09BEIJING22").cable
        (line,) = exported(archive)
        ((hhash,),) = archive.store.query("SELECT hhash FROM cable")
    assert stored.serial == 2**64 + 22
    assert "’" in line.decode("utf-8")  # written as is, not \u2019
    assert line == compact(stored.to_json())
    header = {k: v for k, v in stored.to_json().items() if k not in NOT_HEADER}
    assert hhash == header_hash(stored)
    assert hhash == "h" + hashlib.sha256(compact(header, sort_keys=True)).hexdigest()[:31]


@pytest.mark.parametrize("sort_keys", [False, True])
def test_a_record_holding_half_a_surrogate_pair_is_refused_as_json_refuses_it(
    sort_keys: bool,
) -> None:
    """A JSON line may escape half of a surrogate pair (an emoji cut in two, "\\ud83d"),
    and ``json.loads`` reads it. It has no UTF-8 form: the writer refuses it as json's
    ``encode`` does, rather than store bytes no reader of the archive could decode.
    (Mutants: the fallback's encode with "surrogatepass"; the fallback removed, which
    raises orjson's TypeError instead.)"""
    (cable,) = cablekit.read(SAMPLES / "09BEIJING22.html")
    record = cable.to_json()
    record["subject"] = json.loads('"CHINA: NEW YEAR GREETINGS \\ud83d"')
    with pytest.raises(UnicodeEncodeError):
        compact(record, sort_keys)
    with pytest.raises(UnicodeEncodeError):
        compact_json(record, sort_keys)


def test_an_exported_line_is_the_record_in_its_own_field_order(
    sample_archive: Archive,
) -> None:
    """Export writes the stored records as they are, so they are stored as
    ``Cable.to_json()`` gives them, ``id`` first, not sorted: the same form as the
    line of a record withheld in part, which is rewritten for its reader
    (``Archive._reader_json``), so that no line's form tells it apart. (Mutant:
    ``compact_json`` sorting keys by default.)"""
    lines = exported(sample_archive)
    assert len(lines) == sample_archive.store.query("SELECT count(*) FROM cable")[0][0]
    for line in lines:
        cable_id = json.loads(line)["id"]
        assert line.startswith(b'{"id":'), cable_id
        assert line == compact(sample_archive.get(cable_id).cable.to_json()), cable_id


# --- a small page's search ---------------------------------------------------------------------


def test_an_undated_cable_counts_in_no_year_however_few_the_hits(tmp_path: Path) -> None:
    """A copy of a telegram that lost its envelope (VZCZC to the INFO lines) has no DTG,
    so no date: it is a hit, and counts in no year. A few hits are counted one by one in
    Python, where undated cables hold year 0 in the columns. (Mutant: ``y > 0`` ->
    ``y >= 0`` in ``few_facets``, which gave a year "0".)"""
    telegram = (RAW / "09PARIS1007.txt").read_bytes().split(b"\r\n")
    assert telegram[5].startswith(b"O 241555Z JUL 09") and telegram[11].startswith(b"CONFID")
    undated = tmp_path / "09PARIS1007.txt"
    undated.write_bytes(b"\r\n".join(telegram[11:]))
    dated = [RAW / "06NEWDELHI5135.txt", RAW / "09USEUBRUSSELS948.txt"]
    with Archive(tmp_path / "few.db", create=True) as archive:
        archive.ingest([str(undated), *map(str, dated)])
        assert archive.get("09PARIS1007").cable.date is None
        result = archive.search(
            "id:09PARIS1007 OR id:06NEWDELHI5135 OR id:09USEUBRUSSELS948", facets=True
        )
    assert result.total == 3
    assert [(v.value, v.count) for v in result.facets["year"]] == [("2006", 1), ("2009", 1)]
