"""Filesystem locations shared by settings, the theme loader and commands."""
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SITE_ROOT = REPO_ROOT / "site"
PLUGINS_DIR = REPO_ROOT / "plugins"
THEMES_DIR = REPO_ROOT / "themes"
VAR_DIR = REPO_ROOT / "var"


def add_source_roots() -> None:
    """Put site/ and the repository root (plugins, api, tests) on sys.path, for
    servers that import config.wsgi or config.asgi from elsewhere."""
    import sys

    for source_root in (SITE_ROOT, REPO_ROOT):
        if str(source_root) not in sys.path:
            sys.path.insert(0, str(source_root))
