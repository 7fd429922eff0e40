"""No single point of failure, shown: a PostgreSQL primary with a synchronous streaming
standby, two search nodes (``cablekit serve`` processes on two ports) and a reader's
session. A node is killed: the other serves the same session. The primary is stopped
and the standby promoted: the nodes reconnect (the multi-host URL with
``target_session_attrs=read-write``), nothing committed is lost, and ingest goes on.

The tests print what they do on the terminal, past pytest's capture, so that CI's log
shows it whether they pass or fail.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from cablekit.archive import Archive

from .conftest import CORPUS, SAMPLE_VERSIONS, sample_inputs
from .pg_helpers import PgPair, free_port, until

PASSWORD = "correct horse battery staple"
ALL = "date:1900..2100"  # every dated cable


Say = Callable[[str], None]


@pytest.fixture()
def say(capsys: pytest.CaptureFixture[str]) -> Say:
    def told(message: str) -> None:
        with capsys.disabled():
            print(f"\n[failover {time.strftime('%H:%M:%S')}] {message}", end="", flush=True)

    return told


class Node:
    """A ``cablekit serve`` process over the record, with its own index."""

    def __init__(self, url: str, folder: Path, name: str, env: dict[str, str]) -> None:
        self.name = name
        self.port = free_port()
        self.log = folder / f"{name}.log"
        command = [sys.executable, "-m", "cablekit", "serve", "--db", url]
        command += ["--index", str(folder / f"{name}.idx"), "--port", str(self.port)]
        command += ["--sync-every", "0.2", "--max-lag", "120"]
        with self.log.open("w") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=log, env=env)
        self.base = f"http://127.0.0.1:{self.port}"

    def healthy(self) -> bool:
        try:
            return httpx.get(f"{self.base}/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_for(check: Callable[[], bool], what: str, node: Node) -> int:
    """Poll ``check`` (at most a minute); how many times it was false first."""
    failures = 0

    def counted() -> bool:
        nonlocal failures
        done = check()
        failures += not done
        return done

    until(
        counted, 60, what=what, on_timeout=lambda m: AssertionError(f"{m}\n{node.log.read_text()}")
    )
    return failures


def sign_in(client: httpx.Client) -> None:
    form = client.get("/login")
    csrf = form.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    done = client.post("/login", data={"username": "bob", "password": PASSWORD, "csrf": csrf})
    assert done.status_code == 303, done.text


def search_total(client: httpx.Client, query: str) -> int | None:
    """The total of a search as the signed-in reader, None when the node refuses."""
    try:
        answer = client.get("/api/v1/search", params={"q": query, "limit": 1})
    except httpx.HTTPError:
        return None
    if answer.status_code != 200:
        return None
    return int(answer.json()["total"])


@pytest.fixture()
def environment(tmp_path: Path) -> Iterator[dict[str, str]]:
    env = {
        **os.environ,
        "CABLEKIT_AUDIT_KEY": str(tmp_path / "audit.key"),  # every process shares it
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }
    saved = dict(os.environ)
    os.environ.update(env)
    yield env
    os.environ.clear()
    os.environ.update(saved)


def test_a_node_killed_and_a_primary_lost_lose_nothing(
    pg_pair: PgPair, tmp_path: Path, environment: dict[str, str], say: Say
) -> None:
    url = f"{pg_pair.url}&connect_timeout=5"
    with Archive(url, create=True, index=tmp_path / "loader.idx") as loader:
        loader.ingest([str(SAMPLE_VERSIONS)], release="2010-12")
    with Archive(url, index=tmp_path / "admin.idx", user="ana") as admin:
        admin.admin.add_user("ana", clearance="SECRET", citizenship="USA", collections=["*"],
                             admin=True)  # fmt: skip
        admin.admin.add_user("bob", clearance="SECRET", citizenship="USA", collections=["*"])
        admin.admin.set_password("bob", PASSWORD)
    say(f"record on primary :{pg_pair.primary.port}, standby :{pg_pair.standby.port}")

    nodes = [Node(url, tmp_path, name, environment) for name in ("node1", "node2")]
    try:
        for node in nodes:
            wait_for(node.healthy, f"{node.name} to answer /healthz", node)
        say(f"two nodes up on :{nodes[0].port} and :{nodes[1].port}")
        first = httpx.Client(base_url=nodes[0].base, timeout=10)
        sign_in(first)
        before = search_total(first, ALL)
        assert before == 5
        say(f"bob signed in on node1; he sees {before} cables")

        nodes[0].kill()
        second = httpx.Client(base_url=nodes[1].base, cookies=first.cookies, timeout=10)
        assert search_total(second, ALL) == before
        assert "bob" in second.get("/").text  # the page says who is signed in
        say("node1 killed: node2 serves bob's session, same answers")

        with Archive(url, index=tmp_path / "admin.idx", user="ana") as admin:
            committed_audit = len(admin.admin.audit_entries())
            committed = {c.id for c in admin.records()}
        pg_pair.primary.kill()
        say(
            f"primary stopped (crash) with {len(committed)} cables, {committed_audit} audit entries"
        )
        pg_pair.standby.promote()
        say("standby promoted")

        refused = wait_for(
            lambda: search_total(second, ALL) == before, "node2 to reconnect", nodes[1]
        )
        say(
            f"node2 reconnected to the promoted standby after {refused} refused request(s):"
            " bob's session still good"
        )

        with Archive(url, index=tmp_path / "loader.idx") as loader:
            report = loader.ingest(sample_inputs(), release="2011-04")
        assert report.ingested == 197 and report.failed == 0
        say(f"ingest resumed on the new primary: {report.ingested} cables ingested")

        wait_for(lambda: search_total(second, ALL) == 202, "node2 to see the new cables", nodes[1])
        with Archive(url, index=tmp_path / "admin.idx", user="ana") as admin:
            kept = {c.id for c in admin.records()}
            entries = admin.admin.audit_entries()
            verified = admin.admin.verify_audit()
        assert committed <= kept and len(kept) == 202
        assert len(entries) > committed_audit and verified.problem is None
        say(
            f"no committed cable or audit entry lost: {len(kept)} cables,"
            f" {len(entries)} audit entries, chain verified"
        )
        first.close()
        second.close()
    finally:
        for node in nodes:
            node.stop()


def test_an_ingest_cut_by_a_failover_is_finished_by_running_it_again(
    pg_pair: PgPair, tmp_path: Path, environment: dict[str, str], say: Say
) -> None:
    """The corpus is being ingested when the primary crashes: the loader stops with one
    sentence; run again against the promoted standby, it completes: every cable once."""
    if not CORPUS.exists():
        pytest.skip("needs the corpus of ../shared/data")
    url = f"{pg_pair.url}&connect_timeout=5"
    command = [sys.executable, "-m", "cablekit", "ingest", "--db", url, "--index"]
    command += [str(tmp_path / "loader.idx"), "--release", "2011-04", str(CORPUS)]
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
    loader = subprocess.Popen(command, env=environment, **pipes)  # type: ignore[call-overload]
    standby = pg_pair.standby.url(pg_pair.dbname)

    def cables_on_standby() -> int:
        with psycopg.connect(standby) as conn:
            try:
                return int(conn.execute("SELECT count(*) FROM cable").fetchone()[0])  # type: ignore[index]
            except psycopg.errors.UndefinedTable:
                return 0

    until(lambda: cables_on_standby() >= 500, 120, what="a first batch on the standby")
    pg_pair.primary.kill()
    kept = cables_on_standby()
    say(f"primary crashed during ingest, {kept} cables committed")
    pg_pair.standby.promote()
    _, err = loader.communicate(timeout=120)
    assert loader.returncode != 0 and "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("Error: "), err
    say(f"the loader stopped with: {err.strip().splitlines()[-1]}")
    again = subprocess.run(command, capture_output=True, text=True, env=environment, timeout=600)
    assert again.returncode == 0, again.stderr
    say(f"run again: {again.stdout.strip().splitlines()[-1]}")
    with psycopg.connect(url) as conn:
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM cable), (SELECT count(DISTINCT id) FROM cable),"
            " (SELECT count(*) FROM version)"
        ).fetchone()
    assert counts == (6709, 6709, 6712)
    say(f"every cable once: {counts[0]} cables, {counts[2]} versions")
