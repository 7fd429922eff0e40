"""The application for ``uvicorn cablekit.web.serve:app`` (several worker processes):
the archive comes from ``CABLEKIT_DB`` (default ``./cablekit.db``).

``cablekit serve`` tells uvicorn which proxies' forwarded headers to believe (none by
default). Running uvicorn yourself, pass ``--no-proxy-headers`` or name the proxy with
``--forwarded-allow-ips``: uvicorn's own default believes any client on 127.0.0.1."""

from __future__ import annotations

import os

from ..archive import DEFAULT_PATH
from .app import create_app
from .state import NodeSettings

app = create_app(
    os.environ.get("CABLEKIT_DB", DEFAULT_PATH),
    node=NodeSettings(
        os.environ.get("CABLEKIT_INDEX"),
        float(os.environ.get("CABLEKIT_MAX_LAG", "30")),
        float(os.environ.get("CABLEKIT_SYNC_EVERY", "1")),
    ),
)
