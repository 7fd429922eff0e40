"""The application for ``uvicorn cablekit.web.serve:app`` (several worker processes):
the archive comes from ``CABLEKIT_DB`` (default ``./cablekit.db``)."""

from __future__ import annotations

import os

from ..archive import DEFAULT_PATH
from .app import create_app

app = create_app(os.environ.get("CABLEKIT_DB", DEFAULT_PATH))
