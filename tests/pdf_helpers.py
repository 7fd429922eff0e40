"""PDFs made from the sample PDFs, for tests and benchmarks: bundles and scans.

A bundle concatenates the samples (a FOIA release bundles cables the same way);
a scan renders each page to a grey image and writes an image-only PDF, as a
scanner would: no text layer left.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PDF_SAMPLES = ROOT.parent / "shared" / "data" / "samples" / "pdf"


def sample_pdfs() -> list[Path]:
    """The four sample PDFs, by name."""
    return sorted(PDF_SAMPLES.glob("*.pdf"))


def make_bundle(sources: list[Path], dest: Path, min_pages: int = 0) -> int:
    """Concatenate ``sources`` (over and over until ``min_pages``) into ``dest``; its pages."""
    import pypdfium2 as pdfium

    bundle = pdfium.PdfDocument.new()
    opened = [pdfium.PdfDocument(str(source)) for source in sources]
    try:
        while True:
            for document in opened:
                bundle.import_pages(document)
            if len(bundle) >= min_pages:
                break
        bundle.save(str(dest))
        return len(bundle)
    finally:
        for document in opened:
            document.close()
        bundle.close()


def make_scan(source: Path, dest: Path, dpi: int = 200) -> int:
    """An image-only copy of ``source``: every page rendered in grey at ``dpi``; its pages."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(source))
    try:
        images = [
            document[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            for i in range(len(document))
        ]
    finally:
        document.close()
    images[0].save(dest, "PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return len(images)


def char_error_rate(reference: str, read: str) -> float:
    """Edits (insertions, deletions, substitutions) per character of ``reference``.

    Words are aligned first (difflib), then characters within each differing run:
    exact where runs differ locally, as OCR errors do, and fast on long texts.
    """
    import difflib

    ref_words, read_words = reference.split(), read.split()
    edits = 0
    matcher = difflib.SequenceMatcher(None, ref_words, read_words, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            edits += _levenshtein(" ".join(ref_words[i1:i2]), " ".join(read_words[j1:j2]))
    return edits / max(1, len(" ".join(ref_words)))


def _levenshtein(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]
