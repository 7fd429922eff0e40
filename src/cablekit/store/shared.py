"""What the access modules need of the archive's shared state, on either store.

Sessions, sign-in limits, principals, reviews and the audit log are written where the
archive's one truth is: the SQLite file on one machine, the PostgreSQL record across
many. Both offer this, and take the same statements (``store.postgres.adapt``).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

from .sqlite import Failure, StoredCable, VersionInfo


class Shared(Protocol):
    path: str

    @property
    def db(self) -> Any: ...

    def query(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]: ...

    def transaction(self) -> AbstractContextManager[None]: ...

    def lock(self, name: str) -> None: ...

    def reviewed(self, key: int) -> None: ...

    def cable_key(self, cable_id: str) -> int: ...

    def versions(self, cable_id: str) -> list[VersionInfo]: ...

    def get(self, cable_id: str, version: int | None = None) -> StoredCable: ...

    def failures(self) -> list[Failure]: ...
