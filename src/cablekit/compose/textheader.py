"""The telegram text header: classification line to Classified By (spec 5, 11).

Order and layout are the spec's canonical ones: classification line, captions
one a line, handling lines, E.O. line, TAGS, SUBJECT (wrapped), REF items one a
line aligned under the first, Classified By on one line. Things kept as written
in the record (handling lines, the Classified By text, REF item texts) are
emitted as written.
"""

from __future__ import annotations

import re
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
    """``REF: A. OTTAWA 8`` and the other items aligned under the first; one ``REF:``
    block for each run of items a reader reads as one (see ``ref_blocks``)."""
    lines: list[str] = []
    for block in ref_blocks(cable.references):
        items = ref_items(cable, block)
        lines.extend(_first_item_lines(items[0], width))
        for item in items[1:]:
            lines.extend(wrap(item, width, first=REF_INDENT, indent=REF_INDENT))
    return lines


def _first_item_lines(item: str, width: int | None) -> list[str]:
    """The ``REF:`` line and the rest of its item.

    Readers take ``(SBU) Poloff delivered`` on the ``REF:`` line itself for the first
    paragraph run into the header; an item holding such text has its line end at the
    mark, as the page had it (``REF: STATE 86108 (SBU)`` / ``Poloff delivered ...``).
    """
    glued = _GLUED_MARK.search(item)
    if glued is None:
        return wrap(item, width, first="REF: ", indent=REF_INDENT)
    head, tail = item[: glued.end()], item[glued.end() :].strip()
    return [
        *wrap(head, width, first="REF: ", indent=REF_INDENT),
        *wrap(tail, width, first=REF_INDENT, indent=REF_INDENT),
    ]


_GLUED_MARK = re.compile(r"\s\((?:U|C|S|SBU|[CS]/NF)\)(?=\s+[A-Z][a-z])")


def ref_blocks(refs: Sequence[Reference]) -> list[list[Reference]]:
    """The references cut where one ``REF:`` block cannot hold them in their order.

    Readers letter the items of a block in sequence from A and put unlettered text
    first, so a page with two REF lines (``REF: A.`` then ``REF: A) ...``, ``Ref A:
    ...`` then ``Ref B: ...``) gives items whose letters start again or unlettered
    items after lettered ones: each such run is written as a block of its own.
    """
    blocks: list[list[Reference]] = []
    for ref in refs:
        if not blocks or _starts_block(blocks[-1][-1], ref):
            blocks.append([ref])
        else:
            blocks[-1].append(ref)
    return blocks


def _starts_block(before: Reference, ref: Reference) -> bool:
    if before.letter is None or ref.letter is None:
        return before.letter is not None  # unlettered text after lettered items
    if ref.letter == before.letter:
        # Several citations of one item are cables; two items never share a letter.
        return not (before.kind == ref.kind == "cable")
    return ref.letter < before.letter


def ref_items(cable: Cable, refs: Sequence[Reference]) -> list[str]:
    """The REF items of one block of ``cable``'s references as text, one a letter.

    Readers drop a self-reference or a repeated cable from the record but keep the
    letters of the others; the missing letter is written again as a repeat of an
    earlier cable (or of the cable itself) so that the letters stay in sequence and
    a reader drops it again.
    """
    items: list[str] = []
    unlettered: list[str] = []
    expected = "A"
    for letter, group in _by_letter(refs):
        if letter is None:
            unlettered.append(_unlettered(group))
            continue
        while expected < letter:
            items.append(f"{expected}. {_repeat(cable, items)}")
            expected = chr(ord(expected) + 1)
        items.append(f"{letter}. {_pieces(group)}")
        expected = chr(ord(letter) + 1)
    if unlettered:
        items.insert(0, unlettered[0])
    return items


def _pieces(refs: Sequence[Reference]) -> str:
    """The citations of one item run together, as readers cut them.

    A piece may end in what reads as the next item's letter (``06 Sao Paulo 751 B)``,
    the page's ``B)Sao Paulo 49`` that readers did not take for a letter): the next
    piece follows without a space, so that readers again see no letter there.
    """
    text = refs[0].text
    for ref in refs[1:]:
        text += ("" if _ENDS_IN_LETTER.search(text) else " ") + ref.text
    return text


_ENDS_IN_LETTER = re.compile(r"(?:^|[\s;,])(?:\([A-Z]\)|[A-Z][.):])$")


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
    fields = [eo, *marked] if eo else []
    if cable.tags:
        fields.append("TAGS: " + " ".join(cable.tags))
    if cable.subject:
        fields.extend(subject_lines(cable.subject, width))
    refs = ref_lines(cable, width)
    classified = [cable.classified_by.text] if cable.classified_by is not None else []
    groups = [[line] if line else [], caption_lines(cable, line is not None), handling, fields]
    if _cut_off(handling):
        groups[2:] = [fields, handling, [] if refs or classified else _repeated_field(fields)]
    lines: list[str] = []
    for group in [*groups, refs, classified]:
        if group:
            lines.extend([*group, ""])
    return lines


def _cut_off(handling: Sequence[str]) -> bool:
    """Whether a handling line breaks off with ``...``, as a damaged page's may.

    Readers take a text header cut off that way, then a SUBJECT line, for an excerpt
    followed by the full copy, and start again at the copy's classification line
    (which such pages repeat among the handling lines): the handling goes after the
    SUBJECT instead, still before a field (REF, Classified By) that keeps it handling.
    """
    return any(text.endswith("...") for text in handling)


def _repeated_field(fields: Sequence[str]) -> list[str]:
    """The E.O. (or TAGS) line again, as such pages repeat it after the handling lines:
    a field that keeps the lines before it handling and gives the record nothing new."""
    return [fields[0]] if fields and not fields[0].startswith("SUBJECT") else []


def _split_handling(handling: Sequence[str]) -> tuple[list[str], list[str]]:
    """Handling lines, and the last ones if they start like a portion mark (``(U) ...``).

    Readers keep a line as handling when a header field follows, looking past other
    handling lines but not past a ``(U)``: such lines go after the E.O. line.
    """
    cut = len(handling)
    while cut > 0 and handling[cut - 1].startswith("("):
        cut -= 1
    return list(handling[:cut]), list(handling[cut:])
