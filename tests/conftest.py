"""Shared fixtures: the bundled samples, and archives built from them once per run."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from cablekit.archive import Archive

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "src" / "cablekit" / "samples"
SAMPLE_CABLES = SAMPLES / "archive" / "cables.tar.xz"
SAMPLE_VERSIONS = SAMPLES / "archive" / "versions.jsonl.xz"
REFERENCE_CABLE = SAMPLES / "09OTTAWA278.scraped.md"
SAMPLE_FILES = [REFERENCE_CABLE, SAMPLES / "09PARIS1007.txt", SAMPLES / "09BEIJING22.html"]
DATA = ROOT / ".." / "shared" / "data"
CORPUS = DATA / "corpus" / "cablegate-2011-04" / "cable.tar.xz"
VERSIONS = DATA / "corpus" / "versions" / "cables.jsonl.xz"


def sample_inputs() -> list[str]:
    """Every bundled cable: the three samples and the 199-page sample archive."""
    return [str(p) for p in [*SAMPLE_FILES, SAMPLE_CABLES]]


@pytest.fixture(scope="session")
def sample_archive_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An archive of the older versions, then every bundled cable, built once."""
    path = tmp_path_factory.mktemp("archive") / "samples.db"
    with Archive(path, create=True) as archive:
        archive.ingest([str(SAMPLE_VERSIONS)], release="2010-12")
        archive.ingest(sample_inputs(), release="2011-04")
    return path


@pytest.fixture()
def sample_archive(sample_archive_file: Path) -> Iterator[Archive]:
    """The sample archive, opened read-only in spirit: tests must not write to it."""
    with Archive(sample_archive_file) as archive:
        yield archive


@pytest.fixture()
def archive_copy(sample_archive_file: Path, tmp_path: Path) -> Iterator[Archive]:
    """A private copy of the sample archive, free to change."""
    path = tmp_path / "copy.db"
    shutil.copy(sample_archive_file, path)
    with Archive(path) as archive:
        yield archive
