"""No page title, member name, business name or newsletter subject adds a
header to an update or a newsletter, or breaks one: whatever line breaks,
NUL, forged headers, scripts or length they hold. Each message goes through
the outbox to a real SMTP server and is parsed back as a mail client would."""
from __future__ import annotations

from email.utils import parseaddr

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from hearthside.mail import one_line
from hearthside.models import SiteBranding
from plugins.members.models import Member
from plugins.syndication import updates
from plugins.syndication.models import Delivery, DeliveryStatus, Update, UpdateKind, UpdateStatus
from tests.factories import make_article
from tests.plugins.members.factories import make_member
from tests.support.hostile import (
    ENVELOPE_HEADERS,
    HOSTILE_TEXT_VALUES,
    LINE_BREAKS,
    parsed_back,
    shown_address,
    storable,
)

pytestmark = pytest.mark.django_db

UPDATE_HEADERS = {
    "content-type", "mime-version", "subject", "from", "to", "date", "message-id", "reply-to",
    "list-id", "list-unsubscribe", "list-unsubscribe-post", "auto-submitted", "precedence", *ENVELOPE_HEADERS,
}
HOSTILE = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    # Shrinking a failure takes minutes here; an unshrunk example says enough.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def update_sender(settings):
    """Updates come from DEFAULT_FROM_EMAIL as configured; newsletters from the business's name."""
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[0]


@pytest.fixture
def hostile_world(site, smtp_server):
    def set_up(business: str, member_name: str):
        smtp_server.clear()
        SiteBranding.objects.update_or_create(site=site, defaults={"brand_name": storable(business, 100).strip()})
        Delivery.objects.all().delete()
        Update.objects.all().delete()
        Member.objects.filter(site=site).delete()
        member = make_member(site, email="tom@example.com", name=storable(member_name, 100),
                             channels={"email": "immediate"})
        return SiteBranding.for_site(site).display_name, member.name

    return set_up


def the_one_message(smtp_server):
    [arrived] = smtp_server.messages()
    return arrived


def assert_headers_intact(arrived, *, name: str, sender: str, subject: str):
    message = parsed_back(arrived)
    assert {key.lower() for key in message.keys()} <= UPDATE_HEADERS
    [to] = message["To"].addresses
    assert to.addr_spec == "tom@example.com"
    assert shown_address(arrived, "To") == (one_line(name, 60), "tom@example.com")
    [from_] = message["From"].addresses
    assert shown_address(arrived, "From")[0] == sender
    received_subject = str(message["Subject"]).strip()  # a folded first line leaves a space in front
    assert not any(c in received_subject for c in LINE_BREAKS)
    assert received_subject == subject
    assert not any(c in str(message["List-Id"]) for c in LINE_BREAKS)
    assert message["X-RcptTo"] == "tom@example.com"
    assert message.get_body(("plain",)) is not None and message.get_body(("html",)) is not None


@HOSTILE
@given(title=HOSTILE_TEXT_VALUES, name=HOSTILE_TEXT_VALUES, business=HOSTILE_TEXT_VALUES)
def test_no_title_or_name_injects_a_header_into_an_update(
    site, journal, no_delay, smtp_server, hostile_world, update_sender, django_capture_on_commit_callbacks,
    title, name, business,
):
    _business, name = hostile_world(business, name)
    title = storable(title, 255).strip() or "Untitled"
    with django_capture_on_commit_callbacks(execute=True):
        page = make_article(journal, title=title)

    message = the_one_message(smtp_server)
    assert_headers_intact(message, name=name, sender=update_sender, subject=one_line(page.title, 200))
    assert Delivery.objects.get(update__page=page).status == DeliveryStatus.SENT


@HOSTILE
@given(subject=HOSTILE_TEXT_VALUES, name=HOSTILE_TEXT_VALUES, business=HOSTILE_TEXT_VALUES)
def test_no_subject_or_name_injects_a_header_into_a_newsletter(
    site, journal, smtp_server, hostile_world, django_capture_on_commit_callbacks, subject, name, business
):
    business, name = hostile_world(business, name)
    page = make_article(journal, title="Spring sourdough class")
    smtp_server.clear()
    subject = storable(subject, 255)  # what the backend keeps of the Newsletter tab's subject
    newsletter = Update.objects.create(
        site=site, page=page, kind=UpdateKind.NEWSLETTER, sequence=1, title=subject, status=UpdateStatus.HELD,
        audience={"audience": "everyone", "segment": None, "revision_id": page.latest_revision_id},
        channels=["email"],
    )
    with django_capture_on_commit_callbacks(execute=True):
        updates.send_now(newsletter)

    message = the_one_message(smtp_server)
    assert_headers_intact(message, name=name, sender=one_line(business, 60),
                          subject=one_line(subject or page.title, 200))
    assert Delivery.objects.get(update=newsletter).status == DeliveryStatus.SENT


@pytest.mark.parametrize("sent_as", ["wire", "message"])
def test_a_plain_name_and_an_encoded_one_both_arrive_whole(
    site, journal, no_delay, smtp_server, hostile_world, update_sender, django_capture_on_commit_callbacks,
    sent_as,
):
    """The outbox writes a message from a template when every value is plain
    ASCII, and builds it with Django otherwise: both ways must agree."""
    name = "Tom Baker" if sent_as == "wire" else "Tóm Bäker"
    hostile_world("Copper Kettle", name)
    with django_capture_on_commit_callbacks(execute=True):
        page = make_article(journal, title="Rye\r\nBcc: victim@example.com")

    message = the_one_message(smtp_server)
    assert_headers_intact(message, name=name, sender=update_sender, subject="Rye Bcc: victim@example.com")
    assert "bcc" not in {key.lower() for key in message.keys()} and message["Bcc"] is None
    assert page.title == "Rye\r\nBcc: victim@example.com"  # the editor's title is kept as typed
