"""Reading themes from disk.

A theme is a folder ``themes/<name>/`` with ``theme.json``::

    {
      "name": "meadow",
      "label": "Meadow",
      "version": "1.0.0",
      "parent": "hearth",
      "description": "Light, airy layout for cafés and shops.",
      "slots": ["site.head", "site.header", "page.after_body", "page.sidebar", "site.footer"]
    }

plus ``templates/`` and ``static/``. Settings import this module (for the
static folders), so it must not touch Django models.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

MANIFEST = "theme.json"
REQUIRED_KEYS = ("name", "version", "slots")


@dataclass(frozen=True)
class Theme:
    name: str
    version: str
    path: Path
    label: str = ""
    parent: str | None = None
    description: str = ""
    slots: tuple[str, ...] = field(default_factory=tuple)

    @property
    def templates_dir(self) -> Path:
        return self.path / "templates"

    @property
    def static_prefix(self) -> str:
        return f"themes/{self.name}"

    @property
    def display_name(self) -> str:
        return self.label or self.name.title()


@dataclass
class ThemeCatalogue:
    """Every usable theme by name, and the problems of the unusable ones."""

    themes: dict[str, Theme] = field(default_factory=dict)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (folder, message)

    def chain(self, name: str, default: str) -> list[Theme]:
        """``name``, its parents, then ``default``: where templates are looked up."""
        chain: list[Theme] = []
        current = name if name in self.themes else default
        while current and current in self.themes and self.themes[current] not in chain:
            chain.append(self.themes[current])
            current = self.themes[current].parent
        if default in self.themes and self.themes[default] not in chain:
            chain.append(self.themes[default])
        return chain


def _read_manifest(folder: Path) -> tuple[Theme | None, str | None]:
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        return None, f"has no {MANIFEST} manifest"
    try:
        raw = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return None, f"{MANIFEST} is not valid JSON ({error})"
    if not isinstance(raw, dict):
        return None, f"{MANIFEST} must hold a JSON object"
    missing = [key for key in REQUIRED_KEYS if key not in raw]
    if missing:
        return None, f"{MANIFEST} lacks {', '.join(missing)}"
    if raw["name"] != folder.name:
        return None, f"{MANIFEST} names the theme {raw['name']!r} but its folder is {folder.name!r}"
    slots = raw.get("slots")
    if not isinstance(slots, list) or not all(isinstance(s, str) for s in slots):
        return None, f"{MANIFEST}: 'slots' must be a list of slot names"
    parent = raw.get("parent") or None
    if parent is not None and not isinstance(parent, str):
        return None, f"{MANIFEST}: 'parent' must be a theme name or null"
    return (
        Theme(
            name=raw["name"],
            version=str(raw["version"]),
            path=folder,
            label=str(raw.get("label", "")),
            parent=parent,
            description=str(raw.get("description", "")),
            slots=tuple(slots),
        ),
        None,
    )


def read_themes(themes_dir: str | Path) -> ThemeCatalogue:
    """Read every theme folder; broken themes go to ``problems``, not ``themes``."""
    catalogue = ThemeCatalogue()
    themes_dir = Path(themes_dir)
    if not themes_dir.is_dir():
        catalogue.problems.append((str(themes_dir), "the themes folder does not exist"))
        return catalogue
    for folder in sorted(p for p in themes_dir.iterdir() if p.is_dir()):
        if folder.name.startswith((".", "_")):
            continue
        theme, problem = _read_manifest(folder)
        if problem:
            catalogue.problems.append((folder.name, problem))
        else:
            catalogue.themes[theme.name] = theme
    # Parents must exist and must not loop back.
    for theme in list(catalogue.themes.values()):
        seen, current = [theme.name], theme.parent
        while current:
            if current not in catalogue.themes:
                catalogue.problems.append(
                    (theme.name, f"its parent theme {current!r} is not installed or is broken")
                )
                catalogue.themes.pop(theme.name, None)
                break
            if current in seen:
                catalogue.problems.append(
                    (theme.name, f"its parents loop: {' → '.join(seen + [current])}")
                )
                catalogue.themes.pop(theme.name, None)
                break
            seen.append(current)
            current = catalogue.themes[current].parent
    return catalogue


@lru_cache(maxsize=4)
def load_catalogue(themes_dir: str) -> ThemeCatalogue:
    return read_themes(themes_dir)


def theme_static_dirs(themes_dir: str | Path) -> list[tuple[str, str]]:
    """(prefix, folder) pairs for STATICFILES_DIRS: each theme's static/."""
    themes_dir = Path(themes_dir)
    if not themes_dir.is_dir():
        return []
    return [
        (f"themes/{folder.name}", str(folder / "static"))
        for folder in sorted(themes_dir.iterdir())
        if (folder / "static").is_dir()
    ]
