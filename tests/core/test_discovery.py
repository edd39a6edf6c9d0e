"""Finding plugins in plugins/ and through the `hearthside.plugins` entry point."""
import textwrap

from hearthside.extending.discovery import discover_plugins


def _make_plugin_folder(root, name, with_apps=True):
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text("")
    if with_apps:
        (folder / "apps.py").write_text("")
    return folder


def test_folder_plugins_with_apps_py_are_found(tmp_path):
    plugins_dir = tmp_path / "plugins"
    _make_plugin_folder(plugins_dir, "shop")
    _make_plugin_folder(plugins_dir, "notes", with_apps=False)
    _make_plugin_folder(plugins_dir, "_draft")

    found = discover_plugins(plugins_dir=plugins_dir)

    assert found.app_paths == ["plugins.shop"]
    assert found.problems == []


def test_excluded_plugins_are_left_out_and_unknown_exclusions_reported(tmp_path):
    plugins_dir = tmp_path / "plugins"
    _make_plugin_folder(plugins_dir, "shop")
    _make_plugin_folder(plugins_dir, "polls")

    found = discover_plugins(exclude=["polls", "typo_plugin"], plugins_dir=plugins_dir)

    assert found.app_paths == ["plugins.shop"]
    assert found.unknown_exclusions == ["typo_plugin"]


def test_an_extra_plugin_that_cannot_be_imported_is_a_problem_not_a_crash(tmp_path):
    found = discover_plugins(extra=["tests.no_such_plugin"], plugins_dir=tmp_path)

    assert found.app_paths == []
    assert found.problems == [
        ("'tests.no_such_plugin'", "cannot be imported: check the name and that it is installed")
    ]


def _install_distribution(path, name, entry_points):
    dist = path / f"{name}-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(textwrap.dedent(entry_points))


def test_entry_point_plugins_are_found_and_broken_ones_reported(tmp_path, monkeypatch):
    package = tmp_path / "acme_loyalty"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "apps.py").write_text("")
    _install_distribution(
        tmp_path,
        "acme-loyalty",
        """
        [hearthside.plugins]
        loyalty = acme_loyalty
        ghost = acme_ghost_plugin.apps:GhostConfig
        """,
    )
    monkeypatch.syspath_prepend(str(tmp_path))

    found = discover_plugins(plugins_dir=tmp_path / "none")

    assert "acme_loyalty" in found.app_paths
    assert ("entry point 'ghost'", "names the module 'acme_ghost_plugin.apps', which is not installed") in (
        found.problems
    )
