"""`manage.py check` turns every broken plugin and theme into a clear message."""
import json

import pytest
from django.apps import AppConfig
from django.core.management import call_command
from django.template import engines

from hearthside import checks
from hearthside.extending import slots
from hearthside.extending.discovery import PluginDiscovery
from hearthside.extending.plugins import PluginConfig
from hearthside.templatetags.hearthside_tags import _theme_static_path
from hearthside.themes.manifest import load_catalogue


def messages(results):
    return {(r.id, r.msg) for r in results}


def ids(results):
    return {r.id for r in results}


def test_the_shipped_project_passes_every_check():
    call_command("check", fail_level="WARNING")


def test_discovery_problems_and_unknown_exclusions_are_reported(settings):
    settings.HEARTHSIDE_PLUGIN_DISCOVERY = PluginDiscovery(
        app_paths=list(settings.HEARTHSIDE_PLUGIN_DISCOVERY.app_paths),
        problems=[("'tests.misspelt'", "cannot be imported: check the name and that it is installed")],
        unknown_exclusions=["polsl"],
    )
    found = messages(checks.check_plugins())
    assert (
        "hearthside.E001",
        "Plugin 'tests.misspelt' cannot be imported: check the name and that it is installed.",
    ) in found
    assert (
        "hearthside.W001",
        "HEARTHSIDE_PLUGINS_EXCLUDE names 'polsl', which is not an installed plugin.",
    ) in found


def problems_of(*app_paths, discovery=None):
    """Check these apps as if they were installed (without reloading Django's registry)."""
    configs = [AppConfig.create(path) for path in app_paths]
    plugins = [c for c in configs if isinstance(c, PluginConfig)]
    return checks.plugin_problems(plugins, discovery or PluginDiscovery(), configs)


def test_an_app_in_plugins_that_is_not_a_plugin_config_is_an_error():
    results = problems_of(
        "tests.plugin_cases.plain_app",
        discovery=PluginDiscovery(app_paths=["tests.plugin_cases.plain_app"]),
    )
    assert ids(results) == {"hearthside.E002"}
    assert "PlainAppConfig does not subclass" in results[0].msg


def test_bad_metadata_and_missing_requirements_are_errors():
    found = messages(problems_of("tests.plugin_cases.bad_meta"))
    assert ("hearthside.E003", "Plugin 'bad_meta': meta.name must be a non-empty string.") in found
    assert (
        "hearthside.E003",
        "Plugin 'bad_meta': meta.version 'banana' is not a version such as '1.0.0'.",
    ) in found
    assert (
        "hearthside.E004",
        "Plugin 'bad_meta' requires 'not_installed_anywhere', which is not installed.",
    ) in found


def test_plugins_that_require_each_other_are_an_error():
    results = [
        r
        for r in problems_of("tests.plugin_cases.loop_a", "tests.plugin_cases.loop_b")
        if r.id == "hearthside.E005"
    ]
    assert len(results) == 1
    assert "loop_a → loop_b → loop_a" in results[0].msg or "loop_b → loop_a → loop_b" in results[0].msg


REQUIRED = checks.REQUIRED_TEMPLATES


def _write_theme(root, name, manifest, templates=REQUIRED):
    folder = root / name
    (folder / "templates").mkdir(parents=True)
    if manifest is not None:
        (folder / "theme.json").write_text(manifest if isinstance(manifest, str) else json.dumps(manifest))
    for template in templates:
        path = folder / "templates" / template
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("<html lang='en'>{% block content %}{% endblock %}</html>")
    return folder


@pytest.fixture
def themes_dir(tmp_path, settings):
    """A themes folder of the test's own, with the caches that remember themes reset."""

    def reset():
        load_catalogue.cache_clear()
        _theme_static_path.cache_clear()
        engines["django"].engine.template_loaders[0].reset()

    settings.HEARTHSIDE_THEMES_DIR = str(tmp_path)
    reset()
    yield tmp_path
    reset()


