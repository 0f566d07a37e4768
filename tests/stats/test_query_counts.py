"""Queries per stats answer, pinned: flat in the number of events, people and steps. The counts include
the savepoint the test's own transaction turns the stats read's transaction into."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.stats import posthog_js as js
from tests.support.stats import STEPS, launch_tour, stats

pytestmark = pytest.mark.django_db

JANUARY = {"date_from": "2025-01-01", "date_to": "2025-01-31"}


def queries_for(tenant, tour_id: str) -> list[str]:
    tenant.client.get(tenant.url())  # the key's first use of the hour writes `last_used_at`
    with CaptureQueriesContext(connection) as queries:
        assert stats(tenant, tour_id, **JANUARY).status_code == 200
    return [query["sql"] for query in queries.captured_queries]


def visit(tour: dict, who: str, token: str) -> list[dict]:
    at = "2025-01-05T10:00:00Z"
    return [
        js.tour_shown(tour, who, at, token),
        *(js.step_event("shown", tour, index, who, at, token) for index in range(len(tour["content"]["steps"]))),
        js.survey_sent(tour, 1, who, at, token, 4),
        js.tour_dismissed(tour, 0, who, at, token, "escape_key"),
    ]


def reads_of_events(sql: list[str]) -> int:
    return sum("sdk_capturedevent" in query for query in sql)


def test_flat_in_events_and_people(tenant, browser, tour):
    empty = queries_for(tenant, tour["id"])
    token = tenant.project.api_token
    js.send(browser, [event for i in range(40) for event in visit(tour, f"v{i}", token)])
    js.send(browser, [js.identify(f"user-{i}", f"v{i}", token) for i in range(0, 40, 2)])
    busy = queries_for(tenant, tour["id"])
    assert len(busy) == len(empty)
    # The tour, its steps and its survey step's answers; the dismiss reasons.
    assert reads_of_events(busy) == 2


def test_flat_in_steps(tenant):
    many = [*STEPS, *({"id": f"extra-{i}", "type": "modal"} for i in range(30))]
    few_steps, many_steps = launch_tour(tenant, name="Few"), launch_tour(tenant, name="Many", steps=many)
    assert len(queries_for(tenant, many_steps["id"])) == len(queries_for(tenant, few_steps["id"]))


def test_a_rating_off_its_scale_costs_one_more_read(tenant, browser, tour):
    js.send(browser, [js.survey_sent(tour, 1, "v", "2025-01-05T10:00:00Z", tenant.project.api_token, 9)])
    assert reads_of_events(queries_for(tenant, tour["id"])) == 3


def test_more_conditions_than_one_select_lists_are_counted_in_several(tenant, browser):
    steps = [{"id": f"s{i}", "type": "modal"} for i in range(100)]  # 3 + 200 + 1 conditions
    tour = launch_tour(tenant, name="Long", steps=steps)
    token = tenant.project.api_token
    at = "2025-01-05T10:00:00Z"
    js.send(browser, [js.step_event("shown", tour, index, "v", at, token) for index in (0, 99)])
    assert reads_of_events(queries_for(tenant, tour["id"])) == 3
    counted = [(s["step_id"], s["shown"]["total"]) for s in stats(tenant, tour["id"], **JANUARY).json()["steps"]]
    assert counted == [(f"s{i}", 1 if i in (0, 99) else 0) for i in range(100)]


def test_steps_only_events_name_cost_one_more_read(tenant, browser, tour):
    token = tenant.project.api_token
    gone = js.event(
        "product tour step shown",
        "v",
        "2025-01-05T10:00:00Z",
        token,
        **{"$product_tour_id": tour["id"], "$product_tour_step_id": "removed"},
    )
    js.send(browser, [gone])
    assert reads_of_events(queries_for(tenant, tour["id"])) == 3
