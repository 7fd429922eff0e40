"""Commands on access control: ``user`` (add, list, grant, revoke, password, token),
``review``, ``declass`` and ``audit``; ``errors`` is in ``archive``.

Once the archive has users, each needs an administrator (``--as ADMIN`` or
``CABLEKIT_USER``) and is written to the audit log, as reading commands are. The
archive file's permissions remain the boundary: whoever may write the file may name
any user (``docs/access.md``).
"""

from __future__ import annotations

import click

from ..access.clock import parse_day, today
from ..access.principals import ACCESSES, CLEARANCES
from ..archive import Archive
from . import cli
from .archive import admin_as_option, db_option, echo_json, output_option

collection_option = click.option(
    "--collection", "collections", multiple=True, help="A collection name (* for all); repeatable."
)
access_option = click.option(
    "--access",
    "access",
    multiple=True,
    type=click.Choice(ACCESSES, case_sensitive=False),
    help="A special access; repeatable.",
)
group_option = click.option("--group", "groups", multiple=True, help="A group; repeatable.")


@cli.group()
def user() -> None:
    """Users and groups: clearance, citizenship, special access, collection grants."""


@user.command("add")
@click.argument("name")
@db_option
@click.option(
    "--clearance",
    type=click.Choice(CLEARANCES, case_sensitive=False),
    default="UNCLASSIFIED",
    show_default=True,
)
@click.option("--citizenship", help="A country: USA, CAN, GBR... (names are read too).")
@access_option
@collection_option
@group_option
@click.option("--kind", type=click.Choice(["user", "group"]), default="user", show_default=True)
@click.option("--password", "ask_password", is_flag=True, help="Ask for a password (for the web).")
@click.option("--admin", is_flag=True, help="Administers the archive (the first user must).")
@admin_as_option
def user_add(
    name: str,
    db_path: str,
    clearance: str,
    citizenship: str | None,
    access: tuple[str, ...],
    collections: tuple[str, ...],
    groups: tuple[str, ...],
    kind: str,
    ask_password: bool,
    admin: bool,
    as_user: str | None,
) -> None:
    """Add a user (or a group, with --kind group). The first user of an archive must
    be an administrator; after that, adding one takes an administrator (--as).

    \b
    Examples:
      cablekit user add ana --admin --clearance SECRET --citizenship USA --collection '*'
      cablekit user add liaison --clearance SECRET --citizenship CAN --collection 2011-04 --as ana
      cablekit user add nodis-readers --kind group --access NODIS --as ana
    """
    password = (
        click.prompt("Password", hide_input=True, confirmation_prompt=True)
        if ask_password
        else None
    )
    with Archive(db_path, user=as_user) as archive:
        archive.admin.add_user(
            name,
            kind=kind,
            clearance=clearance,
            citizenship=citizenship,
            access=access,
            collections=collections,
            groups=groups,
            password=password,
            admin=admin,
        )
    click.echo(f"{kind} {name} added" + (" (administrator)" if admin else ""))


@user.command("list")
@db_option
@output_option
@admin_as_option
def user_list(db_path: str, output: str, as_user: str | None) -> None:
    """List users and groups, with what each holds, and the collections."""
    with Archive(db_path, user=as_user) as archive:
        found, collections = archive.admin.users()
    if output == "json":
        echo_json(
            {
                "principals": [vars_of(p) for p in found],
                "collections": [{"name": n, "cables": c} for n, c in collections],
            }
        )
        return
    for p in found:
        held = [
            p.clearance,
            p.citizenship or "no citizenship",
            "access " + (",".join(p.access) or "-"),
            "collections " + (",".join(p.collections) or "-"),
        ]
        if p.groups:
            held.append("groups " + ",".join(p.groups))
        if p.admin:
            held.append("administrator")
        click.echo(f"{p.kind:<5} {p.name:<20} " + "; ".join(held))
    if not found:
        click.echo("No users: the archive is public.")
    for name, count in collections:
        click.echo(f"collection {name}: {count:,} cables")


def vars_of(obj: object) -> dict[str, object]:
    return {name: getattr(obj, name) for name in obj.__slots__}  # type: ignore[attr-defined]


