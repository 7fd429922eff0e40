"""A query's AST compiled to SQL over the archive's tables (SQLite dialect).

Every node becomes one ``SELECT`` of cable keys; ``AND``/``OR``/``NOT`` become
``INTERSECT``/``UNION``/``EXCEPT``, which gives true boolean semantics over
whole cables while words are still matched paragraph by paragraph. What a reader
may see enters as two SQL conditions (:class:`Scope`): one on text units (alias
``u``), one on cables (alias ``c``). They are part of every leaf, so a word in a
withheld paragraph never makes a cable match, and nothing is filtered afterwards.

The SQL is built apart from running it, with bound parameters only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Literal

from ..scope import PUBLIC, UNIT_BITS, UNIT_MASK, Scope
from .query import And, DateRange, Field, Node, Not, Or, Text, name_words

# Sorts after any string SQLite compares: the end of a prefix range.
_TOP = "\U0010ffff"
Params = list[object]
BOUND_ONE_BY_ONE = 1000  # longer lists cross as one JSON array (SQLite binds 32,766 at most)


def among(values: list[int]) -> tuple[str, Params]:
    """``IN (...)`` of ``values`` and its parameters. A page's few keys are bound one by
    one: ``json_each`` costs as much as the rest of so small a query."""
    if len(values) <= BOUND_ONE_BY_ONE:
        return f"IN ({','.join('?' * len(values))})", list(values)
    return "IN (SELECT value FROM json_each(?))", [json.dumps(values)]


@dataclass(slots=True)
class Compiled:
    sql: str
    params: Params = field(default_factory=list)

    def with_versions(self, scope: Scope) -> Compiled:
        """The SQL with the scope's condition on a version row put where it says."""
        return Compiled(self.sql.replace("{versions}", scope.versions), self.params)

    def units_of_cables(self, scope: Scope) -> Compiled:
        """From SQL selecting unit rowids, SQL selecting the keys of their cables, keeping
        only the units the scope lets its reader see."""
        if scope.units == "1":  # the key is in the rowid: no look-up
            return Compiled(
                f"SELECT DISTINCT rowid >> {UNIT_BITS} AS key FROM ({self.sql})", self.params
            )
        return Compiled(
            f"SELECT DISTINCT rowid >> {UNIT_BITS} AS key FROM ({self.sql})"
            f" WHERE {scope.unit_rowids('rowid')}",
            [*self.params, *scope.unit_params],
        )


def compile_query(node: Node, scope: Scope = PUBLIC) -> Compiled:
    """SQL selecting the keys (column ``key``) of the visible cables that match."""
    inner = _node(node, scope)
    return Compiled(
        f"SELECT key FROM ({inner.sql}) INTERSECT {_visible_cables(scope)}",
        inner.params + list(scope.cable_params),
    )


def _visible_cables(scope: Scope) -> str:
    return f"SELECT c.key AS key FROM cable c WHERE {scope.cables}"


def _node(node: Node, scope: Scope) -> Compiled:
    match node:
        case Text():
            return _text(node, scope)
        case Field():
            return field_sql(node, scope)
        case DateRange(start, end):
            return dates_sql(start, end)
        case And(items):
            return _and(items, scope)
        case Or(items):
            parts = [_node(item, scope) for item in items]
            return _compound(" UNION ", parts)
        case Not():
            return _and((node,), scope)
    raise TypeError(f"not a query node: {node!r}")


def _compound(operator: str, parts: list[Compiled]) -> Compiled:
    sql = operator.join(f"SELECT key FROM ({part.sql})" for part in parts)
    return Compiled(sql, [p for part in parts for p in part.params])


def _and(items: tuple[Node, ...], scope: Scope) -> Compiled:
    """Positive items intersected, then each negated one taken away."""
    positive = [_node(i, scope) for i in items if not isinstance(i, Not)]
    negative = [_node(i.item, scope) for i in items if isinstance(i, Not)]
    if not positive:
        positive = [Compiled(_visible_cables(scope), list(scope.cable_params))]
    result = _compound(" INTERSECT ", positive)
    if negative:
        result = _compound(" EXCEPT ", [result, *negative])
    return result


def fts_phrase(words: tuple[str, ...] | list[str], prefix: bool = False) -> str:
    """An FTS5 phrase: every word quoted (so no word is read as syntax)."""
    quoted = " + ".join('"' + w.replace('"', '""') + '"' for w in words)
    return quoted + ("*" if prefix else "")


def _text(node: Text, scope: Scope) -> Compiled:
    phrase = fts_phrase(node.words, node.prefix)
    subject_only = f" AND rowid & {UNIT_MASK} = 0" if node.field == "subject" else ""
    return Compiled(
        f"SELECT rowid FROM unit_fts WHERE unit_fts MATCH ?{subject_only}", [phrase]
    ).units_of_cables(scope)


