#!/usr/bin/env python3
"""Relevance benchmark: nDCG@10 of several rankings of cablekit's hits, against
cables judged by reading them.

The queries and their information needs are in ``queries.toml``; the judgments (query,
cable, grade 0-3, why) in ``judgments.tsv``; how both were made in ``README.md``. Every
ranking orders the same hits, the ones cablekit's query matches for a reader who sees
the whole archive, and differs only in the score:

``sum``
    cablekit's ranking until issue 14: the sum of bm25 over the cable's units (subject,
    paragraphs) that match a positive word of the query, with the units' statistics
    (FTS5's ``rank`` of each unit).
``fts-doc``
    whole-document bm25: a plain FTS5 table of one row per cable (subject, text: the
    paragraphs one after the other; ``unicode61 remove_diacritics 2``), ``ORDER BY
    bm25(...)``, over the same hits. Built in memory from the archive's units.
``max``
    the cable's best unit: the highest bm25 of any one of its matching units.
``doc``
    bm25 of the cable as one document, computed from its units: a phrase's frequency is
    its number of occurrences summed over the cable's units, the length is the sum of
    the units' lengths, the document frequency is the number of cables holding the
    phrase, and the number of documents and their average length are over cables.
    What ``fts-doc`` computes, but without phrases running from one unit into the next.
``doc-subject``
    ``doc`` with the subject's occurrences and length counted three times (BM25F with
    a weight of 3 on the subject, fixed before the judgments were looked at).
``paragraphs``
    bm25 of the cable as a document of paragraphs: a phrase's frequency is the number
    of the cable's units that hold it, the length is the cable's number of units, and
    document frequency, number and average length are over cables. It needs only which
    units match and how many units each cable has, never FTS5's bm25 of a unit.
``sum-norm``
    ``sum`` divided by bm25's length factor of the whole cable, ``1 - b + b * L / avg``
    (``L`` its length in tokens, ``avg`` the cables' average).

Every ranking breaks ties by cable key (the order of archiving), and cables that
match no positive word (score 0) come after the others, as in cablekit. The engine
itself (``Archive.search(query, sort="relevance")``) is run too, and the table says
which of the rankings computed here it matches, first ten for first ten, on every
query: ``sum`` before issue 14, ``paragraphs`` since.

nDCG@10 of a ranking for a query: the discounted cumulative gain of its first ten
cables, gain ``2**grade - 1`` at rank ``r`` discounted by ``log2(r + 1)``, over the same
sum for the ideal order of every cable judged for the query; a cable not judged counts
as grade 0. The table gives each query's nDCG@10 per ranking, the mean, and the mean
over each kind of query; a paired randomization test of each ranking's mean against
``sum``'s and against the best one's; how many of each ranking's first ten were judged
(pooling should make it all); and how many cables the first ten of each two rankings
share, on average over the queries.

``--pool`` prints instead, query by query, the cables of the pool (the first ten of
every ranking, and of the engine) that are not judged yet, for a judge to read: each with its date,
origin, TAGS, subject, the opening of its text and a few lines around the matched
words; cables in the order of their ids, with no sign of which ranking put them
there. ``--subjects`` adds the cables whose subject holds the query's words but
that no ranking put in its first ten (candidates found by other means).

Usage::

    .venv/bin/python bench/relevance/evaluate.py --db corpus.db
    .venv/bin/python bench/relevance/evaluate.py --db corpus.db --pool --subjects q07

The archive is the 6,712-page corpus (``../shared/data/corpus/cablegate-2011-04/
cable.tar.xz``): ``cablekit ingest --db corpus.db .../cable.tar.xz``.
"""

from __future__ import annotations

import argparse
import csv
import math
import sqlite3
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from cablekit.archive import Archive
from cablekit.scope import UNIT_BITS, UNIT_MASK
from cablekit.search.engine import ranking_phrases
from cablekit.search.matching import Matcher
from cablekit.search.query import parse_query
from cablekit.search.ranking import K1, B, Phrase, expression, unit_sizes
from cablekit.search.text import tokens
from cablekit.store.schema import TEXT_TOKENIZER

HERE = Path(__file__).resolve().parent
DEPTH = 10
SUBJECT_WEIGHT = 3.0


@dataclass(frozen=True, slots=True)
class Query:
    id: str
    kind: str  # word, name, phrase, words, field
    text: str
    need: str


