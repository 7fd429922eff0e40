"""Options and helpers shared by the command modules."""

from __future__ import annotations

from collections.abc import Iterator

import click

from ..errors import CablekitError, NotACable
from ..pipeline import T
from ..sources import FORMATS

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

    def found_nothing(self, paths: tuple[str, ...]) -> None:
        """Say so when the inputs held nothing at all (an empty folder, an empty
        archive): silence and exit 0 would read as success."""
        if not self.ok and not self.failed:
            raise NotACable(f"No cable found in {', '.join(paths)}")

    def exit_code(self) -> int:
        if not self.failed:
            return 0
        if not self.ok and len(self.codes) == 1:
            return self.codes.pop()
        return 1
