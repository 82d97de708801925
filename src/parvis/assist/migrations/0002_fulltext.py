"""Full-text search of the knowledge base: a GIN index on to_tsvector('french', ...) on
PostgreSQL; an FTS5 table kept in step by triggers on SQLite."""

from django.db import migrations

POSTGRES = [
    "CREATE INDEX assist_article_fts_idx ON assist_article "
    "USING GIN (to_tsvector('french', search_text))",
]
POSTGRES_REVERSE = ["DROP INDEX IF EXISTS assist_article_fts_idx"]

SQLITE = [
    "CREATE VIRTUAL TABLE assist_article_fts USING fts5(search_text, content='assist_article', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER assist_article_ai AFTER INSERT ON assist_article BEGIN "
    "INSERT INTO assist_article_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER assist_article_ad AFTER DELETE ON assist_article BEGIN "
    "INSERT INTO assist_article_fts(assist_article_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER assist_article_au AFTER UPDATE ON assist_article BEGIN "
    "INSERT INTO assist_article_fts(assist_article_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO assist_article_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "INSERT INTO assist_article_fts(assist_article_fts) VALUES ('rebuild')",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS assist_article_ai",
    "DROP TRIGGER IF EXISTS assist_article_ad",
    "DROP TRIGGER IF EXISTS assist_article_au",
    "DROP TABLE IF EXISTS assist_article_fts",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("assist", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRES_REVERSE, "sqlite": SQLITE_REVERSE}),
        )
    ]
