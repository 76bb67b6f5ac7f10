"""The members' search keys kept on each partnership, filled for the partnerships already
recorded, with a trigram index on PostgreSQL like the partnership's own search key."""

from django.db import migrations, models
from django.db.models.functions import Coalesce

INDEX = "partnerships_partnership_member_search_trgm"


class JoinedWithSpaces(models.Aggregate):
    # As partnerships.querysets has it; kept here so that the migration does not change with it.
    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ' ')"
    output_field = models.TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


def fill(apps, schema_editor):
    Partnership = apps.get_model("partnerships", "Partnership")
    Membership = apps.get_model("partnerships", "Membership")
    keys = (
        Membership.objects.filter(partnership=models.OuterRef("pk"))
        .order_by()
        .values("partnership")
        .annotate(keys=JoinedWithSpaces("institution__search_text"))
        .values("keys")
    )
    Partnership.objects.update(member_search_text=Coalesce(models.Subquery(keys), models.Value("")))


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON partnerships_partnership USING gin (member_search_text gin_trgm_ops)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("partnerships", "0007_list_order_indexes"), ("members", "0004_list_order_indexes")]

    operations = [
        migrations.AddField(
            model_name="partnership",
            name="member_search_text",
            field=models.TextField(blank=True, default="", editable=False, verbose_name="search key of the members"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(create_index, drop_index),
    ]
