"""Flags with `has_encrypted_payloads`: payloads in clear only for personal API key requests (PostHog);
sessions, the admin and the activity log see the placeholder, and echoing it back keeps the secret."""

import json

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from flags.models import FeatureFlag
from flags.payloads import REDACTED_PAYLOAD_VALUE
from flags.services import feature_flag_create

pytestmark = pytest.mark.django_db

SECRET = '{"api_key": "sk-live-123"}'
FILTERS = {"groups": [{"properties": [], "rollout_percentage": 100}], "payloads": {"true": SECRET}}


@pytest.fixture
def secret_flag(tenant) -> FeatureFlag:
    return feature_flag_create(
        project=tenant.project, user=tenant.user, key="remote-config", filters=FILTERS, has_encrypted_payloads=True
    )


@pytest.fixture
def session(tenant) -> APIClient:
    client = APIClient()
    client.force_login(tenant.user)
    return client


def flag_url(tenant, flag) -> str:
    return tenant.url(f"feature_flags/{flag.id}/")


def test_personal_api_key_reads_the_payload_in_clear(tenant, secret_flag):
    assert tenant.client.get(flag_url(tenant, secret_flag)).json()["filters"]["payloads"] == {"true": SECRET}
    listed = tenant.client.get(tenant.url("feature_flags/")).json()["results"]
    assert listed[0]["filters"]["payloads"] == {"true": SECRET}


def test_session_reads_the_placeholder(tenant, secret_flag, session):
    response = session.get(flag_url(tenant, secret_flag))
    assert response.status_code == 200
    assert response.json()["filters"]["payloads"] == {"true": REDACTED_PAYLOAD_VALUE}
    assert REDACTED_PAYLOAD_VALUE == '"********* (encrypted)"'
    listed = session.get(tenant.url("feature_flags/"))
    assert b"sk-live-123" not in listed.content and b"sk-live-123" not in response.content


def test_plain_flag_payloads_stay_visible_to_sessions(tenant, session):
    flag = feature_flag_create(project=tenant.project, user=tenant.user, key="plain", filters=FILTERS)
    assert session.get(flag_url(tenant, flag)).json()["filters"]["payloads"] == {"true": SECRET}


def test_session_create_and_patch_answers_are_redacted_too(tenant, session):
    created = session.post(
        tenant.url("feature_flags/"), {"key": "s", "filters": FILTERS, "has_encrypted_payloads": True}, format="json"
    )
    assert created.status_code == 201
    assert created.json()["filters"]["payloads"] == {"true": REDACTED_PAYLOAD_VALUE}
    assert FeatureFlag.objects.get(key="s").filters["payloads"] == {"true": SECRET}


@pytest.mark.parametrize("echo", [REDACTED_PAYLOAD_VALUE, "********* (encrypted)"])
def test_echoing_the_placeholder_back_keeps_the_stored_secret(tenant, secret_flag, session, echo):
    filters = session.get(flag_url(tenant, secret_flag)).json()["filters"]
    filters["payloads"] = {"true": echo}
    filters["groups"][0]["rollout_percentage"] = 50
    response = session.patch(flag_url(tenant, secret_flag), {"filters": filters}, format="json")
    assert response.status_code == 200, response.content
    stored = FeatureFlag.objects.get(id=secret_flag.id).filters
    assert stored["payloads"] == {"true": SECRET}
    assert stored["groups"][0]["rollout_percentage"] == 50


def test_a_new_payload_replaces_the_secret(tenant, secret_flag, session):
    filters = {**FILTERS, "payloads": {"true": '{"api_key": "sk-live-456"}'}}
    assert session.patch(flag_url(tenant, secret_flag), {"filters": filters}, format="json").status_code == 200
    assert FeatureFlag.objects.get(id=secret_flag.id).filters["payloads"] == {"true": '{"api_key": "sk-live-456"}'}


def test_activity_log_never_holds_the_secret(tenant, secret_flag):
    filters = {**FILTERS, "payloads": {"true": '{"api_key": "sk-live-456"}'}}
    assert tenant.client.patch(flag_url(tenant, secret_flag), {"filters": filters}, format="json").status_code == 200
    activity = tenant.client.get(tenant.url(f"feature_flags/{secret_flag.id}/activity/"))
    assert activity.status_code == 200
    text = json.dumps(activity.json())
    assert "sk-live-123" not in text and "sk-live-456" not in text
    changes = [
        c for entry in activity.json()["results"] for c in entry["detail"]["changes"] or [] if c["field"] == "filters"
    ]
    assert changes and changes[0]["after"]["payloads"] == {"true": REDACTED_PAYLOAD_VALUE}


def test_admin_shows_the_placeholder(tenant, secret_flag, client):
    admin = User.objects.create_superuser(email="admin@example.com", password="pw-123456")
    client.force_login(admin)
    response = client.get(f"/admin/flags/featureflag/{secret_flag.id}/change/")
    assert response.status_code == 200
    assert b"sk-live-123" not in response.content and b"encrypted" in response.content


def test_a_tours_linked_flag_hides_the_secret_from_sessions_too(tenant, secret_flag, session):
    from tours.models import ProductTour

    tour = ProductTour.objects.create(project=tenant.project, name="T", content={"steps": []}, linked_flag=secret_flag)
    url = tenant.url(f"product_tours/{tour.id}/")
    by_session = session.get(url)
    assert by_session.status_code == 200
    assert by_session.json()["linked_flag"]["filters"]["payloads"] == {"true": REDACTED_PAYLOAD_VALUE}
    assert (
        b"sk-live-123" not in by_session.content
        and b"sk-live-123" not in session.get(tenant.url("product_tours/")).content
    )
    assert tenant.client.get(url).json()["linked_flag"]["filters"]["payloads"] == {"true": SECRET}
