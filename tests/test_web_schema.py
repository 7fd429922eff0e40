"""Schemathesis over the API's OpenAPI description: whatever a client sends to any
operation, valid by the description or not, the server never answers with a 5xx, and
answers as the description says (documented status, media type and body; invalid
parameters refused).

Twice: on a public archive, and on an archive with users, read with a token by a
reader from whom some cables and paragraphs are withheld (the policy runs inside
every query). Each operation gets generated cases (positive: what the description
allows; negative: what it forbids), and the operations on one cable also get cases
about a real cable with three versions, so that versions, diffs and hops are
exercised on something that exists.

(schemathesis's own pytest loader, ``from_fixture``, does not run under pytest 9, so
the cases are drawn here from each operation's hypothesis strategy.)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from cablekit.web import create_app

from .web_archive import BEFORE_DECL, add_readers, copy_archive

OPERATIONS = [
    "/api/v1/search",
    "/api/v1/cables/{cable_id}",
    "/api/v1/cables/{cable_id}/text",
    "/api/v1/cables/{cable_id}/versions",
    "/api/v1/cables/{cable_id}/diff",
    "/api/v1/cables/{cable_id}/refs",
    "/api/v1/cables/{cable_id}/graph",
    "/api/v1/graph",
    "/api/v1/stats",
    "/api/v1/export",
]
ON_A_CABLE = [p for p in OPERATIONS if "{cable_id}" in p]
# Operations whose only parameter is a string of any form (or none): every request is
# valid by the description, so there is no negative case to draw.
NOTHING_TO_NEGATE = {
    "/api/v1/cables/{cable_id}/versions",
    "/api/v1/cables/{cable_id}/refs",
    "/api/v1/stats",
}
KNOWN_CABLE = "09CAIRO746"  # three versions, cites and is cited
EXAMPLES = 12  # per operation, mode and archive
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
    derandomize=True,  # the same cases on every run: a failure here is reproducible
)
# No 5xx; and every answer as described: a documented status, its media type and
# schema; and invalid parameters refused with a 4xx. (Not positive_data_acceptance: a
# query can fit the description and still be malformed, which is a 400.)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
RAN: Counter[str] = Counter()  # cases sent, per archive (for the summary below)


@pytest.fixture(scope="module")
def public_schema(sample_archive_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = copy_archive(sample_archive_file, tmp_path_factory.mktemp("schema") / "public.db")
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(path, today=BEFORE_DECL))


@pytest.fixture(scope="module")
def reader(sample_archive_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The schema of an archive with users, and the token header of a Canadian reader
    cleared SECRET (NOFORN cables and paragraphs are withheld from them)."""
    path = copy_archive(sample_archive_file, tmp_path_factory.mktemp("schema") / "readers.db")
    readers = add_readers(path)
    app = create_app(path, today=BEFORE_DECL)
    return schemathesis.openapi.from_asgi("/openapi.json", app), readers.bearer("liaison")


@pytest.fixture(scope="module", autouse=True)
def summary() -> Iterator[None]:
    yield
    print(f"\nschemathesis cases sent: {dict(RAN)}")


def run_cases(
    schema: Any,
    path: str,
    mode: GenerationMode,
    label: str,
    headers: dict[str, str] | None = None,
    cable: str | None = None,
) -> None:
    operation = schema[path]["GET"]
    fixed = {"cable_id": cable} if cable else None
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=fixed)

    @given(case=strategy)
    @SETTINGS
    def check(case: Any) -> None:
        RAN[label] += 1
        sent = dict(headers) if headers else None  # the call adds its own to the dict
        response = case.call_and_validate(headers=sent, checks=CHECKS)
        statuses[response.status_code] += 1

    statuses: Counter[int] = Counter()
    check()
    if mode is GenerationMode.POSITIVE:  # the cases reached the operation itself
        assert set(statuses) - {401}, statuses


def test_the_description_has_every_operation_and_nothing_else(public_schema: Any) -> None:
    described = {
        (op.ok().method.upper(), op.ok().path) for op in public_schema.get_all_operations()
    }
    assert described == {("GET", path) for path in OPERATIONS}


MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]


CASES = [
    pytest.param(path, mode, id=f"{path}-{mode}")
    for path in OPERATIONS
    for mode in MODES
    if mode is GenerationMode.POSITIVE or path not in NOTHING_TO_NEGATE
]


@pytest.mark.parametrize(("path", "mode"), CASES)
def test_a_public_archive_answers_as_described(
    public_schema: Any, path: str, mode: GenerationMode
) -> None:
    run_cases(public_schema, path, mode, "public")


@pytest.mark.parametrize(("path", "mode"), CASES)
def test_a_reader_with_a_token_is_answered_as_described(
    reader: Any, path: str, mode: GenerationMode
) -> None:
    schema, headers = reader
    run_cases(schema, path, mode, "reader", headers)


@pytest.mark.parametrize("path", ON_A_CABLE)
def test_operations_on_a_real_cable_answer_as_described(
    public_schema: Any, reader: Any, path: str
) -> None:
    run_cases(public_schema, path, GenerationMode.POSITIVE, "public", cable=KNOWN_CABLE)
    schema, headers = reader
    run_cases(schema, path, GenerationMode.POSITIVE, "reader", headers, cable=KNOWN_CABLE)
