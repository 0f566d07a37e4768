"""Survey steps: answers counted per question in the tour stats, and `GET …/surveys/{id}/responses/`
(paginated, newest first, scope `survey:read`), from `survey sent` events posthog-js sends to `/e`."""

import pytest

from tests.stats import posthog_js as js
from tests.support.errors import assert_error
from tests.support.stats import count, launch_tour, stats_of
from tours.services.survey_answers import answer_label, survey_answer, survey_response_build

pytestmark = pytest.mark.django_db

JANUARY = {"date_from": "2025-01-01", "date_to": "2025-01-31"}
OPEN_STEPS = [
    {"id": "ask", "type": "survey", "survey": {"type": "open", "questionText": "What is missing?"}},
    {"id": "nps", "type": "survey", "survey": {"type": "rating", "questionText": "Recommend us?", "scale": 10}},
]


def responses_url(tenant, survey_id: str) -> str:
    return tenant.url(f"surveys/{survey_id}/responses/")


@pytest.fixture
def survey_tour(tenant):
    return launch_tour(tenant, name="Feedback", steps=OPEN_STEPS)


def answers(tenant, browser, tour, *rows) -> None:
    token = tenant.project.api_token
    js.send(browser, [js.survey_sent(tour, index, who, at, token, value) for index, who, at, value in rows])


def test_open_and_nps_questions_in_the_stats(tenant, browser, survey_tour):
    answers(
        tenant,
        browser,
        survey_tour,
        (0, "a", "2025-01-02T10:00:00Z", "Dark mode"),
        (0, "b", "2025-01-02T11:00:00Z", "Exports"),
        (0, "b", "2025-01-03T11:00:00Z", "Exports, really"),
        (0, "c", "2025-01-02T12:00:00Z", ""),  # skipped: sent without an answer
        (1, "a", "2025-01-02T10:01:00Z", 10),
        (1, "b", "2025-01-02T11:01:00Z", 0),
        (1, "c", "2025-01-02T12:01:00Z", 10),
        (1, "d", "2025-02-02T12:01:00Z", 3),  # outside the range
    )
    ask, nps = (step["survey"] for step in stats_of(tenant, survey_tour["id"], **JANUARY)["steps"])
    assert ask == {
        "survey_id": survey_tour["content"]["steps"][0]["linkedSurveyId"],
        "questions": [
            {
                "question_id": survey_tour["content"]["steps"][0]["linkedSurveyQuestionId"],
                "question": "What is missing?",
                "type": "open",
                "responses": count(3, 2),
                "distribution": None,
            }
        ],
    }
    question = nps["questions"][0]
    assert (question["type"], question["responses"]) == ("rating", count(3, 3))
    assert question["distribution"] == {str(value): {0: 1, 10: 2}.get(value, 0) for value in range(11)}
    assert list(question["distribution"]) == [str(value) for value in range(11)]


def test_rating_answers_off_the_scale_or_as_text_are_counted_under_their_value(tenant, browser, tour):
    answers(
        tenant,
        browser,
        tour,
        (1, "a", "2025-01-02T10:00:00Z", 4),
        (1, "b", "2025-01-02T10:00:00Z", "4"),
        (1, "c", "2025-01-02T10:00:00Z", 4.0),
        (1, "d", "2025-01-02T10:00:00Z", 7),
    )
    question = stats_of(tenant, tour["id"], **JANUARY)["steps"][1]["survey"]["questions"][0]
    assert question["responses"] == count(4, 4)
    assert question["distribution"] == {"1": 0, "2": 0, "3": 0, "4": 3, "5": 0, "7": 1}


def test_answers_of_the_same_survey_from_another_tour_or_project_do_not_count(
    tenant, other_tenant, browser, survey_tour
):
    step = survey_tour["content"]["steps"][1]
    stray = js.survey_sent(survey_tour, 1, "x", "2025-01-02T10:00:00Z", tenant.project.api_token, 7)
    stray["properties"]["$product_tour_id"] = launch_tour(tenant, name="Another")["id"]
    foreign = js.survey_sent(survey_tour, 1, "y", "2025-01-02T10:00:00Z", other_tenant.project.api_token, 7)
    js.send(browser, [stray])
    js.send(browser, [foreign])  # a batch goes to one project: its token's
    question = stats_of(tenant, survey_tour["id"], **JANUARY)["steps"][1]["survey"]["questions"][0]
    assert question["responses"] == count(0, 0)
    # The survey's own responses list the stray answer (it answered this survey), not the other project's.
    body = tenant.client.get(responses_url(tenant, step["linkedSurveyId"])).json()
    assert [row["distinct_id"] for row in body["results"]] == ["x"]


