"""`manage.py plugins` follows the same rules as the admin's Plugins screen."""
import io

import pytest
from django.core.management import CommandError, call_command

from wagtail.models import Site

from hearthside.extending.activation import active_plugin_labels as _active_labels


def active_plugin_labels(site):
    # The command changes state through its own Site instance; a fresh one
    # here, as the next request would have, sees the change.
    return _active_labels(Site.objects.get(pk=site.pk))


def run(*args):
    out = io.StringIO()
    call_command("plugins", *args, stdout=out)
    return out.getvalue()


def test_lists_plugins_with_their_state_on_the_site(site):
    lines = run("list").splitlines()
    assert any(line.split()[:3] == ["sample_plugin", "active", "1.0.0"] for line in lines)
    assert any(line.split()[:2] == ["needs_sample", "inactive"] and "requires: sample_plugin" in line for line in lines)


def test_activates_and_deactivates(site):
    assert run("deactivate", "sample_plugin") == "“Sample plugin” is now deactivated on testserver.\n"
    assert "sample_plugin" not in active_plugin_labels(site)
    run("activate", "sample_plugin", "--site", "testserver")
    assert "sample_plugin" in active_plugin_labels(site)


def test_refusals_are_clear_and_change_nothing(site):
    run("activate", "needs_sample")
    with pytest.raises(CommandError, match="is needed by “Needs sample”; deactivate it first."):
        run("deactivate", "sample_plugin")
    with pytest.raises(CommandError, match="There is no installed plugin called “shop”."):
        run("activate", "shop")
    with pytest.raises(CommandError, match="No site has the hostname “nowhere.example”. Sites: testserver."):
        run("list", "--site", "nowhere.example")
    with pytest.raises(CommandError, match="Name the plugin to activate"):
        run("activate")
    assert {"sample_plugin", "needs_sample"} <= active_plugin_labels(site)
