"""The measured attacks on the public (project-token) endpoints, each reproduced with its bounded outcome.

Time bounds are generous (the old behaviour took tens of seconds to minutes) so they cannot flake.
"""

import gzip
import json

import pytest
import re2
from django.contrib.auth.models import Permission
from django.test import Client

from accounts.models import User
from flags import regex
from flags.models import FeatureFlag, Person, PersonDistinctId
from flags.payloads import REDACTED_PAYLOAD_VALUE
from sdk.models import CapturedEvent
from tests.support.errors import assert_error
from tours.models import ProductTour

pytestmark = pytest.mark.django_db

ORIGIN = "https://shop.example.com"


@pytest.fixture
def browser() -> Client:
    return Client(HTTP_ORIGIN=ORIGIN)


def post_json(client: Client, path: str, payload, **extra):
    return client.post(path, data=json.dumps(payload), content_type="application/json", **extra)


def regex_filters(pattern: str) -> dict:
    return {"groups": [{"properties": [{"key": "name", "type": "person", "operator": "regex", "value": pattern}]}]}


# 1. A backtracking regex held a worker 17.6 s for one anonymous /flags call with a 29-character value.
def test_catastrophic_regex_flag_answers_promptly(tenant, browser):
    created = tenant.client.post(
        tenant.url("feature_flags/"), {"key": "redos", "filters": regex_filters("^(a+)+$")}, format="json"
    )
    assert created.status_code == 201  # RE2 runs it in linear time, so it may be saved
    payload = {"token": tenant.project.api_token, "distinct_id": "anon", "person_properties": {"name": "a" * 29 + "!"}}
    response = post_json(browser, "/flags/?v=2", payload)
    assert response.status_code == 200
    assert response.json()["flags"]["redos"]["enabled"] is False
    # Evaluated by RE2 (linear time in the input, whatever the pattern), never by Python's backtracking `re`.
    assert isinstance(regex._compiled("^(a+)+$"), re2._Regexp)


@pytest.mark.parametrize("pattern", [r"(a)\1", "(?=a)a", "(?<!x)y"])
def test_pattern_re2_cannot_run_is_400_on_filters_and_saves_nothing(tenant, pattern):
    response = tenant.client.post(
        tenant.url("feature_flags/"), {"key": "bad-regex", "filters": regex_filters(pattern)}, format="json"
    )
    body = assert_error(response, 400, code="invalid_value", attr="filters", type="validation_error")
    assert "is not a supported regular expression (" in body["detail"]
    assert not FeatureFlag.objects.filter(key="bad-regex").exists()


# 2. 66 KB of gzip decompressed to 18.9 MB, created 9,000 persons and held a worker 21 s.
def test_gzip_bomb_capture_is_413_and_applies_nothing(tenant, browser):
    token = tenant.project.api_token
    events = [
        {"event": "$identify", "distinct_id": f"p{i}", "properties": {"token": token, "$set": {"pad": "x" * 2000}}}
        for i in range(9000)
    ]
    body = gzip.compress(json.dumps(events).encode())
    assert len(body) < 200_000
    response = browser.post("/e/?compression=gzip-js", data=body, content_type="text/plain")
    assert_error(response, 413, code="request_too_large", type="invalid_request", attr=None)
    assert "once decompressed" in response.json()["detail"]
    assert not Person.objects.exists() and not CapturedEvent.objects.exists()


# 3. A 940 KB plain batch took 9 s and created 3,000 persons (one transaction per event).
def test_oversized_plain_batch_is_413_and_applies_nothing(tenant, browser):
    token = tenant.project.api_token
    batch = [
        {"event": "product tour shown", "distinct_id": f"p{i}", "properties": {"token": token, "$set": {"n": i}}}
        for i in range(3000)
    ]
    response = post_json(browser, "/e/", {"api_key": token, "batch": batch})
    assert_error(response, 413, code="request_too_large", attr=None)
    assert response.json()["detail"] == "Too many events in one request: 3000 (limit 1000, CAPTURE_MAX_EVENTS)."
    assert not Person.objects.exists() and not CapturedEvent.objects.exists()


# 4. 100,000 `[` to any /api/ path, even without a key, answered 500 (a RecursionError).
@pytest.mark.parametrize(
    "path", ["/api/projects/{p}/product_tours/", "/api/projects/{p}/feature_flags/", "/api/organizations/{o}/"]
)
def test_deeply_nested_json_is_400_without_a_key(tenant, path):
    client = Client()
    client.raise_request_exception = False
    url = path.format(p=tenant.project.id, o=tenant.organization.id)
    response = client.generic("POST", url, "[" * 100_000, content_type="application/json")
    body = assert_error(response, 400, code="parse_error", type="invalid_request")
    assert body["detail"] == "JSON parse error - JSON is nested more than 64 levels deep."


