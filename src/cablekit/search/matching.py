"""Which cables a query matches, for one reader: boolean masks over the cable keys.

Each leaf of the query is answered by the archive in one SQL statement whose keys
(or unit rowids) are read in one go; ``AND``, ``OR`` and ``NOT`` then combine the
leaves as boolean arrays indexed by cable key, which costs microseconds where
``INTERSECT`` and ``EXCEPT`` over hundreds of thousands of keys cost a large part of
a second. The semantics are those of :func:`cablekit.search.sql.compile_query`,
which stays the definition (export, graph and plots run it): true boolean logic over
whole cables, words matched paragraph by paragraph.

**What the reader may see** enters where ``compile_query`` puts it, before anything
is combined, counted or ranked. :class:`Visibility` holds the two sets the reader's
:class:`~cablekit.search.sql.Scope` selects, each read by the scope's own SQL: the
cables they may see, and the text units (paragraphs, subjects) they may not. Every
word leaf drops the withheld units from its matches before its cables are taken, so
a word in a withheld paragraph never makes a cable match; and every query's result,
``NOT`` included, is taken within the visible cables. Both sets are read once per
reader, day and state of the archive (``cache.cached``), not once per query.

**Work bounded by what the reader may see.** A reader who sees no cable costs no
index work at all: nothing is matched. A reader who sees few cables (at most
``NARROW_CABLES``) gets an index of their own, an FTS5 table in the connection's
temporary database holding only the units they may see, built once per reader and
state of the archive (:class:`Index`): their words, phrases and prefixes are matched,
ranked and quoted there, so that neither the time of a search nor its scores depend
on material hidden from them. Other readers are matched in the archive's index, whose
matches are then narrowed as above.
"""

from __future__ import annotations

import bisect
import itertools
import json
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from ..scope import UNIT_BITS, UNIT_MASK, Scope
from ..store.schema import TEXT_TOKENIZER
from ..store.sqlite import SQLiteStore
from .cache import Stamp, cached, stamp
from .columns import EMPTY, FROM, TO, Ints, Mask, addressees, ints, loaded
from .query import And, DateRange, Field, Node, Not, Or, Text
from .sql import ROLES, Compiled, caveat_condition, dates_sql, field_sql, fts_phrase, names_of

# A name term matching more addressee lines than this reads the addressee columns
# (about a second at 250,000 cables, once per state of the archive) rather than look
# each line up in SQL.
NAMES_READ_FROM = 50_000
# A reader who sees at most this many cables has an index of their own (0.5-0.7 s of CPU
# to build for 1,000 cables, once per state of the archive); at most NARROW_KEPT of these
# are kept per connection, the least recently used dropped.
NARROW_CABLES = 1_000
NARROW_KEPT = 4


@dataclass(frozen=True, slots=True)
class Visibility:
    """What a reader may see in one state of the archive."""

    size: int  # 1 + the largest cable key
    cables: Mask  # by cable key: visible
    hidden: Ints  # rowids of the units withheld from the reader, sorted
    count: int  # visible cables
    everything: bool  # every cable and every unit of the archive is visible

    @property
    def keys(self) -> Ints:
        return np.flatnonzero(self.cables)


def visibility(store: SQLiteStore, scope: Scope) -> Visibility:
    return cached(store, ("visibility", scope), lambda: _read_visibility(store, scope))


def _read_visibility(store: SQLiteStore, scope: Scope) -> Visibility:
    top, stored = store.query("SELECT coalesce(max(key), 0), count(*) FROM cable")[0]
    cables = np.zeros(int(top) + 1, np.bool_)
    visible = Compiled(f"SELECT c.key FROM cable c WHERE {scope.cables}", [*scope.cable_params])
    cables[keys_of(store, visible)] = True
    hidden = scope.hidden_units()
    withheld = (
        np.unique(keys_of(store, Compiled(hidden, [*scope.unit_params]))) if hidden else EMPTY
    )
    count = int(cables.sum())
    return Visibility(len(cables), cables, withheld, count, count == stored and not len(withheld))


@dataclass(frozen=True, slots=True)
class Index:
    """The FTS5 table a reader's words are looked up in.

    ``exact``: the table's own bm25 (``rank``) is the reader's score, because the
    statistics it counts (rows, average length, units holding each phrase) are over
    exactly the units the reader may see: the archive's index for a reader who sees
    everything, a reader's own index for a reader who sees few cables. Otherwise
    (``unit_fts`` for a reader who sees much but not all) ranking recomputes bm25 over
    the visible units (``ranking``)."""

    table: str  # as named in FROM: "unit_fts", "temp.reader_3"
    name: str  # as named left of MATCH and in auxiliary functions
    exact: bool

    @property
    def data(self) -> str:
        """FTS5's table of index records (the "averages" record is id 1)."""
        return f"{self.table}_data"


ARCHIVE_INDEX = Index("unit_fts", "unit_fts", exact=False)
_NARROW: weakref.WeakKeyDictionary[SQLiteStore, OrderedDict[Scope, tuple[Stamp, Index]]] = (
    weakref.WeakKeyDictionary()
)
_TABLES = itertools.count(1)


