"""The admin shows tour stats: the last 30 days on a tour's change page, and a "Stats" column in the tour
list read with one query for the whole page (not one per row)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.stats import posthog_js as js
from tests.support.stats import launch_tour

pytestmark = pytest.mark.django_db

LIST_URL = "/admin/tours/producttour/"


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser(email="stats-admin@example.com", password="pw")
    client.force_login(user)
    return client


def recent(hours: float) -> str:
    return (timezone.now() - timedelta(hours=hours)).isoformat()


def visits(tenant, browser, tour: dict, shown: int, completed: int, reason: str = "user_clicked_skip") -> None:
    token = tenant.project.api_token
    events = []
    for i in range(shown):
        who = f"{tour['id'][:8]}-{i}"
        events.append(js.tour_shown(tour, who, recent(2), token))
        events.append(js.step_event("shown", tour, 0, who, recent(1.9), token))
        if i < completed:
            events.append(js.tour_completed(tour, who, recent(1), token))
        else:
            events.append(js.tour_dismissed(tour, 0, who, recent(1), token, reason))
    # Older than the admin's 30 days: not shown there.
    events.append(js.tour_shown(tour, "long-ago", recent(24 * 31), token))
    js.send(browser, events)


def test_change_page_shows_the_last_30_days(admin_client, tenant, browser, tour):
    visits(tenant, browser, tour, shown=3, completed=2, reason="<script>alert(1)</script>")
    survey = tour["content"]["steps"][1]
    js.send(browser, [js.survey_sent(tour, 1, "rater", recent(1), tenant.project.api_token, 4)])
    body = admin_client.get(f"{LIST_URL}{tour['id']}/change/").content.decode()
    assert "Stats (last 30 days)" in body
    assert "People shown 3 (3 events), completed 2 (2 events), dismissed 1 (1 events); completion rate 66.7%." in body
    assert "<td>welcome</td><td>3 (3 events)</td><td>0 (0 events)</td>" in body
    assert "1 responses (1: 0, 2: 0, 3: 0, 4: 1, 5: 0)" in body
    assert survey["linkedSurveyId"]  # the survey step is counted through its linked survey
    # Reasons come from clients: escaped.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;: 1" in body and "<script>alert(1)" not in body


def test_add_page_has_no_stats(admin_client):
    body = admin_client.get(f"{LIST_URL}add/").content.decode()
    assert "Stats (last 30 days)" not in body


def test_list_has_a_stats_column_read_once_per_page(admin_client, tenant, browser):
    tours = [launch_tour(tenant, name=f"Listed {i}") for i in range(3)]
    visits(tenant, browser, tours[0], shown=4, completed=1)
    visits(tenant, browser, tours[1], shown=2, completed=2)
    body = admin_client.get(LIST_URL).content.decode()
    assert "Stats (30 days)" in body
    assert "4 shown · 1 completed · 25.0%" in body
    assert "2 shown · 2 completed · 100.0%" in body
    assert body.count('<td class="field-stats">—</td>') == 1  # the tour nobody saw

    def stats_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(LIST_URL).status_code == 200
        return sum("sdk_capturedevent" in query["sql"] for query in queries.captured_queries)

    few = stats_queries()
    for i in range(5):
        visits(tenant, browser, launch_tour(tenant, name=f"More {i}"), shown=1, completed=1)
    assert stats_queries() == few == 1


def test_list_counts_each_projects_own_events(admin_client, tenant, other_tenant, browser, tour):
    # The other project's events name this tour's id: they are not this tour's.
    token = other_tenant.project.api_token
    js.send(browser, [js.tour_shown(tour, f"o{i}", recent(1), token) for i in range(5)])
    visits(tenant, browser, tour, shown=1, completed=0)
    body = admin_client.get(LIST_URL).content.decode()
    assert "1 shown · 0 completed · 0.0%" in body
