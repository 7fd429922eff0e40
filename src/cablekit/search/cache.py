"""What search keeps between queries, per connection, and when it must be read again.

Some things a search needs take longer to read than a whole search: every cable's
header fields for facets (``columns``), and the set of cables a reader may see
(``matching``). They are kept with the connection (one :class:`SQLiteStore`) and
read again as soon as the archive has changed. :func:`stamp` names the state of the
archive as this connection sees it: ``PRAGMA data_version`` moves when another
connection commits, and temporary triggers (which only fire for this connection's
own writes) count every write to the tables these caches are read from. Writes to
other tables (the audit log, the temporary tables of searches and exports) leave
the caches alone.

A cache entry is only ever used with the stamp it was read under, inside a read
transaction that sees that same state: it can make a search faster, never stale.
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, cast

from ..errors import CablekitError
from ..store.sqlite import SQLiteStore

T = TypeVar("T")
Stamp = tuple[int, int]

# The tables cached values are read from: cable header fields, tags, caveats and
# addressees (columns), and what decides visibility (the access policy's tables).
WATCHED = (
    "cable",
    "tag",
    "caveat",
    "addressee",
    "guard",
    "review",
    "review_unit",
    "version",
    "version_collection",
    "collection",
)
ENTRIES = 32  # values of one kind kept per connection, the least recently used dropped
UNWATCHED: list[int] = []  # the writes of a connection whose writes cannot be counted
_UNSEEN = itertools.count(1)
_FUNCTION = "cablekit_search_changed"

_HELD: weakref.WeakKeyDictionary[SQLiteStore, Stamp] = weakref.WeakKeyDictionary()
_WRITES: weakref.WeakKeyDictionary[SQLiteStore, list[int]] = weakref.WeakKeyDictionary()
_VALUES: weakref.WeakKeyDictionary[SQLiteStore, dict[Hashable, tuple[Stamp, Any]]] = (
    weakref.WeakKeyDictionary()
)


def stamp(store: SQLiteStore) -> Stamp:
    """The state of the archive as this connection sees it now (call it inside the
    read transaction whose state it should name)."""
    named = _HELD.get(store)
    if named is not None:
        return named
    writes = _WRITES.get(store)
    if writes is None:
        writes = _watch(store)
    (version,) = store.query("PRAGMA data_version")[0]
    if writes is UNWATCHED:  # a state never seen before: nothing kept is used
        return int(version), -next(_UNSEEN)
    return int(version), writes[0]


@contextmanager
def held(store: SQLiteStore) -> Iterator[None]:
    """Inside one read transaction that writes nothing the cached values come from,
    where the state cannot change: it is named once, not at every look-up."""
    if store in _HELD:
        yield
        return
    _HELD[store] = stamp(store)
    try:
        yield
    finally:
        del _HELD[store]


def cached(store: SQLiteStore, key: Hashable, read: Callable[[], T]) -> T:
    """The value ``read()`` gives in the archive's current state: read again only when
    the archive has changed since it was last read for ``key``."""
    now = stamp(store)
    values = _VALUES.setdefault(store, {})
    found = values.pop(key, None)
    if found is not None and found[0] == now:
        values[key] = found  # most recently used last
        return cast(T, found[1])
    value = read()
    values[key] = (now, value)
    kind = _kind(key)
    same = [k for k in values if _kind(k) == kind]  # least recently used first
    for old in same[: max(0, len(same) - ENTRIES)]:
        del values[old]
    return value


def _kind(key: Hashable) -> Hashable:
    """Keys ("visibility", scope) share their room; the columns never lose theirs to
    a crowd of readers."""
    return key[0] if isinstance(key, tuple) and key else key


def peek(store: SQLiteStore, key: Hashable) -> Any:
    """The value kept for ``key`` if it was read in the archive's current state, else
    None (nothing is read)."""
    found = _VALUES.get(store, {}).get(key)
    return found[1] if found is not None and found[0] == stamp(store) else None


def _watch(store: SQLiteStore) -> list[int]:
    """Count this connection's writes to the watched tables from now on."""
    writes = [0]

    def changed() -> None:
        writes[0] += 1

    # A function, not a counter in a temporary table: it also counts writes rolled
    # back, so a value read in between can never come back into use.
    store.db.create_function(_FUNCTION, 0, changed)
    try:
        for table in WATCHED:
            for event in ("INSERT", "UPDATE", "DELETE"):
                store.query(
                    f"CREATE TEMP TRIGGER IF NOT EXISTS search_{table}_{event.lower()}"
                    f" AFTER {event} ON main.{table} BEGIN SELECT {_FUNCTION}(); END"
                )
    except CablekitError:  # a connection that may not write at all (query_only)
        writes = UNWATCHED
    _WRITES[store] = writes
    return writes
