"""Who an update reaches, for any mix of members: exactly the confirmed
members on the channel, following a topic of the page (or none), whose
address is not suppressed, each once; whatever else they did first
(never confirmed, left, bounced, complained, were erased, text only).

The members are made and changed through the members plugin's own
operations, the page is published as an editor would, and what arrives is
read from a real SMTP server and the text-message outbox.
"""
from __future__ import annotations

from dataclasses import dataclass
from email import message_from_bytes, policy

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from taggit.models import Tag

from plugins.members import consent, preferences
from plugins.members.models import Suppression, Topic
from plugins.members.syndication import address_undeliverable
from plugins.syndication.models import Delivery, DeliveryStatus, Update
from tests.factories import make_article, make_section
from tests.plugins.members.factories import make_member

pytestmark = pytest.mark.django_db

TOPICS = ("baking", "news", "sourdough")
# Where the published page is, and so which topics it belongs to.
PLACES = {"journal": {"baking"}, "journal+tag": {"baking", "sourdough"}, "news": {"news"}, "news+tag": {"news", "sourdough"}}
# What may have happened to a member before the page is published.
HISTORIES = (
    "none",
    "unconfirmed",
    "unsubscribed_everything",
    "unsubscribed_email",
    "unsubscribed_sms",
    "email_bounced",
    "email_complained",
    "email_suppressed",  # on the list, yet still subscribed: e.g. suppressed by another member's bounce
    "number_suppressed",
    "erased",
)


@dataclass(frozen=True)
class Someone:
    channels: frozenset[str]
    topics: frozenset[str]
    history: str
    phone_confirmed: bool


people = st.builds(
    Someone,
    channels=st.frozensets(st.sampled_from(("email", "sms")), min_size=1),
    topics=st.frozensets(st.sampled_from(TOPICS)),
    history=st.sampled_from(HISTORIES),
    phone_confirmed=st.booleans(),
)


@pytest.fixture
def sections(site, root_page):
    journal = make_section(root_page, title="Journal")
    news = make_section(root_page, title="News")
    sourdough = Tag.objects.create(name="Sourdough", slug="sourdough")
    Topic.objects.create(site=site, name="Baking", slug="baking", section=journal)
    Topic.objects.create(site=site, name="News", slug="news", section=news)
    Topic.objects.create(site=site, name="Sourdough", slug="sourdough", tag=sourdough)
    return {"journal": journal, "news": news}


def expected_channels(someone: Someone, page_topics: set[str]) -> set[str]:
    """The rule, stated independently of the code: the channels on which
    ``someone`` gets an update of a page in ``page_topics`` at once."""
    if someone.history in ("unconfirmed", "unsubscribed_everything", "erased"):
        return set()
    if someone.topics and not someone.topics & page_topics:
        return set()
    channels = set(someone.channels)
    if someone.history in ("unsubscribed_email", "email_bounced", "email_complained", "email_suppressed"):
        channels.discard("email")
    if someone.history in ("unsubscribed_sms", "number_suppressed") or not someone.phone_confirmed:
        channels.discard("sms")
    return channels


def make_someone(site, number: int, someone: Someone):
    email = f"member{number}@example.com"
    phone = f"+4477009{number:05d}"
    member = make_member(
        site,
        email=email,
        phone=phone,
        channels={channel: "immediate" for channel in someone.channels},
        topics=someone.topics,
        confirmed=someone.history != "unconfirmed",
    )
    if not someone.phone_confirmed:
        member.phone_confirmed_at = None
        member.save(update_fields=["phone_confirmed_at"])
    match someone.history:
        case "unsubscribed_everything":
            preferences.unsubscribe(member)
        case "unsubscribed_email" if "email" in someone.channels:
            preferences.unsubscribe(member, "email")
        case "unsubscribed_sms" if "sms" in someone.channels:
            preferences.unsubscribe(member, "sms")
        case "email_bounced":
            address_undeliverable(site, "email", email, reason="bounced")
        case "email_complained":
            address_undeliverable(site, "email", email, reason="complained")
        case "email_suppressed":
            consent.suppress(site, Suppression.EMAIL, email, "bounced")
        case "number_suppressed":
            consent.suppress(site, Suppression.PHONE, phone, "bounced")
        case "erased":
            preferences.erase(member)
    return email, phone


@settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(crowd=st.lists(people, max_size=8), place=st.sampled_from(sorted(PLACES)))
def test_an_update_reaches_exactly_the_members_who_may_have_it_each_once(
    site, sections, no_delay, smtp_server, sms_outbox, django_capture_on_commit_callbacks, crowd, place
):
    smtp_server.clear()
    sms_outbox.clear()
    savepoint = transaction.savepoint()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            made = [make_someone(site, number, someone) for number, someone in enumerate(crowd)]
        section = sections[place.removesuffix("+tag")]
        with django_capture_on_commit_callbacks(execute=True):
            page = make_article(section, tags=["sourdough"] if place.endswith("+tag") else [])

        expected_email, expected_sms = [], []
        for (email, phone), someone in zip(made, crowd, strict=True):
            channels = expected_channels(someone, PLACES[place])
            expected_email += [email] if "email" in channels else []
            expected_sms += [phone] if "sms" in channels else []
        mailed = [
            message_from_bytes(message.as_bytes(), policy=policy.default)["To"].addresses[0].addr_spec
            for message in smtp_server.messages()
        ]
        texted = [text.to for text in sms_outbox]
        # Sorted lists, not sets: anyone reached twice shows up as a difference.
        assert sorted(mailed) == sorted(expected_email)
        assert sorted(texted) == sorted(expected_sms)
        # The update's own record agrees: the suppressed are skipped, not sent.
        deliveries = Delivery.objects.filter(update__in=Update.objects.filter(page=page))
        sent = deliveries.filter(status=DeliveryStatus.SENT)
        assert sent.count() == len(expected_email) + len(expected_sms)
        rows = list(deliveries.values_list("member_id", "channel"))
        assert len(rows) == len(set(rows))
    finally:
        transaction.savepoint_rollback(savepoint)