def _manifest(name, parent=None, slots=("page.after_body",)):
    return {"name": name, "version": "1.0.0", "parent": parent, "slots": list(slots)}


def test_broken_or_missing_manifests_are_reported(themes_dir):
    _write_theme(themes_dir, "hearth", _manifest("hearth"))
    _write_theme(themes_dir, "nomani", None)
    _write_theme(themes_dir, "badjson", '{"name": "badjson", ')
    _write_theme(themes_dir, "wrongname", _manifest("other"))
    _write_theme(themes_dir, "orphan", _manifest("orphan", parent="missing_parent"))

    found = messages(checks.check_themes())

    assert ("hearthside.E010", "Theme 'nomani' has no theme.json manifest.") in found
    assert any(
        id_ == "hearthside.E010" and msg.startswith("Theme 'badjson' theme.json is not valid JSON")
        for id_, msg in found
    )
    assert (
        "hearthside.E010",
        "Theme 'wrongname' theme.json names the theme 'other' but its folder is 'wrongname'.",
    ) in found
    assert (
        "hearthside.E010",
        "Theme 'orphan' its parent theme 'missing_parent' is not installed or is broken.",
    ) in found


def test_a_missing_default_theme_is_an_error(themes_dir):
    _write_theme(themes_dir, "meadow", _manifest("meadow"))
    found = messages(checks.check_themes())
    assert ("hearthside.E012", "The default theme 'hearth' is missing or broken.") in found


def test_a_template_missing_from_the_whole_chain_is_an_error(themes_dir):
    _write_theme(themes_dir, "hearth", _manifest("hearth"), templates=[t for t in REQUIRED if t != "search.html"])
    _write_theme(themes_dir, "child", _manifest("child", parent="hearth"), templates=["base.html"])
    found = messages(checks.check_themes())
    assert (
        "hearthside.E013",
        "Theme 'child' has no template 'search.html', and neither do its parents or the default theme.",
    ) in found
    # The child inherits everything else from its parent: no other template is reported.
    assert {msg for id_, msg in found if id_ == "hearthside.E013" and "'child'" in msg} == {
        "Theme 'child' has no template 'search.html', and neither do its parents or the default theme."
    }


def test_a_manifest_naming_an_unknown_slot_is_an_error(themes_dir):
    _write_theme(themes_dir, "hearth", _manifest("hearth", slots=["page.after_body", "page.afterbody"]))
    found = messages(checks.check_themes())
    assert any(
        id_ == "hearthside.E011"
        and msg == "Theme 'hearth' says it renders the slot 'page.afterbody', which does not exist."
        for id_, msg in found
    )


def test_a_contribution_to_a_slot_no_theme_renders_is_a_warning(themes_dir):
    _write_theme(themes_dir, "hearth", _manifest("hearth", slots=["page.after_body"]))

    class Banner(slots.SlotComponent):
        def data(self, request, **kwargs):
            return {"text": "Sale!"}

    slots.site_header.contribute(Banner, plugin="sample_plugin")
    try:
        found = messages(checks.check_themes())
    finally:
        slots.site_header.withdraw(Banner)
    assert (
        "hearthside.W011",
        "sample_plugin contributes Banner to the slot 'site.header', which no installed theme renders, "
        "so it will never be seen.",
    ) in found


def test_a_template_that_does_not_compile_is_an_error(themes_dir):
    folder = _write_theme(themes_dir, "hearth", _manifest("hearth"))
    (folder / "templates" / "search.html").write_text('{% slot "no.such.slot" %}')
    found = messages(checks.check_themes())
    assert any(
        id_ == "hearthside.E014" and "Unknown slot 'no.such.slot'" in msg for id_, msg in found
    )


def test_a_process_local_cache_in_production_is_a_deploy_warning(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert ids(checks.check_shared_cache()) == {"hearthside.W020"}

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:6379/1"}}
    assert checks.check_shared_cache() == []
