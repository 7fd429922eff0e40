"""Walking inputs down to single files: paths, directories, archives, compressed streams, stdin.

Everything streams: a tar is read member by member (``tarfile`` stream mode),
a zip member by member, a compressed file through its decompressor, and the
file-format readers get either the bytes of a small file or a stream. Memory
stays flat whatever the input size: at most one single-cable file (64 MiB)
is held at a time.

Containers are recognised by their magic bytes, not their names (except that
a zip must be named ``.zip``: .docx, .odt and .jar files are zips too). They
nest: a ``.tar.xz`` is an xz stream holding a tar; a tar member may be a
``.jsonl.gz``.

Problems are yielded as error objects naming the path, never raised, and the
walk goes on with the next input. This module knows no file format: the
registry (``cablekit.sources``) hands in the function that reads one file.
"""

from __future__ import annotations

import bz2
import collections
import gzip
import io
import lzma
import os
import shutil
import stat
import struct
import sys
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, BinaryIO, Protocol

from ..errors import CablekitError, MissingInput, UnreadableInput
from .base import RawCable

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

Item = RawCable | CablekitError


class Readable(Protocol):
    """Any binary stream: a file, stdin, a decompressor, an archive member."""

    def read(self, size: int = -1, /) -> bytes: ...


# Reads one file (not a container): its bytes or a stream, its first bytes,
# its name (for format detection) and its path (for Source.path and messages).
ReadFile = Callable[[bytes | BinaryIO, bytes, str | None, str | None], Iterator[Item]]

MAX_CABLE_BYTES = 64 * 1024 * 1024  # no single cable comes near; anything bigger is not one
HEAD_BYTES = 64 * 1024  # what format detection sees
BINARY_PROBE = 8 * 1024  # a NUL byte in this much of a single-cable file: binary
RANDOM_ACCESS_MAGIC = b"%PDF-"  # files whose reader needs to seek (see _read_file_path)

# Reads from decompressors: bigger ones cost more (each is a fresh allocation the kernel
# has to map) and smaller ones more calls; 64 KiB is the cheapest for .tar.xz.
_STREAM_BUFFER = 64 * 1024
_TAR_BUFFER = 64 * 1024  # what tarfile's stream mode reads at a time (its default: 10 KiB)
_COMPRESSED_SUFFIXES = {
    ".tgz": ".tar",
    ".txz": ".tar",
    ".tbz2": ".tar",
    ".tbz": ".tar",
    ".gz": "",
    ".xz": "",
    ".bz2": "",
}
# Damage a decompressor or archive reader reports. gzip and bz2 report
# corrupt data as OSError (without errno), a cut stream as EOFError.
_DAMAGE = (tarfile.TarError, zipfile.BadZipFile, EOFError, lzma.LZMAError, zlib.error, OSError)


def where(path: str | None) -> str:
    """How a message names the input: its path, or "The input" for anonymous bytes."""
    return path or "The input"


def read_paths(paths: Iterable[str], read_file: ReadFile) -> Iterator[Item]:
    """Every cable (or problem) in the files, directories, archives and ``-`` (stdin) given."""
    for path in paths:
        yield from read_path(path, read_file)


def read_path(path: str, read_file: ReadFile) -> Iterator[Item]:
    """Every cable (or problem) under one path."""
    try:
        if path == "-":
            yield from read_source(sys.stdin.buffer, None, "<stdin>", read_file)
            return
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            yield from _walk(path, read_file, set())
        else:
            yield from _read_file_path(path, info, read_file)
    except OSError as error:
        yield _os_error(path, error)


def read_source(
    data: bytes | Readable, name: str | None, path: str | None, read_file: ReadFile
) -> Iterator[Item]:
    """Every cable (or problem) in one file's bytes or stream, unpacking any container."""
    head = data[:HEAD_BYTES] if isinstance(data, bytes) else _read_head(data)
    kind = archive_kind(name, head)
    if kind is None:
        yield from read_file(
            data if isinstance(data, bytes) else _replay(head, data), head, name, path
        )
    elif kind == "zip":
        yield from _guarded(_zip(data, head, path, read_file), path, "archive")
    elif kind == "tar":
        yield from _guarded(_tar(_stream(data, head), path, read_file), path, "archive")
    else:
        inner_name = _strip_compression(name)
        inner = _decompress(kind, _stream(data, head))
        unpacked = read_source(inner, inner_name, path, read_file)
        tar = inner_name is not None and inner_name.lower().endswith(".tar")
        yield from _guarded(unpacked, path, "archive" if tar else "compressed file")


