"""Roles no longer come from global groups: the user's role on each plan decides every permission."""

from django.db import migrations

OLD_GROUPS = ["County office staff", "Liaison officers", "Plan administrators"]


def drop_role_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=OLD_GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0002_planyear_review_changed_at_and_more"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(drop_role_groups, migrations.RunPython.noop)]
