"""The administrative side of an archive: users and groups, review decisions, what
declassifies when, failed inputs, and the audit log itself (``archive.admin``).

An archive without users is public: anyone may administer it and no log is kept. Its
first user must be an administrator, since from then on each of these operations needs
one (``Archive(path, user=NAME)``, ``--as NAME`` on the command line) and is logged:
before it changes anything, or before what it lists is returned. A refused one is
logged as refused. The first user's addition is logged too: it is when the log starts.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from .access import audit, principals
from .access.clock import parse_since
from .access.principals import Principal
from .access.review import Recorded, Releasable, history, record, releasable
from .errors import AccessError, AdministratorRequired, UnknownUser
from .store.sqlite import Failure

if TYPE_CHECKING:
    from .archive import Archive

FIRST_USER = (
    "The first user of an archive must be an administrator (add them with --admin):"
    " otherwise no one could administer it any more"
)


class Administration:
    """The administrative operations of ``archive``, for its administrators."""

    def __init__(self, archive: Archive) -> None:
        self._archive = archive

    # --- who may ------------------------------------------------------------------

    def check(self, action: str, query: str | None) -> None:
        """Refuse, and log the refusal, unless the archive is public or its reader is
        one of its administrators."""
        archive = self._archive
        if not archive.controlled:
            return
        with archive.refusals(action, query):
            if archive.user is None:
                raise AdministratorRequired(
                    "This archive has users: name an administrator with --as USER"
                    " (or CABLEKIT_USER)"
                )
            if not principals.is_admin(archive.record, archive.user):
                raise AdministratorRequired(
                    f"{archive.user} is not an administrator of this archive"
                )

    def _act(self, action: str, query: str | None, ids: Iterable[str] = ()) -> None:
        """Allow and log an operation before it is carried out."""
        self.check(action, query)
        self._archive.audit(action, query, tuple(ids))

    # --- users and groups ---------------------------------------------------------

    def users(self) -> tuple[list[Principal], list[tuple[str, int]]]:
        """Every user and group, and every collection with how many cables it holds."""
        self._act("user list", None)
        store = self._archive.record
        return principals.principals(store), principals.collections(store)

    def add_user(
        self,
        name: str,
        *,
        kind: str = "user",
        clearance: str = "UNCLASSIFIED",
        citizenship: str | None = None,
        access: Iterable[str] = (),
        collections: Iterable[str] = (),
        groups: Iterable[str] = (),
        password: str | None = None,
        admin: bool = False,
    ) -> None:
        """Make a user (or group) with their grants; the first user must be an admin."""
        access, collections, groups = tuple(access), tuple(collections), tuple(groups)
        asked = described(
            name,
            group=kind == "group",
            clearance=clearance,
            citizenship=citizenship,
            access=access,
            collections=collections,
            groups=groups,
            admin=admin,
        )
        if self._archive.controlled:
            self._act("user add", asked)
        elif kind == "user":
            if not admin:
                raise AccessError(FIRST_USER)
            self._archive.audit("user add", asked, (), always=True)  # the log starts
        store = self._archive.record
        principals.add(
            store,
            name,
            kind=kind,
            clearance=clearance,
            citizenship=citizenship,
            access=access,
            password=password,
            admin=admin,
        )
        principals.grant(store, name, collections=collections, groups=groups)
        self._archive.refresh()

    def grant(
        self,
        name: str,
        *,
        collections: Iterable[str] = (),
        access: Iterable[str] = (),
        groups: Iterable[str] = (),
        clearance: str | None = None,
        admin: bool = False,
    ) -> None:
        """Grant collections, accesses, group membership, a clearance, administration."""
        access, collections, groups = tuple(access), tuple(collections), tuple(groups)
        self._act(
            "user grant",
            described(
                name,
                collections=collections,
                access=access,
                groups=groups,
                clearance=clearance,
                admin=admin,
            ),
        )
        store = self._archive.record
        principals.grant(store, name, collections=collections, access=access, groups=groups)
        if clearance:
            principals.set_clearance(store, name, clearance)
        if admin:
            principals.set_admin(store, name, True)
        self._archive.refresh()

    def revoke(
        self,
        name: str,
        *,
        collections: Iterable[str] = (),
        access: Iterable[str] = (),
        groups: Iterable[str] = (),
        admin: bool = False,
    ) -> None:
        """Take collections, accesses, group membership or administration away."""
        access, collections, groups = tuple(access), tuple(collections), tuple(groups)
        self._act(
            "user revoke",
            described(name, collections=collections, access=access, groups=groups, admin=admin),
        )
        store = self._archive.record
        if admin:
            principals.set_admin(store, name, False)
        principals.revoke(store, name, collections=collections, access=access, groups=groups)
        self._archive.refresh()

    def set_password(self, name: str, password: str) -> None:
        self._act("user password", name)  # the password itself is never logged
        principals.set_password(self._archive.record, name, password)

    def new_token(self, name: str, label: str | None = None) -> str:
        """A new API token for ``name`` (logged without the token)."""
        self._act("user token", described(name, label=label))
        return principals.new_token(self._archive.record, name, label)

    def revoke_tokens(self, name: str) -> int:
        self._act("user token", f"{name}: revoke every token")
        return principals.revoke_tokens(self._archive.record, name)

    def remove(self, name: str) -> None:
        self._act("user remove", name)
        principals.remove(self._archive.record, name)
        self._archive.refresh()

    # --- declassification -----------------------------------------------------------

    def review(
        self,
        cable_id: str,
        *,
        release: bool,
        reason: str,
        reviewer: str,
        paragraph: int | None = None,
        unit: str | None = None,
        version: int | None = None,
    ) -> Recorded:
        """Record a review decision taking effect on the archive's day, on version
        ``version`` (the current one by default): the whole version, paragraph number
        ``paragraph`` or the paragraph whose text hash starts with ``unit``."""
        cable_id = cable_id.upper()
        what = (
            f"paragraph {paragraph}"
            if paragraph is not None
            else f"paragraph {unit}"
            if unit is not None
            else "the cable"
        )
        what += f" of version {version}" if version is not None else ""
        self._act("review", f"{cable_id}: {'release' if release else 'withhold'} {what}: {reason}")
        with self._archive.refusals("review", cable_id):
            found = record(
                self._archive.record,
                cable_id,
                release=release,
                reason=reason,
                reviewer=reviewer,
                day=self._archive.today,
                paragraph=paragraph,
                unit=unit,
                version=version,
            )
        self._archive.refresh()
        return found

    def reviews(self, cable_id: str) -> list[Recorded]:
        """Every decision on a cable, in the order taken."""
        cable_id = cable_id.upper()
        self.check("review", cable_id)
        with self._archive.refusals("review", cable_id):
            found = history(self._archive.record, cable_id)
        self._archive.audit("review", cable_id, (cable_id,))
        return found

    def releasable(self, as_of: date, since: date | None = None) -> list[Releasable]:
        """The cables releasable on ``as_of`` (and not yet on ``since``), logged with
        their ids: the list names cables whatever their marking."""
        asked = f"as of {as_of}" + (f" since {since}" if since else "")
        self.check("declass", asked)
        found = releasable(self._archive.store, as_of, since)
        self._archive.audit("declass", asked, [r.id for r in found])
        return found

    def failures(self) -> list[Failure]:
        """Inputs that could not be archived, and why."""
        self._act("errors", None)
        return self._archive.record.failures()

    # --- the log itself ---------------------------------------------------------------

    def audit_entries(self, user: str | None = None, since: str | None = None) -> list[audit.Entry]:
        """The log (this reading of it included), of one user and from a time (a day
        or a time to the second, UTC). An unknown user, or a time that is none, is
        refused: an empty answer would look like a clean record."""
        if since is not None:
            since = parse_since(since)
        if user is not None and not self._known_to_log(user):
            raise UnknownUser(f"There is no user {user} in this archive or its audit log")
        self._act("audit", described("entries", user=user, since=since))
        return audit.entries(self._archive.record, user, since)

    def _known_to_log(self, name: str) -> bool:
        """A user of the archive, or one the log names (removed since)."""
        store = self._archive.record
        return principals.exists(store, name) or audit.names(store, name)

    def verify_audit(self) -> audit.Verification:
        """The chain checked with the archive's key, this check's own entry included."""
        self._act("audit", "verify")
        return audit.verify(self._archive.record, self._archive.audit_key)

    def audit_head(self) -> str:
        """The hash of the last entry (this reading's own), to keep elsewhere."""
        self._act("audit", "head")
        return audit.head(self._archive.record)


def described(name: str, **parts: object) -> str:
    """``name: clearance SECRET, collections *, admin``: what an operation was given."""
    said = []
    for label, value in parts.items():
        if value is True:
            said.append(label)
        elif isinstance(value, tuple) and value:
            said.append(f"{label} {','.join(map(str, value))}")
        elif value and not isinstance(value, tuple | bool):
            said.append(f"{label} {value}")
    return f"{name}: {', '.join(said)}" if said else name
