"""Capture extracts what the stats read into columns (event time, tour, step and survey ids, dismiss
reason); migration 0003 fills them for events stored before. Both databases."""

import random
import uuid
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from sdk.models import CapturedEvent
from sdk.services.capture import captured_columns
from tests.stats import posthog_js as js

ARRIVED = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
TOUR_ID = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
TOUR_UUID = uuid.UUID(TOUR_ID)


def columns(**event) -> dict:
    return captured_columns(event=event, arrived_at=ARRIVED)


def test_columns_of_a_posthog_js_tour_event():
    event = {
        "event": "product tour dismissed",
        "timestamp": "2025-01-10T10:00:02.123Z",
        "properties": {
            "$product_tour_id": TOUR_ID,
            "$product_tour_step_id": "welcome",
            "$product_tour_dismiss_reason": "user_clicked_skip",
        },
    }
    assert columns(**event) == {
        "timestamp": datetime(2025, 1, 10, 10, 0, 2, 123000, tzinfo=UTC),
        "event_time": datetime(2025, 1, 10, 10, 0, 2, 123000, tzinfo=UTC),
        "tour_id": TOUR_UUID,
        "step_id": "welcome",
        "survey_id": None,
        "dismiss_reason": "user_clicked_skip",
        "survey_response": None,
    }


@pytest.mark.parametrize(
    ("timestamp", "event_time"),
    [
        (None, ARRIVED),  # absent: when it arrived
        ("not a date", ARRIVED),
        (1736503200000, ARRIVED),  # a number is not posthog-js's ISO string
        ("2025-01-10T12:00:00+02:00", datetime(2025, 1, 10, 10, 0, tzinfo=UTC)),
        ("2025-01-10T10:00:00", datetime(2025, 1, 10, 10, 0, tzinfo=UTC)),  # no offset: UTC
        ("0001-01-01T00:00:00+01:00", ARRIVED),  # before the calendar's start once in UTC
        ("2025-02-30T10:00:00Z", ARRIVED),
    ],
)
def test_event_time_is_the_timestamp_else_the_arrival(timestamp, event_time):
    event = {"event": "product tour shown", "properties": {}}
    if timestamp is not None:
        event["timestamp"] = timestamp
    assert columns(**event)["event_time"] == event_time


def test_ids_are_uuids_and_texts_are_bounded():
    properties = {
        "$product_tour_id": TOUR_ID.upper().replace("-", ""),
        "$survey_id": "not-a-uuid",
        "$product_tour_step_id": 7,
        "$product_tour_dismiss_reason": "x" * 500,
    }
    result = columns(event="survey sent", properties=properties)
    assert (result["tour_id"], result["survey_id"]) == (TOUR_UUID, None)  # every tour and survey id is a UUID
    assert result["step_id"] == "7"
    assert result["dismiss_reason"] == "x" * 64


@pytest.mark.parametrize(
    ("properties", "response"),
    [
        ({"$survey_response_q1": 4, "$survey_questions": [{"id": "q1", "response": 4}]}, "4"),
        ({"$survey_response_q1": 4.0, "$survey_questions": [{"id": "q1", "response": 4.0}]}, "4"),
        ({"$survey_response_q1": "Dark mode", "$survey_questions": [{"id": "q1"}]}, "Dark mode"),
        ({"$survey_response": "7"}, "7"),  # older SDKs: the first question's answer
        ({"$survey_questions": [{"id": "q1", "response": "only here"}]}, "only here"),
        ({"$survey_questions": [{"id": "q1", "response": None}]}, None),  # skipped: sent without an answer
        ({"$survey_response_q1": ["a", "b"], "$survey_questions": [{"id": "q1"}]}, '["a","b"]'),
        ({"$survey_response_q1": "x" * 100, "$survey_questions": [{"id": "q1"}]}, "x" * 64),
    ],
)
def test_survey_response_is_the_first_questions_answer_as_text(properties, response):
    result = columns(event="survey sent", properties={"$survey_id": TOUR_ID, **properties})
    assert (result["survey_id"], result["survey_response"]) == (TOUR_UUID, response)


def test_survey_response_only_for_survey_events():
    assert columns(event="survey sent", properties={"$survey_response": "5"})["survey_response"] is None


