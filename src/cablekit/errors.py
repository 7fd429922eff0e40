"""Every error cablekit raises, in one tree.

::

    CablekitError                 base; ``exit_code`` for the CLI
    ├── InputError                a path or stream cannot be read
    │   ├── MissingInput          the path does not exist
    │   ├── UnreadableInput       permission, I/O error, truncated or corrupt archive
    │   └── UnknownFormat         the format cannot be detected or is not supported
    ├── NotACable                 the input was read but holds no cable
    └── ParserFailure             the parser itself failed on an input (a bug, reported)

Parser defects are not exceptions: they are ``ParseWarning`` records on
``Cable.warnings``. The CLI turns these errors into one plain sentence.
"""

from __future__ import annotations


class CablekitError(Exception):
    """Base class. ``str(error)`` is a plain sentence fit for a user."""

    exit_code = 1


class InputError(CablekitError):
    exit_code = 2


class MissingInput(InputError):
    pass


class UnreadableInput(InputError):
    pass


class UnknownFormat(InputError):
    pass


class NotACable(CablekitError):
    exit_code = 3


class ParserFailure(CablekitError):
    """The parser itself failed on an input: a bug, reported with the input and skipped."""

    exit_code = 4
