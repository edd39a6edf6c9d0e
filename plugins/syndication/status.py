"""The syndication plugin's lines in ``manage.py queue_status``, answering
the core's ``backlog_report`` hook: what waits to go out on a site.

- **Deliveries queued**: rows waiting for a sender (``queued=True``, so
  ``--fail-over`` watches them). The age is how long the longest-overdue
  row has been due: a growing age with a steady count means no sender is
  running.
- **Deliveries sending**: rows a worker holds (a lease). Expired leases
  belong to a worker that died; ``syndication_tick`` requeues them, so
  many expired leases mean the tick is not running.
- **Waiting for digests**: deliveries folded into a daily or weekly digest.
- **Digests queued / sending**: the digest emails themselves.
- **Updates scheduled / held / needing attention**: updates not yet fanned
  out. A scheduled update past its send time is overdue (the tick starts it).

Three aggregate queries per site, whatever the number of rows.
"""
from __future__ import annotations

from django.db.models import Count, Min, Q
from django.utils import timezone

from hearthside.extending import hooks

from .models import Delivery, DeliveryStatus, Digest, Update, UpdateStatus


def _age(now, since) -> int | None:
    return max(0, int((now - since).total_seconds())) if since is not None else None


def _outbox(rows, now) -> dict:
    """Counts of one outbox table's waiting rows, in one query."""
    queued = Q(status=DeliveryStatus.QUEUED)
    sending = Q(status=DeliveryStatus.SENDING)
    return rows.aggregate(
        queued=Count("pk", filter=queued),
        due=Count("pk", filter=queued & Q(next_attempt_at__lte=now)),
        oldest_due=Min("next_attempt_at", filter=queued & Q(next_attempt_at__lte=now)),
        sending=Count("pk", filter=sending),
        expired=Count("pk", filter=sending & Q(lease_expires_at__lt=now)),
        digest=Count("pk", filter=Q(status=DeliveryStatus.DIGEST)),
    )


@hooks.backlog_report.connect
def backlog_lines(site, now=None, **kwargs) -> list[dict]:
    now = now or timezone.now()
    deliveries = _outbox(Delivery.objects.filter(update__site=site), now)
    digests = _outbox(Digest.objects.filter(site=site), now)
    updates = Update.objects.filter(site=site).aggregate(
        scheduled=Count("pk", filter=Q(status=UpdateStatus.SCHEDULED)),
        overdue=Count("pk", filter=Q(status=UpdateStatus.SCHEDULED, send_at__lte=now)),
        oldest_overdue=Min("send_at", filter=Q(status=UpdateStatus.SCHEDULED, send_at__lte=now)),
        held=Count("pk", filter=Q(status=UpdateStatus.HELD)),
        problem=Count("pk", filter=Q(status=UpdateStatus.PROBLEM)),
    )

    def sending_note(counts):
        return f"{counts['expired']} lease(s) expired" if counts["expired"] else "leases held by workers"

    return [
        {"label": "Deliveries queued", "count": deliveries["queued"],
         "oldest_seconds": _age(now, deliveries["oldest_due"]),
         "note": f"{deliveries['due']} due now", "queued": True},
        {"label": "Deliveries sending", "count": deliveries["sending"], "oldest_seconds": None,
         "note": sending_note(deliveries)},
        {"label": "Waiting for digests", "count": deliveries["digest"], "oldest_seconds": None,
         "note": "sent with the next daily or weekly digest"},
        {"label": "Digests queued", "count": digests["queued"], "oldest_seconds": _age(now, digests["oldest_due"]),
         "note": f"{digests['due']} due now", "queued": True},
        {"label": "Digests sending", "count": digests["sending"], "oldest_seconds": None,
         "note": sending_note(digests)},
        {"label": "Updates scheduled", "count": updates["scheduled"],
         "oldest_seconds": _age(now, updates["oldest_overdue"]),
         "note": f"{updates['overdue']} past their send time"},
        {"label": "Updates held", "count": updates["held"], "oldest_seconds": None, "note": "held by an editor"},
        {"label": "Updates needing attention", "count": updates["problem"], "oldest_seconds": None,
         "note": "see the update's problem in the admin"},
    ]
