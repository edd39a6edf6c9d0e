from hearthside.extending.plugins import PluginConfig, PluginMeta


class SamplePluginConfig(PluginConfig):
    name = "tests.sample_plugin"
    label = "sample_plugin"
    verbose_name = "Sample plugin"
    url_prefix = "sample"
    meta = PluginMeta(
        name="Sample plugin",
        version="1.0.0",
        description="Greets visitors and counts published pages: a tour of every extension point.",
        default_active=True,
    )

    def ready(self):
        from . import receivers  # noqa: F401

    def installed(self, site):
        from .models import Greeting

        Greeting.objects.get_or_create(site=site, defaults={"text": "Welcome, neighbour!"})

    def uninstalled(self, site):
        from .models import SiteEvent

        SiteEvent.objects.create(site=site, kind="uninstalled")
