"""Commands that parse: ``parse``, ``check``, ``schema``."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import TextIO

import click

from ..model import Cable
from ..pipeline import keep, parse_paths
from . import cli
from .options import Tally, format_option, jobs_option, paths_argument


@cli.command()
@paths_argument
@format_option
@click.option(
    "--output",
    "-o",
    type=click.Choice(["jsonl", "json", "text"]),
    default="jsonl",
    show_default=True,
    help="JSON Lines, one JSON array, or a readable text view.",
)
@jobs_option
def parse(paths: tuple[str, ...], format_: str | None, output: str, jobs: int) -> None:
    """Parse cables in PATHS (files, directories, archives, - for stdin)."""
    from ..textview import render_text

    tally = Tally()
    render = render_text if output == "text" else json_record
    texts = tally.passed(parse_paths(paths, format_, jobs, render))
    write_records(texts, output, sys.stdout)
    tally.found_nothing(paths)
    sys.exit(tally.exit_code())


def json_record(cable: Cable) -> str:
    """The record as one line of JSON (run in the worker processes)."""
    return json.dumps(cable.to_json(), ensure_ascii=False)


def write_records(texts: Iterator[str], output: str, out: TextIO) -> None:
    if output == "json":
        out.write("[")
        for n, text in enumerate(texts):
            out.write(("," if n else "") + "\n" + text)
        out.write("\n]\n")
    else:
        for text in texts:
            out.write(text + "\n")


@cli.command()
@paths_argument
@format_option
@jobs_option
def check(paths: tuple[str, ...], format_: str | None, jobs: int) -> None:
    """Report, per field, how many cables in PATHS have it, and the warnings."""
    from ..coverage_report import Coverage

    tally = Tally()
    coverage = Coverage()
    for cable in tally.passed(parse_paths(paths, format_, jobs, keep)):
        coverage.add(cable)
    tally.found_nothing(paths)
    coverage.problems = tally.failed
    click.echo(coverage.report(), nl=False)
    sys.exit(tally.exit_code())


@cli.command()
def schema() -> None:
    """Print the JSON Schema of the record."""
    from ..schema import json_schema

    click.echo(json.dumps(json_schema(), indent=2))
