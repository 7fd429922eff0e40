"""The "Classified By" line (spec 5.7): who classified the cable, and why.

Forms vary widely: ``Classified By: PolMinCouns Scott Bellard, reasons 1.4 (b) and
(d)``, ``CLASSIFIED BY: Rose E. Gottemoeller, Assistant Secretary, ...; REASON:
1.4(B), (D)``, ``Classified by DCM Robert Deutsch, reasons 1.5, b/d``. The text is
cut where the reasons begin; what is before is split into a title and a name.
"""

from __future__ import annotations

import functools
import re

from ..model import ClassifiedBy

# "Classified", and the misspellings cables carry: "Classfied", "Classifed", "Clasified".
CLASSIFIED_WORD = r"Clas{1,2}i?fi?ed"
START = re.compile(
    r"^\s*(?:\d{1,2}\.\s*(?:\([A-Za-z/]{1,8}\)\s*)?)?(?:\(U\)\s*)?(?:Text\s+)?"
    rf"{CLASSIFIED_WORD}\s*By(?=[\s:A-Z]|$)",
    re.I,
)
_KEY = re.compile(rf"(?:Text\s+)?{CLASSIFIED_WORD}\s*by\s*:?\s*", re.I)
_LEAD = re.compile(rf"(?:\(U\)\s*|{CLASSIFIED_WORD}\s*by\s*:?\s*)+", re.I)
# A line holding only the letters of the reasons, the rest of a wrapped line:
# "(B) AND (D).", "b, d", "(b)(d)".
REASON_LETTERS = re.compile(
    r"^[(\[]?[a-hA-H][)\]]?(?:\s*(?:,|/|\band\b|&)?\s*[(\[]?[a-hA-H][)\]]?)*\s*\.?$", re.I
)
# Where the authority ends and the reasons begin.
_REASONS = re.compile(
    r"[\s,;:.]*(?:\b(?:for|under|based\s+upon)\s+)?"
    r"(?:\b(?:r\s?e\s?a?\s?s?\s?o\s?n\s?s?|reason\s*\(s\)|per)\b\s*:?\s*"
    r"|(?=\b1\s?[./]\s?[45](?!\d))|(?=\bE\.\s?O\.?\s*1\d{4}))",
    re.I,
)
_SECTION = re.compile(
    r"\b(?:E\.\s?O\.?\s*1\d{4}\s*,?\s*(?:as\s+amended\s*,?\s*)?)?(?:in\s+)?(?:sec(?:tion)?s?\.?\s*)?"
    r"(?P<sec>1\s?[./]\s?[45])\.?\s*,?\s*"
    r"(?P<letters>(?:[(\[]?\s*[a-hA-H]\s*[)\]]?(?:\s*(?:,|/|\band\b|&|\s)\s*)*)+)",
    re.I,
)
_SUFFIX = re.compile(r"^(?:Jr|JR|Sr|SR|II|III|IV)\.?$")
_TRAILING_FOR = re.compile(r"[\s,]+(?:for|under|per|based\s+upon)$", re.I)
_LETTER = re.compile(r"(?<![A-Za-z])[a-hA-H](?![A-Za-z])")
_TITLE_TEXT = """
    ambassador ambassador-designate charge chargé d'affaires affaires a.i. a.i cda dcm acting
    deputy chief of mission counselor counsellor minister minister-counselor political economic
    econ pol polcouns polmincouns econcouns polcounselor poloff econoff officer officers consul
    general cg principal secretary assistant director coordinator head section attache attaché
    for and the office unit regional senior special advisor adviser representative permanent
    ds rso pao dao defense military public affairs management a/s das pdas s/p inr eur nea wha
    eap af sca io isn pm usun usnato useu mission embassy consulate team spokesman chair
    chairman executive pol/econ pol/mil polmil pol-econ p/e e/p rpo reo prt amb amb. legal d'affairs
    labor environment science technology commercial agricultural economics politics
"""
_TITLE_WORDS = frozenset(_TITLE_TEXT.split())
_NAME_WORD = re.compile(
    r"^(?:[A-Z]\.?(?:[A-Z]\.)*|[A-Z]\.?[A-Za-z'\-]+|(?:Mc|Mac|O'|De|La|Di|Van|Von)?[A-Z][a-z]+"
    r"(?:[A-Z][a-z]+)?(?:-[A-Z][a-z]+)?|[A-Z][A-Z'\-]+|(?:van|von|de|da|del|der|bin))[.,]?$"
)


@functools.lru_cache(maxsize=4096)  # the same officer classifies many cables
def parse_classified_by(text: str) -> ClassifiedBy | None:
    """Title, name and reasons of a Classified By text (which may span lines)."""
    flat = " ".join(text.split())
    key = _KEY.search(flat)
    if key is None:
        return None
    start, offset = key.start(), key.end()
    lead = _LEAD.match(flat, offset)  # "(U)", or "Classified by" again
    offset = lead.end() if lead else offset
    rest = flat[offset:]
    if "..." in rest:  # a truncated excerpt: keep what is before the cut word
        rest = rest[: rest.index("...")]
        rest = rest.rsplit(" ", 1)[0] if " " in rest else ""
    section = _SECTION.search(rest)
    cut = _REASONS.search(rest)
    by = (
        rest[: cut.start()] if cut and (section is None or cut.start() <= section.start()) else rest
    )
    if section is not None and by is rest:
        by = rest[: section.start()]
    reasons: tuple[str, ...] = ()
    end = len(flat)
    if section is not None:
        number = "".join(section["sec"].split()).replace("/", ".")
        letters = _LETTER.findall(section["letters"])
        reasons = tuple(dict.fromkeys(f"{number}({c.lower()})" for c in letters))
        end = offset + section.end()
    title, name = split_title_name(_TRAILING_FOR.sub("", by.strip(" ,;:.-")))
    raw = flat[start:end].strip(" ,;")
    return ClassifiedBy(title=title, name=name, reasons=reasons, text=raw)


def split_title_name(by: str) -> tuple[str | None, str | None]:
    """``PolMinCouns Scott Bellard`` -> (``PolMinCouns``, ``Scott Bellard``).

    The name is the run of name-like words ending a comma-separated segment
    (``Rose E. Gottemoeller, Assistant Secretary``, ``EUR A/S KURT VOLKER,
    ACTING``); everything else is the title.
    """
    if not by:
        return None, None
    if by.lower().startswith("derived"):  # "Derived from Multiple Sources": no person
        return by, None
    segments: list[str] = []
    for segment in (s.strip() for s in by.split(",")):
        if segments and _SUFFIX.match(segment):
            segments[-1] += ", " + segment  # "Robert O. Blake, Jr." is one name
        elif segment:
            segments.append(segment)
    for best in (2, 1):
        for n, segment in enumerate(segments):
            words = segment.split()
            k = _trailing_name_words(words)
            titled = all(_is_title(w) for w in words[: len(words) - k])
            if k >= best and (best == 2 or k == len(words) or titled):
                others = [*segments[:n], " ".join(words[: len(words) - k]), *segments[n + 1 :]]
                title = ", ".join(o for o in others if o)
                return title or None, " ".join(words[len(words) - k :])
    return by, None


def _trailing_name_words(words: list[str]) -> int:
    k = 0
    while k < min(4, len(words)) and _name_word(words[len(words) - 1 - k]):
        k += 1
    return k


def _name_word(word: str) -> bool:
    return bool(_NAME_WORD.match(word)) and not _is_title(word)


def _is_title(word: str) -> bool:
    return word.lower().strip(",.:;") in _TITLE_WORDS
