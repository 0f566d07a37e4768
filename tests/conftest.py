import pytest
from rest_framework.test import APIClient

from tests.support.tenants import Tenant, make_tenant


@pytest.fixture(autouse=True, scope="session")
def _public_paths_through_the_gateway():
    from tests.gateway_client import install

    install()


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    settings.RATE_LIMIT_ENABLED = False


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    from core.revision_memo import revision_memos_clear

    # Payloads are remembered by project id and revision; SQLite reuses ids after a rollback.
    revision_memos_clear()
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def tenant(db) -> Tenant:
    return make_tenant()


@pytest.fixture
def other_tenant(db) -> Tenant:
    return make_tenant()


@pytest.fixture
def anon_client() -> APIClient:
    return APIClient()
