"""`POST /api/projects/{id}/product_tours/{tour_id}/generate/` against the fake OpenAI server."""

import uuid

import pytest

from tests.support.errors import assert_error
from tests.support.generate import CONTENT, STEPS, generate_url, post
from tests.support.tours import make_tour
from tours.models import ProductTour
from tours.services.generate.errors import CONSENT_DETAIL, NOT_CONFIGURED_DETAIL

pytestmark = pytest.mark.django_db

KEPT_IDS = [STEPS[0]["id"], STEPS[3]["id"], STEPS[4]["id"]]


def expected(indices, ids=KEPT_IDS):
    return [{"step_id": ids[i], "title": f"Title {i}", "description": f"Description of step {i}."} for i in indices]


# --- success -----------------------------------------------------------------------------------------


def test_success_maps_indices_to_step_ids_and_filters_banner_and_survey(tenant, ai_settings):
    tour = make_tour(tenant.project, content=CONTENT)
    response = post(tenant, tour, {"title": "Billing", "goal": "Teach saving", "steps": STEPS})
    assert response.status_code == 200, response.content
    assert response.json() == {"steps": expected([0, 1, 2])}


def test_unknown_index_from_the_model_is_dropped(tenant, ai_settings):
    tour = make_tour(tenant.project, content=CONTENT)
    response = post(tenant, tour, {"goal": "x [[extra-index]]", "steps": STEPS})
    assert response.status_code == 200
    assert response.json() == {"steps": expected([0, 1, 2])}
    assert "99" not in response.content.decode()


def test_model_order_is_kept(tenant, ai_settings):
    tour = make_tour(tenant.project, content=CONTENT)
    response = post(tenant, tour, {"goal": "[[reverse]]", "steps": STEPS})
    assert response.status_code == 200
    assert response.json() == {"steps": expected([2, 1, 0])}


def test_what_the_model_sees(tenant, ai_settings):
    tour = make_tour(tenant.project, content=CONTENT)
    assert post(tenant, tour, {"title": "Billing tour", "goal": "Show how to save", "steps": STEPS}).status_code == 200
    request = ai_settings.last_request()
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["authorization"] == "Bearer sk-test-fake"
    body = request["body"]
    assert body["model"] == "fake-model-1"
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["strict"] is True
    schema = body["response_format"]["json_schema"]["schema"]
    assert schema["required"] == ["steps"]
    assert schema["properties"]["steps"]["items"]["required"] == ["step_id", "title", "description"]
    assert [m["role"] for m in body["messages"]] == ["system", "user"]

    prompt = ai_settings.last_user_prompt()
    assert "Tour title: Billing tour" in prompt
    assert "Goal of the tour: Show how to save" in prompt
    assert "3 step(s)" in prompt
    assert '"existing_content": "Save\\nPress to store your work"' in prompt  # from contentHtml
    assert '"inferred_text": "Save changes"' in prompt  # auto targeting
    assert '"selector": "nav .billing-link"' in prompt  # manual targeting
    assert '"selector": "#save"' not in prompt  # auto steps do not send their selector
    assert '"existing_content": "All done!"' in prompt
    assert '"type": "Element tooltip"' in prompt and '"type": "Pop-up"' in prompt
    assert '"progression": "click"' in prompt and '"progression": "button"' in prompt
    for step in STEPS:  # no step ids (UUIDs) and nothing from banner/survey steps
        assert step["id"] not in str(body)
    assert "Big sale" not in prompt
    assert "autoData" not in prompt


def test_tour_stored_content_is_not_sent_nor_changed(tenant, ai_settings):
    stored = {"type": "tour", "steps": [{"id": "stored-1", "type": "modal", "contentHtml": "<p>STORED TEXT</p>"}]}
    tour = make_tour(tenant.project, content=stored)
    before = ProductTour.objects.filter(pk=tour.pk).values().get()
    response = post(tenant, tour, {"steps": [{"id": "req-1", "type": "modal", "contentHtml": "<p>sent</p>"}]})
    assert response.status_code == 200
    assert response.json() == {
        "steps": [{"step_id": "req-1", "title": "Title 0", "description": "Description of step 0."}]
    }
    assert "STORED TEXT" not in ai_settings.last_user_prompt()
    assert ProductTour.objects.filter(pk=tour.pk).values().get() == before


