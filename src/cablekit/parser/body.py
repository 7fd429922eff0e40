"""Stage 6: the body: paragraphs, portion marks, headings, summary, signature.

Paragraph numbers follow a running sequence (spec 6.1): a number is taken as a
paragraph start when it fits the sequence, carries a portion mark, or stands
after a blank line; ``¶15.`` where 5 is expected is repaired with a warning.
Unnumbered blocks after a paragraph continue it; headings are short lines
underlined with dashes or standing alone before a paragraph; the signature
and boilerplate trailers are taken off the end first.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..markings import Found, find_marks, read_marking
from ..model import Paragraph
from .markers import SENTENCE_END
from .state import ParseState

PARAGRAPH = re.compile(
    r"^\s*(?:\((?P<before>[A-Za-z][A-Za-z/ ]{0,11})\)\s*)?(?P<num>\d{1,3})\s?\.\s*"
    r"(?:(?P=num)\s?\.\s*)?"  # "1. 1. (SBU)": the number doubled by a scrape
    r"(?:\(\s*(?P<mark>[A-Za-z][A-Za-z0-9/ ,.\-]{0,69}?)\s*\)|(?P<half>[A-Z]{1,3})\))?"
    r"\s*(?P<text>.*)$"
)
LEADING_MARK = re.compile(r"^\(\s*([A-Za-z][A-Za-z0-9/ ,.\-]{0,69}?)\s*\)\s*")
_STRAY_CAPTIONS = frozenset({"SIPDIS", "Sipdis", "sipdis", "SIPDIS SIPDIS"})  # all start with S/s
# First characters of lines that may be more than a wrapped line of text.
_SPECIAL = frozenset("0123456789-=_*(")
# Two or more marks, at most one space between two: ``^\s*(?:[-=_*]\s?){2,}\s*$`` written
# with runs of marks, so that the engine repeats a group per space, not per character.
UNDERLINE = re.compile(r"^\s*(?:[-=_*]{2,}(?:\s[-=_*]+)*|[-=_*](?:\s[-=_*]+)+)\s*$")
ENTIRE_TEXT = re.compile(
    r"^(?P<cls>UNCLASSIFIED|CONFIDENTIAL|SECRET|LIMITED OFFICIAL USE|TOP SECRET)"
    r"\s*-+\s*ENTIRE TEXT\.?\s*",
    re.I,
)
TAIL_JUNK = re.compile(
    r"^\s*(?:NNNN|BT|#\d{4}|\d{4}[A-Z]{2,6}\d{5,6}\s*-\s*[A-Z /]+|"
    r"(?:UNCLASSIFIED|CONFIDENTIAL|SECRET|LIMITED OFFICIAL USE|UNCLAS)(?:\s*//\s*[A-Z]+)*|"
    r"NOTE BY OC/T:.*)\s*$"
)
SIGNATURE = re.compile(r"^[A-Za-z][A-Za-z'\-]*\.?(?:\s+[A-Za-z][A-Za-z'\-]*\.?){0,2}$")
SIGNATURE_AFTER_SENTENCE = re.compile(
    r"^(?P<text>.*(?:[.!?][\"')\]]*|https?://\S+(?: [a-z]{2,4})?))\s+"
    r"(?P<sig>[A-Z][A-Z'\-]+(?:\s+[A-Z][A-Z'\-]+){0,2}|(?:Mc|Mac)?[A-Z][a-z]+)$"
)
# "---- Summary ----" and "Summary =======" on one line
BOXED_HEADING = re.compile(
    r"^(?:(?:[-=_*]\s?){2,}\s*)?(?P<text>[A-Za-z(][^-=_*]{0,68}?)\s*(?:[-=_*]\s?){3,}$"
)
_NOT_SIGNATURE_TEXT = """
    END SUMMARY COMMENT NOTE TEXT UNQUOTE UNQTE QUOTE BT NNNN SIPDIS NOFORN SECRET CONFIDENTIAL
    UNCLASSIFIED UNCLAS SBU THANKS THANK YOU REGARDS BEGIN TAGS SUBJECT ACTION REQUEST REQUES INFO
    FYI OK STATE NONE CABLE AMEMBASSY AMCONSUL USMISSION IMMEDIATE PRIORITY ROUTINE AND THE OF FOR
    TO GUIDANCE SEPTEL REFTEL PARA PARAS DEPARTMENT
