"""Survey steps: each step with a `survey` object gets a linked Survey that follows the tour (§11, §13)."""

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone as django_timezone
from rest_framework.test import APIClient

from tests.factories import MembershipFactory, UserFactory, make_key
from tests.support.errors import assert_error
from tests.support.public import get_tours, tours_of
from tests.support.tours import NOW, create, make_tour, patch, tour_url
from tours.models import ProductTour, Survey
from tours.services import tours as tour_services
from tours.services.surveys import tour_surveys_sync

pytestmark = pytest.mark.django_db

APPEARANCE = {"position": "middle_center", "displayThankYouMessage": False, "hideCancelButton": True}
OPEN = {"type": "open", "questionText": "What brought you here?"}
RATING = {"type": "rating", "questionText": "How was it?", "scale": 5}


def survey_step(config=None, step_id="s1", **extra):
    return {"id": step_id, "type": "survey", "survey": OPEN if config is None else config, **extra}


def create_tour(tenant, steps, **fields):
    response = create(tenant, {"name": fields.pop("name", "Survey tour"), "content": {"steps": steps}, **fields})
    assert response.status_code == 201, response.json()
    return response.json()


def survey_of(step: dict) -> Survey:
    return Survey.objects.get(pk=step["linkedSurveyId"])


def stored_steps(tour_id) -> list[dict]:
    return ProductTour.objects.get(pk=tour_id).content["steps"]


def assert_recent(value: datetime) -> None:
    assert value is not None
    assert abs(django_timezone.now() - value) < timedelta(minutes=1)


# --- create ---------------------------------------------------------------------------------------


def test_create_links_an_open_survey(tenant):
    body = create_tour(tenant, [survey_step()], name="Onboarding")
    step = body["content"]["steps"][0]
    survey_id = uuid.UUID(step["linkedSurveyId"])
    assert str(survey_id) == step["linkedSurveyId"]
    survey = Survey.objects.get(pk=survey_id)
    question_id = step["linkedSurveyQuestionId"]
    assert str(uuid.UUID(question_id)) == question_id
    assert survey.project_id == tenant.project.id
    assert str(survey.product_tour_id) == body["id"]
    assert survey.type == "api"
    assert survey.name == f"Onboarding - Step 1 Survey ({str(survey_id)[:8]})"
    assert survey.questions == [{"id": question_id, "type": "open", "question": "What brought you here?"}]
    assert survey.appearance == APPEARANCE
    assert survey.enable_partial_responses is False
    assert survey.created_by_id == tenant.user.id
    assert (survey.start_date, survey.end_date) == (None, None)
    # The ids are stored in the step (not only rendered), next to the untouched step fields.
    assert stored_steps(body["id"]) == [
        {**survey_step(), "linkedSurveyId": str(survey_id), "linkedSurveyQuestionId": question_id}
    ]


def test_create_rating_survey_gets_defaults_and_labels(tenant):
    body = create_tour(
        tenant,
        [
            survey_step({"type": "rating", "questionText": "How was it?"}, step_id="a"),
            survey_step(
                {
                    "type": "rating",
                    "questionText": "Recommend us?",
                    "scale": 10,
                    "display": "number",
                    "lowerBoundLabel": "Never",
                    "upperBoundLabel": "Always",
                },
                step_id="b",
            ),
        ],
    )
    first, second = body["content"]["steps"]
    assert survey_of(first).questions == [
        {
            "id": first["linkedSurveyQuestionId"],
            "type": "rating",
            "question": "How was it?",
            "scale": 5,
            "display": "emoji",
            "skipSubmitButton": True,
        }
    ]
    assert survey_of(second).questions == [
        {
            "id": second["linkedSurveyQuestionId"],
            "type": "rating",
            "question": "Recommend us?",
            "scale": 10,
            "display": "number",
            "lowerBoundLabel": "Never",
            "upperBoundLabel": "Always",
            "skipSubmitButton": True,
        }
    ]


