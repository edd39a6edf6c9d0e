"""Posting, confirming and moderating comments: the one place every way in
(the page's form, the API, the admin) goes through, so the rules are the
same everywhere.

Every refusal is a :class:`CommentRejected` with a message fit to show the
visitor, raised before anything is written.
"""
from __future__ import annotations

import hashlib
from functools import partial

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.utils import timezone

from hearthside import pagecache
from hearthside.ratelimit import consume, parse_rate

from . import hooks, tasks
from .models import CommentState, PageComment
from .rules import closed_reason, comment_data, rules_for, verdict
from .spam import is_spam, spam_check_enabled

NAME_MAX_LENGTH = 50
EMAIL_MAX_LENGTH = PageComment._meta.get_field("user_email").max_length
URL_MAX_LENGTH = PageComment._meta.get_field("user_url").max_length
CONFIRM_SALT_SUFFIX = ":confirm"


class CommentRejected(Exception):
    """A comment refused, with the reason for the visitor and the form field
    it concerns (None for the comment as a whole)."""

    status = 400

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class CommentRateLimited(CommentRejected):
    status = 429

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


def check_rate_limits(ip: str | None, email: str) -> None:
    """Count a posting attempt per IP and per email; CommentRateLimited if over."""
    address = (email or "").strip().lower()
    for bucket, key, rate in (
        ("comments-ip", ip or "unknown", settings.COMMENTS_RATE_PER_IP),
        # Hashed: an address can be longer than some caches allow in a key.
        ("comments-email", hashlib.sha256(address.encode()).hexdigest() if address else "", settings.COMMENTS_RATE_PER_EMAIL),
    ):
        if not key:
            continue
        limit, window = parse_rate(rate)
        retry_after = consume(bucket, key, limit, window)
        if retry_after is not None:
            minutes = max(1, round(retry_after / 60))
            raise CommentRateLimited(
                f"You have posted too many comments in a short time. Please try again in about "
                f"{minutes} minute{'s' if minutes != 1 else ''}; nothing was posted.",
                retry_after,
            )


NUL_REFUSED = (
    "Your {what} contains a NUL character (an invisible control character, often pasted in by "
    "accident), which cannot be stored. Please remove it and post again."
)


def _refuse_nul(value: str, what: str, field: str) -> None:
    # PostgreSQL stores no NUL in text: refused here, rather than a database error.
    if "\x00" in value:
        raise CommentRejected(NUL_REFUSED.format(what=what), field)


def _clean_text(text: str) -> str:
    text = (text or "").strip()
    _refuse_nul(text, "comment", "comment")
    if not text:
        raise CommentRejected("Please write a comment before posting.", "comment")
    if len(text) > settings.COMMENT_MAX_LENGTH:
        raise CommentRejected(
            f"Comments can be at most {settings.COMMENT_MAX_LENGTH} characters; this one has {len(text)}.",
            "comment",
        )
    return text


def _clean_author(user, name: str, email: str, url: str) -> tuple[str, str, str]:
    if user is not None and user.is_authenticated:
        full_name = (user.get_full_name() or user.get_username())[:NAME_MAX_LENGTH]
        return full_name, user.email, ""
    name = (name or "").strip()
    if not name:
        raise CommentRejected("Please give your name.", "name")
    _refuse_nul(name, "name", "name")
    if len(name) > NAME_MAX_LENGTH:
        raise CommentRejected(f"Names can be at most {NAME_MAX_LENGTH} characters.", "name")
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise CommentRejected(
            "Please give a valid email address: we send a link to it to confirm your comment.", "email"
        ) from None
    # The validators accept longer addresses than the columns hold (a 500 on PostgreSQL).
    if len(email) > EMAIL_MAX_LENGTH:
        raise CommentRejected(f"Email addresses can be at most {EMAIL_MAX_LENGTH} characters.", "email")
    url = (url or "").strip()
    _refuse_nul(url, "website address", "url")
    if len(url) > URL_MAX_LENGTH:
        raise CommentRejected(f"Your website address can be at most {URL_MAX_LENGTH} characters.", "url")
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            raise CommentRejected("Your website must be a full http:// or https:// address.", "url") from None
    return name, email, url


