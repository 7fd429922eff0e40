"""The ``cablekit`` command: one click group, thin commands.

Every problem becomes one plain sentence on stderr; the exit status says
whether everything went well (0), some inputs failed (1, or the error's own
code when all failed the same way), or the command was misused (2, click).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import TextIO

import click

from .coverage_report import Coverage
from .errors import CablekitError
from .model import Cable
from .pipeline import T, keep, parse_paths
from .schema import json_schema
from .sources import FORMATS
from .textview import render_text

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}

format_option = click.option(
    "--format",
    "format_",
    type=click.Choice(FORMATS),
    default=None,
    help="Force the input format instead of detecting it.",
)
jobs_option = click.option(
    "--jobs",
    "-j",
    type=click.IntRange(1, 256),
    default=1,
    show_default=True,
    help="Worker processes for parsing.",
)
paths_argument = click.argument("paths", nargs=-1, required=True)


class Tally:
    """Counts problems while passing cables through, reporting each problem once."""

    def __init__(self) -> None:
        self.failed = 0
        self.ok = 0
        self.codes: set[int] = set()

    def passed(self, outcomes: Iterator[T | CablekitError]) -> Iterator[T]:
        """What parsed (as rendered), reporting each problem on stderr as it comes."""
        for outcome in outcomes:
            if isinstance(outcome, CablekitError):
                self.failed += 1
                self.codes.add(outcome.exit_code)
                click.echo(f"Error: {outcome}", err=True)
            else:
                self.ok += 1
                yield outcome

    def exit_code(self) -> int:
        if not self.failed:
            return 0
        if not self.ok and len(self.codes) == 1:
            return self.codes.pop()
        return 1


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(package_name="cablekit")
def cli() -> None:
    """Parse, check and describe US State Department cables."""


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
    tally = Tally()
    render = render_text if output == "text" else json_record
    texts = tally.passed(parse_paths(paths, format_, jobs, render))
    write_records(texts, output, sys.stdout)
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
    tally = Tally()
    coverage = Coverage()
    for cable in tally.passed(parse_paths(paths, format_, jobs, keep)):
        coverage.add(cable)
    coverage.problems = tally.failed
    click.echo(coverage.report(), nl=False)
    sys.exit(tally.exit_code())


@cli.command()
def schema() -> None:
    """Print the JSON Schema of the record."""
    click.echo(json.dumps(json_schema(), indent=2))


def main() -> None:
    """Entry point: no traceback reaches the user for cablekit's own errors."""
    try:
        cli(standalone_mode=True)
    except CablekitError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(error.exit_code)
    except BrokenPipeError:
        sys.exit(1)
