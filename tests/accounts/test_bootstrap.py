import io
import json

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from accounts.models import Organization, OrganizationMembership, PersonalAPIKey, Project, User

pytestmark = pytest.mark.django_db


def run_bootstrap(*args) -> dict:
    out = io.StringIO()
    call_command("bootstrap", *args, "--json", stdout=out)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    assert len(lines) == 1, out.getvalue()
    return json.loads(lines[0])


def test_bootstrap_json_contract_and_working_key():
    data = run_bootstrap("--email", "ops@example.com", "--organization", "Acme", "--project", "Web")
    assert set(data) == {
        "user_id",
        "email",
        "organization_id",
        "project_id",
        "project_api_token",
        "personal_api_key",
        "scopes",
    }
    assert data["email"] == "ops@example.com"
    assert data["scopes"] == ["*"]
    assert data["personal_api_key"].startswith("phx_")
    assert data["project_api_token"].startswith("phc_")
    user = User.objects.get(id=data["user_id"])
    org = Organization.objects.get(id=data["organization_id"])
    assert org.name == "Acme" and org.is_ai_data_processing_approved is True
    assert OrganizationMembership.objects.get(user=user, organization=org).level == OrganizationMembership.Level.OWNER
    assert Project.objects.get(id=data["project_id"]).organization == org
    assert user.current_project_id == data["project_id"]

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {data['personal_api_key']}")
    response = client.get("/api/projects/@current/")
    assert response.status_code == 200 and response.json()["id"] == data["project_id"]


def test_bootstrap_is_idempotent_but_always_mints_a_new_key():
    first = run_bootstrap("--email", "ops@example.com", "--organization", "Acme", "--project", "Web")
    second = run_bootstrap("--email", "ops@example.com", "--organization", "Acme", "--project", "Web")
    for field in ("user_id", "organization_id", "project_id", "project_api_token"):
        assert first[field] == second[field]
    assert first["personal_api_key"] != second["personal_api_key"]
    assert PersonalAPIKey.objects.filter(user_id=first["user_id"]).count() == 2
    assert Organization.objects.count() == 1 and Project.objects.count() == 1


def test_bootstrap_scopes_scoped_project_and_no_ai_approval():
    base = run_bootstrap("--email", "a@example.com", "--no-ai-approval")
    assert Organization.objects.get(id=base["organization_id"]).is_ai_data_processing_approved is False
    data = run_bootstrap(
        "--email",
        "a@example.com",
        "--scopes",
        "product_tour:read",
        "feature_flag:write",
        "--scoped-project",
        str(base["project_id"]),
    )
    assert data["scopes"] == ["product_tour:read", "feature_flag:write"]
    key = PersonalAPIKey.objects.get(secure_value__isnull=False, scopes=["product_tour:read", "feature_flag:write"])
    assert key.scoped_projects == [base["project_id"]]


def test_bootstrap_rejects_invalid_scope():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Invalid scope: nope:read"):
        call_command("bootstrap", "--email", "x@example.com", "--scopes", "nope:read", "--json", stdout=io.StringIO())
