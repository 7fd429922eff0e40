"""Citations in the text: the other cables a paragraph mentions (issue 11, point 3).

Two forms, each resolved by the rules of the REF line (``refs``):

- post and serial as cables write them: ``ROME 1902``, ``(BEIRUT 1013)``, ``08 STATE
  31565``, ``USUN 6028``, ``BERN 1253 AND 1260``; the year is the one written before
  the post, else the citing cable's;
- the REF line by letter: ``REFTEL``, ``REF A``, ``(REFS A AND B)``, ``PARA 3 REFTEL B``,
  resolved to the REF line's entries (``REFTEL`` alone only when the REF line has
  one cable; ``REFTELS`` to every cable of it).

Precision before recall: prose holds post names followed by numbers that are no
serials ("PARIS 2009", "STATE 1", "ROME 00187", "KABUL 100 KM"). A post written in
capitals with its serial in running text ("ROME 1902") needs a serial of three digits
at least, not a year (1910 to the cable's), no number or unit next to it; a cue makes
it certain: parentheses around the citation alone, or SEE, REF, REFTEL, PER, CF
before it. A post in Title Case ("(Tbilisi 1356)", "(05 Mexico 184)") needs a cue,
and a serial of three digits that is no year.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from .. import tables
from ..model import Paragraph, Reference
from .dates import MONTH_NAMES, MONTHS
from .refs import resolve

# A serial after a word (the post's last): the candidates. The post is then read back
# from the words before it, up to four in a row starting with a capital, longest first.
# (A literal first: the engine skips ahead to each space; see also _candidates.)
_CANDIDATE = re.compile(r" (?P<serial>\d{1,7})(?![\w%/\-]|[.,:]\d)")
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_RUN_WORD = re.compile(r"[A-Z][A-Za-z'.\-]*")
_OPENERS = "(\"'[\u2028\n\t"  # what may stand between a post name and the space before
_WINDOW = 64  # characters before a citation that decide whether it is one
_MORE = re.compile(r"\s*(?:,|\bAND\b|\band\b|&)\s*(?P<serial>\d{1,7})(?![\w%/\-]|[.,:]\d)")
_YEAR_BEFORE = re.compile(r"(?<![\w/.\-])(?P<year>\d{2}|\d{4})\s+$")
_YEAR_AFTER = re.compile(r"\s*\((?P<year>\d{2}|\d{4})\)")
_CUE_WORDS = frozenset({"SEE", "REF", "REFS", "REFTEL", "REFTELS", "PER", "CF"})
_YEARS = (1910, 2010)  # a four-digit number in this span (to the citing year) is a year
_UNITS = frozenset(
    [
        "HOURS",
        "HRS",
        "HOUR",
        "KM",
        "KMS",
        "KILOMETERS",
        "KILOMETRES",
        "MILES",
        "MILE",
        "METERS",
        "METRES",
        "MT",
        "TONS",
        "TONNES",
        "PERCENT",
        "PCT",
        "DOLLARS",
        "USD",
        "EUROS",
        "EURO",
        "PEOPLE",
        "PERSONS",
        "TROOPS",
        "SOLDIERS",
        "MEN",
        "MILLION",
        "BILLION",
        "THOUSAND",
        "MEMBERS",
        "YEARS",
        "DAYS",
        "WEEKS",
        "MONTHS",
        "FLIGHTS",
        "VEHICLES",
        "SEATS",
        "VOTES",
        "LOCAL",
        "GMT",
        "TIME",
        "STREET",
        "ST",
        "AVENUE",
        "AVE",
        "ROAD",
        "RD",
        "BLVD",
        "FLOOR",
        "ROOM",
        "SUITE",
    ]
)
# Address and classification lines copied into a paragraph (a mangled page): the
# serial after a post there is a message number, or the cable's own.
_NOT_A_CITATION = re.compile(
    r"(?:\b(?:AMEMBASSY|AMCONSUL|AMCONSULATE|USMISSION|SECSTATE|AIT|USDAO|USLO|USOFFICE"
    r"|IMMEDIATE|PRIORITY|ROUTINE|NIACT|UNCLAS|UNCLASSIFIED|CONFIDENTIAL|SECRET|USE"
    r"|JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC"
    r"|OF \d{1,3})|[A-Z] L|[A-Z] T|/)\s*$"
)
_SECTION_OF = re.compile(r"\bOF\s*$")  # "SECTION 01 OF 03 THE HAGUE 002163"
_ADDRESS_WORDS = frozenset({"SECSTATE", "WASHDC", "AMEMBASSY", "AMCONSUL", "USMISSION"})
_NEVER_CITED = frozenset({"WASHDC"})  # "SECSTATE WASHDC 5366": a message number
_NEXT_WORD = re.compile(r"\s+([A-Z][A-Z]+(?: [A-Z]+)?)")
# Capitalised words often before a number that end no post name: skipped at once.
_NO_POST = frozenset(
    [
        *MONTH_NAMES,
        *MONTHS,
        "SEPT",
        "ARTICLE",
        "ARTICLES",
        "SECTION",
        "PARA",
        "PARAS",
        "PARAGRAPH",
        "PARAGRAPHS",
        "RESOLUTION",
        "UNSCR",
        "NO",
        "NO.",
        "NUMBER",
        "ANNEX",
        "CHAPTER",
        "TITLE",
        "ROOM",
        "PHASE",
        "LEVEL",
        "GROUP",
        "TEL",
        "FAX",
        "BOX",
        "SUITE",
        "FLOOR",
        "ROUTE",
        "HIGHWAY",
        "FLIGHT",
        "PAGE",
        "PAGES",
        "ITEM",
        "ITEMS",
        "LAW",
        "DECREE",
        "BILL",
        "ACT",
        "CODE",
        "ZIP",
        "POSTAL",
        "BLOCK",
        "PLOT",
        "KM",
        "US",
        "USD",
        "EUR",
    ]
)
# Words that name a station only as an ordinary word, in running text.
_NOT_ALONE = frozenset({"STATE", "SECSTATE"})
_REF_WORD = re.compile(r"(?P<kw>[Rr](?:EF(?:TELS?|S)?|ef(?:tels?|s)?))\.?(?![A-Za-z\-])")
_LETTER = r"(?:\(\s*[A-Z]\s*\)|[A-Z](?![A-Za-z]))"
_LETTERS = re.compile(
    rf"\s*(?P<list>{_LETTER}(?:\s*(?:,|/|-|&|\bAND\b|\band\b|\bTHRU\b|\bTHROUGH\b)?\s*{_LETTER})*)"
)
_PARA_BEFORE = re.compile(
    r"(?:\b(?:PARAS?|Paras?|paras?|PARAGRAPHS?|paragraphs?)\.?\s*\d+[A-Za-z]?"
    r"(?:\s*(?:,|-|AND|and)\s*\d+[A-Za-z]?)*\s*(?:OF|of)?\s*)$"
)
_PARA_AFTER = re.compile(
    r"\s*,?\s*(?:PARAS?|Paras?|paras?|PARAGRAPHS?)\.?\s*\d+[A-Za-z]?(?:\s*(?:,|-|AND|and)\s*\d+)*"
)

Found = tuple[int, int, str | None, str | None, bool]  # start, end, letter, id, inferred


def find_mentions(
    paragraphs: Sequence[Paragraph],
    references: Sequence[Reference],
    citing_id: str | None,
    citing_year: int | None,
) -> tuple[Reference, ...]:
    """Every cable a paragraph mentions, once per paragraph, in order of reading;
    ``paragraph`` is the unit's place (1 for the first of ``paragraphs``)."""
    lettered = _ref_letters(references)
    mentions: list[Reference] = []
    for place, paragraph in enumerate(paragraphs, start=1):
        text = paragraph.text
        found = _serial_mentions(text, citing_year) + _ref_mentions(text, lettered)
        if not found:
            continue  # most paragraphs cite nothing
        seen: set[str] = set()
        for start, end, letter, ident, inferred in sorted(found):
            if ident is None or ident == citing_id or ident in seen:
                continue
            seen.add(ident)
            said = " ".join(text[start:end].split()).strip(" ,;(")
            mentions.append(Reference(letter, said, "mention", ident, inferred, place))
    return tuple(mentions)


