#!/usr/bin/env python3
"""Parse -> render -> parse over the 6,712-page corpus: the share of exact round trips.

Every cable of ``corpus/cablegate-2011-04/cable.tar.xz`` is parsed, rendered in the
canonical telegram format (``cablekit.compose.render``) and parsed again two ways
(``cablekit.compose.roundtrip``): **alone**, the rendered text by itself, as a user
who saves it and reads it again has it; and **inside the wrapper**, given the same
publication wrapper (page id, dates, banner) as the original. A cable round-trips
exactly when the two records agree on every field but ``source`` and ``warnings``
(and, alone, but the wrapper's own ``publication`` and ``partial``); for the others
the kinds of difference (``id.lost``, ``paragraphs.text``, ``references.count``...)
are counted, with example ids. ``not-a-cable`` counts rendered texts the parser does
not take for a cable at all.

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
    way: str = "inside the wrapper"
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
            f"== round trip {self.way}",
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

    def add(self, cable_id: str, kinds: list[str]) -> None:
        self.cables += 1
        if not kinds:
            self.exact += 1
        for kind in dict.fromkeys(kinds):
            self.kinds[kind] += 1
            self.examples[kind].append(cable_id)


@dataclass
class Reports:
    """The round trip inside the wrapper (``wrapped``) and alone (``alone``)."""

    wrapped: Report = field(default_factory=Report)
    alone: Report = field(default_factory=lambda: Report(way="alone"))

    def text(self) -> str:
        return f"{self.alone.text()}\n\n{self.wrapped.text()}"


def run(corpus: Path = CORPUS, limit: int | None = None) -> Reports:
    import cablekit
    from cablekit.compose.roundtrip import round_trip
    from cablekit.errors import NotACable

    reports = Reports()
    for cable in islice(cablekit.read(corpus), limit):
        for report, alone in ((reports.wrapped, False), (reports.alone, True)):
            try:
                kinds = round_trip(cable, alone=alone).differences
            except NotACable:  # the text alone reads as no cable: a difference of its own
                kinds = ["not-a-cable"]
            except Exception as error:  # a bug: count it, keep going
                report.cables += 1
                report.failures.append(f"{cable.id}: {type(error).__name__}")
                continue
            report.add(cable.id or "?", kinds)
    return reports


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
