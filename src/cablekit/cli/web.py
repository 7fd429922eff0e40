"""``cablekit serve``: the web application and HTTP API over an archive."""

from __future__ import annotations

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
def serve(db_path: str, host: str, port: int, workers: int) -> None:
    """Serve the archive: search pages for people, /api/v1 for programs.

    \b
    Examples:
      cablekit serve                          # ./cablekit.db at http://127.0.0.1:8000
      cablekit serve --db cables.db --port 8080
    """
    import uvicorn

    from ..web.app import create_app

    create_app(db_path)  # a missing or damaged archive is told here, in one sentence
    _check_port(host, port)
    click.echo(f"cablekit: serving {db_path} at http://{host}:{port}  (Ctrl+C stops)")
    if workers == 1:
        uvicorn.run(create_app(db_path), host=host, port=port, log_level="warning")
        return
    os.environ["CABLEKIT_DB"] = db_path  # each worker process makes its app from it
    uvicorn.run(
        "cablekit.web.serve:app", host=host, port=port, workers=workers, log_level="warning"
    )


def _check_port(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise PortInUse(f"Cannot listen on {host}:{port}: {error.strerror}") from error
