"""Property-based tests: damaged real cables through ``cablekit.parse``.

The contract: ``parse`` returns a ``Cable`` whose every field has its declared type (the
dataclass is walked: strings are ``str``, tuples hold their declared item type, closed
vocabularies hold one of their values) and whose JSON form round-trips, or it raises
``cablekit.NotACable``; never anything else. ``parse`` is also deterministic.

The inputs are a handful of real cables (the packaged samples with the reference cable
09OTTAWA278, the raw telegrams of ``../shared/data/samples/raw-telegram`` when present, a
corpus page, a cables.csv and a JSON lines sample) damaged by the mutations of
``bench/fuzz.py``, drawn here with hypothesis strategies (a failure prints the seed name
and every draw, and the example database replays it):

- ``test_mutated_cable[<mutation>]``   one mutation kind, the format detected (and
  ``test_long_line``: a 1 MB line);
- ``test_mutated_record_file``         a damaged cables.csv or JSON lines file;
- ``test_forced_format[<format>]``     a stack of text mutations, the format forced;
- ``test_binary_input[<format>]``      bytes with NULs (junk, UTF-16/32 text), every format.

The tests at the bottom pin down the failures these properties and ``bench/fuzz.py`` found
(since fixed), with minimal inputs.
"""

from __future__ import annotations

import dataclasses
import json
import re
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar, Union

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import cablekit
from cablekit import Cable
from cablekit.schema import ENUMS
from cablekit.sources import FORMATS

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data"
SAMPLES = REPO / "src" / "cablekit" / "samples"
REFERENCE = SAMPLES / "09OTTAWA278.scraped.md"

T = TypeVar("T")


class Draw(Protocol):
    """``DataObject.draw``: a value from a strategy."""

    def __call__(self, strategy: st.SearchStrategy[T], label: Any = None) -> T: ...


# --------------------------------------------------------------------------- the seed cables


CABLE_FILE = re.compile(r"\d\d[A-Z]")  # a file named after its cable id, not README.md


def seed_cables() -> tuple[dict[str, bytes], dict[str, bytes]]:
    """Single-cable files (samples, raw telegrams, a corpus page) and record files (one
    cables.csv and one JSON lines sample), by short name."""
    paths = sorted(p for p in SAMPLES.iterdir() if CABLE_FILE.match(p.name))
    raw = DATA / "samples" / "raw-telegram"
    if raw.is_dir():
        paths += sorted(raw.glob("*.txt"))
    page = DATA / "corpus" / "cablegate-2011-04" / "cable" / "2009" / "04" / "09WARSAW433.html"
    if page.is_file():
        paths.append(page)
    records = [
        DATA / "samples" / "cables-csv" / "cables-sample-2-rows.csv",
        DATA / "samples" / "cables-json-flattened" / "delhi-3.jsonl",
    ]
    single = {f"{p.parent.name}/{p.name}": p.read_bytes() for p in paths}
    multi = {f"{p.parent.name}/{p.name}": p.read_bytes() for p in records if p.is_file()}
    if not multi:  # without ../shared/data: a JSON-lines file made from the packaged samples
        lines = [json.dumps({"body": body.decode("utf-8", "replace")}) for body in single.values()]
        multi["made/samples.jsonl"] = "\n".join(lines).encode() + b"\n"
    return single, multi


SEEDS, RECORD_SEEDS = seed_cables()
assert "samples/09OTTAWA278.scraped.md" in SEEDS
# Hypothesis draws a name (short in a falsifying example) and the test looks the bytes up.
seed_names = st.sampled_from(sorted(SEEDS))
record_names = st.sampled_from(sorted(RECORD_SEEDS))


# --------------------------------------------------------------------------- the contract


