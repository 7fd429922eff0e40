"""The key of the audit log: 256 random bits in a file of their own, outside the archive.

The audit chain is only as strong as the secrecy of this key: whoever can write the
archive but cannot read the key cannot write entries that verify. So the file is
made private from its first byte (``O_CREAT | O_EXCL`` with mode 0600: no moment
where another user could open it, and no overwriting a key that is there), and a key
that others could read or change is refused rather than used.

It lives beside the archive as ``<archive>.audit-key`` unless ``CABLEKIT_AUDIT_KEY``
names another path (``docs/access.md`` says when to put it elsewhere). The archive
keeps only a fingerprint of the key, so that a check can tell a wrong key from a
broken chain.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import stat
from dataclasses import dataclass, field

from ..errors import AuditKeyProblem

KEY_VARIABLE = "CABLEKIT_AUDIT_KEY"
KEY_BYTES = 32
SUFFIX = ".audit-key"
_PRIVATE = 0o600
_OTHERS = 0o077  # any permission for the group or others


@dataclass(frozen=True, slots=True)
class AuditKey:
    path: str
    secret: bytes = field(repr=False)

    @property
    def fingerprint(self) -> str:
        """A name for the key that tells nothing of it (an HMAC of a fixed text)."""
        mark = hmac.new(self.secret, b"cablekit audit key fingerprint", hashlib.sha256)
        return mark.hexdigest()[:32]

    def sign(self, body: bytes) -> str:
        return hmac.new(self.secret, body, hashlib.sha256).hexdigest()


def key_path(archive_path: str, given: str | os.PathLike[str] | None = None) -> str:
    """Where the key of the archive at ``archive_path`` is: ``given``, else
    ``CABLEKIT_AUDIT_KEY``, else beside the archive."""
    if given:
        return os.fspath(given)
    return os.environ.get(KEY_VARIABLE) or archive_path + SUFFIX


def read_key(path: str) -> AuditKey | None:
    """The key at ``path``; None when there is no file there."""
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise AuditKeyProblem(f"Cannot read the audit key {path}: {error.strerror}") from error
    try:  # checked before the file object: one over a directory fails with a traceback
        _check_private(path, os.fstat(descriptor))
    except AuditKeyProblem:
        os.close(descriptor)
        raise
    with os.fdopen(descriptor, "rb") as file:
        text = file.read(4 * KEY_BYTES)
    return AuditKey(path, _secret(path, text))


def new_key(path: str) -> AuditKey:
    """A new key, to be kept at ``path`` (by :func:`save_key`)."""
    return AuditKey(path, secrets.token_bytes(KEY_BYTES))


def save_key(key: AuditKey) -> None:
    """Write a new key to its path, which must not exist yet."""
    path = key.path
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _PRIVATE)
    except OSError as error:
        raise AuditKeyProblem(f"Cannot make the audit key {path}: {error.strerror}") from error
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(key.secret.hex().encode("ascii") + b"\n")
            file.flush()
            os.fsync(file.fileno())
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(path)  # a key half written would be refused as damaged forever
        raise AuditKeyProblem(f"Cannot make the audit key {path}: {error.strerror}") from error


def _check_private(path: str, info: os.stat_result) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise AuditKeyProblem(f"The audit key {path} is not a regular file")
    if info.st_mode & _OTHERS:
        raise AuditKeyProblem(
            f"The audit key {path} is open to other users than its owner: make it private"
            f" with chmod 600 {path}"
        )


def _secret(path: str, text: bytes) -> bytes:
    try:
        secret = bytes.fromhex(text.decode("ascii").strip())
    except (UnicodeDecodeError, ValueError):
        secret = b""
    if len(secret) != KEY_BYTES:
        raise AuditKeyProblem(
            f"The audit key {path} is damaged: it should hold {2 * KEY_BYTES} hexadecimal digits"
        )
    return secret
