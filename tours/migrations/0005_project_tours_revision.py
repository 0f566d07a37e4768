"""The project tours revision (`tours.models.ProjectToursRevision`) and the triggers that move it.

A tour response shows the tour's row, its two flags' rows and its creator's shown fields. Triggers on
those tables draw a new random revision for the project concerned, in the writing transaction:
- tours and feature flags: every insert, update and delete (both projects when a row moves);
- users: an update that changes a field a tour response shows, for each project with tours they created.
"""

from django.db import migrations, models

REVISION_TABLE = "tours_projecttoursrevision"  # the model's default table name
PROJECT_ROW_TABLES = ("tours_producttour", "flags_featureflag")
CREATOR_TABLE, TOUR_TABLE = "accounts_user", "tours_producttour"
# The creator fields a tour response shows (tours.services.representation.USER_FIELDS and hedgehog_config).
CREATOR_COLUMNS = ("uuid", "distinct_id", "first_name", "last_name", "email", "is_email_verified",
                   "role_at_organization", "hedgehog_config")  # fmt: skip

RANDOM = {"postgresql": "(floor(random() * 9.2e18))::bigint", "sqlite": "random()"}
UPSERT = "ON CONFLICT (project_id) DO UPDATE SET value = excluded.value"


def _bump(vendor: str, project: str) -> str:
    return f"INSERT INTO {REVISION_TABLE} (project_id, value) VALUES ({project}, {RANDOM[vendor]}) {UPSERT};"


def _bump_creator_projects(vendor: str) -> str:
    projects = f"SELECT DISTINCT project_id AS p FROM {TOUR_TABLE} WHERE created_by_id = NEW.id"
    # `WHERE true`: SQLite's parser needs it before ON CONFLICT after a SELECT.
    return f"INSERT INTO {REVISION_TABLE} (project_id, value) SELECT p, {RANDOM[vendor]} FROM ({projects}) AS s WHERE true {UPSERT};"


def _creator_changed(vendor: str) -> str:
    differs = "IS DISTINCT FROM" if vendor == "postgresql" else "IS NOT"
    return " OR ".join(f"OLD.{column} {differs} NEW.{column}" for column in CREATOR_COLUMNS)


def postgresql_statements() -> list[str]:
    vendor = "postgresql"
    statements = [
        f"""CREATE FUNCTION tours_revision_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN {_bump(vendor, "OLD.project_id")} END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.project_id IS DISTINCT FROM OLD.project_id) THEN
        {_bump(vendor, "NEW.project_id")}
    END IF;
    RETURN NULL;
END $$""",
        f"""CREATE FUNCTION tours_revision_bump_creator() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {_bump_creator_projects(vendor)}
    RETURN NULL;
END $$""",
        f"""CREATE TRIGGER tours_revision_creator AFTER UPDATE ON {CREATOR_TABLE} FOR EACH ROW
    WHEN ({_creator_changed(vendor)}) EXECUTE FUNCTION tours_revision_bump_creator()""",
    ]
    for table in PROJECT_ROW_TABLES:
        statements.append(
            f"CREATE TRIGGER tours_revision AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION tours_revision_bump()"
        )
    return statements


def sqlite_statements() -> list[str]:
    vendor = "sqlite"
    statements = [
        f"""CREATE TRIGGER tours_revision_creator AFTER UPDATE ON {CREATOR_TABLE} FOR EACH ROW
    WHEN {_creator_changed(vendor)} BEGIN {_bump_creator_projects(vendor)} END"""
    ]
    for table in PROJECT_ROW_TABLES:
        statements += [
            (
                f"CREATE TRIGGER tours_revision_{table}_insert AFTER INSERT ON {table} "
                f"BEGIN {_bump(vendor, 'NEW.project_id')} END"
            ),
            (
                f"CREATE TRIGGER tours_revision_{table}_update AFTER UPDATE ON {table} "
                f"BEGIN {_bump(vendor, 'OLD.project_id')} {_bump(vendor, 'NEW.project_id')} END"
            ),
            (
                f"CREATE TRIGGER tours_revision_{table}_delete AFTER DELETE ON {table} "
                f"BEGIN {_bump(vendor, 'OLD.project_id')} END"
            ),
        ]
    return statements


def drop_statements(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [
            *(f"DROP TRIGGER IF EXISTS tours_revision ON {table}" for table in PROJECT_ROW_TABLES),
            f"DROP TRIGGER IF EXISTS tours_revision_creator ON {CREATOR_TABLE}",
            "DROP FUNCTION IF EXISTS tours_revision_bump()",
            "DROP FUNCTION IF EXISTS tours_revision_bump_creator()",
        ]
    return [
        "DROP TRIGGER IF EXISTS tours_revision_creator",
        *(
            f"DROP TRIGGER IF EXISTS tours_revision_{table}_{event}"
            for table in PROJECT_ROW_TABLES
            for event in ("insert", "update", "delete")
        ),
    ]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": postgresql_statements, "sqlite": sqlite_statements}[vendor]()
    for statement in statements:
        schema_editor.execute(statement, params=None)


def backwards(apps, schema_editor):
    for statement in drop_statements(schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("tours", "0004_search_trigram_indexes_per_project"),
        ("flags", "0003_person_persondistinctid"),
        ("accounts", "0002_activitylog"),
    ]

    operations = [
        migrations.CreateModel(
            name="ProjectToursRevision",
            fields=[
                (
                    "project_id",
                    models.BigIntegerField(primary_key=True, serialize=False),
                ),
                ("value", models.BigIntegerField()),
            ],
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
