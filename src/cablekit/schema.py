"""The JSON Schema of the record, generated from the model's type hints.

``cablekit schema`` prints it; ``docs/cable.schema.json`` is a copy kept in
step by a test.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any, Union

from .model import (
    CLASSIFICATIONS,
    PRECEDENCES,
    REFERENCE_KINDS,
    SCHEMA_VERSION,
    Cable,
    field_types,
    json_name,
)

SCHEMA_ID = "https://cablekit.invalid/schema/cable-v1.json"
# Closed vocabularies: the schema lists their values.
ENUMS: dict[tuple[str, str], tuple[str, ...]] = {
    ("Cable", "classification"): CLASSIFICATIONS,
    ("Cable", "precedence"): PRECEDENCES,
    ("Cable", "info_precedence"): PRECEDENCES,
    ("Addressee", "precedence"): PRECEDENCES,
    ("Reference", "kind"): REFERENCE_KINDS,
}


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``Cable.to_json()``."""
    definitions: dict[str, Any] = {}
    root = _object_schema(Cable, definitions)
    root.update(
        {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": SCHEMA_ID,
            "title": "cablekit cable record",
            "description": f"One parsed diplomatic cable (record version {SCHEMA_VERSION}).",
            "$defs": dict(sorted(definitions.items())),
        }
    )
    return root


def _object_schema(cls: type, definitions: dict[str, Any]) -> dict[str, Any]:
    hints = field_types(cls)
    properties: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        prop = _type_schema(hints[f.name], definitions)
        allowed = ENUMS.get((cls.__name__, f.name))
        properties[json_name(f)] = _with_enum(prop, allowed) if allowed else prop
    doc = (cls.__doc__ or "").strip().split("\n")[0]
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }
    if doc and not doc.startswith(cls.__name__ + "("):
        schema["description"] = doc
    return schema


def _type_schema(tp: Any, definitions: dict[str, Any]) -> dict[str, Any]:
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        inner = [a for a in typing.get_args(tp) if a is not type(None)]
        return {"anyOf": [_type_schema(inner[0], definitions), {"type": "null"}]}
    if origin is tuple:
        return {"type": "array", "items": _type_schema(typing.get_args(tp)[0], definitions)}
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if tp.__name__ not in definitions:
            definitions[tp.__name__] = {}
            definitions[tp.__name__] = _object_schema(tp, definitions)
        return {"$ref": f"#/$defs/{tp.__name__}"}
    simple = {str: "string", int: "integer", bool: "boolean", float: "number"}
    return {"type": simple[tp]}


def _with_enum(schema: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    if "anyOf" in schema:
        return {"anyOf": [{"type": "string", "enum": list(allowed)}, {"type": "null"}]}
    return {"type": "string", "enum": list(allowed)}
