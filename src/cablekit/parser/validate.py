"""Stage 8: cross-field checks. Warnings only, never exceptions (spec 10, step 8)."""

from __future__ import annotations

from .classline import ClassLine
from .state import ParseState

_RANK = {
    "UNCLASSIFIED": 0,
    "SENSITIVE BUT UNCLASSIFIED": 0,
    "LIMITED OFFICIAL USE": 0,
    "CONFIDENTIAL": 1,
    "SECRET": 2,
    "TOP SECRET": 3,
}


def validate(state: ParseState, class_line: ClassLine | None) -> None:
    check_ssn(state)
    check_security_warning(state)
    check_sections(state)
    if state.get("dtg") is None and not state.get("partial"):
        where = "the text gives the day only" if state.day else "the date is the publisher's"
        state.warn("no-dtg", f"No date-time group: {where}")


def check_ssn(state: ParseState) -> None:
    station, serial = state.get("station"), state.get("serial")
    if station is None or serial is None:
        return
    if int(station.serial) != serial % 10000:
        state.warn(
            "ssn-mismatch",
            f"DE line serial {station.serial} does not match the cable serial {serial}",
        )


def check_security_warning(state: ParseState) -> None:
    warning, level = state.get("security_warning"), state.get("classification")
    if warning is None or warning.classification is None or level is None:
        return
    if _RANK.get(warning.classification, -1) != _RANK.get(level, -1):
        state.warn(
            "class-mismatch",
            f"FL4 says {warning.classification} but the classification line says {level}",
        )


def check_sections(state: ParseState) -> None:
    sections = state.get("sections")
    for marker in state.get("page_markers") or ():
        if sections is not None and marker.total is not None and marker.total != sections.total:
            state.warn(
                "section-mismatch",
                f"Page marker {marker.text!r} disagrees with "
                f"SECTION {sections.number} OF {sections.total}",
            )
            return
