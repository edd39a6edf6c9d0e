from django.db import models
from wagtail.models import Page, Site


class Greeting(models.Model):
    """The text the plugin shows after each page's body, per site."""

    site = models.OneToOneField(Site, on_delete=models.CASCADE)
    text = models.CharField(max_length=200)


class SiteEvent(models.Model):
    """What the plugin heard: published pages and its own uninstalls."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE)
    kind = models.CharField(max_length=40)
    page_id = models.IntegerField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)


class SamplePage(Page):
    """A page type the plugin provides: served only while the plugin is active."""

    template = "sample_plugin/sample_page.html"
