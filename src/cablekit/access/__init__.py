"""Access control: who may read what, on which day, and a log of every read.

- ``policy``     the rules, in one module: readers, requirements, decisions with their
                 reasons, declassification, and the same rules as SQL (a ``Scope``)
- ``countries``  REL TO lists read as country trigraphs (NATO, FVEY expanded)
- ``principals`` users and groups: clearance, citizenship, accesses, grants, passwords
- ``redact``     a stored record turned into the reader's record (placeholders)
- ``review``     declassification review decisions, and what becomes releasable when
- ``audit``      the append-only log of reads, refusals and administration, its hashes
                 keyed (HMAC) with a key kept outside the archive (``keyfile``)
- ``clock``      today's date, fixed by ``CABLEKIT_TODAY`` for tests and reports

Nothing is imported here: the store imports ``policy`` while it is itself imported.
"""
