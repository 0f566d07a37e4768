"""LZ-string `decompressFromBase64` (posthog-js `compression=lz64`): exact round trips, bounded output."""

import json

import pytest

from sdk.decoding import PayloadError, PayloadTooLarge, payload_decode
from sdk.lz64 import LZStringError, LZStringTooLarge, lz64_decompress
from tests.sdk.lzstring import compress_to_base64

# Made by the JavaScript lz-string 1.5.0 `compressToBase64`, the library legacy posthog-js used.
JS_SAMPLE = (
    "N4IgpgbmB2AuIC4QBIAOBDA5pAlmA7iADQgAmOAzrDtAMawD6OpiIArgIzEioBOA9qjC9qYColCx+AaxitUAC1oMAHt2S02vXjEZaANqwWxYqCg"
    "gD0FsCoB0tfgFsLAS+7QxsMCwSh0iAG0OIgAmIgBmAF0AXxIwR34AKxxWQF4NwAA9kGjooA=="
)
JS_SAMPLE_TEXT = (
    '{"event":"$pageview","distinct_id":"u1","properties":{"token":"phc_x","$current_url":"https://ex.com/é",'
    '"nested":{"a":[1,2,3]},"emoji":"😀"}}'
)


def test_decodes_what_javascript_lz_string_made():
    assert lz64_decompress(JS_SAMPLE, max_chars=10_000) == JS_SAMPLE_TEXT


def test_test_compressor_matches_javascript():
    assert compress_to_base64(JS_SAMPLE_TEXT) == JS_SAMPLE


@pytest.mark.parametrize("text", ["", "a", "ab" * 500, "ü€😀 mixed", json.dumps({"k": list(range(200))})])
def test_round_trip(text):
    assert lz64_decompress(compress_to_base64(text), max_chars=100_000) == text


def test_form_decoding_turned_plus_into_space():
    data = compress_to_base64("a" * 300 + "b" * 300)
    assert "+" in data or "/" in data
    assert lz64_decompress(data.replace("+", " "), max_chars=10_000) == "a" * 300 + "b" * 300


def test_output_is_bounded_while_decoding():
    data = compress_to_base64("a" * 2_000_000)
    assert len(data) < 5000  # quadratic growth: a few KB expand to megabytes
    with pytest.raises(LZStringTooLarge):
        lz64_decompress(data, max_chars=10_000)
    assert len(lz64_decompress(data, max_chars=2_000_000)) == 2_000_000


@pytest.mark.parametrize("data", ["!!!!", "A", "/////////"])
def test_invalid_input_is_an_error(data):
    with pytest.raises(LZStringError):
        lz64_decompress(data, max_chars=1000)


@pytest.mark.django_db
def test_decoder_maps_lz64_to_payload_errors(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    assert payload_decode(compress_to_base64('{"a": 1}').encode(), compression="lz64") == {"a": 1}
    with pytest.raises(PayloadTooLarge):
        payload_decode(compress_to_base64(json.dumps({"a": "x" * 2000})).encode(), compression="lz64")
    with pytest.raises(PayloadError, match="not valid lz64"):
        payload_decode(b"!!!!", compression="lz64")
