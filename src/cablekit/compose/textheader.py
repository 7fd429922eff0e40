"""The telegram text header: classification line to Classified By (spec 5, 11).

Order and layout are the spec's canonical ones: classification line, captions
one a line, handling lines, E.O. line, TAGS, SUBJECT (wrapped), REF items one a
line aligned under the first, Classified By on one line. Things kept as written
in the record (handling lines, the Classified By text, REF item texts) are
emitted as written.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..model import Cable, Reference
from .layout import SPACED, wrap

REF_INDENT = " " * len("REF: ")


def class_line(cable: Cable) -> str | None:
    """``C O N F I D E N T I A L SECTION 01 OF 03 OTTAWA 000278``, None without post."""
    if cable.post is None or cable.serial is None or cable.classification is None:
        return None
    word = SPACED.get(cable.classification, cable.classification)
    if word == "UNCLAS" and cable.caveats[:1] == ("EFTO",):
        word = "UNCLAS E F T O"
    section = ""
    if cable.sections is not None:
        section = f" SECTION {cable.sections.number:02d} OF {cable.sections.total:02d}"
    return f"{word}{section} {cable.post} {cable.serial:06d}"


def caption_lines(cable: Cable, has_class_line: bool) -> list[str]:
    """One caption a line; SBU as its caption (the class line only says UNCLAS)."""
    caveats = list(cable.caveats)
    if has_class_line and caveats[:1] == ["EFTO"] and cable.classification == "UNCLASSIFIED":
        caveats = caveats[1:]  # on the classification line already
    if cable.classification == "SENSITIVE BUT UNCLASSIFIED":
        caveats.insert(0, "SENSITIVE BUT UNCLASSIFIED")
    return caveats


def eo_line(cable: Cable) -> str | None:
    """``E.O. 12958: DECL: 04/07/2019``, ``E.O. 12958: N/A``, ``E.O. 12958: DECL: X1``."""
    if cable.executive_order is None:
        return None
    head = f"E.O. {cable.executive_order}:"
    note = cable.declassify_note
    if cable.declassify_on:
        year, month, day = cable.declassify_on.split("-")
        value = f"{month}/{day}/{year}" + (f" {note}" if note else "")
        return f"{head} DECL: {value}"
    if note is None:
        return head
    if note.upper().startswith("N/A"):
        return f"{head} {note}"
    return f"{head} DECL: {note}"


def subject_lines(subject: str, width: int | None) -> list[str]:
    return wrap(subject, width, first="SUBJECT: ")


def ref_lines(cable: Cable, width: int | None) -> list[str]:
    """``REF: A. OTTAWA 8`` and the other items aligned under the first."""
    items = ref_items(cable)
    lines: list[str] = []
    for n, item in enumerate(items):
        first = "REF: " if n == 0 else REF_INDENT
        lines.extend(wrap(item, width, first=first, indent=REF_INDENT))
    return lines


def ref_items(cable: Cable) -> list[str]:
    """The REF items as text, one a letter.

    Readers drop a self-reference or a repeated cable from the record but keep the
    letters of the others; the missing letter is written again as a repeat of an
    earlier cable (or of the cable itself) so that the letters stay in sequence and
    a reader drops it again.
    """
    items: list[str] = []
    unlettered: list[str] = []
    expected = "A"
    for letter, refs in _by_letter(cable.references):
        text = " ".join(r.text for r in refs)
        if letter is None:
            unlettered.append(_unlettered(refs))
            continue
        while expected < letter:
            items.append(f"{expected}. {_repeat(cable, items)}")
            expected = chr(ord(expected) + 1)
        items.append(f"{letter}. {text}")
        expected = chr(ord(letter) + 1)
    if unlettered:
        items.insert(0, unlettered[0])
    return items


def _unlettered(refs: Sequence[Reference]) -> str:
    """Items without letters, apart (``;``); a bare serial after a comma, which readers
    give the station before it (``TRIPOLI 33, 53``)."""
    text = refs[0].text
    for ref in refs[1:]:
        text += (", " if ref.text.isdigit() else "; ") + ref.text
    return text


def _by_letter(refs: Sequence[Reference]) -> list[tuple[str | None, list[Reference]]]:
    groups: list[tuple[str | None, list[Reference]]] = []
    for ref in refs:
        if groups and groups[-1][0] == ref.letter:
            groups[-1][1].append(ref)
        else:
            groups.append((ref.letter, [ref]))
    return groups


def _repeat(cable: Cable, written: Sequence[str]) -> str:
    for ref in cable.references:
        if ref.id is not None and any(ref.text in item for item in written):
            return ref.text
    return f"{cable.post} {cable.serial}"


def header_lines(cable: Cable, width: int | None) -> list[str]:
    """The whole text header, blank lines between its groups."""
    line = class_line(cable)
    handling, marked = _split_handling(cable.handling)
    eo = eo_line(cable)
    if eo is None:
        handling, marked = [*handling, *marked], []
    groups: list[list[str]] = [
        [line] if line else [],
        caption_lines(cable, line is not None),
        handling,
    ]
    fields = [eo, *marked] if eo else []
    if cable.tags:
        fields.append("TAGS: " + " ".join(cable.tags))
    if cable.subject:
        fields.extend(subject_lines(cable.subject, width))
    groups.append(fields)
    groups.append(ref_lines(cable, width))
    if cable.classified_by is not None:
        groups.append([cable.classified_by.text])
    lines: list[str] = []
    for group in groups:
        if group:
            lines.extend([*group, ""])
    return lines


def _split_handling(handling: Sequence[str]) -> tuple[list[str], list[str]]:
    """Handling lines, and the last ones if they start like a portion mark (``(U) ...``).

    Readers keep a line as handling when a header field follows, looking past other
    handling lines but not past a ``(U)``: such lines go after the E.O. line.
    """
    cut = len(handling)
    while cut > 0 and handling[cut - 1].startswith("("):
        cut -= 1
    return list(handling[:cut]), list(handling[cut:])
