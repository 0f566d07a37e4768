"""Admin actions (launch, stop, archive, delete) through the tour services, and Django's permissions."""

import pytest
from django.contrib.auth.models import Permission

from accounts.models import User
from activity.models import ActivityLog
from flags.models import FeatureFlag
from tests.support.tours import create
from tests.tours.admin_forms import ADMIN, change_url, page_form, post_data, superuser_client
from tours.models import ProductTour

pytestmark = pytest.mark.django_db

STEPS = [{"id": "s1", "type": "modal", "title": "Hi"}]


def _act(client, action: str, *tours):
    return client.post(ADMIN, {"action": action, "_selected_action": [t["id"] for t in tours]}, follow=True)


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def _tour(tour) -> ProductTour:
    return ProductTour.objects.select_related("internal_targeting_flag").get(pk=tour["id"])


def staff_with(client, *codenames: str) -> User:
    user = User.objects.create_user(email=f"staff-{'-'.join(codenames) or 'none'}@example.com", password="pw-123456")
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="tours", codename__in=codenames))
    client.force_login(user)
    return user


def test_launch_stop_resume_and_archive_sync_the_flag_and_log_the_staff_user(client, tenant):
    client, admin_user = superuser_client(client)
    tour = create(tenant, {"name": "Acted on", "auto_launch": True, "content": {"steps": STEPS}}).json()

    response = _act(client, "launch_tours", tour)
    assert _messages(response) == ["1 product tour(s) launched."]
    launched = _tour(tour)
    assert launched.start_date is not None and launched.end_date is None
    assert launched.internal_targeting_flag.active is True
    entry = ActivityLog.objects.filter(scope="ProductTour", item_id=tour["id"], activity="updated").latest("created_at")
    assert entry.user == admin_user

    assert _messages(_act(client, "launch_tours", tour)) == ["Acted on: not changed (already running)."]
    assert _messages(_act(client, "stop_tours", tour)) == ["1 product tour(s) stopped."]
    stopped = _tour(tour)
    assert stopped.end_date is not None and stopped.internal_targeting_flag.active is False

    assert _messages(_act(client, "launch_tours", tour)) == ["1 product tour(s) launched."]  # resumes
    resumed = _tour(tour)
    assert resumed.end_date is None and resumed.start_date == launched.start_date
    assert resumed.internal_targeting_flag.active is True

    assert _messages(_act(client, "archive_tours", tour)) == ["1 product tour(s) archived."]
    archived = _tour(tour)
    assert archived.archived is True and archived.internal_targeting_flag.active is False
    assert _messages(_act(client, "launch_tours", tour)) == [
        "Acted on: not changed (archived tours cannot be launched)."
    ]


def test_launch_runs_the_apis_launch_checks_per_tour(client, tenant):
    client, _ = superuser_client(client)
    good = create(tenant, {"name": "Good", "content": {"steps": STEPS}}).json()
    bad = create(
        tenant, {"name": "Bad", "content": {"steps": [{"id": "e", "type": "element", "elementTargeting": "manual"}]}}
    ).json()
    messages = _messages(_act(client, "launch_tours", good, bad))
    assert "Bad: Step 1 is missing an element selector" in messages
    assert "1 product tour(s) launched." in messages
    assert _tour(good).start_date is not None and _tour(bad).start_date is None


def test_view_permission_shows_read_only_pages_and_no_actions(client, tenant):
    tour = create(tenant, {"name": "Look only", "auto_launch": True, "content": {"steps": STEPS}}).json()
    staff_with(client, "view_producttour")
    assert client.get(ADMIN).status_code == 200
    page = client.get(change_url(tour["id"]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Look only" in body and "Step preview" in body and 'name="_save"' not in body
    assert client.post(change_url(tour["id"]), {"name": "Changed"}).status_code == 403
    assert client.get(f"{ADMIN}add/").status_code == 403
    response = _act(client, "launch_tours", tour)
    assert _tour(tour).start_date is None  # the action is not offered without the change permission
    assert "launch_tours" not in response.content.decode()
    assert client.post(f"{ADMIN}{tour['id']}/delete/", {"post": "yes"}).status_code == 403
    assert ProductTour.objects.filter(pk=tour["id"]).exists()


def test_change_permission_allows_editing_and_actions_but_not_adding_or_deleting(client, tenant):
    tour = create(tenant, {"name": "Editable", "content": {"steps": STEPS}}).json()
    staff_with(client, "view_producttour", "change_producttour")
    form = page_form(client.get(change_url(tour["id"])))
    saved = client.post(change_url(tour["id"]), post_data(form, description="edited"), follow=True)
    assert [m.endswith("Editable</a>” was changed successfully.") for m in _messages(saved)] == [True]
    assert _tour(tour).description == "edited"
    assert _messages(_act(client, "archive_tours", tour)) == ["1 product tour(s) archived."]
    assert client.get(f"{ADMIN}add/").status_code == 403
    assert client.post(f"{ADMIN}{tour['id']}/delete/", {"post": "yes"}).status_code == 403


def test_add_and_delete_permissions(client, tenant):
    staff_with(client, "view_producttour", "add_producttour", "delete_producttour")
    form = page_form(client.get(f"{ADMIN}add/"))
    response = client.post(f"{ADMIN}add/", post_data(form, project=tenant.project.pk, name="Added", auto_launch=True))
    assert response.status_code == 302
    tour = ProductTour.objects.get(name="Added")
    flag_id = tour.internal_targeting_flag_id
    assert flag_id is not None
    response = client.post(f"{ADMIN}{tour.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not ProductTour.objects.filter(pk=tour.pk).exists()
    assert not FeatureFlag.objects.filter(pk=flag_id).exists()  # the service deletes the internal flag too
    assert ActivityLog.objects.filter(scope="ProductTour", item_id=str(tour.pk), activity="deleted").exists()
