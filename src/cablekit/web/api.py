"""The JSON API under ``/api/v1``: search, cables, versions, diff, references, graph,
export (streamed), stats. Programs authenticate with ``Authorization: Bearer TOKEN``
once the archive has users. Errors are ``{"error": {"status": N, "message": "..."}}``.

What the OpenAPI description (``/openapi.json``) says of each operation is written
here: its summary and description, each parameter, and the errors it can answer with.
"""

from __future__ import annotations

import io
import itertools
import queue
import threading
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Security
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse, StreamingResponse
from fastapi.routing import APIRoute
from fastapi.security import HTTPBearer
from pydantic import BaseModel, Field

from ..archive import Archive
from ..search.engine import SORTS
from ..search.graph import RefKind
from ..search.query import parse_query
from .download import attachment
from .state import WebState


class ErrorBody(BaseModel):
    status: int = Field(description="The HTTP status, again", examples=[404])
    message: str = Field(
        description="What went wrong, in one sentence",
        examples=["There is no cable 09NOPE1 in the archive"],
    )


class Error(BaseModel):
    """Every error the API answers with."""

    error: ErrorBody


# The token is checked for every request before it reaches a route (app._context);
# declared here so that the description says how programs authenticate.
token = HTTPBearer(
    scheme_name="token",
    description="An API token (`cablekit user token NAME`); needed once the archive has users",
    auto_error=False,
)


