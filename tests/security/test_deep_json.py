"""JSON nested deeper than 64 levels is a 400 envelope on every path that reads a body, never a 500,
and 64 levels are still read. One parser (`core.json_parse`) serves them all."""

import base64
import gzip
import json
from urllib.parse import urlencode

import pytest
from django.test import Client

from core.json_parse import MAX_JSON_DEPTH, JSONParseError, JSONTooDeep, json_depth_exceeds, json_parse
from flags.models import FeatureFlag, Person
from sdk.models import CapturedEvent
from tests.support.errors import assert_error
from tours.models import ProductTour

pytestmark = pytest.mark.django_db

DEEP_DETAIL = "JSON is nested more than 64 levels deep."


def nested(levels: int, leaf=1):
    value = leaf
    for _ in range(levels):
        value = [value]
    return value


def nested_objects(levels: int) -> dict:
    value: dict = {}
    for _ in range(levels - 1):
        value = {"a": value}
    return value


# --- the helper ------------------------------------------------------------------------------------


@pytest.mark.parametrize("levels", [1, 63, 64])
def test_up_to_64_levels_parse(levels):
    assert json_parse(json.dumps(nested(levels))) == nested(levels)
    assert json_parse(json.dumps(nested_objects(levels)).encode()) == nested_objects(levels)


@pytest.mark.parametrize(
    "text", [json.dumps(nested(65)), json.dumps(nested_objects(65)), "[" * 100_000, '{"a":' * 5000]
)
def test_deeper_is_json_too_deep(text):
    with pytest.raises(JSONTooDeep, match="nested more than 64 levels"):
        json_parse(text)


def test_depth_counts_containers_not_scalars_and_mixed_nesting():
    assert json_depth_exceeds(nested(64, leaf={"k": "v"}), 64)  # the object is the 65th level
    assert not json_depth_exceeds(nested(63, leaf={"k": "v"}), 64)
    assert not json_depth_exceeds("x" * 100, 1) and not json_depth_exceeds([], 1)
    assert MAX_JSON_DEPTH == 64


def test_brackets_inside_strings_do_not_count():
    text = json.dumps({"s": "[" * 1000})
    assert json_parse(text) == {"s": "[" * 1000}


@pytest.mark.parametrize("text", ["{not json", "", "[1,]", b"\xff\xfe\x00"])
def test_malformed_is_json_parse_error(text):
    with pytest.raises(JSONParseError):
        json_parse(text)


# --- every path ------------------------------------------------------------------------------------


@pytest.fixture
def anonymous() -> Client:
    client = Client()
    client.raise_request_exception = False
    return client


def test_drf_parser_with_a_key(tenant):
    response = tenant.client.generic(
        "PATCH", f"/api/organizations/{tenant.organization.id}/", json.dumps({"name": nested(65)}),
        content_type="application/json",
    )  # fmt: skip
    assert_error(response, 400, code="parse_error", detail=f"JSON parse error - {DEEP_DETAIL}", attr=None)
    tenant.organization.refresh_from_db()
    assert isinstance(tenant.organization.name, str)


def test_drf_parser_accepts_64_levels(tenant):
    response = tenant.client.generic(
        "PATCH", f"/api/organizations/{tenant.organization.id}/",
        json.dumps({"name": "Renamed", "ignored": nested(63)}), content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 200, response.content
    tenant.organization.refresh_from_db()
    assert tenant.organization.name == "Renamed"


def test_tours_parser(tenant):
    body = json.dumps({"name": "Deep", "content": {"steps": nested(70)}})
    response = tenant.client.post(tenant.url("product_tours/"), body, content_type="application/json")
    assert_error(response, 400, code="parse_error", detail=f"JSON parse error - {DEEP_DETAIL}")
    assert not ProductTour.objects.exists()


def test_key_in_body_lookup(tenant, anonymous):
    """Without an Authorization header the body is read for `personal_api_key` first."""
    body = json.dumps({"personal_api_key": tenant.key, "name": nested(65)})
    response = anonymous.generic(
        "PATCH", f"/api/organizations/{tenant.organization.id}/", body, content_type="application/json"
    )
    assert_error(response, 400, code="parse_error", detail=f"JSON parse error - {DEEP_DETAIL}")


def test_key_in_body_lookup_still_authenticates_normal_bodies(tenant, anonymous):
    body = json.dumps({"personal_api_key": tenant.key, "name": "From body key"})
    response = anonymous.generic(
        "PATCH", f"/api/organizations/{tenant.organization.id}/", body, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "From body key"


def test_malformed_body_of_a_session_request_is_400_not_a_silent_no_op(tenant, anonymous):
    anonymous.force_login(tenant.user)
    response = anonymous.generic(
        "PATCH", f"/api/organizations/{tenant.organization.id}/", '{"name": ', content_type="application/json"
    )
    assert_error(response, 400, code="parse_error")


def test_flag_filters_as_a_form_string(tenant):
    body = urlencode({"key": "deep", "filters": json.dumps({"groups": nested(70)})})
    response = tenant.client.post(tenant.url("feature_flags/"), body, content_type="application/x-www-form-urlencoded")
    assert_error(response, 400, attr="filters")
    assert not FeatureFlag.objects.filter(key="deep").exists()


@pytest.mark.parametrize("encoding", ["json", "gzip", "base64-form"])
def test_capture_decoder(tenant, anonymous, encoding):
    raw = json.dumps({"event": "product tour shown", "distinct_id": "u", "api_key": tenant.project.api_token,
                      "properties": {"deep": nested(70)}}).encode()  # fmt: skip
    if encoding == "gzip":
        response = anonymous.post("/e/?compression=gzip-js", gzip.compress(raw), content_type="text/plain")
    elif encoding == "base64-form":
        body = urlencode({"data": base64.b64encode(raw).decode()})
        response = anonymous.post("/e/", body, content_type="application/x-www-form-urlencoded")
    else:
        response = anonymous.post("/e/", raw, content_type="application/json")
    assert_error(response, 400, code="malformed_data", detail=DEEP_DETAIL)
    assert not CapturedEvent.objects.exists() and not Person.objects.exists()


def test_flags_endpoint(tenant, anonymous):
    body = json.dumps({"token": tenant.project.api_token, "distinct_id": "u", "person_properties": nested(70)})
    response = anonymous.post("/flags/?v=2", body, content_type="application/json")
    assert_error(response, 400, code="malformed_data", detail=DEEP_DETAIL)


def test_public_tours_endpoint(tenant, anonymous):
    response = anonymous.post("/api/product_tours", "[" * 100_000, content_type="application/json")
    assert_error(response, 400, code="parse_error", detail=f"JSON parse error - {DEEP_DETAIL}")
