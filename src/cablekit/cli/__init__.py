"""The ``cablekit`` command: one click group, thin commands.

Every problem becomes one plain sentence on stderr; the exit status says
whether everything went well (0), some inputs failed (1, or the error's own
code when all failed the same way), or the command was misused (2, click).

Commands live in one module per area and register themselves on ``cli`` when
imported: ``parsing`` (parse, check, schema), ``archive`` (ingest, errors, search,
show, versions, stats), ``access`` (user, review, declass, audit), ``compose``
(draft, compose, render), ``research`` (diff, refs, graph, export, plot), ``nodes``
(index, copy), ``web`` (serve). Only the module of the command being run is
imported: ``cablekit --help`` and ``cablekit parse`` never load the archive, the
search engine, numpy, matplotlib or the web framework (tests/test_cli_startup.py
guards this).
"""

from __future__ import annotations

import importlib
import sys

import click

from ..errors import CablekitError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}


# Each command: the module that defines it, and the summary `cablekit --help` lists
# (the start of the command's own help; a test checks they agree).
COMMANDS: dict[str, tuple[str, str]] = {
    "audit": ("access", "The audit log of reads, refusals and administration."),
    "check": ("parsing", "Report, per field, how many cables in PATHS have it."),
    "compose": (
        "compose",
        "Check DRAFT and render it as a cable in the canonical telegram format.",
    ),
    "copy": (
        "nodes",
        "Copy an archive from a SQLite file to PostgreSQL, or back, and check the copy.",
    ),
    "declass": ("access", "What is releasable on a day."),
    "diff": ("research", "Word-level changes between two versions of a cable."),
    "draft": ("compose", "Drafts: cables as people write them (YAML or JSON)."),
    "errors": ("archive", "List the inputs that could not be archived, and why."),
    "export": ("research", "Every cable matching QUERY (all when none), streamed to a file."),
    "graph": ("research", "The citation graph of the cables matching QUERY (all when none)."),
    "index": ("nodes", "A search node's index of a PostgreSQL archive: status, sync, rebuild."),
    "ingest": ("archive", "Parse the cables in PATHS and store them in the archive."),
    "parse": ("parsing", "Parse cables in PATHS (files, directories, archives, - for stdin)."),
    "plot": ("research", "Draw the cables matching QUERY: their timeline, origins or tags."),
    "refs": ("research", "What a cable cites and which cables of the archive cite it."),
    "render": ("compose", "Re-emit a cable in canonical form."),
    "review": ("access", "Record a declassification review decision."),
    "schema": ("parsing", "Print the JSON Schema of the record."),
    "search": ("archive", "Search the archive with the query language."),
    "serve": ("web", "Serve the archive: search pages for people, /api/v1 for programs."),
    "show": ("archive", "Show one cable from the archive."),
    "stats": ("archive", "What the archive holds, and how well its references resolve."),
    "user": (
        "access",
        "Users and groups: clearance, citizenship, special access, collection grants.",
    ),
    "versions": ("archive", "List the versions of a cable, in the order they reached the archive."),
}


class CablekitGroup(click.Group):
    """A click group that turns cablekit's errors into one plain sentence and their exit
    status, wherever the command is invoked from (the console script or a test); it
    imports a command's module only when that command is wanted."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in COMMANDS and cmd_name not in self.commands:
            importlib.import_module(f"{__name__}.{COMMANDS[cmd_name][0]}")
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # From the table: listing the commands must not import them all.
        with formatter.section("Commands"):
            formatter.write_dl([(name, COMMANDS[name][1]) for name in sorted(COMMANDS)])

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
