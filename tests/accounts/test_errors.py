import pytest
from django.test import override_settings
from django.urls import path

from tests.support.errors import assert_error

pytestmark = pytest.mark.django_db


def test_unknown_api_path_is_404_envelope(tenant):
    body = assert_error(tenant.client.get("/api/does-not-exist/"), 404, code="not_found", detail="Not found.")
    assert body["type"] == "invalid_request"


def test_method_not_allowed_is_405_envelope_for_key_requests(tenant):
    assert_error(
        tenant.client.delete(tenant.url()),
        405,
        code="method_not_allowed",
        detail='Method "DELETE" not allowed.',
        type="invalid_request",
        attr=None,
    )


def test_malformed_json_is_400_parse_error(tenant):
    response = tenant.client.generic(
        "PATCH", f"/api/organizations/{tenant.organization.id}/", "{not json", content_type="application/json"
    )
    assert_error(response, 400, code="parse_error", type="invalid_request")


def _boom(request):
    raise RuntimeError("secret internal detail")


urlpatterns = [path("api/boom/", _boom)]


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_unhandled_error_is_500_envelope_without_trace(client):
    client.raise_request_exception = False
    response = client.get("/api/boom/")
    assert response.status_code == 500
    assert response.json() == {
        "type": "server_error",
        "code": "error",
        "detail": "A server error occurred.",
        "attr": None,
    }
    assert b"secret internal detail" not in response.content


def test_oversize_body_is_413_envelope(tenant, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = tenant.client.patch(f"/api/organizations/{tenant.organization.id}/", {"name": "x" * 5000}, format="json")
    assert_error(response, 413, code="request_too_large")


def test_health_ok(client):
    response = client.get("/_health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}


@pytest.mark.parametrize("method", ["post", "patch", "put", "delete"])
def test_unknown_api_path_is_404_envelope_for_every_method(tenant, method):
    response = getattr(tenant.client, method)("/api/projects/1/nothing-here/", {"a": 1}, format="json")
    assert_error(response, 404, code="not_found", detail="Not found.")


def test_csrf_failure_on_api_path_is_envelope(tenant):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(tenant.user)
    response = client.patch(
        f"/api/organizations/{tenant.organization.id}/", '{"name": "x"}', content_type="application/json"
    )
    assert_error(response, 403, type="authentication_error")
