"""A trigram index on the folded search text, on PostgreSQL: it serves `LIKE '%rakow%'`.

SQLite has no such index; there the search scans the (small) table, which is its fallback.
"""

from django.db import migrations

INDEX = "partnerships_partnership_search_trgm"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON partnerships_partnership USING gin (search_text gin_trgm_ops)")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("partnerships", "0003_search_text")]

    operations = [migrations.RunPython(create_index, drop_index)]
