"""`GET …/product_tours/{id}/stats/`: every number driven through `/e` with posthog-js's event shapes
(gzip batches, `$identify` / `$create_alias` merges), checked field by field."""

import pytest

from tests.stats import posthog_js as js
from tests.support.stats import count, launch_tour, stats_of

pytestmark = pytest.mark.django_db

JANUARY = {"date_from": "2025-01-01", "date_to": "2025-01-31"}


def completed_run(tour: dict, who: str, day: int, token: str, rating) -> list[dict]:
    """Someone who goes through every step, answering the survey step."""
    at = f"2025-01-{day:02d}T10:00:"
    return [
        js.tour_shown(tour, who, f"{at}00Z", token),
        js.step_event("shown", tour, 0, who, f"{at}01Z", token),
        js.step_event("completed", tour, 0, who, f"{at}02Z", token),
        js.step_event("shown", tour, 1, who, f"{at}03Z", token),
        js.survey_sent(tour, 1, who, f"{at}04Z", token, rating),
        js.step_event("completed", tour, 1, who, f"{at}05Z", token),
        js.step_event("shown", tour, 2, who, f"{at}06Z", token),
        js.step_event("completed", tour, 2, who, f"{at}07Z", token),
        js.tour_completed(tour, who, f"{at}08Z", token),
    ]


def dismissed_run(tour: dict, who: str, day: int, token: str, reason: str | None) -> list[dict]:
    at = f"2025-01-{day:02d}T09:00:"
    return [
        js.tour_shown(tour, who, f"{at}00Z", token),
        js.step_event("shown", tour, 0, who, f"{at}01Z", token),
        js.tour_dismissed(tour, 0, who, f"{at}02Z", token, reason),
    ]


@pytest.fixture
def january(tenant, browser, tour):
    """Four visits in January by three people once merged; noise outside the tour, range and project."""
    token = tenant.project.api_token
    other_tour = launch_tour(tenant, name="Other tour")
    js.send(browser, completed_run(tour, "anon-a", 10, token, 5))
    js.send(browser, dismissed_run(tour, "anon-b", 12, token, "user_clicked_skip"), compress=False)
    js.send(
        browser,
        [
            *dismissed_run(tour, "anon-c", 15, token, None),
            # A step the tour no longer has, seen only in events.
            js.event(
                "product tour step shown",
                "anon-c",
                "2025-01-15T09:00:03Z",
                token,
                **{"$product_tour_id": tour["id"], "$product_tour_step_id": "old-step"},
            ),
        ],
    )
    js.send(browser, completed_run(tour, "anon-d", 20, token, 3))
    # Not counted: before the range, another tour of the project, events that are not tour events.
    js.send(browser, [js.tour_shown(tour, "anon-e", "2024-12-31T23:59:59.999Z", token)])
    js.send(browser, completed_run(other_tour, "anon-a", 11, token, 1))
    js.send(
        browser, [js.event("$pageview", "anon-a", "2025-01-10T10:00:00Z", token, **{"$product_tour_id": tour["id"]})]
    )
    return tour


def expected_january(tour: dict, *, people_a_b: int) -> dict:
    """`people_a_b`: how many people anon-a and anon-b are (2 before they were merged, 1 after)."""
    rate_step = tour["content"]["steps"][1]
    return {
        "tour_id": tour["id"],
        "date_from": "2025-01-01T00:00:00Z",
        "date_to": "2025-01-31T23:59:59.999999Z",
        "shown": count(4, people_a_b + 2),
        "completed": count(2, 2),
        "dismissed": count(2, 2),
        "completion_rate": round(2 / (people_a_b + 2), 4),
        "steps": [
            {
                "step_id": "welcome",
                "step_order": 0,
                "shown": count(4, people_a_b + 2),
                "completed": count(2, 2),
                "survey": None,
            },
            {
                "step_id": "rate",
                "step_order": 1,
                "shown": count(2, 2),
                "completed": count(2, 2),
                "survey": {
                    "survey_id": rate_step["linkedSurveyId"],
                    "questions": [
                        {
                            "question_id": rate_step["linkedSurveyQuestionId"],
                            "question": "How easy was it?",
                            "type": "rating",
                            "responses": count(2, 2),
                            "distribution": {"1": 0, "2": 0, "3": 1, "4": 0, "5": 1},
                        }
                    ],
                },
            },
            {"step_id": "finish", "step_order": 2, "shown": count(2, 2), "completed": count(2, 2), "survey": None},
            {"step_id": "old-step", "step_order": None, "shown": count(1, 1), "completed": count(0, 0), "survey": None},
        ],
        "dismiss_reasons": {"unknown": 1, "user_clicked_skip": 1},
    }


def test_every_field_through_capture(tenant, january):
    assert stats_of(tenant, january["id"], **JANUARY) == expected_january(january, people_a_b=2)


