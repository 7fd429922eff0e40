"""The hand-over between the thread receiving parsed results and the writer: in order,
and bounded by count and bytes, so that memory stays flat whatever the cables' size."""

from __future__ import annotations

import threading
import time

from cablekit.pipeline import Bounded


def put_in_thread(queue: Bounded, message: bytes, stop: threading.Event) -> threading.Thread:
    thread = threading.Thread(target=queue.put, args=(message, stop), daemon=True)
    thread.start()
    return thread


def test_messages_come_out_in_order() -> None:
    queue, stop = Bounded(count=8, size=1000), threading.Event()
    for n in range(5):
        assert queue.put(b"%d" % n, stop)
    assert [queue.get() for _ in range(5)] == [b"0", b"1", b"2", b"3", b"4"]


def test_a_put_waits_while_the_bytes_ahead_are_at_the_bound() -> None:
    queue, stop = Bounded(count=100, size=10), threading.Event()
    assert queue.put(b"x" * 6, stop)
    waiting = put_in_thread(queue, b"y" * 6, stop)  # 12 bytes would be over 10
    time.sleep(0.3)
    assert waiting.is_alive()
    assert queue.get() == b"x" * 6  # room again
    waiting.join(timeout=5)
    assert not waiting.is_alive()
    assert queue.get() == b"y" * 6


def test_a_put_waits_while_the_count_ahead_is_at_the_bound() -> None:
    queue, stop = Bounded(count=2, size=1 << 20), threading.Event()
    assert queue.put(b"a", stop) and queue.put(b"b", stop)
    waiting = put_in_thread(queue, b"c", stop)
    time.sleep(0.3)
    assert waiting.is_alive()
    assert queue.get() == b"a"
    waiting.join(timeout=5)
    assert [queue.get(), queue.get()] == [b"b", b"c"]


def test_a_message_larger_than_the_bound_passes_alone() -> None:
    """A cable whose result alone is over the bound is not stuck forever."""
    queue, stop = Bounded(count=8, size=10), threading.Event()
    assert queue.put(b"z" * 50, stop)
    assert queue.get() == b"z" * 50


def test_stopping_releases_a_waiting_put() -> None:
    """The writer that stops (an error, the end) does not leave the receiver blocked."""
    queue, stop = Bounded(count=1, size=100), threading.Event()
    assert queue.put(b"a", stop)
    result: list[bool] = []
    waiting = threading.Thread(target=lambda: result.append(queue.put(b"b", stop)), daemon=True)
    waiting.start()
    time.sleep(0.2)
    stop.set()
    waiting.join(timeout=5)
    assert result == [False]
