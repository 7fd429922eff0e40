"""The PDF reader: WikiLeaks' PDF edition, bundles, damaged and encrypted files, scans.

The four sample PDFs (``../shared/data/samples/pdf``) are checked field by field
against what a person reads on the page. Scans are made in the test from the
same PDFs (pages rendered to images, written as an image-only PDF) and read back
by Tesseract; those tests skip when Tesseract is not installed (CI installs it).
"""

from __future__ import annotations

import gzip
import shutil
import string
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cablekit.errors import CablekitError, MissingDependency, UnreadableInput
from cablekit.model import Cable
from cablekit.parser import parse_raw
from cablekit.sources import detect, iter_inputs, read_bytes
from cablekit.sources.layout import Glyph, lines_from_glyphs
from cablekit.sources.ocr import repair_pilcrows

from .pdf_helpers import PDF_SAMPLES, char_error_rate, make_bundle, make_scan, sample_pdfs

pytestmark = pytest.mark.skipif(not PDF_SAMPLES.is_dir(), reason="../shared/data is absent")
FIXTURES = Path(__file__).parent / "fixtures" / "pdf"
TESSERACT = shutil.which("tesseract")
needs_tesseract = pytest.mark.skipif(
    TESSERACT is None, reason="Tesseract is not installed (apt-get install tesseract-ocr)"
)


def parse_all(paths: list[Any]) -> list[Cable | CablekitError]:
    return [
        item if isinstance(item, CablekitError) else parse_raw(item)
        for item in iter_inputs([str(p) for p in paths])
    ]


def parse_one(path: Path) -> Cable:
    (cable,) = parse_all([path])
    assert isinstance(cable, Cable), cable
    return cable