def test_only_steps_with_a_survey_object_get_one_named_by_step_number(tenant):
    body = create_tour(
        tenant,
        [
            {"id": "s1", "type": "modal", "title": "Hi"},
            survey_step(step_id="s2"),
            {"id": "s3", "type": "survey", "survey": None},
            survey_step({}, step_id="s4"),
        ],
        name="Mixed",
    )
    steps = body["content"]["steps"]
    assert "linkedSurveyId" not in steps[0] and "linkedSurveyId" not in steps[2]
    assert Survey.objects.count() == 2
    assert survey_of(steps[1]).name.startswith("Mixed - Step 2 Survey (")
    assert survey_of(steps[3]).name.startswith("Mixed - Step 4 Survey (")
    # `{}` is an open question with no text.
    assert survey_of(steps[3]).questions == [{"id": steps[3]["linkedSurveyQuestionId"], "type": "open", "question": ""}]


def test_create_without_survey_steps_creates_nothing(tenant):
    create_tour(tenant, [{"id": "s1", "type": "modal"}])
    create(tenant, {"name": "No content"})
    assert Survey.objects.count() == 0


def test_ids_show_in_get_and_in_the_public_sdk_endpoint(tenant, client):
    body = create_tour(tenant, [{"id": "s0", "type": "modal"}, survey_step(RATING)], start_date=NOW)
    step = body["content"]["steps"][1]
    got = tenant.client.get(tour_url(tenant, body["id"])).json()["content"]["steps"][1]
    assert got["linkedSurveyId"] == step["linkedSurveyId"]
    assert got["linkedSurveyQuestionId"] == step["linkedSurveyQuestionId"]
    listed = tenant.client.get(tenant.url("product_tours/")).json()["results"][0]["content"]["steps"][1]
    assert listed["linkedSurveyId"] == step["linkedSurveyId"]
    (sdk_tour,) = tours_of(get_tours(client, tenant.project.api_token))
    sdk_step = sdk_tour["steps"][1]
    assert sdk_step["survey"] == RATING
    assert sdk_step["linkedSurveyId"] == step["linkedSurveyId"]
    assert sdk_step["linkedSurveyQuestionId"] == step["linkedSurveyQuestionId"]
    assert sdk_step["linkedSurveyQuestionId"] == survey_of(step).questions[0]["id"]


# --- dates follow the tour ----------------------------------------------------------------------


def test_survey_launched_with_tour(tenant):
    """T-survey-launched-with-tour."""
    body = create_tour(tenant, [survey_step(RATING)])
    survey = survey_of(body["content"]["steps"][0])
    assert survey.start_date is None
    assert patch(tenant, body["id"], {"start_date": NOW}).status_code == 200
    survey.refresh_from_db()
    assert survey.start_date == datetime(2025, 1, 1, 12, tzinfo=UTC)
    assert survey.end_date is None


def test_survey_ended_with_tour(tenant):
    """T-survey-ended-with-tour."""
    body = create_tour(tenant, [survey_step(OPEN)], start_date=NOW)
    survey = survey_of(body["content"]["steps"][0])
    assert survey.start_date is not None and survey.end_date is None
    assert patch(tenant, body["id"], {"end_date": "2025-02-01T00:00:00Z"}).status_code == 200
    survey.refresh_from_db()
    assert survey.end_date == datetime(2025, 2, 1, tzinfo=UTC)


def test_survey_ended_on_delete(tenant):
    """T-survey-ended-on-delete: the survey outlives the hard-deleted tour, ended."""
    body = create_tour(tenant, [survey_step(OPEN)], start_date=NOW)
    survey = survey_of(body["content"]["steps"][0])
    response = tenant.client.delete(tour_url(tenant, body["id"]))
    assert response.status_code == 204
    survey.refresh_from_db()
    assert_recent(survey.end_date)
    assert survey.product_tour_id is None
    assert not ProductTour.objects.filter(pk=body["id"]).exists()


def test_delete_keeps_an_earlier_end_date_and_leaves_other_tours_surveys_alone(tenant):
    stopped = create_tour(tenant, [survey_step()], name="Stopped", start_date=NOW, end_date="2025-01-05T00:00:00Z")
    running = create_tour(tenant, [survey_step()], name="Running", start_date=NOW)
    assert tenant.client.delete(tour_url(tenant, stopped["id"])).status_code == 204
    assert survey_of(stopped["content"]["steps"][0]).end_date == datetime(2025, 1, 5, tzinfo=UTC)
    assert survey_of(running["content"]["steps"][0]).end_date is None


