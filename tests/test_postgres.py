"""The PostgreSQL record and the search nodes that copy it, on a real private cluster.

Each test gets a new empty database (``pg_url``); nodes keep their index files in the
test's folder. What a PostgreSQL archive answers is compared with a SQLite archive made
from the same inputs: the same export, byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import lzma
import threading
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient

from cablekit.access import audit
from cablekit.archive import Archive
from cablekit.errors import IndexBehind, NotAnArchive, UnknownUser
from cablekit.store.postgres import PostgresRecord, adapt
from cablekit.store.replica import Follower, catch_up, status
from cablekit.store.sqlite import SQLiteStore
from cablekit.web import create_app
from cablekit.web.state import NodeSettings

from .conftest import SAMPLE_VERSIONS, sample_inputs
from .pg_helpers import until


@pytest.fixture(autouse=True)
def private_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Audit keys of PostgreSQL archives live in the configuration folder: the test's."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def export_digest(archive: Archive, path: Path) -> str:
    archive.export(None, "jsonl", str(path))
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load(target: str, tmp_path: Path, name: str, *, order: tuple[str, ...] = ("old", "new")) -> str:
    """Ingest the bundled versions (release 2010-12) and cables (2011-04) in ``order``."""
    inputs = {"old": ([str(SAMPLE_VERSIONS)], "2010-12"), "new": (sample_inputs(), "2011-04")}
    for step in order:
        paths, release = inputs[step]
        with Archive(target, create=True, index=tmp_path / f"{name}.idx") as archive:
            archive.ingest(paths, release=release)
    return target


@pytest.fixture(scope="module")
def sqlite_digest(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("reference")
    path = load(str(folder / "ref.db"), folder, "ref")
    with Archive(path) as archive:
        return export_digest(archive, folder / "ref.jsonl")


def test_statements_are_adapted_for_postgresql() -> None:
    assert adapt("SELECT a FROM t WHERE b = ? AND c LIKE '5%'") == (
        "SELECT a FROM t WHERE b = %s AND c LIKE '5%%'"
    )
    assert adapt("INSERT OR IGNORE INTO t VALUES (?)") == (
        "INSERT INTO t VALUES (%s) ON CONFLICT DO NOTHING"
    )
    assert adapt("INSERT OR REPLACE INTO setting (name, value) VALUES (?, ?)").endswith(
        "ON CONFLICT (name) DO UPDATE SET value = excluded.value"
    )


def test_the_record_holds_what_a_sqlite_archive_holds(
    pg_url: str, tmp_path: Path, sqlite_digest: str
) -> None:
    load(pg_url, tmp_path, "node")
    assert not (tmp_path / "node.idx").exists()  # a loader that only writes makes no index
    with Archive(pg_url, index=tmp_path / "node.idx") as archive:
        assert export_digest(archive, tmp_path / "pg.jsonl") == sqlite_digest
        versions = archive.versions("09CAIRO746")
        assert [(v.number, v.current, v.release) for v in versions] == [
            (1, False, "2010-12"),
            (2, False, "2010-12"),
            (3, True, "2011-04"),
        ]
        found = archive.search("nuclea* AND NOT class:UNCLASSIFIED", facets=True)
    with Archive(load(str(tmp_path / "ref.db"), tmp_path, "ref")) as reference:
        expected = reference.search("nuclea* AND NOT class:UNCLASSIFIED", facets=True)
    assert [h.id for h in found.results] == [h.id for h in expected.results]
    assert found.total == expected.total and found.facets == expected.facets


def test_ingest_again_changes_nothing_and_logs_nothing(pg_url: str, tmp_path: Path) -> None:
    load(pg_url, tmp_path, "node")
    with PostgresRecord(pg_url) as record:
        head = record.head()
    with Archive(pg_url, index=tmp_path / "node.idx") as archive:
        report = archive.ingest(sample_inputs(), release="2011-04")
    assert (report.ingested, report.new_versions, report.unchanged) == (0, 0, 202)
    with PostgresRecord(pg_url) as record:
        assert record.head() == head


@pytest.mark.parametrize("order", [("old", "new"), ("new", "old")])
def test_two_loaders_at_once_make_the_archive_one_loader_makes(
    pg_url: str, tmp_path: Path, sqlite_digest: str, order: tuple[str, ...]
) -> None:
    """Two loaders, each its own connection, started together (one of them a little
    ahead, in either order): the same cables, current versions and export."""
    errors: list[BaseException] = []

    def loader(step: str, delay: float) -> None:
        try:
            threading.Event().wait(delay)
            load(pg_url, tmp_path, f"loader-{step}", order=(step,))
        except BaseException as error:
            errors.append(error)

    threads = [
        threading.Thread(target=loader, args=(step, 0.05 * n)) for n, step in enumerate(order)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    with Archive(pg_url, index=tmp_path / "reader.idx") as archive:
        assert export_digest(archive, tmp_path / "pg.jsonl") == sqlite_digest
        assert archive.stats().versions == 208


def test_the_same_input_twice_at_once_leaves_no_duplicates(pg_url: str, tmp_path: Path) -> None:
    threads = [
        threading.Thread(
            target=load, args=(pg_url, tmp_path, f"twin{n}"), kwargs={"order": ("new",)}
        )
        for n in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with PostgresRecord(pg_url) as record:
        (cables, versions) = record.query(
            "SELECT (SELECT count(*) FROM cable), (SELECT count(*) FROM version)"
        )[0]
    assert (cables, versions) == (202, 202)


def test_a_node_follows_the_change_log(pg_url: str, tmp_path: Path) -> None:
    load(pg_url, tmp_path, "writer", order=("new",))
    with PostgresRecord(pg_url) as record, SQLiteStore(tmp_path / "n.idx", create=True) as index:
        catch_up(record, index)
        assert status(record, index).behind == 0
        with Archive(pg_url, index=tmp_path / "writer.idx") as writer:
            writer.ingest([str(SAMPLE_VERSIONS)], release="2010-12")
        behind = status(record, index)
        assert behind.behind > 0 and not behind.narrowing
        catch_up(record, index)
        assert status(record, index).behind == 0
        (count,) = index.query("SELECT count(*) FROM version")[0]
        assert count == 208


def test_an_index_copies_one_record(pg_url: str, pg_cluster: object, tmp_path: Path) -> None:
    load(pg_url, tmp_path, "first", order=("new",))
    other = pg_url.rsplit("/", 1)[0] + "/postgres"
    with Archive(other, create=True, index=tmp_path / "x.idx"):
        pass
    with Archive(pg_url, index=tmp_path / "first.idx") as first:
        assert first.stats().cables == 202  # the index is made on first reading
    with (
        Archive(other, index=tmp_path / "first.idx") as archive,
        pytest.raises(NotAnArchive, match="copies another archive"),
    ):
        archive.stats()


def add_reader(archive: Archive) -> None:
    archive.admin.add_user("ana", clearance="SECRET", citizenship="USA", collections=["*"],
                           admin=True)  # fmt: skip
    archive.admin.add_user("bob", clearance="SECRET", citizenship="USA", collections=["*"])


API = "/api/v1"
EVERY_READ = [
    f"{API}/search?q=tag:PREL&facets=true",
    f"{API}/cables/09CAIRO746",
    f"{API}/cables/09CAIRO746/text",
    f"{API}/cables/09CAIRO746/versions",
    f"{API}/cables/09CAIRO746/diff",
    f"{API}/cables/09CAIRO746/refs",
    f"{API}/cables/09CAIRO746/graph",
    f"{API}/graph?q=tag:PREL",
    f"{API}/stats",
    f"{API}/export?format=jsonl",
    "/?q=tag:PREL",
    "/cable/09CAIRO746",
    "/cable/09CAIRO746/raw",
]


def test_a_node_held_back_answers_nothing_a_narrowing_change_could_affect(
    pg_url: str, tmp_path: Path
) -> None:
    """A revoked grant, a review that withholds, a user removed: a node whose index has
    not applied them refuses every read (fail closed), and answers again, narrowed,
    once it has."""
    load(pg_url, tmp_path, "admin", order=("new",))
    with Archive(pg_url, index=tmp_path / "admin.idx", user="ana") as admin:
        add_reader(admin)
        bearer = {"Authorization": f"Bearer {admin.admin.new_token('ana')}"}
    node = NodeSettings(str(tmp_path / "node.idx"), max_lag=3600, sync_every=0)  # held back
    app = create_app(pg_url, node=node)
    state = app.state.web
    with state.archive("bob") as bob:
        assert bob.search("tag:PREL").total == 149
    changes = (
        (lambda a: a.admin.review("09CAIRO746", release=False, reason="x", reviewer="ana"), 149),
        (lambda a: a.admin.revoke("bob", collections=["*"]), 0),
        (lambda a: a.admin.remove("bob"), None),
    )
    for change, total in changes:
        with Archive(pg_url, index=tmp_path / "admin.idx", user="ana") as admin:
            change(admin)
        with pytest.raises(IndexBehind, match="catching up"):
            state.archive("bob")
        with TestClient(app) as client:
            health = client.get("/healthz")
            assert health.status_code == 503 and health.json()["narrowing"] is True
            for path in EVERY_READ:  # the administrator, whose rights did not change, too
                refused = client.get(path, headers=bearer)
                assert refused.status_code == 503 and "catching up" in refused.text, path
                assert "09CAIRO746" not in refused.text.replace(path, "")
        with PostgresRecord(pg_url) as record, SQLiteStore(node.index) as index:
            catch_up(record, index)
        with TestClient(app) as client:
            assert client.get("/healthz").json()["status"] == "ok"
        if total is None:
            with pytest.raises(UnknownUser), state.archive("bob") as bob:
                bob.search("tag:PREL")
        else:
            with state.archive("bob") as bob:
                assert bob.search("tag:PREL").total == total
    state.close()


def test_a_session_begun_on_one_node_is_served_by_another(pg_url: str, tmp_path: Path) -> None:
    load(pg_url, tmp_path, "admin", order=("new",))
    with Archive(pg_url, index=tmp_path / "admin.idx", user="ana") as admin:
        add_reader(admin)
        admin.admin.set_password("bob", "correct horse battery staple")
    nodes = [
        create_app(pg_url, today=None, node=NodeSettings(str(tmp_path / f"n{n}.idx"), 60, 0))
        for n in (1, 2)
    ]
    with TestClient(nodes[0]) as first, TestClient(nodes[1]) as second:
        form = first.get("/login")
        assert form.status_code == 200
        token = form.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        signed = first.post(
            "/login",
            data={"username": "bob", "password": "correct horse battery staple", "csrf": token},
            follow_redirects=False,
        )
        assert signed.status_code == 303, signed.text
        second.cookies.update(first.cookies)
        more = first.get(f"{API}/search", params={"q": "tag:PREL", "limit": 5}).json()
        again = second.get(
            f"{API}/search", params={"q": "tag:PREL", "limit": 5, "cursor": more["next_cursor"]}
        )
        assert again.status_code == 200  # a cursor made on one node pages on another
        page = second.get("/", params={"q": "tag:PREL"})
        assert page.status_code == 200, page.text
        for node in nodes:  # sign-in is checked against the record: no hash on a node's disk
            (hashes,) = node.state.web.store().query(
                "SELECT count(*) FROM principal WHERE password IS NOT NULL"
            )[0]
            assert hashes == 0
        token = second.get("/").text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        assert (
            second.post("/logout", data={"csrf": token}, follow_redirects=False).status_code == 303
        )
        replayed = TestClient(nodes[0], cookies=first.cookies)  # the old cookie, elsewhere
        assert replayed.get(f"{API}/search", params={"q": "tag:PREL"}).status_code == 401
        assert "149" in page.text, page.text[page.text.find("<main") :][:1500]


def republications(folder: Path) -> list[str]:
    """One version's text published twice (two files, two release dates)."""
    with lzma.open(SAMPLE_VERSIONS, "rt") as lines:
        line = json.loads(lines.readline())
    paths = []
    for name, released in (("early", "2011-01-17 15:03"), ("late", "2011-08-30 01:44")):
        copy = {**line, "meta": {**line["meta"], "released": released}}
        path = folder / f"{name}.jsonl"
        path.write_text(json.dumps(copy) + "\n")
        paths.append(str(path))
    return paths


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_record_of_a_text_published_twice_does_not_depend_on_arrival(
    backend: str, pg_url: str, tmp_path: Path
) -> None:
    """The version keeps the record of its latest publication, whichever came first."""
    early, late = republications(tmp_path)
    digests = set()
    for n, order in enumerate(((early, late), (late, early))):
        target = str(tmp_path / f"a{n}.db") if backend == "sqlite" else pg_url + f"_{n}"
        if backend == "postgresql":
            with psycopg.connect(pg_url, autocommit=True) as conn:
                conn.execute(f"CREATE DATABASE {target.rsplit('/', 1)[1]}")
        with Archive(target, create=True, index=tmp_path / f"i{n}.idx") as archive:
            for path in order:
                archive.ingest([path], release=Path(path).stem)
            [version] = archive.versions("06TUNIS55")
            assert version.released == "2011-08-30 01:44" and version.release == "late"
            digests.add(export_digest(archive, tmp_path / f"e{n}.jsonl"))
    assert len(digests) == 1