# What a person reads in each PDF. ABU DHABI's paragraph 1 is its "Classified By"
# line, kept as ``classified_by``; HANOI's header has no month (only "050821Z" in the
# page header), so it has no date.
EXPECTED: dict[str, dict[str, Any]] = {
    "00ABUDHABI5893": {
        "date": "2000-10-31",
        "classification": "CONFIDENTIAL",
        "to": ["SECSTATE WASHDC"],
        "info": [
            "ARAB ISRAELI COLLECTIVE",
            "NSC WASHINGTON DC",
            "SECDEF WASHDC",
            "CIA WASHINGTON DC",
            "DIA WASHINGTON DC",
        ],
        "tags": ("PREL", "XF", "TC"),
        "subject": 'SULTAN BIN ZAYID: "MUST THE U.S. BE TOUGHER THAN THE ISRAELIS ON PALESTINE?"',
        "references": [],
        "numbers": [2, 3, 4, 5, 6, 7],
        "first": (
            "SUMMARY: A FRIENDLY BUT CLEARLY FRUSTRATED SULTAN BIN ZAYID, UAE DEPUTY PRIME "
            "MINISTER AND SECOND SON OF PRESIDENT ZAYID BIN SULTAN, CONVEYED TO AMBASSADOR IN "
            'FRANK, DELIBERATE TERMS OCTOBER 29 HIS OWN "AND MANY OTHERS\'" DEEP DISAPPOINTMENT '
            'THAT THE U.S., IN ITS "UNCRITICAL SUPPORT" FOR ISRAEL AND HARSH CRITICISMS OF THE '
            "PALESTINIANS, HAD BETRAYED ITS HISTORICAL REPUTATION AS A CHAMPION OF FAIRNESS, "
            "JUSTICE AND THE INDEPENDENCE OF OPPRESSED PEOPLES. THE ARABS, HE SAID, NO LONGER HAD "
            "ANY EXPECTATIONS THAT THE U.S. WOULD SERVE AS AN HONEST BROKER FOR PEACE, AND THIS "
            'COULD HAVE RAMIFICATIONS FOR LARGER U.S.-ARAB RELATIONS, "WHICH WAS NOT GOOD FOR '
            'EITHER OF US." OFFERING HIS CONDOLENCES FOR THE LOSS OF LIFE RESULTING FROM THE '
            '"COWARDLY" ATTACK ON THE USS COLE, SULTAN WARNED THAT EXTREMISTS WOULD CONTINUE TO '
            "EXPLOIT TENSIONS IN THE REGION TO FURTHER THEIR OWN AGENDAS. IN A RARE COMMENTARY ON "
            'LEBANON, SULTAN LABELED SYRIAN POLICY THERE "DISASTROUS," AND SAID THE UAE WOULD BE '
            "THE FIRST TO APPLAUD THE WITHDRAWAL OF SYRIAN TROOPS FROM LEBANESE SOIL. SULTAN'S "
            "UNVARNISHED VIEWS NO DOUBT REFLECT HIS FATHER'S THINKING, ALTHOUGH SULTAN SAID HE HAD "
            "AVOIDED RAISING THE CURRENT SITUATION IN THE OCCUPIED TERRITORIES IN RECENT "
            "DISCUSSIONS WITH HIS RECUPERATING FATHER SO AS NOT TO UPSET ZAYID. THE MEETING WAS "
            "GIVEN EXTENSIVE MEDIA COVERAGE THAT EVENING AND IN THE FOLLOWING DAY'S PRESS, UNDER "
            'THE HEADLINE "THE UAE URGES WASHINGTON TO BE HONEST AND DO WHAT IS RIGHT." END '
            "SUMMARY."
        ),
        "last": (
            "THE TELEVISION CAMERAS AND CREW THAT AWAITED THE AMBASSADOR'S ARRIVAL SIGNALED "
            "SULTAN'S INTENTION TO USE THIS MEETING AS MUCH TO MOLLIFY AN ANGRY POPULACE AS TO "
            "PASS A MESSAGE TO THE U.S. INDEED, THE MEETING WAS GIVEN PROMINENT COVERAGE ON THE "
            "EVENING NEWS AND IN THE FOLLOWING MORNING'S PRESS, WITH AN UNUSUAL AMOUNT OF DETAIL. "
            "OPTICS ASIDE, SULTAN'S MESSAGE WAS SINCERE AND REFLECTS WHAT WE ARE HEARING FROM A "
            "BROAD RANGE OF CONTACTS."
        ),
    },
    "00ATHENS1501": {
        "date": "2000-09-23",
        "classification": "SENSITIVE BUT UNCLASSIFIED",  # UNCLAS with the SENSITIVE caption
        "to": ["SECSTATE WASHDC"],
        "info": [],
        "tags": ("EAID", "PREF", "EAGR", "ET", "KE", "SO", "EUN", "GR"),
        "subject": (
            "GREEK RESPONSE ON URGENT SUPPORT NEEDED FOR HUMANITARIAN CRISIS IN ETHIOPIA, "
            "SOMALIA, AND KENYA"
        ),
        "references": [
            (None, "09STATE96625"),
            ("A", "00STATE70789"),
            ("B", "00SEOUL1144"),
            ("C", "00SINGAPORE675"),
            ("D", "00THEHAGUE4750"),
            ("E", "00NAIROBI1812"),
            ("F", None),  # ADDIS 1556: no post of that name
            ("G", "00STATE87385"),
            ("H", "00STATE58996"),
        ],
        "numbers": [1],
        "first": (
            "DepEconCouns delivered reftel points on September 18 to Dr. Nike-Catherine "
            "Koutrakou, Director of Emergency Humanitarian and Food Aid Programs at Hellenic Aid "
            "(HA). On September 23, Dr. Koutrakou advised DepEconCouns that the GoG has made "
            "Ethiopia and Somalia two of its highest priority countries for assistance (in "
            "addition to Afghanistan and the Palestinian Authority). While Kenya is not one of "
            "Greece's high priority countries, the GoG has allocated assistance funding to it and "
            "will continue to do so. In addition, Koutrakou has proposed to HA's leadership that "
            "Kenya be added to Greece's list of high priority countries. Koutrakou advised that "
            "to date in 2009, HA has given to the World Food Program (WFP) EUR450,000 for "
            "Ethiopia, EUR150,000 for Somalia, and EUR300,000 for Kenya. In response to the most "
            "recent humanitarian appeal, Koutrakou told DepEconCouns that she has proposed to "
            "Ambassador Mercourios Karafotias, Director General of Hellenic Aid, that Greece "
            "donate an additional EUR300,000 for these three countries through the WFP. No "
            "decision, however, can be made on whether and when to provide this additional "
            "assistance until a new Greek government assumes power [Note: Greece's Prime "
            "Minister recently called snap elections, which will take place on October 4. End "
            "Note]. Reiterating statements made by Ambassador Karafotias to DepEconCouns in the "
            "past, Koutrakou emphasized that Foreign Minister Dora Bakoyannis wants HA, which "
            "falls under the MFA, to support USG assistance priorities whenever possible. While "
            "Koutrakou is not sure whether this policy will be continued under a new government, "
            "if the MFA's new political leaders are put in place in a timely fashion and agree, "
            "HA could be in a position to donate the EUR300,000 to the WFP by mid-November."
        ),
    },
    "00BEIJING11790": {
        "date": "2000-11-30",
        "classification": "UNCLASSIFIED",
        "to": ["SECSTATE WASHDC"],
        "info": [
            "AMEMBASSY SEOUL",
            "AMEMBASSY TOKYO",
            "AMEMBASSY ULAANBAATAR",
            "AMCONSUL GUANGZHOU",
            "AMEMBASSY ADDIS ABABA",
            "AMCONSUL SHANGHAI",
            "AMCONSUL SHENYANG",
            "AMCONSUL CHENGDU",
            "AMCONSUL HONG KONG",
            "USCINCPAC HONOLULU HI",
            "JICPAC HONOLULU HI",
        ],
        "tags": ("PTER", "CH"),
        "subject": "CHINA: 2000 ANNUAL TERRORISM REPORT",
        "references": [(None, "00STATE217248")],
        "numbers": [1, 2],
        "first": (
            "BELOW IS THE 2000 TERRORISM REPORT FOR CHINA. RESPONSES ARE KEYED TO REFTEL "
            "PARAGRAPH THREE REQUIREMENTS."
        ),
        # Paragraph 2 holds the lettered answers A) to K), the last two on the second page.
        "last_starts": "A) THERE WERE NO ACTS OF TERRORISM COMMITTED AGAINST U.S. CITIZENS",
        "last_ends": (
            "H) THERE HAVE BEEN NO SIGNIFICANT CHANGES SINCE 1999 IN CHINA'S ATTITUDE TOWARD "
            "TERRORISM. I) THE UNITED STATES HAS NO COUNTERTERRORISM INITIATIVES WITH CHINA. "
            "J) N/A K) N/A"
        ),
    },
    "00HANOI686": {
        "date": None,
        "classification": "CONFIDENTIAL",
        "to": ["SECSTATE WASHDC"],
        "info": [
            "NSC WASHDC",
            "ASEAN COLLECTIVE",
            "AMEMBASSY BEIJING",
            "AMCONSUL HONG KONG",
            "AMEMBASSY TOKYO",
            "AMEMBASSY SEOUL",
            "DEPTTREAS WASHDC",
            "USDOC WASHDC",
            "SECDEF WASHDC",
            "JOINT STAFF WASHDC",
            "USCINCPAC HONOLULU HI//J5/FPA//",
            "DIA WASHDC",
        ],
        "tags": ("PGOV", "PREL", "ECON", "ETRD", "PINR", "PHUM", "VM", "DPOL"),
        "subject": (
            "VIETNAM IDEOLOGICALLY COMMITTED TO STATE-LED ECONOMIC DEVELOPMENT, WARY OF DANGERS "
            "OF GLOBALIZATION"
        ),
        "references": [("A", "00HANOI637"), ("B", "00HANOI232")],
        "numbers": list(range(1, 28)),
        "first": (
            "SENIOR LEADERS RECENTLY HAVE EMPHASIZED FAMILIAR IDEOLOGICAL THEMES ABOUT THE "
            "COMMUNIST PARTY'S PREEMINENT ROLE IN ALL MAJOR POLITICAL AND ECONOMIC "
            "DECISION-MAKING. A FOCUS OF THIS CENTER-LED GOVERNING STYLE IS THE NEED FOR A STRONG "
            "STATE SECTOR TO GUIDE ECONOMIC DEVELOPMENT. IN THE VIEW OF VIETNAM'S IDEOLOGUES, "
            "MARKET REFORMS MUST BE INCREMENTAL AND SUPPLEMENTAL TO THE STATE-LED BACKBONE OF THE "
            "ECONOMY. RECENT ARTICLES HAVE STRESSED THAT SOCIALIST VIETNAM'S HIGHEST PRIORITIES "
            "MUST ALWAYS BE TO REDUCE POVERTY AND HUNGER. WHILE THESE ARE LAUDABLE GOALS, "
            "VIETNAM'S COMMAND-STYLE ECONOMIC AND SOCIAL SERVICE SYSTEM IS SEEN, IN LARGE PART, "
            "AS THE MECHANISM TO ACHIEVE THIS, RATHER THAN ALLOWING GREATER ECONOMIC AND "
            "POLITICAL FREEDOM FOLLOWING A MARKET-ORIENTED PARADIGM. IN THE WORDS OF THE PRIME "
            'MINISTER, VIETNAM IS A POOR COUNTRY THAT "CANNOT COMPETE" WITH RICH COUNTRIES. '
            "VIETNAM CONSTANTLY ARGUES IT NEEDS MORE AID, DESPITE HAVING AID COMMITMENTS AND "
            "PLEDGES TOTALING 28 PERCENT OF GDP."
        ),
        "last_starts": (
            "COMMENT (CONT'D): AS WE CONTINUE TO PRESS FORWARD SEEKING A BILATERAL TRADE "
            "AGREEMENT AND OTHER MAJOR REFORMS,"
        ),
        # Across the page header of section 07: no "CONFIDENTIAL" or "PAGE 03" left inside.
        "last_contains": (
            "PARTY VETERANS CONTINUE TO USE IDEOLOGICAL SLOGANS TO RESIST MOVING FORWARD ON "
            "REFORM. THEY DO THIS FOR SEVERAL REASONS:"
        ),
        "last_ends": (
            "MANY OF WHOM SUBSCRIBE TO STERILE IDEOLOGICAL MANTRAS FROM ANOTHER ERA. END COMMENT."
        ),
    },
}


