"""Bounces, complaints and permanent failures reported by providers: through
the plugin's own JSON endpoint and through django-anymail's tracking
webhooks (Postmark's real payloads), each recorded as a DeliveryEvent and
turned into a suppression through ``address_undeliverable``."""
from __future__ import annotations

import base64
import json

import pytest
from django.urls import reverse
from wagtail.models import Page, Site

from plugins.syndication import events, hooks
from plugins.syndication.models import Delivery, DeliveryEvent, DeliveryStatus, Digest, Update, UpdateStatus

pytestmark = pytest.mark.django_db

EVENTS_SECRET = "s3cret-events-path-0123456789"
ANYMAIL_AUTH = "postmark:webhook-password"


class Undeliverable:
    """Records each ``address_undeliverable`` call, standing in for the
    members plugin (whose receiver has its own tests)."""

    def __init__(self):
        self.calls: list[dict] = []

    def __call__(self, site, channel, address, member_id=None, reason="", **kwargs):
        self.calls.append(
            {"site": site.pk, "channel": channel, "address": address, "member_id": member_id, "reason": reason}
        )


@pytest.fixture
def undeliverable(site, activate_plugin):
    activate_plugin(site, "syndication")
    recorder = Undeliverable()
    hook = hooks.address_undeliverable
    saved = list(hook._receivers)
    hook._receivers = [receiver for receiver in saved if receiver.plugin != "members"]
    with hook.connected(recorder):
        yield recorder
    hook._receivers = saved


@pytest.fixture
def update(site):
    return Update.objects.create(site=site, title="Spring sourdough class", status=UpdateStatus.SENT)


def sent(update, member_id, channel="email", message_id="") -> Delivery:
    return Delivery.objects.create(
        update=update, member_id=member_id, channel=channel, status=DeliveryStatus.SENT, message_id=message_id
    )


def call(site, address, member_id, reason, channel="email"):
    return {"site": site.pk, "channel": channel, "address": address, "member_id": member_id, "reason": reason}


# The service


def test_a_bounce_marks_its_delivery_bounced_and_suppresses_the_address(site, update, undeliverable):
    delivery = sent(update, 7, message_id="<177.42@copper-kettle.example>")

    event = events.record_event(
        site, kind="bounced", channel="email", address="ada@example.com",
        message_id="177.42@copper-kettle.example", provider="webhook", detail="550 5.1.1 No such user",
    )

    assert (event.site, event.update, event.delivery, event.member_id, event.channel) == (site, update, delivery, 7, "email")
    assert (event.kind, event.provider, event.detail) == ("bounced", "webhook", "550 5.1.1 No such user")
    delivery.refresh_from_db()
    assert (delivery.status, delivery.error) == (DeliveryStatus.BOUNCED, "550 5.1.1 No such user")
    assert undeliverable.calls == [call(site, "ada@example.com", 7, "bounced")]


def test_a_complaint_suppresses_but_leaves_the_delivery_sent(site, update, undeliverable):
    delivery = sent(update, 8, message_id="<complained@copper-kettle.example>")

    events.record_event(
        site, kind="complained", channel="email", address="bo@example.com",
        message_id="<complained@copper-kettle.example>", provider="webhook",
    )

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert list(DeliveryEvent.objects.values_list("kind", "delivery", "member_id")) == [("complained", delivery.pk, 8)]
    assert undeliverable.calls == [call(site, "bo@example.com", 8, "complained")]


def test_the_same_report_twice_records_and_suppresses_once(site, update, undeliverable):
    sent(update, 7, message_id="<twice@copper-kettle.example>")
    report = dict(kind="bounced", channel="email", address="ada@example.com",
                  message_id="<twice@copper-kettle.example>", provider="webhook")

    assert events.record_event(site, **report) is not None
    assert events.record_event(site, **report) is None

    assert DeliveryEvent.objects.count() == 1
    assert len(undeliverable.calls) == 1


def test_permanent_failures_suppress_once_they_reach_the_threshold(site, undeliverable, settings):
    settings.SYNDICATION_FAILURES_BEFORE_SUPPRESSING = 3
    updates = [Update.objects.create(site=site, title=f"Update {n}", status=UpdateStatus.SENT) for n in range(3)]
    for n, each in enumerate(updates):
        sent(each, 5, channel="sms", message_id=f"SM{n}")

    for n in range(2):
        events.record_event(site, kind="failed", channel="sms", address="+447400123456", message_id=f"SM{n}", provider="webhook")
    assert undeliverable.calls == []
    assert Delivery.objects.filter(status=DeliveryStatus.FAILED).count() == 2

    events.record_event(site, kind="failed", channel="sms", address="+447400123456", message_id="SM2", provider="webhook")
    assert undeliverable.calls == [call(site, "+447400123456", 5, "failed", channel="sms")]


