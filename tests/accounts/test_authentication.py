import pytest
from rest_framework.test import APIClient

from accounts.models import OrganizationMembership, PersonalAPIKey
from tests.factories import ProjectFactory, make_key
from tests.support.errors import assert_error
from tests.support.tenants import make_tenant

pytestmark = pytest.mark.django_db


def test_no_credentials_is_401_envelope(tenant, anon_client):
    response = anon_client.get(tenant.url())
    body = assert_error(
        response,
        401,
        code="not_authenticated",
        detail="Authentication credentials were not provided.",
        attr=None,
        type="authentication_error",
    )
    assert set(body) == {"type", "code", "detail", "attr"}
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "how, source",
    [("header", "Authorization header"), ("query", "query string"), ("body", "body")],
)
def test_unknown_key_names_its_source(tenant, anon_client, how, source):
    bad = "phx_definitelynotavalidkey000000000000000000"
    if how == "header":
        anon_client.credentials(HTTP_AUTHORIZATION=f"Bearer {bad}")
        response = anon_client.get(tenant.url())
    elif how == "query":
        response = anon_client.get(tenant.url() + f"?personal_api_key={bad}")
    else:
        response = anon_client.patch(
            f"/api/organizations/{tenant.organization.id}/", {"personal_api_key": bad}, format="json"
        )
    assert_error(
        response,
        401,
        code="authentication_failed",
        detail=f"Personal API key found in request {source} is invalid.",
        attr=None,
    )


def test_key_in_query_string_and_body_are_accepted(tenant, anon_client):
    assert anon_client.get(tenant.url() + f"?personal_api_key={tenant.key}").status_code == 200
    response = anon_client.patch(
        f"/api/organizations/{tenant.organization.id}/",
        {"personal_api_key": tenant.key, "name": "Renamed"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Renamed"


def test_bearer_with_extra_whitespace_works(tenant, anon_client):
    anon_client.credentials(HTTP_AUTHORIZATION=f"Bearer   {tenant.key}  ")
    assert anon_client.get(tenant.url()).status_code == 200


def test_inactive_users_key_fails(tenant):
    tenant.user.is_active = False
    tenant.user.save()
    assert_error(
        tenant.client.get(tenant.url()),
        401,
        code="authentication_failed",
        detail="Personal API key found in request Authorization header is invalid.",
    )


def test_key_is_stored_hashed_only(tenant):
    keys = list(PersonalAPIKey.objects.filter(user=tenant.user))
    assert len(keys) == 1
    key = keys[0]
    assert key.secure_value.startswith("sha256$") and len(key.secure_value) == 7 + 64
    assert tenant.key not in key.secure_value
    assert key.mask_value == f"phx_...{tenant.key[-4:]}"
    for field in PersonalAPIKey._meta.concrete_fields:
        assert getattr(key, field.attname) != tenant.key
    assert tenant.key.startswith("phx_") and len(tenant.key) >= 4 + 43


def test_last_used_at_is_set_then_not_rewritten_within_an_hour(tenant):
    key = PersonalAPIKey.objects.get(user=tenant.user)
    assert key.last_used_at is None
    tenant.client.get(tenant.url())
    key.refresh_from_db()
    first = key.last_used_at
    assert first is not None
    tenant.client.get(tenant.url())
    key.refresh_from_db()
    assert key.last_used_at == first


def test_missing_scope_names_the_scope(tenant):
    client = tenant.client_with_scopes("feature_flag:read")
    assert_error(
        client.get(tenant.url()),
        403,
        code="permission_denied",
        detail="API key missing required scope 'project:read'",
        attr=None,
        type="authentication_error",
    )


def test_write_scope_implies_read(tenant):
    assert tenant.client_with_scopes("project:write").get(tenant.url()).status_code == 200
    assert tenant.client_with_scopes("project:read").get(tenant.url()).status_code == 200


def test_empty_scopes_grant_nothing(tenant):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_key(tenant.user, [])}")
    assert_error(client.get(tenant.url()), 403, code="permission_denied")


def test_scoped_key_on_another_project_is_403(tenant):
    other_project = ProjectFactory(organization=tenant.organization)
    client = tenant.client_with_scopes("*", scoped_projects=[other_project.id])
    assert_error(
        client.get(tenant.url()),
        403,
        detail=f"API key does not have access to the requested project: ID {tenant.project.id}.",
    )
    assert client.get(f"/api/projects/{other_project.id}/").status_code == 200


def test_scoped_key_on_non_project_endpoint_is_403(tenant):
    client = tenant.client_with_scopes("*", scoped_projects=[tenant.project.id])
    assert_error(
        client.get(f"/api/organizations/{tenant.organization.id}/"),
        403,
        detail="API keys with scoped projects are only supported on project-based endpoints.",
    )


def test_key_scoped_to_another_organization_is_403(tenant, other_tenant):
    client = tenant.client_with_scopes("*", scoped_organizations=[str(other_tenant.organization.id)])
    assert_error(
        client.get(tenant.url()),
        403,
        detail=f"API key does not have access to the requested organization: ID {tenant.organization.id}.",
    )


def test_non_member_gets_403_on_existing_project(tenant, other_tenant):
    assert_error(
        tenant.client.get(other_tenant.url()),
        403,
        code="permission_denied",
        detail="You don't have access to the project.",
        attr=None,
    )


@pytest.mark.parametrize("project_id", ["999999999", "not-a-number", "-1", "99999999999999999999999"])
def test_unknown_project_is_404(tenant, project_id):
    assert_error(
        tenant.client.get(f"/api/projects/{project_id}/"),
        404,
        code="not_found",
        detail="Project not found.",
        attr=None,
        type="invalid_request",
    )


def test_current_resolves_to_users_current_project(tenant):
    response = tenant.client.get("/api/projects/@current/")
    assert response.status_code == 200
    assert response.json()["id"] == tenant.project.id
    assert response.json()["api_token"] == tenant.project.api_token


def test_current_without_current_project_is_404(tenant):
    tenant.user.current_project = None
    tenant.user.save()
    assert_error(tenant.client.get("/api/projects/@current/"), 404, detail="Project not found.")


def test_trailing_slash_optional(tenant):
    assert tenant.client.get(f"/api/projects/{tenant.project.id}").status_code == 200
    assert tenant.client.get(f"/api/projects/{tenant.project.id}/").status_code == 200


def test_member_level_can_read_project(db):
    member = make_tenant(level=OrganizationMembership.Level.MEMBER)
    assert member.client.get(member.url()).status_code == 200


def test_session_authentication_skips_scopes(tenant):
    client = APIClient()
    client.force_login(tenant.user)
    assert client.get(tenant.url()).status_code == 200
