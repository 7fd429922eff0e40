"""The HTTP API under /api/v1, in process (FastAPI's TestClient), over the sample archive.

Every endpoint answers what the archive holds; every error is JSON
``{"error": {"status", "message"}}`` with its status and never a stack trace; every
answer carries the security headers; and on an archive with users, a reader sees
what the access policy lets them see, through every endpoint, and not a word more.
Every test runs on both backends (``backend``): over a SQLite archive file, and over a
PostgreSQL record through a search node with an index of its own.
"""

from __future__ import annotations

import asyncio
import base64
import csv
import io
import itertools
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from cablekit.archive import Archive
from cablekit.errors import ArchiveError
from cablekit.search import export as export_module
from cablekit.search.text import tokens
from cablekit.web.app import SECURITY_HEADERS, UNEXPECTED

from .backends import Backend
from .test_access import mixed_reference
from .web_archive import BEFORE_DECL, PASSWORDS, Readers, add_readers

API = "/api/v1"
REFERENCE = "09OTTAWA278"  # CONFIDENTIAL, NOFORN; every paragraph C/NF
VERSIONED = "09CAIRO746"  # three versions: two of the 2010-12 release, one of 2011-04
MIXED_MARKS = "10DAMASCUS159"  # SECRET, no NOFORN caption; paragraphs 1-17 S/NF, 18-20 not
PLACEHOLDER = "[withheld: NOFORN needs US citizenship]"
CABLE_ENDPOINTS = ["", "/text", "/versions", "/diff", "/refs", "/graph"]


# --- fixtures -------------------------------------------------------------------------


Apps = Callable[..., FastAPI]


@contextmanager
def applications(backend: Backend) -> Iterator[Apps]:
    """Makes applications over archives of ``backend``; closes them all at the end (a
    node's connections to the record, whether or not a client ran its lifespan)."""
    made: list[FastAPI] = []

    def make(target: str, **options: Any) -> FastAPI:
        made.append(backend.app(target, **options))
        return made[-1]

    try:
        yield make
    finally:
        for app in made:
            app.state.web.close()


@pytest.fixture(scope="module")
def module_apps(backend: Backend) -> Iterator[Apps]:
    with applications(backend) as make:
        yield make


@pytest.fixture()
def apps(backend: Backend) -> Iterator[Apps]:
    with applications(backend) as make:
        yield make


@pytest.fixture(scope="module")
def public_path(sample_target: str, backend: Backend) -> str:
    with backend.environment():
        return backend.copy(sample_target, "public")


@pytest.fixture(scope="module")
def client(public_path: str, module_apps: Apps) -> TestClient:
    """The API of an archive with no users: anyone may read it."""
    return TestClient(module_apps(public_path, today=BEFORE_DECL))


@pytest.fixture(scope="module")
def readers(sample_target: str, backend: Backend) -> Readers:
    with backend.environment():
        return add_readers(backend.copy(sample_target, "readers"))


@pytest.fixture(scope="module")
def guarded(readers: Readers, module_apps: Apps) -> TestClient:
    """The API of the archive with users, on a day before the reference cable's
    declassification; no cookies are kept from one test to the next."""
    return TestClient(module_apps(readers.target, today=BEFORE_DECL), cookies=None)


_ADDRESSES = itertools.count(1)


@pytest.fixture()
def fresh_guarded(readers: Readers, apps: Apps) -> Iterator[TestClient]:
    """A new application over the archive with users, reached from an address of its
    own: failed sign-ins are counted per address, in the archive the module shares."""
    address = f"198.51.100.{next(_ADDRESSES)}"
    app = apps(readers.target, today=BEFORE_DECL)
    with TestClient(app, client=(address, 50000)) as fresh:
        yield fresh


def get_json(client: TestClient, path: str, **params: Any) -> Any:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"] == "application/json"
    return response.json()


