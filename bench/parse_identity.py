#!/usr/bin/env python3
"""Parser identity check: does the parser still give the same records, byte for byte?

Parses every cable of the shared data and of the bundled samples the way ``cablekit
ingest`` and ``cablekit parse`` do (``cablekit.sources.iter_inputs``, then
``cablekit.pipeline.parse_one``, i.e. ``cablekit.parser.parse_raw``), writes each record in
its documented JSON form (``json.dumps(cable.to_json(), ensure_ascii=False)``, the line
``cablekit parse`` prints, warnings included) and keeps its SHA-256. An input that is
refused (``NotACable``, a reader's error, a parser failure) is kept too, as its error
class and message: a cable that stops parsing is a difference like any other.

==================  ======================================================================
source              inputs
==================  ======================================================================
corpus              ``corpus/cablegate-2011-04/cable.tar.xz`` (6,712 pages)
corpus-pages        ``corpus/cablegate-2011-04/cable/`` (135 of them, unpacked)
versions-pages      ``corpus/versions/versions.tar.xz`` (356 pages of changed cables)
versions-jsonl      ``corpus/versions/cables.jsonl.xz`` (6,907 versions, HTML in JSON)
samples             ``samples/`` (every format: pages, telegrams, CSV, JSON lines, PDF)
package-samples     ``src/cablekit/samples/`` (loose samples, their tar.xz and jsonl.xz)
==================  ======================================================================

The output file has one line per input, ``source <TAB> key <TAB> cable id <TAB> sha256
<TAB> field digests`` (the key is the input's path, and row for multi-cable files; the
field digests are 16 hex digits per top-level JSON field, in the record's order, so that
a comparison can name the first field that differs), then a digest per source and an
overall one::

    digest  corpus  6712  3f1c...
    digest  all     14376 9a0b...

``--compare BASELINE`` reads a file written before (e.g. on unmodified main) and prints
every input whose output differs (source, key, id, first differing field), every input
that is missing or new, and a count per source; the exit status is 1 when anything
differs. Nothing is timed: this is a check, not a benchmark (``parse_bench.py`` is).

Usage (PYTHONPATH first: the venv's editable install points at another checkout)::

    PYTHONPATH=src .venv/bin/python bench/parse_identity.py -o /tmp/base.txt
    PYTHONPATH=src .venv/bin/python bench/parse_identity.py -o /tmp/new.txt --compare /tmp/base.txt
    PYTHONPATH=src .venv/bin/python bench/parse_identity.py --only samples --jobs 1
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data"
SOURCES: dict[str, Path] = {
    "corpus": DATA / "corpus" / "cablegate-2011-04" / "cable.tar.xz",
    "corpus-pages": DATA / "corpus" / "cablegate-2011-04" / "cable",
    "versions-pages": DATA / "corpus" / "versions" / "versions.tar.xz",
    "versions-jsonl": DATA / "corpus" / "versions" / "cables.jsonl.xz",
    "samples": DATA / "samples",
    "package-samples": REPO / "src" / "cablekit" / "samples",
}
FIELD_DIGITS = 16  # of each field's SHA-256: enough to tell two values apart
ERROR_MARK = "!"  # the field digests of a refused input: its error, not a record


class Outcome(NamedTuple):
    """What one input gave: its key, the cable id, the digest of the whole output, and
    the digest of each top-level field (``name=digest``), or ``!digest`` for an error."""

    key: str
    cable_id: str
    digest: str
    fields: str


# --------------------------------------------------------------------------- parsing


def outcome_of(item: object) -> Outcome:
    """Parse one input and digest what it gives (run in the worker processes)."""
    from cablekit.errors import CablekitError
    from cablekit.pipeline import parse_one
    from cablekit.sources import RawCable

    assert isinstance(item, RawCable | CablekitError)
    key = input_key(item)
    result = parse_one(item)
    if isinstance(result, CablekitError):
        text = f"{type(result).__name__}: {result}"
        digest = sha256(text)
        return Outcome(key, "-", digest, ERROR_MARK + digest[:FIELD_DIGITS])
    record = result.to_json()
    digest = sha256(json.dumps(record, ensure_ascii=False))
    fields = ",".join(
        f"{name}={sha256(json.dumps(value, ensure_ascii=False))[:FIELD_DIGITS]}"
        for name, value in record.items()
    )
    return Outcome(key, result.id or "-", digest, fields)


def input_key(item: object) -> str:
    """Where an input came from: its path (and row), or the place of a reader's error."""
    from cablekit.sources import RawCable

    if isinstance(item, RawCable):
        source = item.source
        path = source.path or "<input>"
        return f"{path} row {source.row}" if source.row is not None else path
    return f"error at {getattr(item, 'place', '') or '<input>'}"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def outcomes(path: Path, jobs: int) -> Iterator[Outcome]:
    """The outcome of every input under ``path``, in input order; keys are made relative
    to ``path`` (a baseline made in another checkout compares) and unique."""
    from cablekit.pipeline import map_stream
    from cablekit.sources import iter_inputs

    seen: dict[str, int] = {}
    root = str(path if path.is_dir() else path.parent)
    for outcome in map_stream(outcome_of, iter_inputs([path]), jobs):
        key = outcome.key.replace(root, ".", 1)
        count = seen.get(key, 0)
        seen[key] = count + 1
        yield outcome._replace(key=f"{key} #{count + 1}" if count else key)


