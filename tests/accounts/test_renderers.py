"""The API renderer (orjson) writes what DRF's JSONRenderer wrote, and what orjson alone cannot."""

import datetime
import decimal
import json
import uuid

import orjson
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ErrorDetail
from rest_framework.renderers import JSONRenderer

from core.renderers import ORJSONRenderer

render = ORJSONRenderer().render


def test_same_bytes_as_drf_for_api_values():
    data = {
        "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "when": datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=datetime.UTC),
        "day": datetime.date(2025, 1, 2),
        "detail": ErrorDetail("Not found.", code="not_found"),
        "lazy": gettext_lazy("This field is required."),
        "text": "Ünïcode ✓",
        "numbers": [1, 2.5, None, True],
        "nested": {"a": [{"b": {}}]},
        1: "int key",
    }
    assert render(data) == JSONRenderer().render(data)


def test_decimal_and_big_integers_fall_back_to_drf():
    assert json.loads(render({"price": decimal.Decimal("1.50")})) == {"price": 1.5}
    big = 2**80
    assert render({"n": big}) == b'{"n":1208925819614629174706176}'


def test_fragments_are_written_as_they_are():
    assert render({"content": orjson.Fragment(b'{"steps": [1, 2]}')}) == b'{"content":{"steps": [1, 2]}}'


def test_none_is_an_empty_body_and_indent_is_honoured():
    assert render(None) == b""
    indented = render({"a": [1]}, "application/json; indent=4", {})
    assert indented.decode().splitlines()[1] == '  "a": ['