@user.command("grant")
@click.argument("name")
@db_option
@collection_option
@access_option
@group_option
@click.option("--clearance", type=click.Choice(CLEARANCES, case_sensitive=False))
@click.option("--admin", is_flag=True, help="Make the user an administrator.")
@admin_as_option
def user_grant(
    name: str,
    db_path: str,
    collections: tuple[str, ...],
    access: tuple[str, ...],
    groups: tuple[str, ...],
    clearance: str | None,
    admin: bool,
    as_user: str | None,
) -> None:
    """Grant collections, special accesses, group membership, a new clearance, or the
    administration of the archive."""
    with Archive(db_path, user=as_user) as archive:
        archive.admin.grant(
            name,
            collections=collections,
            access=access,
            groups=groups,
            clearance=clearance,
            admin=admin,
        )
    click.echo(f"{name} updated")


@user.command("revoke")
@click.argument("name")
@db_option
@collection_option
@access_option
@group_option
@click.option("--admin", is_flag=True, help="No longer an administrator (not the last one).")
@admin_as_option
def user_revoke(
    name: str,
    db_path: str,
    collections: tuple[str, ...],
    access: tuple[str, ...],
    groups: tuple[str, ...],
    admin: bool,
    as_user: str | None,
) -> None:
    """Take collections, special accesses, group membership or administration away."""
    with Archive(db_path, user=as_user) as archive:
        archive.admin.revoke(
            name, collections=collections, access=access, groups=groups, admin=admin
        )
    click.echo(f"{name} updated")


@user.command("remove")
@click.argument("name")
@db_option
@admin_as_option
def user_remove(name: str, db_path: str, as_user: str | None) -> None:
    """Remove a user (their tokens, web sessions and grants go too) or a group."""
    with Archive(db_path, user=as_user) as archive:
        archive.admin.remove(name)
    click.echo(f"{name} removed")


@user.command("password")
@click.argument("name")
@db_option
@admin_as_option
def user_password(name: str, db_path: str, as_user: str | None) -> None:
    """Set or change a user's password for the web (asked twice, never echoed); their
    web sessions end."""
    with Archive(db_path, user=as_user) as archive:
        archive.admin.check("user password", name)  # before asking for the password
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        archive.admin.set_password(name, password)
    click.echo(f"password of {name} set")


@user.command("token")
@click.argument("name")
@db_option
@click.option("--label", help="What the token is for (shown in no output; kept with it).")
@click.option(
    "--revoke", is_flag=True, help="Revoke every token of the user and end their web sessions."
)
@admin_as_option
def user_token(
    name: str, db_path: str, label: str | None, revoke: bool, as_user: str | None
) -> None:
    """Make an API token for a user (printed once: keep it), or revoke them all (and
    sign the user out of the web everywhere).

    Programs send it as ``Authorization: Bearer TOKEN`` to the HTTP API."""
    with Archive(db_path, user=as_user) as archive:
        if revoke:
            count = archive.admin.revoke_tokens(name)
            click.echo(f"{count} token(s) of {name} revoked; web sessions ended")
            return
        click.echo(archive.admin.new_token(name, label))


@cli.command()
@click.argument("cable_id")
@db_option
@click.option("--release", "action", flag_value="release", help="Release (declassify).")
@click.option("--withhold", "action", flag_value="withhold", help="Keep classified.")
@click.option("--paragraph", type=int, help="One paragraph (its number), not the cable.")
@click.option("--unit", help="One paragraph by the start of its text's hash (when numbers repeat).")
@click.option("--version", "version", type=int, help="The version decided on [the current one].")
@click.option("--reason", help="Why (required with --release or --withhold).")
@click.option("--by", "reviewer", help="The reviewer [the administrator, else the login name].")
@output_option
@admin_as_option
def review(
    cable_id: str,
    db_path: str,
    action: str | None,
    paragraph: int | None,
    unit: str | None,
    version: int | None,
    reason: str | None,
    reviewer: str | None,
    output: str,
    as_user: str | None,
) -> None:
    """Record a declassification review decision, from today on; with neither
    --release nor --withhold, list the cable's decisions.

    A decision names the texts it was taken on, so it holds in every version of the
    cable that holds them, whatever their number there. When two paragraphs of the
    version share a number, name one with --unit (the start of its hash, listed in the
    refusal).

    \b
    Examples:
      cablekit review 09OTTAWA278 --release --reason "FOIA case F-2019-01234" --as ana
      cablekit review 09OTTAWA278 --withhold --paragraph 5 --reason "25X1: sources" --as ana
    """
    cable_id = cable_id.upper()
    with Archive(db_path, user=as_user) as archive:
        if action is not None:
            if not reason:
                raise click.UsageError("Say why with --reason.")
            archive.admin.review(
                cable_id,
                release=action == "release",
                reason=reason,
                reviewer=reviewer or as_user or archive.login,
                paragraph=paragraph,
                unit=unit,
                version=version,
            )
        decisions = archive.admin.reviews(cable_id)
    if output == "json":
        echo_json([vars_of(d) for d in decisions])
        return
    for d in decisions:
        what = f"paragraph {d.paragraph}" if d.paragraph is not None else "the cable"
        texts = f"{d.texts} text{'s' * (d.texts != 1)}"
        click.echo(
            f"{d.number}. {d.day}  {d.action} {what} of version {d.version or '-'} ({texts})"
            f"  by {d.reviewer}: {d.reason}"
        )
    if not decisions:
        click.echo(f"No review decision on {cable_id}.")


