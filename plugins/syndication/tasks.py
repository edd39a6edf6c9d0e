"""Background work, through django-tasks. Tasks only wake workers; the
outbox rows are the truth, so a lost or repeated task loses or repeats
nothing: each task looks at the rows and does what is due.

- ``start_update``: fan an update out when its delay is over;
- ``send_deliveries``: send what is due (SYNDICATION_SENDERS of them run
  side by side, one per worker), then sleep until the next retry;
- ``tick``: what ``manage.py syndication_tick`` runs every minute (from
  cron, or beside the workers in ``make run``): it starts updates whose
  delay is over, collects due digests, recovers what dead workers left and
  sends what is due, whatever wake-ups were lost.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import default_task_backend, task

logger = logging.getLogger("hearthside.syndication")


def can_defer() -> bool:
    return getattr(default_task_backend, "supports_defer", False)


def wake(a_task, at=None, *args) -> None:
    """Enqueue ``a_task(*args)`` to run at ``at`` (now if None or past).
    A backend that cannot run tasks later leaves a future wake-up to ``tick``."""
    now = timezone.now()
    if at is None or at <= now:
        a_task.enqueue(*args)
    elif can_defer():
        a_task.using(run_after=at).enqueue(*args)


def wake_senders() -> None:
    for _ in range(max(1, settings.SYNDICATION_SENDERS)):
        send_deliveries.enqueue()


@task()
def start_update(update_id: int) -> int | None:
    from .fanout import fan_out

    count = fan_out(update_id)
    if count:
        wake_senders()
    return count


@task()
def send_deliveries() -> dict:
    from .outbox import next_due_at, run

    stats = run()
    upcoming = next_due_at()
    if upcoming is not None and can_defer():
        # Retries and outages wait in the rows; one sender wakes for the earliest.
        send_deliveries.using(run_after=max(upcoming, timezone.now() + timedelta(seconds=1))).enqueue()
    return {"batches": stats.batches, "counts": dict(stats.counts), "outage": stats.outage}


@task()
def tick() -> dict:
    """Start due updates, finish interrupted fan-outs, requeue rows of dead
    workers, collect digests and send what is due."""
    from .digests import collect_all
    from .fanout import fan_out, resume_interrupted
    from .models import Update, UpdateStatus
    from .outbox import requeue_expired, run

    now = timezone.now()
    started = [pk for pk in Update.objects.filter(status=UpdateStatus.SCHEDULED, send_at__lte=now)
               .values_list("pk", flat=True) if fan_out(pk)]
    resumed = resume_interrupted(now - timedelta(seconds=settings.SYNDICATION_CLAIM_LEASE_SECONDS))
    requeued = requeue_expired(now)
    if (started or resumed or requeued) and can_defer():
        # Workers share what the tick found, as they do after start_update;
        # alone, the one tick would send a whole update by itself.
        wake_senders()
    digests = collect_all(now)
    stats = run()
    return {"started": started, "resumed": resumed, "requeued": requeued, "digests": digests,
            "sent": stats.counts.get("sent", 0)}
