"""Activating plugins per site from the admin's Plugins screen."""
import pytest
from wagtail.models import ModelLogEntry, Site

from hearthside.extending.activation import (
    PluginActivationError,
    activate,
    active_plugin_labels,
    deactivate,
    forget_cached_state,
    is_active,
    plugin_config,
    save_plugin_config,
)
from hearthside.models import PluginActivation
from tests.sample_plugin.models import Greeting, SiteEvent


def test_default_active_plugins_are_active_until_a_site_chooses(site):
    assert "sample_plugin" in active_plugin_labels(site)  # default_active=True
    assert "needs_sample" not in active_plugin_labels(site)  # default_active=False


def test_a_plugin_cannot_be_activated_while_its_requirements_are_inactive(site):
    deactivate(site, "sample_plugin")
    with pytest.raises(PluginActivationError) as error:
        activate(site, "needs_sample")
    assert str(error.value) == "“Needs sample” needs “Sample plugin” to be active on this site first."
    assert not PluginActivation.objects.filter(plugin="needs_sample").exists()


def test_a_plugin_another_active_plugin_needs_cannot_be_deactivated(site):
    activate(site, "needs_sample")
    with pytest.raises(PluginActivationError) as error:
        deactivate(site, "sample_plugin")
    assert str(error.value) == "“Sample plugin” is needed by “Needs sample”; deactivate it first."
    assert "sample_plugin" in active_plugin_labels(site)


def test_an_unknown_plugin_is_refused_clearly(site):
    with pytest.raises(PluginActivationError, match="There is no installed plugin called “shop”."):
        activate(site, "shop")
    assert not PluginActivation.objects.exists()


def test_installed_and_uninstalled_are_called_and_the_change_is_audited(site, admin_user):
    deactivate(site, "sample_plugin", user=admin_user)
    assert SiteEvent.objects.filter(site=site, kind="uninstalled").count() == 1

    activate(site, "sample_plugin", user=admin_user)
    assert Greeting.objects.get(site=site).text == "Welcome, neighbour!"

    actions = list(
        ModelLogEntry.objects.filter(user=admin_user).order_by("timestamp").values_list("action", flat=True)
    )
    assert actions == ["hearthside.plugin_deactivated", "hearthside.plugin_activated"]
    assert PluginActivation.objects.get(site=site, plugin="sample_plugin").active is True


def test_a_plugin_whose_requirement_was_switched_off_behind_its_back_is_inactive(site):
    activate(site, "needs_sample")
    PluginActivation.objects.update_or_create(site=site, plugin="sample_plugin", defaults={"active": False})
    forget_cached_state(site)
    assert not {"sample_plugin", "needs_sample"} & active_plugin_labels(site)


def test_a_plugins_configuration_comes_from_the_cache_and_follows_every_save(
    site, django_assert_num_queries, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        save_plugin_config(site, "sample_plugin", {"greeting": "Hello"})
    assert plugin_config(Site.objects.get(pk=site.pk), "sample_plugin") == {"greeting": "Hello"}
    next_request = Site.objects.get(pk=site.pk)
    with django_assert_num_queries(0):  # the cache answers, with the active plugins too
        assert plugin_config(next_request, "sample_plugin") == {"greeting": "Hello"}
        assert is_active(next_request, "sample_plugin")

    with django_capture_on_commit_callbacks(execute=True):
        save_plugin_config(site, "sample_plugin", {"greeting": "Hi"})
    assert plugin_config(Site.objects.get(pk=site.pk), "sample_plugin") == {"greeting": "Hi"}

    # Saved some other way (the Django admin, a shell): seen on the next request too.
    row = PluginActivation.objects.get(site=site, plugin="sample_plugin")
    row.config = {"greeting": "Howdy"}
    row.save()
    assert plugin_config(Site.objects.get(pk=site.pk), "sample_plugin") == {"greeting": "Howdy"}


def test_a_caller_changing_the_configuration_it_got_changes_nothing_stored(site):
    save_plugin_config(site, "sample_plugin", {"greeting": "Hello"})
    plugin_config(site, "sample_plugin")["greeting"] = "Changed"
    assert plugin_config(site, "sample_plugin") == {"greeting": "Hello"}


class TestPluginsScreen:
    url = "/admin/plugins/"

    def test_lists_installed_plugins_with_their_state(self, client, site, admin_user):
        client.force_login(admin_user)
        html = client.get(self.url).content.decode()
        assert "Sample plugin" in html and "Needs sample" in html
        assert "Deactivate Sample plugin" in html and "Activate Needs sample" in html

    def test_deactivating_from_the_screen(self, client, site, admin_user):
        client.force_login(admin_user)
        response = client.post(
            self.url, {"site": site.pk, "plugin": "sample_plugin", "action": "deactivate"}, follow=True
        )
        assert "“Sample plugin” is now inactive on Copper Kettle." in response.content.decode()
        assert "sample_plugin" not in active_plugin_labels(site)

    def test_a_refused_change_shows_why_and_changes_nothing(self, client, site, admin_user):
        client.force_login(admin_user)
        activate(site, "needs_sample")
        response = client.post(
            self.url, {"site": site.pk, "plugin": "sample_plugin", "action": "deactivate"}, follow=True
        )
        assert "is needed by “Needs sample”; deactivate it first." in response.content.decode()
        assert "sample_plugin" in active_plugin_labels(site)

    def test_editors_without_the_permission_are_turned_away(self, client, site, editor):
        client.force_login(editor)
        assert client.get(self.url).status_code in (302, 403)
        client.post(self.url, {"site": site.pk, "plugin": "sample_plugin", "action": "deactivate"})
        assert "sample_plugin" in active_plugin_labels(site)

    def test_editors_with_the_permission_may_manage_plugins(self, client, site, plugin_manager):
        client.force_login(plugin_manager)
        assert client.get(self.url).status_code == 200

    def test_the_form_is_csrf_protected(self, site, admin_user):
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        client.force_login(admin_user)
        response = client.post(self.url, {"site": site.pk, "plugin": "sample_plugin", "action": "deactivate"})
        assert response.status_code == 403
        assert "sample_plugin" in active_plugin_labels(site)


def test_a_plugin_that_fails_to_set_up_is_left_as_it_was(site, monkeypatch):
    from django.apps import apps

    deactivate(site, "sample_plugin")
    config = apps.get_app_config("sample_plugin")

    def broken_installed(site):
        raise RuntimeError("greeting table is locked")

    monkeypatch.setattr(config, "installed", broken_installed)
    with pytest.raises(PluginActivationError) as error:
        activate(site, "sample_plugin")

    assert str(error.value) == (
        "“Sample plugin” could not be set up on this site (greeting table is locked); nothing was changed."
    )
    assert "sample_plugin" not in active_plugin_labels(site)
    assert PluginActivation.objects.get(site=site, plugin="sample_plugin").active is False


def test_a_plugin_with_broken_metadata_is_never_listed_or_active(client, site, admin_user, monkeypatch):
    from django.apps import AppConfig

    from hearthside.extending import plugins

    broken = AppConfig.create("tests.plugin_cases.bad_meta")
    real = plugins.plugin_configs()
    monkeypatch.setattr(plugins, "plugin_configs", lambda: [*real, broken])

    assert "bad_meta" not in {p.label for p in plugins.installed_plugins()}
    with pytest.raises(PluginActivationError, match="There is no installed plugin called “bad_meta”."):
        activate(site, "bad_meta")
    client.force_login(admin_user)
    assert client.get("/admin/plugins/").status_code == 200
