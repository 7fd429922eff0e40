"""The "Classified By" line (spec 5.7): who classified the cable, and why."""

from __future__ import annotations

import re

from ..model import ClassifiedBy

START = re.compile(
    r"^\s*(?:\d{1,2}\.\s*(?:\([A-Za-z/]{1,8}\)\s*)?)?(?:\(U\)\s*)?(?:Text\s+)?Classified\s*By(?=[\s:A-Z]|$)",
    re.I,
)
_FULL = re.compile(
    r"Classified\s*by\s*:?\s*(?:\(U\)\s*)?(?:Classified\s*by\s*:?\s*)?(?P<by>.*?)\s*[,;:.]?\s*"
    r"(?:\b(?:for|under)\s+)?(?:\b(?:reasons?|reason\s*\(s\)|REASON\(S\)|per)\b)?\s*:?\s*"
    r"(?:E\.\s?O\.?\s*1\d{4}\s*,?\s*(?:as\s+amended\s*,?\s*)?)?(?:in\s+)?(?:sec(?:tion)?s?\.?\s*)?"
    r"(?P<sec>1\s?\.\s?[45])\s*(?P<letters>(?:[(\[]?\s*[a-hA-H]\s*[)\]]?(?:\s*(?:,|/|and|&|\s)\s*)*)+)",
    re.I | re.S,
)
_BY_ONLY = re.compile(r"Classified\s*by\s*:?\s*(?P<by>.+)$", re.I | re.S)
_LETTER = re.compile(r"(?<![A-Za-z])[a-hA-H](?![A-Za-z])")
_TITLE_WORDS = frozenset(
    [
        "ambassador",
        "charge",
        "chargé",
        "d'affaires",
        "affaires",
        "a.i.",
        "cda",
        "dcm",
        "acting",
        "deputy",
        "chief",
        "of",
        "mission",
        "counselor",
        "counsellor",
        "minister",
        "political",
        "economic",
        "econ",
        "pol",
        "polcouns",
        "polmincouns",
        "econcouns",
        "officer",
        "officers",
        "consul",
        "general",
        "cg",
        "principal",
        "secretary",
        "assistant",
        "director",
        "coordinator",
        "head",
        "section",
        "attache",
        "attaché",
        "for",
        "and",
        "the",
        "office",
        "unit",
        "regional",
        "senior",
        "special",
        "advisor",
        "adviser",
        "representative",
        "permanent",
        "ambassador-designate",
        "ds",
        "rso",
        "pao",
        "dao",
        "defense",
        "military",
        "public",
        "affairs",
        "management",
        "affairs",
        "deputy-chief",
        "a/s",
        "das",
        "pdas",
        "s/p",
        "dci",
        "inr",
        "eur",
        "nea",
        "wha",
        "eap",
        "af",
        "sca",
        "io",
        "isn",
        "pm",
        "usun",
        "usnato",
        "useu",
        "mission",
        "embassy",
        "consulate",
        "team",
        "leader",
        "spokesman",
        "chair",
        "chairman",
        "executive",
        "pol/econ",
        "pol/mil",
        "polmil",
        "poloff",
        "econoff",
        "pol-econ",
        "rpo",
        "reo",
        "prt",
    ]
)
_NAME_WORD = re.compile(
    r"^(?:[A-Z]\.|[A-Z][a-z]*(?:(?:Mc|Mac|O'|De|La|Di|Van|Von)?[A-Z][a-z]+)?[.,]?|[A-Z][A-Z'\-]+)$"
)


def parse_classified_by(text: str) -> ClassifiedBy | None:
    """Title, name and reasons of a Classified By text (which may span lines)."""
    flat = " ".join(text.split())
    m = _FULL.search(flat)
    if m:
        by = m["by"]
        section = m["sec"].replace(" ", "")
        letters = _LETTER.findall(m["letters"])
        reasons = tuple(dict.fromkeys(f"{section}({c.lower()})" for c in letters))
        raw = flat[: m.end()].strip()
    else:
        only = _BY_ONLY.search(flat)
        if not only:
            return None
        by, reasons, raw = only["by"], (), flat
    by = by.strip(" ,;:.")
    title, name = split_title_name(by)
    start = flat.lower().find("classified")
    return ClassifiedBy(
        title=title, name=name, reasons=reasons, text=raw[start:] if start >= 0 else raw
    )


def split_title_name(by: str) -> tuple[str | None, str | None]:
    """``PolMinCouns Scott Bellard`` -> (``PolMinCouns``, ``Scott Bellard``)."""
    if not by:
        return None, None
    if "," in by:
        first, rest = (p.strip() for p in by.split(",", 1))
        if _is_name(first.split()) and not _is_name(rest.split()):
            return rest or None, first
        if _is_name(rest.split()[:4]) and not _is_name(first.split()):
            return first, rest
    words = by.split()
    n = len(words)
    cut = n
    while (
        cut > 0
        and n - cut < 4
        and _NAME_WORD.match(words[cut - 1])
        and not _is_title(words[cut - 1])
    ):
        cut -= 1
    if cut == n:
        return by, None
    title = " ".join(words[:cut]) or None
    return title, " ".join(words[cut:])


def _is_title(word: str) -> bool:
    return word.lower().strip(",.:;") in _TITLE_WORDS


def _is_name(words: list[str]) -> bool:
    return 1 < len(words) <= 5 and all(_NAME_WORD.match(w) and not _is_title(w) for w in words)
