"""Search: the query language and the one definition of a word.

- ``text``   ``tokens()``: how text splits into words (equal to SQLite FTS5's
             ``unicode61 remove_diacritics 2``), for the index and for queries
- ``query``  ``parse_query()`` text -> AST, ``format_query()`` AST -> text,
             ``describe()`` AST -> an English sentence; no SQL
- ``sql``    the AST compiled to SQL over the archive's tables
- ``engine`` running a search: matches, ranking, paging, snippets, facets

The language is documented in ``docs/query-language.md``.
"""

from .query import (
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
)
from .text import tokens

__all__ = [
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
    "tokens",
]
