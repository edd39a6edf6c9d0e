"""The outbox: updates, and one delivery row per (update, member, channel).

Rows are the truth; tasks only wake the workers that send them
(outbox.py). Members are referred to by id only: their tables belong to
the members plugin, which answers for them through hooks.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class UpdateKind(models.TextChoices):
    PAGE = "page", "Page update"
    NEWSLETTER = "newsletter", "Newsletter"


class UpdateStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Waiting to go out"
    HELD = "held", "Held by an editor"
    CANCELLED = "cancelled", "Cancelled"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    PROBLEM = "problem", "Needs attention"


class Update(models.Model):
    """One page (or newsletter) going out to everyone who wants it."""

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.CASCADE, related_name="+")
    page = models.ForeignKey("wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=20, choices=UpdateKind.choices, default=UpdateKind.PAGE)
    # 1 for the first publish; "send update again" adds the next.
    sequence = models.PositiveIntegerField(default=1)
    title = models.CharField(max_length=255, help_text="The email subject and the update's headline.")
    status = models.CharField(max_length=20, choices=UpdateStatus.choices, default=UpdateStatus.SCHEDULED)
    send_at = models.DateTimeField(default=timezone.now, help_text="When it goes out, unless held or cancelled.")
    # Newsletters: {"audience": id, "segment": id or None}; page updates: None (topics decide).
    audience = models.JSONField(null=True, blank=True)
    channels = models.JSONField(null=True, blank=True, help_text="Channel keys to send on; empty means every channel.")
    track = models.BooleanField(default=False, help_text="Count opens and clicks (newsletters, when the site allows it).")
    problem = models.TextField(blank=True, help_text="Why it cannot go out, for the editor.")
    recipient_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    fanned_out_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["page", "kind", "sequence"], name="syndication_update_once_per_page_sequence"
            )
        ]
        indexes = [models.Index(fields=["status", "send_at"])]

    def __str__(self):
        return self.title


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    DIGEST = "digest", "Waiting for the digest"
    FAILED = "failed", "Failed"
    BOUNCED = "bounced", "Bounced"
    SKIPPED = "skipped", "Skipped (unsubscribed or suppressed)"
    CANCELLED = "cancelled", "Cancelled"


class OutboxRow(models.Model):
    """What every row workers claim and send has: its state, its retries
    and who holds it."""

    member_id = models.PositiveIntegerField()
    channel = models.CharField(max_length=40)
    status = models.CharField(max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # A worker holds a row until its lease runs out; a dead worker's rows go back to the queue then.
    claimed_by = models.CharField(max_length=64, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # What the provider calls the message, to match its bounce reports.
    message_id = models.CharField(max_length=255, blank=True, db_index=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        abstract = True


class Digest(OutboxRow):
    """One member's daily or weekly roll-up of the updates since their last.
    Unique per period, so a period's digest is never sent twice."""

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.CASCADE, related_name="+")
    frequency = models.CharField(max_length=20)
    period = models.CharField(max_length=20, help_text='"2026-12-02" for a day, "2026-W49" for a week.')
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["site", "member_id", "channel", "frequency", "period"], name="syndication_digest_once_per_period"
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="syndication_digest_due")]


class Delivery(OutboxRow):
    update = models.ForeignKey(Update, on_delete=models.CASCADE, related_name="deliveries")
    frequency = models.CharField(max_length=20, default="immediate")
    digest = models.ForeignKey(Digest, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries")

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["update", "member_id", "channel"], name="syndication_delivery_once")
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="syndication_delivery_due"),
            models.Index(fields=["update", "status"], name="syndication_delivery_progress"),
            models.Index(fields=["member_id", "status"], name="syndication_delivery_member"),
        ]


class EventKind(models.TextChoices):
    BOUNCED = "bounced", "Bounced"
    COMPLAINED = "complained", "Marked as spam"
    FAILED = "failed", "Failed permanently"
    DEFERRED = "deferred", "Deferred (will retry)"
    OPENED = "opened", "Opened"
    CLICKED = "clicked", "Clicked"
    UNSUBSCRIBED = "unsubscribed", "Unsubscribed"


class DeliveryEvent(models.Model):
    """Something that happened to a sent message: a bounce, a complaint, an
    open, a click, an unsubscribe after it."""

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.CASCADE, related_name="+")
    update = models.ForeignKey(Update, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    delivery = models.ForeignKey(Delivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="events")
    member_id = models.PositiveIntegerField(null=True, blank=True)
    channel = models.CharField(max_length=40, blank=True)
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    provider = models.CharField(max_length=40, blank=True, help_text='"smtp", "webhook", or the provider anymail names.')
    detail = models.CharField(max_length=500, blank=True)
    url = models.URLField(max_length=1000, blank=True, help_text="The link clicked.")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["update", "kind"]), models.Index(fields=["site", "kind", "at"])]

    def __str__(self):
        return f"{self.kind} ({self.channel}) at {self.at:%Y-%m-%d %H:%M}"
