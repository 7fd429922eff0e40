"""Real PostgreSQL for tests: the clusters of ``tools/pgcluster.py`` and when to skip.

Without PostgreSQL's server programs (or psycopg) a test that needs them is skipped with the
reason, except under CI (``CI`` set, as ``.ci/run`` does): there it fails, since CI installs
PostgreSQL and its tests must never be skipped there.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # tools/ lives at the repository root, beside tests/
    sys.path.insert(0, str(ROOT))

from tools.pgcluster import (  # noqa: E402
    Cluster,
    find_bindir,
    free_port,
    multi_host_url,
    private_dir,
    until,
)

__all__ = [
    "ROOT",
    "Cluster",
    "PgPair",
    "find_bindir",
    "free_port",
    "private_cluster",
    "private_dir",
    "private_pair",
    "require_postgres",
    "until",
]


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require_postgres() -> Path:
    """The folder of PostgreSQL's server programs; skip (fail under CI) when they are missing."""
    missing = []
    bindir = find_bindir()
    if bindir is None:
        missing.append(
            "PostgreSQL's server programs (initdb, pg_ctl, postgres, pg_basebackup, pg_isready; "
            "Debian: apt-get install postgresql)"
        )
    try:
        import psycopg  # noqa: F401
    except ImportError:
        missing.append("psycopg (pip install -e '.[postgres]')")
    if missing:
        reason = "PostgreSQL tests need " + " and ".join(missing)
        if in_ci():
            pytest.fail(f"{reason}; under CI they must run, not skip", pytrace=False)
        pytest.skip(reason)
    assert bindir is not None
    return bindir


@contextmanager
def private_cluster(name: str = "pg", *, bindir: Path | None = None) -> Iterator[Cluster]:
    """A new cluster (fsync off) on a free loopback port, started; stopped and removed after."""
    root = private_dir(f"cablekit-{name}-")
    cluster = Cluster(root / "data", free_port(), fsync=False, bindir=bindir)
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        cluster.stop("immediate")  # its data is thrown away: no checkpoint needed
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class PgPair:
    """A primary and its streaming standby, and a URL that finds whichever accepts writes."""

    primary: Cluster
    standby: Cluster
    dbname: str

    @property
    def url(self) -> str:
        """``postgresql://cablekit@127.0.0.1:P1,127.0.0.1:P2/db?target_session_attrs=read-write``"""
        return multi_host_url([self.primary, self.standby], self.dbname)

    @property
    def clusters(self) -> list[Cluster]:
        return [self.primary, self.standby]


@contextmanager
def private_pair(
    dbname: str = "cablekit", *, synchronous: bool = True, bindir: Path | None = None
) -> Iterator[PgPair]:
    """A primary holding an empty ``dbname`` and a standby made from it by pg_basebackup -R.

    ``synchronous`` makes the standby synchronous (``synchronous_standby_names = '*'`` on
    the primary, set after the copy so the standby does not inherit it): a commit returns
    once the standby has the WAL on disk, so a failover loses nothing committed.
    """
    root = private_dir("cablekit-pair-")
    primary = Cluster(root / "primary", free_port(), fsync=False, bindir=bindir)
    standby: Cluster | None = None
    try:
        primary.init()
        primary.start()
        primary.create_database(dbname)  # before the copy, so the standby has it at once
        standby = primary.standby(root / "standby", free_port())
        if synchronous:
            with primary.connect() as conn:
                conn.execute("ALTER SYSTEM SET synchronous_standby_names = '*'")
                conn.execute("SELECT pg_reload_conf()")
            until(
                lambda: _sync_standbys(primary) > 0,
                30,
                what="the standby to become synchronous",
            )
        yield PgPair(primary, standby, dbname)
    finally:
        for cluster in (standby, primary):
            if cluster is not None:
                cluster.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


def _sync_standbys(primary: Cluster) -> int:
    with primary.connect() as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync'"
        ).fetchone()
    return int(row[0]) if row else 0


def cluster_logs(values: object) -> list[tuple[str, str]]:
    """The log tails of the clusters among a test's fixture values (for its failure report)."""
    sections = []
    for value in values if isinstance(values, list | tuple) else [values]:
        clusters = value.clusters if isinstance(value, PgPair) else [value]
        for cluster in clusters:
            if isinstance(cluster, Cluster):
                sections.append((f"postgresql log {cluster.log_path}", cluster.log_tail(80)))
    return sections
