"""The signup form as a block editors can place in any page's body.

The core appends ``body_blocks`` to every Hearthside page type's body
(hearthside.extending.blocks); as a PluginBlock it renders nothing, on the
page and in the pages API, while the members plugin is inactive on the
page's site. It posts to the same signup view as the signup page and the
footer, marked as coming from a block on its page.

Page models import this module while apps load, before the members models
are ready, so the models are imported inside the methods.
"""
from __future__ import annotations

import itertools

from wagtail import blocks

from hearthside.extending.blocks import PluginBlock

# Element ids must be unique on a page that holds several blocks (and the footer form).
_fallback_numbers = itertools.count(1)


def topic_slugs(text: str) -> list[str]:
    """The slugs an editor listed, in their order: "baking, offers" -> ["baking", "offers"]."""
    return list(dict.fromkeys(slug.strip() for slug in (text or "").replace(";", ",").split(",") if slug.strip()))


def _next_prefix(request) -> str:
    if request is None:
        return f"members-block-{next(_fallback_numbers)}"
    request._members_blocks = number = getattr(request, "_members_blocks", 0) + 1
    return f"members-block-{number}"


class SignupBlock(PluginBlock):
    heading = blocks.CharBlock(
        required=False,
        max_length=120,
        help_text="Leave empty to use the signup heading from the Members settings.",
    )
    intro = blocks.TextBlock(
        required=False,
        max_length=500,
        help_text="A sentence or two on what people will get. Leave empty to use the Members settings' intro.",
    )
    offer_sms = blocks.BooleanBlock(required=False, label="Also offer text messages")
    offer_rss = blocks.BooleanBlock(required=False, label="Also offer a private RSS feed")
    offer_webhook = blocks.BooleanBlock(required=False, label="Also offer a webhook")
    topics = blocks.CharBlock(
        required=False,
        max_length=500,
        label="Topics",
        help_text=(
            "Only offer these topics, ticked in advance: their slugs, separated by commas "
            "(e.g. “baking, offers”). Leave empty to offer every topic."
        ),
    )
    button_label = blocks.CharBlock(max_length=40, default="Sign up")

    class Meta:
        icon = "mail"
        label = "Signup form"
        template = "members/blocks/signup.html"
        help_text = "Email is always offered; tick the other channels this form should offer too."

    # --- what the block shows ---

    @staticmethod
    def channel_keys(value) -> set[str]:
        keys = {"email"}
        for key in ("sms", "rss", "webhook"):
            if value.get(f"offer_{key}"):
                keys.add(key)
        return keys

    def signup_form(self, value, *, request, site, page=None):
        """The block's form: its channels and topics, marked as from this page's block."""
        from .forms import SignupEntries, SignupForm, offer_for

        offer = offer_for(request, site)
        slugs = topic_slugs(value.get("topics", ""))
        restricted = set(slugs) if slugs else None
        entries = SignupEntries(
            origin="block",
            page_id=str(page.pk) if page is not None and getattr(page, "pk", None) else "",
            # Topics the editor named are ticked: a block on the baking page is for baking news.
            topics=slugs,
            channels=[],
        )
        return SignupForm(
            offer, entries, prefix=_next_prefix(request), channel_keys=self.channel_keys(value), topic_slugs=restricted
        )

    @staticmethod
    def _site(request, page):
        from wagtail.models import Site

        if request is not None:
            return Site.find_for_request(request)
        return page.get_site() if page is not None else None

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        request, page = context.get("request"), context.get("page")
        site = self._site(request, page)
        form = self.signup_form(value, request=request, site=site, page=page) if site is not None else None
        context.update(
            signup_form=form,
            heading=value.get("heading") or (form.offer.heading if form else ""),
            intro=value.get("intro") or (form.offer.intro if form else ""),
            button_label=value.get("button_label") or "Sign up",
        )
        return context

    def render(self, value, context=None):
        if self._site((context or {}).get("request"), (context or {}).get("page")) is None:
            return ""
        return super().render(value, context)

    def get_api_representation(self, value, context=None):
        representation = super().get_api_representation(value, context)
        if representation is None:  # the plugin is inactive on this site
            return None
        request = (context or {}).get("request")
        site = self._site(request, None)
        if site is None:
            return representation
        form = self.signup_form(value, request=request, site=site)
        return {
            **representation,
            # What the block shows, with the site's texts filled in, and how to
            # send it: set fields.page to the id of the page it is shown on.
            "shown": {
                "heading": value.get("heading") or form.offer.heading,
                "intro": value.get("intro") or form.offer.intro,
                "button_label": value.get("button_label") or "Sign up",
            },
            "form": form.as_data(),
        }


body_blocks = [("member_signup", SignupBlock())]
