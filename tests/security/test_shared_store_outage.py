"""A shared store (Redis) that does not answer: requests are served, rate limits fail open with one
warning, health says `degraded` (the real kill-and-restart of a Redis server is in tests/topology)."""

import logging

import pytest

from core import shared_store
from tests.live import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_down(settings):
    port = free_port()  # nothing listens there
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    settings.RATE_LIMIT_ENABLED = True
    settings.API_RATE_LIMIT = "1/minute"
    settings.PUBLIC_RATE_LIMIT = "1/minute"
    shared_store._recovered()
    yield
    shared_store._recovered()


def test_requests_are_served_and_one_warning_is_logged(tenant, client, redis_down, caplog):
    with caplog.at_level(logging.WARNING, logger="core.shared_store"):
        for _ in range(3):  # over both limits: nothing can be counted, so nothing is refused
            assert tenant.client.get(tenant.url("product_tours/")).status_code == 200
            assert client.get("/api/product_tours", {"token": tenant.project.api_token}).status_code == 200
    warnings = [r for r in caplog.records if r.name == "core.shared_store"]
    assert len(warnings) == 1 and "rate limits are not counted" in warnings[0].getMessage()


def test_invalid_key_lookups_are_still_refused_as_invalid(client, redis_down):
    response = client.get("/api/projects/1/product_tours/", HTTP_AUTHORIZATION="Bearer phx_nope")
    assert response.status_code == 401


def test_health_is_degraded_not_down(client, redis_down):
    response = client.get("/_health")
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "checks": {"database": "ok", "cache": "unavailable"}}


def test_health_recovers_when_the_store_answers_again(client, redis_down, settings):
    assert client.get("/_health").json()["status"] == "degraded"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert client.get("/_health").json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}
    assert shared_store._available()  # counting resumes without waiting for the pause to end
