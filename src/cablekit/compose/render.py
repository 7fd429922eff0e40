"""A record as canonical telegram text (spec 11): ``render(cable) -> str``.

The text is the envelope (unless ``envelope=False``), ``BT``, the text header,
the numbered and marked paragraphs wrapped at the format's line length with
their headings, the page markers, the trailer and the signature, then the end
marks ``BT``, ``#SSSS``, ``NNNN``. Reading the text back (``cablekit.parse``)
gives the same record on every field the text carries; see ``docs/compose.md``.

Page markers are written inside the paragraph the record says they fell in:
a marker cuts a paragraph between two of its lines, as in real cables, so the
reader re-joins the paragraph and records the same position.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ..model import Cable, PageMarker, Paragraph
from .envelope import end_lines, envelope_lines
from .layout import WIDTH, split_in_two, wrap
from .textheader import class_line, header_lines

__all__ = ["RenderOptions", "render"]

UNDERLINE = "---"
_SENTENCE_END = re.compile(r"[.!?:;][\"')\]]*$")
# The end of a sentence, then a name: how a signature on the last line looks.
_SIGNED = re.compile(
    r"(?:[.!?][\"')\]]*|https?://\S+)\s+[A-Z][A-Za-z'\-]+(?:\s+[A-Z][A-Z'\-]+){0,2}$"
)
_LEVELS = ("UNCLASSIFIED", "CONFIDENTIAL", "SECRET", "LIMITED OFFICIAL USE", "TOP SECRET")


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """How to lay the text out.

    :param envelope: write the transmission envelope (FL1-FL9); False gives the
        telegram text alone, from the classification line.
    :param end_marks: write ``BT`` after the envelope and ``BT``/``#SSSS``/``NNNN``
        after the signature (only with the envelope).
    :param width: the line length for paragraphs, SUBJECT and REF; None keeps
        every paragraph on one line (as many 2006-2010 cables are).
    """

    envelope: bool = True
    end_marks: bool = True
    width: int | None = WIDTH


def render(cable: Cable, options: RenderOptions | None = None) -> str:
    """``cable`` as canonical telegram text, lines ending in ``\\n``."""
    options = options or RenderOptions()
    lines: list[str] = []
    envelope = envelope_lines(cable) if options.envelope else []
    marks = options.end_marks and bool(envelope)
    if envelope:
        lines.extend([*envelope, *(["BT"] if marks else []), ""])
        if class_line(cable) is None:
            # Without a classification line, readers end the envelope at the first line
            # that is not upper case: the classification repeated, which they skip.
            lines.extend([_plain_level(cable), ""])
    header_marks, body_marks = place_markers(cable)
    leading = leading_markers(cable, header_marks, body_marks)
    header = header_lines(cable, options.width)
    at = 1 if class_line(cable) else min(1, len(header))
    lines.extend(header[:at] + header_marks + header[at:])
    lines.extend(body_lines(cable, (body_marks, leading), options.width))
    lines.extend(trailer_lines(cable.trailer))
    if cable.signature:
        lines.append(cable.signature)
    if marks:
        lines.extend(end_lines(cable))
    # A line ending in a backslash makes readers take the text for a database dump
    # (and strip every such backslash): a trailing space keeps it as text.
    lines = [line + " " if line.endswith("\\") else line for line in lines]
    return "\n".join(lines).rstrip("\n") + "\n"


def _plain_level(cable: Cable) -> str:
    level = cable.classification or ""
    return level.title() if level in ("CONFIDENTIAL", "SECRET", "TOP SECRET") else "Unclassified"


# --------------------------------------------------------------------------- body


def body_lines(
    cable: Cable, marks: tuple[dict[int, list[str]], dict[int, list[str]]], width: int | None
) -> list[str]:
    """The paragraphs; ``marks``: the page markers inside each paragraph, and those
    before it (after its heading), by paragraph index. A bullet or sub-paragraph with
    a marking of its own is written inside the text of its paragraph, as the page had
    it, where readers find it again."""
    inside, before = marks
    lines: list[str] = []
    blocks = paragraph_blocks(cable.paragraphs)
    for b, (n, paragraph) in enumerate(blocks):
        if paragraph.heading:
            lines.extend([*heading_lines(paragraph.heading), ""])
        if n in before:
            lines.extend([*before[n], ""])
        # A short last line could pass for a signature or a trailer: keep four words.
        text = paragraph_lines(paragraph, width, 4 if b == len(blocks) - 1 else 2)
        end = blocks[b + 1][0] if b + 1 < len(blocks) else len(cable.paragraphs)
        markers = [m for k in range(n, end) for m in inside.get(k, [])]
        lines.extend([*with_markers(text, markers, paragraph, width), ""])
        if paragraph.number is None and _reads_as_heading(paragraph.text):
            lines.extend(["", ""])  # a heading is a short line just before a paragraph
    if cable.paragraphs and not (cable.signature or cable.trailer):
        tail = lines[-2].rstrip(" .\\")  # readers look past a cut "..." and a stray "\\"
        if _SIGNED.search(tail) or len(tail.split()) <= 3:
            lines.append(UNDERLINE)  # the text ends with a name, yet is unsigned
    return lines


def paragraph_blocks(paragraphs: Sequence[Paragraph]) -> list[tuple[int, Paragraph]]:
    """(index of its first unit, the paragraph as one text) for each paragraph: the
    bullets and sub-paragraphs that follow it under its number are put back into its
    text, with their labels and markings."""
    blocks: list[tuple[int, Paragraph]] = []
    for n, p in enumerate(paragraphs):
        if blocks and p.heading is None and _continues(paragraphs[n - 1], p):
            first, host = blocks[-1]
            mark = f"({p.marking}) " if p.marking else ""
            part = " ".join(x for x in (p.label, f"{mark}{p.text}".strip()) if x)
            blocks[-1] = (first, replace(host, text=f"{host.text} {part}".strip()))
        else:
            blocks.append((n, p))
    return blocks


def _continues(before: Paragraph, unit: Paragraph) -> bool:
    """Whether ``unit`` is a marked part of the paragraph before it (not its own)."""
    return unit.label is not None and unit.number == before.number


def paragraph_lines(paragraph: Paragraph, width: int | None, last_words: int) -> list[str]:
    """``5. (C/NF) text`` wrapped; unnumbered text after its mark, if any."""
    lead = paragraph_lead(paragraph)
    if paragraph.text.startswith(" ") and lead:
        # Text that began on the line after the number keeps the space readers put
        # in front of it.
        return [lead.rstrip(), *wrap(paragraph.text, width, last_words=last_words)]
    return wrap(paragraph.text, width, first=lead, last_words=last_words)


def _reads_as_heading(text: str) -> bool:
    return (
        len(text) <= 70
        and text[:1].isalpha()
        and text.isupper()
        and len(text.split()) <= 8
        and not _SENTENCE_END.search(text)
    )


def paragraph_lead(paragraph: Paragraph) -> str:
    lead = f"{paragraph.number}. " if paragraph.number is not None else ""
    if paragraph.label:  # "5. A. (C) text": a sub-paragraph opens it
        lead += f"{paragraph.label} "
    mark = paragraph.marking
    if mark and not _entire_text(mark, paragraph.text):
        lead += f"({mark})" if _reads_as_ref_item(paragraph) else f"({mark}) "
    return lead


def _reads_as_ref_item(paragraph: Paragraph) -> bool:
    """``(C) BRASILIA 727; (D) ...`` after the REF block reads as more REF items; the
    page had ``(C)BRASILIA 727``, which readers take for a marked paragraph."""
    return (
        paragraph.number is None
        and len(paragraph.marking or "") == 1
        and _CITATION.match(paragraph.text) is not None
    )


_CITATION = re.compile(r"(?:\d{2,4}\s+)?[A-Z][A-Z .'\-]{1,24}\s\d{1,7}\b")


def _entire_text(mark: str, text: str) -> bool:
    """``1. SECRET - ENTIRE TEXT.``: the old cables' marking is the text itself."""
    return mark in _LEVELS and re.match(rf"{mark}\s*-+\s*ENTIRE TEXT", text, re.I) is not None


