"""The one place where bytes become str.

Cable files come as UTF-8 (WikiLeaks pages, scrapes, JSON) or as a Windows
code page (text converted from the PDF edition: ISO-8859-1 with ``¶`` as byte
0xB6). :func:`decode` tries UTF-8 and falls back to cp1252, reading the five
bytes cp1252 leaves undefined as latin-1, so no byte is ever lost or replaced.
Line ends become ``\\n`` here, once, so no later stage has to care.

Streams (cables.csv, JSON lines) are decoded incrementally by
:func:`text_stream`: there the fallback applies per undecodable byte, since a
multi-gigabyte file cannot be tried twice.
"""

from __future__ import annotations

import codecs
import io
from typing import BinaryIO


def _latin1_bytes(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: an undecodable byte is the latin-1 character of that value."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error("cablekit-latin1", _latin1_bytes)

# Each of the 256 byte values as cp1252 reads it (latin-1 for the undefined five).
_CP1252 = bytes(range(256)).decode("cp1252", "cablekit-latin1")


def _cp1252_bytes(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler for UTF-8 streams: a byte that is not UTF-8 is read as cp1252."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    return "".join(_CP1252[byte] for byte in bad), error.end


codecs.register_error("cablekit-cp1252", _cp1252_bytes)


def decode(data: bytes) -> str:
    """``data`` as text: UTF-8 without BOM, else cp1252/latin-1; line ends normalised to LF."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", "cablekit-latin1")
    else:
        if text.startswith("\ufeff"):
            text = text[1:]
    return normalise_newlines(text)


_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# Besides NUL: the control characters a text file may hold (tab, newlines, form feed).
_TEXT_CONTROLS = frozenset(b"\t\n\r\x0c")
_MIN_PADDED_TEXT = 64  # bytes of text a NUL-padded file must hold, on several lines


def padded_text(data: bytes) -> bytes | None:
    """A file that holds text in spite of NUL bytes, as UTF-8 bytes; None when it is
    binary. Two kinds are text: UTF-16 with a byte-order mark (a Windows export), and
    a telegram text padded with NULs (teletype fill, or a file cut from a tape image),
    whose other bytes are all text."""
    if data[:2] in _UTF16_BOMS:
        try:
            return data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            return None
    text = data.replace(b"\0", b"")
    if len(text.strip()) < _MIN_PADDED_TEXT or b"\n" not in text:
        return None  # too little left to be a telegram: a binary file
    controls = sum(1 for byte in text[:8192] if byte < 32 and byte not in _TEXT_CONTROLS)
    return text if controls == 0 else None


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR as LF (also for text that came out of CSV fields or JSON strings)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def text_stream(stream: BinaryIO) -> io.TextIOWrapper:
    """A text view of a binary stream for the csv module: UTF-8 (BOM skipped), cp1252 fallback.

    ``newline=""`` as the csv module requires; fields still need
    :func:`normalise_newlines`. Call ``detach()`` when done so that the binary
    stream (perhaps stdin) is not closed with the wrapper.
    """
    return io.TextIOWrapper(stream, encoding="utf-8-sig", errors="cablekit-cp1252", newline="")
