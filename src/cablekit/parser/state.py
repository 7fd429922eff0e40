"""The mutable working record the parse stages fill in, frozen at the end."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..model import ParseWarning


@dataclass(slots=True)
class ParseState:
    """Fields found so far (keyed like ``Cable``'s attributes) and warnings."""

    fields: dict[str, Any] = field(default_factory=dict)
    warnings: list[ParseWarning] = field(default_factory=list)
    year: int | None = None  # four-digit year of the cable, from the DTG when known
    day: str | None = None  # the cable's day from a DTG without a time (``10 MAY 05``)

    def warn(self, code: str, message: str) -> None:
        self.warnings.append(ParseWarning(code, message))

    def get(self, name: str) -> Any:
        return self.fields.get(name)

    def set(self, name: str, value: Any) -> None:
        self.fields[name] = value
