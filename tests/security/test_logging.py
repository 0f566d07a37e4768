"""Structured request logs (request id, project id, key id, status, duration) and no secrets in any log."""

import io
import json
import logging
import re
import sys

import pytest
from django.db import OperationalError
from django.test import RequestFactory
from django.urls import resolve
from rest_framework.test import APIClient

from accounts import authentication
from accounts.models import PersonalAPIKey
from core.log_format import JsonFormatter, TextFormatter, current_request_id, secrets_redact
from core.request_log import RequestLogMiddleware
from tours.api.tours import ProductTourViewSet

pytestmark = pytest.mark.django_db

HEX_ID = re.compile(r"^[0-9a-f]{32}$")


@pytest.fixture
def request_logs(caplog):
    caplog.set_level(logging.INFO, logger="core.request_log")

    def lines():
        return [r for r in caplog.records if r.name == "core.request_log"]

    return lines


def key_id_of(tenant) -> str:
    return PersonalAPIKey.objects.get(user=tenant.user).id


def test_one_line_per_request_with_its_fields(tenant, request_logs):
    response = tenant.client.get(tenant.url("product_tours/") + "?search=welcome&personal_api_key=x")
    assert response.status_code == 200
    [line] = request_logs()
    assert line.levelno == logging.INFO
    assert line.method == "GET"
    assert line.path == f"/api/projects/{tenant.project.id}/product_tours/"  # no query string
    assert line.status == 200
    assert isinstance(line.duration_ms, float) and line.duration_ms >= 0
    assert line.project_id == tenant.project.id
    assert line.key_id == key_id_of(tenant)
    assert HEX_ID.match(line.request_id)
    assert response["X-Request-ID"] == line.request_id


def test_current_project_is_resolved_through_the_key(tenant, request_logs):
    tenant.client.get("/api/projects/@current/product_tours/")
    [line] = request_logs()
    assert line.project_id == tenant.project.id


def test_unauthenticated_and_public_requests_have_no_key_id(tenant, request_logs):
    anon = APIClient()
    anon.get(tenant.url(), HTTP_AUTHORIZATION=f"Bearer {tenant.key}x")
    anon.get("/api/product_tours", {"token": tenant.project.api_token})
    bad_key, public = request_logs()
    assert (bad_key.status, bad_key.key_id, bad_key.project_id) == (401, None, tenant.project.id)
    assert (public.status, public.key_id, public.path) == (200, None, "/api/product_tours")


def test_a_sane_request_id_is_kept_and_echoed(tenant, request_logs):
    response = tenant.client.get(tenant.url(), HTTP_X_REQUEST_ID="lb-7f3a.91:trace")
    assert response["X-Request-ID"] == "lb-7f3a.91:trace"
    assert request_logs()[0].request_id == "lb-7f3a.91:trace"


@pytest.mark.parametrize("supplied", ["", "x" * 129, "abc def", 'a"}{"forged": 1', "line\nbreak", "ünïcode"])
def test_an_odd_request_id_is_replaced(tenant, request_logs, supplied):
    response = tenant.client.get(tenant.url(), HTTP_X_REQUEST_ID=supplied)
    assert HEX_ID.match(response["X-Request-ID"])
    assert request_logs()[0].request_id == response["X-Request-ID"]


@pytest.mark.parametrize("path", ["/api/nothing/", "/_health"])
def test_every_answer_carries_a_request_id(client, path):
    assert HEX_ID.match(client.get(path)["X-Request-ID"])


def test_other_records_of_the_request_carry_its_id(tenant, monkeypatch, caplog):
    def down(*args, **kwargs):
        raise OperationalError("Connection refused")

    monkeypatch.setattr(authentication, "personal_api_key_lookup", down)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logging.getLogger().addHandler(handler)
    try:
        response = tenant.client.get(tenant.url())
    finally:
        logging.getLogger().removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    error = next(line for line in lines if line["logger"] == "core.exceptions")
    assert error["level"] == "ERROR"
    assert error["request_id"] == response["X-Request-ID"]
    assert current_request_id.get() is None  # reset after the request


def test_the_middleware_makes_no_database_queries(tenant, django_assert_num_queries):
    key = PersonalAPIKey.objects.select_related("user").get(user=tenant.user)
    request = RequestFactory().get("/api/projects/@current/product_tours/")
    request.resolver_match = resolve(request.path)
    request.auth = key

    def view(req):
        from django.http import HttpResponse

        return HttpResponse("ok")

    with django_assert_num_queries(0):
        response = RequestLogMiddleware(view)(request)
    assert response.status_code == 200


