"""Authoring tours in the admin: add and change through the API's services, errors next to fields,
stale saves refused, drafts, and the step preview."""

from datetime import UTC, datetime

import pytest

from activity.models import ActivityLog
from tests.support.tours import create, make_flag, patch, tour_url
from tests.tours.admin_forms import ADMIN, change_url, form_errors, page_form, post_data, superuser_client
from tours.admin_form import STALE
from tours.models import ProductTour

pytestmark = pytest.mark.django_db

TARGETING = {"groups": [{"properties": [{"key": "plan", "value": "pro", "operator": "exact", "type": "person"}]}]}
STEPS = [{"id": "s1", "type": "modal", "title": "Welcome!"}]


@pytest.fixture
def staff(client):
    return superuser_client(client)


def _user_properties(flag) -> list:
    return [p["key"] for group in flag.filters["groups"] for p in group["properties"] if not p["key"].startswith("$")]


def test_add_creates_the_tour_with_its_targeting_flag_and_logs_the_staff_user(staff, tenant):
    client, admin_user = staff
    form = page_form(client.get(f"{ADMIN}add/"))
    data = post_data(
        form,
        project=tenant.project.pk,
        name="Admin-made tour",
        description="Made in the admin",
        content={"steps": STEPS, "displayFrequency": "show_once"},
        auto_launch=True,
        targeting_flag_filters=TARGETING,
        start_date=datetime(2025, 3, 1, 9, 30, tzinfo=UTC),
    )
    response = client.post(f"{ADMIN}add/", data)
    assert response.status_code == 302, form_errors(response)
    tour = ProductTour.objects.select_related("internal_targeting_flag").get(name="Admin-made tour")
    assert (tour.project_id, tour.description, tour.created_by) == (tenant.project.pk, "Made in the admin", admin_user)
    assert tour.start_date == datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
    flag = tour.internal_targeting_flag
    assert flag.active is True and _user_properties(flag) == ["plan"]
    assert ActivityLog.objects.get(scope="ProductTour", item_id=str(tour.pk), activity="created").user == admin_user
    # The API reads it like any other tour.
    body = tenant.client.get(tour_url(tenant, tour.pk)).json()
    assert body["targeting_flag_filters"]["groups"][0]["properties"][0]["key"] == "plan"
    assert body["content"]["steps"][0]["title"] == "Welcome!"


def test_change_updates_through_the_service_and_rebuilds_the_flag(staff, tenant):
    client, admin_user = staff
    tour = create(tenant, {"name": "Before", "auto_launch": True, "content": {"steps": STEPS}}).json()
    form = page_form(client.get(change_url(tour["id"])))
    response = client.post(
        change_url(tour["id"]), post_data(form, name="After", targeting_flag_filters=TARGETING, auto_launch=True)
    )
    assert response.status_code == 302, form_errors(response)
    saved = ProductTour.objects.select_related("internal_targeting_flag").get(pk=tour["id"])
    assert saved.name == "After"
    assert _user_properties(saved.internal_targeting_flag) == ["plan"]
    assert saved.internal_targeting_flag.name == "Product Tour: Before"  # the flag is kept, not recreated
    entry = ActivityLog.objects.get(scope="ProductTour", item_id=tour["id"], activity="updated")
    assert entry.user == admin_user
    assert {"field": "name", "before": "Before", "after": "After"}.items() <= entry.detail["changes"][0].items()


def test_invalid_content_is_shown_next_to_the_field_and_nothing_changes(staff, tenant):
    client, _ = staff
    tour = create(tenant, {"name": "Keep me", "content": {"steps": STEPS}}).json()
    form = page_form(client.get(change_url(tour["id"])))
    bad = {"type": "announcement", "steps": STEPS * 2}
    errors = form_errors(client.post(change_url(tour["id"]), post_data(form, name="Renamed", content=bad)))
    assert errors == {"content": ["Announcements must have exactly 1 step."]}
    assert ProductTour.objects.get(pk=tour["id"]).name == "Keep me"

    errors = form_errors(client.post(change_url(tour["id"]), post_data(form, content="{not json")))
    assert errors == {"content": ["Enter a valid JSON."]}


def test_service_errors_land_on_their_fields(staff, tenant):
    client, _ = staff
    create(tenant, {"name": "Taken"})
    form = page_form(client.get(f"{ADMIN}add/"))
    base = {"project": tenant.project.pk, "content": {"steps": STEPS}}
    errors = form_errors(client.post(f"{ADMIN}add/", post_data(form, **base, name="Taken")))
    assert errors == {"name": ["A product tour with this name already exists."]}

    errors = form_errors(
        client.post(f"{ADMIN}add/", post_data(form, **base, name="New", targeting_flag_filters={"groups": 3}))
    )
    assert errors == {"targeting_flag_filters": ["targeting_flag_filters.groups must be a list."]}

    # A launch check of the service (no attribute in the API): next to the steps it is about.
    element_step = [{"id": "e1", "type": "element", "elementTargeting": "manual", "title": "Here"}]
    errors = form_errors(
        client.post(
            f"{ADMIN}add/",
            post_data(form, **{**base, "content": {"steps": element_step}}, name="New", start_date=datetime.now(UTC)),
        )
    )
    assert errors == {"content": ["Step 1 is missing an element selector"]}
    assert not ProductTour.objects.filter(name="New").exists()