def test_the_audit_chain_holds_under_writers_at_once(pg_url: str, tmp_path: Path) -> None:
    """Four processes' worth of connections append at once: every entry is kept, in one
    chain that verifies with the key."""
    load(pg_url, tmp_path, "node", order=("old",))
    key = str(tmp_path / "audit.key")
    with PostgresRecord(pg_url) as record:
        audit.append(record, audit.Event("search", "ana", "first", ()), key)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            with PostgresRecord(pg_url) as record:
                for k in range(25):
                    audit.append(record, audit.Event("search", f"u{n}", f"q{k}", ("X",)), key)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    with PostgresRecord(pg_url) as record:
        verified = audit.verify(record, key)
        assert verified.ok and verified.entries == 101
        seqs = [seq for (seq,) in record.query("SELECT seq FROM audit ORDER BY seq")]
    assert seqs == list(range(1, 102))


def test_a_read_of_one_cable_waits_for_the_changes_committed_before_it(
    pg_url: str, tmp_path: Path
) -> None:
    """A node that follows the record only when asked: a new version is committed, and
    the next read of that cable on the node already lists it."""
    load(pg_url, tmp_path, "writer", order=("new",))
    node = NodeSettings(str(tmp_path / "node.idx"), max_lag=3600, sync_every=3600)
    with TestClient(create_app(pg_url, node=node)) as client:
        before = client.get(f"{API}/cables/09CAIRO746/versions").json()
        load(pg_url, tmp_path, "writer", order=("old",))
        after = client.get(f"{API}/cables/09CAIRO746/versions").json()
    assert (len(before), len(after)) == (1, 3)


def test_a_follower_that_cannot_reach_the_record_says_why(pg_url: str, tmp_path: Path) -> None:
    load(pg_url, tmp_path, "writer", order=("old",))
    with PostgresRecord(pg_url) as record, SQLiteStore(tmp_path / "n.idx", create=True) as index:
        catch_up(record, index)
    unreachable = pg_url.rsplit(":", 1)[0] + ":1/t?connect_timeout=2"  # nothing listens on port 1
    follower = Follower(unreachable, str(tmp_path / "n.idx"), every=0.05)
    follower.start()
    try:
        until(lambda: follower.problem is not None, 30, what="the follower to fail")
    finally:
        follower.stop()
    assert (
        follower.problem is not None and "Cannot reach the PostgreSQL archive" in follower.problem
    )
