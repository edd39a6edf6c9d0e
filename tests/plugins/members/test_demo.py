"""The members ``manage.py load_demo`` adds to the Copper Kettle demo: topics
for its sections and tags, and forty people at every stage and on every
channel, with the consent history a real signup leaves. Loading again adds
no one twice."""
import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from wagtail.models import Site

from hearthside.demo import content
from plugins.members import demo, preferences, signup
from plugins.members.channels import channels_for
from plugins.members.models import ConsentRecord, Member, Subscription, Topic
from plugins.members.validation import normalise_email


def load_demo(*args):
    output = io.StringIO()
    call_command("load_demo", *args, stdout=output)
    return output.getvalue()


@pytest.fixture(scope="module")
def built_demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo, built once for the module inside a transaction rolled back afterwards."""
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(media)), transaction.atomic():
        load_demo()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo_site(built_demo, db):
    return Site.objects.get(is_default_site=True)


def counts():
    return (
        Member.objects.count(),
        Subscription.objects.count(),
        ConsentRecord.objects.count(),
        Topic.objects.count(),
        Member.topics.through.objects.count(),
        Member.tags.through.objects.count(),
    )


def test_the_demo_has_topics_for_its_sections_and_tags(demo_site):
    topics = {topic.slug: topic for topic in Topic.objects.filter(site=demo_site)}
    assert set(topics) == {"journal", "news", "baking", "coffee"}
    assert topics["journal"].section.slug == content.JOURNAL
    assert topics["news"].section.slug == "news"
    assert topics["baking"].tag.name == "baking" and topics["coffee"].tag.name == "coffee"
    assert set(content.TAGS) >= {"baking", "coffee"}
    assert all(topic.subscribable for topic in topics.values())
    assert [topic.slug for topic in Topic.objects.filter(site=demo_site)] == ["journal", "news", "baking", "coffee"]


def test_the_demo_has_forty_members_at_every_stage(demo_site):
    members = Member.objects.filter(site=demo_site)
    assert members.count() == len(demo.MEMBERS) == 40
    stages = Counter(members.values_list("stage", flat=True))
    assert stages["prospect"] > stages["customer"] > 0 and stages["contact"] >= 5
    assert set(members.values_list("source", flat=True)) == {"form", "block", "api", "import", "comment", "admin"}
    for member in members:
        assert normalise_email(member.email) == member.email
        assert member.created_at < timezone.now()
    assert members.filter(source="block", source_page__isnull=True).count() == 0
    assert members.filter(source="comment", source_page__isnull=True).count() == 0


def test_demo_members_are_mostly_on_email_with_some_digests_texts_feeds_and_one_webhook(demo_site):
    by_channel = Counter(Subscription.objects.filter(member__site=demo_site).values_list("channel", flat=True))
    assert set(by_channel) <= set(channels_for(demo_site))
    assert by_channel["email"] > sum(count for key, count in by_channel.items() if key != "email")
    assert by_channel["sms"] >= 3 and by_channel["rss"] >= 3 and by_channel["webhook"] == 1
    frequencies = Counter(Subscription.objects.filter(channel="email").values_list("frequency", flat=True))
    assert frequencies["immediate"] and frequencies["daily"] and frequencies["weekly"]

    webhook = Subscription.objects.get(channel="webhook")
    assert webhook.config["url"].startswith("https://")
    for texted in Member.objects.filter(subscriptions__channel="sms"):
        assert str(texted.phone).startswith("+447400") and texted.phone_confirmed


def test_only_confirmed_members_get_anything(demo_site):
    waiting = Member.objects.filter(site=demo_site, confirmed_at__isnull=True)
    assert waiting.filter(stage="prospect").count() >= 3
    assert not Subscription.objects.filter(member__in=waiting).exists()
    assert not ConsentRecord.objects.filter(member__in=waiting).exists()
    for member in waiting.filter(stage="prospect"):
        assert member.pending["channels"] and member.confirmation_nonce
    for contact in waiting.filter(stage="contact"):
        assert contact.pending == {} and not contact.confirmation_nonce
    # Their confirmations count as sent: members_resend emails no made-up person.
    assert signup.resend_pending_confirmations(older_than_minutes=0) == 0


def test_every_channel_a_member_is_on_has_its_recorded_consent(demo_site):
    now = timezone.now()
    for subscription in Subscription.objects.filter(member__site=demo_site).select_related("member"):
        member = subscription.member
        [grant] = ConsentRecord.objects.filter(member=member, channel=subscription.channel, action="granted")
        assert member.created_at <= grant.at <= now
        assert "Copper Kettle" in grant.wording
        assert grant.source and grant.ip_address == ""


def test_one_member_left_and_their_history_shows_it(demo_site):
    [left] = Member.objects.filter(site=demo_site, unsubscribed_at__isnull=False)
    assert not left.subscriptions.exists()
    history = list(left.consent_records.values_list("channel", "action"))
    assert history == [("email", "granted"), ("email", "withdrawn")]


def test_a_demo_member_exports_like_any_other(demo_site):
    member = Member.objects.get(email="aisha.rahman@example.org")
    data = preferences.export_data(member)
    assert {c["channel"] for c in data["channels"]} == {"email", "sms"}
    assert data["phone"] == "+447400900101"
    assert data["tags"] == ["loyalty-card", "regular"]
    assert [t["slug"] for t in data["topics"]] == ["news"]


def test_loading_the_demo_again_adds_no_one_twice(demo_site):
    before = counts()
    assert "Demo content already loaded" in load_demo()
    assert counts() == before

    load_demo("--reset")  # pages rebuilt: the members hook runs again

    assert counts() == before
    journal = Topic.objects.get(slug="journal")
    assert journal.section.live and journal.section.get_parent().pk == Site.objects.get(pk=demo_site.pk).root_page_id
    sophie = Member.objects.get(email="sophie.t@example.com")
    assert sorted(sophie.topics.values_list("slug", flat=True)) == ["baking", "journal"]
    assert sophie.source_page.slug == "how-we-make-our-sourdough"


def test_adding_the_demo_members_twice_directly_changes_nothing(demo_site):
    before = counts()
    pages = {page.slug: page.specific for page in demo_site.root_page.get_descendants(inclusive=True)}
    assert demo.add_demo_members(demo_site, pages) == 0
    assert counts() == before
