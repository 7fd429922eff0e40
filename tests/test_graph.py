"""The citation graph (search.graph) on the bundled sample archive and the corpus.

Every answer is checked against the cables' own records (read back with
``store.records``): what a cable cites is its REF list, who cites it is every
cable whose REF list resolves to it. Scopes are checked to hide what they hide.
"""

from __future__ import annotations

import io
import itertools
import tarfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from cablekit.errors import UnknownCable
from cablekit.model import Cable, Reference
from cablekit.scope import PUBLIC, Scope
from cablekit.search.graph import (
    CSV_HEADER,
    Graph,
    GraphEdge,
    GraphNode,
    graph,
    neighbourhood,
    refs,
    write_graph,
)
from cablekit.search.query import parse_query
from cablekit.search.sql import compile_query
from cablekit.store.ingest import ingest
from cablekit.store.sqlite import SQLiteStore

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "src" / "cablekit" / "samples"
SAMPLE_INPUTS = [
    SAMPLES / "09OTTAWA278.scraped.md",
    SAMPLES / "09BEIJING22.html",
    SAMPLES / "09PARIS1007.txt",
    SAMPLES / "archive" / "cables.tar.xz",
    SAMPLES / "archive" / "versions.jsonl.xz",
]
CORPUS = ROOT / ".." / "shared" / "data" / "corpus" / "cablegate-2011-04" / "cable.tar.xz"
CORPUS_PAGES = 400
GEXF = "{http://gexf.net/1.3}"
GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"


def build(path: Path, inputs: list[Path]) -> SQLiteStore:
    store = SQLiteStore(path, create=True)
    ingest(store, [str(p) for p in inputs], jobs=1)
    return store


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SQLiteStore]:
    with build(tmp_path_factory.mktemp("graph") / "a.db", SAMPLE_INPUTS) as archive:
        yield archive


def all_cables(store: SQLiteStore) -> dict[str, Cable]:
    keys = [k for (k,) in store.query("SELECT key FROM cable")]
    return {c.id: c for c in store.records(keys).values() if c.id}


def cited(cable: Cable) -> tuple[Reference, ...]:
    """What a cable cites: its REF items, then the cables its text mentions."""
    return (*cable.references, *cable.mentions)


def citers_of(cables: dict[str, Cable], target: str) -> set[str]:
    return {i for i, c in cables.items() if any(r.id == target for r in cited(c))}


# --- refs() -----------------------------------------------------------------------


def test_refs_of_the_reference_cable_lists_every_reference_in_order(store: SQLiteStore) -> None:
    result = refs(store, "09OTTAWA278")
    assert result.in_archive
    assert [(c.letter, c.text, c.kind, c.target) for c in result.cites] == [
        ("A", "OTTAWA 8", "cable", "09OTTAWA8"),
        ("B", "08 OTTAWA 1140", "cable", "08OTTAWA1140"),
        ("C", "08 OTTAWA 1137", "cable", "08OTTAWA1137"),
        ("D", "MOSCOW 833", "cable", "09MOSCOW833"),
    ]
    # None of its references is in the archive, and nothing cites it.
    assert not any(c.in_archive or c.date or c.subject for c in result.cites)
    assert result.cited_by == []


def test_refs_equal_each_cables_own_references(store: SQLiteStore) -> None:
    cables = all_cables(store)
    for cable_id, cable in cables.items():
        result = refs(store, cable_id)
        assert [(c.letter, c.text, c.kind, c.target) for c in result.cites] == [
            (r.letter, r.text, r.kind, r.id) for r in cited(cable)
        ]
        for citation in result.cites:
            target = cables.get(citation.target or "")
            assert citation.in_archive == (target is not None)
            assert citation.date == (target.date if target else None)
            assert citation.subject == (target.subject if target else None)
        assert {c.id for c in result.cited_by} == citers_of(cables, cable_id)


def test_cited_by_finds_every_cable_citing_a_cable(store: SQLiteStore) -> None:
    result = refs(store, "08STATE85678")
    assert [c.id for c in result.cited_by] == sorted(
        [
            "08ANKARA1426",
            "08BERLIN1095",
            "08OTTAWA1064",
            "08ROME1018",
            "08THEHAGUE680",
            "08USNATO281",
            "08USNATO282",
            "08WARSAW947",
        ],
        key=lambda i: (store.get(i).cable.date or "", i),
    )
    berlin = next(c for c in result.cited_by if c.id == "08BERLIN1095")
    assert berlin.subject == store.get("08BERLIN1095").cable.subject
    assert berlin.date == store.get("08BERLIN1095").cable.date