def test_kept_step_without_id_is_400_naming_its_index(tenant, ai_settings):
    tour = make_tour(tenant.project, content=CONTENT)
    before = ai_settings.last_request()
    steps = [STEPS[1], {"id": "has-id", "type": "modal"}, {"type": "modal", "contentHtml": "<p>no id</p>"}]
    response = post(tenant, tour, {"steps": steps})
    assert_error(
        response,
        400,
        detail="Step 2 has no id; element and pop-up steps need one to receive generated content.",
        attr="steps",
        type="validation_error",
    )
    assert ai_settings.last_request() == before


def test_only_banner_and_survey_steps_returns_empty_without_calling_the_model(tenant, ai_settings):
    tour = make_tour(tenant.project, content=CONTENT)
    before = ai_settings.last_request()
    response = post(tenant, tour, {"goal": "only-banners", "steps": [STEPS[1], STEPS[2]]})
    assert response.status_code == 200
    assert response.json() == {"steps": []}
    assert ai_settings.last_request() == before


def test_null_inference_data_and_at_current_project(tenant, ai_settings):
    tour = make_tour(tenant.project, content=CONTENT)
    steps = [{"id": "a", "type": "element", "elementTargeting": "auto", "inferenceData": None}]
    response = tenant.client.post(
        f"/api/projects/@current/product_tours/{tour.id}/generate", {"steps": steps}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["steps"][0]["step_id"] == "a"
    assert '"inferred_text": null' in ai_settings.last_user_prompt()


# --- checks, in order ----------------------------------------------------------------------------------


def test_not_configured_is_400_naming_the_setting(tenant, ai_settings, settings):
    settings.OPENAI_API_KEY = ""
    tour = make_tour(tenant.project, content=CONTENT)
    response = post(tenant, tour, {"steps": STEPS})
    assert_error(
        response, 400, code="ai_not_configured", detail=NOT_CONFIGURED_DETAIL, type="validation_error", attr=None
    )
    assert "OPENAI_API_KEY" in response.json()["detail"]


def test_not_configured_wins_over_consent_and_unknown_tour(tenant, settings):
    settings.OPENAI_API_KEY = ""
    org = tenant.organization
    org.is_ai_data_processing_approved = False
    org.save()
    response = tenant.client.post(generate_url(tenant, uuid.uuid4()), {}, format="json")
    assert_error(response, 400, code="ai_not_configured")


@pytest.mark.parametrize("approved", [False, None])
def test_organization_without_ai_consent_is_403(tenant, ai_settings, approved):
    org = tenant.organization
    org.is_ai_data_processing_approved = approved
    org.save()
    tour = make_tour(tenant.project, content=CONTENT)
    before = ai_settings.last_request()
    response = post(tenant, tour, {"steps": STEPS})
    assert_error(response, 403, code="permission_denied", detail=CONSENT_DETAIL, attr=None)
    assert ai_settings.last_request() == before


def test_consent_wins_over_unknown_tour(tenant, ai_settings):
    tenant.organization.is_ai_data_processing_approved = False
    tenant.organization.save()
    response = tenant.client.post(generate_url(tenant, uuid.uuid4()), {"steps": STEPS}, format="json")
    assert_error(response, 403, detail=CONSENT_DETAIL)


def test_unknown_tour_is_404(tenant, ai_settings):
    response = tenant.client.post(generate_url(tenant, uuid.uuid4()), {"steps": STEPS}, format="json")
    assert_error(response, 404, code="not_found", detail="Not found.")


def test_malformed_tour_id_is_404(tenant, ai_settings):
    response = tenant.client.post(generate_url(tenant, "not-a-uuid"), {"steps": STEPS}, format="json")
    assert_error(response, 404, code="not_found", detail="Not found.")


def test_other_projects_tour_is_404(tenant, other_tenant, ai_settings):
    foreign = make_tour(other_tenant.project, content=CONTENT)
    response = tenant.client.post(generate_url(tenant, foreign.id), {"steps": STEPS}, format="json")
    assert_error(response, 404, detail="Not found.")


def test_other_project_in_url_is_not_accessible(tenant, other_tenant, ai_settings):
    foreign = make_tour(other_tenant.project, content=CONTENT)
    response = tenant.client.post(generate_url(other_tenant, foreign.id), {"steps": STEPS}, format="json")
    assert response.status_code in (403, 404)
    assert_error(response, response.status_code)


def test_archived_tour_is_404(tenant, ai_settings):
    tour = make_tour(tenant.project, content=CONTENT, archived=True)
    assert_error(post(tenant, tour, {"steps": STEPS}), 404, detail="Not found.")


def test_unknown_tour_wins_over_empty_steps(tenant, ai_settings):
    response = tenant.client.post(generate_url(tenant, uuid.uuid4()), {"steps": []}, format="json")
    assert_error(response, 404)


@pytest.mark.parametrize("body", [{"steps": []}, {}, {"title": "T", "goal": "G"}])
def test_empty_steps_is_400(tenant, ai_settings, body):
    tour = make_tour(tenant.project, content=CONTENT)
    response = post(tenant, tour, body)
    assert_error(response, 400, detail="Elements cannot be empty", attr="steps", type="validation_error")


def test_form_encoded_body_without_steps_is_400_empty(tenant, ai_settings):
    tour = make_tour(tenant.project, content=CONTENT)
    response = tenant.client.post(generate_url(tenant, tour.id), {"title": "string"})  # multipart, like PostHog's curl
    assert_error(response, 400, detail="Elements cannot be empty", attr="steps")


@pytest.mark.parametrize(
    "body,attr",
    [
        ({"steps": "abc"}, "steps"),
        ({"steps": {"id": "x"}}, "steps"),
        ({"steps": [1, 2]}, "steps"),
        ({"steps": [None]}, "steps"),
        ({"steps": None}, "steps"),
        ({"title": 5, "steps": STEPS}, "title"),
        ({"title": None, "steps": STEPS}, "title"),
        ({"goal": ["x"], "steps": STEPS}, "goal"),
        ({"goal": {"a": 1}, "steps": STEPS}, "goal"),
    ],
)
def test_wrong_types_are_400(tenant, ai_settings, body, attr):
    tour = make_tour(tenant.project, content=CONTENT)
    response = post(tenant, tour, body)
    body = assert_error(response, 400, type="validation_error")
    assert body["attr"] is not None and body["attr"].startswith(attr), body


def test_non_object_body_is_400(tenant, ai_settings):
    tour = make_tour(tenant.project, content=CONTENT)
    response = tenant.client.post(generate_url(tenant, tour.id), [1, 2], format="json")
    assert_error(response, 400, type="validation_error")


def test_malformed_json_is_400(tenant, ai_settings):
    tour = make_tour(tenant.project, content=CONTENT)
    response = tenant.client.generic(
        "POST", generate_url(tenant, tour.id), '{"steps": [', content_type="application/json"
    )
    assert_error(response, 400, code="parse_error")


# --- upstream failures -----------------------------------------------------------------------------------


def test_upstream_timeout_is_504(tenant, ai_settings, settings):
    settings.PRODUCT_TOURS_AI_TIMEOUT_SECONDS = 1
    tour = make_tour(tenant.project, content=CONTENT)
    before = ai_settings.request_count()
    response = post(tenant, tour, {"goal": "[[sleep-3]]", "steps": STEPS})
    assert_error(response, 504, code="upstream_timeout", type="server_error")
    assert "1 seconds" in response.json()["detail"]
    assert ai_settings.request_count() == before + 1  # one bounded attempt, no retries


@pytest.mark.parametrize(
    "marker,detail",
    [
        ("[[http-500]]", "The AI provider answered with HTTP 500."),
        ("[[bad-json]]", "The AI provider's answer did not match the expected format."),
        ("[[wrong-shape]]", "The AI provider's answer did not match the expected format."),
        ("[[refusal]]", "The AI provider refused to generate the steps."),
    ],
)
def test_upstream_failures_are_502(tenant, ai_settings, marker, detail):
    tour = make_tour(tenant.project, content=CONTENT)
    response = post(tenant, tour, {"goal": marker, "steps": STEPS})
    assert_error(response, 502, code="upstream_error", type="server_error", detail=detail, attr=None)


def test_connection_refused_is_502(tenant, ai_settings, settings, closed_port_url):
    settings.OPENAI_BASE_URL = closed_port_url
    tour = make_tour(tenant.project, content=CONTENT)
    response = post(tenant, tour, {"steps": STEPS})
    assert_error(response, 502, code="upstream_error", detail="Could not connect to the AI provider.")


def test_tour_unchanged_after_success_and_failure(tenant, ai_settings):
    tour = make_tour(tenant.project, content=CONTENT)
    before = ProductTour.objects.filter(pk=tour.pk).values().get()
    assert post(tenant, tour, {"steps": STEPS}).status_code == 200
    assert post(tenant, tour, {"goal": "[[http-500]]", "steps": STEPS}).status_code == 502
    assert ProductTour.objects.filter(pk=tour.pk).values().get() == before
    assert ProductTour.objects.count() == 1


# --- access and rate limits ---------------------------------------------------------------------------------


def test_read_only_key_is_403_naming_write_scope(tenant, ai_settings):
    tour = make_tour(tenant.project, content=CONTENT)
    response = post(tenant, tour, {"steps": STEPS}, client=tenant.client_with_scopes("product_tour:read"))
    assert_error(response, 403, code="permission_denied", detail="API key missing required scope 'product_tour:write'")


def test_write_key_is_enough(tenant, ai_settings):
    tour = make_tour(tenant.project, content=CONTENT)
    response = post(tenant, tour, {"steps": STEPS}, client=tenant.client_with_scopes("product_tour:write"))
    assert response.status_code == 200


def test_anonymous_is_401(tenant, anon_client, ai_settings):
    tour = make_tour(tenant.project, content=CONTENT)
    response = anon_client.post(generate_url(tenant, tour.id), {"steps": STEPS}, format="json")
    assert_error(response, 401)


def test_get_is_405(tenant, ai_settings):
    tour = make_tour(tenant.project, content=CONTENT)
    assert_error(tenant.client.get(generate_url(tenant, tour.id)), 405)


def test_rate_limit_per_user_is_429_with_retry_after(tenant, ai_settings, settings):
    settings.RATE_LIMIT_ENABLED = True
    settings.AI_RATE_LIMIT = "2/minute,100/day"
    tour = make_tour(tenant.project, content=CONTENT)
    for _ in range(2):
        assert post(tenant, tour, {"steps": STEPS}).status_code == 200
    # Another key of the same user shares the per-user AI budget.
    response = post(tenant, tour, {"steps": STEPS}, client=tenant.client_with_scopes("*"))
    assert_error(response, 429, code="throttled", type="throttled_error")
    assert 1 <= int(response["Retry-After"]) <= 61


def test_rate_limit_is_per_user(tenant, other_tenant, ai_settings, settings):
    settings.RATE_LIMIT_ENABLED = True
    settings.AI_RATE_LIMIT = "1/minute"
    tour = make_tour(tenant.project, content=CONTENT)
    other_tour = make_tour(other_tenant.project, content=CONTENT)
    assert post(tenant, tour, {"steps": STEPS}).status_code == 200
    assert post(tenant, tour, {"steps": STEPS}).status_code == 429
    assert post(other_tenant, other_tour, {"steps": STEPS}).status_code == 200


def test_ai_rate_limit_applies_only_to_generate(tenant, ai_settings, settings):
    settings.RATE_LIMIT_ENABLED = True
    settings.AI_RATE_LIMIT = "1/minute"
    tour = make_tour(tenant.project, content=CONTENT)
    assert post(tenant, tour, {"steps": STEPS}).status_code == 200
    assert post(tenant, tour, {"steps": STEPS}).status_code == 429
    assert tenant.client.get(tenant.url()).status_code == 200  # other endpoints are not limited by it


def test_personal_api_key_limit_still_applies(tenant, ai_settings, settings):
    settings.RATE_LIMIT_ENABLED = True
    settings.AI_RATE_LIMIT = "100/minute"
    settings.API_RATE_LIMIT = "1/minute"
    tour = make_tour(tenant.project, content=CONTENT)
    assert post(tenant, tour, {"steps": STEPS}).status_code == 200
    assert_error(post(tenant, tour, {"steps": STEPS}), 429, code="throttled")
