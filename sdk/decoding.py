"""Request bodies as posthog-js sends them: JSON, gzip (`gzip-js`), LZ-string (`lz64`) or a base64 `data=` form
field. The decoded text is bounded like any body (`MAX_REQUEST_BODY_BYTES`), so a small compressed body
cannot expand into megabytes of work.
"""

import base64
import binascii
import math
import re
import zlib
from typing import Any
from urllib.parse import parse_qs

from django.conf import settings

from core.json_parse import JSONTooDeep, json_parse
from sdk.lz64 import LZStringError, LZStringTooLarge, lz64_decompress

GZIP_MAGIC = b"\x1f\x8b"
GZIP_COMPRESSIONS = ("gzip", "gzip-js")
# JSON escapes that decode to text the database cannot store: U+0000 and (possibly unpaired) surrogates.
_UNSTORABLE_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")
_UNSTORABLE_ESCAPE_BYTES = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")


class PayloadError(ValueError):
    """The body cannot be decoded (400); the message is safe to show to the caller."""


class PayloadTooLarge(PayloadError):
    """The decoded body is larger than `MAX_REQUEST_BODY_BYTES` (413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"Request body is too large once decompressed (limit {limit} bytes).")


def _limit() -> int:
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def _bounded(data: bytes) -> bytes:
    if len(data) > _limit():
        raise PayloadTooLarge(_limit())
    return data


def _gunzip(body: bytes) -> bytes:
    limit = _limit()
    try:
        decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
        data = decompressor.decompress(body, limit + 1)
    except zlib.error as exc:
        raise PayloadError("Body is not valid gzip.") from exc
    if len(data) > limit or decompressor.unconsumed_tail:
        raise PayloadTooLarge(limit)
    return data


def _lz64(text: str) -> bytes:
    limit = _limit()
    try:
        # Characters are at most as many as UTF-8 bytes, so this bound is checked on the way.
        decoded = lz64_decompress(text, max_chars=limit)
    except LZStringTooLarge:
        raise PayloadTooLarge(limit) from None
    except LZStringError as exc:
        raise PayloadError(f"Body is not valid lz64: {exc}") from None
    return _bounded(decoded.encode("utf-8"))


def _finite_or_null(text: str) -> float | None:
    value = float(text)
    return value if math.isfinite(value) else None


def _json(data: bytes | str) -> Any:
    try:
        # NaN, Infinity and overflowing numbers become null, as the browser's JSON.stringify writes
        # them (the database's JSON cannot store them).
        value = json_parse(data, parse_constant=lambda _name: None, parse_float=_finite_or_null)
    except JSONTooDeep as exc:
        raise PayloadError(str(exc)) from None
    except ValueError as exc:
        raise PayloadError("Body is not valid JSON.") from exc
    unstorable = _UNSTORABLE_ESCAPE_BYTES.search(data) if isinstance(data, bytes) else _UNSTORABLE_ESCAPE.search(data)
    return _storable(value) if unstorable else value


def _storable_text(text: str) -> str:
    # As PostHog's ingestion does: U+0000 and unpaired surrogates become U+FFFD instead of failing the event.
    return text.replace("\x00", "\ufffd").encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _storable(value: Any) -> Any:
    """`value` with every string (keys too) storable; nesting is bounded by the parser."""
    if isinstance(value, str):
        return _storable_text(value)
    if isinstance(value, dict):
        return {_storable_text(key): _storable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_storable(item) for item in value]
    return value


def _base64(text: str) -> bytes:
    text = text.strip().replace(" ", "+")
    try:
        data = base64.b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise PayloadError("Body is not valid base64.") from exc
    return _bounded(data)


def _form_decode(body: bytes, compression: str | None) -> Any:
    try:
        form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError as exc:
        raise PayloadError("Form body is not UTF-8.") from exc
    data = (form.get("data") or [""])[0]
    if not data:
        return {key: values[0] for key, values in form.items()}
    form_compression = (form.get("compression") or [compression or ""])[0]
    if form_compression == "lz64":
        return _json(_lz64(data))
    if data.lstrip().startswith(("{", "[")):
        return _json(data)
    raw = _base64(data)
    if raw[:2] == GZIP_MAGIC or form_compression == "gzip-js":
        raw = _gunzip(raw)
    return _json(raw)


def payload_decode(body: bytes, *, content_type: str = "", compression: str | None = None) -> Any:
    """Decode a posthog-js body. Empty bodies decode to `{}`.

    Raises `PayloadTooLarge` when the decoded text passes the body limit, `PayloadError` otherwise.
    """
    if not body:
        return {}
    if body[:2] == GZIP_MAGIC or compression in GZIP_COMPRESSIONS:
        return _json(_gunzip(body))
    if content_type.startswith("application/x-www-form-urlencoded"):
        return _form_decode(body, compression)
    if compression == "lz64":
        return _json(_lz64(body.decode("latin-1")))
    if compression == "base64":
        return _json(_base64(body.decode("latin-1")))
    return _json(body)
