"""Web sessions kept on the server, probed as an attacker would.

Someone who saved a session cookie (from a shared computer, a proxy log, a stolen
laptop) replays it after the user signed out, changed their password, had their
tokens revoked or was removed, after the session went idle or grew too old; forges
cookies (random ids, one character changed, the digest the archive keeps, the old
signed format naming a user, signed with the archive's own key); and mixes one
session's CSRF token with another's cookie. Each replay must be refused exactly as a
request with no cookie is (a redirect to the sign-in page, or 401 from the API),
never with a 500. The clock is the application's (``create_app(clock=...)``): time
moves without sleeping.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from itsdangerous import URLSafeTimedSerializer

from cablekit.access import principals, sessions
from cablekit.archive import Archive
from cablekit.cli import cli
from cablekit.web import create_app
from cablekit.web.auth import COOKIE, VISITOR_COOKIE

from .web_archive import ADMIN, BEFORE_DECL, PASSWORDS, Readers, add_readers, copy_archive

API = "/api/v1"
REFERENCE = "09OTTAWA278"  # CONFIDENTIAL: the officer (SECRET, USA) reads it
START = 1_400_000_000.0  # the clock's first reading (May 2014)


class Clock:
    """The application's clock, moved by the test."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture()
def readers(sample_archive_file: Path, tmp_path: Path) -> Readers:
    """A private archive with the two readers (each test ends sessions in its own)."""
    return add_readers(copy_archive(sample_archive_file, tmp_path / "sessions.db"))


@pytest.fixture()
def clock() -> Clock:
    return Clock()


@pytest.fixture()
def app(readers: Readers, clock: Clock) -> Any:
    return create_app(readers.path, today=BEFORE_DECL, clock=clock)


def browser(app: Any, cookies: dict[str, str] | None = None) -> TestClient:
    """A browser of its own: it sends only the cookies it was given or got."""
    client = TestClient(app)
    for name, value in (cookies or {}).items():
        client.cookies.set(name, value)
    return client


