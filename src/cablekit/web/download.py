"""The ``Content-Disposition`` header of every download, built in one place.

A file name may hold text that came from an input (a cable id): it must never end the
header early, add a parameter, name a directory, or fail to encode (headers are
Latin-1). So the header carries an ASCII name made only of letters, digits, ``.``,
``_`` and ``-`` (an RFC 9110 token: no quotes needed), and, when the name has more
than that, the name itself as RFC 8187 UTF-8, percent-encoded (``filename*``, which
RFC 6266 has clients prefer).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

FALLBACK = "download"
MAX_LENGTH = 120  # characters of the name kept; enough for any id and suffix
_NOT_TOKEN = re.compile(r"[^A-Za-z0-9._-]+")
# Path separators, quotes and the characters that delimit header parameters: replaced
# even in the UTF-8 name, so that no client can take them for what they delimit.
_NOT_IN_NAME = re.compile(r"[/\\\"';,:*?<>|]+")


def attachment(filename: str) -> str:
    """The header value that makes ``filename`` a download, safely."""
    name = readable_name(filename)
    ascii_name = ascii_fallback(name)
    if name == ascii_name:
        return f"attachment; filename={ascii_name}"
    return f"attachment; filename={ascii_name}; filename*=UTF-8''{quote(name, safe='')}"


def readable_name(filename: str) -> str:
    """``filename`` without control characters, path separators or quotes, and never
    hidden (no leading dot)."""
    printable = "".join(c for c in filename if unicodedata.category(c)[0] not in "CZ" or c == " ")
    name = _NOT_IN_NAME.sub("_", printable).strip(" .")
    return name[:MAX_LENGTH] or FALLBACK


def ascii_fallback(name: str) -> str:
    """The name in the letters, digits, ``.``, ``_`` and ``-`` of ASCII: accents
    dropped, any other character ``_`` (so that names stay apart), runs of other
    ASCII characters one ``_``."""
    letters = (
        c if c.isascii() else "" if unicodedata.combining(c) else "_"
        for c in unicodedata.normalize("NFKD", name)
    )
    token = _NOT_TOKEN.sub("_", "".join(letters)).strip(".")
    return token if any(c.isalnum() for c in token) else FALLBACK
