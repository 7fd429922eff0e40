"""The web application in a real browser: Debian's Chromium, headless, driven by
Playwright against a uvicorn server on a free localhost port.

What a reader does: search, add and remove a facet filter, narrow the dates with a
timeline bar, open a cable, follow one of its references, compare its versions, sign
in as a restricted reader and find placeholders where paragraphs are withheld, sign
out. And what an attacker tries: a cable whose subject and paragraphs carry script
tags, event attributes and ``javascript:`` links must render as inert text.

Each step leaves a full-page screenshot in ``tests/artifacts/browser/`` (or in
``$CABLEKIT_ARTIFACTS``), to be looked at. The tests skip themselves when Chromium is
not at /usr/bin/chromium (CI installs it in ``.ci/run``); Playwright never downloads a
browser of its own.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import uvicorn

from cablekit.access import principals
from cablekit.archive import Archive
from cablekit.web.app import create_app

from .conftest import ROOT
from .test_access import mixed_reference  # 09OTTAWA278 marked per paragraph

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(os.environ.get("CABLEKIT_ARTIFACTS", ROOT / "tests" / "artifacts" / "browser"))
RESTRICTED_DAY = date(2015, 6, 1)  # 09OTTAWA278 declassifies itself on 2019-04-07
READER, PASSWORD = "liaison", "maple-leaf-2015"
WITHHELD = "[withheld: NOFORN needs US citizenship]"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's Chromium is not at /usr/bin/chromium"
)
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")


# --- servers -------------------------------------------------------------------------


class Server:
    """uvicorn serving ``app`` in a thread, on a port the system picked."""

    def __init__(self, app: Any) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))
        port = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True
        )

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.socket.close()


def copy_archive(source: Path, folder: Path) -> Path:
    """A private copy: the server writes to its archive (signing key, audit)."""
    path = folder / source.name
    shutil.copy(source, path)
    return path


@pytest.fixture(scope="module")
def public_server(
    sample_archive_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The sample archive, without users: anybody reads everything."""
    path = copy_archive(sample_archive_file, tmp_path_factory.mktemp("public"))
    with Server(create_app(path)) as server:
        yield server.url


