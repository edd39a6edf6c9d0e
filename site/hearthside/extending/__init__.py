"""Hearthside's extension framework: plugins, hooks, slots and the gate.

Import what you need from the submodules: ``plugins`` (PluginConfig,
PluginMeta), ``hooks`` (core hooks), ``slots`` (template slots),
``activation`` (per-site state).
"""
