"""Commands for following and taking away: ``diff``, ``refs``, ``graph``, ``export``,
``plot``. Each reads through ``Archive`` (which logs before anything leaves); a file
written to takes its name only when whole and logged."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import cast

import click

from ..archive import Archive
from ..errors import QuerySyntaxError
from ..plot import PLOT_KINDS, PlotKind
from ..search.export import ExportFormat
from ..search.graph import REF_KINDS, GraphFormat, RefKind, write_graph
from ..staged import staged_path
from ..textdiff import format_diff, summary
from . import cli
from .archive import as_option, db_option, echo_json, output_option


@contextmanager
def pointed() -> Iterator[None]:
    """A malformed query is shown with a caret under the problem, then reported."""
    try:
        yield
    except QuerySyntaxError as error:
        click.echo(error.pointer(), err=True)
        raise


@cli.command()
@click.argument("cable_id")
@click.argument("versions", nargs=-1, type=int)
@db_option
@click.option("--color/--no-color", default=None, help="Colour the changes [auto].")
@as_option
def diff(
    cable_id: str,
    versions: tuple[int, ...],
    db_path: str,
    color: bool | None,
    as_user: str | None,
) -> None:
    """Word-level changes between two versions of a cable.

    With no VERSIONS: the one before the current against the current; with two
    (e.g. `diff 09CAIRO746 1 3`): the first against the second.
    """
    if len(versions) not in (0, 2):
        raise click.UsageError("Give two version numbers, or none.")
    with Archive(db_path, user=as_user) as archive:
        found = archive.diff(cable_id, *versions)
    if found.old == found.new:
        click.echo(f"{found.id} has one version only.")
        return
    changes = found.changes
    click.echo(f"{found.id}: version {found.old} -> {found.new}: {summary(changes)}")
    click.echo(format_diff(changes, color=sys.stdout.isatty() if color is None else color))


kind_option = click.option(
    "--kind",
    type=click.Choice(REF_KINDS),
    default=None,
    help="Only citations of this kind: ref (the REF line) or mention (in the text).",
)


@cli.command("refs")
@click.argument("cable_id")
@db_option
@output_option
@kind_option
@as_option
def refs_command(
    cable_id: str, db_path: str, output: str, kind: RefKind | None, as_user: str | None
) -> None:
    """What a cable cites and which cables of the archive cite it: its REF line first,
    then the cables its text mentions."""
    with Archive(db_path, user=as_user) as archive:
        found = archive.refs(cable_id, kind)
    if output == "json":
        echo_json(found.to_json())
        return
    click.echo(f"{found.id} cites {len(found.cites)}:")
    for c in found.cites:
        where = "in the archive" if c.in_archive else "not in the archive"
        target = f"{c.target} ({where})" if c.target else f"unresolved ({c.kind})"
        label = f"{c.letter or '-'}." if c.kind != "mention" else _paragraph(c.paragraph)
        click.echo(
            f"  {label} {c.text:<28} -> {target}"
            + (f"  {c.date or ''} {c.subject or ''}" if c.in_archive else "")
        )
    click.echo(f"{found.id} is cited by {len(found.cited_by)}:")
    for citer in found.cited_by:
        letters = ",".join(citer.letters)
        how = "REF" if "ref" in citer.kinds else "TEXT"
        if citer.kinds == ("ref", "mention"):
            how = "REF+TEXT"
        click.echo(
            f"  {citer.id:<22} {citer.date or '':<10} {how} {letters or '-':<4}"
            f" {citer.subject or ''}"
        )


def _paragraph(number: int | None) -> str:
    """Where a mention is: ``¶3`` (``¶-`` in an unnumbered paragraph)."""
    return f"\u00b6{number if number is not None else '-'}"


@cli.command("graph")
@click.argument("query", required=False)
@db_option
@click.option(
    "--format",
    "format_",
    type=click.Choice(["graphml", "gexf", "csv"]),
    default="graphml",
    show_default=True,
)
@click.option(
    "--hops",
    type=click.IntRange(0, 5),
    default=0,
    show_default=True,
    help="Also the cables this many citations away.",
)
@click.option(
    "-o",
    "--output",
    "out",
    default="-",
    show_default=True,
    help="The file to write (- for standard output).",
)
@kind_option
@as_option
def graph_command(
    query: str | None,
    db_path: str,
    format_: str,
    hops: int,
    out: str,
    kind: RefKind | None,
    as_user: str | None,
) -> None:
    """The citation graph of the cables matching QUERY (all when none), for Gephi."""
    with Archive(db_path, user=as_user) as archive, pointed():
        result = archive.graph(query, hops, kind)  # logged: what follows is output only
    if out == "-":
        write_graph(result, cast(GraphFormat, format_), sys.stdout.buffer)
    else:
        with staged_path(out) as unnamed:
            write_graph(result, cast(GraphFormat, format_), unnamed)
    if out != "-":
        nodes, edges = len(result.nodes), len(result.edges)
        click.echo(
            f"{nodes:,} cable{'s' * (nodes != 1)} and {edges:,} citation{'s' * (edges != 1)}"
            f" -> {out}",
            err=True,
        )


@cli.command("export")
@click.argument("query", required=False)
@db_option
@click.option(
    "--format",
    "format_",
    type=click.Choice(["jsonl", "csv", "parquet"]),
    default="jsonl",
    show_default=True,
)
@click.option("-o", "--output", "out", required=True, help="The file to write (- for stdout).")
@as_option
def export_command(
    query: str | None, db_path: str, format_: str, out: str, as_user: str | None
) -> None:
    """Every cable matching QUERY (all when none), streamed to a file."""
    if format_ == "parquet" and out == "-":
        raise click.UsageError("Parquet needs a file: give -o FILE.parquet")
    with Archive(db_path, user=as_user) as archive, pointed():
        count = archive.export(
            query, cast(ExportFormat, format_), sys.stdout.buffer if out == "-" else out
        )
    click.echo(f"{count:,} cables exported", err=True)


@cli.command("plot")
@click.argument("kind", type=click.Choice(PLOT_KINDS))
@click.argument("query", required=False)
@db_option
@click.option("-o", "--output", "out", required=True, help="The image: .png, .svg or .pdf.")
@as_option
def plot_command(kind: str, query: str | None, db_path: str, out: str, as_user: str | None) -> None:
    """Draw the cables matching QUERY: their timeline, origins or tags."""
    with Archive(db_path, user=as_user) as archive, pointed():
        count = archive.plot(cast(PlotKind, kind), query, out)
    click.echo(f"{count:,} cables -> {out}", err=True)
