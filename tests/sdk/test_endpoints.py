import base64
import gzip
import json
import os
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils import timezone

from flags.models import FeatureFlag, Person, PersonDistinctId
from flags.persons import person_properties_get
from sdk.models import CapturedEvent
from tests.support.errors import assert_error
from tests.support.tours import make_tour

pytestmark = pytest.mark.django_db

ORIGIN = "https://app.example.com"


@pytest.fixture
def browser():
    return Client(HTTP_ORIGIN=ORIGIN)


def post_json(client, path, payload, **extra):
    return client.post(path, data=json.dumps(payload), content_type="application/json", **extra)


def assert_cors(response):
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert response["Access-Control-Allow-Credentials"] == "true"


# --- remote config ---------------------------------------------------------------------------


def test_remote_config_json_and_js(tenant, browser):
    make_tour(tenant.project, launched=True)
    token = tenant.project.api_token
    response = browser.get(f"/array/{token}/config")
    assert response.status_code == 200
    config = response.json()
    assert config["productTours"] is True
    assert config["hasFeatureFlags"] is True
    assert config["surveys"] is False and config["sessionRecording"] is False
    assert_cors(response)
    script = browser.get(f"/array/{token}/config.js")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    body = script.content.decode()
    assert f"window._POSTHOG_REMOTE_CONFIG[{json.dumps(token)}]" in body
    assert '"productTours": true' in body


def test_remote_config_product_tours_only_while_a_tour_is_live(tenant, browser):
    """`productTours` follows what `GET /api/product_tours` would return, from the write on."""
    token = tenant.project.api_token

    def product_tours() -> tuple[bool, bool]:
        js = browser.get(f"/array/{token}/config.js").content.decode()
        return browser.get(f"/array/{token}/config").json()["productTours"], '"productTours": true' in js

    assert product_tours() == (False, False)  # no tour at all
    tour = make_tour(tenant.project, launched=True, start_date=None)
    assert product_tours() == (False, False)  # a draft tour is not served
    tour.start_date = timezone.now()
    tour.save()
    assert product_tours() == (True, True)
    tour.archived = True
    tour.save()
    assert product_tours() == (False, False)


def test_remote_config_unknown_token_is_404(browser):
    assert browser.get("/array/phc_nope/config").status_code == 404
    assert browser.get("/array/phc_nope/config.js").status_code == 404


# --- /flags ----------------------------------------------------------------------------------


@pytest.fixture
def pro_flag(tenant):
    return FeatureFlag.objects.create(
        project=tenant.project,
        key="pro-only",
        filters={"groups": [{"properties": [{"key": "plan", "value": "pro", "operator": "exact", "type": "person"}]}]},
    )