def archive_kind(name: str | None, head: bytes) -> str | None:
    """The container a file is, by its magic bytes: zip, tar, gzip, xz, bz2; None if plain."""
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip" if name is None or name.lower().endswith(".zip") else None
    if head[257:262] == b"ustar":
        return "tar"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    if head.startswith(b"BZh") and head[4:10] in (b"1AY&SY", b"\x17rE8P\x90"):
        return "bz2"
    if name is not None and name.lower().endswith(".tar"):
        return "tar"  # an old tar without the ustar magic; tarfile judges
    return None


# --- files and directories ------------------------------------------------


def _read_file_path(path: str, info: os.stat_result, read_file: ReadFile) -> Iterator[Item]:
    with open(path, "rb") as file:
        if stat.S_ISREG(info.st_mode):
            head = file.read(1024)  # enough to tell; the file is read again from the start
            if _random_access(head):
                # Handed over open: its reader seeks and reads only what it needs.
                yield from read_file(file, head, path, path)
                return
            file.seek(0)
        # Big files (csv, jsonl, archives) and pipes or devices (no size; maybe endless)
        # are streamed.
        if info.st_size > MAX_CABLE_BYTES or not stat.S_ISREG(info.st_mode):
            yield from read_source(file, path, path, read_file)
            return
        data = file.read()  # small files are read in one go and parsed from memory
    yield from read_source(data, path, path, read_file)


def _random_access(head: bytes) -> bool:
    """A file read by seeking, not front to back (a PDF: its index is at the end)."""
    return RANDOM_ACCESS_MAGIC in head[:1024]


def _walk(directory: str, read_file: ReadFile, seen: set[tuple[int, int]]) -> Iterator[Item]:
    """Files under ``directory``, sorted by name, hidden ones skipped, each directory once."""
    info = os.stat(directory)
    if (info.st_dev, info.st_ino) in seen:  # a symlink loop
        return
    seen.add((info.st_dev, info.st_ino))
    with os.scandir(directory) as scan:
        entries = sorted(scan, key=lambda entry: entry.name)
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            if entry.is_dir():
                yield from _walk(entry.path, read_file, seen)
            else:
                yield from _read_file_path(entry.path, entry.stat(), read_file)
        except OSError as error:
            yield _os_error(entry.path, error)


def _os_error(path: str, error: OSError) -> CablekitError:
    if isinstance(error, FileNotFoundError):
        return MissingInput(f"No such file or directory: {path}")
    if isinstance(error, PermissionError):
        return UnreadableInput(f"Permission denied: {path}")
    return UnreadableInput(f"Cannot read {path}: {error.strerror or error}")


def _hidden(name: str) -> bool:
    """A dot file or a macOS resource fork (``__MACOSX/``) anywhere in an archive path."""
    parts = name.replace("\\", "/").split("/")
    return any(p == "__MACOSX" or (p.startswith(".") and p not in (".", "..")) for p in parts)


# --- streams ----------------------------------------------------------------


class _Replay(io.RawIOBase):
    """A stream whose first bytes were already read for detection: them again, then the rest."""

    def __init__(self, head: bytes, rest: Readable) -> None:
        super().__init__()
        self._head = memoryview(head)
        self._read = _partial_reader(rest)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer, /) -> int:
        view = memoryview(buffer).cast("B")
        if self._head:
            count = min(len(view), len(self._head))
            view[:count] = self._head[:count]
            self._head = self._head[count:]
            return count
        data = self._read(len(view))
        view[: len(data)] = data
        return len(data)


def _partial_reader(stream: Readable) -> Callable[[int], bytes]:
    """``read1`` where the stream has it: it returns what is there instead of waiting for
    the full count, and a decompressor hitting a cut returns the data before the cut
    first and raises only on the next call. ``read(n)`` would drop that data with the
    error, and the members before the damage with it."""
    read1: Callable[[int], bytes] | None = getattr(stream, "read1", None)
    return read1 if read1 is not None else stream.read


def _replay(head: bytes, rest: Readable) -> io.BufferedReader:
    return io.BufferedReader(_Replay(head, rest), _STREAM_BUFFER)


def _stream(data: bytes | Readable, head: bytes) -> io.BytesIO | io.BufferedReader:
    return io.BytesIO(data) if isinstance(data, bytes) else _replay(head, data)


