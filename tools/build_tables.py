"""Build the packaged reference tables in ``src/cablekit/tables/data/``.

Reads the shared reference files (``../shared/data/reference`` relative to the repository root,
or ``--source DIR``) and writes compact, deterministic CSV files (UTF-8, LF, sorted rows) plus a
``README.md`` recording where every table comes from:

* ``routing.csv``       routing indicator -> name, source, collective flag (spec §3)
* ``stations.csv``      cable-id station token -> canonical token, PLA, RI (spec §8.1)
* ``posts.csv``         post name as written (classification line, page marker, REF) -> station
* ``malformed_ids.csv`` malformed WikiLeaks ids -> corrected canonical ids (spec §8.1)
* ``tags.csv``          TAGS code -> kind, description (spec §5.4)
* ``countries.csv``     country name or code, as REL TO lists write it -> ISO 3166 trigraph

Usage: ``python tools/build_tables.py [--source DIR] [--out DIR]``.
Only the Python standard library is used.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = REPO.parent / "shared" / "data" / "reference"
DEFAULT_OUT = REPO / "src" / "cablekit" / "tables" / "data"

RI_RE = re.compile(r"R[A-Z]{3,6}")
RANGE_RE = re.compile(r"(R[A-Z]{3,6}) THRU (R[A-Z]{3,6})")
DECODE_RANGE_NAME_RE = re.compile(r"THRU (R[A-Z]{3,6}) (.+)")
COLLECTIVE_RE = re.compile(r"\bCOLLECTIVE\b")
TAG_RE = re.compile(r"[A-Z][A-Z0-9&/'.-]+")
ID_STATION_RE = re.compile(r"\d+([A-Z]+)")

# Spec §3.2 / ACP 117 General Instructions ¶7a: the DMS multi-function-interpreter RIs are
# decoded by rule, never by table look-up (the decode table calls RHMFITT "COMSUBGRU TEN").
DMS_RIS = {
    "RHMFISS": "DMS MFI SECRET",
    "RHMFIUU": "DMS MFI UNCLASSIFIED",
    "RHMFITT": "DMS MFI TOP SECRET",
}

# PLA type prefixes stripped to get the post name used on classification lines and in REFs
# (spec §4); the first match wins.
PLA_PREFIXES = (
    "USMISSION ",
    "AMEMBASSY ",
    "AMCONSUL ",
    "USOFFICE ",
    "US OFFICE ",
    "IRAN ",
    "USDEL ",
    "USINT ",
    "USLO ",
    "AIT ",
    "REO ",
)
PLA_SPECIAL = {"SECSTATE WASHDC": "STATE"}

SUBJECT_INITIALS = frozenset("ABCELMOPST")
TAG_KINDS = ("subject", "program", "geographic", "organization")


_POST_DELETE = str.maketrans("", "", " .-'")


def normalise_post(name: str) -> str:
    """Key of post-name look-ups; same as ``cablekit.tables.normalise_post_name``."""
    return name.translate(_POST_DELETE).upper()


def squash(text: str) -> str:
    return " ".join(text.split())


def read_csv(path: Path, *, header: bool = True) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = [row for row in csv.reader(fh) if row]
    return rows[1:] if header else rows


def read_dicts(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def read_lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def expand_range(first: str, last: str) -> list[str]:
    """``RHFJAAA``..``RHFJAAZ`` -> every RI in between; only last-letter ranges (cheap)."""
    if len(first) != len(last) or first[:-1] != last[:-1] or first[-1] > last[-1]:
        return []
    return [first[:-1] + chr(c) for c in range(ord(first[-1]), ord(last[-1]) + 1)]


# --------------------------------------------------------------------------- routing.csv


class RoutingTable:
    def __init__(self) -> None:
        self.names: dict[str, tuple[str, str]] = {}

    def offer(self, ri: str, name: str, source: str) -> None:
        """Add ``ri`` unless a higher-priority source already named it."""
        name = squash(name)
        if RI_RE.fullmatch(ri) and name and ri not in self.names:
            self.names[ri] = (name, source)

    def offer_ranges(self, ranges: Iterable[tuple[str, str, str]], source: str) -> None:
        for first, last, name in sorted(ranges):
            for ri in expand_range(first, last):
                self.offer(ri, name, source)


def build_routing(src: Path) -> list[list[str]]:
    routing = src / "routing"
    table = RoutingTable()
    for ri, name in sorted(DMS_RIS.items()):
        table.offer(ri, name, "dms-rule")

    # 1. ACP 117 decode. Duplicate RIs: prefer the 2011 edition (closest to the cables).
    decode: dict[str, list[tuple[bool, str]]] = defaultdict(list)
    decode_ranges: list[tuple[str, str, str]] = []
    for row in read_dicts(routing / "acp117-decode-routing-indicators.csv"):
        ri, name = row["routing_indicator"], squash(row["operating_activity_and_location"])
        m = DECODE_RANGE_NAME_RE.fullmatch(name)
        if m:
            decode_ranges.append((ri, m.group(1), m.group(2)))
        else:
            decode[ri].append(("CHANGE 4" not in row["editions"], name))
    for ri in sorted(decode):
        table.offer(ri, min(decode[ri])[1], "acp117-decode")
    table.offer_ranges(decode_ranges, "acp117-decode-range")

    # 2. Observed in the sample's headers: the most frequent PLA of each RI.
    observed: dict[str, Counter[tuple[str, bool]]] = defaultdict(Counter)
    for row in read_dicts(routing / "cablegate-sample-observed-addressees.csv"):
        key = (squash(row["plain_language_address"]), row["is_collective"] == "True")
        observed[row["routing_indicator"]][key] += int(row["occurrences_in_sample"] or 0)
    observed_collective: set[str] = set()
    for ri in sorted(observed):
        (pla, collective), _ = min(observed[ri].items(), key=lambda kv: (-kv[1], kv[0]))
        if collective:
            observed_collective.add(ri)
        table.offer(ri, pla, "observed")

    # 3. ACP 117 encode (PLA -> RIs). An RI shared by several PLAs is named only when exactly
    # one of them is marked complete in the book (e.g. AMEMBASSY MUSCAT vs MSG DET AMEMB).
    encode: dict[str, set[tuple[str, bool]]] = defaultdict(set)
    for row in read_dicts(routing / "acp117-encode-state-plas.csv"):
        for col in ("ri_online_classified", "ri_unclas", "ri_offline"):
            if row[col] and row[col] != "B":
                encode[row[col]].add((squash(row["pla"]), row["pla_complete_as_listed"] == "True"))
    for ri in sorted(encode):
        plas = {pla for pla, _ in encode[ri]}
        complete = {pla for pla, ok in encode[ri] if ok}
        if len(plas) == 1:
            table.offer(ri, plas.pop(), "acp117-encode")
        elif len(complete) == 1:
            table.offer(ri, complete.pop(), "acp117-encode")

    # 4. Cablegate origin stations (RI -> PLA); the busiest station wins a shared RI.
    origin: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for row in read_dicts(routing / "cablegate-origin-stations.csv"):
        pla = squash(row["plain_language_address"])
        if row["routing_indicator"] and pla and not pla.startswith("("):
            origin[row["routing_indicator"]].append((-int(row["cables_in_cablegate"] or 0), pla))
    for ri in sorted(origin):
        table.offer(ri, min(origin[ri])[1], "origin-stations")

    # 5. anarchivist stations.js: a JSON object, possibly after a JavaScript prefix.
    text = (routing / "anarchivist-stations.js").read_text(encoding="utf-8")
    stations = json.loads(text[text.index("{") : text.rindex("}") + 1])
    for ri in sorted(stations):
        name = squash(stations[ri].get("name") or "")
        if not name.startswith("["):  # "[DMS Multi-Functional Interpreter - Secret]"
            table.offer(ri, name, "anarchivist")

    # 6. cablemap route2name.csv (no title row); "X THRU Y" rows are last-letter ranges.
    r2n: dict[str, list[str]] = defaultdict(list)
    r2n_ranges: list[tuple[str, str, str]] = []
    for ri, name in read_csv(routing / "route2name.csv", header=False):
        m = RANGE_RE.fullmatch(ri.strip())
        if m:
            r2n_ranges.append((m.group(1), m.group(2), name))
        else:
            r2n[ri.strip()].append(squash(name))
    for ri in sorted(r2n):
        table.offer(ri, min(r2n[ri]), "route2name")
    table.offer_ranges(r2n_ranges, "route2name-range")

    rows = []
    for ri in sorted(table.names):
        name, source = table.names[ri]
        collective = ri in observed_collective or bool(COLLECTIVE_RE.search(name))
        rows.append([ri, name, source, "1" if collective else "0"])
    return rows


# --------------------------------------------------------------------------- stations.csv


def malformed_station_fixes(src: Path) -> dict[str, str]:
    """Published station part -> corrected station part, from the malformed-id table."""
    seen: dict[str, set[str]] = defaultdict(set)
    for published, corrected, _kind in read_csv(src / "ids" / "cablegate-malformed-ids.csv"):
        mp, mc = ID_STATION_RE.match(published), ID_STATION_RE.match(corrected)
        if mp and mc and mp.group(1) != mc.group(1):
            seen[mp.group(1)].add(mc.group(1))
    return {bad: next(iter(good)) for bad, good in seen.items() if len(good) == 1}


def build_stations(src: Path) -> list[list[str]]:
    """Rows ``token, canonical, pla, routing_indicator``.

    The source's ``canonical_token`` also folds renamed posts and distinct missions into one
    token (KIEV -> KYIV, CALCUTTA -> KOLKATA, USTRGENEVA -> GENEVA, UNESCOPARIS -> PARISFR).
    Those tokens are real Cablegate ids (05KIEV1234), so they stay canonical here: only garbled
    tokens (no PLA of their own, not a rename) are mapped away. Self-mapped garbled tokens that
    the malformed-id table corrects (EFTOLONDON, AQNA, QXICO) are mapped like the others.
    """
    rows = read_dicts(src / "routing" / "cablegate-origin-stations.csv")
    tokens = {row["id_station_token"] for row in rows}
    fixes = malformed_station_fixes(src)
    canonical: dict[str, str] = {}
    info: dict[str, tuple[str, str]] = {}
    for row in rows:
        token, canon = row["id_station_token"], row["canonical_token"]
        pla, note = squash(row["plain_language_address"]), row["note"].lower()
        info[token] = (pla, row["routing_indicator"])
        if canon != token and (pla or "renamed" in note):
            canon = token
        if canon == token and not pla and ("garbled" in note or token.startswith("EFTO")):
            fixed = fixes.get(token)
            if fixed in tokens:
                canon = fixed
        canonical[token] = canon
    for token in canonical:  # resolve chains; every canonical token maps to itself
        seen = {token}
        while canonical[canonical[token]] != canonical[token]:
            canonical[token] = canonical[canonical[token]]
            if canonical[token] in seen:
                raise SystemExit(f"station canonical cycle at {token}")
            seen.add(canonical[token])
    return [[t, canonical[t], *info[t]] for t in sorted(canonical)]


# --------------------------------------------------------------------------- posts.csv


def post_names(pla: str) -> list[str]:
    """Spaced post names derived from a PLA (``AMEMBASSY BUENOS AIRES`` -> ``BUENOS AIRES``)."""
    if not pla or "(" in pla:
        return []
    if pla in PLA_SPECIAL:
        return [pla]
    names = [pla]
    for prefix in PLA_PREFIXES:
        if pla.startswith(prefix):
            names.append(pla[len(prefix) :])
            break
    return names


def build_posts(src: Path, stations: Sequence[Sequence[str]]) -> list[list[str]]:
    """Rows ``name, station``: priority station tokens > PLA-derived names > REF aliases."""
    canonical = {row[0]: row[1] for row in stations}
    claimed: dict[str, str] = {}  # normalised name -> station
    rows: set[tuple[str, str]] = set()

    def add(name: str, station: str) -> None:
        key = normalise_post(name)
        if key and claimed.setdefault(key, station) == station:
            rows.add((name, station))

    claimed.update(canonical)  # station tokens first; garbled ones resolve via stations.csv
    for token, canon in sorted(canonical.items()):
        if token == canon:
            rows.add((token, token))

    derived: dict[str, Counter[str]] = defaultdict(Counter)
    special: list[tuple[str, str]] = []
    for row in read_dicts(src / "routing" / "cablegate-origin-stations.csv"):
        token, pla = row["id_station_token"], squash(row["plain_language_address"])
        station = canonical[token]
        if station != token:
            continue
        for name in post_names(pla):
            if name in PLA_SPECIAL:
                special.append((name, PLA_SPECIAL[name]))
            elif name != pla or normalise_post(name) == token:
                derived[name][station] += int(row["cables_in_cablegate"] or 0)
    for name, station in sorted(special):
        add(name, station)
    for name in sorted(derived):
        station, _ = min(derived[name].items(), key=lambda kv: (-kv[1], kv[0]))
        add(name, canonical.get(normalise_post(name), station))

    for alias, target in read_csv(src / "ids" / "reference-origin-aliases.csv"):
        resolved = canonical.get(target)
        if resolved is not None and canonical.get(resolved) == resolved:
            add(alias, resolved)
    return [list(r) for r in sorted(rows)]


# --------------------------------------------------------------------------- malformed_ids.csv


def build_malformed(src: Path) -> list[list[str]]:
    rows = read_csv(src / "ids" / "cablegate-malformed-ids.csv")
    return sorted([published, corrected, kind] for published, corrected, kind in rows)


# --------------------------------------------------------------------------- tags.csv


def kind_by_shape(tag: str) -> str:
    if len(tag) == 2 and tag.isalpha():
        return "geographic"
    if len(tag) == 4 and tag.isalpha() and tag[0] == "K":
        return "program"
    if len(tag) == 4 and tag.isalpha() and tag[0] in SUBJECT_INITIALS:
        return "subject"
    return "organization"


def build_tags(src: Path) -> list[list[str]]:
    tags_dir = src / "tags"
    kinds: dict[str, str] = {}
    descriptions: dict[str, str] = {}

    def offer(tag: str, kind: str | None, description: str = "") -> None:
        tag = tag.strip()
        if not TAG_RE.fullmatch(tag):  # person names, free text with spaces, lower case
            return
        if kind in TAG_KINDS:
            kinds.setdefault(tag, kind)
        description = squash(description)
        if description and description != tag:
            descriptions.setdefault(tag, description)

    # Described state-tags entries first, then FIPS 10-4, then the code-only entries (copied
    # from cablemap's lists): cablemap lists AL (Albania) and BP (Solomon Islands) as
    # organizations (Arab League, British Petroleum); as TAGS they are the FIPS countries.
    state_tags = read_dicts(tags_dir / "state-tags-reference.csv")
    for row in state_tags:
        if row["confidence"] != "code-only":
            offer(row["tag"], row["kind"], row["description"])
    for fips in read_csv(tags_dir / "geo-tags-fips10-4.csv"):
        offer(fips[0], "geographic", fips[3])
    for row in state_tags:
        offer(row["tag"], row["kind"], row["description"])
    for tag in read_lines(tags_dir / "cablemap-subject-tags.txt"):
        offer(tag, "subject")
    for tag in read_lines(tags_dir / "cablemap-organization-tags.txt"):
        offer(tag, "organization")
    # PlusD labels: only entries with a real description ("- X" where X != the code); the
    # undescribed rest are raw TAGS tokens (typos, glued runs, DTGs, names).
    plusd = tags_dir / "plusd-tags-whoiskieran" / "import" / "tag_nodes.csv"
    for tag, label, *_ in read_csv(plusd, header=False):
        text = label.removeprefix("- ").replace("''", "'").strip()
        if text and text != tag and TAG_RE.fullmatch(tag):
            offer(tag, kinds.get(tag) or kind_by_shape(tag), text)

    return [[tag, kinds[tag], descriptions.get(tag, "")] for tag in sorted(kinds)]


# --------------------------------------------------------------------------- countries.csv

# Names REL TO lists and readers use that GeoNames does not give: State's and NATO's own
# short forms. Each names one country beyond doubt.
COUNTRY_ALIASES = {
    "US": "USA",
    "UNITED STATES": "USA",
    "UNITED STATES OF AMERICA": "USA",
    "UK": "GBR",
    "BRITAIN": "GBR",
    "GREAT BRITAIN": "GBR",
    "ENGLAND": "GBR",
    "AUST": "AUS",
    "NZ": "NZL",
    "ROK": "KOR",
    "KOREA, REPUBLIC OF": "KOR",
    "PRC": "CHN",
    "GER": "DEU",
    "ROYG": "YEM",
    "UAE": "ARE",
    "KSA": "SAU",
}


def build_countries(src: Path) -> list[list[str]]:
    """Name -> trigraph: ISO trigraphs, GeoNames names, the aliases above, and two-letter
    codes only where ISO 3166 and FIPS 10-4 (State's TAGS) do not name two countries: a
    digraph such as IS (Israel in FIPS, Iceland in ISO) cannot be read for sure."""
    rows = read_csv(src / "tags" / "geo-tags-fips10-4.csv")
    found: dict[str, tuple[str, str]] = {}
    owners: dict[str, set[str]] = {}
    for fips, iso2, iso3, _name in rows:
        owners.setdefault(fips, set()).add(iso3)
        owners.setdefault(iso2, set()).add(iso3)
    for _fips, _iso2, iso3, name in rows:
        found[iso3] = (iso3, "iso3")
        found[squash(name).upper()] = (iso3, "name")
    for code, countries in owners.items():
        if len(countries) == 1 and code not in found:
            found[code] = (next(iter(countries)), "iso2 or fips, one country")
    for alias, iso3 in COUNTRY_ALIASES.items():
        found.setdefault(alias, (iso3, "alias"))
    return [[name, iso3, how] for name, (iso3, how) in sorted(found.items())]


# --------------------------------------------------------------------------- output

TABLES = (
    "routing.csv",
    "stations.csv",
    "posts.csv",
    "malformed_ids.csv",
    "tags.csv",
    "countries.csv",
)
HEADERS = {
    "routing.csv": ["routing_indicator", "name", "source", "collective"],
    "stations.csv": ["token", "canonical", "pla", "routing_indicator"],
    "posts.csv": ["name", "station"],
    "malformed_ids.csv": ["published", "canonical", "kind"],
    "tags.csv": ["tag", "kind", "description"],
    "countries.csv": ["name", "trigraph", "how"],
}


def render_csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


# Table -> (shared files under reference/, upstream repository / origin and licence as stated in
# ../shared/data/README.md).
ORIGINS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "routing.csv": (
        (
            "routing/acp117-decode-routing-indicators.csv",
            "routing/cablegate-sample-observed-addressees.csv",
            "routing/acp117-encode-state-plas.csv",
            "routing/cablegate-origin-stations.csv",
            "routing/anarchivist-stations.js",
            "routing/route2name.csv",
        ),
        (
            "ACP 117 CAN-US SUPP-1(O) Change 4 (2011) and Change 18 (2014), Sections I and II "
            "(unclassified US/Canadian government publication; PDFs as archived in "
            "`heuer/cablemap`), extracted for cablekit",
            "Cablegate cable headers of the sample mirrored in `chillicoder/cablegate` "
            "(none stated), extracted for cablekit",
            "`anarchivist/cablegate-social-graph` `stations.js` (none stated)",
            "`heuer/cablemap` `data/route2name.csv` (BSD-3)",
        ),
    ),
    "stations.csv": (
        ("routing/cablegate-origin-stations.csv", "ids/cablegate-malformed-ids.csv"),
        (
            "made for cablekit from `heuer/cablemap` `cable2month.csv.gz` (BSD-3) joined with "
            "ACP 117, the sample and manual notes",
            "`heuer/cablemap` `consts.py` `MALFORMED_CABLE_IDS` / `INVALID_CABLE_IDS` (BSD-3)",
        ),
    ),
    "posts.csv": (
        ("routing/cablegate-origin-stations.csv", "ids/reference-origin-aliases.csv"),
        (
            "as `stations.csv` (PLAs)",
            "`heuer/cablemap` `reader.py` `_C14N_FIXES` (BSD-3)",
        ),
    ),
    "malformed_ids.csv": (
        ("ids/cablegate-malformed-ids.csv",),
        ("`heuer/cablemap` `consts.py` `MALFORMED_CABLE_IDS` / `INVALID_CABLE_IDS` (BSD-3)",),
    ),
    "tags.csv": (
        (
            "tags/state-tags-reference.csv",
            "tags/geo-tags-fips10-4.csv",
            "tags/cablemap-subject-tags.txt",
            "tags/cablemap-organization-tags.txt",
            "tags/plusd-tags-whoiskieran/import/tag_nodes.csv",
        ),
        (
            "made for cablekit (5 FAH-3 H-011.1 excerpt, common cable-analysis labels, "
            "cablemap's code lists)",
            "GeoNames `countryInfo.txt` via `Codehalli/CountryData` (CC BY 4.0, GeoNames)",
            "`heuer/cablemap` `subject-tags.txt`, `organization-tags.txt` (BSD-3)",
            "`whoiskieran/Neo4jWikiLeaks` PlusD TAGS labels (none stated)",
        ),
    ),
    "countries.csv": (
        ("tags/geo-tags-fips10-4.csv",),
        (
            "GeoNames `countryInfo.txt` via `Codehalli/CountryData` (CC BY 4.0, GeoNames)",
            "aliases made for cablekit (`tools/build_tables.py` COUNTRY_ALIASES)",
        ),
    ),
}


def render_origins(counts: dict[str, int]) -> str:
    lines = []
    for name in TABLES:
        files, upstream = ORIGINS[name]
        lines.append(f"### `{name}` ({counts[name]} rows)\n")
        lines.append("Shared files: " + ", ".join(f"`{f}`" for f in files) + ".\n")
        lines.append("Upstream (licence):\n")
        lines.extend(f"* {u}" for u in upstream)
        lines.append("")
    return "\n".join(lines)


def render_readme(counts: dict[str, int], routing_sources: Counter[str]) -> str:
    by_source = "".join(f"\n  * `{s}`: {n}" for s, n in sorted(routing_sources.items()))
    origins = render_origins(counts)
    return f"""# Packaged reference tables

Generated by `tools/build_tables.py` from the shared reference data
(`../shared/data/reference/`, described in `../shared/data/README.md` §3). Do not edit by hand:
run `make tables` (or `python tools/build_tables.py --source DIR`) and commit the result.
All files are UTF-8 CSV with a title row, LF line ends, rows sorted by the first column.

## Origins

{origins}
## How each table is built

* **routing.csv** — `routing_indicator,name,source,collective`. Name priority (spec §3.1):
  ACP 117 decode (duplicates: 2011 edition first; `THRU` ranges expanded, last letter only) >
  most frequent PLA observed in the sample > ACP 117 encode (an RI shared by several PLAs only
  when exactly one is complete in the book) > origin stations > anarchivist > route2name
  (`X THRU Y` ranges expanded, last letter only). `RHMFISS`, `RHMFIUU`, `RHMFITT` are decoded by
  rule (spec §3.2, ACP 117 ¶7a) and override every table. `collective` is 1 when the RI's most
  frequent observed PLA is a collective or the name contains the word `COLLECTIVE`. Rows by
  source:{by_source}
* **stations.csv** — `token,canonical,pla,routing_indicator`: every station token of the
  251,287 Cablegate ids. Garbled tokens (`EFTOATHENS`, `BRUSSLS`, `AMEMBASSYHANOI`, and
  `EFTOLONDON`/`AQNA`/`QXICO` via the malformed-id corrections) map to the intended station.
  Renamed posts and separate missions that are real id tokens (`KIEV`, `CALCUTTA`, `MADRAS`,
  `BELIZE`, `LENINGRAD`, `USTRGENEVA`, `UNESCOPARIS`, `UNESCOPARISFR`) stay canonical, although
  the shared file folds them into their successor.
* **posts.csv** — `name,station`: the canonical station tokens, the post names of their PLAs
  (`AMEMBASSY BUENOS AIRES` -> `BUENOS AIRES`, `SECSTATE WASHDC` -> `STATE`) and the REF-line
  aliases. Look-ups remove spaces, `.`, `-`, `'` and upper-case. A name that is itself a station
  token keeps that token (so cablemap's `BRUSSELS`->`USEUBRUSSELS`, `AITTAIPEI`->`TAIPEI` and
  `PARISFR`->`UNESCOPARISFR` aliases are not used); aliases to non-Cablegate originators
  (`SECDEF`, `USDOC`, `CDCATLANTA`…) are dropped.
* **malformed_ids.csv** — copied columns of the malformed-id table.
* **tags.csv** — `tag,kind,description`, kind one of subject, program, geographic, organization.
  Kind priority: state-tags reference (described entries) > FIPS 10-4 (geographic; so `AL`,
  `BP` are Albania, Solomon Islands, not cablemap's organizations) > code-only state-tags
  entries and the cablemap subject / organization lists > by shape for PlusD-only codes
  (2 letters geographic, `K`+3 program, 4 letters starting A B C E L M O P S T subject, else
  organization). Descriptions: state-tags reference > FIPS country name > PlusD label. PlusD
  codes without a description of their own and entries with spaces or lower case (person
  names, free text) are left out.
* **countries.csv** — `name,trigraph,how`: what a REL TO list or a reader's citizenship may
  say for a country (upper case), read as its ISO 3166 trigraph (the CAPCO convention): the
  trigraph itself, the GeoNames name, a few aliases (`UK`, `ROK`, `GER` ...), and a
  two-letter code only where ISO 3166 and FIPS 10-4 do not name two countries with it (`CA`,
  `JP`, `FR`; not `IS`, `AS`, `GM`, `CH`, Israel or Iceland, Australia or American Samoa
  ...). A name not in the table releases to nobody.

## Licence notices

Files derived from `heuer/cablemap` are redistributed under its BSD-3 licence:

```
{CABLEMAP_LICENSE}```

Geographic names: GeoNames (geonames.org), licensed under CC BY 4.0.
"""


CABLEMAP_LICENSE = """\
Copyright (c) 2011 - 2015 -- Lars Heuer - <heuer[at]semagia.com>
All rights reserved.

Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions are
met:

    * Redistributions of source code must retain the above copyright
      notice, this list of conditions and the following disclaimer.

    * Redistributions in binary form must reproduce the above
      copyright notice, this list of conditions and the following
      disclaimer in the documentation and/or other materials provided
      with the distribution.

    * Neither the project name nor the names of the contributors may be
      used to endorse or promote products derived from this software
      without specific prior written permission.

THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS
"AS IS" AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT
LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR
A PARTICULAR PURPOSE ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT
OWNER OR CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL,
SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT
LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES; LOSS OF USE,
DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON ANY
THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT
(INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
"""


def build(source: Path) -> dict[str, str]:
    """Return file name -> file content for every generated file."""
    stations = build_stations(source)
    tables = {
        "routing.csv": build_routing(source),
        "stations.csv": stations,
        "posts.csv": build_posts(source, stations),
        "malformed_ids.csv": build_malformed(source),
        "tags.csv": build_tags(source),
        "countries.csv": build_countries(source),
    }
    files = {name: render_csv(HEADERS[name], tables[name]) for name in TABLES}
    counts = {name: len(tables[name]) for name in TABLES}
    routing_sources = Counter(row[2] for row in tables["routing.csv"])
    files["README.md"] = render_readme(counts, routing_sources)
    return files


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="reference dir")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output dir")
    parser.add_argument("-q", "--quiet", action="store_true", help="print nothing")
    args = parser.parse_args(argv)
    if not args.source.is_dir():
        parser.error(f"source directory not found: {args.source}")
    files = build(args.source)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (args.out / name).write_bytes(content.encode("utf-8"))
        if not args.quiet:
            print(f"{args.out / name}: {len(content.encode('utf-8'))} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