@cli.command()
@db_option
@click.option("--as-of", "as_of", help="The day (YYYY-MM-DD) [today].")
@click.option("--since", help="Only what was not yet releasable on this day.")
@click.option("--limit", type=click.IntRange(0), default=50, show_default=True)
@output_option
@admin_as_option
def declass(
    db_path: str,
    as_of: str | None,
    since: str | None,
    limit: int,
    output: str,
    as_user: str | None,
) -> None:
    """What is releasable on a day: by its declassification date, by the 25-year
    rule of E.O. 13526, or by review; with --since, only what became releasable."""
    day = parse_day(as_of) if as_of else today()
    with Archive(db_path, user=as_user) as archive:
        found = archive.admin.releasable(day, parse_day(since) if since else None)
    if output == "json":
        echo_json({"as_of": str(day), "since": since, "cables": [vars_of(r) for r in found]})
        return
    span = f"between {since} and {day}" if since else f"by {day}"
    click.echo(f"{len(found):,} cables releasable {span}")
    for r in found[:limit]:
        click.echo(
            f"  {r.id:<22} {r.date or '????-??-??'}  {r.classification or '':<14} {r.reason}"
        )
    if len(found) > limit:
        click.echo(f"  ... and {len(found) - limit:,} more (--limit)")


@cli.command()
@db_option
@click.option("--user", "user_name", help="Only this user's entries.")
@click.option("--since", help="Only entries from this time on (2011-04-01, or to the second).")
@click.option("--verify", is_flag=True, help="Check the keyed hash chain; exit 1 when broken.")
@click.option("--head", "show_head", is_flag=True, help="Print the head hash, to keep elsewhere.")
@output_option
@admin_as_option
def audit(
    db_path: str,
    user_name: str | None,
    since: str | None,
    verify: bool,
    show_head: bool,
    output: str,
    as_user: str | None,
) -> None:
    """The audit log of reads, refusals and administration (this reading of it
    included); --verify checks it is whole, --head prints its last hash."""
    with Archive(db_path, user=as_user) as archive:
        if verify:
            check = archive.admin.verify_audit()
            if check.ok:
                click.echo(f"audit log whole: {check.entries:,} entries, head {check.head}")
                return
            where = "" if check.broken_at is None else f" at entry {check.broken_at}"
            click.echo(f"audit log broken{where}: {check.problem}")
            raise SystemExit(1)
        if show_head:
            click.echo(archive.admin.audit_head())
            return
        found = archive.admin.audit_entries(user_name, since)
    if output == "json":
        echo_json(
            [{"seq": e.seq, **vars_of(e.event), "prev": e.prev, "hash": e.hash} for e in found]
        )
        return
    for e in found:
        ids = ", ".join(e.event.ids[:10]) + (" ..." if len(e.event.ids) > 10 else "")
        refused = "  REFUSED" if e.event.refused else ""
        click.echo(
            f"{e.seq:>6} {e.event.at} {e.event.user or '-':<12} {e.event.login or '-':<12}"
            f" {e.event.action:<8} {e.event.query or ''!s}{refused}  -> {len(e.event.ids)} [{ids}]"
        )
