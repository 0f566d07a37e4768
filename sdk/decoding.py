"""Request bodies as posthog-js sends them: JSON, gzip (`gzip-js`) or a base64 `data=` form field."""

import base64
import binascii
import gzip
import json
import zlib
from typing import Any
from urllib.parse import parse_qs

GZIP_MAGIC = b"\x1f\x8b"
MAX_DECOMPRESSED_BYTES = 20 * 1024 * 1024


class PayloadError(ValueError):
    """The body cannot be decoded; the message is safe to show to the caller."""


def _gunzip(body: bytes) -> bytes:
    try:
        decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
        data = decompressor.decompress(body, MAX_DECOMPRESSED_BYTES)
        if decompressor.unconsumed_tail:
            raise PayloadError("Decompressed body is too large.")
        return data
    except (zlib.error, EOFError, gzip.BadGzipFile) as exc:
        raise PayloadError("Body is not valid gzip.") from exc


def _json(data: bytes | str) -> Any:
    try:
        return json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise PayloadError("Body is not valid JSON.") from exc


def _base64(text: str) -> bytes:
    text = text.strip().replace(" ", "+")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise PayloadError("Body is not valid base64.") from exc


def payload_decode(body: bytes, *, content_type: str = "", compression: str | None = None) -> Any:
    """Decode a posthog-js body. Empty bodies decode to `{}`."""
    if not body:
        return {}
    if body[:2] == GZIP_MAGIC or compression == "gzip-js" or compression == "gzip":
        return _json(_gunzip(body))
    if content_type.startswith("application/x-www-form-urlencoded"):
        try:
            form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError as exc:
            raise PayloadError("Form body is not UTF-8.") from exc
        data = (form.get("data") or [""])[0]
        if not data:
            return {key: values[0] for key, values in form.items()}
        form_compression = (form.get("compression") or [compression or ""])[0]
        if data.lstrip().startswith(("{", "[")):
            return _json(data)
        raw = _base64(data)
        if raw[:2] == GZIP_MAGIC or form_compression == "gzip-js":
            raw = _gunzip(raw)
        return _json(raw)
    if compression == "base64":
        return _json(_base64(body.decode("latin-1")))
    return _json(body)
