"""The admin at national scale: institutions filtered by kind or country in the list's order; people (50,000)
in the list's order, and trigram indexes that serve the admin's search of their names and
function on PostgreSQL.

The search is Django's ``icontains``, which PostgreSQL runs as ``UPPER(col::text) LIKE
UPPER('%…%')``; an index on that same expression serves it. People keep no folded key of
their own: anonymising a person rewrites their names in place (members.anonymisation), and a
copy of them in a key would be one more place to forget. SQLite scans the table instead.
"""

from django.db import migrations, models

COLUMNS = ("last_name", "first_name", "function")


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for column in COLUMNS:
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS members_person_{column}_trgm "
                f"ON members_person USING gin ((UPPER({column}::text)) gin_trgm_ops)"
            )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for column in COLUMNS:
            schema_editor.execute(f"DROP INDEX IF EXISTS members_person_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("members", "0005_commune_name_index")]

    operations = [
        migrations.AddIndex(
            model_name="institution",
            index=models.Index(fields=["kind", "name", "id"], name="institution_kind_name"),
        ),
        migrations.AddIndex(
            model_name="institution",
            index=models.Index(fields=["country", "name", "id"], name="institution_country_name"),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["last_name", "first_name", "id"], name="person_name"),
        ),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
