from hearthside.extending.plugins import PluginConfig, PluginMeta


class PollsConfig(PluginConfig):
    name = "plugins.polls"
    label = "polls"
    verbose_name = "Polls"
    url_prefix = "polls"
    meta = PluginMeta(
        name="Polls",
        version="1.0.0",
        description=(
            "Questions with no right answer, to get people talking: a question block for any page and a "
            "question page, one vote per member or browser, results after voting or closing."
        ),
        default_active=True,
    )

    def ready(self):
        # Demo polls; the Insights section; receivers (members' erasures, page-cache purges).
        from . import demo, insights, receivers  # noqa: F401
