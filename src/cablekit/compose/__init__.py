"""Compose cables and render them in the canonical telegram format (spec 11).

A draft (YAML or JSON) is read, checked and turned into a record; any record is
rendered as canonical text, which reads back to the same record. See docs/compose.md.

- ``draft``       drafts: ``load_draft(text, path) -> Draft``, positions kept for messages
- ``rules``       the drafting rules: ``problems(draft, day)``, ``check`` -> ``DraftInvalid``
- ``vocab``       levels, portion marks, captions, reasons, exemptions
- ``build``       ``compose(draft, Numbering(serial=...), dtg) -> Cable``
- ``sections``    long cables in sections, with page markers
- ``render``      ``render(cable, RenderOptions(...)) -> str``
- ``envelope``    format lines FL1-FL9 and the end marks
- ``textheader``  classification line, captions, E.O., TAGS, SUBJECT, REF, Classified By
- ``layout``      the line length, word wrapping that never starts a line with a key
- ``roundtrip``   parse -> render -> parse, and the kinds of difference
- ``template``    the commented template of ``cablekit draft new``
"""

from __future__ import annotations

from .render import RenderOptions, render

__all__ = ["RenderOptions", "render"]
