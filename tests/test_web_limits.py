"""Failed sign-ins are limited in the archive; forwarded headers only from named proxies.

Probed as an attacker would: guessing one account from one address, many accounts
from one address, from many addresses at once to lock the real user out, at the
same moment on two workers, across a restart, from a whole IPv6 /64, and from
localhost with a made-up ``X-Forwarded-For``. The in-process tests give each client
its own address (``TestClient(client=...)``) and move the application's clock; the
tests of worker processes and proxies run ``cablekit serve`` itself.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from cablekit.access.limits import PER_ACCOUNT, PER_ADDRESS, WINDOW, address_key
from cablekit.cli import cli
from cablekit.web import create_app
from cablekit.web.auth import COOKIE

from .web_archive import BEFORE_DECL, PASSWORDS, Readers, add_readers, copy_archive

ATTACKER, USER = "203.0.113.9", "198.51.100.7"  # documentation addresses (RFC 5737)
START = 1_400_000_000.0


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


@pytest.fixture()
def readers(sample_archive_file: Path, tmp_path: Path) -> Readers:
    return add_readers(copy_archive(sample_archive_file, tmp_path / "limits.db"))


@pytest.fixture()
def clock() -> Clock:
    return Clock()


@pytest.fixture()
def app(readers: Readers, clock: Clock) -> Any:
    return create_app(readers.path, today=BEFORE_DECL, clock=clock)


def csrf_token(client: TestClient | httpx.Client) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
    assert found
    return found.group(1)


def attempt(app: Any, address: str, name: str, password: str) -> httpx.Response:
    """One sign-in from a browser of its own at ``address``."""
    client = TestClient(app, client=(address, 50000))
    data = {"username": name, "password": password, "csrf": csrf_token(client)}
    return client.post("/login", data=data, follow_redirects=False)


def statuses(app: Any, address: str, name: str, passwords: list[str]) -> list[int]:
    return [attempt(app, address, name, p).status_code for p in passwords]


def wrong(n: int) -> list[str]:
    return [f"wrong-{i}" for i in range(n)]


def failure_rows(path: Path) -> int:
    with sqlite3.connect(path) as db:
        (count,) = db.execute("SELECT count(*) FROM sign_in_failure").fetchone()
    return int(count)


# --- in process --------------------------------------------------------------------------


def test_an_attacker_cannot_lock_the_real_user_out_from_elsewhere(app: Any):
    assert statuses(app, ATTACKER, "officer", wrong(PER_ACCOUNT + 1)) == [401] * PER_ACCOUNT + [429]
    assert attempt(app, ATTACKER, "officer", PASSWORDS["officer"]).status_code == 429
    signed_in = attempt(app, USER, "officer", PASSWORDS["officer"])
    assert signed_in.status_code == 303
    assert COOKIE in signed_in.cookies


def test_one_address_trying_many_accounts_is_stopped(app: Any):
    found = [attempt(app, ATTACKER, f"user{n}", "password").status_code for n in range(PER_ADDRESS)]
    assert found == [401] * PER_ADDRESS
    refused = attempt(app, ATTACKER, "someone-else", "password")
    assert refused.status_code == 429
    assert "Too many failed sign-ins" in refused.text
    # Refused for every account, a right password included: the address is spent.
    assert attempt(app, ATTACKER, "liaison", PASSWORDS["liaison"]).status_code == 429
    assert attempt(app, USER, "liaison", PASSWORDS["liaison"]).status_code == 303


def test_retry_after_says_when_and_counts_leave_the_window(
    app: Any, clock: Clock, readers: Readers
):
    for _ in range(PER_ACCOUNT):
        clock.now += 10
        assert attempt(app, ATTACKER, "officer", "wrong").status_code == 401
    refused = attempt(app, ATTACKER, "officer", "wrong")
    assert refused.status_code == 429
    retry_after = int(refused.headers["retry-after"])
    assert retry_after == WINDOW - (PER_ACCOUNT - 1) * 10  # when the first one leaves
    clock.now += retry_after - 1
    assert attempt(app, ATTACKER, "officer", "wrong").status_code == 429
    clock.now += 1
    assert attempt(app, ATTACKER, "officer", "wrong").status_code == 401
    assert failure_rows(readers.path) == PER_ACCOUNT  # the oldest was deleted
    clock.now += WINDOW
    assert attempt(app, ATTACKER, "officer", "wrong").status_code == 401
    assert failure_rows(readers.path) == 1


def test_a_right_password_forgets_only_its_own_failures(app: Any):
    assert statuses(app, ATTACKER, "officer", wrong(PER_ACCOUNT - 1)) == [401] * (PER_ACCOUNT - 1)
    assert statuses(app, ATTACKER, "liaison", wrong(PER_ACCOUNT - 1)) == [401] * (PER_ACCOUNT - 1)
    assert attempt(app, ATTACKER, "officer", PASSWORDS["officer"]).status_code == 303
    assert statuses(app, ATTACKER, "officer", wrong(PER_ACCOUNT)) == [401] * PER_ACCOUNT
    # An insider who signs into their own account does not wipe the guesses at another.
    assert statuses(app, ATTACKER, "liaison", wrong(2)) == [401, 429]


def test_the_account_is_counted_whatever_its_case(app: Any):
    names = ["officer", "OFFICER", "Officer ", " oFFicer", "officer"]
    assert [attempt(app, ATTACKER, n, "wrong").status_code for n in names] == [401] * 5
    assert attempt(app, ATTACKER, "OfficeR", "wrong").status_code == 429


def test_a_whole_ipv6_64_counts_as_one_client(app: Any):
    hosts = [f"2001:db8:1:2::{n:x}" for n in range(1, PER_ACCOUNT + 1)]
    assert [attempt(app, h, "officer", "wrong").status_code for h in hosts] == [401] * 5
    assert attempt(app, "2001:db8:1:2:ffff::1", "officer", "wrong").status_code == 429
    assert attempt(app, "2001:db8:1:3::1", "officer", PASSWORDS["officer"]).status_code == 303
    assert address_key("::ffff:192.0.2.1") == "192.0.2.1"
    assert address_key("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64"


def test_the_limit_is_shared_by_workers_and_outlives_a_restart(readers: Readers, clock: Clock):
    def worker() -> Any:
        return create_app(readers.path, today=BEFORE_DECL, clock=clock)

    one, other = worker(), worker()
    assert statuses(one, ATTACKER, "officer", wrong(3)) == [401] * 3
    assert statuses(other, ATTACKER, "officer", wrong(3)) == [401, 401, 429]
    assert statuses(worker(), ATTACKER, "officer", wrong(1)) == [429]  # after a restart


def test_attempts_sent_at_once_to_two_workers_cannot_pass_the_limit(readers: Readers):
    workers = [create_app(readers.path, today=BEFORE_DECL) for _ in range(2)]
    clients = [TestClient(workers[n % 2], client=(ATTACKER, 50000)) for n in range(12)]
    tokens = [csrf_token(c) for c in clients]
    start = threading.Barrier(len(clients))
    found: list[int] = []

    def guess(n: int) -> None:
        data = {"username": "officer", "password": f"guess-{n}", "csrf": tokens[n]}
        start.wait()
        found.append(clients[n].post("/login", data=data, follow_redirects=False).status_code)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(found) == [401] * PER_ACCOUNT + [429] * (len(clients) - PER_ACCOUNT)


def test_the_archive_does_not_keep_what_was_typed_as_a_name(app: Any, readers: Readers):
    typed = "correct-horse-battery-staple"  # a password typed in the name box
    assert attempt(app, ATTACKER, typed, "x").status_code == 401
    wal = Path(f"{readers.path}-wal")
    raw = readers.path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    assert typed.encode() not in raw


# --- cablekit serve ----------------------------------------------------------------------


class Served:
    """``cablekit serve`` in a process group of its own, on a free port."""

    def __init__(self, db: Path, *options: str) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.db = db
        command = [sys.executable, "-m", "cablekit", "serve", "--db", str(db)]
        self.log = db.with_suffix(".log").open("wb")
        self.process = subprocess.Popen(
            [*command, "--port", str(self.port), *options],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 90
        while True:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"cablekit serve did not start: {db.with_suffix('.log')}")
            try:
                if httpx.get(f"{self.url}/login", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()

    def forget_failures(self) -> None:
        """A new window: the counts of earlier tests are gone (as after five minutes)."""
        with sqlite3.connect(self.db) as db:
            db.execute("DELETE FROM sign_in_failure")

    def attempt(self, name: str, password: str, **headers: str) -> httpx.Response:
        """One sign-in on a connection of its own (any worker may take it)."""
        with httpx.Client(base_url=self.url, headers={"Connection": "close"}) as client:
            token = csrf_token(client)
            data = {"username": name, "password": password, "csrf": token}
            return client.post("/login", data=data, headers=headers, follow_redirects=False)


def serve(folder: Path, sample: Path, *options: str) -> Iterator[Served]:
    readers = add_readers(copy_archive(sample, folder / "served.db"))
    server = Served(readers.path, *options)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def two_workers(
    sample_archive_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """``cablekit serve --workers 2``, no proxy named."""
    yield from serve(tmp_path_factory.mktemp("workers"), sample_archive_file, "--workers", "2")


@pytest.fixture(scope="module")
def behind_proxy(
    sample_archive_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """``cablekit serve --forwarded-allow-ips 127.0.0.1``: the tests play the proxy."""
    folder = tmp_path_factory.mktemp("proxied")
    yield from serve(folder, sample_archive_file, "--forwarded-allow-ips", "127.0.0.1")


def test_two_worker_processes_share_the_limit(two_workers: Served):
    two_workers.forget_failures()
    found = [two_workers.attempt("officer", f"wrong-{n}").status_code for n in range(10)]
    assert found == [401] * PER_ACCOUNT + [429] * 5
    assert two_workers.attempt("officer", PASSWORDS["officer"]).status_code == 429


def test_guesses_sent_at_once_to_two_worker_processes_cannot_pass_the_limit(
    two_workers: Served,
):
    two_workers.forget_failures()
    found: list[int] = []
    start = threading.Barrier(10)

    def guess(n: int) -> None:
        start.wait()
        found.append(two_workers.attempt("liaison", f"guess-{n}").status_code)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(found) == [401] * PER_ACCOUNT + [429] * 5


def test_a_local_client_cannot_pick_its_address_without_a_named_proxy(two_workers: Served):
    two_workers.forget_failures()
    found = [
        two_workers.attempt(f"name{n}", "guess", **{"X-Forwarded-For": f"192.0.2.{n}"})
        for n in range(PER_ADDRESS + 1)
    ]
    assert [r.status_code for r in found] == [401] * PER_ADDRESS + [429]
    # Nor its scheme: the cookies of a plain-HTTP answer are not made Secure.
    two_workers.forget_failures()
    signed_in = two_workers.attempt(
        "officer", PASSWORDS["officer"], **{"X-Forwarded-Proto": "https"}
    )
    assert signed_in.status_code == 303
    cookie = next(c for c in signed_in.headers.get_list("set-cookie") if c.startswith(COOKIE))
    assert "Secure" not in cookie


def test_a_named_proxy_is_believed_and_the_real_user_is_not_locked_out(behind_proxy: Served):
    behind_proxy.forget_failures()
    # The client wrote the first address; the proxy appended the one it saw.
    attacker = {"X-Forwarded-For": f"{USER}, {ATTACKER}"}
    found = [behind_proxy.attempt("officer", f"wrong-{n}", **attacker) for n in range(6)]
    assert [r.status_code for r in found] == [401] * PER_ACCOUNT + [429]
    user = {"X-Forwarded-For": USER, "X-Forwarded-Proto": "https"}
    signed_in = behind_proxy.attempt("officer", PASSWORDS["officer"], **user)
    assert signed_in.status_code == 303
    cookie = next(c for c in signed_in.headers.get_list("set-cookie") if c.startswith(COOKIE))
    assert "Secure" in cookie


@pytest.mark.parametrize("value", ["nonsense", "10.0.0.1/8", "*,127.0.0.1", "300.1.1.1"])
def test_a_mistyped_proxy_address_is_refused(value: str, tmp_path: Path):
    result = CliRunner().invoke(
        cli, ["serve", "--db", str(tmp_path / "none.db"), "--forwarded-allow-ips", value]
    )
    assert result.exit_code == 2
    assert "--forwarded-allow-ips" in result.output
    assert "Traceback" not in result.output
