"""The two backends the same tests run on: an archive file (SQLite) and a PostgreSQL record.

A test that takes the ``backend`` fixture (``conftest.py``) runs twice: once on SQLite
files, once on databases of the session's private PostgreSQL cluster. It names its
archives by ``backend.new(name)`` (a file path, or the URL of a new empty database)
and opens them as users do, ``Archive(target)`` or ``--db TARGET``: on PostgreSQL
the process's search index is then the default one of that URL, in the cache folder
the backend points ``XDG_CACHE_HOME`` at, and audit keys live in its own
``XDG_CONFIG_HOME``. Writes (users, grants, reviews) go to ``archive.record``, which
is the archive file itself on SQLite.
"""

from __future__ import annotations

import hashlib
import itertools
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from cablekit.archive import Archive
from cablekit.store.postgres import is_url
from cablekit.store.replica import default_index

from .pg_helpers import Cluster

if TYPE_CHECKING:
    from fastapi import FastAPI

BACKENDS = ("sqlite", "postgresql")
SAMPLES = Path(__file__).resolve().parents[1] / "src" / "cablekit" / "samples"
SAMPLE_VERSIONS = SAMPLES / "archive" / "versions.jsonl.xz"

_names = itertools.count(1)


@dataclass
class Backend:
    """Where a test keeps its archives. ``folder``: this module's files (SQLite archives,
    node indexes); ``home``: the session's cache and configuration folders (PostgreSQL)."""

    name: str
    folder: Path
    home: Path
    cluster: Cluster | None = None

    @property
    def postgres(self) -> bool:
        return self.cluster is not None

    def new(self, name: str) -> str:
        """The location of a new, empty archive: a file not yet made, or a new database."""
        n = next(_names)
        if self.cluster is None:
            return str(self.folder / f"{name}-{n}.db")
        return self.cluster.create_database(f"a{n}_{name}".lower())

    def drop(self, target: str) -> None:
        """Throw an archive away (a database and this process's index of it)."""
        if self.cluster is None:
            Path(target).unlink(missing_ok=True)
            return
        with self.environment():
            index = Path(default_index(target))
        self.cluster.drop_database(target.rsplit("/", 1)[1].split("?")[0])
        index.unlink(missing_ok=True)

    def samples(self, name: str, inputs: list[str]) -> str:
        """A new archive of the bundled older versions, then ``inputs``, built as
        ``conftest.sample_archive_file`` builds its own (through ``Archive``)."""
        target = self.new(name)
        with self.environment(), Archive(target, create=True) as archive:
            archive.ingest([str(SAMPLE_VERSIONS)], release="2010-12")
            archive.ingest(inputs, release="2011-04")
        return target

    @contextmanager
    def environment(self) -> Iterator[None]:
        """PostgreSQL archives keep their index and audit key in the session's folders."""
        if self.cluster is None:
            yield
            return
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("XDG_CACHE_HOME", str(self.home / "cache"))
            patch.setenv("XDG_CONFIG_HOME", str(self.home / "config"))
            for name in ("CABLEKIT_INDEX", "CABLEKIT_AUDIT_KEY", "CABLEKIT_DB"):
                patch.delenv(name, raising=False)
            yield

    def copy(self, source: str, name: str, build: str | None = None) -> str:
        """A private copy of an archive: of its file on SQLite; on PostgreSQL, a new
        database built again from the samples (``build``: the name ``samples`` built it
        with), since a record is not a file."""
        if self.cluster is None:
            path = self.folder / f"{name}-{next(_names)}.db"
            shutil.copy(source, path)
            return str(path)
        from .conftest import sample_inputs

        return self.samples(build or name, sample_inputs())

    def app(self, target: str, **options: Any) -> FastAPI:
        """The web application over ``target``; on PostgreSQL a search node with an index
        of its own, kept current by hand (``sync_every=0``) and trusted however old (the
        tests write nothing a node must wait for while it serves)."""
        from cablekit.web import create_app
        from cablekit.web.state import NodeSettings

        if self.cluster is not None:
            index = self.folder / f"node-{next(_names)}.idx"
            options["node"] = NodeSettings(str(index), max_lag=3600, sync_every=0)
        with self.environment():
            return create_app(target, **options)


def fingerprint(target: str) -> str:
    """A digest of everything an archive holds (to show a command changed nothing)."""
    if not is_url(target):
        return hashlib.sha256(Path(target).read_bytes()).hexdigest()
    import psycopg

    digest = hashlib.sha256()
    with psycopg.connect(target) as conn:
        tables = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
        ).fetchall()
        for (table,) in tables:
            (rows,) = conn.execute(
                f"SELECT coalesce(string_agg(t::text, '|' ORDER BY t::text), '') FROM \"{table}\" t"
            ).fetchone() or ("",)
            digest.update(f"{table}:{rows}\n".encode())
    return digest.hexdigest()
