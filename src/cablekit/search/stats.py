"""``cablekit stats``: what the archive holds, and how well its references resolve."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..scope import PUBLIC, Scope
from ..store.sqlite import SQLiteStore


@dataclass(frozen=True, slots=True)
class Stats:
    cables: int
    versions: int
    cables_with_versions: int
    failures: int | None  # None for a reader of an archive with users
    paragraphs: int
    references: int
    references_to_cables: int
    resolved: int
    resolved_in_archive: int
    first_date: str | None
    last_date: str | None
    classifications: dict[str, int] = field(default_factory=dict)
    mentions: int = 0  # cables cited in a paragraph the reader sees
    mentions_in_archive: int = 0  # of those, cables in the archive they may see

    @property
    def resolved_share(self) -> float:
        """Share of the references to cables that resolve to a cable id."""
        return self.resolved / self.references_to_cables if self.references_to_cables else 0.0

    @property
    def in_archive_share(self) -> float:
        """Share of the resolved references whose cable is in the archive."""
        return self.resolved_in_archive / self.resolved if self.resolved else 0.0

    def to_json(self) -> dict[str, object]:
        data = {name: getattr(self, name) for name in self.__slots__}
        data["resolved_share"] = round(self.resolved_share, 4)
        data["in_archive_share"] = round(self.in_archive_share, 4)
        return data


def stats(store: SQLiteStore, scope: Scope = PUBLIC) -> Stats:
    """Counts over what the scope lets its reader see: their cables, the paragraphs of
    those they may read (not the number stored), the versions they may read, and
    references resolved to a cable they may see (a reference to a hidden cable counts
    as one outside the archive)."""
    visible = f"SELECT c.key FROM cable c WHERE {scope.cables}"
    params = list(scope.cable_params)
    with store.snapshot():
        cables, first, last = store.query(
            f"SELECT count(*), min(date), max(date) FROM cable WHERE key IN ({visible})",
            params,
        )[0]
        (paragraphs,) = store.query(
            f"SELECT count(*) FROM unit u WHERE u.cable_key IN ({visible}) AND u.seq > 0"
            f" AND {scope.units}",
            [*params, *scope.unit_params],
        )[0]
        versions, changed = store.query(
            "SELECT coalesce(sum(n), 0), coalesce(sum(n > 1), 0) FROM (SELECT count(*) AS n"
            f" FROM version v WHERE v.cable_key IN ({visible}) AND {scope.versions}"
            " GROUP BY v.cable_key)",
            [*params, *scope.version_params],
        )[0]
        references, to_cables, resolved, in_archive = store.query(
            "SELECT count(*), sum(r.kind = 'cable'), sum(r.target IS NOT NULL),"
            f" sum(r.target IN (SELECT c.id FROM cable c WHERE {scope.cables}))"
            f" FROM reference r WHERE r.cable_key IN ({visible}) AND r.kind <> 'mention'",
            [*params, *params],
        )[0]
        mentions, mentions_in_archive = store.query(
            f"SELECT count(*), sum(r.target IN (SELECT c.id FROM cable c WHERE {scope.cables}))"
            f" FROM reference r WHERE r.cable_key IN ({visible}) AND r.kind = 'mention'"
            f" AND {scope.references('r')}",
            [*params, *params, *scope.unit_params],
        )[0]
        classes = store.query(
            f"SELECT classification, count(*) FROM cable WHERE key IN ({visible})"
            " GROUP BY classification ORDER BY 2 DESC",
            params,
        )
        # Failed inputs are the administrators' (`cablekit errors`): counted for a public
        # archive only.
        failures = store.query("SELECT count(*) FROM failure")[0][0] if scope == PUBLIC else None
    return Stats(
        cables=cables,
        versions=versions,
        cables_with_versions=changed,
        failures=failures,
        paragraphs=paragraphs,
        references=references,
        references_to_cables=to_cables or 0,
        resolved=resolved or 0,
        resolved_in_archive=in_archive or 0,
        first_date=first,
        last_date=last,
        classifications={str(name): n for name, n in classes},
        mentions=mentions,
        mentions_in_archive=mentions_in_archive or 0,
    )
