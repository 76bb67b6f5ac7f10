"""Agreements get a folded search key (their title and their partnership's name) with a
trigram index on PostgreSQL, and an index in the list's order: the admin's search goes through
the same kind of key as every other list's instead of a LIKE over the titles joined to a
search of the partnerships."""

from django.db import migrations, models

from core.text import search_key

INDEX = "partnerships_agreement_search_trgm"
# The list's order (Agreement.Meta.ordering), walked until a page of matches is found: a search
# for a word in most titles ("porozumienie") meets its first page at once instead of sorting
# all. PostgreSQL only, as SQLite's indexes know no NULLS LAST.
ORDER_INDEX = "partnerships_agreement_list_order"


def fill_keys(apps, schema_editor):
    Agreement = apps.get_model("partnerships", "Agreement")
    agreements = list(Agreement.objects.select_related("partnership").only("pk", "title", "partnership__name"))
    for agreement in agreements:
        agreement.search_text = search_key(agreement.title, agreement.partnership.name)
    Agreement.objects.bulk_update(agreements, ["search_text"], batch_size=2000)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON partnerships_agreement USING gin (search_text gin_trgm_ops)"
        )
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {ORDER_INDEX} ON partnerships_agreement (signed_on ASC NULLS LAST, id)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
        schema_editor.execute(f"DROP INDEX IF EXISTS {ORDER_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0009_history_names_of_new_models"),
        ("partnerships", "0017_founding_and_website_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="agreement",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False, verbose_name="search key"),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        migrations.RunPython(create_index, drop_index),
    ]