@pytest.fixture(scope="module")
def restricted_server(
    sample_archive_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The sample archive with users, read on 1 June 2015 by a Canadian with a SECRET
    clearance; 09OTTAWA278 has a second, per-paragraph-marked version."""
    folder = tmp_path_factory.mktemp("restricted")
    path = copy_archive(sample_archive_file, folder)
    with Archive(path) as archive:
        report = archive.ingest([str(mixed_reference(folder))], release="2011-05")
        assert report.new_versions == 1
        principals.add(archive.store, READER, clearance="SECRET", citizenship="CAN")
        principals.grant(archive.store, READER, collections=["*"])
        principals.set_password(archive.store, READER, PASSWORD)
    with Server(create_app(path, today=RESTRICTED_DAY)) as server:
        yield server.url


HOSTILE_ID = "09PARIS4242"
HOSTILE = """
VZCZCXRO5911
OO RUEHDBU
DE RUEHFR #4242 2051555
ZNY UUUUU ZZH
O 241555Z JUL 09
FM AMEMBASSY PARIS
TO RUEHC/SECSTATE WASHDC IMMEDIATE 6830
UNCLAS PARIS 004242

SIPDIS

E.O. 12958: N/A
TAGS: PGOV PREL FR
SUBJECT: <script>window.__pwned = "subject"</script> ZANZIBAR <img src=x
onerror="window.__pwned = 'subject-img'; alert('subject')"> TEST

REF: A. PARIS 1007

1. (U) Paragraph one <script>window.__pwned = "paragraph"; alert(1)</script>
ZANZIBAR ends here.

2. (U) An image <img src="x" onerror="window.__pwned = 'img'; alert(2)"> and a
link <a href="javascript:window.__pwned = 'link'">click me</a> and <svg
onload="alert(3)"><circle r=5 /></svg> and <a href=" JaVaScRiPt:alert(7)">two</a>.

3. (U) A closing tag </p></section></pre><iframe src="javascript:alert(4)"></iframe>
<body onload=alert(5)> and "quotes" 'single' & ampersands <b
onmouseover=alert(6)>bold</b> <style>body {{ display: none }}</style>.

{extra}
VOLCANO
"""


@pytest.fixture(scope="module")
def hostile_server(
    sample_archive_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The sample archive and a crafted cable full of markup, in two versions."""
    folder = tmp_path_factory.mktemp("hostile")
    path = copy_archive(sample_archive_file, folder)
    first, second = folder / "first", folder / "second"
    first.mkdir()
    second.mkdir()
    (first / f"{HOSTILE_ID}.txt").write_text(HOSTILE.format(extra=""), encoding="utf-8")
    (second / f"{HOSTILE_ID}.txt").write_text(
        HOSTILE.format(
            extra='4. (U) Added later: <script>alert("diff")</script>'
            " <a href=\"javascript:alert('diff')\">diff link</a>.\n"
        ),
        encoding="utf-8",
    )
    with Archive(path) as archive:
        assert archive.ingest([str(first)], release="2011-04").ingested == 1
        assert archive.ingest([str(second)], release="2011-05").new_versions == 1
    with Server(create_app(path)) as server:
        yield server.url


# --- the browser -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@dataclass
class Visit:
    """A page in a fresh browser context, with what went wrong on it recorded: script
    errors, console errors (Content Security Policy violations among them), dialogs."""

    page: Any
    base: str
    name: str
    problems: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    documents: set[str] = field(default_factory=set)  # URLs of the pages loaded
    steps: int = 0

    def goto(self, path: str) -> Any:
        response = self.page.goto(self.base + path)
        self.page.wait_for_load_state("load")
        return response

    def shot(self, step: str) -> Path:
        """A full-page screenshot of this step, numbered in order."""
        self.steps += 1
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{self.name}-{self.steps:02d}-{step}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.page.url).query)

    def summary_total(self) -> int:
        text = self.page.locator("p.summary strong").inner_text()
        return int(text.replace(",", ""))

    def follow(self, target: Any) -> None:
        """Click a link or a button that loads another page, and wait for that page."""
        with self.page.expect_navigation():
            target.click()

    def search(self, q: str) -> None:
        self.page.fill("#q", q)
        self.follow(self.page.locator("form.searchbox button[type=submit]"))


@pytest.fixture()
def visit(browser: Any, request: pytest.FixtureRequest) -> Callable[..., Visit]:
    contexts: list[Any] = []

    def open_visit(base: str, **context_options: Any) -> Visit:
        options = {"viewport": {"width": 1280, "height": 900}, **context_options}
        context = browser.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        seen = Visit(page, base, request.node.name.removeprefix("test_"))
        page.on("pageerror", lambda error: seen.problems.append(f"script error: {error}"))
        page.on(
            "response",
            lambda r: seen.documents.add(r.url) if r.request.is_navigation_request() else None,
        )

        def on_console(message: Any) -> None:
            if message.type not in ("error", "warning"):
                return
            url = message.location.get("url", "")
            failed_page = url in seen.documents or url.endswith("/favicon.ico")
            if failed_page and message.text.startswith("Failed to load resource"):
                return  # an error page (401, 403, 404): its status is checked, not this;
                # or the icon Chromium asks for on a plain-text page
            seen.problems.append(f"console {message.type}: {message.text} ({message.location})")

        page.on("console", on_console)

        def on_dialog(dialog: Any) -> None:
            seen.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", on_dialog)
        return seen

    yield open_visit
    for context in contexts:
        context.close()


def facet_link(visit: Visit, group: str, value: str) -> Any:
    section = visit.page.locator("aside.facets section.facet").filter(
        has=visit.page.locator("h2", has_text=group)
    )
    exact = re.compile(rf"^{re.escape(value)}$")
    return section.locator("li").filter(has=visit.page.locator("a", has_text=exact))


def facet_counts(visit: Visit) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in visit.page.locator("aside.facets li").all():
        value = item.locator("a").inner_text()
        counts[value] = int(item.locator(".count").inner_text().replace(",", ""))
    return counts


# --- reading -------------------------------------------------------------------------


