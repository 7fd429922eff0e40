"""The citation graph: who cites whom, as a reader in a :class:`Scope` may see it.

A reference's ``target`` is the id it resolves to, which need not be in the archive.
References are of two kinds: ``ref``, an item of the REF line, and ``mention``, a
cable cited in a paragraph. A citing cable is seen when it is visible (its REF line
is part of its header); a mention only when the reader also sees its paragraph (its
words and target are that paragraph's). A cited cable's date and origin are given
only when it is itself visible, and its subject only when its subject unit is.
Otherwise a target is shown as an id outside the archive, never as "there but
hidden". Every condition is in the SQL.

- :func:`refs`          one cable: what it cites, and the visible cables citing it
- :func:`graph`         the cables a query matches (or all), plus what they cite
- :func:`neighbourhood` a cable and the cables a few citations away, capped
- :func:`write_graph`   GraphML, GEXF 1.3 (Gephi) or an edges CSV, written as it goes
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any, Literal
from xml.sax.saxutils import escape, quoteattr

from ..errors import UnknownCable
from ..scope import PUBLIC, UNIT_BITS, Scope
from ..store.sqlite import SQLiteStore
from .export import Output, spreadsheet_safe, text_output
from .query import Node
from .sql import matching_keys

GraphFormat = Literal["graphml", "gexf", "csv"]
RefKind = Literal["ref", "mention"]
REF_KINDS: tuple[RefKind, ...] = ("ref", "mention")
GRAPH_FORMATS: tuple[GraphFormat, ...] = ("graphml", "gexf", "csv")
CHUNK = 1_000  # keys read at a time
MAX_NEIGHBOURHOOD = 150  # nodes: what a web page can still draw legibly


# --- what a reader may see of a cable -------------------------------------------


def visible_cables(scope: Scope) -> tuple[str, list[object]]:
    """A derived table of the cables visible in ``scope``: key, id, date, origin,
    classification, and the subject when its unit (seq 0) is visible too."""
    sql = (
        "SELECT c.key AS key, c.id AS id, c.date AS date, c.origin AS origin,"
        " c.classification AS classification,"
        " (SELECT u.body FROM unit u WHERE u.cable_key = c.key AND u.seq = 0"
        f" AND {scope.units}) AS subject FROM cable c WHERE {scope.cables}"
    )
    return sql, [*scope.unit_params, *scope.cable_params]


def visible_key(store: SQLiteStore, cable_id: str, scope: Scope) -> int | None:
    rows = store.query(
        f"SELECT c.key FROM cable c WHERE c.id = ? AND {scope.cables}",
        [cable_id, *scope.cable_params],
    )
    return int(rows[0][0]) if rows else None


# --- one cable's references -------------------------------------------------------


def kind_sql(kind: RefKind | None, alias: str = "r") -> str:
    """A condition on a reference row: of that kind (None: either)."""
    if kind is None:
        return "1"
    return f"{alias}.kind {'=' if kind == 'mention' else '<>'} 'mention'"


def ref_kind(kind: str) -> RefKind:
    """The kind of a stored reference: a mention, or a REF item (cable, memo ...)."""
    return "mention" if kind == "mention" else "ref"


@dataclass(frozen=True, slots=True)
class Citation:
    """One REF item of a cable, or one mention in its text, and what it resolves to."""

    letter: str | None
    text: str
    kind: str  # a REF item's kind (cable, email, memo ...), or "mention"
    target: str | None
    in_archive: bool  # the target is in the archive and visible
    date: str | None = None
    subject: str | None = None
    paragraph: int | None = None  # a mention's paragraph number, as the cable numbers it


@dataclass(frozen=True, slots=True)
class Citer:
    """A visible cable with a reference resolving to the cable asked about."""

    id: str
    date: str | None
    subject: str | None
    letters: tuple[str, ...]  # the REF letters it cites it under (may be none)
    kinds: tuple[RefKind, ...] = ("ref",)  # on its REF line, in its text, or both


@dataclass(frozen=True, slots=True)
class Refs:
    id: str
    in_archive: bool
    cites: list[Citation]
    cited_by: list[Citer]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def refs(
    store: SQLiteStore, cable_id: str, scope: Scope = PUBLIC, kind: RefKind | None = None
) -> Refs:
    """What ``cable_id`` cites (its current version's REF items, then its mentions, in
    order) and which visible cables cite it; ``kind`` keeps one kind only. A cable
    outside the archive (or not visible) still has its citers; it is unknown when it
    has none either."""
    with store.snapshot():
        key = visible_key(store, cable_id, scope)
        cites = _cites(store, key, scope, kind) if key is not None else []
        cited_by = _cited_by(store, cable_id, scope, kind)
    if key is None and not cited_by:
        raise UnknownCable(f"There is no cable {cable_id} in the archive, and none cites it")
    return Refs(cable_id, key is not None, cites, cited_by)


def _cites(store: SQLiteStore, key: int, scope: Scope, kind: RefKind | None) -> list[Citation]:
    table, params = visible_cables(scope)
    rows = store.query(
        "SELECT r.letter, r.text, r.kind, r.target, t.key IS NOT NULL, t.date, t.subject,"
        f" (SELECT u.number FROM unit u WHERE u.rowid = (r.cable_key << {UNIT_BITS})"
        " + r.paragraph)"
        f" FROM reference r LEFT JOIN ({table}) t ON t.id = r.target"
        f" WHERE r.cable_key = ? AND {scope.references('r')} AND {kind_sql(kind)}"
        " ORDER BY r.position",
        [*params, key, *scope.unit_params],
    )
    return [
        Citation(lt, text, kind, target, bool(ok), day, subject, number)
        for lt, text, kind, target, ok, day, subject, number in rows
    ]


def _cited_by(store: SQLiteStore, cable_id: str, scope: Scope, kind: RefKind | None) -> list[Citer]:
    table, params = visible_cables(scope)
    rows = store.query(
        "SELECT c.id, c.date, c.subject, group_concat(coalesce(r.letter, ''), ' '),"
        " max(r.kind <> 'mention'), max(r.kind = 'mention')"
        f" FROM reference r JOIN ({table}) c ON c.key = r.cable_key"
        f" WHERE r.target = ? AND {scope.references('r')} AND {kind_sql(kind)}"
        " GROUP BY c.key ORDER BY coalesce(c.date, ''), c.id",
        [*params, cable_id, *scope.unit_params],
    )
    return [
        Citer(i, d, s, tuple(dict.fromkeys(letters.split())), _kinds(ref, mention))
        for i, d, s, letters, ref, mention in rows
    ]


def _kinds(ref: int, mention: int) -> tuple[RefKind, ...]:
    kinds: list[RefKind] = []
    if ref:
        kinds.append("ref")
    if mention:
        kinds.append("mention")
    return tuple(kinds)


# --- graphs -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GraphNode:
    id: str
    in_archive: bool  # in the archive and visible; otherwise only the id is known
    matched: bool  # one of the cables asked for (not only cited by one)
    date: str | None = None
    origin: str | None = None
    classification: str | None = None
    subject: str | None = None


@dataclass(frozen=True, slots=True)
class GraphEdge:
    source: str
    target: str
    letter: str | None
    text: str
    kind: RefKind = "ref"  # cited on the REF line, or mentioned in a paragraph


@dataclass(slots=True)
class Graph:
    nodes: dict[str, GraphNode] = field(default_factory=dict)
    edges: list[GraphEdge] = field(default_factory=list)
    truncated: bool = False  # a size cap left cables out

    def to_json(self) -> dict[str, Any]:
        return {
            "nodes": [asdict(n) for n in self.nodes.values()],
            "edges": [asdict(e) for e in self.edges],
            "truncated": self.truncated,
        }


def graph(
    store: SQLiteStore,
    node: Node | None,
    scope: Scope = PUBLIC,
    hops: int = 0,
    kind: RefKind | None = None,
) -> Graph:
    """The cables matching ``node`` (every visible cable when None), ``hops`` more
    steps of citations away in either direction, and every target they cite; ``kind``
    keeps the citations of one kind only."""
    with store.snapshot(), _key_table(store) as table:
        keys, params = matching_keys(node, scope)
        store.query(f"INSERT INTO {table} SELECT key FROM ({keys})", params)
        for _ in range(hops):
            _add_neighbours(store, table, scope, kind)
        return _graph_of(store, table, scope, kind)


def neighbourhood(
    store: SQLiteStore,
    cable_id: str,
    hops: int = 2,
    scope: Scope = PUBLIC,
    max_nodes: int = MAX_NEIGHBOURHOOD,
    kind: RefKind | None = None,
) -> Graph:
    """A visible cable, the visible cables up to ``hops`` citations away (citing or
    cited, nearest first), and what they all cite; at most ``max_nodes`` nodes."""
    with store.snapshot(), _key_table(store) as table:
        key = visible_key(store, cable_id, scope)
        if key is None:
            raise UnknownCable(f"There is no cable {cable_id} in the archive")
        store.query(f"INSERT INTO {table} VALUES (?)", [key])
        truncated = False
        for _ in range(hops):
            truncated = _add_capped(store, table, scope, max_nodes, kind)
            if truncated:
                break
        result = _graph_of(store, table, scope, kind)
    result.truncated = truncated
    return result


@contextmanager
def _key_table(store: SQLiteStore) -> Iterator[str]:
    """A temporary table of cable keys, empty, dropped afterwards."""
    name = "temp.graph_keys"
    store.query("CREATE TEMP TABLE IF NOT EXISTS graph_keys (key INTEGER PRIMARY KEY)")
    store.query(f"DELETE FROM {name}")
    try:
        yield name
    finally:
        store.query(f"DELETE FROM {name}")


def _neighbour_sql(table: str, scope: Scope, kind: RefKind | None) -> tuple[str, list[object]]:
    """Visible cables cited by, or citing, a cable of ``table`` (and not in it), by
    the references the reader may see."""
    visible, params = visible_cables(scope)
    seen = f"{scope.references('r')} AND {kind_sql(kind)}"
    sql = (
        f"SELECT n.key AS key, n.date AS date FROM ({visible}) n WHERE n.key NOT IN"
        f" (SELECT key FROM {table}) AND (n.id IN (SELECT r.target FROM reference r"
        f" JOIN {table} k ON k.key = r.cable_key WHERE {seen}) OR n.key IN (SELECT"
        f" r.cable_key FROM reference r JOIN cable t ON t.id = r.target JOIN {table} k"
        f" ON k.key = t.key WHERE {seen}))"
    )
    return sql, [*params, *scope.unit_params, *scope.unit_params]


def _add_neighbours(store: SQLiteStore, table: str, scope: Scope, kind: RefKind | None) -> None:
    sql, params = _neighbour_sql(table, scope, kind)
    store.query(f"INSERT OR IGNORE INTO {table} SELECT key FROM ({sql})", params)


def _add_capped(
    store: SQLiteStore, table: str, scope: Scope, max_nodes: int, kind: RefKind | None
) -> bool:
    """One more hop, oldest first, while the graph stays under ``max_nodes``; True
    when some neighbours were left out."""
    sql, params = _neighbour_sql(table, scope, kind)
    candidates = [k for k, _ in store.query(f"{sql} ORDER BY coalesce(date, ''), key", params)]
    for key in candidates:
        store.query(f"INSERT INTO {table} VALUES (?)", [key])
        if _node_count(store, table, scope, kind) > max_nodes:
            store.query(f"DELETE FROM {table} WHERE key = ?", [key])
            return True
    return False


def _node_count(store: SQLiteStore, table: str, scope: Scope, kind: RefKind | None) -> int:
    """Nodes the graph of ``table`` would have: its cables and the ids they cite."""
    rows = store.query(
        f"SELECT count(*) FROM (SELECT c.id FROM {table} k JOIN cable c ON c.key = k.key"
        f" UNION SELECT r.target FROM {table} k JOIN reference r ON r.cable_key = k.key"
        f" WHERE r.target IS NOT NULL AND {scope.references('r')} AND {kind_sql(kind)})",
        list(scope.unit_params),
    )
    return int(rows[0][0])


def _graph_of(store: SQLiteStore, table: str, scope: Scope, kind: RefKind | None) -> Graph:
    """Nodes for the cables in ``table`` and for every target they cite; their edges."""
    result = Graph()
    visible, params = visible_cables(scope)
    last = -1
    while True:
        keys = [
            k
            for (k,) in store.query(
                f"SELECT key FROM {table} WHERE key > ? ORDER BY key LIMIT {CHUNK}", [last]
            )
        ]
        if not keys:
            break
        last = keys[-1]
        marks = ",".join("?" * len(keys))
        for row in store.query(
            f"SELECT * FROM ({visible}) WHERE key IN ({marks})", [*params, *keys]
        ):
            result.nodes[row[1]] = GraphNode(row[1], True, True, *row[2:])
        edges = store.query(
            "SELECT c.id, r.target, r.letter, r.text, r.kind FROM reference r JOIN cable c"
            f" ON c.key = r.cable_key WHERE r.cable_key IN ({marks}) AND r.target IS NOT NULL"
            f" AND {scope.references('r')} AND {kind_sql(kind)}"
            " ORDER BY r.cable_key, r.position",
            [*keys, *scope.unit_params],
        )
        result.edges += [
            GraphEdge(source, target, letter, text, ref_kind(kind))
            for source, target, letter, text, kind in edges
        ]
    _add_targets(store, result, scope)
    return result


def _add_targets(store: SQLiteStore, result: Graph, scope: Scope) -> None:
    """Nodes for the cited ids not yet in the graph: visible cables, or bare ids."""
    missing = list(dict.fromkeys(e.target for e in result.edges if e.target not in result.nodes))
    visible, params = visible_cables(scope)
    for start in range(0, len(missing), CHUNK):
        ids = missing[start : start + CHUNK]
        marks = ",".join("?" * len(ids))
        for row in store.query(f"SELECT * FROM ({visible}) WHERE id IN ({marks})", [*params, *ids]):
            result.nodes[row[1]] = GraphNode(row[1], True, False, *row[2:])
    for target in missing:
        if target not in result.nodes:
            result.nodes[target] = GraphNode(target, False, False)


# --- writing ------------------------------------------------------------------------

# Characters XML 1.0 cannot hold at all, even escaped (cables have form feeds).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
NODE_ATTRIBUTES = (
    ("date", "string"),
    ("origin", "string"),
    ("classification", "string"),
    ("subject", "string"),
    ("in_archive", "boolean"),
    ("matched", "boolean"),
)
EDGE_ATTRIBUTES = (("letter", "string"), ("text", "string"), ("kind", "string"))
CSV_HEADER = (
    "source",
    "target",
    "letter",
    "text",
    "source_date",
    "source_origin",
    "target_in_archive",
    "target_date",
    "target_origin",
    "kind",
)


def write_graph(result: Graph, format: GraphFormat, out: Output) -> None:
    """Write ``result`` as GraphML, GEXF 1.3 or an edges CSV (UTF-8), piece by piece."""
    writers = {"graphml": _graphml, "gexf": _gexf, "csv": _csv}
    if format not in writers:
        raise ValueError(f"unknown graph format {format!r}; use one of {', '.join(writers)}")
    with text_output(out) as stream:
        stream.writelines(writers[format](result))


def _text(value: object) -> str:
    return escape(_NOT_XML.sub("", str(value)))


def _attr(value: object) -> str:
    return quoteattr(_NOT_XML.sub("", str(value)), {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def _values(
    item: GraphNode | GraphEdge, names: Iterable[tuple[str, str]]
) -> Iterator[tuple[str, str]]:
    """(name, value as XML text) of each attribute that has a value."""
    for name, kind in names:
        value = getattr(item, name)
        if value is None:
            continue
        yield name, ("true" if value else "false") if kind == "boolean" else str(value)


def _graphml(result: Graph) -> Iterator[str]:
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield (
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        ' xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns'
        ' http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
    )
    for scope, names in (("node", NODE_ATTRIBUTES), ("edge", EDGE_ATTRIBUTES)):
        for name, kind in names:
            yield (
                f'  <key id="{scope}_{name}" for="{scope}" attr.name="{name}"'
                f' attr.type="{kind}"/>\n'
            )
    yield '  <graph id="citations" edgedefault="directed">\n'
    for node in result.nodes.values():
        yield f"    <node id={_attr(node.id)}>"
        for name, value in _values(node, NODE_ATTRIBUTES):
            yield f'<data key="node_{name}">{_text(value)}</data>'
        yield "</node>\n"
    for n, edge in enumerate(result.edges):
        yield f'    <edge id="e{n}" source={_attr(edge.source)} target={_attr(edge.target)}>'
        for name, value in _values(edge, EDGE_ATTRIBUTES):
            yield f'<data key="edge_{name}">{_text(value)}</data>'
        yield "</edge>\n"
    yield "  </graph>\n</graphml>\n"


def _gexf(result: Graph) -> Iterator[str]:
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield (
        '<gexf xmlns="http://gexf.net/1.3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        ' xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd" version="1.3">\n'
        "  <meta><creator>cablekit</creator><description>Citations between cables"
        "</description></meta>\n"
        '  <graph defaultedgetype="directed" mode="static">\n'
    )
    for scope, names in (("node", NODE_ATTRIBUTES), ("edge", EDGE_ATTRIBUTES)):
        yield f'    <attributes class="{scope}" mode="static">\n'
        for name, kind in names:
            yield f'      <attribute id="{name}" title="{name}" type="{kind}"/>\n'
        yield "    </attributes>\n"
    yield "    <nodes>\n"
    for node in result.nodes.values():
        yield f"      <node id={_attr(node.id)} label={_attr(node.id)}>"
        yield from _attvalues(_values(node, NODE_ATTRIBUTES))
        yield "</node>\n"
    yield "    </nodes>\n    <edges>\n"
    for n, edge in enumerate(result.edges):
        label = f" label={_attr(edge.letter)}" if edge.letter else ""
        yield (
            f'      <edge id="{n}" source={_attr(edge.source)} target={_attr(edge.target)}{label}>'
        )
        yield from _attvalues(_values(edge, EDGE_ATTRIBUTES))
        yield "</edge>\n"
    yield "    </edges>\n  </graph>\n</gexf>\n"


def _attvalues(values: Iterable[tuple[str, str]]) -> Iterator[str]:
    items = [f'<attvalue for="{name}" value={_attr(value)}/>' for name, value in values]
    if items:  # an empty <attvalues/> is not valid GEXF
        yield "<attvalues>" + "".join(items) + "</attvalues>"


def _csv(result: Graph) -> Iterator[str]:
    """One row per edge; a node's columns are empty when it is outside the archive."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)  # as export does
    writer.writerow(CSV_HEADER)
    for edge in result.edges:
        source, target = result.nodes[edge.source], result.nodes[edge.target]
        cells = (
            edge.source,
            edge.target,
            edge.letter or "",
            edge.text,
            source.date or "",
            source.origin or "",
            "true" if target.in_archive else "false",
            target.date or "",
            target.origin or "",
            edge.kind,
        )
        writer.writerow([spreadsheet_safe(cell) for cell in cells])
        if buffer.tell() > 65_536:
            yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
