"""Wagtail's Editors group runs the business's community: it may see, add and
change members and topics, and import members from CSV files. Erasing a
member (delete) stays with superusers and groups given it on the group screen."""
from django.db import migrations

GRANTS = {
    "member": ("view", "add", "change"),
    "topic": ("view", "add", "change"),
    "memberimport": ("view", "add"),
}
VERBOSE_NAMES = {"member": "member", "topic": "topic", "memberimport": "member import"}


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    permissions = []
    for model, actions in GRANTS.items():
        # Django creates model permissions after the last migration; make them now.
        content_type, _ = ContentType.objects.get_or_create(app_label="members", model=model)
        for action in actions:
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type,
                codename=f"{action}_{model}",
                defaults={"name": f"Can {action} {VERBOSE_NAMES[model]}"},
            )
            permissions.append(permission)
    for group in Group.objects.filter(name="Editors"):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    granted = Permission.objects.filter(
        content_type__app_label="members",
        codename__in=[f"{action}_{model}" for model, actions in GRANTS.items() for action in actions],
    )
    for group in Group.objects.filter(name="Editors"):
        group.permissions.remove(*granted)


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0002_initial_data"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