def load_queries(path: Path = HERE / "queries.toml") -> list[Query]:
    with open(path, "rb") as f:
        found = tomllib.load(f)["query"]
    return [Query(q["id"], q["kind"], q["query"], q["need"]) for q in found]


def load_judgments(path: Path = HERE / "judgments.tsv") -> dict[str, dict[str, int]]:
    """Grades by query id, then cable id."""
    grades: dict[str, dict[str, int]] = {}
    if not path.exists():
        return grades
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            grades.setdefault(row["query"], {})[row["cable"]] = int(row["grade"])
    return grades


# --- the archive, as the rankings read it -----------------------------------------


@dataclass(slots=True)
class Corpus:
    """The archive's units and cables, read once, for rankings computed here."""

    archive: Archive
    ids: dict[int, str]  # cable key -> id
    lengths: np.ndarray  # by cable key: tokens in all its units
    counts: np.ndarray  # by cable key: number of units
    subject_lengths: np.ndarray  # by cable key: tokens of the subject unit
    cables: int  # cables with at least one unit
    doc: sqlite3.Connection  # one row per cable, for fts-doc
    words: dict[int, list[str]] = field(default_factory=dict)  # unit rowid -> tokens

    @classmethod
    def of(cls, archive: Archive) -> Corpus:
        store = archive.store
        assert store is not None
        ids = {int(k): str(i) for k, i in store.query("SELECT key, id FROM cable")}
        sizes = unit_sizes(store)
        keys = sizes.rowids >> UNIT_BITS
        top = max(ids) + 1
        lengths = np.bincount(keys, weights=sizes.sizes, minlength=top)
        counts = np.bincount(keys, minlength=top)
        subject = (sizes.rowids & UNIT_MASK) == 0
        subject_lengths = np.bincount(keys[subject], weights=sizes.sizes[subject], minlength=top)
        doc = sqlite3.connect(":memory:")
        doc.execute(
            f"CREATE VIRTUAL TABLE doc USING fts5(subject, body, tokenize='{TEXT_TOKENIZER}')"
        )
        texts: dict[int, tuple[list[str], list[str]]] = {}
        for rowid, body in store.query("SELECT rowid, body FROM unit ORDER BY rowid"):
            subj, paras = texts.setdefault(rowid >> UNIT_BITS, ([], []))
            (subj if rowid & UNIT_MASK == 0 else paras).append(body)
        doc.executemany(
            "INSERT INTO doc (rowid, subject, body) VALUES (?, ?, ?)",
            [(k, "\n".join(s), "\n".join(p)) for k, (s, p) in texts.items()],
        )
        return cls(archive, ids, lengths, counts, subject_lengths, int((counts > 0).sum()), doc)

    def tokens_of(self, rowids: list[int]) -> dict[int, list[str]]:
        missing = [r for r in rowids if r not in self.words]
        store = self.archive.store
        assert store is not None
        for start in range(0, len(missing), 500):
            chunk = missing[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for rowid, body in store.query(
                f"SELECT rowid, body FROM unit WHERE rowid IN ({marks})", chunk
            ):
                self.words[rowid] = tokens(body)
        return {r: self.words[r] for r in rowids}


@dataclass(slots=True)
class Hits:
    """One query's hits and, for each positive phrase, each matching unit's frequency."""

    query: Query
    keys: np.ndarray  # the hits' cable keys, ascending
    phrases: list[Phrase]
    tf: list[dict[int, int]]  # per phrase: unit rowid -> occurrences (>= 1)


def hits_of(corpus: Corpus, query: Query) -> Hits:
    store = corpus.archive.store
    assert store is not None
    node = parse_query(query.text)
    phrases = ranking_phrases(node)
    matcher = Matcher.of(store, corpus.archive.scope)
    mask = matcher.match(node)
    keys = np.flatnonzero(mask)
    tf: list[dict[int, int]] = []
    for phrase in phrases:
        units = matcher.visible_phrase_units(phrase.fts)
        units = units[np.isin(units >> UNIT_BITS, keys)]
        words = corpus.tokens_of([int(u) for u in units])
        tf.append({u: phrase.count(w) for u, w in words.items()})
    return Hits(query, keys, phrases, tf)


def idf(n: int, found: int) -> float:
    """FTS5's idf of a phrase found in ``found`` of ``n`` documents."""
    value = math.log((n - found + 0.5) / (found + 0.5))
    return value if value > 0 else 1e-6


def saturate(tf: float, length: float, average: float) -> float:
    return tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / average))


