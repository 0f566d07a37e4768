"""The trigram index for tour search on SQLite — a no-op on PostgreSQL (GIN indexes, 0002/0004).

An FTS5 table of each tour's pg_trgm documents, kept in step with every write by triggers that call
`tour_search_document` (registered on each connection, tours/apps.py); tours/services/search_sqlite.py
says what it holds and why candidates from it lose no match. `tours_search_doc` gives each tour a
stable integer key for FTS5: SQLite may renumber the rowids of a table whose primary key is not an
integer (VACUUM). Skipped when this SQLite lacks FTS5's trigram tokenizer (before 3.34): search then
scores every row.
"""

from django.db import migrations

_DOC_KEY = "(SELECT id FROM tours_search_doc WHERE tour_id = {row}.id)"
_DOCUMENTS = "tour_search_document(new.name), tour_search_document(new.description)"
SCHEMA = (
    "CREATE TABLE tours_search_doc (id integer PRIMARY KEY, tour_id char(32) NOT NULL UNIQUE)",
    "CREATE VIRTUAL TABLE tours_search_fts USING fts5("
    "name, description, tokenize = 'trigram case_sensitive 1', detail = column)",
    # A tour inserted again under its id (INSERT OR REPLACE removes the old row without firing delete
    # triggers) replaces its entry instead of failing on the unique tour_id.
    f"""CREATE TRIGGER tours_search_after_insert AFTER INSERT ON tours_producttour BEGIN
        DELETE FROM tours_search_fts WHERE rowid = {_DOC_KEY.format(row="new")};
        DELETE FROM tours_search_doc WHERE tour_id = new.id;
        INSERT INTO tours_search_doc (tour_id) VALUES (new.id);
        INSERT INTO tours_search_fts (rowid, name, description) VALUES (last_insert_rowid(), {_DOCUMENTS});
    END""",
    f"""CREATE TRIGGER tours_search_after_update AFTER UPDATE OF id, name, description ON tours_producttour BEGIN
        UPDATE tours_search_doc SET tour_id = new.id WHERE tour_id = old.id;
        UPDATE tours_search_fts SET (name, description) = ({_DOCUMENTS}) WHERE rowid = {_DOC_KEY.format(row="new")};
    END""",
    f"""CREATE TRIGGER tours_search_after_delete AFTER DELETE ON tours_producttour BEGIN
        DELETE FROM tours_search_fts WHERE rowid = {_DOC_KEY.format(row="old")};
        DELETE FROM tours_search_doc WHERE tour_id = old.id;
    END""",
)
BACKFILL = (
    "INSERT INTO tours_search_doc (tour_id) SELECT id FROM tours_producttour",
    """INSERT INTO tours_search_fts (rowid, name, description)
        SELECT d.id, tour_search_document(t.name), tour_search_document(t.description)
        FROM tours_search_doc AS d JOIN tours_producttour AS t ON t.id = d.tour_id""",
)
TEARDOWN = (
    "DROP TRIGGER IF EXISTS tours_search_after_insert",
    "DROP TRIGGER IF EXISTS tours_search_after_update",
    "DROP TRIGGER IF EXISTS tours_search_after_delete",
    "DROP TABLE IF EXISTS tours_search_fts",
    "DROP TABLE IF EXISTS tours_search_doc",
)


def _fts5_trigram_available(cursor) -> bool:
    try:
        cursor.execute(
            "CREATE VIRTUAL TABLE temp.tours_search_probe USING fts5(x, tokenize = 'trigram case_sensitive 1')"
        )
    except Exception:  # no such module (fts5) / tokenizer (trigram)
        return False
    cursor.execute("DROP TABLE temp.tours_search_probe")
    return True


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        if not _fts5_trigram_available(cursor):
            return
        for statement in (*SCHEMA, *BACKFILL):
            cursor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        for statement in TEARDOWN:
            cursor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("tours", "0006_search_column_statistics")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