@pytest.mark.parametrize("cable_id", sorted(EXPECTED))
def test_sample_pdf_parses_whole(cable_id: str) -> None:
    want = EXPECTED[cable_id]
    cable = parse_one(PDF_SAMPLES / f"{cable_id}.pdf")
    assert cable.id == cable_id
    assert cable.source.format == "pdf"
    assert cable.date == want["date"]
    assert cable.classification == want["classification"]
    assert [a.name for a in cable.to] == want["to"]
    assert [a.name for a in cable.info] == want["info"]
    assert cable.tags == want["tags"]
    assert cable.subject == want["subject"]
    assert [(r.letter, r.id) for r in cable.references] == want["references"]
    assert [p.number for p in cable.paragraphs] == want["numbers"]
    first, last = cable.paragraphs[0].text, cable.paragraphs[-1].text
    assert first == want["first"]
    assert last == want.get("last", want.get("first") if len(want["numbers"]) == 1 else last)
    assert last.startswith(want.get("last_starts", ""))
    assert want.get("last_contains", "") in last
    assert last.endswith(want.get("last_ends", ""))


def test_classified_by_paragraph_and_headings() -> None:
    cable = parse_one(PDF_SAMPLES / "00ABUDHABI5893.pdf")
    assert cable.classified_by is not None
    assert cable.classified_by.name == "THEODORE H. KATTOUF"
    assert cable.classified_by.reasons == ("1.5(b)", "1.5(d)")
    # A heading between rules is a heading even when it asks a question.
    assert [p.heading for p in cable.paragraphs] == [
        None,
        "MORE ZIONIST THAN THE ISRAELIS?",
        None,
        "THE CONSEQUENCES FOR LARGER U.S.-ARAB RELATIONS",
        "BUT ISRAEL NOT THE ONLY OCCUPYING POWER...",
        "COMMENT",
    ]
    assert cable.signature == "KATTOUF"


