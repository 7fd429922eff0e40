"""The commands ``draft new``, ``compose`` and ``render``, through click's runner."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from click.testing import CliRunner

import cablekit
from cablekit.cli import cli
from cablekit.compose.template import TEMPLATE

SAMPLE = str(files("cablekit") / "samples" / "09OTTAWA278.scraped.md")


def test_draft_new_writes_the_template(tmp_path: Path) -> None:
    target = tmp_path / "d.yaml"
    result = CliRunner().invoke(cli, ["draft", "new", str(target)])
    assert result.exit_code == 0
    assert target.read_text(encoding="utf-8") == TEMPLATE
    again = CliRunner().invoke(cli, ["draft", "new", str(target)])
    assert again.exit_code == 5
    assert again.output.strip().endswith("exists already; use --force to overwrite it")
    assert CliRunner().invoke(cli, ["draft", "new"]).output == TEMPLATE


def test_compose_writes_the_cable(tmp_path: Path) -> None:
    draft = tmp_path / "d.yaml"
    draft.write_text(TEMPLATE, encoding="utf-8")
    out = tmp_path / "cable.txt"
    args = ["compose", str(draft), "--serial", "300", "--dtg", "081200Z APR 09", "-o", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    cable = cablekit.parse(out.read_text(encoding="utf-8"))
    assert (cable.id, cable.dtg) == ("09OTTAWA300", "2009-04-08T12:00:00Z")


def test_compose_no_envelope(tmp_path: Path) -> None:
    draft = tmp_path / "d.yaml"
    draft.write_text(TEMPLATE, encoding="utf-8")
    result = CliRunner().invoke(cli, ["compose", str(draft), "--no-envelope"])
    assert result.output.startswith("C O N F I D E N T I A L OTTAWA 000278\n")


def test_compose_reports_every_problem(tmp_path: Path) -> None:
    draft = tmp_path / "d.yaml"
    draft.write_text(TEMPLATE.replace("[PREL, ETRD, RS, CA]", "[PRELL]"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["compose", str(draft)])
    assert result.exit_code == 5
    assert result.output.splitlines() == [
        f"Error: {draft}, line 36: tags[0]: unknown TAGS code PRELL; did you mean PREL or PREF?",
        f"Error: {draft}, line 36: tags: TAGS need a country or organization code (CA, RS, NATO)",
    ]


def test_compose_malformed_yaml(tmp_path: Path) -> None:
    draft = tmp_path / "d.yaml"
    draft.write_text("from: [OTTAWA\nsubject: X\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["compose", str(draft)])
    assert result.exit_code == 5
    assert result.output == (
        f"Error: {draft}, line 2, column 8: malformed YAML: expected ',' or ']', but got ':'\n"
    )


def test_compose_missing_draft() -> None:
    result = CliRunner().invoke(cli, ["compose", "nowhere.yaml"])
    assert result.exit_code == 2
    assert result.output == "Error: No such file or directory: nowhere.yaml\n"


def test_render_reemits_a_parsed_cable() -> None:
    result = CliRunner().invoke(cli, ["render", SAMPLE])
    assert result.exit_code == 0
    assert result.output.startswith("VZCZCXRO1975\nPP RUEHGA RUEHHA RUEHMT RUEHQI RUEHVC\n")
    assert (
        cablekit.parse(result.output).paragraphs
        == cablekit.parse(Path(SAMPLE).read_bytes()).paragraphs
    )
    text = CliRunner().invoke(cli, ["render", "--no-envelope", "--width", "60", SAMPLE]).output
    assert text.startswith("C O N F I D E N T I A L SECTION 01 OF 03 OTTAWA 000278\n")
    assert max(len(line) for line in text.splitlines() if "Classified By" not in line) <= 61
