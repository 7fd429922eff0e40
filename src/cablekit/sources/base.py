"""What every reader hands to the parser."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..model import Publication, Source

# How the text of a RawCable is marked up; the parser's normalise stage
# strips each kind of artefact (spec section 1).
TEXT = "text"  # plain telegram text (raw, cables.csv, already unwrapped)
MARKDOWN = "markdown"  # scraped Markdown page: [¶](#), [TAG](#), ####, <url>
HTML = "html"  # inner HTML of WikiLeaks <pre> blocks: &#x000A;, <a> anchors, entities
FLATTENED = "flattened"  # newlines lost (JSON exports): best effort


@dataclass(frozen=True, slots=True)
class RawCable:
    """One cable as a reader found it, decoded to str, not yet parsed.

    ``header`` is the transmission envelope when the wrapper keeps it apart
    (WikiLeaks pages, cables.csv); otherwise None and ``body`` holds the
    whole telegram.
    """

    body: str
    source: Source
    markup: str = TEXT
    header: str | None = None
    publication: Publication | None = None
    partial: bool = False  # the page says it holds only a partial extract
    # A cablekit record (what ``parse`` and ``export --format jsonl`` write), read as
    # it is instead of parsed again; ``body`` is then its JSON line.
    record: dict[str, Any] | None = None
