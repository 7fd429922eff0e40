"""The HTML pages: search, cable, versions diff, citation graph, sign-in, help.

Every page is a plain GET whose URL holds its whole state (query, filters, sort,
cursor), so it can be bookmarked and shared; the only forms that change anything
(sign in, sign out) are POSTs with a CSRF token.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote_plus

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from ..access import sessions
from ..archive import Archive
from ..errors import QuerySyntaxError, TooManyAttempts
from ..search.engine import FACETS, SORTS, Bin, SearchResult, Sort
from ..textdiff import is_space, shown, summary
from . import present, svg
from .auth import (
    Session,
    check_csrf,
    client_address,
    new_session,
    safe_next,
    sign_in,
    sign_out,
)
from .download import attachment
from .state import WebState

router = APIRouter()
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
templates.env.globals.update(present=present)

PAGE_SIZE = 20
GRAPH_HOPS = 2
FACET_FIELDS = {
    "tag_subject": "tag",
    "tag_program": "tag",
    "tag_country": "tag",
    "tag_organisation": "tag",
    "origin": "from",
    "classification": "class",
    "caveat": "caveat",
    "year": "date",
}
FACET_TITLES = {
    "tag_subject": "Subject tags",
    "tag_program": "Program tags",
    "tag_country": "Country tags",
    "tag_organisation": "Organisation tags",
    "origin": "Origin",
    "classification": "Classification",
    "caveat": "Caveats",
    "year": "Year",
}
EXAMPLES = (
    ('"polar prism"', "an exact phrase"),
    ("nuclea* AND NOT class:UNCLASSIFIED", "a prefix, classified cables only"),
    ("subject:uranium from:OTTAWA", "Ottawa's cables about a uranium sale"),
    ("tag:PREL (from:OTTAWA OR from:PARIS) date:2009", "two posts, one year"),
    ("citedby:09OTTAWA662", "the cables that 09OTTAWA662 cites"),
)
_PLAIN_VALUE = re.compile(r"^[A-Za-z0-9.\-]+$")


def state_of(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


def session_of(request: Request) -> Session:
    session: Session = request.state.session
    return session


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    session = session_of(request)
    return templates.TemplateResponse(
        request,
        name,
        {
            "user": session.user,
            "csrf": session.csrf,
            "controlled": state_of(request).controlled(),
            **context,
        },
        status_code=status,
    )


@functools.lru_cache(maxsize=4096)
def _quoted(value: str) -> str:
    return quote_plus(value, safe="")


def term(field_name: str, value: str) -> str:
    """A filter written in the query language."""
    if _PLAIN_VALUE.match(value):
        return f"{field_name}:{value}"
    return f'{field_name}:"{value.replace(chr(34), "")}"'


@dataclass
class SearchState:
    """What the search page shows: everything is in the URL."""

    q: str = ""
    filters: list[str] = field(default_factory=list)
    sort: Sort = "relevance"
    cursor: str | None = None

    @property
    def query(self) -> str:
        """The query the engine runs: the box and every filter, all required."""
        parts = [f"({self.q})" if self.q.strip() and self.filters else self.q.strip()]
        return " AND ".join(p for p in [*parts, *self.filters] if p)

    def url(self, **change: Any) -> str:
        """The search page's URL with some of its state changed (as ``urlencode``
        writes it; a page has a hundred of these links, so each value is quoted once)."""
        values = {"q": self.q, "f": self.filters, "sort": self.sort, **change}
        pairs = [f"q={_quoted(values['q'])}"] if values["q"] else []
        pairs += [f"f={_quoted(f)}" for f in values["f"]]
        if values["sort"] != "relevance":
            pairs.append(f"sort={_quoted(values['sort'])}")
        if values.get("cursor"):
            pairs.append(f"cursor={_quoted(values['cursor'])}")
        return "/?" + "&".join(pairs) if pairs else "/"

    def toggled(self, filter_term: str) -> str:
        """The URL with ``filter_term`` added, or removed when it is there."""
        if filter_term in self.filters:
            return self.url(f=[f for f in self.filters if f != filter_term])
        return self.url(f=[*self.filters, filter_term])

    def narrowed(self, b: Bin) -> str:
        """The URL restricted to the dates of a timeline bar (replacing a date filter)."""
        kept = [f for f in self.filters if not f.startswith("date:")]
        span = b.start if b.start == b.end else f"{b.start}..{b.end}"
        return self.url(f=[*kept, f"date:{span}"])


@router.get("/", response_class=HTMLResponse, summary="The search page")
def search_page(
    request: Request,
    q: str = "",
    f: Annotated[list[str] | None, Query()] = None,
    sort: str = "relevance",
    cursor: str | None = None,
) -> Response:
    page = SearchState(q, list(f or []), sort if sort in SORTS else "relevance", cursor)
    archive: Archive = request.state.archive()
    if not page.query:
        stats = state_of(request).stats(archive)
        return render(request, "home.html", page=page, examples=EXAMPLES, stats=stats)
    try:
        result = archive.search(
            page.query, sort=page.sort, limit=PAGE_SIZE, cursor=cursor, facets=True, timeline=True
        )
    except QuerySyntaxError as error:
        return render(
            request,
            "search.html",
            status=400,
            page=page,
            error=error,
            result=None,
            examples=EXAMPLES,
        )
    return render(
        request,
        "search.html",
        page=page,
        result=result,
        facets=facet_groups(result, page),
        chart=svg.timeline(result.timeline, page.narrowed),
        examples=EXAMPLES,
    )


@dataclass(frozen=True, slots=True)
class FacetLink:
    value: str
    count: int
    url: str
    active: bool
    description: str | None


def facet_groups(result: SearchResult, page: SearchState) -> list[tuple[str, list[FacetLink]]]:
    groups = []
    for name in FACETS:
        links = []
        found = result.facets.get(name, [])
        if name == "year":  # a time series reads in order
            found = sorted(found, key=lambda v: v.value, reverse=True)
        for v in found:
            filter_term = term(FACET_FIELDS[name], v.value)
            described = present.tag(v.value).description if name.startswith("tag_") else None
            links.append(
                FacetLink(
                    v.value,
                    v.count,
                    page.toggled(filter_term),
                    filter_term in page.filters,
                    described,
                )
            )
        if links:
            groups.append((FACET_TITLES[name], links))
    return groups


@router.get("/favicon.ico", summary="No icon")
def favicon() -> Response:
    return Response(status_code=204)


@router.get("/help", response_class=HTMLResponse, summary="The query language")
def help_page(request: Request) -> Response:
    return render(request, "help.html", examples=EXAMPLES)


@router.get("/cable/{cable_id}", response_class=HTMLResponse, summary="A cable")
def cable_page(request: Request, cable_id: str, version: int | None = None) -> Response:
    archive: Archive = request.state.archive()
    stored = archive.get(cable_id, version)
    versions = archive.versions(cable_id)
    found = archive.refs(stored.cable.id or cable_id)
    cable = stored.cable
    return render(
        request,
        "cable.html",
        cable=cable,
        stored=stored,
        versions=versions,
        refs=found,
        to=[present.address(a) for a in cable.to],
        info=[present.address(a) for a in cable.info],
        tags=[present.tag(t) for t in cable.tags],
        citation=present.citation(
            cable, stored.version, str(request.url_for("cable_page", cable_id=cable.id or cable_id))
        ),
    )


@router.get("/cable/{cable_id}/raw", response_class=PlainTextResponse, summary="A cable's text")
def cable_raw(request: Request, cable_id: str, version: int | None = None) -> Response:
    archive: Archive = request.state.archive()
    return PlainTextResponse(archive.get(cable_id, version).text)


@router.get("/cable/{cable_id}/json", summary="A cable's record, to download")
def cable_json(request: Request, cable_id: str, version: int | None = None) -> Response:
    archive: Archive = request.state.archive()
    stored = archive.get(cable_id, version)
    name = f"{stored.cable.id}-v{stored.version.number}.json"
    return Response(
        json.dumps(stored.cable.to_json(), ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={"Content-Disposition": attachment(name)},
    )


@router.get(
    "/cable/{cable_id}/diff", response_class=HTMLResponse, summary="Changes between versions"
)
def diff_page(
    request: Request,
    cable_id: str,
    old: int | None = None,
    new: int | None = None,
    whitespace: bool = False,
) -> Response:
    """Word-level changes; changes of white space alone are shown only when asked
    (``whitespace=1``): they are most edits between versions and change no word."""
    archive: Archive = request.state.archive()
    found = archive.diff(cable_id, old, new) if (old is None) == (new is None) else None
    if found is None:
        found = archive.diff(cable_id)
    return render(
        request,
        "diff.html",
        diff=found,
        changes=shown(found.changes, whitespace),
        summary=summary(found.changes),
        whitespace=whitespace,
        is_space=is_space,
        versions=archive.versions(cable_id),
    )


@router.get("/cable/{cable_id}/graph", response_class=HTMLResponse, summary="Citation graph")
def graph_page(request: Request, cable_id: str, hops: int = GRAPH_HOPS) -> Response:
    archive: Archive = request.state.archive()
    hops = max(1, min(hops, 4))
    found = archive.neighbourhood(cable_id, hops)

    def link(node_id: str) -> str:
        return str(request.url_for("graph_page", cable_id=node_id)) + f"?hops={hops}"

    # Two drawings, one shown by the stylesheet: wide for screens, narrow for phones.
    wide = svg.citation_graph(found, cable_id.upper(), link)
    narrow = svg.citation_graph(found, cable_id.upper(), link, svg.NARROW_WIDTH)
    return render(
        request,
        "graph.html",
        cable_id=cable_id.upper(),
        graph=found,
        drawing=wide,
        narrow=narrow,
        hops=hops,
    )


@router.get("/login", response_class=HTMLResponse, summary="Sign in")
def login_form(request: Request, next: str = "/") -> Response:
    return render(request, "login.html", next=safe_next(next), failed=False)


@router.post("/login", response_class=HTMLResponse, summary="Sign in")
def login(
    request: Request,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    check_csrf(request, session_of(request), csrf)
    try:
        session = sign_in(state_of(request), client_address(request), username, password)
    except TooManyAttempts as error:
        response = render(
            request,
            "login.html",
            status=429,
            next=safe_next(next),
            failed=str(error),
            username=username,
        )
        response.headers["Retry-After"] = str(error.retry_after)
        return response
    if session is None:
        return render(
            request,
            "login.html",
            status=401,
            next=safe_next(next),
            failed="Wrong user name or password.",
            username=username,
        )
    sign_out(state_of(request), session_of(request), sessions.SIGNED_IN_AGAIN)
    request.state.session = session
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/logout", summary="Sign out")
def logout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    session = session_of(request)
    if session.user is not None:  # nobody signed in (the session ended): nothing to end
        check_csrf(request, session, csrf)
        sign_out(state_of(request), session)
    request.state.session = new_session(forget=True)
    return RedirectResponse("/", status_code=303)