def _clean_parent(page, parent_id, rules) -> PageComment | None:
    if not parent_id:
        return None
    parent = PageComment.objects.filter(pk=parent_id).first()
    if parent is None or parent.state != CommentState.APPROVED:
        raise CommentRejected("The comment you are replying to does not exist.", "reply_to")
    if parent.page_id != page.pk:
        raise CommentRejected("You can only reply to a comment on the same page.", "reply_to")
    if parent.level + 1 > rules.max_depth:
        if rules.max_depth == 0:
            raise CommentRejected("Replies are turned off on this site.", "reply_to")
        raise CommentRejected(
            f"Replies can nest at most {rules.max_depth} level{'s' if rules.max_depth != 1 else ''} deep; "
            "reply further up the thread.",
            "reply_to",
        )
    return parent


def submit(
    site,
    page,
    *,
    text: str,
    user=None,
    name: str = "",
    email: str = "",
    url: str = "",
    parent_id: int | None = None,
    wants_replies: bool = False,
    ip_address: str | None = None,
    user_agent: str = "",
) -> PageComment:
    """Post a comment on ``page``. A signed-in person's comment is judged by
    the site's rules at once; a visitor's is stored unconfirmed and a
    confirmation link is emailed (judged when they confirm).

    Raises CommentRejected (nothing written) for bad input, a closed page, a
    bad reply target; CommentRateLimited when over the limits."""
    page = page.specific
    rules = rules_for(site)
    text = _clean_text(text)
    reason = closed_reason(page, rules)
    if reason:
        raise CommentRejected(reason)
    name, email, url = _clean_author(user, name, email, url)
    parent = _clean_parent(page, parent_id, rules)
    check_rate_limits(ip_address, email)

    signed_in = user is not None and user.is_authenticated
    comment = PageComment.on(
        page,
        site,
        user=user if signed_in else None,
        user_name=name,
        user_email=email,
        user_url=url,
        comment=text,
        submit_date=timezone.now(),
        ip_address=ip_address or None,
        user_agent=(user_agent or "")[:300],
        followup=bool(wants_replies and email),
        parent_id=parent.pk if parent else 0,
        state=CommentState.UNCONFIRMED,
    )
    with transaction.atomic():
        if signed_in:
            _judge(comment, rules)
            comment.confirmed_at = comment.submit_date
        comment.save()
        if signed_in:
            _after_judgement(comment)
        else:
            transaction.on_commit(partial(tasks.send_confirmation.enqueue, comment.pk))
    return comment


def _judge(comment, rules) -> None:
    decided = verdict(comment, rules, spam_check=is_spam if spam_check_enabled() else None)
    comment.state = decided.state
    comment.held_reason = decided.reason if decided.state != CommentState.APPROVED else ""


def _after_judgement(comment) -> None:
    """Once the transaction commits: tell plugins, purge cached pages, and
    email whoever should hear."""
    transaction.on_commit(partial(_announce_posted, comment.pk))
    if comment.state == CommentState.APPROVED:
        transaction.on_commit(partial(_announce_published, comment.pk))
    elif comment.state == CommentState.PENDING:
        transaction.on_commit(partial(tasks.alert_moderators.enqueue, comment.pk))


def _announce_posted(comment_id: int) -> None:
    comment = PageComment.objects.select_related("page", "wagtail_site").get(pk=comment_id)
    hooks.comment_posted.send(
        comment.wagtail_site,
        page=comment.page.specific,
        comment=comment_data(comment),
        email=comment.user_email,
        name=comment.user_name,
        wants_replies=comment.followup,
    )


def _announce_published(comment_id: int) -> None:
    comment = PageComment.objects.select_related("page", "wagtail_site").get(pk=comment_id)
    pagecache.purge(comment.page_id)
    hooks.comment_published.send(comment.wagtail_site, page=comment.page.specific, comment=comment_data(comment))
    if comment.parent_id != comment.pk:
        tasks.notify_followers.enqueue(comment.pk)