def test_linked_flag_of_another_project_is_refused_on_the_field(staff, tenant, other_tenant):
    client, _ = staff
    foreign = make_flag(other_tenant.project, key="foreign")
    form = page_form(client.get(f"{ADMIN}add/"))
    data = post_data(form, project=tenant.project.pk, name="Linked", linked_flag=foreign.pk)
    assert form_errors(client.post(f"{ADMIN}add/", data)) == {
        "linked_flag": ["Feature Flag with this ID does not exist"]
    }
    own = make_flag(tenant.project, key="own", variants=["a", "b"])
    data = post_data(
        form, project=tenant.project.pk, name="Linked", linked_flag=own.pk,
        content={"steps": STEPS, "conditions": {"linkedFlagVariant": "b"}},
    )  # fmt: skip
    assert client.post(f"{ADMIN}add/", data).status_code == 302
    assert ProductTour.objects.get(name="Linked").linked_flag_id == own.pk


def test_stale_save_is_refused_and_the_api_edit_survives(staff, tenant):
    client, _ = staff
    tour = create(tenant, {"name": "Shared", "description": "v1"}).json()
    form = page_form(client.get(change_url(tour["id"])))  # the editor opens the page …
    assert patch(tenant, tour["id"], {"description": "from the API"}).status_code == 200  # … someone saves meanwhile
    errors = form_errors(client.post(change_url(tour["id"]), post_data(form, description="from the admin")))
    assert errors == {"__all__": [STALE]}
    assert ProductTour.objects.get(pk=tour["id"]).description == "from the API"

    form = page_form(client.get(change_url(tour["id"])))  # reloaded: the save goes through
    assert client.post(change_url(tour["id"]), post_data(form, description="from the admin")).status_code == 302
    assert ProductTour.objects.get(pk=tour["id"]).description == "from the admin"


def test_draft_is_edited_without_touching_the_live_tour(staff, tenant):
    client, _ = staff
    tour = create(tenant, {"name": "Live", "content": {"steps": STEPS}}).json()
    before = ProductTour.objects.get(pk=tour["id"])
    form = page_form(client.get(change_url(tour["id"])))
    response = client.post(change_url(tour["id"]), post_data(form, draft_content={"name": "Live v2", "junk": 1}))
    assert response.status_code == 302, form_errors(response)
    after = ProductTour.objects.get(pk=tour["id"])
    assert (after.name, after.content) == ("Live", before.content)
    assert after.draft_content["name"] == "Live v2" and "junk" not in after.draft_content
    assert after.draft_content["content"] == before.content  # seeded from the live tour, as the API does

    # The API publishes what the admin drafted.
    published = tenant.client.post(tour_url(tenant, tour["id"], "publish_draft/"), {}, format="json")
    assert published.status_code == 200 and published.json()["name"] == "Live v2"

    form = page_form(client.get(change_url(tour["id"])))
    client.post(change_url(tour["id"]), post_data(form, draft_content={"description": "again"}))
    form = page_form(client.get(change_url(tour["id"])))
    assert client.post(change_url(tour["id"]), post_data(form, draft_content=None)).status_code == 302
    assert ProductTour.objects.get(pk=tour["id"]).draft_content is None

    form = page_form(client.get(change_url(tour["id"])))
    errors = form_errors(client.post(change_url(tour["id"]), post_data(form, name="Not saved", draft_content=[1])))
    assert errors == {"draft_content": ["Invalid data. Expected a dictionary, but got list."]}
    assert ProductTour.objects.get(pk=tour["id"]).name == "Live v2"


def test_change_page_previews_step_text_escaped(staff, tenant):
    client, _ = staff
    steps = [
        {
            "id": "a",
            "type": "modal",
            "title": "Hello",
            "contentHtml": "<p>First <b>line</b></p><p>Second &amp; last</p>",
        },
        {
            "id": "b",
            "type": "element",
            "elementTargeting": "manual",
            "selector": "#billing",
            "content": {
                "type": "doc",
                "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Tip"}]}],
            },
        },
        {
            "id": "c",
            "type": "modal",
            "title": "<script>alert(1)</script>",
            "survey": {"type": "open", "questionText": "Why?"},
        },
    ]
    tour = create(tenant, {"name": "Previewed", "content": {"steps": steps}}).json()
    body = client.get(change_url(tour["id"])).content.decode()
    assert "<strong>Step 1 · modal</strong> — <em>Hello</em><p>First line</p><p>Second &amp; last</p>" in body
    assert "<p>Tip</p><p>Element: <code>#billing</code></p>" in body
    assert "<em>&lt;script&gt;alert(1)&lt;/script&gt;</em><p>Survey question: Why?</p>" in body
    assert "<script>alert(1)</script>" not in body