def write_identity(names: list[str], jobs: int, out_path: Path) -> dict[str, dict[str, Outcome]]:
    """Parse each source, write the identity file, and return the outcomes by source."""
    import cablekit

    everything = hashlib.sha256()
    total = 0
    results: dict[str, dict[str, Outcome]] = {}
    with out_path.open("w", encoding="utf-8") as out:
        out.write(f"# cablekit parse identity; package {Path(cablekit.__file__).parent}\n")
        for name in names:
            per_source = hashlib.sha256()
            found: dict[str, Outcome] = {}
            for outcome in outcomes(SOURCES[name], jobs):
                line = "\t".join((name, *outcome)) + "\n"
                out.write(line)
                per_source.update(line.encode("utf-8"))
                found[outcome.key] = outcome
            everything.update(per_source.digest())
            total += len(found)
            results[name] = found
            out.write(f"digest\t{name}\t{len(found)}\t{per_source.hexdigest()}\n")
            print(f"{name:<16} {len(found):>6} inputs  {per_source.hexdigest()}", file=sys.stderr)
        out.write(f"digest\tall\t{total}\t{everything.hexdigest()}\n")
    print(f"{'all':<16} {total:>6} inputs  {everything.hexdigest()}", file=sys.stderr)
    return results


# --------------------------------------------------------------------------- comparing


def read_identity(path: Path) -> dict[str, dict[str, Outcome]]:
    """The outcomes of an identity file, by source and key."""
    results: dict[str, dict[str, Outcome]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(("#", "digest\t")) or not line:
            continue
        source, key, cable_id, digest, fields = line.split("\t")
        results.setdefault(source, {})[key] = Outcome(key, cable_id, digest, fields)
    return results


def first_difference(before: Outcome, after: Outcome) -> str:
    """The first top-level field whose output differs, or what else changed."""
    if before.fields.startswith(ERROR_MARK) or after.fields.startswith(ERROR_MARK):
        if before.fields.startswith(ERROR_MARK) and after.fields.startswith(ERROR_MARK):
            return "the error message"
        became = "an error" if after.fields.startswith(ERROR_MARK) else "a record"
        return f"outcome: now {became}"
    old = dict(part.split("=", 1) for part in before.fields.split(","))
    new = dict(part.split("=", 1) for part in after.fields.split(","))
    for name in [*old, *(n for n in new if n not in old)]:
        if old.get(name) != new.get(name):
            return name
    return "the serialisation (every field equal)"


def compare(baseline: dict[str, dict[str, Outcome]], current: dict[str, dict[str, Outcome]]) -> int:
    """Print every difference; the number of inputs that differ, are missing or are new."""
    differing = 0
    for source, now in current.items():
        before = baseline.get(source)
        if before is None:
            print(f"{source}: not in the baseline, not compared")
            continue
        count = 0
        for key, old in before.items():
            new = now.get(key)
            if new is None:
                print(f"{source}\t{key}\t{old.cable_id}\tmissing now")
                count += 1
            elif new.digest != old.digest:
                print(f"{source}\t{key}\t{new.cable_id}\t{first_difference(old, new)}")
                count += 1
        for key, new in now.items():
            if key not in before:
                print(f"{source}\t{key}\t{new.cable_id}\tnew (not in the baseline)")
                count += 1
        print(f"{source}: {len(now)} inputs compared with {len(before)}, {count} differ")
        differing += count
    return differing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("-o", "--output", type=Path, required=True, help="identity file to write")
    parser.add_argument("--compare", type=Path, help="identity file to compare with")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (2)")
    parser.add_argument(
        "--only", action="append", choices=list(SOURCES), help="this source only (repeatable)"
    )
    args = parser.parse_args(argv)
    names = args.only or list(SOURCES)
    absent = [name for name in names if not SOURCES[name].exists()]
    if absent:
        print(f"missing source(s): {', '.join(str(SOURCES[n]) for n in absent)}", file=sys.stderr)
        return 2
    current = write_identity(names, args.jobs, args.output)
    if args.compare is None:
        return 0
    differing = compare(read_identity(args.compare), current)
    print(f"{differing} difference(s)")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
