"""`generate` refuses what it cannot map back or would not bound: a kept step without `id` (400 naming its
index), more than `PRODUCT_TOURS_MAX_STEPS` steps (400); the model is never called for nothing."""

import pytest

from tests.support.errors import assert_error
from tests.support.generate import CONTENT, STEPS, post
from tests.support.tours import make_tour

pytestmark = pytest.mark.django_db


def test_too_many_steps_is_400_before_the_model_is_called(tenant, ai_settings, settings):
    settings.PRODUCT_TOURS_MAX_STEPS = 4
    tour = make_tour(tenant.project, content=CONTENT)
    before = ai_settings.last_request()
    steps = [{"id": f"s{i}", "type": "modal"} for i in range(5)]
    response = post(tenant, tour, {"steps": steps})
    assert_error(
        response, 400, attr="steps", code="max_length", detail="A product tour can have at most 4 steps (got 5)."
    )
    assert ai_settings.last_request() == before


def test_exactly_the_limit_is_generated(tenant, ai_settings, settings):
    settings.PRODUCT_TOURS_MAX_STEPS = 4
    steps = [{"id": f"s{i}", "type": "modal"} for i in range(4)]
    response = post(tenant, make_tour(tenant.project, content=CONTENT), {"steps": steps})
    assert response.status_code == 200
    assert [s["step_id"] for s in response.json()["steps"]] == ["s0", "s1", "s2", "s3"]


def test_default_limit_is_the_tour_step_limit(tenant, ai_settings, settings):
    assert settings.PRODUCT_TOURS_MAX_STEPS == 100
    steps = [{"id": f"s{i}", "type": "banner"} for i in range(101)]
    assert_error(
        post(tenant, make_tour(tenant.project, content=CONTENT), {"steps": steps}), 400, attr="steps", code="max_length"
    )


@pytest.mark.parametrize("step_id", [None, "", ["x"], {"a": 1}, False])
def test_kept_step_without_usable_id_is_400_naming_its_index(tenant, ai_settings, step_id):
    before = ai_settings.last_request()
    steps = [STEPS[1], STEPS[0], {"type": "element", "id": step_id, "selector": "#x"}]
    response = post(tenant, make_tour(tenant.project, content=CONTENT), {"steps": steps})
    assert_error(
        response, 400, attr="steps", type="validation_error",
        detail="Step 2 has no id; element and pop-up steps need one to receive generated content.",
    )  # fmt: skip
    assert ai_settings.last_request() == before


def test_banners_and_surveys_without_id_need_none(tenant, ai_settings):
    steps = [{"type": "banner"}, {"type": "modal", "survey": {"questionType": "open"}}, {"id": "m", "type": "modal"}]
    response = post(tenant, make_tour(tenant.project, content=CONTENT), {"steps": steps})
    assert response.status_code == 200 and [s["step_id"] for s in response.json()["steps"]] == ["m"]
