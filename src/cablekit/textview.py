"""A readable text view of a record, for people at a terminal."""

from __future__ import annotations

import textwrap

from .model import Addressee, Cable, Paragraph

WIDTH = 78


def _addressee(a: Addressee) -> str:
    parts = [a.name]
    if a.routing_indicator:
        parts.insert(0, f"{a.routing_indicator}/")
    if a.precedence:
        parts.append(a.precedence)
    if a.serial:
        parts.append(a.serial)
    flags = [f for f, on in (("collective", a.collective), ("excluded", a.excluded)) if on]
    text = " ".join(parts).replace("/ ", "/")
    return f"{text} ({', '.join(flags)})" if flags else text


def _wrap(label: str, text: str) -> list[str]:
    return textwrap.wrap(
        text, WIDTH, initial_indent=f"{label:<15}", subsequent_indent=" " * 15
    ) or [label]


def _paragraph_label(p: Paragraph) -> str:
    """``5. (C)``, ``5.``, or for a bullet of paragraph 5 with its own marking,
    ``  -- (S/NF)``."""
    mark = f" ({p.marking})" if p.marking else ""
    if p.label is not None:
        return f"  {p.label}{mark}".rstrip() if p.label else f"  {mark.strip()}"
    if p.number is None:
        return f"-.{mark}" if mark else ""
    return f"{p.number}.{mark}"


def render_text(cable: Cable) -> str:
    """The record as labelled lines: header fields, then paragraphs, then warnings."""
    lines = [f"=== {cable.id or '(no id)'} " + "=" * max(0, WIDTH - 5 - len(cable.id or ""))]
    marking = " // ".join([cable.classification or "(unmarked)", *cable.caveats])
    fields = [
        ("Marking", marking),
        ("Date", cable.dtg or cable.date or ""),
        ("Precedence", cable.precedence or ""),
        ("From", cable.from_.name if cable.from_ else ""),
        ("Subject", cable.subject or ""),
        ("TAGS", " ".join(cable.tags)),
        ("Declassify", cable.declassify_on or cable.declassify_note or ""),
        ("Signature", cable.signature or ""),
        ("Source", f"{cable.source.format}: {cable.source.path or ''}"),
    ]
    if cable.classified_by:
        by = cable.classified_by
        who = ", ".join(x for x in (by.title, by.name) if x)
        fields.append(("Classified by", f"{who}; {' '.join(by.reasons)}".strip("; ")))
    for label, value in fields:
        if value:
            lines.extend(_wrap(label, value))
    for label, group in (("To", cable.to), ("Info", cable.info)):
        for n, addressee in enumerate(group):
            lines.extend(_wrap(label if n == 0 else "", _addressee(addressee)))
    for ref in cable.references:
        target = f" -> {ref.id}" if ref.id else f" ({ref.kind})"
        lines.extend(_wrap("Ref", f"{ref.letter + '. ' if ref.letter else ''}{ref.text}{target}"))
    if cable.summary:
        lines.extend(["", *_wrap("Summary", cable.summary)])
    for p in cable.paragraphs:
        lines.append("")
        if p.heading:
            lines.append(p.heading.upper())
        lines.extend(_wrap(_paragraph_label(p), p.text))
    if cable.warnings:
        lines.append("")
        for w in cable.warnings:
            lines.extend(_wrap("Warning", f"[{w.code}] {w.message}"))
    return "\n".join(lines) + "\n"
