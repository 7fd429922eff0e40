"""The classification line: ``C O N F I D E N T I A L SECTION 01 OF 03 OTTAWA 000278``.

Tolerant by design (spec 5.1, 14.11): the class word may be spaced, unspaced,
lower-case, with a doubled or lost first letter or a garbage prefix; the
prefix is squeezed and matched to the known words by edit distance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CLASS_WORDS = {
    "UNCLAS": "UNCLASSIFIED",
    "UNCLASSIFIED": "UNCLASSIFIED",
    "UNCLASEFTO": "UNCLASSIFIED",
    "UNCLASSIFIEDEFTO": "UNCLASSIFIED",
    "LIMITEDOFFICIALUSE": "LIMITED OFFICIAL USE",
    "CONFIDENTIAL": "CONFIDENTIAL",
    "SECRET": "SECRET",
    "TOPSECRET": "TOP SECRET",
}
# serial, then optional captions on the same line (S E C R E T BOGOTA 000243 SIPDIS NOFORN)
_SHAPE = re.compile(
    r"^(?P<prefix>[A-Za-z][A-Za-z0-9 .'\-]*?)\s+(?P<serial>\d{3,7})"
    r"(?:\s+(?P<rest>[A-Za-z][A-Za-z ,/]*))?\s*$"
)
_DIGIT = re.compile(r"\d")
_USUAL = re.compile(
    r"^(C O N F I D E N T I A L|S E C R E T|T O P S E C R E T|UNCLAS E F T O|UNCLASSIFIED|UNCLAS"
    r"|CONFIDENTIAL|SECRET|TOP SECRET|LIMITED OFFICIAL USE) +(\S.*)$"
)
_SECTION = re.compile(r"\bSECTION\s+(\d{1,2})\s+OF\s+(\d{1,2})\b", re.I)


# Damage seen on pages with a database row pasted before the text: quotes, commas or a
# record number glued before the class word (``","C O N F I D E N T I A L``,
# ``167579C O N F I D E N T I A L``), SECTION misspelt or glued (``SCTION 02 OF 02``,
# ``SECTION01 OF 03``, ``OF 03QRIPOLI``).
_LEADING_JUNK = re.compile(r"^(?:[\"',.>\s]+|\d+(?=[A-Z] ?[A-Z]))")
_GLUED_SERIAL = re.compile(r" (\d{5,6})(?= ?[^\s\d])")
_DAMAGED_SECTION = re.compile(r"\b(?:SECTION|SCTION|ECTION|SECTON)\s*(\d{1,2})\s+OF\s+(\d{1,2})")


@dataclass(frozen=True, slots=True)
class ClassLine:
    classification: str
    efto: bool
    section: int | None
    total: int | None
    post: str
    serial: int
    captions: str | None


def edit_distance(a: str, b: str, limit: int = 3) -> int:
    """Levenshtein distance, giving up (returning ``limit``) beyond ``limit``."""
    if abs(len(a) - len(b)) >= limit:
        return limit
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) >= limit:
            return limit
        previous = current
    return min(previous[-1], limit)


def _class_word(squeezed: str, fuzzy: bool) -> str | None:
    if squeezed in CLASS_WORDS:
        return squeezed
    if not fuzzy or len(squeezed) < 5:
        return None
    best = min(CLASS_WORDS, key=lambda w: edit_distance(squeezed, w))
    limit = 1 if len(best) <= 6 else 2
    return best if edit_distance(squeezed, best) <= limit else None


def _split_prefix(tokens: list[str]) -> tuple[str, str] | None:
    """(class word, post name) from the tokens before the serial."""
    for fuzzy in (False, True):
        for k in range(len(tokens) - 1, 0, -1):
            word = _class_word("".join(tokens[:k]), fuzzy)
            if word:
                return word, " ".join(tokens[k:])
    return None


def repaired_class_line(line: str, following: str = "") -> tuple[list[str], bool] | None:
    """A classification line with the damage of a pasted database row repaired: the
    lines to read instead of ``line`` (what stood before it in a quoted CSV field, an
    addressee: ``RUEABND/DEA HQS WASHINGTON DC","UNCLAS ... MEXICO 000023``; the line;
    the text glued after its serial), and whether ``following``, the next line, was
    joined to it: a line cut in two (``C O N F I D E N T I A L`` / ``SECTION 01 OF 02
    BAKU 000687``). None when no repair makes a classification line."""
    quoted = next(reversed(list(_QUOTED_START.finditer(line))), None)  # the last one
    before, tail = (line[: quoted.start()], line[quoted.end() :]) if quoted else ("", line)
    head = [before] if before.strip() else []
    repaired = _repaired(tail)
    if repaired is not None:
        return [*head, *repaired], False
    if following and _CLASS_START.match(tail):
        repaired = _repaired(f"{tail} {following}")
        if repaired is not None:
            return [*head, *repaired], True
    return None


# The end of a quoted CSV field, then a classification word: where a pasted row's
# content field starts (``...WASHINGTON DC","C O N F I D E N T I A L``).
_QUOTED_START = re.compile(
    r'"(?:,"?)?\s*(?=C O N F|S E C R E T|T O P S|UNCLAS|CONFIDENTIAL|SECRET|LIMITED OFFICIAL)'
)
_CLASS_START = re.compile(r"\W*(?:C ?O ?N ?F|S ?E ?C ?R|U ?N ?C ?L|T ?O ?P|LIMITED)", re.I)


def _repaired(line: str) -> list[str] | None:
    text = _LEADING_JUNK.sub("", line)
    text = " ".join(_DAMAGED_SECTION.sub(r"SECTION \1 OF \2 ", text).split())
    rest = []
    glued = _GLUED_SERIAL.search(text)
    if glued:
        text, rest = text[: glued.end(1)], [text[glued.end(1) :].strip()]
    found = parse_class_line(text)
    if found is None or not _PLAIN_POST.fullmatch(found.post):
        return None  # a repair never takes "TEL AVIV E.O." and 12958 for a post and serial
    return [text, *rest]


_PLAIN_POST = re.compile(r"[A-Z][A-Z ]{1,40}")


def parse_class_line(line: str) -> ClassLine | None:
    """The classification line's parts, or None if ``line`` is not one."""
    m = _SHAPE.match(line.strip())
    if not m:
        return None
    prefix = m["prefix"].upper()
    section = _SECTION.search(prefix)
    if section:
        prefix = prefix[: section.start()] + " " + prefix[section.end() :]
    if _DIGIT.search(prefix):
        return None
    usual = _USUAL.match(prefix)  # the written forms, without the token search below
    split = (usual[1].replace(" ", ""), usual[2]) if usual else _split_prefix(prefix.split())
    if split is None:
        return None
    word, post = split
    if not post or not post[0].isalpha():
        return None
    return ClassLine(
        classification=CLASS_WORDS[word],
        efto=word.endswith("EFTO"),
        section=int(section[1]) if section else None,
        total=int(section[2]) if section else None,
        post=post,
        serial=int(m["serial"]),
        captions=m["rest"].upper() if m["rest"] else None,
    )
