"""The event time is always set (0003 filled it); indexes for one tour's events of one kind (or one
survey's events) over a time range. Separate from the backfill so the table is not altered in the
transaction that updated it.

On PostgreSQL both indexes also carry the columns the stats read (INCLUDE), so they are answered from
the indexes alone; Django's model state records the plain indexes, which is what SQLite gets.
"""

import django.utils.timezone
from django.db import migrations, models

TOUR_INDEX = models.Index(
    condition=models.Q(("tour_id__isnull", False)),
    fields=["project", "tour_id", "event", "event_time"],
    name="captured_event_tour_idx",
)
SURVEY_INDEX = models.Index(
    condition=models.Q(("survey_id__isnull", False)),
    fields=["project", "survey_id", "event_time"],
    name="captured_event_survey_idx",
)
# Bounded columns (capture caps them) keep a row of these under PostgreSQL's 2,704 bytes for an index row.
COVERING = {
    TOUR_INDEX.name: "CREATE INDEX captured_event_tour_idx ON sdk_capturedevent (project_id, tour_id, event, "
    "event_time) INCLUDE (step_id, distinct_id, dismiss_reason) WHERE tour_id IS NOT NULL",
    SURVEY_INDEX.name: "CREATE INDEX captured_event_survey_idx ON sdk_capturedevent (project_id, survey_id, "
    "event_time) INCLUDE (event, tour_id, distinct_id, survey_response) WHERE survey_id IS NOT NULL",
}


def indexes_create(apps, schema_editor):
    model = apps.get_model("sdk", "CapturedEvent")
    for index in (TOUR_INDEX, SURVEY_INDEX):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(COVERING[index.name])
        else:
            schema_editor.add_index(model, index)


# Index-only reads need the visibility map current: have autovacuum visit the append-mostly table after
# 10,000 + 1% new rows instead of PostgreSQL's default 20%, which on a large table leaves weeks of
# recent events (the ones the stats read most) to be checked in the table itself.
AUTOVACUUM = (
    "ALTER TABLE sdk_capturedevent SET (autovacuum_vacuum_insert_threshold = 10000, "
    "autovacuum_vacuum_insert_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.02)"
)
AUTOVACUUM_RESET = (
    "ALTER TABLE sdk_capturedevent RESET (autovacuum_vacuum_insert_threshold, "
    "autovacuum_vacuum_insert_scale_factor, autovacuum_analyze_scale_factor)"
)


def autovacuum_set(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(AUTOVACUUM)


def autovacuum_reset(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(AUTOVACUUM_RESET)


def indexes_drop(apps, schema_editor):
    model = apps.get_model("sdk", "CapturedEvent")
    for index in (TOUR_INDEX, SURVEY_INDEX):
        schema_editor.remove_index(model, index)


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
            state_operations=[
                migrations.AddIndex(model_name="capturedevent", index=TOUR_INDEX),
                migrations.AddIndex(model_name="capturedevent", index=SURVEY_INDEX),
            ],
            database_operations=[migrations.RunPython(indexes_create, indexes_drop)],
        ),
        migrations.RunPython(autovacuum_set, autovacuum_reset),
    ]
