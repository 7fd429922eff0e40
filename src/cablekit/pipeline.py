"""Parse a stream of inputs, in one process or several, in order and in flat memory."""

from __future__ import annotations

import collections
import contextlib
import itertools
import marshal
import os
import pickle
import threading
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import TYPE_CHECKING, TypeVar

from .errors import CablekitError, NotACable, ParserFailure
from .model import Cable
from .parser import parse_raw
from .sources import iter_inputs
from .sources.base import RawCable

if TYPE_CHECKING:  # multiprocessing is imported when more than one job runs
    from multiprocessing.connection import Connection

Outcome = Cable | CablekitError
T = TypeVar("T")
# Inputs read ahead of the parsed ones, per worker, and handed over at a time.
AHEAD_PER_JOB = 256
CHUNK = 16
# Results received ahead of the caller, per worker, by map_stream_apart: enough for the
# workers to go on parsing while the writer spends a second on a batch (with 256, they
# stopped and a seventh of both cores went idle), and no more bytes than this, however
# long the cables.
RESULTS_AHEAD_PER_JOB = 1024
RESULT_BYTES_AHEAD_PER_JOB = 48 << 20


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

    import multiprocessing

    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    with context.Pool(jobs) as pool:
        for outcome in pool.imap(work, feed(), chunksize=CHUNK):
            ahead.release()
            yield outcome


# Messages between the processes of map_stream_apart: a chunk of inputs or of results,
# the end, or the exception a process stopped on. Each starts with one of these bytes.
_CHUNK, _END, _ERROR = b"c", b"e", b"x"
AHEAD_CHUNKS = RESULTS_AHEAD_PER_JOB // CHUNK  # chunks of results received ahead, per job
_PIPE_BYTES = 1 << 20  # room asked for in each worker's pipe, so it can run ahead


def map_stream_apart(
    work: Callable[[RawCable | CablekitError], bytes],
    read: Callable[[], Iterable[RawCable | CablekitError]],
    jobs: int,
) -> Iterator[bytes]:
    """``work`` over the items of ``read()`` in ``jobs`` worker processes, results in
    input order, with the reading in one more process: this one only receives.

    Reading (decompression included) and parsing then never take turns with the caller's
    own work (writing an archive), and no process but the reader holds more than one
    thread busy. The reader deals chunks of inputs to the workers in turn; each worker
    sends its results down its own pipe; a thread here takes them in the same turn, so
    they come in input order, and keeps a bounded number ahead while the caller is busy.
    Results are bytes: they are not decoded on the way. A process that dies takes the
    others down: the ones reading from it see the end of the pipe, the ones writing to it
    a broken pipe. Without ``fork`` (Windows, macOS) this is ``map_stream`` here.
    """
    import multiprocessing

    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield from map_stream(work, read(), jobs)
        return
    context = multiprocessing.get_context("fork")
    inboxes = [context.Pipe(duplex=False) for _ in range(jobs)]  # (worker's end, reader's)
    outboxes = [context.Pipe(duplex=False) for _ in range(jobs)]  # (our end, worker's)
    ends = [end for pair in inboxes + outboxes for end in pair]
    mine = [ours for ours, _ in outboxes]
    processes = [
        context.Process(
            target=_deal, args=(read, [r for _, r in inboxes], ends), name="cablekit-read"
        )
    ]
    for n, ((inbox, _), (_, outbox)) in enumerate(zip(inboxes, outboxes, strict=True)):
        args = (work, inbox, outbox, ends)
        processes.append(context.Process(target=_work, args=args, name=f"cablekit-work-{n}"))
    for process in processes:
        process.daemon = True
        process.start()
    _keep_only(mine, ends)
    received = Bounded(AHEAD_CHUNKS * jobs, RESULT_BYTES_AHEAD_PER_JOB * jobs)
    stop = threading.Event()
    pump = threading.Thread(target=_receive, args=(mine, received, stop), daemon=True)
    pump.start()
    try:
        while True:
            message = received.get()
            kind = message[:1]
            if kind == _CHUNK:
                yield from marshal.loads(message[1:])
            elif kind == _END:
                break
            else:
                raise pickle.loads(message[1:])
    finally:
        stop.set()
        for process in processes:
            if process.exitcode is None:
                process.terminate()  # none has children of its own
            process.join()
        pump.join()
        for end in mine:
            end.close()


def _keep_only(keep: list[Connection], ends: list[Connection]) -> None:
    """Close every pipe end but ``keep`` (after a fork): a pipe must have no other reader
    and writer than its own two processes, or the death of one goes unnoticed."""
    for end in ends:
        if end not in keep:
            end.close()


