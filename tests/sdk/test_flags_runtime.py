"""`/flags` for the browser: server-only flags left out, `device_id` bucketing, payload placeholder."""

import json

import pytest
from django.test import Client

from flags.evaluation import rollout_hash, variant_lookup
from flags.models import FeatureFlag
from flags.payloads import REDACTED_PAYLOAD_VALUE

pytestmark = pytest.mark.django_db

EVERYONE = {"groups": [{"properties": [], "rollout_percentage": 100}]}
HALF = {"groups": [{"properties": [], "rollout_percentage": 50}]}


def decide(tenant, **payload) -> dict:
    body = {"token": tenant.project.api_token, "distinct_id": "user", **payload}
    response = Client().post("/flags/?v=2", json.dumps(body), content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()


def make(tenant, key: str, **fields) -> FeatureFlag:
    fields.setdefault("filters", EVERYONE)
    return FeatureFlag.objects.create(project=tenant.project, key=key, **fields)


def test_server_only_flags_are_left_out_and_the_others_kept(tenant):
    make(tenant, "server", evaluation_runtime="server")
    make(tenant, "client", evaluation_runtime="client")
    make(tenant, "all", evaluation_runtime="all")
    make(tenant, "unset", evaluation_runtime=None)
    body = decide(tenant)
    assert set(body["flags"]) == {"client", "all", "unset"}
    assert set(body["featureFlags"]) == {"client", "all", "unset"}
    assert set(decide(tenant, flag_keys=["server", "client"])["flags"]) == {"client"}


def test_a_dependency_on_a_server_only_flag_is_false_for_the_browser(tenant):
    server = make(tenant, "server", evaluation_runtime="server")
    dependent = {
        "groups": [
            {"properties": [{"key": str(server.id), "type": "flag", "value": True, "operator": "flag_evaluates_to"}]}
        ]
    }
    make(tenant, "dependent", filters=dependent)
    assert decide(tenant)["flags"]["dependent"]["enabled"] is False


def ids_on_both_sides(key: str) -> tuple[str, str]:
    """A device id inside a 50% rollout of `key` and a distinct id outside it."""
    inside = next(f"dev-{i}" for i in range(1000) if rollout_hash(key, f"dev-{i}") <= 0.5)
    outside = next(f"user-{i}" for i in range(1000) if rollout_hash(key, f"user-{i}") > 0.5)
    return inside, outside


def test_device_bucketing_hashes_the_device_id_when_sent(tenant):
    make(tenant, "by-device", filters=HALF, bucketing_identifier="device_id")
    make(tenant, "by-user", filters=HALF, bucketing_identifier="distinct_id")
    device, user = ids_on_both_sides("by-device")
    flags = decide(tenant, distinct_id=user, **{"$device_id": device})["flags"]
    assert flags["by-device"]["enabled"] is True
    assert flags["by-user"]["enabled"] is (rollout_hash("by-user", user) <= 0.5)  # the device id is ignored


@pytest.mark.parametrize("device", [None, "", 42])
def test_device_bucketing_falls_back_to_the_distinct_id(tenant, device):
    make(tenant, "by-device", filters=HALF, bucketing_identifier="device_id")
    _, user = ids_on_both_sides("by-device")
    extra = {} if device is None else {"$device_id": device}
    assert decide(tenant, distinct_id=user, **extra)["flags"]["by-device"]["enabled"] is False


def test_device_bucketing_also_picks_the_variant(tenant):
    variants = [{"key": "a", "rollout_percentage": 50}, {"key": "b", "rollout_percentage": 50}]
    make(tenant, "mv", filters={**EVERYONE, "multivariate": {"variants": variants}}, bucketing_identifier="device_id")
    device = next(
        f"d{i}" for i in range(100) if variant_lookup("mv", f"d{i}", variants) != variant_lookup("mv", "user", variants)
    )
    assert decide(tenant, **{"$device_id": device})["flags"]["mv"]["variant"] == variant_lookup("mv", device, variants)


def test_variant_payloads_of_encrypted_flags_are_placeholders(tenant):
    variants = [{"key": "a", "rollout_percentage": 100}]
    filters = {**EVERYONE, "multivariate": {"variants": variants}, "payloads": {"a": '"secret-a"'}}
    make(tenant, "mv-secret", filters=filters, has_encrypted_payloads=True)
    make(tenant, "plain", filters={**EVERYONE, "payloads": {"true": '{"x": 1}'}})
    body = decide(tenant)
    assert body["flags"]["mv-secret"]["metadata"]["payload"] == REDACTED_PAYLOAD_VALUE
    assert body["flags"]["plain"]["metadata"]["payload"] == '{"x": 1}'
    assert body["featureFlagPayloads"] == {"mv-secret": REDACTED_PAYLOAD_VALUE, "plain": '{"x": 1}'}


def test_disabled_encrypted_flag_has_no_payload_at_all(tenant):
    make(tenant, "off", active=False, has_encrypted_payloads=True, filters={**EVERYONE, "payloads": {"true": '"s"'}})
    body = decide(tenant)
    assert body["flags"]["off"]["metadata"]["payload"] is None and "off" not in body["featureFlagPayloads"]
