"""A member who unsubscribes while a batch of theirs is being sent gets
nothing handed over after their unsubscribe commits (plugins/syndication/
leaving.py): the unsubscribe commits from another connection, as a visitor's
request would, between two messages of one batch. On PostgreSQL the sender
hears of it by NOTIFY, elsewhere by asking again."""
from __future__ import annotations

import threading

import pytest
from django.db import connection

from plugins.members import preferences
from plugins.members.models import Member
from plugins.syndication import channels, fanout, outbox
from plugins.syndication.models import Delivery, Update
from tests.factories import make_article
from tests.plugins.members.factories import make_member

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def in_another_connection(work) -> None:
    """Run ``work`` in a thread, so on a database connection of its own, committed when it returns."""
    failures = []

    def run():
        try:
            work()
        except Exception as error:  # reported in the test's own thread
            failures.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    assert not failures, failures


@pytest.fixture
def batch(site, journal, smtp_server):
    for n in range(1, 5):
        make_member(site, email=f"m{n}@example.com", phone=f"+4477009000{n:02d}",
                    channels={"email": "immediate", "sms": "immediate"})
    article = make_article(journal, title="Spelt loaf")
    update = Update.objects.create(site=site, page=article, title="Spelt loaf", sequence=2)
    fanout.fan_out(update.pk)
    return update


def sending_with_a_leave_after_the_first_message(monkeypatch, leave):
    """Make the email sender run ``leave`` (in another connection) once it has handed over its first message."""
    send = channels.EmailSender.send
    calls = []

    def send_then_leave(self, item):
        outcome = send(self, item)
        calls.append(item.contact["email"])
        if len(calls) == 1:
            in_another_connection(leave)
        return outcome

    monkeypatch.setattr(channels.EmailSender, "send", send_then_leave)
    return calls


def test_a_member_who_unsubscribes_mid_batch_is_not_sent_to(site, batch, smtp_server, monkeypatch, sms_outbox):
    def m3_leaves():
        preferences.unsubscribe(Member.objects.get(email="m3@example.com"), "email")

    sent = sending_with_a_leave_after_the_first_message(monkeypatch, m3_leaves)
    outbox.run()

    assert sorted(m["To"] for m in smtp_server.messages()) == ["m1@example.com", "m2@example.com", "m4@example.com"]
    assert sent == ["m1@example.com", "m2@example.com", "m4@example.com"]
    m3 = Member.objects.get(email="m3@example.com")
    assert Delivery.objects.get(update=batch, member_id=m3.pk, channel="email").status == "skipped"
    # Leaving email is not leaving texts.
    assert sorted(text.to for text in sms_outbox) == [f"+4477009000{n:02d}" for n in range(1, 5)]


def test_an_erased_member_is_not_sent_to_mid_batch(site, batch, smtp_server, monkeypatch, sms_outbox):
    def m2_is_erased():
        preferences.erase(Member.objects.get(email="m2@example.com"))

    sending_with_a_leave_after_the_first_message(monkeypatch, m2_is_erased)
    outbox.run()

    assert sorted(m["To"] for m in smtp_server.messages()) == ["m1@example.com", "m3@example.com", "m4@example.com"]
