"""The ``cablekit`` command: one click group, thin commands.

Every problem becomes one plain sentence on stderr; the exit status says
whether everything went well (0), some inputs failed (1, or the error's own
code when all failed the same way), or the command was misused (2, click).

Commands live in one module per area and register themselves on ``cli``:
``parsing`` (parse, check, schema), ``archive`` (ingest, errors, search, show,
versions), ``access`` (user, review, declass, audit), ``web`` (serve).
"""

from __future__ import annotations

import sys

import click

from ..errors import CablekitError
from .options import CONTEXT_SETTINGS


class CablekitGroup(click.Group):
    """A click group that turns cablekit's errors into one plain sentence and their exit
    status, wherever the command is invoked from (the console script or a test)."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except CablekitError as error:
            click.echo(f"Error: {error}", err=True)
            ctx.exit(error.exit_code)


@click.group(cls=CablekitGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(package_name="cablekit")
def cli() -> None:
    """Parse, archive, search and compose US State Department cables."""


def main() -> None:
    """Entry point: no traceback reaches the user for cablekit's own errors."""
    try:
        cli(standalone_mode=True)
    except CablekitError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(error.exit_code)
    except BrokenPipeError:
        sys.exit(1)


# Importing a command module registers its commands on ``cli``.
from . import access, archive, compose, parsing, research, web  # noqa: E402, F401
