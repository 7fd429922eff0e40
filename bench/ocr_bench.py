#!/usr/bin/env python3
"""OCR benchmark: scans made from the sample PDFs against their text layer.

Each sample PDF is rendered to grey images (``--dpi``, 200 by default, as an office
scanner would) and written as an image-only PDF; cablekit reads the scan through
Tesseract and the same parser. For every field the figure is the share of cables whose
scan gives the same value as the text layer; paragraph text is compared by character
error rate (edits per character of the text layer's paragraphs, words aligned first).
OCR speed is pages per second of the whole read (render, Tesseract, layout, parse).
No figure is asserted anywhere: this is a measurement, not a test (tests/test_pdf.py
holds the thresholds).

Usage::

    .venv/bin/python bench/ocr_bench.py [--dpi 200] [--show-diffs]
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.pdf_helpers import char_error_rate, make_scan, sample_pdfs  # noqa: E402

from cablekit.model import Cable  # noqa: E402
from cablekit.parser import parse_raw  # noqa: E402
from cablekit.sources import iter_inputs  # noqa: E402

FIELDS = ("id", "date", "classification", "tags", "subject", "to", "info", "references")


def parse(path: Path) -> Cable:
    (raw,) = list(iter_inputs([str(path)]))
    if not hasattr(raw, "body"):
        raise SystemExit(f"{path}: {raw}")
    return parse_raw(raw)  # type: ignore[arg-type]


def value(cable: Cable, field: str) -> object:
    got = getattr(cable, field)
    if field in ("to", "info"):
        return [a.name for a in got]
    if field == "references":
        return [(r.letter, r.id) for r in got]
    return got


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dpi", type=int, default=200, help="resolution of the scans made")
    parser.add_argument("--show-diffs", action="store_true", help="print the words OCR changed")
    args = parser.parse_args()
    print(f"machine  {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start")
    agree = dict.fromkeys(FIELDS, 0)
    paragraphs_agree = 0
    edits = chars = 0.0
    pages = 0
    seconds = cpu = 0.0
    samples = sample_pdfs()
    with tempfile.TemporaryDirectory() as folder:
        for path in samples:
            scan = Path(folder) / path.name
            pages += make_scan(path, scan, args.dpi)
            text = parse(path)
            wall, started = time.perf_counter(), _cpu()
            read = parse(scan)
            seconds += time.perf_counter() - wall
            cpu += _cpu() - started
            for field in FIELDS:
                agree[field] += value(text, field) == value(read, field)
            same_numbers = [p.number for p in text.paragraphs] == [
                p.number for p in read.paragraphs
            ]
            paragraphs_agree += same_numbers
            reference = "\n".join(p.text for p in text.paragraphs)
            got = "\n".join(p.text for p in read.paragraphs)
            rate = char_error_rate(reference, got)
            edits += rate * len(" ".join(reference.split()))
            chars += len(" ".join(reference.split()))
            print(
                f"{text.id:16} {len(text.paragraphs):3} paragraphs  CER {rate:6.2%}  "
                f"warnings {[w.code for w in read.warnings]}"
            )
            if args.show_diffs:
                _diffs(reference, got)
    n = len(samples)
    print()
    print(f"field agreement, scan vs text layer ({n} cables, {pages} pages, {args.dpi} dpi):")
    for field in FIELDS:
        print(f"  {field:16} {agree[field]}/{n}  {agree[field] / n:6.1%}")
    print(f"  {'paragraph count':16} {paragraphs_agree}/{n}  {paragraphs_agree / n:6.1%}")
    print(
        f"  paragraph text   CER {edits / chars:.2%} ({edits:.0f} edits in {chars:.0f} characters)"
    )
    print(
        f"OCR speed: {pages / seconds:.2f} pages/s wall clock, {pages / cpu:.2f} pages/CPU s "
        f"(Tesseract included; {pages} pages in {seconds:.1f} s)"
    )
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


def _cpu() -> float:
    """CPU time of this process and its finished children (Tesseract)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _diffs(reference: str, got: str) -> None:
    a, b = reference.split(), got.split()
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag != "equal":
            print(f"    {' '.join(a[i1:i2])!r} -> {' '.join(b[j1:j2])!r}")


if __name__ == "__main__":
    main()