def test_no_page_break_artefact_inside_a_paragraph() -> None:
    for path in sample_pdfs():
        cable = parse_one(path)
        for paragraph in cable.paragraphs:
            text = paragraph.text
            assert "PAGE 0" not in text and " 01 OF 07 " not in text, (cable.id, text)
            assert "CONFIDENTIAL" not in text, (cable.id, paragraph.number)
            assert "¶" not in text and "\ufffe" not in text
    abu_dhabi = parse_one(PDF_SAMPLES / "00ABUDHABI5893.pdf")
    # Paragraph 3 runs from PDF page 1 to page 2, paragraph 7 from page 2 to page 3.
    assert "ALL THEY WERE SEEKING WAS THEIR INDEPENDENCE. THE ARABS WOULD ACCEPT THE ISRAELIS" in (
        abu_dhabi.paragraphs[1].text
    )
    assert "PROMINENT COVERAGE ON THE EVENING NEWS" in abu_dhabi.paragraphs[-1].text
    hanoi = parse_one(PDF_SAMPLES / "00HANOI686.pdf")
    assert hanoi.partial  # WikiLeaks' note: a partial extract
    assert hanoi.paragraphs[12].text.endswith(
        "IN SETTING BACK POVERTY REDUCTION EFFORTS IN THAT COUNTRY AND OTHERS."
    )
    assert len(hanoi.page_markers) == 15
    assert hanoi.signature == "PETERSON"