def index_for(store: SQLiteStore, scope: Scope, seen: Visibility) -> Index:
    """Where ``scope``'s reader's words are matched (within the read transaction)."""
    if seen.everything:
        return Index("unit_fts", "unit_fts", exact=True)
    if seen.count > NARROW_CABLES:
        return ARCHIVE_INDEX
    return _narrow_index(store, scope, seen)


def _narrow_index(store: SQLiteStore, scope: Scope, seen: Visibility) -> Index:
    """The reader's own index, built anew when the archive has changed since."""
    kept = _NARROW.setdefault(store, OrderedDict())
    now = stamp(store)
    found = kept.pop(scope, None)
    if found is not None and found[0] == now:
        kept[scope] = found
        return found[1]
    if found is not None:
        _drop(store, found[1])
    while len(kept) >= NARROW_KEPT:
        _drop(store, kept.popitem(last=False)[1][1])
    index = _build(store, seen)
    kept[scope] = (now, index)
    return index


def _build(store: SQLiteStore, seen: Visibility) -> Index:
    """An FTS5 table of the units ``seen`` lets its reader see, rowids kept. It lives
    in the connection's temporary database: nothing is written to the archive."""
    name = f"reader_{next(_TABLES)}"
    store.query(f"CREATE VIRTUAL TABLE temp.{name} USING fts5(body, tokenize='{TEXT_TOKENIZER}')")
    store.query(
        f"INSERT INTO temp.{name} (rowid, body) SELECT u.rowid, u.body FROM unit u"
        " WHERE u.cable_key IN (SELECT value FROM json_each(?))"
        " AND u.rowid NOT IN (SELECT value FROM json_each(?)) ORDER BY u.rowid",
        [json.dumps(seen.keys.tolist()), json.dumps(seen.hidden.tolist())],
    )
    return Index(f"temp.{name}", name, exact=True)


def _drop(store: SQLiteStore, index: Index) -> None:
    store.query(f"DROP TABLE IF EXISTS {index.table}")


def keys_of(store: SQLiteStore, compiled: Compiled) -> Ints:
    """The integers of the first column of ``compiled``'s rows, read as one string
    (each row crossing into Python on its own costs more than finding it)."""
    rows = store.query(
        f"WITH t(x) AS ({compiled.sql}) SELECT group_concat(x) FROM t", compiled.params
    )
    return ints(rows[0][0])


