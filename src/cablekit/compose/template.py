"""The commented draft template that ``cablekit draft new`` writes.

The template is itself a valid draft (a test composes it), so a drafter can start
from something that works and change it field by field.
"""

from __future__ import annotations

TEMPLATE = """\
# A cablekit draft. Compose it with:  cablekit compose DRAFT --serial N -o CABLE.txt
# Every field is explained here; delete the comments you no longer need.

# The originating post: a post name (OTTAWA, BUENOS AIRES, STATE) or its address
# (AMEMBASSY OTTAWA). Its routing indicator comes from the ACP 117 tables.
from: OTTAWA

# Precedence of the cable: FLASH, NIACT IMMEDIATE, IMMEDIATE, PRIORITY or ROUTINE.
precedence: PRIORITY

# Action addressees, by plain-language address. An addressee may also be a mapping:
#   - name: AMEMBASSY MOSCOW
#     precedence: IMMEDIATE        # its own precedence (default: the cable's)
#     routing_indicator: RUEHMO    # only to override the tables (or ZEN)
#     serial: 2284                 # the per-addressee serial, when known
to:
  - SECSTATE WASHDC

# Information addressees; collectives too (NATO EU COLLECTIVE). DoD addressees are
# reached through the DMS routing indicators: RHMFISS/HQ USNORTHCOM.
info:
  - AMEMBASSY MOSCOW
  - NATO EU COLLECTIVE

# UNCLASSIFIED, SENSITIVE BUT UNCLASSIFIED, LIMITED OFFICIAL USE, CONFIDENTIAL,
# SECRET or TOP SECRET: at least the highest portion marking below.
classification: CONFIDENTIAL

# Captions: NOFORN, SIPDIS, NODIS, EXDIS, LIMDIS, STADIS, CHEROKEE, ORCON, FGI,
# EYES ONLY, REL TO USA, CAN. NOFORN and REL TO contradict each other.
caveats:
  - NOFORN
  - SIPDIS

# TAGS codes, at least one country or organization (CA Canada, RS Russia, NATO).
tags: [PREL, ETRD, RS, CA]

subject: CANADA'S RE-ENGAGEMENT WITH RUSSIA

# References: cables as written (OTTAWA 8, 08 OTTAWA 1140) or by id, other documents
# as text. Letters A, B, C... are given in order when there is more than one.
references:
  - OTTAWA 8
  - id: 08OTTAWA1140
  - text: EMAIL FROM EUR/CAN 04/02/09

# Who classified the cable, and why: reasons are letters of E.O. 13526 1.4 (a)-(h).
# Needed for CONFIDENTIAL and above.
classified_by:
  title: PolMinCouns
  name: Scott Bellard
  reasons: [b, d]

# Declassification date (YYYY-MM-DD, at most 25 years after the cable's date) or an
# exemption: 25X1 ... 25X9, 25X1-human, 50X1-HUM, 50X2-WMD.
declassify: 2019-04-07

# Paragraphs, numbered in order. Each has a portion marking (U, SBU, C, S, TS, with
# /NF for NOFORN: C/NF) and may open with a heading.
paragraphs:
  - marking: C/NF
    text: >-
      Summary: Russia is seeking strong re-engagement with Canada. Canada plans
      a policy of calibrated re-engagement. End summary.
  - heading: TOUGH TALK
    marking: C/NF
    text: >-
      Following the Russian invasion of Georgia, Canada took a strong stand
      against Russia.

# The signing officer's surname.
signature: BREESE

# Optional: the date-time group (default: now, or --dtg) and the cable's serial
# (default: --serial, or 1).
dtg: 072102Z APR 09
serial: 278
"""
