"""Commands on the archive: ``ingest``, ``errors``, ``search``, ``show``, ``versions``."""

from __future__ import annotations

import json
import os
import sys
import threading
from typing import Any, Never, cast

import click
from tqdm import tqdm

from ..archive import DEFAULT_PATH, Archive
from ..errors import QuerySyntaxError
from ..search.engine import FACETS, SORTS, SearchResult, Sort
from ..store.ingest import count_inputs
from ..store.replica import INDEX_VARIABLE
from ..textview import render_text
from . import cli
from .options import format_option, jobs_option, paths_argument

_db = click.option(
    "--db",
    "db_path",
    default=DEFAULT_PATH,
    show_default=True,
    envvar="CABLEKIT_DB",
    help="The archive: a file, or a postgresql:// URL (or set CABLEKIT_DB).",
)


def _set_index(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """Name the index for every Archive the command opens (store.replica reads it), for
    the command's run only: a command invoked in a longer process leaves no trace."""
    if not value:
        return
    before = os.environ.get(INDEX_VARIABLE)
    os.environ[INDEX_VARIABLE] = os.path.abspath(value)

    def restore() -> None:
        if before is None:
            os.environ.pop(INDEX_VARIABLE, None)
        else:
            os.environ[INDEX_VARIABLE] = before

    ctx.call_on_close(restore)


_index = click.option(
    "--index",
    metavar="PATH",
    expose_value=False,
    callback=_set_index,
    help="With a postgresql:// archive: the search index file kept here"
    " (or set CABLEKIT_INDEX; by default one in your cache folder).",
)


def db_option(command: Any) -> Any:
    return _db(_index(command))


as_option = click.option(
    "--as",
    "as_user",
    envvar="CABLEKIT_USER",
    help="Read as this user: needed once the archive has users (or set CABLEKIT_USER).",
)
admin_as_option = click.option(
    "--as",
    "as_user",
    envvar="CABLEKIT_USER",
    help="An administrator: needed once the archive has users (or set CABLEKIT_USER).",
)
output_option = click.option(
    "--output",
    "-o",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Readable text, or one JSON object.",
)


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@cli.command()
@paths_argument
@db_option
@click.option("--release", help="A label for this release of the cables (e.g. 2011-04).")
@click.option(
    "--collection",
    help="The collection the cables join (access is granted per collection) [the release,"
    " else default].",
)
@format_option
@jobs_option
@click.option("--progress/--no-progress", default=None, help="Show a progress bar [auto].")
def ingest(
    paths: tuple[str, ...],
    db_path: str,
    release: str | None,
    collection: str | None,
    format_: str | None,
    jobs: int,
    progress: bool | None,
) -> None:
    """Parse the cables in PATHS and store them in the archive.

    Run it again on the same input and nothing changes; after an interruption it
    completes the work. A cable that comes again with other content is kept as a
    new version.
    """
    with Archive(db_path, create=True) as archive:
        bar = tqdm(
            unit=" cables",
            disable=None if progress is None else not progress,
            file=sys.stderr,
            dynamic_ncols=True,
        )
        count_totals_in_background(bar, paths, format_)
        report = archive.ingest(paths, release, jobs, format_, bar.update, collection)
        bar.close()
    click.echo(
        f"{report.ingested:,} ingested, {report.unchanged:,} unchanged, "
        f"{report.new_versions:,} new versions, {report.failed:,} failed"
        + (" (see `cablekit errors`)" if report.failed else "")
    )
    sys.exit(1 if report.failed and not (report.ingested or report.unchanged) else 0)


def count_totals_in_background(
    bar: tqdm[Never], paths: tuple[str, ...], format_: str | None
) -> None:
    """Give the bar its total (and so an ETA) once the inputs are counted."""
    if bar.disable or "-" in paths:
        return

    def count() -> None:
        bar.total = count_inputs(paths, format_)
        bar.refresh()

    threading.Thread(target=count, daemon=True).start()


@cli.command()
@db_option
@output_option
@admin_as_option
def errors(db_path: str, output: str, as_user: str | None) -> None:
    """List the inputs that could not be archived, and why."""
    with Archive(db_path, user=as_user) as archive:
        failures = archive.admin.failures()
    if output == "json":
        echo_json(
            [
                {"place": f.place, "message": f.message, "release": f.release, "at": f.at}
                for f in failures
            ]
        )
        return
    for f in failures:
        # The message names its input already when the failure has no place of its own.
        named = not f.place or f.message.startswith(f.place)  # the sentence names it
        click.echo(f"{f.at}  {'' if named else f.place + ': '}{f.message}")
    click.echo(f"{len(failures):,} failed input{'s' * (len(failures) != 1)}")


@cli.command()
@click.argument("query")
@db_option
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True)
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True)
@click.option("--cursor", help="Continue after the page that gave this cursor.")
@click.option("--facets", is_flag=True, help="Count the hits by tag, origin, class, year.")
@click.option("--timeline", is_flag=True, help="A histogram of the hits by date.")
@output_option
@as_option
def search(
    query: str,
    db_path: str,
    sort: str,
    limit: int,
    cursor: str | None,
    facets: bool,
    timeline: bool,
    output: str,
    as_user: str | None,
) -> None:
    """Search the archive with the query language (see docs/query-language.md).

    \b
    Examples:
      cablekit search 'tag:PREL AND from:OTTAWA'
      cablekit search '"arctic sovereignty" date:2008..2009' --sort newest
      cablekit search 'nuclea* AND NOT class:UNCLASSIFIED' --facets --timeline
    """
    with Archive(db_path, user=as_user) as archive:
        try:
            result = archive.search(
                query,
                sort=cast(Sort, sort),
                limit=limit,
                cursor=cursor,
                facets=facets,
                timeline=timeline,
            )
        except QuerySyntaxError as error:
            click.echo(error.pointer(), err=True)
            raise
    if output == "json":
        echo_json(result.to_json())
    else:
        click.echo(format_result(result))


