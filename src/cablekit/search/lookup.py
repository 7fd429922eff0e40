"""Single look-ups through the reader's scope: a visible cable's key, the ids a query
matches (for the audit log), the collections a version is in."""

from __future__ import annotations

from ..scope import Scope
from ..store.sqlite import SQLiteStore
from .query import Node
from .sql import matching_keys


def matching_ids(store: SQLiteStore, node: Node | None, scope: Scope) -> list[str]:
    """The ids of the visible cables ``node`` matches (all when None), in key order."""
    sql, params = matching_keys(node, scope)
    rows = store.query(
        f"SELECT c.id FROM ({sql}) k JOIN cable c ON c.key = k.key ORDER BY c.key", params
    )
    return [cable_id for (cable_id,) in rows]


def visible_key(store: SQLiteStore, cable_id: str, scope: Scope) -> int | None:
    """The key of the cable ``cable_id`` when the reader may see it, else None."""
    rows = store.query(
        f"SELECT c.key FROM cable c WHERE c.id = ? AND {scope.cables}",
        [cable_id, *scope.cable_params],
    )
    return int(rows[0][0]) if rows else None