def _read_head(stream: Readable) -> bytes:
    """Up to HEAD_BYTES from the start (decompressors may return less per read)."""
    read = _partial_reader(stream)
    chunks = []
    size = 0
    while size < HEAD_BYTES and (chunk := read(HEAD_BYTES - size)):
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def read_limited(stream: BinaryIO, path: str | None) -> bytes:
    """The whole stream of a single-cable file; UnreadableInput past MAX_CABLE_BYTES."""
    chunks = []
    size = 0
    while chunk := stream.read(1024 * 1024):
        size += len(chunk)
        if size > MAX_CABLE_BYTES:
            limit = f"over {MAX_CABLE_BYTES // (1024 * 1024)} MiB"
            raise UnreadableInput(f"{where(path)} is too large to be a single cable ({limit})")
        chunks.append(chunk)
    return b"".join(chunks)


def _decompress(kind: str, stream: BinaryIO) -> Readable:
    if kind == "gzip":
        return gzip.GzipFile(fileobj=stream, mode="rb")
    if kind == "xz":
        return lzma.LZMAFile(stream)
    return bz2.BZ2File(stream)


def _strip_compression(name: str | None) -> str | None:
    """What a compressed file holds: ``a.jsonl.gz`` -> ``a.jsonl``, ``a.tgz`` -> ``a.tar``."""
    if name is None:
        return None
    lower = name.lower()
    for suffix, replacement in _COMPRESSED_SUFFIXES.items():
        if lower.endswith(suffix):
            return name[: -len(suffix)] + replacement
    return name


def _guarded(items: Iterator[Item], path: str | None, what: str) -> Iterator[Item]:
    """``items``, ending with an UnreadableInput if the container turns out damaged.

    Whatever was read before the damage has been yielded already.
    """
    try:
        yield from items
    except _DAMAGE as error:
        if isinstance(error, OSError) and error.errno is not None:
            raise  # a real I/O error, not damage: read_path names it
        yield UnreadableInput(f"{where(path)} is a truncated or corrupt {what}")


def _member(
    data: Readable | None, name: str, size: int, path: str, read_file: ReadFile
) -> Iterator[Item]:
    """One archive member: read whole when it is small enough to be a single cable."""
    if data is None:
        return
    if size <= MAX_CABLE_BYTES:
        yield from read_source(data.read(), name, path, read_file)
    else:
        yield from read_source(data, name, path, read_file)


# --- tar --------------------------------------------------------------------


class _TarTail:
    """The stream tarfile reads, remembering its last bytes.

    tarfile ends the member list without an error when the data stop at or
    inside a header block, or when a header is garbage, so a cut archive would
    pass for a complete one. A complete archive has an all-zero block where
    tarfile stopped; this reader keeps enough of the tail to check.
    """

    _KEEP = 2 * _TAR_BUFFER  # tarfile reads _TAR_BUFFER at a time: its last block is in here

    def __init__(self, stream: io.BytesIO | io.BufferedReader) -> None:
        self._stream = stream
        self._chunks: collections.deque[bytes] = collections.deque()
        self._kept = 0
        self._end = 0

    def read(self, size: int = -1, /) -> bytes:
        if isinstance(self._stream, io.BufferedReader):
            # read1 on an empty buffer reads just `size` from the decompressor;
            # peek refills the whole buffer in one call instead.
            self._stream.peek(1)
        data = self._stream.read1(size)  # see _partial_reader
        if data:
            self._chunks.append(data)
            self._kept += len(data)
            self._end += len(data)
            while self._kept - len(self._chunks[0]) >= self._KEEP:
                self._kept -= len(self._chunks.popleft())
        return data

    def ends_cleanly(self, offset: int) -> bool:
        """Whether the 512-byte block at ``offset`` was read and is all zeros."""
        window = b"".join(self._chunks)
        start = offset - (self._end - len(window))
        block = window[start : start + tarfile.BLOCKSIZE] if start >= 0 else b""
        return len(block) == tarfile.BLOCKSIZE and block.count(0) == tarfile.BLOCKSIZE

    # The rest of tarfile's file object protocol; stream mode never calls them.
    def write(self, data: bytes, /) -> int:
        raise io.UnsupportedOperation("read-only")

    def tell(self) -> int:
        return self._end

    def seek(self, pos: int, /) -> int:
        raise io.UnsupportedOperation("not seekable")

    def close(self) -> None:
        pass


