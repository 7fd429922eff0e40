"""Parse a stream of inputs, in one process or several, in order and in flat memory."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable, Iterator
from itertools import islice

from .errors import CablekitError, NotACable
from .model import Cable
from .parse import parse_raw
from .sources import iter_inputs
from .sources.base import RawCable

Outcome = Cable | CablekitError
# Inputs handed to the workers at a time; bounds memory whatever the input size.
BATCH_PER_JOB = 64


class ParserFailure(CablekitError):
    """The parser itself failed on an input (a bug, reported and skipped)."""

    exit_code = 4


def parse_one(raw: RawCable) -> Outcome:
    """Parse one raw cable; problems come back as values, never raised."""
    try:
        return parse_raw(raw)
    except NotACable as error:
        return NotACable(f"{_where(raw)}: {error}")
    except Exception as error:
        return ParserFailure(f"{_where(raw)}: the parser failed ({type(error).__name__}: {error})")


def _where(raw: RawCable) -> str:
    src = raw.source
    where = src.path or "<input>"
    return f"{where} row {src.row}" if src.row is not None else where


def parse_stream(items: Iterable[RawCable | CablekitError], jobs: int = 1) -> Iterator[Outcome]:
    """Parse raw cables (passing errors through) with ``jobs`` worker processes."""
    if jobs <= 1:
        for item in items:
            yield item if isinstance(item, CablekitError) else parse_one(item)
        return
    iterator = iter(items)
    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    with context.Pool(jobs) as pool:
        while batch := list(islice(iterator, BATCH_PER_JOB * jobs)):
            raws = [item for item in batch if not isinstance(item, CablekitError)]
            parsed = iter(pool.map(parse_one, raws, chunksize=8))
            for item in batch:
                yield item if isinstance(item, CablekitError) else next(parsed)


def parse_paths(
    paths: Iterable[str], format: str | None = None, jobs: int = 1
) -> Iterator[Outcome]:
    """Every cable (or problem) in files, directories and archives."""
    return parse_stream(iter_inputs(paths, format), jobs)
