"""`PUBLIC_RATE_LIMIT`: one budget per client IP over every endpoint posthog-js calls (the cross-worker,
cross-instance count is in tests/topology)."""

import json

import pytest
from django.test import Client

from tests.support.errors import assert_error

pytestmark = pytest.mark.django_db

ORIGIN = "https://shop.example.com"


@pytest.fixture
def limited(settings):
    settings.RATE_LIMIT_ENABLED = True
    settings.PUBLIC_RATE_LIMIT = "4/minute"


def requests_for(token: str):
    """One of each public endpoint, as posthog-js sends them."""
    browser = Client(HTTP_ORIGIN=ORIGIN, REMOTE_ADDR="203.0.113.7")
    return [
        lambda: browser.get(f"/array/{token}/config.js"),
        lambda: browser.post("/flags/?v=2", json.dumps({"token": token, "distinct_id": "d"}), "application/json"),
        lambda: browser.get("/api/product_tours", {"token": token}),
        lambda: browser.post(
            "/e/", json.dumps({"token": token, "event": "$pageview", "distinct_id": "d"}), "application/json"
        ),
    ]


def test_budget_is_shared_by_all_public_endpoints(tenant, limited):
    calls = requests_for(tenant.project.api_token)
    assert [call().status_code for call in calls] == [200, 200, 200, 200]
    for call in calls:
        response = call()
        body = assert_error(response, 429, code="throttled", type="throttled_error", attr=None)
        assert body["detail"].startswith("Request was throttled.")
        assert 1 <= int(response["Retry-After"]) <= 60
        assert response["Access-Control-Allow-Origin"] == ORIGIN  # the browser can read the answer


def test_other_addresses_preflights_and_bundles_are_not_counted(tenant, limited):
    token = tenant.project.api_token
    browser = Client(HTTP_ORIGIN=ORIGIN, REMOTE_ADDR="203.0.113.7")
    for _ in range(6):
        assert browser.options("/flags/").status_code == 200
        assert browser.get("/static/array.js").status_code in (200, 404)  # bundles: never a 429
    for call in requests_for(token):
        assert call().status_code == 200
    assert requests_for(token)[0]().status_code == 429
    neighbour = Client(REMOTE_ADDR="198.51.100.1")
    assert neighbour.get("/api/product_tours", {"token": token}).status_code == 200


def test_unknown_tokens_spend_the_budget_too(tenant, limited):
    browser = Client(REMOTE_ADDR="203.0.113.9")
    assert [browser.get("/api/product_tours", {"token": f"phc_guess{n}"}).status_code for n in range(5)] == [
        401,
        401,
        401,
        401,
        429,
    ]


def test_keyed_api_is_not_counted_against_the_public_budget(tenant, limited):
    browser = Client(REMOTE_ADDR="127.0.0.1")
    for _ in range(4):
        assert browser.get("/api/product_tours", {"token": tenant.project.api_token}).status_code == 200
    assert tenant.client.get(tenant.url("product_tours/")).status_code == 200
