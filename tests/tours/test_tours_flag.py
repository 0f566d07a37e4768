"""§7: the internal targeting flag — creation, active state, filters, refresh, read side, atomicity."""

import pytest

from flags.models import FeatureFlag
from tests.support.errors import assert_error
from tests.support.tours import NOW, create, flag_of, groups_of, make_tour, patch, tour_url
from tours.models import ProductTour

pytestmark = pytest.mark.django_db

PLAN = {"key": "plan", "value": "pro", "operator": "exact", "type": "person"}
EMAIL = {"key": "email", "value": "test@example.com", "operator": "exact", "type": "person"}


def wait(days, *types):
    return {"seenTourWaitPeriod": {"days": days, "types": list(types)}}


def auto_tour(tenant, content=None, **extra) -> dict:
    body = {"name": extra.pop("name", "Auto launch tour"), "content": content or {"steps": []}, "auto_launch": True}
    response = create(tenant, {**body, **extra})
    assert response.status_code == 201, response.json()
    return response.json()


def keys(properties) -> list[str]:
    return [prop["key"] for prop in properties]


# --- §7.1 / §7.2 creation and active state --------------------------------------------------


def test_flag_created_inactive(tenant):
    """T-flag-created-inactive, with the flag's identity."""
    body = auto_tour(tenant)
    flag = FeatureFlag.objects.get(pk=body["internal_targeting_flag"]["id"])
    assert flag.active is False and body["internal_targeting_flag"]["active"] is False
    assert flag.project_id == tenant.project.id
    assert flag.key.startswith("product-tour-targeting-auto-launch-tour-") and len(flag.key.rsplit("-", 1)[1]) == 8
    assert flag.name == "Product Tour: Auto launch tour"
    assert flag.created_by_id == tenant.user.id
    assert ProductTour.objects.get(pk=body["id"]).internal_targeting_flag_id == flag.id


@pytest.mark.parametrize(
    ("extra", "active"),
    [
        ({"start_date": NOW}, True),
        ({"start_date": NOW, "end_date": NOW}, False),
        ({"start_date": NOW, "archived": True}, False),
        ({}, False),
    ],
)
def test_flag_active_rule_on_create(tenant, extra, active):
    assert flag_of(auto_tour(tenant, **extra)["id"]).active is active


def test_flag_deactivated(tenant):
    """T-flag-deactivated."""
    body = auto_tour(tenant, start_date=NOW)
    assert flag_of(body["id"]).active is True
    assert patch(tenant, body["id"], {"auto_launch": False}).status_code == 200
    assert flag_of(body["id"]).active is False


def test_flag_reactivated_reuses_the_same_flag(tenant):
    """T-flag-reactivated (regression)."""
    body = auto_tour(tenant, start_date=NOW)
    flag_id = body["internal_targeting_flag"]["id"]
    patch(tenant, body["id"], {"auto_launch": False})
    response = patch(tenant, body["id"], {"auto_launch": True})
    assert response.status_code == 200
    assert response.json()["internal_targeting_flag"]["id"] == flag_id
    assert flag_of(body["id"]).id == flag_id and flag_of(body["id"]).active is True
    assert FeatureFlag.objects.filter(project=tenant.project).count() == 1


def test_flag_activated_on_launch(tenant):
    """T-flag-activated-on-launch, then stop, archive and unarchive."""
    body = auto_tour(tenant)
    assert patch(tenant, body["id"], {"start_date": NOW}).status_code == 200
    assert flag_of(body["id"]).active is True
    patch(tenant, body["id"], {"archived": True})
    assert flag_of(body["id"]).active is False
    patch(tenant, body["id"], {"archived": False})
    assert flag_of(body["id"]).active is True
    patch(tenant, body["id"], {"end_date": NOW})
    assert flag_of(body["id"]).active is False
    patch(tenant, body["id"], {"end_date": None})
    assert flag_of(body["id"]).active is True