def test_a_failure_naming_no_message_of_ours_is_recorded_but_cannot_be_counted(site, undeliverable, settings):
    settings.SYNDICATION_FAILURES_BEFORE_SUPPRESSING = 1

    events.record_event(site, kind="failed", channel="email", address="who@example.com", provider="webhook")

    assert DeliveryEvent.objects.filter(kind="failed", member_id=None).count() == 1
    assert undeliverable.calls == []


def test_a_bounced_digest_is_marked_bounced(site, undeliverable):
    digest = Digest.objects.create(
        site=site, member_id=11, channel="email", frequency="weekly", period="2026-W49",
        status=DeliveryStatus.SENT, message_id="<digest-49@copper-kettle.example>",
    )

    event = events.record_event(
        None, kind="bounced", channel="email", address="cy@example.com",
        message_id="<digest-49@copper-kettle.example>", provider="Postmark",
    )

    digest.refresh_from_db()
    assert digest.status == DeliveryStatus.BOUNCED
    assert (event.site, event.delivery, event.update, event.member_id) == (site, None, None, 11)
    assert undeliverable.calls == [call(site, "cy@example.com", 11, "bounced")]


def test_the_message_decides_the_site_member_and_channel(site, undeliverable):
    other_home = site.root_page.get_parent().add_child(instance=Page(title="Other bakery", slug="other-bakery"))
    other_site = Site.objects.create(hostname="other.example", port=80, root_page=other_home, site_name="Other")
    other_update = Update.objects.create(site=other_site, title="Elsewhere", status=UpdateStatus.SENT)
    sent(other_update, 3, channel="email", message_id="<elsewhere@other.example>")

    event = events.record_event(
        site, kind="complained", channel="sms", address="dee@example.com",
        message_id="<elsewhere@other.example>", provider="webhook", member_id=99,
    )

    assert (event.site, event.member_id, event.channel) == (other_site, 3, "email")
    assert undeliverable.calls == [call(other_site, "dee@example.com", 3, "complained")]


def test_a_report_with_neither_a_known_message_nor_a_site_records_nothing(undeliverable):
    assert events.record_event(
        None, kind="bounced", channel="email", address="x@example.com", message_id="<unknown@x>", provider="Postmark"
    ) is None
    assert DeliveryEvent.objects.count() == 0
    assert undeliverable.calls == []


def test_a_deferral_is_recorded_without_suppressing(site, update, undeliverable):
    delivery = sent(update, 7, message_id="<later@copper-kettle.example>")

    events.record_event(
        site, kind="deferred", channel="email", address="ada@example.com",
        message_id="<later@copper-kettle.example>", provider="webhook",
    )

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert DeliveryEvent.objects.get().kind == "deferred"
    assert undeliverable.calls == []


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        events.record_event(None, kind="exploded", channel="email", address="a@example.com", provider="webhook")


# The JSON endpoint


@pytest.fixture
def events_url(settings):
    settings.SYNDICATION_EVENTS_SECRET = EVENTS_SECRET
    return reverse("syndication:events", args=[EVENTS_SECRET])


def post_report(client, url, report):
    body = report if isinstance(report, (bytes, str)) else json.dumps(report)
    return client.post(url, data=body, content_type="application/json")


def test_the_endpoint_records_each_event_and_suppresses(client, site, update, undeliverable, events_url):
    delivery = sent(update, 7, message_id="<177.42@copper-kettle.example>")

    response = post_report(client, events_url, {"events": [
        {"type": "bounce", "email": "ada@example.com", "message_id": "177.42@copper-kettle.example", "detail": "550 No such user"},
        {"type": "complaint", "phone": "+447400123456"},
        {"type": "bounce", "email": "ada@example.com", "message_id": "177.42@copper-kettle.example"},
    ]})

    assert response.status_code == 200
    assert response.json() == {"recorded": 2, "repeated": 1}
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.BOUNCED
    recorded = DeliveryEvent.objects.order_by("pk")
    assert [(e.kind, e.channel, e.member_id, e.provider, e.detail) for e in recorded] == [
        ("bounced", "email", 7, "webhook", "550 No such user"),
        ("complained", "sms", None, "webhook", ""),
    ]
    assert undeliverable.calls == [
        call(site, "ada@example.com", 7, "bounced"),
        call(site, "+447400123456", None, "complained", channel="sms"),
    ]


