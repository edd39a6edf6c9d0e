"""From publish to inboxes, with the real members plugin answering the
hooks: only confirmed members whose topics match get the update, each
once, by a real SMTP server; the one-click unsubscribe in the message
works without cookies, and the update's report counts it."""
from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from plugins.members.models import Member, Topic
from plugins.syndication import digests, outbox
from plugins.syndication.models import Delivery, DeliveryEvent, DeliveryStatus, Update, UpdateStatus
from plugins.syndication.updates import progress, send_again
from tests.factories import make_article, make_section
from tests.plugins.members.factories import make_member


def parsed(message):
    return message_from_bytes(message.as_bytes(), policy=policy.default)


@pytest.fixture
def community(site, journal, root_page):
    news = make_section(root_page, title="News")
    Topic.objects.create(site=site, name="Baking", slug="baking", section=journal)
    Topic.objects.create(site=site, name="News", slug="news", section=news)
    return {
        "everything": make_member(site, email="all@example.com", name="Alex", channels={"email": "immediate"}),
        "baker": make_member(site, email="baker@example.com", channels={"email": "immediate"}, topics=["baking"]),
        "news_only": make_member(site, email="news@example.com", channels={"email": "immediate"}, topics=["news"]),
        "unconfirmed": make_member(site, email="later@example.com", channels={"email": "immediate"}, confirmed=False),
        "weekly": make_member(site, email="weekly@example.com", channels={"email": "weekly"}),
        "texter": make_member(site, email="t@example.com", phone="+447700900123", channels={"sms": "immediate"}),
    }


def publish(journal, capture, title="Sourdough masterclass"):
    with capture(execute=True):
        return make_article(journal, title=title)


def test_a_published_article_reaches_exactly_the_members_who_want_it(
    site, journal, community, no_delay, smtp_server, django_capture_on_commit_callbacks, sms_outbox
):
    page = publish(journal, django_capture_on_commit_callbacks)

    recipients = sorted(parsed(m)["To"].addresses[0].addr_spec for m in smtp_server.messages())
    assert recipients == ["all@example.com", "baker@example.com"]
    assert [text.to for text in sms_outbox] == ["+447700900123"]
    update = Update.objects.get(page=page)
    assert update.status == UpdateStatus.SENT
    counts = progress(update)
    assert (counts["sent"], counts["digest"], counts["total"]) == (3, 1, 4)
    alex = next(parsed(m) for m in smtp_server.messages() if "all@" in m["To"])
    assert "Hi Alex," in alex.get_body(("html",)).get_content()


def test_the_one_click_unsubscribe_in_the_message_works_without_cookies_and_counts_in_the_report(
    site, journal, community, no_delay, smtp_server, django_capture_on_commit_callbacks, sms_outbox
):
    page = publish(journal, django_capture_on_commit_callbacks)
    alex = next(parsed(m) for m in smtp_server.messages() if "all@" in m["To"])
    link = str(alex["List-Unsubscribe"]).strip().strip("<>")
    assert alex["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    browserless = Client(enforce_csrf_checks=True)  # no cookies, no CSRF token: as a mail client posts
    assert browserless.get(urlsplit(link).path).status_code == 200  # a GET only asks
    assert Member.objects.get(email="all@example.com").subscriptions.filter(channel="email").exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = browserless.post(urlsplit(link).path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not Member.objects.get(email="all@example.com").subscriptions.filter(channel="email").exists()
    update = Update.objects.get(page=page)
    assert DeliveryEvent.objects.filter(update=update, kind="unsubscribed").count() == 1

    smtp_server.clear()
    with django_capture_on_commit_callbacks(execute=True):
        send_again(page)
    assert sorted(parsed(m)["To"].addresses[0].addr_spec for m in smtp_server.messages()) == ["baker@example.com"]


def test_a_weekly_member_gets_the_article_in_their_digest_once(
    site, journal, community, no_delay, smtp_server, django_capture_on_commit_callbacks, sms_outbox, settings
):
    page = publish(journal, django_capture_on_commit_callbacks)
    smtp_server.clear()
    next_week = timezone.now() + timedelta(days=7)
    digests.collect_all(next_week)
    digests.collect_all(next_week)
    outbox.run(now=next_week)
    [digest] = [parsed(m) for m in smtp_server.messages()]
    assert digest["To"].addresses[0].addr_spec == "weekly@example.com"
    assert page.title in digest.get_body(("html",)).get_content()
    weekly = Member.objects.get(email="weekly@example.com")
    assert Delivery.objects.get(member_id=weekly.pk).status == DeliveryStatus.SENT


def test_an_address_that_bounces_is_suppressed_and_never_mailed_again(
    site, journal, community, no_delay, django_capture_on_commit_callbacks, tmp_path, settings, sms_outbox
):
    from tests.support.smtp import SMTPServer

    server = SMTPServer(tmp_path / "maildir", handler="tests.support.faulty_smtp.FaultyMailbox")
    server.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        make_member(site, email="bounce-gone@example.com", channels={"email": "immediate"})
        first = publish(journal, django_capture_on_commit_callbacks, title="First")
        bounced = Delivery.objects.get(update__page=first, status=DeliveryStatus.BOUNCED)
        assert "550" in bounced.error

        second = publish(journal, django_capture_on_commit_callbacks, title="Second")
        assert not Delivery.objects.filter(update__page=second, member_id=bounced.member_id).exists()
        assert sorted(m["To"] for m in server.messages()).count("bounce-gone@example.com") == 0
    finally:
        server.stop()


# Transactional (the demo's relays run on commit), with serialized rollback so
# the flush afterwards leaves what later transactional tests restore from.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_loading_the_demo_sends_no_updates_for_its_old_news(settings):
    from django.core.management import call_command

    call_command("load_demo", verbosity=0)
    assert Update.objects.count() == 0
    assert Member.objects.filter(confirmed_at__isnull=False).exists()  # there was someone to send them to
