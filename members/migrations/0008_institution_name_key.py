from django.db import migrations, models


def fill_name_keys(apps, schema_editor):
    """The comparison key of every existing institution's name, in batches."""
    from members.matching import comparable_name

    Institution = apps.get_model("members", "Institution")
    batch = []
    for institution in Institution.objects.only("pk", "name").iterator(chunk_size=2000):
        institution.name_key = comparable_name(institution.name)
        batch.append(institution)
        if len(batch) == 2000:
            Institution.objects.bulk_update(batch, ["name_key"])
            batch = []
    Institution.objects.bulk_update(batch, ["name_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0007_merge_aliases"),
    ]

    operations = [
        migrations.AddField(
            model_name="institution",
            name="name_key",
            field=models.TextField(blank=True, editable=False, verbose_name="comparison key of the name"),
        ),
        migrations.RunPython(fill_name_keys, migrations.RunPython.noop),
    ]
