from django.db import models
from wagtail.models import Site


class PluginActivation(models.Model):
    """Whether one plugin is active on one site, and its per-site settings."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="plugin_activations")
    plugin = models.CharField(max_length=100, help_text="The plugin's app label.")
    active = models.BooleanField(default=False)
    config = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "plugin"], name="unique_plugin_per_site")
        ]
        ordering = ["site", "plugin"]
        permissions = [("manage_plugins", "Can activate and deactivate plugins")]

    def __str__(self):
        state = "active" if self.active else "inactive"
        return f"{self.plugin} on {self.site.hostname}: {state}"