def test_flags_v2_shape_with_request_person_properties(tenant, browser, pro_flag):
    FeatureFlag.objects.create(
        project=tenant.project, key="off", active=False, filters={"groups": [{"properties": []}]}
    )
    FeatureFlag.objects.create(
        project=tenant.project, key="gone", deleted=True, filters={"groups": [{"properties": []}]}
    )
    response = post_json(
        browser,
        "/flags/?v=2",
        {"token": tenant.project.api_token, "distinct_id": "u1", "person_properties": {"plan": "pro"}},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["errorsWhileComputingFlags"] is False
    assert set(body["flags"]) == {"pro-only", "off"}
    flag = body["flags"]["pro-only"]
    assert flag["key"] == "pro-only" and flag["enabled"] is True and flag["variant"] is None
    assert flag["reason"]["code"] == "condition_match" and flag["reason"]["condition_index"] == 0
    assert flag["metadata"]["id"] == pro_flag.id and flag["metadata"]["version"] == pro_flag.version
    assert body["flags"]["off"]["enabled"] is False and body["flags"]["off"]["reason"]["code"] == "disabled"
    assert_cors(response)


def test_flags_uses_stored_person_properties(tenant, browser, pro_flag):
    token = tenant.project.api_token
    first = post_json(browser, "/flags/?v=2", {"token": token, "distinct_id": "u2"})
    assert first.json()["flags"]["pro-only"]["enabled"] is False
    post_json(
        browser,
        "/e/",
        {"api_key": token, "batch": [{"event": "$set", "properties": {"distinct_id": "u2", "$set": {"plan": "pro"}}}]},
    )
    second = post_json(browser, "/flags/?v=2", {"token": token, "distinct_id": "u2"})
    assert second.json()["flags"]["pro-only"]["enabled"] is True


def test_flags_accepts_gzip_and_base64(tenant, browser, pro_flag):
    payload = {"token": tenant.project.api_token, "distinct_id": "u1", "person_properties": {"plan": "pro"}}
    gz = browser.post("/flags/?v=2", data=gzip.compress(json.dumps(payload).encode()), content_type="text/plain")
    assert gz.status_code == 200 and gz.json()["flags"]["pro-only"]["enabled"] is True
    form = urlencode({"data": base64.b64encode(json.dumps(payload).encode()).decode()})
    b64 = browser.post("/flags/?v=2", data=form, content_type="application/x-www-form-urlencoded")
    assert b64.status_code == 200 and b64.json()["flags"]["pro-only"]["enabled"] is True


def test_flags_other_projects_flags_are_not_visible(tenant, other_tenant, browser, pro_flag):
    response = post_json(browser, "/flags/?v=2", {"token": other_tenant.project.api_token, "distinct_id": "u1"})
    assert response.json()["flags"] == {}


def test_flags_errors(tenant, browser):
    assert_error(post_json(browser, "/flags/?v=2", {"distinct_id": "x"}), 401, code="missing_api_key")
    assert_error(
        post_json(browser, "/flags/?v=2", {"token": "phc_bad", "distinct_id": "x"}), 401, code="invalid_api_key"
    )
    assert_error(
        post_json(browser, "/flags/?v=2", {"token": "x" * 5000, "distinct_id": "x"}), 401, code="invalid_api_key"
    )
    assert_error(post_json(browser, "/flags/?v=2", {"token": tenant.project.api_token}), 400)
    assert_error(
        browser.post("/flags/?v=2", data=b"{nope", content_type="application/json"), 400, code="malformed_data"
    )
    assert_error(post_json(browser, "/flags/?v=2", [1, 2]), 400)
    assert_error(browser.put("/flags/"), 405)


def test_flags_preflight(browser):
    response = browser.options("/flags/?v=2", HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type,traceparent")
    assert response.status_code == 200
    assert_cors(response)
    assert "traceparent" in response["Access-Control-Allow-Headers"]


# --- capture ---------------------------------------------------------------------------------


def test_capture_identify_merges_anonymous_person(tenant, browser):
    token = tenant.project.api_token
    batch = [
        {"event": "$pageview", "properties": {"distinct_id": "anon-1", "$set_once": {"first_seen": "a"}}},
        {
            "event": "$identify",
            "properties": {"distinct_id": "user-1", "$anon_distinct_id": "anon-1", "$set": {"plan": "pro"}},
        },
    ]
    response = post_json(browser, "/e/", {"api_key": token, "batch": batch})
    assert response.status_code == 200 and response.json() == {"status": 1}
    assert_cors(response)
    assert Person.objects.filter(project=tenant.project).count() == 1
    assert set(PersonDistinctId.objects.values_list("distinct_id", flat=True)) == {"anon-1", "user-1"}
    assert person_properties_get(project_id=tenant.project.id, distinct_id="anon-1") == {
        "first_seen": "a",
        "plan": "pro",
    }


def test_capture_set_once_and_unset(tenant, browser):
    token = tenant.project.api_token
    post_json(
        browser,
        "/i/v0/e/",
        {
            "api_key": token,
            "event": "$set",
            "properties": {"distinct_id": "u", "$set": {"a": 1}, "$set_once": {"b": 1}},
        },
    )
    post_json(
        browser,
        "/batch/",
        {"api_key": token, "batch": [{"event": "x", "distinct_id": "u", "$set_once": {"b": 2}, "$unset": ["a"]}]},
    )
    assert person_properties_get(project_id=tenant.project.id, distinct_id="u") == {"b": 1}


def test_capture_respects_process_person_profile_false(tenant, browser):
    post_json(
        browser,
        "/e/",
        {
            "api_key": tenant.project.api_token,
            "batch": [
                {
                    "event": "x",
                    "properties": {"distinct_id": "anon", "$process_person_profile": False, "$set": {"a": 1}},
                }
            ],
        },
    )
    assert Person.objects.count() == 0


def test_capture_stores_product_tour_events_only(tenant, browser):
    token = tenant.project.api_token
    batch = [
        {"event": "product tour shown", "properties": {"distinct_id": "u", "$product_tour_id": "t1"}},
        {"event": "$pageview", "properties": {"distinct_id": "u"}},
    ]
    gz = gzip.compress(json.dumps({"api_key": token, "batch": batch}).encode())
    assert browser.post("/e/?compression=gzip-js", data=gz, content_type="text/plain").status_code == 200
    events = list(CapturedEvent.objects.filter(project=tenant.project))
    assert [e.event for e in events] == ["product tour shown"]
    assert events[0].properties["$product_tour_id"] == "t1"


def test_capture_token_inside_event_properties(tenant, browser):
    response = post_json(
        browser,
        "/capture/",
        [{"event": "$set", "properties": {"token": tenant.project.api_token, "distinct_id": "z", "$set": {"k": "v"}}}],
    )
    assert response.status_code == 200
    assert person_properties_get(project_id=tenant.project.id, distinct_id="z") == {"k": "v"}


@pytest.mark.parametrize(
    "body, content_type, status",
    [
        (b"{bad", "application/json", 400),
        (b"\x1f\x8b\x00\x00", "text/plain", 400),
        (json.dumps({"api_key": "phc_nope", "batch": []}).encode(), "application/json", 401),
        (json.dumps({"batch": [{"event": "x"}]}).encode(), "application/json", 401),
        (json.dumps({"api_key": "x", "batch": "nope"}).encode(), "application/json", 400),
        (json.dumps({"api_key": "x", "batch": [1]}).encode(), "application/json", 400),
        (json.dumps("string").encode(), "application/json", 400),
    ],
)
def test_capture_garbage_is_4xx_envelope(browser, db, body, content_type, status):
    assert_error(browser.post("/e/", data=body, content_type=content_type), status)


def test_capture_events_without_distinct_id_are_skipped(tenant, browser):
    response = post_json(
        browser,
        "/e/",
        {"api_key": tenant.project.api_token, "batch": [{"event": "$set", "$set": {"a": 1}}, {"properties": {}}]},
    )
    assert response.status_code == 200
    assert Person.objects.count() == 0


# --- bundles ---------------------------------------------------------------------------------


def test_static_bundles(browser):
    from sdk.assets import POSTHOG_JS_VERSION, asset_path

    if asset_path("product-tours.js") is None:
        if os.environ.get("REQUIRE_E2E"):
            pytest.fail("posthog-js bundles not installed (scripts/fetch-posthog-js.sh)")
        pytest.skip("posthog-js bundles not installed (scripts/fetch-posthog-js.sh)")
    versioned = browser.get(f"/static/{POSTHOG_JS_VERSION}/product-tours.js")
    assert versioned.status_code == 200
    assert "immutable" in versioned["Cache-Control"]
    assert b"".join(versioned.streaming_content)[:10]
    assert browser.get("/static/product-tours.js?v=1").status_code == 200
    assert browser.get("/static/array.js").status_code == 200
    assert browser.get("/static/..%2Fsecret.js").status_code == 404
    assert browser.get("/static/nope.js").status_code == 404


def test_database_outage_on_sdk_path_is_503_envelope(tenant, monkeypatch):
    from django.db import OperationalError

    def down(**kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("sdk.api.flags.flags_decide_body", down)
    client = Client(raise_request_exception=False)
    response = post_json(client, "/flags/?v=2", {"token": tenant.project.api_token, "distinct_id": "u"})
    assert_error(response, 503, code="service_unavailable", type="server_error")


def test_unexpected_error_on_sdk_path_is_500_envelope(tenant, monkeypatch):
    def boom(**kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr("sdk.api.capture.capture_events_ingest", boom)
    client = Client(raise_request_exception=False)
    response = post_json(client, "/e/", {"api_key": tenant.project.api_token, "batch": []})
    assert_error(response, 500, code="error", type="server_error")
    assert b"secret detail" not in response.content