def heading_lines(heading: str) -> list[str]:
    """The heading, underlined; boxed (``--- Summary. ---``) when it reads as a sentence.

    Readers join consecutive headings with `` / ``: each is written apart again.
    """
    lines: list[str] = []
    for part in heading.split(" / "):
        lines.extend([*_one_heading(part), ""])
    return lines[:-1]


def _one_heading(heading: str) -> list[str]:
    plain = len(heading) <= 70 and heading[0].isalpha()
    if plain and not _SENTENCE_END.search(heading):
        return [heading, UNDERLINE]
    if not any(c in heading for c in "-=_*") and len(heading) < 69:
        return [f"{UNDERLINE} {heading} {UNDERLINE}"]
    if plain:  # a rule above and below: a heading even when it ends as a sentence does
        return [UNDERLINE, heading, UNDERLINE]
    return [heading, UNDERLINE]


def with_markers(
    lines: list[str], markers: Sequence[str], paragraph: Paragraph, width: int | None
) -> list[str]:
    """Page markers spread between the lines of a paragraph (split in two if need be)."""
    if not markers:
        return lines
    if len(lines) == 1:
        lines = split_in_two(paragraph_lead(paragraph), paragraph.text) or lines
    if len(lines) == 1:
        return [*lines, *markers]
    out = list(lines)
    for k, marker in reversed(list(enumerate(markers))):
        cut = max(1, min(len(lines) - 1, round((k + 1) * len(lines) / (len(markers) + 1))))
        out.insert(cut, marker)
    return out


