"""pg_trgm and GIN trigram indexes for tour search — PostgreSQL only.

SQLite gets the same functions from Python on each connection (tours/apps.py) and needs no index.
"""

from django.db import migrations

INDEXES = (
    ("tour_name_trgm_idx", "name"),
    ("tour_description_trgm_idx", "description"),
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON tours_producttour USING gin ({column} gin_trgm_ops)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _ in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    # The extension stays: other objects may use it.


class Migration(migrations.Migration):
    dependencies = [("tours", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
