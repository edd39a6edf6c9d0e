"""Filesystem locations shared by settings, the theme loader and commands."""
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SITE_ROOT = REPO_ROOT / "site"
PLUGINS_DIR = REPO_ROOT / "plugins"
THEMES_DIR = REPO_ROOT / "themes"
VAR_DIR = REPO_ROOT / "var"
