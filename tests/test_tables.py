"""Tests of the packaged reference tables (cablekit.tables) on the real data."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from cablekit import tables

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "src" / "cablekit" / "tables" / "data"
REFERENCE = REPO.parent / "shared" / "data" / "reference"
CSV_FILES = (
    "routing.csv",
    "stations.csv",
    "posts.csv",
    "malformed_ids.csv",
    "tags.csv",
    "countries.csv",
)


def read_table(name: str) -> list[list[str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))[1:]


# --------------------------------------------------------------------------- routing indicators


@pytest.mark.parametrize(
    ("ri", "name"),
    [
        ("RUEHOT", "AMEMBASSY OTTAWA"),
        ("RUEHGA", "AMCONSUL CALGARY"),
        ("RUEHHA", "AMCONSUL HALIFAX"),
        ("RUEHMT", "AMCONSUL MONTREAL"),
        ("RUEHQU", "AMCONSUL QUEBEC"),
        ("RUEHVC", "AMCONSUL VANCOUVER"),
        ("RUEHMO", "AMEMBASSY MOSCOW"),
        ("RUEHSI", "AMEMBASSY TBILISI"),
        ("RUEHZG", "NATO EU COLLECTIVE"),
        ("RUCNCAN", "ALL CANADIAN POSTS COLLECTIVE"),
    ],
)
def test_ri_name_reference_cable(ri: str, name: str) -> None:
    assert tables.ri_name(ri) == name
    assert tables.is_known_ri(ri)


def test_ri_department() -> None:
    name = tables.ri_name("RUEHC")
    assert name is not None
    assert "DEPT OF STATE" in name
    # The sample once pairs RUEHC with OPEC COLLECTIVE (a header slip); the Department's RI
    # is not a collective.
    assert not tables.is_collective_ri("RUEHC")


def test_dms_ris_decoded_by_rule() -> None:
    assert tables.ri_name("RHMFISS") == "DMS MFI SECRET"
    assert tables.ri_name("RHMFIUU") == "DMS MFI UNCLASSIFIED"
    # The 2011 decode table says "COMSUBGRU TEN"; the rule (spec §3.2) overrides it.
    assert tables.ri_name("RHMFITT") == "DMS MFI TOP SECRET"
    assert all(tables.is_known_ri(ri) for ri in ("RHMFISS", "RHMFIUU", "RHMFITT"))
    assert not any(tables.is_collective_ri(ri) for ri in ("RHMFISS", "RHMFIUU", "RHMFITT"))


def test_collectives() -> None:
    for ri in ("RUEHZG", "RUCNCAN", "RUCNMEM", "RUEHXK", "RUEHZL", "RUCPDIR"):
        assert tables.is_collective_ri(ri), ri
    for ri in ("RUEHOT", "RUEHMO", "RHMFISS", "RUCNDT"):
        assert not tables.is_collective_ri(ri), ri


def test_mistyped_ris_of_reference_cable_unknown() -> None:
    for ri in ("RUEHQI", "RUCNCCAN", "ZEN", "", "ruehot"):
        assert not tables.is_known_ri(ri)
        assert tables.ri_name(ri) is None
        assert not tables.is_collective_ri(ri)


def test_ri_ranges_expanded() -> None:
    # route2name / ACP 117: "RHFJAAA THRU RHFJAAZ,NAVCOMTELSTA JACKSONVILLE FL"
    assert tables.ri_name("RHFJAAM") == "NAVCOMTELSTA JACKSONVILLE FL"
    # RUEAWJA THRU RUEAWJD only
    assert tables.ri_name("RUEAWJD") == "DEPT OF JUSTICE WASHINGTON DC"
    assert not tables.is_known_ri("RUEAWJE")


def test_routing_table_shape() -> None:
    rows = read_table("routing.csv")
    assert len(rows) > 2500
    assert [r[0] for r in rows] == sorted({r[0] for r in rows})
    for ri, name, source, collective in rows:
        assert ri.isalpha() and ri.isupper() and ri.startswith("R") and 4 <= len(ri) <= 7
        assert name == name.strip() and name
        assert source
        assert collective in {"0", "1"}


# --------------------------------------------------------------------------- stations and posts


@pytest.mark.parametrize(
    ("name", "token"),
    [
        ("BUENOS AIRES", "BUENOSAIRES"),
        ("Buenos Aires", "BUENOSAIRES"),
        ("BUENOSAIRES", "BUENOSAIRES"),
        ("SECSTATE", "STATE"),
        ("SECSTATE WASHDC", "STATE"),
        ("STATE", "STATE"),
        ("USUN", "USUNNEWYORK"),
        ("USUN NEW YORK", "USUNNEWYORK"),
        ("RIO DE JAN", "RIODEJANEIRO"),
        ("RIO DE JANEIRO", "RIODEJANEIRO"),
        ("THE HAGUE", "THEHAGUE"),
        ("HAGUE", "THEHAGUE"),
        ("LA PAZ", "LAPAZ"),
        ("Port-au-Prince", "PORTAUPRINCE"),
        ("St. Petersburg", "STPETERSBURG"),
        ("HO CHI MINH CITY", "HOCHIMINHCITY"),
        ("OTTAWA", "OTTAWA"),
        ("ottawa", "OTTAWA"),
        ("MEXICO CITY", "MEXICO"),
        ("DELHI", "NEWDELHI"),
        ("USEU", "USEUBRUSSELS"),
        ("USEU BRUSSELS", "USEUBRUSSELS"),
        ("UNVIE", "UNVIEVIENNA"),
        ("USNATO", "USNATO"),
        ("AIT TAIPEI", "AITTAIPEI"),
        # a token that is itself a station keeps it (cablemap's aliases would fold these)
        ("BRUSSELS", "BRUSSELS"),
        ("TAIPEI", "TAIPEI"),
        ("PARISFR", "PARISFR"),
        # garbled id tokens -> intended station
        ("EFTOATHENS", "ATHENS"),
        ("AMEMBASSYHANOI", "HANOI"),
        ("EFTOLONDON", "LONDON"),
        ("BRUSSLS", "BRUSSELS"),
        # renamed posts are their own (real) id tokens
        ("KIEV", "KIEV"),
        ("KYIV", "KYIV"),
        ("CALCUTTA", "CALCUTTA"),
    ],
)
def test_station_token(name: str, token: str) -> None:
    assert tables.station_token(name) == token
    assert tables.is_station(token)


@pytest.mark.parametrize("name", ["NOWHERE", "", "SECDEF", "RUEHOT", "OTTAWA 278"])
def test_station_token_unknown(name: str) -> None:
    assert tables.station_token(name) is None


def test_is_station() -> None:
    assert tables.is_station("OTTAWA")
    assert tables.is_station("STATE")
    assert tables.is_station("BANDARSERIBEGAWAN")
    assert not tables.is_station("EFTOATHENS")  # garbled, not canonical
    assert not tables.is_station("ottawa")
    assert not tables.is_station("SECSTATE")


def test_known_stations() -> None:
    stations = tables.known_stations()
    assert isinstance(stations, frozenset)
    assert 250 < len(stations) < 363
    assert {"OTTAWA", "MOSCOW", "STATE", "USUNNEWYORK", "USNATO", "KYIV", "KIEV"} <= stations


def test_stations_table_consistent() -> None:
    rows = read_table("stations.csv")
    assert len(rows) == 363
    canonical = {token: canon for token, canon, _pla, _ri in rows}
    for token, canon in canonical.items():
        assert canonical[canon] == canon, token
        assert tables.station_token(token) == canon
    assert set(canonical.values()) == tables.known_stations()
    pla = {token: p for token, _c, p, _ri in rows}
    assert pla["OTTAWA"] == "AMEMBASSY OTTAWA"
    assert pla["STATE"] == "SECSTATE WASHDC"


def test_posts_map_to_canonical_stations() -> None:
    rows = read_table("posts.csv")
    assert ["BUENOS AIRES", "BUENOSAIRES"] in rows
    assert ["SECSTATE WASHDC", "STATE"] in rows
    for name, station in rows:
        assert tables.is_station(station), (name, station)
        assert tables.station_token(name) == station, name


# --------------------------------------------------------------------------- ids


@pytest.mark.parametrize(
    ("published", "canonical"),
    [
        ("7575LIBREVILLE1895", "75LIBREVILLE1895"),
        ("08SCTION02OF02SAOPAULO335", "08SAOPAULO335"),
        ("09EFTOLONDON2468", "09LONDON2468"),
        ("10AQNA272", "10ASTANA272"),
        ("07QXICO3307", "07MEXICO3307"),
    ],
)
def test_canonical_id_malformed(published: str, canonical: str) -> None:
    assert tables.canonical_id(published) == canonical


def test_canonical_id_unchanged() -> None:
    for cable_id in ("09OTTAWA278", "66BUENOSAIRES2481", "not an id", ""):
        assert tables.canonical_id(cable_id) == cable_id


def test_canonical_id_whole_table() -> None:
    rows = read_table("malformed_ids.csv")
    assert len(rows) == 203
    for published, canonical, kind in rows:
        assert tables.canonical_id(published) == canonical
        assert published != canonical
        assert kind


# --------------------------------------------------------------------------- tags


@pytest.mark.parametrize(
    ("tag", "kind"),
    [
        ("PREL", "subject"),
        ("PGOV", "subject"),
        ("ECON", "subject"),
        ("RS", "geographic"),
        ("CA", "geographic"),
        ("IZ", "geographic"),
        ("AL", "geographic"),  # Albania, although cablemap lists AL as an organization
        ("XF", "geographic"),  # regional, PlusD only
        ("KDEM", "program"),
        ("KNNP", "program"),
        ("NATO", "organization"),
        ("UNSC", "organization"),
        ("IAEA", "organization"),
        ("EUN", "organization"),
        ("UNGA/C-6", "organization"),
    ],
)
def test_tag_kind(tag: str, kind: str) -> None:
    assert tables.tag_kind(tag) == kind
    assert tag in tables.known_tags()


def test_tag_description() -> None:
    assert tables.tag_description("PREL") == "External Political Relations"
    assert tables.tag_description("RS") == "Russia"
    assert tables.tag_description("KDEM") == "Democratization"
    assert tables.tag_description("NOSUCHTAG") is None


def test_unknown_and_excluded_tags() -> None:
    for tag in ("ZZZZ", "", "prel", "CHENEY RICHARD", "OVIP RUMSFELD DONALD", "Terrorism"):
        assert tables.tag_kind(tag) is None
        assert tag not in tables.known_tags()


def test_tags_table_shape() -> None:
    rows = read_table("tags.csv")
    assert len(rows) > 1000
    kinds = {kind for _tag, kind, _description in rows}
    assert kinds == {"subject", "program", "geographic", "organization"}
    assert all(" " not in tag for tag, _k, _d in rows)


@pytest.mark.parametrize(
    ("token", "pieces"),
    [
        ("ETRDEINVECINPGOVCS", ["ETRD", "EINV", "ECIN", "PGOV", "CS"]),
        ("PHUMPREL", ["PHUM", "PREL"]),
        ("KNNPMNUC", ["KNNP", "MNUC"]),
        ("ECONEFIN", ["ECON", "EFIN"]),
        ("PRELPGOVKDEM", ["PREL", "PGOV", "KDEM"]),
        ("UNSCIAEA", ["UNSC", "IAEA"]),
        ("PRELRS", ["PREL", "RS"]),
        ("PREL", ["PREL"]),
    ],
)
def test_split_glued_tags(token: str, pieces: list[str]) -> None:
    assert tables.split_glued_tags(token) == pieces


def test_split_glued_tags_fails() -> None:
    for token in ("PRELXQZW", "XYZ", "", "HUMANRIGHTSQ", "PREL PGOV"):
        assert tables.split_glued_tags(token) is None


def test_split_glued_tags_returns_fresh_list() -> None:
    first = tables.split_glued_tags("PHUMPREL")
    assert first is not None
    first.append("MUTATED")
    assert tables.split_glued_tags("PHUMPREL") == ["PHUM", "PREL"]


# --------------------------------------------------------------------------- packaged files


def test_data_files_small_utf8_lf_sorted() -> None:
    total = 0
    for name in (*CSV_FILES, "README.md"):
        raw = (DATA / name).read_bytes()
        total += len(raw)
        assert b"\r" not in raw, name
        raw.decode("utf-8")
    assert total < 1_000_000
    for name in CSV_FILES:
        keys = [row[0] for row in read_table(name)]
        assert keys == sorted(keys), name


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="shared reference data not available")
def test_regenerated_tables_identical(tmp_path: Path) -> None:
    script = REPO / "tools" / "build_tables.py"
    cmd = [sys.executable, str(script), "--source", str(REFERENCE), "--out", str(tmp_path), "-q"]
    subprocess.run(cmd, check=True)
    generated = sorted(p.name for p in tmp_path.iterdir())
    assert generated == sorted((*CSV_FILES, "README.md"))
    for name in generated:
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name
