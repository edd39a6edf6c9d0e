"""What one update or digest says on each channel, built once per worker
run and shared by every recipient: the email (rendered lazily, only if
an email is sent), the text message and the webhook's JSON. A newsletter
(NewsletterContent) is its page's newsletter email, with each member's
tracking links when the update counts opens and clicks."""
from __future__ import annotations

from dataclasses import replace
from functools import cached_property

from . import channels, emails


class UpdateContent:
    def __init__(self, update):
        self.update = update
        self.page = update.page.specific if update.page_id else None

    @cached_property
    def rendered(self) -> emails.Rendered:
        return emails.render_update(self.update)

    def message(self, contact: dict, item=None):
        return self.rendered.message(contact)

    def wire(self, contact: dict, item=None):
        return self.rendered.wire(contact)

    @cached_property
    def url(self) -> str:
        return self.page.get_full_url() if self.page is not None else self.update.site.root_url + "/"

    @cached_property
    def sms_text(self) -> str:
        return channels.sms_text(self.update.title, self.url, emails.business_name(self.update.site))

    @cached_property
    def webhook_payload(self) -> dict:
        page = self.page
        return {
            "type": "update",
            "update_id": self.update.pk,
            "site": self.update.site.root_url,
            "title": self.update.title,
            "url": self.url,
            "summary": (getattr(page, "summary", "") or getattr(page, "search_description", "")) if page else "",
            "published_at": page.first_published_at.isoformat() if page and page.first_published_at else None,
            "page_id": page.pk if page else None,
            "image": emails.image_url(page) if page else "",
        }


class NewsletterContent(UpdateContent):
    """A newsletter: the HTML wagtail-newsletter's template gives the page
    as its campaign was saved (newsletter.campaign_page)."""

    @cached_property
    def rendered(self) -> emails.Rendered:
        from .newsletter import campaign_page

        return emails.render_newsletter(self.update, campaign_page(self.update))

    @cached_property
    def tracked(self):
        from . import tracking

        return tracking.prepare(self.rendered.html) if self.update.track else None

    def message(self, contact: dict, item=None):
        rendered = self.rendered
        if self.tracked is not None and item is not None and item.member_id is not None:
            html = self.tracked.for_member(self.update.site.root_url, self.update.pk, item.member_id)
            rendered = replace(rendered, html=html)
        return rendered.message(contact)

    def wire(self, contact: dict, item=None):
        # Tracked links differ per member: those messages take the full path.
        return None if self.tracked is not None else self.rendered.wire(contact)


def content_for(update) -> UpdateContent:
    """The content class ``update``'s kind calls for."""
    from .models import UpdateKind

    return NewsletterContent(update) if update.kind == UpdateKind.NEWSLETTER else UpdateContent(update)


class DigestContent:
    def __init__(self, site, frequency: str, pages: list):
        self.site, self.frequency, self.pages = site, frequency, pages

    @cached_property
    def rendered(self) -> emails.Rendered:
        return emails.render_digest(self.site, self.frequency, self.pages)

    def message(self, contact: dict, item=None):
        return self.rendered.message(contact)

    def wire(self, contact: dict, item=None):
        return self.rendered.wire(contact)
