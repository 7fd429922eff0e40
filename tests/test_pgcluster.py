"""The PostgreSQL harness (tools/pgcluster.py) on real servers: start, write, stop, crash,
replicate, fail over. These are what the PostgreSQL store's own tests stand on."""

from __future__ import annotations

import os
import subprocess
import sys

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from . import pg_helpers
from .pg_helpers import ROOT, Cluster, PgPair, private_cluster, require_postgres, until


def count_rows(url: str, table: str = "t") -> int:
    with psycopg.connect(url, connect_timeout=10) as conn:
        row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
    assert row is not None
    return int(row[0])


def test_a_cluster_starts_takes_a_write_stops_and_keeps_it() -> None:
    bindir = require_postgres()
    with private_cluster("life", bindir=bindir) as cluster:
        assert cluster.running
        url = cluster.create_database("life")
        with psycopg.connect(url) as conn:
            conn.execute("CREATE TABLE t (id int PRIMARY KEY, body text NOT NULL)")
            conn.execute("INSERT INTO t VALUES (1, 'committed')")
        cluster.stop("fast")
        assert not cluster.running
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(url, connect_timeout=5)
        cluster.start()
        assert count_rows(url) == 1
        log = cluster.log_tail(400)
        assert "database system is ready to accept connections" in log
        assert "$ " + str(bindir / "pg_ctl") + " stop" in log


def test_a_killed_cluster_recovers_what_it_committed() -> None:
    with private_cluster("crash", bindir=require_postgres()) as cluster:
        url = cluster.create_database("crash")
        with psycopg.connect(url) as conn:
            conn.execute("CREATE TABLE t (id int)")
            conn.execute("INSERT INTO t SELECT generate_series(1, 1000)")
        cluster.kill()
        assert not cluster.running
        cluster.start()
        assert count_rows(url) == 1000
        assert "database system was interrupted" in cluster.log_tail(400)


def test_pg_url_is_a_new_empty_database_on_loopback_only(pg_cluster: Cluster, pg_url: str) -> None:
    info = conninfo_to_dict(pg_url)
    assert info["host"] == "127.0.0.1" and info["port"] == str(pg_cluster.port)
    assert str(info["dbname"]).startswith("t_")
    with psycopg.connect(pg_url) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
        assert tables == (0,)
        assert conn.execute("SHOW listen_addresses").fetchone() == ("127.0.0.1",)
        assert conn.execute("SHOW unix_socket_directories").fetchone() == ("",)
        conn.execute("CREATE TABLE t (id int)")
        conn.execute("INSERT INTO t VALUES (1)")
    assert count_rows(pg_url) == 1


def test_each_test_gets_its_own_database(pg_cluster: Cluster, pg_url: str) -> None:
    # The previous test's database was dropped; this one has no table t.
    with psycopg.connect(pg_url) as conn, pytest.raises(psycopg.errors.UndefinedTable):
        conn.execute("SELECT * FROM t")
    with pg_cluster.connect() as conn:
        names = [row[0] for row in conn.execute("SELECT datname FROM pg_database")]
    assert [n for n in names if n.startswith("t_")] == [conninfo_to_dict(pg_url)["dbname"]]


def test_a_standby_replays_a_committed_row(pg_pair: PgPair) -> None:
    primary, standby = pg_pair.primary, pg_pair.standby
    assert not primary.in_recovery() and standby.in_recovery()
    with psycopg.connect(primary.url(pg_pair.dbname)) as conn:
        conn.execute("CREATE TABLE t (id int PRIMARY KEY, body text)")
        conn.execute("INSERT INTO t VALUES (1, 'replicated')")

    def on_standby() -> bool:
        try:
            return count_rows(standby.url(pg_pair.dbname)) == 1
        except psycopg.errors.UndefinedTable:
            return False  # the CREATE TABLE is not replayed yet

    until(on_standby, 30, what="the row on the standby")
    with psycopg.connect(standby.url(pg_pair.dbname)) as conn:
        assert conn.execute("SELECT body FROM t").fetchone() == ("replicated",)
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            conn.execute("INSERT INTO t VALUES (2, 'refused')")
    standby.wait_caught_up(primary)


def test_after_a_crash_and_a_promotion_the_multi_host_url_writes_to_the_standby(
    pg_pair: PgPair,
) -> None:
    primary, standby = pg_pair.primary, pg_pair.standby
    info = conninfo_to_dict(pg_pair.url)
    assert info["host"] == "127.0.0.1,127.0.0.1"
    assert info["port"] == f"{primary.port},{standby.port}"
    assert info["target_session_attrs"] == "read-write"
    with psycopg.connect(pg_pair.url) as conn:
        assert conn.execute("SELECT inet_server_port()").fetchone() == (primary.port,)
        conn.execute("CREATE TABLE t (id int PRIMARY KEY, body text)")
        conn.execute("INSERT INTO t VALUES (1, 'before the crash')")
    # No wait for replay here: the standby is synchronous, so what committed is on it.
    primary.kill()
    assert not primary.running
    standby.promote()
    with psycopg.connect(pg_pair.url, connect_timeout=10) as conn:
        assert conn.execute("SELECT inet_server_port()").fetchone() == (standby.port,)
        assert conn.execute("SELECT body FROM t").fetchall() == [("before the crash",)]
        conn.execute("INSERT INTO t VALUES (2, 'after the promotion')")
    assert count_rows(standby.url(pg_pair.dbname)) == 2


def test_the_script_starts_prints_the_url_and_stops() -> None:
    require_postgres()
    root = pg_helpers.private_dir("cablekit-script-")
    datadir = root / "pg"
    port = pg_helpers.free_port()
    script = [sys.executable, str(ROOT / "tools" / "pgcluster.py")]
    env = {**os.environ, "PGPORT": str(port)}
    try:
        started = subprocess.run(
            [*script, "start", str(datadir)], capture_output=True, text=True, env=env, timeout=120
        )
        assert started.returncode == 0, started.stderr
        url = f"postgresql://cablekit@127.0.0.1:{port}/cablekit"
        assert started.stdout == url + "\n"
        assert count_rows(url, "pg_tables") > 0  # the database cablekit exists
        again = subprocess.run([*script, "url", str(datadir)], capture_output=True, text=True)
        assert again.stdout == url + "\n"
        stopped = subprocess.run([*script, "stop", str(datadir)], capture_output=True, text=True)
        assert stopped.returncode == 0, stopped.stderr
        status = subprocess.run([*script, "status", str(datadir)], capture_output=True, text=True)
        assert (status.returncode, status.stdout) == (3, "not running\n")
    finally:
        Cluster(datadir, port).stop("immediate")
        subprocess.run(["rm", "-rf", str(root)], check=False)


@pytest.mark.parametrize(
    ("ci", "outcome"), [("true", pytest.fail.Exception), ("", pytest.skip.Exception)]
)
def test_missing_postgres_skips_but_fails_under_ci(
    monkeypatch: pytest.MonkeyPatch, ci: str, outcome: type[BaseException]
) -> None:
    monkeypatch.setattr(pg_helpers, "find_bindir", lambda: None)
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match="PostgreSQL's server programs"):
        require_postgres()
