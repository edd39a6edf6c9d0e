"""Digests: one email per member rolling up everything since their last
digest, nothing when there is nothing new, never twice for a period."""
from __future__ import annotations

from datetime import datetime, timedelta
from datetime import timezone as tz

import pytest

from plugins.syndication import digests, fanout, outbox
from plugins.syndication.models import Delivery, DeliveryStatus, Digest, Update
from tests.factories import make_article

MORNING = datetime(2026, 12, 2, 9, 0, tzinfo=tz.utc)  # a Wednesday, after the digest hour


@pytest.fixture(autouse=True)
def digest_clock(settings):
    settings.TIME_ZONE = "UTC"
    settings.SYNDICATION_DIGEST_HOUR = 8
    settings.SYNDICATION_DIGEST_WEEKDAY = 0


def send_update(site, page, now):
    update = Update.objects.create(site=site, page=page, title=page.title, send_at=now)
    fanout.fan_out(update.pk, now=now)
    outbox.run(now=now)
    return update


def test_periods_turn_over_at_the_digest_hour_and_on_the_digest_weekday():
    assert digests.period("daily", MORNING) == "2026-12-02"
    assert digests.period("daily", MORNING.replace(hour=7)) == "2026-12-01"
    assert digests.period("weekly", MORNING) == "2026-W49"  # Monday 30 November's week
    assert digests.period("weekly", datetime(2026, 11, 30, 7, tzinfo=tz.utc)) == "2026-W48"
    assert digests.period("weekly", datetime(2026, 11, 30, 8, tzinfo=tz.utc)) == "2026-W49"


def test_a_daily_member_gets_one_digest_of_every_update_since_their_last(
    site, journal, directory, smtp_server
):
    directory.add(1, "daily@example.com", name="Dee", channels={"email": "daily"})
    directory.add(2, "now@example.com", channels={"email": "immediate"})
    first = make_article(journal, title="Rye loaf")
    second = make_article(journal, title="Crumpets are back")
    send_update(site, first, MORNING - timedelta(hours=20))
    send_update(site, second, MORNING - timedelta(hours=3))
    assert [m["To"] for m in smtp_server.messages()] == ["now@example.com", "now@example.com"]

    assert digests.collect("daily", MORNING) == 1
    outbox.run(now=MORNING)

    digest_mail = [m for m in smtp_server.messages() if m["To"].endswith("<daily@example.com>")]
    assert len(digest_mail) == 1
    body = digest_mail[0].get_payload()[1].get_payload(decode=True).decode()
    assert "Rye loaf" in body and "Crumpets are back" in body and "Hi Dee," in body
    assert digest_mail[0]["Subject"].startswith("Today at ")
    assert digest_mail[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert set(Delivery.objects.filter(member_id=1).values_list("status", flat=True)) == {DeliveryStatus.SENT}


def test_no_digest_is_made_when_there_is_nothing_new(site, journal, directory, smtp_server):
    directory.add(1, "daily@example.com", channels={"email": "daily"})
    assert digests.collect("daily", MORNING) == 0
    outbox.run(now=MORNING)
    assert smtp_server.messages() == [] and not Digest.objects.exists()


def test_a_period_s_digest_is_never_sent_twice_and_later_news_waits_for_the_next(
    site, journal, directory, smtp_server
):
    directory.add(1, "weekly@example.com", channels={"email": "weekly"})
    send_update(site, make_article(journal, title="Week one news"), MORNING - timedelta(days=1))
    assert digests.collect("weekly", MORNING) == 1
    outbox.run(now=MORNING)
    assert digests.collect("weekly", MORNING) == 0  # same week, again

    later = send_update(site, make_article(journal, title="Late news"), MORNING + timedelta(hours=1))
    assert digests.collect("weekly", MORNING + timedelta(hours=2)) == 0
    outbox.run(now=MORNING + timedelta(hours=2))
    assert len(smtp_server.messages()) == 1
    assert Delivery.objects.get(update=later).status == DeliveryStatus.DIGEST

    next_week = MORNING + timedelta(days=6)  # Tuesday of the next week
    assert digests.collect("weekly", next_week) == 1
    outbox.run(now=next_week)
    subjects = sorted(m["Subject"].split(": ", 1)[1] for m in smtp_server.messages())
    assert subjects == ["Late news", "Week one news"]
    assert Delivery.objects.get(update=later).status == DeliveryStatus.SENT


def test_a_digest_member_who_unsubscribed_meanwhile_gets_nothing(site, journal, directory, smtp_server):
    directory.add(1, "daily@example.com", channels={"email": "daily"})
    send_update(site, make_article(journal), MORNING - timedelta(hours=2))
    directory.leave(1)
    digests.collect("daily", MORNING)
    outbox.run(now=MORNING)
    assert smtp_server.messages() == []
    assert Digest.objects.get().status == DeliveryStatus.SKIPPED
    assert Delivery.objects.get().status == DeliveryStatus.SKIPPED