def field_sql(node: Field, scope: Scope = PUBLIC) -> Compiled:
    """SQL selecting the keys (column ``key``) of the cables a field term matches; only
    ``citedby:`` depends on the scope (the citing cable must be visible)."""
    value = node.value
    match node.name:
        case "id" if node.prefix:
            return Compiled(
                f"SELECT key FROM cable WHERE id >= ? AND id < ? UNION {ALIASES}"
                " WHERE a.id >= ? AND a.id < ?",
                [value, value + _TOP, *scope.version_params, value, value + _TOP],
            ).with_versions(scope)
        case "id":
            return Compiled(
                f"SELECT key FROM cable WHERE id = ? UNION {ALIASES} WHERE a.id = ?",
                [value, *scope.version_params, value],
            ).with_versions(scope)
        case "from" | "to":
            names = names_of(node)
            return Compiled(
                f"{names.exact.sql} UNION SELECT a.cable_key AS key FROM name_fts"
                " JOIN addressee a ON a.rowid = name_fts.rowid"
                f" WHERE name_fts MATCH ? AND {ROLES[names.role]}",
                [*names.exact.params, names.phrase],
            )
        case "tag":
            return Compiled("SELECT cable_key AS key FROM tag WHERE code = ?", [value])
        case "class":
            return Compiled("SELECT key FROM cable WHERE classification = ?", [value])
        case "caveat":
            condition, params = caveat_condition("caveat", value)
            return Compiled(f"SELECT cable_key AS key FROM caveat WHERE {condition}", params)
        case "ref":
            # A mention is its paragraph's: it counts only where the reader sees it.
            return Compiled(
                "SELECT r.cable_key AS key FROM reference r"
                f" WHERE r.target = ? AND {scope.references('r')}",
                [value, *scope.unit_params],
            )
        case "citedby":
            # The citing cable's REF line is part of its header: it must be visible too.
            return Compiled(
                "SELECT t.key AS key FROM cable c JOIN reference r ON r.cable_key = c.key"
                f" JOIN cable t ON t.id = r.target WHERE c.id = ? AND {scope.cables}"
                f" AND {scope.references('r')}",
                [value, *scope.cable_params, *scope.unit_params],
            )
        case "refkind":
            kind = "r.kind = 'mention'" if value == "MENTION" else "r.kind <> 'mention'"
            return Compiled(
                f"SELECT DISTINCT r.cable_key AS key FROM reference r WHERE {kind}"
                f" AND r.target IS NOT NULL AND {scope.references('r')}",
                list(scope.unit_params),
            )
    raise ValueError(f"unknown field {node.name!r}")


# The cables published under another id (``alias``): only by a version the reader may
# read (``{versions}``, the scope's condition on it), so that no alias tells of a version
# hidden from them.
ALIASES = (
    "SELECT a.cable_key AS key FROM alias a JOIN version v"
    " ON v.cable_key = a.cable_key AND v.number = a.number AND ({versions})"
)


def caveat_condition(column: str, value: str) -> tuple[str, Params]:
    """caveat:VALUE over the caveat in ``column``: the caveat itself, or its first words
    (caveat:REL finds "REL NATO/AUS")."""
    return (
        f"{column} = ? OR substr({column}, 1, ?) IN (?, ?, ?)",
        [value, len(value) + 1, value + " ", value + "/", value + ","],
    )


# The addressees a from: or to: value is looked for among (alias ``a``).
ROLES = {"from": "a.role = 'from'", "to": "a.role <> 'from' AND a.excluded = 0"}


@dataclass(frozen=True, slots=True)
class Names:
    """A from: or to: term in two parts: ``exact``, SQL selecting the keys of cables with
    that post or routing indicator; and the cables with an addressee of ``role`` whose
    name holds ``phrase`` (an FTS5 phrase over ``name_fts``)."""

    exact: Compiled
    phrase: str
    role: Literal["from", "to"]


def names_of(node: Field) -> Names:
    value = node.value
    if node.name == "from":
        exact = Compiled("SELECT key FROM cable WHERE origin = ? OR from_ri = ?", [value, value])
        return Names(exact, fts_phrase(name_words(value)), "from")
    exact = Compiled(
        "SELECT cable_key AS key FROM addressee WHERE routing_indicator = ?"
        " AND role <> 'from' AND excluded = 0",
        [value],
    )
    return Names(exact, fts_phrase(name_words(value)), "to")


def dates_sql(start: str | None, end: str | None) -> Compiled:
    """SQL selecting the keys of the cables dated within ``start``..``end`` (inclusive)."""
    conditions = ["date IS NOT NULL"]
    params: Params = []
    if start:
        conditions.append("date >= ?")
        params.append(start)
    if end:
        conditions.append("date <= ?")
        params.append(end)
    return Compiled(f"SELECT key FROM cable WHERE {' AND '.join(conditions)}", params)


def positive_texts(node: Node) -> list[Text]:
    """The text terms that make a cable match (not those under NOT): for ranking and
    snippets."""
    match node:
        case Text():
            return [node]
        case And(items) | Or(items):
            return [t for item in items for t in positive_texts(item)]
    return []


def ranking_expression(node: Node) -> str | None:
    """One FTS5 expression: any of the positive text terms, or None when there are none."""
    terms = positive_texts(node)
    if not terms:
        return None
    return " OR ".join(fts_phrase(t.words, t.prefix) for t in terms)


def visible_units(scope: Scope, rowids_sql: str) -> tuple[str, list[object]]:
    """A condition keeping the unit rowids (``rowids_sql`` names the column) that the
    scope lets its reader see; no condition at all for the public scope."""
    if scope.units == "1":
        return "", []
    return f" AND {scope.unit_rowids(rowids_sql)}", list(scope.unit_params)


def matching_keys(node: Node | None, scope: Scope) -> tuple[str, list[object]]:
    """SQL selecting the keys (column ``key``) of the visible cables ``node`` matches
    (every visible cable when None), with its parameters."""
    if node is None:
        return f"SELECT c.key AS key FROM cable c WHERE {scope.cables}", list(scope.cable_params)
    compiled = compile_query(node, scope)
    return compiled.sql, compiled.params
