"""Who asked to hear from the business, on which channels, about what, and
the record of every permission they gave or took back.

- :class:`Member`: one person per site and email address (case-insensitive);
- :class:`Subscription`: a channel the member granted, with its frequency;
- :class:`Topic`: a section or tag editors made subscribable;
- :class:`ConsentRecord`: append-only history of grants and withdrawals;
- :class:`Suppression`: anonymised addresses that must never be mailed again;
- :class:`MemberImport`: a CSV import, previewed, then run all or nothing.
"""
from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from phonenumber_field.modelfields import PhoneNumberField
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase


def new_secret() -> str:
    return secrets.token_urlsafe(24)


class Stage(models.TextChoices):
    CONTACT = "contact", "Contact"
    PROSPECT = "prospect", "Prospect"
    CUSTOMER = "customer", "Customer"


class Source(models.TextChoices):
    FORM = "form", "Signup form"
    BLOCK = "block", "Signup block on a page"
    API = "api", "API"
    IMPORT = "import", "CSV import"
    COMMENT = "comment", "Comment"
    ADMIN = "admin", "Added in the admin"


class Topic(models.Model):
    """Something members can follow: a section (its pages) or a tag."""

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80, help_text="Used in the API and in links; letters, numbers and hyphens.")
    description = models.CharField(max_length=200, blank=True)
    section = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Pages under this page belong to the topic.",
    )
    tag = models.ForeignKey(
        "taggit.Tag",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Pages with this tag belong to the topic.",
    )
    subscribable = models.BooleanField(default=True, help_text="Offered on signup forms and in the preference centre.")
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        constraints = [models.UniqueConstraint(fields=["site", "slug"], name="members_topic_unique_slug_per_site")]

    def __str__(self):
        return self.name


class TaggedMember(TaggedItemBase):
    content_object = models.ForeignKey("Member", on_delete=models.CASCADE, related_name="tagged_items")


def email_key(email: str) -> str:
    """The form an address is compared in: one member per site and key."""
    return email.strip().casefold()


class Member(models.Model):
    site = models.ForeignKey("wagtailcore.Site", on_delete=models.CASCADE, related_name="+")
    email = models.CharField(max_length=254, help_text="As the member typed it, normalised.")
    email_key = models.CharField(max_length=254, editable=False)
    name = models.CharField(max_length=100, blank=True)
    phone = PhoneNumberField(blank=True, help_text="Mobile number for text messages, in international form.")
    phone_confirmed_at = models.DateTimeField(null=True, blank=True)
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.CONTACT)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.FORM)
    source_page = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_detail = models.CharField(max_length=200, blank=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="members")
    tags = TaggableManager(through=TaggedMember, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    confirmed_at = models.DateTimeField(null=True, blank=True, help_text="When they confirmed their email address.")
    unsubscribed_at = models.DateTimeField(null=True, blank=True, help_text="When they left every channel.")
    # Secret parts of links: the private feed, and single-use email links.
    feed_key = models.CharField(max_length=64, unique=True, default=new_secret, editable=False)
    confirmation_nonce = models.CharField(max_length=64, blank=True, editable=False)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    access_nonce = models.CharField(max_length=64, blank=True, editable=False)
    # Raising it voids every preferences token given out before.
    token_version = models.PositiveIntegerField(default=1, editable=False)
    # What a signup asked for, granted when the member confirms.
    pending = models.JSONField(default=dict, blank=True, editable=False)
    phone_code_hash = models.CharField(max_length=128, blank=True, editable=False)
    phone_code_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    phone_code_attempts = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["site", "email_key"], name="members_member_unique_email_per_site")
        ]
        indexes = [models.Index(fields=["site", "stage"]), models.Index(fields=["site", "created_at"])]

    def __str__(self):
        return f"{self.name} <{self.email}>" if self.name else self.email

    def save(self, *args, **kwargs):
        self.email_key = email_key(self.email)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "email" in update_fields:
            kwargs["update_fields"] = {*update_fields, "email_key"}
        super().save(*args, **kwargs)

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def phone_confirmed(self) -> bool:
        return bool(self.phone) and self.phone_confirmed_at is not None


class Subscription(models.Model):
    """A channel the member granted. No row: not on that channel."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="subscriptions")
    channel = models.CharField(max_length=40)
    frequency = models.CharField(max_length=20, default="immediate")
    # Channel-specific settings, e.g. {"url": ...} for a webhook.
    config = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["channel"]
        constraints = [
            models.UniqueConstraint(fields=["member", "channel"], name="members_subscription_unique_channel")
        ]
        indexes = [models.Index(fields=["channel", "frequency"])]

    def __str__(self):
        return f"{self.member} on {self.channel} ({self.frequency})"


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Consent records are append-only: add a new record instead of changing one.")


class ConsentAction(models.TextChoices):
    GRANTED = "granted", "Granted"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ConsentRecord(models.Model):
    """One grant or withdrawal of one channel, as it happened. Never changed;
    deleted only with the member when they ask to be erased."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="consent_records")
    channel = models.CharField(max_length=40)
    action = models.CharField(max_length=20, choices=ConsentAction.choices)
    at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=200, help_text="Where it happened: a form and page, the API, an import...")
    wording = models.TextField(blank=True, help_text="The words the person saw when they chose.")
    ip_address = models.CharField(
        max_length=80, blank=True, help_text="As MEMBERS_CONSENT_IP says: the address, its hash, or nothing."
    )

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["member", "at"])]

    def __str__(self):
        return f"{self.member_id} {self.action} {self.channel} at {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Consent records are append-only: add a new record instead of changing one.")
        super().save(*args, **kwargs)


class SuppressionReason(models.TextChoices):
    ERASED = "erased", "Asked to be deleted"
    BOUNCED = "bounced", "Bounced"
    COMPLAINED = "complained", "Marked as spam"
    MANUAL = "manual", "Added by an editor"


class Suppression(models.Model):
    """An address (email or phone) never to contact again, kept only as a keyed hash."""

    EMAIL, PHONE = "email", "phone"

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=[(EMAIL, "Email"), (PHONE, "Phone")])
    address_hash = models.CharField(max_length=64)
    reason = models.CharField(max_length=20, choices=SuppressionReason.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "kind", "address_hash"], name="members_suppression_unique")
        ]

    def __str__(self):
        return f"{self.kind} {self.address_hash[:12]}… ({self.reason})"


class ImportStatus(models.TextChoices):
    PREVIEWED = "previewed", "Previewed"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Importing"
    DONE = "done", "Imported"
    FAILED = "failed", "Failed"


class MemberImport(models.Model):
    """A CSV file an editor uploaded: checked first (a dry run), then imported
    in one transaction by a background task that reports its progress."""

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    file_name = models.CharField(max_length=255)
    content = models.TextField()
    options = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=ImportStatus.choices, default=ImportStatus.PREVIEWED)
    row_count = models.PositiveIntegerField(default=0)
    processed_count = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def progress_percent(self) -> int:
        if not self.row_count:
            return 100 if self.status == ImportStatus.DONE else 0
        return min(100, round(100 * self.processed_count / self.row_count))
