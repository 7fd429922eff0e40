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


def test_the_diff_page_marks_words_and_white_space_only_when_asked(
    sample_archive_file: Path, tmp_path: Path
):
    """09CAIRO746 v2 -> v3: most changes are re-flowed lines. By default they are not
    marked (no green sliver at the start of a line); whitespace=1 shows them apart."""
    import re

    app = create_app(copy_archive(sample_archive_file, tmp_path / "copy.db"))
    with TestClient(app) as client:
        plain = client.get("/cable/09CAIRO746/diff", params={"old": 2, "new": 3}).text
        spaced = client.get(
            "/cable/09CAIRO746/diff", params={"old": 2, "new": 3, "whitespace": 1}
        ).text

    def marks(page: str) -> list[tuple[str, str, str]]:
        diff = page.split('<pre class="diff">', 1)[1].split("</pre>", 1)[0]
        return re.findall(r"<(ins|del)( class=\"space\")?>(.*?)</\1>", diff, re.S)

    assert marks(plain) and all(text.strip() for _, _, text in marks(plain))
    assert 'name="whitespace" value="1">' in plain  # the toggle, unchecked
    assert "changes of white space alone are not marked" in plain
    spaces = [text for _, space, text in marks(spaced) if space]
    assert spaces and all(not text.strip() for text in spaces)
    assert all(text.strip() for _, space, text in marks(spaced) if not space)
    assert 'value="1" checked>' in spaced
    words = [text.split() for _, space, text in marks(spaced) if not space]
    assert [text.split() for _, _, text in marks(plain)] == words  # the same word changes
