"""An update's life: created when a page is first published (or sent
again), waiting out the site's delay while editors may hold or cancel it,
then fanned out into deliveries (fanout.py) and sent (outbox.py).

Every function here is safe to call twice: state changes are conditional
updates, so two workers or two clicks never start one update twice.
"""
from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from .config import settings_for
from .models import Delivery, DeliveryStatus, Update, UpdateKind, UpdateStatus
from .pages import is_syndicated

EMPTY_BODY = (
    "“{title}” has no text to send: its body is empty. Add some content and publish it again, "
    "then choose “Send update again”."
)


class UpdateRefused(Exception):
    """An editor asked for something the update's state does not allow; the
    message says why. Nothing was changed."""


def body_problem(page) -> str:
    """Why ``page`` cannot go out as an update, or "" if it can."""
    body = getattr(page, "body", None)
    if body is None:  # a page type without a body goes out with its title and summary
        return ""
    empty = not body.strip() if isinstance(body, str) else len(body) == 0
    return EMPTY_BODY.format(title=page.title) if empty else ""


def _new_update(page, *, sequence: int, user=None) -> Update:
    site = page.get_site()
    delay = timedelta(minutes=max(0, int(settings_for(site).send_delay_minutes or 0)))
    problem = body_problem(page)
    return Update.objects.create(
        site=site,
        page=page,
        kind=UpdateKind.PAGE,
        sequence=sequence,
        title=page.title[:255],
        send_at=timezone.now() + delay,
        status=UpdateStatus.PROBLEM if problem else UpdateStatus.SCHEDULED,
        problem=problem,
        created_by=user,
    )


def create_for_first_publish(page, user=None) -> Update | None:
    """The update for ``page``'s first publish, created once however often
    the page is published afterwards; None if its type is not syndicated or
    it already went out once."""
    if not is_syndicated(type(page)):
        return None
    if Update.objects.filter(page=page, kind=UpdateKind.PAGE).exists():
        return None
    try:
        with transaction.atomic():
            update = _new_update(page, sequence=1, user=user)
    except Exception:
        # Two publish paths raced to the unique (page, kind, sequence) row: one update is enough.
        existing = Update.objects.filter(page=page, kind=UpdateKind.PAGE, sequence=1).first()
        if existing is None:
            raise
        return None
    schedule(update)
    return update


def send_again(page, user=None) -> Update:
    """A new update for an already published page (the admin's "Send update again")."""
    if not page.live:
        raise UpdateRefused(f"“{page.title}” is not published: publish it first, then send the update.")
    with transaction.atomic():
        last = Update.objects.filter(page=page, kind=UpdateKind.PAGE).aggregate(last=Max("sequence"))["last"] or 0
        update = _new_update(page.specific, sequence=last + 1, user=user)
    schedule(update)
    return update


def schedule(update: Update) -> None:
    """Wake a worker for ``update`` at its send time, once the row is committed."""
    if update.status != UpdateStatus.SCHEDULED:
        return
    from . import tasks

    transaction.on_commit(lambda: tasks.wake(tasks.start_update, update.send_at, update.pk))


def _change(update: Update, allowed: tuple, **changes) -> Update:
    changed = Update.objects.filter(pk=update.pk, status__in=allowed).update(**changes)
    update.refresh_from_db()
    if not changed:
        raise UpdateRefused(
            f"“{update.title}” is {update.get_status_display().lower()}, so this cannot be done now. Nothing was changed."
        )
    return update


def hold(update: Update) -> Update:
    """Stop ``update`` going out (before or during its send) until released."""
    update = _change(update, (UpdateStatus.SCHEDULED, UpdateStatus.SENDING), status=UpdateStatus.HELD)
    return update


def release(update: Update) -> Update:
    """Let a held (or troubled) update go: it resumes where it stopped."""
    started = update.fanned_out_at is not None
    update = _change(
        update,
        (UpdateStatus.HELD, UpdateStatus.PROBLEM),
        status=UpdateStatus.SENDING if started else UpdateStatus.SCHEDULED,
        problem="",
        send_at=max(update.send_at, timezone.now()) if not started else update.send_at,
    )
    from . import tasks

    if started:
        transaction.on_commit(tasks.wake_senders)
    else:
        schedule(update)
    return update


def send_now(update: Update) -> Update:
    """Skip the rest of the delay."""
    update = _change(update, (UpdateStatus.SCHEDULED, UpdateStatus.HELD), status=UpdateStatus.SCHEDULED,
                     send_at=timezone.now())
    schedule(update)
    return update


def cancel(update: Update) -> Update:
    """Stop ``update`` for good: nothing more of it is sent."""
    with transaction.atomic():
        update = _change(
            update,
            (UpdateStatus.SCHEDULED, UpdateStatus.HELD, UpdateStatus.SENDING, UpdateStatus.PROBLEM),
            status=UpdateStatus.CANCELLED,
            finished_at=timezone.now(),
        )
        Delivery.objects.filter(update=update, status__in=(DeliveryStatus.QUEUED, DeliveryStatus.DIGEST)).update(
            status=DeliveryStatus.CANCELLED
        )
    return update


def with_totals(update: Update, counts: dict) -> dict:
    """``counts`` (status -> deliveries) for every status, with ``total``,
    ``done`` (tried, or given up on) and ``percent`` done added."""
    counts = {status: counts.get(status, 0) for status in DeliveryStatus.values}
    total = sum(counts.values())
    waiting = counts[DeliveryStatus.QUEUED] + counts[DeliveryStatus.SENDING] + counts[DeliveryStatus.DIGEST]
    counts["total"], counts["done"] = total, total - waiting
    if total:
        counts["percent"] = round(100 * counts["done"] / total)
    else:
        counts["percent"] = 100 if update.status == UpdateStatus.SENT else 0
    return counts


def progress_of(listed) -> dict[int, dict]:
    """:func:`with_totals` of every update in ``listed``, by id, in one query."""
    found: dict[int, dict] = {update.pk: {} for update in listed}
    rows = (
        Delivery.objects.filter(update_id__in=list(found))
        .values_list("update_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for update_id, status, n in rows:
        found[update_id][status] = n
    return {update.pk: with_totals(update, found[update.pk]) for update in listed}


def progress(update: Update) -> dict:
    """Counts of ``update``'s deliveries by status, and how far it is, for
    the admin's progress bar. One query."""
    return progress_of([update])[update.pk]


# -- newsletters (newsletter.py): a campaign is an update held until it is sent --------


def schedule_for(update: Update, send_at) -> Update:
    """Let a held newsletter go out at ``send_at``."""
    update = _change(update, (UpdateStatus.HELD,), status=UpdateStatus.SCHEDULED, send_at=send_at)
    schedule(update)
    return update


def unschedule(update: Update) -> Update:
    """Hold a scheduled newsletter again, before it starts; once it is
    sending, only "Hold" in the Updates admin stops it."""
    return _change(update, (UpdateStatus.SCHEDULED,), status=UpdateStatus.HELD)
