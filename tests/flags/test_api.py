"""`/api/projects/{project_id}/feature_flags/`: CRUD, errors, scopes, isolation, pagination."""

import json

import pytest

from accounts.models import OrganizationMembership
from flags.models import FeatureFlag
from tests.factories import ServiceFeatureFlagFactory
from tests.support.errors import assert_error
from tests.support.tenants import make_tenant
from tours.models import ProductTour

pytestmark = pytest.mark.django_db

PERSON_FILTERS = {
    "groups": [
        {
            "variant": "",
            "rollout_percentage": 50,
            "properties": [{"key": "email", "value": "@acme.com", "operator": "icontains", "type": "person"}],
        }
    ]
}


def flags_url(tenant, flag_id=None) -> str:
    return tenant.url("feature_flags/" if flag_id is None else f"feature_flags/{flag_id}/")


# --- create --------------------------------------------------------------------------------------


def test_create_returns_201_with_full_representation(tenant):
    response = tenant.client.post(
        flags_url(tenant),
        {"key": "new-checkout", "name": "New checkout", "filters": PERSON_FILTERS, "creation_context": "feature_flags"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    flag = FeatureFlag.objects.get(id=body["id"])
    assert body["key"] == "new-checkout" and body["name"] == "New checkout"
    assert body["active"] is True and body["deleted"] is False and body["version"] == 1
    assert body["created_by"]["email"] == tenant.user.email
    assert body["last_modified_by"]["id"] == tenant.user.id
    assert body["filters"] == {
        "aggregation_group_type_index": None,
        "groups": [{**PERSON_FILTERS["groups"][0], "aggregation_group_type_index": None}],
    }
    assert body["evaluation_runtime"] == "all" and body["bucketing_identifier"] == "distinct_id"
    assert body["ensure_experience_continuity"] is False and body["has_encrypted_payloads"] is False
    assert body["is_simple_flag"] is False and body["rollout_percentage"] is None
    assert body["tags"] == [] and body["evaluation_tags"] == []
    assert "creation_context" not in body
    assert (flag.project_id, flag.created_by_id, flag.last_modified_by_id) == (
        tenant.project.id,
        tenant.user.id,
        tenant.user.id,
    )
    assert flag.filters == body["filters"]


def test_create_with_only_a_key_uses_defaults(tenant):
    response = tenant.client.post(flags_url(tenant), {"key": "bare"}, format="json")
    assert response.status_code == 201
    assert response.json()["filters"] == {"aggregation_group_type_index": None, "groups": []}
    assert response.json()["name"] == ""


def test_simple_flag_fields(tenant):
    body = tenant.client.post(
        flags_url(tenant), {"key": "simple", "filters": {"groups": [{"rollout_percentage": 30}]}}, format="json"
    ).json()
    assert body["is_simple_flag"] is True
    assert body["rollout_percentage"] == 30


def test_create_form_encoded_with_filters_json_string(tenant):
    response = tenant.client.post(
        flags_url(tenant),
        {"key": "form-flag", "name": "From a form", "active": "false", "filters": json.dumps(PERSON_FILTERS)},
    )
    assert response.status_code == 201, response.content
    flag = FeatureFlag.objects.get(key="form-flag")
    assert flag.active is False
    assert flag.filters["groups"][0]["properties"] == PERSON_FILTERS["groups"][0]["properties"]


def test_create_form_encoded_with_broken_filters_is_400(tenant):
    response = tenant.client.post(flags_url(tenant), {"key": "form-flag", "filters": "{groups: nope"})
    assert_error(
        response,
        400,
        code="invalid_input",
        attr="filters",
        detail="Filters are not valid (filters must be a JSON object)",
    )
    response = tenant.client.post(flags_url(tenant), {"key": "form-flag", "filters": "[1, 2]"})
    assert_error(
        response, 400, code="invalid_input", attr="filters", detail="Filters are not valid (filters must be an object)"
    )
    assert not FeatureFlag.objects.exists()


def test_create_rejects_duplicate_key(tenant):
    ServiceFeatureFlagFactory(project=tenant.project, user=tenant.user, key="taken")
    response = tenant.client.post(flags_url(tenant), {"key": "taken"}, format="json")
    assert_error(
        response,
        400,
        code="unique",
        attr="key",
        detail="There is already a feature flag with this key.",
        type="validation_error",
    )
    assert FeatureFlag.objects.filter(key="taken").count() == 1


def test_same_key_in_another_project_is_fine(tenant, other_tenant):
    ServiceFeatureFlagFactory(project=other_tenant.project, user=other_tenant.user, key="shared")
    assert tenant.client.post(flags_url(tenant), {"key": "shared"}, format="json").status_code == 201


@pytest.mark.parametrize("key", ["foo?bar=baz", "foo/bar", "foo\\bar", "foo.bar", "foo bar", "ключ", "a\nb"])
def test_create_rejects_invalid_key_characters(tenant, key):
    response = tenant.client.post(flags_url(tenant), {"key": key}, format="json")
    assert_error(
        response,
        400,
        code="invalid_key",
        attr="key",
        detail="Only letters, numbers, hyphens (-) & underscores (_) are allowed.",
    )


def test_create_rejects_key_over_400_characters(tenant):
    assert tenant.client.post(flags_url(tenant), {"key": "k" * 400}, format="json").status_code == 201
    response = tenant.client.post(flags_url(tenant), {"key": "k" * 401}, format="json")
    assert_error(
        response, 400, code="max_length", attr="key", detail="Ensure this field has no more than 400 characters."
    )


@pytest.mark.parametrize(
    "body, code, attr",
    [
        ({}, "required", "key"),
        ({"key": ""}, "blank", "key"),
        ({"key": None}, "null", "key"),
        ({"key": ["a"]}, "invalid_input", "key"),
        ({"key": "ok", "name": None}, "null", "name"),
        ({"key": "ok", "active": "maybe"}, "invalid_input", "active"),
        ({"key": "ok", "filters": None}, "null", "filters"),
        ({"key": "ok", "evaluation_runtime": "edge"}, "invalid_choice", "evaluation_runtime"),
        ({"key": "ok", "bucketing_identifier": "ip"}, "invalid_choice", "bucketing_identifier"),
        ({"key": "ok", "creation_context": "app"}, "invalid_choice", "creation_context"),
        ({"key": "ok", "name": "nul\x00"}, "null_characters_not_allowed", "name"),
    ],
)
def test_create_field_errors(tenant, body, code, attr):
    assert_error(tenant.client.post(flags_url(tenant), body, format="json"), 400, code=code, attr=attr)
    assert not FeatureFlag.objects.exists()


@pytest.mark.parametrize(
    "filters, code, detail",
    [
        ("not-an-object", "invalid_input", "Filters are not valid (filters must be a JSON object)"),
        (["groups"], "invalid_input", "Filters are not valid (filters must be an object)"),
        ({"groups": "all"}, "invalid_input", "Filters are not valid (groups must be a list)"),
        ({"groups": [1]}, "invalid_input", "Filters are not valid (groups[0] must be an object)"),
        (
            {"groups": [{"properties": "x"}]},
            "invalid_input",
            "Filters are not valid (groups[0].properties must be a list)",
        ),
        (
            {"groups": [{"properties": [None]}]},
            "invalid_input",
            "Filters are not valid (groups[0].properties[0] must be an object)",
        ),
        (
            {"groups": [{"rollout_percentage": 200}]},
            "invalid_input",
            "groups[0].rollout_percentage must be between 0 and 100, got 200",
        ),
        (
            {"groups": [{"rollout_percentage": "50"}]},
            "invalid_input",
            "groups[0].rollout_percentage must be a number or null, got str",
        ),
        (
            {"groups": [{"properties": [{"key": "id", "value": 3, "type": "cohort"}]}]},
            "cohort_does_not_exist",
            "Cohort with id 3 does not exist",
        ),
        (
            {"groups": [{"properties": [{"key": "a", "value": "x", "type": "event"}]}]},
            "invalid_input",
            "Filters are not valid (can only use person, cohort, and flag properties)",
        ),
        (
            {"groups": [{"properties": [{"key": "a", "value": "x", "type": "person", "operator": "like"}]}]},
            "invalid_operator",
            "Invalid operator: like",
        ),
        (
            {
                "groups": [
                    {"properties": [{"key": "a", "value": "nope", "type": "person", "operator": "is_date_after"}]}
                ]
            },
            "invalid_date",
            "Invalid date value: nope",
        ),
        (
            {"groups": [], "multivariate": {"variants": [{"key": "a", "rollout_percentage": 60}]}},
            "invalid_input",
            "Invalid variant definitions: Variant rollout percentages must sum to 100.",
        ),
    ],
)
def test_create_filters_errors_are_400_with_attr_filters(tenant, filters, code, detail):
    response = tenant.client.post(flags_url(tenant), {"key": "f", "filters": filters}, format="json")
    assert_error(response, 400, code=code, detail=detail, attr="filters", type="validation_error")
    assert not FeatureFlag.objects.exists()


def test_create_hard_deletes_soft_deleted_flag_with_same_key(tenant):
    old = ServiceFeatureFlagFactory(project=tenant.project, user=tenant.user, key="reuse")
    assert tenant.client.patch(flags_url(tenant, old.id), {"deleted": True}, format="json").status_code == 200
    response = tenant.client.post(flags_url(tenant), {"key": "reuse"}, format="json")
    assert response.status_code == 201
    assert not FeatureFlag.objects.filter(id=old.id).exists()
    assert FeatureFlag.objects.get(key="reuse").id == response.json()["id"]


def test_malformed_json_body_is_400(tenant):
    response = tenant.client.generic("POST", flags_url(tenant), "{not json", content_type="application/json")
    assert_error(response, 400, code="parse_error")


# --- retrieve / list -----------------------------------------------------------------------------


def test_retrieve(tenant):
    flag = ServiceFeatureFlagFactory(project=tenant.project, user=tenant.user, key="r", name="Readable")
    response = tenant.client.get(flags_url(tenant, flag.id))
    assert response.status_code == 200
    assert response.json()["id"] == flag.id and response.json()["name"] == "Readable"
    assert tenant.client.get(tenant.url(f"feature_flags/{flag.id}")).status_code == 200  # no trailing slash


@pytest.mark.parametrize("flag_id", ["999999", "abc", "0", "-1", str(2**70), "1e3", "１"])
def test_retrieve_unknown_or_malformed_id_is_404(tenant, flag_id):
    assert_error(tenant.client.get(flags_url(tenant, flag_id)), 404, code="not_found", detail="Not found.")


def test_list_default_order_search_and_active_filter(tenant):
    first = ServiceFeatureFlagFactory(project=tenant.project, user=tenant.user, key="alpha-banner", name="Top banner")
    second = ServiceFeatureFlagFactory(
        project=tenant.project, user=tenant.user, key="beta", name="checkout", active=False
    )
    third = ServiceFeatureFlagFactory(project=tenant.project, user=tenant.user, key="gamma", name="Banner v2")
    response = tenant.client.get(flags_url(tenant))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 3
    assert [f["id"] for f in body["results"]] == [third.id, second.id, first.id]  # -created_at

    searched = tenant.client.get(flags_url(tenant), {"search": "BANNER"}).json()
    assert {f["key"] for f in searched["results"]} == {"alpha-banner", "gamma"}
    assert [f["key"] for f in tenant.client.get(flags_url(tenant), {"active": "false"}).json()["results"]] == ["beta"]
    assert tenant.client.get(flags_url(tenant), {"active": "true"}).json()["count"] == 2
    assert tenant.client.get(flags_url(tenant), {"active": "STALE"}).json()["count"] == 3
    assert [f["key"] for f in tenant.client.get(flags_url(tenant), {"order": "key"}).json()["results"]] == [
        "alpha-banner",
        "beta",
        "gamma",
    ]
    assert tenant.client.get(flags_url(tenant), {"order": "filters"}).json()["results"][0]["id"] == third.id
    assert tenant.client.get(flags_url(tenant), {"search": "a\x00b"}).status_code == 200


def test_list_excludes_internal_tour_flags_but_retrieve_works(tenant):
    visible = ServiceFeatureFlagFactory(project=tenant.project, user=tenant.user, key="visible")
    internal = ServiceFeatureFlagFactory(
        project=tenant.project, user=tenant.user, key="product-tour-targeting-welcome-1a2b3c4d"
    )
    linked = ServiceFeatureFlagFactory(project=tenant.project, user=tenant.user, key="linked")
    ProductTour.objects.create(
        project=tenant.project, name="Welcome", internal_targeting_flag=internal, linked_flag=linked
    )
    body = tenant.client.get(flags_url(tenant)).json()
    assert body["count"] == 2
    assert {f["id"] for f in body["results"]} == {visible.id, linked.id}
    assert tenant.client.get(flags_url(tenant, internal.id)).json()["key"] == internal.key


def test_list_hides_soft_deleted(tenant):
    ServiceFeatureFlagFactory(project=tenant.project, user=tenant.user, key="gone", deleted=True)
    keep = ServiceFeatureFlagFactory(project=tenant.project, user=tenant.user, key="keep")
    assert [f["id"] for f in tenant.client.get(flags_url(tenant)).json()["results"]] == [keep.id]


def test_pagination_bounds(tenant):
    for i in range(5):
        ServiceFeatureFlagFactory(project=tenant.project, user=tenant.user, key=f"f{i}")
    page = tenant.client.get(flags_url(tenant), {"limit": 2, "offset": 2}).json()
    assert page["count"] == 5 and len(page["results"]) == 2
    assert "offset=4" in page["next"] and "limit=2" in page["previous"]
    assert len(tenant.client.get(flags_url(tenant), {"limit": "abc"}).json()["results"]) == 5
    assert len(tenant.client.get(flags_url(tenant), {"limit": "-3"}).json()["results"]) == 5
    assert len(tenant.client.get(flags_url(tenant), {"offset": "zz"}).json()["results"]) == 5


def test_limit_is_capped_at_1000(tenant):
    FeatureFlag.objects.bulk_create(FeatureFlag(project=tenant.project, key=f"bulk-{i}") for i in range(1001))
    body = tenant.client.get(flags_url(tenant), {"limit": 5000}).json()
    assert body["count"] == 1001 and len(body["results"]) == 1000
    assert "limit=1000" in body["next"]
    assert len(tenant.client.get(flags_url(tenant)).json()["results"]) == 100


@pytest.mark.parametrize("count", [1, 20])
def test_list_query_count_is_constant(tenant, django_assert_max_num_queries, count):
    other = make_tenant().user
    for i in range(count):
        flag = ServiceFeatureFlagFactory(project=tenant.project, user=tenant.user, key=f"q{i}")
        FeatureFlag.objects.filter(id=flag.id).update(last_modified_by=other)
    ProductTour.objects.create(
        project=tenant.project,
        name="T",
        internal_targeting_flag=ServiceFeatureFlagFactory(project=tenant.project, user=tenant.user, key="tour"),
    )
    tenant.client.get(flags_url(tenant))  # warm-up: the key's last_used_at refresh is a one-off write
    with django_assert_max_num_queries(5):  # key, project, membership, count, page
        response = tenant.client.get(flags_url(tenant))
    assert response.json()["count"] == count


# --- update --------------------------------------------------------------------------------------


def test_patch_updates_fields_and_bumps_version(tenant):
    flag = ServiceFeatureFlagFactory(project=tenant.project, user=tenant.user, key="p", name="Before")
    editor = make_tenant()
    response = tenant.client.patch(
        flags_url(tenant, flag.id),
        {"name": "After", "active": False, "filters": PERSON_FILTERS, "ensure_experience_continuity": True},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["name"], body["active"], body["version"], body["ensure_experience_continuity"]) == (
        "After",
        False,
        2,
        True,
    )
    assert body["filters"]["groups"][0]["properties"] == PERSON_FILTERS["groups"][0]["properties"]
    flag.refresh_from_db()
    assert (flag.name, flag.active, flag.version) == ("After", False, 2)
    assert tenant.client.patch(flags_url(tenant, flag.id), {"name": "Again"}, format="json").json()["version"] == 3
    assert editor.user.id != flag.last_modified_by_id


def test_patch_filters_without_groups_keeps_stored_filters(tenant):
    flag = ServiceFeatureFlagFactory(project=tenant.project, user=tenant.user, key="keep", filters=PERSON_FILTERS)
    stored = FeatureFlag.objects.get(id=flag.id).filters
    response = tenant.client.patch(flags_url(tenant, flag.id), {"filters": {"payloads": {"x": 1}}}, format="json")
    assert response.status_code == 200
    assert FeatureFlag.objects.get(id=flag.id).filters == stored


def test_patch_key_rules(tenant):
    ServiceFeatureFlagFactory(project=tenant.project, user=tenant.user, key="taken")
    flag = ServiceFeatureFlagFactory(project=tenant.project, user=tenant.user, key="mine")
    url = flags_url(tenant, flag.id)
    assert_error(tenant.client.patch(url, {"key": "taken"}, format="json"), 400, code="unique", attr="key")
    assert_error(tenant.client.patch(url, {"key": "bad key"}, format="json"), 400, code="invalid_key", attr="key")
    assert tenant.client.patch(url, {"key": "mine"}, format="json").status_code == 200  # its own key is fine
    assert tenant.client.patch(url, {"key": "renamed"}, format="json").json()["key"] == "renamed"


def test_patch_filters_error(tenant):
    flag = ServiceFeatureFlagFactory(project=tenant.project, user=tenant.user, key="x")
    response = tenant.client.patch(
        flags_url(tenant, flag.id), {"filters": {"groups": [{"rollout_percentage": True}]}}, format="json"
    )
    assert_error(
        response, 400, attr="filters", detail="groups[0].rollout_percentage must be a number or null, got bool"
    )
    assert FeatureFlag.objects.get(id=flag.id).version == 1


def test_put_replaces_given_fields(tenant):
    flag = ServiceFeatureFlagFactory(project=tenant.project, user=tenant.user, key="put", name="n")
    response = tenant.client.put(flags_url(tenant, flag.id), {"key": "put-2", "name": "m"}, format="json")
    assert response.status_code == 200
    assert (response.json()["key"], response.json()["name"], response.json()["version"]) == ("put-2", "m", 2)
    assert_error(
        tenant.client.put(flags_url(tenant, flag.id), {"name": "m"}, format="json"), 400, code="required", attr="key"
    )


def test_stale_version_conflicts_only_on_fields_changed_meanwhile(tenant):
    flag = ServiceFeatureFlagFactory(project=tenant.project, user=tenant.user, key="v", name="original")
    colleague = make_tenant()
    OrganizationMembership.objects.create(organization=tenant.organization, user=colleague.user)
    colleague_url = (
        colleague.url("").replace(str(colleague.project.id), str(tenant.project.id)) + f"feature_flags/{flag.id}/"
    )
    assert colleague.client.patch(colleague_url, {"name": "theirs", "version": 1}, format="json").status_code == 200

    url = flags_url(tenant, flag.id)
    response = tenant.client.patch(url, {"name": "mine", "version": 1}, format="json")
    assert_error(
        response,
        409,
        code="conflict",
        detail=f"The feature flag was updated by {colleague.user.email} since you started editing it. "
        "Please refresh and try again.",
    )
    flag.refresh_from_db()
    assert (flag.name, flag.version) == ("theirs", 2)

    # A field nobody else touched can still be changed from the stale version…
    response = tenant.client.patch(url, {"active": False, "version": 1}, format="json")
    assert response.status_code == 200 and response.json()["version"] == 3
    # …and sending the value that is already stored is no change at all.
    assert tenant.client.patch(url, {"name": "theirs", "version": 1}, format="json").status_code == 200
    # With the current version, anything goes; without a version, too (PostHog clients that omit it).
    assert tenant.client.patch(url, {"name": "mine", "version": 4}, format="json").status_code == 200
    assert tenant.client.patch(url, {"name": "mine again"}, format="json").status_code == 200


def test_conflict_message_without_known_editor(tenant):
    flag = ServiceFeatureFlagFactory(project=tenant.project, user=tenant.user, key="anon")
    tenant.client.patch(flags_url(tenant, flag.id), {"name": "b"}, format="json")
    FeatureFlag.objects.filter(id=flag.id).update(last_modified_by=None)
    response = tenant.client.patch(flags_url(tenant, flag.id), {"name": "c", "version": 1}, format="json")
    assert_error(
        response,
        409,
        detail="The feature flag was updated by another user since you started editing it. Please refresh and try again.",
    )


# --- delete --------------------------------------------------------------------------------------


def test_delete_is_405_with_empty_body(tenant):
    flag = ServiceFeatureFlagFactory(project=tenant.project, user=tenant.user, key="stay")
    response = tenant.client.delete(flags_url(tenant, flag.id))
    assert response.status_code == 405
    assert response.content == b""
    assert FeatureFlag.objects.filter(id=flag.id, deleted=False).exists()


def test_delete_on_list_route_is_405_envelope(tenant):
    assert_error(tenant.client.delete(flags_url(tenant)), 405, code="method_not_allowed")


def test_soft_delete_by_patch(tenant):
    flag = ServiceFeatureFlagFactory(project=tenant.project, user=tenant.user, key="soft")
    response = tenant.client.patch(flags_url(tenant, flag.id), {"deleted": True}, format="json")
    assert response.status_code == 200 and response.json()["deleted"] is True
    assert FeatureFlag.objects.get(id=flag.id).deleted is True
    assert_error(tenant.client.get(flags_url(tenant, flag.id)), 404, code="not_found")
    assert_error(tenant.client.patch(flags_url(tenant, flag.id), {"deleted": False}, format="json"), 404)
    assert tenant.client.get(flags_url(tenant)).json()["count"] == 0
    assert tenant.client.post(flags_url(tenant), {"key": "soft"}, format="json").status_code == 201


def test_soft_delete_refused_while_other_flags_depend_on_it(tenant):
    base = ServiceFeatureFlagFactory(project=tenant.project, user=tenant.user, key="base")
    dependent_filters = {
        "groups": [
            {"properties": [{"key": str(base.id), "type": "flag", "value": True, "operator": "flag_evaluates_to"}]}
        ]
    }
    dependent = ServiceFeatureFlagFactory(
        project=tenant.project, user=tenant.user, key="dependent", filters=dependent_filters
    )
    response = tenant.client.patch(flags_url(tenant, base.id), {"deleted": True}, format="json")
    assert_error(
        response,
        400,
        attr=None,
        detail=f"Cannot delete this feature flag because other flags depend on it: dependent (ID: {dependent.id}). "
        "Please update or delete the dependent flags first.",
    )
    assert FeatureFlag.objects.get(id=base.id).deleted is False


# --- flag dependencies over the API --------------------------------------------------------------


def flag_condition(flag_id) -> dict:
    return {
        "groups": [
            {"properties": [{"key": str(flag_id), "type": "flag", "value": True, "operator": "flag_evaluates_to"}]}
        ]
    }


def test_flag_dependencies(tenant, other_tenant):
    a = ServiceFeatureFlagFactory(project=tenant.project, user=tenant.user, key="a")
    created = tenant.client.post(flags_url(tenant), {"key": "b", "filters": flag_condition(a.id)}, format="json")
    assert created.status_code == 201
    b_id = created.json()["id"]

    assert_error(
        tenant.client.patch(flags_url(tenant, a.id), {"filters": flag_condition(b_id)}, format="json"),
        400,
        attr="filters",
        detail="Circular dependency detected: a → b → a",
    )
    assert_error(
        tenant.client.patch(flags_url(tenant, a.id), {"filters": flag_condition(a.id)}, format="json"),
        400,
        attr="filters",
        detail="Feature flag 'a' cannot depend on itself",
    )
    foreign = ServiceFeatureFlagFactory(project=other_tenant.project, user=other_tenant.user, key="foreign")
    assert_error(
        tenant.client.post(flags_url(tenant), {"key": "c", "filters": flag_condition(foreign.id)}, format="json"),
        400,
        attr="filters",
        detail=f"Flag dependency references non-existent flag with ID {foreign.id}",
    )
    off = ServiceFeatureFlagFactory(project=tenant.project, user=tenant.user, key="off", active=False)
    assert_error(
        tenant.client.post(flags_url(tenant), {"key": "c", "filters": flag_condition(off.id)}, format="json"),
        400,
        attr="filters",
        detail=f"Cannot create dependency on disabled flag 'off' (ID: {off.id}). Flag dependencies must reference active flags only.",
    )


# --- access --------------------------------------------------------------------------------------


def test_other_projects_flag_is_404(tenant, other_tenant):
    foreign = ServiceFeatureFlagFactory(project=other_tenant.project, user=other_tenant.user, key="foreign")
    assert_error(tenant.client.get(flags_url(tenant, foreign.id)), 404, code="not_found")
    assert_error(tenant.client.patch(flags_url(tenant, foreign.id), {"name": "x"}, format="json"), 404)
    assert tenant.client.get(flags_url(tenant)).json()["count"] == 0
    FeatureFlag.objects.get(id=foreign.id, name="")


def test_non_member_is_403_and_unknown_project_404(tenant, other_tenant):
    assert_error(
        other_tenant.client.get(flags_url(tenant)),
        403,
        code="permission_denied",
        detail="You don't have access to the project.",
    )
    assert_error(
        other_tenant.client.post(flags_url(tenant), {"key": "x"}, format="json"), 403, code="permission_denied"
    )
    assert_error(tenant.client.get("/api/projects/987654/feature_flags/"), 404, detail="Project not found.")
    assert tenant.client.get("/api/projects/@current/feature_flags").status_code == 200


def test_unauthenticated_is_401(tenant, anon_client):
    assert_error(anon_client.get(flags_url(tenant)), 401, code="not_authenticated")


def test_scopes(tenant):
    flag = ServiceFeatureFlagFactory(project=tenant.project, user=tenant.user, key="scoped")
    read_only = tenant.client_with_scopes("feature_flag:read")
    assert read_only.get(flags_url(tenant)).status_code == 200
    assert read_only.get(flags_url(tenant, flag.id)).status_code == 200
    missing_write = "API key missing required scope 'feature_flag:write'"
    assert_error(read_only.post(flags_url(tenant), {"key": "n"}, format="json"), 403, detail=missing_write)
    assert_error(read_only.patch(flags_url(tenant, flag.id), {"name": "n"}, format="json"), 403, detail=missing_write)
    assert_error(read_only.put(flags_url(tenant, flag.id), {"key": "n"}, format="json"), 403, detail=missing_write)
    assert_error(read_only.delete(flags_url(tenant, flag.id)), 403, detail=missing_write)

    tours_only = tenant.client_with_scopes("product_tour:write")
    assert_error(tours_only.get(flags_url(tenant)), 403, detail="API key missing required scope 'feature_flag:read'")

    writer = tenant.client_with_scopes("feature_flag:write")
    assert writer.get(flags_url(tenant)).status_code == 200
    assert writer.post(flags_url(tenant), {"key": "w"}, format="json").status_code == 201
    assert FeatureFlag.objects.get(id=flag.id).name == ""


GARBAGE_FILTERS = [
    1,
    True,
    1.5,
    [],
    [{}],
    "",
    "null",
    "[]",
    '{"groups": 5}',
    {"groups": [None]},
    {"groups": [[]]},
    {"groups": [{"properties": None}]},
    {"groups": [{"properties": [[]]}]},
    {"groups": [{"properties": [{"key": None, "type": "person"}]}]},
    {"groups": [{"properties": [{"key": {"a": 1}, "type": "person"}]}]},
    {"groups": [{"properties": [{"key": "a", "type": ["person"], "value": "x"}]}]},
    {"groups": [{"properties": [{"key": "a", "type": "person", "value": [[1]]}]}]},
    {"groups": [{"properties": [{"key": "a", "type": "person", "operator": {"x": 1}}]}]},
    {"groups": [{"rollout_percentage": [50]}]},
    {"groups": [{"variant": ["a"]}]},
    {"groups": [{"aggregation_group_type_index": 99}]},
    {"groups": [], "aggregation_group_type_index": True},
    {"groups": [], "multivariate": {"variants": "a"}},
    {"groups": [], "multivariate": {"variants": [None]}},
    {"groups": [], "multivariate": {"variants": [{"key": ["a"], "rollout_percentage": 100}]}},
    {"groups": [], "multivariate": {"variants": [{"key": "a", "rollout_percentage": None}]}},
    {"groups": [], "payloads": "x"},
    {"groups": [], "payloads": {"true": "nan-json{"}},
    {"groups": [{"properties": [{"key": "a", "type": "flag", "value": True, "operator": "flag_evaluates_to"}]}]},
    {"groups": [{"properties": [{"key": str(2**80), "type": "flag", "value": True, "operator": "flag_evaluates_to"}]}]},
    {"groups": [{"properties": [{"key": "k\x00", "type": "person", "value": "x"}]}]},
]


@pytest.mark.parametrize("filters", GARBAGE_FILTERS)
def test_garbage_filters_are_400_never_500(tenant, filters):
    response = tenant.client.post(flags_url(tenant), {"key": "g", "filters": filters}, format="json")
    body = assert_error(response, 400, type="validation_error")
    assert body["attr"] == "filters", body
    flag = ServiceFeatureFlagFactory(project=tenant.project, user=tenant.user, key="existing")
    response = tenant.client.patch(flags_url(tenant, flag.id), {"filters": filters}, format="json")
    if response.status_code != 200:  # a PATCH object without `groups` keeps the stored filters
        assert_error(response, 400, attr="filters")
    assert FeatureFlag.objects.filter(key="g").count() == 0


@pytest.mark.parametrize(
    "raw",
    [
        '{"key": "g", "filters": {"groups": [{"rollout_percentage": 1e400}]}}',
        '{"key": "g", "filters": {"groups": [{"properties": [{"key": "a", "type": "person", "value": -1e400}]}]}}',
        '{"key": "g", "filters": {"groups": [{"rollout_percentage": NaN}]}}',
    ],
)
def test_out_of_range_numbers_are_400(tenant, raw):
    response = tenant.client.generic("POST", flags_url(tenant), raw, content_type="application/json")
    assert response.status_code == 400, response.content
    assert not FeatureFlag.objects.exists()


@pytest.mark.parametrize("body", [{"version": "x"}, {"version": 10**30}, {"version": None}, {"active": None}])
def test_patch_odd_scalars_are_handled(tenant, body):
    flag = ServiceFeatureFlagFactory(project=tenant.project, user=tenant.user, key="odd")
    response = tenant.client.patch(flags_url(tenant, flag.id), body, format="json")
    assert response.status_code in (200, 400), response.content
    if response.status_code == 400:
        assert set(response.json()) == {"type", "code", "detail", "attr"}


def test_get_then_put_round_trips(tenant):
    flag = ServiceFeatureFlagFactory(
        project=tenant.project, user=tenant.user, key="rt", name="Round trip", filters=PERSON_FILTERS
    )
    body = tenant.client.get(flags_url(tenant, flag.id)).json()
    response = tenant.client.put(flags_url(tenant, flag.id), body, format="json")
    assert response.status_code == 200, response.content
    after = response.json()
    assert after["version"] == body["version"] + 1
    assert {k: v for k, v in after.items() if k not in ("version", "updated_at")} == {
        k: v for k, v in body.items() if k not in ("version", "updated_at")
    }


def test_form_encoded_patch_soft_delete(tenant):
    flag = ServiceFeatureFlagFactory(project=tenant.project, user=tenant.user, key="form-delete")
    response = tenant.client.patch(
        flags_url(tenant, flag.id), "deleted=true", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200 and response.json()["deleted"] is True
    assert FeatureFlag.objects.get(id=flag.id).deleted is True
