"""``cablekit index``: a search node's index of a PostgreSQL archive, by hand."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
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


def _check_url(db_path: str) -> None:
    from ..store.postgres import is_url

    if not is_url(db_path):
        raise ArchiveError(
            f"{db_path} is a SQLite archive: it is its own index (a node's index follows"
            " a postgresql:// archive)"
        )


def _open(db_path: str) -> tuple[PostgresRecord, SQLiteStore]:
    from ..store.postgres import PostgresRecord
    from ..store.replica import default_index
    from ..store.sqlite import SQLiteStore

    _check_url(db_path)
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

    _check_url(db_path)
    path = default_index(db_path)
    fresh = path + ".rebuilding"
    for leftover in (fresh, fresh + "-wal", fresh + "-shm"):
        if os.path.exists(leftover):
            os.remove(leftover)
    with PostgresRecord(db_path) as record, SQLiteStore(fresh, create=True) as store:
        count = build(record, store)
    os.replace(fresh, path)
    click.echo(f"{count:,} cables in the index {path}")


@cli.command()
@click.argument("source")
@click.argument("target")
def copy(source: str, target: str) -> None:
    """Copy an archive from a SQLite file to PostgreSQL, or back, and check the copy.

    Every version of every cable (numbers kept), collections, users, groups, grants,
    tokens, reviews, failed inputs and the audit log go across; the copy is then
    checked (counts, every version's hash, the audit chain with its key, which is
    copied too when the target has none). Run it again after an interruption: what is
    already there is kept.

    \b
    Examples:
      cablekit copy cables.db postgresql://cablekit@db1/cables
      cablekit copy postgresql://cablekit@db1/cables restored.db
    """
    from ..access.keyfile import key_path
    from ..archive import audit_base
    from ..store.copy import compare, copy_key, copy_to_postgres, copy_to_sqlite
    from ..store.postgres import PostgresRecord, is_url
    from ..store.sqlite import SQLiteStore

    if is_url(source) == is_url(target):
        raise ArchiveError(
            "Copy goes between a SQLite file and a postgresql:// archive: for two files use"
            " cp (or sqlite3 .backup), for two databases pg_dump"
        )
    if is_url(target):
        with SQLiteStore(source) as store, PostgresRecord(target, create=True) as record:
            keys = key_path(store.path), key_path(audit_base(record))
            copy_to_postgres(store, record, _progress("cables"))
            copy_key(*keys)
            found = compare(store, record, *keys)
    else:
        if os.path.exists(target) and not os.path.exists(target + ".copying"):
            raise ArchiveError(f"{target} exists: copy into a new file")
        with open(target + ".copying", "w"):  # a copy cut short is finished by running again
            pass
        with PostgresRecord(source) as record, SQLiteStore(target, create=True) as store:
            keys = key_path(audit_base(record)), key_path(store.path)
            copy_to_sqlite(record, store, _progress("cables"))
            copy_key(*keys)
            found = compare(record, store, *keys)
        os.remove(target + ".copying")
    click.echo(
        f"copied {found.cables:,} cables ({found.versions:,} versions), {found.principals:,}"
        f" users and groups, {found.reviews:,} reviews, {found.audit_entries:,} audit"
        " entries; checked: counts, version hashes, audit chain"
        + (f" (not verified: {found.audit_problem})" if found.audit_problem else "")
    )


def _progress(what: str) -> Callable[[int], object]:
    done = 0

    def step(count: int) -> None:
        nonlocal done
        done += count
        click.echo(f"  {done:,} {what}", err=True)

    return step
