"""Daily and weekly digests: one email per member rolling up every update
since their last digest.

A digest belongs to a *period*: the day (or ISO week) whose digest time
(SYNDICATION_DIGEST_HOUR, and for weekly ones SYNDICATION_DIGEST_WEEKDAY)
has most recently passed. ``collect`` creates one Digest row per member
with waiting deliveries for the current period and attaches those
deliveries to it; the outbox then sends digests like any other row. The
unique (site, member, channel, frequency, period) row means a period's
digest is never sent twice, however often ``collect`` runs, and a member
with nothing new gets no row and no email.
"""
from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from .models import Delivery, DeliveryStatus, Digest

DAILY, WEEKLY = "daily", "weekly"


def period(frequency: str, now=None) -> str:
    """The current period's key: "2026-12-02" (daily) or "2026-W49" (weekly)."""
    local = timezone.localtime(now or timezone.now()) - timedelta(hours=settings.SYNDICATION_DIGEST_HOUR)
    if frequency == WEEKLY:
        local -= timedelta(days=(local.weekday() - settings.SYNDICATION_DIGEST_WEEKDAY) % 7)
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"
    return local.date().isoformat()


def collect(frequency: str, now=None) -> int:
    """Create this period's digests of ``frequency`` for every member with
    waiting deliveries, and attach those deliveries. Returns how many
    digests were created."""
    now = now or timezone.now()
    key = period(frequency, now)
    waiting = Delivery.objects.filter(status=DeliveryStatus.DIGEST, frequency=frequency, digest__isnull=True)
    owners = waiting.values_list("update__site_id", "member_id", "channel").distinct()
    before = Digest.objects.filter(frequency=frequency, period=key).count()
    batch = []
    for site_id, member_id, channel in owners.iterator(chunk_size=5000):
        batch.append(Digest(site_id=site_id, member_id=member_id, channel=channel, frequency=frequency, period=key,
                            next_attempt_at=now))
        if len(batch) >= 5000:
            Digest.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    if batch:
        Digest.objects.bulk_create(batch, ignore_conflicts=True)
    # Only a digest not yet sent takes deliveries: what arrives after this
    # period's digest went out waits for the next period's.
    open_digest = Digest.objects.filter(
        member_id=OuterRef("member_id"),
        channel=OuterRef("channel"),
        frequency=frequency,
        period=key,
        status=DeliveryStatus.QUEUED,
    ).values("pk")[:1]
    waiting.update(digest_id=Subquery(open_digest))
    return Digest.objects.filter(frequency=frequency, period=key).count() - before


def collect_all(now=None) -> dict:
    """Collect the daily and (on its weekday) weekly digests due now."""
    return {frequency: collect(frequency, now) for frequency in (DAILY, WEEKLY)}
