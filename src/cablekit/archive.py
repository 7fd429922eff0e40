"""``cablekit.Archive``: the Python API of the archive, as the CLI and web use it.

::

    from cablekit import Archive

    with Archive("cables.db", create=True) as archive:
        archive.ingest(["cable.tar.xz"], release="2011-04", jobs=2)
        result = archive.search('tag:PREL AND "nuclear program"', facets=True)
        for hit in result.results:
            print(hit.id, hit.subject)

Every method reads through one :class:`~cablekit.search.sql.Scope`, what the
archive's reader may see (everything, until the archive has users).
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from .search.engine import SearchResult, Sort, search
from .search.sql import PUBLIC, Scope
from .search.stats import Stats, stats
from .store.ingest import Progress, ingest
from .store.sqlite import BatchReport, Failure, SQLiteStore, StoredCable, VersionInfo

DEFAULT_PATH = "cablekit.db"


class Archive:
    """A cable archive in one SQLite file.

    :param path: the archive file (``cablekit.db`` by default).
    :param create: make the file when it does not exist (for ingest); otherwise a
        missing file raises :class:`~cablekit.errors.MissingArchive`.
    """

    def __init__(self, path: str | os.PathLike[str] = DEFAULT_PATH, create: bool = False):
        self.store = SQLiteStore(path, create=create)
        self.scope: Scope = PUBLIC

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def ingest(
        self,
        paths: Iterable[str],
        release: str | None = None,
        jobs: int = 1,
        format: str | None = None,
        progress: Progress | None = None,
    ) -> BatchReport:
        """Parse and store every cable in ``paths``; idempotent, resumable."""
        return ingest(self.store, paths, release, jobs, format, progress)

    def search(
        self,
        query: str,
        *,
        sort: Sort = "relevance",
        limit: int = 20,
        cursor: str | None = None,
        facets: bool = False,
        timeline: bool = False,
        snippets: bool = True,
    ) -> SearchResult:
        """Search with the query language (``docs/query-language.md``)."""
        return search(
            self.store,
            query,
            sort=sort,
            limit=limit,
            cursor=cursor,
            facets=facets,
            timeline=timeline,
            snippets=snippets,
            scope=self.scope,
        )

    def get(self, cable_id: str, version: int | None = None) -> StoredCable:
        """A cable: its current version, or the numbered one."""
        return self.store.get(cable_id.upper(), version)

    def versions(self, cable_id: str) -> list[VersionInfo]:
        return self.store.versions(cable_id.upper())

    def stats(self) -> Stats:
        """Counts of what the archive holds, and how well references resolve."""
        return stats(self.store, self.scope)

    def failures(self) -> list[Failure]:
        """Inputs that could not be archived, and why."""
        return self.store.failures()
