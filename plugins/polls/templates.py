"""Ready-made polls: questions a small business keeps asking, ready to start
from the admin ("Start from a ready-made poll") with their answers filled in
for the site.

"Keep in touch" asks how people would like to hear from the business. While
the members plugin is active its answers are the member channels the site
offers, each answer tied to its channel key, so the results say which
channels are worth offering; without it the answers are general ones, tied
to no channel.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from django.db import transaction

from . import hooks
from .models import Choice, Poll

# How each member channel reads as an answer; other channels answer with their own name.
CHANNEL_ANSWERS = {
    "email": "By email",
    "sms": "By text message",
    "rss": "In my RSS reader",
    "webhook": "Through a webhook to my own app",
}
# Without the members plugin nobody can sign up to a channel: plain answers.
ANSWERS_WITHOUT_MEMBERS = (
    "By email",
    "By text message",
    "On social media",
    "In person, when I drop by",
)


def member_channels(site) -> list[tuple[str, str]] | None:
    """``(key, name)`` of the channels people can join on ``site`` (asked
    through ``poll_channels``), or None when no plugin offers any there."""
    found = [pair for _, pairs in hooks.poll_channels.send(site) for pair in pairs or ()]
    return found or None


def keep_in_touch_answers(site) -> list[tuple[str, str]]:
    channels = member_channels(site)
    if channels is None:
        return [(label, "") for label in ANSWERS_WITHOUT_MEMBERS]
    return [(CHANNEL_ANSWERS.get(key, label), key) for key, label in channels]


@dataclass(frozen=True)
class ReadyMadePoll:
    key: str
    question: str
    description: str
    answers: Callable[[object], list[tuple[str, str]]]  # site -> [(label, channel key or "")]
    multiple: bool = False
    allow_text: bool = False
    text_label: str = ""

    def preview(self, site) -> dict:
        """What the poll would look like on ``site``, for the ready-made screen."""
        return {
            "key": self.key,
            "question": self.question,
            "description": self.description,
            "multiple": self.multiple,
            "allow_text": self.allow_text,
            "text_label": self.text_label,
            "answers": [label for label, _ in self.answers(site)],
        }

    @transaction.atomic
    def create(self, site, **overrides) -> Poll:
        """A new poll of ``site`` from this template, its answers made for the site."""
        fields = {
            "question": self.question,
            "description": self.description,
            "multiple": self.multiple,
            "allow_text": self.allow_text,
            "text_label": self.text_label or Poll._meta.get_field("text_label").default,
            **overrides,
        }
        poll = Poll.objects.create(site=site, template=self.key, **fields)
        Choice.objects.bulk_create(
            Choice(poll=poll, label=label, channel=channel, sort_order=order)
            for order, (label, channel) in enumerate(self.answers(site))
        )
        return poll


KEEP_IN_TOUCH = ReadyMadePoll(
    key="keep_in_touch",
    question="How would you like us to keep in touch?",
    description=(
        "We would like to tell you about new bakes, offers and events in the way that suits you best. "
        "Pick as many as you like: your answers help us choose."
    ),
    answers=keep_in_touch_answers,
    multiple=True,
    allow_text=True,
    text_label="Anything else we should know?",
)

READY_MADE = {poll.key: poll for poll in (KEEP_IN_TOUCH,)}
