"""Commands that write cables: ``draft new``, ``compose``, ``render``."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import click

from ..api import read
from ..archive import DEFAULT_PATH, Archive
from ..compose import RenderOptions, render
from ..compose.build import Numbering, compose
from ..compose.draft import load_draft
from ..compose.template import TEMPLATE
from ..errors import DraftError, DraftInvalid, MissingInput, NotACable, UnreadableInput
from ..model import Cable
from ..staged import staged_path
from . import cli
from .options import format_option

no_envelope_option = click.option(
    "--no-envelope",
    is_flag=True,
    help="Render the telegram text only, from the classification line.",
)
width_option = click.option(
    "--width",
    type=click.IntRange(20, 500),
    default=69,
    show_default=True,
    help="Line length of paragraphs, SUBJECT and REF.",
)
output_option = click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write to this file instead of standard output.",
)


@cli.group()
def draft() -> None:
    """Drafts: cables as people write them (YAML or JSON)."""


@draft.command("new")
@click.argument("path", required=False, type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
def draft_new(path: str | None, force: bool) -> None:
    """Write a commented draft template to PATH (or standard output)."""
    if path is None:
        click.echo(TEMPLATE, nl=False)
        return
    if Path(path).exists() and not force:
        raise DraftError(f"{path} exists already; use --force to overwrite it")
    _write(TEMPLATE, path)
    click.echo(f"Wrote {path}", err=True)


archive_option = click.option(
    "--db",
    "db_path",
    default=None,
    help="An archive: allocate the next serial of the post there; with --file, file it.",
)


@cli.command("compose")
@click.argument("draft_path", metavar="DRAFT", type=click.Path(dir_okay=False))
@click.option("--serial", type=click.IntRange(1, 9_999_999), default=None, help="Cable serial.")
@click.option("--dtg", default=None, help="Date-time group: 072102Z APR 09 or 2009-04-07T21:02Z.")
@archive_option
@click.option("--file", "file_it", is_flag=True, help="Store the new cable in the --db archive.")
@no_envelope_option
@width_option
@output_option
def compose_command(
    draft_path: str,
    serial: int | None,
    dtg: str | None,
    db_path: str | None,
    file_it: bool,
    no_envelope: bool,
    width: int,
    output: str | None,
) -> None:
    """Check DRAFT and render it as a cable in the canonical telegram format."""
    if file_it and not db_path:
        raise click.UsageError("--file needs an archive: give --db PATH")
    draft = load_draft(_read_text(draft_path), draft_path)
    try:
        cable = compose(draft, Numbering(serial=serial), dtg)
        if db_path and serial is None:
            with Archive(db_path) as archive:
                cable = compose(draft, Numbering(serial=next_serial(archive, cable)), dtg)
    except DraftInvalid as error:
        for problem in error.problems:
            click.echo(f"Error: {problem}", err=True)
        sys.exit(error.exit_code)
    text = render(cable, RenderOptions(envelope=not no_envelope, width=width))
    _write(text, output)
    if file_it and db_path:
        file_cable(db_path, cable.id or "", text)


def next_serial(archive: Archive, cable: Cable) -> int:
    """One more than the highest serial of the cable's post and year in the archive."""
    prefix = (cable.id or "").rstrip("0123456789")
    return max(archive.store.serials(prefix), default=0) + 1


def file_cable(db_path: str, cable_id: str, text: str) -> None:
    """Store a composed cable through the same ingest as any other input."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{cable_id}.txt"
        path.write_text(text, encoding="utf-8")
        with Archive(db_path, create=True) as archive:
            report = archive.ingest([str(path)], release="composed", format="telegram")
    if report.failed:
        raise DraftError(f"The archive did not take {cable_id}; see `cablekit errors`")
    click.echo(f"Filed {cable_id} in {db_path}", err=True)


@cli.command("render")
@click.argument("source", metavar="ID|PATH")
@format_option
@archive_option
@no_envelope_option
@width_option
@output_option
def render_command(
    source: str,
    format_: str | None,
    db_path: str | None,
    no_envelope: bool,
    width: int,
    output: str | None,
) -> None:
    """Re-emit a cable in canonical form: every cable of PATH (any format cablekit reads),
    or the cable ID of an archive (--db, or CABLEKIT_DB, or ./cablekit.db)."""
    options = RenderOptions(envelope=not no_envelope, width=width)
    if Path(source).exists() or source == "-":
        cables = list(read(source, format_))
    elif looks_like_path(source):
        raise MissingInput(f"No such file or directory: {source}")
    else:
        with Archive(db_path or os.environ.get("CABLEKIT_DB", DEFAULT_PATH)) as archive:
            cables = [archive.get(source).cable]
    if not cables:
        raise NotACable(f"No cable found in {source}")
    _write("\n".join(render(cable, options) for cable in cables), output)


def _read_text(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise MissingInput(f"No such file or directory: {path}") from error
    except (OSError, UnicodeDecodeError) as error:
        raise UnreadableInput(f"Cannot read {path}: {error}") from error


def looks_like_path(source: str) -> bool:
    """Whether ``source`` names a file rather than a cable id (ids have neither a folder
    nor an extension)."""
    return os.sep in source or "/" in source or bool(Path(source).suffix)


def _write(text: str, output: str | None) -> None:
    """To standard output, or to the file ``output``, which appears whole or not at all."""
    if output is None:
        click.echo(text, nl=False)
        return
    with staged_path(output) as unnamed:
        Path(unnamed).write_text(text, encoding="utf-8")
