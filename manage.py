#!/usr/bin/env python
"""Django's command-line utility for Hearthside.

site/ is a source root rather than a package (the standard library owns the
name ``site``), so it goes on sys.path next to the repository root, which
holds the ``plugins``, ``api`` and ``tests`` packages.
"""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def main():
    for path in (ROOT / "site", ROOT):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