def _deal(
    read: Callable[[], Iterable[RawCable | CablekitError]],
    inboxes: list[Connection],
    ends: list[Connection],
) -> None:
    """The reading process: chunks of inputs to each worker in turn, then the end."""
    _keep_only(inboxes, ends)
    turn = 0
    try:
        items = iter(read())
        while chunk := list(itertools.islice(items, CHUNK)):
            inboxes[turn].send_bytes(_CHUNK + pickle.dumps(chunk, pickle.HIGHEST_PROTOCOL))
            turn = (turn + 1) % len(inboxes)
        for inbox in inboxes:
            inbox.send_bytes(_END)
    except BrokenPipeError:
        return  # a worker, so the receiver, has gone
    except BaseException as error:  # the next worker in turn passes it on
        _report(inboxes[turn], error)


def _work(
    work: Callable[[RawCable | CablekitError], bytes],
    inbox: Connection,
    outbox: Connection,
    ends: list[Connection],
) -> None:
    """A worker process: each chunk of inputs in, its chunk of results out."""
    _keep_only([inbox, outbox], ends)
    _widen(outbox)
    try:
        while True:
            message = inbox.recv_bytes()
            if message[:1] != _CHUNK:
                outbox.send_bytes(message)  # the end, or the reader's error
                return
            results = [work(item) for item in pickle.loads(message[1:])]
            outbox.send_bytes(_CHUNK + marshal.dumps(results))
    except (EOFError, BrokenPipeError):
        return  # the reader or the receiver has gone
    except BaseException as error:
        _report(outbox, error)


def _receive(outboxes: list[Connection], received: Bounded, stop: threading.Event) -> None:
    """The receiving thread: results from each worker in turn, until the end or an error."""
    for turn in itertools.cycle(range(len(outboxes))):
        try:
            message = outboxes[turn].recv_bytes()
        except (EOFError, OSError):
            message = _ERROR + pickle.dumps(
                ChildProcessError("a worker process ended before its work was done")
            )
        if not received.put(message, stop) or message[:1] != _CHUNK:
            return


class Bounded:
    """Messages handed from one thread to another, in order, at most ``count`` of them and
    ``size`` bytes at a time (a message larger than ``size`` passes alone)."""

    def __init__(self, count: int, size: int) -> None:
        self._messages: collections.deque[bytes] = collections.deque()
        self._bytes = 0
        self._count = count
        self._size = size
        self._changed = threading.Condition()

    def put(self, message: bytes, stop: threading.Event) -> bool:
        """Add ``message`` when there is room; False if ``stop`` is set first."""
        with self._changed:
            while self._messages and not self._room_for(len(message)):
                if stop.is_set():
                    return False
                self._changed.wait(0.1)
            self._messages.append(message)
            self._bytes += len(message)
            self._changed.notify_all()
            return not stop.is_set()

    def get(self) -> bytes:
        """The oldest message, waiting for one."""
        with self._changed:
            while not self._messages:
                self._changed.wait()
            message = self._messages.popleft()
            self._bytes -= len(message)
            self._changed.notify_all()
            return message

    def _room_for(self, size: int) -> bool:
        return len(self._messages) < self._count and self._bytes + size <= self._size


def _report(connection: Connection, error: BaseException) -> None:
    """Send ``error`` on, to be raised by the receiver."""
    try:
        message = pickle.dumps(error)
    except Exception:  # an exception that does not pickle: its words at least
        message = pickle.dumps(RuntimeError(f"{type(error).__name__}: {error}"))
    with contextlib.suppress(OSError):
        connection.send_bytes(_ERROR + message)


def _widen(connection: Connection) -> None:
    """Ask for a bigger pipe buffer (Linux), so that a worker can run further ahead."""
    import fcntl  # POSIX, as fork is

    set_size = getattr(fcntl, "F_SETPIPE_SZ", None)
    if set_size is not None:
        with contextlib.suppress(OSError):
            fcntl.fcntl(connection.fileno(), set_size, _PIPE_BYTES)


def parse_paths(
    paths: Iterable[str],
    format: str | None = None,
    jobs: int = 1,
    render: Callable[[Cable], T] = keep,  # type: ignore[assignment]
) -> Iterator[T | CablekitError]:
    """Every cable (or problem) in files, directories and archives, rendered by ``render``."""
    return parse_stream(iter_inputs(paths, format), jobs, render)
