"""The drafting vocabulary: levels, portion marks, captions, reasons, exemptions (spec 5, 6, 12).

One place for the words a draft may use, so that validation, the template and the
docs agree.
"""

from __future__ import annotations

import re

# Classification -> rank; SBU and LOU are administrative controls above UNCLASSIFIED.
LEVELS = {
    "UNCLASSIFIED": 0,
    "SENSITIVE BUT UNCLASSIFIED": 1,
    "LIMITED OFFICIAL USE": 1,
    "CONFIDENTIAL": 2,
    "SECRET": 3,
    "TOP SECRET": 4,
}
CLASSIFIED = 2  # CONFIDENTIAL and above need a Classified By line and a declassification
# The level word of a portion mark (before any "/": ``C/NF``, ``S//REL NATO``).
MARK_LEVELS = {"U": 0, "SBU": 1, "LOU": 1, "C": 2, "S": 3, "TS": 4}
MARK = re.compile(r"^(?P<level>U|SBU|LOU|C|S|TS)(?P<rest>(?:/{1,2}[A-Z][A-Z ,]*)*)$")

PRECEDENCES = ("FLASH", "NIACT IMMEDIATE", "IMMEDIATE", "PRIORITY", "ROUTINE")
# Captions a drafter may put on a cable (spec 5.2); REL TO is checked by pattern.
CAVEATS = (
    "NOFORN",
    "SIPDIS",
    "NODIS",
    "EXDIS",
    "LIMDIS",
    "STADIS",
    "CHEROKEE",
    "ORCON",
    "FGI",
    "EYES ONLY",
)
REL_TO = re.compile(r"^REL TO [A-Z]{2,3}(?:, [A-Z]{2,3})*$")
# "SIPDIS messages may not carry other restrictive captions such as NODIS or EXDIS" (spec 5.2).
NOT_WITH_SIPDIS = ("NODIS", "EXDIS")

REASONS = "abcdefgh"  # E.O. 13526 section 1.4 (a)-(h)
MAX_YEARS = 25  # E.O. 13526 1.5: at most 25 years, unless exempted
# Exemptions from the 25-year limit (E.O. 13526 3.3(b), and 50X for 50 years) and the
# E.O. 12958 X1-X8 categories still written on cables.
EXEMPTIONS = (
    *(f"25X{n}" for n in range(1, 10)),
    "25X1-HUMAN",
    "50X1-HUM",
    "50X2-WMD",
    *(f"X{n}" for n in range(1, 9)),
    "MR",
)
ORDER_SINCE_2010 = "13526"  # in force from 27 June 2010; E.O. 12958 before
ORDER_BEFORE_2010 = "12958"