@pytest.mark.parametrize("value", [None, "", True, {"id": 1}, ["a"]])
def test_values_that_are_not_ids_leave_the_column_empty(value):
    properties = {"$product_tour_id": value, "$product_tour_step_id": value, "$product_tour_dismiss_reason": value}
    result = columns(event="product tour dismissed", properties=properties)
    assert (result["tour_id"], result["step_id"], result["dismiss_reason"]) == (None, None, None)


def test_names_longer_than_any_tour_event_get_no_stats_columns():
    properties = {"$product_tour_id": TOUR_ID, "$product_tour_step_id": "s1"}
    assert columns(event="product tour " + "x" * 52, properties=properties)["tour_id"] is None
    assert columns(event="product tour " + "x" * 51, properties=properties)["tour_id"] == TOUR_UUID


@pytest.mark.django_db
def test_the_largest_row_the_tour_index_can_get_is_stored(tenant, browser):
    """Bounded columns keep an index row under PostgreSQL's limit even with incompressible 4-byte text."""
    rng = random.Random(7)
    wide = lambda n: "".join(chr(rng.randrange(0x10000, 0x10FFFF)) for _ in range(n))  # noqa: E731
    properties = {
        "$product_tour_id": TOUR_ID,
        "$product_tour_step_id": wide(500),
        "$product_tour_dismiss_reason": wide(500),
    }
    js.send(browser, [js.event("product tour " + wide(51), wide(400), None, tenant.project.api_token, **properties)])
    stored = CapturedEvent.objects.get()
    assert stored.tour_id == TOUR_UUID and len(stored.step_id) == len(stored.dismiss_reason) == 64


@pytest.mark.django_db
def test_capture_stores_the_columns(tenant, browser):
    token = tenant.project.api_token
    before = timezone.now()
    js.send(
        browser,
        [
            js.event("product tour shown", "u1", "2025-01-10T10:00:00Z", token, **{"$product_tour_id": TOUR_ID}),
            js.event("product tour step shown", "u1", None, token, **{"$product_tour_step_id": "s1"}),
        ],
    )
    shown, step = CapturedEvent.objects.order_by("id")
    assert (shown.tour_id, shown.event_time) == (TOUR_UUID, datetime(2025, 1, 10, 10, tzinfo=UTC))
    assert step.tour_id is None and step.step_id == "s1"
    assert step.timestamp is None and before <= step.event_time <= timezone.now()


# --- migration ------------------------------------------------------------------------------------

BEFORE = [("sdk", "0002_capturedevent_captured_event_created_idx")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_migration_fills_the_columns_of_stored_events(tenant):
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        old = _migrate(BEFORE)
        Event = old.get_model("sdk", "CapturedEvent")
        stamped = Event.objects.create(
            project_id=tenant.project.id,
            event="product tour dismissed",
            distinct_id="u1",
            timestamp=datetime(2025, 1, 10, 10, tzinfo=UTC),
            properties={
                "$product_tour_id": TOUR_ID.upper(),
                "$product_tour_step_id": "s2",
                "$product_tour_dismiss_reason": "user_clicked_skip",
            },
        )
        unstamped = Event.objects.create(
            project_id=tenant.project.id,
            event="survey sent",
            distinct_id="u2",
            properties={
                "$survey_id": TOUR_ID,
                "$product_tour_id": ["not", "an", "id"],
                "$survey_questions": [{"id": "q1", "response": 5}],
                "$survey_response_q1": 5,
            },
        )
        _migrate(latest)
        rows = {row.pk: row for row in CapturedEvent.objects.all()}
        first, second = rows[stamped.pk], rows[unstamped.pk]
        assert (first.event_time, first.tour_id, first.step_id, first.survey_id, first.dismiss_reason) == (
            datetime(2025, 1, 10, 10, tzinfo=UTC),
            TOUR_UUID,
            "s2",
            None,
            "user_clicked_skip",
        )
        assert (second.event_time, second.tour_id, second.survey_id) == (second.created_at, None, TOUR_UUID)
        assert (first.survey_response, second.survey_response) == (None, "5")
    finally:
        _migrate(latest)
        CapturedEvent.objects.all().delete()