def type_violations(value: Any, tp: Any = Cable, path: str = "cable") -> list[str]:
    """Every value in the record that does not have its declared type (or vocabulary)."""
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        if value is None:
            return [] if type(None) in typing.get_args(tp) else [f"{path}: None"]
        (inner,) = [a for a in typing.get_args(tp) if a is not type(None)]
        return type_violations(value, inner, path)
    if origin is tuple:
        if type(value) is not tuple:
            return [f"{path}: {type(value).__name__} where a tuple is declared"]
        item = typing.get_args(tp)[0]
        return [p for n, v in enumerate(value) for p in type_violations(v, item, f"{path}[{n}]")]
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if type(value) is not tp:
            return [f"{path}: {type(value).__name__} where {tp.__name__} is declared"]
        hints = typing.get_type_hints(tp)
        problems = []
        for f in dataclasses.fields(tp):
            element = getattr(value, f.name)
            problems += type_violations(element, hints[f.name], f"{path}.{f.name}")
            allowed = ENUMS.get((tp.__name__, f.name))
            if allowed and element is not None and element not in allowed:
                problems.append(f"{path}.{f.name}: {element!r} not in {allowed}")
        return problems
    if tp in (str, int, bool):
        if type(value) is not tp:  # exactly: a bool is not an int here
            return [f"{path}: {type(value).__name__} {value!r:.80} where {tp.__name__}"]
        if tp is str:
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return [f"{path}: lone surrogates in {value!r:.80}"]
        return []
    return [f"{path}: unexpected declared type {tp}"]


def check_cable(cable: Cable) -> None:
    assert type(cable) is Cable
    problems = type_violations(cable)
    assert not problems, "\n".join(problems[:20])
    data = cable.to_json()
    text = json.dumps(data, ensure_ascii=False)
    json.dumps(data)  # and as ASCII
    assert Cable.from_json(data) == cable
    assert Cable.from_json(json.loads(text)) == cable


def parse_or_not_a_cable(data: bytes, format: str | None = None) -> Cable | None:
    """``parse`` judged against the contract; any other exception propagates (the test fails)."""
    try:
        cable = cablekit.parse(data, format=format)
    except cablekit.NotACable:
        return None
    check_cable(cable)
    return cable


# ------------------------------------------------------------------- mutations as strategies

KEYWORDS = [
    b"VZCZC",
    b"NNNN",
    b"DE RUEHOT #0278/01 0971925",
    b"ZNY CCCCC ZZH",
    b"O 071925Z APR 09",
    b"FM AMEMBASSY OTTAWA",
    b"TO RUEHC/SECSTATE WASHDC IMMEDIATE 9999",
    b"INFO RUCNCAN/ALL CANADIAN POSTS COLLECTIVE",
    b"XMT AMCONSUL",
    b"C O N F I D E N T I A L SECTION 01 OF 03 OTTAWA 000278",
    b"UNCLAS SECTION 99 OF 02 PARIS 001007",
    b"E.O. 12958: DECL: 04/07/2019",
    b"TAGS: PREL, PGOV, CA",
    b"SUBJECT: ",
    b"REF: A. OTTAWA 123 B. STATE 45678 C. 08 OTTAWA 1",
    b"Classified By: Ambassador David Wilkins, reasons 1.4 (b) and (d)",
    b"1. (C) ",
    b"END SUMMARY.",
    b"OTTAWA 00000278  002 OF 003",
    b"PAGE 02 OF 99",
    b"\xc2\xb6",
    b"\xb6",
    b"&#x000A;",
    b"<pre>",
    b"</pre>",
    b"&amp;",
    b'"',
    b"\\",
]
TEXT_BYTES = st.integers(1, 255)  # no NUL: a NUL in the first 8 KiB makes a "binary" file


def lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def truncate(draw: Draw, data: bytes) -> bytes:
    return data[: draw(st.integers(0, len(data)))]


def delete_lines(draw: Draw, data: bytes) -> bytes:
    rows = lines(data)
    for at in draw(st.lists(st.integers(0, 10**6), min_size=1, max_size=10)):
        if len(rows) > 1:
            del rows[at % len(rows)]
    return b"\n".join(rows)


def duplicate_lines(draw: Draw, data: bytes) -> bytes:
    rows = lines(data)
    for at in draw(st.lists(st.integers(0, 10**6), min_size=1, max_size=10)):
        at %= len(rows)
        rows.insert(at, rows[at])
    return b"\n".join(rows)