def test_ids_merged_after_the_events_count_once(tenant, browser, january):
    token = tenant.project.api_token
    # The visitor logs in on both devices after the tour ran: three distinct ids, one person.
    js.send(browser, [js.identify("user-1", "anon-a", token)])
    js.send(browser, [js.identify("user-1", "anon-b", token)])
    assert stats_of(tenant, january["id"], **JANUARY) == expected_january(january, people_a_b=1)


def test_create_alias_merges_too(tenant, browser, tour):
    token = tenant.project.api_token
    js.send(browser, [js.tour_shown(tour, "device-1", "2025-01-05T08:00:00Z", token)])
    js.send(browser, [js.tour_shown(tour, "device-2", "2025-01-06T08:00:00Z", token)])
    assert stats_of(tenant, tour["id"], **JANUARY)["shown"] == count(2, 2)
    js.send(browser, [js.create_alias("device-1", "device-2", token)])
    assert stats_of(tenant, tour["id"], **JANUARY)["shown"] == count(2, 1)


def test_identified_people_are_not_merged_into_each_other(tenant, browser, tour):
    token = tenant.project.api_token
    js.send(browser, [js.tour_shown(tour, "anon-1", "2025-01-05T08:00:00Z", token)])
    js.send(browser, [js.tour_shown(tour, "anon-2", "2025-01-05T09:00:00Z", token)])
    js.send(browser, [js.identify("alice", "anon-1", token), js.identify("bob", "anon-2", token)])
    # Bob's session then claims Alice's anonymous id: an identified person is never merged (PostHog).
    js.send(browser, [js.identify("bob", "anon-1", token)])
    assert stats_of(tenant, tour["id"], **JANUARY)["shown"] == count(2, 2)


def test_nobody_shown_gives_zeros_and_a_null_rate(tenant, tour):
    body = stats_of(tenant, tour["id"], **JANUARY)
    assert body["shown"] == body["completed"] == body["dismissed"] == count(0, 0)
    assert body["completion_rate"] is None
    assert body["dismiss_reasons"] == {}
    assert [(s["step_id"], s["step_order"], s["shown"], s["completed"]) for s in body["steps"]] == [
        ("welcome", 0, count(0, 0), count(0, 0)),
        ("rate", 1, count(0, 0), count(0, 0)),
        ("finish", 2, count(0, 0), count(0, 0)),
    ]
    question = body["steps"][1]["survey"]["questions"][0]
    assert question["responses"] == count(0, 0)
    assert question["distribution"] == {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0}


def test_completion_rate_is_rounded_to_four_decimals(tenant, browser, tour):
    token = tenant.project.api_token
    shown = [js.tour_shown(tour, f"v{i}", "2025-01-03T08:00:00Z", token) for i in range(3)]
    js.send(browser, [*shown, js.tour_completed(tour, "v0", "2025-01-03T08:05:00Z", token)])
    assert stats_of(tenant, tour["id"], **JANUARY)["completion_rate"] == 0.3333


def test_the_same_person_twice_is_two_events_one_person(tenant, browser, tour):
    token = tenant.project.api_token
    js.send(browser, completed_run(tour, "again", 4, token, 4) + completed_run(tour, "again", 5, token, 2))
    body = stats_of(tenant, tour["id"], **JANUARY)
    assert (body["shown"], body["completed"], body["completion_rate"]) == (count(2, 1), count(2, 1), 1.0)
    question = body["steps"][1]["survey"]["questions"][0]
    assert question["responses"] == count(2, 1)
    assert question["distribution"] == {"1": 0, "2": 1, "3": 0, "4": 1, "5": 0}


def test_steps_follow_the_current_content(tenant, browser, tour):
    """Reordered and removed steps: the current order first, then what only events name, by id."""
    token = tenant.project.api_token
    js.send(browser, completed_run(tour, "early", 3, token, 5))
    steps = tour["content"]["steps"]
    response = tenant.client.patch(
        tenant.url(f"product_tours/{tour['id']}/"),
        {"content": {"steps": [steps[2], {"id": "new", "type": "modal"}, steps[0]]}},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = stats_of(tenant, tour["id"], **JANUARY)
    assert [(s["step_id"], s["step_order"], s["shown"]["total"], s["survey"]) for s in body["steps"]] == [
        ("finish", 0, 1, None),
        ("new", 1, 0, None),
        ("welcome", 2, 1, None),
        ("rate", None, 1, None),
    ]


def test_events_of_a_tour_with_the_same_id_in_another_project_do_not_count(tenant, other_tenant, browser, tour):
    js.send(browser, [js.tour_shown(tour, "outsider", "2025-01-05T08:00:00Z", other_tenant.project.api_token)])
    assert stats_of(tenant, tour["id"], **JANUARY)["shown"] == count(0, 0)
