"""`GET /api/projects/{id}/surveys/` and `/surveys/{id}/`: read-only, project-scoped, scope `survey:read`."""

import uuid
from datetime import UTC, datetime

import pytest
from rest_framework.test import APIClient

from tests.support.errors import assert_error
from tests.support.tours import NOW, create
from tours.models import Survey

pytestmark = pytest.mark.django_db


def surveys_url(tenant, path: str = "") -> str:
    return tenant.url(f"surveys/{path}")


def tour_with_surveys(tenant, name="Tour", count=1, **fields) -> dict:
    steps = [
        {"id": f"s{i}", "type": "survey", "survey": {"type": "rating", "questionText": f"Q{i}", "scale": 3}}
        for i in range(count)
    ]
    response = create(tenant, {"name": name, "content": {"steps": steps}, **fields})
    assert response.status_code == 201, response.json()
    return response.json()


def test_retrieve_has_postHogs_survey_fields(tenant):
    tour = tour_with_surveys(tenant, name="Welcome", start_date=NOW)
    step = tour["content"]["steps"][0]
    survey = Survey.objects.get(pk=step["linkedSurveyId"])
    response = tenant.client.get(surveys_url(tenant, f"{survey.pk}/"))
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "id": str(survey.pk),
        "name": f"Welcome - Step 1 Survey ({str(survey.pk)[:8]})",
        "description": "",
        "type": "api",
        "questions": [
            {
                "id": step["linkedSurveyQuestionId"],
                "type": "rating",
                "question": "Q0",
                "scale": 3,
                "display": "emoji",
                "skipSubmitButton": True,
            }
        ],
        "appearance": {"position": "middle_center", "displayThankYouMessage": False, "hideCancelButton": True},
        "start_date": "2025-01-01T12:00:00Z",
        "end_date": None,
        "enable_partial_responses": False,
        "product_tour_id": tour["id"],
        "created_at": body["created_at"],
        "created_by": body["created_by"],
        "updated_at": body["updated_at"],
    }
    assert body["created_by"]["id"] == tenant.user.id and body["created_by"]["email"] == tenant.user.email
    datetime.fromisoformat(body["created_at"].replace("Z", "+00:00"))


def test_list_is_newest_first_and_only_this_projects(tenant, other_tenant):
    tour_with_surveys(other_tenant, name="Theirs")
    first = tour_with_surveys(tenant, name="First")
    second = tour_with_surveys(tenant, name="Second")
    response = tenant.client.get(surveys_url(tenant))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2 and body["previous"] is None and body["next"] is None
    assert [s["id"] for s in body["results"]] == [
        second["content"]["steps"][0]["linkedSurveyId"],
        first["content"]["steps"][0]["linkedSurveyId"],
    ]


def test_list_shows_ended_surveys_of_deleted_tours(tenant):
    tour = tour_with_surveys(tenant, start_date=NOW)
    assert tenant.client.delete(tenant.url(f"product_tours/{tour['id']}/")).status_code == 204
    (item,) = tenant.client.get(surveys_url(tenant)).json()["results"]
    assert item["product_tour_id"] is None and item["end_date"] is not None


def test_list_paginates(tenant):
    tour_with_surveys(tenant, count=5)
    page = tenant.client.get(surveys_url(tenant), {"limit": 2, "offset": 1}).json()
    assert page["count"] == 5 and len(page["results"]) == 2
    assert "offset=3" in page["next"] and "limit=2" in page["next"]
    assert page["previous"] is not None
    everything = tenant.client.get(surveys_url(tenant)).json()["results"]
    assert [s["id"] for s in page["results"]] == [s["id"] for s in everything[1:3]]


def test_trailing_slash_is_optional(tenant):
    tour = tour_with_surveys(tenant)
    survey_id = tour["content"]["steps"][0]["linkedSurveyId"]
    assert tenant.client.get(tenant.url("surveys")).status_code == 200
    assert tenant.client.get(surveys_url(tenant, survey_id)).json()["id"] == survey_id


def test_current_project_alias(tenant):
    tour_with_surveys(tenant)
    response = tenant.client.get("/api/projects/@current/surveys/")
    assert response.status_code == 200 and response.json()["count"] == 1


def test_other_projects_survey_is_404(tenant, other_tenant):
    theirs = tour_with_surveys(other_tenant)["content"]["steps"][0]["linkedSurveyId"]
    assert_error(tenant.client.get(surveys_url(tenant, f"{theirs}/")), 404, code="not_found", detail="Not found.")


