from hearthside.extending.plugins import PluginConfig, PluginMeta


class SyndicationConfig(PluginConfig):
    name = "plugins.syndication"
    label = "syndication"
    verbose_name = "Syndication"
    url_prefix = "syndication"
    meta = PluginMeta(
        name="Syndication",
        version="1.0.0",
        description=(
            "What's new follows members home: site, section and topic feeds, and every published page "
            "sent out as an update by email, text message, webhook, private feed, digest or newsletter."
        ),
        default_active=True,
    )

    def ready(self):
        # Hook and signal receivers; feed links in <head>; the Insights dashboard's "Updates" section;
        # the backlog lines of `manage.py queue_status`.
        from . import insights, receivers, slots, status  # noqa: F401
