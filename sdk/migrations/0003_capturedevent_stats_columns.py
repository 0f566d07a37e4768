"""Columns the tour stats read (event time; tour, step and survey ids; dismiss reason; survey response),
filled for the events already stored. 0004 then makes the event time required and adds the indexes."""

import json
import re
import uuid

from django.db import migrations, models
from django.db.models.functions import Coalesce

BATCH = 2000
NAME_MAX = 64
TEXT_MAX = 64


# The extraction as capture did it when this migration was written (migrations do not import app code).
def _text(properties, key):
    value = properties.get(key)
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    return str(value)[:TEXT_MAX] or None


def _uuid(properties, key):
    value = properties.get(key)
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


INTEGRAL = re.compile(r"(-?\d+)(?:\.0+)?")


def _label(value):
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        integral = INTEGRAL.fullmatch(value.strip())
        return str(int(integral[1])) if integral else value
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _first_answer(properties):
    questions = properties.get("$survey_questions")
    first = questions[0] if isinstance(questions, list) and questions and isinstance(questions[0], dict) else {}
    question_id = first.get("id") if isinstance(first.get("id"), str) and first.get("id") else None
    keys = ([f"$survey_response_{question_id}"] if question_id else []) + ["$survey_response"]
    for key in keys:
        if properties.get(key) not in (None, ""):
            return _label(properties[key])
    if question_id and first.get("response") not in (None, ""):
        return _label(first["response"])
    return None


def backfill(apps, schema_editor):
    CapturedEvent = apps.get_model("sdk", "CapturedEvent")
    # Stored timestamps were parsed from the event as capture stores them; arrival time otherwise.
    CapturedEvent.objects.update(event_time=Coalesce("timestamp", "created_at"))
    last_id = 0
    while True:
        rows = list(CapturedEvent.objects.filter(id__gt=last_id).order_by("id").only("id", "event", "properties")[:BATCH])
        if not rows:
            return
        changed = []
        for row in rows:
            properties = row.properties if isinstance(row.properties, dict) else {}
            if len(row.event) > NAME_MAX:
                continue
            row.tour_id = _uuid(properties, "$product_tour_id")
            row.step_id = _text(properties, "$product_tour_step_id")
            row.survey_id = _uuid(properties, "$survey_id")
            row.dismiss_reason = _text(properties, "$product_tour_dismiss_reason")
            answer = _first_answer(properties) if row.survey_id is not None else None
            row.survey_response = answer[:TEXT_MAX] if answer else None
            changed.append(row)
        fields = ["tour_id", "step_id", "survey_id", "dismiss_reason", "survey_response"]
        CapturedEvent.objects.bulk_update(changed, fields)
        last_id = rows[-1].id


class Migration(migrations.Migration):

    dependencies = [
        ("sdk", "0002_capturedevent_captured_event_created_idx"),
    ]

    operations = [
        migrations.AddField(
            model_name="capturedevent",
            name="event_time",
            field=models.DateTimeField(null=True),
        ),
        migrations.AddField(
            model_name="capturedevent",
            name="tour_id",
            field=models.UUIDField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="capturedevent",
            name="step_id",
            field=models.CharField(blank=True, max_length=64, null=True),
        ),
        migrations.AddField(
            model_name="capturedevent",
            name="survey_id",
            field=models.UUIDField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="capturedevent",
            name="dismiss_reason",
            field=models.CharField(blank=True, max_length=64, null=True),
        ),
        migrations.AddField(
            model_name="capturedevent",
            name="survey_response",
            field=models.CharField(blank=True, max_length=64, null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
