"""The channels a member can be reached on. The built-in four are declared
here; other plugins add theirs through the ``member_channels`` filter."""
from __future__ import annotations

from dataclasses import dataclass

from . import hooks

IMMEDIATE, DAILY, WEEKLY = "immediate", "daily", "weekly"
FREQUENCY_LABELS = {IMMEDIATE: "As soon as it's published", DAILY: "Daily digest", WEEKLY: "Weekly digest"}

# What a channel needs before it can be granted.
NEEDS_EMAIL, NEEDS_PHONE, NEEDS_WEBHOOK_URL = "email", "phone", "webhook_url"


@dataclass(frozen=True)
class Channel:
    key: str
    label: str
    description: str
    frequencies: tuple[str, ...] = (IMMEDIATE,)
    needs: str = NEEDS_EMAIL
    # The consent wording shown beside the choice; {business} is the brand name.
    wording: str = ""

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "description": self.description,
            "frequencies": [{"key": key, "label": FREQUENCY_LABELS.get(key, key)} for key in self.frequencies],
            "needs": self.needs,
        }


EMAIL = Channel(
    "email",
    "Email",
    "New articles, offers and news in your inbox, as they come out or as a digest.",
    frequencies=(IMMEDIATE, DAILY, WEEKLY),
    wording="Yes, email me what's new from {business}. I can unsubscribe at any time.",
)
SMS = Channel(
    "sms",
    "Text message",
    "A short text with a link when something new is published.",
    needs=NEEDS_PHONE,
    wording="Yes, text me what's new from {business}. I can reply STOP or unsubscribe at any time.",
)
RSS = Channel(
    "rss",
    "RSS feed",
    "A private feed of the topics you follow, for your feed reader.",
    wording="Give me a private feed of what's new from {business}.",
)
WEBHOOK = Channel(
    "webhook",
    "Webhook",
    "A signed JSON POST to your own URL for each update, to route it anywhere.",
    needs=NEEDS_WEBHOOK_URL,
    wording="Send what's new from {business} to my webhook URL.",
)
BUILTIN_CHANNELS = (EMAIL, SMS, RSS, WEBHOOK)


def channels_for(site) -> dict[str, Channel]:
    """The channels members can choose on ``site``, by key, in display order."""
    found = hooks.member_channels.apply(site, list(BUILTIN_CHANNELS))
    return {channel.key: channel for channel in found}
