"""Ingest: every input the parser reads, parsed in parallel, written in batches.

Idempotent and crash-safe by construction: a version is identified by the hash of
its text, each batch is one transaction, and writing a version that is already
there changes nothing but the note of when it was last seen. So a killed ingest
run again completes the work, with no loss and no duplicates.
"""

from __future__ import annotations

import marshal
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Protocol

from ..errors import CablekitError, InputError, NotACable
from ..parser import parse_raw
from ..pipeline import map_stream, map_stream_apart, where
from ..sources import iter_inputs
from ..sources.base import RawCable
from .rows import Prepared, archive_id, pack, prepare, unpack
from .sqlite import BatchReport

BATCH_SIZE = 2000
BATCH_SECONDS = 2.0  # readers see progress at least this often


@dataclass(frozen=True, slots=True)
class Failed:
    """An input that could not be archived, and why."""

    place: str
    message: str


Outcome = Prepared | Failed
Progress = Callable[[int], object]


class Writer(Protocol):
    """Where ingest writes: a SQLite archive, or the PostgreSQL record."""

    def write_batch(
        self,
        batch: Sequence[Prepared],
        failures: Sequence[tuple[str, str]],
        release: str | None,
        now: str,
        collection: str | None = None,
        first: int = 1,
    ) -> BatchReport: ...


def prepare_item(item: RawCable | CablekitError) -> Outcome:
    """Parse and flatten one input (in a worker); every problem becomes a ``Failed``."""
    if isinstance(item, CablekitError):
        return Failed(item.place, str(item))
    place = where(item)
    try:
        cable = parse_raw(item)
    except NotACable as error:
        return Failed(place, str(error))
    except Exception as error:  # a parser bug: reported with its input, the run goes on
        return Failed(place, f"the parser failed ({type(error).__name__}: {error})")
    if archive_id(cable) is None:
        return Failed(place, "no cable id could be read or derived")
    return prepare(cable, item)


def prepare_packed(item: RawCable | CablekitError) -> bytes:
    """``prepare_item``, packed to cross to the writing process (see ``unpack_outcome``)."""
    outcome = prepare_item(item)
    if isinstance(outcome, Failed):
        return marshal.dumps((None, outcome.place, outcome.message))
    return pack(outcome)


def unpack_outcome(blob: bytes) -> Outcome:
    data = marshal.loads(blob)
    return Failed(data[1], data[2]) if data[0] is None else unpack(data)


def ingest(
    store: Writer,
    paths: Iterable[str],
    release: str | None = None,
    jobs: int = 1,
    format: str | None = None,
    progress: Progress | None = None,
    collection: str | None = None,
) -> BatchReport:
    """Archive every cable in ``paths``, each joining ``collection`` (by default one
    named after the release, or "default"); returns the counts of what happened."""
    report = BatchReport()
    paths = list(paths)
    outcomes: Iterator[Outcome]
    if jobs > 1 and "-" not in paths:  # stdin is this process's to read
        # Reading and parsing go on in other processes while this one writes.
        read = partial(iter_inputs, paths, format)
        outcomes = map(unpack_outcome, map_stream_apart(prepare_packed, read, jobs))
    else:
        outcomes = map_stream(prepare_item, iter_inputs(paths, format), jobs)
    placed = 0  # cables written so far: each one's place in the input breaks ties
    for batch in batches(outcomes):
        ready = [o for o in batch if isinstance(o, Prepared)]
        failed = [(f.place, f.message) for f in batch if isinstance(f, Failed)]
        report.add(
            store.write_batch(ready, failed, release, utc_now(), collection, first=placed + 1)
        )
        placed += len(ready)
        if progress:
            progress(len(batch))
    return report


def batches(outcomes: Iterator[Outcome]) -> Iterator[list[Outcome]]:
    """Groups of at most BATCH_SIZE, closed early when BATCH_SECONDS have passed."""
    batch: list[Outcome] = []
    started = time.monotonic()
    for outcome in outcomes:
        batch.append(outcome)
        if len(batch) >= BATCH_SIZE or time.monotonic() - started > BATCH_SECONDS:
            yield batch
            batch = []
            started = time.monotonic()
    if batch:
        yield batch


def count_inputs(paths: Iterable[str], format: str | None = None) -> int:
    """How many inputs ``paths`` hold (read, not parsed): the total for a progress bar."""
    return sum(1 for item in iter_inputs(paths, format) if not isinstance(item, InputError))


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
