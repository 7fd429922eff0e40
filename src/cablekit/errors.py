"""Every error cablekit raises, in one tree.

::

    CablekitError                 base; ``exit_code`` for the CLI
    ├── InputError                a path or stream cannot be read
    │   ├── MissingInput          the path does not exist
    │   ├── UnreadableInput       permission, I/O error, truncated or corrupt archive
    │   ├── UnknownFormat         the format cannot be detected or is not supported
    │   └── MissingDependency     reading the input needs an optional package or program
    ├── NotACable                 the input was read but holds no cable
    ├── QuerySyntaxError          a search query cannot be read (``position``, ``query``)
    ├── ParserFailure             the parser itself failed on an input (a bug, reported)
    ├── DraftError                a draft cannot be read (malformed YAML/JSON, wrong shape)
    │   └── DraftInvalid          a draft breaks the rules of the format; ``problems`` lists all
    ├── BadDate                   a date given as an argument is not YYYY-MM-DD
    ├── OutputUnwritable          the file an export, graph or plot should go to cannot be made
    ├── PortInUse                 ``serve`` cannot listen on the address given
    ├── AccessError               access control refuses or cannot proceed
    │   ├── ReaderRequired        the archive has users and no reader was named
    │   ├── UnknownUser           no user or group with that name
    │   ├── PrincipalExists       a user or group with that name already exists
    │   ├── AmbiguousParagraph    a review names a paragraph number two paragraphs share
    │   ├── TooManyAttempts       too many failed sign-ins (``retry_after`` seconds)
    │   └── AdministratorRequired an administrative command without an administrator
    └── ArchiveError              the archive cannot be opened, read or written
        ├── MissingArchive        no archive at the path given
        ├── NotAnArchive          the file is not a cablekit archive (or is damaged)
        ├── DamagedArchive        a stored record, text or source cannot be decoded
        ├── ArchiveUnwritable     read-only location, full disk, or locked too long
        ├── AuditKeyProblem       the audit log's key is missing, exposed, unreadable or wrong
        ├── RecordUnreachable     the PostgreSQL archive cannot be reached (or lost mid-way)
        ├── IndexBehind           a search node's index lags the record (beyond its bound,
        │                         or behind a change that narrows access): it answers nothing
        └── UnknownCable          no cable (or version) with that id in the archive
                                  (or none the reader may see: the two are not told apart)

Parser defects are not exceptions: they are ``ParseWarning`` records on
``Cable.warnings``. The CLI turns these errors into one plain sentence.
"""

from __future__ import annotations


class CablekitError(Exception):
    """Base class. ``str(error)`` is a plain sentence fit for a user; ``place`` the input
    it is about, when a reader refused one (what ``cablekit errors`` lists it under)."""

    exit_code = 1
    place = ""


class InputError(CablekitError):
    exit_code = 2


class MissingInput(InputError):
    pass


class UnreadableInput(InputError):
    pass


class UnknownFormat(InputError):
    pass


class MissingDependency(InputError):
    """An optional extra (``cablekit[pdf]``) or program (Tesseract) is not installed."""


class NotACable(CablekitError):
    exit_code = 3


class ParserFailure(CablekitError):
    """The parser itself failed on an input: a bug, reported with the input and skipped."""

    exit_code = 4


class ArchiveError(CablekitError):
    exit_code = 2


class MissingArchive(ArchiveError):
    pass


class NotAnArchive(ArchiveError):
    pass


class DamagedArchive(ArchiveError):
    """Something the archive stored (a version's record, text or source) cannot be
    decoded: the file was damaged after it was written."""


class ArchiveUnwritable(ArchiveError):
    pass


class RecordUnreachable(ArchiveError):
    """The PostgreSQL archive cannot be reached, or the connection was lost mid-way (a
    failover): nothing was read or written by the operation."""


class IndexBehind(ArchiveError):
    """A search node's index is behind the record beyond the bound it states, or behind
    a change that narrows what readers may see: it answers nothing until it catches up."""


class AuditKeyProblem(ArchiveError):
    """The key of the audit log cannot be used: nothing is read without a log entry."""


class UnknownCable(ArchiveError):
    exit_code = 1


class BadDate(CablekitError):
    exit_code = 2


class OutputUnwritable(CablekitError):
    exit_code = 2


class PortInUse(CablekitError):
    exit_code = 1


class AccessError(CablekitError):
    exit_code = 6


class ReaderRequired(AccessError):
    pass


class UnknownUser(AccessError):
    pass


class PrincipalExists(AccessError):
    pass


class AmbiguousParagraph(AccessError):
    pass


class TooManyAttempts(AccessError):
    """Too many failed sign-ins from this address (for this account, or for any):
    refused for ``retry_after`` more seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many failed sign-ins: try again in {retry_after} seconds")
        self.retry_after = retry_after


class AdministratorRequired(AccessError):
    pass


class QuerySyntaxError(CablekitError):
    """A search query that cannot be read, with the 0-based character ``position`` at fault.

    ``str(error)`` is one sentence naming the problem and the position;
    ``pointer()`` gives the query and a caret line under the position, for the CLI.
    """

    exit_code = 2

    def __init__(self, message: str, position: int, query: str) -> None:
        super().__init__(message)
        self.position = position
        self.query = query

    def pointer(self) -> str:
        """The query on one line and a ``^`` under the position on the next."""
        # Each whitespace character (newline, tab) becomes one space: one line, and
        # the caret stays under the same character.
        line = "".join(" " if c.isspace() else c for c in self.query)
        return f"{line}\n{' ' * min(self.position, len(line))}^"


class DraftError(CablekitError):
    """A draft file cannot be read: malformed YAML or JSON, or a field of the wrong shape."""

    exit_code = 5


class DraftInvalid(DraftError):
    """A draft breaks the rules of the format. ``problems`` holds one sentence per problem,
    each naming the field (and its line in a YAML draft); ``str()`` is the first."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(problems[0] if problems else "The draft is not valid")
        self.problems = problems
