"""The group "Pracownik regionalnego ośrodka" with the permissions config.staff_group lists.

The permissions themselves are created by Django after ``migrate``; on a new database they do
not exist yet here, so they are created first for the apps as this migration sees them.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_staff_group(apps, schema_editor):
    from config.staff_group import sync_staff_group

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
        app_config.models_module = None
    sync_staff_group(apps, schema_editor.connection.alias)


def remove_staff_group(apps, schema_editor):
    from members.models import STAFF_GROUP

    apps.get_model("auth", "Group").objects.using(schema_editor.connection.alias).filter(name=STAFF_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("territory", "0001_initial"),
        ("members", "0009_history_names"),
        ("events", "0007_history_names"),
        ("partnerships", "0011_history_names"),
    ]

    operations = [migrations.RunPython(create_staff_group, remove_staff_group)]
