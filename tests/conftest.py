"""Shared fixtures: the bundled samples, archives built from them once per run, real
PostgreSQL clusters (``pg_cluster``, ``pg_url``, ``pg_pair``), and ``backend``: the
tests that take it run on both backends, SQLite files and PostgreSQL records."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest

from cablekit.archive import Archive

from .backends import BACKENDS, Backend
from .pg_helpers import (
    Cluster,
    PgPair,
    cluster_logs,
    private_cluster,
    private_pair,
    require_postgres,
)

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "src" / "cablekit" / "samples"
SAMPLE_CABLES = SAMPLES / "archive" / "cables.tar.xz"
SAMPLE_VERSIONS = SAMPLES / "archive" / "versions.jsonl.xz"
REFERENCE_CABLE = SAMPLES / "09OTTAWA278.scraped.md"
SAMPLE_FILES = [REFERENCE_CABLE, SAMPLES / "09PARIS1007.txt", SAMPLES / "09BEIJING22.html"]
DATA = ROOT / ".." / "shared" / "data"
CORPUS = DATA / "corpus" / "cablegate-2011-04" / "cable.tar.xz"
VERSIONS = DATA / "corpus" / "versions" / "cables.jsonl.xz"


def sample_inputs() -> list[str]:
    """Every bundled cable: the three samples and the 199-page sample archive."""
    return [str(p) for p in [*SAMPLE_FILES, SAMPLE_CABLES]]


@pytest.fixture(scope="session")
def sample_archive_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An archive of the older versions, then every bundled cable, built once."""
    path = tmp_path_factory.mktemp("archive") / "samples.db"
    with Archive(path, create=True) as archive:
        archive.ingest([str(SAMPLE_VERSIONS)], release="2010-12")
        archive.ingest(sample_inputs(), release="2011-04")
    return path


@pytest.fixture()
def sample_archive(sample_archive_file: Path) -> Iterator[Archive]:
    """The sample archive, opened read-only in spirit: tests must not write to it."""
    with Archive(sample_archive_file) as archive:
        yield archive


@pytest.fixture()
def archive_copy(sample_archive_file: Path, tmp_path: Path) -> Iterator[Archive]:
    """A private copy of the sample archive, free to change."""
    path = tmp_path / "copy.db"
    shutil.copy(sample_archive_file, path)
    with Archive(path) as archive:
        yield archive


# -- both backends (tests/backends.py) ------------------------------------------------------


@pytest.fixture(scope="session")
def backend_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The cache (node indexes) and configuration (audit keys) folders of PostgreSQL runs."""
    return tmp_path_factory.mktemp("backend-home")


@pytest.fixture(scope="module", params=BACKENDS)
def backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, backend_home: Path
) -> Backend:
    """SQLite, then PostgreSQL (a database per archive on the session's cluster): a test
    taking this fixture runs on both, and must give the same answers."""
    name = str(request.param)
    cluster = request.getfixturevalue("pg_cluster") if name == "postgresql" else None
    return Backend(name, tmp_path_factory.mktemp(name), backend_home, cluster)


@pytest.fixture(autouse=True)
def _backend_environment(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test on the PostgreSQL backend finds its indexes and audit keys in the backend's
    folders (set by ``backend.environment``), wherever it opens an archive."""
    chosen = request.getfixturevalue("backend") if "backend" in request.fixturenames else None
    if not isinstance(chosen, Backend):  # none, or a test's own parameter of that name
        yield
        return
    with chosen.environment():
        yield


_sample_targets: dict[str, str] = {}


@pytest.fixture(scope="module")
def sample_target(backend: Backend, sample_archive_file: Path) -> str:
    """The sample archive on ``backend``: the session's file on SQLite; on PostgreSQL a
    database built the same way, once per run. Tests must not write to it."""
    if not backend.postgres:
        return str(sample_archive_file)
    if "samples" not in _sample_targets:
        _sample_targets["samples"] = backend.samples("samples", sample_inputs())
    return _sample_targets["samples"]


# -- PostgreSQL: real private clusters (tools/pgcluster.py, tests/pg_helpers.py) -------------


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """One private PostgreSQL cluster for the whole run (loopback port, fsync off).

    Skipped with the reason when PostgreSQL or psycopg is missing; failed instead under CI.
    Tests must not stop it: take ``pg_pair`` or ``private_cluster`` to crash one.
    """
    bindir = require_postgres()
    with private_cluster("session", bindir=bindir) as cluster:
        yield cluster


_pg_databases = itertools.count(1)


@pytest.fixture()
def pg_url(pg_cluster: Cluster) -> Iterator[str]:
    """The URL of a new empty database (``t_<n>``) on ``pg_cluster``, dropped after the test."""
    name = f"t_{next(_pg_databases)}"
    url = pg_cluster.create_database(name)
    yield url
    pg_cluster.drop_database(name)


@pytest.fixture()
def pg_pair() -> Iterator[PgPair]:
    """A primary and its synchronous streaming standby (pg_basebackup -R), for this test alone.

    ``pg_pair.url`` names both (``target_session_attrs=read-write``); the database
    ``pg_pair.dbname`` exists on both. Free to kill and promote.
    """
    bindir = require_postgres()
    with private_pair(bindir=bindir) as pair:
        yield pair


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A failing PostgreSQL test shows the end of its clusters' logs."""
    report = yield
    if report.failed:
        funcargs = getattr(item, "funcargs", {})
        values = [funcargs[name] for name in ("pg_cluster", "pg_pair") if name in funcargs]
        for title, text in cluster_logs(values):
            report.sections.append((title, text))
    return report
