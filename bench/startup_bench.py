#!/usr/bin/env python3
"""Start-up bench: the CPU time (user + system) of ``cablekit --help`` and of
``cablekit parse`` of one cable, median of ``--repeat`` runs, each a new process.

CPU time rather than the wall clock: the machine is shared, and CPU time is the
steadier figure. Run once first so that Python's bytecode caches exist, as they do
for a user after the first run. Nothing is asserted: this is a measurement.

Usage::

    .venv/bin/python bench/startup_bench.py --repeat 10
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[1] / "src" / "cablekit" / "samples" / "09PARIS1007.txt"


def cpu_seconds(args: list[str]) -> float:
    """The CPU time of one run of ``python -m cablekit ARGS``, children included."""
    before = os.times()
    subprocess.run(
        [sys.executable, "-m", "cablekit", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    after = os.times()
    return (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--repeat", type=int, default=10)
    repeat = options.parse_args().repeat
    for label, args in [
        ("cablekit --help", ["--help"]),
        ("cablekit parse", ["parse", str(SAMPLE)]),
    ]:
        cpu_seconds(args)  # warm: bytecode caches, the file system's
        runs = [cpu_seconds(args) for _ in range(repeat)]
        print(f"{label:<18} median {statistics.median(runs):.3f} s CPU over {repeat} runs")


if __name__ == "__main__":
    main()