@pytest.mark.parametrize("bad_id", ["not-a-uuid", "123", str(uuid.uuid4()), "%00"])
def test_unknown_or_malformed_id_is_404(tenant, bad_id):
    assert_error(tenant.client.get(surveys_url(tenant, f"{bad_id}/")), 404, code="not_found")


@pytest.mark.parametrize("path", ["", "{id}/"])
def test_non_member_is_403(tenant, other_tenant, path):
    theirs = tour_with_surveys(other_tenant)["content"]["steps"][0]["linkedSurveyId"]
    response = tenant.client.get(f"/api/projects/{other_tenant.project.id}/surveys/{path.format(id=theirs)}")
    assert_error(response, 403, code="permission_denied", detail="You don't have access to the project.")


@pytest.mark.parametrize("path", ["", "{id}/"])
def test_unknown_project_is_404_and_anonymous_is_401(tenant, path):
    survey_id = tour_with_surveys(tenant)["content"]["steps"][0]["linkedSurveyId"]
    response = tenant.client.get(f"/api/projects/999999/surveys/{path.format(id=survey_id)}")
    assert_error(response, 404, detail="Project not found.")
    response = APIClient().get(surveys_url(tenant, path.format(id=survey_id)))
    assert_error(response, 401, code="not_authenticated")


@pytest.mark.parametrize("path", ["", "{id}/"])
@pytest.mark.parametrize(
    ("scopes", "allowed"),
    [
        (("survey:read",), True),
        (("survey:write",), True),
        (("*",), True),
        (("product_tour:read",), False),
        (("product_tour:write", "feature_flag:read"), False),
    ],
)
def test_scope_survey_read_is_required(tenant, path, scopes, allowed):
    survey_id = tour_with_surveys(tenant)["content"]["steps"][0]["linkedSurveyId"]
    response = tenant.client_with_scopes(*scopes).get(surveys_url(tenant, path.format(id=survey_id)))
    if allowed:
        assert response.status_code == 200
    else:
        assert_error(response, 403, code="permission_denied", detail="API key missing required scope 'survey:read'")


@pytest.mark.parametrize(("method", "path"), [("post", ""), ("put", "{id}/"), ("patch", "{id}/"), ("delete", "{id}/")])
def test_writes_are_405_and_change_nothing(tenant, method, path):
    survey_id = tour_with_surveys(tenant)["content"]["steps"][0]["linkedSurveyId"]
    before = Survey.objects.get(pk=survey_id)
    for client in (tenant.client, tenant.client_with_scopes("survey:read")):
        response = getattr(client, method)(surveys_url(tenant, path.format(id=survey_id)), {"name": "x"}, format="json")
        assert_error(response, 405, code="method_not_allowed")
    after = Survey.objects.get(pk=survey_id)
    assert (after.name, after.updated_at) == (before.name, before.updated_at)


def test_session_user_can_read(tenant, client):
    client.force_login(tenant.user)
    tour_with_surveys(tenant)
    assert client.get(surveys_url(tenant)).json()["count"] == 1


def test_openapi_schema_lists_the_survey_operations(tenant):
    schema = tenant.client.get("/api/schema/", {"format": "json"}).json()
    operations = {
        op["operationId"]
        for path, item in schema["paths"].items()
        if "/surveys/" in path
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op
    }
    assert operations == {"surveys_list", "surveys_retrieve", "surveys_responses_retrieve"}


def test_admin_lists_surveys_read_only(tenant, client, django_user_model):
    admin = django_user_model.objects.create_superuser(email="admin@example.com", password="pw")
    client.force_login(admin)
    tour = tour_with_surveys(tenant, name="Admin tour", start_date=NOW)
    survey_id = tour["content"]["steps"][0]["linkedSurveyId"]
    body = client.get("/admin/tours/survey/").content.decode()
    assert "Admin tour - Step 1 Survey" in body
    assert "Admin tour - Step 1 Survey" in client.get("/admin/tours/survey/", {"q": "admin tour"}).content.decode()
    assert client.get("/admin/tours/survey/add/").status_code == 403
    detail = client.get(f"/admin/tours/survey/{survey_id}/change/")
    assert detail.status_code == 200
    assert b'name="_save"' not in detail.content  # view only
    ended = client.get("/admin/tours/survey/", {"end_date__isempty": "0"})
    assert ended.status_code == 200 and "Admin tour - Step 1 Survey" not in ended.content.decode()
    running = client.get("/admin/tours/survey/", {"end_date__isempty": "1"})
    assert running.status_code == 200 and "Admin tour - Step 1 Survey" in running.content.decode()
    assert datetime(2025, 1, 1, 12, tzinfo=UTC) == Survey.objects.get(pk=survey_id).start_date