def trailer_lines(trailer: Sequence[str]) -> list[str]:
    """The boilerplate before the signature: ``Visit ... at`` and the URL on its own line."""
    lines: list[str] = []
    for text in trailer:
        words = text.split()
        if text[:6].lower() == "visit " and len(words) > 1 and "://" in words[-1]:
            lines.extend([" ".join(words[:-1]), words[-1]])
        elif text[:6].lower() == "visit ":
            lines.append(text)
        else:
            lines.extend(words)
    return [*lines, ""] if lines else []


# --------------------------------------------------------------------------- page markers


def place_markers(cable: Cable) -> tuple[list[str], dict[int, list[str]]]:
    """Marker lines for the text header, and for each paragraph (by index).

    The record gives the number of the paragraph a marker fell in (None before the
    first paragraph or in an unnumbered one); markers are in text order, so each is
    looked for from the paragraph of the one before.
    """
    header: list[str] = []
    body: dict[int, list[str]] = defaultdict(list)
    numbers = [p.number for p in cable.paragraphs]
    cursor = 0
    for marker in cable.page_markers:
        index = _host(marker, numbers, cursor, bool(body))
        if index is None:
            header.append(marker.text)
        else:
            body[index].append(marker.text)
            cursor = index
    return header, body


def _host(marker: PageMarker, numbers: list[int | None], cursor: int, placed: bool) -> int | None:
    if marker.paragraph is None:
        if not placed:
            return None
        return next((i for i in range(cursor, len(numbers)) if numbers[i] is None), None)
    for start in (cursor, 0):
        for i in range(start, len(numbers)):
            if numbers[i] == marker.paragraph:
                return i
    return cursor if numbers else None


def leading_markers(
    cable: Cable, header: list[str], body: dict[int, list[str]]
) -> dict[int, list[str]]:
    """Markers to write just before an unnumbered paragraph whose text starts ``7. ...``.

    Readers number such text unless a page marker cut the text just before it (they
    then re-join the line to the text before): the record has it unnumbered because
    the page had a marker there, the last one of the text before (the header's, or
    the paragraph before's). That marker is moved from ``header`` or ``body``.
    """
    before: dict[int, list[str]] = {}
    for n, paragraph in enumerate(cable.paragraphs):
        if paragraph.number is not None or not _NUMBERED_TEXT.match(paragraph.text):
            continue
        source = body.get(n - 1) if n > 0 else header
        if source:
            before[n] = [source.pop()]
    return before


_NUMBERED_TEXT = re.compile(r"\d{1,3}\s?\.")