# Signed links ---------------------------------------------------------------


def _salt(purpose: str) -> str:
    salt = settings.COMMENTS_XTD_SALT
    return (salt.decode() if isinstance(salt, bytes) else salt) + purpose


def confirmation_key(comment) -> str:
    return signing.dumps({"c": comment.pk, "e": comment.user_email}, salt=_salt(CONFIRM_SALT_SUFFIX), compress=True)


def confirm(key: str) -> PageComment:
    """Confirm the comment a link from a confirmation email names and judge it.
    Confirming twice is harmless. CommentRejected for a bad or expired link."""
    try:
        payload = signing.loads(
            key,
            salt=_salt(CONFIRM_SALT_SUFFIX),
            max_age=timezone.timedelta(days=settings.COMMENTS_CONFIRMATION_DAYS),
        )
    except signing.SignatureExpired:
        raise CommentRejected(
            f"This confirmation link is more than {settings.COMMENTS_CONFIRMATION_DAYS} days old and has "
            "expired. Please post your comment again."
        ) from None
    except signing.BadSignature:
        raise CommentRejected("This confirmation link is not valid. Please check that you copied all of it.") from None
    with transaction.atomic():
        comment = (
            # of=self: the manager joins the nullable user, and PostgreSQL cannot lock an outer join.
            PageComment.objects.select_for_update(of=("self",))
            .filter(pk=payload.get("c"), user_email=payload.get("e"))
            .first()
        )
        if comment is None:
            raise CommentRejected("The comment this link confirms has been deleted.")
        if comment.state != CommentState.UNCONFIRMED:
            return comment
        _judge(comment, rules_for(comment.wagtail_site))
        comment.confirmed_at = timezone.now()
        comment.save()
        _after_judgement(comment)
    return comment


MUTE_SALT_SUFFIX = ":mute"


def mute_key(email: str, thread_id: int) -> str:
    return signing.dumps({"e": email.lower(), "t": thread_id}, salt=_salt(MUTE_SALT_SUFFIX), compress=True)


def mute(key: str) -> tuple[PageComment | None, int]:
    """Stop reply emails to the address a mute link names, for its thread.
    Returns (the thread's first comment, how many subscriptions ended)."""
    try:
        payload = signing.loads(key, salt=_salt(MUTE_SALT_SUFFIX))
    except signing.BadSignature:
        raise CommentRejected("This link is not valid. Please check that you copied all of it.") from None
    thread = PageComment.objects.filter(thread_id=payload["t"])
    muted = thread.filter(user_email__iexact=payload["e"], followup=True).update(followup=False)
    return thread.filter(pk=payload["t"]).select_related("page").first(), muted


# Moderation -----------------------------------------------------------------

MODERATION_STATES = (CommentState.APPROVED, CommentState.PENDING, CommentState.SPAM, CommentState.REMOVED)


def moderate(comments, state: str, user) -> int:
    """Set ``state`` on each comment in ``comments`` (a queryset) as ``user``.
    Returns how many changed. Comments awaiting confirmation are left alone:
    nobody has verified who wrote them."""
    if state not in MODERATION_STATES:
        raise CommentRejected(f"“{state}” is not a moderation state.")
    changed = 0
    with transaction.atomic():
        locked = comments.select_for_update(of=("self",))  # not the outer-joined user (PostgreSQL)
        for comment in locked.exclude(state__in=[state, CommentState.UNCONFIRMED]):
            was_visible = comment.state == CommentState.APPROVED
            comment.state = state
            comment.held_reason = "" if state == CommentState.APPROVED else comment.held_reason
            comment.moderated_at = timezone.now()
            comment.moderated_by = user
            comment.save()
            changed += 1
            if state == CommentState.APPROVED:
                transaction.on_commit(partial(_announce_published, comment.pk))
            elif was_visible:
                transaction.on_commit(partial(pagecache.purge, comment.page_id))
    return changed


def business_name(site) -> str:
    from hearthside.models import SiteBranding

    branding = SiteBranding.for_site(site)
    return (getattr(branding, "brand_name", "") or site.site_name or "The team")[:NAME_MAX_LENGTH]


