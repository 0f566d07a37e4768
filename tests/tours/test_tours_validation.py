"""§8, §9, §17: content, announcements, linked flag and variant, launch readiness, names, malformed input."""

import pytest

from tests.support.errors import assert_error
from tests.support.tenants import make_tenant
from tests.support.tours import NOW, create, make_flag, make_tour, patch, tours_url
from tours.models import ProductTour
from tours.services import tours as tour_services

pytestmark = pytest.mark.django_db

VARIANT_NEEDS_FLAG = "linkedFlagVariant can only be used when a linked_flag_id is specified"


# --- §9.1 content must be an object -----------------------------------------------------------


def test_null_content_is_stored_as_empty_object(tenant):
    response = create(tenant, {"name": "Null content", "content": None})
    assert response.status_code == 201
    assert ProductTour.objects.get(pk=response.json()["id"]).content == {}


@pytest.mark.parametrize("content", [[], [{"steps": []}], "steps", 5, True])
def test_content_must_be_object(tenant, content):
    assert_error(
        create(tenant, {"name": "Bad", "content": content}),
        400,
        code="invalid_input",
        detail="Content must be an object",
        attr="content",
        type="validation_error",
    )
    assert not ProductTour.objects.exists()


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        ({"steps": "x"}, "Content steps must be a list."),
        ({"steps": {"0": {}}}, "Content steps must be a list."),
        ({"steps": [{"id": "ok"}, "x"]}, "Step 2 must be an object."),
        ({"steps": [], "conditions": "x"}, "Content conditions must be an object."),
        (
            {"steps": [], "conditions": {"seenTourWaitPeriod": {"days": 1, "types": list("abcdefghi")}}},
            "seenTourWaitPeriod.types can contain at most 8 entries.",
        ),
    ],
)
def test_content_shape(tenant, content, detail):
    assert_error(create(tenant, {"name": "Bad shape", "content": content}), 400, detail=detail, attr="content")


# --- §9.2 announcements ----------------------------------------------------------------------


def _modal(step_id):
    return {"id": step_id, "type": "modal", "content": {}}


def test_announcement_with_two_steps(tenant):
    """T-announcement-2-steps."""
    body = {"name": "Invalid announcement", "content": {"type": "announcement", "steps": [_modal("1"), _modal("2")]}}
    assert_error(create(tenant, body), 400, detail="Announcements must have exactly 1 step.", attr="content")


@pytest.mark.parametrize("steps", [[], None])
def test_announcement_without_steps(tenant, steps):
    body = {"name": "Empty announcement", "content": {"type": "announcement", "steps": steps}}
    assert_error(create(tenant, body), 400, detail="Announcements must have exactly 1 step.", attr="content")


def test_announcement_with_one_step(tenant):
    """T-announcement-1-step."""
    body = {"name": "Announcement", "content": {"type": "announcement", "steps": [_modal("1")]}}
    assert create(tenant, body).status_code == 201


def test_regular_tour_with_many_steps(tenant):
    """T-regular-tour-multi-steps."""
    steps = [{"selector": f"#btn{i}"} for i in (1, 2, 3)]
    assert create(tenant, {"name": "Multi", "content": {"steps": steps}}).status_code == 201


def test_update_to_announcement_fails(tenant):
    """T-update-to-announcement-fails."""
    steps = [_modal("1"), _modal("2")]
    tour_id = create(tenant, {"name": "Two steps", "content": {"steps": steps}}).json()["id"]
    response = patch(tenant, tour_id, {"content": {"type": "announcement", "steps": steps}})
    assert_error(response, 400, detail="Announcements must have exactly 1 step.")
    assert ProductTour.objects.get(pk=tour_id).content == {"steps": steps}


# --- §8 linked flag --------------------------------------------------------------------------


