"""Fixtures shared by the whole suite: a site with a home page, people with
roles, and plugin activation."""
import pytest
from django.contrib.auth.models import Group, Permission
from wagtail.models import Page, Site

from hearthside.extending import activation
from hearthside.models import HomePage

from .factories import UserFactory
from .support.smtp import SMTPServer


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_schema():
    """Each test builds the OpenAPI schema afresh: activating plugins changes it."""
    from api.schema import SchemaView

    SchemaView.forget()
    yield
    SchemaView.forget()


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def home_page(db):
    root = Page.get_first_root_node()
    home = HomePage(title="Copper Kettle", slug="copper-kettle", hero_title="Fresh every morning")
    root.add_child(instance=home)
    home.save_revision().publish()
    home.refresh_from_db()
    return home


@pytest.fixture
def site(home_page):
    site = Site.objects.get(is_default_site=True)
    site.root_page = home_page
    site.hostname = "testserver"
    site.port = 80
    site.site_name = "Copper Kettle"
    site.save()
    return site


@pytest.fixture
def root_page(site):
    return site.root_page.specific


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def editor(db):
    user = UserFactory(username="editor")
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def moderator(db):
    user = UserFactory(username="moderator")
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


@pytest.fixture
def plugin_manager(editor):
    editor.user_permissions.add(Permission.objects.get(codename="manage_plugins"))
    return editor


@pytest.fixture
def activate_plugin():
    """``activate_plugin(site, label)``: make a plugin active on a site."""

    def _activate(site, label, user=None):
        return activation.activate(site, label, user=user)

    return _activate


@pytest.fixture
def deactivate_plugin():
    def _deactivate(site, label, user=None):
        return activation.deactivate(site, label, user=user)

    return _deactivate


@pytest.fixture(scope="session")
def _smtp_process(tmp_path_factory):
    server = SMTPServer(tmp_path_factory.mktemp("mail") / "maildir")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_server(_smtp_process, settings):
    """Django sends mail over SMTP to a real aiosmtpd process for this test;
    ``smtp_server.messages()`` returns what it received."""
    _smtp_process.clear()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = _smtp_process.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    return _smtp_process
