"""Guessing personal API keys: a per-IP budget of failed lookups (`INVALID_KEY_RATE_LIMIT`)."""

from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient

from core import throttles
from core.throttles import client_ip
from tests.support.errors import assert_error

pytestmark = pytest.mark.django_db

BAD_KEY_DETAIL = "Personal API key found in request Authorization header is invalid."


@pytest.fixture
def limits(settings):
    settings.RATE_LIMIT_ENABLED = True
    settings.API_RATE_LIMIT = "1000/minute"
    settings.INVALID_KEY_RATE_LIMIT = "3/minute,5/hour"
    return settings


def bad(client: APIClient, url: str, n: int, **extra):
    client.credentials(HTTP_AUTHORIZATION=f"Bearer phx_wrong{n}")
    return client.get(url, **extra)


def use_up_budget(tenant, count: int = 3, **extra):
    client = APIClient()
    for n in range(count):
        assert_error(bad(client, tenant.url(), n, **extra), 401, code="authentication_failed", detail=BAD_KEY_DETAIL)
    return client


def assert_throttled(response, max_wait: int = 61):
    body = assert_error(response, 429, code="throttled", type="throttled_error", attr=None)
    assert body["detail"].startswith("Request was throttled."), body
    assert 1 <= int(response["Retry-After"]) <= max_wait


def test_other_bad_keys_from_the_same_ip_get_429_after_the_budget(limits, tenant):
    client = use_up_budget(tenant)
    assert_throttled(bad(client, tenant.url(), 99))
    assert_throttled(bad(client, tenant.url("product_tours/"), 100))


def test_keys_in_body_and_query_string_count_too(limits, tenant):
    anon = APIClient()
    anon.get(tenant.url(), {"personal_api_key": "phx_guess1"})
    anon.patch(f"/api/organizations/{tenant.organization.id}/", {"personal_api_key": "phx_guess2"}, format="json")
    anon.get(tenant.url(), {"personal_api_key": "phx_guess3"})
    assert_throttled(anon.get(tenant.url(), {"personal_api_key": "phx_guess4"}))


def test_a_valid_key_from_the_blocked_ip_waits_too_and_works_from_elsewhere(limits, tenant):
    # Decided (README "Security"): a blocked address gets no key lookups at all, or the 429 would only
    # label the wrong guesses and a right one would still get through.
    use_up_budget(tenant)
    assert_throttled(tenant.client.get(tenant.url()))
    assert tenant.client.get(tenant.url(), REMOTE_ADDR="10.0.0.2").status_code == 200


def test_each_ip_has_its_own_budget(limits, tenant):
    use_up_budget(tenant)
    use_up_budget(tenant, REMOTE_ADDR="10.0.0.2")
    assert_throttled(bad(APIClient(), tenant.url(), 7, REMOTE_ADDR="10.0.0.2"))


def test_valid_keys_do_not_use_the_budget(limits, tenant):
    for _ in range(10):
        assert tenant.client.get(tenant.url()).status_code == 200
    use_up_budget(tenant)


def test_requests_without_a_key_are_not_throttled_by_it(limits, tenant, anon_client):
    use_up_budget(tenant)
    assert_error(anon_client.get(tenant.url()), 401, code="not_authenticated")
    response = anon_client.get("/api/product_tours", {"token": tenant.project.api_token})
    assert response.status_code == 200


def test_budget_comes_back_when_the_window_passes_then_the_hour_limit_holds(limits, tenant, monkeypatch):
    now = 1_700_000_000.0  # a minute boundary is not crossed inside the first three requests
    monkeypatch.setattr(throttles.time, "time", lambda: now)
    client = use_up_budget(tenant)
    assert_throttled(bad(client, tenant.url(), 3))
    now += 61
    monkeypatch.setattr(throttles.time, "time", lambda: now)
    use_up_budget(tenant, count=2)  # 5 failures this hour
    response = bad(client, tenant.url(), 4)
    assert_throttled(response, max_wait=3601)
    assert int(response["Retry-After"]) > 61  # the hour bucket is the one that answers


def test_rate_limit_disabled_never_blocks(limits, tenant):
    limits.RATE_LIMIT_ENABLED = False
    use_up_budget(tenant, count=10)
    assert tenant.client.get(tenant.url()).status_code == 200


def test_forwarded_for_is_ignored_without_trusted_proxies(limits, tenant):
    use_up_budget(tenant)
    # A client inventing X-Forwarded-For does not get a fresh budget.
    assert_throttled(bad(APIClient(), tenant.url(), 5, HTTP_X_FORWARDED_FOR="203.0.113.9"))


def test_behind_a_trusted_proxy_the_forwarded_client_is_the_ident(limits, tenant):
    limits.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    use_up_budget(tenant, HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy)
    # The same client, whatever it prepends itself, is still blocked ...
    assert_throttled(bad(APIClient(), tenant.url(), 5, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9", **proxy))
    # ... while another client behind the same proxy is not.
    assert bad(APIClient(), tenant.url(), 6, HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy).status_code == 401


def _request(remote="10.0.0.1", forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return SimpleNamespace(META=meta)


@pytest.mark.parametrize(
    ("hops", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.1"),
        (1, None, "10.0.0.1"),
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.5", "203.0.113.9"),
        (2, "203.0.113.9", "10.0.0.1"),  # fewer entries than proxies: not trustworthy
        (1, "not-an-ip", "10.0.0.1"),
        (1, " 2001:db8::1 ", "2001:db8::1"),
    ],
)
def test_client_ip(settings, hops, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = hops
    assert client_ip(_request(forwarded=forwarded)) == expected
