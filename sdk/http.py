"""The request and response of the public endpoints' lean path (sdk/gateway.py): a WSGI environ read on
demand, and an answer as status, header list and bytes. No Django request or response objects: building
them (and the middleware stack around them) costs more than everything these endpoints do.
"""

import json
from dataclasses import dataclass, field
from functools import cached_property
from http import HTTPStatus
from urllib.parse import parse_qs

import orjson

from core.exceptions import error_body

_REASONS = {status.value: f"{status.value} {status.phrase}" for status in HTTPStatus}


def status_line(status: int) -> str:
    return _REASONS.get(status, f"{status} Unknown")


class PublicRequest:
    """One request: the WSGI environ (`META`, as in Django), the path, the query and the body bytes."""

    __slots__ = ("META", "method", "path", "body", "log_project_id", "__dict__")

    def __init__(self, environ: dict, *, path: str, body: bytes = b"") -> None:
        self.META = environ
        self.method = environ.get("REQUEST_METHOD", "GET").upper()
        self.path = path
        self.body = body
        self.log_project_id: int | None = None

    @cached_property
    def GET(self) -> dict[str, str]:
        """Query parameters, the last value of each (as Django's `QueryDict.get`)."""
        query = self.META.get("QUERY_STRING", "")
        if not query:
            return {}
        if isinstance(query, bytes):
            query = query.decode("latin-1")
        parsed = parse_qs(query.encode("latin-1").decode("utf-8", "replace"), keep_blank_values=True)
        return {key: values[-1] for key, values in parsed.items()}

    @cached_property
    def content_type(self) -> str:
        return self.META.get("CONTENT_TYPE", "").split(";", 1)[0].strip().lower()

    def header(self, name: str, default: str = "") -> str:
        """A request header by its WSGI name (`HTTP_ORIGIN`)."""
        return self.META.get(name, default)


@dataclass(slots=True)
class PublicResponse:
    status: int = 200
    body: bytes = b""
    content_type: str | None = "application/json"
    headers: list[tuple[str, str]] = field(default_factory=list)
    vary: tuple[str, ...] = ()

    def __setitem__(self, name: str, value: str) -> None:
        self.headers = [(k, v) for k, v in self.headers if k.lower() != name.lower()]
        self.headers.append((name, value))

    def __getitem__(self, name: str) -> str:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        raise KeyError(name)


def json_bytes(value: object) -> bytes:
    """Compact JSON; what orjson refuses (integers past 64 bits, lone surrogates) through the standard
    library, escaped."""
    try:
        return orjson.dumps(value)
    except TypeError:
        return json.dumps(value, separators=(",", ":")).encode()


def json_response(body: object, status: int = 200) -> PublicResponse:
    return PublicResponse(status=status, body=json_bytes(body))


def error_response(status: int, *, type: str, code: str, detail: str) -> PublicResponse:
    return json_response(error_body(type=type, code=code, detail=detail), status=status)
