"""People for the security suites: a publisher (an editor who may publish),
a member in both senses (a Django user with no admin access, and a person
signed up through the members plugin with their preferences token), and
someone who may open the admin but holds no other permission."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from wagtail.models import GroupPagePermission, Page

from plugins.members import tokens
from tests.factories import UserFactory
from tests.plugins.members.factories import make_member


@pytest.fixture
def publisher(db):
    """An editor who may also publish every page: the one role that sends
    updates and newsletters, without the moderators' other rights."""
    user = UserFactory(username="publisher")
    user.groups.add(Group.objects.get(name="Editors"))
    publishers, _ = Group.objects.get_or_create(name="Publishers")
    GroupPagePermission.objects.get_or_create(
        group=publishers,
        page=Page.get_first_root_node(),
        permission=Permission.objects.get(content_type__app_label="wagtailcore", codename="publish_page"),
    )
    user.groups.add(publishers)
    return user


@pytest.fixture
def admin_visitor(db):
    """May open the admin, and nothing else."""
    user = UserFactory(username="visitor")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user


@pytest.fixture
def account_holder(db):
    """A member in the Django sense: an account on the site, no admin access."""
    return UserFactory(username="sam", first_name="Sam", email="sam@example.com")


@pytest.fixture
def site_member(site):
    """A member in the plugin's sense: confirmed, on email."""
    return make_member(site, email="robin@example.com", name="Robin", channels={"email": "immediate"})


@pytest.fixture
def other_member(site):
    return make_member(
        site, email="kit@example.com", name="Kit", channels={"email": "weekly", "rss": "immediate"}
    )


def preferences_token(member) -> str:
    return tokens.make(tokens.PREFERENCES, member)


@pytest.fixture
def editor_without(db):
    """``editor_without("polls", ...)``: someone with every permission of the
    Editors group except those of the apps named, the editor that lacks
    exactly the permission a screen needs."""

    def _make(*app_labels):
        user = UserFactory(username="editor-without-" + "-".join(app_labels))
        editors = Group.objects.get(name="Editors")
        user.user_permissions.add(*editors.permissions.exclude(content_type__app_label__in=app_labels))
        return user

    return _make
