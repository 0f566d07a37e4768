from django.db import migrations


class Migration(migrations.Migration):
    """The table takes this app's name (a rename: rows and indexes are kept)."""

    dependencies = [
        ("activity", "0001_initial"),
        ("accounts", "0003_activitylog_moved"),
    ]

    operations = [migrations.AlterModelTable(name="activitylog", table=None)]
