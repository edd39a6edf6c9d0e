"""Hearthside's plugins: one Django app per folder, found at start-up.

See docs/plugins.md to write one.
"""
