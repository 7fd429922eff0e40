"""The parser: one entry point, a fixed order of named stages (spec section 10).

1. normalise   strip the publication layer (``normalise``); repair OCR and
               teletype confusions in header lines (``confusions``)
2. split       header (envelope) from content
3. envelope    FL1-FL9 (``envelope``)
4. markers     page markers and stamps out, cut sentences flagged (``markers``)
5. text header classification line, captions, E.O., TAGS, SUBJECT, REF,
               Classified By (``classline``, ``textheader``, ``tags``, ``refs``,
               ``classified``)
6. body        signature and trailer, paragraphs, headings, summary (``body``)
7. derive      canonical id, classification, date (``derive``); then the cables the
               paragraphs mention (``mentions``)
8. validate    cross-field checks, warnings only (``validate``)
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence
from typing import Any

from ..errors import NotACable
from ..model import Cable, PageMarker, Sections, first_mistyped
from ..sources.base import RawCable
from .body import parse_body, take_signature
from .classified import CLASSIFIED_WORD, parse_classified_by
from .classified import START as CLASSIFIED_START
from .classline import ClassLine, parse_class_line, repaired_class_line
from .confusions import repair_header
from .derive import (
    canonical_from_publication,
    derive,
    fallback_year,
    id_from_class_line,
    is_cable_id,
)
from .envelope import looks_like_envelope, parse_envelope
from .markers import remove_markers
from .mentions import find_mentions
from .normalise import lines_of, strip_preamble, unglue_header
from .state import ParseState
from .textheader import (
    PARAGRAPH_START,
    SUBJECT,
    caveat_tokens,
    eo_subject_or_paragraph,
    parse_text_header,
    recover_fields,
)
from .validate import validate

__all__ = ["parse_raw"]

_CLASSIFIED_BY = re.compile(rf"{CLASSIFIED_WORD}\s*BY", re.I)
PARTIAL_NOTE = "This record is a partial extract of the original cable"


def parse_raw(raw: RawCable) -> Cable:
    """Parse one cable as a reader found it. Raises NotACable when there is none."""
    if raw.record is not None:
        return read_record(raw.record)
    state = ParseState()
    body, class_line, start = envelope_and_class_line(raw, state)
    cleaned = remove_markers(body, class_line.post if class_line else None)
    lines = cleaned.lines
    citing = derive_citing_id(raw, state, class_line)
    body_start = parse_text_header(lines, start, state, citing)
    recover_fields(lines, state, citing)
    tail = list(lines[body_start:])
    take_signature(tail, state)
    lines = list(lines[:body_start]) + tail
    starts = parse_body(lines, body_start, state, cleaned.joins)
    state.set("page_markers", tuple(place_markers(cleaned.markers, starts)))
    if state.get("classified_by") is None:
        classified_anywhere(state, lines)
    if raw.publication is None and not is_cable(state):
        raise NotACable(
            "The input holds no cable: no envelope, classification line or header fields"
        )
    derive(raw, state, class_line, raw.partial or PARTIAL_NOTE in raw.body[:2000])
    state.set(
        "mentions",
        find_mentions(
            state.get("paragraphs"), state.get("references") or (), state.get("id"), state.year
        ),
    )
    validate(state, class_line)
    return Cable(**state.fields, warnings=tuple(state.warnings))


def read_record(record: dict[str, Any]) -> Cable:
    """A cablekit record as it was written (by ``parse`` or ``export``): the cable is
    not parsed again, so an archive rebuilt from an export holds the same records."""
    wrong = first_mistyped(record)
    if wrong is not None:
        raise NotACable(f"The record's {wrong} is not of the type a record gives it")
    try:
        cable = Cable.from_json(record)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise NotACable(f"The record cannot be read ({type(error).__name__}: {error})") from None
    if cable.id is None or not is_cable_id(cable.id):
        # The id becomes the archive's key, a file name and a path: a cable id only.
        raise NotACable(f"The record's id {str(cable.id)[:40]!r} is not a cable id")
    return cable


def envelope_and_class_line(
    raw: RawCable, state: ParseState
) -> tuple[list[str], ClassLine | None, int]:
    """Stages 1-3: the envelope parsed; the content lines, their classification line, and
    the index where the text header starts."""
    body = repair_header(strip_preamble(lines_of(raw.body, raw.markup)), state)
    if raw.header is not None:
        header = repair_header(lines_of(raw.header, raw.markup), state)
    else:
        header, body = split_header(body)
    parse_envelope(header, state)
    if state.year is None:
        state.year = fallback_year(raw)
    body = unglue_header(body)
    found = find_class_line(body)
    if found is None and (repaired := repair_class_line(body)) is not None:
        body = unglue_header(repaired)
        found = find_class_line(body)
    if found:
        full = restart_at_full_copy(body, found)
        if full is not body:
            body = full
            found = find_class_line(body) or (-1, found[1])
    if found and not (state.get("dtg") or state.get("transmission_id")):
        parse_envelope(body[: found[0]], state)  # a media prefix carrying the envelope
    if found is None:
        state.warn("no-classification-line", "No classification line found")
        return body, None, 0
    apply_class_line(found[1], state)
    return body, found[1], found[0] + 1


def split_header(lines: list[str]) -> tuple[list[str], list[str]]:
    """Envelope lines and content lines of an unsplit telegram."""
    first = next((i for i, line in enumerate(lines) if line.strip()), 0)
    if first >= len(lines) or not looks_like_envelope(lines[first].strip()):
        return [], lines
    for i in range(first, min(len(lines), first + 600)):
        line = lines[i].strip()
        if line and "/" not in line and parse_class_line(line):
            return lines[:i], lines[i:]
        if line and eo_subject_or_paragraph(line):
            return _header_until_text(lines, first, i)
    return _header_until_text(lines, first, len(lines))


def _header_until_text(lines: list[str], first: int, limit: int) -> tuple[list[str], list[str]]:
    """Without a classification line: the envelope ends at the last envelope-like line,
    or before a caption line (NOFORN, REL ...), which the text header must read: lost
    with the envelope, a caveat would no longer restrict anyone."""
    end = first
    for i in range(first, limit):
        line = lines[i].strip()
        if line and caveat_tokens(line):
            break
        if line and (looks_like_envelope(line) or line.isupper()):
            end = i + 1
        elif line:
            break
    return lines[:end], lines[end:]


def _top_lines(lines: Sequence[str]) -> Iterator[tuple[int, str]]:
    """The first 61 lines with text, with their index, up to the first E.O., SUBJECT
    or paragraph line: where a classification line stands."""
    seen = 0
    for i, line in enumerate(lines):
        text = line.strip()
        if not text:
            continue
        if eo_subject_or_paragraph(text) or seen > 60:
            return
        yield i, text
        seen += 1


def find_class_line(lines: Sequence[str]) -> tuple[int, ClassLine] | None:
    """The classification line near the top of the content, and its index."""
    for i, text in _top_lines(lines):
        found = parse_class_line(text)
        if found:
            return i, found
    return None


def repair_class_line(lines: list[str]) -> list[str] | None:
    """``lines`` with the first line that reads as a classification line once the
    damage of a pasted database row is repaired (``repaired_class_line``) replaced by
    the lines it repairs to; None when there is no such line. Tried only where
    ``find_class_line`` found none."""
    for i, text in _top_lines(lines):
        after = next((j for j in range(i + 1, min(len(lines), i + 3)) if lines[j].strip()), i)
        repaired = repaired_class_line(text, lines[after].strip() if after > i else "")
        if repaired:
            parts, joined = repaired
            return [*lines[:i], *parts, *lines[(after if joined else i) + 1 :]]
    return None


def restart_at_full_copy(body: list[str], found: tuple[int, ClassLine]) -> list[str]:
    """Pages that show an excerpt, then the whole cable: keep the whole one.

    The excerpt's text header breaks off with ``...`` (or lacks a SUBJECT line);
    the full copy is the later text header with a SUBJECT line, starting at the
    line that repeats the post of the classification line.
    """
    index, first = found
    cut = _excerpt_end(body, index)
    if cut is None:
        return body
    for j in range(cut + 1, len(body)):
        if SUBJECT.match(body[j]) and body[j].strip()[:4].upper() in ("SUBJ", "UBJE"):
            for k in range(j - 1, max(cut, j - 30), -1):
                if first.post in body[k].upper() and _has_number(
                    body[k] + " " + body[k + 1], first.serial
                ):
                    return _from_class_line(body, k, first)
            return body
    return body


# A number written as a word of its own, maybe with leading zeros: the digits after them.
_WHOLE_NUMBER = re.compile(r"\b0*(\d+)\b")


def _has_number(text: str, number: int) -> bool:
    """Whether ``text`` holds ``number`` as a word of its own, maybe with leading zeros
    (what ``re.search(rf"\\b0*{number}\\b", text)`` says, without compiling a pattern
    for each serial)."""
    digits = str(number)
    return any(m[1] == digits for m in _WHOLE_NUMBER.finditer(text))


def _excerpt_end(body: list[str], index: int) -> int | None:
    """Where an excerpt of the text header stops (a line ending in "..."), if it does."""
    window = "\n".join(body[index + 1 : index + 40])
    if "..." not in window and "header ends" not in window:
        return None  # the common case, decided in one pass
    for j in range(index + 1, min(len(body), index + 40)):
        line = body[j].strip()
        if line[:1].isdigit() and PARAGRAPH_START.match(line):
            return None
        if line.endswith("...") or "header ends" in line:
            return j
    return None


def _from_class_line(body: list[str], k: int, first: ClassLine) -> list[str]:
    """The body from line ``k``, which repeats the classification line, maybe split."""
    line = body[k]
    if parse_class_line(line.strip()):
        return body[k:]
    parts = unglue_header([line])
    if len(parts) > 1:  # "C O N F I D E N T I A L ... 002414 SIPDIS E.O. 12958: ..."
        head = parts[0] if parse_class_line(parts[0].strip()) else ""
        return [head, *parts[1:], *body[k + 1 :]]
    rest = body[k + 1 :]
    if rest and rest[0].strip().lstrip("0") == str(first.serial):
        rest = rest[1:]  # "... THE HAGUE" / "002306": the serial on its own line
    return ["", *rest]


def apply_class_line(class_line: ClassLine, state: ParseState) -> None:
    state.set("post", class_line.post)
    state.set("serial", class_line.serial)
    if class_line.section is not None and class_line.total is not None:
        state.set("sections", Sections(class_line.section, class_line.total))
    caveats: list[str] = ["EFTO"] if class_line.efto else []
    if class_line.captions:
        caveats.extend(caveat_tokens(class_line.captions) or [])
    state.set("caveats", tuple(caveats))


def derive_citing_id(raw: RawCable, state: ParseState, class_line: ClassLine | None) -> str | None:
    """The cable's own id as known before the text header (to drop self-references)."""
    return canonical_from_publication(raw) or id_from_class_line(state, class_line, raw)


