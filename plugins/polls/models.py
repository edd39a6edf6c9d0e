"""Polls: a question with choices, and the votes on it.

A poll is a snippet of one site, placed on pages by the question block or
the question page. A vote is one voter's answer: ``voter`` names who cast it
("member:<id>", "user:<id>" or "browser:<random key>") and is unique per
poll, which is what makes a second vote impossible, however it is sent.
"""
from __future__ import annotations

from django.db import models
from django.utils import timezone
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.models import Orderable

TEXT_MAX_LENGTH = 500


class ResultsShown(models.TextChoices):
    AFTER_VOTING = "after_voting", "To each voter once they voted, and to everyone after closing"
    AFTER_CLOSING = "after_closing", "Only after the poll closes"


class Poll(ClusterableModel):
    site = models.ForeignKey("wagtailcore.Site", on_delete=models.CASCADE, related_name="+")
    question = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=1000, help_text="A sentence on why you ask, shown under the question.")
    multiple = models.BooleanField(default=False, verbose_name="Allow several answers")
    allow_text = models.BooleanField(default=False, verbose_name="Ask for a few words too")
    text_label = models.CharField(max_length=120, default="Anything to add?", blank=True)
    opens_at = models.DateTimeField(null=True, blank=True, help_text="Leave empty to open it at once.")
    closes_at = models.DateTimeField(null=True, blank=True, help_text="Leave empty to keep it open.")
    results_shown = models.CharField(max_length=20, choices=ResultsShown.choices, default=ResultsShown.AFTER_VOTING)
    template = models.CharField(max_length=40, blank=True, editable=False, help_text="The ready-made poll it started from.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.question

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return (self.opens_at is None or self.opens_at <= now) and (self.closes_at is None or now < self.closes_at)

    def has_closed(self, now=None) -> bool:
        return self.closes_at is not None and self.closes_at <= (now or timezone.now())

    def as_hook_argument(self) -> dict:
        return {
            "id": self.pk,
            "question": self.question,
            "multiple": self.multiple,
            "choices": [{"id": c.pk, "label": c.label, "channel": c.channel} for c in self.choices.all()],
        }


class Choice(Orderable):
    poll = ParentalKey(Poll, on_delete=models.CASCADE, related_name="choices")
    label = models.CharField(max_length=120)
    channel = models.CharField(
        max_length=40, blank=True, help_text="The member channel this answer stands for, if any (email, sms...)."
    )

    def __str__(self):
        return self.label


class Vote(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="votes")
    voter = models.CharField(max_length=80)
    member_id = models.PositiveIntegerField(null=True, blank=True)
    choices = models.ManyToManyField(Choice, related_name="votes")
    text = models.TextField(blank=True, max_length=TEXT_MAX_LENGTH)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["poll", "voter"], name="polls_one_vote_per_voter")]
        indexes = [models.Index(fields=["poll", "created_at"])]

    def __str__(self):
        return f"Vote {self.pk} on “{self.poll}”"


from .pages import QuestionPage  # noqa: E402,F401
