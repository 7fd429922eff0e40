"""Word diffs (cablekit.textdiff): exact on any text, readable on real versions."""

from __future__ import annotations

import itertools
import json
import lzma
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cablekit.store.ingest import ingest
from cablekit.store.sqlite import SQLiteStore
from cablekit.textdiff import (
    ELLIPSIS,
    Change,
    format_diff,
    new_text,
    old_text,
    summary,
    word_diff,
)

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_VERSIONS = [
    ROOT / "src" / "cablekit" / "samples" / "archive" / "cables.tar.xz",
    ROOT / "src" / "cablekit" / "samples" / "archive" / "versions.jsonl.xz",
]
VERSIONS = ROOT / ".." / "shared" / "data" / "corpus" / "versions" / "cables.jsonl.xz"
CORPUS_CHANGED = 40  # changed cables taken from the corpus


def test_examples() -> None:
    assert word_diff("a b c", "a x c") == [
        Change("equal", "a "),
        Change("delete", "b "),
        Change("insert", "x "),
        Change("equal", "c"),
    ]
    assert word_diff("a  b", "a\nb") == [
        Change("equal", "a"),
        Change("delete", "  "),
        Change("insert", "\n"),
        Change("equal", "b"),
    ]
    assert word_diff("", "") == []
    assert word_diff("same text", "same text") == [Change("equal", "same text")]
    assert format_diff(word_diff("a b c d e", "a x y d e")) == "a [-b c-]{+x y+} d e"
    assert format_diff(word_diff("one two", "one two three")) == "one two{+ three+}"
    assert format_diff(word_diff("same", "same")) == ""


def test_white_space_changes_are_exact_but_not_shown() -> None:
    changes = word_diff("a  b\nc", "a b c")
    assert old_text(changes) == "a  b\nc" and new_text(changes) == "a b c"
    assert format_diff(changes) == ""
    assert summary(changes) == "only white space changed"
    assert summary(word_diff("x", "x")) == "no change"


def test_summary_counts_words() -> None:
    assert summary(word_diff("a b c", "a x y z c")) == "1 word removed, 3 added"
    assert summary(word_diff("a b c", "a")) == "2 words removed, 0 added"


def test_long_unchanged_runs_are_cut_lines_kept() -> None:
    words = " ".join(f"w{n}" for n in range(40))
    old = f"start {words}\nmiddle {words} end"
    new = f"begin {words}\nmiddle {words} finish"
    shown = format_diff(word_diff(old, new))
    assert shown.startswith("[-start-]{+begin+} w0 w1 w2 w3 w4 w5")
    assert shown.endswith("w36 w37 w38 w39 [-end-]{+finish+}")
    assert shown.count(ELLIPSIS) == 1 and "w20" not in shown


def test_color() -> None:
    shown = format_diff(word_diff("a b", "a c"), color=True)
    assert "\x1b[31m[-b-]\x1b[0m" in shown and "\x1b[32m{+c+}\x1b[0m" in shown


texts = st.lists(
    st.sampled_from(["REF", "A.", "OTTAWA", "8", "the", "the", " ", "  ", "\n", "¶1.", "é", "\t"]),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(texts, texts)
def test_the_changes_rebuild_both_texts(old: str, new: str) -> None:
    changes = word_diff(old, new)
    assert old_text(changes) == old and new_text(changes) == new
    assert all(c.text for c in changes)
    assert all(a.kind != b.kind for a, b in itertools.pairwise(changes))
    if old == new:
        assert format_diff(changes) == ""


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60), st.text(max_size=60))
def test_any_text(old: str, new: str) -> None:
    changes = word_diff(old, new)
    assert old_text(changes) == old and new_text(changes) == new
    format_diff(changes, color=True)


# --- real versions ------------------------------------------------------------------


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SQLiteStore]:
    archive = SQLiteStore(tmp_path_factory.mktemp("diff") / "a.db", create=True)
    ingest(archive, [str(p) for p in SAMPLE_VERSIONS])
    with archive:
        yield archive


def versions_of(store: SQLiteStore, cable_id: str) -> list[str]:
    """Texts oldest first: by release date, since numbers follow the order of ingest."""
    infos = sorted(store.versions(cable_id), key=lambda v: (v.released or "", v.number))
    return [store.get(cable_id, v.number).text for v in infos]


def test_kyiv_ref_list_and_tags_changed(store: SQLiteStore) -> None:
    old, new = versions_of(store, "08KYIV2414")
    changes = word_diff(old, new)
    shown = format_diff(changes)
    assert "[-EO 12958-]{+E.O. 12958:+}" in shown
    assert "REF: A. KYIV 2383" in "".join(c.text for c in changes if c.kind == "delete")
    assert summary(changes).endswith("added") and " … " in shown


def test_every_sample_version_pair(store: SQLiteStore) -> None:
    changed = [i for (i,) in store.query("SELECT c.id FROM cable c WHERE c.version > 1")]
    changed += [
        i
        for (i,) in store.query(
            "SELECT c.id FROM version v JOIN cable c ON c.key = v.cable_key WHERE v.number = 2"
        )
    ]
    assert {"06TUNIS55", "08KYIV2414", "08PARIS1698", "08TRIPOLI574", "09CAIRO746"} <= set(changed)
    for cable_id in set(changed):
        texts = versions_of(store, cable_id)
        for old, new in itertools.pairwise(texts):
            changes = word_diff(old, new)
            assert old_text(changes) == old and new_text(changes) == new
            assert summary(changes) != "no change"


@pytest.mark.corpus
def test_corpus_versions(tmp_path: Path) -> None:
    if not VERSIONS.is_file():
        pytest.skip(f"no versions at {VERSIONS}")
    picked = tmp_path / "changed.jsonl"
    with lzma.open(VERSIONS, "rt", encoding="utf-8") as lines, picked.open("w") as out:
        ids: set[str] = set()
        for line in lines:
            record = json.loads(line)
            if record["n_versions"] > 1 and (record["id"] in ids or len(ids) < CORPUS_CHANGED):
                ids.add(record["id"])
                out.write(line)
    with SQLiteStore(tmp_path / "a.db", create=True) as store:
        ingest(store, [str(picked)])
        pairs = 0
        for cable_id in sorted(ids):
            texts = versions_of(store, cable_id)
            for old, new in itertools.pairwise(texts):
                changes = word_diff(old, new)
                assert old_text(changes) == old and new_text(changes) == new
                pairs += 1
        assert pairs >= CORPUS_CHANGED * 0.8
