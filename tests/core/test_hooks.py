"""Actions and filters: priority, activation per site, relay after commit."""
import logging

import pytest
from wagtail.models import Site

from hearthside.extending import hooks
from hearthside.extending.base import Action, Filter
from tests.factories import make_section, make_standard
from tests.sample_plugin.models import SiteEvent


@pytest.fixture
def ping():
    return Action("test.ping", "A hook for tests. Arguments: ``site``. Returns anything.")


def test_receivers_run_in_priority_order_and_results_are_collected(site, ping):
    ping.connect(lambda site, **kw: "late", priority=200)
    ping.connect(lambda site, **kw: "early", priority=10)
    ping.connect(lambda site, **kw: "default")

    assert [result for _, result in ping.send(site)] == ["early", "default", "late"]


def test_a_filter_passes_each_receivers_value_to_the_next(site):
    title = Filter("test.title", "Value: a str. Returns the str to pass on.")
    title.connect(lambda value, site, **kw: value + "!", priority=20)
    title.connect(lambda value, site, **kw: value.upper(), priority=10)

    assert title.apply(site, "fresh bread") == "FRESH BREAD!"


def test_receivers_of_an_inactive_plugin_are_not_delivered(site, ping, deactivate_plugin):
    ping.connect(lambda site, **kw: "core")
    ping.connect(lambda site, **kw: "sample", plugin="sample_plugin")
    assert [r for _, r in ping.send(site)] == ["core", "sample"]

    deactivate_plugin(site, "sample_plugin")

    assert [r for _, r in ping.send(site)] == ["core"]


def test_activation_is_per_site(site, ping, deactivate_plugin):
    other = Site.objects.create(hostname="other.example", root_page=site.root_page, site_name="Other")
    ping.connect(lambda site, **kw: site.hostname, plugin="sample_plugin")
    deactivate_plugin(other, "sample_plugin")

    assert [r for _, r in ping.send(site)] == ["testserver"]
    assert ping.send(other) == []


def test_connected_is_temporary(site, ping):
    def receiver(site, **kwargs):
        return "here"

    with ping.connected(receiver):
        assert [r for _, r in ping.send(site)] == ["here"]
    assert ping.send(site) == []


def test_a_failing_receiver_is_logged_and_the_others_still_run(site, ping, settings, caplog):
    settings.HEARTHSIDE_HOOKS_RAISE = False

    def broken(site, **kwargs):
        raise RuntimeError("boom")

    ping.connect(broken, priority=1)
    ping.connect(lambda site, **kw: "still here", priority=2)

    with caplog.at_level(logging.ERROR, logger="hearthside.hooks"):
        results = [r for _, r in ping.send(site)]

    assert results == ["still here"]
    assert "Receiver tests.core.test_hooks.test_a_failing_receiver_is_logged_and_the_others_still_run" in caplog.text


def test_a_misspelt_core_hook_is_an_import_error():
    with pytest.raises(ImportError):
        from hearthside.extending.hooks import page_publishd  # noqa: F401


def test_page_published_is_relayed_only_after_the_transaction_commits(
    site, root_page, django_capture_on_commit_callbacks
):
    seen = []
    with hooks.page_published.connected(lambda site, page, **kw: seen.append((site, page.title))):
        with django_capture_on_commit_callbacks() as callbacks:
            make_standard(root_page, title="Opening hours")
            assert seen == []
        for callback in callbacks:
            callback()

    assert seen == [(site, "Opening hours")]


def test_every_publish_path_reaches_the_plugins_receivers(site, root_page, django_capture_on_commit_callbacks):
    # Publishing straight from a revision (no admin view) still reaches the
    # sample plugin's page_published receiver.
    with django_capture_on_commit_callbacks(execute=True):
        section = make_section(root_page, title="Journal")

    assert SiteEvent.objects.filter(site=site, kind="published", page_id=section.pk).exists()


def test_an_inactive_plugin_does_not_hear_publishes(
    site, root_page, deactivate_plugin, django_capture_on_commit_callbacks
):
    deactivate_plugin(site, "sample_plugin")
    with django_capture_on_commit_callbacks(execute=True):
        make_section(root_page, title="News")
    assert not SiteEvent.objects.filter(kind="published").exists()


def test_page_unpublished_is_relayed(site, root_page, django_capture_on_commit_callbacks):
    seen = []
    page = make_standard(root_page, title="Winter menu")
    with hooks.page_unpublished.connected(lambda site, page, **kw: seen.append(page.pk)):
        with django_capture_on_commit_callbacks(execute=True):
            page.unpublish()
    assert seen == [page.pk]
