from hearthside.extending.plugins import PluginConfig, PluginMeta


class LoopBConfig(PluginConfig):
    name = "tests.plugin_cases.loop_b"
    label = "loop_b"
    meta = PluginMeta(name="Loop B", version="1.0", requires=("loop_a",))
