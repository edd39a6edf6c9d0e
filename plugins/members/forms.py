"""The members forms on the public site: what a site offers (channels with
their consent wording, topics), and what a visitor typed into the signup
form (full page, footer, block) or the preference centre.

These classes hold entries and refusals and lay them out for the
templates; they judge nothing. Whether an entry is acceptable is decided by
``signup.signup`` and ``preferences.update_preferences``, the same for the
forms and the API, so a refusal is a ``MemberRejected`` shown next to the
field it names, with everything the visitor typed kept.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse

from . import config
from .channels import FREQUENCY_LABELS, NEEDS_PHONE, NEEDS_WEBHOOK_URL, channels_for
from .models import Source
from .validation import EMAIL_MAX_LENGTH, NAME_MAX_LENGTH, PHONE_MAX_LENGTH, URL_MAX_LENGTH

HONEYPOT_FIELD = "honeypot"
HONEYPOT_LABEL = "Leave this field empty"
HONEYPOT_FILLED = (
    "A hidden field meant to catch spam robots (“{label}”) was filled in, so this looked like spam. "
    "If your browser filled it in for you, just send the form again: what you typed is kept."
)
# Where a signup came from: the hidden "source" field of each form.
ORIGINS = {
    "page": (Source.FORM, "Signup page"),
    "footer": (Source.FORM, "Footer form"),
    "block": (Source.BLOCK, "Signup block"),
}
# Fields a refusal can be shown next to; others go above the form.
SIGNUP_FIELDS = ("email", "name", "channels", "phone", "webhook_url", "topics")
PREFERENCE_FIELDS = ("name", "channels", "phone", "webhook_url", "topics")
MAX_LENGTHS = {
    "email": EMAIL_MAX_LENGTH,
    "name": NAME_MAX_LENGTH,
    "phone": PHONE_MAX_LENGTH,
    "webhook_url": URL_MAX_LENGTH,
}


# What a site offers ---------------------------------------------------------------


@dataclass(frozen=True)
class OfferedChannel:
    key: str
    label: str
    description: str
    wording: str
    frequencies: tuple[tuple[str, str], ...]  # (key, label), the first is the default
    needs: str

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "description": self.description,
            "wording": self.wording,
            "frequencies": [{"key": key, "label": label} for key, label in self.frequencies],
            "needs": self.needs,
        }


@dataclass(frozen=True)
class OfferedTopic:
    slug: str
    name: str
    description: str

    def as_dict(self) -> dict:
        return {"slug": self.slug, "name": self.name, "description": self.description}


@dataclass(frozen=True)
class Offer:
    """What members can choose on one site, and the signup texts."""

    heading: str
    intro: str
    footer_form: bool
    channels: tuple[OfferedChannel, ...]
    topics: tuple[OfferedTopic, ...]

    def channel(self, key: str) -> OfferedChannel | None:
        return next((channel for channel in self.channels if channel.key == key), None)


def offer_for(request, site) -> Offer:
    """What ``site`` offers, worked out once per request: two queries (the
    plugin's settings and the topics), none the second time. The footer, a
    block and the API's slot data all ask for it on one request. Without a
    request (a block rendered outside one) nothing is kept."""
    cached = getattr(request, "_members_offer", None)
    if cached is not None and cached[0] == site.pk:
        return cached[1]
    from .models import Topic

    member_settings = config.settings_for(site)
    business = config.business_name(site, request)
    channels = tuple(
        OfferedChannel(
            key=channel.key,
            label=channel.label,
            description=channel.description,
            wording=config.wording_for(site, channel.key, member_settings, channel=channel, business=business),
            frequencies=tuple((key, FREQUENCY_LABELS.get(key, key)) for key in channel.frequencies),
            needs=channel.needs,
        )
        for channel in channels_for(site).values()
    )
    topics = tuple(
        OfferedTopic(slug, name, description)
        for slug, name, description in Topic.objects.filter(site=site, subscribable=True).values_list(
            "slug", "name", "description"
        )
    )
    offer = Offer(
        heading=member_settings.signup_heading,
        intro=member_settings.signup_intro,
        footer_form=member_settings.footer_form,
        channels=channels,
        topics=topics,
    )
    if request is not None:
        request._members_offer = (site.pk, offer)
    return offer


# Entries and refusals ------------------------------------------------------------------


def _text(data, name: str) -> str:
    value = data.get(name, "")
    return value if isinstance(value, str) else ""


def _list(data, name: str) -> list[str]:
    getlist = getattr(data, "getlist", None)
    values = getlist(name) if getlist else data.get(name, [])
    if isinstance(values, str):
        values = [values]
    return [value for value in values if isinstance(value, str)]


@dataclass
class ChoiceEntries:
    """Channels (with frequencies), topics and contact details as typed."""

    name: str = ""
    phone: str = ""
    webhook_url: str = ""
    channels: list[str] = field(default_factory=list)
    frequencies: dict[str, str] = field(default_factory=dict)
    topics: list[str] = field(default_factory=list)

    @classmethod
    def read(cls, data, **extra):
        """The entries in ``data`` (a QueryDict or a dict of lists), as sent."""
        channels = list(dict.fromkeys(_list(data, "channels")))
        return cls(
            name=_text(data, "name"),
            phone=_text(data, "phone"),
            webhook_url=_text(data, "webhook_url"),
            channels=channels,
            frequencies={key: _text(data, f"frequency_{key}") for key in channels},
            topics=list(dict.fromkeys(_list(data, "topics"))),
            **extra,
        )

    def chosen_channels(self) -> dict[str, str]:
        """``{key: frequency}`` for the service ("" takes the channel's default)."""
        return {key: self.frequencies.get(key, "") for key in self.channels}


@dataclass
class SignupEntries(ChoiceEntries):
    email: str = ""
    origin: str = "page"  # a key of ORIGINS
    page_id: str = ""
    honeypot: str = ""

    @classmethod
    def read(cls, data):
        origin = _text(data, "source")
        return super().read(
            data,
            email=_text(data, "email"),
            origin=origin if origin in ORIGINS else "page",
            page_id=_text(data, "page").strip()[:20],
            honeypot=_text(data, HONEYPOT_FIELD),
        )

    @property
    def source(self) -> str:
        return ORIGINS[self.origin][0]

    @property
    def source_detail(self) -> str:
        return ORIGINS[self.origin][1]


class MembersForm:
    """Entries laid out for a template, with any refusal attached.

    ``prefix`` makes the element ids unique on the page (a page can hold
    the footer form, a block and the signup page's form at once).
    """

    visible_fields: tuple[str, ...] = ()

    def __init__(self, offer: Offer, entries, *, prefix: str, channel_keys=None, topic_slugs=None):
        self.offer = offer
        self.entries = entries
        self.prefix = prefix
        self.errors: dict[str, str] = {}
        self.problem = ""
        self.channels = [c for c in offer.channels if channel_keys is None or c.key in channel_keys]
        self.topics = [t for t in offer.topics if topic_slugs is None or t.slug in topic_slugs]

    def refuse(self, message: str, field_name: str | None = None) -> None:
        """Show ``message`` next to ``field_name``, or above the form."""
        if field_name in self.visible_fields:
            self.errors[field_name] = message
        else:
            self.problem = message

    @property
    def refused(self) -> bool:
        return bool(self.errors or self.problem)

    def field_id(self, name: str) -> str:
        return f"{self.prefix}-{name}"

    @property
    def error_links(self) -> list[tuple[str, str]]:
        """(element id, message) for the summary above the form."""
        anchors = {"channels": "channels-legend", "topics": "topics-legend"}
        return [(self.field_id(anchors.get(name, name)), message) for name, message in self.errors.items()]

    @property
    def channel_rows(self) -> list[dict]:
        chosen = set(self.entries.channels)
        rows = []
        for channel in self.channels:
            selected = self.entries.frequencies.get(channel.key) or channel.frequencies[0][0]
            rows.append(
                {
                    "key": channel.key,
                    "label": channel.label,
                    "description": channel.description,
                    "wording": channel.wording,
                    "checked": channel.key in chosen,
                    "id": self.field_id(f"channel-{channel.key}"),
                    "frequencies": [
                        {"key": key, "label": label, "selected": key == selected}
                        for key, label in channel.frequencies
                    ],
                    "needs_phone": channel.needs == NEEDS_PHONE,
                    "needs_webhook_url": channel.needs == NEEDS_WEBHOOK_URL,
                }
            )
        return rows

    @property
    def topic_rows(self) -> list[dict]:
        chosen = set(self.entries.topics)
        return [
            {
                "slug": topic.slug,
                "name": topic.name,
                "description": topic.description,
                "checked": topic.slug in chosen,
                "id": self.field_id(f"topic-{topic.slug}"),
            }
            for topic in self.topics
        ]

    @property
    def asks_phone(self) -> bool:
        return any(channel.needs == NEEDS_PHONE for channel in self.channels)

    @property
    def asks_webhook_url(self) -> bool:
        return any(channel.needs == NEEDS_WEBHOOK_URL for channel in self.channels)

    @property
    def max_lengths(self) -> dict:
        return MAX_LENGTHS


class SignupForm(MembersForm):
    """The signup form: the full page's (every channel and topic), a block's
    (the channels and topics the editor chose) or the footer's (email only).

    With a single channel on offer the form carries it as a hidden field and
    shows its wording as what pressing the button agrees to; with several,
    the visitor ticks each one, none ticked in advance (ticked boxes are not
    consent)."""

    visible_fields = SIGNUP_FIELDS

    def __init__(
        self, offer, entries=None, *, prefix="members-signup", channel_keys=None, topic_slugs=None, asks_name=True
    ):
        super().__init__(
            offer, entries or SignupEntries(), prefix=prefix, channel_keys=channel_keys, topic_slugs=topic_slugs
        )
        self.asks_name = asks_name

    @property
    def single_channel(self) -> dict | None:
        rows = self.channel_rows
        return rows[0] if len(rows) == 1 else None

    @property
    def hidden_fields(self) -> list[tuple[str, str]]:
        fields = [("source", self.entries.origin), ("page", self.entries.page_id)]
        single = self.single_channel
        if single is not None:
            fields.append(("channels", single["key"]))
        return fields

    @property
    def honeypot(self) -> dict:
        return {"name": HONEYPOT_FIELD, "label": HONEYPOT_LABEL, "id": self.field_id(HONEYPOT_FIELD)}

    @staticmethod
    def action() -> str:
        return reverse("members:signup")

    def as_data(self) -> dict:
        """How to send this form without the theme (the pages API's slot and
        block data): where, which hidden fields to send back, what to ask."""
        asks = ["email", "name"] if self.asks_name else ["email"]
        if len(self.channels) > 1:
            asks.append("channels")
        asks += ["phone"] if self.asks_phone else []
        asks += ["webhook_url"] if self.asks_webhook_url else []
        asks += ["topics"] if self.topics else []
        return {
            "action": self.action(),
            "method": "post",
            "fields": {**dict(self.hidden_fields), HONEYPOT_FIELD: ""},
            "asks_for": asks,
            "honeypot_field": HONEYPOT_FIELD,
            "csrf_required": False,
            "frequency_field": "frequency_<channel>",
            "channels": [channel.as_dict() for channel in self.channels],
            "topics": [topic.as_dict() for topic in self.topics],
            "max_lengths": MAX_LENGTHS,
        }


class PreferencesForm(MembersForm):
    """The preference centre's form: a member's channels, topics and details."""

    visible_fields = PREFERENCE_FIELDS

    def __init__(self, offer, entries, *, awaiting=(), prefix="members-preferences"):
        super().__init__(offer, entries, prefix=prefix)
        self.awaiting = set(awaiting)

    @classmethod
    def for_member(cls, offer, member, subscriptions):
        """The form as the member's current choices fill it in."""
        awaiting = (member.pending or {}).get("awaiting_code") or {}
        current = {s.channel: s.frequency for s in subscriptions}
        webhook = next((s.config.get("url", "") for s in subscriptions if s.channel == "webhook"), "")
        entries = ChoiceEntries(
            name=member.name,
            phone=str(member.phone or ""),
            webhook_url=webhook,
            channels=[*current, *(key for key in awaiting if key not in current)],
            frequencies={**{key: value.get("frequency", "") for key, value in awaiting.items()}, **current},
            topics=[topic.slug for topic in member.topics.all()],
        )
        return cls(offer, entries, awaiting=awaiting)

    @property
    def channel_rows(self) -> list[dict]:
        rows = super().channel_rows
        for row in rows:
            row["awaiting_code"] = row["key"] in self.awaiting
        return rows