def test_admin_delete_ends_surveys_too(tenant, client, django_user_model):
    admin = django_user_model.objects.create_superuser(email="admin@example.com", password="pw")
    client.force_login(admin)
    body = create_tour(tenant, [survey_step()], start_date=NOW)
    response = client.post(
        "/admin/tours/producttour/", {"action": "delete_selected", "_selected_action": [body["id"]], "post": "yes"}
    )
    assert response.status_code == 302
    assert_recent(survey_of(body["content"]["steps"][0]).end_date)


def test_archiving_ends_the_survey_now_and_unarchiving_reopens_it(tenant):
    body = create_tour(tenant, [survey_step()], start_date=NOW)
    survey = survey_of(body["content"]["steps"][0])
    assert patch(tenant, body["id"], {"archived": True}).status_code == 200
    survey.refresh_from_db()
    assert_recent(survey.end_date)
    ended = survey.end_date
    # Further syncs of the archived tour do not move the end.
    assert patch(tenant, body["id"], {"description": "still archived"}).status_code == 200
    survey.refresh_from_db()
    assert survey.end_date == ended
    assert patch(tenant, body["id"], {"archived": False}).status_code == 200
    survey.refresh_from_db()
    assert survey.end_date is None


def test_archived_tour_with_end_date_ends_survey_then(tenant):
    body = create_tour(tenant, [survey_step()], start_date=NOW, end_date="2025-01-03T00:00:00Z")
    assert patch(tenant, body["id"], {"archived": True}).status_code == 200
    assert survey_of(body["content"]["steps"][0]).end_date == datetime(2025, 1, 3, tzinfo=UTC)


def test_created_archived_tour_creates_an_ended_survey(tenant):
    body = create_tour(tenant, [survey_step()], archived=True)
    assert_recent(survey_of(body["content"]["steps"][0]).end_date)


# --- updates --------------------------------------------------------------------------------------


def test_update_reuses_the_survey_and_its_question_id(tenant):
    body = create_tour(tenant, [survey_step(OPEN)])
    step = body["content"]["steps"][0]
    survey = survey_of(step)
    edited = {**step, "survey": {"type": "rating", "questionText": "Now a rating", "scale": 3}}
    response = patch(tenant, body["id"], {"content": {"steps": [{"id": "s0", "type": "modal"}, edited]}})
    assert response.status_code == 200
    new_step = response.json()["content"]["steps"][1]
    assert new_step["linkedSurveyId"] == step["linkedSurveyId"]
    assert new_step["linkedSurveyQuestionId"] == step["linkedSurveyQuestionId"]
    survey.refresh_from_db()
    assert survey.questions == [
        {
            "id": step["linkedSurveyQuestionId"],
            "type": "rating",
            "question": "Now a rating",
            "scale": 3,
            "display": "emoji",
            "skipSubmitButton": True,
        }
    ]
    assert survey.name.startswith("Survey tour - Step 2 Survey (")  # the step moved
    assert survey.end_date is None
    assert Survey.objects.count() == 1


def test_renaming_the_tour_renames_its_surveys(tenant):
    body = create_tour(tenant, [survey_step()], name="Old name")
    assert patch(tenant, body["id"], {"name": "New name"}).status_code == 200
    survey = survey_of(body["content"]["steps"][0])
    assert survey.name == f"New name - Step 1 Survey ({survey.pk.hex[:8]})"


def test_unchanged_update_does_not_rewrite_the_survey(tenant):
    body = create_tour(tenant, [survey_step()])
    survey = survey_of(body["content"]["steps"][0])
    assert patch(tenant, body["id"], {"description": "only this"}).status_code == 200
    assert Survey.objects.get(pk=survey.pk).updated_at == survey.updated_at


