"""The archive's storage: SQLite today, behind the narrow interface of ``SQLiteStore``.

Search and the CLI talk to the store through its methods (``write_batch``,
``get``, ``versions``, ``query`` ...); a server database would offer the same.
"""

from .rows import Prepared, prepare
from .sqlite import BatchReport, Failure, SQLiteStore, StoredCable, VersionInfo

__all__ = [
    "BatchReport",
    "Failure",
    "Prepared",
    "SQLiteStore",
    "StoredCable",
    "VersionInfo",
    "prepare",
]
