"""The JSON API under ``/api/v1``: search, cables, versions, diff, references, graph,
export (streamed), stats. Programs authenticate with ``Authorization: Bearer TOKEN``
once the archive has users. Errors are ``{"error": {"status": N, "message": "..."}}``.
"""

from __future__ import annotations

import io
import queue
import threading
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse, StreamingResponse

from ..archive import Archive
from ..search.engine import SORTS
from ..search.export import export
from ..search.graph import graph, neighbourhood, refs
from ..search.query import Node, parse_query
from .state import WebState

router = APIRouter(prefix="/api/v1", tags=["api"])
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"description": text, "content": {"application/json": {"example": example}}}
    for code, text, example in (
        (400, "A malformed query or parameter", {"error": {"status": 400, "message": "..."}}),
        (
            401,
            "The archive has users: sign in or send a token",
            {"error": {"status": 401, "message": "..."}},
        ),
        (
            404,
            "No such cable (or none the reader may see)",
            {"error": {"status": 404, "message": "..."}},
        ),
        (422, "A parameter of the wrong type", {"error": {"status": 422, "message": "..."}}),
    )
}
SortName = Literal["relevance", "newest", "oldest"]
assert set(SortName.__args__) == set(SORTS)  # type: ignore[attr-defined]


def archive_of(request: Request) -> Archive:
    archive: Archive = request.state.archive()
    return archive


@router.get("/search", responses=ERRORS, summary="Search with the query language")
def api_search(
    request: Request,
    q: Annotated[str, Query(min_length=1, max_length=2000, description="A query (see /help)")],
    sort: SortName = "relevance",
    limit: Annotated[int, Query(ge=0, le=500)] = 20,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
    facets: bool = False,
    timeline: bool = False,
    snippets: bool = True,
) -> dict[str, Any]:
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


@router.get("/cables/{cable_id}", responses=ERRORS, summary="A cable's record")
def api_cable(
    request: Request, cable_id: str, version: Annotated[int | None, Query(ge=1)] = None
) -> dict[str, Any]:
    stored = archive_of(request).get(cable_id, version)
    return {"version": stored.version.to_json(), "record": stored.cable.to_json()}


@router.get(
    "/cables/{cable_id}/text",
    responses=ERRORS,
    response_class=PlainTextResponse,
    summary="A cable's text (withheld paragraphs as placeholders)",
)
def api_text(
    request: Request, cable_id: str, version: Annotated[int | None, Query(ge=1)] = None
) -> str:
    return archive_of(request).get(cable_id, version).text


@router.get("/cables/{cable_id}/versions", responses=ERRORS, summary="A cable's versions")
def api_versions(request: Request, cable_id: str) -> list[dict[str, Any]]:
    return [v.to_json() for v in archive_of(request).versions(cable_id)]


@router.get("/cables/{cable_id}/diff", responses=ERRORS, summary="Word-level changes")
def api_diff(
    request: Request,
    cable_id: str,
    old: Annotated[int | None, Query(ge=1)] = None,
    new: Annotated[int | None, Query(ge=1)] = None,
) -> dict[str, Any]:
    found = archive_of(request).diff(cable_id, old, new)
    return {
        "id": found.id,
        "old": found.old,
        "new": found.new,
        "changes": [{"kind": c.kind, "text": c.text} for c in found.changes],
    }


@router.get(
    "/cables/{cable_id}/refs", responses=ERRORS, summary="What a cable cites, and what cites it"
)
def api_refs(request: Request, cable_id: str) -> dict[str, Any]:
    archive = archive_of(request)
    found = refs(archive.store, cable_id.upper(), archive.scope)
    archive.audit("refs", found.id, [c.id for c in found.cited_by])
    return found.to_json()


@router.get(
    "/cables/{cable_id}/graph", responses=ERRORS, summary="A cable's citation neighbourhood"
)
def api_neighbourhood(
    request: Request, cable_id: str, hops: Annotated[int, Query(ge=0, le=4)] = 2
) -> dict[str, Any]:
    archive = archive_of(request)
    found = neighbourhood(archive.store, cable_id.upper(), hops, archive.scope)
    archive.audit("graph", cable_id.upper(), [n.id for n in found.nodes.values() if n.in_archive])
    return found.to_json()


@router.get("/graph", responses=ERRORS, summary="The citation graph of the cables a query matches")
def api_graph(
    request: Request,
    q: Annotated[str, Query(min_length=1, max_length=2000)],
    hops: Annotated[int, Query(ge=0, le=2)] = 0,
) -> dict[str, Any]:
    archive = archive_of(request)
    found = graph(archive.store, parse_query(q), archive.scope, hops)
    archive.audit("graph", q, [n.id for n in found.nodes.values() if n.in_archive])
    return found.to_json()


@router.get("/stats", responses=ERRORS, summary="What the archive holds")
def api_stats(request: Request) -> dict[str, Any]:
    return archive_of(request).stats().to_json()


MEDIA = {"jsonl": "application/x-ndjson", "csv": "text/csv; charset=utf-8"}


@router.get(
    "/export",
    responses={**ERRORS, 200: {"content": {m: {} for m in MEDIA.values()}}},
    response_class=StreamingResponse,
    summary="Every cable a query matches (all when none), streamed",
)
def api_export(
    request: Request,
    q: Annotated[str | None, Query(max_length=2000)] = None,
    format: Literal["jsonl", "csv"] = "jsonl",
) -> StreamingResponse:
    archive = archive_of(request)  # the reader, checked before anything streams
    node = parse_query(q) if q else None
    state: WebState = request.app.state.web
    archive.audit("export", q, archive.matching_ids(node) if archive.reader else [])
    name = f"cablekit-export.{format}"
    return StreamingResponse(
        _streamed(state, archive.user, node, format),
        media_type=MEDIA[format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
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


def _streamed(state: WebState, user: str | None, node: Node | None, format: str) -> Iterator[bytes]:
    """The export runs in its own thread (with its own connection, in one snapshot)
    and hands over chunks; a client that goes away stops it."""
    pipe = _Pipe()

    def run() -> None:
        try:
            with Archive(state.path, user=user, today=state.today) as archive:
                out = io.BufferedWriter(pipe, 1 << 16)
                export(archive.store, node, archive.scope, format, out)  # type: ignore[arg-type]
                out.flush()
        except _Cancelled:
            return
        except BaseException as error:
            pipe.chunks.put(error)
        pipe.chunks.put(None)

    threading.Thread(target=run, daemon=True, name="cablekit-export").start()
    try:
        while (chunk := pipe.chunks.get()) is not None:
            if isinstance(chunk, BaseException):
                raise chunk
            yield chunk
    finally:
        pipe.cancelled.set()