def test_search_then_add_and_remove_a_facet_filter(public_server: str, visit: Callable[..., Visit]):
    v = visit(public_server)
    v.goto("/")
    assert v.page.title().endswith("cablekit")
    v.shot("home")
    v.search("Canada")
    assert v.query()["q"] == ["Canada"]
    total = v.summary_total()
    assert total > 14
    hits = v.page.locator("ol.hits li.hit")
    assert hits.count() == min(total, 20)
    assert v.page.locator("p.snippet mark").count() > 0  # words highlighted
    before = facet_counts(v)
    v.shot("results")

    canada = facet_link(v, "Country tags", "CA")
    expected = int(canada.locator(".count").inner_text())
    v.follow(canada.locator("a"))
    assert v.query()["f"] == ["tag:CA"]
    assert v.summary_total() == expected < total
    assert v.page.locator("p.filters a.chip", has_text="tag:CA").count() == 1
    assert facet_link(v, "Country tags", "CA").get_attribute("class") == "active"
    after = facet_counts(v)
    assert after != before and after["CA"] == expected
    assert all(after[value] <= before.get(value, total) for value in after if value != "CA")
    assert hits.count() == min(expected, 20)
    v.shot("facet-added")

    v.follow(facet_link(v, "Country tags", "CA").locator("a"))  # again: the filter goes
    assert "f" not in v.query()
    assert v.summary_total() == total
    assert v.page.locator("p.filters").count() == 0
    assert facet_counts(v) == before
    v.shot("facet-removed")
    assert v.problems == [] and v.dialogs == []


def test_a_timeline_bar_narrows_the_dates(public_server: str, visit: Callable[..., Visit]):
    v = visit(public_server)
    v.goto("/?q=Canada")
    total = v.summary_total()
    bars = v.page.locator("svg.timeline a.bar-link")
    assert bars.count() > 1
    titles = [bars.nth(n).locator("title").text_content() or "" for n in range(bars.count())]
    counts = [int(re.sub(r"\D", "", t.rpartition(": ")[2])) for t in titles]  # "...: 1,234 cables"
    assert sum(counts) == total
    busiest = max(range(len(counts)), key=counts.__getitem__)
    start, end = re.findall(r"\d{4}-\d{2}-\d{2}", titles[busiest])[:2]
    v.shot("timeline")

    v.follow(bars.nth(busiest).locator("rect.bar-hit"))
    assert v.query()["f"] == [f"date:{start}..{end}"]
    assert v.summary_total() == counts[busiest] < total
    dates = v.page.locator("ol.hits .date").all_inner_texts()
    assert dates and all(start <= d <= end for d in dates)
    assert v.page.locator("p.filters a.chip", has_text=f"date:{start}..{end}").count() == 1
    v.shot("narrowed")
    assert v.problems == [] and v.dialogs == []


def test_open_a_cable_and_follow_a_reference(public_server: str, visit: Callable[..., Visit]):
    v = visit(public_server)
    v.goto("/")
    v.search("from:BRASILIA Dirceu")
    v.shot("results")
    v.follow(v.page.locator("ol.hits a.id", has_text="05BRASILIA1819"))
    assert urlsplit(v.page.url).path == "/cable/05BRASILIA1819"
    assert v.page.locator("h1 .id").inner_text() == "05BRASILIA1819"
    banners = v.page.locator("div.banner")
    assert banners.count() == 2  # top and bottom
    assert banners.first.inner_text() == banners.last.inner_text() != ""
    assert v.page.locator("section.body p.para").count() > 3
    assert v.page.locator("dl.header dt", has_text="TAGS").count() == 1
    assert "05BRASILIA1819" in v.page.locator("#citation").inner_text()
    v.shot("cable")

    reference = v.page.locator("section.refs a[href='/cable/05BRASILIA1602']")
    assert reference.count() == 1
    v.follow(reference)
    assert urlsplit(v.page.url).path == "/cable/05BRASILIA1602"
    assert v.page.locator("h1 .id").inner_text() == "05BRASILIA1602"
    cited_by = v.page.locator("section.citedby a[href='/cable/05BRASILIA1819']")
    assert cited_by.count() == 1  # and back again
    v.shot("referenced-cable")

    with v.page.expect_download() as download:
        v.page.locator("section.tools a", has_text="JSON record").click()
    record = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert record["id"] == "05BRASILIA1602"
    assert v.problems == [] and v.dialogs == []