def test_a_cited_id_outside_the_archive_has_its_citers(store: SQLiteStore) -> None:
    result = refs(store, "09OTTAWA8")
    assert not result.in_archive and result.cites == []
    assert [c.id for c in result.cited_by] == ["09OTTAWA278"]
    assert result.cited_by[0].letters == ("A",)
    with pytest.raises(UnknownCable):
        refs(store, "99NOWHERE1")


def test_a_scope_hides_cables_on_both_sides(store: SQLiteStore) -> None:
    hidden = Scope(cables="c.id <> ?", cable_params=("05BRASILIA1544",), name="test")
    cites = refs(store, "05BRASILIA1602", hidden).cites
    target = next(c for c in cites if c.target == "05BRASILIA1544")
    assert not target.in_archive and target.date is None and target.subject is None
    assert "05BRASILIA1544" not in {c.id for c in refs(store, "05BRASILIA1631", hidden).cited_by}
    # The hidden cable is shown as an id outside the archive, with its visible citers.
    seen = refs(store, "05BRASILIA1544", hidden)
    assert not seen.in_archive and seen.cites == []
    assert {c.id for c in seen.cited_by} == {c.id for c in refs(store, "05BRASILIA1544").cited_by}
    with pytest.raises(UnknownCable):
        refs(store, "09OTTAWA278", Scope(cables="c.id <> ?", cable_params=("09OTTAWA278",)))


def test_subjects_follow_the_unit_scope(store: SQLiteStore) -> None:
    no_subjects = Scope(units="u.seq > ?", unit_params=(0,), name="test")
    result = refs(store, "05BRASILIA1544", no_subjects)
    assert result.cited_by and all(c.subject is None for c in result.cited_by)
    assert all(c.date for c in result.cited_by)


# --- graph() and neighbourhood() ----------------------------------------------------


def test_the_whole_graph(store: SQLiteStore) -> None:
    cables = all_cables(store)
    result = graph(store, None)
    targets = {r.id for c in cables.values() for r in cited(c) if r.id}
    assert set(result.nodes) == set(cables) | targets
    assert len(result.edges) == sum(1 for c in cables.values() for r in cited(c) if r.id)
    for node in result.nodes.values():
        assert node.in_archive == (node.id in cables)
        assert node.matched == (node.id in cables)
        if node.in_archive:
            assert node.date == cables[node.id].date
            assert node.origin == cables[node.id].post
        else:
            assert node.date is node.origin is node.classification is None
    assert ("08BERLIN1095", "08STATE85678") in {(e.source, e.target) for e in result.edges}


def test_a_query_graph_and_its_hops(store: SQLiteStore) -> None:
    cables = all_cables(store)
    node = parse_query("from:OTTAWA")
    compiled = compile_query(node)
    rows = store.query(f"SELECT c.id FROM cable c WHERE c.key IN ({compiled.sql})", compiled.params)
    matched = {i for (i,) in rows}
    zero = graph(store, node)
    assert {n.id for n in zero.nodes.values() if n.matched} == matched
    assert {e.source for e in zero.edges} <= matched
    # One hop: the cables citing a matched one, and those a matched one cites.
    citing = {i for i, c in cables.items() if any(r.id in matched for r in c.references)}
    cited = {r.id for i in matched for r in cables[i].references if r.id in cables}
    one = graph(store, node, hops=1)
    assert {n.id for n in one.nodes.values() if n.matched} == matched | citing | cited
    assert "08STATE85678" in citing | cited
    # Two hops: the other cables citing 08STATE85678, which 08OTTAWA1064 cites.
    two = graph(store, node, hops=2)
    assert two.nodes["08BERLIN1095"].matched and not one.nodes.get("08BERLIN1095")


def test_neighbourhood_is_capped(store: SQLiteStore) -> None:
    near = neighbourhood(store, "09CAIRO2164", hops=1)
    assert {"09CAIRO2277", "10CAIRO47", "09CAIRO1182"} <= set(near.nodes)
    assert not near.truncated
    far = neighbourhood(store, "09CAIRO2164", hops=3)
    assert set(near.nodes) <= set(far.nodes)
    small = neighbourhood(store, "09CAIRO2164", hops=3, max_nodes=12)
    assert small.truncated and len(small.nodes) <= 12 and "09CAIRO2164" in small.nodes
    with pytest.raises(UnknownCable):
        neighbourhood(store, "09OTTAWA8")


# --- writing ----------------------------------------------------------------------


def written(result: Graph, format: str) -> bytes:
    out = io.BytesIO()
    write_graph(result, format, out)  # type: ignore[arg-type]
    assert not out.closed
    return out.getvalue()


