"""What the members plugin adds to themes: the compact "Hear from us"
signup in every page's footer.

It gives the same content as data (the pages API returns it under
``meta.slots["site.footer"]``) and as HTML. It costs two queries on a
page (the plugin's settings and the topics), none more when the footer, a
signup block and the API ask on the same request.
"""
from __future__ import annotations

from django.urls import reverse
from wagtail.models import Site

from hearthside.extending import slots

from .forms import SignupEntries, SignupForm, offer_for

FOOTER_PREFIX = "members-footer"


def _on_members_page(request) -> bool:
    # The plugin's own pages have the full form, or none is wanted (the
    # preference centre): a second signup form in the footer would confuse.
    match = getattr(request, "resolver_match", None)
    return match is not None and match.namespace == "members"


def footer_form(request, page=None) -> SignupForm | None:
    """The footer's form for this request, or None where it is not shown."""
    site = Site.find_for_request(request)
    if site is None or _on_members_page(request):
        return None
    offer = offer_for(request, site)
    if not offer.footer_form or offer.channel("email") is None:
        return None
    page_id = str(page.pk) if page is not None and getattr(page, "pk", None) else ""
    entries = SignupEntries(origin="footer", page_id=page_id, channels=["email"])
    return SignupForm(
        offer, entries, prefix=FOOTER_PREFIX, channel_keys={"email"}, topic_slugs=set(), asks_name=False
    )


def more_options_url(page_id: str) -> str:
    url = reverse("members:signup")
    return f"{url}?page={page_id}" if page_id else url


@slots.site_footer.contribute(priority=50)
class FooterSignup(slots.SlotComponent):
    """Email address and one button; "more options" leads to the full signup page."""

    template_name = "members/footer_signup.html"

    def data(self, request, page=None, **kwargs):
        form = footer_form(request, page)
        if form is None:
            return None
        email = form.offer.channel("email")
        return {
            "heading": form.offer.heading,
            "intro": form.offer.intro,
            "form": form.as_data(),
            # Everything the full signup page offers, for a front end that shows more.
            "channels": [channel.as_dict() for channel in form.offer.channels],
            "topics": [topic.as_dict() for topic in form.offer.topics],
            "consent_wording": email.wording,
            "more_options_url": more_options_url(form.entries.page_id),
            "preferences_url": reverse("members:access"),
        }

    def render(self, request, data, page=None, **kwargs):
        form = footer_form(request, page)
        return super().render(request, {**data, "signup_form": form}, page=page, **kwargs)
