"""The application: routes, who is asking, security headers, errors.

``create_app(path)`` gives an ASGI application over the archive at ``path``;
``cablekit serve`` runs it with uvicorn. Nothing it serves comes from elsewhere:
styles and the small script are in ``static/``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..archive import Archive
from ..errors import (
    AccessError,
    ArchiveError,
    ArchiveUnwritable,
    BadDate,
    CablekitError,
    IndexBehind,
    QuerySyntaxError,
    RecordUnreachable,
    UnknownCable,
    UnknownUser,
)
from ..store.replica import check
from . import api, pages
from .auth import (
    CsrfFailure,
    NotSignedIn,
    Session,
    load_session,
    new_session,
    save_session,
)
from .state import NodeSettings, WebState

log = logging.getLogger("cablekit.web")
STATIC_CACHE = "max-age=3600"  # style.css and app.js, fetched again after an hour
UNEXPECTED = "Something went wrong on the server; the error is in its log"
HERE = Path(__file__).parent

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
        " connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    app.state.web.close()  # a node stops following the record, its connections close


def create_app(
    path: str | os.PathLike[str],
    today: date | None = None,
    secure_cookies: bool | None = None,
    clock: Callable[[], float] = time.time,
    node: NodeSettings | None = None,
) -> FastAPI:
    """The web application over the archive at ``path`` (a file, or a PostgreSQL URL:
    then this server is a search node, keeping its index as ``node`` says). ``today``
    fixes the day whose declassification state applies (tests); ``secure_cookies``
    forces the cookie's Secure flag (by default: set when the request came over HTTPS);
    ``clock`` gives the time in Unix seconds for sessions and sign-in limits (tests
    move it)."""
    app = FastAPI(
        title="cablekit",
        summary="Search, read and follow US diplomatic cables",
        version="1",
        docs_url=None,  # the interactive pages would load scripts from a CDN
        redoc_url=None,
        lifespan=_lifespan,
    )
    app.state.web = WebState(os.fspath(path), today, secure_cookies, clock, node or NodeSettings())
    app.add_api_route("/healthz", health, methods=["GET"], include_in_schema=False)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(api.router)
    app.include_router(pages.router, include_in_schema=False)
    app.add_middleware(RequestContext)
    _add_error_handlers(app)
    return app


def health(request: Request) -> Response:
    """For load balancers: 200 while this server may answer, 503 when it may not (a node
    whose index lags beyond its bound or misses a narrowing change, or that cannot
    reach the record); with how far behind it is."""
    state: WebState = request.app.state.web
    body: dict[str, object] = {"status": "ok"}
    try:
        found = state.status()
    except CablekitError as error:
        return JSONResponse({"status": "unavailable", "problem": str(error)}, status_code=503)
    if found is None:
        return JSONResponse(body)
    body.update(found.to_json(), max_lag=state.node.max_lag)
    if state.follower is not None and state.follower.problem:
        body["follower_problem"] = state.follower.problem  # why it may fall behind
    try:
        check(found, state.node.max_lag)
    except IndexBehind as error:
        body.update(status="behind", problem=str(error))
        return JSONResponse(body, status_code=503)
    return JSONResponse(body)


class RequestContext:
    """Who is asking, the archive as they read it, and the headers every answer gets.

    A plain ASGI middleware: ``@app.middleware("http")`` would run every request in an
    extra task and stream every answer through a queue (a tenth of the cost of a
    simple page)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        receive = _patient(receive)
        request = Request(scope, receive)
        state: WebState = request.app.state.web
        started = False

        async def send_finished(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                _finish(request, state, message)
            await send(message)

        try:
            request.state.session = session = load_session(request, state)
            if session.write is not None:
                await run_in_threadpool(_owed_write, state, session)
        except NotSignedIn as error:
            await error_response(request, 401, str(error))(scope, receive, send_finished)
            return
        except (RecordUnreachable, ArchiveUnwritable) as error:  # a failover under way
            await error_response(request, 503, str(error))(scope, receive, send_finished)
            return
        request.state.archive = lambda: _reader_archive(request)
        try:
            await self.app(scope, receive, send_finished)
        except Exception:  # the handlers took the expected ones: this is a bug
            log.exception("unexpected error on %s", request.url.path)
            if started:
                raise
            await error_response(request, 500, UNEXPECTED)(scope, receive, send_finished)


def _owed_write(state: WebState, session: Session) -> None:
    """The write a session owes the archive (seen again, or found over), in a worker
    thread: it may wait for the archive's lock while ingest writes, and the event loop
    must not. Failing it refuses nothing and grants nothing (a session not marked as
    seen goes idle sooner; one not marked as over is refused all the same)."""
    assert session.write is not None
    try:
        session.write(state.record())
    except ArchiveError as error:
        log.warning("session not updated: %s", error)


def _patient(receive: Receive) -> Receive:
    """``receive`` that yields to the event loop before each call once the request's
    body is in: a streaming answer listens for the client leaving meanwhile, and a
    caller that answers at once (test harnesses repeat the request) would otherwise
    keep that listener spinning and the answer unwritten."""
    body_done = False

    async def patient() -> Message:
        nonlocal body_done
        if body_done:
            await asyncio.sleep(0)
        message = await receive()
        if message["type"] == "http.request" and not message.get("more_body", False):
            body_done = True
        return message

    return patient


def _finish(request: Request, state: WebState, start: Message) -> None:
    """The session cookie (when it changed) and the headers every answer gets."""
    headers = MutableHeaders(scope=start)
    session = getattr(request.state, "session", None)  # none: a refused token
    if session is not None:
        cookie = Response()
        save_session(cookie, session, state, request.url.scheme == "https")
        for name, value in cookie.raw_headers:
            if name == b"set-cookie":
                headers.append("set-cookie", value.decode("latin-1"))
    headers.update(SECURITY_HEADERS)
    # Styles and script hold no cable text: the browser keeps them (but not an error).
    static = request.url.path.startswith("/static/") and start["status"] < 400
    headers.setdefault("Cache-Control", STATIC_CACHE if static else "no-store")


# Reads of one cable (its record, text, versions, diff): on a search node, answered only
# once every change committed before the request is applied (WebState.fresh).
ONE_CABLE = re.compile(r"^(/api/v1/cables/|/cable/)[^/]+(/(text|raw|versions|diff))?/?$")


def _reader_archive(request: Request) -> Archive:
    state: WebState = request.app.state.web
    user = request.state.session.user
    if user is None and state.controlled():
        raise NotSignedIn("This archive has users: sign in to read it")
    exact = ONE_CABLE.match(request.url.path) is not None
    return state.archive(user, request.client.host if request.client else "unknown", exact)


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def error_response(request: Request, status: int, message: str) -> Response:
    """JSON for the API, a page for people; one sentence either way."""
    if is_api(request):
        body = {"error": {"status": status, "message": message}}
        # A 401 names the scheme that would do (RFC 9110 §11.6.1).
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse(body, status_code=status, headers=headers)
    if not hasattr(request.state, "session"):
        request.state.session = new_session()
    return pages.render(request, "error.html", status=status, status_code=status, message=message)


def _add_error_handlers(app: FastAPI) -> None:
    async def not_signed_in(request: Request, error: Exception) -> Response:
        if isinstance(error, UnknownUser):
            request.state.session = new_session(forget=True)  # the user was removed
        if is_api(request):
            return error_response(request, 401, str(error))
        target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        return RedirectResponse(f"/login?next={target}", status_code=303)

    async def cablekit_error(request: Request, error: Exception) -> Response:
        status = 400
        if isinstance(error, UnknownCable):
            status = 404
        elif isinstance(error, ArchiveUnwritable | IndexBehind | RecordUnreachable):
            status = 503
        elif isinstance(error, AccessError):
            status = 403
        elif not isinstance(error, QuerySyntaxError | BadDate):
            # The detail (a path, SQLite's words) is for the log, not for the client.
            log.error("archive error on %s: %s", request.url.path, error)
            return error_response(request, 500, UNEXPECTED)
        return error_response(request, status, str(error))

    async def csrf_failure(request: Request, error: Exception) -> Response:
        return error_response(request, 403, str(error))

    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        messages = {404: "There is no such page", 405: "This address does not take that method"}
        response = error_response(
            request, error.status_code, messages.get(error.status_code, str(error.detail))
        )
        response.headers.update(error.headers or {})  # 405: Allow
        return response

    async def invalid(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        first = error.errors()[0] if error.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("query", "path", "body"))
        message = f"{where}: {first.get('msg', 'invalid value')}" if where else "Invalid request"
        return error_response(request, 422 if is_api(request) else 400, message)

    app.add_exception_handler(NotSignedIn, not_signed_in)
    app.add_exception_handler(UnknownUser, not_signed_in)
    app.add_exception_handler(CablekitError, cablekit_error)
    app.add_exception_handler(CsrfFailure, csrf_failure)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid)
