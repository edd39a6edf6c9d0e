"""What the comments plugin adds to themes: a page's conversation after its
body, and a comment count on listing cards.

Both components give the same content as data (the pages API returns it
under ``meta.slots``) and as HTML. A page's conversation costs the same
handful of queries however many comments it has.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from wagtail.models import Page, Site

from hearthside.extending import slots

from .forms import HONEYPOT_FIELD, PageCommentForm, min_seconds_to_post
from .pages import accepts_comments
from .rules import closed_reason, rules_for
from .threads import comment_counts, thread_page

PAGE_PARAM = "comments_page"


def _specific(page):
    # Theme templates pass specific pages; a plain Page would cost a query per use.
    return page.specific if type(page) is Page else page


def _takes_comments(page) -> bool:
    return page is not None and isinstance(page, Page) and accepts_comments(page.specific_class or type(page))


def _requested_page_number(request) -> int:
    try:
        return max(1, int(request.GET.get(PAGE_PARAM, 1)))
    except (TypeError, ValueError):
        return 1


def _signed_in_user(request):
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def feed_urls(page_id: int) -> dict:
    return {
        "rss": reverse("comments:page-feed-rss", args=[page_id]),
        "atom": reverse("comments:page-feed-atom", args=[page_id]),
        "site_rss": reverse("comments:feed-rss"),
        "site_atom": reverse("comments:feed-atom"),
    }


def form_data(form: PageCommentForm, page_id: int) -> dict:
    """How to post a comment on the page without the theme: where, which
    hidden fields to send back, and which to ask for."""
    asks = ["name", "email", "url", "comment", "followup"] if form.asks_identity else ["comment", "followup"]
    return {
        "action": reverse("comments:post", args=[page_id]),
        "method": "post",
        "fields": {**dict(form.security_data), "reply_to": 0, HONEYPOT_FIELD: ""},
        "asks_for": asks,
        "honeypot_field": HONEYPOT_FIELD,
        "csrf_required": not form.asks_identity,
        "min_seconds_to_post": min_seconds_to_post(),
        "max_length": settings.COMMENT_MAX_LENGTH,
    }


@slots.page_after_body.contribute(priority=50)
class CommentThread(slots.SlotComponent):
    """The page's comments, newest threads last, with reply and comment forms."""

    template_name = "comments/thread.html"

    def data(self, request, page=None, **kwargs):
        if not _takes_comments(page):
            return None
        page = _specific(page)
        site = Site.find_for_request(request)
        rules = rules_for(site)
        reason = closed_reason(page, rules)
        user = _signed_in_user(request)
        threads = thread_page(
            page, max_depth=rules.max_depth, number=_requested_page_number(request), user=user
        )
        form = PageCommentForm(page, user=user) if reason is None else None
        return {
            "page_id": page.pk,
            "open": reason is None,
            "closed_reason": reason,
            "comment_count": threads.comment_count,
            "threads": threads.threads,
            "pagination": {
                "number": threads.number,
                "page_count": threads.page_count,
                "per_page": threads.per_page,
                "thread_count": threads.thread_count,
                "has_previous": threads.has_previous,
                "has_next": threads.has_next,
                "param": PAGE_PARAM,
            },
            "max_depth": rules.max_depth,
            "form": form_data(form, page.pk) if form is not None else None,
            "signed_in": user is not None,
            "user": {"name": user.get_full_name() or user.get_username()} if user is not None else None,
            "feeds": feed_urls(page.pk),
        }

    def render(self, request, data, page=None, **kwargs):
        page = _specific(page)
        form = PageCommentForm(page, user=_signed_in_user(request)) if data["open"] else None
        context = {
            **kwargs,
            **data,
            "page": page,
            "request": request,
            "form": form,
            "post_url": data["form"]["action"] if data["form"] else "",
            "page_links": _page_links(data["pagination"]),
        }
        replies_open = form is not None
        context["threads"] = [_for_display(node, replies_open) for node in data["threads"]]
        return render_to_string(self.template_name, context, request=request)


def _for_display(node: dict, replies_open: bool) -> dict:
    """A copy of a thread node with what the template needs on top of the
    JSON: the date as a datetime, and whether to link to its reply form."""
    return {
        **node,
        "submitted": datetime.fromisoformat(node["submitted_at"]),
        "takes_reply": replies_open and node["can_reply"],
        "replies": [_for_display(reply, replies_open) for reply in node["replies"]],
    }


def _page_links(pagination: dict) -> list[dict]:
    param = pagination["param"]
    return [
        {"number": number, "url": f"?{param}={number}#comments", "current": number == pagination["number"]}
        for number in range(1, pagination["page_count"] + 1)
    ]


@slots.card_meta.contribute(priority=50)
class CommentCount(slots.SlotComponent):
    """ "3 comments" on a page's card in listings."""

    template_name = "comments/card_count.html"

    def data(self, request, page=None, **kwargs):
        if not _takes_comments(page):
            return None
        count = getattr(page, "comment_count", None)
        if count is None:  # a listing that did not run the listing_pages hook
            count = comment_counts([page.pk]).get(page.pk, 0)
        return {"count": count}