@pytest.mark.parametrize(
    "body, says",
    [
        (b"{not json", "The body is not JSON."),
        ({"events": []}, 'non-empty list "events"'),
        ([{"type": "bounce"}], 'non-empty list "events"'),
        ({"events": [{"type": "bounce", "email": "ada@example.com"}, {"type": "exploded", "email": "bo@example.com"}]},
         'Event 2: "type" must be "bounce", "complaint" or "failure"'),
        ({"events": [{"type": "bounce"}]}, 'Event 1: give either "email" or "phone"'),
        ({"events": [{"type": "bounce", "email": "a@example.com", "phone": "+447400123456"}]}, 'either "email" or "phone"'),
        ({"events": [{"type": "bounce", "email": "not an address"}]}, "is not an email address"),
        ({"events": [{"type": "failure", "phone": "07400 123456"}]}, "E.164"),
        ({"events": [{"type": "bounce", "email": "a@example.com", "message_id": 42}]}, '"message_id" must be a string'),
        ({"events": ["bounce"]}, "Event 1 is not an object."),
    ],
)
def test_a_bad_report_is_refused_whole_with_the_reason(client, site, update, undeliverable, events_url, body, says):
    sent(update, 7, message_id="<m@copper-kettle.example>")

    response = post_report(client, events_url, body)

    assert response.status_code == 400
    assert says in response.json()["error"]
    assert "Nothing was recorded." in response.json()["error"]
    assert DeliveryEvent.objects.count() == 0
    assert undeliverable.calls == []


def test_too_many_events_in_one_report_are_refused(client, site, undeliverable, events_url):
    report = {"events": [{"type": "bounce", "email": f"m{n}@example.com"} for n in range(501)]}

    response = post_report(client, events_url, report)

    assert response.status_code == 400
    assert "At most 500 events" in response.json()["error"]
    assert DeliveryEvent.objects.count() == 0


def test_a_wrong_secret_is_not_found(client, site, undeliverable, events_url):
    wrong = reverse("syndication:events", args=["guess"])

    response = post_report(client, wrong, {"events": [{"type": "bounce", "email": "ada@example.com"}]})

    assert response.status_code == 404
    assert DeliveryEvent.objects.count() == 0


def test_the_endpoint_is_off_while_no_secret_is_set(client, site, undeliverable, settings):
    settings.SYNDICATION_EVENTS_SECRET = ""

    for secret in ("", "anything"):
        url = f"/syndication/events/{secret}/"
        assert post_report(client, url, {"events": [{"type": "bounce", "email": "a@example.com"}]}).status_code == 404
    assert DeliveryEvent.objects.count() == 0


def test_the_endpoint_takes_only_posts(client, site, undeliverable, events_url):
    response = client.get(events_url)

    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_the_endpoint_is_rate_limited_per_client(client, site, undeliverable, events_url, settings):
    settings.SYNDICATION_EVENTS_RATE = "2/m"
    report = {"events": [{"type": "complaint", "email": "ada@example.com"}]}

    assert [post_report(client, events_url, report).status_code for _ in range(2)] == [200, 200]
    refused = post_report(client, events_url, report)

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "Nothing was recorded." in refused.json()["error"]
    assert DeliveryEvent.objects.count() == 2


def test_the_endpoint_is_not_found_where_the_plugin_is_inactive(client, site, undeliverable, events_url, deactivate_plugin):
    deactivate_plugin(site, "syndication")

    response = post_report(client, events_url, {"events": [{"type": "bounce", "email": "ada@example.com"}]})

    assert response.status_code == 404
    assert DeliveryEvent.objects.count() == 0


# django-anymail's tracking webhooks, with Postmark's payloads
# (https://postmarkapp.com/developer/webhooks/bounce-webhook)


@pytest.fixture
def postmark_url(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": ANYMAIL_AUTH}
    return reverse("syndication:anymail_postmark_tracking")


def postmark_bounce(message_id, email="ada@example.com", bounce_type="HardBounce", record_type="Bounce"):
    return {
        "RecordType": record_type,
        "MessageStream": "outbound",
        "ID": 4323372036854775807,
        "Type": bounce_type,
        "TypeCode": 1,
        "Name": "Hard bounce",
        "Tag": "update",
        "MessageID": message_id,
        "Metadata": {},
        "ServerID": 23,
        "Description": "The server was unable to deliver your message (ex: unknown user, mailbox not found).",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
        "Email": email,
        "From": "news@copper-kettle.example",
        "BouncedAt": "2026-11-05T16:33:54.9070259Z",
        "DumpAvailable": True,
        "Inactive": True,
        "CanActivate": True,
        "Subject": "Spring sourdough class",
    }


def postmark_spam_complaint(message_id, email="ada@example.com"):
    return {
        "RecordType": "SpamComplaint",
        "MessageStream": "outbound",
        "ID": 42,
        "Type": "SpamComplaint",
        "TypeCode": 512,
        "Name": "Spam complaint",
        "Tag": "update",
        "MessageID": message_id,
        "Metadata": {},
        "ServerID": 1234,
        "Description": "",
        "Details": "Test spam complaint details",
        "Email": email,
        "From": "news@copper-kettle.example",
        "BouncedAt": "2026-11-05T16:33:54.9070259Z",
        "DumpAvailable": True,
        "Inactive": True,
        "CanActivate": False,
        "Subject": "Spring sourdough class",
    }


def post_to_provider(client, url, payload, auth=ANYMAIL_AUTH):
    headers = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(auth.encode()).decode()} if auth else {}
    return client.post(url, data=json.dumps(payload), content_type="application/json", **headers)


