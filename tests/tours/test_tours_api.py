"""§3–6 and §13: create, list, retrieve, update (PATCH/PUT), delete — shapes, status codes, DB state."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from flags.models import FeatureFlag
from tests.support.errors import assert_error
from tests.support.tenants import make_tenant
from tests.support.tours import NOW, create, make_flag, make_tour, patch, tour_url, tours_url
from tours.models import ProductTour

pytestmark = pytest.mark.django_db

FLAG_KEYS = {
    "id", "team_id", "name", "key", "filters", "deleted", "active", "ensure_experience_continuity",
    "has_encrypted_payloads", "version", "evaluation_runtime", "bucketing_identifier", "evaluation_tags",
    "evaluation_contexts",
}  # fmt: skip
USER_KEYS = {
    "id", "uuid", "distinct_id", "first_name", "last_name", "email", "is_email_verified", "hedgehog_config",
    "role_at_organization",
}  # fmt: skip
READ_KEYS = {
    "id", "name", "description", "internal_targeting_flag", "linked_flag", "targeting_flag_filters", "content",
    "draft_content", "has_draft", "auto_launch", "start_date", "end_date", "created_at", "created_by", "updated_at",
    "archived",
}  # fmt: skip
WRITE_RESPONSE_KEYS = {
    "id", "name", "description", "internal_targeting_flag", "linked_flag", "linked_flag_id", "targeting_flag_filters",
    "content", "auto_launch", "start_date", "end_date", "created_at", "created_by", "updated_at", "archived",
    "creation_context",
}  # fmt: skip

ONBOARDING = {
    "name": "Onboarding tour",
    "description": "Welcome new users to the app",
    "content": {
        "steps": [
            {
                "selector": "#dashboard-button",
                "title": "Welcome!",
                "description": "Click here to view your dashboard",
                "position": "bottom",
            }
        ]
    },
}


def test_create_basic(tenant, events):
    """T-create-basic."""
    response = create(tenant, ONBOARDING)
    assert response.status_code == 201, response.json()
    body = response.json()
    tour = ProductTour.objects.get(pk=body["id"])
    assert tour.name == body["name"] == "Onboarding tour"
    assert tour.project_id == tenant.project.id
    assert tour.description == "Welcome new users to the app"
    assert tour.content == ONBOARDING["content"]
    assert tour.created_by_id == tenant.user.id == body["created_by"]["id"]
    assert body["internal_targeting_flag"] is None and tour.internal_targeting_flag_id is None
    assert body["creation_context"] == "app"
    assert events == [
        ("product tour created", {"tour_id": body["id"], "tour_name": "Onboarding tour", "creation_context": "app"})
    ]


def test_create_toolbar(tenant, events):
    """T-create-toolbar."""
    response = create(tenant, {"name": "Toolbar tour", "content": {"steps": []}, "creation_context": "toolbar"})
    assert response.status_code == 201
    assert response.json()["creation_context"] == "toolbar"
    assert [(name, props["creation_context"]) for name, props in events] == [("product tour created", "toolbar")]


def test_create_response_carries_every_documented_key(tenant):
    flag = make_flag(tenant.project)
    response = create(tenant, {"name": "Keys", "auto_launch": True, "linked_flag_id": flag.id})
    body = response.json()
    assert response.status_code == 201
    assert WRITE_RESPONSE_KEYS <= set(body)
    assert READ_KEYS <= set(body)
    assert FLAG_KEYS <= set(body["internal_targeting_flag"]) and FLAG_KEYS <= set(body["linked_flag"])
    assert USER_KEYS <= set(body["created_by"])
    assert body["linked_flag_id"] == flag.id == body["linked_flag"]["id"]
    assert body["linked_flag"]["team_id"] == tenant.project.id
    assert body["targeting_flag_filters"] is None
    assert "search_match_type" not in body


def test_create_defaults(tenant):
    body = create(tenant, {"name": "Minimal"}).json()
    assert body["description"] == ""
    assert body["content"] == {}
    assert body["auto_launch"] is False and body["archived"] is False
    assert body["start_date"] is None and body["end_date"] is None
    assert body["draft_content"] is None and body["has_draft"] is False
    assert body["linked_flag"] is None and body["linked_flag_id"] is None


def test_create_without_auto_launch_ignores_targeting(tenant):
    response = create(
        tenant,
        {
            "name": "Manual",
            "targeting_flag_filters": {"groups": [{"properties": [{"key": "a", "value": "b", "type": "person"}]}]},
        },
    )
    assert response.status_code == 201
    assert response.json()["internal_targeting_flag"] is None
    assert response.json()["targeting_flag_filters"] is None
    assert not FeatureFlag.objects.filter(project=tenant.project).exists()


def test_list(tenant, other_tenant):
    """T-list, scoped to the project, newest first, paginated."""
    first = make_tour(tenant.project, name="Tour 1")
    second = make_tour(tenant.project, name="Tour 2")
    make_tour(other_tenant.project, name="Elsewhere")
    response = tenant.client.get(tours_url(tenant))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2 and body["next"] is None and body["previous"] is None
    assert [row["id"] for row in body["results"]] == [str(second.id), str(first.id)]
    assert all(READ_KEYS <= set(row) and "search_match_type" not in row for row in body["results"])


def test_list_pagination(tenant):
    for i in range(5):
        make_tour(tenant.project, name=f"Tour {i}")
    body = tenant.client.get(tours_url(tenant), {"limit": 2, "offset": 2}).json()
    assert body["count"] == 5 and len(body["results"]) == 2
    assert "offset=4" in body["next"] and "limit=2" in body["next"]
    assert body["previous"] is not None


def test_archived_tours_are_listed_and_retrievable(tenant):
    tour = make_tour(tenant.project, name="Old", archived=True)
    assert [row["id"] for row in tenant.client.get(tours_url(tenant)).json()["results"]] == [str(tour.id)]
    response = tenant.client.get(tour_url(tenant, tour.id))
    assert response.status_code == 200 and response.json()["archived"] is True


def test_retrieve_draft_fields(tenant):
    """T-retrieve-draft-fields."""
    drafted = make_tour(tenant.project, name="Drafted tour", draft_content={"name": "Drafted"})
    plain = make_tour(tenant.project, name="Plain")
    body = tenant.client.get(tour_url(tenant, drafted.id)).json()
    assert body["draft_content"] == {"name": "Drafted"} and body["has_draft"] is True
    body = tenant.client.get(tour_url(tenant, plain.id)).json()
    assert body["draft_content"] is None and body["has_draft"] is False


def test_retrieve_shape(tenant):
    flag = make_flag(tenant.project)
    tour = make_tour(tenant.project, name="Shape", linked_flag=flag, created_by=tenant.user)
    body = tenant.client.get(tour_url(tenant, tour.id)).json()
    assert READ_KEYS <= set(body)
    assert body["id"] == str(tour.id)
    assert body["linked_flag"]["key"] == "linked-flag"
    assert body["created_by"]["email"] == tenant.user.email
    assert tenant.client.get(tenant.url(f"product_tours/{tour.id}")).status_code == 200  # no trailing slash


def test_update_name(tenant, events):
    """T-update-name."""
    tour = make_tour(tenant.project, name="Original name")
    response = patch(tenant, tour.id, {"name": "Updated name"})
    assert response.status_code == 200
    assert response.json()["name"] == "Updated name"
    assert WRITE_RESPONSE_KEYS <= set(response.json())
    tour.refresh_from_db()
    assert tour.name == "Updated name"
    assert [(name, props["tour_name"]) for name, props in events] == [("product tour updated", "Updated name")]


def test_launch_event(tenant, events):
    """T-launch-event: exactly updated + launched."""
    tour = make_tour(tenant.project)
    assert patch(tenant, tour.id, {"start_date": NOW}).status_code == 200
    assert [name for name, _ in events] == ["product tour updated", "product tour launched"]


def test_stop_event(tenant, events):
    """T-stop-event: exactly updated + stopped."""
    tour = make_tour(tenant.project, start_date="2024-12-01T00:00:00Z")
    assert patch(tenant, tour.id, {"end_date": NOW}).status_code == 200
    assert [name for name, _ in events] == ["product tour updated", "product tour stopped"]


def test_launch_and_stop_together_reports_launch_only(tenant, events):
    tour = make_tour(tenant.project)
    assert patch(tenant, tour.id, {"start_date": NOW, "end_date": NOW}).status_code == 200
    assert [name for name, _ in events] == ["product tour updated", "product tour launched"]


def test_patch_clears_draft(tenant):
    """A normal PATCH discards the draft."""
    tour = make_tour(tenant.project, name="Live", draft_content={"name": "Old draft"})
    response = patch(tenant, tour.id, {"name": "Directly updated"})
    assert response.status_code == 200
    assert response.json()["draft_content"] is None and response.json()["has_draft"] is False
    tour.refresh_from_db()
    assert tour.draft_content is None and tour.name == "Directly updated"


def test_failed_patch_keeps_draft(tenant):
    tour = make_tour(tenant.project, name="Live", draft_content={"name": "Old draft"})
    assert patch(tenant, tour.id, {"content": "nope"}).status_code == 400
    tour.refresh_from_db()
    assert tour.draft_content == {"name": "Old draft"} and tour.name == "Live"


def test_put_replaces_and_clears_draft(tenant):
    tour = make_tour(tenant.project, name="Before", description="d", draft_content={"name": "x"})
    response = tenant.client.put(
        tour_url(tenant, tour.id), {"name": "After", "content": {"steps": [{"id": "s"}]}}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["name"] == "After"
    tour.refresh_from_db()
    assert (tour.name, tour.content, tour.draft_content) == ("After", {"steps": [{"id": "s"}]}, None)


def test_put_requires_name(tenant):
    tour = make_tour(tenant.project, name="Named")
    assert_error(
        tenant.client.put(tour_url(tenant, tour.id), {"description": "x"}, format="json"),
        400,
        code="required",
        attr="name",
        detail="This field is required.",
    )


def test_delete_is_hard_and_removes_flag(tenant, events):
    """§13: 204, no row (archived included), the internal flag row is gone too."""
    body = create(tenant, {"name": "Doomed", "auto_launch": True}).json()
    flag_id = body["internal_targeting_flag"]["id"]
    response = tenant.client.delete(tour_url(tenant, body["id"]))
    assert response.status_code == 204
    assert response.content == b""
    assert not ProductTour.objects.filter(pk=body["id"]).exists()
    assert not FeatureFlag.objects.filter(pk=flag_id).exists()
    assert tenant.client.get(tenant.url(f"feature_flags/{flag_id}/")).status_code == 404
    assert tenant.client.get(tour_url(tenant, body["id"])).status_code == 404
    assert events[-1] == ("product tour deleted", {"tour_id": body["id"], "tour_name": "Doomed"})


def test_delete_archived_tour_without_flag(tenant):
    tour = make_tour(tenant.project, archived=True)
    linked = make_flag(tenant.project)
    tour.linked_flag = linked
    tour.save()
    assert tenant.client.delete(tour_url(tenant, tour.id)).status_code == 204
    assert not ProductTour.objects.filter(pk=tour.id).exists()
    assert FeatureFlag.objects.filter(pk=linked.pk).exists()  # a linked flag is not ours to delete


# --- bodies: forms and JSON -------------------------------------------------------------------


def test_create_with_form_body(tenant):
    response = tenant.client.post(tours_url(tenant), {"name": "string"}, format="multipart")
    assert response.status_code == 201, response.json()
    response = tenant.client.post(
        tours_url(tenant),
        "name=Form+tour&auto_launch=true&content=%7B%22steps%22%3A%5B%5D%7D",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["name"] == "Form tour" and body["auto_launch"] is True and body["content"] == {"steps": []}
    assert body["internal_targeting_flag"] is not None


def test_documented_curl_create_with_json_header_and_form_body(tenant):
    """The page's create example: `-H 'Content-Type: application/json' -d name="string"`."""
    response = tenant.client.post(tours_url(tenant), "name=string", content_type="application/json")
    assert response.status_code == 201, response.json()
    assert response.json()["name"] == "string"


