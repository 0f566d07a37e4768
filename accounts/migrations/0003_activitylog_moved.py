from django.db import migrations


class Migration(migrations.Migration):
    """The activity log now belongs to the `activity` app (state only; see activity 0001)."""

    dependencies = [
        ("accounts", "0002_activitylog"),
        ("activity", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="ActivityLog")])
    ]