def test_view_the_changes_between_versions(public_server: str, visit: Callable[..., Visit]):
    v = visit(public_server)
    v.goto("/cable/09CAIRO746")
    versions = v.page.locator("section.versions li")
    assert versions.count() == 3
    assert v.page.locator("section.versions li", has_text="current").count() == 1
    v.shot("cable")
    v.follow(v.page.get_by_role("link", name="What changed between versions"))
    assert urlsplit(v.page.url).path == "/cable/09CAIRO746/diff"
    diff = v.page.locator("pre.diff")
    assert diff.locator("ins").count() + diff.locator("del").count() > 0
    v.shot("diff")

    v.page.select_option("select[name=old]", "1")
    v.page.select_option("select[name=new]", "3")
    v.follow(v.page.locator("form.pick button[type=submit]"))
    assert v.query() == {"old": ["1"], "new": ["3"]}
    assert v.page.locator("h1").inner_text().endswith("version 1 → version 3")
    assert diff.locator("ins").count() + diff.locator("del").count() > 0
    v.shot("diff-1-3")

    v.page.select_option("select[name=old]", "2")
    v.follow(v.page.locator("form.pick button[type=submit]"))
    assert diff.locator("ins.space, del.space").count() == 0  # white space alone: unmarked
    v.shot("diff-2-3")
    v.page.check("input[name=whitespace]")
    v.follow(v.page.locator("form.pick button[type=submit]"))
    assert v.query()["whitespace"] == ["1"]
    assert diff.locator("ins.space, del.space").count() > 0
    v.shot("diff-2-3-whitespace")
    assert v.problems == [] and v.dialogs == []


def test_the_citation_graph_links_to_cables(public_server: str, visit: Callable[..., Visit]):
    v = visit(public_server)
    v.goto("/cable/05BRASILIA1631/graph")
    links = v.page.locator("figure.wide svg a")
    assert links.count() > 2
    v.shot("graph")
    assert v.problems == [] and v.dialogs == []


def test_the_citation_graph_is_wide_readable_and_recentres(
    public_server: str, visit: Callable[..., Visit]
):
    """The drawing takes the page's width, its labels are a readable size, and a
    click on a cable draws the graph around that cable (under the same CSP: the
    layout is computed on the server, no script)."""
    v = visit(public_server)
    v.goto("/cable/09OTTAWA662/graph?hops=3")
    drawing = box(v.page.locator("svg.graph >> visible=true"))
    main = box(v.page.locator("main"))
    assert drawing["width"] >= 0.9 * (main["width"] - 40)
    label = v.page.locator("svg.graph >> visible=true").locator("text.label").first
    assert box(label)["height"] >= 11  # CSS pixels on the screen
    assert "citations, up to 3 steps" in v.page.locator("main p").first.inner_text()
    v.shot("desktop")
    target = v.page.locator("figure.wide svg.graph a", has_text="09OTTAWA639")
    v.follow(target.locator("circle"))
    assert urlsplit(v.page.url).path == "/cable/09OTTAWA639/graph"
    assert v.page.locator("h1").inner_text() == "Citations around 09OTTAWA639"
    centre = v.page.locator("figure.wide svg.graph circle.centre")
    assert centre.count() == 1
    v.shot("recentred")
    assert v.problems == [] and v.dialogs == []


def test_the_citation_graph_on_a_phone(public_server: str, visit: Callable[..., Visit]):
    v = visit(public_server, **PHONE)
    v.goto("/cable/09OTTAWA662/graph?hops=3")
    assert not v.page.locator("figure.wide").is_visible()
    drawing = v.page.locator("figure.narrow svg.graph")
    assert drawing.is_visible() and box(drawing)["width"] >= 330
    assert v.page.evaluate("document.documentElement.scrollWidth") <= 390
    assert box(drawing.locator("text.label").first)["height"] >= 10
    v.shot("phone")
    assert v.problems == [] and v.dialogs == []


