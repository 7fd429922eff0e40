"""Country names in REL TO lists, read as ISO 3166 trigraphs (the CAPCO convention).

REL TO lists are written every way in the cables: ``REL UK``, ``REL TO NATO/AUS``,
``REL TO USA, KEN, GBR``, ``REL AS, CA, JP, ROK, AND UK``, ``RELEASABLE TO ITALY``.
The marking grammar (``cablekit.markings``) splits a list into names; here each name
becomes the trigraphs it stands for: a country its own (``cablekit.tables``'
``countries.csv``: trigraphs, names, aliases, and two-letter codes where ISO 3166 and
FIPS 10-4 agree), a group (NATO, FVEY, ACGU) its members. A name that is not known for
sure (``ISAF``, ``AUSTRALIA GROUP``, ``IS``: Israel or Iceland?) releases to nobody:
it is kept, marked, so that the reason can name it, but no citizenship equals it.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..tables import country_trigraph

US = "USA"
UNKNOWN = "?"  # the mark of a name read as no country: "?ISAF" equals no trigraph

NATO = (
    "ALB",
    "BEL",
    "BGR",
    "CAN",
    "HRV",
    "CZE",
    "DNK",
    "EST",
    "FRA",
    "DEU",
    "GRC",
    "HUN",
    "ISL",
    "ITA",
    "LVA",
    "LTU",
    "LUX",
    "MNE",
    "NLD",
    "NOR",
    "POL",
    "PRT",
    "ROU",
    "SVK",
    "SVN",
    "ESP",
    "TUR",
    "GBR",
    "USA",
)
FIVE_EYES = ("USA", "GBR", "CAN", "AUS", "NZL")
GROUPS = {
    "NATO": NATO,
    "FVEY": FIVE_EYES,
    "FIVE EYES": FIVE_EYES,
    "ACGU": ("AUS", "CAN", "GBR", "USA"),
}


def country(name: str) -> str:
    """A citizenship as a trigraph (``Canada`` -> ``CAN``), or upper-cased as written."""
    key = " ".join(name.upper().split())
    return country_trigraph(key) or key


def release_list(names: Iterable[str]) -> frozenset[str]:
    """The trigraphs a REL TO list releases to (``NATO``, ``AUS`` -> the NATO members and
    AUS); a name not known for sure stays in the set as ``?NAME`` (spaces as ``_``), which
    no reader has. Names run together with spaces (``USA GBR``) count one by one when
    each is known."""
    out: set[str] = set()
    for written in names:
        name = " ".join(written.upper().split())
        words = name.split()
        if _known(name) is None and len(words) > 1 and all(_known(w) for w in words):
            for word in words:
                out.update(_known(word) or ())
        else:
            out.update(_known(name) or (UNKNOWN + name.replace(" ", "_"),))
    return frozenset(out)


def _known(name: str) -> tuple[str, ...] | None:
    if name in GROUPS:
        return GROUPS[name]
    trigraph = country_trigraph(name)
    return (trigraph,) if trigraph else None


def unknown_names(release: frozenset[str]) -> list[str]:
    """The names of a REL TO set that were read as no country."""
    return sorted(n[len(UNKNOWN) :].replace("_", " ") for n in release if n.startswith(UNKNOWN))
