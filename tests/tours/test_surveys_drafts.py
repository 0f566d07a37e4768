"""Drafts never create or touch surveys (§14.2); publishing syncs them like a PATCH (§14.3)."""

import pytest

from tests.support.errors import assert_error
from tests.support.tours import create, tour_url
from tours.models import ProductTour, Survey

pytestmark = pytest.mark.django_db

SURVEY_STEP = {"id": "s1", "type": "survey", "survey": {"type": "rating", "questionText": "Rate us", "scale": 5}}


def draft(tenant, tour_id, body):
    return tenant.client.patch(tour_url(tenant, tour_id, "draft/"), body, format="json")


def publish(tenant, tour_id, body=None):
    return tenant.client.post(tour_url(tenant, tour_id, "publish_draft/"), body or {}, format="json")


def new_tour(tenant, steps=()):
    response = create(tenant, {"name": "Drafted tour", "content": {"steps": list(steps)}})
    assert response.status_code == 201
    return response.json()


def test_draft_save_creates_no_survey_and_publish_does(tenant):
    tour = new_tour(tenant)
    response = draft(tenant, tour["id"], {"content": {"steps": [SURVEY_STEP]}})
    assert response.status_code == 200
    assert response.json()["draft_content"]["content"] == {"steps": [SURVEY_STEP]}  # stored raw, no ids
    assert not Survey.objects.exists()
    assert ProductTour.objects.get(pk=tour["id"]).content == {"steps": []}

    response = publish(tenant, tour["id"])
    assert response.status_code == 200
    body = response.json()
    assert body["draft_content"] is None
    (step,) = body["content"]["steps"]
    survey = Survey.objects.get(pk=step["linkedSurveyId"])
    assert str(survey.product_tour_id) == tour["id"]
    assert survey.questions[0]["id"] == step["linkedSurveyQuestionId"]
    assert survey.questions[0]["question"] == "Rate us"


def test_draft_removing_a_survey_step_does_not_end_it_until_published(tenant):
    tour = new_tour(tenant, [SURVEY_STEP])
    survey_id = tour["content"]["steps"][0]["linkedSurveyId"]
    assert draft(tenant, tour["id"], {"content": {"steps": []}, "name": "Renamed in draft"}).status_code == 200
    survey = Survey.objects.get(pk=survey_id)
    assert survey.end_date is None and survey.name.startswith("Drafted tour - ")
    assert publish(tenant, tour["id"]).status_code == 200
    survey.refresh_from_db()
    assert survey.end_date is not None


def test_publishing_a_draft_seeded_from_live_reuses_the_survey(tenant):
    tour = new_tour(tenant, [SURVEY_STEP])
    live_step = tour["content"]["steps"][0]
    assert draft(tenant, tour["id"], {"name": "Only the name"}).status_code == 200  # seeds content from live
    response = publish(tenant, tour["id"])
    assert response.status_code == 200
    (step,) = response.json()["content"]["steps"]
    assert step["linkedSurveyId"] == live_step["linkedSurveyId"]
    assert step["linkedSurveyQuestionId"] == live_step["linkedSurveyQuestionId"]
    assert Survey.objects.count() == 1
    assert Survey.objects.get().name.startswith("Only the name - Step 1 Survey (")


def test_malformed_survey_is_accepted_in_a_draft_and_refused_at_publish(tenant):
    tour = new_tour(tenant)
    bad = {"id": "s1", "type": "survey", "survey": {"type": "rating", "scale": 4}}
    assert draft(tenant, tour["id"], {"content": {"steps": [bad]}}).status_code == 200
    response = publish(tenant, tour["id"])
    assert_error(response, 400, detail="Step 1 survey.scale must be one of: 3, 5, 10.", attr="content")
    stored = ProductTour.objects.get(pk=tour["id"])
    assert stored.draft_content["content"] == {"steps": [bad]}  # the draft is kept
    assert stored.content == {"steps": []}
    assert not Survey.objects.exists()


def test_discarding_a_draft_leaves_surveys_alone(tenant):
    tour = new_tour(tenant, [SURVEY_STEP])
    survey = Survey.objects.get()
    assert draft(tenant, tour["id"], {"content": {"steps": []}}).status_code == 200
    assert tenant.client.delete(tour_url(tenant, tour["id"], "discard_draft/")).status_code == 200
    after = Survey.objects.get()
    assert (after.pk, after.end_date, after.updated_at) == (survey.pk, None, survey.updated_at)
