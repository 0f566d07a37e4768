import base64
import gzip
import json
from urllib.parse import urlencode

import pytest

from sdk.decoding import PayloadError, payload_decode

PAYLOAD = {"token": "phc_x", "distinct_id": "u1", "person_properties": {"plan": "pro"}}


def test_json():
    assert payload_decode(json.dumps(PAYLOAD).encode(), content_type="application/json") == PAYLOAD


def test_gzip_detected_by_magic_bytes_with_text_plain():
    assert payload_decode(gzip.compress(json.dumps(PAYLOAD).encode()), content_type="text/plain") == PAYLOAD


def test_gzip_by_compression_parameter():
    assert payload_decode(gzip.compress(json.dumps(PAYLOAD).encode()), compression="gzip-js") == PAYLOAD


def test_base64_form():
    data = base64.b64encode(json.dumps(PAYLOAD).encode()).decode()
    body = urlencode({"data": data}).encode()
    assert payload_decode(body, content_type="application/x-www-form-urlencoded") == PAYLOAD


def test_base64_form_with_spaces_for_plus_signs():
    raw = json.dumps({"x": "~~~>>>???"}).encode()
    data = base64.b64encode(raw).decode()
    body = ("data=" + data.replace("+", " ")).encode()
    assert payload_decode(body, content_type="application/x-www-form-urlencoded") == {"x": "~~~>>>???"}


def test_plain_json_in_form_data_field():
    body = urlencode({"data": json.dumps(PAYLOAD)}).encode()
    assert payload_decode(body, content_type="application/x-www-form-urlencoded") == PAYLOAD


def test_empty_body_is_empty_object():
    assert payload_decode(b"") == {}


@pytest.mark.parametrize(
    "body, content_type",
    [
        (b"{not json", "application/json"),
        (b"\x1f\x8bgarbage", "text/plain"),
        (b"data=%%%%", "application/x-www-form-urlencoded"),
        (b"\xff\xfe", "application/json"),
        (b"[" * 100000, "application/json"),
    ],
)
def test_garbage_raises_payload_error(body, content_type):
    with pytest.raises(PayloadError):
        payload_decode(body, content_type=content_type)


def test_gzip_bomb_is_refused():
    bomb = gzip.compress(b"[" + b" " * (30 * 1024 * 1024) + b"]")
    with pytest.raises(PayloadError, match="too large"):
        payload_decode(bomb, content_type="text/plain")
