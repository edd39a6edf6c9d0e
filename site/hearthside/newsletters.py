"""Pages sent as newsletters, through wagtail-newsletter.

:class:`NewsletterPage` is wagtail-newsletter's ``NewsletterPageMixin`` (the
page editor's "Newsletter" tab: recipients, subject, save, test, send,
schedule and the report) with what a Hearthside business needs: the email
template ``hearthside/newsletter/<page type>.html`` (a theme may override
it), the business's own name and address as sender, and the right to send
given by the right to publish the page.

Which service sends is the WAGTAIL_NEWSLETTER_CAMPAIGN_BACKEND setting: the
syndication plugin's own backend, which sends to the site's members through
its outbox. Without that plugin installed, :class:`UnavailableCampaignBackend`
keeps the tab working and says why nothing can be sent.
"""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.text import camel_case_to_spaces
from wagtail_newsletter.campaign_backends import CampaignBackend, CampaignBackendError
from wagtail_newsletter.models import NewsletterPageMixin


class NewsletterPage(NewsletterPageMixin):
    """Mix into a page type (before its Page base) to send it as a newsletter."""

    class Meta:
        abstract = True

    def get_newsletter_template(self) -> str:
        name = camel_case_to_spaces(type(self).__name__).replace(" ", "_")
        return getattr(self, "newsletter_template", None) or f"hearthside/newsletter/{name}.html"

    def _branding(self):
        from hearthside.models import SiteBranding

        site = self.get_site()
        return SiteBranding.for_site(site) if site is not None else None

    def get_newsletter_context(self) -> dict[str, Any]:
        """What the template gets besides ``page``: the business and the page's
        addresses. The sender fills ``greeting``, ``unsubscribe_url`` and
        ``preferences_url`` for each recipient; a preview leaves them out."""
        site = self.get_site()
        branding = self._branding()
        image = getattr(self, "feature_image", None)
        root = site.root_url if site is not None else ""
        return {
            **super().get_newsletter_context(),
            "site": site,
            "business": branding.display_name if branding is not None else settings.WAGTAIL_SITE_NAME,
            "url": self.get_full_url() or "",
            "image_url": root + image.get_rendition("width-1200").url if image is not None else "",
        }

    def get_newsletter_from_name(self) -> str:
        branding = self._branding()
        return branding.display_name if branding is not None else settings.WAGTAIL_SITE_NAME

    def get_newsletter_reply_to(self) -> str:
        """Replies go to the business's own address (Site settings), else to
        the address mail is sent from."""
        branding = self._branding()
        return (branding.email if branding is not None else "") or settings.DEFAULT_FROM_EMAIL

    def has_newsletter_permission(self, user, action) -> bool:
        # wagtail-newsletter asks for a model-wide "publish" permission, which
        # only superusers have; in Hearthside whoever may publish the page may send it.
        return bool(user and user.is_active and self.permissions_for_user(user).can_publish())


class UnavailableCampaignBackend(CampaignBackend):
    """Stands in when no plugin sends newsletters: nothing to choose, and
    every action refused with the reason."""

    name = "Hearthside"
    REASON = (
        "Newsletters are sent by the syndication plugin, which is not installed here. "
        "Install it (remove it from HEARTHSIDE_PLUGINS_EXCLUDE) to send this page."
    )

    def get_audiences(self):
        return []

    def get_audience_segments(self, audience_id):
        return []

    def get_campaign(self, campaign_id):
        return None

    def _refuse(self, *args, **kwargs):
        raise CampaignBackendError(self.REASON)

    save_campaign = send_test_email = send_campaign = schedule_campaign = unschedule_campaign = _refuse