# 5. /flags returned encrypted payloads in clear, and flags meant for servers only.
def test_flags_hides_encrypted_payloads_and_server_only_flags(tenant, browser):
    everyone = {"groups": [{"properties": [], "rollout_percentage": 100}]}
    FeatureFlag.objects.create(
        project=tenant.project, key="secret", has_encrypted_payloads=True,
        filters={**everyone, "payloads": {"true": '{"api_key": "sk-live-123"}'}},
    )  # fmt: skip
    FeatureFlag.objects.create(
        project=tenant.project, key="backend-only", evaluation_runtime="server", filters=everyone
    )
    response = post_json(browser, "/flags/?v=2", {"token": tenant.project.api_token, "distinct_id": "u1"})
    body = response.json()
    assert b"sk-live-123" not in response.content
    assert body["flags"]["secret"]["metadata"]["payload"] == REDACTED_PAYLOAD_VALUE
    assert body["featureFlagPayloads"] == {"secret": REDACTED_PAYLOAD_VALUE}
    assert "backend-only" not in body["flags"] and "backend-only" not in body["featureFlags"]


# 6. `$identify` naming someone else's distinct id merged that person into the caller's.
def test_identify_cannot_take_over_an_identified_person(tenant, browser):
    token = tenant.project.api_token
    victim = [
        {"event": "$pageview", "distinct_id": "anon-v", "properties": {"$set": {"email": "v@example.com"}}},
        {"event": "$identify", "distinct_id": "victim", "properties": {"$anon_distinct_id": "anon-v"}},
    ]
    assert post_json(browser, "/e/", {"api_key": token, "batch": victim}).status_code == 200
    attacker = {"event": "$pageview", "distinct_id": "attacker", "properties": {"$set": {"plan": "free"}}}
    assert post_json(browser, "/e/", {"api_key": token, "batch": [attacker]}).status_code == 200
    takeover = {"event": "$identify", "distinct_id": "attacker", "properties": {"$anon_distinct_id": "victim"}}
    assert post_json(browser, "/e/", {"api_key": token, "batch": [takeover]}).status_code == 200
    victim_person = PersonDistinctId.objects.get(distinct_id="victim").person
    attacker_person = PersonDistinctId.objects.get(distinct_id="attacker").person
    assert victim_person.pk != attacker_person.pk
    assert victim_person.properties == {"email": "v@example.com"}
    assert attacker_person.properties == {"plan": "free"}
    assert set(victim_person.distinct_ids.values_list("distinct_id", flat=True)) == {"victim", "anon-v"}


# 7. A staff user with only the view permission on flags could enable and disable them.
def test_view_only_staff_cannot_run_flag_actions(tenant, client):
    flag = FeatureFlag.objects.create(project=tenant.project, key="kill-switch", active=True)
    staff = User.objects.create_user(email="viewer@example.com", password="pw-123456", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_featureflag"))
    client.force_login(staff)
    client.post("/admin/flags/featureflag/", {"action": "disable_flags", "_selected_action": [flag.id]})
    flag.refresh_from_db()
    assert (flag.active, flag.version) == (True, 1)


# 8. `generate` with steps without `id` called the model with nothing and answered 200 {"steps": []}.
def test_generate_refuses_steps_without_id_and_too_many_steps(tenant, settings):
    settings.OPENAI_API_KEY = "sk-test-unused"
    settings.OPENAI_BASE_URL = "http://127.0.0.1:9/v1"  # nothing listens: a model call would be a 502
    settings.PRODUCT_TOURS_MAX_STEPS = 3
    tour = ProductTour.objects.create(project=tenant.project, name="T", content={"steps": []})
    url = tenant.url(f"product_tours/{tour.id}/generate/")
    no_id = tenant.client.post(url, {"steps": [{"type": "modal", "contentHtml": "<p>x</p>"}]}, format="json")
    assert_error(
        no_id,
        400,
        attr="steps",
        detail="Step 0 has no id; element and pop-up steps need one to receive generated content.",
    )
    many = [{"id": f"s{i}", "type": "modal"} for i in range(4)]
    too_many = tenant.client.post(url, {"steps": many}, format="json")
    assert_error(
        too_many, 400, attr="steps", code="max_length", detail="A product tour can have at most 3 steps (got 4)."
    )
