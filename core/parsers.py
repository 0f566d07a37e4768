"""Request body parsers: DRF's JSON parser on the shared bounded parser (a body nested too deeply is a
400 `parse_error`), and the tours API's parser that also reads PostHog's documented form-style bodies.

PostHog's published examples send `-d name="string"` while also declaring
`Content-Type: application/json`; such a body is read as the form it is, so the documented
command works. Anything else that is not JSON stays a 400 parse error.
"""

import re

from django.http import QueryDict
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json as drf_json

from core.json_parse import JSONParseError, JSONTooDeep, json_parse


def _body_text(stream, parser_context: dict | None) -> tuple[str, str]:
    """The body as text, and its encoding; a body that is not text is a 400."""
    encoding = parsers.get_encoding(parser_context or {})  # type: ignore[attr-defined]  # DRF 3.16+, newer than the stubs
    raw = stream.read() if stream is not None else b""
    try:
        return raw.decode(encoding), encoding
    except (UnicodeDecodeError, LookupError) as exc:
        raise ParseError(f"JSON parse error - {exc}") from None


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        text, _ = _body_text(stream, parser_context)
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
        text, encoding = _body_text(stream, parser_context)
        try:
            return json_parse(text, parse_constant=_reject_constant)
        except JSONTooDeep as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        except ValueError as exc:
            body = text.strip()
            if _FORM_BODY.match(body):
                return QueryDict(body, encoding=encoding)
            raise ParseError(f"JSON parse error - {exc}") from None
