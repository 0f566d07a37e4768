"""Request body parsers: DRF's JSON parser on the shared bounded parser (a body nested too deeply is a
400 `parse_error`), and the tours API's parser that also reads PostHog's documented form-style bodies.

PostHog's published examples send `-d name="string"` while also declaring
`Content-Type: application/json`; such a body is read as the form it is, so the documented
command works. Anything else that is not JSON stays a 400 parse error.
"""

import re

from django.conf import settings
from django.http import QueryDict
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json as drf_json

from core.json_parse import JSONParseError, JSONTooDeep, json_parse


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        raw = stream.read() if stream is not None else b""
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        try:
            return json_parse(text, parse_constant=drf_json.strict_constant if self.strict else None)
        except JSONParseError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None


# `key=value` pairs joined by `&`, keys made of form-safe characters (never `{`, `[` or `"`).
_FORM_BODY = re.compile(r"^[\w.%+\-\[\]]+=[^&]*(&[\w.%+\-\[\]]+=[^&]*)*$")


def _reject_constant(token: str):
    raise ValueError(f"Invalid JSON constant: {token}")


class JSONOrFormBodyParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        raw = stream.read() if stream is not None else b""
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        try:
            return json_parse(text, parse_constant=_reject_constant)
        except JSONTooDeep as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        except ValueError as exc:
            body = text.strip()
            if _FORM_BODY.match(body):
                return QueryDict(body, encoding=encoding)
            raise ParseError(f"JSON parse error - {exc}") from None