def csrf_token(client: TestClient, path: str = "/login") -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(path).text)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def sign_in(app: Any, name: str) -> TestClient:
    client = browser(app)
    data = {"username": name, "password": PASSWORDS[name], "csrf": csrf_token(client)}
    response = client.post("/login", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text[:300]
    assert client.cookies.get(COOKIE)
    return client


def saved(client: TestClient) -> dict[str, str]:
    """What a thief copies: the session cookie alone."""
    return {COOKIE: client.cookies[COOKIE]}


def signed_in_as(client: TestClient) -> str | None:
    found = re.search(r"Signed in as <strong>([^<]+)</strong>", client.get("/help").text)
    return found.group(1) if found else None


def answers(client: TestClient) -> list[tuple[int, str]]:
    """What a page and the API answer (status, and where to or what)."""
    page = client.get(f"/cable/{REFERENCE}", follow_redirects=False)
    api = client.get(f"{API}/cables/{REFERENCE}")
    return [
        (page.status_code, page.headers.get("location", "")),
        (api.status_code, api.text),
    ]


def assert_refused(app: Any, cookies: dict[str, str]) -> None:
    """A request with these cookies is answered as one without any cookie."""
    replay = answers(browser(app, cookies))
    assert replay == answers(browser(app))
    assert replay[0] == (303, f"/login?next=/cable/{REFERENCE}")
    assert replay[1][0] == 401 and "sign in" in replay[1][1]


def assert_reads(client: TestClient) -> None:
    assert client.get(f"{API}/cables/{REFERENCE}").status_code == 200
    assert client.get(f"/cable/{REFERENCE}", follow_redirects=False).status_code == 200


def session_rows(path: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as db:
        return db.execute(
            "SELECT p.name, s.created, s.last_seen, s.ended, s.ended_why"
            " FROM web_session s JOIN principal p ON p.key = s.principal ORDER BY s.created"
        ).fetchall()


def run(*args: str, input: str | None = None) -> str:
    result = CliRunner().invoke(cli, list(args), input=input)
    assert result.exit_code == 0, result.output
    return result.output


# --- ending a session ------------------------------------------------------------------


def test_a_saved_cookie_is_refused_after_sign_out(app: Any):
    officer = sign_in(app, "officer")
    stolen = saved(officer)
    assert_reads(browser(app, stolen))  # the copy works while the session lives
    response = officer.post("/logout", data={"csrf": csrf_token(officer, "/help")})
    assert response.status_code == 200  # back on the home page, signed out
    assert signed_in_as(officer) is None
    assert_refused(app, stolen)


def test_a_password_change_ends_every_session_of_that_user(app: Any, readers: Readers):
    laptop, phone = sign_in(app, "officer"), sign_in(app, "officer")
    liaison = sign_in(app, "liaison")
    stolen = saved(laptop)
    run(
        "user",
        "password",
        "officer",
        "--db",
        str(readers.path),
        "--as",
        ADMIN,
        input="new-pass\nnew-pass\n",
    )
    assert_refused(app, stolen)
    assert_refused(app, saved(phone))
    assert signed_in_as(liaison) == "liaison"  # another user's session is not touched
    whys = {(name, why) for name, *_, why in session_rows(readers.path)}
    assert whys == {("officer", "password changed"), ("liaison", None)}
    # The new password opens a new session.
    client = browser(app)
    data = {"username": "officer", "password": "new-pass", "csrf": csrf_token(client)}
    assert client.post("/login", data=data, follow_redirects=False).status_code == 303
    assert_reads(client)


def test_revoking_the_tokens_of_a_user_signs_them_out_everywhere(app: Any, readers: Readers):
    stolen = saved(sign_in(app, "officer"))
    assert "web sessions ended" in run(
        "user", "token", "officer", "--revoke", "--db", str(readers.path), "--as", ADMIN
    )
    assert_refused(app, stolen)
    response = browser(app).get(f"{API}/stats", headers=readers.bearer("officer"))
    assert response.status_code == 401


def test_a_removed_user_is_signed_out_and_a_new_namesake_inherits_nothing(
    app: Any, readers: Readers
):
    stolen = saved(sign_in(app, "officer"))
    run("user", "remove", "officer", "--db", str(readers.path), "--as", ADMIN)
    assert_refused(app, stolen)
    # A new user of the same name may get the same internal key: still nothing.
    with Archive(readers.path) as archive:
        principals.add(archive.store, "officer", clearance="TOP SECRET", citizenship="USA")
        principals.grant(archive.store, "officer", collections=["*"])
    assert_refused(app, stolen)
    assert browser(app).get(f"{API}/stats", headers=readers.bearer("officer")).status_code == 401


def test_an_idle_session_ends_and_an_active_one_lives_on(app: Any, clock: Clock, readers: Readers):
    officer = sign_in(app, "officer")
    stolen = saved(officer)
    for _ in range(3):  # a request every 29 minutes keeps it alive past the idle time
        clock.advance(sessions.IDLE - 60)
        assert_reads(officer)
    clock.advance(sessions.IDLE)
    assert_refused(app, stolen)
    assert signed_in_as(officer) is None
    (row,) = session_rows(readers.path)
    assert row[-1] == "idle"


def test_a_session_ends_at_its_lifetime_however_busy(app: Any, clock: Clock, readers: Readers):
    officer = sign_in(app, "officer")
    stolen = saved(officer)
    for _ in range(sessions.LIFETIME // (20 * 60) - 1):
        clock.advance(20 * 60)
        assert signed_in_as(officer) == "officer"
    clock.advance(sessions.LIFETIME - (clock.now - START))  # exactly the lifetime
    assert_refused(app, stolen)
    (row,) = session_rows(readers.path)
    assert row[-1] == "expired"


def test_last_seen_is_written_at_most_once_a_minute(app: Any, clock: Clock, readers: Readers):
    officer = sign_in(app, "officer")

    def last_seen() -> int:
        ((_, _, seen, _, _),) = session_rows(readers.path)
        return int(seen)

    for step in (10, 30, 19):  # 59 seconds of requests: no write
        clock.advance(step)
        assert_reads(officer)
        assert last_seen() == int(START)
    clock.advance(1)
    assert_reads(officer)
    assert last_seen() == int(START) + 60


def test_signing_in_again_ends_the_session_the_browser_had(app: Any, readers: Readers):
    client = sign_in(app, "officer")
    first = saved(client)
    data = {"username": "liaison", "password": PASSWORDS["liaison"], "csrf": csrf_token(client)}
    assert client.post("/login", data=data, follow_redirects=False).status_code == 303
    assert signed_in_as(client) == "liaison"
    assert_refused(app, first)
    assert [row[-1] for row in session_rows(readers.path)] == ["signed in again", None]


def test_signing_out_after_the_session_ended_is_no_error(app: Any, clock: Clock):
    officer = sign_in(app, "officer")
    token = csrf_token(officer, "/help")
    clock.advance(sessions.IDLE)
    response = officer.post("/logout", data={"csrf": token}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/"


# --- forged cookies --------------------------------------------------------------------


def test_forged_and_tampered_cookies_are_no_session(app: Any, readers: Readers):
    officer = sign_in(app, "officer")
    real = officer.cookies[COOKIE]
    with Archive(readers.path) as archive:
        (key,) = archive.store.query("SELECT value FROM setting WHERE name = 'session_key'")[0]
    # The former cookie, signed with the archive's own key, naming a user.
    old_format = URLSafeTimedSerializer(key, salt="cablekit-session").dumps(
        {"u": "officer", "t": "x"}
    )
    assert_refused(app, {COOKIE: old_format})
    with sqlite3.connect(readers.path) as db:
        ((digest,),) = db.execute("SELECT digest FROM web_session")
    forged = [
        "A" * 43,  # the shape of an id
        real[:-1] + ("A" if real[-1] != "A" else "B"),  # one character changed
        real + "A",
        real.upper() if real.upper() != real else real.lower(),
        digest,  # what the archive keeps: not a key to it
        "",
        "x" * 4000,
        "%00" + real,
    ]
    for value in forged:
        assert_refused(app, {COOKIE: value})
    # The visitor cookie carries a CSRF token only: naming a user there does nothing.
    visitor_naming_officer = URLSafeTimedSerializer(key, salt="cablekit-visitor").dumps(
        {"u": "officer"}
    )
    assert_refused(app, {VISITOR_COOKIE: visitor_naming_officer})
    assert_refused(app, {VISITOR_COOKIE: old_format})
    assert signed_in_as(officer) == "officer"  # none of this touched the real session


def test_a_refused_cookie_is_cleared_and_a_visitor_cookie_given(app: Any):
    officer = sign_in(app, "officer")
    stolen = saved(officer)
    officer.post("/logout", data={"csrf": csrf_token(officer, "/help")})
    response = browser(app, stolen).get("/help")
    assert response.status_code == 200
    cookies = response.headers.get_list("set-cookie")
    assert any(c.startswith(f'{COOKIE}=""') and "Max-Age=0" in c for c in cookies)
    assert any(c.startswith(f"{VISITOR_COOKIE}=") and "HttpOnly" in c for c in cookies)


def test_one_sessions_csrf_token_does_not_serve_another(app: Any):
    officer, liaison = sign_in(app, "officer"), sign_in(app, "liaison")
    visitor = browser(app)
    for token in (csrf_token(liaison, "/help"), csrf_token(visitor)):
        response = officer.post("/logout", data={"csrf": token}, follow_redirects=False)
        assert response.status_code == 403
        assert signed_in_as(officer) == "officer"
    # Nor does a visitor's token sign anybody in from another browser.
    data = {"username": "officer", "password": PASSWORDS["officer"], "csrf": csrf_token(visitor)}
    assert browser(app).post("/login", data=data, follow_redirects=False).status_code == 403


def test_visitors_who_do_not_sign_in_write_nothing(app: Any, readers: Readers):
    watcher = sqlite3.connect(readers.path)
    (before,) = watcher.execute("PRAGMA data_version").fetchone()
    for _ in range(20):
        for path in ("/", "/login", "/help", f"{API}/stats", f"/cable/{REFERENCE}"):
            assert browser(app).get(path, follow_redirects=False).status_code < 500
    # data_version moves when another connection commits a change to the file.
    assert watcher.execute("PRAGMA data_version").fetchone() == (before,)
    assert session_rows(readers.path) == []
    watcher.close()


def test_a_clearance_taken_away_applies_to_the_next_request(app: Any, readers: Readers):
    officer = sign_in(app, "officer")

    def cables_on_home_page() -> int:
        found = re.search(r"holds <strong>([\d,]+)</strong> cables", officer.get("/").text)
        assert found
        return int(found.group(1).replace(",", ""))

    before = cables_on_home_page()
    assert_reads(officer)
    with Archive(readers.path) as archive:
        principals.set_clearance(archive.store, "officer", "UNCLASSIFIED")
    assert officer.get(f"{API}/cables/{REFERENCE}").status_code == 404
    assert cables_on_home_page() < before  # not the counts of an hour ago


# --- the table itself ------------------------------------------------------------------


def test_the_archive_keeps_only_a_digest_of_the_session_id(app: Any, readers: Readers):
    officer = sign_in(app, "officer")
    session_id = officer.cookies[COOKIE]
    assert len(session_id) == 43  # 256 bits, base64url
    wal = Path(f"{readers.path}-wal")
    raw = readers.path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    assert session_id.encode() not in raw
    assert sessions.digest(session_id).encode() in raw


def test_rows_of_sessions_long_over_are_deleted(app: Any, clock: Clock, readers: Readers):
    old = sign_in(app, "officer")
    old.post("/logout", data={"csrf": csrf_token(old, "/help")})
    clock.advance(sessions.KEEP_ENDED + 1)
    sign_in(app, "liaison")
    assert [row[0] for row in session_rows(readers.path)] == ["liaison"]


@pytest.fixture()
def two_workers(readers: Readers, clock: Clock) -> Iterator[tuple[Any, Any]]:
    """Two applications on one archive, as two worker processes are."""
    yield (
        create_app(readers.path, today=BEFORE_DECL, clock=clock),
        create_app(readers.path, today=BEFORE_DECL, clock=clock),
    )


def test_a_session_ended_on_one_worker_is_refused_by_the_other(two_workers: tuple[Any, Any]):
    one, other = two_workers
    officer = sign_in(one, "officer")
    stolen = saved(officer)
    assert_reads(browser(other, stolen))
    officer.post("/logout", data={"csrf": csrf_token(officer, "/help")})
    assert_refused(other, stolen)


def test_a_password_changed_while_it_was_checked_opens_no_session(readers: Readers):
    """A sign-in checks the password (a fifth of a second of argon2), then opens the
    session: a change in between must not leave a session opened by the old one."""
    with Archive(readers.path) as archive:
        store = archive.store
        checked = principals.verified_hash(store, "officer", PASSWORDS["officer"])
        assert checked is not None
        principals.set_password(store, "officer", "changed-meanwhile")
        assert sessions.start(store, "officer", checked, int(START)) is None
        principals.remove(store, "liaison")
        assert sessions.start(store, "liaison", checked, int(START)) is None
    assert session_rows(readers.path) == []


def test_an_archive_made_before_sessions_gains_them(readers: Readers, clock: Clock):
    with sqlite3.connect(readers.path) as db:
        db.execute("DROP TABLE web_session")
        db.execute("DROP TABLE sign_in_failure")
        db.execute("DELETE FROM migrations WHERE name = '0004_sessions'")
    app = create_app(readers.path, today=BEFORE_DECL, clock=clock)
    assert_reads(sign_in(app, "officer"))
    assert [row[0] for row in session_rows(readers.path)] == ["officer"]