# --- post and serial ---------------------------------------------------------------------


def _candidates(text: str) -> list[re.Match[str]]:
    """The matches of ``_CANDIDATE.finditer(text)``, at half the cost on ASCII text
    (nearly every paragraph). The regex engine tries a match at every space (one
    character in six), but a match needs a digit after the space: on a copy of the text
    with every digit made "0", ``bytes.find`` jumps from one " 0" to the next, and only
    there is the match tried. (A non-ASCII text may hold other digits, which ``\\d``
    matches: it goes to finditer.)"""
    if not text.isascii():
        return list(_CANDIDATE.finditer(text))
    zeroed = text.encode("ascii").translate(_DIGITS_AS_ZERO)
    found = []
    at = zeroed.find(b" 0")
    while at >= 0:
        m = _CANDIDATE.match(text, at)
        if m is not None:
            found.append(m)
        at = zeroed.find(b" 0", m.end() if m is not None else at + 1)
    return found


def _serial_mentions(text: str, citing_year: int | None) -> list[Found]:
    found: list[Found] = []
    for m in _candidates(text):
        run_end = m.start()
        while run_end > 0 and text[run_end - 1] == " ":
            run_end -= 1  # "05  Mexico 1804": a doubled space
        if run_end == 0 or not text[run_end - 1].isalpha():
            continue  # a number after a number, a sign or a bracket: no post before it
        last = text[max(0, run_end - 24) : run_end].rsplit(None, 1)  # the last word only
        word = last[-1].lstrip(_OPENERS) if last else ""
        if not word[:1].isupper() or word.upper() in _NO_POST:
            continue  # "in 2009", "of 300", "March 2009": the word before is no post name
        hit = _station(_run_before(text, run_end))
        if hit is None:
            continue
        words, station = hit
        start = run_end - len(" ".join(words))
        offset = max(0, start - _WINDOW)
        before = text[offset:start]
        year_m = _YEAR_BEFORE.search(before)
        year = year_m["year"] if year_m and _plausible_year(year_m["year"], citing_year) else None
        if year_m and year is None:
            continue  # "75008 PARIS 12": a postcode or a phone number before
        ahead = before[: year_m.start()] if year_m else before
        if (
            station in _NEVER_CITED
            or _NOT_A_CITATION.search(ahead[-40:])
            or (year_m and _SECTION_OF.search(ahead[-8:]))
            or any(w in _ADDRESS_WORDS for w in words)
        ):
            continue  # an address line or a classification line copied into the text
        cue = _cued(text, ahead, m.end())
        serial = m["serial"]
        if not any(c.islower() for c in "".join(words)):
            if not cue and not _bare_serial_ok(text, m.end(), serial, words, citing_year):
                continue
        elif not cue or len(serial) < 3 or _year_like(serial, citing_year):
            continue  # "(Tbilisi 1356)", "(05 Mexico 184)": a post in Title Case needs a cue
        begin = offset + year_m.start("year") if year_m else start
        end = m.end()
        suffix = _YEAR_AFTER.match(text, end)  # "LIMA 4516 (06)"
        if year is None and suffix and _plausible_year(suffix["year"], citing_year):
            year, end = suffix["year"], suffix.end()
        found.append(_resolved(begin, end, None, station, serial, year, citing_year))
        for more in _following(text, end, citing_year):  # "BERN 1253 AND 1260"
            found.append(
                _resolved(
                    more.start("serial"),
                    more.end(),
                    None,
                    station,
                    more["serial"],
                    year,
                    citing_year,
                )
            )
            end = more.end()
    return found