def test_patch_with_form_body(tenant):
    tour = make_tour(tenant.project, name="Before")
    response = tenant.client.patch(
        tour_url(tenant, tour.id), "name=string", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200 and response.json()["name"] == "string"
    tour.refresh_from_db()
    assert tour.name == "string" and tour.content == {"steps": []}  # nothing else touched


def test_form_json_fields(tenant):
    flag_filters = json.dumps({"groups": [{"properties": [{"key": "plan", "value": "pro", "type": "person"}]}]})
    response = tenant.client.post(
        tours_url(tenant),
        {
            "name": "Form JSON",
            "auto_launch": "true",
            "content": '{"steps": []}',
            "targeting_flag_filters": flag_filters,
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["targeting_flag_filters"]["groups"][0]["properties"][0]["key"] == "plan"


@pytest.mark.parametrize(
    ("field", "value"),
    [("content", "{not json"), ("content", "NaN"), ("content", "[1e999]"), ("targeting_flag_filters", "{")],
)
def test_form_json_fields_malformed(tenant, field, value):
    response = tenant.client.post(tours_url(tenant), {"name": "Bad form", field: value}, format="multipart")
    assert_error(response, 400, attr=field)
    assert not ProductTour.objects.exists()


def test_form_content_must_be_object(tenant):
    response = tenant.client.post(tours_url(tenant), {"name": "Form list", "content": "[1, 2]"}, format="multipart")
    assert_error(response, 400, attr="content", detail="Content must be an object")


def test_malformed_json_body(tenant):
    response = tenant.client.post(tours_url(tenant), '{"name": ', content_type="application/json")
    assert_error(response, 400, code="parse_error")
    response = tenant.client.post(tours_url(tenant), '{"name": NaN}', content_type="application/json")
    assert_error(response, 400, code="parse_error")
    response = tenant.client.post(tours_url(tenant), "[" * 100000, content_type="application/json")
    assert_error(response, 400, code="parse_error")


# --- queries ---------------------------------------------------------------------------------


def _list_queries(tenant, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert tenant.client.get(tours_url(tenant), params).status_code == 200
    return len(queries)


def test_list_query_count_does_not_grow(tenant, django_assert_max_num_queries):
    linked = make_flag(tenant.project)
    for i in range(2):
        create(tenant, {"name": f"Auto {i}", "auto_launch": True, "linked_flag_id": linked.id})
    few, few_searched = _list_queries(tenant), _list_queries(tenant, search="Auto")
    for i in range(10):
        create(tenant, {"name": f"More {i}", "auto_launch": True, "linked_flag_id": linked.id})
        make_tour(tenant.project, name=f"Plain {i}", created_by=make_tenant().user)
        create(tenant, {"name": f"Auto more {i}", "auto_launch": True})
    assert _list_queries(tenant) == few
    with django_assert_max_num_queries(few_searched):
        body = tenant.client.get(tours_url(tenant), {"search": "Auto"}).json()
    assert body["count"] == 12


def test_update_and_delete_lock_the_tour_row(tenant):
    """Concurrent writers queue on the row (SQLite has no row locks: it serialises writers itself)."""
    tour = make_tour(tenant.project)
    with CaptureQueriesContext(connection) as queries:
        assert patch(tenant, tour.id, {"name": "Locked"}).status_code == 200
        assert tenant.client.delete(tour_url(tenant, tour.id)).status_code == 204
    locking = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"] and "tours_producttour" in q["sql"]]
    assert len(locking) == (2 if connection.vendor == "postgresql" else 0)


def test_writing_a_concurrently_deleted_tour_is_404(tenant):
    from core.errors import NotFound
    from tours.services.tours import tour_delete, tour_update

    stale = make_tour(tenant.project)
    ProductTour.objects.filter(pk=stale.pk).delete()
    with pytest.raises(NotFound):
        tour_update(tour=stale, user=tenant.user, data={"name": "Late"})
    with pytest.raises(NotFound):
        tour_delete(tour=stale, user=tenant.user)