def insert_bytes(draw: Draw, data: bytes) -> bytes:
    buf = bytearray(data)
    for at, byte in draw(st.lists(st.tuples(st.integers(0, 10**6), TEXT_BYTES), max_size=20)):
        buf.insert(at % (len(buf) + 1), byte)
    return bytes(buf)


def overwrite_bytes(draw: Draw, data: bytes) -> bytes:
    buf = bytearray(data)
    for at, byte in draw(st.lists(st.tuples(st.integers(0, 10**6), TEXT_BYTES), max_size=20)):
        if buf:
            buf[at % len(buf)] = byte
    return bytes(buf)


def keywords(draw: Draw, data: bytes) -> bytes:
    rows = lines(data)
    for at, word in draw(
        st.lists(
            st.tuples(st.integers(0, 10**6), st.sampled_from(KEYWORDS)), min_size=1, max_size=6
        )
    ):
        rows.insert(at % (len(rows) + 1), word)
    return b"\n".join(rows)


def long_line(draw: Draw, data: bytes) -> bytes:
    """A line of about 1 MB."""
    rows = lines(data)
    unit = draw(st.sampled_from([b"A", b"A ", b" ", b"1. ", b"REF ", b"PREL, ", b"&#x000A;"]))
    prefix = draw(st.sampled_from([b"", b"SUBJECT: ", b"REF: ", b"TAGS: ", b"1. (C) "]))
    rows.insert(draw(st.integers(0, len(rows))), prefix + unit * ((1 << 20) // len(unit)))
    return b"\n".join(rows)


def as_text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def reencode_8bit(draw: Draw, data: bytes) -> bytes:
    codec = draw(st.sampled_from(["cp1252", "latin-1", "utf-8-sig"]))
    return as_text(data).encode(codec, "replace")


def reencode_utf16(draw: Draw, data: bytes) -> bytes:
    codec = draw(st.sampled_from(["utf-16", "utf-16-le", "utf-16-be", "utf-32"]))
    return as_text(data).encode(codec)


def empty(draw: Draw, data: bytes) -> bytes:
    return draw(st.sampled_from([b"", b"\n", b"\r\n\r\n", b" \t ", b"\xef\xbb\xbf"]))


def shuffle_lines(draw: Draw, data: bytes) -> bytes:
    rows = lines(data)
    draw(st.randoms(use_true_random=False)).shuffle(rows)
    return b"\n".join(rows)


def swap_header_body(draw: Draw, data: bytes) -> bytes:
    """The body before the header: the two ``<pre>`` blocks of a page swapped, or a
    telegram cut before its classification line (or at a drawn point) and swapped."""
    first = data.find(b"<pre")
    if first >= 0:
        a0 = data.find(b">", first) + 1
        a1 = data.find(b"</pre>", a0)
        b0 = data.find(b">", data.find(b"<pre", a1)) + 1 if data.find(b"<pre", a1) >= 0 else -1
        b1 = data.find(b"</pre>", b0) if b0 > 0 else -1
        if 0 < a0 <= a1 < b0 <= b1:
            return data[:a0] + data[b0:b1] + data[a1:b0] + data[a0:a1] + data[b1:]
    marks = [data.find(m) for m in (b"UNCLAS", b"C O N F", b"S E C R E T", b"CONFIDENTIAL")]
    found = [m for m in marks if m > 0]
    at_mark: bool = draw(st.booleans())
    cut = min(found) if found and at_mark else draw(st.integers(0, len(data)))
    return data[cut:] + b"\n" + data[:cut]


def line_ends(draw: Draw, data: bytes) -> bytes:
    end = draw(st.sampled_from([b"\r\n", b"\r", b" ", b"", b"\n\n"]))
    return data.replace(b"\r\n", b"\n").replace(b"\n", end)


def splice(draw: Draw, data: bytes) -> bytes:
    other = SEEDS[draw(seed_names)]
    return data[: draw(st.integers(0, len(data)))] + other[draw(st.integers(0, len(other))) :]


def late_nul(draw: Draw, data: bytes) -> bytes:
    """NUL bytes past the 8 KiB binary probe (after padding a short cable): they reach
    the parser."""
    probe = 8 * 1024
    if len(data) <= probe:
        data += b"\n" * (probe + 1 - len(data))
    at = draw(st.integers(probe + 1, len(data)))
    return data[:at] + b"\x00" * draw(st.integers(1, 16)) + data[at:]


def binary_junk(draw: Draw, data: bytes) -> bytes:
    junk = draw(st.binary(max_size=511)) + b"\x00"  # NUL bytes make it binary
    at = draw(st.integers(0, min(len(data), 4096)))
    return data[:at] + junk + data[at:]


Mutation = Callable[[Draw, bytes], bytes]
# Mutations that keep the input free of NUL bytes, so format detection still sees text.
TEXT_MUTATIONS: dict[str, Mutation] = {
    "truncate": truncate,
    "delete-lines": delete_lines,
    "duplicate-lines": duplicate_lines,
    "insert-bytes": insert_bytes,
    "overwrite-bytes": overwrite_bytes,
    "keywords": keywords,
    "reencode-8bit": reencode_8bit,
    "shuffle-lines": shuffle_lines,
    "swap-header-body": swap_header_body,
    "line-ends": line_ends,
    "splice": splice,
    "empty": empty,
}
BINARY_MUTATIONS: dict[str, Mutation] = {
    "binary-junk": binary_junk,
    "reencode-utf16": reencode_utf16,
}
MUTATIONS: dict[str, Mutation] = {**TEXT_MUTATIONS, "late-nul": late_nul, **BINARY_MUTATIONS}

# Moderate counts keep each test to a few seconds (bench/fuzz.py is the long run). No
# shrinking: the seeds are whole cables that cannot shrink, and shrinking a failure costs
# a minute; a failure prints the seed name and every draw, which replays it.
moderate = settings(
    max_examples=25,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)


# --------------------------------------------------------------------------- properties


@pytest.mark.parametrize("name", [*SEEDS, *RECORD_SEEDS])
def test_seed_cable_parses(name: str) -> None:
    cable = parse_or_not_a_cable(SEEDS.get(name) or RECORD_SEEDS[name])
    assert cable is not None
    assert cable.id


@pytest.mark.parametrize("mutation", list(MUTATIONS), ids=list(MUTATIONS))
@given(data=st.data())
@moderate
def test_mutated_cable(mutation: str, data: st.DataObject) -> None:
    seed = SEEDS[data.draw(seed_names, label="seed")]
    parse_or_not_a_cable(MUTATIONS[mutation](data.draw, seed))


@given(data=st.data())
@settings(moderate, max_examples=4)  # one parse of a 1 MB line takes about a second
def test_long_line(data: st.DataObject) -> None:
    seed = SEEDS[data.draw(seed_names, label="seed")]
    parse_or_not_a_cable(long_line(data.draw, seed))


@given(data=st.data())
@moderate
def test_mutated_record_file(data: st.DataObject) -> None:
    """A damaged cables.csv or JSON lines file, the format detected."""
    mutated = RECORD_SEEDS[data.draw(record_names, label="records")]
    for name in data.draw(st.lists(st.sampled_from(list(TEXT_MUTATIONS)), min_size=1, max_size=2)):
        mutated = TEXT_MUTATIONS[name](data.draw, mutated)
    parse_or_not_a_cable(mutated)


@pytest.mark.parametrize("format_", FORMATS, ids=list(FORMATS))
@given(data=st.data())
@moderate
def test_forced_format(format_: str, data: st.DataObject) -> None:
    seed = SEEDS[data.draw(seed_names, label="seed")]
    mutated = seed
    for name in data.draw(st.lists(st.sampled_from(list(TEXT_MUTATIONS)), max_size=3)):
        mutated = TEXT_MUTATIONS[name](data.draw, mutated)
    parse_or_not_a_cable(mutated, format_)


@pytest.mark.parametrize("format_", [None, *FORMATS], ids=["auto", *FORMATS])
@given(data=st.data())
@settings(moderate, max_examples=10)
def test_binary_input(format_: str | None, data: st.DataObject) -> None:
    seed = SEEDS[data.draw(seed_names, label="seed")]
    mutated = data.draw(st.sampled_from(list(BINARY_MUTATIONS.values())))(data.draw, seed)
    parse_or_not_a_cable(mutated, format_)


@given(data=st.data())
@moderate
def test_parse_is_deterministic(data: st.DataObject) -> None:
    seed = SEEDS[data.draw(seed_names, label="seed")]
    mutated = seed
    for name in data.draw(st.lists(st.sampled_from(list(TEXT_MUTATIONS)), max_size=2)):
        mutated = TEXT_MUTATIONS[name](data.draw, mutated)
    format_ = data.draw(st.sampled_from([None, "telegram", "markdown", "wikileaks-html"]))

    def outcome() -> object:
        try:
            return cablekit.parse(mutated, format=format_)
        except cablekit.CablekitError as error:
            return (type(error), str(error))

    first = outcome()
    assert outcome() == first
    assert outcome() == first


@given(text=st.text(max_size=300))
@moderate
def test_arbitrary_text(text: str) -> None:
    """Any text at all (str input, encoded as UTF-8 by ``parse``)."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    try:
        cable = cablekit.parse(text)
    except cablekit.NotACable:
        return
    check_cable(cable)


def test_the_type_check_sees_wrong_types() -> None:
    """The invariant check itself: it must report what it is there to catch."""
    good = cablekit.parse(REFERENCE.read_bytes())
    assert type_violations(good) == []
    bad = dataclasses.replace(
        good,
        id=278,  # type: ignore[arg-type]
        tags=["PREL"],  # type: ignore[arg-type]
        partial=1,  # type: ignore[arg-type]
        classification="SECRETISH",
        paragraphs=(dataclasses.replace(good.paragraphs[0], text=b"bytes"),),  # type: ignore[arg-type]
    )
    problems = "\n".join(type_violations(bad))
    for path in ("cable.id", "cable.tags", "cable.partial", "cable.classification"):
        assert path + ":" in problems
    assert "cable.paragraphs[0].text:" in problems
    assert type_violations(dataclasses.replace(good, id="\ud800")) != []


def test_reference_cable_round_trip() -> None:
    cable = parse_or_not_a_cable(REFERENCE.read_bytes())
    assert cable is not None and cable.id == "09OTTAWA278"
    assert cablekit.parse(REFERENCE.read_text(encoding="utf-8")) == cable


# --------------------------------------------------------------------------- found bugs
# Each pins down a failure the properties above or bench/fuzz.py found, now fixed.


@pytest.mark.parametrize(
    ("data", "format_"),
    [
        pytest.param(b'{"body": ' + b"1" * 5000 + b"}\n", None, id="huge-int-auto"),
        pytest.param(b"1" * 5000 + b"\n", "jsonl", id="huge-int-forced"),
        pytest.param(b'{"body": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n", None, id="deep"),
    ],
)
def test_jsonl_line_json_cannot_hold(data: bytes, format_: str | None) -> None:
    """A JSON line with a >4300-digit integer (ValueError) or nested 100,000 deep
    (RecursionError) is a bad line, not a crash."""
    parse_or_not_a_cable(data, format_)


@pytest.mark.parametrize(
    ("data", "format_"),
    [
        pytest.param(b"\x00\x01\x02 binary", None, id="binary-auto"),
        pytest.param(b"\x00\x01\x02 binary", "telegram", id="binary-telegram"),
        pytest.param(REFERENCE.read_text(encoding="utf-8").encode("utf-16"), None, id="utf16"),
        pytest.param(REFERENCE.read_bytes(), "cables-csv", id="md-as-csv"),
        pytest.param(REFERENCE.read_bytes(), "jsonl", id="md-as-jsonl"),
    ],
)
def test_parse_raises_only_not_a_cable(data: bytes, format_: str | None) -> None:
    """Binary junk, UTF-16 text, and text forced as cables-csv or jsonl that is neither:
    ``parse`` says NotACable, its only error."""
    parse_or_not_a_cable(data, format_)