def test_graphml_parses_back(store: SQLiteStore) -> None:
    result = graph(store, None)
    root = ET.fromstring(written(result, "graphml"))
    keys = {k.get("id") for k in root.iter(f"{GRAPHML}key")}
    nodes = list(root.iter(f"{GRAPHML}node"))
    edges = list(root.iter(f"{GRAPHML}edge"))
    assert len(nodes) == len(result.nodes) and len(edges) == len(result.edges)
    assert {d.get("key") for d in root.iter(f"{GRAPHML}data")} <= keys
    berlin = next(n for n in nodes if n.get("id") == "08BERLIN1095")
    data = {d.get("key"): d.text for d in berlin}
    assert data["node_date"] == result.nodes["08BERLIN1095"].date
    assert data["node_in_archive"] == "true"


def test_gexf_parses_back(store: SQLiteStore) -> None:
    result = graph(store, None)
    root = ET.fromstring(written(result, "gexf"))
    assert root.tag == f"{GEXF}gexf" and root.get("version") == "1.3"
    titles = {a.get("title") for a in root.iter(f"{GEXF}attribute")}
    assert {"date", "origin", "classification", "in_archive"} <= titles
    nodes = list(root.iter(f"{GEXF}node"))
    assert len(nodes) == len(result.nodes)
    assert len(list(root.iter(f"{GEXF}edge"))) == len(result.edges)
    outside = next(n for n in nodes if n.get("id") == "09OTTAWA8")
    values = {v.get("for"): v.get("value") for v in outside.iter(f"{GEXF}attvalue")}
    assert values == {"in_archive": "false", "matched": "false"}


def test_edges_csv(store: SQLiteStore) -> None:
    import csv

    result = graph(store, parse_query("from:OTTAWA"))
    rows = list(csv.reader(io.StringIO(written(result, "csv").decode("utf-8"))))
    assert tuple(rows[0]) == CSV_HEADER
    assert len(rows) == 1 + len(result.edges)
    ottawa = [r for r in rows if r[0] == "09OTTAWA278"]
    assert [(r[1], r[2], r[6]) for r in ottawa] == [
        ("09OTTAWA8", "A", "false"),
        ("08OTTAWA1140", "B", "false"),
        ("08OTTAWA1137", "C", "false"),
        ("09MOSCOW833", "D", "false"),
    ]


@pytest.mark.parametrize("format", ["graphml", "gexf"])
def test_xml_escapes_everything(format: str, tmp_path: Path) -> None:
    odd = 'A&B <"it\'s"> \x0c\x00 ü'
    result = Graph(
        nodes={
            odd: GraphNode(odd, True, True, "2009-01-01", "O&<>", None, "x\ny\t\"z'"),
            "T": GraphNode("T", False, False),
        },
        edges=[GraphEdge(odd, "T", "A", "REF & <b>")],
    )
    path = tmp_path / f"g.{format}"
    write_graph(result, format, path)  # type: ignore[arg-type]
    root = ET.parse(path).getroot()
    ids = {n.get("id") for n in root.iter() if n.tag.endswith("}node")}
    assert ids == {'A&B <"it\'s">  ü', "T"}
    texts = [e.text or e.get("value") for e in root.iter()]
    assert "REF & <b>" in texts and "x\ny\t\"z'" in texts


def test_unknown_format_is_refused(store: SQLiteStore) -> None:
    with pytest.raises(ValueError, match="graph format"):
        write_graph(Graph(), "dot", io.BytesIO())  # type: ignore[arg-type]


# --- the corpus ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SQLiteStore]:
    if not CORPUS.is_file():
        pytest.skip(f"no corpus at {CORPUS}")
    folder = tmp_path_factory.mktemp("corpus")
    with tarfile.open(CORPUS) as tar:
        pages = (m for m in tar if m.isfile() and m.name.endswith(".html"))
        for member in itertools.islice(pages, CORPUS_PAGES):
            tar.extract(member, folder / "pages", filter="data")
    with build(folder / "a.db", [folder / "pages"]) as archive:
        yield archive


@pytest.mark.corpus
def test_corpus_refs_and_graph_agree_with_the_records(corpus: SQLiteStore) -> None:
    cables = all_cables(corpus)
    assert len(cables) >= CORPUS_PAGES * 0.9
    whole = graph(corpus, None, PUBLIC)
    edges = {(e.source, e.target, e.letter) for e in whole.edges}
    expected = {(i, r.id, r.letter) for i, c in cables.items() for r in cited(c) if r.id}
    assert edges == expected
    targets = {r.id for c in cables.values() for r in cited(c) if r.id}
    for target in sorted(targets)[:200]:
        assert {c.id for c in refs(corpus, target).cited_by} == citers_of(cables, target)
    for fmt in ("graphml", "gexf"):
        ET.fromstring(written(whole, fmt))