def test_date_changes_leave_flag_alone_without_auto_launch(tenant):
    body = auto_tour(tenant)
    patch(tenant, body["id"], {"auto_launch": False})
    version = flag_of(body["id"]).version
    assert patch(tenant, body["id"], {"start_date": NOW}).status_code == 200
    flag = flag_of(body["id"])
    assert flag.active is False and flag.version == version


def test_turning_auto_launch_on_creates_flag(tenant):
    tour = make_tour(tenant.project, name="Later", start_date=NOW)
    response = patch(
        tenant, tour.id, {"auto_launch": True, "targeting_flag_filters": {"groups": [{"properties": [PLAN]}]}}
    )
    assert response.status_code == 200
    flag = flag_of(tour.id)
    assert flag is not None and flag.active is True
    assert response.json()["internal_targeting_flag"]["id"] == flag.id
    assert all(PLAN in group["properties"] for group in flag.filters["groups"])


def test_soft_deleted_flag_is_replaced_when_auto_launch_returns(tenant):
    body = auto_tour(tenant, start_date=NOW)
    patch(tenant, body["id"], {"auto_launch": False})
    FeatureFlag.objects.filter(pk=body["internal_targeting_flag"]["id"]).update(deleted=True)
    response = patch(tenant, body["id"], {"auto_launch": True})
    assert response.status_code == 200
    assert response.json()["internal_targeting_flag"]["id"] != body["internal_targeting_flag"]["id"]
    assert flag_of(body["id"]).active is True


def test_no_flag_update_without_relevant_change(tenant):
    body = auto_tour(tenant, start_date=NOW)
    version = flag_of(body["id"]).version
    assert patch(tenant, body["id"], {"name": "Renamed", "description": "x"}).status_code == 200
    assert flag_of(body["id"]).version == version
    patch(tenant, body["id"], {"end_date": NOW})
    assert flag_of(body["id"]).version == version + 1


# --- §7.3 exclusions ---------------------------------------------------------------------------

SHOWN, COMPLETED, DISMISSED = "$product_tour_shown", "$product_tour_completed", "$product_tour_dismissed"
FREQUENCY_KEYS = {
    "show_once": [SHOWN],
    "until_interacted": [COMPLETED, DISMISSED],
    "always": [],
    None: [COMPLETED, DISMISSED],
}


def _expected_keys(frequency, tour_id):
    return [f"{key}/{tour_id}" for key in FREQUENCY_KEYS[frequency]]


@pytest.mark.parametrize("frequency", ["show_once", "until_interacted", "always", None])
def test_flag_exclusion_on_create(tenant, frequency):
    """T-flag-exclusion-on-create."""
    content = {"steps": []} if frequency is None else {"steps": [], "displayFrequency": frequency}
    body = auto_tour(tenant, content)
    groups = groups_of(body["id"])
    assert len(groups) == 1
    assert keys(groups[0]["properties"]) == _expected_keys(frequency, body["id"])
    assert all(p["operator"] == "is_not_set" and p["type"] == "person" for p in groups[0]["properties"])


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("show_once", "until_interacted"),
        ("until_interacted", "show_once"),
        ("show_once", "always"),
        ("always", "until_interacted"),
    ],
)
def test_flag_exclusion_on_frequency_change(tenant, before, after):
    """T-flag-exclusion-on-frequency-change."""
    body = auto_tour(tenant, {"displayFrequency": before, "steps": []})
    response = patch(tenant, body["id"], {"content": {"displayFrequency": after, "steps": []}})
    assert response.status_code == 200
    assert keys(groups_of(body["id"])[0]["properties"]) == _expected_keys(after, body["id"])


# --- §7.4 wait period -------------------------------------------------------------------------