def test_steps_sent_without_the_ids_get_a_new_survey_and_the_old_one_ends(tenant):
    """The ids are how a step names its survey: a client that drops them gets a fresh survey."""
    body = create_tour(tenant, [survey_step()])
    old = survey_of(body["content"]["steps"][0])
    response = patch(tenant, body["id"], {"content": {"steps": [survey_step()]}})
    assert response.status_code == 200
    new_step = response.json()["content"]["steps"][0]
    assert new_step["linkedSurveyId"] != str(old.pk)
    old.refresh_from_db()
    assert_recent(old.end_date)
    assert survey_of(new_step).end_date is None


def test_replacing_a_survey_step_ends_the_old_survey(tenant):
    body = create_tour(tenant, [survey_step(OPEN, step_id="a"), survey_step(RATING, step_id="b")], start_date=NOW)
    kept, removed = body["content"]["steps"]
    new = survey_step({"type": "open", "questionText": "Replacement"}, step_id="c")
    response = patch(tenant, body["id"], {"content": {"steps": [kept, new]}})
    assert response.status_code == 200
    steps = response.json()["content"]["steps"]
    assert steps[0]["linkedSurveyId"] == kept["linkedSurveyId"]
    assert steps[1]["linkedSurveyId"] not in (kept["linkedSurveyId"], removed["linkedSurveyId"])
    assert_recent(survey_of(removed).end_date)
    assert survey_of(kept).end_date is None
    assert survey_of(steps[1]).questions[0]["question"] == "Replacement"
    assert survey_of(steps[1]).end_date is None
    assert Survey.objects.filter(product_tour_id=body["id"]).count() == 3


def test_removing_the_survey_from_a_step_ends_it_and_drops_the_stale_ids(tenant):
    body = create_tour(tenant, [survey_step()])
    step = body["content"]["steps"][0]
    turned_modal = {**step, "type": "modal", "survey": None}
    response = patch(tenant, body["id"], {"content": {"steps": [turned_modal]}})
    assert response.status_code == 200
    (got,) = response.json()["content"]["steps"]
    assert "linkedSurveyId" not in got and "linkedSurveyQuestionId" not in got
    assert stored_steps(body["id"]) == [{"id": "s1", "type": "modal", "survey": None}]
    assert_recent(survey_of(step).end_date)


def test_removing_all_steps_ends_every_survey_once(tenant):
    body = create_tour(tenant, [survey_step(step_id="a"), survey_step(step_id="b")])
    assert patch(tenant, body["id"], {"content": {"steps": []}}).status_code == 200
    ends = {s.end_date for s in Survey.objects.all()}
    assert len(ends) == 1 and None not in ends
    (ended,) = ends
    assert patch(tenant, body["id"], {"name": "Later"}).status_code == 200
    assert {s.end_date for s in Survey.objects.all()} == {ended}  # an ended survey keeps its end


def test_re_adding_an_ended_survey_step_reopens_the_same_survey(tenant):
    body = create_tour(tenant, [survey_step()])
    step = body["content"]["steps"][0]
    assert patch(tenant, body["id"], {"content": {"steps": []}}).status_code == 200
    assert survey_of(step).end_date is not None
    response = patch(tenant, body["id"], {"content": {"steps": [step]}})
    assert response.json()["content"]["steps"][0]["linkedSurveyId"] == step["linkedSurveyId"]
    assert survey_of(step).end_date is None


def test_surveys_record_who_created_them(tenant):
    colleague = UserFactory()
    MembershipFactory(user=colleague, organization=tenant.organization)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_key(colleague)}")
    body = create_tour(tenant, [survey_step(step_id="a")])
    first = body["content"]["steps"][0]
    response = client.patch(
        tour_url(tenant, body["id"]), {"content": {"steps": [first, survey_step(step_id="b")]}}, format="json"
    )
    assert response.status_code == 200
    second = response.json()["content"]["steps"][1]
    assert survey_of(first).created_by_id == tenant.user.id  # an update keeps the creator
    assert survey_of(second).created_by_id == colleague.id


# --- which linkedSurveyId is trusted -------------------------------------------------------------