def test_linked_flag_of_another_project_in_same_organization(tenant):
    """T-linked-flag-other-team."""
    sibling = make_tenant().project
    sibling.organization = tenant.organization
    sibling.save()
    flag = make_flag(sibling, key="sibling-flag")
    response = create(tenant, {"name": "Tour", "content": {"steps": []}, "linked_flag_id": flag.id})
    assert_error(response, 400, detail="Feature Flag with this ID does not exist", attr=None)


@pytest.mark.parametrize("flag_id", [0, -1, 987654, 2**63, 10**30])
def test_linked_flag_unknown_ids(tenant, flag_id):
    response = create(tenant, {"name": "Tour", "linked_flag_id": flag_id})
    assert_error(response, 400, detail="Feature Flag with this ID does not exist")


def test_linked_flag_soft_deleted(tenant):
    flag = make_flag(tenant.project, deleted=True)
    assert_error(
        create(tenant, {"name": "Tour", "linked_flag_id": flag.id}),
        400,
        detail="Feature Flag with this ID does not exist",
    )


@pytest.mark.parametrize("flag_id", ["abc", 1.5, True, [1], {"id": 1}])
def test_linked_flag_id_must_be_integer(tenant, flag_id):
    assert_error(create(tenant, {"name": "Tour", "linked_flag_id": flag_id}), 400, attr="linked_flag_id")


def test_linked_flag_set_and_cleared(tenant):
    flag = make_flag(tenant.project)
    body = create(tenant, {"name": "Linked", "linked_flag_id": flag.id}).json()
    assert body["linked_flag"]["id"] == flag.id == body["linked_flag_id"]
    response = patch(tenant, body["id"], {"linked_flag_id": None})
    assert response.status_code == 200
    assert response.json()["linked_flag"] is None and response.json()["linked_flag_id"] is None
    assert ProductTour.objects.get(pk=body["id"]).linked_flag_id is None


@pytest.mark.parametrize(
    ("variant", "has_variants", "status", "message"),
    [
        ("control", True, 201, None),
        ("any", True, 201, None),
        ("nonexistent", True, 400, "Feature flag variant 'nonexistent' does not exist. Available variants: control"),
        (
            "some_variant",
            False,
            400,
            "Feature flag variant 'some_variant' specified but the linked feature flag has no variants",
        ),
        ("any", False, 201, None),
    ],
)
def test_variant_validation(tenant, variant, has_variants, status, message):
    """T-variant-validation."""
    flag = make_flag(tenant.project, variants=["control"] if has_variants else None)
    body = {
        "name": "Tour",
        "linked_flag_id": flag.id,
        "content": {"steps": [], "conditions": {"linkedFlagVariant": variant}},
    }
    response = create(tenant, body)
    if status == 201:
        assert response.status_code == 201, response.json()
    else:
        assert_error(response, 400, detail=message, attr=None)


def test_variant_lists_all_available(tenant):
    flag = make_flag(tenant.project, variants=["control", "test", "other"])
    body = {"name": "Tour", "linked_flag_id": flag.id, "content": {"conditions": {"linkedFlagVariant": "x"}}}
    assert_error(
        create(tenant, body),
        400,
        detail="Feature flag variant 'x' does not exist. Available variants: control, test, other",
    )


@pytest.mark.parametrize("variant", ["v", "any"])
def test_variant_requires_flag(tenant, variant):
    """T-variant-requires-flag (also for "any")."""
    body = {"name": "Tour", "content": {"steps": [], "conditions": {"linkedFlagVariant": variant}}}
    assert_error(create(tenant, body), 400, detail=VARIANT_NEEDS_FLAG, attr=None)


def test_patch_uses_stored_linked_flag(tenant):
    """T-patch-uses-instance-linked-flag."""
    flag = make_flag(tenant.project)
    content = {"steps": [], "conditions": {"linkedFlagVariant": "any"}}
    tour = make_tour(tenant.project, linked_flag=flag, content=content)
    assert patch(tenant, tour.id, {"content": content}).status_code == 200
    variant_flag = make_flag(tenant.project, key="mv", variants=["a", "b"])
    tour.linked_flag = variant_flag
    tour.save()
    response = patch(tenant, tour.id, {"content": {"conditions": {"linkedFlagVariant": "c"}}})
    assert_error(response, 400, detail="Feature flag variant 'c' does not exist. Available variants: a, b")


