"""cablekit: parse, archive, search, secure and compose diplomatic cables.

The map, following the data one way (sources -> parser -> model -> store -> search):

- ``sources``        readers: raw telegrams, scraped pages, WikiLeaks pages, cables.csv,
                     JSON lines, directories and archives -> ``RawCable``
- ``parser``         the parser stages (normalise, envelope, markers, text header, body,
                     derive, validate) -> ``Cable``
- ``tables``         packaged reference tables (routing indicators, stations, TAGS, ids)
- ``model``          the record: frozen dataclasses with one JSON form
- ``schema``         the record's JSON Schema, generated from the model
- ``errors``         every exception cablekit raises
- ``api``            ``parse`` and ``read``, the Python entry points
- ``pipeline``       parse many inputs, in parallel, in flat memory
- ``markings``       classification levels and portion markings
- ``store``          the SQLite archive: tables, rows, batch writer, ingest
- ``search``         query language, SQL compiler, engine, graph, export, stats
- ``archive``        ``Archive``, the archive's Python API
- ``compose``        drafts, validation, the canonical telegram renderer
- ``plot``, ``textdiff``   charts and word-level diffs
- ``textview``, ``coverage_report``, ``cli``   the command line
"""

import importlib
from typing import TYPE_CHECKING, Any

from .errors import (
    CablekitError,
    InputError,
    MissingInput,
    NotACable,
    UnknownFormat,
    UnreadableInput,
)

if TYPE_CHECKING:
    from .api import parse, read
    from .archive import Archive
    from .model import Cable, ParseWarning

__all__ = [
    "Archive",
    "Cable",
    "CablekitError",
    "InputError",
    "MissingInput",
    "NotACable",
    "ParseWarning",
    "UnknownFormat",
    "UnreadableInput",
    "parse",
    "read",
]

# Imported on first use, so that ``import cablekit`` (and the command line, a
# subpackage) stays light: the parser, the archive and the search engine load when
# they are wanted.
_LAZY = {
    "Archive": "archive",
    "Cable": "model",
    "ParseWarning": "model",
    "parse": "api",
    "read": "api",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'cablekit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