def test_detected_by_content() -> None:
    head = (PDF_SAMPLES / "00ATHENS1501.pdf").read_bytes()[:4096]
    assert detect(None, head) == "pdf"
    assert detect("cable.txt", head) == "pdf"


def test_bundle_yields_each_cable_with_its_page(tmp_path: Path) -> None:
    bundle = tmp_path / "release.pdf"
    pages = make_bundle(sample_pdfs(), bundle, min_pages=14)
    assert pages == 26
    got = parse_all([bundle])
    assert all(isinstance(c, Cable) for c in got)
    cables = [c for c in got if isinstance(c, Cable)]
    ids = ["00ABUDHABI5893", "00ATHENS1501", "00BEIJING11790", "00HANOI686"]
    assert [c.id for c in cables] == ids + ids
    starts = [1, 4, 5, 7, 14, 17, 18, 20]
    assert [c.source.path for c in cables] == [f"{bundle}#page={n}" for n in starts]
    # The same parse as the single files, but for the source.
    for cable in cables[:4]:
        alone = parse_one(PDF_SAMPLES / f"{cable.id}.pdf")
        assert cable.paragraphs == alone.paragraphs and cable.subject == alone.subject


def test_title_line_goes_with_its_own_cable(tmp_path: Path) -> None:
    """HANOI's title line (top of its first page) after a cable without one."""
    bundle = tmp_path / "two.pdf"
    make_bundle([PDF_SAMPLES / "00BEIJING11790.pdf", PDF_SAMPLES / "00HANOI686.pdf"], bundle)
    beijing, hanoi = parse_all([bundle])
    assert isinstance(beijing, Cable) and isinstance(hanoi, Cable)
    assert beijing.id == "00BEIJING11790" and beijing.publication is None
    assert hanoi.publication is not None and hanoi.publication.reference_id == "00HANOI686"


def test_stream_without_seek(tmp_path: Path) -> None:
    """A compressed PDF comes as a stream PDFium cannot seek in: spooled to disk first."""
    packed = tmp_path / "00BEIJING11790.pdf.gz"
    packed.write_bytes(gzip.compress((PDF_SAMPLES / "00BEIJING11790.pdf").read_bytes()))
    (cable,) = parse_all([packed])
    assert isinstance(cable, Cable) and cable.id == "00BEIJING11790"
    (raw,) = read_bytes((PDF_SAMPLES / "00ATHENS1501.pdf").read_bytes())
    assert parse_raw(raw).id == "00ATHENS1501"


def test_damaged_and_encrypted_pdf_one_sentence_and_others_go_on(tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 8)
    good = PDF_SAMPLES / "00ATHENS1501.pdf"
    got = parse_all([damaged, FIXTURES / "encrypted.pdf", good])
    assert isinstance(got[0], UnreadableInput)
    assert str(got[0]) == f"{damaged} is a damaged PDF (PDFium cannot read it)"
    assert isinstance(got[1], UnreadableInput)
    assert str(got[1]).endswith(
        "encrypted.pdf is an encrypted PDF; give cablekit a copy without a password"
    )
    assert isinstance(got[2], Cable) and got[2].id == "00ATHENS1501"


def test_forced_on_another_file() -> None:
    (error,) = list(iter_inputs([str(PDF_SAMPLES / "LICENSE")], format="pdf"))
    assert str(error) == f"{PDF_SAMPLES / 'LICENSE'} is not a PDF"


def test_without_pypdfium2_one_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pypdfium2", None)  # as if not installed
    (error,) = parse_all([PDF_SAMPLES / "00ATHENS1501.pdf"])
    assert isinstance(error, MissingDependency)
    assert str(error) == "Reading PDF needs the optional PDF support: pip install 'cablekit[pdf]'"


