"""The event time is always set (0003 filled it); indexes for one tour's (or survey's) events over a
time range. Separate from the backfill so the table is not altered in the transaction that updated it."""

import django.utils.timezone
from django.db import migrations, models


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
        migrations.AddIndex(
            model_name="capturedevent",
            index=models.Index(
                condition=models.Q(("tour_id__isnull", False)),
                fields=["project", "tour_id", "event_time"],
                name="captured_event_tour_idx",
            ),
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
