"""§14 drafts: save (merge, seed from live, no side effects), publish, discard, draft_status; input, access."""

from datetime import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activity.models import ActivityLog
from flags.models import FeatureFlag
from tests.support.errors import assert_error
from tests.support.tenants import make_tenant
from tests.support.tours import NOW, create, flag_of, groups_of, make_flag, make_tour, patch, tour_url
from tours.models import ProductTour
from tours.services.drafts import DRAFTABLE_FIELDS

pytestmark = pytest.mark.django_db

PLAN = {"key": "plan", "value": "pro", "operator": "exact", "type": "person"}


def save_draft(tenant, tour_id, body, **kwargs):
    return tenant.client.patch(tour_url(tenant, tour_id, "draft/"), body, format="json", **kwargs)


def publish(tenant, tour_id, body=None, **kwargs):
    if body is None:
        return tenant.client.post(tour_url(tenant, tour_id, "publish_draft/"), **kwargs)
    return tenant.client.post(tour_url(tenant, tour_id, "publish_draft/"), body, format="json", **kwargs)


def discard(tenant, tour_id, **kwargs):
    return tenant.client.delete(tour_url(tenant, tour_id, "discard_draft/"), **kwargs)


def draft_status(tenant, tour_id, **kwargs):
    return tenant.client.get(tour_url(tenant, tour_id, "draft_status/"), **kwargs)


def stored(tour_id) -> ProductTour:
    return ProductTour.objects.get(pk=tour_id)


@pytest.fixture
def live(tenant) -> ProductTour:
    return make_tour(
        tenant.project, name="Live name", description="Live desc", content={"steps": [{"id": "s1", "title": "Welcome"}]}
    )


# --- §14.2 PATCH /{id}/draft/ ---------------------------------------------------------------


