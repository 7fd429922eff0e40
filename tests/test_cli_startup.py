"""The command line starts light: ``cablekit --help`` and ``cablekit parse`` import
neither the archive, the search engine, nor the heavy libraries (matplotlib, numpy,
pyarrow, the web framework). Each was once imported before the command was known,
and ``--help`` cost 0.8 s of CPU; ``bench/startup_bench.py`` prints the figures."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from cablekit.cli import COMMANDS, cli

from .conftest import SAMPLES

HEAVY = (
    "matplotlib",
    "numpy",
    "pyarrow",
    "fastapi",
    "starlette",
    "uvicorn",
    "jinja2",
    "tqdm",
    "yaml",
    "sqlite3",
    "multiprocessing",
    "cablekit.archive",
    "cablekit.search",
    "cablekit.store",
    "cablekit.plot",
    "cablekit.web",
    "cablekit.compose",
)


def imported_by(*args: str) -> set[str]:
    """Every module ``python -X importtime -m cablekit ARGS`` imports."""
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "cablekit", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    lines = [line for line in run.stderr.splitlines() if line.startswith("import time:")]
    return {line.rsplit("|", 1)[1].strip() for line in lines[1:]}  # the first is a header


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY or m.startswith(HEAVY))


def test_help_imports_only_click_and_the_command_table() -> None:
    modules = imported_by("--help")
    assert "click" in modules  # the measurement sees imports at all
    assert heavy(modules) == []
    assert not [m for m in modules if m.startswith(("cablekit.parser", "cablekit.sources"))]
    assert sorted(m for m in modules if m.startswith("cablekit")) == [
        "cablekit",
        "cablekit.cli",
        "cablekit.errors",
    ]


def test_parse_imports_the_parser_only() -> None:
    modules = imported_by("parse", str(SAMPLES / "09PARIS1007.txt"))
    assert "cablekit.parser" in modules
    assert heavy(modules) == []


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_listed_summary_is_the_commands_own(name: str) -> None:
    command = cli.get_command(click.Context(cli), name)
    assert command is not None and command.help is not None
    assert command.callback is not None
    assert command.callback.__module__ == f"cablekit.cli.{COMMANDS[name][0]}"
    own = " ".join(command.help.split())
    summary = COMMANDS[name][1]
    assert own.startswith(summary.rstrip(".")), own


def test_every_registered_command_is_listed() -> None:
    for module in {m for m, _ in COMMANDS.values()}:
        __import__(f"cablekit.cli.{module}")
    assert set(cli.commands) == set(COMMANDS)
