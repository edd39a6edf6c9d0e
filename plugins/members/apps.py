from hearthside.extending.plugins import PluginConfig, PluginMeta


class MembersConfig(PluginConfig):
    name = "plugins.members"
    label = "members"
    verbose_name = "Members"
    url_prefix = "members"
    meta = PluginMeta(
        name="Members",
        version="1.0.0",
        description=(
            "People who asked to hear from the business: double opt-in signup, channels and topics, "
            "consent records and a preference centre without passwords."
        ),
        default_active=True,
    )

    def ready(self):
        # Hook receivers (our own and other plugins' hooks: insights, polls); the footer signup component.
        from . import insights, polls, receivers, slots  # noqa: F401
