"""The query language: text -> AST, AST -> text, AST -> an English sentence.

Pure: no SQL here. The store compiles the AST to SQL; ``tests/query_oracle.py``
evaluates it over records in memory; ``docs/query-language.md`` is the reference.

The AST (frozen, slotted dataclasses; match on these)::

    Node = Text | Field | DateRange | And | Or | Not

    Text(words: tuple[str, ...], prefix: bool, field: "text" | "subject", pos)
        words from search.text.tokens(), in order; one word, or a phrase whose
        words must be consecutive; prefix=True: the last word is a prefix.
    Field(name: str, value: str, prefix: bool, pos)
        name in FIELD_NAMES: id, from, to, tag, class, caveat, ref, citedby, refkind
        (cites: is read as ref). value upper case, whitespace collapsed
        (removed for id, ref, citedby); class values are full CLASSIFICATIONS
        names. prefix=True only for id.
    DateRange(start: str | None, end: str | None, pos)
        ISO dates YYYY-MM-DD, both ends inclusive; None is an open end.
    And(items: tuple[Node, ...], pos)    two or more items, as written (not flattened
    Or(items: tuple[Node, ...], pos)     across parentheses)
    Not(item: Node, pos)

``pos`` is the 0-based offset of the node in the query (for And and Or, of their
first item). It is excluded from ``==`` so that ASTs compare by meaning.

Grammar, loosest first::

    query   := or
    or      := and ("OR" and)*
    and     := unary (["AND"] unary)*        adjacency is AND
    unary   := ("NOT" | "-") unary | primary
    primary := "(" or ")" | word | "phrase" | field:value
"""

from __future__ import annotations

import calendar
import dataclasses
import difflib
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Literal, TypeAlias

from ..errors import QuerySyntaxError
from ..model import CLASSIFICATIONS
from .text import tokens

__all__ = [
    "FIELD_NAMES",
    "And",
    "DateRange",
    "Field",
    "Node",
    "Not",
    "Or",
    "Text",
    "describe",
    "format_query",
    "parse_query",
]


# --- the AST ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Text:
    words: tuple[str, ...]
    prefix: bool
    field: Literal["text", "subject"]
    pos: int = dataclasses.field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    value: str
    prefix: bool
    pos: int = dataclasses.field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class DateRange:
    start: str | None
    end: str | None
    pos: int = dataclasses.field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Node, ...]
    pos: int = dataclasses.field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Node, ...]
    pos: int = dataclasses.field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Not:
    item: Node
    pos: int = dataclasses.field(default=0, compare=False)


Node: TypeAlias = Text | Field | DateRange | And | Or | Not

# The Field names, in the order the docs list them.
FIELD_NAMES = ("id", "from", "to", "tag", "class", "caveat", "ref", "citedby", "refkind")
# refkind: values: a REF line item, or a mention in the text (upper case, as normalised).
REF_KINDS = ("REF", "MENTION")
# Every name a user may write before a colon, and what it becomes.
_FIELD_ALIASES = {
    "id": "id",
    "from": "from",
    "to": "to",
    "tag": "tag",
    "class": "class",
    "caveat": "caveat",
    "subject": "subject",
    "date": "date",
    "ref": "ref",
    "cites": "ref",
    "citedby": "citedby",
    "refkind": "refkind",
}
_KNOWN_FIELDS = tuple(_FIELD_ALIASES)
_ID_FIELDS = frozenset({"id", "ref", "citedby"})

_SHORT_CLASSES = {
    "U": "UNCLASSIFIED",
    "UNCLAS": "UNCLASSIFIED",
    "SBU": "SENSITIVE BUT UNCLASSIFIED",
    "LOU": "LIMITED OFFICIAL USE",
    "C": "CONFIDENTIAL",
    "S": "SECRET",
    "TS": "TOP SECRET",
}
_CLASSES = {name: name for name in CLASSIFICATIONS} | _SHORT_CLASSES


# --- errors ----------------------------------------------------------------


def _fail(query: str, pos: int, problem: str, hint: str = "") -> QuerySyntaxError:
    """``problem`` names what is wrong; the sentence adds where, then any hint.

    A hint is ``; advice`` or ``: "fragment" ...`` (it brings its own separator).
    """
    return QuerySyntaxError(f"{problem} at position {pos}{hint}", pos, query)


