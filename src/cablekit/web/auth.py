"""Who is asking: sessions, CSRF tokens, sign-in with rate limiting, API tokens.

A signed-in browser holds one cookie, ``cablekit_session``: the id of a session kept
in the archive (``cablekit.access.sessions``), and nothing else. The server reads the
session's row on every request, so a session that ended (signed out, password
changed, credentials revoked, user removed, expired) is refused by every worker at
once; a cookie naming no live session is treated exactly as no cookie.

A visitor who has not signed in still needs a CSRF token for the sign-in form. They
get it in a second cookie, ``cablekit_visitor``, signed with the archive's key and
holding only that token: no row is written for them, so anonymous requests cost the
archive nothing and cannot fill it.

Both cookies are HttpOnly and SameSite=Lax, and Secure when the server is reached
over HTTPS. Signing in makes a new session (and a new CSRF token) and ends the one
the browser had. Failed attempts are limited per client address (``limits``).
Programs send ``Authorization: Bearer TOKEN`` instead (tokens are made with
``cablekit user token``), which needs no cookie and so no CSRF token.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from ..access import limits, principals, sessions
from ..store.shared import Shared
from .state import WebState

COOKIE = "cablekit_session"
VISITOR_COOKIE = "cablekit_visitor"
VISITOR_SECONDS = 12 * 3600  # a sign-in form older than this must be loaded again


class NotSignedIn(Exception):
    """The archive has users and the request names none (or a bad token)."""


class CsrfFailure(Exception):
    """A form came without the session's CSRF token, or from another site."""


@dataclass
class Session:
    """Who is asking, and what the answer must do with the cookies.

    ``key`` is the digest of a live session's row (None for a visitor); ``new_id``
    the id of a session made by this request, to give the browser; ``forget`` drops a
    session cookie that names no live session; ``write`` is a write to the archive
    that the request owes (a session seen again, or found over), done off the event
    loop."""

    user: str | None
    csrf: str
    changed: bool = False  # the response must set the visitor cookie
    via_token: bool = False
    key: str | None = None
    new_id: str | None = None
    forget: bool = False
    write: Callable[[Shared], None] | None = None


def _serializer(state: WebState) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(state.secret, salt="cablekit-visitor")


def new_session(forget: bool = False) -> Session:
    """A visitor, with a new CSRF token for the sign-in form."""
    return Session(None, secrets.token_urlsafe(24), changed=True, forget=forget)


def load_session(request: Request, state: WebState) -> Session:
    """The request's session: from a bearer token, a live session, or a visitor."""
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        user = principals.token_user(state.record(), header[7:].strip())
        if user is None:
            raise NotSignedIn("The API token is not valid (revoked, or mistyped)")
        return Session(user, "", via_token=True)
    session_id = request.cookies.get(COOKIE)
    if session_id is None:
        return _visitor(request, state)
    now = state.now()
    found = sessions.find(state.record(), session_id, now)
    if found is not None and found.over is None:
        session = Session(found.user, found.csrf, key=found.digest)
        if found.stale(now):
            session.write = lambda store: sessions.touch(store, found.digest, now)
        return session
    # Ended, expired, forged or damaged: exactly as if there were no cookie.
    visitor = _visitor(request, state)
    visitor.forget = True
    if found is not None and not found.ended and found.over is not None:
        why = found.over
        visitor.write = lambda store: sessions.end(store, found.digest, why, now)
    return visitor


def _visitor(request: Request, state: WebState) -> Session:
    cookie = request.cookies.get(VISITOR_COOKIE)
    if cookie:
        try:
            csrf = _serializer(state).loads(cookie, max_age=VISITOR_SECONDS)
            if isinstance(csrf, str) and csrf:
                return Session(None, csrf)
        except BadSignature:
            pass  # forged, stale or damaged: a new one
    return new_session()


def save_session(response: Response, session: Session, state: WebState, https: bool) -> None:
    """Set (or clear) the cookies the session calls for."""
    if session.via_token:
        return
    secure = https if state.secure_cookies is None else state.secure_cookies
    if session.new_id is not None:
        _set_cookie(response, COOKIE, session.new_id, sessions.LIFETIME, secure)
        _set_cookie(response, VISITOR_COOKIE, "", 0, secure)  # signed in: no longer needed
        return
    if session.forget:
        _set_cookie(response, COOKIE, "", 0, secure)
    if session.changed and session.user is None:
        value = _serializer(state).dumps(session.csrf)
        _set_cookie(response, VISITOR_COOKIE, value, VISITOR_SECONDS, secure)


def _set_cookie(response: Response, name: str, value: str, max_age: int, secure: bool) -> None:
    """A cookie as every cookie of the site is set (max_age 0: deleted)."""
    response.set_cookie(
        name, value, max_age=max_age, httponly=True, samesite="lax", secure=secure, path="/"
    )


def check_csrf(request: Request, session: Session, token: str | None) -> None:
    """Refuse a form without the session's token, or posted from another origin."""
    origin = request.headers.get("origin")
    if origin and origin != "null" and origin.rstrip("/") != _own_origin(request):
        raise CsrfFailure("This form was sent from another site")
    if not token or not hmac.compare_digest(token, session.csrf):
        raise CsrfFailure("This form has expired: reload the page and send it again")


def _own_origin(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"


def client_address(request: Request) -> str:
    """The client, as the rate limits count it. The server has already replaced the
    peer's address by the one in ``X-Forwarded-For`` when, and only when, the peer is
    a proxy named by ``cablekit serve --forwarded-allow-ips``."""
    return limits.address_key(request.client.host if request.client else None)


def sign_in(state: WebState, client: str, user: str, password: str) -> Session | None:
    """A new session for ``user`` when the password is right; None otherwise.
    Raises TooManyAttempts when this client has failed too often (for this account,
    or for any)."""
    store = state.record()
    account = limits.account_key(user)
    limits.reserve(store, client, account, state.now())
    verified = principals.verified_hash(store, user, password)
    started = sessions.start(store, user, verified, state.now()) if verified else None
    if started is None:
        return None  # the attempt stays counted as failed
    limits.succeeded(store, client, account)
    session_id, csrf = started
    return Session(user, csrf, key=sessions.digest(session_id), new_id=session_id)


def sign_out(state: WebState, session: Session, why: str = sessions.SIGNED_OUT) -> None:
    """End the session's row, if it has one."""
    if session.key is not None:
        sessions.end(state.record(), session.key, why, state.now())


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
