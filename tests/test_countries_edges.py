"""REL TO names read as trigraphs at their edges (``cablekit.access.countries``): groups
release to their members, names run together count one by one only when each is known,
and a name not known for sure releases to nobody but stays named."""

from __future__ import annotations

import pytest

from cablekit.access.countries import (
    FIVE_EYES,
    NATO,
    UNKNOWN,
    country,
    release_list,
    unknown_names,
)


@pytest.mark.parametrize(
    ("written", "trigraph"),
    [
        ("Canada", "CAN"),
        ("  united   kingdom ", "GBR"),
        ("uk", "GBR"),
        ("usa", "USA"),
        ("ROK", "KOR"),
        ("JP", "JPN"),
        ("XYZ", "XYZ"),  # not known: upper-cased as written
        ("five  eyes", "FIVE EYES"),
    ],
)
def test_a_citizenship_reads_as_its_trigraph(written: str, trigraph: str) -> None:
    assert country(written) == trigraph


def test_groups_release_to_their_members_in_any_case() -> None:
    assert release_list(["nato"]) == frozenset(NATO)
    assert release_list(["FVEY"]) == frozenset(FIVE_EYES)
    assert release_list(["Five  Eyes"]) == frozenset(FIVE_EYES)
    assert release_list(["ACGU"]) == frozenset({"AUS", "CAN", "GBR", "USA"})
    assert release_list(["NATO", "AUS"]) == frozenset(NATO) | {"AUS"}
    assert "AUS" not in release_list(["NATO"]) and "NZL" not in release_list(["NATO"])
    assert "FRA" not in release_list(["FVEY"])


def test_names_run_together_count_one_by_one_only_when_each_is_known() -> None:
    assert release_list(["USA GBR"]) == frozenset({"USA", "GBR"})
    assert release_list(["GBR NATO"]) == frozenset(NATO)
    assert release_list(["NEW  ZEALAND"]) == frozenset({"NZL"})  # a name of two words
    assert release_list(["united kingdom"]) == frozenset({"GBR"})
    assert release_list(["USA ISAF"]) == frozenset({UNKNOWN + "USA_ISAF"})
    assert release_list([]) == frozenset()


@pytest.mark.parametrize("written", ["ISAF", "australia group", "IS", "AS", "EU"])
def test_a_name_not_known_for_sure_releases_to_nobody_but_stays_named(written: str) -> None:
    release = release_list([written, "GBR"])
    name = " ".join(written.upper().split())
    assert release == frozenset({"GBR", UNKNOWN + name.replace(" ", "_")})
    assert unknown_names(release) == [name]
    for citizen in ("ISR", "ISL", "AUS", "AFG", name, name.replace(" ", "_")):
        assert citizen not in release


def test_unknown_names_are_listed_sorted_with_their_spaces() -> None:
    release = release_list(["ISAF", "australia group", "GBR", "NATO"])
    assert unknown_names(release) == ["AUSTRALIA GROUP", "ISAF"]
    assert unknown_names(release_list(["GBR"])) == []