def reply_as_business(parent: PageComment, text: str, user) -> PageComment:
    """Post ``text`` as the business's answer to ``parent`` (published at once,
    marked as a business reply), and mark the comments above it answered."""
    text = _clean_text(text)
    rules = rules_for(parent.wagtail_site)
    if parent.state != CommentState.APPROVED:
        raise CommentRejected("Approve this comment before replying to it: replies to hidden comments are not shown.")
    if parent.level + 1 > max(rules.max_depth, 1):
        raise CommentRejected("This thread is as deep as the site allows; reply to a comment further up.")
    page = parent.page.specific
    now = timezone.now()
    with transaction.atomic():
        reply = PageComment.on(
            page,
            parent.wagtail_site,
            user=user,
            user_name=business_name(parent.wagtail_site),
            user_email=user.email or settings.DEFAULT_FROM_EMAIL,
            comment=text,
            submit_date=now,
            parent_id=parent.pk,
            state=CommentState.APPROVED,
            is_business_reply=True,
            confirmed_at=now,
            answered_at=now,
        )
        reply.save()
        ancestors = _ancestor_ids(reply)
        PageComment.objects.filter(pk__in=ancestors, answered_at__isnull=True).update(answered_at=now)
        transaction.on_commit(partial(_announce_published, reply.pk))
    return reply


def _ancestor_ids(comment) -> list[int]:
    in_thread = dict(PageComment.objects.filter(thread_id=comment.thread_id).values_list("pk", "parent_id"))
    found, current = [], comment.parent_id
    while current and current not in found:
        found.append(current)
        parent = in_thread.get(current)
        current = parent if parent != current else None
    return found


def mark_answered(comments) -> int:
    """Take comments off the "needs a response" list without replying."""
    return comments.filter(answered_at__isnull=True).update(answered_at=timezone.now())


# Reactions and flags ----------------------------------------------------------


def _visible(comment_id: int) -> PageComment:
    comment = PageComment.objects.filter(pk=comment_id, state=CommentState.APPROVED).select_related("wagtail_site").first()
    if comment is None:
        raise CommentRejected("There is no such comment.")
    return comment


def toggle_like(comment_id: int, user) -> tuple[bool, int]:
    """Like ``comment_id`` as ``user``, or take the like back. Returns
    (liked now, number of likes)."""
    from django_comments.models import CommentFlag
    from django_comments_xtd.models import LIKEDIT_FLAG

    comment = _visible(comment_id)
    with transaction.atomic():
        flag, created = CommentFlag.objects.get_or_create(comment=comment, user=user, flag=LIKEDIT_FLAG)
        if not created:
            flag.delete()
    transaction.on_commit(partial(pagecache.purge, comment.page_id))
    return created, CommentFlag.objects.filter(comment=comment, flag=LIKEDIT_FLAG).count()


def flag_for_removal(comment_id: int, user) -> bool:
    """Flag a comment as ``user``. Past the site's threshold the comment goes
    back to the moderation queue. Returns whether it went back."""
    from django_comments.models import CommentFlag

    comment = _visible(comment_id)
    threshold = rules_for(comment.wagtail_site).flag_threshold
    with transaction.atomic():
        CommentFlag.objects.get_or_create(comment=comment, user=user, flag=CommentFlag.SUGGEST_REMOVAL)
        flags = CommentFlag.objects.filter(comment=comment, flag=CommentFlag.SUGGEST_REMOVAL).count()
        if flags < threshold:
            return False
        # Locked and saved, not updated in bulk: save() keeps is_public in step with the state.
        held = PageComment.objects.select_for_update(of=("self",)).filter(pk=comment.pk).approved().first()
        if held is None:
            return False
        held.state = CommentState.PENDING
        held.held_reason = f"flagged by {flags} people"
        held.save()
        transaction.on_commit(partial(pagecache.purge, held.page_id))
        transaction.on_commit(partial(tasks.alert_moderators.enqueue, comment.pk))
    return True
