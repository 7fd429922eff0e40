#!/usr/bin/env python3
"""Which PDF text extraction library: three compared on the sample PDFs (docs/pdf.md).

For each library (pypdf, pdfminer.six, pypdfium2 raw, and pypdfium2 with cablekit's
layout step, which is what ``--format pdf`` uses), on the four sample PDFs:

- reading order: whether the words come out in the same order as every other
  library's (whitespace and line breaks aside);
- what the page shows: blank lines kept (the page has them between paragraphs), runs of
  spaces kept ("SUMMARY:  A"), ``¶`` on the line of its paragraph number, TAGS on one
  line;
- speed: pages per CPU second over ``--repeat`` rounds of the 13 pages;
- memory: peak RSS reading a bundle of ``--pages`` pages (the samples concatenated),
  each library in a child process of its own.

pypdf and pdfminer.six are not cablekit dependencies: ``pip install pypdf pdfminer.six``
to run this. No figure is asserted anywhere.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.pdf_helpers import make_bundle, sample_pdfs  # noqa: E402


def pypdf_pages(path: str) -> list[str]:
    import pypdf

    return [page.extract_text() for page in pypdf.PdfReader(path).pages]


def pdfminer_pages(path: str) -> list[str]:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTTextContainer

    return [
        "".join(box.get_text() for box in page if isinstance(box, LTTextContainer))
        for page in extract_pages(path)
    ]


def pdfium_pages(path: str) -> list[str]:
    import pypdfium2

    document = pypdfium2.PdfDocument(path)
    pages = []
    for i in range(len(document)):
        textpage = document[i].get_textpage()
        pages.append(textpage.get_text_range().replace("\r\n", "\n"))
        textpage.close()
    document.close()
    return pages


def cablekit_pages(path: str) -> list[str]:
    import pypdfium2

    from cablekit.sources import pdf

    document = pypdfium2.PdfDocument(path)
    reader = pdf._PageReader(path)
    pages = ["\n".join(reader.lines(document[i], i + 1)) for i in range(len(document))]
    document.close()
    return pages


LIBRARIES: dict[str, tuple[Callable[[str], list[str]], str]] = {
    "pypdf": (pypdf_pages, "BSD-3-Clause"),
    "pdfminer.six": (pdfminer_pages, "MIT"),
    "pypdfium2": (pdfium_pages, "Apache-2.0 or BSD-3-Clause (PDFium: BSD-3/Apache-2.0)"),
    "pypdfium2 + layout": (cablekit_pages, "as pypdfium2; the layout step is cablekit's"),
}


def features(text: str) -> dict[str, bool]:
    lines = text.split("\n")
    return {
        "blank lines": sum(1 for line in lines if not line.strip()) >= 10,  # 12 on the page
        "runs of spaces": "SUMMARY:  A FRIENDLY" in text,
        "¶ with its number": "¶2." in text.replace(" ", "") and "\n¶\n" not in text,
        "TAGS on one line": any(line.strip().startswith("TAGS: PREL XF TC") for line in lines),
    }


def peak_rss() -> float:
    """Peak resident memory of this process in MiB: VmHWM, which starts afresh at exec
    (``ru_maxrss`` keeps the parent's peak across fork and exec)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def memory(name: str, bundle: str) -> dict[str, float]:
    code = (
        "import json, sys, time; sys.path.insert(0, sys.argv[1]); "
        "import pdf_compare as c; t = time.process_time(); "
        "pages = len(c.LIBRARIES[sys.argv[2]][0](sys.argv[3])); "
        "print(json.dumps({'pages': pages, 'cpu': time.process_time() - t, "
        "'rss': c.peak_rss()}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(ROOT / "bench"), name, bundle],
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pages", type=int, default=200, help="pages of the bundle for memory")
    args = parser.parse_args()
    samples = [str(p) for p in sample_pdfs()]
    words: dict[str, list[str]] = {}
    print(f"{'library':20} {'pages/cpu s':>11}  {'order':6} features")
    for name, (extract, _licence) in LIBRARIES.items():
        started = time.process_time()
        pages = 0
        for _ in range(args.repeat):
            texts = [extract(path) for path in samples]
            pages += sum(len(t) for t in texts)
        speed = pages / (time.process_time() - started)
        joined = "\n".join("\n".join(t) for t in texts)
        words[name] = joined.replace("¶", " ").split()
        found = features("\n".join(texts[0]))  # ABU DHABI: all four features are on page 1
        shown = ", ".join(f"{k}: {'yes' if v else 'no'}" for k, v in found.items())
        same = words[name] == next(iter(words.values()))
        print(f"{name:20} {speed:11.1f}  {'same' if same else 'DIFF':6} {shown}")
    with tempfile.TemporaryDirectory() as folder:
        bundle = Path(folder) / "bundle.pdf"
        made = make_bundle(sample_pdfs(), bundle, min_pages=args.pages)
        print(f"\nbundle of {made} pages, each library in a child process:")
        for name in LIBRARIES:
            r = memory(name, str(bundle))
            speed = r["pages"] / r["cpu"]
            print(f"  {name:20} peak RSS {r['rss']:7.1f} MiB, {speed:7.1f} pages/cpu s")
    print("\nlicences:")
    for name, (_extract, licence) in LIBRARIES.items():
        print(f"  {name:20} {licence}")


if __name__ == "__main__":
    main()