def test_wait_single_type(tenant):
    """T-wait-single-type."""
    body = auto_tour(tenant, {"steps": [], "conditions": wait(7, "tour")})
    groups = groups_of(body["id"])
    assert len(groups) == 2
    last_seen = [p for g in groups for p in g["properties"] if "last_seen" in p["key"]]
    assert {p["key"] for p in last_seen} == {"$product_tour_last_seen_date/tour"}
    assert {p["operator"] for p in last_seen} == {"is_not_set", "is_date_before"}


@pytest.mark.parametrize(
    ("types", "count"), [(["tour"], 2), (["tour", "announcement"], 4), (["tour", "announcement", "banner"], 8)]
)
def test_wait_group_count(tenant, types, count):
    """T-wait-group-count."""
    body = auto_tour(tenant, {"steps": [], "conditions": wait(7, *types)})
    groups = groups_of(body["id"])
    assert len(groups) == count
    assert all(g["variant"] == "" and g["rollout_percentage"] == 100 for g in groups)


def test_wait_days_value(tenant):
    """T-wait-days-value."""
    body = auto_tour(tenant, {"steps": [], "conditions": wait(14, "tour")})
    before = [p for g in groups_of(body["id"]) for p in g["properties"] if p["operator"] == "is_date_before"]
    assert [p["value"] for p in before] == ["14d"]


def test_no_wait_single_group(tenant):
    """T-no-wait-single-group."""
    assert len(groups_of(auto_tour(tenant)["id"])) == 1


def test_wait_plus_user_targeting(tenant):
    """T-wait-plus-user-targeting."""
    body = auto_tour(
        tenant,
        {"steps": [], "conditions": wait(7, "tour")},
        targeting_flag_filters={"groups": [{"properties": [EMAIL]}]},
    )
    groups = groups_of(body["id"])
    assert len(groups) == 2 and all("email" in keys(g["properties"]) for g in groups)


def test_add_wait_on_update(tenant):
    """T-add-wait-on-update."""
    body = auto_tour(tenant)
    response = patch(tenant, body["id"], {"content": {"steps": [], "conditions": wait(3, "tour", "announcement")}})
    assert response.status_code == 200 and len(groups_of(body["id"])) == 4


def test_remove_wait_on_update(tenant):
    """T-remove-wait-on-update."""
    body = auto_tour(tenant, {"steps": [], "conditions": wait(3, "tour", "announcement")})
    assert len(groups_of(body["id"])) == 4
    assert patch(tenant, body["id"], {"content": {"steps": [], "conditions": {}}}).status_code == 200
    assert len(groups_of(body["id"])) == 1


def test_wait_refresh_preserves_user_targeting(tenant):
    """T-wait-preserves-user-targeting."""
    body = auto_tour(
        tenant,
        {"displayFrequency": "show_once", "steps": [], "conditions": wait(7, "tour")},
        targeting_flag_filters={"groups": [{"properties": [PLAN]}]},
    )
    assert len(groups_of(body["id"])) == 2
    content = {"displayFrequency": "until_interacted", "steps": [], "conditions": wait(7, "tour")}
    assert patch(tenant, body["id"], {"content": content}).status_code == 200
    groups = groups_of(body["id"])
    assert len(groups) == 2 and all("plan" in keys(g["properties"]) for g in groups)
    assert all(keys(g["properties"])[:2] == [f"{COMPLETED}/{body['id']}", f"{DISMISSED}/{body['id']}"] for g in groups)


# --- §7.5 user targeting ---------------------------------------------------------------------


