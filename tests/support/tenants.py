"""A tenant: a user owning an organization with one project, and an API client carrying a `*` key."""

from dataclasses import dataclass

from rest_framework.test import APIClient

from accounts.models import OrganizationMembership, Project, User
from tests.factories import MembershipFactory, ProjectFactory, UserFactory, make_key


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
