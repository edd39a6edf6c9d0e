"""Fan-out: an update becomes one delivery row per (member, channel).

Recipients stream from the ``update_recipients`` hook and are written in
bulk, CHUNK rows per INSERT, so memory stays flat however many members a
site has. The unique (update, member, channel) constraint with
``ignore_conflicts`` makes a fan-out that is run twice (a worker died
halfway, two workers raced) add nobody twice.
"""
from __future__ import annotations

from itertools import islice

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from . import hooks
from .emails import mail_settings_problem
from .models import Delivery, DeliveryStatus, Update, UpdateKind, UpdateStatus
from .updates import body_problem

CHUNK = 5000
IMMEDIATE = "immediate"


def recipients(update: Update):
    """Every recipient tuple of ``update``, streamed from the hook's receivers."""
    # A newsletter goes to its audience, not to the followers of its page's topics.
    page = update.page.specific if update.page_id and update.kind == UpdateKind.PAGE else None
    channels = tuple(update.channels) if update.channels else None
    for _receiver, found in hooks.update_recipients.send(
        update.site, page=page, audience=update.audience, channels=channels
    ):
        yield from found or ()


def problem_with(update: Update) -> str:
    """Why ``update`` cannot go out now, or ""."""
    if update.kind == UpdateKind.PAGE:
        if update.page is None:
            return "The page of this update was deleted, so there is nothing to send."
        if not update.page.live:
            return f"“{update.page.title}” is no longer published: publish it again, then release the update."
        if update.page.get_view_restrictions().exists():
            return (
                f"“{update.page.title}” is private (a privacy setting on it or above it): members are not "
                "sent private pages. Make it public, then release the update."
            )
        body = body_problem(update.page.specific)
        if body:
            return body
    elif update.page is None:
        return "The page of this newsletter was deleted, so there is nothing to send."
    channels = update.channels or ["email"]
    if "email" in channels:
        return mail_settings_problem()
    return ""


def create_deliveries(update: Update, now=None) -> int:
    """Write ``update``'s deliveries; returns how many rows it has."""
    now = now or timezone.now()
    newsletter = update.kind == UpdateKind.NEWSLETTER
    stream = recipients(update)
    insert = insert_unnested if connection.vendor == "postgresql" else insert_objects
    while chunk := list(islice(stream, CHUNK)):
        insert(update, now, [
            (
                member_id,
                channel,
                IMMEDIATE if newsletter else frequency,
                DeliveryStatus.QUEUED if newsletter or frequency == IMMEDIATE else DeliveryStatus.DIGEST,
            )
            for member_id, channel, frequency in chunk
        ])
    return Delivery.objects.filter(update=update).count()


# What differs from one delivery to the next; every other column is the same for the whole update.
VARYING = ("member_id", "channel", "frequency", "status")


def insert_objects(update: Update, now, rows: list[tuple]) -> None:
    Delivery.objects.bulk_create(
        [Delivery(update_id=update.pk, next_attempt_at=now, **dict(zip(VARYING, row))) for row in rows],
        ignore_conflicts=True,
    )


def insert_unnested(update: Update, now, rows: list[tuple]) -> None:
    """PostgreSQL: one INSERT ... SELECT FROM unnest() of one array per
    varying column, the other columns given once. bulk_create prepares
    every field of every row in Python, which made a 100,000-member
    fan-out take longer than the database's own work by far."""
    quote = connection.ops.quote_name
    template = Delivery(update_id=update.pk, next_attempt_at=now)
    columns, values, params = [], [], []
    for model_field in Delivery._meta.concrete_fields:
        if model_field.primary_key or model_field.attname in VARYING:
            continue
        columns.append(quote(model_field.column))
        values.append(f"%s::{model_field.db_type(connection)}")
        params.append(model_field.get_db_prep_save(getattr(template, model_field.attname), connection))
    arrays = []
    for index, name in enumerate(VARYING):
        model_field = Delivery._meta.get_field(name)
        columns.append(quote(model_field.column))
        values.append(f"r.c{index}")
        arrays.append(f"%s::{model_field.db_type(connection)}[]")
        params.append([row[index] for row in rows])
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(Delivery._meta.db_table)} ({', '.join(columns)}) "
            f"SELECT {', '.join(values)} FROM unnest({', '.join(arrays)}) "
            f"AS r({', '.join(f'c{index}' for index in range(len(VARYING)))}) ON CONFLICT DO NOTHING",
            params,
        )


def fan_out(update_id: int, now=None) -> int | None:
    """Start ``update_id`` if it is due: check it can go out, write its
    deliveries and mark it sending. Returns the number of deliveries, or
    None when it was not due, not scheduled, or has a problem (then stored
    on the update for the admin)."""
    now = now or timezone.now()
    started = Update.objects.filter(pk=update_id, status=UpdateStatus.SCHEDULED, send_at__lte=now).update(
        status=UpdateStatus.SENDING
    )
    if not started:
        return None
    update = Update.objects.select_related("site", "page").get(pk=update_id)
    problem = problem_with(update)
    if problem:
        Update.objects.filter(pk=update_id).update(status=UpdateStatus.PROBLEM, problem=problem)
        return None
    count = create_deliveries(update, now)
    Update.objects.filter(pk=update_id).update(fanned_out_at=timezone.now(), recipient_count=count)
    if not count:
        from .outbox import finish_updates

        finish_updates([update_id])
    return count


def resume_interrupted(older_than) -> list[int]:
    """Fan-outs a dead worker left halfway (sending, never fanned out,
    created before ``older_than``): finish them. Returns their ids."""
    stuck = list(
        Update.objects.filter(
            Q(status=UpdateStatus.SENDING, fanned_out_at__isnull=True, send_at__lt=older_than)
        ).values_list("pk", flat=True)
    )
    for update_id in stuck:
        update = Update.objects.select_related("site", "page").get(pk=update_id)
        count = create_deliveries(update)
        Update.objects.filter(pk=update_id).update(fanned_out_at=timezone.now(), recipient_count=count)
    return stuck