def test_scan_without_tesseract_one_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scan = tmp_path / "scan.pdf"
    make_scan(PDF_SAMPLES / "00ATHENS1501.pdf", scan, dpi=100)
    monkeypatch.setenv("PATH", str(tmp_path))  # no tesseract on it
    got = parse_all([scan, PDF_SAMPLES / "00BEIJING11790.pdf"])
    assert isinstance(got[0], MissingDependency)
    assert str(got[0]) == (
        "Reading scanned pages needs Tesseract, which is not installed: install Debian's "
        "tesseract-ocr (apt-get install tesseract-ocr)"
    )
    assert isinstance(got[1], Cable)


# --- scans ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Cable, Cable]]:
    """Each sample PDF and its scan (200 dpi, grey), both parsed."""
    folder = tmp_path_factory.mktemp("scans")
    pairs = []
    for path in sample_pdfs():
        scan = folder / path.name
        make_scan(path, scan)
        pairs.append((parse_one(path), parse_one(scan)))
    return pairs


@needs_tesseract
def test_scan_header_fields_agree_with_text_layer(scans: list[tuple[Cable, Cable]]) -> None:
    for text, scan in scans:
        assert scan.id == text.id
        assert scan.date == text.date
        assert scan.classification == text.classification
        assert scan.tags == text.tags
        assert scan.subject == text.subject
        assert [p.number for p in scan.paragraphs] == [p.number for p in text.paragraphs]


@needs_tesseract
def test_scan_paragraph_text_close_to_text_layer(scans: list[tuple[Cable, Cable]]) -> None:
    """Character error rate of the paragraphs read from the scans (0.24% when written:
    mostly headings ending in "?" or "...", whose rules OCR does not see, read as text)."""
    reference = "\n".join(p.text for text, _ in scans for p in text.paragraphs)
    read = "\n".join(p.text for _, scan in scans for p in scan.paragraphs)
    assert char_error_rate(reference, read) < 0.005
    assert all(p.text.strip() for _, scan in scans for p in scan.paragraphs)


# --- header confusions --------------------------------------------------------------

CONFUSED = """\
0 050821Z APR 00
F M AMEMBASSY HANOI
T0 SECSTATE WASHDC PRIORITY 9479
1NFO AMEMBASSY BEIJING PRIORITY
C0NF1DENTIAL HANOI 000686

E.0. 12958: DECL: 3/21/2020
T A G S: PGOV PREL
SUBJECT: VIETNAM IDEOLOGICALLY COMMITTED

1. (C) T0 THE LEADERS, 1NFO IS C0NF1DENTIAL.
PETERSON
"""


def test_header_confusions_repaired_with_a_warning_each() -> None:
    (raw,) = read_bytes(CONFUSED.encode(), format="telegram")
    cable = parse_raw(raw)
    assert cable.precedence == "IMMEDIATE" and cable.date == "2000-04-05"
    assert cable.from_ is not None and cable.from_.name == "AMEMBASSY HANOI"
    assert [a.name for a in cable.to] == ["SECSTATE WASHDC"]
    assert [a.name for a in cable.info] == ["AMEMBASSY BEIJING"]
    assert cable.classification == "CONFIDENTIAL" and cable.id == "00HANOI686"
    assert cable.executive_order is not None and cable.tags == ("PGOV", "PREL")
    repairs = [w.message for w in cable.warnings if w.code == "ocr-repair"]
    assert len(repairs) == 7
    assert "Header line 'T0 SECSTATE WASHDC PRIORITY 9479' read as 'TO SECSTATE" in repairs[2]
    # The text is the cable's: never repaired.
    assert cable.paragraphs[0].text == "T0 THE LEADERS, 1NFO IS C0NF1DENTIAL."


def test_no_repair_without_confusion() -> None:
    text = CONFUSED.replace("0 050821Z", "O 050821Z").replace("F M", "FM").replace("T0 S", "TO S")
    text = text.replace("1NFO A", "INFO A").replace("C0NF1DENTIAL H", "CONFIDENTIAL H")
    text = text.replace("E.0.", "E.O.").replace("T A G S", "TAGS")
    (raw,) = read_bytes(text.encode(), format="telegram")
    assert not [w for w in parse_raw(raw).warnings if w.code == "ocr-repair"]


