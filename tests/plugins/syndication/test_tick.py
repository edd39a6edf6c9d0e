"""``manage.py syndication_tick``, the cron safety net: whatever wake-up
was lost, it starts due updates, requeues rows a dead worker held and
sends them."""
from __future__ import annotations

from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from plugins.syndication import fanout, outbox
from plugins.syndication.models import Delivery, DeliveryStatus, Update, UpdateStatus
from tests.factories import make_article


def test_the_tick_starts_due_updates_and_recovers_a_dead_workers_rows(site, journal, directory, smtp_server, settings):
    settings.SYNDICATION_CLAIM_LEASE_SECONDS = 0
    for member_id in range(1, 4):
        directory.add(member_id)
    waiting = Update.objects.create(site=site, page=make_article(journal), title="Due", sequence=2,
                                    send_at=timezone.now() - timedelta(minutes=1))
    abandoned = Update.objects.create(site=site, page=make_article(journal), title="Abandoned", sequence=2)
    fanout.fan_out(abandoned.pk)
    assert len(outbox.claim(Delivery, "dead-worker")) == 3  # and it never came back

    out = StringIO()
    call_command("syndication_tick", stdout=out)

    assert "started 1 update(s)" in out.getvalue() and "requeued 3 row(s)" in out.getvalue()
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert Delivery.objects.count() == 6 and len(smtp_server.messages()) == 6
    assert set(Update.objects.filter(pk__in=[waiting.pk, abandoned.pk]).values_list("status", flat=True)) == {
        UpdateStatus.SENT
    }


def test_the_tick_leaves_an_update_alone_until_its_delay_is_over(site, journal, directory, smtp_server):
    directory.add(1)
    later = Update.objects.create(site=site, page=make_article(journal), title="Later", sequence=2,
                                  send_at=timezone.now() + timedelta(minutes=10))
    call_command("syndication_tick", stdout=StringIO())
    later.refresh_from_db()
    assert later.status == UpdateStatus.SCHEDULED and smtp_server.messages() == []


def test_an_update_the_tick_starts_wakes_the_workers_to_share_it(site, journal, directory, smtp_server, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {**settings.TASKS, "default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.SYNDICATION_SENDERS = 3
    directory.add(1)
    Update.objects.create(site=site, page=make_article(journal), title="Due", sequence=2,
                          send_at=timezone.now() - timedelta(minutes=1))
    DBTaskResult.objects.all().delete()  # what publishing the article queued

    call_command("syndication_tick", stdout=StringIO())

    woken = DBTaskResult.objects.filter(task_path="plugins.syndication.tasks.send_deliveries")
    assert woken.count() == 3
    assert len(smtp_server.messages()) == 1  # the tick sends too; the workers find nothing left


def test_a_quiet_tick_wakes_nobody(site, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {**settings.TASKS, "default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    call_command("syndication_tick", stdout=StringIO())

    assert not DBTaskResult.objects.exists()