def _following(text: str, end: int, citing_year: int | None) -> list[re.Match[str]]:
    """Serials after a citation that share its post ("BERN 1253 AND 1260"); not a year
    before the next citation ("PARAMARIBO 00531, 2005 PARAMARIBO 00589")."""
    more: list[re.Match[str]] = []
    while (m := _MORE.match(text, end)) is not None and len(m["serial"]) >= 3:
        next_word = _NEXT_WORD.match(text, m.end())
        if next_word and _station(next_word[1].split(" ")) is not None:
            break
        if len(m["serial"]) == 4 and _plausible_year(m["serial"], citing_year):
            break
        more.append(m)
        end = m.end()
    return more


def _resolved(
    start: int,
    end: int,
    letter: str | None,
    station: str,
    serial: str,
    year: str | None,
    citing_year: int | None,
) -> Found:
    return (start, end, letter, resolve(station, int(serial), year, citing_year), year is None)


def _run_before(text: str, end: int) -> list[str]:
    """The words (up to five) that end at ``end``, each starting with a capital and
    separated by one space: where a post name may be."""
    window = text[max(0, end - _WINDOW) : end]
    parts = window.split(" ")
    if end > _WINDOW:
        parts = parts[1:]  # the first may be cut
    run: list[str] = []
    for word in reversed(parts):
        if len(run) == 5:
            break
        if not _RUN_WORD.fullmatch(word):
            opened = word.lstrip(_OPENERS)  # "(BEIRUT 1013)": the run starts after "("
            if opened != word and _RUN_WORD.fullmatch(opened):
                run.append(opened)
            break
        run.append(word)
    run.reverse()
    return run


def _station(words: list[str]) -> tuple[list[str], str] | None:
    """The station named by the last of ``words`` (longest first), and those words."""
    for n in range(min(4, len(words)), 0, -1):
        last = words[len(words) - n :]
        station = tables.station_token(" ".join(last))
        if station and any(c.isalpha() for c in last[0]):
            return last, station
    return None


def _plausible_year(year: str, citing_year: int | None) -> bool:
    """A year written before the post: two digits, or four near the cable's own."""
    if len(year) == 2:
        return citing_year is None or int(year) <= citing_year % 100 or int(year) >= 66
    return citing_year is not None and citing_year - 40 <= int(year) <= citing_year


