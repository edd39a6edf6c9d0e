"""The outbox: fan-out writes each (member, channel) once, workers send
each row once through a real SMTP server, and failures wait, retry, or
give up as they should, losing nobody."""
from __future__ import annotations

from datetime import date, timedelta
from email import message_from_bytes, policy

import pytest
from django.utils import timezone

from hearthside.models import ArticlePage
from plugins.syndication import fanout, outbox
from plugins.syndication.models import Delivery, DeliveryEvent, DeliveryStatus, Update, UpdateStatus
from plugins.syndication.updates import hold, release
from tests.factories import make_article


def parsed(message):
    return message_from_bytes(message.as_bytes(), policy=policy.default)


@pytest.fixture
def article(journal, no_delay, django_capture_on_commit_callbacks, directory):
    # The directory is connected first, so the publish finds nobody yet.
    with django_capture_on_commit_callbacks(execute=True):
        page = make_article(journal, title="Spring sourdough class")
    return page


def update_of(page) -> Update:
    return Update.objects.get(page=page)


def statuses(update) -> dict:
    found = {}
    for status in Delivery.objects.filter(update=update).values_list("status", flat=True):
        found[status] = found.get(status, 0) + 1
    return found


def test_fan_out_writes_each_member_and_channel_once_however_often_it_runs(site, journal, no_delay, directory):
    for member_id in range(1, 6):
        directory.add(member_id, channels={"email": "immediate", "rss": "immediate"})
    directory.add(9, channels={"email": "weekly"})
    page = make_article(journal)
    update = Update.objects.create(site=site, page=page, title=page.title, status=UpdateStatus.SCHEDULED)

    assert fanout.fan_out(update.pk) == 11
    assert fanout.create_deliveries(update) == 11  # a second fan-out adds nobody
    assert statuses(update) == {"queued": 10, "digest": 1}
    update.refresh_from_db()
    assert (update.status, update.recipient_count) == (UpdateStatus.SENDING, 11)
    assert fanout.fan_out(update.pk) is None  # already started