def test_responses_are_paginated_newest_first(tenant, browser, survey_tour):
    step = survey_tour["content"]["steps"][1]
    answers(tenant, browser, survey_tour, *((1, f"p{day}", f"2025-01-{day:02d}T10:00:00Z", day) for day in range(1, 6)))
    url = responses_url(tenant, step["linkedSurveyId"])
    body = tenant.client.get(url, {"limit": 2}).json()
    assert body["count"] == 5
    assert body["previous"] is None and "offset=2" in body["next"]
    assert body["results"] == [
        {
            "id": body["results"][0]["id"],
            "distinct_id": "p5",
            "timestamp": "2025-01-05T10:00:00Z",
            "product_tour_id": survey_tour["id"],
            "responses": [{"question_id": step["linkedSurveyQuestionId"], "question": "Recommend us?", "response": 5}],
        },
        {
            "id": body["results"][1]["id"],
            "distinct_id": "p4",
            "timestamp": "2025-01-04T10:00:00Z",
            "product_tour_id": survey_tour["id"],
            "responses": [{"question_id": step["linkedSurveyQuestionId"], "question": "Recommend us?", "response": 4}],
        },
    ]
    last = tenant.client.get(url, {"limit": 2, "offset": 4}).json()
    assert [row["distinct_id"] for row in last["results"]] == ["p1"] and last["next"] is None


def test_a_survey_without_answers_has_an_empty_page(tenant, survey_tour):
    step = survey_tour["content"]["steps"][0]
    body = tenant.client.get(responses_url(tenant, step["linkedSurveyId"])).json()
    assert body == {"count": 0, "next": None, "previous": None, "results": []}


@pytest.mark.parametrize("scopes", [("survey:read",), ("survey:write",)])
def test_responses_need_survey_read(tenant, survey_tour, scopes):
    url = responses_url(tenant, survey_tour["content"]["steps"][0]["linkedSurveyId"])
    assert tenant.client_with_scopes(*scopes).get(url).status_code == 200
    response = tenant.client_with_scopes("product_tour:read").get(url)
    assert_error(response, 403, detail="API key missing required scope 'survey:read'")


def test_another_projects_survey_is_404(tenant, other_tenant, survey_tour):
    survey_id = survey_tour["content"]["steps"][0]["linkedSurveyId"]
    assert_error(other_tenant.client.get(responses_url(other_tenant, survey_id)), 404, code="not_found")
    assert_error(tenant.client.get(responses_url(tenant, "not-a-uuid")), 404, code="not_found")


# --- pure: where answers are read from ---------------------------------------------------------------


def test_answer_keys_in_posthog_js_order():
    assert survey_answer(properties={"$survey_response_q1": 4, "$survey_response": 1}, question_id="q1", index=0) == 4
    # Older SDKs: the first question's answer as `$survey_response`.
    assert survey_answer(properties={"$survey_response": "yes"}, question_id="q1", index=0) == "yes"
    assert survey_answer(properties={"$survey_response": "yes"}, question_id="q2", index=1) is None
    # Only in `$survey_questions`.
    listed = {"$survey_questions": [{"id": "q2", "response": "late"}, {"id": "q3", "response": ""}]}
    assert survey_answer(properties=listed, question_id="q2", index=1) == "late"
    assert survey_answer(properties=listed, question_id="q3", index=2) is None
    assert survey_answer(properties={"$survey_questions": "junk"}, question_id="q2", index=1) is None


def test_responses_follow_the_surveys_questions():
    questions = [{"id": "q1", "question": "One?"}, {"id": "q2", "question": "Two?"}, "junk"]
    built = survey_response_build(properties={"$survey_response_q2": ["a", "b"]}, questions=questions)
    assert built == [
        {"question_id": "q1", "question": "One?", "response": None},
        {"question_id": "q2", "question": "Two?", "response": ["a", "b"]},
        {"question_id": None, "question": "", "response": None},
    ]


@pytest.mark.parametrize(
    ("value", "label"),
    [(5, "5"), (5.0, "5"), ("5", "5"), (" 5.0 ", "5"), (2.5, "2.5"), ("great", "great"), (None, None), ("", None)],
)
def test_answer_labels(value, label):
    assert answer_label(value) == label