def in_order(keys: np.ndarray, scores: dict[int, float]) -> list[int]:
    """Every hit, best first; ties and the unscored (0) by key."""
    return sorted((int(k) for k in keys), key=lambda k: (-scores.get(k, 0.0), k))


# --- the rankings -----------------------------------------------------------------


def rank_engine(corpus: Corpus, hits: Hits) -> list[int]:
    """cablekit's engine itself, as it ranks at this commit."""
    found = corpus.archive.search(hits.query.text, sort="relevance", limit=DEPTH, snippets=False)
    by_id = {i: k for k, i in corpus.ids.items()}
    return [by_id[h.id] for h in found.results]


def rank_sum(corpus: Corpus, hits: Hits) -> list[int]:
    return in_order(hits.keys, rank_sum_here(corpus, hits))


def unit_scores(corpus: Corpus, hits: Hits) -> dict[int, float]:
    """bm25 of every matching unit, with the statistics of all units (the reader sees
    everything), as FTS5 computes it."""
    store = corpus.archive.store
    assert store is not None
    units = int(corpus.counts.sum())
    average = float(corpus.lengths.sum()) / units
    score: dict[int, float] = {}
    for phrase, tf in zip(hits.phrases, hits.tf, strict=True):
        matcher = Matcher.of(store, corpus.archive.scope)
        weight = idf(units, len(matcher.phrase_units(phrase.fts)))
        for unit, n in tf.items():
            size = len(corpus.words[unit])
            score[unit] = score.get(unit, 0.0) + weight * saturate(n, size, average)
    return score


def rank_max(corpus: Corpus, hits: Hits) -> list[int]:
    best: dict[int, float] = {}
    for unit, s in unit_scores(corpus, hits).items():
        key = unit >> UNIT_BITS
        best[key] = max(best.get(key, 0.0), s)
    return in_order(hits.keys, best)


def rank_sum_here(corpus: Corpus, hits: Hits) -> dict[int, float]:
    """The sum of the cable's matching units' bm25."""
    total: dict[int, float] = {}
    for unit, s in unit_scores(corpus, hits).items():
        key = unit >> UNIT_BITS
        total[key] = total.get(key, 0.0) + s
    return total


def rank_sum_norm(corpus: Corpus, hits: Hits) -> list[int]:
    average = float(corpus.lengths.sum()) / corpus.cables
    total = rank_sum_here(corpus, hits)
    return in_order(
        hits.keys,
        {k: s / (1 - B + B * corpus.lengths[k] / average) for k, s in total.items()},
    )


def weighted(corpus: Corpus, hits: Hits) -> Iterator[tuple[float, dict[int, int]]]:
    """Each phrase's idf over cables, with its frequency in each unit holding it."""
    store = corpus.archive.store
    assert store is not None
    matcher = Matcher.of(store, corpus.archive.scope)
    for phrase, tf in zip(hits.phrases, hits.tf, strict=True):
        holders = np.unique(matcher.phrase_units(phrase.fts) >> UNIT_BITS)
        yield idf(corpus.cables, len(holders)), tf


def document_scores(corpus: Corpus, hits: Hits, subject_weight: float) -> dict[int, float]:
    """bm25 of each hit as one document made of its units, the subject's occurrences
    and length counted ``subject_weight`` times."""
    extra = subject_weight - 1
    lengths = corpus.lengths + extra * corpus.subject_lengths
    average = float(lengths.sum()) / corpus.cables
    score: dict[int, float] = {}
    for weight, tf in weighted(corpus, hits):
        per_cable: dict[int, float] = {}
        for unit, n in tf.items():
            key = unit >> UNIT_BITS
            boost = subject_weight if unit & UNIT_MASK == 0 else 1.0
            per_cable[key] = per_cable.get(key, 0.0) + n * boost
        for key, n in per_cable.items():
            score[key] = score.get(key, 0.0) + weight * saturate(n, lengths[key], average)
    return score


def rank_doc(corpus: Corpus, hits: Hits) -> list[int]:
    return in_order(hits.keys, document_scores(corpus, hits, 1.0))


def rank_doc_subject(corpus: Corpus, hits: Hits) -> list[int]:
    return in_order(hits.keys, document_scores(corpus, hits, SUBJECT_WEIGHT))


