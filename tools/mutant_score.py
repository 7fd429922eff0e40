"""The mutation score of each mutated file, from mutmut's results in ``mutants/``.

Run after ``make mutants`` (or ``mutmut run``) from the repository root::

    .venv/bin/python tools/mutant_score.py [--survivors]

Prints, per file, the mutants mutmut made and what became of them (killed, survived,
timeout, suspicious, no tests, not checked) and the kill rate: killed (and timed out)
over those checked. ``--survivors`` lists the surviving mutants' names too.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

# mutmut's exit codes of a mutant's test run (mutmut/stats.py)
STATUS = {
    1: "killed",
    3: "killed",
    0: "survived",
    5: "no tests",
    33: "no tests",
    34: "skipped",
    36: "timeout",
    -24: "timeout",
    24: "timeout",
    152: "timeout",
    255: "timeout",
    37: "type check",
    None: "not checked",
}
COLUMNS = ("killed", "survived", "timeout", "suspicious", "no tests", "not checked")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--survivors", action="store_true", help="list surviving mutants")
    parser.add_argument("--root", default="mutants", help="mutmut's working folder")
    args = parser.parse_args()
    rows, survivors = [], []
    for meta in sorted(Path(args.root).rglob("*.py.meta")):
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        if not codes:
            continue
        counts = Counter(STATUS.get(code, "suspicious") for code in codes.values())
        rows.append((str(meta.relative_to(args.root))[: -len(".meta")], len(codes), counts))
        survivors += [name for name, code in codes.items() if code == 0]
    print(f"{'file':40} {'total':>5} " + " ".join(f"{c:>11}" for c in COLUMNS) + "  kill rate")
    for name, total, counts in rows:
        checked = total - counts["not checked"]
        dead = counts["killed"] + counts["timeout"]
        rate = f"{100 * dead / checked:5.1f}%" if checked else "    -"
        cells = " ".join(f"{counts[c]:>11}" for c in COLUMNS)
        print(f"{name:40} {total:>5} {cells}  {rate}")
    if args.survivors:
        print("\n".join(["", "survivors:", *survivors]))


if __name__ == "__main__":
    main()
