"""cablekit: parse, archive, search, secure and compose diplomatic cables.

The map, following the data one way (sources -> parser -> model):

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
- ``textview``, ``coverage_report``, ``cli``   the command line
"""

from .api import parse, read
from .errors import (
    CablekitError,
    InputError,
    MissingInput,
    NotACable,
    UnknownFormat,
    UnreadableInput,
)
from .model import Cable, ParseWarning

__all__ = [
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