def test_patch_explicit_clear_validates(tenant):
    """T-patch-explicit-clear-validates."""
    flag = make_flag(tenant.project)
    content = {"steps": [], "conditions": {"linkedFlagVariant": "any"}}
    tour = make_tour(tenant.project, linked_flag=flag, content=content)
    response = patch(tenant, tour.id, {"linked_flag_id": None, "content": content})
    assert_error(response, 400, detail=VARIANT_NEEDS_FLAG)
    tour.refresh_from_db()
    assert tour.linked_flag_id == flag.id


def test_variant_checked_only_when_content_is_sent(tenant):
    flag = make_flag(tenant.project)
    tour = make_tour(tenant.project, linked_flag=flag, content={"conditions": {"linkedFlagVariant": "any"}})
    assert patch(tenant, tour.id, {"linked_flag_id": None}).status_code == 200


# --- §9.3 launch validation -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "status", "message"),
    [
        ({"elementTargeting": "auto"}, 400, "Step 1 requires an element to be selected"),
        ({"elementTargeting": "manual"}, 400, "Step 1 is missing an element selector"),
        ({"elementTargeting": "auto", "inferenceData": {"tag": "button"}}, 200, None),
        ({"elementTargeting": "manual", "selector": "#btn"}, 200, None),
        ({"title": "Welcome"}, 200, None),
    ],
)
def test_launch_targeting(tenant, step, status, message):
    """T-launch-targeting (also T-launch-uses-stored-content: only start_date is sent)."""
    tour = make_tour(tenant.project, content={"steps": [step]})
    response = patch(tenant, tour.id, {"start_date": NOW})
    if status == 200:
        assert response.status_code == 200
    else:
        assert_error(response, 400, detail=message, attr=None)
        tour.refresh_from_db()
        assert tour.start_date is None


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ({"elementTargeting": "auto"}, "Step 1 requires an element to be selected"),
        ({"elementTargeting": "manual"}, "Step 1 is missing an element selector"),
        ({"type": "element"}, "Step 1 requires an element to be selected"),  # normalised before the check
    ],
)
def test_create_launched_targeting(tenant, step, message):
    """T-create-launched-targeting."""
    body = {"name": "Tour", "content": {"steps": [step]}, "start_date": NOW}
    assert_error(create(tenant, body), 400, detail=message)
    assert create(tenant, {"name": "Not launched", "content": {"steps": [step]}}).status_code == 201


def test_first_incomplete_step_is_reported(tenant):
    """T-first-incomplete-step."""
    steps = [{"title": "OK step"}, {"elementTargeting": "auto"}, {"elementTargeting": "manual"}]
    tour = make_tour(tenant.project, content={"steps": steps})
    assert_error(patch(tenant, tour.id, {"start_date": NOW}), 400, detail="Step 2 requires an element to be selected")


def test_save_without_launch_skips_check(tenant):
    """T-save-without-launch-skips."""
    tour = make_tour(tenant.project, content={"steps": [{"elementTargeting": "auto"}]})
    assert patch(tenant, tour.id, {"name": "Updated name"}).status_code == 200


def test_already_launched_tour_is_checked(tenant):
    """T-already-launched-validates, also for a name-only PATCH."""
    tour = make_tour(tenant.project, content={"steps": [{"elementTargeting": "auto"}]}, start_date=NOW)
    assert_error(
        patch(tenant, tour.id, {"name": "Updated name", "start_date": NOW}),
        400,
        detail="Step 1 requires an element to be selected",
    )
    assert_error(
        patch(tenant, tour.id, {"name": "Updated name"}), 400, detail="Step 1 requires an element to be selected"
    )
    fixed = {"steps": [{"elementTargeting": "auto", "inferenceData": {"tag": "a"}}]}
    assert patch(tenant, tour.id, {"name": "Updated name", "content": fixed}).status_code == 200


