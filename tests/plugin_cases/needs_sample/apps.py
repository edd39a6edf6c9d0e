from hearthside.extending.plugins import PluginConfig, PluginMeta


class NeedsSampleConfig(PluginConfig):
    name = "tests.plugin_cases.needs_sample"
    label = "needs_sample"
    meta = PluginMeta(name="Needs sample", version="0.1.0", requires=("sample_plugin",))