def _cued(text: str, before: str, end: int) -> bool:
    """Whether a cue marks the citation: a cue word before it, or parentheses around
    it alone ("(BEIRUT 1013)", "(ROME 1902, PARA 3)")."""
    stripped = before.rstrip()
    if stripped.endswith("("):
        rest = text[end : end + 24].lstrip().upper()
        return rest[:1] in (")", ",", ";") or rest.startswith(("AND ", "PARA", "NOTAL"))
    words = [w.strip("(.:,").upper() for w in stripped.split()[-2:]]
    if words[-1:] == ["ALSO"]:
        words = words[:1]  # "see also"
    return bool(words) and words[-1] in _CUE_WORDS


def _year_like(serial: str, citing_year: int | None) -> bool:
    return len(serial) == 4 and _YEARS[0] <= int(serial) <= (citing_year or _YEARS[1]) + 5


def _bare_serial_ok(
    text: str, end: int, serial: str, words: list[str], citing_year: int | None
) -> bool:
    """A citation in running text: three digits at least, no year, no unit or number."""
    if len(serial) < 3 or (len(words) == 1 and words[0] in _NOT_ALONE and len(serial) < 4):
        return False
    if _year_like(serial, citing_year):
        return False  # "PARIS 2009", "GENEVA 1949": a year
    after = text[end : end + 16].lstrip()
    if after[:1].isdigit():
        return False  # a phone number or an address
    word = after.split(" ", 1)[0].strip(".,;:)").upper() if after else ""
    return word not in _UNITS


# --- the REF line by letter -----------------------------------------------------------------


def _ref_letters(references: Sequence[Reference]) -> dict[str | None, list[Reference]]:
    """The REF line's cable entries by letter (None: every one)."""
    found: dict[str | None, list[Reference]] = {None: []}
    for ref in references:
        if ref.id is None:
            continue
        found[None].append(ref)
        if ref.letter:
            found.setdefault(ref.letter, []).append(ref)
    return found


def _ref_mentions(text: str, lettered: dict[str | None, list[Reference]]) -> list[Found]:
    everyone = lettered[None]
    if not everyone:
        return []
    found: list[Found] = []
    for m in _ref_words(text):
        word = m["kw"].upper()
        letters_m = _LETTERS.match(text, m.end())
        letters = _letters(letters_m["list"]) if letters_m else []
        known = [x for x in letters if x in lettered]
        end = letters_m.end() if known and letters_m else m.end()
        targets: list[tuple[str | None, Reference]]
        if known:
            targets = [(x, r) for x in known for r in lettered[x]]
        elif word.startswith("REFTEL") and (len(everyone) == 1 or word == "REFTELS"):
            targets = [(r.letter, r) for r in everyone]
        elif (
            word in ("REF", "REFS")
            and text[m.start() - 1 : m.start()] == "("
            and (text[end : end + 1] == ")" and len(everyone) == 1)
        ):
            targets = [(r.letter, r) for r in everyone]  # "(REF)"
        else:
            continue
        start = m.start()
        para = _PARA_BEFORE.search(text[max(0, start - 40) : start])
        if para:
            start -= len(para[0])
        after = _PARA_AFTER.match(text, end)
        if after:
            end = after.end()
        for letter, ref in targets:
            found.append((start, end, letter, ref.id, ref.year_inferred))
    return found


# The three ways a REF word starts, each a pattern of one literal: the regex engine finds
# a literal faster than str.find does (and _REF_WORD itself, which starts with a class of
# characters, would be tried at every one).
_REF_STARTS = (re.compile("REF"), re.compile("ref"), re.compile("Ref"))


def _ref_words(text: str) -> Iterator[re.Match[str]]:
    """The REF words of ``text`` (``REFTEL``, ``ref``, ``Refs.``), looked for where one
    of _REF_STARTS is (a regex scan of every paragraph would cost more than the rest of
    the parse)."""
    for start in _REF_STARTS:
        for hit in start.finditer(text):
            at = hit.start()
            if not (at and text[at - 1].isalpha()):  # "PREF", "Bref"
                m = _REF_WORD.match(text, at)
                if m is not None:
                    yield m


def _letters(written: str) -> list[str]:
    """``A AND B`` -> [A, B]; ``A-C`` -> [A, B, C]."""
    letters = re.findall(
        r"[A-Z](?![A-Za-z])",
        written.replace("AND", " ").replace("THRU", " ").replace("THROUGH", " "),
    )
    if "-" in written and len(letters) == 2 and letters[0] < letters[1]:
        return [chr(c) for c in range(ord(letters[0]), ord(letters[1]) + 1)]
    return letters
