"""``cablekit serve``: the web application and HTTP API over an archive."""

from __future__ import annotations

import ipaddress
import os
import socket

import click

from ..errors import PortInUse
from . import cli
from .archive import db_option


@cli.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--forwarded-allow-ips",
    "proxies",
    default="",
    metavar="ADDRESSES",
    help="Proxies (addresses or networks, comma-separated; * for any) whose"
    " X-Forwarded-For and X-Forwarded-Proto are believed. [none]",
)
@click.option(
    "--max-lag",
    default=30.0,
    show_default=True,
    type=click.FloatRange(0),
    envvar="CABLEKIT_MAX_LAG",
    help="With a postgresql:// archive: seconds this node's index may lag the record"
    " before it answers nothing (and /healthz says 503).",
)
@click.option(
    "--sync-every",
    default=1.0,
    show_default=True,
    type=click.FloatRange(0),
    envvar="CABLEKIT_SYNC_EVERY",
    help="With a postgresql:// archive: seconds between catch-ups of the index"
    " (0: only by hand, with `cablekit index sync`).",
)
def serve(
    db_path: str,
    host: str,
    port: int,
    workers: int,
    proxies: str,
    max_lag: float,
    sync_every: float,
) -> None:
    """Serve the archive: search pages for people, /api/v1 for programs.

    With a postgresql:// archive this server is a search node: it keeps its own
    index (--index), follows the record's changes, and answers only while its
    index is current (GET /healthz tells a load balancer).

    \b
    Examples:
      cablekit serve                          # ./cablekit.db at http://127.0.0.1:8000
      cablekit serve --db cables.db --port 8080
      cablekit serve --workers 2 --forwarded-allow-ips 127.0.0.1   # behind nginx
      cablekit serve --db postgresql://cablekit@db1,db2/cables?target_session_attrs=read-write \\
          --index /var/lib/cablekit/index.db --port 8001
    """
    import uvicorn

    from ..web.app import create_app
    from ..web.state import NodeSettings

    trusted = trusted_proxies(proxies)
    node = NodeSettings(os.environ.get("CABLEKIT_INDEX"), max_lag, sync_every)
    create_app(db_path, node=NodeSettings(node.index, max_lag, 0))  # told here if broken
    _check_port(host, port)
    click.echo(f"cablekit: serving {db_path} at http://{host}:{port}  (Ctrl+C stops)")
    # Without a proxy named, uvicorn must not read the headers at all: by default it
    # believes them from 127.0.0.1, and any local client could pick its own address.
    believe, allowed = bool(trusted), trusted or None
    if workers == 1:
        uvicorn.run(
            create_app(db_path, node=node),
            host=host,
            port=port,
            log_level="warning",
            proxy_headers=believe,
            forwarded_allow_ips=allowed,
        )
        return
    os.environ["CABLEKIT_DB"] = db_path  # each worker process makes its app from it
    os.environ["CABLEKIT_MAX_LAG"] = str(max_lag)
    os.environ["CABLEKIT_SYNC_EVERY"] = str(sync_every)
    uvicorn.run(
        "cablekit.web.serve:app",
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        proxy_headers=believe,
        forwarded_allow_ips=allowed,
    )


def trusted_proxies(value: str) -> list[str]:
    """The proxies named by --forwarded-allow-ips, each checked (uvicorn would take a
    mistyped address as a name that never matches, and trust nobody without a word)."""
    names = [name.strip() for name in value.split(",") if name.strip()]
    if "*" in names:
        if len(names) > 1:
            raise click.BadParameter("give * alone", param_hint="--forwarded-allow-ips")
        return ["*"]
    for name in names:
        try:
            ipaddress.ip_network(name)  # an address, or a network with its host bits zero
        except ValueError as error:
            raise click.BadParameter(
                f"{name!r} is not an IP address or network ({error})",
                param_hint="--forwarded-allow-ips",
            ) from None
    return names


def _check_port(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise PortInUse(f"Cannot listen on {host}:{port}: {error.strerror}") from error