def test_publishing_sends_every_member_one_personal_email_with_one_click_unsubscribe(
    site, journal, no_delay, directory, smtp_server, django_capture_on_commit_callbacks
):
    directory.add(1, "ada@example.com", name="Ada")
    directory.add(2, "bo@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        page = make_article(journal, title="Spring sourdough class")

    messages = {m["To"]: parsed(m) for m in smtp_server.messages()}
    assert sorted(messages) == ["Ada <ada@example.com>", "bo@example.com"]
    ada = messages["Ada <ada@example.com>"]
    assert ada["Subject"] == "Spring sourdough class"
    assert ada["List-Unsubscribe"] == f"<http://testserver/members/unsubscribe/t1-{update_of(page).pk}/>"
    assert ada["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = ada.get_body(("html",)).get_content()
    assert "Hi Ada," in html and "Hello," in messages["bo@example.com"].get_body(("html",)).get_content()
    assert 'style="' in html  # CSS inlined for mail clients that drop <style>
    assert page.full_url in ada.get_body(("plain",)).get_content()
    update = update_of(page)
    assert statuses(update) == {"sent": 2}
    assert update.status == UpdateStatus.SENT
    sent_ids = set(Delivery.objects.filter(update=update).values_list("message_id", flat=True))
    assert sent_ids == {m["Message-ID"] for m in messages.values()}


def test_a_member_who_left_after_the_fan_out_is_skipped_at_send_time(site, article, directory, smtp_server):
    directory.add(1, "stays@example.com")
    directory.add(2, "leaves@example.com")
    update = Update.objects.create(site=site, page=article, title="Again", sequence=2)
    fanout.fan_out(update.pk)
    directory.leave(2)

    outbox.run()

    assert [m["To"] for m in smtp_server.messages()] == ["stays@example.com"]
    assert statuses(update) == {"sent": 1, "skipped": 1}


def test_a_held_update_sends_nothing_until_released(site, article, directory, smtp_server):
    directory.add(1)
    update = Update.objects.create(site=site, page=article, title="Held", sequence=2)
    fanout.fan_out(update.pk)
    hold(update)

    outbox.run()
    assert smtp_server.messages() == [] and statuses(update) == {"queued": 1}

    release(update)
    outbox.run()
    assert len(smtp_server.messages()) == 1 and statuses(update) == {"sent": 1}


def _faulty(tmp_path, settings):
    from tests.support.smtp import SMTPServer

    server = SMTPServer(tmp_path / "maildir", handler="tests.support.faulty_smtp.FaultyMailbox")
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    return server


@pytest.fixture
def faulty_smtp(tmp_path, settings):
    server = _faulty(tmp_path, settings)
    yield server
    server.stop()


def test_smtp_4xx_is_tried_again_at_once_then_waits_with_backoff_then_succeeds_and_5xx_gives_up(
    site, article, directory, faulty_smtp, settings
):
    settings.SYNDICATION_FAILURES_BEFORE_SUPPRESSING = 1
    directory.add(1, "fine@example.com")
    directory.add(2, "greylist-later@example.com")
    directory.add(3, "bounce-gone@example.com")
    directory.add(4, "reject-policy@example.com")
    directory.add(5, "tempfail-once@example.com")
    update = Update.objects.create(site=site, page=article, title="Faults", sequence=2)
    fanout.fan_out(update.pk)

    outbox.run()
    rows = {row.member_id: row for row in Delivery.objects.filter(update=update)}
    assert rows[1].status == DeliveryStatus.SENT
    assert rows[5].status == DeliveryStatus.SENT and rows[5].attempts == 1  # the second try, at once
    assert rows[2].status == DeliveryStatus.QUEUED and rows[2].attempts == 1
    assert rows[2].next_attempt_at > timezone.now() + timedelta(seconds=settings.SYNDICATION_RETRY_BASE_SECONDS * 0.4)
    assert "451" in rows[2].error
    assert rows[3].status == DeliveryStatus.BOUNCED and "550" in rows[3].error
    assert rows[4].status == DeliveryStatus.FAILED and "554" in rows[4].error
    assert sorted((s["address"], s["reason"]) for s in directory.undeliverable) == [
        ("bounce-gone@example.com", "bounced"),
        ("reject-policy@example.com", "failed"),
    ]

    outbox.run(now=timezone.now() + timedelta(hours=1))  # the retry is due
    assert Delivery.objects.get(update=update, member_id=2).status == DeliveryStatus.SENT
    assert sorted(m["To"] for m in faulty_smtp.messages()) == [
        "fine@example.com", "greylist-later@example.com", "tempfail-once@example.com"
    ]
    assert set(DeliveryEvent.objects.filter(update=update).values_list("kind", flat=True)) == {
        "deferred", "bounced", "failed"
    }


def test_a_server_closing_the_channel_is_connected_to_again_and_the_batch_goes_on(
    site, article, directory, faulty_smtp
):
    directory.add(1, "closing-first@example.com")
    directory.add(2, "after@example.com")
    directory.add(3, "closing-third@example.com")
    update = Update.objects.create(site=site, page=article, title="421", sequence=2)
    fanout.fan_out(update.pk)

    stats = outbox.run()
    assert not stats.outage
    assert list(Delivery.objects.filter(update=update).values_list("status", "attempts")) == [("sent", 1)] * 3
    assert sorted(m["To"] for m in faulty_smtp.messages()) == [
        "after@example.com", "closing-first@example.com", "closing-third@example.com"
    ]


def test_retries_give_up_after_the_last_attempt(site, article, directory, faulty_smtp, settings):
    settings.SYNDICATION_MAX_ATTEMPTS = 3
    directory.add(1, "alwaystemp-x@example.com")
    update = Update.objects.create(site=site, page=article, title="Never", sequence=2)
    fanout.fan_out(update.pk)
    later = timezone.now()
    for _ in range(3):
        outbox.run(now=later)
        later += timedelta(days=1)
    row = Delivery.objects.get(update=update)
    assert (row.status, row.attempts) == (DeliveryStatus.FAILED, 3)
    assert row.error.startswith("Gave up after 3 attempts")
    update.refresh_from_db()
    assert update.status == UpdateStatus.SENT


def test_smtp_down_charges_no_attempt_and_the_update_resumes_when_it_is_back(
    site, article, directory, smtp_server, settings
):
    for member_id in range(1, 4):
        directory.add(member_id)
    update = Update.objects.create(site=site, page=article, title="Outage", sequence=2)
    fanout.fan_out(update.pk)
    working_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = 1  # nothing listens there

    stats = outbox.run()
    assert "Cannot reach the mail server" in stats.outage
    assert list(Delivery.objects.filter(update=update).values_list("status", "attempts")) == [("queued", 0)] * 3

    settings.EMAIL_PORT = working_port
    outbox.run(now=timezone.now() + timedelta(minutes=1))
    assert len(smtp_server.messages()) == 3 and statuses(update) == {"sent": 3}


def test_a_dead_workers_batch_is_sent_by_another_after_its_lease(site, article, directory, smtp_server, settings):
    settings.SYNDICATION_BATCH_SIZE = 5
    for member_id in range(1, 13):
        directory.add(member_id)
    update = Update.objects.create(site=site, page=article, title="Dies", sequence=2)
    fanout.fan_out(update.pk)
    # Worker A claims a batch and dies before handing anything over.
    claimed = outbox.claim(Delivery, "worker-a")
    assert len(claimed) == 5

    outbox.run("worker-b")
    assert len(smtp_server.messages()) == 7  # A's batch is still leased to A

    later = timezone.now() + timedelta(seconds=settings.SYNDICATION_CLAIM_LEASE_SECONDS + 1)
    outbox.run("worker-b", now=later)
    recipients = [m["To"] for m in smtp_server.messages()]
    assert len(recipients) == 12 and len(set(recipients)) == 12
    assert statuses(update) == {"sent": 12}


def test_switching_the_plugin_off_mid_send_sends_nothing_more_until_it_is_back(
    site, article, directory, smtp_server, deactivate_plugin, activate_plugin
):
    directory.add(1)
    update = Update.objects.create(site=site, page=article, title="Paused", sequence=2)
    fanout.fan_out(update.pk)
    deactivate_plugin(site, "syndication")

    outbox.run()
    assert smtp_server.messages() == []
    row = Delivery.objects.get(update=update)
    assert (row.status, row.attempts) == (DeliveryStatus.QUEUED, 0)

    activate_plugin(site, "syndication")
    outbox.run(now=timezone.now() + timedelta(minutes=6))
    assert len(smtp_server.messages()) == 1


def test_publishing_with_the_plugin_off_creates_no_update(
    site, journal, no_delay, directory, smtp_server, deactivate_plugin, django_capture_on_commit_callbacks
):
    directory.add(1)
    deactivate_plugin(site, "syndication")
    with django_capture_on_commit_callbacks(execute=True):
        make_article(journal, title="Quiet news")
    assert not Update.objects.exists() and smtp_server.messages() == []


def test_an_article_with_an_empty_body_waits_with_a_message_for_the_editor(
    site, journal, no_delay, directory, smtp_server, django_capture_on_commit_callbacks
):
    directory.add(1)
    page = ArticlePage(title="Nothing yet", slug="nothing-yet", summary="Soon.", date=date(2026, 12, 1), body=[])
    journal.add_child(instance=page)
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    update = Update.objects.get(page=page)
    assert update.status == UpdateStatus.PROBLEM
    assert update.problem.startswith("“Nothing yet” has no text to send: its body is empty.")
    assert not Delivery.objects.exists() and smtp_server.messages() == []


def test_missing_mail_settings_hold_the_update_with_a_message_and_lose_nobody(
    site, article, directory, settings, smtp_server
):
    directory.add(1)
    update = Update.objects.create(site=site, page=article, title="No mail", sequence=2)
    settings.EMAIL_HOST = ""
    assert fanout.fan_out(update.pk) is None
    update.refresh_from_db()
    assert update.status == UpdateStatus.PROBLEM and update.problem.startswith("Mail is not set up")

    settings.EMAIL_HOST = "127.0.0.1"
    release(update)
    fanout.fan_out(update.pk)
    outbox.run()
    assert len(smtp_server.messages()) == 1