# --- OCR and layout details --------------------------------------------------------


def test_pilcrow_read_as_a_character_is_dropped() -> None:
    lines = [
        "41. (SBU) Text",
        "a2. (C) More",
        "il. no: 3 is due",
        "3. (C)",
        "aC. C) SEOUL 1",
        "41. x",
    ]
    assert repair_pilcrows(lines) == [
        "1. (SBU) Text",
        "2. (C) More",
        "il. no: 3 is due",
        "3. (C)",
        "C. C) SEOUL 1",
        "41. x",
    ]


_LINE_TEXT = st.text(alphabet=string.ascii_uppercase + string.digits + ".,:()-' ", max_size=60)


@settings(max_examples=200, deadline=None)
@given(st.lists(_LINE_TEXT, min_size=1, max_size=30))
def test_layout_rebuilds_monospaced_text(lines: list[str]) -> None:
    """Glyphs on a typewriter grid come back as the lines they were typed as: blank
    lines and runs of spaces included (leading spaces relative to the leftmost glyph)."""
    glyphs: list[Glyph] = []
    for row, line in enumerate(lines):
        y = 800.0 - 12.0 * row
        previous_space = False
        for column, char in enumerate(line):
            if char == " ":
                if not previous_space:
                    glyphs.append(Glyph(" ", 0, 0, 0))
                previous_space = True
                continue
            left = 50.0 + 7.2 * column + 0.4 * (char in ".,:'")  # side bearings differ a little
            glyphs.append(Glyph(char, left, left + 6.0, y))
            previous_space = False
        glyphs.append(Glyph("\n", 0, 0, 0))
    rebuilt, _ = lines_from_glyphs(glyphs, 12.0)
    written = [line.rstrip() for line in lines]
    while written and not written[-1]:
        written.pop()
    while written and not written[0]:
        written.pop(0)
    indent = min((len(w) - len(w.lstrip()) for w in written if w), default=0)
    assert rebuilt == [w[indent:] for w in written]


# --- command line ---------------------------------------------------------------


def test_cli_parse_check_and_ingest_a_bundle(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cablekit.archive import Archive
    from cablekit.cli import cli

    bundle = tmp_path / "release.pdf"
    make_bundle(sample_pdfs(), bundle)
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n% cut here")
    runner = CliRunner()
    parsed = runner.invoke(cli, ["parse", "--format", "pdf", str(bundle)])
    assert parsed.exit_code == 0, parsed.output
    ids = [line.split('"id": "')[1].split('"')[0] for line in parsed.stdout.splitlines()]
    assert ids == ["00ABUDHABI5893", "00ATHENS1501", "00BEIJING11790", "00HANOI686"]
    checked = runner.invoke(cli, ["check", str(broken), str(bundle)])
    assert checked.exit_code != 0
    assert checked.stderr.strip() == f"Error: {broken} is a damaged PDF (PDFium cannot read it)"
    assert "4 cables parsed, 1 inputs failed" in checked.stdout
    db = tmp_path / "archive.db"
    ingested = runner.invoke(cli, ["ingest", "--db", str(db), str(bundle)])
    assert ingested.exit_code == 0, ingested.output
    with Archive(db) as archive:
        cable = archive.get("00HANOI686").cable
        assert cable.subject == EXPECTED["00HANOI686"]["subject"]
        assert cable.source.path == f"{bundle}#page=7"


def test_blank_page_is_no_scan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page with neither text nor image (a separator sheet) is skipped, not sent to OCR."""
    import pypdfium2 as pdfium

    bundle = tmp_path / "with-blank.pdf"
    document = pdfium.PdfDocument.new()
    for name in ("00ATHENS1501.pdf", "00BEIJING11790.pdf"):
        source = pdfium.PdfDocument(str(PDF_SAMPLES / name))
        document.import_pages(source)
        document.new_page(595, 842)
        source.close()
    document.save(str(bundle))
    document.close()
    monkeypatch.setenv("PATH", str(tmp_path))  # no tesseract: a page sent to OCR would fail
    got = parse_all([bundle])
    assert [c.id for c in got if isinstance(c, Cable)] == ["00ATHENS1501", "00BEIJING11790"]
    assert len(got) == 2
