"""A plugin that uses every extension point; the test suite's reference plugin.

It is installed only in the test settings (HEARTHSIDE_EXTRA_PLUGINS). Read it
with docs/plugins.md: each file shows one way a plugin plugs in.
"""