def test_full_filters_shape_round_trip(tenant):
    """T-full-filters-shape-round-trip: exact filters, then an idempotent PATCH."""
    user_filters = {"groups": [{"properties": [PLAN]}]}
    body = auto_tour(
        tenant,
        {"steps": [], "displayFrequency": "until_interacted", "conditions": wait(7, "tour")},
        name="Round trip",
        start_date=NOW,
        targeting_flag_filters=user_filters,
    )
    tour_id = body["id"]
    base = [
        {
            "key": f"$product_tour_completed/{tour_id}",
            "type": "person",
            "value": "is_not_set",
            "operator": "is_not_set",
        },
        {
            "key": f"$product_tour_dismissed/{tour_id}",
            "type": "person",
            "value": "is_not_set",
            "operator": "is_not_set",
        },
    ]
    expected = {
        "aggregation_group_type_index": None,
        "groups": [
            {
                "variant": "",
                "rollout_percentage": 100,
                "aggregation_group_type_index": None,
                "properties": base
                + [
                    {
                        "key": "$product_tour_last_seen_date/tour",
                        "value": "is_not_set",
                        "operator": "is_not_set",
                        "type": "person",
                    },
                    PLAN,
                ],
            },
            {
                "variant": "",
                "rollout_percentage": 100,
                "aggregation_group_type_index": None,
                "properties": base
                + [
                    {
                        "key": "$product_tour_last_seen_date/tour",
                        "value": "7d",
                        "operator": "is_date_before",
                        "type": "person",
                    },
                    PLAN,
                ],
            },
        ],
    }
    flag = flag_of(tour_id)
    assert flag.active is True
    assert flag.filters == expected
    assert body["internal_targeting_flag"]["filters"] == expected
    assert patch(tenant, tour_id, {"targeting_flag_filters": user_filters}).status_code == 200
    assert flag_of(tour_id).filters == expected


def test_user_group_keys_other_than_properties_are_discarded(tenant):
    filters = {"groups": [{"properties": [PLAN], "rollout_percentage": 10, "variant": "x", "description": "d"}]}
    body = auto_tour(tenant, targeting_flag_filters=filters)
    assert groups_of(body["id"]) == [
        {
            "variant": "",
            "rollout_percentage": 100,
            "aggregation_group_type_index": None,
            "properties": [
                {"key": f"{COMPLETED}/{body['id']}", "type": "person", "value": "is_not_set", "operator": "is_not_set"},
                {"key": f"{DISMISSED}/{body['id']}", "type": "person", "value": "is_not_set", "operator": "is_not_set"},
                PLAN,
            ],
        }
    ]


def test_several_user_groups_times_wait_combinations(tenant):
    body = auto_tour(
        tenant,
        {"steps": [], "conditions": wait(7, "tour")},
        targeting_flag_filters={"groups": [{"properties": [PLAN]}, {"properties": [EMAIL]}]},
    )
    assert [keys(g["properties"])[-1] for g in groups_of(body["id"])] == ["plan", "plan", "email", "email"]


@pytest.mark.parametrize("reset", [None, {}, {"groups": []}, {"groups": [{"properties": []}]}])
def test_targeting_reset(tenant, reset):
    body = auto_tour(
        tenant,
        {"steps": [], "conditions": wait(7, "tour")},
        targeting_flag_filters={"groups": [{"properties": [PLAN]}]},
    )
    assert patch(tenant, body["id"], {"targeting_flag_filters": reset}).status_code == 200
    groups = groups_of(body["id"])
    assert len(groups) == 2 and not any("plan" in keys(g["properties"]) for g in groups)
    assert tenant.client.get(tour_url(tenant, body["id"])).json()["targeting_flag_filters"] is None


def test_targeting_ignored_without_flag(tenant):
    tour = make_tour(tenant.project)
    response = patch(tenant, tour.id, {"targeting_flag_filters": {"groups": [{"properties": [PLAN]}]}})
    assert response.status_code == 200
    assert response.json()["targeting_flag_filters"] is None
    assert flag_of(tour.id) is None and not FeatureFlag.objects.exists()


def test_targeting_updates_deactivated_flag(tenant):
    body = auto_tour(tenant)
    patch(tenant, body["id"], {"auto_launch": False})
    assert (
        patch(tenant, body["id"], {"targeting_flag_filters": {"groups": [{"properties": [PLAN]}]}}).status_code == 200
    )
    assert "plan" in keys(groups_of(body["id"])[0]["properties"])
    assert flag_of(body["id"]).active is False


