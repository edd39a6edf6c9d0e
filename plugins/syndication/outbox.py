"""The outbox engine: workers claim due rows in batches, hand them over,
and record what happened.

The rules that keep every member's update exactly once:

- A claim is one short transaction: ``SELECT ... FOR UPDATE SKIP LOCKED``
  (on PostgreSQL; SQLite serialises writers instead) picks due rows, which
  are marked ``sending`` with this worker's name and a lease. Two workers
  never claim the same row.
- A row is marked ``sent`` only after its message was handed over, in one
  write per batch. A worker killed mid-batch leaves its rows ``sending``;
  when the lease runs out they are queued again, so at most that one
  in-flight batch is sent twice, and nobody is lost.
- Whether the member may still be reached is asked at send time
  (``recipient_contacts``), so an unsubscribe or a suppression made after
  the fan-out is honoured.
- Transient failures wait (exponential backoff with jitter) and are retried
  up to SYNDICATION_MAX_ATTEMPTS; permanent ones are recorded and, past a
  threshold, suppress the address. A mail server that is down charges no
  attempt: the batch waits and the worker stops until it is woken again.
"""
from __future__ import annotations

import logging
import os
import random
import socket
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from wagtail.models import Page, Site

from hearthside.extending.activation import is_active
from hearthside.ratelimit import consume, parse_rate

from . import hooks, leaving
from .channels import BOUNCED, FAILED, OUTAGE, RETRY, SENT, Item, senders_for
from .content import DigestContent, UpdateContent, content_for
from .models import Delivery, DeliveryEvent, DeliveryStatus, Digest, EventKind, Update, UpdateStatus

logger = logging.getLogger("hearthside.syndication")

# How long a batch waits when its server is down before a worker tries again.
OUTAGE_DELAY = timedelta(seconds=30)
# How long rows of a site whose syndication plugin was switched off wait before they are looked at again.
PAUSE_DELAY = timedelta(minutes=5)
PAUSED = "paused"
MAX_BACKOFF = timedelta(hours=6)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[:64]


def backoff(attempts: int) -> timedelta:
    """The wait before attempt ``attempts + 1``: doubling from
    SYNDICATION_RETRY_BASE_SECONDS, with ±50% jitter so retries spread out."""
    base = settings.SYNDICATION_RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1)
    return min(MAX_BACKOFF, timedelta(seconds=base * random.uniform(0.5, 1.5)))


def requeue_expired(now=None) -> int:
    """Give rows back whose worker's lease ran out (it died or hung)."""
    now = now or timezone.now()
    requeued = 0
    for model in (Delivery, Digest):
        requeued += model.objects.filter(status=DeliveryStatus.SENDING, lease_expires_at__lt=now).update(
            status=DeliveryStatus.QUEUED, claimed_by="", lease_expires_at=None
        )
    return requeued


def due(model, now):
    rows = model.objects.filter(status=DeliveryStatus.QUEUED, next_attempt_at__lte=now)
    if model is Delivery:
        rows = rows.filter(update__status=UpdateStatus.SENDING)
    return rows


