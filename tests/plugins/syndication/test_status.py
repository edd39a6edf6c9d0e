"""The syndication plugin's answer to ``backlog_report`` (plugins/syndication/status.py),
from real Update, Delivery and Digest rows, asked the way queue_status asks it."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Page, Site

from hearthside.extending import hooks
from plugins.syndication.models import Delivery, DeliveryStatus, Digest, UpdateStatus
from tests.plugins.syndication.test_insights import deliver, make_update

pytestmark = pytest.mark.django_db


def lines(site) -> dict:
    (result,) = [r for receiver, r in hooks.backlog_report.send(site) if receiver.plugin == "syndication"]
    return {line["label"]: line for line in result}


def test_counts_each_kind_of_waiting_work(site):
    # Taken here, not at import: the ages asserted below are measured from it.
    NOW = timezone.now()  # noqa: N806
    sending = make_update(site, "Going out", status=UpdateStatus.SENDING, created_at=NOW - timedelta(hours=1))
    queued = deliver(sending, 3, status=DeliveryStatus.QUEUED)
    # The longest-overdue queued row has been due for 10 minutes; one more waits for a retry in the future.
    Delivery.objects.filter(pk=queued[0].pk).update(next_attempt_at=NOW - timedelta(minutes=10))
    Delivery.objects.filter(pk=queued[1].pk).update(next_attempt_at=NOW + timedelta(minutes=5))
    held = deliver(sending, 4, status=DeliveryStatus.SENDING)
    Delivery.objects.filter(pk__in=[d.pk for d in held[:1]]).update(lease_expires_at=NOW - timedelta(minutes=1))
    Delivery.objects.filter(pk__in=[d.pk for d in held[1:]]).update(lease_expires_at=NOW + timedelta(minutes=4))
    deliver(sending, 2, status=DeliveryStatus.DIGEST)
    deliver(sending, 5, status=DeliveryStatus.SENT)  # done: counted nowhere
    Digest.objects.create(site=site, member_id=1, channel="email", frequency="daily", period="2026-12-01",
                          next_attempt_at=NOW - timedelta(hours=2))
    make_update(site, "Overdue", status=UpdateStatus.SCHEDULED, created_at=NOW - timedelta(minutes=30))
    make_update(site, "Later", status=UpdateStatus.SCHEDULED, created_at=NOW + timedelta(hours=1))
    make_update(site, "Held", status=UpdateStatus.HELD)
    make_update(site, "Broken", status=UpdateStatus.PROBLEM)

    found = lines(site)

    assert found["Deliveries queued"]["count"] == 3
    assert found["Deliveries queued"]["queued"] is True
    assert found["Deliveries queued"]["note"] == "2 due now"
    assert 595 <= found["Deliveries queued"]["oldest_seconds"] <= 700
    assert found["Deliveries sending"]["count"] == 4
    assert found["Deliveries sending"]["note"] == "1 lease(s) expired"
    assert found["Waiting for digests"]["count"] == 2
    assert found["Digests queued"]["count"] == 1
    assert 7195 <= found["Digests queued"]["oldest_seconds"] <= 7300
    assert found["Updates scheduled"]["count"] == 2
    assert found["Updates scheduled"]["note"] == "1 past their send time"
    assert 1795 <= found["Updates scheduled"]["oldest_seconds"] <= 1900
    assert found["Updates held"]["count"] == 1
    assert found["Updates needing attention"]["count"] == 1


def test_nothing_waiting_is_all_zeros(site):
    found = lines(site)
    assert {label: line["count"] for label, line in found.items()} == dict.fromkeys(found, 0)
    assert all(line["oldest_seconds"] is None for line in found.values())


def test_only_the_sites_own_rows(site):
    other = Site.objects.create(hostname="other.example", port=80, root_page=Page.get_first_root_node())
    elsewhere = make_update(other, "Elsewhere", status=UpdateStatus.SENDING)
    deliver(elsewhere, 6, status=DeliveryStatus.QUEUED)

    assert lines(site)["Deliveries queued"]["count"] == 0
    assert lines(other)["Deliveries queued"]["count"] == 6


def test_a_few_queries_however_many_rows(site):
    update = make_update(site, "Big", status=UpdateStatus.SENDING)
    deliver(update, 200, status=DeliveryStatus.QUEUED)
    with CaptureQueriesContext(connection) as queries:
        lines(site)
    # Deliveries, digests, updates: one aggregate each (the activation lookup is cached or one more).
    assert len([q for q in queries.captured_queries if "syndication_" in q["sql"]]) == 3
