"""Who is asking: session cookies, CSRF tokens, sign-in with rate limiting, API tokens.

A visitor's session is a cookie signed with the archive's key (``itsdangerous``): it
holds the signed-in user, if any, and the CSRF token that every form must send back.
The cookie is HttpOnly and SameSite=Lax, and Secure when the server is reached over
HTTPS. Signing in makes a new session (and a new CSRF token); failed attempts are
counted per client address and per user name, and too many within a few minutes are
refused for a while. Programs send ``Authorization: Bearer TOKEN`` instead (tokens are
made with ``cablekit user token``), which needs no cookie and so no CSRF token.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from ..access import principals
from .state import WebState

COOKIE = "cablekit_session"
SESSION_SECONDS = 12 * 3600
MAX_FAILURES = 5  # per client address and per user name ...
FAILURE_WINDOW = 300.0  # ... within this many seconds


class NotSignedIn(Exception):
    """The archive has users and the request names none (or a bad token)."""


class CsrfFailure(Exception):
    """A form came without the session's CSRF token, or from another site."""


class TooManyAttempts(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many failed sign-ins: try again in {retry_after} seconds")
        self.retry_after = retry_after


@dataclass
class Session:
    user: str | None
    csrf: str
    changed: bool = False  # the response must (re)set the cookie
    via_token: bool = False


def _serializer(state: WebState) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(state.secret, salt="cablekit-session")


def new_session(user: str | None = None) -> Session:
    return Session(user, secrets.token_urlsafe(24), changed=True)


def load_session(request: Request, state: WebState) -> Session:
    """The request's session: from a bearer token, its cookie, or a new one."""
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        user = principals.token_user(state.store(), header[7:].strip())
        if user is None:
            raise NotSignedIn("The API token is not valid (revoked, or mistyped)")
        return Session(user, "", via_token=True)
    cookie = request.cookies.get(COOKIE)
    if cookie:
        try:
            data: dict[str, Any] = _serializer(state).loads(cookie, max_age=SESSION_SECONDS)
            return Session(data.get("u"), str(data["t"]))
        except (BadSignature, KeyError, TypeError):
            pass  # a forged, stale or damaged cookie: start again
    return new_session()


def save_session(response: Response, session: Session, state: WebState, https: bool) -> None:
    if not session.changed or session.via_token:
        return
    value = _serializer(state).dumps({"u": session.user, "t": session.csrf})
    secure = https if state.secure_cookies is None else state.secure_cookies
    response.set_cookie(
        COOKIE,
        value,
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/",
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


class LoginLimiter:
    """Failed sign-ins per key (client address, user name) in a sliding window."""

    def __init__(self, limit: int = MAX_FAILURES, window: float = FAILURE_WINDOW) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                recent = self._recent(key, now)
                if len(recent) >= self.limit:
                    raise TooManyAttempts(int(recent[0] + self.window - now) + 1)

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)

    def _recent(self, key: str, now: float) -> deque[float]:
        recent = self._failures.setdefault(key, deque())
        while recent and recent[0] <= now - self.window:
            recent.popleft()
        return recent


def sign_in(
    state: WebState, limiter: LoginLimiter, client: str, user: str, password: str
) -> Session | None:
    """A new session for ``user`` when the password is right; None otherwise.
    Raises TooManyAttempts when the client or the name has failed too often."""
    keys = (f"ip:{client}", f"user:{user.lower()}")
    limiter.check(*keys)
    if not principals.check_password(state.store(), user, password):
        limiter.failed(*keys)
        return None
    limiter.succeeded(*keys)
    return new_session(user)


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
