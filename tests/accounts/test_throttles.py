import pytest

from core.throttles import parse_rates
from tests.support.errors import assert_error

pytestmark = pytest.mark.django_db


def test_parse_rates():
    assert parse_rates("480/minute,4800/hour") == [(480, 60), (4800, 3600)]
    assert parse_rates("10/minute, 100/day") == [(10, 60), (100, 86400)]
    assert parse_rates("5/s") == [(5, 1)]


def test_personal_api_key_burst_limit_gives_429_envelope(tenant, settings):
    settings.RATE_LIMIT_ENABLED = True
    settings.API_RATE_LIMIT = "3/minute,100/hour"
    for _ in range(3):
        assert tenant.client.get(tenant.url()).status_code == 200
    response = tenant.client.get(tenant.url())
    assert_error(response, 429, code="throttled", type="throttled_error")
    assert 1 <= int(response["Retry-After"]) <= 61


def test_each_key_has_its_own_bucket(tenant, settings):
    settings.RATE_LIMIT_ENABLED = True
    settings.API_RATE_LIMIT = "2/minute"
    other = tenant.client_with_scopes("*")
    for _ in range(2):
        assert tenant.client.get(tenant.url()).status_code == 200
    assert tenant.client.get(tenant.url()).status_code == 429
    assert other.get(tenant.url()).status_code == 200


def test_rate_limit_disabled_lets_everything_through(tenant, settings):
    settings.RATE_LIMIT_ENABLED = False
    settings.API_RATE_LIMIT = "1/minute"
    for _ in range(5):
        assert tenant.client.get(tenant.url()).status_code == 200