def _tar(
    stream: io.BytesIO | io.BufferedReader, path: str | None, read_file: ReadFile
) -> Iterator[Item]:
    """Members in archive order; the decompressor below reports a cut stream."""
    tail = _TarTail(stream)
    with tarfile.open(fileobj=tail, mode="r|*", bufsize=_TAR_BUFFER) as tar:
        while (info := tar.next()) is not None:
            # Stream mode still lists every header read: memory would grow with the archive.
            tar.members.clear()  # type: ignore[attr-defined]  # undocumented, not in the stubs
            if info.isfile() and not _hidden(info.name):
                member = tar.extractfile(info)
                yield from _member(
                    member, info.name, info.size, f"{where(path)}!{info.name}", read_file
                )
        complete = tail.ends_cleanly(tar.offset) and _drained(stream)
    if not complete:
        yield UnreadableInput(f"{where(path)} is a truncated or corrupt archive")


def _drained(stream: io.BytesIO | io.BufferedReader) -> bool:
    """Read past the archive's end: a decompressor checks its trailer (CRC, size) only at EOF."""
    try:
        while stream.read(1 << 16):
            pass
    except _DAMAGE:
        return False
    return True


# --- zip --------------------------------------------------------------------

# Local file header: signature, version, flags, method, time, date, CRC-32,
# compressed size, size, name length, extra length (30 bytes).
_LOCAL_HEADER = struct.Struct("<4s5H3I2H")


class _Seekable(Readable, Protocol):
    def seek(self, offset: int, whence: int = 0, /) -> int: ...


def _zip(
    data: bytes | Readable, head: bytes, path: str | None, read_file: ReadFile
) -> Iterator[Item]:
    """Members in archive order. zipfile needs to seek: a pipe or a member is spooled first."""
    if isinstance(data, bytes):
        yield from _zip_file(io.BytesIO(data), path, read_file)
        return
    if isinstance(data, io.IOBase) and data.seekable():  # a big zip file on disk
        data.seek(-len(head), io.SEEK_CUR)
        yield from _zip_file(data, path, read_file)
        return
    with tempfile.SpooledTemporaryFile(max_size=MAX_CABLE_BYTES) as spool:
        spool.write(head)
        shutil.copyfileobj(data, spool)
        spool.seek(0)
        yield from _zip_file(spool, path, read_file)


def _zip_file(archive: _Seekable, path: str | None, read_file: ReadFile) -> Iterator[Item]:
    try:
        opened = zipfile.ZipFile(archive)
    except zipfile.BadZipFile:  # no central directory: cut short, or not a zip
        yield from _salvage_zip(archive, path, read_file)
        return
    with opened:
        yield from _zip_members(opened, path, read_file)


def _zip_members(archive: zipfile.ZipFile, path: str | None, read_file: ReadFile) -> Iterator[Item]:
    for info in archive.infolist():
        if info.is_dir() or _hidden(info.filename):
            continue
        member_path = f"{where(path)}!{info.filename}"
        if info.flag_bits & 0x1:
            yield UnreadableInput(f"{member_path} is encrypted; skipped")
            continue
        try:
            with archive.open(info) as member:
                yield from _member(member, info.filename, info.file_size, member_path, read_file)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as error:
            yield UnreadableInput(f"{member_path} cannot be unpacked ({error}); skipped")


def _salvage_zip(archive: _Seekable, path: str | None, read_file: ReadFile) -> Iterator[Item]:
    """The members before the damage of a zip without its central directory, then the error."""
    archive.seek(0)
    for name, data in _local_members(archive):
        if not _hidden(name) and not name.endswith("/"):
            yield from read_source(data, name, f"{where(path)}!{name}", read_file)
    yield UnreadableInput(f"{where(path)} is a truncated or corrupt archive")


def _local_members(archive: _Seekable) -> Iterator[tuple[str, bytes]]:
    """(name, data) from the local headers, up to the first member that is cut or unreadable."""
    while len(fixed := archive.read(_LOCAL_HEADER.size)) == _LOCAL_HEADER.size:
        signature, _, flags, method, _, _, crc, size, full_size, name_size, extra_size = (
            _LOCAL_HEADER.unpack(fixed)
        )
        name = archive.read(name_size).decode("utf-8" if flags & 0x800 else "cp437")
        archive.read(extra_size)
        # Encrypted, sizes only after the data, an unknown method, or too big: stop here.
        if signature != b"PK\x03\x04" or flags & 0x9 or method not in (0, 8):
            return
        if full_size > MAX_CABLE_BYTES:
            return
        packed = archive.read(size)
        if len(packed) < size:
            return
        try:
            data = zlib.decompress(packed, -15) if method == 8 else packed
        except zlib.error:
            return
        if zlib.crc32(data) != crc:
            return
        yield name, data
