"""The query language (search.query) and the one tokenizer (search.text).

Examples first (valid queries, their AST, canonical text and sentence; every error
with its exact message and position), then properties: tokens() equals SQLite
FTS5's unicode61 tokenizer, format_query() inverts parse_query(), and no input
makes the parser raise anything but QuerySyntaxError.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from collections.abc import Iterator
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cablekit.errors import CablekitError, QuerySyntaxError
from cablekit.model import CLASSIFICATIONS
from cablekit.search import (
    And,
    DateRange,
    Field,
    Node,
    Not,
    Or,
    Text,
    describe,
    format_query,
    parse_query,
    tokens,
)
from cablekit.search.query import FIELD_NAMES, REF_KINDS, name_words, normalise_value

# --- tokens() ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Embassy OTTAWA", ["embassy", "ottawa"]),
        ("U.S.-Canada", ["u", "s", "canada"]),
        ("snake_case", ["snake", "case"]),  # the underscore separates in unicode61
        ("Café Ñandú Øresund", ["cafe", "nandu", "øresund"]),
        ("cafe\u0301s", ["cafes"]),  # a combining acute FTS5 keeps in the word, then drops
        ("People’s “reform”", ["people", "s", "reform"]),
        ("1.4(b) 25X1", ["1", "4", "b", "25x1"]),
        ("ΑΘΗΝΑ Москва 北京", ["αθηνα", "москва", "北京"]),
        ("Straße İstanbul", ["straße", "istanbul"]),
        ("", []),
        ("-- ** !!", []),
    ],
)
def test_tokens_examples(text: str, expected: list[str]) -> None:
    assert tokens(text) == expected


@pytest.fixture(scope="module")
def fts() -> Iterator[sqlite3.Connection]:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='unicode61 remove_diacritics 2')")
    db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
    yield db
    db.close()


def fts5_tokens(db: sqlite3.Connection, text: str) -> list[str]:
    db.execute("DELETE FROM t")
    db.execute("INSERT INTO t(rowid, x) VALUES (1, ?)", (text,))
    return [term for (term,) in db.execute("SELECT term FROM v ORDER BY offset")]


def unicode_3_2(char: str) -> bool:
    """Characters SQLite's Unicode tables and Python's classify alike (see search.text)."""
    return unicodedata.ucd_3_2_0.category(char) not in ("Cn", "Cs")


def test_tokens_agree_with_fts5_on_every_unicode_3_2_character(fts: sqlite3.Connection) -> None:
    # Planes 0-2 and 14 whole; of the private-use planes 15-16, their edges.
    planes = [range(0x30000), range(0xE0000, 0xE1000), range(0xF0000, 0xF0100)]
    planes += [range(0x10FF00, 0x110000)]
    chars = [chr(c) for plane in planes for c in plane if unicode_3_2(chr(c))]
    fts.execute("DELETE FROM t")
    fts.executemany("INSERT INTO t(rowid, x) VALUES (?, ?)", ((ord(c), f"x{c}x") for c in chars))
    got: dict[int, list[str]] = {}
    for term, doc in fts.execute("SELECT term, doc FROM v ORDER BY doc, offset"):
        got.setdefault(doc, []).append(term)
    differ = [c for c in chars if got.get(ord(c), []) != tokens(f"x{c}x")]
    assert differ == [], [(hex(ord(c)), got.get(ord(c)), tokens(f"x{c}x")) for c in differ[:10]]


# Mostly ASCII and Latin text, the cables' own, with any character of Unicode 3.2 mixed in.
cable_text = st.text(
    alphabet=st.one_of(
        st.sampled_from("abcXYZ019 _-.'’\"*()/:,\n\t"),
        st.characters(max_codepoint=0x24F),
        st.characters(codec="utf-8").filter(unicode_3_2),
    ),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(cable_text)
def test_tokens_equal_fts5(text: str) -> None:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='unicode61 remove_diacritics 2')")
    db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
    words = tokens(text)
    assert fts5_tokens(db, text) == words
    for word in words:  # each word, as a one-word phrase query, finds the text
        found = db.execute("SELECT rowid FROM t WHERE t MATCH ?", (f'"{word}"',)).fetchall()
        assert found == [(1,)], word
    db.close()


@given(cable_text)
def test_tokens_are_stable(text: str) -> None:
    words = tokens(text)
    assert tokens(" ".join(words)) == words


# --- valid queries -------------------------------------------------------------


def w(*words: str, prefix: bool = False, field: str = "text") -> Text:
    assert field in ("text", "subject")
    return Text(tuple(words), prefix, "subject" if field == "subject" else "text")


PREL = Field("tag", "PREL", False)

VALID: list[tuple[str, Node]] = [
    ("embassy", w("embassy")),
    ("Embassy", w("embassy")),
    ('"nuclear program"', w("nuclear", "program")),
    ("nuclea*", w("nuclea", prefix=True)),
    ('"nuclear prog"*', w("nuclear", "prog", prefix=True)),
    ('"nuclear prog*"', w("nuclear", "prog", prefix=True)),
    ("U.S.-Canada", w("u", "s", "canada")),
    ("“curly quotes”", w("curly", "quotes")),
    ("a b", And((w("a"), w("b")))),
    ("a AND b", And((w("a"), w("b")))),
    ("a and b", And((w("a"), w("and"), w("b")))),  # lower-case keywords are words
    ("a OR b", Or((w("a"), w("b")))),
    ("NOT a", Not(w("a"))),
    ("-a", Not(w("a"))),
    ('-"a b"', Not(w("a", "b"))),
    ("-(a OR b)", Not(Or((w("a"), w("b"))))),
    ("a -b", And((w("a"), Not(w("b"))))),
    ("NOT a b OR c", Or((And((Not(w("a")), w("b"))), w("c")))),
    ("a OR b c", Or((w("a"), And((w("b"), w("c")))))),
    ("(a OR b) c", And((Or((w("a"), w("b"))), w("c")))),
    ("(a b) c", And((And((w("a"), w("b"))), w("c")))),
    ("((a))", w("a")),
    ("NOT NOT a", Not(Not(w("a")))),
    ("tag:PREL", PREL),
    ("TAG:prel", PREL),
    ('tag:"OVIP (CLINTON,   HILLARY)"', Field("tag", "OVIP (CLINTON, HILLARY)", False)),
    ("(tag:PREL)", PREL),
    ("id:09ottawa278", Field("id", "09OTTAWA278", False)),
    ("id:09OTTAWA*", Field("id", "09OTTAWA", True)),
    ("from:ottawa", Field("from", "OTTAWA", False)),
    ('from:"AMEMBASSY  OTTAWA"', Field("from", "AMEMBASSY OTTAWA", False)),
    ('to:"SECSTATE WASHDC"', Field("to", "SECSTATE WASHDC", False)),
    ("to:EUR/WE", Field("to", "EUR/WE", False)),
    ("class:C", Field("class", "CONFIDENTIAL", False)),
    ("class:lou", Field("class", "LIMITED OFFICIAL USE", False)),
    ('class:"limited official use"', Field("class", "LIMITED OFFICIAL USE", False)),
    ("class:SBU", Field("class", "SENSITIVE BUT UNCLASSIFIED", False)),
    ("class:U", Field("class", "UNCLASSIFIED", False)),
    ("class:S", Field("class", "SECRET", False)),
    ('class:"top secret"', Field("class", "TOP SECRET", False)),
    ("class:TS", Field("class", "TOP SECRET", False)),
    ("caveat:noforn", Field("caveat", "NOFORN", False)),
    ('caveat:"REL TO"', Field("caveat", "REL TO", False)),
    ("ref:09OTTAWA8", Field("ref", "09OTTAWA8", False)),
    ("cites:09OTTAWA8", Field("ref", "09OTTAWA8", False)),
    ('cites:"09 OTTAWA 8"', Field("ref", "09OTTAWA8", False)),
    ("citedby:09ottawa278", Field("citedby", "09OTTAWA278", False)),
    ("subject:russia", w("russia", field="subject")),
    ('subject:"calibrated re-engagement"', w("calibrated", "re", "engagement", field="subject")),
    ("subject:russ*", w("russ", prefix=True, field="subject")),
    ("date:2009", DateRange("2009-01-01", "2009-12-31")),
    ("date:2009-02", DateRange("2009-02-01", "2009-02-28")),
    ("date:2008-02", DateRange("2008-02-01", "2008-02-29")),
    ("date:2009-01-15", DateRange("2009-01-15", "2009-01-15")),
    ("date:2009-01..2009-06", DateRange("2009-01-01", "2009-06-30")),
    ("date:2009..", DateRange("2009-01-01", None)),
    ("date:..2009-06", DateRange(None, "2009-06-30")),
    ('date:"2009-01-15..2009-02"', DateRange("2009-01-15", "2009-02-28")),
    (
        "embassy tag:PREL date:2009-01..2009-06",
        And((w("embassy"), PREL, DateRange("2009-01-01", "2009-06-30"))),
    ),
    ("12:30", w("12", "30")),  # not a field name: a phrase
    ("a\tOR\nb", Or((w("a"), w("b")))),
]


@pytest.mark.parametrize(("query", "expected"), VALID)
def test_parse(query: str, expected: Node) -> None:
    assert parse_query(query) == expected


@pytest.mark.parametrize(("query", "expected"), VALID)
def test_canonical_text_parses_back(query: str, expected: Node) -> None:
    text = format_query(expected)
    assert parse_query(text) == expected
    assert format_query(parse_query(text)) == text


def test_positions() -> None:
    node = parse_query('embassy  -tag:PREL OR (date:2009 "a b")')
    assert isinstance(node, Or)
    left, right = node.items
    assert isinstance(left, And) and isinstance(right, And)
    assert [left.pos, left.items[0].pos, left.items[1].pos] == [0, 0, 9]
    assert isinstance(left.items[1], Not) and left.items[1].item.pos == 10
    assert [right.pos, right.items[0].pos, right.items[1].pos] == [23, 23, 33]


def test_positions_do_not_change_equality() -> None:
    assert Text(("a",), False, "text", 5) == Text(("a",), False, "text", 0)
    assert hash(Field("tag", "PREL", False, 3)) == hash(PREL)


@pytest.mark.parametrize(
    ("node", "text"),
    [
        (And((w("embassy"), PREL)), "embassy AND tag:PREL"),
        (w("nuclear", "prog", prefix=True), '"nuclear prog"*'),
        (w("u", "s", field="subject"), 'subject:"u s"'),
        (Field("to", "SECSTATE WASHDC", False), 'to:"SECSTATE WASHDC"'),
        (Field("tag", "OVIP (CLINTON, HILLARY)", False), 'tag:"OVIP (CLINTON, HILLARY)"'),
        (Field("class", "LIMITED OFFICIAL USE", False), 'class:"LIMITED OFFICIAL USE"'),
        (Field("id", "09OTTAWA", True), "id:09OTTAWA*"),
        (DateRange("2009-01-01", "2009-12-31"), "date:2009"),
        (DateRange("2009-02-01", "2009-02-28"), "date:2009-02"),
        (DateRange("2009-02-01", "2009-02-27"), "date:2009-02..2009-02-27"),
        (DateRange("2009-01-01", "2009-06-30"), "date:2009..2009-06"),
        (DateRange("2009-01-02", None), "date:2009-01-02.."),
        (DateRange(None, "2009-12-31"), "date:..2009"),
        (Or((And((w("a"), w("b"))), w("c"))), "a AND b OR c"),
        (And((Or((w("a"), w("b"))), w("c"))), "(a OR b) AND c"),
        (Or((Or((w("a"), w("b"))), w("c"))), "(a OR b) OR c"),
        (Not(And((w("a"), w("b")))), "NOT (a AND b)"),
        (Not(Not(w("a"))), "NOT NOT a"),
    ],
)
def test_format_query(node: Node, text: str) -> None:
    assert format_query(node) == text


@pytest.mark.parametrize(
    ("query", "sentence"),
    [
        (
            "embassy tag:PREL date:2009-01..2009-06",
            'cables with the word "embassy" and tagged PREL and dated 2009-01-01 to 2009-06-30',
        ),
        (
            '"nuclear program" OR nuclea*',
            'cables with the phrase "nuclear program" or with a word starting with "nuclea"',
        ),
        ('subject:"nuclear prog"*', 'cables with a phrase starting "nuclear prog" in the subject'),
        ("-embassy -tag:PREL", 'cables without the word "embassy" and not tagged PREL'),
        ("NOT (a OR b)", 'cables not (with the word "a" or with the word "b")'),
        ("from:OTTAWA to:RUEHMO", "cables from OTTAWA and addressed to RUEHMO"),
        ("class:c caveat:noforn", "cables classified CONFIDENTIAL and marked NOFORN"),
        (
            "id:09OTTAWA* cites:09MOSCOW833",
            "cables with an id starting with 09OTTAWA and citing 09MOSCOW833",
        ),
        ("citedby:09OTTAWA278 id:09OTTAWA8", "cables cited by 09OTTAWA278 and with id 09OTTAWA8"),
        ("date:2009-01-15", "cables dated 2009-01-15"),
        ("date:2009..", "cables dated 2009-01-01 or later"),
        ("date:..2009", "cables dated 2009-12-31 or earlier"),
    ],
)
def test_describe(query: str, sentence: str) -> None:
    assert describe(parse_query(query)) == sentence


# --- malformed queries -------------------------------------------------------------

DATE_HINT = "; write YYYY, YYYY-MM or YYYY-MM-DD, or a range such as 2009-01..2009-06"
FIELDS = "id, from, to, tag, class, caveat, subject, date, ref, cites, citedby, refkind"
CLASS_HINT = "; use U, SBU, LOU, C, S, TS or a full name such as CONFIDENTIAL"


@pytest.mark.parametrize(
    ("query", "message", "position"),
    [
        ("", "Empty query at position 0", 0),
        ("   ", "Empty query at position 0", 0),
        ("(tag:PREL", 'Unbalanced parenthesis at position 0: "(tag:PREL" is never closed', 0),
        (
            "embassy (tag:PREL OR (a)",
            'Unbalanced parenthesis at position 8: "(tag:PREL OR (a)" is never closed',
            8,
        ),
        ("tag:PREL)", 'Unbalanced parenthesis at position 8: "tag:PREL)" closes nothing', 8),
        (")", 'Unbalanced parenthesis at position 0: ")" closes nothing', 0),
        ("()", "Empty parentheses at position 0", 0),
        ('"nuclear program', "Unterminated quote at position 0", 0),
        ('to:"SECSTATE WASHDC', "Unterminated quote at position 3", 3),
        ("form:OTTAWA", 'Unknown field "form" at position 0; did you mean "from"?', 0),
        ("a Tags:PREL", 'Unknown field "Tags" at position 2; did you mean "tag"?', 2),
        ("xyz:1", f'Unknown field "xyz" at position 0; the fields are {FIELDS}', 0),
        ("tag:PREL AND", "Missing operand after AND at position 9", 9),
        ("a OR", "Missing operand after OR at position 2", 2),
        ("a OR OR b", "Missing operand after OR at position 2", 2),
        ("a AND )", "Missing operand after AND at position 2", 2),
        ("NOT", "Missing operand after NOT at position 0", 0),
        ("a NOT", "Missing operand after NOT at position 2", 2),
        ("-AND b", "Missing operand after the minus sign at position 0", 0),
        ("AND a", "Missing operand before AND at position 0", 0),
        ("(OR a)", "Missing operand before OR at position 1", 1),
        ("date:2009-13", f'Invalid date "2009-13" at position 5{DATE_HINT}', 5),
        ("date:2009-02-29", f'Invalid date "2009-02-29" at position 5{DATE_HINT}', 5),
        ("date:09", f'Invalid date "09" at position 5{DATE_HINT}', 5),
        ("date:2009..june", f'Invalid date "june" at position 11{DATE_HINT}', 11),
        ("date:..", f'Invalid date range ".." at position 5{DATE_HINT}', 5),
        (
            "date:2010..2009",
            'Backward date range "2010..2009" at position 5; the start is after the end',
            5,
        ),
        ("tag:", 'Empty value for "tag:" at position 4', 4),
        ("tag: PREL", 'Empty value for "tag:" at position 4', 4),
        ('to:""', 'Empty value for "to:" at position 3', 3),
        ("(from:)", 'Empty value for "from:" at position 6', 6),
        ("to:/", 'Empty value for "to:" at position 3', 3),
        (
            "class:SEKRET",
            'Unknown classification "SEKRET" at position 6; did you mean "SECRET"?',
            6,
        ),
        ("class:public", f'Unknown classification "public" at position 6{CLASS_HINT}', 6),
        (
            "tag:PR*",
            'Prefix search with "*" is not available for "tag:" at position 4; '
            "only words, phrases and id: take one",
            4,
        ),
        ("a ***", 'No searchable characters in "***" at position 2', 2),
        ("a - b", 'No searchable characters in "-" at position 2', 2),
        ('"..."', 'No searchable characters in "..." at position 0', 0),
        ("subject:--", 'No searchable characters in "--" at position 0', 0),
    ],
)
def test_errors(query: str, message: str, position: int) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        parse_query(query)
    error = caught.value
    assert (str(error), error.position, error.query) == (message, position, query)


def test_error_is_a_cablekit_error_with_a_pointer() -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        parse_query("embassy\t(tag:PREL")
    error = caught.value
    assert isinstance(error, CablekitError) and error.exit_code == 2
    assert error.pointer() == "embassy (tag:PREL\n        ^"


def test_pointer_at_the_end() -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        parse_query("tag:")
    assert caught.value.pointer() == "tag:\n    ^"


# --- properties --------------------------------------------------------------------

single_word = (
    st.one_of(
        st.from_regex(r"[a-z0-9]{1,8}", fullmatch=True),
        st.text(st.characters(categories=["Lu", "Ll", "Lo", "Nd"]), min_size=1, max_size=6),
    )
    .map(lambda s: tokens(s)[0] if tokens(s) else "x")
    .filter(lambda word: tokens(word) == [word])
)
text_nodes = st.builds(
    Text,
    st.lists(single_word, min_size=1, max_size=3).map(tuple),
    st.booleans(),
    st.sampled_from(["text", "subject"]),
)
plain_value = st.text(
    st.characters(codec="utf-8", exclude_characters='"“”'), min_size=1, max_size=12
).filter(lambda v: not v.rstrip().endswith("*"))


@st.composite
def field_nodes(draw: st.DrawFn) -> Field:
    name = draw(st.sampled_from(FIELD_NAMES))
    if name == "class":
        return Field(name, draw(st.sampled_from(CLASSIFICATIONS)), False)
    if name == "refkind":
        return Field(name, draw(st.sampled_from(REF_KINDS)), False)
    if name in ("id", "ref", "citedby"):
        value = draw(st.from_regex(r"[0-9]{2}[A-Z]{2,10}[0-9]{1,5}", fullmatch=True))
        return Field(name, value, name == "id" and draw(st.booleans()))
    value = normalise_value(name, draw(plain_value))
    ok = value if name not in ("from", "to") else name_words(value)
    return Field(name, draw(st.just(value).filter(lambda _: bool(ok))), False)


@st.composite
def date_nodes(draw: st.DrawFn) -> DateRange:
    days = st.dates(min_value=date(1000, 1, 1)).map(date.isoformat)
    start, end = draw(st.one_of(st.none(), days)), draw(st.one_of(st.none(), days))
    if start is None and end is None:
        start = draw(days)
    if start and end and start > end:
        start, end = end, start
    return DateRange(start, end)


leaves = st.one_of(text_nodes, field_nodes(), date_nodes())
nodes = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, min_size=2, max_size=3).map(lambda items: And(tuple(items))),
        st.lists(children, min_size=2, max_size=3).map(lambda items: Or(tuple(items))),
        children.map(Not),
    ),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None)  # generating nested ASTs is the slow part
@given(nodes)
def test_format_then_parse_gives_the_same_ast(node: Node) -> None:
    text = format_query(node)
    assert parse_query(text) == node
    assert describe(node).startswith("cables ")


query_pieces = st.sampled_from(
    [
        *["(", ")", " AND ", " OR ", "NOT ", "-", '"', "“", "”", "*", ":", "..", " ", "\n"],
        *["tag:", "date:", "class:", "subject:", "to:", "from:", "id:", "form:", "citedby:"],
        *["PREL", "2009", "2009-01", "09OTTAWA", "embassy", "C", "ü", "_", "12:30"],
    ]
)


@settings(max_examples=500)
@given(st.one_of(st.text(), st.lists(query_pieces, max_size=12).map("".join)))
def test_any_text_parses_or_raises_query_syntax_error(text: str) -> None:
    try:
        node = parse_query(text)
    except QuerySyntaxError as error:
        assert 0 <= error.position <= len(text)
        assert error.query == text
        assert str(error).count(" at position ") >= 1
        return
    assert parse_query(format_query(node)) == node
