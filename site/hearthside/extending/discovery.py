"""Finding installed plugins before Django starts.

Settings call :func:`discover_plugins` to build INSTALLED_APPS, so this module
must not touch models or app registries. Whatever goes wrong here (a plugin
that cannot be imported, an exclusion naming nothing) is recorded, not raised,
and reported by ``manage.py check`` (see ``hearthside.extending.checks``) so
one broken plugin never stops the site from starting.
"""
from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
from dataclasses import dataclass, field
from pathlib import Path

from config.paths import PLUGINS_DIR

ENTRY_POINT_GROUP = "hearthside.plugins"


@dataclass
class PluginDiscovery:
    """What discovery found: app paths to install and problems to report."""

    app_paths: list[str] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (source, message)
    unknown_exclusions: list[str] = field(default_factory=list)


def _folder_plugins(plugins_dir: Path) -> list[tuple[str, str]]:
    """(label, dotted path) of every package under plugins/ with an apps.py."""
    found = []
    if not plugins_dir.is_dir():
        return found
    for child in sorted(plugins_dir.iterdir()):
        if child.name.startswith(("_", ".")) or not child.is_dir():
            continue
        if (child / "apps.py").is_file():
            found.append((child.name, f"{plugins_dir.name}.{child.name}"))
    return found


def _entry_point_plugins(problems: list) -> list[tuple[str, str]]:
    found = []
    for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        dotted = entry_point.value.split(":")[0].strip()
        if importlib.util.find_spec(dotted.split(".")[0]) is None:
            problems.append(
                (
                    f"entry point {entry_point.name!r}",
                    f"names the module {dotted!r}, which is not installed",
                )
            )
            continue
        found.append((entry_point.name, dotted))
    return found


def _importable(dotted: str) -> bool:
    try:
        return importlib.util.find_spec(dotted) is not None
    except ModuleNotFoundError:
        return False


def discover_plugins(
    exclude: list[str] | None = None,
    extra: list[str] | None = None,
    plugins_dir: Path = PLUGINS_DIR,
) -> PluginDiscovery:
    """Return the plugin apps to install.

    ``exclude`` names plugins (folder name, entry-point name or dotted path) to
    leave out; ``extra`` adds dotted app paths, such as a test plugin.
    """
    exclude = set(exclude or [])
    result = PluginDiscovery()
    candidates = _folder_plugins(plugins_dir) + _entry_point_plugins(result.problems)
    for dotted in extra or []:
        if not _importable(dotted):
            result.problems.append(
                (repr(dotted), "cannot be imported: check the name and that it is installed")
            )
            continue
        candidates.append((dotted.rsplit(".", 1)[-1], dotted))

    matched_exclusions = set()
    for label, dotted in candidates:
        hit = exclude & {label, dotted}
        if hit:
            matched_exclusions |= hit
            continue
        if dotted not in result.app_paths:
            result.app_paths.append(dotted)
    result.unknown_exclusions = sorted(exclude - matched_exclusions)
    return result
