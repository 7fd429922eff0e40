"""``cablekit check``: how many cables have each field, and the warnings by code."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .model import Cable

# Field name in the record -> label in the report, in report order.
FIELDS = {
    "id": "id",
    "transmission_id": "transmission id (VZCZC)",
    "relay": "relay line (FL2)",
    "station": "DE line (FL3)",
    "security_warning": "security warning (FL4)",
    "dtg": "DTG",
    "from_": "FM",
    "to": "TO",
    "info": "INFO",
    "classification": "classification",
    "sections": "sections",
    "caveats": "caveats",
    "executive_order": "E.O. line",
    "declassify_on": "DECL date",
    "tags": "TAGS",
    "subject": "subject",
    "references": "references",
    "classified_by": "classified by",
    "summary": "summary",
    "paragraphs": "paragraphs",
    "signature": "signature",
    "page_markers": "page markers",
}


@dataclass
class Coverage:
    cables: int = 0
    problems: int = 0
    present: Counter[str] = field(default_factory=Counter)
    marked_paragraphs: int = 0
    warnings: Counter[str] = field(default_factory=Counter)

    def add(self, cable: Cable) -> None:
        self.cables += 1
        for name in FIELDS:
            if getattr(cable, name):
                self.present[name] += 1
        if any(p.marking for p in cable.paragraphs):
            self.marked_paragraphs += 1
        self.warnings.update(w.code for w in cable.warnings)

    def report(self) -> str:
        total = max(self.cables, 1)
        lines = [
            f"{self.cables} cables parsed, {self.problems} inputs failed",
            "",
            "field coverage:",
        ]
        rows = [(label, self.present[name]) for name, label in FIELDS.items()]
        rows.insert(-2, ("paragraph markings", self.marked_paragraphs))
        for label, count in rows:
            lines.append(f"  {label:<26} {count:>9,}  {100 * count / total:6.1f}%")
        lines.append("")
        lines.append("warnings by code:" if self.warnings else "no warnings")
        for code, count in sorted(self.warnings.items(), key=lambda kv: (-kv[1], kv[0])):
            lines.append(f"  {code:<26} {count:>9,}")
        return "\n".join(lines) + "\n"
