from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from hearthside.themes.current import theme_choices


@register_setting(icon="site")
class SiteBranding(BaseSiteSetting):
    """Who the business is, how to reach it, and how its site looks."""

    brand_name = models.CharField(max_length=100, blank=True, help_text="Defaults to the site name.")
    logo = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tagline = models.CharField(max_length=200, blank=True, help_text="The brand promise, in a line.")
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    address = models.TextField(blank=True)
    opening_hours = models.TextField(blank=True)
    facebook_url = models.URLField(blank=True)
    instagram_url = models.URLField(blank=True)
    linkedin_url = models.URLField(blank=True)
    youtube_url = models.URLField(blank=True)
    mastodon_url = models.URLField(blank=True)
    x_url = models.URLField("X (Twitter) URL", blank=True)
    theme = models.CharField(
        max_length=100,
        choices=theme_choices,
        default="hearth",
        help_text="How the site looks. Takes effect on the next page view.",
    )

    panels = [
        MultiFieldPanel(
            [FieldPanel("brand_name"), FieldPanel("logo"), FieldPanel("tagline")], "Brand"
        ),
        MultiFieldPanel(
            [FieldPanel("email"), FieldPanel("phone"), FieldPanel("address"), FieldPanel("opening_hours")],
            "Contact",
        ),
        MultiFieldPanel(
            [
                FieldPanel("facebook_url"),
                FieldPanel("instagram_url"),
                FieldPanel("linkedin_url"),
                FieldPanel("youtube_url"),
                FieldPanel("mastodon_url"),
                FieldPanel("x_url"),
            ],
            "Social links",
        ),
        FieldPanel("theme"),
    ]

    class Meta:
        verbose_name = "Site settings"

    @property
    def display_name(self) -> str:
        return self.brand_name or (self.site.site_name if self.site_id else "") or "Hearthside"

    @property
    def social_links(self) -> list[tuple[str, str]]:
        """(network, url) for each social profile that is filled in."""
        networks = [
            ("Facebook", self.facebook_url),
            ("Instagram", self.instagram_url),
            ("LinkedIn", self.linkedin_url),
            ("YouTube", self.youtube_url),
            ("Mastodon", self.mastodon_url),
            ("X", self.x_url),
        ]
        return [(name, url) for name, url in networks if url]
