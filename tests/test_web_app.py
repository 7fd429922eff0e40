"""The application's own answers: what the browser may keep, what it must not."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from cablekit.web.app import create_app

from .web_archive import copy_archive


def test_static_files_are_kept_by_the_browser_and_pages_never(
    sample_archive_file: Path, tmp_path: Path
):
    app = create_app(copy_archive(sample_archive_file, tmp_path / "copy.db"))
    with TestClient(app) as client:
        for asset in ("/static/style.css", "/static/app.js"):
            response = client.get(asset)
            assert response.status_code == 200
            assert response.headers["cache-control"] == "max-age=3600"
        for page in ("/", "/?q=uranium", "/cable/09OTTAWA278", "/api/v1/search?q=uranium"):
            assert client.get(page).headers["cache-control"] == "no-store", page
        assert client.get("/static/nothing.css").headers["cache-control"] == "no-store"