def place_markers(
    markers: Sequence[tuple[int, PageMarker]], starts: Sequence[tuple[int, int | None]]
) -> list[PageMarker]:
    """Each marker with the number of the paragraph it fell in."""
    firsts = [line for line, _ in starts]
    placed: list[PageMarker] = []
    for index, marker in markers:
        at = bisect.bisect_right(firsts, index) - 1
        number = starts[at][1] if at >= 0 else None
        placed.append(PageMarker(marker.text, marker.page, marker.total, marker.sub, number))
    return placed


def classified_anywhere(state: ParseState, lines: Sequence[str]) -> None:
    """A Classified By line outside the text header: in a paragraph, or further down."""
    for paragraph in state.get("paragraphs")[:3]:
        if _may_say_classified(paragraph.text) and _CLASSIFIED_BY.search(paragraph.text):
            found = parse_classified_by(paragraph.text)
            if found and found.reasons:
                state.set("classified_by", found)
                return
    joined = "\n".join(lines)
    if not _may_say_classified(joined):
        return
    for i in _lines_holding(joined, _CLASSIFIED_CLUES):
        line = text = lines[i]
        if line.startswith("BY:") and _text_before(lines, i).endswith("CLASSIFIED"):
            text = "CLASSIFIED " + line  # "... CLASSIFIED" / "BY: Gene A. Cretz, ..."
        if _may_say_classified(text) and CLASSIFIED_START.match(text):
            found = parse_classified_by(" ".join([text, *_wrapped(lines[i + 1 : i + 3])]))
            if found and (found.reasons or i < 40):
                state.set("classified_by", found)
                return


