"""Trigram indexes led by the project — PostgreSQL only.

Search always filters by project. With `name gin_trgm_ops` alone, a project holding most of the table
makes the planner scan the project's rows and filter, computing trigram functions on each; with
`(project_id, name gin_trgm_ops)` (btree_gin supplies the integer part) one index scan answers
"this project's rows matching the term". Same index names, new definitions.
"""

from django.db import migrations

INDEXES = (
    ("tour_name_trgm_idx", "name"),
    ("tour_description_trgm_idx", "description"),
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    for name, column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
        schema_editor.execute(f"CREATE INDEX {name} ON tours_producttour USING gin (project_id, {column} gin_trgm_ops)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
        schema_editor.execute(f"CREATE INDEX {name} ON tours_producttour USING gin ({column} gin_trgm_ops)")


class Migration(migrations.Migration):
    dependencies = [("tours", "0003_survey")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
