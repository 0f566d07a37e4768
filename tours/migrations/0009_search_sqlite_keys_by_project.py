"""SQLite search index keys grouped by project — a no-op on PostgreSQL.

0008 numbered index entries in insertion order, so a search read the postings of every project's tours.
Here a tour's key is `(project_id mod 2**31) * 2**32 + n`: a project's entries form one key range, and
FTS5 reads only the postings inside the range a search asks for (tours/services/search_sqlite.py). The triggers
now also follow a tour moved to another project. Existing tours are indexed again.
"""

import importlib

from django.db import migrations

_KEY = "(SELECT id FROM tours_search_doc WHERE tour_id = {row}.id)"
# The first key of a project's range (tours/services/search_sqlite.py: `project_keys`, the same formula).
_RANGE = "({row}.project_id % 2147483648) * 4294967296"
# Remove the entry of tour `{row}`, then add the entry of `new` (at the end of its project's range).
_REINDEX = f"""
        DELETE FROM tours_search_name WHERE rowid = {_KEY.format(row="{row}")};
        DELETE FROM tours_search_description WHERE rowid = {_KEY.format(row="{row}")};
        DELETE FROM tours_search_doc WHERE tour_id = {{row}}.id;
        INSERT INTO tours_search_doc (id, tour_id)
            SELECT coalesce(max(id), {_RANGE.format(row="new")}) + 1, new.id FROM tours_search_doc
            WHERE id > {_RANGE.format(row="new")} AND id < {_RANGE.format(row="new")} + 4294967296;
        INSERT INTO tours_search_name (rowid, name) VALUES ({_KEY.format(row="new")}, tour_search_document(new.name));
        INSERT INTO tours_search_description (rowid, description)
            VALUES ({_KEY.format(row="new")}, tour_search_document(new.description));"""
TRIGGERS = (
    # A tour inserted again under its id (INSERT OR REPLACE removes the old row without firing delete
    # triggers) replaces its entry instead of failing on the unique tour_id.
    f"""CREATE TRIGGER tours_search_insert AFTER INSERT ON tours_producttour BEGIN{_REINDEX.format(row="new")}
    END""",
    # `save()` sets every column: only a changed value costs an index update.
    f"""CREATE TRIGGER tours_search_update AFTER UPDATE OF id, project_id, name, description ON tours_producttour
    WHEN old.id IS NOT new.id OR old.project_id IS NOT new.project_id OR old.name IS NOT new.name
        OR old.description IS NOT new.description
    BEGIN{_REINDEX.format(row="old")}
    END""",
    f"""CREATE TRIGGER tours_search_delete AFTER DELETE ON tours_producttour BEGIN
        DELETE FROM tours_search_name WHERE rowid = {_KEY.format(row="old")};
        DELETE FROM tours_search_description WHERE rowid = {_KEY.format(row="old")};
        DELETE FROM tours_search_doc WHERE tour_id = old.id;
    END""",
)
BACKFILL = (
    # Numbered within each project, in any order.
    """INSERT INTO tours_search_doc (id, tour_id)
        SELECT (project_id % 2147483648) * 4294967296 + row_number() OVER (PARTITION BY project_id), id
        FROM tours_producttour""",
    """INSERT INTO tours_search_name (rowid, name) SELECT d.id, tour_search_document(t.name)
        FROM tours_search_doc AS d JOIN tours_producttour AS t ON t.id = d.tour_id""",
    """INSERT INTO tours_search_description (rowid, description) SELECT d.id, tour_search_document(t.description)
        FROM tours_search_doc AS d JOIN tours_producttour AS t ON t.id = d.tour_id""",
)
_0007 = importlib.import_module("tours.migrations.0007_search_sqlite_trigram_index")
_0008 = importlib.import_module("tours.migrations.0008_search_sqlite_index_per_column")
TEARDOWN = (
    "DROP TRIGGER IF EXISTS tours_search_insert",
    "DROP TRIGGER IF EXISTS tours_search_update",
    "DROP TRIGGER IF EXISTS tours_search_delete",
    *_0008.TEARDOWN,
)
SCHEMA = (*_0008.SCHEMA[:3], *TRIGGERS)  # 0008's tables, these triggers


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        if not _0007._fts5_trigram_available(cursor):
            return
        for statement in (*TEARDOWN, *SCHEMA, *BACKFILL):
            cursor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        for statement in TEARDOWN:
            cursor.execute(statement)
    _0008.forwards(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("tours", "0008_search_sqlite_index_per_column")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
