"""The JSON types `tours.schema.CONTENT_SCHEMA` documents for a tour's content, enforced on input (pure).

Content is otherwise stored as sent (unknown keys kept, no enums), but a known key must hold the type
the schema promises, so every tour the API returns matches its OpenAPI description (found by
schemathesis: `displayFrequency: {}` was stored, then returned where the schema says string).
"""

from typing import Any

from rest_framework import serializers

from tours.schema import CONTENT_SCHEMA

# Replaced by the server whatever was sent (tours/services/surveys.py), so their input is not checked.
SERVER_MANAGED_KEYS = frozenset({"linkedSurveyId", "linkedSurveyQuestionId"})
_TYPE_NAMES = {"string": "a string", "number": "a number", "integer": "an integer", "boolean": "true or false",
               "object": "an object", "array": "a list"}  # fmt: skip


def _has_type(value: Any, json_type: str) -> bool:
    if json_type == "string":
        return isinstance(value, str)
    if json_type == "boolean":
        return isinstance(value, bool)
    if json_type == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if json_type == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if json_type == "object":
        return isinstance(value, dict)
    if json_type == "array":
        return isinstance(value, list)
    return True


def _problem(value: Any, schema: dict, path: str) -> str | None:
    if value is None:
        return None if schema.get("nullable") or "type" not in schema else f"{path} must not be null."
    json_type = schema.get("type")
    if json_type and not _has_type(value, json_type):
        return f"{path} must be {_TYPE_NAMES.get(json_type, json_type)}."
    if isinstance(value, dict):
        for key, child in schema.get("properties", {}).items():
            if key in value and key not in SERVER_MANAGED_KEYS:
                problem = _problem(value[key], child, f"{path}.{key}")
                if problem:
                    return problem
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            problem = _problem(item, schema["items"], f"{path}[{index}]")
            if problem:
                return problem
    return None


def content_types_validate(content: dict) -> None:
    """400 naming the first value of a documented key whose JSON type differs from the schema's."""
    problem = _problem(content, CONTENT_SCHEMA, "content")
    if problem:
        raise serializers.ValidationError(f"Invalid content: {problem}")