class Capture:
    """Every record any logger emits, raw and as both formatters write it."""

    def __init__(self):
        self.records: list[logging.LogRecord] = []
        self.json, self.text = JsonFormatter(), TextFormatter()
        self.outputs: list[str] = []

    def handle(self, record):
        self.records.append(record)
        if record.exc_info:  # formatting caches the traceback on the record; both formatters see it
            self.outputs.append(logging.Formatter().formatException(record.exc_info))
        self.outputs += [record.getMessage(), self.json.format(record), self.text.format(record)]


@pytest.fixture
def all_logs(monkeypatch):
    capture = Capture()
    handler = logging.Handler(level=logging.DEBUG)
    handler.emit = capture.handle
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield capture
    root.removeHandler(handler)
    root.setLevel(old_level)


def test_no_key_or_token_in_any_log(tenant, all_logs, monkeypatch, settings):
    settings.RATE_LIMIT_ENABLED = True
    key, token, org = tenant.key, tenant.project.api_token, tenant.organization.id
    anon, client = APIClient(), tenant.client
    assert client.get(tenant.url("product_tours/")).status_code == 200
    assert anon.get(tenant.url(), {"personal_api_key": key}).status_code == 200
    assert anon.patch(f"/api/organizations/{org}/", {"personal_api_key": key}, format="json").status_code == 200
    assert anon.get(tenant.url(), HTTP_AUTHORIZATION=f"Bearer {key}x").status_code == 401
    assert anon.get(tenant.url(), {"personal_api_key": key + "x"}).status_code == 401
    assert anon.get("/api/product_tours", {"token": token}).status_code == 200
    assert anon.get("/api/product_tours", {"token": token + "x"}).status_code == 401
    assert anon.post("/api/product_tours", {"token": token}, format="json").status_code == 200
    assert anon.get(f"/array/{token}/config").status_code == 200
    assert anon.post("/flags/?v=2", {"token": token, "distinct_id": "d1"}, format="json").status_code == 200

    def fail(self, request, *args, **kwargs):  # a 500 while a key sits in the query string
        raise RuntimeError("unexpected")

    monkeypatch.setattr(ProductTourViewSet, "list", fail)
    client.raise_request_exception = False
    assert client.get(tenant.url("product_tours/"), {"personal_api_key": key}).status_code == 500

    assert len([r for r in all_logs.records if r.name == "core.request_log"]) == 11
    assert any(r.levelno >= logging.ERROR for r in all_logs.records)  # the 500 was logged
    for output in all_logs.outputs:
        for secret in (key, token, key[4:], token[4:]):
            assert secret not in output, output


def test_formatters_mask_secrets_and_write_fields():
    record = logging.makeLogRecord(
        {
            "name": "t",
            "levelno": logging.WARNING,
            "levelname": "WARNING",
            "msg": "key %s at %s",
            "args": ("phx_AbC123", "/array/phc_XyZ789/config"),
            "status": 401,
            "key_id": "k1",
        }
    )
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "key phx_*** at /array/phc_***/config"
    assert (entry["level"], entry["logger"], entry["status"], entry["key_id"]) == ("WARNING", "t", 401, "k1")
    assert entry["time"].endswith("+00:00")
    text = TextFormatter().format(record)
    assert text.endswith("WARNING t key phx_*** at /array/phc_***/config status=401 key_id=k1")


def test_json_formatter_keeps_the_traceback():
    try:
        raise ValueError("boom phs_secret1")
    except ValueError:
        record = logging.makeLogRecord({"msg": "failed", "exc_info": sys.exc_info(), "levelname": "ERROR"})
    entry = json.loads(JsonFormatter().format(record))
    assert "ValueError: boom phs_***" in entry["exc_info"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bearer phx_abc123XYZ", "Bearer phx_***"),
        ("?token=phc_abc&x=1", "?token=phc_***&x=1"),
        ("/array/phc_Abc9/config.js", "/array/phc_***/config.js"),
        ("phx_...abcd", "phx_...abcd"),  # a key's mask is not a secret
        ("graphx_abc", "graphx_abc"),
        ("nothing here", "nothing here"),
    ],
)
def test_secrets_redact(text, expected):
    assert secrets_redact(text) == expected
