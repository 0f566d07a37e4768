"""DRF's JSON parser on the shared bounded parser: a body nested too deeply is a 400 `parse_error`."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json as drf_json

from accounts.json_parse import JSONParseError, json_parse


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        raw = stream.read() if stream is not None else b""
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError(f"JSON parse error - {exc}")
        try:
            return json_parse(text, parse_constant=drf_json.strict_constant if self.strict else None)
        except JSONParseError as exc:
            raise ParseError(f"JSON parse error - {exc}")