def test_a_postmark_hard_bounce_is_recorded_and_suppresses(client, site, update, undeliverable, postmark_url):
    delivery = sent(update, 7, message_id="883953f4-6105-42a2-a16a-77a8eac79483")

    response = post_to_provider(client, postmark_url, postmark_bounce("883953f4-6105-42a2-a16a-77a8eac79483"))

    assert response.status_code == 200
    event = DeliveryEvent.objects.get()
    assert (event.kind, event.provider, event.delivery, event.member_id, event.channel) == (
        "bounced", "Postmark", delivery, 7, "email"
    )
    assert "5.1.1" in event.detail
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.BOUNCED
    assert undeliverable.calls == [call(site, "ada@example.com", 7, "bounced")]


def test_a_postmark_spam_complaint_suppresses(client, site, update, undeliverable, postmark_url):
    delivery = sent(update, 8, message_id="b7bc2f4a-e38e-4336-af7d-e6c392c2f817")

    response = post_to_provider(
        client, postmark_url, postmark_spam_complaint("b7bc2f4a-e38e-4336-af7d-e6c392c2f817", email="bo@example.com")
    )

    assert response.status_code == 200
    assert DeliveryEvent.objects.get().kind == "complained"
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert undeliverable.calls == [call(site, "bo@example.com", 8, "complained")]


def test_a_postmark_bounce_of_a_message_not_ours_stands_for_the_site_posted_to(client, site, undeliverable, postmark_url):
    response = post_to_provider(client, postmark_url, postmark_bounce("0a1b2c3d-confirmation-email", email="cy@example.com"))

    assert response.status_code == 200
    event = DeliveryEvent.objects.get()
    assert (event.site, event.delivery, event.member_id, event.kind) == (site, None, None, "bounced")
    assert undeliverable.calls == [call(site, "cy@example.com", None, "bounced")]


def test_a_postmark_soft_bounce_counts_as_a_failure(client, site, update, undeliverable, postmark_url, settings):
    settings.SYNDICATION_FAILURES_BEFORE_SUPPRESSING = 2
    sent(update, 7, message_id="11111111-soft")

    response = post_to_provider(client, postmark_url, postmark_bounce("11111111-soft", bounce_type="SoftBounce"))

    assert response.status_code == 200
    assert DeliveryEvent.objects.get().kind == "failed"
    assert undeliverable.calls == []


def test_a_postmark_delivery_report_records_nothing(client, site, update, undeliverable, postmark_url):
    sent(update, 7, message_id="22222222-delivered")
    delivered = {
        "RecordType": "Delivery", "ServerID": 23, "MessageStream": "outbound", "MessageID": "22222222-delivered",
        "Recipient": "ada@example.com", "Tag": "update", "DeliveredAt": "2026-11-05T16:33:54.9070259Z",
        "Details": "Test delivery webhook details", "Metadata": {},
    }

    assert post_to_provider(client, postmark_url, delivered).status_code == 200
    assert DeliveryEvent.objects.count() == 0


def test_a_postmark_report_without_the_right_basic_auth_is_refused(client, site, update, undeliverable, postmark_url):
    sent(update, 7, message_id="33333333-forged")

    for auth in ("postmark:wrong", None):
        response = post_to_provider(client, postmark_url, postmark_bounce("33333333-forged"), auth=auth)
        assert response.status_code == 400

    assert DeliveryEvent.objects.count() == 0
    assert undeliverable.calls == []


@pytest.mark.filterwarnings("ignore::anymail.exceptions.AnymailInsecureWebhookWarning")
def test_the_postmark_webhook_is_off_until_its_secret_is_set(client, site, update, undeliverable, postmark_url, settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": ""}
    sent(update, 7, message_id="44444444-open")

    response = post_to_provider(client, postmark_url, postmark_bounce("44444444-open"), auth=None)

    assert response.status_code == 404
    assert DeliveryEvent.objects.count() == 0


def test_the_postmark_webhook_is_not_found_where_the_plugin_is_inactive(
    client, site, update, undeliverable, postmark_url, deactivate_plugin
):
    sent(update, 7, message_id="55555555-inactive")
    deactivate_plugin(site, "syndication")

    response = post_to_provider(client, postmark_url, postmark_bounce("55555555-inactive"))

    assert response.status_code == 404
    assert DeliveryEvent.objects.count() == 0