def claim(model, worker: str, *, now=None, batch_size: int | None = None) -> list:
    """Claim up to ``batch_size`` due rows of ``model`` for ``worker``."""
    now = now or timezone.now()
    batch_size = batch_size or settings.SYNDICATION_BATCH_SIZE
    lease = timedelta(seconds=settings.SYNDICATION_CLAIM_LEASE_SECONDS)
    with transaction.atomic():
        ids = list(
            due(model, now)
            .order_by("next_attempt_at")  # the (status, next_attempt_at) index gives this order: no sort
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return []
        model.objects.filter(pk__in=ids, status=DeliveryStatus.QUEUED).update(
            status=DeliveryStatus.SENDING,
            claimed_by=worker,
            lease_expires_at=now + lease,
            attempts=F("attempts") + 1,
        )
    return list(model.objects.filter(pk__in=ids, claimed_by=worker, status=DeliveryStatus.SENDING).order_by("pk"))


@dataclass
class RunStats:
    batches: int = 0
    counts: dict = field(default_factory=lambda: defaultdict(int))
    outage: str = ""

    def add(self, result: str, n: int = 1) -> None:
        self.counts[result] += n


def throttle(channel: str) -> None:
    """Wait until ``channel``'s rate allows one more message (shared by all
    workers through the cache)."""
    rate = settings.SYNDICATION_CHANNEL_RATES.get(channel)
    if not rate or rate in ("0", "none"):
        return
    limit, window = parse_rate(rate)
    while (wait := consume("syndication-channel", channel, limit, window)) is not None:
        time.sleep(min(wait, 1.0) if window > 1 else 0.05)


def contacts_for(site, channel: str, member_ids: list[int], update_id: int | None) -> dict:
    found: dict = {}
    for _receiver, result in hooks.recipient_contacts.send(
        site, channel=channel, member_ids=member_ids, update_id=update_id
    ):
        if result:
            found.update(result)
    return found


class Run:
    """One worker's pass over the outbox, until nothing is due (or the
    mail server is down)."""

    def __init__(self, worker: str | None = None, *, batch_size: int | None = None, now=None):
        self.worker = worker or worker_name()
        self.batch_size = batch_size or settings.SYNDICATION_BATCH_SIZE
        self.fixed_now = now
        self.stats = RunStats()
        self.senders: dict[int, dict] = {}
        self.sites: dict[int, Site] = {}
        self.updates: dict[int, Update] = {}
        self.contents: dict = {}
        self.touched: set[int] = set()
        self.failed_channels: set[str] = set()

    def now(self):
        return self.fixed_now or timezone.now()

    def site(self, site_id: int) -> Site:
        if site_id not in self.sites:
            self.sites[site_id] = Site.objects.get(pk=site_id)
        return self.sites[site_id]

    def sender(self, site, channel: str):
        if site.pk not in self.senders:
            self.senders[site.pk] = senders_for(site)
            for sender in self.senders[site.pk].values():
                sender.opened = False
        sender = self.senders[site.pk].get(channel)
        if sender is not None and not sender.opened:
            sender.open()
            sender.opened = True
        return sender

    def update(self, update_id: int) -> Update:
        if update_id not in self.updates:
            self.updates[update_id] = Update.objects.select_related("site", "page").get(pk=update_id)
        return self.updates[update_id]

    def update_content(self, update_id: int) -> UpdateContent:
        key = ("update", update_id)
        if key not in self.contents:
            self.contents[key] = content_for(self.update(update_id))
        return self.contents[key]

    # -- the loop -----------------------------------------------------------

    def __call__(self, max_batches: int | None = None) -> RunStats:
        requeue_expired(self.now())
        try:
            while max_batches is None or self.stats.batches < max_batches:
                rows = claim(Delivery, self.worker, now=self.now(), batch_size=self.batch_size)
                if rows:
                    self.send_deliveries(rows)
                else:
                    rows = claim(Digest, self.worker, now=self.now(), batch_size=self.batch_size)
                    if not rows:
                        break
                    self.send_digests(rows)
                self.stats.batches += 1
                if self.stats.outage:
                    break
        finally:
            for senders in self.senders.values():
                for sender in senders.values():
                    if getattr(sender, "opened", False):
                        sender.close()
            self.finish_updates()
        return self.stats

    def send_deliveries(self, rows: list[Delivery]) -> None:
        groups = defaultdict(list)
        for row in rows:
            groups[(row.update_id, row.channel)].append(row)
        for (update_id, channel), group in groups.items():
            update = self.update(update_id)
            self.touched.add(update_id)
            self.send_group(update.site, channel, group, update_id, lambda: self.update_content(update_id))

    def send_digests(self, digests: list[Digest]) -> None:
        pages_by_digest = defaultdict(list)
        page_ids = set()
        for digest_id, page_id in (
            Delivery.objects.filter(digest_id__in=[d.pk for d in digests])
            .order_by("-update__created_at")
            .values_list("digest_id", "update__page_id")
        ):
            if page_id is not None:
                pages_by_digest[digest_id].append(page_id)
                page_ids.add(page_id)
        pages = Page.objects.filter(pk__in=page_ids).live().public().specific().in_bulk()
        groups = defaultdict(list)
        for digest in digests:
            groups[(digest.site_id, digest.channel, digest.frequency, tuple(pages_by_digest[digest.pk]))].append(digest)
        for (site_id, channel, frequency, ids), group in groups.items():
            listed = [pages[pk] for pk in ids if pk in pages]
            if not listed:  # every page in it was unpublished or made private since: nothing to say
                self.record(group, [("skipped", None)] * len(group), Digest)
                continue
            site = self.site(site_id)
            key = ("digest", site_id, frequency, ids)
            if key not in self.contents:
                self.contents[key] = DigestContent(site, frequency, listed)
            self.send_group(site, channel, group, None, lambda key=key: self.contents[key], model=Digest)

    def send_group(self, site, channel: str, rows: list, update_id, content, model=Delivery) -> None:
        if not is_active(site, "syndication"):
            # Switched off mid-send: nothing goes out, and the rows wait to be switched back on.
            self.record(rows, [(PAUSED, "The syndication plugin is off on this site.")] * len(rows), model, site=site)
            return
        sender = None if channel in self.failed_channels else self.sender(site, channel)
        watch = leaving.Watch(site, channel, update_id)  # before the contacts: no leave falls between
        contacts = contacts_for(site, channel, [row.member_id for row in rows], update_id)
        outcomes = []
        for index, row in enumerate(rows):
            contact = contacts.get(row.member_id)
            if contact is None or watch.left(row.member_id):
                outcomes.append(("skipped", None))
                continue
            if sender is None:
                outcomes.append(("failed", f"Nothing sends on the “{channel}” channel here."))
                continue
            throttle(channel)
            outcome = sender.send(Item(content(), contact, update_id, row.member_id))
            if outcome.result == OUTAGE:
                self.stats.outage = outcome.error
                outcomes.extend([(OUTAGE, outcome.error)] * (len(rows) - index))
                break
            outcomes.append((outcome.result, outcome, contact))
        self.record(rows, outcomes, model, site=site)

    def record(self, rows: list, outcomes: list, model, site=None) -> None:
        now = self.now()
        events = []
        undeliverable = []
        for row, outcome in zip(rows, outcomes):
            result = outcome[0]
            row.claimed_by, row.lease_expires_at = "", None
            if result == SENT:
                row.status, row.sent_at, row.message_id, row.error = DeliveryStatus.SENT, now, outcome[1].message_id, ""
            elif result == "skipped":
                row.status, row.error = DeliveryStatus.SKIPPED, "No longer subscribed, or the address is suppressed."
            elif result in (OUTAGE, PAUSED):
                # Not the row's fault: the attempt is not counted.
                row.status, row.error = DeliveryStatus.QUEUED, outcome[1]
                row.attempts = max(0, row.attempts - 1)
                row.next_attempt_at = now + (OUTAGE_DELAY if result == OUTAGE else PAUSE_DELAY)
            elif result == RETRY and row.attempts < settings.SYNDICATION_MAX_ATTEMPTS:
                row.status, row.error = DeliveryStatus.QUEUED, outcome[1].error
                row.next_attempt_at = now + backoff(row.attempts)
                events.append(self.event(site, row, EventKind.DEFERRED, outcome[1].error))
            else:
                error = outcome[1] if isinstance(outcome[1], str) else outcome[1].error
                if result == RETRY:
                    error = f"Gave up after {row.attempts} attempts: {error}"
                row.status = DeliveryStatus.BOUNCED if result == BOUNCED else DeliveryStatus.FAILED
                row.error = (error or "")[:500]
                kind = EventKind.BOUNCED if result == BOUNCED else EventKind.FAILED
                events.append(self.event(site, row, kind, row.error))
                if len(outcome) > 2 and result in (BOUNCED, FAILED):
                    undeliverable.append((row, outcome[2], "bounced" if result == BOUNCED else "failed"))
            self.stats.add(result)
        save_outcomes(model, rows, outcomes)
        if model is Digest:
            self.finish_digest_deliveries(rows)
        if events:
            DeliveryEvent.objects.bulk_create([event for event in events if event is not None])
        for row, contact, reason in undeliverable:
            self.maybe_suppress(site, row, contact, reason)

    def event(self, site, row, kind: str, detail: str):
        if site is None:
            return None
        is_delivery = isinstance(row, Delivery)
        return DeliveryEvent(
            site=site,
            update_id=row.update_id if is_delivery else None,
            delivery=row if is_delivery else None,
            member_id=row.member_id,
            channel=row.channel,
            kind=kind,
            provider="outbox",
            detail=(detail or "")[:500],
        )

    def maybe_suppress(self, site, row, contact: dict, reason: str) -> None:
        """A hard bounce suppresses at once; other permanent failures after
        SYNDICATION_FAILURES_BEFORE_SUPPRESSING of them for the member's address."""
        if reason == "failed":
            failures = DeliveryEvent.objects.filter(
                site=site, member_id=row.member_id, channel=row.channel, kind=EventKind.FAILED
            ).count()
            if failures < settings.SYNDICATION_FAILURES_BEFORE_SUPPRESSING:
                return
        sender = self.senders.get(site.pk, {}).get(row.channel)
        address = contact.get(getattr(sender, "address_key", "email") or "email", "")
        hooks.address_undeliverable.send(
            site, channel=row.channel, address=address, member_id=row.member_id, reason=reason
        )

    def finish_digest_deliveries(self, digests: list[Digest]) -> None:
        sent = [d.pk for d in digests if d.status == DeliveryStatus.SENT]
        if sent:
            Delivery.objects.filter(digest_id__in=sent, status=DeliveryStatus.DIGEST).update(
                status=DeliveryStatus.SENT, sent_at=self.now()
            )
        for status in (DeliveryStatus.FAILED, DeliveryStatus.BOUNCED, DeliveryStatus.SKIPPED):
            given_up = [d.pk for d in digests if d.status == status]
            if given_up:
                Delivery.objects.filter(digest_id__in=given_up, status=DeliveryStatus.DIGEST).update(status=status)

    def finish_updates(self) -> None:
        finish_updates(self.touched, now=self.now())


OUTCOME_FIELDS = ["status", "sent_at", "message_id", "error", "next_attempt_at", "attempts", "claimed_by",
                  "lease_expires_at"]


def save_outcomes(model, rows: list, outcomes: list) -> None:
    """Write the outcomes ``Run.record`` set on ``rows``. Sent and skipped
    rows, nearly all of them, share every field but their message id: one
    UPDATE per status sets them all. Retries, failures and outages carry
    their own times and attempts: bulk_update. (bulk_update of every field
    builds a CASE per field and row in Python: about 2 ms a row, more than
    building and sending its message.)"""
    alike = defaultdict(list)
    own = []
    for row, outcome in zip(rows, outcomes):
        if outcome[0] in (SENT, "skipped"):
            alike[(row.status, row.error, row.sent_at)].append(row)
        else:
            own.append(row)
    for (status, error, sent_at), group in alike.items():
        update_alike(model, group, status=status, error=error, sent_at=sent_at, claimed_by="", lease_expires_at=None)
    if own:
        model.objects.bulk_update(own, OUTCOME_FIELDS)


def update_alike(model, rows: list, **values) -> None:
    """One UPDATE of ``rows``: ``values`` for all, and each row's own
    ``message_id`` through a simple CASE on the primary key."""
    quote = connection.ops.quote_name
    meta = model._meta
    columns = [meta.get_field(name) for name in values]
    pk = quote(meta.pk.column)
    params = [column.get_db_prep_save(values[column.name], connection) for column in columns]
    for row in rows:
        params += [row.pk, row.message_id]
    params += [row.pk for row in rows]
    assignments = ", ".join(f"{quote(column.column)} = %s" for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(meta.db_table)} SET {assignments}, {quote(meta.get_field('message_id').column)} = "
            f"CASE {pk} {' '.join(['WHEN %s THEN %s'] * len(rows))} END "
            f"WHERE {pk} IN ({', '.join(['%s'] * len(rows))})",
            params,
        )