@dataclass(slots=True)
class Matcher:
    """Evaluates queries for one reader within one read transaction.

    ``units`` remembers, per FTS5 phrase, the rowids of the units of ``index`` that
    hold it (all of them: FTS5's bm25 counts them for its IDF); ranking and snippets
    reuse them.
    """

    store: SQLiteStore
    scope: Scope
    seen: Visibility
    index: Index = ARCHIVE_INDEX
    units: dict[str, Ints] = field(default_factory=dict)
    visible: dict[str, Ints] = field(default_factory=dict)  # ``units`` not withheld
    counts: dict[str, int] = field(default_factory=dict)  # visible units per phrase

    @classmethod
    def of(cls, store: SQLiteStore, scope: Scope) -> Matcher:
        """A matcher for ``scope``'s reader (inside a read transaction: a reader who
        sees few cables may have their index built here)."""
        seen = visibility(store, scope)
        if not seen.count:  # sees nothing: nothing is looked up
            return cls(store, scope, seen)
        return cls(store, scope, seen, index_for(store, scope, seen))

    def match(self, node: Node) -> Mask:
        """The visible cables ``node`` matches."""
        if not self.seen.count:  # nothing to match, and no index work to time
            return np.zeros(self.seen.size, np.bool_)
        return self._node(node) & self.seen.cables

    def phrase_units(self, phrase: str) -> Ints:
        """Rowids of every unit of the reader's index holding ``phrase``, ascending
        (in the archive's index, visible or not; none for a reader who sees nothing)."""
        found = self.units.get(phrase)
        if found is None:
            found = EMPTY
            if self.seen.count:
                index = self.index
                found = keys_of(
                    self.store,
                    Compiled(
                        f"SELECT rowid FROM {index.table} WHERE {index.name} MATCH ?", [phrase]
                    ),
                )
            self.units[phrase] = found
        return found

    def visible_phrase_units(self, phrase: str) -> Ints:
        """``phrase_units`` without the units withheld from the reader (kept: matching,
        bounds, statistics and snippets all start from them)."""
        found = self.visible.get(phrase)
        if found is None:
            found = self.visible[phrase] = self.visible_units(self.phrase_units(phrase))
        return found

    def visible_units(self, rowids: Ints) -> Ints:
        """``rowids`` without the units withheld from the reader."""
        return rowids[~self.withheld(rowids)] if len(self.seen.hidden) else rowids

    def withheld(self, rowids: Ints) -> Mask:
        """Which of the unit ``rowids`` are withheld from the reader."""
        hidden = self.seen.hidden
        if not len(hidden) or not len(rowids):
            return np.zeros(len(rowids), np.bool_)
        at = np.minimum(np.searchsorted(hidden, rowids), len(hidden) - 1)
        return np.asarray(hidden[at] == rowids)

    def _node(self, node: Node) -> Mask:
        match node:
            case Text():
                return self._text(node)
            case Field():
                return self._field(node)
            case DateRange(start, end):
                return self._dates(start, end)
            case And(items):
                return self._and(items)
            case Or(items):
                result = self._node(items[0])
                for item in items[1:]:
                    result = result | self._node(item)
                return result
            case Not():
                return self._and((node,))
        raise TypeError(f"not a query node: {node!r}")

    def _and(self, items: tuple[Node, ...]) -> Mask:
        """Positive items intersected, then each negated one taken away."""
        result: Mask | None = None
        for item in items:
            if not isinstance(item, Not):
                found = self._node(item)
                result = found if result is None else result & found
        if result is None:
            result = self.seen.cables.copy()
        for item in items:
            if isinstance(item, Not):
                result &= ~self._node(item.item)
        return result

    def _text(self, node: Text) -> Mask:
        rowids = self.visible_phrase_units(fts_phrase(node.words, node.prefix))
        if node.field == "subject":
            rowids = rowids[(rowids & UNIT_MASK) == 0]
        return self._mask(rowids >> UNIT_BITS)

    def _field(self, node: Field) -> Mask:
        """A field term: from the columns in memory when they are held (a search with
        facets reads them), else by its SQL (``field_sql``)."""
        match node.name:
            case "tag" if (tagged := loaded(self.store, "tag")) is not None:
                return self._mask(tagged.having(_codes(tagged.values, node.value)))
            case "class" if (classified := loaded(self.store, "classification")) is not None:
                (code, *_) = _codes(classified.values, node.value) or [-2]
                return self._sized(classified.codes == code)
            case "caveat" if (marked := loaded(self.store, "caveat")) is not None:
                return self._mask(marked.having(self._caveats(marked.values, node.value)))
            case "from" | "to":
                return self._names(node)
        return self._mask(keys_of(self.store, field_sql(node, self.scope)))

    def _caveats(self, values: list[str], value: str) -> list[int]:
        """The codes of the caveats ``caveat:value`` finds (by the SQL condition)."""
        condition, params = caveat_condition("value", value)
        rows = self.store.query(
            f"SELECT key FROM json_each(?) WHERE {condition}", [json.dumps(values), *params]
        )
        return [int(code) for (code,) in rows]

    def _dates(self, start: str | None, end: str | None) -> Mask:
        """Cables dated from ``start`` to ``end`` (inclusive; None: open), the dates
        compared as the strings they are stored as, like ``dates_sql``."""
        held = loaded(self.store, "date")
        if held is None:
            return self._mask(keys_of(self.store, dates_sql(start, end)))
        low = bisect.bisect_left(held.dates, start) if start else 0
        high = bisect.bisect_right(held.dates, end) if end else len(held.dates)
        return self._sized((held.date >= low) & (held.date < high))

    def _names(self, node: Field) -> Mask:
        """from: or to: (``names_of``): the addressee lines whose names hold the words,
        looked up in the addressee columns when they are held or worth reading (a
        common name such as SECSTATE is on most cables), else joined in SQL."""
        names = names_of(node)
        found = self._mask(keys_of(self.store, names.exact))
        rowids = keys_of(
            self.store,
            Compiled("SELECT rowid FROM name_fts WHERE name_fts MATCH ?", [names.phrase]),
        )
        book = loaded(self.store, "addressee")
        if book is None and len(rowids) < NAMES_READ_FROM:
            # Joined in SQL, not sent back as a list: a fifth less time for thousands.
            keys = keys_of(
                self.store,
                Compiled(
                    "SELECT a.cable_key FROM name_fts f JOIN addressee a ON a.rowid = f.rowid"
                    f" WHERE name_fts MATCH ? AND {ROLES[names.role]}",
                    [names.phrase],
                ),
            )
        else:
            book = book or addressees(self.store)
            rowids = rowids[rowids < len(book.cable)]
            wanted = FROM if names.role == "from" else TO
            keys = book.cable[rowids[book.role[rowids] == wanted]]
        found[keys[(keys >= 0) & (keys < len(found))]] = True
        return found

    def _sized(self, mask: Mask) -> Mask:
        """A mask over the keys of the columns, over the keys of this reader's sets
        (the same, both read in the same state of the archive)."""
        size = self.seen.size
        if len(mask) == size:
            return mask
        return np.concatenate([mask[:size], np.zeros(max(0, size - len(mask)), np.bool_)])

    def _mask(self, keys: Ints) -> Mask:
        mask = np.zeros(self.seen.size, np.bool_)
        mask[keys[keys < len(mask)]] = True
        return mask


def _codes(values: list[str], value: str) -> list[int]:
    """The code of ``value`` among the sorted ``values``, if it is one."""
    at = bisect.bisect_left(values, value)
    return [at] if at < len(values) and values[at] == value else []