def test_launch_prefers_request_content(tenant):
    tour = make_tour(tenant.project, content={"steps": [{"elementTargeting": "manual"}]})
    body = {"start_date": NOW, "content": {"steps": [{"elementTargeting": "manual", "selector": "#ok"}]}}
    assert patch(tenant, tour.id, body).status_code == 200


# --- creation_context, names ----------------------------------------------------------------


@pytest.mark.parametrize("value", ["api", "", None, 5])
def test_creation_context_choices(tenant, value):
    assert_error(create(tenant, {"name": "Ctx", "creation_context": value}), 400, attr="creation_context")


def test_name_is_required_on_create(tenant):
    assert_error(
        create(tenant, {"description": "x"}), 400, code="required", attr="name", detail="This field is required."
    )
    assert_error(create(tenant, {"name": ""}), 400, code="blank", attr="name")
    assert_error(create(tenant, {"name": None}), 400, code="null", attr="name")


def test_name_max_length(tenant):
    assert create(tenant, {"name": "x" * 400}).status_code == 201
    assert_error(
        create(tenant, {"name": "y" * 401}),
        400,
        code="max_length",
        attr="name",
        detail="Ensure this field has no more than 400 characters.",
    )


DUPLICATE = "A product tour with this name already exists."


def test_duplicate_name_on_create(tenant, other_tenant):
    make_tour(tenant.project, name="Taken")
    assert_error(create(tenant, {"name": "Taken"}), 400, attr="name", detail=DUPLICATE, type="validation_error")
    assert ProductTour.objects.filter(name="Taken").count() == 1
    assert create(other_tenant, {"name": "Taken"}).status_code == 201  # other projects do not count
    assert create(tenant, {"name": "taken"}).status_code == 201  # names are case-sensitive, as the constraint


def test_archived_tours_do_not_hold_names(tenant):
    make_tour(tenant.project, name="Reused", archived=True)
    assert create(tenant, {"name": "Reused"}).status_code == 201
    assert create(tenant, {"name": "Reused", "archived": True}).status_code == 201


def test_duplicate_name_on_update(tenant):
    make_tour(tenant.project, name="Taken")
    tour = make_tour(tenant.project, name="Mine")
    assert_error(patch(tenant, tour.id, {"name": "Taken"}), 400, attr="name", detail=DUPLICATE)
    assert patch(tenant, tour.id, {"name": "Mine", "description": "same name is fine"}).status_code == 200
    archived = make_tour(tenant.project, name="Taken", archived=True)
    assert_error(patch(tenant, archived.id, {"archived": False}), 400, attr="name", detail=DUPLICATE)
    archived.refresh_from_db()
    assert archived.archived is True


def test_duplicate_name_race_maps_integrity_error(tenant, monkeypatch):
    """Another writer takes the name between the check and the insert: the constraint fires, same 400."""
    make_tour(tenant.project, name="Raced")
    real = tour_services.name_taken
    calls = []

    def check_misses_once(**kwargs):
        calls.append(kwargs)
        return False if len(calls) == 1 else real(**kwargs)

    monkeypatch.setattr(tour_services, "name_taken", check_misses_once)
    assert_error(create(tenant, {"name": "Raced", "auto_launch": True}), 400, attr="name", detail=DUPLICATE)
    assert ProductTour.objects.filter(name="Raced").count() == 1
    assert not tenant.project.feature_flags.exists()  # the flag created in the same transaction rolled back

    tour = make_tour(tenant.project, name="Other")
    calls.clear()
    assert_error(patch(tenant, tour.id, {"name": "Raced"}), 400, attr="name", detail=DUPLICATE)


# --- malformed values: always a 400 envelope ------------------------------------------------


