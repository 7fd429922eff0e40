"""Every example a newcomer is shown works on the bundled sample.

* every query shown (the home page and the search page's syntax help, the README,
  docs/query-language.md, the search box's placeholder, ``--help`` texts) finds at
  least one cable of the sample archive;
* every command shown in the README, in docs/*.md and in ``--help`` texts runs, in
  the order shown, in a folder holding the files the commands name: with the exit
  status the text shows (``echo $?``, or an ``Error:`` line), else 0, and never a
  traceback. ``serve`` is left out (it does not return); the browser tests serve.
"""

from __future__ import annotations

import re
import shlex
import shutil
import tarfile
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from cablekit.archive import Archive
from cablekit.cli import COMMANDS, cli
from cablekit.web.pages import EXAMPLES

from .conftest import DATA, ROOT, SAMPLE_CABLES, SAMPLE_FILES, SAMPLE_VERSIONS, SAMPLES
from .pdf_helpers import make_bundle, sample_pdfs
from .pg_helpers import find_bindir, in_ci

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
TEMPLATES = ROOT / "src" / "cablekit" / "web" / "templates"
CSV = DATA / "samples" / "cables-csv" / "cables-sample-2-rows.csv"
FAILS = -1
PASSWORD = "correct horse battery staple\n" * 2


# --- the queries --------------------------------------------------------------------


def blocks(text: str, kind: str) -> list[list[str]]:
    """The lines of every fenced block of ``kind`` (text, console) in a Markdown text."""
    found = re.findall(rf"^```{kind}\n(.*?)^```", text, re.S | re.M)
    return [block.splitlines() for block in found]


def shown_queries() -> list[str]:
    queries = [example for example, _ in EXAMPLES]
    for path in (ROOT / "README.md", ROOT / "docs" / "query-language.md"):
        for block in blocks(path.read_text(), "text"):
            # A query, then (after two spaces or more) what it finds.
            queries += [re.split(r"\s{2,}", line)[0] for line in block if line.strip()]
    syntax = (TEMPLATES / "_syntax.html").read_text()
    codes = re.findall(r"<code>([^<]+)</code>", html_unescape(syntax))
    queries += [q for q in codes if q != "*" and not q.endswith(":") and "{{" not in q]
    box = (TEMPLATES / "_searchbox.html").read_text()
    queries += re.findall(r"placeholder='e\.g\. ([^']+)'", box)
    for command in help_commands():
        if command.startswith("cablekit search "):
            queries.append(shlex.split(command)[2])
    shown = [c for c in doc_commands() if c.line.startswith("search ") and c.status == 0]
    queries += [shlex.split(c.line)[1] for c in shown]
    generic = {"a OR b", "a AND b", "NOT a", "-a", "( )"}  # the syntax table's patterns
    return list(dict.fromkeys(q for q in queries if q not in generic))


def html_unescape(text: str) -> str:
    return text.replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<")


# --- the commands -------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    line: str  # after "cablekit "; with its redirections and comment
    status: int  # the exit status the text shows (FAILS: an error, its status not shown)
    env: tuple[tuple[str, str], ...] = ()  # VAR=value before it, and exports before it


def console_commands(text: str) -> list[Shown]:
    """The ``$ cablekit ...`` lines of a Markdown text's console blocks, with the exit
    status each is shown to end with."""
    commands: list[Shown] = []
    env: dict[str, str] = {}
    for block in blocks(text, "console"):
        for n, line in enumerate(block):
            if line.startswith("$ export "):
                name, _, value = line[len("$ export ") :].split("#")[0].strip().partition("=")
                env[name] = value
                continue
            match = re.match(r"\$ ((?:[A-Z_]+=\S+ )*)cablekit (.*)", line)
            if not match:
                continue
            after = []
            for later in block[n + 1 :]:
                if later.startswith("$ ") and later != "$ echo $?":
                    break
                after.append(later)
            status = 0
            if any(a.startswith("Error:") for a in after):
                status = FAILS
            if "$ echo $?" in after:
                status = int(after[after.index("$ echo $?") + 1])
            prefix = dict(p.split("=", 1) for p in match.group(1).split())
            commands.append(Shown(match.group(2), status, tuple({**env, **prefix}.items())))
    return commands


def doc_commands() -> list[Shown]:
    return [c for path in DOCS for c in console_commands(path.read_text())]


def help_commands() -> list[str]:
    """The ``cablekit ...`` lines of every command's ``--help`` examples."""
    lines: list[str] = []
    context = click.Context(cli)
    for name in sorted(COMMANDS):
        command = cli.get_command(context, name)
        assert command is not None
        subcommands = [command]
        if isinstance(command, click.Group):
            subcommands = [command.commands[sub] for sub in sorted(command.commands)]
        for each in subcommands:
            text = each.help or ""
            lines += [line.strip() for line in text.splitlines() if "  cablekit " in line]
    return [line.split("  #")[0].strip() for line in lines]