def _fragment(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 30 else text[:29] + "…"


def _closest(word: str, choices: tuple[str, ...] | list[str]) -> str | None:
    found = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return found[0] if found else None


# --- lexer -----------------------------------------------------------------

OPEN_QUOTES = '"“'
CLOSE_QUOTES = '"”'
_STOP = frozenset("()" + OPEN_QUOTES + CLOSE_QUOTES)  # end a bare word, besides space
_FIELD_NAME = re.compile(r"([A-Za-z]+):")


@dataclass(frozen=True, slots=True)
class _Token:
    """``kind`` is ( ) AND OR NOT - word phrase field."""

    kind: str
    pos: int
    text: str = ""  # word or phrase text, the field's value; "*" removed
    prefix: bool = False
    name: str = ""  # a field's name as written
    value_pos: int = 0
    shown: str = ""  # a word as typed, "*" included, for error messages


class _Lexer:
    def __init__(self, query: str) -> None:
        self.query = query
        self.i = 0
        self.out: list[_Token] = []

    def run(self) -> list[_Token]:
        q = self.query
        while True:
            while self.i < len(q) and q[self.i].isspace():
                self.i += 1
            if self.i >= len(q):
                return self.out
            self.step(q[self.i])

    def step(self, char: str) -> None:
        start = self.i
        if char in "()":
            self.i += 1
            self.out.append(_Token(char, start))
        elif char in OPEN_QUOTES or char in CLOSE_QUOTES:
            text, prefix = self.quoted()
            self.out.append(_Token("phrase", start, text, prefix))
        elif char == "-" and self.negates():
            self.i += 1
            self.out.append(_Token("-", start))
        else:
            self.bare()

    def negates(self) -> bool:
        """A minus right before a term, a phrase or a parenthesis means NOT."""
        nxt = self.query[self.i + 1 : self.i + 2]
        return bool(nxt) and not nxt.isspace() and nxt not in ")-"

    def quoted(self) -> tuple[str, bool]:
        """The text between quotes, and whether a ``*`` ends it or follows it."""
        q, start = self.query, self.i
        end = next((j for j in range(start + 1, len(q)) if q[j] in CLOSE_QUOTES), -1)
        if end < 0:
            raise _fail(q, start, "Unterminated quote")
        text = q[start + 1 : end]
        self.i = end + 1
        star_after = q.startswith("*", self.i)
        if star_after:
            self.i += 1
        return text.rstrip("*"), star_after or text.endswith("*")

    def bare_run(self) -> str:
        q, start = self.query, self.i
        while self.i < len(q) and not q[self.i].isspace() and q[self.i] not in _STOP:
            self.i += 1
        return q[start : self.i]

    def bare(self) -> None:
        start = self.i
        match = _FIELD_NAME.match(self.query, start)
        if match:
            self.i = match.end()
            self.field_value(match.group(1), start)
            return
        word = self.bare_run()
        if word in ("AND", "OR", "NOT"):
            self.out.append(_Token(word, start))
        else:
            self.out.append(_Token("word", start, word.rstrip("*"), word.endswith("*"), shown=word))

    def field_value(self, name: str, start: int) -> None:
        value_pos = self.i
        nxt = self.query[self.i : self.i + 1]
        if nxt and nxt in OPEN_QUOTES + CLOSE_QUOTES:
            text, prefix = self.quoted()
        else:
            raw = self.bare_run()
            text, prefix = raw.rstrip("*"), raw.endswith("*")
        self.out.append(_Token("field", start, text, prefix, name, value_pos))


# --- parser ----------------------------------------------------------------

_OPERAND_STARTS = frozenset({"(", "NOT", "-", "word", "phrase", "field"})
_OPERATOR_NAMES = {"AND": "AND", "OR": "OR", "NOT": "NOT", "-": "the minus sign"}


# Beyond these a query is refused: deeper nesting or more terms make SQL that SQLite
# cannot run (its parser stack, its limit on terms of a compound SELECT), and no
# reader writes such queries by hand.
MAX_DEPTH = 24  # parentheses and NOT, one inside another
MAX_TERMS = 200  # words, phrases and fields


class _Parser:
    def __init__(self, query: str, toks: list[_Token]) -> None:
        self.query = query
        self.toks = toks
        self.k = 0
        self.depth = 0
        self.terms = 0

    def deeper(self, pos: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail(
                pos, "The query nests too deep", f": at most {MAX_DEPTH} levels of ( ) and NOT"
            )

    def peek(self) -> _Token | None:
        return self.toks[self.k] if self.k < len(self.toks) else None

    def take(self) -> _Token:
        tok = self.toks[self.k]
        self.k += 1
        return tok

    def fail(self, pos: int, problem: str, hint: str = "") -> QuerySyntaxError:
        return _fail(self.query, pos, problem, hint)

    def starts_operand(self) -> bool:
        tok = self.peek()
        return tok is not None and tok.kind in _OPERAND_STARTS

    def operator(self) -> _Token:
        """Take an operator; what follows must be something it can apply to."""
        op = self.take()
        if not self.starts_operand():
            raise self.fail(op.pos, f"Missing operand after {_OPERATOR_NAMES[op.kind]}")
        return op

    def whole(self) -> Node:
        if not self.toks:
            raise self.fail(0, "Empty query")
        node = self.or_()
        extra = self.peek()
        if extra is not None:  # only a stray ")" can stop the loops early
            raise self.stray(extra.pos)
        return node

    def stray(self, pos: int) -> QuerySyntaxError:
        before = " ".join(self.query[: pos + 1].split())
        before = before if len(before) <= 30 else "…" + before[-29:]
        return self.fail(pos, "Unbalanced parenthesis", f': "{before}" closes nothing')

    def unclosed(self, pos: int) -> QuerySyntaxError:
        group = _fragment(self.query[pos:])
        return self.fail(pos, "Unbalanced parenthesis", f': "{group}" is never closed')

    def or_(self) -> Node:
        items = [self.and_()]
        while (tok := self.peek()) is not None and tok.kind == "OR":
            self.operator()
            items.append(self.and_())
        return items[0] if len(items) == 1 else Or(tuple(items), items[0].pos)

    def and_(self) -> Node:
        items = [self.unary()]
        while (tok := self.peek()) is not None and tok.kind in _OPERAND_STARTS | {"AND"}:
            if tok.kind == "AND":
                self.operator()
            items.append(self.unary())
        return items[0] if len(items) == 1 else And(tuple(items), items[0].pos)

    def unary(self) -> Node:
        tok = self.peek()
        if tok is not None and tok.kind in ("NOT", "-"):
            op = self.operator()
            self.deeper(op.pos)
            node = Not(self.unary(), op.pos)
            self.depth -= 1
            return node
        return self.primary()

    def primary(self) -> Node:
        tok = self.take()  # callers have checked that a token is there
        if tok.kind == "(":
            self.deeper(tok.pos)
            node = self.group(tok)
            self.depth -= 1
            return node
        self.terms += 1
        if self.terms > MAX_TERMS:
            raise self.fail(tok.pos, "The query has too many terms", f": at most {MAX_TERMS}")
        if tok.kind == "word" or tok.kind == "phrase":
            return _text(self.query, tok, "text")
        if tok.kind == "field":
            return _field(self.query, tok)
        if tok.kind == ")":
            raise self.stray(tok.pos)
        raise self.fail(tok.pos, f"Missing operand before {tok.kind}")

    def group(self, opening: _Token) -> Node:
        tok = self.peek()
        if tok is None:
            raise self.unclosed(opening.pos)
        if tok.kind == ")":
            raise self.fail(opening.pos, "Empty parentheses")
        node = self.or_()
        closing = self.peek()
        if closing is None or closing.kind != ")":
            raise self.unclosed(opening.pos)
        self.take()
        return node


@lru_cache(maxsize=256)
def parse_query(text: str) -> Node:
    """The AST of a query; ``QuerySyntaxError`` (with the position) if it is malformed.
    Kept for the queries asked again (a page after a page, a reload): nodes are frozen."""
    return _Parser(text, _Lexer(text).run()).whole()


# --- terms and field values --------------------------------------------------


def _text(query: str, tok: _Token, where: Literal["text", "subject"]) -> Text:
    words = tuple(tokens(tok.text))
    if not words:
        shown = _fragment(tok.shown or tok.text)
        raise _fail(query, tok.pos, f'No searchable characters in "{shown}"')
    return Text(words, tok.prefix, where, tok.pos)


def _field(query: str, tok: _Token) -> Node:
    name = _FIELD_ALIASES.get(tok.name.lower())
    if name is None:
        raise _fail(query, tok.pos, f'Unknown field "{tok.name}"', _field_hint(tok.name))
    if not tok.text.strip():
        raise _fail(query, tok.value_pos, f'Empty value for "{tok.name}:"')
    if name == "subject":
        return _text(query, tok, "subject")
    if tok.prefix and name != "id":
        problem = f'Prefix search with "*" is not available for "{tok.name}:"'
        raise _fail(query, tok.value_pos, problem, "; only words, phrases and id: take one")
    if name == "date":
        start, end = _date_range(query, tok.text, tok.value_pos)
        return DateRange(start, end, tok.pos)
    return Field(name, _field_value(query, name, tok), tok.prefix, tok.pos)


def _field_hint(name: str) -> str:
    suggestion = _closest(name.lower(), _KNOWN_FIELDS)
    if suggestion:
        return f'; did you mean "{suggestion}"?'
    return "; the fields are " + ", ".join(_KNOWN_FIELDS)


def _field_value(query: str, name: str, tok: _Token) -> str:
    value = normalise_value(name, tok.text)
    if name == "class" and value not in CLASSIFICATIONS:
        problem = f'Unknown classification "{tok.text}"'
        raise _fail(query, tok.value_pos, problem, _class_hint(value))
    if name == "refkind" and value not in REF_KINDS:
        problem = f'Unknown reference kind "{tok.text}"'
        raise _fail(query, tok.value_pos, problem, "; use ref (the REF line) or mention (the text)")
    if name in ("from", "to") and not name_words(value):
        raise _fail(query, tok.value_pos, f'Empty value for "{tok.name}:"')
    return value


def _class_hint(value: str) -> str:
    suggestion = _closest(value, list(_CLASSES))
    if suggestion:
        return f'; did you mean "{suggestion}"?'
    return "; use U, SBU, LOU, C, S, TS or a full name such as CONFIDENTIAL"


def normalise_value(name: str, raw: str) -> str:
    """A Field value as the AST holds it (an unknown class name is returned as is)."""
    value = " ".join(raw.upper().split())
    if name in _ID_FIELDS:  # "09 OTTAWA 278" as written in REF lines
        return value.replace(" ", "")
    if name == "class":
        return _CLASSES.get(value, value)
    return value


def name_words(value: str) -> list[str]:
    """The words of an addressee name or a from:/to: value: split on space and "/"."""
    return value.upper().replace("/", " ").split()


# --- dates -----------------------------------------------------------------

_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_DATE_HINT = "; write YYYY, YYYY-MM or YYYY-MM-DD, or a range such as 2009-01..2009-06"


def _date_range(query: str, raw: str, pos: int) -> tuple[str | None, str | None]:
    text = raw.strip()
    pos += len(raw) - len(raw.lstrip())
    if ".." not in text:
        return _period(query, text, pos)
    left, right = text.split("..", 1)
    if not left and not right:
        raise _fail(query, pos, f'Invalid date range "{text}"', _DATE_HINT)
    start = _period(query, left, pos)[0] if left else None
    end = _period(query, right, pos + len(left) + 2)[1] if right else None
    if start and end and start > end:
        raise _fail(query, pos, f'Backward date range "{text}"', "; the start is after the end")
    return start, end


def _period(query: str, text: str, pos: int) -> tuple[str, str]:
    """First and last day of a year, a month or a day."""
    match = _DATE.fullmatch(text)
    try:
        if match is None:
            raise ValueError(text)
        year, month, day = match.group(1, 2, 3)
        return period_bounds(int(year), int(month) if month else None, int(day) if day else None)
    except ValueError:
        raise _fail(query, pos, f'Invalid date "{text}"', _DATE_HINT) from None


def period_bounds(year: int, month: int | None, day: int | None) -> tuple[str, str]:
    """ISO first and last day of the period (``ValueError`` if it is no real date)."""
    if month is None:
        first, last = date(year, 1, 1), date(year, 12, 31)
    elif day is None:
        first = date(year, month, 1)
        last = first.replace(day=calendar.monthrange(year, month)[1])
    else:
        first = last = date(year, month, day)
    return first.isoformat(), last.isoformat()


def _short_period(start: str | None, end: str | None) -> str | None:
    """``2009`` or ``2009-01`` when the range is exactly that year or month."""
    if start is None or end is None:
        return None
    for period in (start[:4], start[:7], start):
        if _DATE.fullmatch(period) and _bounds_of(period) == (start, end):
            return period
    return None


def _bounds_of(period: str) -> tuple[str, str]:
    year, month, day = (int(p) for p in [*period.split("-"), "0", "0"][:3])
    return period_bounds(year, month or None, day or None)


def _short_start(start: str) -> str:
    return start[:4] if start.endswith("-01-01") else start[:7] if start.endswith("-01") else start


def _short_end(end: str) -> str:
    if end.endswith("-12-31"):
        return end[:4]
    return end[:7] if _bounds_of(end[:7])[1] == end else end


# --- back to query text ------------------------------------------------------


def format_query(node: Node) -> str:
    """Query text that parses back to ``node`` (the canonical spelling)."""
    match node:
        case Text(words, prefix, where):
            term = _format_words(words, prefix)
            return f"subject:{term}" if where == "subject" else term
        case Field(name, value, prefix):
            return f"{name}:{_format_value(value, prefix)}"
        case DateRange(start, end):
            return "date:" + _format_dates(start, end)
        case And(items):
            return " AND ".join(_grouped(item, (And, Or)) for item in items)
        case Or(items):
            return " OR ".join(_grouped(item, (Or,)) for item in items)
        case Not(item):
            return "NOT " + _grouped(item, (And, Or))
    raise TypeError(f"not a query node: {node!r}")


def _grouped(node: Node, needs_parens: tuple[type, ...]) -> str:
    text = format_query(node)
    return f"({text})" if isinstance(node, needs_parens) else text


def _format_words(words: tuple[str, ...], prefix: bool) -> str:
    star = "*" if prefix else ""
    return f"{words[0]}{star}" if len(words) == 1 else f'"{" ".join(words)}"{star}'


def _format_value(value: str, prefix: bool) -> str:
    star = "*" if prefix else ""
    plain = value and not any(c.isspace() or c in _STOP or c == "*" for c in value)
    return f"{value}{star}" if plain else f'"{value}"{star}'


def _format_dates(start: str | None, end: str | None) -> str:
    single = _short_period(start, end)
    if single:
        return single
    left = _short_start(start) if start else ""
    right = _short_end(end) if end else ""
    return f"{left}..{right}"


# --- in plain English ----------------------------------------------------------

_FIELD_PHRASES = {
    "id": "with id {}",
    "from": "from {}",
    "to": "addressed to {}",
    "tag": "tagged {}",
    "class": "classified {}",
    "caveat": "marked {}",
    "ref": "citing {}",
    "citedby": "cited by {}",
    "refkind": "citing a cable {}",
}


def describe(node: Node) -> str:
    """The query as one sentence: ``cables with the word "embassy" and tagged PREL``."""
    return "cables " + _describe(node)


def _describe(node: Node) -> str:
    match node:
        case Text():
            return "with " + _describe_text(node)
        case Field(name, value, prefix):
            if prefix:
                return f"with an id starting with {value}"
            if name == "refkind":
                value = "in the text" if value == "MENTION" else "on the REF line"
            return _FIELD_PHRASES[name].format(value)
        case DateRange(start, end):
            return _describe_dates(start, end)
        case And(items):
            return " and ".join(_described_group(item) for item in items)
        case Or(items):
            return " or ".join(_described_group(item) for item in items)
        case Not(Text() as text):
            return "without " + _describe_text(text)
        case Not(item):
            return "not " + _described_group(item)
    raise TypeError(f"not a query node: {node!r}")


def _described_group(node: Node) -> str:
    text = _describe(node)
    return f"({text})" if isinstance(node, And | Or) else text


def _describe_text(node: Text) -> str:
    phrase = " ".join(node.words)
    if len(node.words) == 1:
        what = f'a word starting with "{phrase}"' if node.prefix else f'the word "{phrase}"'
    else:
        what = f'a phrase starting "{phrase}"' if node.prefix else f'the phrase "{phrase}"'
    return what + (" in the subject" if node.field == "subject" else "")


def _describe_dates(start: str | None, end: str | None) -> str:
    if start and end:
        return f"dated {start}" if start == end else f"dated {start} to {end}"
    if start:
        return f"dated {start} or later"
    return f"dated {end} or earlier"
