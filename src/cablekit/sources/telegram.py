"""Raw telegram text: one cable per file, the whole telegram in ``body``.

The files converted from WikiLeaks' PDF edition are latin-1 with CRLF line
ends and ``¶`` as byte 0xB6; :func:`decode` handles all of that. The parser
splits the envelope from the text, so ``header`` stays None.
"""

from __future__ import annotations

from ..model import Source
from .base import TEXT, RawCable
from .decode import decode

FORMAT = "telegram"


def sniff(name: str | None, head: bytes) -> int:
    """Score for plain text: always a little (the fallback), more for a telegram's marks."""
    if b"VZCZC" in head[:4096]:
        return 40
    if name is not None and name.lower().endswith(".txt"):
        return 20
    return 1


def read_cable(data: bytes, path: str | None) -> RawCable:
    """The telegram in ``data``, decoded."""
    return RawCable(body=decode(data), source=Source(format=FORMAT, path=path), markup=TEXT)
