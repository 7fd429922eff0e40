"""Parse a stream of inputs, in one process or several, in order and in flat memory."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import threading
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from multiprocessing.connection import Connection
from typing import TypeVar

from .errors import CablekitError, NotACable, ParserFailure
from .model import Cable
from .parser import parse_raw
from .sources import iter_inputs
from .sources.base import RawCable

Outcome = Cable | CablekitError
T = TypeVar("T")
# Inputs read ahead of the parsed ones, per worker, and handed over at a time.
AHEAD_PER_JOB = 256
CHUNK = 16


def parse_one(item: RawCable | CablekitError) -> Outcome:
    """Parse one raw cable; problems come back as values, never raised."""
    if isinstance(item, CablekitError):
        return item
    try:
        return parse_raw(item)
    except NotACable as error:
        return NotACable(f"{where(item)}: {error}")
    except Exception as error:  # reported with its input; the run goes on
        return ParserFailure(f"{where(item)}: the parser failed ({type(error).__name__}: {error})")


def where(raw: RawCable) -> str:
    """Where an input came from, for messages: its path, and row when it has one."""
    src = raw.source
    where = src.path or "<input>"
    return f"{where} row {src.row}" if src.row is not None else where


def keep(cable: Cable) -> Cable:
    return cable


def _parse_and_render(
    render: Callable[[Cable], T], item: RawCable | CablekitError
) -> T | CablekitError:
    outcome = parse_one(item)
    return outcome if isinstance(outcome, CablekitError) else render(outcome)


def parse_stream(
    items: Iterable[RawCable | CablekitError],
    jobs: int = 1,
    render: Callable[[Cable], T] = keep,  # type: ignore[assignment]
) -> Iterator[T | CablekitError]:
    """Parse raw cables (passing errors through) with ``jobs`` worker processes, in order.

    ``render`` runs in the worker too (a module-level function: it is pickled by name), so
    that the parent only writes what comes back.
    """
    return map_stream(partial(_parse_and_render, render), items, jobs)


def map_stream(
    work: Callable[[RawCable | CablekitError], T],
    items: Iterable[RawCable | CablekitError],
    jobs: int = 1,
) -> Iterator[T]:
    """``work`` over ``items`` in ``jobs`` worker processes, results in input order.

    Reading goes on while the workers work, but never more than a bounded number of
    inputs ahead: memory stays flat whatever the input size.
    """
    if jobs <= 1:
        yield from map(work, items)
        return
    ahead = threading.BoundedSemaphore(AHEAD_PER_JOB * jobs)

    def feed() -> Iterator[RawCable | CablekitError]:
        for item in items:
            ahead.acquire()
            yield item

    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    with context.Pool(jobs) as pool:
        for outcome in pool.imap(work, feed(), chunksize=CHUNK):
            ahead.release()
            yield outcome


# What the feeding process sends: a result, the end, or the exception it stopped on.
_RESULT, _END, _ERROR = b"r", b"e", b"x"
STOP_WAIT = 10.0  # seconds the feeding process has to notice that nobody listens


def map_stream_apart(
    work: Callable[[RawCable | CablekitError], bytes],
    read: Callable[[], Iterable[RawCable | CablekitError]],
    jobs: int,
) -> Iterator[bytes]:
    """``map_stream(work, read(), jobs)``, run by another process that reads the inputs
    and feeds the workers: this one only receives the results, in input order.

    Reading (decompression included) and parsing then no longer take turns with the
    caller's own work (writing an archive) in one process. The results come as bytes, so
    that they cross from the workers to this process without being decoded on the way.
    Without ``fork`` (Windows, macOS) this is ``map_stream`` in this process.
    """
    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield from map_stream(work, read(), jobs)
        return
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    # Not a daemon: daemons may not start the workers' pool.
    feeder = context.Process(
        target=_feed, args=(work, read, jobs, receiver, sender), name="cablekit-read"
    )
    feeder.start()
    sender.close()
    try:
        while True:
            message = receiver.recv_bytes()
            kind = message[:1]
            if kind == _RESULT:
                yield message[1:]
            elif kind == _END:
                break
            else:
                raise pickle.loads(message[1:])
    finally:
        # On the way out early (an error, an interrupted write), the feeder finds the pipe
        # closed at its next result, and stops its workers.
        receiver.close()
        feeder.join(STOP_WAIT)
        if feeder.exitcode is None:
            feeder.terminate()
            feeder.join()


def _feed(
    work: Callable[[RawCable | CablekitError], bytes],
    read: Callable[[], Iterable[RawCable | CablekitError]],
    jobs: int,
    receiver: Connection,
    sender: Connection,
) -> None:
    """The feeding process: every result down the pipe, then the end or the error."""
    # Only the receiving process may hold the other end: when it dies, the next send
    # fails (EPIPE) and this process ends, instead of waiting forever on a full pipe.
    receiver.close()
    try:
        for result in map_stream(work, read(), jobs):
            sender.send_bytes(_RESULT + result)
    except BrokenPipeError:
        return  # the receiver has gone: nothing to report to
    except BaseException as error:  # reported to the receiver, which raises it
        try:
            message = pickle.dumps(error)
        except Exception:
            message = pickle.dumps(RuntimeError(f"{type(error).__name__}: {error}"))
        with contextlib.suppress(OSError):
            sender.send_bytes(_ERROR + message)
        return
    sender.send_bytes(_END)


def parse_paths(
    paths: Iterable[str],
    format: str | None = None,
    jobs: int = 1,
    render: Callable[[Cable], T] = keep,  # type: ignore[assignment]
) -> Iterator[T | CablekitError]:
    """Every cable (or problem) in files, directories and archives, rendered by ``render``."""
    return parse_stream(iter_inputs(paths, format), jobs, render)
