"""Wagtail's Editors and Moderators groups see updates in the admin; the
Moderators also change the syndication settings. Holding, releasing,
cancelling and sending updates again is not a permission of its own: it
takes the right to publish the update's page (Moderators have it)."""
from django.db import migrations

GRANTS = {
    "Editors": ("view",),
    "Moderators": ("view", "change"),
}


def _permissions(apps, actions):
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    # Django creates model permissions after the last migration; make them now.
    content_type, _ = ContentType.objects.get_or_create(app_label="syndication", model="update")
    return [
        Permission.objects.get_or_create(
            content_type=content_type, codename=f"{action}_update", defaults={"name": f"Can {action} update"}
        )[0]
        for action in actions
    ]


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name, actions in GRANTS.items():
        permissions = _permissions(apps, actions)
        for group in Group.objects.filter(name=name):
            group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name, actions in GRANTS.items():
        permissions = _permissions(apps, actions)
        for group in Group.objects.filter(name=name):
            group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("syndication", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0002_initial_data"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