def test_missing_survey_id_gets_a_new_survey(tenant):
    missing = str(uuid.uuid4())
    body = create_tour(tenant, [survey_step(linkedSurveyId=missing, linkedSurveyQuestionId="q-from-client")])
    step = body["content"]["steps"][0]
    assert step["linkedSurveyId"] != missing
    assert step["linkedSurveyQuestionId"] != "q-from-client"
    assert survey_of(step).questions[0]["id"] == step["linkedSurveyQuestionId"]


def test_survey_deleted_behind_the_tours_back_is_recreated(tenant):
    body = create_tour(tenant, [survey_step()])
    step = body["content"]["steps"][0]
    Survey.objects.filter(pk=step["linkedSurveyId"]).delete()
    response = patch(tenant, body["id"], {"name": "Touched"})
    assert response.status_code == 200
    new_step = response.json()["content"]["steps"][0]
    assert new_step["linkedSurveyId"] != step["linkedSurveyId"]
    assert Survey.objects.filter(pk=new_step["linkedSurveyId"], product_tour_id=body["id"]).exists()


@pytest.mark.parametrize("bad", [12, "not-a-uuid", "", None, {"id": "x"}, ["a"]])
def test_malformed_survey_id_gets_a_new_survey(tenant, bad):
    body = create_tour(tenant, [survey_step(linkedSurveyId=bad)])
    step = body["content"]["steps"][0]
    assert Survey.objects.filter(pk=step["linkedSurveyId"]).exists()


def test_another_projects_survey_is_not_reused(tenant, other_tenant):
    theirs = create_tour(other_tenant, [survey_step()], name="Theirs", start_date=NOW)
    their_step = theirs["content"]["steps"][0]
    their_survey = survey_of(their_step)
    mine = create_tour(tenant, [survey_step(linkedSurveyId=their_step["linkedSurveyId"])], name="Mine")
    step = mine["content"]["steps"][0]
    assert step["linkedSurveyId"] != their_step["linkedSurveyId"]
    assert survey_of(step).project_id == tenant.project.id
    # Also on update, and their survey is left exactly as it was.
    response = patch(tenant, mine["id"], {"content": {"steps": [{**step, "linkedSurveyId": str(their_survey.pk)}]}})
    new_id = response.json()["content"]["steps"][0]["linkedSurveyId"]
    assert new_id not in (step["linkedSurveyId"], str(their_survey.pk))  # a fresh one; mine was replaced
    assert Survey.objects.get(pk=new_id).project_id == tenant.project.id
    after = Survey.objects.get(pk=their_survey.pk)
    assert (after.name, after.project_id, after.product_tour_id, after.end_date, after.updated_at) == (
        their_survey.name,
        other_tenant.project.id,
        their_survey.product_tour_id,
        None,
        their_survey.updated_at,
    )


def test_another_tours_survey_in_the_same_project_is_not_taken_over(tenant):
    first = create_tour(tenant, [survey_step()], name="First", start_date=NOW)
    borrowed = first["content"]["steps"][0]
    second = create_tour(tenant, [dict(borrowed)], name="Second")
    step = second["content"]["steps"][0]
    assert step["linkedSurveyId"] != borrowed["linkedSurveyId"]
    original = survey_of(borrowed)
    assert str(original.product_tour_id) == first["id"]
    assert original.name.startswith("First - ")
    assert original.start_date is not None and original.end_date is None


def test_two_steps_naming_one_survey_get_one_each(tenant):
    body = create_tour(tenant, [survey_step()])
    step = body["content"]["steps"][0]
    copy = {**step, "id": "s2"}
    response = patch(tenant, body["id"], {"content": {"steps": [step, copy]}})
    first, second = response.json()["content"]["steps"]
    assert first["linkedSurveyId"] == step["linkedSurveyId"]
    assert second["linkedSurveyId"] != step["linkedSurveyId"]
    assert second["linkedSurveyQuestionId"] != first["linkedSurveyQuestionId"]
    assert Survey.objects.filter(end_date__isnull=True).count() == 2


# --- malformed survey configs --------------------------------------------------------------------

