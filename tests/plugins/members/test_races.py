"""Simultaneous requests for one address, on PostgreSQL where rows are
really locked: two (or ten) signups at once make one member and never fail,
and a confirmation link followed twice at once grants once.

Each thread works on its own database connection (Django's are per thread)
and closes it at the end. The tests need committed data, so they run in
transactional mode; SQLite serialises writers and cannot show these races.

Run: DATABASE_URL=postgres://... pytest tests/plugins/members/test_races.py --create-db
"""
from __future__ import annotations

import threading

import pytest
from django.core import mail
from django.db import connection
from django.db.models.signals import pre_save

from plugins.members import hooks as member_hooks
from plugins.members import signup as service
from plugins.members.models import ConsentRecord, Member, Subscription

from .conftest import link_in, link_payload

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason=f"needs PostgreSQL's row locks to race (this run uses {connection.vendor}); "
        "set DATABASE_URL=postgres://... to run it",
    ),
    # Committed data, seen by every thread; the serialised rollback restores Wagtail's root page.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("generous_member_limits"),
]

TIMEOUT = 30


def run_together(count: int, work) -> tuple[list, list[BaseException]]:
    """Run ``work(index)`` in ``count`` threads released at the same moment.
    Returns the results and the exceptions raised, in thread order."""
    start = threading.Barrier(count)
    results: list = [None] * count
    errors: list = [None] * count

    def thread_main(index):
        try:
            start.wait(timeout=TIMEOUT)
            results[index] = work(index)
        except BaseException as error:  # noqa: BLE001 - reported to the test
            errors[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=thread_main, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck (deadlock?)"
    return results, [error for error in errors if error is not None]


class Heard:
    def __init__(self):
        self.calls = []
        self.lock = threading.Lock()

    def __call__(self, site, **kwargs):
        with self.lock:
            self.calls.append(kwargs)


@pytest.fixture
def inserts_in_step():
    """Hold each thread's INSERT of a new member until every thread has got
    that far, so all of them have looked for the address and found nothing:
    the race on the unique constraint happens every time, not by luck."""

    def hold(count):
        barrier = threading.Barrier(count)
        lock = threading.Lock()
        attempts = []

        def before_insert(sender, instance, raw=False, **kwargs):
            if instance.pk is None:
                with lock:
                    attempts.append(instance.email)
                barrier.wait(timeout=TIMEOUT)

        pre_save.connect(before_insert, sender=Member, weak=False, dispatch_uid="members-race")
        return attempts

    yield hold
    pre_save.disconnect(sender=Member, dispatch_uid="members-race")


@pytest.mark.parametrize("count", [2, 10])
def test_simultaneous_signups_of_one_address_make_one_member(site, count, inserts_in_step):
    attempts = inserts_in_step(count)
    heard = Heard()
    emails = [f"{'ADA' if index % 2 else 'ada'}@example.com" for index in range(count)]

    with member_hooks.member_stage_changed.connected(heard):
        results, errors = run_together(
            count, lambda index: service.signup(site, email=emails[index], channels={"email": "weekly"}).pk
        )

    assert errors == []
    assert len(attempts) == count  # every thread really tried to insert
    assert Member.objects.count() == 1
    assert set(results) == {Member.objects.get().pk}
    assert [call["new_stage"] for call in heard.calls] == ["prospect"]  # announced by the one that created it
    # Everyone was sent the one, shared confirmation link.
    assert len(mail.outbox) == count
    assert len({tuple(sorted(link_payload(message.body).items())) for message in mail.outbox}) == 1


def test_ten_signups_at_once_without_holding_the_inserts(site):
    results, errors = run_together(10, lambda index: service.signup(site, email="tom@example.com").pk)

    assert errors == []
    assert Member.objects.count() == 1
    assert set(results) == {Member.objects.get().pk}


def test_simultaneous_signups_of_different_addresses_all_get_in(site, inserts_in_step):
    attempts = inserts_in_step(5)
    results, errors = run_together(5, lambda index: service.signup(site, email=f"guest{index}@example.com").pk)

    assert errors == []
    assert Member.objects.count() == 5 == len(set(results)) == len(attempts)


def test_a_link_followed_twice_at_once_grants_once(site):
    service.signup(site, email="ada@example.com", channels={"email": "weekly", "rss": "immediate"})
    token = link_in(mail.outbox[0].body, "confirm").rstrip("/").rsplit("/", 1)[1]
    heard = Heard()

    with member_hooks.member_confirmed.connected(heard):
        results, errors = run_together(10, lambda index: service.confirm(token).pk)

    member = Member.objects.get()
    assert [result for result in results if result is not None] == [member.pk]
    assert len(errors) == 9 and all(isinstance(error, service.LinkAlreadyUsed) for error in errors)
    assert member.confirmed_at is not None
    assert sorted(Subscription.objects.filter(member=member).values_list("channel", flat=True)) == ["email", "rss"]
    assert sorted(ConsentRecord.objects.filter(member=member).values_list("channel", "action")) == [
        ("email", "granted"), ("rss", "granted")
    ]
    assert len(heard.calls) == 1
