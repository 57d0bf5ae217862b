"""The database's own full-text engine over knowledge_searchdocument, kept by the database:

- SQLite: an FTS5 table with external content (the document table) and triggers that keep it
  (ranked with bm25);
- PostgreSQL: a generated tsvector (title weighted A, body B, the 'simple' configuration: the
  tokens are made in Python already) with a GIN index.
"""

from django.db import migrations

SQLITE = [
    """CREATE VIRTUAL TABLE knowledge_search_fts USING fts5(
        title_tokens, body_tokens, content='knowledge_searchdocument', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0')""",
    """CREATE TRIGGER knowledge_search_ai AFTER INSERT ON knowledge_searchdocument BEGIN
        INSERT INTO knowledge_search_fts(rowid, title_tokens, body_tokens)
        VALUES (new.id, new.title_tokens, new.body_tokens);
    END""",
    """CREATE TRIGGER knowledge_search_ad AFTER DELETE ON knowledge_searchdocument BEGIN
        INSERT INTO knowledge_search_fts(knowledge_search_fts, rowid, title_tokens, body_tokens)
        VALUES ('delete', old.id, old.title_tokens, old.body_tokens);
    END""",
    """CREATE TRIGGER knowledge_search_au AFTER UPDATE OF title_tokens, body_tokens ON knowledge_searchdocument BEGIN
        INSERT INTO knowledge_search_fts(knowledge_search_fts, rowid, title_tokens, body_tokens)
        VALUES ('delete', old.id, old.title_tokens, old.body_tokens);
        INSERT INTO knowledge_search_fts(rowid, title_tokens, body_tokens)
        VALUES (new.id, new.title_tokens, new.body_tokens);
    END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER knowledge_search_au", "DROP TRIGGER knowledge_search_ad", "DROP TRIGGER knowledge_search_ai",
    "DROP TABLE knowledge_search_fts",
]
POSTGRESQL = [
    """ALTER TABLE knowledge_searchdocument ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, title_tokens), 'A')
        || setweight(to_tsvector('simple'::regconfig, body_tokens), 'B')) STORED""",
    "CREATE INDEX knowledge_search_vector_idx ON knowledge_searchdocument USING gin (search_vector)",
]
POSTGRESQL_REVERSE = [
    "DROP INDEX knowledge_search_vector_idx",
    "ALTER TABLE knowledge_searchdocument DROP COLUMN search_vector",
]


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor):
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)
    return run


class Migration(migrations.Migration):

    dependencies = [("knowledge", "0001_initial")]

    operations = [
        migrations.RunPython(_run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
                             _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE})),
    ]
