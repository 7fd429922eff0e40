"""The server's shared state: one store per thread, handed on when a thread ends."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from cablekit.store.sqlite import SQLiteStore
from cablekit.web import state as state_module
from cablekit.web.state import WebState


def store_in_a_thread(state: WebState) -> SQLiteStore:
    found: list[SQLiteStore] = []
    thread = threading.Thread(target=lambda: found.append(state.store()))
    thread.start()
    thread.join()
    return found[0]


def test_a_thread_keeps_its_store_and_a_new_thread_takes_over_an_ended_ones(
    sample_archive_file: Path, tmp_path: Path
):
    path = tmp_path / "copy.db"
    path.write_bytes(sample_archive_file.read_bytes())  # the state writes its signing key
    state = WebState(str(path))
    assert state.store() is state.store()  # this thread's, kept
    first = store_in_a_thread(state)
    assert first is not state.store()
    assert store_in_a_thread(state) is first  # the ended thread's store, columns and all
    held = threading.Event()
    done = threading.Event()
    stores: list[SQLiteStore] = []

    def hold() -> None:
        stores.append(state.store())
        held.set()
        done.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(10)
    assert store_in_a_thread(state) is not stores[0]  # never one a live thread holds
    done.set()
    holder.join()


def test_the_home_page_counts_are_worked_out_once_a_minute_per_reader(
    sample_archive_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    path = tmp_path / "copy.db"
    path.write_bytes(sample_archive_file.read_bytes())
    state = WebState(str(path))
    first = state.stats(state.archive(None))
    assert first.cables == 202
    assert state.stats(state.archive(None)) is first
    monkeypatch.setattr(state_module, "STATS_SECONDS", 0.0)
    again = state.stats(state.archive(None))
    assert again is not first and again == first
