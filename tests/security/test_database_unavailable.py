"""Database errors meaning "cannot reach it" are a 503 envelope on API paths (both databases; the real
outage, with recovery, is in test_live_server.py)."""

import logging

import pytest
from django.db import InterfaceError, OperationalError

import config.views
import sdk.api.responses
from accounts import authentication
from tests.support.errors import assert_error
from tours.api.tours import ProductTourViewSet

pytestmark = pytest.mark.django_db

DETAIL = "The database is unavailable. Try again shortly."


def down(*args, **kwargs):
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')


def assert_unavailable(response):
    body = assert_error(response, 503, code="service_unavailable", type="server_error", detail=DETAIL, attr=None)
    assert set(body) == {"type", "code", "detail", "attr"}


def test_key_lookup_failing_is_503(tenant, monkeypatch, caplog):
    monkeypatch.setattr(authentication, "personal_api_key_lookup", down)
    with caplog.at_level(logging.INFO):
        assert_unavailable(tenant.client.get(tenant.url("product_tours/")))
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR and r.name.startswith("core")]
    assert len(errors) == 1 and errors[0].exc_info is None  # one line per request, no traceback
    assert "Connection refused" in errors[0].getMessage()


def test_interface_error_inside_a_view_is_503(tenant, monkeypatch):
    def lost(self, request, *args, **kwargs):
        raise InterfaceError("connection already closed")

    monkeypatch.setattr(ProductTourViewSet, "list", lost)
    assert_unavailable(tenant.client.get(tenant.url("product_tours/")))


def test_plain_django_api_view_is_503_too(tenant, anon_client, monkeypatch):
    monkeypatch.setattr(sdk.api.responses, "project_for_token", down)
    assert_unavailable(anon_client.get("/api/product_tours", {"token": tenant.project.api_token}))


def test_other_errors_stay_500(tenant, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("not a database problem")

    monkeypatch.setattr(authentication, "personal_api_key_lookup", boom)
    tenant.client.raise_request_exception = False
    assert_error(tenant.client.get(tenant.url()), 500, code="error", detail="A server error occurred.")


class BrokenConnection:
    def cursor(self):
        raise OperationalError("server closed the connection unexpectedly")


def test_health_is_503_when_the_database_does_not_answer(client, monkeypatch):
    monkeypatch.setattr(config.views, "connection", BrokenConnection())
    response = client.get("/_health")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "checks": {"database": "unavailable", "cache": "ok"}}
