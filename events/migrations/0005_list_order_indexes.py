"""An index in the lists' order (newest first, undated last, then by title), on PostgreSQL.

The model cannot declare it: SQLite refuses NULLS LAST in an index, and there the (small)
table is sorted instead.
"""

from django.db import migrations

INDEX = "event_start_date_title"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON events_event (start_date DESC NULLS LAST, title)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("events", "0004_search_trigram_index")]

    operations = [migrations.RunPython(create_index, drop_index)]