def assert_error(response: Any, status: int, *fragments: str) -> str:
    """The response is the API's error object with ``status``, and no stack trace."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    message = body["error"]["message"]
    assert body == {"error": {"status": status, "message": message}}
    assert isinstance(message, str) and message.strip()
    assert "Traceback" not in response.text and 'File "' not in response.text
    for fragment in fragments:
        assert fragment in message
    return str(message)


def search_ids(client: TestClient, query: str, **headers: str) -> list[str]:
    found = client.get(f"{API}/search", params={"q": query, "limit": 500}, headers=headers).json()
    assert found["next_cursor"] is None  # the sample never has more than 500 hits
    return [hit["id"] for hit in found["results"]]


# --- the OpenAPI description --------------------------------------------------------


def test_the_openapi_description_documents_every_endpoint(client: TestClient):
    spec = get_json(client, "/openapi.json")
    paths = spec["paths"]
    assert sorted(paths) == sorted(
        [f"{API}/search", f"{API}/graph", f"{API}/stats", f"{API}/export"]
        + [f"{API}/cables/{{cable_id}}{suffix}" for suffix in CABLE_ENDPOINTS]
    )
    for path, methods in paths.items():
        assert list(methods) == ["get"], path
        operation = methods["get"]
        assert operation["summary"], path
        assert operation["description"], path
        assert operation["security"] == [{"token": []}, {}], path  # a token, or none
        for parameter in operation.get("parameters", []):
            assert parameter.get("description"), (path, parameter["name"])
        statuses = set(operation["responses"])
        assert {"200", "401"} <= statuses, path
        assert ("422" in statuses) == bool(operation.get("parameters")), path
        for status in statuses - {"200"}:
            answer = operation["responses"][status]
            assert answer["description"], (path, status)
            schema = answer["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Error"}, (path, status)
    assert "400" in paths[f"{API}/search"]["get"]["responses"]
    assert "404" in paths[f"{API}/cables/{{cable_id}}"]["get"]["responses"]
    assert "404" not in paths[f"{API}/stats"]["get"]["responses"]
    error = spec["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    assert spec["components"]["schemas"]["ErrorBody"]["required"] == ["status", "message"]
    assert "HTTPValidationError" not in spec["components"]["schemas"]  # 422 is an Error too
    assert spec["paths"][f"{API}/cables/{{cable_id}}/text"]["get"]["responses"]["200"][
        "content"
    ] == {"text/plain": {"schema": {"type": "string"}}}
    assert set(spec["components"]["securitySchemes"]) == {"token"}
    assert spec["components"]["securitySchemes"]["token"]["scheme"] == "bearer"


def test_the_interactive_docs_are_not_served(client: TestClient):
    """They would load scripts from elsewhere, which the CSP forbids anyway."""
    for path in ("/docs", "/redoc"):
        assert client.get(path).status_code == 404


# --- search ---------------------------------------------------------------------------


def test_search_counts_every_hit_in_its_facets_and_timeline(client: TestClient):
    found = get_json(client, f"{API}/search", q="uranium", facets="true", timeline="true")
    assert found["query"] == "uranium"
    assert found["description"] == 'cables with the word "uranium"'
    total = found["total"]
    assert total == len(search_ids(client, "uranium")) > 10
    assert sum(b["count"] for b in found["timeline"]) == total
    for name in ("year", "classification"):  # one value per cable
        assert sum(v["count"] for v in found["facets"][name]) == total, name
    assert set(found["facets"]) >= {"tag_subject", "tag_country", "origin", "caveat"}
    for hit in found["results"]:
        assert set(hit) >= {"id", "date", "origin", "classification", "subject", "snippet"}
        assert "uranium" in tokens(re.findall("«([^»]*)»", hit["snippet"])[0])


def test_search_without_facets_timeline_or_snippets_leaves_them_empty(client: TestClient):
    found = get_json(client, f"{API}/search", q="uranium", snippets="false")
    assert found["facets"] == {} and found["timeline"] == []
    assert all(hit["snippet"] == "" for hit in found["results"])
    counted = get_json(client, f"{API}/search", q="uranium", limit=0)
    assert counted["results"] == [] and counted["total"] == found["total"]
    assert counted["next_cursor"] is None


@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
def test_cursor_paging_reaches_the_end_with_every_hit_once(client: TestClient, sort: str):
    query = "tag:PREL OR nuclear"
    pages: list[list[dict[str, Any]]] = []
    cursor = None
    while True:
        params = {"q": query, "sort": sort, "limit": 17, **({"cursor": cursor} if cursor else {})}
        found = get_json(client, f"{API}/search", **params)
        pages.append(found["results"])
        cursor = found["next_cursor"]
        if cursor is None:
            break
        assert len(found["results"]) == 17
    hits = [hit for page in pages for hit in page]
    ids = [hit["id"] for hit in hits]
    assert len(pages) > 5
    assert len(ids) == len(set(ids)) == found["total"]
    assert set(ids) == set(search_ids(client, query))
    dates = [hit["date"] or "" for hit in hits]
    if sort == "newest":
        assert dates == sorted(dates, reverse=True)
    if sort == "oldest":
        assert dates == sorted(dates)


def test_a_cursor_works_only_with_its_own_query_and_sort(client: TestClient):
    # Words: ranked by relevance (a query without words is ordered newest first,
    # whatever the sort asked; its cursor is the newest order's).
    first = get_json(client, f"{API}/search", q="embassy", limit=2)
    assert first["sort"] == "relevance"
    cursor = first["next_cursor"]
    for params in ({"q": "tag:PGOV"}, {"q": "embassy", "sort": "newest"}):
        response = client.get(f"{API}/search", params={**params, "cursor": cursor})
        assert_error(response, 400, "not one this archive gave out")
    response = client.get(f"{API}/search", params={"q": "tag:PREL", "cursor": "not-a-cursor"})
    assert_error(response, 400, "cursor")


# --- one cable -------------------------------------------------------------------------


def test_a_cable_record_with_its_version(client: TestClient):
    found = get_json(client, f"{API}/cables/{REFERENCE}")
    record, version = found["record"], found["version"]
    assert record["id"] == REFERENCE
    assert record["dtg"] == "2009-04-07T21:02:00Z"
    assert record["classification"] == "CONFIDENTIAL"
    assert "NOFORN" in record["caveats"]
    assert [r["id"] for r in record["references"]] == [
        "09OTTAWA8",
        "08OTTAWA1140",
        "08OTTAWA1137",
        "09MOSCOW833",
    ]
    assert (record["paragraphs"][4]["number"], record["paragraphs"][4]["marking"]) == (5, "C/NF")
    assert version["number"] == 1 and version["current"] is True
    assert version["release"] == "2011-04"
    assert get_json(client, f"{API}/cables/{REFERENCE.lower()}") == found


def test_an_older_version_of_a_cable(client: TestClient):
    current = get_json(client, f"{API}/cables/{VERSIONED}")
    first = get_json(client, f"{API}/cables/{VERSIONED}", version=1)
    assert current["version"]["number"] == 3 and current["version"]["current"] is True
    assert first["version"]["number"] == 1 and first["version"]["current"] is False
    assert first["version"]["content_hash"] != current["version"]["content_hash"]
    assert first["record"]["id"] == current["record"]["id"] == VERSIONED


def test_a_cable_text_is_plain_text_of_the_version_asked(client: TestClient):
    response = client.get(f"{API}/cables/{REFERENCE}/text")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert "FM AMEMBASSY OTTAWA" in response.text and "072102Z APR 09" in response.text
    assert "uptick" in tokens(response.text)
    texts = [
        client.get(f"{API}/cables/{VERSIONED}/text", params={"version": n}).text for n in (1, 2, 3)
    ]
    assert len(set(texts)) == 3
    assert client.get(f"{API}/cables/{VERSIONED}/text").text == texts[2]


def test_versions_list_every_release_and_one_current(client: TestClient):
    versions = get_json(client, f"{API}/cables/{VERSIONED}/versions")
    assert [v["number"] for v in versions] == [1, 2, 3]
    assert [v["current"] for v in versions] == [False, False, True]
    assert versions[2]["release"] == "2011-04"
    assert len({v["content_hash"] for v in versions}) == 3
    assert len(get_json(client, f"{API}/cables/{REFERENCE}/versions")) == 1


@pytest.mark.parametrize(("old", "new"), [(None, None), (1, 3), (3, 1), (2, 2)])
def test_a_diff_rebuilds_both_versions(client: TestClient, old: int | None, new: int | None):
    params = {k: v for k, v in (("old", old), ("new", new)) if v is not None}
    found = get_json(client, f"{API}/cables/{VERSIONED}/diff", **params)
    assert found["id"] == VERSIONED
    assert (found["old"], found["new"]) == ((old, new) if old else (2, 3))
    kinds = {c["kind"] for c in found["changes"]}
    assert kinds <= {"equal", "insert", "delete"}
    assert (kinds == {"equal"}) == (found["old"] == found["new"])
    before = "".join(c["text"] for c in found["changes"] if c["kind"] != "insert")
    after = "".join(c["text"] for c in found["changes"] if c["kind"] != "delete")
    text = f"{API}/cables/{VERSIONED}/text"
    assert before == client.get(text, params={"version": found["old"]}).text
    assert after == client.get(text, params={"version": found["new"]}).text


def test_refs_name_what_a_cable_cites_and_what_cites_it(client: TestClient):
    reference = get_json(client, f"{API}/cables/{REFERENCE}/refs")
    assert [(c["letter"], c["target"], c["in_archive"]) for c in reference["cites"]] == [
        ("A", "09OTTAWA8", False),
        ("B", "08OTTAWA1140", False),
        ("C", "08OTTAWA1137", False),
        ("D", "09MOSCOW833", False),
    ]
    found = get_json(client, f"{API}/cables/09OTTAWA639/refs")
    assert found["in_archive"] is True
    assert {c["target"] for c in found["cites"]} == {"09OTTAWA627", "09STATE84119"}
    citing = {c["id"]: c["letters"] for c in found["cited_by"]}
    assert citing == {"09OTTAWA659": ["A"], "09OTTAWA662": ["B"]}
    for cable_id, letters in citing.items():  # each citing record says so itself
        record = get_json(client, f"{API}/cables/{cable_id}")["record"]
        assert [r["letter"] for r in record["references"] if r["id"] == "09OTTAWA639"] == letters


def test_a_cable_neighbourhood_grows_with_the_hops(client: TestClient):
    def nodes(hops: int) -> set[str]:
        found = get_json(client, f"{API}/cables/09OTTAWA639/graph", hops=hops)
        ids = {n["id"] for n in found["nodes"]}
        assert all(e["source"] in ids and e["target"] in ids for e in found["edges"])
        assert found["truncated"] is False
        return ids

    refs = get_json(client, f"{API}/cables/09OTTAWA639/refs")
    near = {c["target"] for c in refs["cites"]} | {c["id"] for c in refs["cited_by"]}
    assert nodes(0) <= nodes(1) <= nodes(2)
    assert nodes(1) == near | {"09OTTAWA639"}
    assert nodes(0) == {c["target"] for c in refs["cites"]} | {"09OTTAWA639"}


def test_the_graph_of_a_query_holds_its_cables_and_their_citations(client: TestClient):
    found = get_json(client, f"{API}/graph", q="from:OTTAWA")
    matched = {n["id"] for n in found["nodes"] if n["matched"]}
    assert matched == set(search_ids(client, "from:OTTAWA"))
    ids = {n["id"] for n in found["nodes"]}
    assert all(e["source"] in ids and e["target"] in ids for e in found["edges"])
    assert any(
        e["source"] == "09OTTAWA662" and e["target"] == "09OTTAWA639" for e in found["edges"]
    )
    wider = get_json(client, f"{API}/graph", q="from:OTTAWA", hops=2)
    assert ids <= {n["id"] for n in wider["nodes"]}


def test_stats_count_what_the_archive_holds(client: TestClient, public_path: str):
    stats = get_json(client, f"{API}/stats")
    lines = client.get(f"{API}/export").text.splitlines()
    assert stats["cables"] == len(lines)
    with Archive(public_path) as archive:
        assert stats["versions"] == sum(len(archive.versions(json.loads(x)["id"])) for x in lines)
    assert stats["cables_with_versions"] >= 1
    assert 0 < stats["resolved_share"] <= 1


# --- export ----------------------------------------------------------------------------


def test_export_jsonl_holds_every_match_as_a_full_record(client: TestClient):
    response = client.get(f"{API}/export", params={"q": "tag:PREL", "format": "jsonl"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/x-ndjson"
    disposition = response.headers["content-disposition"]
    assert disposition == "attachment; filename=cablekit-export.jsonl"
    assert response.text.endswith("\n")
    records = [json.loads(line) for line in response.text.splitlines()]
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids))
    assert set(ids) == set(search_ids(client, "tag:PREL"))
    one = next(r for r in records if r["id"] == "09OTTAWA639")
    assert one == get_json(client, f"{API}/cables/09OTTAWA639")["record"]


def test_export_csv_holds_every_match_one_row_each(client: TestClient):
    response = client.get(f"{API}/export", params={"q": "tag:PREL", "format": "csv"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].endswith("filename=cablekit-export.csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert list(rows[0]) == [
        "id",
        "date",
        "dtg",
        "origin",
        "classification",
        "caveats",
        "tags",
        "subject",
        "references",
        "mentions",
        "paragraphs",
        "text",
    ]
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids))
    assert set(ids) == set(search_ids(client, "tag:PREL"))
    row = next(r for r in rows if r["id"] == "09OTTAWA639")
    record = get_json(client, f"{API}/cables/09OTTAWA639")["record"]
    assert row["subject"] == record["subject"]
    assert int(row["paragraphs"]) == len(record["paragraphs"])
    assert "PREL" in row["tags"]


def test_export_without_a_query_holds_every_cable(client: TestClient):
    stats = get_json(client, f"{API}/stats")
    for format in ("jsonl", "csv"):
        text = client.get(f"{API}/export", params={"format": format}).text
        count = (
            len(text.splitlines())
            if format == "jsonl"
            else len(list(csv.DictReader(io.StringIO(text))))
        )
        assert count == stats["cables"], format


def asgi_get(app: FastAPI, path: str, query: str = "") -> tuple[int, dict[str, str], list[bytes]]:
    """A GET straight through ASGI: the status, headers and each body message's bytes,
    as a server would send them (the TestClient joins the pieces)."""
    messages: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if not messages:
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()  # the client stays: nothing more to send
        raise AssertionError

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    asyncio.run(app(scope, receive, send))  # type: ignore[arg-type]
    start, *bodies = messages
    headers = {k.decode(): v.decode() for k, v in start["headers"]}
    assert bodies[-1].get("more_body", False) is False
    return start["status"], headers, [m.get("body", b"") for m in bodies]


@pytest.mark.parametrize("format", ["jsonl", "csv"])
def test_export_is_streamed_in_pieces_and_complete(
    client: TestClient, public_path: str, apps: Apps, format: str, monkeypatch: pytest.MonkeyPatch
):
    whole = client.get(f"{API}/export", params={"format": format}).content
    monkeypatch.setattr(export_module, "CHUNK", 20)  # records read (and written) at a time
    status, headers, pieces = asgi_get(
        apps(public_path, today=BEFORE_DECL), f"{API}/export", f"format={format}"
    )
    assert status == 200
    assert headers["content-security-policy"] == SECURITY_HEADERS["Content-Security-Policy"]
    assert len([p for p in pieces if p]) >= 5
    assert b"".join(pieces) == whole


# --- errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "fragments"),
    [
        ("form:OTTAWA", ("Unknown field", "at position 0", 'did you mean "from"')),
        ("(tag:PREL", ("Unbalanced parenthesis at position 0",)),
        ("tag:PREL)", ("Unbalanced parenthesis at position 8",)),
        ("tag:PREL AND", ("Missing operand after AND at position 9",)),
        ("date:2009-13", ('Invalid date "2009-13" at position 5',)),
        ('from:"OTTAWA', ("Unterminated quote at position 5",)),
        ("class:X", ('Unknown classification "X" at position 6',)),
    ],
)
@pytest.mark.parametrize("endpoint", ["search", "graph", "export"])
def test_a_malformed_query_is_400_with_its_position(
    client: TestClient, endpoint: str, query: str, fragments: tuple[str, ...]
):
    response = client.get(f"{API}/{endpoint}", params={"q": query})
    assert_error(response, 400, *fragments)


@pytest.mark.parametrize("suffix", CABLE_ENDPOINTS)
def test_an_unknown_cable_is_404(client: TestClient, suffix: str):
    response = client.get(f"{API}/cables/09NOWHERE1{suffix}")
    assert_error(response, 404, "There is no cable 09NOWHERE1")


@pytest.mark.parametrize(
    ("suffix", "params"),
    [
        ("", {"version": 9}),
        ("/text", {"version": 9}),
        ("/diff", {"old": 9, "new": 3}),
        ("/diff", {"old": 1, "new": 9}),
        ("", {"version": 2**70}),
    ],
)
def test_an_unknown_version_is_404(client: TestClient, suffix: str, params: dict[str, int]):
    response = client.get(f"{API}/cables/{VERSIONED}{suffix}", params=params)
    assert_error(response, 404, f"Cable {VERSIONED} has no version", "1, 2, 3")


@pytest.mark.parametrize(
    "path", [f"{API}/nowhere", "/api/v2/search", f"{API}/cables/", f"{API}/cables/{REFERENCE}/x"]
)
def test_an_unknown_address_under_the_api_is_a_json_404(client: TestClient, path: str):
    assert_error(client.get(path), 404, "There is no such page")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", f"{API}/search?q=embassy"),
        ("DELETE", f"{API}/cables/{REFERENCE}"),
        ("PUT", f"{API}/stats"),
        ("PATCH", f"{API}/export"),
    ],
)
def test_a_method_the_api_does_not_take_is_405(client: TestClient, method: str, path: str):
    response = client.request(method, path)
    assert_error(response, 405, "does not take that method")
    assert response.headers["allow"] == "GET"


@pytest.mark.parametrize(
    ("path", "params", "name"),
    [
        ("search", {}, "q"),
        ("search", {"q": ""}, "q"),
        ("search", {"q": "x" * 2001}, "q"),
        ("search", {"q": "embassy", "limit": "ten"}, "limit"),
        ("search", {"q": "embassy", "limit": -1}, "limit"),
        ("search", {"q": "embassy", "limit": 501}, "limit"),
        ("search", {"q": "embassy", "sort": "random"}, "sort"),
        ("search", {"q": "embassy", "facets": "perhaps"}, "facets"),
        (f"cables/{VERSIONED}", {"version": 0}, "version"),
        (f"cables/{VERSIONED}/text", {"version": "latest"}, "version"),
        (f"cables/{VERSIONED}/diff", {"old": "first", "new": 3}, "old"),
        (f"cables/{VERSIONED}/diff", {"old": 1}, "new"),
        (f"cables/{VERSIONED}/diff", {"new": 3}, "old"),
        (f"cables/{VERSIONED}/graph", {"hops": 5}, "hops"),
        ("graph", {"q": "embassy", "hops": -1}, "hops"),
        ("graph", {}, "q"),
        ("export", {"format": "xml"}, "format"),
    ],
)
def test_a_parameter_of_the_wrong_type_or_range_is_422(
    client: TestClient, path: str, params: dict[str, Any], name: str
):
    message = assert_error(client.get(f"{API}/{path}", params=params), 422)
    assert message.startswith(f"{name}: ")


def test_an_unexpected_failure_is_a_500_that_tells_nothing(
    public_path: str, apps: Apps, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
):
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("secret detail from /srv/private/path")

    monkeypatch.setattr(Archive, "search", broken)
    with TestClient(apps(public_path), raise_server_exceptions=False) as fresh:
        response = fresh.get(f"{API}/search", params={"q": "embassy"})
    assert assert_error(response, 500) == UNEXPECTED
    assert "secret" not in response.text and "RuntimeError" not in response.text
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "secret detail" in caplog.text  # the detail goes to the log


def test_an_archive_failure_is_a_500_without_its_detail(
    public_path: str, apps: Apps, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
):
    def broken(*args: Any, **kwargs: Any) -> None:
        raise ArchiveError("Cannot read the archive /srv/private/cables.db: disk I/O error")

    monkeypatch.setattr(Archive, "stats", broken)
    with TestClient(apps(public_path)) as fresh:
        response = fresh.get(f"{API}/stats")
    assert assert_error(response, 500) == UNEXPECTED
    assert "/srv/private" not in response.text
    assert "disk I/O error" in caplog.text


def test_an_export_that_fails_at_once_is_an_error_not_an_empty_file(
    public_path: str, apps: Apps, monkeypatch: pytest.MonkeyPatch
):
    def broken(*args: Any, **kwargs: Any) -> None:
        raise ArchiveError("Cannot read the archive /srv/private/cables.db: too many terms")

    monkeypatch.setattr(Archive, "export", broken)
    with TestClient(apps(public_path)) as fresh:
        for format in ("jsonl", "csv"):
            response = fresh.get(f"{API}/export", params={"format": format})
            assert assert_error(response, 500) == UNEXPECTED
            assert "content-disposition" not in response.headers


# Queries the query language accepts but the engine cannot run: they should be refused
# as malformed (400, with where), not fail on the server. The fix belongs in the search
# package (a limit on nesting and on terms in search/query.py, a checked cursor key in
# search/engine.py decode_cursor); these tests say so until it lands.
TOO_COMPLEX = [
    pytest.param("(" * 300 + "embassy" + ")" * 300, id="300 nested parentheses (RecursionError)"),
    pytest.param("NOT " * 100 + "embassy", id="100 nested NOTs (SQLite parser stack overflow)"),
    pytest.param(
        " ".join(f"-{a}{b}" for a in "abcdefghijklmnopqrst" for b in "abcdefghijklmnopqrstuvwxy"),
        id="500 negated words (too many terms in compound SELECT)",
    ),
]


@pytest.mark.parametrize("query", TOO_COMPLEX)
def test_a_query_too_complex_to_run_is_refused_as_400(client: TestClient, query: str):
    assert len(query) <= 2000  # within what the API accepts
    assert_error(client.get(f"{API}/search", params={"q": query}), 400)


def test_a_forged_cursor_with_a_huge_position_is_400(client: TestClient):
    forged = json.dumps(["relevance", "embassy", 0.0, 10**30]).encode()
    cursor = base64.urlsafe_b64encode(forged).decode().rstrip("=")
    response = client.get(f"{API}/search", params={"q": "embassy", "cursor": cursor})
    assert_error(response, 400, "cursor")


# --- the security headers --------------------------------------------------------------


def assert_security_headers(response: Any) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value, name
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        (f"{API}/search?q=embassy&facets=true", 200),
        (f"{API}/cables/{REFERENCE}", 200),
        (f"{API}/cables/{REFERENCE}/text", 200),
        (f"{API}/export?q=uranium&format=csv", 200),
        (f"{API}/search?q=form:x", 400),
        (f"{API}/cables/09NOWHERE1", 404),
        (f"{API}/search?q=embassy&limit=x", 422),
        ("/openapi.json", 200),
        ("/", 200),
        ("/?q=uranium", 200),
        (f"/cable/{REFERENCE}", 200),
        ("/help", 200),
        ("/login", 200),
        ("/nowhere", 404),
    ],
)
def test_every_answer_carries_the_security_headers(client: TestClient, path: str, status: int):
    response = client.get(path)
    assert response.status_code == status
    assert_security_headers(response)
    if path.startswith(API):
        assert response.headers["cache-control"] == "no-store"


# --- an archive with users -------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        f"{API}/search?q=embassy",
        f"{API}/cables/{REFERENCE}",
        f"{API}/cables/{REFERENCE}/text",
        f"{API}/cables/{VERSIONED}/versions",
        f"{API}/cables/{VERSIONED}/diff",
        f"{API}/cables/{REFERENCE}/refs",
        f"{API}/cables/{REFERENCE}/graph",
        f"{API}/graph?q=from:OTTAWA",
        f"{API}/stats",
        f"{API}/export",
    ],
)
def test_an_archive_with_users_wants_a_valid_token(
    guarded: TestClient, readers: Readers, path: str
):
    assert_error(guarded.get(path), 401, "sign in")
    for header in (f"Bearer {readers.tokens['officer']}x", "Bearer ", "bearer ck_nothing"):
        response = guarded.get(path, headers={"Authorization": header})
        assert_error(response, 401, "The API token is not valid")
        assert response.headers["www-authenticate"] == "Bearer"
        assert_security_headers(response)
    assert guarded.get(path, headers=readers.bearer("officer")).status_code == 200
    assert guarded.get(path, headers=readers.bearer("liaison")).status_code in (200, 404)


def test_the_description_is_public_on_an_archive_with_users(guarded: TestClient):
    assert guarded.get("/openapi.json").status_code == 200


def login_form(client: TestClient) -> str:
    """The sign-in page's CSRF token (the page also sets the session cookie)."""
    page = client.get("/login")
    assert page.status_code == 200
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, "no CSRF token in the sign-in form"
    return found.group(1)


