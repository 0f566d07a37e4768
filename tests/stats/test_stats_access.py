"""The stats endpoint's range (inclusive bounds through `/e`), refusals (400 with `attr`), isolation (another
project's tour is 404) and scopes (`product_tour:read`)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import OrganizationMembership
from tests.stats import posthog_js as js
from tests.support.errors import assert_error
from tests.support.stats import count, stats, stats_of
from tests.support.tenants import make_tenant

pytestmark = pytest.mark.django_db


def shown_at(tenant, browser, tour, *times: str | None) -> None:
    token = tenant.project.api_token
    js.send(browser, [js.tour_shown(tour, f"v{i}", at, token) for i, at in enumerate(times)])


def shown(tenant, tour, **params) -> int:
    return stats_of(tenant, tour["id"], **params)["shown"]["total"]


# --- the range ------------------------------------------------------------------------------------


def test_date_time_bounds_are_inclusive(tenant, browser, tour):
    shown_at(
        tenant,
        browser,
        tour,
        "2025-01-10T09:59:59.999999Z",
        "2025-01-10T10:00:00Z",
        "2025-01-10T12:00:00Z",
        "2025-01-10T12:00:00.000001Z",
    )
    body = stats_of(tenant, tour["id"], date_from="2025-01-10T10:00:00Z", date_to="2025-01-10T12:00:00Z")
    assert body["shown"] == count(2, 2)
    assert (body["date_from"], body["date_to"]) == ("2025-01-10T10:00:00Z", "2025-01-10T12:00:00Z")


def test_date_only_bounds_cover_whole_days_utc(tenant, browser, tour):
    shown_at(
        tenant,
        browser,
        tour,
        "2024-12-31T23:59:59.999Z",
        "2025-01-01T00:00:00Z",
        "2025-01-31T23:59:59.999Z",
        "2025-01-31T23:30:00-01:00",  # 2025-02-01T00:30Z
        "2025-02-01T00:00:00Z",
    )
    body = stats_of(tenant, tour["id"], date_from="2025-01-01", date_to="2025-01-31")
    assert body["shown"]["total"] == 2
    assert (body["date_from"], body["date_to"]) == ("2025-01-01T00:00:00Z", "2025-01-31T23:59:59.999999Z")
    assert shown(tenant, tour, date_from="2025-01-31", date_to="2025-01-31") == 1


def test_offsets_in_bounds(tenant, browser, tour):
    shown_at(tenant, browser, tour, "2025-01-10T10:00:00Z")
    # `+` sent unencoded arrives as a space and is still read as an offset.
    assert shown(tenant, tour, date_from="2025-01-10T12:00:00+02:00", date_to="2025-01-10T12:00:00+02:00") == 1
    assert shown(tenant, tour, date_from="2025-01-10T11:00:00 02:00", date_to="2025-01-10T12:00:00 02:00") == 1
    assert shown(tenant, tour, date_from="2025-01-10T10:00:01Z", date_to="2025-01-11") == 0


def test_defaults_and_relative_ranges_and_arrival_time(tenant, browser, tour):
    now = timezone.now()
    iso = lambda delta: (now - delta).isoformat().replace("+00:00", "Z")  # noqa: E731
    # Sent now without a timestamp: counted at its arrival.
    shown_at(tenant, browser, tour, None, iso(timedelta(hours=2)), iso(timedelta(days=3)), iso(timedelta(days=40)))
    assert shown(tenant, tour) == 3  # -30d until now
    assert shown(tenant, tour, date_from="-24h") == 2
    assert shown(tenant, tour, date_from="-1w") == 3
    assert shown(tenant, tour, date_from="-8w", date_to="-4w") == 1
    assert shown(tenant, tour, date_from="2000-01-01", date_to="-1h") == 3
    body = stats_of(tenant, tour["id"])
    assert body["date_to"] >= now.isoformat()[:19]


@pytest.mark.parametrize(
    ("params", "attr", "detail"),
    [
        (
            {"date_from": "yesterday"},
            "date_from",
            "date_from must be an ISO 8601 date or date time, or relative to now like -24h, -7d or -4w.",
        ),
        (
            {"date_to": "2025-13-01"},
            "date_to",
            "date_to must be an ISO 8601 date or date time, or relative to now like -24h, -7d or -4w.",
        ),
        ({"date_from": "-3x"}, "date_from", None),
        ({"date_to": "-99999999w"}, "date_to", None),
        ({"date_from": "2025-02-01", "date_to": "2025-01-31"}, "date_from", "date_from must not be after date_to."),
        ({"date_from": "-1d", "date_to": "-2d"}, "date_from", "date_from must not be after date_to."),
    ],
)
def test_bad_dates_are_400_naming_the_parameter(tenant, tour, params, attr, detail):
    body = assert_error(stats(tenant, tour["id"], **params), 400, code="invalid_input", attr=attr, detail=detail)
    assert body["type"] == "validation_error"


# --- isolation --------------------------------------------------------------------------------------


def test_another_projects_tour_is_404(tenant, other_tenant, tour):
    # Through the other project's URL, with a key that may read that project.
    response = other_tenant.client.get(other_tenant.url(f"product_tours/{tour['id']}/stats/"))
    assert_error(response, 404, code="not_found")
    # Through this project's URL, with a key of someone who is not a member here.
    response = other_tenant.client.get(tenant.url(f"product_tours/{tour['id']}/stats/"))
    assert_error(response, 403, detail="You don't have access to the project.")


def test_another_projects_tour_is_404_before_bad_dates(tenant, other_tenant, tour):
    response = other_tenant.client.get(other_tenant.url(f"product_tours/{tour['id']}/stats/"), {"date_from": "garbage"})
    assert_error(response, 404, code="not_found")


@pytest.mark.parametrize("tour_id", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_unknown_or_malformed_id_is_404(tenant, tour_id):
    assert_error(stats(tenant, tour_id), 404, code="not_found")


def test_archived_tours_have_stats_too(tenant, browser, tour):
    shown_at(tenant, browser, tour, "2025-01-10T10:00:00Z")
    response = tenant.client.patch(tenant.url(f"product_tours/{tour['id']}/"), {"archived": True}, format="json")
    assert response.status_code == 200
    assert shown(tenant, tour, date_from="2025-01-01", date_to="2025-01-31") == 1


# --- scopes -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("scopes", [("product_tour:read",), ("product_tour:write",), ("*",)])
def test_read_scope_is_enough(tenant, tour, scopes):
    response = stats(tenant, tour["id"], client=tenant.client_with_scopes(*scopes))
    assert response.status_code == 200


@pytest.mark.parametrize("scopes", [("feature_flag:read",), ("survey:read",), ("activity_log:read",)])
def test_other_scopes_are_refused(tenant, tour, scopes):
    response = stats(tenant, tour["id"], client=tenant.client_with_scopes(*scopes))
    assert_error(response, 403, detail="API key missing required scope 'product_tour:read'")


def test_key_scoped_to_another_project_is_refused(tenant, tour, other_tenant):
    client = tenant.client_with_scopes("product_tour:read", scoped_projects=[other_tenant.project.id])
    assert stats(tenant, tour["id"], client=client).status_code == 403


def test_without_a_key_is_401(tenant, tour, anon_client):
    response = stats(tenant, tour["id"], client=anon_client)
    assert response.status_code == 401


def test_a_member_may_read_stats(tenant, tour):
    member = make_tenant(level=OrganizationMembership.Level.MEMBER)
    OrganizationMembership.objects.create(
        user=member.user, organization=tenant.organization, level=OrganizationMembership.Level.MEMBER
    )
    assert stats(tenant, tour["id"], client=member.client).status_code == 200


def test_post_is_405(tenant, tour):
    response = tenant.client.post(tenant.url(f"product_tours/{tour['id']}/stats/"), {}, format="json")
    assert_error(response, 405)
