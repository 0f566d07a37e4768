"""Pure parts: field diffs, JSON rendering, per-resource detail shape, id ordering (no database)."""

import datetime
import json
import uuid
from decimal import Decimal

from accounts.models import User
from activity.changes import Change, Detail, Trigger, change_for, changes_between, instance_snapshot
from activity.encoding import detail_to_json
from activity.models import time_ordered_uuid
from activity.serializers import detail_public
from flags.models import FeatureFlag
from flags.services.activity import FIELD_EXCLUSIONS
from tours.models import ProductTour

WHEN = datetime.datetime(2025, 1, 2, 3, 4, 5, 600000, tzinfo=datetime.UTC)


def tour(**fields) -> ProductTour:
    return ProductTour(**{"id": uuid.UUID(int=1), "project_id": 1, "name": "A", "content": {"steps": []}, **fields})


def test_a_name_change():
    assert changes_between("ProductTour", tour(name="A"), tour(name="B")) == [
        Change(type="ProductTour", action="changed", field="name", before="A", after="B")
    ]


def test_identical_versions_have_no_changes():
    assert changes_between("ProductTour", tour(), tour()) == []
    assert changes_between("ProductTour", None, tour()) == [] == changes_between("ProductTour", tour(), None)


def test_excluded_fields_are_not_compared():
    before = tour(created_by_id=1, project_id=1)
    after = tour(created_by_id=2, project_id=2)
    after.id, after.created_at, after.updated_at = uuid.UUID(int=2), WHEN, WHEN
    assert changes_between("ProductTour", before, after) == []


def test_set_cleared_and_empty_values():
    # None ↔ empty value ({} / "" / []) is no change; None → value is `created`; value → None `deleted`.
    assert change_for("X", "f", None, {}, [None, "", [], (), {}]) is None
    assert change_for("X", "f", "", None, [None, "", [], (), {}]) is None
    assert change_for("X", "f", None, WHEN) == Change(type="X", action="created", field="f", after=WHEN)
    assert change_for("X", "f", WHEN, None) == Change(type="X", action="deleted", field="f", before=WHEN)
    assert change_for("X", "f", False, True, [None, ""]) == Change(
        type="X", action="changed", field="f", before=False, after=True
    )
    changes = changes_between("ProductTour", tour(start_date=WHEN, draft_content={"name": "x"}), tour())
    assert [(c.field, c.action) for c in changes] == [("draft_content", "deleted"), ("start_date", "deleted")]


def test_changes_follow_model_field_order():
    before = tour(description="", auto_launch=False)
    after = tour(name="B", description="Hello", content={"steps": [{"id": "s1"}]}, auto_launch=True)
    assert [(c.field, c.action) for c in changes_between("ProductTour", before, after)] == [
        ("name", "changed"),
        ("description", "created"),
        ("content", "changed"),
        ("auto_launch", "changed"),
    ]


def test_foreign_keys_compare_by_id_and_render_the_related_object():
    flag = FeatureFlag(id=7, project_id=1, key="k", name="n", filters={"groups": []}, active=True, deleted=False)
    (created,) = changes_between("ProductTour", tour(), tour(internal_targeting_flag=flag))
    assert (created.field, created.action, created.after) == ("internal_targeting_flag", "created", flag)
    assert detail_to_json(created)["after"] == {
        "id": 7, "key": "k", "name": "n", "filters": {"groups": []}, "team_id": 1, "deleted": False, "active": True,
    }  # fmt: skip
    same_id = FeatureFlag(id=7, project_id=1, key="renamed")
    assert (
        changes_between("ProductTour", tour(internal_targeting_flag=flag), tour(internal_targeting_flag=same_id)) == []
    )


def test_flag_exclusions_keep_version_and_drop_bookkeeping():
    before = FeatureFlag(id=1, project_id=1, key="k", version=1, field_versions={})
    after = FeatureFlag(id=1, project_id=1, key="k", version=2, field_versions={"active": 2}, active=False)
    assert [
        (c.field, c.before, c.after) for c in changes_between("FeatureFlag", before, after, exclude=FIELD_EXCLUSIONS)
    ] == [
        ("active", True, False),
        ("version", 1, 2),
    ]


def test_snapshot_is_detached_from_later_in_place_edits():
    original = tour(content={"steps": [{"id": "s1"}]})
    snapshot = instance_snapshot(original)
    original.content["steps"].append({"id": "s2"})
    original.name = "B"
    assert snapshot.content == {"steps": [{"id": "s1"}]} and snapshot.name == "A"


def test_detail_json_encoding():
    user = User(first_name="Ada", email="ada@example.com")
    detail = Detail(
        name="x",
        changes=[Change(type="T", action="changed", field="f", before=WHEN, after=uuid.UUID(int=3))],
        trigger=Trigger(job_type="job", job_id="1", payload={"amount": Decimal("1.500000"), "by": user}),
    )
    assert detail_to_json(detail) == {
        "name": "x",
        "short_id": None,
        "type": None,
        "changes": [
            {
                "type": "T",
                "action": "changed",
                "field": "f",
                "before": "2025-01-02T03:04:05.600000+00:00",
                "after": "00000000-0000-0000-0000-000000000003",
            }
        ],
        "trigger": {
            "job_type": "job",
            "job_id": "1",
            "payload": {"amount": "1.5", "by": {"first_name": "Ada", "email": "ada@example.com"}},
        },
        "context": None,
    }
    json.dumps(detail_to_json(detail))  # plain JSON all the way down


def test_per_resource_detail_drops_context_and_keeps_optional_keys_only_when_stored():
    stored = {"name": "k", "short_id": None, "type": None, "changes": None, "trigger": None, "context": {"a": 1}}
    assert detail_public(stored) == {"changes": None, "trigger": None, "name": "k", "short_id": None, "type": None}
    assert detail_public({**stored, "id": "5"})["id"] == "5"
    assert detail_public(None) is None


def test_ids_sort_in_creation_order():
    ids = [time_ordered_uuid() for _ in range(500)]
    assert ids == sorted(ids) and sorted(str(i) for i in ids) == [str(i) for i in ids]
    assert len(set(ids)) == 500
