"""Wagtail's Editors and Moderators groups write polls and see their results."""
from django.db import migrations

ACTIONS = ("add", "change", "delete", "view")
GROUPS = ("Editors", "Moderators")


def _permissions(apps):
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    # Django creates model permissions after the last migration; make them now.
    content_type, _ = ContentType.objects.get_or_create(app_label="polls", model="poll")
    return [
        Permission.objects.get_or_create(
            content_type=content_type, codename=f"{action}_poll", defaults={"name": f"Can {action} poll"}
        )[0]
        for action in ACTIONS
    ]


def grant(apps, schema_editor):
    permissions = _permissions(apps)
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GROUPS):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    permissions = _permissions(apps)
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GROUPS):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("polls", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0002_initial_data"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
