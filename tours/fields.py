"""Serializer fields that turn every malformed value into a 400 (never a database error)."""

import math
from typing import Any

from rest_framework import serializers

MAX_JSON_DEPTH = 100


def _text_problem(text: str) -> str | None:
    if "\x00" in text:
        return "Null characters are not allowed."
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "Text must be valid Unicode (no unpaired surrogates)."
    return None


def json_problem(value: Any, depth: int = 0) -> str | None:
    """Why PostgreSQL's jsonb (or a later encode) would reject `value`, or None when it is storable."""
    if depth > MAX_JSON_DEPTH:
        return f"JSON may be nested at most {MAX_JSON_DEPTH} levels deep."
    if isinstance(value, str):
        return _text_problem(value)
    if isinstance(value, float) and not math.isfinite(value):
        return "Numbers must be finite."
    if isinstance(value, dict):
        for key, item in value.items():
            problem = (_text_problem(key) if isinstance(key, str) else None) or json_problem(item, depth + 1)
            if problem:
                return problem
    elif isinstance(value, list):
        for item in value:
            problem = json_problem(item, depth + 1)
            if problem:
                return problem
    return None


class StrictJSONField(serializers.JSONField):
    """JSON that PostgreSQL can store; form bodies may send it as a JSON string."""

    def to_internal_value(self, data):
        try:
            value = super().to_internal_value(data)
        except RecursionError:
            self.fail("invalid")
        problem = json_problem(value)
        if problem:
            raise serializers.ValidationError(problem, code="invalid")
        return value

    def to_representation(self, value):
        return value


class TextField(serializers.CharField):
    """CharField that also rejects unpaired surrogates (they cannot be encoded for the database)."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        problem = _text_problem(value)
        if problem:
            raise serializers.ValidationError(problem, code="invalid")
        return value