# --- read side (DESIGN §3.2) ----------------------------------------------------------------


def test_read_side_strips_system_properties_and_dedupes(tenant):
    body = auto_tour(
        tenant,
        {"steps": [], "conditions": wait(7, "tour", "banner")},
        targeting_flag_filters={"groups": [{"properties": [PLAN]}, {"properties": [EMAIL]}]},
    )
    assert len(groups_of(body["id"])) == 8
    expected = {
        "groups": [
            {"variant": "", "rollout_percentage": 100, "aggregation_group_type_index": None, "properties": [PLAN]},
            {"variant": "", "rollout_percentage": 100, "aggregation_group_type_index": None, "properties": [EMAIL]},
        ]
    }
    assert body["targeting_flag_filters"] == expected
    assert tenant.client.get(tour_url(tenant, body["id"])).json()["targeting_flag_filters"] == expected


def test_read_side_is_null_with_only_system_properties(tenant):
    body = auto_tour(tenant, {"steps": [], "displayFrequency": "show_once", "conditions": wait(7, "tour")})
    assert tenant.client.get(tour_url(tenant, body["id"])).json()["targeting_flag_filters"] is None


@pytest.mark.parametrize("send_raw_flag_filters", [False, True])
def test_get_edit_patch_round_trip_does_not_multiply(tenant, send_raw_flag_filters):
    body = auto_tour(
        tenant,
        {"steps": [], "conditions": wait(7, "tour", "banner")},
        targeting_flag_filters={"groups": [{"properties": [PLAN]}]},
    )
    before = flag_of(body["id"]).filters
    for _ in range(3):
        current = tenant.client.get(tour_url(tenant, body["id"])).json()
        sent = (
            current["internal_targeting_flag"]["filters"]
            if send_raw_flag_filters
            else current["targeting_flag_filters"]
        )
        assert patch(tenant, body["id"], {"name": current["name"], "targeting_flag_filters": sent}).status_code == 200
    assert flag_of(body["id"]).filters == before and len(before["groups"]) == 4


# --- atomicity ---------------------------------------------------------------------------------

BAD_TARGETING = {"groups": [{"properties": [{"key": "plan", "value": "pro", "operator": "bogus", "type": "person"}]}]}


def test_invalid_targeting_on_create_saves_nothing(tenant):
    response = create(tenant, {"name": "Atomic", "auto_launch": True, "targeting_flag_filters": BAD_TARGETING})
    assert_error(response, 400, attr="targeting_flag_filters", type="validation_error")
    assert not ProductTour.objects.exists() and not FeatureFlag.objects.exists()


def test_invalid_targeting_on_update_changes_nothing(tenant):
    body = auto_tour(tenant, name="Atomic", targeting_flag_filters={"groups": [{"properties": [PLAN]}]})
    flag_before = flag_of(body["id"])
    response = patch(
        tenant, body["id"], {"name": "Renamed", "start_date": NOW, "targeting_flag_filters": BAD_TARGETING}
    )
    assert_error(response, 400, attr="targeting_flag_filters")
    tour = ProductTour.objects.get(pk=body["id"])
    assert tour.name == "Atomic" and tour.start_date is None
    flag = flag_of(body["id"])
    assert (flag.filters, flag.active, flag.version) == (flag_before.filters, False, flag_before.version)


def test_too_many_groups_is_400(tenant):
    groups = [
        {"properties": [{"key": f"k{i}", "value": "v", "operator": "exact", "type": "person"}]} for i in range(200)
    ]
    response = create(
        tenant,
        {
            "name": "Huge",
            "auto_launch": True,
            "content": {"conditions": wait(1, "a", "b", "c")},
            "targeting_flag_filters": {"groups": groups},
        },
    )
    assert_error(response, 400, attr="targeting_flag_filters")
    assert not ProductTour.objects.exists()
