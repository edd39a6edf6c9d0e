"""Plugins' body blocks: on every page type's body, shown only while the
plugin is active, and left out of the core's migrations."""
import json

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from wagtail import blocks

from hearthside.extending import blocks as plugin_blocks
from hearthside.models import ArticlePage, HomePage, OfferPage, StandardPage
from tests.factories import make_article, make_section

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(root_page):
    section = make_section(root_page)
    return make_article(
        section,
        title="Shouting about bread",
        body=[("paragraph", "<p>Plain words.</p>"), ("sample_shout", {"text": "Fresh <b>loaves</b>!"})],
    )


@pytest.mark.parametrize("page_type", [HomePage, ArticlePage, OfferPage, StandardPage])
def test_every_page_body_offers_the_plugins_blocks(page_type):
    child_blocks = page_type._meta.get_field("body").stream_block.child_blocks
    assert isinstance(child_blocks["sample_shout"], plugin_blocks.PluginBlock)
    assert "paragraph" in child_blocks


def test_a_plugin_block_renders_escaped_while_the_plugin_is_active(client, site, article):
    html = client.get(article.url).content.decode()
    assert '<p class="sample-shout">Fresh &lt;b&gt;loaves&lt;/b&gt;!</p>' in html


def test_a_plugin_block_renders_nothing_while_the_plugin_is_inactive(client, site, article, deactivate_plugin):
    deactivate_plugin(site, "sample_plugin")
    html = client.get(article.url).content.decode()
    assert "sample-shout" not in html
    assert "Plain words." in html


def test_the_pages_api_leaves_out_blocks_of_inactive_plugins(client, site, article, deactivate_plugin):
    def body_types():
        return [item["type"] for item in client.get(f"/api/v2/pages/{article.pk}/").json()["body"]]

    assert body_types() == ["paragraph", "sample_shout"]
    deactivate_plugin(site, "sample_plugin")
    assert body_types() == ["paragraph"]


def test_the_core_migrations_never_record_plugin_blocks(capsys):
    field = ArticlePage._meta.get_field("body")
    _, path, args, kwargs = field.deconstruct()
    assert path == "wagtail.fields.StreamField"
    assert "sample_shout" not in [name for name, _ in args[0]]
    assert "sample_shout" not in json.dumps(kwargs["block_lookup"], default=str)
    call_command("makemigrations", "hearthside", "--check", "--dry-run", verbosity=1)
    assert "No changes detected" in capsys.readouterr().out


def test_a_block_that_is_not_a_plugin_block_is_refused(monkeypatch):
    import tests.sample_plugin.blocks as sample_blocks

    monkeypatch.setattr(sample_blocks, "body_blocks", [("sample_plain", blocks.CharBlock())])
    with pytest.raises(ImproperlyConfigured, match="must subclass hearthside.extending.blocks.PluginBlock"):
        plugin_blocks.plugin_body_blocks([])


def test_a_block_name_already_taken_is_refused():
    with pytest.raises(ImproperlyConfigured, match="'sample_shout' is already taken"):
        plugin_blocks.plugin_body_blocks(["paragraph", "sample_shout"])
