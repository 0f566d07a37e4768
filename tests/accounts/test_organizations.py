import pytest

from accounts.models import OrganizationMembership
from tests.factories import MembershipFactory
from tests.support.errors import assert_error
from tests.support.tenants import make_tenant

pytestmark = pytest.mark.django_db


def test_retrieve_organization(tenant):
    response = tenant.client.get(f"/api/organizations/{tenant.organization.id}/")
    assert response.status_code == 200
    body = response.json()
    assert {"id", "name", "slug", "is_ai_data_processing_approved", "created_at"} <= set(body)
    assert body["id"] == str(tenant.organization.id)
    assert tenant.client.get("/api/organizations/@current/").json()["id"] == str(tenant.organization.id)


def test_owner_can_withdraw_ai_consent(tenant):
    response = tenant.client.patch(
        f"/api/organizations/{tenant.organization.id}/", {"is_ai_data_processing_approved": False}, format="json"
    )
    assert response.status_code == 200
    tenant.organization.refresh_from_db()
    assert tenant.organization.is_ai_data_processing_approved is False


def test_member_cannot_update_organization(tenant):
    member = make_tenant()
    MembershipFactory(user=member.user, organization=tenant.organization, level=OrganizationMembership.Level.MEMBER)
    url = f"/api/organizations/{tenant.organization.id}/"
    assert member.client.get(url).status_code == 200
    assert_error(member.client.patch(url, {"name": "Hijack"}, format="json"), 403, code="permission_denied")
    tenant.organization.refresh_from_db()
    assert tenant.organization.name != "Hijack"


def test_other_organization_is_404(tenant, other_tenant):
    assert_error(tenant.client.get(f"/api/organizations/{other_tenant.organization.id}/"), 404, code="not_found")
    assert_error(tenant.client.get("/api/organizations/not-a-uuid/"), 404, code="not_found")


def test_organization_scopes(tenant):
    url = f"/api/organizations/{tenant.organization.id}/"
    read_only = tenant.client_with_scopes("organization:read")
    assert read_only.get(url).status_code == 200
    assert_error(
        read_only.patch(url, {"name": "x"}, format="json"),
        403,
        detail="API key missing required scope 'organization:write'",
    )
