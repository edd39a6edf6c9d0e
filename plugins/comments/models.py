"""Comments on pages.

A :class:`PageComment` is django-comments-xtd's threaded comment (thread,
parent, level and order come from XtdComment) plus what Hearthside needs:
the page and Wagtail Site it belongs to, a moderation state, and whether it
is the business answering. ``is_public``/``is_removed`` mirror the state so
django-comments' own tools keep working.
"""
from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django_comments_xtd.models import XtdComment, XtdCommentManager
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel

MODERATE_PERMISSION = "comments.moderate_comments"


class CommentState(models.TextChoices):
    UNCONFIRMED = "unconfirmed", "Awaiting email confirmation"
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    SPAM = "spam", "Spam"
    REMOVED = "removed", "Removed"


class PageCommentQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(state=CommentState.APPROVED)

    def on_page(self, page):
        return self.filter(page_id=page.pk)

    def on_site(self, site):
        return self.filter(wagtail_site_id=site.pk)

    def needing_response(self, site, hours: int):
        """Visitors' approved comments on ``site`` older than ``hours`` that no
        business reply answers yet, oldest first."""
        cutoff = timezone.now() - timezone.timedelta(hours=hours)
        return (
            self.on_site(site)
            .approved()
            .filter(is_business_reply=False, answered_at__isnull=True, submit_date__lte=cutoff)
            .order_by("submit_date", "pk")
        )


class PageCommentManager(XtdCommentManager.from_queryset(PageCommentQuerySet)):
    pass


class PageComment(XtdComment):
    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    wagtail_site = models.ForeignKey("wagtailcore.Site", on_delete=models.CASCADE, related_name="+")
    state = models.CharField(
        max_length=12, choices=CommentState.choices, default=CommentState.PENDING, db_index=True
    )
    held_reason = models.CharField(
        max_length=200, blank=True, help_text="Why the rules held this comment for a moderator."
    )
    is_business_reply = models.BooleanField(default=False)
    # When a business reply below this comment was posted (or a moderator
    # marked it as needing none): the "needs a response" list leaves it out.
    answered_at = models.DateTimeField(null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user_agent = models.CharField(max_length=300, blank=True)

    objects = PageCommentManager()

    class Meta:
        verbose_name = "comment"
        permissions = [("moderate_comments", "Can moderate comments and reply as the business")]
        indexes = [
            models.Index(fields=["page", "state"], name="comments_page_state"),
            models.Index(fields=["wagtail_site", "state"], name="comments_site_state"),
        ]

    def __str__(self):
        return f"{self.user_name or 'Someone'} on “{self.page.title}”"

    @classmethod
    def on(cls, page, site, **fields) -> PageComment:
        """An unsaved comment on ``page`` (specific) of ``site``, with
        django-comments' generic target fields filled in."""
        return cls(
            content_type=ContentType.objects.get_for_model(page),
            object_pk=str(page.pk),
            site_id=settings.SITE_ID,
            page=page,
            wagtail_site=site,
            **fields,
        )

    def save(self, *args, **kwargs):
        self.is_public = self.state == CommentState.APPROVED
        self.is_removed = self.state in (CommentState.SPAM, CommentState.REMOVED)
        if self.pk is None and not self.parent_id:
            # A new thread. django-comments-xtd saves it twice to learn its id
            # for parent_id and thread_id (an UPDATE of each of its three
            # tables); _save_table writes them with the xtd row instead.
            self._starts_thread = True
            try:
                super(XtdComment, self).save(*args, **kwargs)
            finally:
                self._starts_thread = False
            return
        super().save(*args, **kwargs)

    def _save_table(self, raw=False, cls=None, *args, **kwargs):
        if cls is XtdComment and getattr(self, "_starts_thread", False):
            # Django inserts the tables parent first: the django_comments row,
            # so the id, exists by now, and the thread is its own.
            self.parent_id = self.thread_id = self.id
        return super()._save_table(raw, cls, *args, **kwargs)

    @property
    def anchor(self) -> str:
        return f"comment-{self.pk}"

    def get_absolute_url(self):
        return f"{self.page.url}#{self.anchor}"

    def get_full_url(self):
        return f"{self.page.full_url}#{self.anchor}"


class PageCommentSettings(models.Model):
    """One page's own comment settings, edited in its Comments panel. A page
    without a row follows its site's rules."""

    page = ParentalKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="comment_settings")
    comments_open = models.BooleanField(
        default=True, help_text="Untick to stop new comments; existing ones stay visible."
    )
    close_after_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Close comments this many days after the page was first published. "
        "Empty follows the site's comment rules.",
    )

    panels = [FieldPanel("comments_open"), FieldPanel("close_after_days")]

    class Meta:
        verbose_name = "comment settings"
        verbose_name_plural = "comment settings"
        constraints = [models.UniqueConstraint(fields=["page"], name="comments_one_settings_per_page")]
