"""Charts (cablekit.plot): their figures equal counts over the records, and every
kind draws a real image, also when nothing matches."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import matplotlib.colors
import matplotlib.image
import pytest

from cablekit.model import Cable
from cablekit.plot import BAR_COLOUR, PLOT_KINDS, TOP, plot, series
from cablekit.scope import PUBLIC, Scope
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
]
BAR_RGB = matplotlib.colors.to_rgb(BAR_COLOUR)
NO_SECRETS = Scope(cables="c.classification <> ?", cable_params=("SECRET",), name="test")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SQLiteStore]:
    archive = SQLiteStore(tmp_path_factory.mktemp("plot") / "a.db", create=True)
    ingest(archive, [str(p) for p in SAMPLE_INPUTS])
    with archive:
        yield archive


def records(store: SQLiteStore, query: str | None, scope: Scope = PUBLIC) -> list[Cable]:
    if query is None:
        sql, params = f"SELECT c.key FROM cable c WHERE {scope.cables}", list(scope.cable_params)
    else:
        compiled = compile_query(parse_query(query), scope)
        sql, params = compiled.sql, compiled.params
    keys = [k for (k,) in store.query(sql, params)]
    return list(store.records(keys).values())


@pytest.mark.parametrize("query", [None, "from:OTTAWA", "iran OR nuclear"])
@pytest.mark.parametrize("scope", [Scope(), NO_SECRETS])
def test_series_count_the_records(store: SQLiteStore, query: str | None, scope: Scope) -> None:
    node = parse_query(query) if query else None
    cables = records(store, query, scope)
    timeline = series(store, "timeline", node, scope)
    assert timeline.total == len(cables)
    assert sum(n for _, n in timeline.points) == sum(1 for c in cables if c.date)
    width = {"year": 4, "month": 7, "day": 10}[timeline.unit or "day"]
    by_bin = Counter(c.date[:width] for c in cables if c.date)
    assert {start[:width]: n for start, n in timeline.points if n} == dict(by_bin)
    origins = series(store, "origins", node, scope)
    expected = Counter(c.post for c in cables if c.post)
    assert dict(origins.points) == {k: expected[k] for k, _ in origins.points}
    assert [n for _, n in origins.points] == sorted(expected.values(), reverse=True)[:TOP]
    tags = series(store, "tags", node, scope)
    per_tag = Counter(t for c in cables for t in set(c.tags))
    assert [n for _, n in tags.points] == sorted(per_tag.values(), reverse=True)[:TOP]
    assert all(per_tag[t] == n for t, n in tags.points)


def test_timeline_bins_are_consecutive(store: SQLiteStore) -> None:
    timeline = series(store, "timeline", parse_query("from:OTTAWA"), Scope())
    starts = [start for start, _ in timeline.points]
    assert timeline.unit == "year"
    assert [int(s[:4]) for s in starts] == list(range(int(starts[0][:4]), int(starts[-1][:4]) + 1))


@pytest.mark.parametrize("kind", PLOT_KINDS)
@pytest.mark.parametrize("query", [None, "tag:PREL", "zzqqxx"])
def test_plot_draws_an_image(
    store: SQLiteStore, tmp_path: Path, kind: str, query: str | None
) -> None:
    path = tmp_path / f"{kind}.png"
    node = parse_query(query) if query else None
    total = plot(store, kind, node, out_path=path)  # type: ignore[arg-type]
    assert total == len(records(store, query))
    image = matplotlib.image.imread(path)
    assert image.shape[0] > 300 and image.shape[1] > 700
    ink = (image[..., :3] < 0.9).any(axis=2).mean()
    bar = (abs(image[..., :3] - BAR_RGB) < 0.02).all(axis=2).mean()
    assert ink > 0.001  # axes, labels or the "no cable" message
    assert (bar > 0.002) == (total > 0)  # bars exactly when something matches


def test_unknown_kind(store: SQLiteStore, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown plot"):
        plot(store, "pie", None, out_path=tmp_path / "x.png")  # type: ignore[arg-type]
