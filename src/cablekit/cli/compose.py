"""Commands that write cables: ``draft new``, ``compose``, ``render``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..api import read
from ..compose import RenderOptions, render
from ..compose.build import Numbering, compose
from ..compose.draft import load_draft
from ..compose.template import TEMPLATE
from ..errors import DraftError, DraftInvalid, MissingInput, UnreadableInput
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
    Path(path).write_text(TEMPLATE, encoding="utf-8")
    click.echo(f"Wrote {path}", err=True)


@cli.command("compose")
@click.argument("draft_path", metavar="DRAFT", type=click.Path(dir_okay=False))
@click.option("--serial", type=click.IntRange(1, 9_999_999), default=None, help="Cable serial.")
@click.option("--dtg", default=None, help="Date-time group: 072102Z APR 09 or 2009-04-07T21:02Z.")
@no_envelope_option
@width_option
@output_option
def compose_command(
    draft_path: str,
    serial: int | None,
    dtg: str | None,
    no_envelope: bool,
    width: int,
    output: str | None,
) -> None:
    """Check DRAFT and render it as a cable in the canonical telegram format."""
    text = _read_text(draft_path)
    try:
        cable = compose(load_draft(text, draft_path), Numbering(serial=serial), dtg)
    except DraftInvalid as error:
        for problem in error.problems:
            click.echo(f"Error: {problem}", err=True)
        sys.exit(error.exit_code)
    options = RenderOptions(envelope=not no_envelope, width=width)
    _write(render(cable, options), output)


@cli.command("render")
@click.argument("path")
@format_option
@no_envelope_option
@width_option
@output_option
def render_command(
    path: str, format_: str | None, no_envelope: bool, width: int, output: str | None
) -> None:
    """Re-emit every cable of PATH (any format cablekit reads) in canonical form."""
    options = RenderOptions(envelope=not no_envelope, width=width)
    texts = [render(cable, options) for cable in read(path, format_)]
    if not texts:
        raise DraftError(f"{path} holds no cable")
    _write("\n".join(texts), output)


def _read_text(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise MissingInput(f"No such file or directory: {path}") from error
    except (OSError, UnicodeDecodeError) as error:
        raise UnreadableInput(f"Cannot read {path}: {error}") from error


def _write(text: str, output: str | None) -> None:
    if output is None:
        click.echo(text, nl=False)
    else:
        Path(output).write_text(text, encoding="utf-8")