# What a line must hold to be read by classified_anywhere: a clue of _may_say_classified,
# or "BY:" at its start (after a line ending in "CLASSIFIED").
_CLASSIFIED_CLUES = ("lass", "LASS", "lasi", "LASI", "\nBY:")


def _lines_holding(joined: str, clues: Sequence[str]) -> list[int]:
    """Indices, in order, of the lines of ``joined`` (lines joined by newlines) that hold
    one of ``clues`` ("\\n..." for a line starting with "..."): found with ``str.find``
    over the whole text, which is much cheaper than a test of every line."""
    positions: list[int] = []
    for clue in clues:
        skip = 1 if clue.startswith("\n") else 0  # the line is the one after the newline
        if skip and joined.startswith(clue[1:]):
            positions.append(0)
        at = joined.find(clue)
        while at >= 0:
            positions.append(at + skip)
            end_of_line = joined.find("\n", at + skip)
            at = joined.find(clue, end_of_line) if end_of_line >= 0 else -1
    found: list[int] = []
    line = counted = 0
    for position in sorted(positions):  # newlines counted once, not from the start each time
        line += joined.count("\n", counted, position)
        counted = position
        if not found or found[-1] != line:
            found.append(line)
    return found


def _text_before(lines: Sequence[str], index: int) -> str:
    """The last line with text before ``lines[index]``, without trailing space ("" if none)."""
    for line in reversed(lines[:index]):
        if line.strip():
            return line.rstrip()
    return ""


def _wrapped(following: Sequence[str]) -> list[str]:
    """The lines a line wraps onto: those before the first blank one."""
    taken: list[str] = []
    for line in following:
        if not line.strip():
            break
        taken.append(line)
    return taken


# "lass" or "lasi", "LASS" or "LASI": each a literal and one letter, which the regex engine
# finds two to three times faster than four str.find scans would.
_CLASSIFIED_STEMS = (re.compile("las[si]"), re.compile("LAS[SI]"))


def _may_say_classified(text: str) -> bool:
    """Whether ``text`` may hold "Classified" or a misspelling of it: "lass", "LASS",
    "lasi" or "LASI" (cheap: a regex for the word itself over every line of every
    cable would not be)."""
    return any(stem.search(text) is not None for stem in _CLASSIFIED_STEMS)


def is_cable(state: ParseState) -> bool:
    keys = ("dtg", "transmission_id", "from_", "post", "subject", "tags", "executive_order")
    return any(state.get(k) for k in keys)