def test_draft_save(tenant, live):
    """T-draft-save: 200 with the read representation; the stored draft has the value."""
    response = save_draft(tenant, live.id, {"name": "Draft name"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["id"] == str(live.id) and body["has_draft"] is True
    assert body["draft_content"]["name"] == "Draft name"
    assert "linked_flag_id" not in body and "creation_context" not in body  # read representation
    assert stored(live.id).draft_content["name"] == "Draft name"


def test_draft_no_side_effects(tenant, live, events):
    """T-draft-no-side-effects: no analytics, no activity entry, and no flag even with auto_launch true."""
    logged = ActivityLog.objects.count()
    response = save_draft(tenant, live.id, {"name": "Draft name", "auto_launch": True, "targeting_flag_filters": None})
    assert response.status_code == 200
    assert events == [] and ActivityLog.objects.count() == logged
    assert not FeatureFlag.objects.exists()
    tour = stored(live.id)
    assert tour.internal_targeting_flag_id is None and tour.auto_launch is False
    assert response.json()["internal_targeting_flag"] is None


def test_draft_leaves_an_existing_flag_alone(tenant, events):
    body = create(tenant, {"name": "Flagged", "auto_launch": True, "start_date": NOW,
                           "targeting_flag_filters": {"groups": [{"properties": [PLAN]}]}}).json()  # fmt: skip
    flag = FeatureFlag.objects.get(pk=body["internal_targeting_flag"]["id"])
    events.clear()
    other = {"groups": [{"properties": [{**PLAN, "value": "free"}]}]}
    response = save_draft(tenant, body["id"], {"auto_launch": False, "targeting_flag_filters": other})
    assert response.status_code == 200
    after = FeatureFlag.objects.get(pk=flag.pk)
    assert (after.active, after.filters, after.version) == (True, flag.filters, flag.version)
    assert stored(body["id"]).auto_launch is True
    assert events == []


def test_draft_merge(tenant, live):
    """T-draft-merge."""
    assert save_draft(tenant, live.id, {"name": "First draft"}).status_code == 200
    response = save_draft(tenant, live.id, {"description": "Updated description"})
    assert response.status_code == 200
    draft = stored(live.id).draft_content
    assert draft["name"] == "First draft" and draft["description"] == "Updated description"
    assert response.json()["draft_content"] == draft


def test_draft_merge_is_shallow(tenant, live):
    save_draft(tenant, live.id, {"content": {"steps": [{"id": "a"}], "displayFrequency": "always"}})
    save_draft(tenant, live.id, {"content": {"steps": [{"id": "b"}]}})
    assert stored(live.id).draft_content["content"] == {"steps": [{"id": "b"}]}


def test_draft_init_from_live(tenant, live):
    """T-draft-init-from-live: every seed key, content raw as stored."""
    save_draft(tenant, live.id, {"name": "Draft name"})
    assert stored(live.id).draft_content == {
        "name": "Draft name",
        "description": "Live desc",
        "content": {"steps": [{"id": "s1", "title": "Welcome"}]},
        "auto_launch": False,
        "targeting_flag_filters": None,
        "linked_flag_id": None,
    }


def test_seed_takes_read_side_targeting_linked_flag_and_raw_content(tenant):
    linked = make_flag(tenant.project, key="linked")
    raw = {"steps": [{"id": "s1", "type": "element", "selector": "#x"}], "displayFrequency": "show_once"}
    body = create(tenant, {"name": "Targeted", "auto_launch": True, "linked_flag_id": linked.id,
                           "targeting_flag_filters": {"groups": [{"properties": [PLAN]}]}}).json()  # fmt: skip
    ProductTour.objects.filter(pk=body["id"]).update(content=raw)  # stored before normalisation existed
    read = tenant.client.get(tour_url(tenant, body["id"])).json()
    assert read["content"]["steps"][0]["type"] == "modal"  # the read side normalises steps …

    draft = save_draft(tenant, body["id"], {"description": "Drafted"}).json()["draft_content"]
    assert draft["content"] == raw  # … the seed keeps what is stored
    assert draft["targeting_flag_filters"] == read["targeting_flag_filters"]
    assert draft["targeting_flag_filters"]["groups"][0]["properties"] == [PLAN]  # system properties stripped
    assert draft["linked_flag_id"] == linked.id and draft["auto_launch"] is True
    assert draft["description"] == "Drafted" and draft["name"] == "Targeted"


@pytest.mark.parametrize(
    "payload",
    [
        {"name": "New name"},
        {"content": {"steps": [{"id": "s2", "title": "Updated"}]}},
        {"name": "New", "description": "Desc", "auto_launch": True},
    ],
)
def test_draft_partial_payloads(tenant, live, payload):
    """T-draft-partial-payloads."""
    assert save_draft(tenant, live.id, payload).status_code == 200
    draft = stored(live.id).draft_content
    for key, value in payload.items():
        assert draft[key] == value


def test_draft_does_not_affect_live(tenant, live):
    """T-draft-does-not-affect-live."""
    response = save_draft(tenant, live.id, {"name": "Draft name", "description": "D", "content": {"steps": []}})
    assert response.json()["name"] == "Live name" and response.json()["draft_content"]["name"] == "Draft name"
    tour = stored(live.id)
    assert (tour.name, tour.description, tour.content) == ("Live name", "Live desc", live.content)
    assert tour.draft_content["name"] == "Draft name"


def test_other_keys_are_dropped(tenant, live):
    response = save_draft(
        tenant, live.id, {"name": "D", "start_date": NOW, "archived": True, "creation_context": "toolbar", "x": 1}
    )
    assert response.status_code == 200
    tour = stored(live.id)
    assert set(tour.draft_content) == set(DRAFTABLE_FIELDS)
    assert tour.start_date is None and tour.archived is False


@pytest.mark.parametrize("body", [{}, {"start_date": NOW, "bogus": 1}])
def test_body_without_draftable_keys_changes_nothing(tenant, live, body):
    response = save_draft(tenant, live.id, body)
    assert response.status_code == 200
    assert response.json()["draft_content"] is None and response.json()["has_draft"] is False
    tour = stored(live.id)
    assert tour.draft_content is None and tour.updated_at == live.updated_at and tour.start_date is None


def test_draft_save_bumps_updated_at(tenant, live):
    response = save_draft(tenant, live.id, {"name": "Draft"})
    tour = stored(live.id)
    assert tour.updated_at > live.updated_at
    assert response.json()["updated_at"] == tenant.client.get(tour_url(tenant, live.id)).json()["updated_at"]


def test_draft_is_not_validated(tenant, live):
    """Anything storable is accepted; validation happens on publish."""
    body = {"name": "", "content": "not an object", "linked_flag_id": 987654321, "auto_launch": "maybe",
            "targeting_flag_filters": [1, 2], "description": None}  # fmt: skip
    response = save_draft(tenant, live.id, body)
    assert response.status_code == 200, response.json()
    assert stored(live.id).draft_content == body


def test_direct_patch_clears_the_draft(tenant, live):
    save_draft(tenant, live.id, {"name": "Draft"})
    response = patch(tenant, live.id, {"description": "Directly"})
    assert response.status_code == 200
    assert response.json()["has_draft"] is False and stored(live.id).draft_content is None


def test_put_clears_the_draft(tenant, live):
    save_draft(tenant, live.id, {"name": "Draft"})
    response = tenant.client.put(tour_url(tenant, live.id), {"name": "Put"}, format="json")
    assert response.status_code == 200
    assert stored(live.id).draft_content is None


def test_retrieve_shows_the_draft_and_the_sdk_does_not(tenant, live):
    """§14.6."""
    live.start_date = live.created_at
    live.save()
    save_draft(tenant, live.id, {"name": "Secret draft name"})
    assert tenant.client.get(tour_url(tenant, live.id)).json()["draft_content"]["name"] == "Secret draft name"
    public = tenant.client.get("/api/product_tours/", {"token": tenant.project.api_token})
    assert public.status_code == 200
    assert [tour["name"] for tour in public.json()["product_tours"]] == ["Live name"]
    assert b"Secret draft name" not in public.content


# --- request bodies -------------------------------------------------------------------------


def test_form_encoded_draft(tenant, live):
    url = tour_url(tenant, live.id, "draft/")
    response = tenant.client.patch(
        url, "name=Form+name&archived=true", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200, response.json()
    assert stored(live.id).draft_content["name"] == "Form name"
    # PostHog's documented curl: `-d name="string"` sent with a JSON content type.
    response = tenant.client.patch(url, 'description="string"', content_type="application/json")
    assert response.status_code == 200, response.json()
    assert stored(live.id).draft_content["description"] == '"string"'


def test_form_encoded_publish(tenant, live, events):
    response = tenant.client.post(
        tour_url(tenant, live.id, "publish_draft/"), "name=Form%20published&auto_launch=true",
        content_type="application/x-www-form-urlencoded",
    )  # fmt: skip
    assert response.status_code == 200, response.json()
    tour = stored(live.id)
    assert (tour.name, tour.auto_launch, tour.draft_content) == ("Form published", True, None)
    assert tour.internal_targeting_flag_id is not None


def test_multipart_file_is_rejected(tenant, live):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = tenant.client.patch(
        tour_url(tenant, live.id, "draft/"), {"name": SimpleUploadedFile("a.txt", b"x")}, format="multipart"
    )
    assert_error(response, 400, attr="name", detail="Expected a JSON value.")
    assert stored(live.id).draft_content is None


@pytest.mark.parametrize("action", ["draft/", "publish_draft/"])
def test_malformed_json_is_400(tenant, live, action):
    method = tenant.client.patch if action == "draft/" else tenant.client.post
    response = method(tour_url(tenant, live.id, action), '{"name": ', content_type="application/json")
    assert_error(response, 400, code="parse_error")
    assert stored(live.id).draft_content is None and stored(live.id).name == "Live name"


@pytest.mark.parametrize(("raw", "kind"), [("[1, 2]", "list"), ('"text"', "str"), ("42", "int"), ("null", "NoneType")])
@pytest.mark.parametrize("action", ["draft/", "publish_draft/"])
def test_non_object_body_is_400(tenant, live, action, raw, kind):
    method = tenant.client.patch if action == "draft/" else tenant.client.post
    response = method(tour_url(tenant, live.id, action), raw, content_type="application/json")
    assert_error(response, 400, type="validation_error", detail=f"Invalid data. Expected a dictionary, but got {kind}.")
    assert stored(live.id).draft_content is None


def _nested(depth: int):
    value = 1
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("raw", "attr"),
    [
        ('{"name": "nul\\u0000"}', "name"),
        ('{"description": "\\ud800"}', "description"),
        ('{"content": {"\\udfff": 1}}', "content"),
        ('{"content": {"x": 1e999}}', "content"),
        ('{"targeting_flag_filters": {"groups": [{"properties": [{"key": "k\\u0000"}]}]}}', "targeting_flag_filters"),
    ],
)
def test_unstorable_values_are_400(tenant, live, raw, attr):
    """No validation, but what the database cannot store is a 400, never a 500."""
    response = tenant.client.patch(tour_url(tenant, live.id, "draft/"), raw, content_type="application/json")
    assert_error(response, 400, attr=attr, type="validation_error")
    response = tenant.client.post(tour_url(tenant, live.id, "publish_draft/"), raw, content_type="application/json")
    assert_error(response, 400, attr=attr)
    assert stored(live.id).draft_content is None


def test_deeply_nested_body_is_a_parse_error(tenant, live):
    raw = '{"content": {"deep": ' + str(_nested(150)) + "}}"
    detail = "JSON parse error - JSON is nested more than 64 levels deep."
    response = tenant.client.patch(tour_url(tenant, live.id, "draft/"), raw, content_type="application/json")
    assert_error(response, 400, code="parse_error", detail=detail, attr=None)
    response = tenant.client.post(tour_url(tenant, live.id, "publish_draft/"), raw, content_type="application/json")
    assert_error(response, 400, code="parse_error", detail=detail, attr=None)
    assert stored(live.id).draft_content is None


# --- §14.3 POST /{id}/publish_draft/ ----------------------------------------------------------


def test_publish_applies(tenant, live, events):
    """T-publish-applies."""
    save_draft(tenant, live.id, {"name": "Published name", "description": "Published desc"})
    response = publish(tenant, live.id)
    assert response.status_code == 200, response.json()
    tour = stored(live.id)
    assert (tour.name, tour.description, tour.draft_content) == ("Published name", "Published desc", None)
    assert len(events) > 0 and events[0][0] == "product tour updated"


def test_publish_clears(tenant, live):
    """T-publish-clears: the response is the read representation with the new live values."""
    save_draft(tenant, live.id, {"name": "Draft name"})
    response = publish(tenant, live.id)
    assert response.status_code == 200
    body = response.json()
    assert body["draft_content"] is None and body["has_draft"] is False and body["name"] == "Draft name"
    assert "creation_context" not in body and body["content"] == live.content


def test_publish_with_payload_atomic(tenant, live, events):
    """T-publish-with-payload-atomic: no prior draft; save + publish in one call."""
    response = publish(tenant, live.id, {"name": "Atomic publish", "description": "In one call"})
    assert response.status_code == 200, response.json()
    tour = stored(live.id)
    assert (tour.name, tour.description, tour.draft_content) == ("Atomic publish", "In one call", None)
    assert tour.content == live.content  # the rest came from the seed, i.e. live
    assert len(events) > 0


def test_publish_body_merges_over_an_existing_draft(tenant, live):
    save_draft(tenant, live.id, {"name": "From draft", "description": "Draft desc"})
    response = publish(tenant, live.id, {"description": "From body", "archived": True})
    assert response.status_code == 200
    tour = stored(live.id)
    assert (tour.name, tour.description, tour.archived) == ("From draft", "From body", False)


def test_publish_no_draft(tenant, live, events):
    """T-publish-no-draft."""
    for body in (None, {}, {"start_date": NOW}):
        response = publish(tenant, live.id, body)
        assert_error(response, 400, type="validation_error", detail="No draft to publish.", attr=None)
    tour = stored(live.id)
    assert tour.start_date is None and tour.draft_content is None and tour.updated_at == live.updated_at
    assert events == []


def test_publish_with_auto_launch_creates_the_flag(tenant, live):
    save_draft(tenant, live.id, {"auto_launch": True, "targeting_flag_filters": {"groups": [{"properties": [PLAN]}]}})
    assert not FeatureFlag.objects.exists()
    response = publish(tenant, live.id)
    assert response.status_code == 200, response.json()
    flag = flag_of(live.id)
    assert flag is not None and flag.key.startswith("product-tour-targeting-live-name-") and flag.active is False
    assert response.json()["internal_targeting_flag"]["id"] == flag.id
    assert response.json()["targeting_flag_filters"]["groups"][0]["properties"] == [PLAN]


def test_publish_toggles_the_flag_of_a_launched_tour(tenant):
    body = create(tenant, {"name": "Running", "auto_launch": True, "start_date": NOW}).json()
    assert flag_of(body["id"]).active is True
    save_draft(tenant, body["id"], {"auto_launch": False})
    assert flag_of(body["id"]).active is True  # a draft changes nothing …
    assert publish(tenant, body["id"]).status_code == 200
    assert flag_of(body["id"]).active is False  # … publishing does


def test_publishing_a_seeded_draft_keeps_the_flag_groups(tenant):
    """DESIGN §3.2: draft → publish round-trips targeting without multiplying groups."""
    content = {"steps": [], "conditions": {"seenTourWaitPeriod": {"days": 7, "types": ["tour", "announcement"]}}}
    body = create(tenant, {"name": "Waiting", "auto_launch": True, "content": content,
                           "targeting_flag_filters": {"groups": [{"properties": [PLAN]}]}}).json()  # fmt: skip
    before = groups_of(body["id"])
    save_draft(tenant, body["id"], {"description": "Only this changes"})
    assert publish(tenant, body["id"]).status_code == 200
    assert groups_of(body["id"]) == before and len(before) == 4


def test_publish_invalid_keeps_draft_and_live(tenant, live, events):
    """T-publish-invalid: 400, the live tour unchanged, the draft kept."""
    no_variants = make_flag(tenant.project, key="plain")
    draft = {
        "name": "Invalid publish",
        "content": {"steps": [], "conditions": {"linkedFlagVariant": "nonexistent"}},
        "linked_flag_id": no_variants.id,
    }
    save_draft(tenant, live.id, draft)
    before = stored(live.id)
    response = publish(tenant, live.id)
    assert_error(
        response, 400, detail="Feature flag variant 'nonexistent' specified but the linked feature flag has no variants"
    )
    after = stored(live.id)
    assert (after.name, after.content, after.linked_flag_id) == ("Live name", live.content, None)
    assert after.draft_content == before.draft_content and after.draft_content["name"] == "Invalid publish"
    assert after.updated_at == before.updated_at
    assert events == []


def test_failed_publish_keeps_the_body_it_merged(tenant, live):
    """The body is saved into the draft before validation (reference §14.3 step 1)."""
    response = publish(tenant, live.id, {"name": "Kept in draft", "content": "not an object"})
    assert_error(response, 400, attr="content", detail="Content must be an object")
    tour = stored(live.id)
    assert tour.name == "Live name"
    assert tour.draft_content["name"] == "Kept in draft" and tour.draft_content["content"] == "not an object"


def test_publish_runs_launch_validation(tenant):
    launched = make_tour(tenant.project, name="Launched", start_date="2025-01-01T00:00:00Z")
    save_draft(tenant, launched.id, {"content": {"steps": [{"elementTargeting": "manual"}]}})
    assert_error(publish(tenant, launched.id), 400, detail="Step 1 is missing an element selector", attr=None)
    assert stored(launched.id).content == {"steps": []} and stored(launched.id).draft_content is not None


def test_publish_duplicate_name_is_400_and_keeps_draft(tenant, live):
    make_tour(tenant.project, name="Taken")
    save_draft(tenant, live.id, {"name": "Taken"})
    assert_error(publish(tenant, live.id), 400, attr="name", detail="A product tour with this name already exists.")
    assert stored(live.id).name == "Live name" and stored(live.id).draft_content["name"] == "Taken"


def test_publish_ignores_undraftable_keys_in_a_stored_draft(tenant, live):
    live.draft_content = {"name": "Legacy", "archived": True, "start_date": NOW}
    live.save()
    assert publish(tenant, live.id).status_code == 200
    tour = stored(live.id)
    assert (tour.name, tour.archived, tour.start_date, tour.draft_content) == ("Legacy", False, None, None)


# --- §14.4 discard, §14.5 draft_status -----------------------------------------------------


def test_discard(tenant, live):
    """T-discard."""
    save_draft(tenant, live.id, {"name": "Draft"})
    response = discard(tenant, live.id)
    assert response.status_code == 200
    assert response.json()["draft_content"] is None and response.json()["has_draft"] is False
    assert response.json()["name"] == "Live name"
    tour = stored(live.id)
    assert tour.draft_content is None and tour.name == "Live name"


def test_discard_without_draft(tenant, live):
    response = discard(tenant, live.id)
    assert response.status_code == 200 and response.json()["has_draft"] is False
    assert stored(live.id).updated_at == live.updated_at


def test_draft_status_changes_after_a_draft_save(tenant, live):
    first = draft_status(tenant, live.id)
    assert first.status_code == 200
    assert set(first.json()) == {"updated_at", "has_draft"}
    assert first.json()["has_draft"] is False
    assert first.json()["updated_at"] == tenant.client.get(tour_url(tenant, live.id)).json()["updated_at"]

    saved = save_draft(tenant, live.id, {"name": "Draft"}).json()
    second = draft_status(tenant, live.id).json()
    assert second == {"updated_at": saved["updated_at"], "has_draft": True}
    assert datetime.fromisoformat(second["updated_at"]) > datetime.fromisoformat(first.json()["updated_at"])

    discard(tenant, live.id)
    assert draft_status(tenant, live.id).json()["has_draft"] is False


# Auth and project resolution: key lookup (with user and current project), project, membership.
AUTH_AND_PROJECT_QUERIES = 2  # the key; the project with the membership level


def test_draft_status_is_one_query(tenant, live, django_assert_max_num_queries):
    draft_status(tenant, live.id)  # a first use of the key records `last_used_at`
    with django_assert_max_num_queries(AUTH_AND_PROJECT_QUERIES + 1):
        response = draft_status(tenant, live.id)
    assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        draft_status(tenant, live.id)
    tour_queries = [q["sql"] for q in queries.captured_queries if "tours_producttour" in q["sql"]]
    assert len(tour_queries) == 1
    assert "draft_content" in tour_queries[0] and '"content"' not in tour_queries[0]  # no JSON loaded


# --- access ---------------------------------------------------------------------------------

ACTIONS = [
    ("patch", "draft/", {"name": "Theirs changed"}, True),
    ("get", "draft_status/", None, False),
    ("post", "publish_draft/", {"name": "Theirs changed"}, True),
    ("delete", "discard_draft/", None, True),
]


def call(client, project_id, method, path, body, tour_id):
    url = f"/api/projects/{project_id}/product_tours/{tour_id}/{path}"
    return getattr(client, method)(url, body, format="json") if body is not None else getattr(client, method)(url)


@pytest.mark.parametrize(("method", "path", "body", "write"), ACTIONS)
def test_other_projects_tour_is_404(tenant, other_tenant, method, path, body, write):
    theirs = make_tour(other_tenant.project, name="Theirs", draft_content={"name": "Their draft"})
    response = call(tenant.client, tenant.project.id, method, path, body, theirs.id)
    assert_error(response, 404, code="not_found", detail="Not found.")
    after = stored(theirs.id)
    assert (after.name, after.draft_content, after.updated_at) == ("Theirs", {"name": "Their draft"}, theirs.updated_at)


@pytest.mark.parametrize(("method", "path", "body", "write"), ACTIONS)
@pytest.mark.parametrize("bad_id", ["not-a-uuid", "123", "1c1e5b6a-0000-4000-8000-000000000000"])
def test_unknown_tour_is_404(tenant, method, path, body, write, bad_id):
    assert_error(call(tenant.client, tenant.project.id, method, path, body, bad_id), 404, code="not_found")


@pytest.mark.parametrize(("method", "path", "body", "write"), ACTIONS)
def test_non_member_is_403(tenant, other_tenant, method, path, body, write):
    theirs = make_tour(other_tenant.project, name="Theirs")
    response = call(tenant.client, other_tenant.project.id, method, path, body, theirs.id)
    assert_error(response, 403, detail="You don't have access to the project.")
    assert stored(theirs.id).draft_content is None


@pytest.mark.parametrize(("method", "path", "body", "write"), ACTIONS)
def test_anonymous_is_401(tenant, live, method, path, body, write):
    from rest_framework.test import APIClient

    assert_error(call(APIClient(), tenant.project.id, method, path, body, live.id), 401, code="not_authenticated")


@pytest.mark.parametrize(("method", "path", "body", "write"), ACTIONS)
def test_read_only_key(tenant, method, path, body, write):
    tour = make_tour(tenant.project, name="Kept", draft_content={"name": "Kept draft"})
    response = call(tenant.client_with_scopes("product_tour:read"), tenant.project.id, method, path, body, tour.id)
    if write:
        assert_error(
            response, 403, code="permission_denied", detail="API key missing required scope 'product_tour:write'"
        )
        after = stored(tour.id)
        assert (after.name, after.draft_content) == ("Kept", {"name": "Kept draft"})
    else:
        assert response.status_code == 200 and response.json()["has_draft"] is True


@pytest.mark.parametrize(("method", "path", "body", "write"), ACTIONS)
def test_write_key(tenant, method, path, body, write):
    tour = make_tour(tenant.project, name="Mine", draft_content={"name": "My draft"})
    response = call(tenant.client_with_scopes("product_tour:write"), tenant.project.id, method, path, body, tour.id)
    assert response.status_code == 200, response.json()


@pytest.mark.parametrize(("method", "path", "body", "write"), ACTIONS)
def test_unrelated_scope_is_403(tenant, live, method, path, body, write):
    needed = "product_tour:write" if write else "product_tour:read"
    response = call(tenant.client_with_scopes("feature_flag:write"), tenant.project.id, method, path, body, live.id)
    assert_error(response, 403, detail=f"API key missing required scope '{needed}'")


@pytest.mark.parametrize(("method", "path"), [("post", "draft/"), ("get", "publish_draft/"), ("post", "discard_draft/"),
                                              ("patch", "draft_status/")])  # fmt: skip
def test_other_methods_are_405(tenant, live, method, path):
    response = call(tenant.client, tenant.project.id, method, path, {}, live.id)
    assert_error(response, 405, code="method_not_allowed")


def test_current_project_alias_and_no_trailing_slash(tenant, live):
    url = f"/api/projects/@current/product_tours/{live.id}/draft"
    assert tenant.client.patch(url, {"name": "Via alias"}, format="json").status_code == 200
    assert stored(live.id).draft_content["name"] == "Via alias"


def test_archived_tour_drafts_work(tenant):
    archived = make_tour(tenant.project, name="Archived", archived=True)
    assert save_draft(tenant, archived.id, {"description": "Still editable"}).status_code == 200
    assert publish(tenant, archived.id).status_code == 200
    assert stored(archived.id).description == "Still editable"


def test_drafts_of_two_projects_do_not_mix(tenant):
    other = make_tenant()
    mine, theirs = make_tour(tenant.project, name="Same"), make_tour(other.project, name="Same")
    save_draft(tenant, mine.id, {"name": "Mine"})
    save_draft(other, theirs.id, {"name": "Theirs"})
    assert stored(mine.id).draft_content["name"] == "Mine" and stored(theirs.id).draft_content["name"] == "Theirs"


# --- OpenAPI --------------------------------------------------------------------------------


def test_schema_operations(tenant):
    schema = tenant.client.get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]

    def operation(suffix, method):
        return paths[next(p for p in paths if p.endswith(f"/product_tours/{{id}}/{suffix}"))][method]

    def ref(name):
        return {"$ref": f"#/components/schemas/{name}"}

    expected = [
        ("draft/", "patch", "product_tours_draft_partial_update", "PatchedProductTourSerializerCreateUpdateOnly", "ProductTour"),
        ("draft_status/", "get", "product_tours_draft_status_retrieve", None, "DraftStatusResponse"),
        ("publish_draft/", "post", "product_tours_publish_draft_create", "ProductTourSerializerCreateUpdateOnly", "ProductTour"),
        ("discard_draft/", "delete", "product_tours_discard_draft_destroy", None, "ProductTour"),
    ]  # fmt: skip
    for suffix, method, operation_id, request, response in expected:
        op = operation(suffix, method)
        assert op["operationId"] == operation_id
        assert op["tags"] == ["product_tours"]
        if request:
            assert op["requestBody"]["content"]["application/json"]["schema"] == ref(request)
        else:
            assert "requestBody" not in op
        assert op["responses"]["200"]["content"]["application/json"]["schema"] == ref(response)
        assert "ETag" in op["responses"]["200"]["headers"]
        if_match = [p for p in op["parameters"] if p["name"] == "If-Match"]
        assert len(if_match) == 1 and if_match[0]["in"] == "header" and if_match[0].get("required", False) is False
    status = schema["components"]["schemas"]["DraftStatusResponse"]
    assert sorted(status["required"]) == ["has_draft", "updated_at"]
    assert status["properties"]["updated_at"] == {"type": "string", "format": "date-time"}
    assert status["properties"]["has_draft"] == {"type": "boolean"}
