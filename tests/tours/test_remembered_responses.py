"""Tour list pages and single tours are remembered whole per project revision, which database triggers
move on every write to a tour, a flag or a creator's shown fields — whoever writes. Both databases."""

import json

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import OrganizationMembership, PersonalAPIKey, User
from tests.conftest import make_tenant
from tests.tours.conftest import (
    create,
    make_flag,
    make_tour,
    patch,
    tour_url,
    tours_url,
)
from tours.migrations import __name__ as migrations_package
from tours.models import ProductTour, ProjectToursRevision
from tours.services.representation import USER_FIELDS

pytestmark = pytest.mark.django_db


def revision(project) -> int | None:
    return ProjectToursRevision.objects.filter(project_id=project.id).values_list("value", flat=True).first()


def listed(tenant, **params) -> dict:
    response = tenant.client.get(tours_url(tenant), params)
    assert response.status_code == 200, response.content
    return response.json()


def names(tenant) -> list[str]:
    return [row["name"] for row in listed(tenant)["results"]]


def queries(client, url: str, **extra) -> tuple[int, bytes]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **extra)
    assert response.status_code == 200, response.content
    return len(captured), response.content


def test_a_repeated_read_is_answered_from_memory_with_the_same_bytes(tenant):
    tour = make_tour(tenant.project, name="Remembered")
    first_list, first_tour = (
        queries(tenant.client, tours_url(tenant)),
        queries(tenant.client, tour_url(tenant, tour.id)),
    )
    again_list, again_tour = (
        queries(tenant.client, tours_url(tenant)),
        queries(tenant.client, tour_url(tenant, tour.id)),
    )
    assert first_list[0] > 2 and first_tour[0] > 2
    assert again_list == (2, first_list[1]) and again_tour == (
        2,
        first_tour[1],
    )  # key, project with revision
    response = tenant.client.get(tour_url(tenant, tour.id))
    assert response["ETag"] and response["ETag"] == tenant.client.get(tour_url(tenant, tour.id))["ETag"]
    assert response["Content-Type"] == "application/json"


def test_every_kind_of_write_moves_the_revision_and_shows_at_once(tenant):
    linked = make_flag(tenant.project, key="linked")
    tour = make_tour(tenant.project, name="Original", linked_flag=linked, created_by=tenant.user)
    seen = {revision(tenant.project)}
    assert names(tenant) == ["Original"] and tenant.client.get(tour_url(tenant, tour.id)).json()["name"] == "Original"

    def moved() -> None:
        value = revision(tenant.project)
        assert value not in seen
        seen.add(value)

    ProductTour.objects.filter(pk=tour.pk).update(name="By update()")
    moved()
    assert names(tenant) == ["By update()"]
    assert tenant.client.get(tour_url(tenant, tour.id)).json()["name"] == "By update()"
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE tours_producttour SET description = 'raw' WHERE id = %s",
            [tour.id.hex],
        )
    moved()
    assert listed(tenant)["results"][0]["description"] == "raw"
    with connection.cursor() as cursor:
        cursor.execute("UPDATE flags_featureflag SET key = 'raw-sql' WHERE id = %s", [linked.id])
    moved()
    assert tenant.client.get(tour_url(tenant, tour.id)).json()["linked_flag"]["key"] == "raw-sql"
    assert listed(tenant)["results"][0]["linked_flag"]["key"] == "raw-sql"
    User.objects.filter(pk=tenant.user.pk).update(first_name="Grace")
    moved()
    assert listed(tenant)["results"][0]["created_by"]["first_name"] == "Grace"
    assert patch(tenant, tour.id, {"name": "Via the API"}).status_code == 200
    moved()
    assert names(tenant) == ["Via the API"]
    assert create(tenant, {"name": "Second"}).status_code == 201
    moved()
    assert names(tenant) == ["Second", "Via the API"]
    linked.delete()  # SET NULL on the tour: a tour write
    moved()
    assert tenant.client.get(tour_url(tenant, tour.id)).json()["linked_flag"] is None
    ProductTour.objects.filter(pk=tour.pk).delete()
    moved()
    assert names(tenant) == ["Second"]
    assert tenant.client.get(tour_url(tenant, tour.id)).status_code == 404


def test_writes_that_change_nothing_shown_leave_the_revision(tenant, other_tenant):
    make_tour(tenant.project, name="Steady", created_by=tenant.user)
    before = revision(tenant.project)
    User.objects.filter(pk=tenant.user.pk).update(last_login="2026-01-01T00:00:00Z", is_staff=True)
    make_tour(other_tenant.project, name="Elsewhere")
    make_flag(other_tenant.project, key="elsewhere")
    assert revision(tenant.project) == before


