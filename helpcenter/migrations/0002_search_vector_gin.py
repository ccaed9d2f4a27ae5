"""The GIN index behind help-centre search; PostgreSQL only (SQLite searches in Python).

STORAGE MAIN keeps the vector in the table row (compressed) instead of TOAST: matching
and ranking read it for every candidate, and a TOAST fetch per row tripled the cost
(bench/search_speed.py, 10,000 articles: 60 ms -> 18 ms per query in-process).
"""

from django.db import migrations


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS helpcenter_article_search_vector_gin "
            "ON helpcenter_article USING gin (search_vector)"
        )
        schema_editor.execute(
            "ALTER TABLE helpcenter_article ALTER COLUMN search_vector SET STORAGE MAIN"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS helpcenter_article_search_vector_gin")
        schema_editor.execute(
            "ALTER TABLE helpcenter_article ALTER COLUMN search_vector SET STORAGE EXTENDED"
        )


class Migration(migrations.Migration):
    dependencies = [("helpcenter", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