def rank_paragraphs(corpus: Corpus, hits: Hits) -> list[int]:
    average = float(corpus.counts.sum()) / corpus.cables
    score: dict[int, float] = {}
    for weight, tf in weighted(corpus, hits):
        per_cable: dict[int, int] = {}
        for unit in tf:
            per_cable[unit >> UNIT_BITS] = per_cable.get(unit >> UNIT_BITS, 0) + 1
        for key, n in per_cable.items():
            score[key] = score.get(key, 0.0) + weight * saturate(n, corpus.counts[key], average)
    return in_order(hits.keys, score)


def rank_fts_doc(corpus: Corpus, hits: Hits) -> list[int]:
    if not hits.phrases:
        return in_order(hits.keys, {})
    rows = corpus.doc.execute(
        "SELECT rowid, bm25(doc) FROM doc WHERE doc MATCH ?", [expression(hits.phrases)]
    ).fetchall()
    inside = set(int(k) for k in hits.keys)
    return in_order(hits.keys, {k: -r for k, r in rows if k in inside})


RANKINGS: dict[str, Callable[[Corpus, Hits], list[int]]] = {
    "sum": rank_sum,
    "fts-doc": rank_fts_doc,
    "max": rank_max,
    "doc": rank_doc,
    "doc-subject": rank_doc_subject,
    "paragraphs": rank_paragraphs,
    "sum-norm": rank_sum_norm,
}


# --- the measure ------------------------------------------------------------------


def dcg(grades: list[int]) -> float:
    return sum((2**g - 1) / math.log2(r + 2) for r, g in enumerate(grades[:DEPTH]))


def ndcg(ranked: list[str], judged: dict[str, int]) -> float:
    ideal = dcg(sorted(judged.values(), reverse=True))
    if not ideal:
        return 0.0
    return dcg([judged.get(c, 0) for c in ranked[:DEPTH]]) / ideal


# --- output -----------------------------------------------------------------------


def table(corpus: Corpus, queries: list[Query], grades: dict[str, dict[str, int]]) -> None:
    names = list(RANKINGS)
    tops: dict[str, dict[str, list[str]]] = {}
    print(f"{'query':<32}" + "".join(f"{n:>12}" for n in names))
    scores: dict[str, list[float]] = {n: [] for n in names}
    same: dict[str, int] = {n: 0 for n in names}  # queries where the engine's top ten is this one's
    for query in queries:
        hits = hits_of(corpus, query)
        judged = grades.get(query.id, {})
        tops[query.id] = {}
        line = f"{query.id} {query.text[:28]:<28}"
        for name in names:
            top = [corpus.ids[k] for k in RANKINGS[name](corpus, hits)[:DEPTH]]
            tops[query.id][name] = top
            value = ndcg(top, judged)
            scores[name].append(value)
            line += f"{value:12.3f}"
        engine = [corpus.ids[k] for k in rank_engine(corpus, hits)]
        for name in names:
            same[name] += engine == tops[query.id][name]
        print(line)
    print(f"{'mean':<32}" + "".join(f"{np.mean(scores[n]):12.3f}" for n in names))
    for kind in dict.fromkeys(q.kind for q in queries):
        of = [i for i, q in enumerate(queries) if q.kind == kind]
        label = f"  mean, {kind} ({len(of)})"
        means = [np.mean([scores[n][i] for i in of]) for n in names]
        print(f"{label:<32}" + "".join(f"{m:12.3f}" for m in means))
    print()
    like = [n for n in names if same[n] == len(queries)]
    print(f"cablekit's engine (Archive.search) ranks the first ten as: {', '.join(like) or '?'}")
    print()
    print("paired randomization test of the mean difference (two-sided p, 100,000 sign flips):")
    best = max(names, key=lambda n: np.mean(scores[n]))
    for base in dict.fromkeys(["sum", best]):
        for name in names:
            if name != base:
                diff = np.array(scores[name]) - np.array(scores[base])
                print(f"  {name:<12} - {base:<12} {diff.mean():+.3f}  p = {randomized(diff):.5f}")
    print()
    print("judged among the first ten (all queries):")
    for name in names:
        shown = [(q.id, c) for q in queries for c in tops[q.id][name]]
        seen = sum(1 for q, c in shown if c in grades.get(q, {}))
        print(f"  {name:<12} {seen}/{len(shown)}")
    print()
    print("cables shared by the first ten of two rankings (mean over queries):")
    print(f"{'':<12}" + "".join(f"{n:>12}" for n in names))
    for a in names:
        shared = [
            np.mean([len(set(tops[q.id][a]) & set(tops[q.id][b])) for q in queries]) for b in names
        ]
        print(f"{a:<12}" + "".join(f"{s:12.1f}" for s in shared))