@pytest.fixture()
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder holding every file the examples name, as the current directory."""
    (tmp_path / "src").symlink_to(ROOT / "src")
    # cable.tar.xz stands for a release (the corpus's file is named so): here, every
    # cable of the bundled sample.
    with tarfile.open(tmp_path / "cable.tar.xz", "w:xz", preset=0) as release:
        with tarfile.open(SAMPLE_CABLES) as sample:
            for member in sample.getmembers():
                release.addfile(member, sample.extractfile(member))
        for path in SAMPLE_FILES:
            release.add(path, arcname=f"extra/{path.name}")
    shutil.copy(SAMPLE_CABLES, tmp_path / "cables.tar.xz")
    shutil.copy(SAMPLE_VERSIONS, tmp_path / "cables.jsonl.xz")
    shutil.copy(SAMPLES / "09PARIS1007.txt", tmp_path / "message.txt")
    (tmp_path / "cables").mkdir()
    for path in SAMPLE_FILES:
        shutil.copy(path, tmp_path / "cables" / path.name)
    if CSV.exists():
        shutil.copy(CSV, tmp_path / "cables.csv")
    _pdf_examples(tmp_path)
    monkeypatch.chdir(tmp_path)
    for name in ("CABLEKIT_DB", "CABLEKIT_USER", "CABLEKIT_TODAY", "CABLEKIT_AUDIT_KEY"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def _pdf_examples(folder: Path) -> None:
    """docs/pdf.md's files: the sample PDFs, a bundle of them, a damaged and an
    encrypted one."""
    for path in sample_pdfs():
        shutil.copy(path, folder / path.name)
    if sample_pdfs():
        make_bundle(sample_pdfs(), folder / "release.pdf")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 8)
    shutil.copy(Path(__file__).parent / "fixtures" / "pdf" / "encrypted.pdf", folder / "secret.pdf")


@pytest.fixture()
def record_url(request: pytest.FixtureRequest) -> str | None:
    """Where the examples' ``postgresql://`` archives go: a new database on the test
    cluster (None without PostgreSQL: those examples are then left out)."""
    if find_bindir() is None and not in_ci():
        return None
    request.getfixturevalue("private_audit_keys")
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture()
def private_audit_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def on_record(shown: Shown, url: str | None) -> Shown | None:
    """``shown`` with every PostgreSQL URL it names turned into ``url``; None when it
    names one and there is no PostgreSQL here."""
    if "postgres" not in shown.line and not any("postgres" in v for _, v in shown.env):
        return shown
    if url is None:
        return None
    line = re.sub(r"postgres(ql)?://\S+", url, shown.line)
    env = tuple((k, re.sub(r"postgres(ql)?://\S+", url, v)) for k, v in shown.env)
    return Shown(line, shown.status, env)


def run_shown(shown: Shown, sandbox: Path) -> None:
    words = shlex.split(shown.line, comments=True)
    stdin, stdout = None, None
    if "<" in words:
        at = words.index("<")
        stdin = (sandbox / words[at + 1]).read_bytes()
        del words[at : at + 2]
    if ">" in words:
        at = words.index(">")
        stdout = sandbox / words[at + 1]
        del words[at : at + 2]
    if words[:2] == ["user", "password"]:
        stdin = PASSWORD.encode()
    result = CliRunner().invoke(cli, words, input=stdin, env=dict(shown.env))
    told = result.output + result.stderr
    assert "Traceback" not in told, shown.line
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        shown.line,
        result.exception,
    )
    if shown.status == FAILS:
        assert result.exit_code != 0, shown.line
        assert result.stderr.splitlines()[-1].startswith("Error: "), told
    else:
        assert result.exit_code == shown.status, f"{shown.line}\n{told}"
    if stdout is not None:
        stdout.write_bytes(result.stdout_bytes)


def runnable(shown: Shown) -> bool:
    if shown.line.startswith("serve"):
        return False  # it serves until stopped: the browser tests run it
    return "cables.csv" not in shown.line or CSV.exists()


@pytest.mark.parametrize("doc", [p.name for p in DOCS if "$ cablekit" in p.read_text()])
def test_every_command_shown_in_the_docs_runs(
    doc: str, sandbox: Path, record_url: str | None
) -> None:
    if doc == "pdf.md" and not sample_pdfs():
        pytest.skip("docs/pdf.md reads the sample PDFs of ../shared/data")
    path = ROOT / doc if doc == "README.md" else ROOT / "docs" / doc
    commands = console_commands(path.read_text())
    assert commands
    if doc != "README.md":  # the README builds its archive; the docs use the sample's
        with Archive(sandbox / "cablekit.db", create=True) as archive:
            archive.ingest([str(SAMPLE_VERSIONS)], release="2010-12")
            archive.ingest([str(p) for p in [*SAMPLE_FILES, SAMPLE_CABLES]], release="2011-04")
    for shown in commands:
        found = on_record(shown, record_url)
        if found is not None and runnable(found):
            run_shown(found, sandbox)


def test_every_command_shown_in_help_runs(
    sample_archive_file: Path, sandbox: Path, record_url: str | None
) -> None:
    shutil.copy(sample_archive_file, sandbox / "cablekit.db")
    shutil.copy(sample_archive_file, sandbox / "cables.db")
    commands = help_commands()
    assert len(commands) >= 8
    # Searches first, on the public archive; then users appear, then reviews; a copy
    # into PostgreSQL before the commands that read it.
    order = {"search": 0, "user": 1, "review": 2, "copy": 3}
    for line in sorted(commands, key=lambda c: order.get(c.split()[1], 4)):
        shown = on_record(Shown(line.removeprefix("cablekit "), 0), record_url)
        if shown is not None and runnable(shown):
            run_shown(shown, sandbox)


@pytest.mark.parametrize("query", shown_queries())
def test_every_query_shown_finds_a_cable(query: str, sample_archive: Archive) -> None:
    assert sample_archive.search(query, limit=1).total >= 1