# --- phones --------------------------------------------------------------------------

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def box(locator: Any) -> dict[str, float]:
    found: dict[str, float] | None = locator.bounding_box()
    assert found is not None, locator
    return found


def test_the_search_page_on_a_phone(public_server: str, visit: Callable[..., Visit]):
    """At 390 px: the Search button on screen, the first result above the fold, the
    facets folded below a toggle that opens them; nothing wider than the screen."""
    v = visit(public_server, **PHONE)
    v.goto("/?q=tag%3APREL")
    width = v.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    button = v.page.locator("form.searchbox button[type=submit]")
    assert button.is_visible()
    found = box(button)
    assert found["x"] >= 0 and found["x"] + found["width"] <= 390 and found["y"] < 844
    first = v.page.locator("ol.hits li.hit").first
    assert first.is_visible() and box(first)["y"] + box(first)["height"] <= 844
    assert not v.page.locator("aside.facets").is_visible()
    v.shot("folded")
    toggle = v.page.get_by_text("Filter the results")
    assert toggle.is_visible() and box(toggle)["y"] < box(first)["y"]
    toggle.click()
    assert v.page.locator("aside.facets").is_visible()
    v.shot("facets-open")
    v.follow(facet_link(v, "Year", "2009").locator("a"))
    assert v.query()["f"] == ["date:2009"]
    assert v.page.locator("ol.hits li.hit").first.is_visible()
    assert v.problems == [] and v.dialogs == []


def test_the_search_page_on_a_desktop_keeps_its_facets(
    public_server: str, visit: Callable[..., Visit]
):
    v = visit(public_server)
    v.goto("/?q=tag%3APREL")
    assert v.page.locator("aside.facets").is_visible()
    assert not v.page.get_by_text("Filter the results").is_visible()
    facets, results = box(v.page.locator("aside.facets")), box(v.page.locator("section.results"))
    assert facets["x"] + facets["width"] <= results["x"]  # side by side
    assert v.problems == [] and v.dialogs == []


# --- signing in ----------------------------------------------------------------------


def test_a_restricted_reader_sees_placeholders_then_signs_out(
    restricted_server: str, visit: Callable[..., Visit]
):
    v = visit(restricted_server)
    v.goto("/cable/09OTTAWA278")  # nobody signed in: to the sign-in page, and back
    assert urlsplit(v.page.url).path == "/login"
    v.shot("sign-in-page")
    v.page.fill("#username", READER)
    v.page.fill("#password", "wrong password")
    v.follow(v.page.locator("form.login button[type=submit]"))
    assert v.page.locator("form.login .error").inner_text() == "Wrong user name or password."
    v.shot("wrong-password")

    v.page.fill("#username", READER)
    v.page.fill("#password", PASSWORD)
    v.follow(v.page.locator("form.login button[type=submit]"))
    assert urlsplit(v.page.url).path == "/cable/09OTTAWA278"
    assert v.page.locator("header.site .who").inner_text() == f"Signed in as {READER}"
    paragraphs = v.page.locator("section.body p.para")
    assert paragraphs.count() == 12
    withheld = v.page.locator("section.body p.para.withheld")
    assert withheld.count() == 8
    assert all(WITHHELD in text for text in withheld.all_inner_texts())
    assert all("(C/NF)" in text for text in withheld.all_inner_texts())
    assert "Russia is seeking strong re-engagement" in paragraphs.first.inner_text()
    body = v.page.locator("main").inner_text()
    assert "uptick" not in body and "glitters" not in body  # words of paragraphs 5 and 11
    v.shot("placeholders")

    for path in (
        "/cable/09OTTAWA278/raw",
        "/cable/09OTTAWA278/raw?version=1",
        "/cable/09OTTAWA278/diff",
        "/cable/09OTTAWA278?version=1",
    ):
        response = v.goto(path)
        assert response.status in (200, 403, 404), path
        assert "uptick" not in v.page.content(), path
        assert "glitters" not in v.page.content(), path
    v.shot("older-version")

    v.goto("/?q=%22calibrated+re-engagement%22")  # paragraphs 1, 3 and 5
    assert v.page.locator("ol.hits a.id").all_inner_texts() == ["09OTTAWA278"]
    v.search("glitters")  # a word of paragraph 11 only
    assert v.summary_total() == 0
    v.shot("search-withheld-word")

    v.follow(v.page.get_by_role("button", name="Sign out"))
    assert v.page.locator("header.site .who").count() == 0
    assert v.page.get_by_role("link", name="Sign in").count() == 1
    v.shot("signed-out")
    v.goto("/cable/09OTTAWA278")
    assert urlsplit(v.page.url).path == "/login"
    assert v.problems == [] and v.dialogs == []


