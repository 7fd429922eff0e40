"""Files that appear whole, or not at all.

An export, a graph or a chart written to a path is first written to a new file in the
same folder (so that renaming it is atomic) and takes its name only when the caller's
block ends without error; on any failure it is removed. The audit log relies on this:
the file is named only after its entry is committed, so a reader who cannot be logged
gets nothing, not even part of a file.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from .errors import OutputUnwritable


@contextmanager
def staged_path(target: str | os.PathLike[str]) -> Iterator[str]:
    """A new, empty file beside ``target`` to write to, renamed to ``target`` when the
    block succeeds and removed when it fails."""
    final = os.fspath(target)
    temporary = _new_file_beside(final)
    try:
        yield temporary
        os.replace(temporary, final)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(error, OSError):  # a full disk, a folder where the file should be
            raise OutputUnwritable(f"Cannot write {final}: {error.strerror}") from error
        raise


def _new_file_beside(final: str) -> str:
    """Made here (O_EXCL, so never someone else's file), with the permissions a plain
    ``open`` would give; it keeps the extension, which chooses a chart's format."""
    folder, name = os.path.split(final)
    stem, extension = os.path.splitext(name)
    path = os.path.join(folder, f".{stem}.{secrets.token_hex(6)}.part{extension}")
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    except OSError as error:
        raise OutputUnwritable(f"Cannot write {final}: {error.strerror}") from error
    return path
