"""``cablekit index``: a search node's index of a PostgreSQL archive, by hand."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING

import click

from ..errors import ArchiveError
from . import cli
from .archive import db_option

if TYPE_CHECKING:
    from ..store.postgres import PostgresRecord
    from ..store.sqlite import SQLiteStore


@cli.group()
def index() -> None:
    """A search node's index of a PostgreSQL archive: status, sync, rebuild.

    A node (`cablekit serve --db postgresql://... --index PATH`) keeps its index
    current by itself; these commands do it by hand, for the index named by
    --index (or CABLEKIT_INDEX).
    """


def _open(db_path: str) -> tuple[PostgresRecord, SQLiteStore]:
    from ..store.postgres import PostgresRecord, is_url
    from ..store.replica import default_index
    from ..store.sqlite import SQLiteStore

    if not is_url(db_path):
        raise ArchiveError(
            f"{db_path} is a SQLite archive: it is its own index (a node's index follows"
            " a postgresql:// archive)"
        )
    path = default_index(db_path)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    return PostgresRecord(db_path), SQLiteStore(path, create=True)


@index.command()
@db_option
@click.option("--json", "as_json", is_flag=True, help="As one JSON object.")
def status(db_path: str, as_json: bool) -> None:
    """How far the index is behind the record.

    \b
    Examples:
      cablekit index status --db postgresql://cablekit@db/cables --index node1.db
    """
    from ..store.replica import status as index_status

    record, store = _open(db_path)
    with record, store:
        found = index_status(record, store)
    if as_json:
        click.echo(json.dumps(found.to_json()))
        return
    narrowing = "; a change to who may read what is pending" if found.narrowing else ""
    click.echo(
        f"change {found.applied} of {found.head} applied ({found.behind} behind,"
        f" {found.lag_seconds:.1f} s){narrowing}"
    )


@index.command()
@db_option
def sync(db_path: str) -> None:
    """Apply every change the record has committed (builds the index first when new).

    \b
    Examples:
      cablekit index sync --db postgresql://cablekit@db/cables --index node1.db
    """
    from ..store.replica import catch_up

    record, store = _open(db_path)
    with record, store:
        applied = catch_up(record, store)
    click.echo(f"{applied:,} changes applied")


@index.command()
@db_option
def rebuild(db_path: str) -> None:
    """Make the index again from the record (the old file is replaced when done).

    \b
    Examples:
      cablekit index rebuild --db postgresql://cablekit@db/cables --index node1.db
    """
    from ..store.postgres import PostgresRecord
    from ..store.replica import build, default_index
    from ..store.sqlite import SQLiteStore

    path = default_index(db_path)
    _open(db_path)[0].close()
    fresh = path + ".rebuilding"
    for leftover in (fresh, fresh + "-wal", fresh + "-shm"):
        if os.path.exists(leftover):
            os.remove(leftover)
    with PostgresRecord(db_path) as record, SQLiteStore(fresh, create=True) as store:
        count = build(record, store)
    os.replace(fresh, path)
    click.echo(f"{count:,} cables in the index {path}")