"""
NOT_SIGNATURES = frozenset(_NOT_SIGNATURE_TEXT.split())
# Leading words that are not part of a signature line: "MINIMIZE CONSIDERED CLINTON".
_SIGNATURE_NOISE = re.compile(r"^(?:(?:MINIMIZE|CONSIDERED|X{4,})\s+)+")
URL = re.compile(r"https?://\S+|www\.\S+|intelink", re.I)
SUMMARY_END = re.compile(r"\(?\s*\bEND\s+(?:OF\s+)?SUMMARY\b[\s.)]*", re.I)
_SUMMARY_WORDS = (
    r"(?:(?:INTRODUCTION|BACKGROUND|OVERVIEW)\s+AND\s+)?SUMMARY"
    r"(?:\s*(?:,\s*(?:AND\s+)?|AND\s+|/|&)\s*(?:COMMENTS?|INTRODUCTION|ACTION\s+REQUEST(?:ED)?"
    r"|RECOMMENDATIONS?|ANALYSIS|BACKGROUND|OBJECTIVES?)){0,3}"
)
SUMMARY_OPEN = re.compile(
    r"(?:\bBEGIN\s+SUMMARY\b"
    # at the start of a paragraph, maybe after an item letter or a portion mark
    rf"|(?:^|\n\n)[\s\-]*(?:[A-Z][.)]\s*)?(?:\([A-Z/]{{1,8}}\)\s*)?\(?{_SUMMARY_WORDS}\)?\b"
    r"(?=\s*[:.,\-]|\s*\n|\s+[A-Z])"
    # "I. Summary Costa Rica serves ...", "---- SUMMARY/BACKGROUND ----"
    rf"|\b(?:[IVX]{{1,4}}|[A-Z])\.\s+{_SUMMARY_WORDS}\b(?=\s+[A-Z])"
    rf"|-{{3,}}\s*{_SUMMARY_WORDS}\s*-{{3,}})"
    r"\s*[:.,\-)]*\s*",
    re.I,
)
SUMMARY_HEADING = re.compile(rf"\b{_SUMMARY_WORDS}\b", re.I)


@dataclass(slots=True)
class _Para:
    number: int | None
    marking: str | None
    heading: str | None
    parts: list[str] = field(default_factory=list)

    def freeze(self) -> Paragraph:
        text = " ".join(self.parts)
        if "  " in text or "\t" in text:
            text = squeeze(text)
        return Paragraph(self.number, self.marking, self.heading, text)


_SPACES = re.compile("  +")
# The white space of ASCII text other than the space and the tab (those of str.split).
_RARE_SPACE = ("\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f")


def squeeze(text: str) -> str:
    """``" ".join(text.split())``, at half the cost for the common case of an ASCII text
    whose only white space is spaces and tabs (two spaces after a full stop are common):
    each run of spaces made one, the ends stripped. (A third of paragraphs need this.)"""
    if text.isascii():
        if "\t" in text:
            text = text.replace("\t", " ")
        if not any(space in text for space in _RARE_SPACE):
            return _SPACES.sub(" ", text).strip(" ")
    return " ".join(text.split())


def take_signature(lines: list[str], state: ParseState) -> None:
    """Take tail artefacts, the signature and trailers off the end of ``lines``."""
    while lines and (not lines[-1].strip() or TAIL_JUNK.match(lines[-1])):
        lines.pop()
    if not lines:
        return
    last = lines[-1].strip()
    if last.endswith("..."):
        last = last[:-3].rstrip()
    last = _SIGNATURE_NOISE.sub("", last)
    alone = SIGNATURE.match(last)  # fails fast on a paragraph: test it first
    words = last.replace(".", " ").upper().split() if alone else []
    if alone and not NOT_SIGNATURES.intersection(words) and _signer_case(last):
        state.set("signature", last.rstrip("."))
        lines.pop()
    else:
        m = SIGNATURE_AFTER_SENTENCE.match(last)
        sig = _SIGNATURE_NOISE.sub("", m["sig"]) if m else ""
        if m and sig and not NOT_SIGNATURES.intersection(sig.upper().split()) and len(sig) <= 30:
            state.set("signature", sig)
            lines[-1] = m["text"]
    _take_trailer(lines, state)


def _signer_case(text: str) -> bool:
    """BREESE, KEEGAN PAAL, McCORMICK, Randt, McMullen, van Voorst; not "the end"."""
    words = text.rstrip(".").split()
    if len(text) > 30 or not any(w[0].isupper() for w in words):
        return False
    return all(w[0].isupper() or w.lower() in _PARTICLES for w in words)


_PARTICLES = frozenset({"van", "von", "de", "da", "del", "der", "di", "du", "la", "le", "bin"})


def _take_trailer(lines: list[str], state: ParseState) -> None:
    trailer: list[str] = []
    while lines:
        while lines and not lines[-1].strip():
            lines.pop()
        if not lines:
            break
        last = lines[-1].strip()
        bare_url = URL.match(last) and " " not in last
        visit = last[:6].lower() == "visit " and (URL.search(last) or trailer)
        if bare_url or visit:
            trailer.insert(0, last)
            lines.pop()
            continue
        break
    if trailer:
        state.set("trailer", (" ".join(trailer),))


@functools.lru_cache(maxsize=1024)  # a few dozen markings cover nearly every paragraph
def _marking(raw: str | None) -> str | None:
    """A portion marking as written, in capitals with one space (``c/nf`` -> ``C/NF``),
    when the grammar takes it for one (understood or not); None otherwise."""
    if not raw or read_marking(raw) is None:
        return None
    return " ".join(raw.split()).upper()


class _Body:
    def __init__(self, state: ParseState, joins: set[int]) -> None:
        self.state = state
        self.joins = joins
        self.paragraphs: list[_Para] = []
        self.heading: str | None = None
        self.expected = 1
        self.starts: list[tuple[int, int | None]] = []  # (line index, number) of each paragraph

    def run(self, lines: Sequence[str], start: int) -> None:
        blank_before = True  # lines come stripped from normalise.lines_of
        paragraphs = self.paragraphs
        # The parts of the last paragraph while a wrapped line would continue it (no blank
        # line before, no heading waiting); None otherwise.
        wrapping: list[str] | None = None
        for i in range(start, len(lines)):
            line = lines[i]
            if not line:
                blank_before = True
                wrapping = None
                continue
            first = line[0]
            if first in "Ss" and line in _STRAY_CAPTIONS:
                continue  # a caption repeated inside the text
            if wrapping is not None and first not in _SPECIAL:
                wrapping.append(line)  # the common case: a wrapped line
                continue
            if first in "-=_*" and UNDERLINE.match(line):
                continue
            if line[-1] in "-=_*" and i not in self.joins:
                boxed = BOXED_HEADING.match(line)
                if boxed:
                    self.heading = boxed["text"].strip(" :")
                    blank_before = True
                    wrapping = None
                    continue
            starts = first.isdigit() or first == "("
            if not (starts and self.paragraph_start(line, blank_before, i)):
                if blank_before and i not in self.joins and self.is_heading(lines, i, line):
                    self.heading = f"{self.heading} / {line}" if self.heading else line.rstrip(":")
                else:
                    self.text(line, blank_before, i)
            blank_before = False
            wrapping = paragraphs[-1].parts if self.heading is None and paragraphs else None

    def paragraph_start(self, line: str, blank_before: bool, index: int) -> bool:
        m = PARAGRAPH.match(line)
        if not m:
            return False
        num, bracket, half, before, text = m.group("num", "mark", "half", "before", "text")
        number = int(num)
        written = bracket or half or before
        mark = _marking(written)
        fits = number == self.expected or str(number) == f"1{self.expected}"
        if index in self.joins and not (fits and mark):
            return False
        if not (fits or mark or (blank_before and 0 < number < self.expected + 5)):
            return False
        if written and mark is None and not fits:
            return False
        if number != self.expected:
            number = self.repair(number)
        text = text.lstrip(" .:-")
        if mark is None and bracket is not None:  # "1. (A) text": the bracket is text
            text = f"({bracket}) {text}"
        elif mark is None and half is not None:
            text = f"{half}) {text}"
        if mark is None:
            entire = ENTIRE_TEXT.match(text)
            if entire:
                mark = entire["cls"].upper()
        self.paragraphs.append(_Para(number, mark, self.heading, [text]))
        self.starts.append((index, number))
        self.heading = None
        self.expected = number + 1
        return True

    def repair(self, number: int) -> int:
        expected = self.expected
        if number == expected:
            return number
        if str(number) == f"1{expected}":
            self.state.warn(
                "paragraph-number-repaired",
                f"Paragraph number {number} repaired to {expected} from the running sequence",
            )
            return expected
        self.state.warn("paragraph-number-gap", f"Paragraph {number} where {expected} was expected")
        return number

    def is_heading(self, lines: Sequence[str], i: int, line: str) -> bool:
        """Whether ``line``, after a blank line, is a heading."""
        if len(line) > 70 or not line[0].isalpha():
            return False
        nxt = _next_text(lines, i)
        above = lines[i - 1] if i > 0 else ""  # mostly the blank line before
        if above and nxt is not None and UNDERLINE.match(above) and UNDERLINE.match(nxt):
            return True  # boxed by rules above and below: a heading even if it asks a question
        if SENTENCE_END.search(line.rstrip(":")):
            return False
        if nxt is not None and UNDERLINE.match(nxt):
            return True
        upper = line.isupper() and len(line.split()) <= 8
        follows = nxt is not None and PARAGRAPH.match(nxt) is not None
        return upper and follows and not line.endswith(":")

    def text(self, line: str, blank_before: bool, index: int) -> None:
        last = self.paragraphs[-1] if self.paragraphs else None
        continues = last is not None and (
            last.number is not None or not blank_before or index in self.joins or line[0].islower()
        )
        if continues and self.heading is None and last is not None:
            last.parts.append(line)
            return
        lead = LEADING_MARK.match(line)
        mark = _marking(lead[1]) if lead else None
        if lead and mark:
            line = line[lead.end() :]
        self.paragraphs.append(_Para(None, mark, self.heading, [line]))
        self.starts.append((index, None))
        self.heading = None


def _next_text(lines: Sequence[str], i: int) -> str | None:
    for j in range(i + 1, min(len(lines), i + 4)):
        if lines[j].strip():
            return lines[j].strip()
    return None


def parse_body(
    lines: Sequence[str], start: int, state: ParseState, joins: set[int]
) -> list[tuple[int, int | None]]:
    """Fill paragraphs and summary; return where each paragraph starts: (line, number)."""
    body = _Body(state, joins)
    body.run(lines, start)
    paragraphs = tuple(p.freeze() for p in body.paragraphs if any(p.parts))
    state.set("summary", find_summary(paragraphs))
    units: list[Paragraph] = []
    for p in paragraphs:
        found = find_marks(p.text)
        if found:
            units += split_units(p, found)
            _warn_unread(p, found, state)
        else:  # the common case: no marking inside the text, one unit
            units.append(p)
            if p.marking is not None:
                _warn_unread(p, found, state)
    state.set("paragraphs", tuple(units))
    return body.starts


# A bullet or sub-paragraph label just before a marking that opens a unit, looked for
# in the few characters before it (searching the whole text before it costs its length).
LABEL_WINDOW = 16
_LABEL = re.compile(
    r"(?:^|(?<=\s))(?:-{1,3}|\*|•|·|o|>|Q:?|[A-Za-z]{1,2}[.):]|\d{1,3}(?:-\d{1,3})?[.):]"
    r"|\(\w{1,3}\)|[IVXivx]{1,5}[.):])\s*$"
)


def split_units(paragraph: Paragraph, found: list[Found] | None = None) -> list[Paragraph]:
    """The paragraph, and each bullet, sub-paragraph or sentence in it that opens with a
    marking of its own, as units of their own (``-- (S/NF) The GOE claims ...``: label
    ``--``, marking ``S/NF``; a marked sentence has the label ""). A marking inside a
    sentence stays in its unit's text, which the policy reads too; so does one that
    opens an already marked paragraph after a label (``1. (C) 1. (C) The``). ``found``:
    the markings of its text, when already found."""
    cuts = _cuts(paragraph.text, found)
    if cuts and not paragraph.text[: _cut_start(*cuts[0])].strip():
        # "5. A. (C) text": the marking of the paragraph itself, after a label
        if paragraph.marking is None:
            paragraph = _marked(paragraph, cuts[0][0])
            cuts = _cuts(paragraph.text)
        else:
            cuts = cuts[1:]
    if not cuts:
        return [paragraph]
    text = paragraph.text
    head = text[: _cut_start(*cuts[0])].strip()
    units = [dataclasses.replace(paragraph, text=head)]
    for n, (mark, label) in enumerate(cuts):
        end = _cut_start(*cuts[n + 1]) if n + 1 < len(cuts) else len(text)
        label_text = label[0].strip() if label else ""  # "": a marked sentence
        units.append(
            Paragraph(
                paragraph.number,
                _written(text, mark),
                None,
                _segment(text, mark.end, end),
                label_text,
            )
        )
    return units


def _cuts(text: str, found: list[Found] | None = None) -> list[tuple[Found, re.Match[str] | None]]:
    """The markings of ``text`` that open a unit, each with the label before it."""
    return [
        (f, _LABEL.search(text, max(0, f.start - LABEL_WINDOW), f.start))
        for f in (find_marks(text) if found is None else found)
        if f.position == "start" and f.aside is None
    ]


def _marked(paragraph: Paragraph, found: Found) -> Paragraph:
    """``A. (C) text`` -> marking ``C``, text ``A. text``."""
    text = paragraph.text
    rest = text[found.end :].strip()
    before = text[: found.start].strip()
    return dataclasses.replace(
        paragraph,
        marking=_written(text, found),
        text=f"{before} {rest}".strip() if before else rest.lstrip(" .:-"),
    )


def _written(text: str, found: Found) -> str:
    return " ".join(text[found.start + 1 : found.end - 1].split()).upper()


def _segment(text: str, start: int, end: int) -> str:
    """A unit's text after its marking, as a paragraph's after its number and marking."""
    return text[start:end].strip().lstrip(" .:-")


def _cut_start(found: Found, label: re.Match[str] | None) -> int:
    return label.start() if label else found.start


def _warn_unread(paragraph: Paragraph, found: list[Found], state: ParseState) -> None:
    """A warning for each marking of the paragraph, or of a unit in it, that is not
    understood in full (``found``: the markings of its text)."""
    own = read_marking(paragraph.marking)
    marks = [own] if own is not None else []
    marks += [f.marking for f in found if f.aside is None]
    for mark in marks:
        if not mark.understood:
            number = paragraph.number
            where = f"paragraph {number}" if number is not None else "an unnumbered paragraph"
            state.warn(
                "marking-not-understood",
                f"The marking ({mark.text}) in {where} is not one cablekit understands in full:"
                " it is withheld from every reader who could not see its strictest reading",
            )


def find_summary(paragraphs: Sequence[Paragraph]) -> str | None:
    """The text between a summary opener and ``End summary`` (spec 6.2).

    The opener is a ``Summary:`` at the start of a paragraph, ``BEGIN SUMMARY``
    or a heading naming the summary; without one, a paragraph 1 that runs to
    ``End summary`` is the summary. A summary runs over at most a few
    paragraphs; without an end mark it is the opener's paragraph.
    """
    first = paragraphs[:12]
    for n, p in enumerate(first):
        # (SUMMARY_HEADING, which ignores case, is tried at every character: the word first)
        if p.heading and "SUMMARY" in p.heading.upper() and SUMMARY_HEADING.search(p.heading):
            return _summary_from(paragraphs[n : n + 12])
    text = "\n\n".join(p.text for p in first)
    words = _summary_words(text)
    if not words:
        return None
    end = _summary_end(text, words)
    openers = [
        m
        for m in _openers(text, words, end.start() if end else len(text))
        if not text.startswith(("continued", "Continued", "CONTINUED"), m.end())
    ]
    if not openers:
        if end is None or text.count("\n\n", 0, end.start()) > 2:
            return None
        return _clean(text[: end.start()])
    opener = openers[-1] if end else openers[0]
    stop = text.find("\n\n", opener.end())
    if end and text.count("\n\n", opener.end(), end.start()) <= MAX_SUMMARY_PARAGRAPHS:
        stop = end.start()
    return _clean(text[opener.end() : stop if stop >= 0 else len(text)])


MAX_SUMMARY_PARAGRAPHS = 6
_SUMMARY_LABEL = re.compile(
    r"^(?:\d{1,2}[.)]\s*)?(?:\([A-Za-z/ ]{1,12}\)\s*)?"
    r"(?:(?:AND|and)\s+(?:COMMENTS?|Comments?)\s*[:.]\s*)?"
)


def _summary_words(text: str) -> list[int]:
    """Where the word "summary" starts (``Summary``, ``summary``, ``SUMMARY``)."""
    found = []
    for tail in ("ummary", "UMMARY"):
        at = text.find(tail, 1)
        while at > 0:
            found.append(at - 1)
            at = text.find(tail, at + 6)
    return sorted(found)


def _summary_end(text: str, words: list[int]) -> re.Match[str] | None:
    """SUMMARY_END, tried only where the word "summary" is (a search would cost 70 us)."""
    for at in words:
        if "nd" in text[max(0, at - 12) : at] or "ND" in text[max(0, at - 12) : at]:
            m = SUMMARY_END.search(text, max(0, at - 14), at + 40)
            if m:
                return m
    return None


def _openers(text: str, words: list[int], stop: int) -> list[re.Match[str]]:
    """SUMMARY_OPEN matches before ``stop``, tried only around the word "summary"."""
    found: list[re.Match[str]] = []
    for at in words:
        if at >= stop:
            break
        start = max(text.rfind("\n\n", 0, at), at - 60, found[-1].end() if found else 0, 0)
        m = SUMMARY_OPEN.search(text, start, min(stop, at + 200))
        if m and m.start() <= at and (not found or m.start() >= found[-1].end()):
            found.append(m)
    return found


def _summary_from(paragraphs: Sequence[Paragraph]) -> str | None:
    text = "\n\n".join(p.text for p in paragraphs)
    end = _summary_end(text, _summary_words(text))
    near = end and text.count("\n\n", 0, end.start()) <= MAX_SUMMARY_PARAGRAPHS
    summary = text[: end.start()] if end and near else paragraphs[0].text
    opener = SUMMARY_OPEN.match(summary)
    return _clean(summary[opener.end() :] if opener else summary)


def _clean(summary: str) -> str | None:
    summary = _SUMMARY_LABEL.sub("", summary.strip())
    opener = SUMMARY_OPEN.match(summary)  # "1) (U) Summary." left by a label
    if opener and opener.end() < len(summary):
        summary = summary[opener.end() :]
    return summary.strip().rstrip(" (-").strip() or None
