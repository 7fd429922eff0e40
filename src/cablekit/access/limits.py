"""Failed sign-ins, counted in the archive: shared by every worker, kept across restarts.

Two limits hold within a sliding ``WINDOW``:

* ``PER_ACCOUNT`` failures for one account from one client address: a person who
  mistypes, or someone guessing one account's password;
* ``PER_ADDRESS`` failures from one client address, whatever the accounts: someone
  trying many accounts.

No limit counts an account's failures from every address: with one, anybody could
lock the real user out by failing on purpose. What this leaves: guessing spread over
many addresses is bounded by ``PER_ADDRESS`` per address and window, and by the cost
of an argon2 check per guess.

An attempt is counted *before* its password is checked and forgotten when it
succeeds, all in one transaction with the count: attempts sent at the same time to
several workers cannot slip past the limit while their hashes are worked out, and an
attempt cut short by a crash counts as failed.

An IPv6 client is counted by its /64 network (one subscriber commonly holds a whole
/64). The account is kept as a digest of the name typed, folded to lower case: people
type their password in the name box, and the archive should not keep it.
"""

from __future__ import annotations

import hashlib
import ipaddress

from ..errors import TooManyAttempts
from ..store.shared import Shared

PER_ACCOUNT = 5
PER_ADDRESS = 20
WINDOW = 300  # seconds
IPV6_PREFIX = 64
LONGEST_ADDRESS = 100  # what a proxy sends is kept to this many characters


def address_key(host: str | None) -> str:
    """What failures are counted by: the client's IPv4 address, or its IPv6 /64."""
    if not host:
        return "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host[:LONGEST_ADDRESS]  # not an address (a Unix socket, a proxy's word)
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{address}/{IPV6_PREFIX}", strict=False))
    return str(address)


def account_key(name: str) -> str:
    return hashlib.sha256(name.strip().casefold().encode("utf-8")).hexdigest()


def reserve(store: Shared, address: str, account: str, now: int) -> None:
    """Count an attempt on ``account`` from ``address`` as failed until ``succeeded``
    says otherwise; raise TooManyAttempts (counting nothing) when either limit is
    reached. Counts older than the window are deleted on the way."""
    with store.transaction():
        db = store.db
        db.execute("DELETE FROM sign_in_failure WHERE at <= ?", (now - WINDOW,))
        for where, params, limit in (
            ("address = ? AND account = ?", (address, account), PER_ACCOUNT),
            ("address = ?", (address,), PER_ADDRESS),
        ):
            times = [
                at
                for (at,) in db.execute(
                    f"SELECT at FROM sign_in_failure WHERE {where} ORDER BY at", params
                )
            ]
            if len(times) >= limit:
                # Free again when enough of the oldest have left the window.
                raise TooManyAttempts(max(1, times[len(times) - limit] + WINDOW - now))
        db.execute(
            "INSERT INTO sign_in_failure (address, account, at) VALUES (?, ?, ?)",
            (address, account, now),
        )


def succeeded(store: Shared, address: str, account: str) -> None:
    """The attempt was right: forget the failures of this account from this address
    (and the attempt itself), not those of other accounts or addresses."""
    with store.transaction():
        store.db.execute(
            "DELETE FROM sign_in_failure WHERE address = ? AND account = ?", (address, account)
        )