MALFORMED = [
    ("Rate us", "Step 1 survey must be an object."),
    (["open"], "Step 1 survey must be an object."),
    (True, "Step 1 survey must be an object."),
    ({"questionText": 42}, "Step 1 survey.questionText must be a string."),
    ({"type": "multiple_choice", "questionText": "?"}, "Step 1 survey.type must be one of: open, rating."),
    ({"type": "rating", "questionText": "?", "scale": 7}, "Step 1 survey.scale must be one of: 3, 5, 10."),
    ({"type": "rating", "questionText": "?", "scale": "5"}, "Step 1 survey.scale must be one of: 3, 5, 10."),
    ({"type": "rating", "questionText": "?", "scale": 1e308}, "Step 1 survey.scale must be one of: 3, 5, 10."),
    ({"type": "rating", "display": "stars"}, "Step 1 survey.display must be one of: emoji, number."),
    ({"type": "rating", "questionText": "?", "lowerBoundLabel": {}}, "Step 1 survey.lowerBoundLabel must be a string."),
]


@pytest.mark.parametrize(("config", "detail"), MALFORMED)
def test_malformed_survey_on_create_is_400(tenant, config, detail):
    response = create(tenant, {"name": "Bad", "content": {"steps": [{"id": "s1", "type": "survey", "survey": config}]}})
    assert_error(response, 400, code="invalid_input", detail=detail, attr="content", type="validation_error")
    assert not ProductTour.objects.exists()
    assert not Survey.objects.exists()


@pytest.mark.parametrize(("config", "detail"), MALFORMED)
def test_malformed_survey_on_update_is_400_and_changes_nothing(tenant, config, detail):
    body = create_tour(tenant, [survey_step()])
    step = body["content"]["steps"][0]
    bad_second = {"id": "s2", "type": "survey", "survey": config}
    response = patch(tenant, body["id"], {"name": "Renamed", "content": {"steps": [step, bad_second]}})
    assert_error(response, 400, detail=detail.replace("Step 1", "Step 2"), attr="content")
    tour = ProductTour.objects.get(pk=body["id"])
    assert tour.name == "Survey tour"
    assert tour.content["steps"] == [step]
    assert list(Survey.objects.values_list("pk", "end_date")) == [(uuid.UUID(step["linkedSurveyId"]), None)]


def test_malformed_survey_in_a_form_body_is_400(tenant):
    response = tenant.client.post(
        tenant.url("product_tours/"),
        {"name": "Form", "content": json.dumps({"steps": [{"id": "s1", "survey": "x"}]})},
        format="multipart",
    )
    assert_error(response, 400, detail="Step 1 survey must be an object.", attr="content")


def test_malformed_survey_stored_another_way_is_skipped_not_a_500(tenant):
    tour = make_tour(tenant.project, content={"steps": [{"id": "s1", "type": "survey", "survey": "raw"}]})
    response = patch(tenant, tour.id, {"name": "Still editable"})
    assert response.status_code == 200
    assert response.json()["content"]["steps"] == [{"id": "s1", "type": "survey", "survey": "raw"}]
    assert not Survey.objects.exists()


# --- one transaction ------------------------------------------------------------------------------


def test_a_failure_after_the_survey_sync_rolls_the_surveys_back(tenant, monkeypatch):
    body = create_tour(tenant, [survey_step()])
    step = body["content"]["steps"][0]

    def sync_then_fail(**kwargs):
        tour_surveys_sync(**kwargs)
        raise RuntimeError("boom")

    monkeypatch.setattr(tour_services, "tour_surveys_sync", sync_then_fail)
    tour = ProductTour.objects.get(pk=body["id"])
    with pytest.raises(RuntimeError):
        tour_services.tour_update(tour=tour, user=tenant.user, data={"content": {"steps": [survey_step(step_id="x")]}})
    with pytest.raises(RuntimeError):
        tour_services.tour_create(
            project=tenant.project, user=tenant.user, data={"name": "Never", "content": {"steps": [survey_step()]}}
        )
    assert list(Survey.objects.values_list("pk", "end_date")) == [(uuid.UUID(step["linkedSurveyId"]), None)]
    assert stored_steps(body["id"]) == [step]
    assert not ProductTour.objects.filter(name="Never").exists()
