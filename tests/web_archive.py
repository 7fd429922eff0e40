"""Archives for the web tests: the sample archive, public or with readers and tokens.

Both are private copies of the session's sample archive (``sample_archive_file`` in
``conftest.py``: the older versions, then every bundled cable), so a test may sign in,
add users or write the session key without touching the archive other tests read. On
PostgreSQL (``backend``) a copy is a database built the same way, and the readers are
written to the record.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cablekit.access import principals
from cablekit.archive import Archive

# 09OTTAWA278 (CONFIDENTIAL, NOFORN) declassifies itself on 2019-04-07 and
# 10DAMASCUS159 (SECRET, paragraphs 1-17 S/NF) on 2020-02-24: before both.
BEFORE_DECL = date(2015, 6, 1)
PASSWORDS = {"liaison": "maple-leaf-liaison", "officer": "eagle-officer"}


@dataclass(frozen=True)
class Readers:
    """An archive with two readers of SECRET clearance and a grant on every
    collection: ``liaison`` is Canadian, ``officer`` a US citizen."""

    target: str  # the archive file, or the URL of a PostgreSQL record
    tokens: dict[str, str]

    @property
    def path(self) -> Path:
        """The archive file (of an archive on SQLite)."""
        return Path(self.target)

    def bearer(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[name]}"}


def copy_archive(source: Path, path: Path) -> Path:
    """A private copy of an archive (with no users, everyone may read it)."""
    shutil.copy(source, path)
    return path


ADMIN = "keeper"  # administers the archive (users, passwords, tokens); reads nothing


def add_readers(path: str | Path) -> Readers:
    """Give the archive the two readers, their passwords and a token each."""
    tokens = {}
    with Archive(path) as archive:
        store = archive.record  # the archive file, or the PostgreSQL record
        principals.add(store, ADMIN, citizenship="USA", admin=True)  # reads nothing
        for name, citizenship in (("liaison", "CAN"), ("officer", "USA")):
            principals.add(
                store,
                name,
                clearance="SECRET",
                citizenship=citizenship,
                password=PASSWORDS[name],
            )
            principals.grant(store, name, collections=["*"])
            tokens[name] = principals.new_token(store, name, label="tests")
    return Readers(str(path), tokens)
