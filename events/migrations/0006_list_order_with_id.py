"""Ties in the lists' order (the same day, the same title) broken by id, so that paging never
repeats or skips an event; the PostgreSQL index of that order then ends with the id too, and a
deep page's ids are read from the index alone (page 500: a sort of 20,000 rows before)."""

from django.db import migrations, models

OLD_INDEX = "event_start_date_title"
INDEX = "event_start_date_title_id"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {OLD_INDEX}")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON events_event (start_date DESC NULLS LAST, title, id)"
        )


def restore_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {OLD_INDEX} ON events_event (start_date DESC NULLS LAST, title)"
        )


class Migration(migrations.Migration):
    dependencies = [("events", "0005_list_order_indexes")]

    operations = [
        migrations.AlterModelOptions(
            name="event",
            options={
                "ordering": [models.OrderBy(models.F("start_date"), descending=True, nulls_last=True), "title", "id"],
                "verbose_name": "event",
                "verbose_name_plural": "events",
            },
        ),
        migrations.RunPython(create_index, restore_index),
    ]