# --- untrusted text --------------------------------------------------------------------

ATTRIBUTES = """() => [...document.querySelectorAll('*')].flatMap(e =>
  [...e.attributes].filter(a => a.name.toLowerCase().startsWith('on'))
    .map(a => `${e.tagName} ${a.name}=${a.value}`))"""
URLS = """() => [...document.querySelectorAll('[href], [src], [action], [formaction]')]
  .flatMap(e => ['href', 'src', 'action', 'formaction'].map(n => e.getAttribute(n))
  .filter(Boolean).map(u => `${e.tagName} ${u}`))"""
SCRIPTS = "() => [...document.scripts].map(s => s.getAttribute('src') || s.textContent)"


@pytest.mark.parametrize("bypass_csp", [False, True], ids=["with-csp", "escaping-alone"])
def test_markup_in_a_cable_renders_inert(
    hostile_server: str, visit: Callable[..., Visit], bypass_csp: bool
):
    """Without the Content Security Policy too: escaping alone must keep it text."""
    v = visit(hostile_server, bypass_csp=bypass_csp)
    v.page.add_init_script("window.__pwned = null")
    pages = [
        ("search", "/?q=ZANZIBAR"),
        ("cable", f"/cable/{HOSTILE_ID}"),
        ("older-version", f"/cable/{HOSTILE_ID}?version=1"),
        ("diff", f"/cable/{HOSTILE_ID}/diff"),
        ("graph", f"/cable/{HOSTILE_ID}/graph"),
        ("cited", "/cable/09PARIS1007"),
        ("query", "/?q=" + "%3Cimg%20src%3Dx%20onerror%3Dalert(9)%3E"),
        ("bad-query", "/?q=" + "%22%3Cscript%3Ealert(10)%3C%2Fscript%3E"),
        ("login-next", "/login?next=javascript:alert(11)"),
    ]
    for step, path in pages:
        response = v.goto(path)
        assert response.status in (200, 400), path
        for link in v.page.locator("a").all():  # hovering and following: nothing runs
            href = link.get_attribute("href") or ""
            assert not href.strip().lower().startswith("javascript"), (path, href)
        handlers = v.page.evaluate(ATTRIBUTES)
        assert handlers == [], (path, handlers)
        urls = v.page.evaluate(URLS)
        assert not [u for u in urls if "javascript" in u.lower()], (path, urls)
        assert v.page.evaluate(SCRIPTS) == ["/static/app.js"], path
        assert v.page.locator("main iframe, main img, main style, main circle[r='5']").count() == 0
        assert v.page.evaluate("window.__pwned") is None, path
        v.shot(step)

    v.goto(f"/cable/{HOSTILE_ID}")
    heading = v.page.locator("h1").inner_text()
    assert '<script>window.__pwned = "subject"</script>' in heading  # shown as text
    body = v.page.locator("section.body").inner_text()
    assert "<a href=\"javascript:window.__pwned = 'link'\">click me</a>" in body
    assert '<iframe src="javascript:alert(4)"></iframe>' in body
    assert v.page.locator("section.body a").count() == 0
    assert v.page.locator("section.body p.para").count() == 4
    v.page.locator("section.body b, section.body p.para").last.hover()
    v.goto(f"/cable/{HOSTILE_ID}/diff")
    added = "".join(v.page.locator("pre.diff ins").all_inner_texts())
    assert '<script>alert("diff")</script>' in added
    assert v.page.evaluate("window.__pwned") is None
    assert v.dialogs == []
    assert v.problems == [], v.problems
