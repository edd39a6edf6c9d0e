"""The members plugin answering the syndication plugin's hooks, asked as
syndication asks them (``hooks.X.send(site, ...)``) against real rows:
who gets a page's update (topics, channels, confirmation, the mobile
number, webhooks), newsletter audiences and segments, the contacts of a
batch (suppressions, links), and undeliverable addresses; each in a fixed
number of queries, whatever the number of members."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from taggit.models import Tag
from wagtail.models import Page, Site

from hearthside.models import HomePage
from plugins.members import consent, tokens
from plugins.members.models import (
    ConsentAction,
    ConsentRecord,
    Member,
    Stage,
    Subscription,
    Suppression,
    SuppressionReason,
    Topic,
    email_key,
)
from plugins.members.syndication import address_undeliverable
from plugins.syndication import hooks
from tests.factories import make_article, make_offer, make_section

from .factories import make_member

pytestmark = pytest.mark.django_db

MOBILE = "+447700900123"
OTHER_MOBILE = "+447700900456"


@pytest.fixture(autouse=True)
def plugins_on(site, activate_plugin):
    activate_plugin(site, "members")
    activate_plugin(site, "syndication")


@pytest.fixture
def bread(site):
    """A topic by tag: articles tagged "bread", wherever they are."""
    return Topic.objects.create(site=site, name="Bread", slug="bread", tag=Tag.objects.get_or_create(name="bread")[0])


@pytest.fixture
def pages(root_page, section):
    """The Journal (the ``topic`` fixture's section) with an article and a
    sub-section, a News section with a bread article and a plain one, and an offer."""
    news = make_section(root_page, title="News")
    recipes = make_section(section, title="Recipes")
    return {
        "journal_article": make_article(section, title="Laminating dough"),
        "deep_article": make_article(recipes, title="Cheese scones"),
        "bread_news": make_article(news, title="Rye is back", tags=["bread"]),
        "plain_news": make_article(news, title="New opening hours"),
        "offer": make_offer(root_page, title="Two loaves for one"),
    }


def recipients(site, page=None, audience=None, channels=None) -> list[tuple]:
    answers = hooks.update_recipients.send(site, page=page, audience=audience, channels=channels)
    assert len(answers) == 1, "the members plugin answers once"
    return sorted(answers[0][1])


def contacts(site, channel, member_ids, update_id=None) -> dict:
    answers = hooks.recipient_contacts.send(site, channel=channel, member_ids=member_ids, update_id=update_id)
    assert len(answers) == 1
    return answers[0][1]


def audiences(site) -> dict:
    answers = hooks.newsletter_audiences.send(site)
    assert len(answers) == 1
    return {audience["id"]: audience for audience in answers[0][1]}


def undeliverable(site, channel, address, member_id=None, reason="bounced"):
    hooks.address_undeliverable.send(site, channel=channel, address=address, member_id=member_id, reason=reason)


def other_site() -> Site:
    root = Page.get_first_root_node()
    home = root.add_child(instance=HomePage(title="Elsewhere", slug="elsewhere", hero_title="Hi"))
    return Site.objects.create(hostname="elsewhere.example", port=80, root_page=home, site_name="Elsewhere")


def bulk_members(site, count: int, *, start: int = 0, channel: str = "email") -> list[int]:
    """``count`` confirmed members on ``channel``, written in bulk."""
    now = timezone.now()
    members = Member.objects.bulk_create(
        [
            Member(site=site, email=f"m{n}@example.com", email_key=f"m{n}@example.com", confirmed_at=now)
            for n in range(start, start + count)
        ],
        batch_size=2000,
    )
    if members[0].pk is None:  # backends that do not return ids from bulk inserts
        members = list(Member.objects.filter(site=site, email_key__in=[m.email_key for m in members]))
    Subscription.objects.bulk_create(
        [Subscription(member_id=m.pk, channel=channel) for m in members], batch_size=2000
    )
    return [m.pk for m in members]


# --- update_recipients: pages ------------------------------------------------------------------


def test_a_page_goes_to_followers_of_its_section_its_tag_and_members_without_topics(
    site, pages, topic, bread, other_topic
):
    journal = make_member(site, email="journal@example.com", channels={"email": "immediate"}, topics=["baking"])
    breadhead = make_member(site, email="bread@example.com", channels={"email": "daily"}, topics=["bread"])
    everything = make_member(site, email="all@example.com", channels={"email": "weekly"})
    offers_only = make_member(site, email="offers@example.com", channels={"email": "immediate"}, topics=["offers"])

    assert recipients(site, pages["journal_article"]) == sorted(
        [(journal.pk, "email", "immediate"), (everything.pk, "email", "weekly")]
    )
    # A section's topic covers the pages of its sub-sections too.
    assert recipients(site, pages["deep_article"]) == sorted(
        [(journal.pk, "email", "immediate"), (everything.pk, "email", "weekly")]
    )
    assert recipients(site, pages["bread_news"]) == sorted(
        [(breadhead.pk, "email", "daily"), (everything.pk, "email", "weekly")]
    )
    # Nobody's topic: only those who follow none.
    assert recipients(site, pages["plain_news"]) == [(everything.pk, "email", "weekly")]
    assert recipients(site, pages["offer"]) == [(everything.pk, "email", "weekly")]
    assert offers_only.pk not in {row[0] for row in recipients(site, pages["journal_article"])}


def test_a_member_following_a_section_and_a_tag_gets_a_page_matching_both_once(site, pages, topic, bread):
    pages["journal_article"].tags.add("bread")
    pages["journal_article"].save()
    both = make_member(site, email="both@example.com", channels={"email": "immediate"}, topics=["baking", "bread"])
    assert recipients(site, pages["journal_article"]) == [(both.pk, "email", "immediate")]


def test_the_section_page_itself_is_not_in_its_own_topic(site, section, topic):
    follower = make_member(site, email="journal@example.com", channels={"email": "immediate"}, topics=["baking"])
    assert recipients(site, section) == []
    assert follower.pk


def test_a_topic_of_another_site_with_the_same_section_does_not_count(site, pages, section):
    elsewhere = other_site()
    foreign_topic = Topic.objects.create(site=elsewhere, name="Theirs", slug="theirs", section=section)
    follower = make_member(site, email="x@example.com", channels={"email": "immediate"})
    follower.topics.add(foreign_topic)  # not possible through the forms; the rule must still hold
    assert recipients(site, pages["journal_article"]) == []


def test_only_confirmed_and_subscribed_members_of_this_site(site, pages):
    confirmed = make_member(site, email="yes@example.com", channels={"email": "immediate"})
    make_member(site, email="unconfirmed@example.com", channels={"email": "immediate"}, confirmed=False)
    left = make_member(site, email="left@example.com", channels={"email": "immediate"})
    Member.objects.filter(pk=left.pk).update(unsubscribed_at=timezone.now())
    make_member(site, email="nothing@example.com")  # confirmed, on no channel
    make_member(other_site(), email="yes@example.com", channels={"email": "immediate"})

    assert recipients(site, pages["journal_article"]) == [(confirmed.pk, "email", "immediate")]


def test_texts_need_a_confirmed_number_webhooks_a_url_and_channels_an_offer(site, pages):
    texted = make_member(site, email="texted@example.com", phone=MOBILE, channels={"sms": "immediate"})
    unconfirmed_number = make_member(
        site, email="maybe@example.com", phone=OTHER_MOBILE, channels={"email": "immediate", "sms": "immediate"}
    )
    Member.objects.filter(pk=unconfirmed_number.pk).update(phone_confirmed_at=None)
    hooked = make_member(site, email="hooked@example.com", channels={"webhook": "immediate"})
    no_url = make_member(site, email="nourl@example.com", channels={"webhook": "immediate"})
    Subscription.objects.filter(member=no_url).update(config={})
    empty_url = make_member(site, email="emptyurl@example.com", channels={"webhook": "immediate"})
    Subscription.objects.filter(member=empty_url).update(config={"url": ""})
    # A channel a plugin offered once, and no longer does.
    gone = make_member(site, email="pigeon@example.com")
    Subscription.objects.create(member=gone, channel="pigeon")

    assert recipients(site, pages["journal_article"]) == sorted(
        [
            (texted.pk, "sms", "immediate"),
            (unconfirmed_number.pk, "email", "immediate"),
            (hooked.pk, "webhook", "immediate"),
        ]
    )


def test_channels_limit_the_recipients(site, pages):
    both = make_member(site, email="both@example.com", phone=MOBILE, channels={"email": "daily", "sms": "immediate"})
    hooked = make_member(site, email="hooked@example.com", channels={"webhook": "immediate"})
    assert recipients(site, pages["offer"], channels=("email",)) == [(both.pk, "email", "daily")]
    assert recipients(site, pages["offer"], channels=("sms", "webhook")) == sorted(
        [(both.pk, "sms", "immediate"), (hooked.pk, "webhook", "immediate")]
    )
    assert recipients(site, pages["offer"], channels=()) == []


def test_recipients_stream_from_one_query_however_many_there_are(site, pages, topic, bread):
    article = pages["journal_article"]
    bulk_members(site, 3)
    recipients(site, article)  # the active plugins are read once per site, then remembered
    with CaptureQueriesContext(connection) as few:
        assert len(recipients(site, article)) == 3

    bulk_members(site, 12_000, start=3)  # more than two of the chunks rows are read in
    answers = hooks.update_recipients.send(site, page=article, audience=None, channels=None)
    stream = answers[0][1]
    assert iter(stream) is stream, "an iterator, read as syndication goes, not a list held whole"
    with CaptureQueriesContext(connection) as many:
        first = next(stream)
        count = 1 + sum(1 for _ in stream)
    assert first[1:] == ("email", "immediate")
    assert count == 12_003
    assert len(many) == len(few) == 1, [q["sql"] for q in many.captured_queries]


# --- newsletters: audiences and update_recipients -------------------------------------------------


@pytest.fixture
def newsletter_members(site, topic, other_topic):
    vip_customer = make_member(
        site, email="a@example.com", channels={"email": "weekly"}, topics=["baking"], stage=Stage.CUSTOMER
    )
    vip_customer.tags.add("VIP")
    follower = make_member(site, email="b@example.com", channels={"email": "immediate"}, topics=["baking"])
    follower.tags.add("Wholesale")
    vip = make_member(site, email="c@example.com", channels={"email": "daily", "sms": "immediate"}, phone=MOBILE)
    vip.tags.add("VIP")
    # Not reached by newsletters: unconfirmed, texts only, unsubscribed.
    make_member(site, email="d@example.com", channels={"email": "immediate"}, topics=["baking"], confirmed=False)
    texts_only = make_member(site, email="e@example.com", phone=OTHER_MOBILE, channels={"sms": "immediate"})
    texts_only.tags.add("VIP")
    left = make_member(site, email="f@example.com", channels={"email": "immediate"}, topics=["baking"])
    Member.objects.filter(pk=left.pk).update(unsubscribed_at=timezone.now())
    make_member(other_site(), email="a@example.com", channels={"email": "immediate"})
    return {"vip_customer": vip_customer, "follower": follower, "vip": vip}


def segment_counts(audience) -> dict:
    return {segment["id"]: segment["member_count"] for segment in audience["segments"]}


def test_audiences_are_everyone_and_each_topics_followers_with_stage_and_tag_segments(site, newsletter_members):
    found = audiences(site)
    assert list(found) == ["everyone", "topic:baking", "topic:offers"]
    everyone = found["everyone"]
    assert everyone["member_count"] == 3
    assert segment_counts(everyone) == {
        "stage:contact": 0, "stage:prospect": 2, "stage:customer": 1, "tag:vip": 2, "tag:wholesale": 1
    }
    names = {segment["id"]: segment["name"] for segment in everyone["segments"]}
    assert names["stage:customer"] == "Customers" and names["tag:vip"] == "Tagged “VIP”"

    baking = found["topic:baking"]
    assert baking["name"] == "Following “Baking tips”" and baking["member_count"] == 2
    assert segment_counts(baking) == {
        "stage:contact": 0, "stage:prospect": 1, "stage:customer": 1, "tag:vip": 1, "tag:wholesale": 1
    }
    assert found["topic:offers"]["member_count"] == 0
    assert segment_counts(found["topic:offers"]) == {"stage:contact": 0, "stage:prospect": 0, "stage:customer": 0}


def test_every_audience_and_segment_sends_to_as_many_as_it_counts(site, newsletter_members):
    for audience in audiences(site).values():
        sent = recipients(site, audience={"audience": audience["id"], "segment": None})
        assert len(sent) == audience["member_count"], audience["id"]
        for segment in audience["segments"]:
            sent = recipients(site, audience={"audience": audience["id"], "segment": segment["id"]})
            assert len(sent) == segment["member_count"], (audience["id"], segment["id"])


def test_a_newsletter_goes_by_email_at_once_to_its_audience(site, newsletter_members):
    vip_customer, follower, vip = (newsletter_members[k] for k in ("vip_customer", "follower", "vip"))
    assert recipients(site, audience={"audience": "everyone", "segment": None}) == sorted(
        [(m.pk, "email", "immediate") for m in (vip_customer, follower, vip)]
    ), "the weekly and daily readers get a newsletter at once, and only by email"
    assert recipients(site, audience={"audience": "topic:baking", "segment": "stage:customer"}) == [
        (vip_customer.pk, "email", "immediate")
    ]
    assert recipients(site, audience={"audience": "everyone", "segment": "tag:vip"}) == sorted(
        [(vip_customer.pk, "email", "immediate"), (vip.pk, "email", "immediate")]
    )
    assert recipients(site, audience={"audience": "everyone"}, channels=("sms",)) == []


@pytest.mark.parametrize(
    "audience",
    [
        None,
        "everyone",
        {"audience": "poll:voters", "segment": None},  # another plugin's audience
        {"audience": "topic:no-such-topic", "segment": None},
        {"audience": "everyone", "segment": "stage:royalty"},
        {"audience": "everyone", "segment": "colour:blue"},
        {"audience": 7},
    ],
)
def test_an_audience_that_is_not_ours_gets_nobody(site, newsletter_members, audience):
    assert recipients(site, audience=audience) == []


def test_audiences_cost_the_same_few_queries_for_many_members_and_topics(site, newsletter_members):
    audiences(site)
    with CaptureQueriesContext(connection) as few:
        audiences(site)
    for n in range(5):
        topic = Topic.objects.create(site=site, name=f"Topic {n}", slug=f"topic-{n}")
        for m in range(3):
            member = make_member(site, email=f"t{n}-{m}@example.com", channels={"email": "immediate"})
            member.topics.add(topic)
            member.tags.add(f"tag {m}")
    with CaptureQueriesContext(connection) as many:
        found = audiences(site)
    assert found["topic:topic-4"]["member_count"] == 3
    assert len(many) == len(few) <= 5


# --- recipient_contacts --------------------------------------------------------------------------------


def test_contacts_give_the_addresses_and_working_links(site):
    robin = make_member(site, email="Robin@Example.com", name="Robin", phone=MOBILE, channels={"sms": "immediate"})
    hooked = make_member(site, email="hooked@example.com", channels={"webhook": "immediate"})

    texts = contacts(site, "sms", [robin.pk, hooked.pk], update_id=42)
    assert list(texts) == [robin.pk]
    contact = texts[robin.pk]
    assert {k: contact[k] for k in ("email", "name", "phone", "webhook_url")} == {
        "email": "Robin@Example.com", "name": "Robin", "phone": MOBILE, "webhook_url": ""
    }
    assert contact["preferences_url"] == "http://testserver/members/access/"
    prefix = "http://testserver/members/unsubscribe/"
    assert contact["unsubscribe_url"].startswith(prefix) and contact["unsubscribe_url"].endswith("/")
    token = contact["unsubscribe_url"].removeprefix(prefix).rstrip("/")
    assert tokens.read(tokens.UNSUBSCRIBE, token) == {"m": robin.pk, "c": "sms", "u": 42}

    hooks_ = contacts(site, "webhook", [robin.pk, hooked.pk], update_id=None)
    assert list(hooks_) == [hooked.pk]
    assert hooks_[hooked.pk]["webhook_url"] == "https://hooks.example.com/in"
    token = hooks_[hooked.pk]["unsubscribe_url"].removeprefix(prefix).rstrip("/")
    assert tokens.read(tokens.UNSUBSCRIBE, token) == {"m": hooked.pk, "c": "webhook"}, "a digest's link has no update"


def test_contacts_leave_out_whoever_may_not_be_reached_now(site):
    reachable = make_member(site, email="ok@example.com", phone=MOBILE, channels={"email": "immediate", "sms": "immediate"})
    unconfirmed = make_member(site, email="new@example.com", channels={"email": "immediate"}, confirmed=False)
    left_email = make_member(site, email="left@example.com", channels={"sms": "immediate"}, phone=OTHER_MOBILE)
    everything_off = make_member(site, email="off@example.com", channels={"email": "immediate"})
    Member.objects.filter(pk=everything_off.pk).update(unsubscribed_at=timezone.now())
    suppressed = make_member(site, email="Bounced@example.com", channels={"email": "immediate"})
    consent.suppress(site, Suppression.EMAIL, "bounced@EXAMPLE.com", SuppressionReason.BOUNCED)
    elsewhere = make_member(other_site(), email="ok@example.com", channels={"email": "immediate"})
    ids = [m.pk for m in (reachable, unconfirmed, left_email, everything_off, suppressed, elsewhere)] + [999_999]

    assert list(contacts(site, "email", ids)) == [reachable.pk]
    assert sorted(contacts(site, "sms", ids)) == sorted([reachable.pk, left_email.pk])
    assert contacts(site, "pigeon", ids) == {}
    assert contacts(site, "email", []) == {}


def test_a_suppressed_number_stops_texts_but_not_email(site):
    member = make_member(site, email="m@example.com", phone=MOBILE, channels={"email": "immediate", "sms": "immediate"})
    consent.suppress(site, Suppression.PHONE, MOBILE, SuppressionReason.COMPLAINED)
    assert contacts(site, "sms", [member.pk]) == {}
    assert list(contacts(site, "email", [member.pk])) == [member.pk]


def test_texts_need_a_confirmed_number_at_send_time_too(site):
    member = make_member(site, email="m@example.com", phone=MOBILE, channels={"sms": "immediate"})
    Member.objects.filter(pk=member.pk).update(phone_confirmed_at=None)
    assert contacts(site, "sms", [member.pk]) == {}


def test_a_batch_of_contacts_costs_one_query_and_one_for_suppressions(site):
    ids = bulk_members(site, 200)
    consent.suppress(site, Suppression.EMAIL, "m7@example.com", SuppressionReason.BOUNCED)
    contacts(site, "email", ids[:2])  # the active plugins are read once per site, then remembered
    with CaptureQueriesContext(connection) as queries:
        found = contacts(site, "email", ids, update_id=1)
    assert len(found) == 199 and ids[7] not in found
    assert len(queries) == 2, [q["sql"] for q in queries.captured_queries]

    hooked = bulk_members(site, 200, start=1000, channel="webhook")
    Subscription.objects.filter(member_id__in=hooked).update(config={"url": "https://hooks.example.com/in"})
    with CaptureQueriesContext(connection) as queries:
        assert len(contacts(site, "webhook", hooked)) == 200
    assert len(queries) == 1, "webhook addresses have no suppression list"


# --- address_undeliverable -------------------------------------------------------------------------------


def withdrawals(member) -> list[tuple[str, str]]:
    return list(
        ConsentRecord.objects.filter(member=member, action=ConsentAction.WITHDRAWN).values_list("channel", "source")
    )


def suppression_reason(site, kind, address):
    row = Suppression.objects.filter(site=site, kind=kind, address_hash=consent.address_hash(kind, address)).first()
    return row.reason if row else None


@pytest.mark.parametrize(
    "reason, stored, source",
    [
        ("bounced", SuppressionReason.BOUNCED, "Bounced"),
        ("complained", SuppressionReason.COMPLAINED, "Marked as spam"),
        ("failed", SuppressionReason.BOUNCED, "Failed permanently"),
    ],
)
def test_an_undeliverable_email_is_suppressed_and_its_member_taken_off_email(site, reason, stored, source):
    member = make_member(site, email="gone@example.com", phone=MOBILE, channels={"email": "daily", "sms": "immediate"})
    undeliverable(site, "email", "gone@example.com", member.pk, reason)

    assert suppression_reason(site, Suppression.EMAIL, "gone@example.com") == stored
    assert list(member.subscriptions.values_list("channel", flat=True)) == ["sms"], "texts still go"
    assert withdrawals(member) == [("email", source)]
    member.refresh_from_db()
    assert member.unsubscribed_at is None
    assert contacts(site, "email", [member.pk]) == {}


def test_an_address_reported_alone_finds_its_member(site):
    member = make_member(site, email="Gone@Example.com", channels={"email": "immediate"})
    undeliverable(site, "email", "gone@example.COM", None, "complained")
    assert not member.subscriptions.exists()
    member.refresh_from_db()
    assert member.unsubscribed_at is not None, "off their only channel, so off everything"
    assert suppression_reason(site, Suppression.EMAIL, "gone@example.com") == SuppressionReason.COMPLAINED


def test_a_member_who_changed_address_since_keeps_the_new_one(site):
    member = make_member(site, email="new@example.com", channels={"email": "immediate"})
    undeliverable(site, "email", "old@example.com", member.pk, "bounced")
    assert suppression_reason(site, Suppression.EMAIL, "old@example.com") == SuppressionReason.BOUNCED
    assert member.subscriptions.filter(channel="email").exists()
    assert withdrawals(member) == []


def test_an_undeliverable_number_is_suppressed_and_texts_stop(site):
    member = make_member(site, email="m@example.com", phone=MOBILE, channels={"email": "immediate", "sms": "immediate"})
    undeliverable(site, "sms", MOBILE, member.pk, "failed")
    assert suppression_reason(site, Suppression.PHONE, MOBILE) == SuppressionReason.BOUNCED
    assert list(member.subscriptions.values_list("channel", flat=True)) == ["email"]
    assert withdrawals(member) == [("sms", "Failed permanently")]


def test_a_dead_webhook_takes_its_member_off_webhooks_only(site):
    member = make_member(site, email="m@example.com", channels={"email": "immediate", "webhook": "immediate"})
    other = make_member(site, email="o@example.com", channels={"webhook": "immediate"})
    Subscription.objects.filter(member=other).update(config={"url": "https://elsewhere.example.com/in"})
    undeliverable(site, "webhook", "https://hooks.example.com/in", None, "failed")
    assert list(member.subscriptions.values_list("channel", flat=True)) == ["email"]
    assert other.subscriptions.filter(channel="webhook").exists()
    assert not Suppression.objects.exists(), "the suppression list keeps emails and numbers only"


def test_another_sites_member_at_the_same_address_is_left_alone(site):
    elsewhere = other_site()
    theirs = make_member(elsewhere, email="gone@example.com", channels={"email": "immediate"})
    make_member(site, email="gone@example.com", channels={"email": "immediate"})
    undeliverable(site, "email", "gone@example.com", None, "bounced")
    assert theirs.subscriptions.exists()
    assert not Suppression.objects.filter(site=elsewhere).exists()
    assert Member.objects.get(site=site, email_key=email_key("gone@example.com")).subscriptions.count() == 0


def test_an_unknown_reason_is_refused_and_changes_nothing(site):
    member = make_member(site, email="m@example.com", channels={"email": "immediate"})
    with pytest.raises(ValueError, match="Unknown reason 'lost'"):
        address_undeliverable(site, "email", "m@example.com", member.pk, "lost")
    assert member.subscriptions.exists() and not Suppression.objects.exists()


# --- the plugin switched off -----------------------------------------------------------------------------


def test_members_switched_off_answers_nothing(site, pages, deactivate_plugin):
    make_member(site, email="m@example.com", channels={"email": "immediate"})
    deactivate_plugin(site, "members")
    assert hooks.update_recipients.send(site, page=pages["offer"], audience=None, channels=None) == []
    assert hooks.newsletter_audiences.send(site) == []
