"""Capture (`/e`) is bounded: the body after decompression (gzip, lz64, base64), events per request,
bytes per event; a request's person updates and stored events are one transaction."""

import base64
import gzip
import json
import logging
from urllib.parse import urlencode

import pytest
from django.test import Client

from flags.models import Person, PersonDistinctId
from sdk.models import CapturedEvent
from tests.sdk.lzstring import compress_to_base64
from tests.support.errors import assert_error

pytestmark = pytest.mark.django_db

LIMIT = 4000


@pytest.fixture
def browser() -> Client:
    client = Client(HTTP_ORIGIN="https://shop.example.com")
    client.raise_request_exception = False
    return client


@pytest.fixture
def small_limit(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = LIMIT


def batch_text(token: str, pad: int, count: int = 1) -> str:
    events = [
        {
            "event": "product tour shown",
            "distinct_id": f"u{i}",
            "properties": {"token": token, "$set": {"p": "x" * pad}},
        }
        for i in range(count)
    ]
    return json.dumps(events)


def assert_nothing_applied():
    assert not Person.objects.exists() and not CapturedEvent.objects.exists()


def too_large_detail() -> str:
    return f"Request body is too large once decompressed (limit {LIMIT} bytes)."


# --- after decompression ----------------------------------------------------------------------


def test_gzip_within_the_limit_is_applied(tenant, browser, small_limit):
    text = batch_text(tenant.project.api_token, pad=LIMIT // 2)
    response = browser.post("/e/?compression=gzip-js", gzip.compress(text.encode()), content_type="text/plain")
    assert response.status_code == 200
    assert CapturedEvent.objects.count() == 1 and Person.objects.count() == 1


def test_gzip_past_the_limit_once_decompressed_is_413(tenant, browser, small_limit):
    body = gzip.compress(batch_text(tenant.project.api_token, pad=LIMIT).encode())
    assert len(body) < LIMIT
    response = browser.post("/e/?compression=gzip-js", body, content_type="text/plain")
    assert_error(response, 413, code="request_too_large", detail=too_large_detail(), type="invalid_request", attr=None)
    assert response["Access-Control-Allow-Origin"] == "https://shop.example.com"
    assert_nothing_applied()


def test_gzip_detected_by_magic_bytes_too(tenant, browser, small_limit):
    body = gzip.compress(batch_text(tenant.project.api_token, pad=LIMIT).encode())
    assert_error(browser.post("/e/", body, content_type="text/plain"), 413, code="request_too_large")
    assert_nothing_applied()


def test_lz64_form_within_and_past_the_limit(tenant, browser, small_limit):
    token = tenant.project.api_token
    ok = urlencode({"data": compress_to_base64(batch_text(token, pad=100))})
    response = browser.post("/e/?compression=lz64", ok, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200 and CapturedEvent.objects.count() == 1
    CapturedEvent.objects.all().delete()
    Person.objects.all().delete()
    bomb = urlencode({"data": compress_to_base64(batch_text(token, pad=LIMIT * 50))})
    assert len(bomb) < LIMIT
    response = browser.post("/e/?compression=lz64", bomb, content_type="application/x-www-form-urlencoded")
    assert_error(response, 413, code="request_too_large", detail=too_large_detail())
    assert_nothing_applied()


def test_lz64_plain_body_and_form_field_compression(tenant, browser):
    token = tenant.project.api_token
    data = compress_to_base64(batch_text(token, pad=10))
    assert browser.post("/e/?compression=lz64", data, content_type="text/plain").status_code == 200
    form = urlencode({"data": data, "compression": "lz64"})
    assert browser.post("/e/", form, content_type="application/x-www-form-urlencoded").status_code == 200
    assert CapturedEvent.objects.count() == 2


def test_invalid_lz64_is_400(tenant, browser):
    response = browser.post("/e/?compression=lz64", "data=%21%21%21", content_type="application/x-www-form-urlencoded")
    assert_error(response, 400, code="malformed_data")


def test_base64_past_the_limit_is_413(tenant, browser, settings):
    # A base64 body decodes smaller than it is; the bound applies to what it decodes to all the same.
    text = batch_text(tenant.project.api_token, pad=3000)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = len(text) * 2
    form = urlencode({"data": base64.b64encode(text.encode()).decode()})
    assert browser.post("/e/", form, content_type="application/x-www-form-urlencoded").status_code == 200
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = len(text) - 1
    body = base64.b64encode(text.encode())
    response = browser.post("/e/?compression=base64", body, content_type="text/plain")
    assert response.status_code == 413  # the raw body is over the limit too: Django refuses it first


def test_flags_body_is_bounded_the_same_way(tenant, browser, small_limit):
    payload = {"token": tenant.project.api_token, "distinct_id": "u", "person_properties": {"p": "x" * LIMIT}}
    response = browser.post("/flags/?v=2", gzip.compress(json.dumps(payload).encode()), content_type="text/plain")
    assert_error(response, 413, code="request_too_large", detail=too_large_detail())


# --- events per request and per event ------------------------------------------------------------


def test_events_per_request_limit(tenant, browser, settings):
    settings.CAPTURE_MAX_EVENTS = 5
    token = tenant.project.api_token
    assert browser.post("/e/", batch_text(token, pad=1, count=5), content_type="application/json").status_code == 200
    assert CapturedEvent.objects.count() == 5
    response = browser.post("/e/", batch_text(token, pad=1, count=6), content_type="application/json")
    assert_error(
        response,
        413,
        code="request_too_large",
        detail="Too many events in one request: 6 (limit 5, CAPTURE_MAX_EVENTS).",
    )
    assert CapturedEvent.objects.count() == 5


def test_default_limits():
    from django.conf import settings

    assert (settings.CAPTURE_MAX_EVENTS, settings.CAPTURE_MAX_EVENT_BYTES, settings.EVENTS_RETENTION_DAYS) == (
        1000,
        65536,
        90,
    )


def test_larger_events_are_dropped_not_applied_and_counted_in_the_log(tenant, browser, settings, caplog):
    settings.CAPTURE_MAX_EVENT_BYTES = 500
    token = tenant.project.api_token
    events = [
        {"event": "product tour shown", "distinct_id": "small", "properties": {"token": token, "$set": {"a": 1}}},
        {"event": "product tour shown", "distinct_id": "big1", "properties": {"$set": {"pad": "x" * 600}}},
        {"event": "$identify", "distinct_id": "big2", "properties": {"$anon_distinct_id": "small", "pad": "é" * 300}},
    ]
    with caplog.at_level(logging.WARNING, logger="sdk.services.capture"):
        response = browser.post("/e/", json.dumps(events), content_type="application/json")
    assert response.status_code == 200
    assert list(CapturedEvent.objects.values_list("distinct_id", flat=True)) == ["small"]
    assert set(PersonDistinctId.objects.values_list("distinct_id", flat=True)) == {"small"}
    lines = [r.getMessage() for r in caplog.records if r.name == "sdk.services.capture"]
    assert lines == [
        f"Capture dropped 2 event(s) larger than CAPTURE_MAX_EVENT_BYTES (500 bytes) for project {tenant.project.id}"
    ]


# --- one transaction -------------------------------------------------------------------------------


def test_a_failing_request_leaves_no_person_and_no_event(tenant, browser, monkeypatch):
    import flags.persons as persons

    real = persons._persons_create

    def failing_after_insert(*args, **kwargs):  # the persons are written, then the request fails
        real(*args, **kwargs)
        raise RuntimeError("boom")

    monkeypatch.setattr(persons, "_persons_create", failing_after_insert)
    response = browser.post(
        "/e/", batch_text(tenant.project.api_token, pad=1, count=5), content_type="application/json"
    )
    assert response.status_code == 500
    assert_nothing_applied()


def test_a_thousand_events_are_applied_in_one_request(tenant, browser):
    response = browser.post(
        "/e/", batch_text(tenant.project.api_token, pad=1, count=1000), content_type="application/json"
    )
    assert response.status_code == 200
    assert Person.objects.count() == 1000 and CapturedEvent.objects.count() == 1000
