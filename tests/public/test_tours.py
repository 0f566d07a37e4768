"""Which tours `GET /api/product_tours` returns, and exactly what each one carries."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone as django_timezone

from tests.support.public import get_tours, tours_of
from tests.support.tours import make_flag, make_tour
from tours.models import ProductTour

pytestmark = pytest.mark.django_db


def test_only_launched_non_archived_tours_of_the_tokens_project(client, tenant, other_tenant):
    now = django_timezone.now()
    live = make_tour(tenant.project, launched=True, name="live", auto_launch=True)
    stopped = make_tour(tenant.project, launched=True, name="stopped", start_date=now - timedelta(days=9), end_date=now)
    manual = make_tour(tenant.project, launched=True, name="manual only", auto_launch=False)
    future = make_tour(tenant.project, launched=True, name="scheduled", start_date=now + timedelta(days=3))
    make_tour(tenant.project, launched=True, name="draft", start_date=None)
    make_tour(tenant.project, launched=True, name="archived", archived=True)
    make_tour(tenant.project, launched=True, name="archived draft", archived=True, start_date=None)
    make_tour(other_tenant.project, launched=True, name="other project's")

    tours = tours_of(get_tours(client, tenant.project.api_token))

    assert [tour["id"] for tour in tours] == [str(t.id) for t in (live, stopped, manual, future)]  # created order
    assert [tour["name"] for tour in tours_of(get_tours(client, other_tenant.project.api_token))] == ["other project's"]


def test_project_without_launched_tours_gets_an_empty_list(client, tenant):
    make_tour(tenant.project, launched=True, start_date=None)
    response = get_tours(client, tenant.project.api_token)
    assert response.content == b'{"product_tours":[]}'


def test_every_field_of_a_tour(client, tenant, other_tenant):
    internal = make_flag(tenant.project, "product-tour-targeting-welcome-1a2b3c4d", no_groups=True)
    linked = make_flag(tenant.project, "beta-users", no_groups=True)
    content = {
        "type": "tour",
        "steps": [{"id": "s1", "type": "modal", "content": {"type": "doc"}, "progressionTrigger": "button"}],
        "conditions": {"url": "/app", "urlMatchType": "icontains", "linkedFlagVariant": "any"},
        "appearance": {"backgroundColor": "#ffffff", "showOverlay": False},
        "displayFrequency": "always",
        "somethingElse": "kept out",
    }
    tour = make_tour(
        tenant.project,
        launched=True,
        name="Welcome",
        description="internal notes",
        content=content,
        draft_content={"name": "Unpublished", "content": {"steps": []}},
        auto_launch=True,
        start_date=datetime(2025, 3, 1, 9, 30, tzinfo=UTC),
        end_date=datetime(2025, 4, 1, 0, 0, 0, 250000, tzinfo=UTC),
        internal_targeting_flag=internal,
        linked_flag=linked,
        created_by=tenant.user,
    )
    response = get_tours(client, tenant.project.api_token)
    [item] = tours_of(response)
    assert item == {
        "id": str(tour.id),
        "name": "Welcome",
        "tour_type": "tour",
        "internal_targeting_flag_key": "product-tour-targeting-welcome-1a2b3c4d",
        "linked_flag_key": "beta-users",
        "steps": content["steps"],
        "conditions": content["conditions"],
        "appearance": content["appearance"],
        "display_frequency": "always",
        "auto_launch": True,
        "start_date": "2025-03-01T09:30:00Z",
        "end_date": "2025-04-01T00:00:00.250000Z",
    }
    leaks = (b"Unpublished", b"internal notes", b"draft", b"description", b"created_by", tenant.user.email.encode())
    for leaked in leaks:
        assert leaked not in response.content


def test_internal_targeting_flag_key_is_omitted_without_a_flag(client, tenant):
    make_tour(tenant.project, launched=True, linked_flag=make_flag(tenant.project, "beta", no_groups=True))
    make_tour(tenant.project, launched=True)
    first, second = tours_of(get_tours(client, tenant.project.api_token))
    assert "internal_targeting_flag_key" not in first and "internal_targeting_flag_key" not in second
    assert first["linked_flag_key"] == "beta"
    assert second["linked_flag_key"] is None
    assert first["display_frequency"] is None and first["conditions"] is None and first["appearance"] is None


@pytest.mark.parametrize(
    "content, expected",
    [
        ({"steps": [{"id": "s1", "type": "modal"}]}, "tour"),
        ({}, "tour"),
        ({"type": "tour", "steps": []}, "tour"),
        ({"type": "announcement", "steps": [{"id": "s1", "type": "modal"}]}, "announcement"),
        ({"type": "announcement", "steps": [{"id": "s1", "type": "banner"}]}, "banner"),
        ({"type": "announcement", "steps": []}, "announcement"),
    ],
)
def test_tour_type(client, tenant, content, expected):
    make_tour(tenant.project, launched=True, content=content)
    [item] = tours_of(get_tours(client, tenant.project.api_token))
    assert item["tour_type"] == expected


def test_steps_are_normalised_and_missing_steps_are_an_empty_list(client, tenant):
    make_tour(
        tenant.project,
        launched=True,
        name="legacy",
        content={
            "steps": [
                {"id": "a", "type": "element", "selector": "#buy"},
                {"id": "b", "type": "element", "selector": "#b", "useManualSelector": True},
                {"id": "c", "type": "element", "inferenceData": {"text": "Buy"}, "useManualSelector": False},
            ]
        },
    )
    make_tour(tenant.project, launched=True, name="no steps", content={"type": "announcement"})
    legacy, empty = tours_of(get_tours(client, tenant.project.api_token))
    assert legacy["steps"] == [
        {"id": "a", "type": "modal", "selector": "#buy", "elementTargeting": "auto"},
        {"id": "b", "type": "element", "selector": "#b", "useManualSelector": True, "elementTargeting": "manual"},
        {"id": "c", "type": "element", "inferenceData": {"text": "Buy"}, "elementTargeting": "auto"},
    ]
    assert empty["steps"] == []
    assert empty["tour_type"] == "announcement"
    # Stored content is untouched: normalisation happens on the way out.
    assert ProductTour.objects.get(name="legacy").content["steps"][0]["type"] == "element"


def test_deleted_flag_key_is_still_shown_like_posthog(client, tenant):
    flag = make_flag(tenant.project, "old-beta", no_groups=True, deleted=True)
    make_tour(tenant.project, launched=True, linked_flag=flag)
    [item] = tours_of(get_tours(client, tenant.project.api_token))
    assert item["linked_flag_key"] == "old-beta"
