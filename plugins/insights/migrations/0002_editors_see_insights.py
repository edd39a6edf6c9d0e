"""Wagtail's Editors and Moderators groups see the Insights dashboard."""
from django.db import migrations

GROUPS = ("Editors", "Moderators")


def _permission(apps):
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    # Django creates model permissions after the last migration; make it now.
    content_type, _ = ContentType.objects.get_or_create(app_label="insights", model="dashboard")
    return Permission.objects.get_or_create(
        content_type=content_type, codename="view_insights", defaults={"name": "Can see the Insights dashboard"}
    )[0]


def grant(apps, schema_editor):
    permission = _permission(apps)
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GROUPS):
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    permission = _permission(apps)
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GROUPS):
        group.permissions.remove(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0002_initial_data"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
