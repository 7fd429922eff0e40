#!/usr/bin/env python3
"""Two loaders at once into one PostgreSQL record: the same archive as one loader?

Ingests the corpus (release 2011-04) and its older versions (release 2010-12) into a
SQLite archive with one loader, then into PostgreSQL records with two ``cablekit ingest``
processes running at once, in several interleavings (both together; one started a few
seconds after the other, either way round). For each it prints the wall time and
whether the export (every cable's current record, as ``cablekit export`` writes it) is
byte for byte the SQLite archive's, with the counts of cables and versions.

A private PostgreSQL cluster is started for the run (``tools/pgcluster.py``; fsync on).
Nothing is asserted: this is a measurement, not a test (tests/test_postgres.py holds the
same property on the bundled sample).

Usage::

    .venv/bin/python bench/two_loaders.py            # the corpus in ../shared/data
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tools.pgcluster import Cluster, free_port, private_dir  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "corpus"
CORPUS = DATA / "cablegate-2011-04" / "cable.tar.xz"
VERSIONS = DATA / "versions" / "cables.jsonl.xz"
CABLEKIT = [sys.executable, "-m", "cablekit"]
LOADS = {"corpus": (CORPUS, "2011-04"), "versions": (VERSIONS, "2010-12")}


def ingest(db: str, which: str, index: Path, jobs: int) -> subprocess.Popen[bytes]:
    path, release = LOADS[which]
    command = [*CABLEKIT, "ingest", "--db", db, "--index", str(index), "--jobs", str(jobs)]
    command += ["--release", release, str(path)]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL)


def export_digest(db: str, index: Path, out: Path) -> str:
    command = [*CABLEKIT, "export", "--db", db, "--index", str(index), "--format", "jsonl"]
    subprocess.run([*command, "-o", str(out)], check=True, capture_output=True)
    return hashlib.sha256(out.read_bytes()).hexdigest()


def counts(db: str, index: Path) -> str:
    stats = subprocess.run(
        [*CABLEKIT, "stats", "--db", db, "--index", str(index)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    return f"{stats[0].split(' (')[0]}; {stats[1].split(';')[0]}"


def run_pair(db: str, first: str, second: str, delay: float, folder: Path, jobs: int) -> float:
    started = time.monotonic()
    one = ingest(db, first, folder / f"{first}.idx", jobs)
    time.sleep(delay)
    two = ingest(db, second, folder / f"{second}.idx", jobs)
    if one.wait() or two.wait():
        raise SystemExit("a loader failed")
    return time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=1, help="parsing processes per loader")
    args = parser.parse_args()
    if not CORPUS.exists() or not VERSIONS.exists():
        raise SystemExit(f"needs {CORPUS} and {VERSIONS}")
    folder = Path(tempfile.mkdtemp(prefix="two-loaders-"))
    os.environ["CABLEKIT_AUDIT_KEY"] = str(folder / "audit.key")
    reference = str(folder / "one.db")
    started = time.monotonic()
    for which in ("versions", "corpus"):
        if ingest(reference, which, folder / "unused.idx", args.jobs).wait():
            raise SystemExit("the SQLite ingest failed")
    print(f"one loader, SQLite: {time.monotonic() - started:.1f} s; {counts(reference, folder)}")
    expected = export_digest(reference, folder / "unused.idx", folder / "one.jsonl")
    backwards = str(folder / "backwards.db")
    for which in ("corpus", "versions"):
        if ingest(backwards, which, folder / "unused.idx", args.jobs).wait():
            raise SystemExit("the SQLite ingest failed")
    digest = export_digest(backwards, folder / "unused.idx", folder / "backwards.jsonl")
    same = "same export" if digest == expected else "EXPORT DIFFERS"
    print(f"one loader, SQLite, the corpus before its older versions: {same}")
    cluster = Cluster(private_dir("two-loaders-pg-") / "data", free_port(), fsync=True)
    cluster.init()
    cluster.start()
    try:
        plans = [
            ("together", "corpus", "versions", 0.0),
            ("versions 3 s ahead", "versions", "corpus", 3.0),
            ("corpus 3 s ahead", "corpus", "versions", 3.0),
        ]
        for n, (name, first, second, delay) in enumerate(plans):
            db = cluster.create_database(f"pair{n}")
            seconds = run_pair(db, first, second, delay, folder / f"p{n}", args.jobs)
            digest = export_digest(db, folder / f"p{n}" / "reader.idx", folder / f"p{n}.jsonl")
            same = "same export" if digest == expected else "EXPORT DIFFERS"
            print(f"two loaders, {name}: {seconds:.1f} s; {counts(db, folder / f'p{n}' / 'n.idx')};"
                  f" {same} (sha256 {digest[:16]})")  # fmt: skip
    finally:
        cluster.stop("fast")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
