#!/usr/bin/env python3
"""Mutation fuzzer for ``cablekit.parse``: real cables in, damaged copies through the parser.

Every input is a real cable (the packaged samples, ``../shared/data/samples`` and the
corpus pages unpacked in ``corpus/cablegate-2011-04/cable/``) damaged by one to three
random mutations: truncation, deleted/duplicated/shuffled lines, random bytes inserted or
overwritten, binary junk, a 1 MB line, cable keywords dropped in, the text re-encoded
(UTF-16, cp1252, latin-1, ...), changed line ends, swapped header and body, a splice of two
cables, or an empty input. Each input goes through ``cablekit.parse(data)`` and through
``cablekit.parse(data, format=f)`` for every format.

The contract checked: a call returns a ``Cable`` whose every field has its declared type
(and closed vocabularies hold one of their values), whose JSON form round-trips, or it
raises ``cablekit.NotACable``. Anything else is a *finding*:

- ``crash``      an exception that is not a cablekit error (a parser bug);
- ``contract``   a cablekit error other than NotACable (UnknownFormat, UnreadableInput...);
- ``invariant``  a returned Cable with a wrongly typed field or a broken JSON round trip;
- ``timeout``    a call that ran longer than ``--timeout`` seconds.

The process runs under an address-space limit (``--memory-mib``), so that a runaway
allocation shows up as a ``crash: MemoryError`` instead of exhausting the machine.

Findings are grouped by signature (kind, exception type, raising line in cablekit). The first
of each signature is printed with its traceback; the first ``--save`` inputs of each are saved
under ``bench/out/fuzz/`` with a ``.txt`` note. Every case is reproducible:
``bench/fuzz.py --seed S --case N`` replays case N of seed S and prints the outcome of each call.

Usage::

    .venv/bin/python bench/fuzz.py --seconds 120 --seed 1
    .venv/bin/python bench/fuzz.py --seed 1 --case 42

Exit status: 0 when there were no findings, 1 otherwise.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import random
import re
import resource
import signal
import sys
import time
import traceback
import types
import typing
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

import cablekit
from cablekit.model import Cable
from cablekit.schema import ENUMS
from cablekit.sources import FORMATS

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data"
OUT = REPO / "bench" / "out" / "fuzz"
SEED_SUFFIXES = (".md", ".txt", ".html", ".htm", ".csv", ".jsonl")
CALL_FORMATS: tuple[str | None, ...] = (None, *FORMATS)

# --------------------------------------------------------------------------- seeds


def seed_files(data: Path) -> list[Path]:
    """The real cables the mutations start from, sorted (so that a seed number is stable)."""
    roots = [
        REPO / "src" / "cablekit" / "samples",
        data / "samples",
        data / "corpus" / "cablegate-2011-04" / "cable",
    ]
    files: list[Path] = []
    for root in roots:
        if root.is_dir():
            files.extend(
                p
                for p in sorted(root.rglob("*"))
                if p.is_file()
                and p.suffix.lower() in SEED_SUFFIXES
                and not p.name.upper().startswith(("README", "LICENSE"))
            )
    return files


# --------------------------------------------------------------------------- mutations

Mutation = Callable[[random.Random, bytes, list[bytes]], bytes]

INTERESTING_BYTES = b"\x00\n\r\t <>&;#\"',|\\{}[]()\xb6\xc2\xff\xfe\xef\xbb\xbf\x85\x0c\x1b"
KEYWORDS = [
    b"VZCZC",
    b"NNNN",
    b"BT",
    b"DE RUEHOT #0278/01 0971925",
    b"ZNY CCCCC ZZH",
    b"ZNR UUUUU ZZH",
    b"O 071925Z APR 09",
    b"R 311200Z FEB 99",
    b"FM AMEMBASSY OTTAWA",
    b"TO RUEHC/SECSTATE WASHDC IMMEDIATE 9999",
    b"INFO RUCNCAN/ALL CANADIAN POSTS COLLECTIVE",
    b"XMT AMCONSUL",
    b"C O N F I D E N T I A L SECTION 01 OF 03 OTTAWA 000278",
    b"UNCLAS SECTION 99 OF 02 PARIS 001007",
    b"S E C R E T STATE 123456",
    b"NOFORN",
    b"SIPDIS",
    b"E.O. 12958: DECL: 04/07/2019",
    b"E.O. 12958: N/A",
    b"TAGS: PREL, PGOV, CA",
    b"TAGS PREL PGOV",
    b"SUBJECT: ",
    b"SUBJ:",
    b"REF: A. OTTAWA 123 B. STATE 45678 C. 08 OTTAWA 1",
    b"REF: ",
    b"Classified By: Ambassador David Wilkins, reasons 1.4 (b) and (d)",
    b"1. (C) ",
    b"12. (U) Summary: ",
    b"(S/NF)",
    b"END SUMMARY.",
    b"OTTAWA 00000278  002 OF 003",
    b"PAGE 02 OF 99",
    b"\xc2\xb6",
    b"\xb6",
    b"[\xc2\xb6](#)",
    b"&#x000A;",
    b"&#x000A;&#x000A;",
    b"<pre>",
    b"</pre>",
    b"<a href='#'>",
    b"</a>",
    b"<td>",
    b"&amp;",
    b"&#",
    b"####",
    b"WILKINS",
    b'"',
    b"\\",
]


def lines_of(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def truncate(rng: random.Random, data: bytes, _: list[bytes]) -> bytes:
    return data[: rng.randint(0, len(data))]


def delete_lines(rng: random.Random, data: bytes, _: list[bytes]) -> bytes:
    lines = lines_of(data)
    for _i in range(rng.randint(1, max(1, min(20, len(lines) // 2)))):
        if len(lines) > 1:
            del lines[rng.randrange(len(lines))]
    return b"\n".join(lines)


def duplicate_lines(rng: random.Random, data: bytes, _: list[bytes]) -> bytes:
    lines = lines_of(data)
    for _i in range(rng.randint(1, 20)):
        at = rng.randrange(len(lines))
        lines[at:at] = [lines[at]] * rng.randint(1, 3)
    return b"\n".join(lines)


def random_byte(rng: random.Random) -> int:
    return rng.choice(INTERESTING_BYTES) if rng.random() < 0.5 else rng.randrange(256)


def insert_bytes(rng: random.Random, data: bytes, _: list[bytes]) -> bytes:
    buf = bytearray(data)
    for _i in range(rng.randint(1, 32)):
        buf.insert(rng.randint(0, len(buf)), random_byte(rng))
    return bytes(buf)


def overwrite_bytes(rng: random.Random, data: bytes, _: list[bytes]) -> bytes:
    if not data:
        return data
    buf = bytearray(data)
    for _i in range(rng.randint(1, 32)):
        buf[rng.randrange(len(buf))] = random_byte(rng)
    return bytes(buf)


def binary_junk(rng: random.Random, data: bytes, _: list[bytes]) -> bytes:
    junk = rng.randbytes(rng.randint(1, 4096))
    where = rng.choice(["replace", "insert", "prepend", "append", "late-nul"])
    if where == "replace":
        return junk
    if where == "prepend":
        return junk + data
    if where == "append":
        return data + junk
    if where == "late-nul":  # NUL bytes past the 8 KiB binary probe reach the parser
        at = rng.randint(min(len(data), 9000), len(data)) if data else 0
        return data[:at] + b"\x00" * rng.randint(1, 64) + data[at:]
    at = rng.randint(0, len(data))
    return data[:at] + junk + data[at:]


def long_line(rng: random.Random, data: bytes, _: list[bytes]) -> bytes:
    """A line of about 1 MB, of one of a few shapes that stress regular expressions."""
    lines = lines_of(data)
    size = 1 << 20
    existing = rng.choice(lines) or b"X"
    shape = rng.choice(
        [
            b"A",
            b"A ",
            b" ",
            b"-",
            b"1",
            b"1. ",
            b"REF ",
            b"PREL, ",
            b"(C) ",
            b"&#x000A;",
            b"\xb6",
            existing + b" ",
        ]
    )
    prefix = rng.choice([b"", b"", b"SUBJECT: ", b"REF: ", b"TAGS: ", b"1. (C) ", b"E.O. 12958: "])
    line = prefix + (shape * (size // len(shape) + 1))[:size]
    at = rng.randint(0, len(lines))
    lines.insert(at, line)
    return b"\n".join(lines)


def keywords(rng: random.Random, data: bytes, _: list[bytes]) -> bytes:
    lines = lines_of(data)
    for _i in range(rng.randint(1, 6)):
        word = rng.choice(KEYWORDS)
        at = rng.randrange(len(lines))
        if rng.random() < 0.5:
            lines.insert(at, word)
        else:
            line = lines[at]
            cut = rng.randint(0, len(line))
            lines[at] = line[:cut] + word + line[cut:]
    return b"\n".join(lines)


def as_text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def reencode(rng: random.Random, data: bytes, _: list[bytes]) -> bytes:
    codec = rng.choice(
        ["utf-16", "utf-16-le", "utf-16-be", "cp1252", "latin-1", "utf-8-sig", "utf-32"]
    )
    return as_text(data).encode(codec, "replace")


def empty(rng: random.Random, data: bytes, _: list[bytes]) -> bytes:
    return rng.choice([b"", b"\n", b"\r\n\r\n", b"   \t  ", b"\xef\xbb\xbf", b"\n" * 70000])


def shuffle_lines(rng: random.Random, data: bytes, _: list[bytes]) -> bytes:
    lines = lines_of(data)
    if rng.random() < 0.5:
        rng.shuffle(lines)
    else:
        start = rng.randrange(len(lines))
        window = lines[start : start + rng.randint(2, 30)]
        rng.shuffle(window)
        lines[start : start + len(window)] = window
    return b"\n".join(lines)


_PRE = re.compile(rb"(<pre[^>]*>)(.*?)(</pre>)", re.S | re.I)
_CLASS_LINE = re.compile(
    rb"^\s*(UNCLAS|C O N F I D E N T I A L|S E C R E T|CONFIDENTIAL|SECRET|LIMITED OFFICIAL)",
    re.M,
)


def swap_header_body(rng: random.Random, data: bytes, _: list[bytes]) -> bytes:
    """Body first, then header: the two ``<pre>`` blocks of a page, or the text around
    the classification line (or a blank line, or a random line) of a telegram."""
    blocks = list(_PRE.finditer(data))
    if len(blocks) >= 2:
        a, b = blocks[0], blocks[1]
        return (
            data[: a.start(2)]
            + b.group(2)
            + data[a.end(2) : b.start(2)]
            + a.group(2)
            + data[b.end(2) :]
        )
    found = _CLASS_LINE.search(data)
    if found and found.start() > 0:
        cut = found.start()
    else:
        blank = data.find(b"\n\n")
        cut = blank + 1 if blank > 0 and rng.random() < 0.7 else rng.randint(0, len(data))
    return data[cut:] + b"\n" + data[:cut]


def line_ends(rng: random.Random, data: bytes, _: list[bytes]) -> bytes:
    plain = data.replace(b"\r\n", b"\n")
    return plain.replace(b"\n", rng.choice([b"\r\n", b"\r", b" ", b"", b"\n\n", b"\x85"]))


def splice(rng: random.Random, data: bytes, pool: list[bytes]) -> bytes:
    other = rng.choice(pool)
    return data[: rng.randint(0, len(data))] + other[rng.randint(0, len(other)) :]


MUTATIONS: dict[str, tuple[Mutation, int]] = {  # name -> (function, weight)
    "truncate": (truncate, 10),
    "delete-lines": (delete_lines, 10),
    "duplicate-lines": (duplicate_lines, 8),
    "insert-bytes": (insert_bytes, 10),
    "overwrite-bytes": (overwrite_bytes, 10),
    "binary-junk": (binary_junk, 6),
    "long-line": (long_line, 2),
    "keywords": (keywords, 10),
    "reencode": (reencode, 6),
    "empty": (empty, 2),
    "shuffle-lines": (shuffle_lines, 6),
    "swap-header-body": (swap_header_body, 6),
    "line-ends": (line_ends, 4),
    "splice": (splice, 6),
}


@dataclass
class Case:
    number: int
    source: Path
    mutations: list[str]
    data: bytes


def make_case(seed: int, number: int, files: list[Path], pool: list[bytes]) -> Case:
    """Case ``number`` of ``seed``: always the same source file, mutations and bytes."""
    rng = random.Random(f"cablekit-fuzz:{seed}:{number}")
    index = rng.randrange(len(files))
    data = pool[index]
    names = list(MUTATIONS)
    weights = [MUTATIONS[name][1] for name in names]
    count = rng.choice([1, 1, 1, 2, 2, 3])
    chosen = rng.choices(names, weights, k=count)
    for name in chosen:
        data = MUTATIONS[name][0](rng, data, pool)
    return Case(number, files[index], chosen, data)


# --------------------------------------------------------------------------- the contract


def type_violations(cable: Cable) -> list[str]:
    """Every field whose value does not have its declared type (or vocabulary)."""
    problems: list[str] = []
    check_value(cable, Cable, "cable", problems)
    return problems


def check_value(value: Any, tp: Any, path: str, problems: list[str]) -> None:
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        args = typing.get_args(tp)
        if value is None:
            if type(None) not in args:
                problems.append(f"{path}: None where {tp} is declared")
            return
        inner = [a for a in args if a is not type(None)]
        if len(inner) != 1:
            problems.append(f"{path}: unsupported declared type {tp}")
            return
        check_value(value, inner[0], path, problems)
        return
    if origin is tuple:
        if type(value) is not tuple:
            problems.append(f"{path}: {type(value).__name__} where a tuple is declared")
            return
        item = typing.get_args(tp)[0]
        for n, element in enumerate(value):
            check_value(element, item, f"{path}[{n}]", problems)
        return
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if type(value) is not tp:
            problems.append(f"{path}: {type(value).__name__} where {tp.__name__} is declared")
            return
        hints = typing.get_type_hints(tp)
        for f in dataclasses.fields(tp):
            element = getattr(value, f.name)
            check_value(element, hints[f.name], f"{path}.{f.name}", problems)
            allowed = ENUMS.get((tp.__name__, f.name))
            if allowed and element is not None and element not in allowed:
                problems.append(f"{path}.{f.name}: {element!r} is not one of {allowed}")
        return
    if tp in (str, int, bool):
        if type(value) is not tp:  # exact: a bool is not an int, a str subclass is not a str
            problems.append(f"{path}: {type(value).__name__} {value!r:.60} where {tp.__name__}")
        elif tp is str:
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                problems.append(f"{path}: string with lone surrogates {value!r:.60}")
        return
    problems.append(f"{path}: unsupported declared type {tp}")


def json_problems(cable: Cable) -> list[str]:
    """The JSON form must dump (as UTF-8 and as ASCII) and read back to an equal Cable."""
    try:
        data = cable.to_json()
        text = json.dumps(data, ensure_ascii=False)
        text.encode("utf-8")
        json.dumps(data)
        if Cable.from_json(data) != cable:
            return ["Cable.from_json(c.to_json()) != c"]
        if Cable.from_json(json.loads(text)) != cable:
            return ["Cable.from_json(json.loads(json.dumps(c.to_json()))) != c"]
    except Exception as error:
        return [f"JSON round trip raised {type(error).__name__}: {error}"]
    return []


class CallTimeout(BaseException):
    """Raised by the alarm inside a call that runs too long (BaseException: not swallowed)."""


def _alarm(signum: int, frame: types.FrameType | None) -> None:
    raise CallTimeout


@dataclass
class Outcome:
    kind: str  # parsed, not-a-cable, crash, contract, invariant, timeout
    seconds: float
    signature: str = ""
    detail: str = ""


def cablekit_frame(tb: types.TracebackType | None) -> str:
    """``file.py:line`` of the innermost traceback frame inside cablekit (or the last)."""
    frames = traceback.extract_tb(tb)
    inside = [f for f in frames if "/cablekit/" in f.filename.replace("\\", "/")]
    if not (inside or frames):
        return "?"
    frame = (inside or frames)[-1]
    name = frame.filename.replace("\\", "/")
    short = name.split("/cablekit/")[-1] if "/cablekit/" in name else Path(name).name
    return f"{short}:{frame.lineno} ({frame.name})"


def call(data: bytes, format: str | None, timeout: float) -> Outcome:
    """One call of ``cablekit.parse``, judged against the contract."""
    start = time.perf_counter()
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        cable = cablekit.parse(data, format=format)
    except cablekit.NotACable:
        return Outcome("not-a-cable", time.perf_counter() - start)
    except CallTimeout as error:
        where = cablekit_frame(error.__traceback__)
        return Outcome("timeout", time.perf_counter() - start, f"timeout at {where}", where)
    except Exception as error:
        detail = "".join(traceback.format_exception(error, limit=-6))
        if isinstance(error, cablekit.CablekitError):
            # Readers build these errors and raise them later: the message tells them apart.
            message = re.sub(r"\d+", "N", str(error))
            signature = f"contract: {type(error).__name__}: {message}"
            return Outcome("contract", time.perf_counter() - start, signature, detail)
        where = cablekit_frame(error.__traceback__)
        signature = f"crash: {type(error).__name__} at {where}"
        return Outcome("crash", time.perf_counter() - start, signature, detail)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    seconds = time.perf_counter() - start
    problems = type_violations(cable) + json_problems(cable)
    if problems:
        first = re.sub(r"\[\d+\]", "[]", problems[0].split(":")[0])
        return Outcome("invariant", seconds, f"invariant: {first}", "\n".join(problems[:20]))
    return Outcome("parsed", seconds)


# --------------------------------------------------------------------------- the run


@dataclass
class Stats:
    inputs: int = 0
    calls: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    signatures: Counter[str] = field(default_factory=Counter)
    mutations: Counter[str] = field(default_factory=Counter)
    finding_mutations: Counter[str] = field(default_factory=Counter)
    slowest: tuple[float, str] = (0.0, "")


FINDING_KINDS = ("crash", "contract", "invariant", "timeout")


def describe(seed: int, case: Case, format: str | None) -> str:
    try:
        source: Path | str = case.source.relative_to(REPO.parent)
    except ValueError:
        source = case.source
    return (
        f"seed={seed} case={case.number} format={format or 'auto'} "
        f"source={source} mutations={'+'.join(case.mutations)} bytes={len(case.data)}"
    )


def save(seed: int, case: Case, format: str | None, outcome: Outcome) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    tag = hashlib.sha1(outcome.signature.encode()).hexdigest()[:8]
    stem = OUT / f"{tag}-s{seed}-c{case.number}-{format or 'auto'}"
    stem.with_suffix(".bin").write_bytes(case.data)
    note = (
        f"{outcome.signature}\n{describe(seed, case, format)}\n"
        f"replay: .venv/bin/python bench/fuzz.py --seed {seed} --case {case.number}\n"
        f"or: cablekit.parse(open({str(stem.with_suffix('.bin'))!r}, 'rb').read(), "
        f"format={format!r})\n\n{outcome.detail}\n"
    )
    stem.with_suffix(".txt").write_text(note, encoding="utf-8")
    return stem.with_suffix(".bin")


def cases(seed: int, files: list[Path], pool: list[bytes], first: int) -> Iterator[Case]:
    number = first
    while True:
        yield make_case(seed, number, files, pool)
        number += 1


def run(args: argparse.Namespace) -> int:
    files = seed_files(Path(args.data))
    if not files:
        print(f"no seed cables found under {args.data}", file=sys.stderr)
        return 2
    pool = [p.read_bytes() for p in files]
    signal.signal(signal.SIGALRM, _alarm)
    if args.memory_mib > 0:  # a runaway allocation becomes a MemoryError finding, not an OOM
        limit = args.memory_mib * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
    if args.case is not None:
        return replay(args.seed, make_case(args.seed, args.case, files, pool), args.timeout)
    allowed = set(args.allow)
    stats = Stats()
    saved: Counter[str] = Counter()
    print(
        f"fuzzing cablekit.parse for {args.seconds:g} s, seed {args.seed}, "
        f"{len(files)} seed files, formats: auto + {', '.join(FORMATS)}"
    )
    start = time.perf_counter()
    deadline = start + args.seconds
    for case in cases(args.seed, files, pool, 0):
        if time.perf_counter() >= deadline:
            break
        stats.inputs += 1
        stats.mutations.update(case.mutations)
        found = False
        for format in CALL_FORMATS:
            outcome = call(case.data, format, args.timeout)
            stats.calls += 1
            if outcome.seconds > stats.slowest[0]:
                stats.slowest = (outcome.seconds, describe(args.seed, case, format))
            kind = outcome.kind
            if kind == "contract" and outcome.signature.split(" ")[1].rstrip(":") in allowed:
                kind = "allowed"
            stats.kinds[kind] += 1
            if kind not in FINDING_KINDS:
                continue
            if not found:
                found = True
                stats.finding_mutations.update(case.mutations)
            stats.signatures[outcome.signature] += 1
            if saved[outcome.signature] < args.save:
                saved[outcome.signature] += 1
                path = save(args.seed, case, format, outcome)
                if stats.signatures[outcome.signature] == 1:
                    print(f"\nFINDING {outcome.signature}\n  {describe(args.seed, case, format)}")
                    print(f"  saved {path.relative_to(REPO)}")
                    if outcome.kind != "contract":  # its traceback only shows read_bytes
                        print("  " + outcome.detail.strip().replace("\n", "\n  "))
    elapsed = time.perf_counter() - start
    report(stats, elapsed, args.seed)
    return 1 if any(stats.kinds[k] for k in FINDING_KINDS) else 0


def replay(seed: int, case: Case, timeout: float) -> int:
    print(describe(seed, case, None))
    bad = 0
    for format in CALL_FORMATS:
        outcome = call(case.data, format, timeout)
        print(
            f"  format={format or 'auto':<15} {outcome.kind:<12} {outcome.seconds * 1000:8.1f} ms"
        )
        if outcome.kind in FINDING_KINDS:
            bad += 1
            print("    " + outcome.detail.strip().replace("\n", "\n    "))
    return 1 if bad else 0


def report(stats: Stats, elapsed: float, seed: int) -> None:
    findings = sum(stats.kinds[k] for k in FINDING_KINDS)
    print("\n== fuzz summary ==")
    rows = [
        ("seed", f"{seed}"),
        ("seconds", f"{elapsed:.1f}"),
        ("inputs tried", f"{stats.inputs:,}"),
        ("parse calls", f"{stats.calls:,} (auto + {len(FORMATS)} forced formats per input)"),
        ("parsed", f"{stats.kinds['parsed']:,}"),
        ("NotACable", f"{stats.kinds['not-a-cable']:,}"),
        ("findings", f"{findings:,} calls, {len(stats.signatures)} distinct signatures"),
    ]
    rows += [(f"  {kind}", f"{stats.kinds[kind]:,}") for kind in FINDING_KINDS]
    if stats.kinds["allowed"]:
        rows.append(("allowed (--allow)", f"{stats.kinds['allowed']:,}"))
    rows += [
        ("inputs/s", f"{stats.inputs / elapsed:.1f}" if elapsed else "-"),
        ("calls/s", f"{stats.calls / elapsed:.1f}" if elapsed else "-"),
        ("slowest call", f"{stats.slowest[0] * 1000:.0f} ms: {stats.slowest[1]}"),
    ]
    for label, value in rows:
        print(f"{label:<18} {value}")
    if stats.signatures:
        print("\nfindings by signature (calls):")
        for signature, count in stats.signatures.most_common():
            print(f"  {count:>7,}  {signature}")
    print("\nmutations applied (inputs) / in inputs with findings:")
    for name in MUTATIONS:
        print(f"  {name:<17} {stats.mutations[name]:>7,}  {stats.finding_mutations[name]:>7,}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=60.0, help="how long to run (60)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (0)")
    parser.add_argument("--case", type=int, default=None, help="replay one case of --seed")
    parser.add_argument("--data", default=str(DATA), help="the shared data folder")
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds per call (20)")
    parser.add_argument(
        "--memory-mib", type=int, default=3072, help="address-space limit, 0 for none (3072)"
    )
    parser.add_argument("--save", type=int, default=3, help="inputs saved per signature (3)")
    parser.add_argument(
        "--allow",
        action="append",
        default=[],
        metavar="ERROR",
        help="a cablekit error class to accept besides NotACable (e.g. UnknownFormat)",
    )
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
