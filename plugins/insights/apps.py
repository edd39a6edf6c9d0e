from hearthside.extending.plugins import PluginConfig, PluginMeta


class InsightsConfig(PluginConfig):
    name = "plugins.insights"
    label = "insights"
    verbose_name = "Insights"
    meta = PluginMeta(
        name="Insights",
        version="1.0.0",
        description=(
            "Whether the community works: who joined and how they want to be reached, what they talk "
            "about, whether the business answers, and what each update did. Figures come from the other "
            "plugins through hooks."
        ),
        default_active=True,
    )
