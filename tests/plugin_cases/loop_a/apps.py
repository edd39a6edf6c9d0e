from hearthside.extending.plugins import PluginConfig, PluginMeta


class LoopAConfig(PluginConfig):
    name = "tests.plugin_cases.loop_a"
    label = "loop_a"
    meta = PluginMeta(name="Loop A", version="1.0", requires=("loop_b",))
