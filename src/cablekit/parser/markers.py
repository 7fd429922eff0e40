"""Stage 4: remove page markers and stamps, remembering where they were.

Section/page markers (``OTTAWA 00000278 002 OF 003``, spec 7.2), old telegram
page headers (``PAGE 02 HARARE 06677 01 OF 03 291400Z``, 7.3) and NARA
declassification stamps are artefacts of printing and archiving, not text.
A marker often cuts a sentence in two; the line after it is flagged so the
body stage re-joins the sentence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..model import PageMarker

NEW_MARKER = re.compile(
    r"^\s*(?P<post>[A-Z][A-Z .'\-]*?)\s+(?P<serial>\d{8})\s+(?P<page>\d{3})(?:\.(?P<sub>\d))?"
    r"\s+OF\s+(?P<total>\d{3})\s*$"
)
INLINE_MARKER = re.compile(
    r"\s(?P<serial>\d{8})\s+(?P<page>\d{3})(?:\.(?P<sub>\d))?\s+OF\s+(?P<total>\d{3})\b", re.I
)
OLD_PAGE = re.compile(
    r"^\s*(?:(?:UNCLASSIFIED|CONFIDENTIAL|SECRET|LIMITED OFFICIAL USE)\s+)?"
    r"PAGE\s+(?P<page>\d{2,3})\s+[A-Z][A-Z .\-]{0,12}?\s*\d{4,6}"
    r"(?:\s+(?P<section>\d{2})\s+OF\s+(?P<total>\d{2}))?(?:\s+\d{6}\s?[Z2])?\s*$"  # OCR: 2 for Z
)
CLASS_ONLY = re.compile(r"^\s*(?:UNCLASSIFIED|CONFIDENTIAL|SECRET|LIMITED OFFICIAL USE|UNCLAS)\s*$")
STAMP = re.compile(
    r"^\s*(?:[A-Z][a-z]+ [A-Z]\. [A-Z][a-z]+ )?Declassified/Released US Department of State"
    r" EO Systematic Review \d{1,2} [A-Z]{3} \d{4}\s*$",
    re.I,
)
SENTENCE_END = re.compile(r"[.!?:;][\"')\]]*$")


@dataclass(slots=True)
class Cleaned:
    lines: list[str]
    joins: set[int] = field(default_factory=set)  # lines that continue a cut sentence
    markers: list[tuple[int, PageMarker]] = field(default_factory=list)


# Cheap substrings of every marker, old page header and stamp (regexes come after): the
# first two looked for by the regex engine, which finds a word faster than str.find does;
# the stamp's ("lassified/", "LASSIFIED/") from one "/" to the next, a rare character
# (looking for one character is many times cheaper than for a word).
_CLUES = (re.compile("OF 0"), re.compile("PAGE "))
_STAMP_CLUES = ("lassified", "LASSIFIED")  # each followed by "/"


def _candidate_lines(text: str) -> set[int]:
    """Indices of lines that may be artefacts, and their neighbours."""
    positions = [m.start() for clue in _CLUES for m in clue.finditer(text)]
    slash = text.find("/")
    while slash >= 0:
        if slash >= 9 and text[slash - 9 : slash] in _STAMP_CLUES:
            positions.append(slash - 9)
        slash = text.find("/", slash + 1)
    hits: set[int] = set()
    line = counted = 0
    for position in sorted(positions):  # newlines counted once, not from the start each time
        line += text.count("\n", counted, position)
        counted = position
        # Two lines around: a PDF copy puts a blank line between a page header and the
        # classification word printed above it.
        hits.update((line - 2, line - 1, line, line + 1, line + 2))
    return hits


def remove_markers(lines: Sequence[str], post: str | None) -> Cleaned:
    """Lines without markers and stamps; joins and markers keyed by new line index."""
    hits = sorted(h for h in _candidate_lines("\n".join(lines)) if 0 <= h < len(lines))
    out = Cleaned([])
    cut = False
    done = 0
    for index in hits:
        cut = _copy(lines[done:index], out, cut)  # the lines between candidates, as they are
        done = index + 1
        line = lines[index]
        marker = _marker(line)
        if marker is not None or _old_page_debris(lines, index):
            if marker is not None:
                out.markers.append((len(out.lines), marker))
            cut = True
            continue
        if "eclassified" in line and STAMP.match(line):
            continue
        if post and " OF " in line:
            line = _strip_inline(line, out, post)
        if cut:
            cut = _copy([line], out, cut)
        else:
            out.lines.append(line)  # what _copy does when no sentence was cut
    _copy(lines[done:], out, cut)
    return out


def _copy(lines: Sequence[str], out: Cleaned, cut: bool) -> bool:
    """Append ``lines``; after a removed marker, flag the line that continues a cut sentence."""
    if cut:
        for n, line in enumerate(lines):
            if line.strip():
                previous = _last_text(out.lines)
                if previous is not None and not SENTENCE_END.search(previous):
                    out.joins.add(len(out.lines) + n)
                cut = False
                break
    out.lines.extend(lines)
    return cut


def _marker(line: str) -> PageMarker | None:
    if " OF " not in line and "PAGE" not in line:
        return None
    m = NEW_MARKER.match(line)
    if m:
        sub = int(m["sub"]) if m["sub"] else None
        return PageMarker(line.strip(), int(m["page"]), int(m["total"]), sub)
    m = OLD_PAGE.match(line)
    if m:
        total = int(m["total"]) if m["total"] else None
        return PageMarker(line.strip(), int(m["page"]), total)
    return None


def _old_page_debris(lines: Sequence[str], index: int) -> bool:
    """A bare classification word printed above or below an old page header (maybe a
    blank line apart), or the blank line between them."""
    line = lines[index]
    if not line:
        before = lines[index - 1] if index > 0 else ""
        after = lines[index + 1] if index + 1 < len(lines) else ""
        return (_class_only(before) and _old_page(after)) or (
            _old_page(before) and _class_only(after)
        )
    if not _class_only(line):
        return False
    for step in (-1, 1):
        j = index + step
        if 0 <= j < len(lines) and not lines[j]:
            j += step  # one blank line between
        if 0 <= j < len(lines) and _old_page(lines[j]):
            return True
    return False


def _class_only(line: str) -> bool:
    return 0 < len(line) <= 40 and line.isupper() and CLASS_ONLY.match(line) is not None


def _old_page(line: str) -> bool:
    return "PAGE" in line and OLD_PAGE.match(line) is not None


def _strip_inline(line: str, out: Cleaned, post: str) -> str:
    """Remove a marker sharing its line with text: ``LIBYA TRIPOLI 00000939 001.2 OF 003``."""
    m = INLINE_MARKER.search(line)
    if not m or not line[: m.start()].upper().endswith(post):
        return line
    start = m.start() - len(post)
    sub = int(m["sub"]) if m["sub"] else None
    text = line[start : m.end()].strip()
    out.markers.append((len(out.lines), PageMarker(text, int(m["page"]), int(m["total"]), sub)))
    return (line[:start].rstrip() + " " + line[m.end() :].lstrip()).strip()


def _last_text(lines: list[str]) -> str | None:
    for line in reversed(lines):
        if line.strip():
            return line.rstrip()
    return None
