"""Text PostgreSQL cannot store (U+0000, unpaired surrogates) sent to /e or /flags: stored as U+FFFD, as
PostHog's ingestion does, never a 500 (on either database)."""

import json

import pytest
from django.test import Client

from flags.models import Person, PersonDistinctId
from flags.persons import person_properties_get
from sdk.models import CapturedEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser() -> Client:
    client = Client()
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize("bad, stored", [("a\u0000b", "a\ufffdb"), ("x\ud800", "x\ufffd"), ("\udfff", "\ufffd")])
def test_capture_stores_replacement_characters(tenant, browser, bad, stored):
    event = {
        "event": "product tour shown", "distinct_id": f"u{bad}",
        "properties": {"token": tenant.project.api_token, "title": bad, bad: 1, "$set": {"name": bad}},
    }  # fmt: skip
    response = browser.post("/e/", json.dumps([event]), content_type="application/json")
    assert response.status_code == 200, response.content
    captured = CapturedEvent.objects.get()
    assert captured.distinct_id == f"u{stored}"
    assert captured.properties["title"] == stored and captured.properties[stored] == 1
    assert person_properties_get(project_id=tenant.project.id, distinct_id=f"u{stored}") == {"name": stored}


def test_paired_surrogates_are_kept_as_the_character(tenant, browser):
    body = (
        '[{"event": "$pageview", "distinct_id": "u", "properties": {"token": "%s", "$set": {"e": "\\ud83d\\ude00"}}}]'
    )
    response = browser.post("/e/", body % tenant.project.api_token, content_type="application/json")
    assert response.status_code == 200
    assert Person.objects.get().properties == {"e": "😀"}


def test_flags_with_unstorable_distinct_id_and_properties(tenant, browser):
    body = {"token": tenant.project.api_token, "distinct_id": "a\u0000", "person_properties": {"p": "\ud800"}}
    response = browser.post("/flags/?v=2", json.dumps(body), content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["errorsWhileComputingFlags"] is False


def test_identify_with_unstorable_ids(tenant, browser):
    event = {
        "event": "$identify",
        "distinct_id": "user\u0000",
        "properties": {"token": tenant.project.api_token, "$anon_distinct_id": "\ud800"},
    }
    response = browser.post("/e/", json.dumps(event), content_type="application/json")
    assert response.status_code == 200, response.content
    assert set(PersonDistinctId.objects.values_list("distinct_id", flat=True)) == {"user\ufffd", "\ufffd"}


def test_non_finite_numbers_become_null_as_json_stringify_writes_them(tenant, browser):
    body = (
        '[{"event": "product tour shown", "distinct_id": "u", "properties": {"token": "%s", "a": NaN, '
        '"b": Infinity, "c": -Infinity, "d": 1e400, "e": 1.5, "$set": {"n": NaN}}}]'
    )
    response = browser.post("/e/", body % tenant.project.api_token, content_type="application/json")
    assert response.status_code == 200, response.content
    properties = CapturedEvent.objects.get().properties
    assert [properties[k] for k in "abcde"] == [None, None, None, None, 1.5]
    assert Person.objects.get().properties == {"n": None}
