"""cablekit against heuer/cablemap on the 6,712-page corpus (differential test).

The comparison itself (field extraction, normalisation, agreement) is the one of
``bench/compare_cablemap.py``, loaded from there so that the test and the report can
never disagree. The corpus is parsed once per module, with two worker processes.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / ".." / "shared" / "data"
SCRIPT = ROOT / "bench" / "compare_cablemap.py"
MIN_AGREEMENT = 0.95

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not DATA.is_dir(), reason=f"no shared data folder at {DATA}"),
]


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("compare_cablemap", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being created
    spec.loader.exec_module(module)
    return module


compare_cablemap = load_script()
FIELDS = [f.label for f in compare_cablemap.SHARED_FIELDS]


@pytest.fixture(scope="module")
def comparison() -> Any:
    corpus: Path = compare_cablemap.CORPUS
    cablemap: Path = compare_cablemap.CABLEMAP
    for path in (corpus, cablemap):
        if not path.exists():
            pytest.skip(f"missing {path}")
    return compare_cablemap.run(jobs=2, corpus=corpus, cablemap_path=cablemap)


def test_every_page_is_parsed_and_matched(comparison: Any) -> None:
    assert not comparison.cablekit_failures, comparison.cablekit_failures[:5]
    assert not comparison.unmatched_cablekit, comparison.unmatched_cablekit[:5]
    assert not comparison.unmatched_cablemap, comparison.unmatched_cablemap[:5]
    assert comparison.pages == comparison.cablemap_records


@pytest.mark.parametrize("label", FIELDS)
def test_coverage_at_least_cablemap(comparison: Any, label: str) -> None:
    """cablekit finds the field at least as often as cablemap finds it for real.

    cablemap's values that are not the field at all (distribution-office codes as INFO
    addressees, summaries starting mid-sentence, a classification line as the classifier's
    name) do not count: see ``SharedField.valid`` in the script.
    """
    tally = comparison.fields[label]
    cablekit, cablemap = int(tally.cablekit), int(tally.cablemap_valid)
    missing = [e.cable_id for e in tally.disagreements["cablemap-only"]][:10]
    assert cablekit >= cablemap, (
        f"{label}: cablekit has {cablekit}, cablemap {cablemap}; cablemap-only e.g. {missing}"
    )


@pytest.mark.parametrize("label", ["subject", "TAGS"])
def test_agreement_where_both_have_a_value(comparison: Any, label: str) -> None:
    tally = comparison.fields[label]
    agreement = float(tally.agreement)
    different = [e.cable_id for e in tally.disagreements["both-different"]][:10]
    assert agreement >= MIN_AGREEMENT, (
        f"{label}: agreement {agreement:.1%} below {MIN_AGREEMENT:.0%}; e.g. {different}"
    )
