"""Country names in REL TO lists, read as ISO 3166 trigraphs (the CAPCO convention).

REL TO lists are written every way in the cables: ``REL UK``, ``REL TO NATO/AUS``,
``REL AUSTRALIA GROUP``, ``RELEASABLE TO ITALY``. Each name becomes the trigraphs it
stands for: a country its own, a group (NATO, FVEY) its members. A name not in the
table stays as written, so that it still matches a reader whose citizenship is
written the same way, and never anybody else.
"""

from __future__ import annotations

import re

US = "USA"

_NAMES = {
    "US": US,
    "USA": US,
    "UNITED STATES": US,
    "UK": "GBR",
    "GBR": "GBR",
    "UNITED KINGDOM": "GBR",
    "BRITAIN": "GBR",
    "CAN": "CAN",
    "CANADA": "CAN",
    "AUS": "AUS",
    "AUST": "AUS",
    "AUSTRALIA": "AUS",
    "NZ": "NZL",
    "NZL": "NZL",
    "NEW ZEALAND": "NZL",
    "FRA": "FRA",
    "FRANCE": "FRA",
    "DEU": "DEU",
    "GERMANY": "DEU",
    "ITA": "ITA",
    "ITALY": "ITA",
    "ESP": "ESP",
    "SPAIN": "ESP",
    "NLD": "NLD",
    "NETHERLANDS": "NLD",
    "BEL": "BEL",
    "BELGIUM": "BEL",
    "NOR": "NOR",
    "NORWAY": "NOR",
    "DNK": "DNK",
    "DENMARK": "DNK",
    "POL": "POL",
    "POLAND": "POL",
    "TUR": "TUR",
    "TURKEY": "TUR",
    "JPN": "JPN",
    "JAPAN": "JPN",
    "KOR": "KOR",
    "SOUTH KOREA": "KOR",
    "CHN": "CHN",
    "CHINA": "CHN",
    "RUS": "RUS",
    "RUSSIA": "RUS",
    "UKR": "UKR",
    "UKRAINE": "UKR",
    "PAK": "PAK",
    "PAKISTAN": "PAK",
    "SAU": "SAU",
    "SAUDI ARABIA": "SAU",
    "ISR": "ISR",
    "ISRAEL": "ISR",
    "KAZ": "KAZ",
    "KAZAKHSTAN": "KAZ",
    "UZB": "UZB",
    "UZBEKISTAN": "UZB",
    "KEN": "KEN",
    "KENYA": "KEN",
    "BLZ": "BLZ",
    "BELIZE": "BLZ",
}
NATO = [
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
]
GROUPS = {
    "NATO": NATO,
    "FVEY": ["USA", "GBR", "CAN", "AUS", "NZL"],
    "FIVE EYES": ["USA", "GBR", "CAN", "AUS", "NZL"],
}
_SPLIT = re.compile(r"\s*(?:/|,|\bAND\b)\s*")


def country(name: str) -> str:
    """A citizenship as a trigraph (``Canada`` -> ``CAN``), or upper-cased as written."""
    key = " ".join(name.upper().split())
    return _NAMES.get(key, key)


def release_list(text: str) -> frozenset[str]:
    """The trigraphs a REL TO list releases to (``NATO/AUS`` -> the NATO members and AUS)."""
    out: set[str] = set()
    for part in _SPLIT.split(text.upper()):
        name = " ".join(part.replace("TO ", "", 1).split()) if part.startswith("TO ") else part
        name = " ".join(name.split())
        if not name:
            continue
        out.update(GROUPS.get(name, [country(name)]))
    return frozenset(out)