def format_result(result: SearchResult) -> str:
    lines = [f"{result.total:,} cable{'s' * (result.total != 1)}: {result.description}"]
    if result.order_note:
        lines[0] += f" ({result.order_note})"
    for hit in result.results:
        lines.append("")
        lines.append(
            f"{hit.id}  {hit.date or '????-??-??'}  {hit.origin or ''}  {hit.classification or ''}"
        )
        if hit.subject:
            lines.append(f"  {hit.subject}")
        if hit.snippet:
            lines.append(f"  {hit.snippet}")
    for name in FACETS:
        values = result.facets.get(name)
        if values:
            counts = ", ".join(f"{v.value} {v.count:,}" for v in values)
            lines.append(f"\n{name}: {counts}")
    if result.timeline:
        lines.append("")
        peak = max(b.count for b in result.timeline) or 1
        for b in result.timeline:
            bar = "#" * round(40 * b.count / peak)
            lines.append(f"{bin_label(b.start, b.end):<10} {bar:<40} {b.count:,}")
    if result.next_cursor:
        lines.append(f"\nMore: --cursor {result.next_cursor}")
    return "\n".join(lines)


def bin_label(start: str, end: str) -> str:
    """2009, 2009-04 or 2009-04-07, as wide as the bin."""
    if start == end:
        return start
    return start[:4] if start[5:] == "01-01" and end[5:] == "12-31" else start[:7]


@cli.command()
@click.argument("cable_id")
@db_option
@click.option("--version", "version", type=int, help="A version number (see `versions`).")
@click.option(
    "--output",
    "-o",
    type=click.Choice(["text", "json", "raw"]),
    default="text",
    show_default=True,
    help="Readable view, the JSON record, or the cable's text as archived.",
)
@as_option
def show(
    cable_id: str, db_path: str, version: int | None, output: str, as_user: str | None
) -> None:
    """Show one cable from the archive (withheld paragraphs as placeholders; then the
    raw text is the readable view of what may be seen)."""
    with Archive(db_path, user=as_user) as archive:
        stored = archive.get(cable_id, version)
    if output == "json":
        echo_json(stored.cable.to_json())
    elif output == "raw":
        click.echo(stored.text)
    else:
        v = stored.version
        click.echo(
            f"version {v.number}{' (current)' if v.current else ''}"
            f", release {v.release or v.released or '-'}"
        )
        click.echo(render_text(stored.cable))


@cli.command()
@click.argument("cable_id")
@db_option
@output_option
@as_option
def versions(cable_id: str, db_path: str, output: str, as_user: str | None) -> None:
    """List the versions of a cable, in the order they reached the archive."""
    with Archive(db_path, user=as_user) as archive:
        infos = archive.versions(cable_id)
    if output == "json":
        echo_json([v.to_json() for v in infos])
        return
    for v in infos:
        mark = "*" if v.current else " "
        where = v.source.get("path") or v.source.get("format", "")
        click.echo(
            f"{mark} {v.number}  released {v.released or '-':<16}  "
            f"release {v.release or '-':<10}  ingested {v.ingested_at}  {where}"
        )


@cli.command()
@db_option
@output_option
@as_option
def stats(db_path: str, output: str, as_user: str | None) -> None:
    """What the archive holds, and how well its references resolve."""
    with Archive(db_path, user=as_user) as archive:
        figures = archive.stats()
    if output == "json":
        echo_json(figures.to_json())
        return
    f = figures
    click.echo(
        f"{f.cables:,} cables ({f.first_date or '?'} to {f.last_date or '?'}), "
        f"{f.paragraphs:,} paragraphs\n"
        f"{f.versions:,} versions; {f.cables_with_versions:,} cables have more than one\n"
        f"{f.references:,} references, {f.references_to_cables:,} to cables: "
        f"{f.resolved:,} resolved to a cable id ({f.resolved_share:.1%}), "
        f"{f.resolved_in_archive:,} of those in the archive ({f.in_archive_share:.1%})\n"
        f"{f.mentions:,} mentions of cables in the text, "
        f"{f.mentions_in_archive:,} of those to a cable in the archive"
    )
    if f.failures is not None:  # a public archive's (administrators: `cablekit errors`)
        click.echo(f"{f.failures:,} failed inputs")
    for name, count in f.classifications.items():
        click.echo(f"  {name:<28} {count:>9,}")
