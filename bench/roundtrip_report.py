#!/usr/bin/env python3
"""Parse -> render -> parse over the 6,712-page corpus: the share of exact round trips.

Every cable of ``corpus/cablegate-2011-04/cable.tar.xz`` is parsed, rendered in the
canonical telegram format (``cablekit.compose.render``) and parsed again in the same
publication wrapper (``cablekit.compose.roundtrip``). A cable round-trips exactly when
the two records agree on every field but ``source`` and ``warnings``; for the others
the kinds of difference (``paragraphs.text``, ``references.count``...) are counted,
with example ids.

Usage::

    .venv/bin/python bench/roundtrip_report.py               # the whole corpus
    .venv/bin/python bench/roundtrip_report.py --limit 500
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "data" / "corpus" / "cablegate-2011-04" / "cable.tar.xz"


@dataclass
class Report:
    cables: int = 0
    exact: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    failures: list[str] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.exact / self.cables if self.cables else 0.0

    def text(self) -> str:
        lines = [
            f"cables: {self.cables}",
            f"exact round trips: {self.exact} ({100 * self.share:.2f}%)",
            f"with differences: {self.cables - self.exact}",
        ]
        if self.failures:
            lines.append(f"render failures: {len(self.failures)} e.g. {self.failures[:5]}")
        if self.kinds:
            lines.append("kinds of difference (cables, examples):")
        for kind, count in self.kinds.most_common():
            lines.append(f"  {count:5d}  {kind:24s} {' '.join(self.examples[kind][:4])}")
        return "\n".join(lines)


def run(corpus: Path = CORPUS, limit: int | None = None) -> Report:
    import cablekit
    from cablekit.compose.roundtrip import round_trip

    report = Report()
    for cable in islice(cablekit.read(corpus), limit):
        report.cables += 1
        try:
            kinds = round_trip(cable).differences
        except Exception as error:  # a bug: count it, keep going
            report.failures.append(f"{cable.id}: {type(error).__name__}")
            continue
        if not kinds:
            report.exact += 1
        for kind in dict.fromkeys(kinds):
            report.kinds[kind] += 1
            report.examples[kind].append(cable.id or "?")
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()
    if not args.corpus.exists():
        sys.exit(f"no corpus at {args.corpus}")
    print(run(args.corpus, args.limit).text())


if __name__ == "__main__":
    main()
