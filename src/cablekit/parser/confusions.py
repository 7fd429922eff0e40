"""Header lines misread by OCR or mistyped on old teletype copies, repaired.

Scans and carbon copies confuse look-alike characters: ``0`` for ``O`` in the
precedence prosign (``0 050821Z APR 00``), ``T0`` for ``TO``, ``1`` or ``l`` for
``I`` (``1NFO``, ``CONF1DENTIAL``), ``2`` for ``Z`` (``ZNR UUUUU 22H``), and
letters spaced out (``T A G S:``). Left alone, each costs a whole field: the
DTG, the address list, the classification. Only the header is repaired (the
lines before the first numbered paragraph, at most ``_HEADER_LINES``), only
keywords of fixed spelling are rewritten, and each repair is a warning: the
cable's own text is never changed.
"""

from __future__ import annotations

import re

from .state import ParseState

_HEADER_LINES = 80
_MONTHS = frozenset(
    ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
)
_TO_DIGITS = str.maketrans("OolISZ", "001152")
_TO_LETTERS = str.maketrans("0152", "OISZ")

# Two cheap tests per line: its first two characters (a set look-up), then a pattern of
# the confused forms only (lines written right fail it at once).
_PREFIXES = frozenset(
    ["0 ", "00", "0O", "O0", "O ", "OO", "P ", "PP", "R ", "RR", "Z ", "ZZ", "Y ", "YY"]
    + ["T0", "1N", "lN", "IN", "F ", "2N", "ZN", "E.", "E ", "TA", "5U", "S1", "Sl", "N0", "NO"]
    + ["C0", "CO", "SE", "5E", "UN"]
    + [f"{letter} " for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ5"]  # spaced out: "T A G S:"
)
_SUSPECT = re.compile(
    r"^(?:0\s|[ZOPRY0]{1,2}\s+[\dOolIS]{6}\s?Z|T0\s|[1l]NF[O0]|INF0|F\sM\s|2N[RY]\s"
    r"|ZN[RY]\s.*22H|(?=[A-Z\s]{0,11}[015])[CSU5]|[A-Z](?:\s[A-Z]){2,}\s?:"
    r"|E\s?\.\s?0|TAG5|5UBJ|S[1l]PD|N0F|NOF0)"
)
_DTG = re.compile(
    r"^(?P<prec>[ZOPRY0])(?:\s+(?P<info>[ZOPRY0]))?\s+(?P<time>[\dOolIS]{6})\s?Z\s+"
    r"(?P<month>[A-Z0-9]{3})\s+(?P<year>[\dOolI]{2,4})\b"
)
_CLASS_WORDS = ("CONFIDENTIAL", "SECRET", "UNCLASSIFIED", "UNCLAS")  # longest first
_SPACED_KEY = re.compile(r"^(?P<letters>[A-Z](?:\s[A-Z]){2,6})\s?:")
_SPACED_KEYS = {"TAGS": "TAGS", "SUBJECT": "SUBJECT", "SUBJ": "SUBJ", "REF": "REF", "REFS": "REFS"}
# Keyword at the start of a line: the confused spelling and the right one.
_KEYWORDS = (
    (re.compile(r"^T0(?=\s)"), "TO"),
    (re.compile(r"^(?:[1l]NF[O0]|INF0)(?=\s)"), "INFO"),
    (re.compile(r"^F M(?=\s)"), "FM"),
    (re.compile(r"^2N(?=[RY]\s)"), "ZN"),
    (re.compile(r"^E\s?\.\s?0\s?\.(?=\s)"), "E.O."),
    (re.compile(r"^TAG5(?=\s?:)"), "TAGS"),
    (re.compile(r"^5UBJ"), "SUBJ"),
    (re.compile(r"^S[1l]PDIS\b"), "SIPDIS"),
    (re.compile(r"^N[O0]F[O0]RN\b"), "NOFORN"),
)
_ZN_OPS = re.compile(r"^(ZN[RY]\s+([UECST])\2{4}\s+)22H\b")


def repair_header(lines: list[str], state: ParseState) -> list[str]:
    """``lines`` with the confusions of its header lines repaired (a warning for each)."""
    out: list[str] | None = None
    for i, line in enumerate(lines[:_HEADER_LINES]):
        if not line:
            continue  # a blank line: no prefix, no paragraph
        head = line[:2]
        if head not in _PREFIXES:
            if head[:1].isdigit() and _paragraph(line):
                break
            continue
        if not _SUSPECT.match(line):
            continue
        fixed = repair_line(line)
        if fixed != line:
            out = out if out is not None else list(lines)
            out[i] = fixed
            state.warn("ocr-repair", f"Header line {line[:60]!r} read as {fixed[:60]!r}")
    return out if out is not None else lines


_PARAGRAPH = re.compile(r"^\d{1,3}\s?\.\s")


def _paragraph(line: str) -> bool:
    return _PARAGRAPH.match(line) is not None


def repair_line(line: str) -> str:
    """One header line with its confused keyword repaired (unchanged if none is)."""
    m = _DTG.match(line)
    if m is not None:
        return _repair_dtg(line, m)
    for pattern, right in _KEYWORDS:
        found = pattern.match(line)
        if found is not None:
            return right + line[found.end() :]
    ops = _ZN_OPS.match(line)
    if ops is not None:
        return ops[1] + "ZZH" + line[ops.end() :]
    spaced = _SPACED_KEY.match(line)
    if spaced is not None:
        key = spaced["letters"].replace(" ", "")
        if key in _SPACED_KEYS:
            return _SPACED_KEYS[key] + line[spaced.end("letters") :].lstrip()
    return _repair_class_word(line)


def _repair_dtg(line: str, m: re.Match[str]) -> str:
    month = m["month"].translate(_TO_LETTERS)
    if month not in _MONTHS:
        return line  # not a date-time group after all
    parts = [m["prec"], m["info"] or "", m["time"], m["month"], m["year"]]
    digits = parts[2].isdigit() and parts[4].isdigit()
    if "0" not in parts[0] + parts[1] and digits and parts[3] == month:
        return line  # nothing confused (the common case)
    info = f" {parts[1].replace('0', 'O')}" if parts[1] else ""
    time, year = parts[2].translate(_TO_DIGITS), parts[4].translate(_TO_DIGITS)
    return f"{parts[0].replace('0', 'O')}{info} {time}Z {month} {year}{line[m.end() :]}"


def _class_pattern(word: str) -> re.Pattern[str]:
    """``word`` with look-alike digits for its letters, maybe spaced out."""
    letters = [_LOOK_ALIKES.get(ch, ch) for ch in word]
    return re.compile(r"^(?:" + r"\s?".join(letters) + r")(?=[\s/]|$)")


_LOOK_ALIKES = {"O": "[O0]", "I": "[I1l]", "S": "[S5]", "L": "[L1]"}
_CLASS_PATTERNS = tuple((word, _class_pattern(word)) for word in _CLASS_WORDS)


def _repair_class_word(line: str) -> str:
    """``C0NF1DENTIAL`` (or spaced, ``C 0 N F I D E N T I A L``) for CONFIDENTIAL."""
    for word, pattern in _CLASS_PATTERNS:
        m = pattern.match(line)
        if m is not None:
            if m[0].replace(" ", "") == word:
                return line  # written right (maybe spaced: the class line reads that)
            return word + line[m.end() :]
    return line