class _Route(APIRoute):
    """An operation whose token is optional in the description (``security: [{"token":
    []}, {}]``): an archive with no users is public, one with users wants the token."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["openapi_extra"] = {"security": [{}], **(kwargs.get("openapi_extra") or {})}
        super().__init__(*args, **kwargs)


router = APIRouter(
    prefix="/api/v1", tags=["api"], dependencies=[Security(token)], route_class=_Route
)

_ERRORS = {
    400: "A malformed query (the message says what and at which position) or cursor",
    401: "The archive has users: send a valid token (or sign in)",
    404: "No such cable or version (or none the reader may see)",
    422: "A parameter missing, of the wrong type or out of range (named in the message)",
}


def errors(*statuses: int, plain: bool = False) -> dict[int | str, dict[str, Any]]:
    """The error answers of an operation: 401 for all, and ``statuses``. (``plain``:
    the operation answers text/plain, its errors are still JSON.)"""
    if plain:  # FastAPI would file a model under the operation's own media type
        json = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        return {s: {"description": _ERRORS[s], "content": json} for s in sorted({401, *statuses})}
    return {s: {"model": Error, "description": _ERRORS[s]} for s in sorted({401, *statuses})}


SortName = Literal["relevance", "newest", "oldest"]
assert set(SortName.__args__) == set(SORTS)  # type: ignore[attr-defined]
Query_ = Annotated[
    str,
    Query(
        min_length=1,
        max_length=2000,
        description='A query in the query language, e.g. `tag:PREL "nuclear program"` (see /help)',
    ),
]
Kind_ = Annotated[
    RefKind | None,
    Query(description="Only citations of this kind: `ref` (the REF line) or `mention` (the text)"),
]
CableId = Annotated[str, Path(description="A cable id, e.g. `09OTTAWA278` (any case)")]
Version = Annotated[
    int | None, Query(ge=1, description="A version number (default: the current version)")
]


def archive_of(request: Request) -> Archive:
    archive: Archive = request.state.archive()
    return archive


@router.get("/search", responses=errors(400, 422), summary="Search with the query language")
def api_search(
    request: Request,
    q: Query_,
    sort: Annotated[
        SortName, Query(description="`relevance` (bm25), `newest` or `oldest` first")
    ] = "relevance",
    limit: Annotated[
        int, Query(ge=0, le=500, description="Hits on this page (0: count only)")
    ] = 20,
    cursor: Annotated[
        str | None,
        Query(max_length=2000, description="`next_cursor` of the previous page, same q and sort"),
    ] = None,
    facets: Annotated[
        bool, Query(description="Count the hits by tag, origin, class, caveat, year")
    ] = False,
    timeline: Annotated[bool, Query(description="Bin the hits by year, month or day")] = False,
    snippets: Annotated[bool, Query(description="A snippet per hit, matches «marked»")] = True,
) -> dict[str, Any]:
    """The cables a query matches: the exact total, a page of hits, and the cursor of
    the next page (null on the last); with facet counts and a timeline on request."""
    result = archive_of(request).search(
        q,
        sort=sort,
        limit=limit,
        cursor=cursor,
        facets=facets,
        timeline=timeline,
        snippets=snippets,
    )
    return result.to_json()


@router.get("/cables/{cable_id}", responses=errors(404, 422), summary="A cable's record")
def api_cable(request: Request, cable_id: CableId, version: Version = None) -> dict[str, Any]:
    """`{"version": {...}, "record": {...}}`: the version's release and hash, and the
    whole record (`cablekit schema`); withheld paragraphs are placeholders."""
    stored = archive_of(request).get(cable_id, version)
    return {"version": stored.version.to_json(), "record": stored.cable.to_json()}


@router.get(
    "/cables/{cable_id}/text",
    responses=errors(404, 422, plain=True),
    response_class=PlainTextResponse,
    summary="A cable's text",
)
def api_text(request: Request, cable_id: CableId, version: Version = None) -> str:
    """The text as archived, in plain text; withheld paragraphs are placeholders."""
    return archive_of(request).get(cable_id, version).text


@router.get("/cables/{cable_id}/versions", responses=errors(404, 422), summary="A cable's versions")
def api_versions(request: Request, cable_id: CableId) -> list[dict[str, Any]]:
    """Every version of the cable, oldest first: number, release, whether current."""
    return [v.to_json() for v in archive_of(request).versions(cable_id)]


@router.get("/cables/{cable_id}/diff", responses=errors(404, 422), summary="Word-level changes")
def api_diff(
    request: Request,
    cable_id: CableId,
    old: Annotated[int | None, Query(ge=1, description="The version before (with `new`)")] = None,
    new: Annotated[int | None, Query(ge=1, description="The version after (with `old`)")] = None,
) -> dict[str, Any]:
    """The changes from version `old` to version `new` as runs of `equal`, `delete`
    and `insert` text; with neither, from the version before the current to the
    current (the same version twice when there is one)."""
    if (old is None) != (new is None):
        missing = "new" if new is None else "old"
        raise RequestValidationError(
            [{"loc": ("query", missing), "msg": "give old and new together, or neither"}]
        )
    found = archive_of(request).diff(cable_id, old, new)
    return {
        "id": found.id,
        "old": found.old,
        "new": found.new,
        "changes": [{"kind": c.kind, "text": c.text} for c in found.changes],
    }


@router.get(
    "/cables/{cable_id}/refs",
    responses=errors(404, 422),
    summary="What a cable cites, and what cites it",
)
def api_refs(request: Request, cable_id: CableId, kind: Kind_ = None) -> dict[str, Any]:
    """Its references (with their targets, resolved to cable ids, and whether the
    archive holds them): the REF line's items, then the cables its paragraphs mention
    (kind `mention`, with the paragraph's number); and the cables of the archive that
    cite it."""
    return archive_of(request).refs(cable_id, kind).to_json()


@router.get(
    "/cables/{cable_id}/graph",
    responses=errors(404, 422),
    summary="A cable's citation neighbourhood",
)
def api_neighbourhood(
    request: Request,
    cable_id: CableId,
    hops: Annotated[int, Query(ge=0, le=4, description="How many citations away")] = 2,
    kind: Kind_ = None,
) -> dict[str, Any]:
    """The cables within `hops` citations of this one, either way, as nodes and edges."""
    return archive_of(request).neighbourhood(cable_id, hops, kind).to_json()


@router.get(
    "/graph", responses=errors(400, 422), summary="The citation graph of the cables a query matches"
)
def api_graph(
    request: Request,
    q: Query_,
    hops: Annotated[
        int, Query(ge=0, le=2, description="Also the cables this many citations away")
    ] = 0,
    kind: Kind_ = None,
) -> dict[str, Any]:
    """The matching cables (`matched`), what they cite, and their citations as edges;
    `truncated` says when the graph was cut to its size limit."""
    return archive_of(request).graph(q, hops, kind).to_json()


@router.get("/stats", responses=errors(), summary="What the archive holds")
def api_stats(request: Request) -> dict[str, Any]:
    """Counts of cables, versions, paragraphs and references the reader may see, and
    the share of references resolved and in the archive."""
    return archive_of(request).stats().to_json()


MEDIA = {"jsonl": "application/x-ndjson", "csv": "text/csv; charset=utf-8"}


@router.get(
    "/export",
    responses={
        **errors(400, 422),
        200: {
            "description": "One record per line (JSON Lines), or one row per cable (CSV)",
            "content": {m: {"schema": {"type": "string"}} for m in MEDIA.values()},
        },
    },
    response_class=StreamingResponse,
    summary="Every cable a query matches (all when none), streamed",
)
def api_export(
    request: Request,
    q: Annotated[
        str | None,
        Query(max_length=2000, description="A query (default: every cable the reader may see)"),
    ] = None,
    format: Annotated[
        Literal["jsonl", "csv"], Query(description="`jsonl`: whole records; `csv`: main fields")
    ] = "jsonl",
) -> StreamingResponse:
    """Streamed as it is read, from one snapshot of the archive, as an attachment."""
    archive = archive_of(request)  # the reader, checked before anything streams
    if q:
        parse_query(q)  # a malformed query is a 400 before anything streams
    state: WebState = request.app.state.web
    name = f"cablekit-export.{format}"
    return StreamingResponse(
        _streamed(state, archive, q, format),
        media_type=MEDIA[format],
        headers={"Content-Disposition": attachment(name)},
    )


class _Cancelled(Exception):
    pass


class _Pipe(io.RawIOBase):
    """A file the export writes to and the response reads from, a chunk at a time."""

    def __init__(self) -> None:
        self.chunks: queue.Queue[bytes | BaseException | None] = queue.Queue(maxsize=32)
        self.cancelled = threading.Event()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        while not self.cancelled.is_set():
            try:
                self.chunks.put(chunk, timeout=0.5)
                return len(chunk)
            except queue.Full:
                continue
        raise _Cancelled


def _streamed(state: WebState, reader: Archive, q: str | None, format: str) -> Iterator[bytes]:
    """The export runs in its own thread (with its own connection, in one snapshot)
    and hands over chunks; a client that goes away stops it. The first chunk is
    awaited here, before the answer starts: an export that fails at once (the query
    refused by SQLite, the audit log that cannot be written) is an error answer, not
    an empty 200. ``Archive.export`` logs before its first byte."""
    pipe = _Pipe()

    def run() -> None:
        try:
            with state.own_archive(reader) as archive:
                out = io.BufferedWriter(pipe, 1 << 16)
                archive.export(q, format, out)  # type: ignore[arg-type]
                out.flush()
        except _Cancelled:
            return
        except BaseException as error:
            pipe.chunks.put(error)
        pipe.chunks.put(None)

    def chunks() -> Iterator[bytes]:
        try:
            while (chunk := pipe.chunks.get()) is not None:
                if isinstance(chunk, BaseException):
                    raise chunk
                yield chunk
        finally:
            pipe.cancelled.set()

    threading.Thread(target=run, daemon=True, name="cablekit-export").start()
    stream = chunks()
    # Started, the generator stops the export when it is closed or collected unread.
    first = next(stream, None)
    return itertools.chain([first] if first is not None else [], stream)
