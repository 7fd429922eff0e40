"""The JSON Schema is generated from the model and matches what the parser writes."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import cablekit
from cablekit.model import Cable
from cablekit.schema import json_schema

DOCS = Path(__file__).parents[1] / "docs"
SAMPLES = Path(cablekit.__file__).parent / "samples"


def test_committed_schema_is_current() -> None:
    committed = json.loads((DOCS / "cable.schema.json").read_text(encoding="utf-8"))
    assert committed == json_schema(), "run: cablekit schema > docs/cable.schema.json"


def test_every_record_key_is_documented() -> None:
    record_doc = (DOCS / "record.md").read_text(encoding="utf-8")
    keys = [f.metadata.get("json", f.name) for f in dataclasses.fields(Cable)]
    assert keys[:3] == ["id", "source", "publication"]
    for key in keys:
        assert f"`{key}" in record_doc, key


def _check(value: object, schema: dict[str, object], defs: dict[str, dict[str, object]]) -> None:
    """A small validator for the subset of JSON Schema the generator emits."""
    if "$ref" in schema:
        _check(value, defs[str(schema["$ref"]).rsplit("/", 1)[1]], defs)
        return
    if "anyOf" in schema:
        options = schema["anyOf"]
        assert isinstance(options, list)
        errors = []
        for option in options:
            try:
                _check(value, option, defs)
                return
            except AssertionError as error:
                errors.append(error)
        raise AssertionError(f"{value!r} matches no option: {errors}")
    kind = schema["type"]
    python = {
        "string": str,
        "integer": int,
        "boolean": bool,
        "object": dict,
        "array": list,
        "null": type(None),
    }
    assert isinstance(value, python[str(kind)]), (value, kind)
    if "enum" in schema:
        assert value in schema["enum"]  # type: ignore[operator]
    if kind == "object":
        assert isinstance(value, dict)
        properties = schema["properties"]
        assert isinstance(properties, dict)
        assert set(value) == set(properties)
        for key, item in value.items():
            _check(item, properties[key], defs)
    if kind == "array":
        assert isinstance(value, list)
        for item in value:
            _check(item, schema["items"], defs)  # type: ignore[arg-type]


def test_parsed_samples_validate_against_the_schema() -> None:
    schema = json_schema()
    for path in sorted(SAMPLES.iterdir()):
        if path.name == "README.md" or path.is_dir():
            continue
        record = cablekit.parse(path.read_bytes()).to_json()
        _check(record, schema, schema["$defs"])
