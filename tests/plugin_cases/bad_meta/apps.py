from hearthside.extending.plugins import PluginConfig, PluginMeta


class BadMetaConfig(PluginConfig):
    name = "tests.plugin_cases.bad_meta"
    label = "bad_meta"
    meta = PluginMeta(name="", version="banana", requires=("not_installed_anywhere",))