def finish_updates(update_ids, now=None) -> list[int]:
    """Mark the updates among ``update_ids`` sent whose deliveries have all
    been tried, and announce them. Returns their ids."""
    if not update_ids:
        return []
    now = now or timezone.now()
    waiting = Delivery.objects.filter(
        update=OuterRef("pk"), status__in=(DeliveryStatus.QUEUED, DeliveryStatus.SENDING)
    )
    done = list(
        Update.objects.filter(pk__in=update_ids, status=UpdateStatus.SENDING, fanned_out_at__isnull=False)
        .exclude(Exists(waiting))
        .values_list("pk", flat=True)
    )
    finished = [pk for pk in done if Update.objects.filter(pk=pk, status=UpdateStatus.SENDING).update(
        status=UpdateStatus.SENT, finished_at=now
    )]
    if finished:
        from .updates import progress

        for update in Update.objects.filter(pk__in=finished).select_related("site"):
            counts = {k: v for k, v in progress(update).items() if k not in ("total", "done", "percent")}
            hooks.update_sent.send(
                update.site,
                update={"id": update.pk, "page_id": update.page_id, "kind": update.kind, "title": update.title,
                        "counts": counts},
            )
    return finished


def run(worker: str | None = None, *, batch_size: int | None = None, max_batches: int | None = None, now=None) -> RunStats:
    """Send what is due, until nothing is (see :class:`Run`)."""
    return Run(worker, batch_size=batch_size, now=now)(max_batches)


def next_due_at():
    """When a worker should next look: the earliest waiting row's due time,
    or the earliest lease to run out (a worker that died holding rows), or
    None if nothing waits."""
    times = []
    for model in (Delivery, Digest):
        times.append(
            model.objects.filter(status=DeliveryStatus.QUEUED)
            .order_by("next_attempt_at")
            .values_list("next_attempt_at", flat=True)
            .first()
        )
        times.append(
            model.objects.filter(status=DeliveryStatus.SENDING, lease_expires_at__isnull=False)
            .order_by("lease_expires_at")
            .values_list("lease_expires_at", flat=True)
            .first()
        )
    times = [t for t in times if t is not None]
    return min(times) if times else None