def test_a_signed_in_session_reads_the_api_without_a_token(fresh_guarded: TestClient):
    csrf = login_form(fresh_guarded)
    response = fresh_guarded.post(
        "/login",
        data={"username": "officer", "password": PASSWORDS["officer"], "csrf": csrf, "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert get_json(fresh_guarded, f"{API}/stats")["cables"] > 0
    assert "uptick" in tokens(fresh_guarded.get(f"{API}/cables/{REFERENCE}/text").text)


@pytest.mark.parametrize(
    ("csrf", "origin"),
    [(None, None), ("", None), ("forged-token", None), ("session", "https://elsewhere.example")],
)
def test_sign_in_without_the_form_token_or_from_another_site_is_403(
    fresh_guarded: TestClient, csrf: str | None, origin: str | None
):
    token = login_form(fresh_guarded)
    data = {"username": "officer", "password": PASSWORDS["officer"]}
    if csrf is not None:
        data["csrf"] = token if csrf == "session" else csrf
    headers = {"Origin": origin} if origin else {}
    response = fresh_guarded.post("/login", data=data, headers=headers, follow_redirects=False)
    assert response.status_code == 403
    assert "Traceback" not in response.text
    assert "set-cookie" not in response.headers or "officer" not in response.text
    assert_security_headers(response)
    assert_error(fresh_guarded.get(f"{API}/stats"), 401)  # not signed in


def test_too_many_failed_sign_ins_are_429_with_retry_after(fresh_guarded: TestClient):
    csrf = login_form(fresh_guarded)

    def sign_in(password: str) -> Any:
        data = {"username": "liaison", "password": password, "csrf": csrf}
        return fresh_guarded.post("/login", data=data, follow_redirects=False)

    for attempt in range(5):
        assert sign_in(f"wrong-{attempt}").status_code == 401
    refused = sign_in("wrong-again")
    assert refused.status_code == 429
    assert 0 < int(refused.headers["retry-after"]) <= 300
    assert "Too many failed sign-ins" in refused.text
    assert_security_headers(refused)
    # Refused while the window lasts, even with the right password.
    assert sign_in(PASSWORDS["liaison"]).status_code == 429
    assert_error(fresh_guarded.get(f"{API}/stats"), 401)


# --- what a restricted reader sees -----------------------------------------------------


def test_a_noforn_cable_is_absent_for_a_foreign_reader_and_whole_for_a_us_one(
    guarded: TestClient, readers: Readers
):
    liaison, officer = readers.bearer("liaison"), readers.bearer("officer")
    for suffix in CABLE_ENDPOINTS:
        path = f"{API}/cables/{REFERENCE}{suffix}"
        assert_error(guarded.get(path, headers=liaison), 404, f"no cable {REFERENCE}")
        assert guarded.get(path, headers=officer).status_code == 200, suffix
    assert "uptick" in tokens(guarded.get(f"{API}/cables/{REFERENCE}/text", headers=officer).text)
    for query in ('"calibrated re-engagement"', f"id:{REFERENCE}", "subject:calibrated"):
        assert search_ids(guarded, query, **officer), query
        assert search_ids(guarded, query, **liaison) == [], query
    graph = guarded.get(f"{API}/graph", params={"q": "from:OTTAWA"}, headers=liaison).json()
    assert REFERENCE not in {n["id"] for n in graph["nodes"]}
    stats = {
        name: guarded.get(f"{API}/stats", headers=readers.bearer(name)).json()["cables"]
        for name in ("liaison", "officer")
    }
    assert 0 < stats["liaison"] < stats["officer"]
    exported = guarded.get(f"{API}/export", headers=liaison).text
    assert len(exported.splitlines()) == stats["liaison"]
    assert REFERENCE not in exported


def withheld_words(guarded: TestClient, readers: Readers) -> set[str]:
    """The words of 10DAMASCUS159 the liaison may not see: those of its NOFORN
    paragraphs (as the officer reads them) that nothing else of it shows the liaison."""
    officer = guarded.get(f"{API}/cables/{MIXED_MARKS}", headers=readers.bearer("officer"))
    liaison = guarded.get(f"{API}/cables/{MIXED_MARKS}", headers=readers.bearer("liaison"))
    paragraphs = officer.json()["record"]["paragraphs"][:17]
    hidden = {w for p in paragraphs for w in tokens(p["text"])}
    return hidden - set(tokens(liaison.text))


def test_a_foreign_reader_gets_placeholders_for_the_noforn_paragraphs(
    guarded: TestClient, readers: Readers
):
    def paragraphs(name: str) -> list[dict[str, Any]]:
        found = guarded.get(f"{API}/cables/{MIXED_MARKS}", headers=readers.bearer(name))
        assert found.status_code == 200
        return list(found.json()["record"]["paragraphs"])

    liaison, officer = paragraphs("liaison"), paragraphs("officer")
    assert [p["number"] for p in liaison] == [p["number"] for p in officer]
    assert [p["marking"] for p in liaison] == [p["marking"] for p in officer]
    for seen, whole in zip(liaison, officer, strict=True):
        if whole["marking"] == "S/NF":
            assert seen["text"] == PLACEHOLDER
            assert whole["text"] != PLACEHOLDER
        else:
            assert seen == whole
    assert sum(p["text"] == PLACEHOLDER for p in liaison) == 17
    text = guarded.get(f"{API}/cables/{MIXED_MARKS}/text", headers=readers.bearer("liaison"))
    assert text.text.count(PLACEHOLDER) == 17
    assert not withheld_words(guarded, readers) & set(tokens(text.text))


def test_no_withheld_word_reaches_search_snippets_or_export(guarded: TestClient, readers: Readers):
    hidden = sorted(withheld_words(guarded, readers))
    assert len(hidden) > 100
    liaison, officer = readers.bearer("liaison"), readers.bearer("officer")
    # No withheld word finds the cable (a handful of words per query, each a phrase).
    for start in range(0, len(hidden), 40):
        words = " OR ".join(f'"{w}"' for w in hidden[start : start + 40])
        query = f"id:{MIXED_MARKS} AND ({words})"
        assert search_ids(guarded, query, **officer) == [MIXED_MARKS]
        assert search_ids(guarded, query, **liaison) == [], query
    # The snippets the liaison gets for the cable show only what they may read.
    for query in (f"id:{MIXED_MARKS}", "Benjamin", "Syrian participants", "cleared"):
        found = guarded.get(
            f"{API}/search", params={"q": query, "limit": 500}, headers=liaison
        ).json()
        snippets = [h["snippet"] for h in found["results"] if h["id"] == MIXED_MARKS]
        assert snippets, query
        assert not set(tokens(" ".join(snippets))) & set(hidden), query
    # Nor does the export, as JSON Lines or CSV.
    jsonl = guarded.get(f"{API}/export", params={"q": f"id:{MIXED_MARKS}"}, headers=liaison)
    (line,) = jsonl.text.splitlines()
    assert line.count(PLACEHOLDER) == 17
    assert not set(tokens(line)) & set(hidden)
    csv_text = guarded.get(
        f"{API}/export", params={"q": "from:DAMASCUS", "format": "csv"}, headers=liaison
    ).text
    (row,) = [r for r in csv.DictReader(io.StringIO(csv_text)) if r["id"] == MIXED_MARKS]
    assert not set(tokens(" ".join(row.values()))) & set(hidden)
    whole = guarded.get(f"{API}/export", params={"q": f"id:{MIXED_MARKS}"}, headers=officer)
    assert set(hidden) <= set(tokens(whole.text))


@pytest.fixture(scope="module")
def mixed_reference_readers(tmp_path_factory: pytest.TempPathFactory, backend: Backend) -> Readers:
    """An archive of 09OTTAWA278 as a mixed cable: no NOFORN caption, paragraphs 1-4
    (C), 5-12 still (C/NF) (the same variant as test_access.py uses)."""
    folder = tmp_path_factory.mktemp("mixed")
    path = backend.new("mixed")
    with backend.environment():
        with Archive(path, create=True) as archive:
            archive.ingest([str(mixed_reference(folder))], release="2011-04")
        return add_readers(path)


def test_the_reference_cable_with_c_nf_paragraphs_through_a_token(
    mixed_reference_readers: Readers, apps: Apps
):
    readers = mixed_reference_readers
    with TestClient(apps(readers.target, today=BEFORE_DECL)) as api:
        liaison, officer = readers.bearer("liaison"), readers.bearer("officer")
        seen = api.get(f"{API}/cables/{REFERENCE}", headers=liaison).json()["record"]
        whole = api.get(f"{API}/cables/{REFERENCE}", headers=officer).json()["record"]
        assert [p["marking"] for p in seen["paragraphs"]] == ["C"] * 4 + ["C/NF"] * 8
        assert [p["text"] for p in seen["paragraphs"][4:]] == [PLACEHOLDER] * 8
        assert seen["paragraphs"][:4] == whole["paragraphs"][:4]
        assert PLACEHOLDER not in json.dumps(whole)
        assert search_ids(api, "uptick", **officer) == [REFERENCE]  # paragraph 5
        assert search_ids(api, "uptick", **liaison) == []
        assert search_ids(api, "rebuffed", **liaison) == [REFERENCE]  # paragraph 2
        found = api.get(f"{API}/search", params={"q": "Russia"}, headers=liaison).json()
        assert "uptick" not in tokens(found["results"][0]["snippet"])
        exported = api.get(f"{API}/export", headers=liaison).text
        assert "uptick" not in tokens(exported) and exported.count(PLACEHOLDER) == 8
    # On its declassification day every paragraph is released to every reader.
    with TestClient(apps(readers.target, today=date(2019, 4, 7))) as api:
        assert search_ids(api, "uptick", **readers.bearer("liaison")) == [REFERENCE]
