"""The Python API: ``parse`` one cable, ``read`` every cable of a path."""

from __future__ import annotations

import os
from collections.abc import Iterator

from .errors import CablekitError, InputError, NotACable
from .model import Cable
from .parser import parse_raw
from .sources import iter_inputs, read_bytes


def parse(data: str | bytes, format: str | None = None) -> Cable:
    """Parse one cable from its text or bytes, in any supported format.

    :param data: the cable as text or bytes (raw telegram, scraped page, WikiLeaks
        page, a cables.csv row, a JSON line).
    :param format: force a format (see ``cablekit.sources.FORMATS``); detected when None.
    :raises NotACable: the input holds no cable: binary data, an archive, a damaged
        cables.csv row or JSON line, or text with no cable in it. It is the only error
        ``parse`` raises; its message says why.
    """
    raw_bytes = data.encode("utf-8") if isinstance(data, str) else data
    try:
        for raw in read_bytes(raw_bytes, None, format):
            return parse_raw(raw)
    except InputError as error:
        raise NotACable(f"The input holds no cable: {error}") from error
    raise NotACable("The input holds no cable")


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
