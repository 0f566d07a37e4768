from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from accounts.models import OrganizationMembership, Project, User
from tests.factories import MembershipFactory, ProjectFactory, UserFactory, make_key


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


@dataclass
class Tenant:
    """A user who owns an organization with one project, and a client carrying a `*` key."""

    user: User
    project: Project
    client: APIClient
    key: str

    @property
    def organization(self):
        return self.project.organization

    def url(self, path: str = "") -> str:
        return f"/api/projects/{self.project.id}/{path}"

    def client_with_scopes(self, *scopes: str, **kwargs) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_key(self.user, scopes, **kwargs)}")
        return client


def make_tenant(level=OrganizationMembership.Level.OWNER) -> Tenant:
    user = UserFactory()
    project = ProjectFactory()
    MembershipFactory(user=user, organization=project.organization, level=level)
    user.current_organization = project.organization
    user.current_project = project
    user.save()
    key = make_key(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return Tenant(user=user, project=project, client=client, key=key)


@pytest.fixture
def tenant(db) -> Tenant:
    return make_tenant()


@pytest.fixture
def other_tenant(db) -> Tenant:
    return make_tenant()


@pytest.fixture
def anon_client() -> APIClient:
    return APIClient()
