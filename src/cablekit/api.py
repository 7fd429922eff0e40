"""The Python API: ``parse`` one cable, ``read`` every cable of a path."""

from __future__ import annotations

import os
from collections.abc import Iterator

from .errors import CablekitError, InputError, NotACable
from .model import Cable
from .parser import parse_raw
from .sources import iter_inputs, read_bytes


def parse(data: str | bytes | os.PathLike[str], format: str | None = None) -> Cable:
    """Parse one cable: its text or bytes, or the file it is in, in any supported format.

    :param data: the cable as text or bytes (raw telegram, scraped page, WikiLeaks
        page, a cables.csv row, a JSON line), or a path to a file holding one
        (a ``pathlib.Path``, or a string naming a file that exists: a cable's text
        always spans several lines, a file name never does). A file holding several
        cables gives its first; :func:`read` gives them all.
    :param format: force a format (see ``cablekit.sources.FORMATS``); detected when None.
    :raises NotACable: the input holds no cable: binary data, an archive, a damaged
        cables.csv row or JSON line, or text with no cable in it; its message says why.
    :raises MissingInput, UnreadableInput: a path given cannot be read.
    """
    path = _path_of(data)
    if path is not None:
        return _parse_file(path, format)
    assert not isinstance(data, os.PathLike)
    raw_bytes = data.encode("utf-8") if isinstance(data, str) else data
    try:
        for raw in read_bytes(raw_bytes, None, format):
            return parse_raw(raw)
    except InputError as error:
        raise NotACable(f"The input holds no cable: {error}") from error
    raise NotACable("The input holds no cable")


def _path_of(data: str | bytes | os.PathLike[str]) -> str | None:
    """The file ``data`` names, if it names one."""
    if isinstance(data, os.PathLike):
        return os.fspath(data)
    if isinstance(data, str) and "\n" not in data and len(data) < 4096 and os.path.isfile(data):
        return data
    return None


def _parse_file(path: str, format: str | None) -> Cable:
    """The first cable of the file at ``path`` (its name helps detect the format)."""
    for item in iter_inputs([path], format):
        if isinstance(item, InputError):
            raise item
        if isinstance(item, CablekitError):
            continue
        try:
            return parse_raw(item)
        except NotACable:
            continue
    raise NotACable(f"{path} holds no cable")


def read(path: str | os.PathLike[str], format: str | None = None) -> Iterator[Cable]:
    """Every cable in a file, directory or archive, streamed.

    Inputs that hold no cable are skipped; an unreadable path raises its error.
    """
    for item in iter_inputs([path], format):
        if isinstance(item, CablekitError):
            raise item
        try:
            yield parse_raw(item)
        except NotACable:
            continue