def randomized(diff: np.ndarray, rounds: int = 100_000) -> float:
    """Two-sided p of a paired randomization test: how often flipping the sign of
    each query's difference at random gives a mean at least as far from 0."""
    signs = np.random.default_rng(14).choice([-1.0, 1.0], size=(rounds, len(diff)))
    means = np.abs((signs * diff).mean(axis=1))
    return float((np.count_nonzero(means >= abs(diff.mean()) - 1e-12) + 1) / (rounds + 1))


def pool(
    corpus: Corpus,
    queries: list[Query],
    grades: dict[str, dict[str, int]],
    subjects: bool,
) -> None:
    for query in queries:
        hits = hits_of(corpus, query)
        pooled: set[int] = set()
        for rank in [*RANKINGS.values(), rank_engine]:
            pooled.update(rank(corpus, hits)[:DEPTH])
        judged = grades.get(query.id, {})
        todo = sorted(k for k in pooled if corpus.ids[k] not in judged)
        print(f"=== {query.id} {query.text}   [{len(pooled)} pooled, {len(todo)} to judge]")
        print(f"    need: {query.need}")
        for key in sorted(todo, key=lambda k: corpus.ids[k]):
            show(corpus, hits, key)
        if subjects:
            extra = subject_candidates(corpus, hits, pooled, judged)
            print(f"--- {len(extra)} more whose subject holds the words:")
            for key in extra:
                show(corpus, hits, key)


def subject_candidates(
    corpus: Corpus, hits: Hits, pooled: set[int], judged: dict[str, int]
) -> list[int]:
    """Hits whose subject unit holds every positive phrase, outside the pool."""
    if not hits.phrases:
        return []
    holding = [{u >> UNIT_BITS for u in tf if u & UNIT_MASK == 0} for tf in hits.tf]
    keys = set.intersection(*holding) if holding else set()
    return sorted(k for k in keys if k not in pooled and corpus.ids[k] not in judged)


def show(corpus: Corpus, hits: Hits, key: int, opening: int = 600) -> None:
    """One cable as the judge reads it: header, subject, the opening of its text, and
    the start of up to three further matching paragraphs."""
    store = corpus.archive.store
    assert store is not None
    (cable_id, day, origin, tags, subject), *_ = store.query(
        "SELECT id, date, origin, tags, subject FROM cable WHERE key = ?", [key]
    )
    rows = store.query(
        "SELECT rowid, body FROM unit WHERE cable_key = ? AND seq > 0 ORDER BY seq", [key]
    )
    matching = {u for tf in hits.tf for u in tf if u >> UNIT_BITS == key}
    text = " ".join(" ".join(body.split()) for _, body in rows)
    print(
        f"\n## {cable_id}  {day}  {origin}  [{tags}]  {len(rows)} paragraphs,"
        f" {len(matching)} units matching, {int(corpus.lengths[key])} words"
    )
    print(f"   SUBJECT: {subject}")
    print("   " + text[:opening])
    at, shown = 0, 0
    for rowid, body in rows:
        flat = " ".join(body.split())
        if rowid in matching and at >= opening and shown < 3:
            print("   > " + around(flat, hits.phrases))
            shown += 1
        at += len(flat) + 1


def around(body: str, phrases: list[Phrase], width: int = 90) -> str:
    """A stretch of ``body`` around the first of the phrases' first words."""
    low = body.lower()
    places = [low.find(p.words[0]) for p in phrases]
    at = min((p for p in places if p >= 0), default=0)
    return body[max(0, at - width) : at + width]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="the corpus archive")
    parser.add_argument("--pool", action="store_true", help="print the cables to judge")
    parser.add_argument("--subjects", action="store_true", help="with --pool: subject matches")
    parser.add_argument("only", nargs="*", help="query ids (default: all)")
    args = parser.parse_args()
    queries = [q for q in load_queries() if not args.only or q.id in args.only]
    grades = load_judgments()
    with Archive(args.db) as archive:
        corpus = Corpus.of(archive)
        if args.pool:
            pool(corpus, queries, grades, args.subjects)
        else:
            table(corpus, queries, grades)


if __name__ == "__main__":
    main()