def test_a_flag_moved_between_projects_moves_both(tenant, other_tenant):
    flag = make_flag(tenant.project, key="mover")
    make_tour(other_tenant.project, name="Theirs")
    mine, theirs = revision(tenant.project), revision(other_tenant.project)
    type(flag).objects.filter(pk=flag.pk).update(project=other_tenant.project)
    assert revision(tenant.project) != mine and revision(other_tenant.project) != theirs


def test_a_rolled_back_write_restores_the_revision(tenant):
    make_tour(tenant.project, name="Kept")
    before = revision(tenant.project)
    with pytest.raises(RuntimeError), transaction.atomic():
        ProductTour.objects.filter(project=tenant.project).update(name="Rolled back")
        assert revision(tenant.project) != before
        raise RuntimeError
    assert revision(tenant.project) == before
    assert names(tenant) == ["Kept"]


def test_access_is_checked_on_every_remembered_read(tenant):
    tour = make_tour(tenant.project, name="Guarded")
    scoped = tenant.client_with_scopes("product_tour:read")
    for url in (tours_url(tenant), tour_url(tenant, tour.id)):
        assert scoped.get(url).status_code == 200 and tenant.client.get(url).status_code == 200
    assert tenant.client_with_scopes("feature_flag:read").get(tours_url(tenant)).status_code == 403
    PersonalAPIKey.objects.filter(user=tenant.user).delete()
    assert tenant.client.get(tours_url(tenant)).status_code == 401
    assert scoped.get(tour_url(tenant, tour.id)).status_code == 401
    outsider = make_tenant()
    assert outsider.client.get(tours_url(tenant)).status_code == 403
    member = make_tenant()
    OrganizationMembership.objects.create(
        user=member.user,
        organization=tenant.organization,
        level=OrganizationMembership.Level.MEMBER,
    )
    assert member.client.get(tours_url(tenant)).status_code == 200
    OrganizationMembership.objects.filter(user=member.user, organization=tenant.organization).delete()
    assert member.client.get(tours_url(tenant)).status_code == 403
    assert member.client.get(tour_url(tenant, tour.id)).status_code == 403


def test_remembered_per_rendering_host_and_query(tenant, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver", "api.example.test"]
    for i in range(3):
        make_tour(tenant.project, name=f"T{i}")
    compact = tenant.client.get(tours_url(tenant), {"limit": 1})
    indented = tenant.client.get(tours_url(tenant), {"limit": 1}, HTTP_ACCEPT="application/json; indent=4")
    assert b"\n" in indented.content and b"\n" not in compact.content
    assert json.loads(indented.content) == compact.json()
    assert tenant.client.get(tours_url(tenant), {"limit": 1}).content == compact.content
    other_host = tenant.client.get(tours_url(tenant), {"limit": 1}, HTTP_HOST="api.example.test")
    assert compact.json()["next"].startswith("http://testserver/")
    assert other_host.json()["next"].startswith("http://api.example.test/")
    second = tenant.client.get(tours_url(tenant), {"limit": 1, "offset": 1}).json()
    assert second["results"] != compact.json()["results"] and second["count"] == 3


def test_searches_are_not_remembered(tenant):
    make_tour(tenant.project, name="Searchable")
    tenant.client.get(tours_url(tenant))  # the key's first use writes `last_used_at`
    first, _ = queries(tenant.client, tours_url(tenant) + "?search=search")
    again, _ = queries(tenant.client, tours_url(tenant) + "?search=search")
    assert again == first > 2


def test_the_creator_trigger_watches_every_shown_user_field():
    from importlib import import_module

    migration = import_module(f"{migrations_package}.0005_project_tours_revision")
    assert set(migration.CREATOR_COLUMNS) == (set(USER_FIELDS) - {"id"}) | {"hedgehog_config"}


def test_long_requests_are_answered_but_not_remembered(tenant):
    make_tour(tenant.project, name="Long")
    tenant.client.get(tours_url(tenant))  # the key's first use writes `last_used_at`
    url = tours_url(tenant) + "?" + "&".join(f"p{i}=" + "x" * 50 for i in range(60))
    first, body = queries(tenant.client, url)
    again, same = queries(tenant.client, url)
    assert again == first > 2 and same == body
    assert json.loads(body)["results"][0]["name"] == "Long"
