"""Each site's comment rules, kept in the plugin's per-site configuration
(``PluginActivation.config``), and the decisions they make.

:func:`rules_for` reads them with defaults filled in; :class:`RulesForm`
edits them in the admin; :func:`verdict` decides whether a new comment is
published at once or held, and why.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields

from django import forms
from django.utils import timezone

from hearthside.extending.activation import plugin_config, save_plugin_config
from hearthside.usertext import count_links

from . import hooks
from .models import CommentState, PageComment

PLUGIN = "comments"
MAX_DEPTH_LIMIT = 8


@dataclass(frozen=True)
class CommentRules:
    open_by_default: bool = True
    close_after_days: int | None = None
    max_depth: int = 3
    hold_first_time: bool = True
    auto_approve_known: bool = True
    max_links: int = 2
    blocklist: str = ""
    needs_response_hours: int = 24
    flag_threshold: int = 3
    notify_moderators: bool = True
    moderator_emails: str = ""

    @property
    def blocked_words(self) -> list[str]:
        return [line.strip().lower() for line in self.blocklist.splitlines() if line.strip()]

    @property
    def extra_moderator_emails(self) -> list[str]:
        return [address.strip() for address in re.split(r"[\s,;]+", self.moderator_emails) if address.strip()]


RULE_NAMES = {f.name for f in fields(CommentRules)}


def rules_for(site) -> CommentRules:
    """``site``'s rules; settings it never saved take their defaults."""
    stored = plugin_config(site, PLUGIN) if site is not None else {}
    return CommentRules(**{name: value for name, value in stored.items() if name in RULE_NAMES})


def save_rules(site, rules: CommentRules, user=None) -> None:
    stored = plugin_config(site, PLUGIN)
    save_plugin_config(site, PLUGIN, {**stored, **asdict(rules)}, user=user)


class RulesForm(forms.Form):
    """The Comment rules screen."""

    open_by_default = forms.BooleanField(
        required=False, label="Open comments on new pages",
        help_text="Pages without their own setting take this.",
    )
    close_after_days = forms.IntegerField(
        required=False, min_value=1, max_value=3650, label="Close comments after (days)",
        help_text="Counted from a page's first publication. Empty: never close automatically.",
    )
    max_depth = forms.IntegerField(
        min_value=0, max_value=MAX_DEPTH_LIMIT, label="Reply depth",
        help_text="How deep replies may nest: 0 allows no replies, 1 replies to comments, and so on.",
    )
    hold_first_time = forms.BooleanField(required=False, label="Hold first-time commenters for approval")
    auto_approve_known = forms.BooleanField(
        required=False, label="Approve people with an approved comment at once",
    )
    max_links = forms.IntegerField(
        min_value=0, max_value=50, label="Hold comments with more links than",
    )
    blocklist = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 5}), label="Blocked words",
        help_text="One word or phrase per line; a comment containing any is held.",
    )
    needs_response_hours = forms.IntegerField(
        min_value=1, max_value=24 * 30, label="A comment needs a response after (hours)",
    )
    flag_threshold = forms.IntegerField(
        min_value=1, max_value=100, label="Flags that return a comment to the queue",
    )
    notify_moderators = forms.BooleanField(required=False, label="Email moderators about held comments")
    moderator_emails = forms.CharField(
        required=False, label="Also email", widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Addresses besides the moderators' own, separated by commas or new lines.",
    )

    def clean_moderator_emails(self):
        value = self.cleaned_data["moderator_emails"]
        validator = forms.EmailField()
        for address in CommentRules(moderator_emails=value).extra_moderator_emails:
            try:
                validator.clean(address)
            except forms.ValidationError:
                raise forms.ValidationError(f"“{address}” is not an email address.") from None
        return value

    def to_rules(self) -> CommentRules:
        return CommentRules(**self.cleaned_data)


def page_settings(page):
    """The page's own PageCommentSettings row, or None."""
    cached = getattr(page, "_comment_settings", False)
    if cached is not False:
        return cached
    found = page.comment_settings.first() if hasattr(page, "comment_settings") else None
    page._comment_settings = found
    return found


def closed_reason(page, rules: CommentRules) -> str | None:
    """Why new comments on ``page`` are refused, or None if they are welcome."""
    from .pages import accepts_comments

    if not accepts_comments(type(page)):
        return "This page does not take comments."
    own = page_settings(page)
    is_open = own.comments_open if own is not None else rules.open_by_default
    if not is_open:
        return "Comments are closed on this page."
    days = (own.close_after_days if own is not None else None) or rules.close_after_days
    published = page.first_published_at
    if days and published and timezone.now() > published + timezone.timedelta(days=days):
        return f"Comments closed {days} days after this page was published."
    return None


@dataclass(frozen=True)
class Verdict:
    state: str
    reason: str = ""


def _has_approved_history(comment) -> bool:
    author = {"user_id": comment.user_id} if comment.user_id else {"user_email__iexact": comment.user_email}
    return (
        PageComment.objects.filter(wagtail_site_id=comment.wagtail_site_id, state=CommentState.APPROVED, **author)
        .exclude(pk=comment.pk)
        .exists()
    )


def verdict(comment, rules: CommentRules, spam_check=None) -> Verdict:
    """Publish or hold ``comment`` (an unsaved or unconfirmed PageComment)?
    ``spam_check(comment)`` answers True (spam), False, or None (no answer).

    Holds it for links, blocked words or a spam check first; then approves
    authors with an approved history; then holds first-timers if the site
    says so. Plugins may change the outcome through ``comment_verdict``."""
    text = comment.comment.lower()
    links = count_links(comment.comment)
    blocked = next((word for word in rules.blocked_words if word in text), None)
    spam = False
    if links <= rules.max_links and not blocked and spam_check is not None:
        spam = spam_check(comment)
    if links > rules.max_links:
        decided = Verdict(CommentState.PENDING, f"{links} links (more than {rules.max_links})")
    elif blocked:
        decided = Verdict(CommentState.PENDING, f"contains the blocked word “{blocked}”")
    elif spam:
        decided = Verdict(CommentState.SPAM, "the spam check flagged it")
    elif spam is None:
        decided = Verdict(CommentState.PENDING, "the spam check could not be reached")
    elif rules.auto_approve_known and _has_approved_history(comment):
        decided = Verdict(CommentState.APPROVED)
    elif rules.hold_first_time:
        decided = Verdict(CommentState.PENDING, "first comment from this person")
    else:
        decided = Verdict(CommentState.APPROVED)
    return hooks.comment_verdict.apply(comment.wagtail_site, decided, comment=comment_data(comment))


def comment_data(comment) -> dict:
    """A comment as plain data, for hooks: other plugins never see our models."""
    return {
        "id": comment.pk,
        "page_id": comment.page_id,
        "name": comment.user_name,
        "email": comment.user_email,
        "user_id": comment.user_id,
        "text": comment.comment,
        "state": comment.state,
        "is_business_reply": comment.is_business_reply,
        "parent_id": comment.parent_id if comment.parent_id != comment.pk else None,
        "submitted_at": comment.submit_date,
        "ip_address": comment.ip_address,
    }