def _nested(depth: int):
    value = 1
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("body", "attr"),
    [
        ({"start_date": "yesterday"}, "start_date"),
        ({"start_date": 12345}, "start_date"),
        ({"end_date": "9999-12-31T23:59:59-23:00"}, "end_date"),
        ({"start_date": "0001-01-01T00:00:00+05:00"}, "start_date"),
        ({"auto_launch": "maybe"}, "auto_launch"),
        ({"auto_launch": []}, "auto_launch"),
        ({"archived": {"x": 1}}, "archived"),
        ({"description": None}, "description"),
        ({"description": ["x"]}, "description"),
        ({"name": ["x"]}, "name"),
        ({"name": "nul\x00byte"}, "name"),
        ({"description": "nul\x00byte"}, "description"),
        ({"content": {"steps": [{"title": "nul\x00"}]}}, "content"),
        ({"content": {"k\x00": 1}}, "content"),
        ({"targeting_flag_filters": "plan=pro"}, "targeting_flag_filters"),
        ({"targeting_flag_filters": {"groups": {"a": 1}}}, "targeting_flag_filters"),
        ({"targeting_flag_filters": {"groups": [{"properties": "x"}]}}, "targeting_flag_filters"),
    ],
)
def test_malformed_values_are_400(tenant, body, attr):
    tour = make_tour(tenant.project, name="Target")
    assert_error(create(tenant, {"name": "New", **body}), 400, attr=attr, type="validation_error")
    assert_error(patch(tenant, tour.id, body), 400, attr=attr)
    assert list(ProductTour.objects.values_list("name", flat=True)) == ["Target"]


def test_deeply_nested_content_is_a_parse_error(tenant):
    tour = make_tour(tenant.project, name="Target")
    body = {"content": {"deep": _nested(150)}}
    detail = "JSON parse error - JSON is nested more than 64 levels deep."
    assert_error(create(tenant, {"name": "New", **body}), 400, code="parse_error", detail=detail, attr=None)
    assert_error(patch(tenant, tour.id, body), 400, code="parse_error", detail=detail, attr=None)
    assert list(ProductTour.objects.values_list("name", flat=True)) == ["Target"]


@pytest.mark.parametrize(
    ("raw", "attr"),
    [
        ('{"name": "surrogate \\ud800"}', "name"),
        ('{"name": "ok", "description": "\\udfff"}', "description"),
        ('{"name": "ok", "content": {"steps": [{"title": "\\ud800"}]}}', "content"),
        ('{"name": "ok", "content": {"\\ud800": 1}}', "content"),
        ('{"name": "ok", "content": {"x": 1e999}}', "content"),
        (
            '{"name": "ok", "auto_launch": true, "targeting_flag_filters": {"groups": [{"properties": [{"key": "\\ud800"}]}]}}',
            "targeting_flag_filters",
        ),
    ],
)
def test_unstorable_text_in_json_bodies(tenant, raw, attr):
    """Escaped lone surrogates and overflowing numbers parse as JSON but cannot be stored: 400, not 500."""
    response = tenant.client.post(tours_url(tenant), raw, content_type="application/json")
    assert_error(response, 400, attr=attr)
    assert not ProductTour.objects.exists()


@pytest.mark.parametrize("body", [[1, 2], "just a string", 42, None])
def test_non_object_bodies(tenant, body):
    response = tenant.client.post(tours_url(tenant), body, format="json")
    assert response.status_code == 400
    assert set(response.json()) >= {"type", "code", "detail", "attr"}


def test_huge_numbers_in_content_are_kept(tenant):
    content = {"steps": [], "big": 10**40, "conditions": {"seenTourWaitPeriod": {"days": 10**6, "types": ["tour"]}}}
    response = create(tenant, {"name": "Big", "content": content})
    assert response.status_code == 201
    assert ProductTour.objects.get(pk=response.json()["id"]).content["big"] == 10**40
