"""Search by kind, within the user's scope, before anything is ranked.

- Who may find a document becomes tokens of the engine's index (`audience_tokens`: audhidden
  for an archived article, audpublic for one published to customers, cust<hex> for a case's
  customer), so the engine keeps a search within scope itself.
- SQLite: one FTS5 table per kind (articles, cases), each kept by triggers for its kind only,
  so that the newest matches of a kind are found without walking the other kind's.
- PostgreSQL: the generated tsvector takes the audience tokens with weight D; an index on
  (kind, id) gives the newest documents of a kind first.
"""

from importlib import import_module

from django.db import migrations, models

_0002 = import_module("aftersales.knowledge.migrations.0002_search_engine")

AUDIENCE_SQLITE = """UPDATE knowledge_searchdocument SET audience_tokens = trim(
    CASE WHEN staff_visible THEN '' ELSE 'audhidden ' END
    || CASE WHEN customer_visible THEN 'audpublic ' ELSE '' END
    || CASE WHEN customer_id IS NOT NULL THEN 'cust' || lower(replace(customer_id, '-', '')) ELSE '' END)"""
AUDIENCE_POSTGRESQL = """UPDATE knowledge_searchdocument SET audience_tokens = trim(
    CASE WHEN staff_visible THEN '' ELSE 'audhidden ' END
    || CASE WHEN customer_visible THEN 'audpublic ' ELSE '' END
    || CASE WHEN customer_id IS NOT NULL THEN 'cust' || replace(customer_id::text, '-', '') ELSE '' END)"""


def _fts(kind: str) -> list[str]:
    table = f"knowledge_{kind}_fts"
    columns = "title_tokens, body_tokens, audience_tokens"
    new = "new.title_tokens, new.body_tokens, new.audience_tokens"
    old = "old.title_tokens, old.body_tokens, old.audience_tokens"
    return [
        f"""CREATE VIRTUAL TABLE {table} USING fts5({columns}, content='knowledge_searchdocument',
            content_rowid='id', tokenize='unicode61 remove_diacritics 0')""",
        f"""CREATE TRIGGER {table}_ai AFTER INSERT ON knowledge_searchdocument WHEN new.kind = '{kind}' BEGIN
            INSERT INTO {table}(rowid, {columns}) VALUES (new.id, {new});
        END""",
        f"""CREATE TRIGGER {table}_ad AFTER DELETE ON knowledge_searchdocument WHEN old.kind = '{kind}' BEGIN
            INSERT INTO {table}({table}, rowid, {columns}) VALUES ('delete', old.id, {old});
        END""",
        f"""CREATE TRIGGER {table}_au AFTER UPDATE OF title_tokens, body_tokens, audience_tokens
            ON knowledge_searchdocument WHEN new.kind = '{kind}' BEGIN
            INSERT INTO {table}({table}, rowid, {columns}) VALUES ('delete', old.id, {old});
            INSERT INTO {table}(rowid, {columns}) VALUES (new.id, {new});
        END""",
        # Not 'rebuild': that would index every row of the shared table, whatever its kind.
        f"""INSERT INTO {table}(rowid, {columns})
            SELECT id, {columns} FROM knowledge_searchdocument WHERE kind = '{kind}'""",
    ]


def _drop_fts(kind: str) -> list[str]:
    table = f"knowledge_{kind}_fts"
    return [f"DROP TRIGGER IF EXISTS {table}_{suffix}" for suffix in ("au", "ad", "ai")] + [
        f"DROP TABLE IF EXISTS {table}"]


DROP_0002_SQLITE = [*(f"DROP TRIGGER IF EXISTS knowledge_search_{s}" for s in ("au", "ad", "ai")),
                    "DROP TABLE IF EXISTS knowledge_search_fts"]
SQLITE = [*DROP_0002_SQLITE, AUDIENCE_SQLITE, *_fts("article"), *_fts("case")]
SQLITE_REVERSE = [*_drop_fts("article"), *_drop_fts("case"), *_0002.SQLITE,
                  "INSERT INTO knowledge_search_fts(knowledge_search_fts) VALUES ('rebuild')"]
DROP_VECTOR = ["DROP INDEX IF EXISTS knowledge_search_vector_idx",
               "ALTER TABLE knowledge_searchdocument DROP COLUMN IF EXISTS search_vector"]
POSTGRESQL = [
    *DROP_VECTOR,
    AUDIENCE_POSTGRESQL,
    """ALTER TABLE knowledge_searchdocument ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, title_tokens), 'A')
        || setweight(to_tsvector('simple'::regconfig, body_tokens), 'B')
        || setweight(to_tsvector('simple'::regconfig, audience_tokens), 'D')) STORED""",
    "CREATE INDEX knowledge_search_vector_idx ON knowledge_searchdocument USING gin (search_vector)",
]
POSTGRESQL_REVERSE = [*DROP_VECTOR, *_0002.POSTGRESQL]


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor):
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)
    return run


class Migration(migrations.Migration):

    dependencies = [("knowledge", "0002_search_engine")]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="audience_tokens",
            field=models.TextField(default="", verbose_name="可见范围词元"),
        ),
        migrations.AddIndex(
            model_name="searchdocument",
            index=models.Index(fields=["kind", "id"], name="search_document_kind_idx"),
        ),
        migrations.RunPython(_run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
                             _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE})),
    ]
