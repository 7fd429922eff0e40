"""The archive's storage: one SQLite file (``SQLiteStore``), or the PostgreSQL record
(``postgres.PostgresRecord``) with a SQLite index per search node (``replica``).

Search and the CLI talk to the store through its methods (``write_batch``, ``get``,
``versions``, ``query`` ...), which both offer for what they hold (``shared.Shared``).
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
