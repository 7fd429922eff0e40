"""Users and groups at their edges (``cablekit.access.principals``): what a reader holds
once their groups are merged in, what is refused, and what removing or revoking takes
away. On an archive with no cables: the store's principal tables alone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cablekit.access import principals, sessions
from cablekit.access.policy import Reader
from cablekit.archive import Archive
from cablekit.errors import AccessError, PrincipalExists, UnknownUser
from cablekit.store.sqlite import SQLiteStore


@pytest.fixture()
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    with Archive(tmp_path / "p.db", create=True) as archive:
        yield archive.store


def test_clearances_are_the_four_levels_in_any_spelling(store: SQLiteStore) -> None:
    assert principals.clearance_rank("top  secret") == 5
    assert principals.clearance_rank("Confidential") == 3
    assert principals.clearance_rank("UNCLASSIFIED") == 0
    for odd in ("LIMITED OFFICIAL USE", "SBU", "S", "COSMIC"):
        with pytest.raises(AccessError) as refused:
            principals.clearance_rank(odd)
        assert str(refused.value) == (
            f"{odd!r} is not a clearance; use one of UNCLASSIFIED, CONFIDENTIAL, SECRET, TOP SECRET"
        )


def test_special_accesses_are_named_in_any_case(store: SQLiteStore) -> None:
    assert principals.check_access(["nodis", "Orcon"]) == ["NODIS", "ORCON"]
    with pytest.raises(AccessError) as refused:
        principals.check_access(["NODIS", "COSMIC"])
    assert str(refused.value).startswith("'COSMIC' is not a special access; use NODIS, EXDIS")


def test_a_reader_holds_their_groups_accesses_and_grants(store: SQLiteStore) -> None:
    assert not principals.has_users(store)
    principals.add(store, "embassy", kind="group", access=["exdis"])
    assert not principals.has_users(store)  # a group reads nothing
    principals.add(
        store, "ann", clearance="secret", citizenship="Canada", access=["nodis"], password="pw1"
    )
    assert principals.has_users(store)
    principals.grant(store, "embassy", collections=["ottawa"], access=["limdis"])
    principals.grant(store, "ann", collections=["paris"], access=["ORCON"], groups=["embassy"])
    assert principals.reader(store, "ann") == Reader(
        "ann",
        4,
        "CAN",
        frozenset({"NODIS", "ORCON", "EXDIS", "LIMDIS"}),
        frozenset({"ottawa", "paris"}),
    )
    principals.revoke(store, "ann", groups=["embassy"], access=["nodis"], collections=["paris"])
    assert principals.reader(store, "ann") == Reader("ann", 4, "CAN", frozenset({"ORCON"}))
    principals.set_clearance(store, "ann", "top secret")
    assert principals.reader(store, "ann").clearance == 5
    with pytest.raises(UnknownUser, match="There is no user embassy in this archive"):
        principals.reader(store, "embassy")
    with pytest.raises(UnknownUser, match="There is no user or group ghost in this archive"):
        principals.grant(store, "ghost", collections=["x"])


def test_names_are_unique_and_only_a_user_administers(store: SQLiteStore) -> None:
    principals.add(store, "root", admin=True, citizenship="USA")
    with pytest.raises(PrincipalExists, match="There is already a user or group named root"):
        principals.add(store, "root", kind="group")
    with pytest.raises(AccessError, match="Only a user can be an administrator"):
        principals.add(store, "admins", kind="group", admin=True)
    principals.add(store, "admins", kind="group")
    with pytest.raises(AccessError, match="Only a user can be an administrator"):
        principals.set_admin(store, "admins", True)
    assert principals.is_admin(store, "root") and not principals.is_admin(store, "admins")
    assert not principals.is_admin(store, "ghost")
    with pytest.raises(AccessError) as last:
        principals.set_admin(store, "root", False)
    assert str(last.value) == (
        "root is the last administrator of this archive: make another one first"
    )
    principals.add(store, "bob")
    assert not principals.is_admin(store, "bob")
    principals.set_admin(store, "bob", True)
    principals.set_admin(store, "root", False)
    assert principals.is_admin(store, "bob") and not principals.is_admin(store, "root")


def test_passwords_verify_only_for_the_user_who_set_them(store: SQLiteStore) -> None:
    principals.add(store, "ann", password="right horse")
    principals.add(store, "nopass")
    principals.add(store, "team", kind="group")
    assert principals.check_password(store, "ann", "right horse")
    assert not principals.check_password(store, "ann", "wrong horse")
    assert not principals.check_password(store, "ghost", "right horse")
    assert not principals.check_password(store, "nopass", "")
    assert not principals.check_password(store, "team", "right horse")
    first = principals.verified_hash(store, "ann", "right horse")
    assert first is not None and first.startswith("$argon2id$")
    principals.set_password(store, "ann", "new horse")
    assert not principals.check_password(store, "ann", "right horse")
    assert principals.verified_hash(store, "ann", "new horse") not in (None, first)


def test_a_password_change_ends_the_users_sessions(store: SQLiteStore) -> None:
    principals.add(store, "ann", password="right horse")
    hashed = principals.verified_hash(store, "ann", "right horse")
    assert hashed is not None
    opened = sessions.start(store, "ann", hashed, 1000)
    assert opened is not None
    live = sessions.find(store, opened[0], 1001)
    assert live is not None and live.over is None
    principals.set_password(store, "ann", "new horse")
    ended = sessions.find(store, opened[0], 1002)
    assert ended is not None and (ended.over, ended.ended) == (sessions.PASSWORD_CHANGED, True)
    assert sessions.start(store, "ann", hashed, 1003) is None  # the old hash opens nothing


def test_tokens_name_their_user_until_revoked(store: SQLiteStore) -> None:
    principals.add(store, "ann")
    principals.add(store, "bob")
    one = principals.new_token(store, "ann", "laptop")
    two = principals.new_token(store, "ann")
    other = principals.new_token(store, "bob")
    assert one.startswith("ck_") and len(one) == 46 and one != two
    assert principals.token_user(store, one) == "ann"
    assert principals.token_user(store, other) == "bob"
    assert principals.token_user(store, "ck_" + "x" * 43) is None
    assert principals.revoke_tokens(store, "ann") == 2
    assert principals.token_user(store, one) is None and principals.token_user(store, two) is None
    assert principals.token_user(store, other) == "bob"
    assert principals.revoke_tokens(store, "ann") == 0


def test_removing_takes_every_holding_and_a_group_leaves_its_members(store: SQLiteStore) -> None:
    principals.add(store, "team", kind="group", access=["NODIS"])
    principals.add(store, "ann", citizenship="GBR")
    principals.add(store, "bob")
    principals.grant(store, "team", collections=["x"])
    principals.grant(store, "ann", collections=["y"], groups=["team"])
    principals.grant(store, "bob", groups=["team"])
    token = principals.new_token(store, "ann")
    principals.remove(store, "team")
    assert principals.reader(store, "ann") == Reader("ann", 0, "GBR", frozenset(), frozenset({"y"}))
    principals.remove(store, "ann")
    assert principals.token_user(store, token) is None
    with pytest.raises(UnknownUser):
        principals.reader(store, "ann")
    principals.add(store, "ann")  # a namesake inherits nothing
    assert principals.reader(store, "ann") == Reader("ann", 0, None)
    assert [p.name for p in principals.principals(store)] == ["ann", "bob"]


def test_the_listing_shows_users_then_groups_with_what_each_holds(store: SQLiteStore) -> None:
    principals.add(store, "zeta", kind="group", access=["EXDIS", "NODIS"])
    principals.add(store, "alpha", kind="group")
    principals.add(store, "bob", clearance="CONFIDENTIAL", password="pw", admin=True)
    principals.add(store, "ann", citizenship="usa")
    principals.grant(store, "bob", collections=["b", "a"], groups=["zeta", "alpha"])
    listed = principals.principals(store)
    assert [(p.name, p.kind) for p in listed] == [
        ("ann", "user"),
        ("bob", "user"),
        ("alpha", "group"),
        ("zeta", "group"),
    ]
    ann, bob, _, zeta = listed
    assert ann == principals.Principal("ann", "user", "UNCLASSIFIED", "USA", (), (), (), False)
    assert bob == principals.Principal(
        "bob", "user", "CONFIDENTIAL", None, (), ("a", "b"), ("alpha", "zeta"), True, True
    )
    assert zeta.access == ("EXDIS", "NODIS")


def test_collections_are_found_by_name(tmp_path: Path) -> None:
    from .conftest import REFERENCE_CABLE

    with Archive(tmp_path / "c.db", create=True) as archive:
        archive.ingest([str(REFERENCE_CABLE)], release="2011-04")
        store = archive.store
        names = [name for name, _ in principals.collections(store)]
        assert names and all(n for n in names)
        assert [n for _, n in principals.collections(store)] == [1] * len(names)
        keys = principals.collection_keys(store, [names[0], names[0], "no such"])
        assert len(keys) == 1
        assert principals.collection_keys(store, []) == []
        assert principals.collection_keys(store, ["no such"]) == []
        assert len(principals.collection_keys(store, names)) == len(names)
