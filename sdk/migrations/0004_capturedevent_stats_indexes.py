"""The event time is always set (0003 filled it); indexes for one tour's events of one kind (or one
survey's events) over a time range. Separate from the backfill so the table is not altered in the
transaction that updated it.

On PostgreSQL the tour index also carries the columns the stats read (INCLUDE), so they are answered
from the index alone; Django's model state records the plain index, which is what SQLite gets.
"""

import django.utils.timezone
from django.db import migrations, models

TOUR_INDEX = models.Index(
    condition=models.Q(("tour_id__isnull", False)),
    fields=["project", "tour_id", "event", "event_time"],
    name="captured_event_tour_idx",
)
COVERING = (
    "CREATE INDEX captured_event_tour_idx ON sdk_capturedevent (project_id, tour_id, event, event_time) "
    "INCLUDE (step_id, distinct_id, dismiss_reason) WHERE tour_id IS NOT NULL"
)


def tour_index_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(COVERING)
    else:
        schema_editor.add_index(apps.get_model("sdk", "CapturedEvent"), TOUR_INDEX)


def tour_index_drop(apps, schema_editor):
    schema_editor.remove_index(apps.get_model("sdk", "CapturedEvent"), TOUR_INDEX)


class Migration(migrations.Migration):
    dependencies = [
        ("sdk", "0003_capturedevent_stats_columns"),
    ]

    operations = [
        migrations.AlterField(
            model_name="capturedevent",
            name="event_time",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name="capturedevent", index=TOUR_INDEX)],
            database_operations=[migrations.RunPython(tour_index_create, tour_index_drop)],
        ),
        migrations.AddIndex(
            model_name="capturedevent",
            index=models.Index(
                condition=models.Q(("survey_id__isnull", False)),
                fields=["project", "survey_id", "event_time"],
                name="captured_event_survey_idx",
            ),
        ),
    ]
