"""The emails the comments plugin sends: the confirmation link, reply
notifications with a one-click mute link, and alerts to moderators.

Every link is absolute, built on the page's site, and signed where it acts.
Comment text goes into emails through the same sanitiser as pages.
"""
from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from hearthside.mail import header_text
from hearthside.usertext import plain_text

from .models import CommentState, PageComment


def _absolute(site, path: str) -> str:
    return f"{site.root_url}{path}"


def _send(subject: str, template: str, context: dict, to: list[str], headers: dict | None = None) -> int:
    text = render_to_string(f"comments/email/{template}.txt", context)
    html = render_to_string(f"comments/email/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=header_text(subject),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        headers=headers or {},
    )
    message.attach_alternative(html, "text/html")
    return message.send()


def _context(comment) -> dict:
    from .posting import business_name

    return {
        "comment": comment,
        # The name business replies are signed with, so emails and thread agree.
        "business_name": business_name(comment.wagtail_site),
        "page": comment.page.specific,
        "site": comment.wagtail_site,
        "page_url": comment.page.full_url,
        "comment_url": comment.get_full_url(),
        "excerpt": plain_text(comment.comment)[:300],
    }


def send_confirmation(comment: PageComment) -> None:
    from .posting import confirmation_key

    context = _context(comment) | {
        "confirm_url": _absolute(comment.wagtail_site, reverse("comments:confirm", args=[confirmation_key(comment)])),
        "days": settings.COMMENTS_CONFIRMATION_DAYS,
    }
    _send(f"Confirm your comment on “{comment.page.title}”", "confirm", context, [comment.user_email])


def follower_emails(reply: PageComment) -> list[tuple[str, str]]:
    """(email, name) of everyone in ``reply``'s thread who asked to hear of
    replies, except its author."""
    followers = {}
    rows = (
        PageComment.objects.filter(thread_id=reply.thread_id, followup=True, state=CommentState.APPROVED)
        .exclude(pk=reply.pk)
        .order_by("submit_date")
        .values_list("user_email", "user_name")
    )
    for email, name in rows:
        if email and email.lower() != (reply.user_email or "").lower():
            followers.setdefault(email.lower(), (email, name))
    return list(followers.values())


def send_reply_notifications(reply: PageComment) -> int:
    from .posting import mute_key

    sent = 0
    for email, name in follower_emails(reply):
        mute_url = _absolute(reply.wagtail_site, reverse("comments:mute", args=[mute_key(email, reply.thread_id)]))
        context = _context(reply) | {"name": name, "mute_url": mute_url}
        sent += _send(
            f"New reply on “{reply.page.title}”",
            "reply",
            context,
            [email],
            headers={"List-Unsubscribe": f"<{mute_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
        )
    return sent


def moderator_emails(site) -> list[str]:
    from .rules import rules_for

    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    moderators = users.filter(
        Q(is_superuser=True)
        | Q(user_permissions__codename="moderate_comments", user_permissions__content_type__app_label="comments")
        | Q(groups__permissions__codename="moderate_comments", groups__permissions__content_type__app_label="comments")
    ).distinct()
    found = {email.lower(): email for email in moderators.values_list("email", flat=True)}
    for email in rules_for(site).extra_moderator_emails:
        found.setdefault(email.lower(), email)
    return sorted(found.values())


def send_moderator_alert(comment: PageComment) -> int:
    from .rules import rules_for

    if not rules_for(comment.wagtail_site).notify_moderators:
        return 0
    recipients = moderator_emails(comment.wagtail_site)
    if not recipients:
        return 0
    context = _context(comment) | {
        "queue_url": _absolute(comment.wagtail_site, reverse("comments_admin:queue") + "?state=pending"),
    }
    # One message, everyone in Bcc: moderators need not see each other's addresses.
    text = render_to_string("comments/email/moderators.txt", context)
    html = render_to_string("comments/email/moderators.html", context)
    message = EmailMultiAlternatives(
        subject=f"A comment on “{comment.page.title}” is waiting for approval",
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        bcc=recipients,
    )
    message.attach_alternative(html, "text/html")
    return message.send()
