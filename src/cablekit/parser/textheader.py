"""Stage 5: the telegram text header, from captions to Classified By (spec 5).

A small state machine keyed by line starts. Fields may come in any order and
share a line (``E.O. 12958: N/A TAGS: ...``); the header ends at the first
numbered paragraph, or at the first unrecognised text once a field has been
seen.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from ..model import ClassifiedBy, Reference
from .classified import CLASSIFIED_WORD, REASON_LETTERS, parse_classified_by
from .classified import START as CLASSIFIED_START
from .dates import parse_date
from .normalise import PORTION_MARK
from .refs import REF_KEY, parse_references
from .state import ParseState
from .tags import TAGS_KEY, looks_like_tags, parse_tags

_EO = re.compile(r"^\s*E\s?\.?\s?O\s?\.?\s*(?P<eo>1\d{4})\b\s*[:;.,]?\s*(?P<rest>.*)$", re.I)
# The orders that govern classification; others (E.O. 13382, sanctions) only count
# when the line reads like a declassification line.
_CLASSIFICATION_ORDERS = frozenset(
    {"10501", "10964", "11652", "12065", "12356", "12958", "13292", "13526"}
)
_DECLASSIFICATION = re.compile(r"DECL|DNG|N/A|OADR|GDS|X\d|\d/\d", re.I)


def eo_line(line: str) -> re.Match[str] | None:
    """The E.O. line of a text header (``E.O. 12958: DECL: 04/07/2019``), or None."""
    m = _EO.match(line)
    if m is None or m["eo"] in _CLASSIFICATION_ORDERS or _DECLASSIFICATION.search(m["rest"]):
        return m
    return None


SUBJECT = re.compile(r"^\s*(?:S?UBJ(?:ECT)?|Subj(?:ect)?)\s*(?::\s*|\.\s*|\s+|$)(?P<rest>.*)$")
SUBJECT_AGAIN = re.compile(r"^SUBJ(?:ECT)?\s*:\s*", re.I)
PARAGRAPH_START = re.compile(r"^\s*\d{1,3}\s?\.(?:\s|\(|$|[A-Z])")
# The characters a stripped line must start with to match eo_line, TAGS_KEY, SUBJECT and
# CLASSIFIED_START (or a digit): cheaper to test than the patterns.
_EO_FIRST = "Ee"
_TAGS_FIRST = "TtA"
_SUBJECT_FIRST = "SsU"
_CLASSIFIED_FIRST = "CcTt("
LETTER_ITEM = re.compile(r"^\s*(?:\([A-Z]\)|[A-Z][.)])\s")
_DECL = re.compile(r"^(?:DECL(?:L|ASSIFY)?(?:\s+ON)?|DNG)\s*[:.]?\s*", re.I)
_PORTION_PREFIX = re.compile(r"^\((?:U|C|S|SBU|LOU|[CSU]\s?/\s?/?\s?[A-Z]{1,6})\)\s*")
_TAGS_IN_LINE = re.compile(r"\sTAGS?\s?[:;]?\s")
_INLINE_REF = re.compile(r"\s*\bREFS?:\s*|(?<=[A-Z]{3})REFS?:\s*|(?<=\d-\d\d)REFS?:\s*")
_BROKEN_WORD = re.compile(r"[A-Za-z]-$")
_CUT_BEFORE_CLASSIFICATION = re.compile(r"\.\.\..*?(?:C O N F I D|S E C R E T|UNCLAS\b)")
_SUBJECT_NOISE = re.compile(
    r"\s*(?:(?:SENSITIVE BUT UNCLASSIFIED|SBU)\b[^.]*\.?\s*PLEASE (?:PROTECT|HANDLE) ACCORDINGLY\.?"
    r"|(?<!/)/{4,}.*|(?<![-=_*])[-=_*]{3,}\s*|\sCLASSIFIED)$",
    re.I,
)


def _may_end_in_noise(subject: str) -> bool:
    """Whether _SUBJECT_NOISE can match: its matches end the text with one of these
    characters, or hold "////" (the pattern is case-insensitive and anchored at the end,
    so the engine would try it from every position)."""
    last = subject[-1:]
    return bool(last) and (last in "Yy.-=_*Dd" or last.isspace() or "////" in subject)


_MARK_AT_ENDS = re.compile(
    r"^\((?:U|C|S|SBU|LOU|[CSU]\s?/\s?/?\s?[A-Z]{1,6})\)\s*|\s*\((?:U|C|S|SBU)\)$", re.I
)
_GLUED_BODY = re.compile(r"\s\((?:U|C|S|SBU|[CS]/NF)\)\s+[A-Z][a-z]")
_GLUED_PARAGRAPH = re.compile(
    rf"\s(?:1\s?\.\s*\({PORTION_MARK}\)\s?|-{{3,}}\s*S(?:UMMARY|ummary)\s*-{{3,}})"
)
_REASON_NUMBER = re.compile(r"1\s?[./]\s?[45]")
_INLINE_CLASSIFIED = re.compile(rf"(?<!de){CLASSIFIED_WORD}\s*By\b", re.I)

CAVEATS = {
    "SIPDIS": "SIPDIS",
    "NOFORN": "NOFORN",
    "NOT RELEASABLE TO FOREIGN NATIONALS": "NOFORN",
    "NODIS": "NODIS",
    "NODIF": "NODIS",
    "EXDIS": "EXDIS",
    "LIMDIS": "LIMDIS",
    "STADIS": "STADIS",
    "CHEROKEE": "CHEROKEE",
    "ORCON": "ORCON",
    "NOCONTRACT": "NOCONTRACT",
    "PROPIN": "PROPIN",
    "FGI": "FGI",
    "EFTO": "EFTO",
    "EYES ONLY": "EYES ONLY",
    # Handling captions kept as written: on an UNCLAS cable they leave it UNCLASSIFIED
    # (derive makes LIMITED OFFICIAL USE the level only when no line gives one).
    "LIMITED OFFICIAL USE": "LIMITED OFFICIAL USE",
    "FOR OFFICIAL USE ONLY": "FOR OFFICIAL USE ONLY",
    "FOUO": "FOUO",
}
SENSITIVE = frozenset({"SENSITIVE", "SENSITIVE BUT UNCLASSIFIED", "SBU"})
_BARE_CLASSIFICATIONS = frozenset(
    {"UNCLASSIFIED", "UNCLAS", "CONFIDENTIAL", "SECRET", "TOP SECRET"}
)
_CAVEAT_STARTS = frozenset(
    w[:3] for w in [*CAVEATS, *SENSITIVE, *_BARE_CLASSIFICATIONS, "REL", "NOT"]
)
_SBU_NOTICE = re.compile(r"^(?:SENSITIVE BUT UNCLASSIFIED|SBU)\b.*ACCORDINGLY\.?$")
_REL_TO = re.compile(r"^REL(?:\s+TO)?\s+[A-Z ,/]+$")
# Caveat tokens and their separators are written with these characters only.
_CAVEAT_TEXT = re.compile(r"[A-Z ,/.]*")
_CAVEAT_SPLIT = re.compile(r"\s*[,/]\s*|\s{2,}|\s+(?=SIPDIS|NOFORN)|(?<=SIPDIS)\s+|(?<=NOFORN)\s+")


def caveat_tokens(line: str) -> list[str] | None:
    """The caveats on a caption line, or None if the line is not only captions."""
    head = line.lstrip()[:3].upper()
    if head not in _CAVEAT_STARTS:
        return None
    text = " ".join(line.upper().replace("//", "/").split()).strip(" .")
    if _SBU_NOTICE.match(text):
        return ["SBU"]
    if text in _BARE_CLASSIFICATIONS:
        return []  # the classification repeated on a line of its own
    if text in CAVEATS or text in SENSITIVE or _REL_TO.match(text):
        return [_caveat(text)]
    if not _CAVEAT_TEXT.fullmatch(text):  # a token would hold another character: no caveat
        return None
    tokens = [t.strip(" .") for t in _CAVEAT_SPLIT.split(text) if t.strip(" .")]
    if tokens and all(t in CAVEATS or t in SENSITIVE or _REL_TO.match(t) for t in tokens):
        return [_caveat(t) for t in tokens]
    return None


def _caveat(token: str) -> str:
    if token in SENSITIVE:
        return "SBU"
    if _REL_TO.match(token):
        return "REL TO " + token.split(None, 2)[-1] if " TO " in token else token
    return CAVEATS[token]


def _is_ref_item(line: str) -> bool:
    """``B. 08 OTTAWA 1140``, ``(C) SAO PAULO 206;``: a lettered REF item, not a paragraph.

    ``(U) On September 24 ...`` is a portion-marked paragraph.
    """
    if _CITATION_ITEM.match(line):
        return True
    if not LETTER_ITEM.match(line) or line.lstrip()[:3] in ("(U)", "(C)", "(S)"):
        return False
    head = line[:48].upper()
    return any(c.isdigit() for c in head) or any(k in head for k in _REF_WORDS)


_CITATION_ITEM = re.compile(
    r"^\s*(?:\([A-Z]\)|[A-Z][.)])\s+(?:\d{2,4}\s+)?[A-Z][A-Z .'\-]{1,24}\s\d{1,7}\b"
)


_REF_WORDS = ("MAIL", "TELCON", "MEMCON", "MEETING", "CONVERSATION", "LETTER", "NOTE", "REPORT")


class _TextHeader:
    def __init__(self, state: ParseState, citing_id: str | None) -> None:
        self.state = state
        self.citing_id = citing_id
        self.caveats: list[str] = list(state.get("caveats") or ())
        self.handling: list[str] = []
        self.seen_field = False
        self.ref_text: list[str] = []
        self.block_starts: dict[str, bool] = {}

    def run(self, lines: list[str], start: int) -> int:
        """Parse from ``start``; return the index of the first body line."""
        i = start
        n = len(lines)
        while i < n:
            line = lines[i].strip()
            if not line:
                i += 1
                continue
            if _numbered_paragraph(line):
                break
            nxt = self.field(lines, i, line)
            if nxt is None:
                if not self.field_ahead(lines, i, 6 if self.seen_field else 24):
                    break
                self.handling.append(line)
                i += 1
            else:
                i = nxt
        self.finish()
        return i

    def field_ahead(self, lines: Sequence[str], i: int, window: int) -> bool:
        """True when a header field follows within a few lines, before any paragraph."""
        seen = 0
        for line in itertools.islice(lines, i + 1, None):  # no copy of the rest
            line = line.strip()
            if not line:
                continue
            if (line[0] == "(" and _PORTION_PREFIX.match(line)) or _numbered_paragraph(line):
                return False
            if self.ends_block(line):
                return True
            seen += 1
            if seen >= window:
                return False
        return False

    def field(self, lines: list[str], i: int, line: str) -> int | None:
        """Consume a field starting at line ``i``; the next index, or None."""
        tokens = caveat_tokens(line)
        if tokens is not None:
            self.caveats.extend(tokens)
            return i + 1
        first = line[0]
        m = eo_line(line) if first in _EO_FIRST else None
        if m:
            return self.eo(lines, i, m["eo"], m["rest"])
        m = TAGS_KEY.match(line) if first in _TAGS_FIRST else None
        if m:
            return self.tags(lines, i, m["rest"])
        m = SUBJECT.match(line) if first in _SUBJECT_FIRST else None
        if m:
            return self.subject(lines, i, m["rest"])
        m = REF_KEY.match(line) if first in "Rr" else None
        if m and (m["rest"] or self.seen_field):
            return self.refs(lines, i, m["rest"])
        if (first in _CLASSIFIED_FIRST or first.isdigit()) and CLASSIFIED_START.match(line):
            return self.classified(lines, i)
        return None

    def eo(self, lines: Sequence[str], i: int, order: str, rest: str) -> int:
        self.seen_field = True
        tags = _TAGS_IN_LINE.search(rest)
        if tags:
            self.state.set("tags", parse_tags(rest[tags.end() :]))
            rest = rest[: tags.start()]
        self.state.set("executive_order", order)
        nxt = i + 1
        if not rest.strip(" :") and nxt < len(lines) and _DECL.match(lines[nxt].strip()):
            rest, nxt = lines[nxt], nxt + 1  # "E.O. 12958:" / "DECL: 5/11/2017"
        value = _DECL.sub("", rest.strip()).strip(" .")
        when = parse_date(value) if value else None
        if when:
            self.state.set("declassify_on", when)
            leftover = value[len(value.split()[0]) :].strip() if value else ""
            self.state.set("declassify_note", leftover or None)
        else:
            self.state.set("declassify_note", value or None)
        return nxt

    def tags(self, lines: Sequence[str], i: int, rest: str) -> int:
        self.seen_field = True
        text = [rest]
        j = i + 1
        while j < len(lines) and lines[j].strip() and looks_like_tags(lines[j]):
            if SUBJECT.match(lines[j]) or REF_KEY.match(lines[j]):
                break
            text.append(lines[j])
            j += 1
        self.state.set("tags", parse_tags(" ".join(text)))
        return j

    def subject(self, lines: list[str], i: int, rest: str) -> int:
        self.seen_field = True
        j = i + 1
        if not rest.strip():  # "SUBJECT:" alone, the text after a blank line
            while j < len(lines) and not lines[j].strip():
                j += 1
            if j >= len(lines) or self.ends_block(lines[j]):
                return j
            rest, j = lines[j], j + 1
        subject = SUBJECT_AGAIN.sub("", rest.strip())  # "SUBJECT: SUBJECT: ..."
        while j < len(lines) and lines[j].strip() and not self.ends_block(lines[j]):
            joiner = "" if _BROKEN_WORD.search(subject) else " "  # "US-" / "LATIN"
            subject += joiner + lines[j].strip()
            j += 1
        subject = " ".join(subject.split()).replace('""', '"')
        cut = _CUT_BEFORE_CLASSIFICATION.search(subject)
        if cut:  # "RUSSIAN SCIEN... C O N F I D E N T I A L MOSCOW 001704": an excerpt
            subject = subject[: cut.start() + 3]
        glued = _GLUED_PARAGRAPH.search(subject)
        if glued:  # "SUBJECT: ... REF: ... Classified By: ... 1. (C) Summary: ..." on one line
            lines.insert(j, subject[glued.start() :].strip())
            subject = subject[: glued.start()]
        subject = self.split_classified(subject)
        inline = _INLINE_REF.search(subject) if "REF" in subject else None
        if inline:
            self.ref_text.append(subject[inline.end() :])
            subject = subject[: inline.start()]
        if _may_end_in_noise(subject):
            subject = _SUBJECT_NOISE.sub("", subject)
        if subject[:1] == "(" or subject[-1:] == ")":
            # "SUBJECT: (C) SUBJECT: BRIEFING ...": the key again after the mark
            subject = SUBJECT_AGAIN.sub("", _MARK_AT_ENDS.sub("", subject).strip())
        subject = subject.strip()
        old = self.state.get("subject")
        if subject and (not old or (subject.startswith(old) and len(subject) > len(old))):
            self.state.set("subject", subject)  # a later, complete copy of a cut subject wins
        return j

    def refs(self, lines: list[str], i: int, rest: str) -> int:
        self.seen_field = True
        glued = _GLUED_BODY.search(rest)
        if glued:  # "REF: STATE 146857 (U) Pol/Econ Chief delivered ...": body on the REF line
            lines.insert(i + 1, rest[glued.start() :].strip())
            rest = rest[: glued.start()]
        parts = [rest]
        j = i + 1
        while j < len(lines):
            line = lines[j].strip()
            if not line:
                k = j + 1
                while k < len(lines) and not lines[k].strip():
                    k += 1
                if k < len(lines) and _is_ref_item(lines[k]):
                    j = k
                    continue
                break
            if self.ends_block(line) and not _is_ref_item(line):
                break
            parts.append(line)
            j += 1
        self.ref_text.append(" ".join(parts))
        return j

    def classified(self, lines: Sequence[str], i: int) -> int:
        self.seen_field = True
        parts = [lines[i].strip()]
        j = i + 1
        while j < len(lines) and len(parts) < 4:
            line = lines[j].strip()
            if not line and parts[-1].rstrip(" .").endswith(("1.4", "1.5")):
                j += 1  # "... for reasons 1.4" / "" / "(B) AND (D).": a wrapped line
                continue
            if not line or self.ends_block(line):
                break
            if _REASON_NUMBER.search(" ".join(parts)) and not REASON_LETTERS.match(line):
                break
            parts.append(line)
            j += 1
        self.keep_classified(parse_classified_by(" ".join(parts)))
        return j

    def keep_classified(self, found: ClassifiedBy | None) -> None:
        """Keep the first complete Classified By; a later one may complete a truncated one."""
        if found is None or not (found.name or found.title or found.reasons):
            return
        old = self.state.get("classified_by")
        if old is None or (not old.reasons and found.reasons):
            self.state.set("classified_by", found)

    def split_classified(self, text: str) -> str:
        """``REF: A. STATE 44313 Classified By: ...`` on one line: take the tail."""
        # _INLINE_CLASSIFIED ignores case, so the engine tries it at every character: a
        # text without "CLAS" in any case is passed over first.
        inline = _INLINE_CLASSIFIED.search(text) if "CLAS" in text.upper() else None
        if not inline:
            return text
        self.keep_classified(parse_classified_by(text[inline.start() :]))
        return text[: inline.start()]

    def ends_block(self, line: str) -> bool:
        """Whether ``line`` starts something else than the field being read (memoised)."""
        known = self.block_starts.get(line)
        if known is None:
            known = self.block_starts[line] = _starts_block(line.strip())
        return known

    def finish(self) -> None:
        self.state.set("caveats", tuple(dict.fromkeys(self.caveats)))
        self.state.set("handling", tuple(self.handling))
        refs: list[Reference] = []
        for block in map(self.split_classified, self.ref_text):
            for ref in parse_references(block, self.citing_id, self.state.year):
                if ref.id is None or all(ref.id != r.id for r in refs):
                    refs.append(ref)
        self.state.set("references", tuple(refs))


def _starts_block(line: str) -> bool:
    """Whether ``line`` (stripped) starts a header field or a paragraph."""
    first = line[:1]  # each pattern is tried only on the first characters it can match
    digit = first.isdigit()
    return bool(
        (digit and PARAGRAPH_START.match(line))
        or (first == "(" and _PORTION_PREFIX.match(line))
        or (first == "R" and REF_KEY.match(line))
        or (first in _TAGS_FIRST and TAGS_KEY.match(line))
        or (first in _SUBJECT_FIRST and SUBJECT.match(line))
        or (first in _EO_FIRST and eo_line(line))
        or ((first in _CLASSIFIED_FIRST or digit) and CLASSIFIED_START.match(line))
        or caveat_tokens(line) is not None
    )


def eo_subject_or_paragraph(line: str) -> bool:
    """Whether ``line`` (stripped) is an E.O. or SUBJECT line or starts a numbered paragraph
    (``eo_line``, ``SUBJECT``, ``PARAGRAPH_START``)."""
    first = line[:1]
    return bool(
        (first in _EO_FIRST and eo_line(line))
        or (first in _SUBJECT_FIRST and SUBJECT.match(line))
        or (first.isdigit() and PARAGRAPH_START.match(line))
    )


def _numbered_paragraph(line: str) -> bool:
    """Whether ``line`` (stripped, not empty) starts a numbered paragraph, which ends the
    text header; a numbered Classified By line does not."""
    return bool(
        line[0].isdigit() and PARAGRAPH_START.match(line) and not CLASSIFIED_START.match(line)
    )


def parse_text_header(
    lines: list[str], start: int, state: ParseState, citing_id: str | None
) -> int:
    """Fill the text-header fields from ``lines[start:]``; return where the body starts."""
    return _TextHeader(state, citing_id).run(lines, start)


RECOVERABLE = ("executive_order", "tags", "subject")


def recover_fields(lines: list[str], state: ParseState, citing_id: str | None) -> None:
    """Header fields missing from the text header but written further down.

    Mangled pages put the E.O., TAGS and SUBJECT lines after a media dump or an
    excerpt; take the first of each wherever it is.
    """
    if all(state.get(name) for name in RECOVERABLE):
        return
    scratch = ParseState(year=state.year)
    reader = _TextHeader(scratch, citing_id)
    for i, line in enumerate(lines):
        if line[:1] in ("E", "T", "S", "A", " ") and (
            eo_line(line) or TAGS_KEY.match(line) or SUBJECT.match(line)
        ):
            reader.field(lines, i, line.strip())
    for name in RECOVERABLE:
        if not state.get(name) and scratch.get(name):
            state.set(name, scratch.get(name))
            if name == "executive_order":
                state.set("declassify_on", scratch.get("declassify_on"))
                state.set("declassify_note", scratch.get("declassify_note"))
