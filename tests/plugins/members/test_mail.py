"""The members plugin's emails as they leave Django over SMTP, received by a
real aiosmtpd process and parsed back with the email package: headers,
both parts, working links, and what happens when the mail server is down.
"""
from __future__ import annotations

import io
import re
from email.header import decode_header, make_header
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks.signals import task_finished
from hypothesis import HealthCheck, Phase, given, settings

from hearthside.mail import one_line
from hearthside.models import SiteBranding
from plugins.members import signup as service
from plugins.members.models import ConsentRecord, Member
from plugins.members.validation import MemberRejected
from tests.support.hostile import HOSTILE_TEXT_VALUES, LINE_BREAKS, parsed_back, storable
from tests.support.smtp import _free_port

from .conftest import link_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("generous_member_limits")]

# What a confirmation carries; anything else would be a header someone injected.
EXPECTED_HEADERS = {
    "content-type", "mime-version", "subject", "from", "to", "date", "message-id",
    # Added on the way in by aiosmtpd's Mailbox handler.
    "x-peer", "x-mailfrom", "x-rcptto",
}


def parts(message) -> tuple[str, str]:
    """The text and HTML bodies of a message as it arrived."""
    found = {}
    for part in message.walk():
        if part.get_content_maintype() == "text":
            found[part.get_content_subtype()] = part.get_payload(decode=True).decode(part.get_content_charset())
    return found["plain"], found["html"]


def header(message, name) -> str:
    """A header as people read it: decoded and unfolded."""
    return re.sub(r"\s*\n\s*", " ", str(make_header(decode_header(message[name])))).strip()


def recipients(message) -> list[str]:
    return sorted(address.strip() for address in message["X-RcptTo"].split(","))


class Hrefs(HTMLParser):
    def __init__(self, html):
        super().__init__()
        self.hrefs = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.hrefs += [value for name, value in attrs if name == "href"]


def token_of(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[1]


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def task_outcomes():
    """The status of every task that finished during the test."""
    outcomes = []

    def finished(sender, task_result, **kwargs):
        errors = [error.exception_class_path for error in task_result.errors]
        outcomes.append((task_result.task.name, task_result.status, errors))

    task_finished.connect(finished, weak=False, dispatch_uid="members-test-mail")
    yield outcomes
    task_finished.disconnect(dispatch_uid="members-test-mail")


def test_the_confirmation_goes_to_the_idn_address_in_ascii_with_both_parts_and_a_working_link(
    site, topic, smtp_server, capture
):
    with capture():
        service.signup(site, email="Anna@Bücher.de", name="Anna", channels={"email": "weekly"}, topics=["baking"])

    [message] = smtp_server.messages()
    assert message["To"] == "Anna@xn--bcher-kva.de"
    assert recipients(message) == ["Anna@xn--bcher-kva.de"]
    assert message["From"] == "hello@hearthside.localhost"
    assert header(message, "Subject") == "Please confirm your subscription to Copper Kettle"
    assert message.get_content_type() == "multipart/alternative"
    text, html = parts(message)

    link = link_in(text, "confirm")
    assert link.startswith("http://testserver/members/confirm/")
    assert link in Hrefs(html).hrefs
    assert text.startswith("Hello Anna,") and "<p>Hello Anna,</p>" in html
    for body in (text, html):
        assert "Copper Kettle" in body and "7 days" in body
        assert "Email (weekly)" in body  # what they asked for

    member = service.confirm(token_of(link))
    assert member.email == "Anna@bücher.de" and member.confirmed_at is not None
    assert dict(member.subscriptions.values_list("channel", "frequency")) == {"email": "weekly"}


def test_without_a_name_the_email_just_says_hello(site, smtp_server, capture):
    with capture():
        service.signup(site, email="ada@example.com")
    text, html = parts(smtp_server.messages()[0])
    assert text.startswith("Hello,") and "<p>Hello,</p>" in html


def test_a_hostile_name_injects_no_header_and_no_markup(site, smtp_server, capture):
    name = "Ann\r\nBcc: victim@example.com\r\nSubject: Free money <b>now</b>"
    with capture():
        service.signup(site, email="ann@example.com", name=name)

    [message] = smtp_server.messages()
    assert {key.lower() for key in message.keys()} <= EXPECTED_HEADERS
    assert recipients(message) == ["ann@example.com"]
    assert header(message, "Subject") == "Please confirm your subscription to Copper Kettle"
    text, html = parts(message)
    flattened = "Ann Bcc: victim@example.com Subject: Free money <b>now</b>"
    assert text.startswith(f"Hello {flattened},")
    assert "&lt;b&gt;now&lt;/b&gt;" in html and "<b>" not in html


@settings(max_examples=25, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(business=HOSTILE_TEXT_VALUES)
def test_no_business_name_injects_a_header_into_the_confirmation(site, smtp_server, capture, business):
    SiteBranding.objects.update_or_create(site=site, defaults={"brand_name": storable(business, 100).strip()})
    Member.objects.filter(site=site).delete()
    smtp_server.clear()
    with capture():
        service.signup(site, email="ann@example.com")

    [arrived] = smtp_server.messages()
    message = parsed_back(arrived)
    assert {key.lower() for key in message.keys()} <= EXPECTED_HEADERS
    assert [address.addr_spec for address in message["To"].addresses] == ["ann@example.com"]
    subject = str(message["Subject"]).strip()
    assert not any(c in subject for c in LINE_BREAKS)
    brand = SiteBranding.for_site(site).display_name
    assert subject == one_line(f"Please confirm your subscription to {brand}")


def test_the_longest_name_fits_and_a_longer_one_is_refused_before_any_mail(site, smtp_server, capture):
    longest = ("Bartholomew " * 9)[:100].strip()
    with capture():
        service.signup(site, email="bart@example.com", name=longest)
    [message] = smtp_server.messages()
    assert {key.lower() for key in message.keys()} <= EXPECTED_HEADERS
    assert parts(message)[0].startswith(f"Hello {longest},")

    with pytest.raises(MemberRejected), capture():
        service.signup(site, email="bart2@example.com", name="x" * 101)
    assert len(smtp_server.messages()) == 1


def test_the_magic_link_email_opens_the_preferences(site, smtp_server, capture):
    with capture():
        service.signup(site, email="ada@example.com", name="Ada")
    service.confirm(token_of(link_in(parts(smtp_server.messages()[0])[0], "confirm")))
    smtp_server.clear()

    with capture():
        service.request_access(site, "ADA@example.com")

    [message] = smtp_server.messages()
    assert recipients(message) == ["ada@example.com"]
    assert header(message, "Subject") == "Your link to your Copper Kettle preferences"
    text, html = parts(message)
    link = link_in(text, "access")
    assert link.startswith("http://testserver/members/access/") and link in Hrefs(html).hrefs
    assert "24 hours" in text
    assert service.open_access_link(token_of(link)).email == "ada@example.com"


# --- the mail server is down ------------------------------------------------------------------


def resend(*args) -> str:
    output = io.StringIO()
    call_command("members_resend", *args, stdout=output)
    return output.getvalue()


def test_a_signup_survives_the_mail_server_being_down_and_is_sent_by_members_resend(
    site, topic, smtp_server, settings, capture, task_outcomes
):
    settings.EMAIL_PORT = _free_port()  # nothing listens there

    with capture():  # as the request would: the failing send does not reach it
        member = service.signup(
            site, email="ada@example.com", name="Ada", channels={"email": "daily"}, topics=["baking"],
            ip_address="203.0.113.7",
        )

    assert task_outcomes == [
        ("send_confirmation", TaskResultStatus.FAILED, ["builtins.ConnectionRefusedError"])
    ]
    member.refresh_from_db()
    assert member.confirmation_sent_at is None and member.confirmed_at is None
    assert member.pending["channels"] == {"email": "daily"} and member.pending["topics"] == ["baking"]
    assert member.pending["name"] == "Ada"
    assert smtp_server.messages() == []

    settings.EMAIL_PORT = smtp_server.port  # the mail server is back
    assert "Queued 0 " in resend()  # too recent: its email may still be on its way
    assert smtp_server.messages() == []

    Member.objects.filter(pk=member.pk).update(updated_at=timezone.now() - timezone.timedelta(minutes=11))
    assert "Queued 1 " in resend()

    [message] = smtp_server.messages()
    assert recipients(message) == ["ada@example.com"]
    member.refresh_from_db()
    assert member.confirmation_sent_at is not None
    assert "Queued 0 " in resend("--older-than", "0")  # sent now: not again
    assert len(smtp_server.messages()) == 1

    confirmed = service.confirm(token_of(link_in(parts(message)[0], "confirm")))
    assert dict(confirmed.subscriptions.values_list("channel", "frequency")) == {"email": "daily"}
    assert list(confirmed.topics.values_list("slug", flat=True)) == ["baking"]
    assert ConsentRecord.objects.get(member=confirmed).ip_address.startswith("sha256:")


def test_members_resend_leaves_confirmed_members_and_refuses_negative_ages(site, smtp_server, capture):
    with capture():
        service.signup(site, email="ada@example.com")
    service.confirm(token_of(link_in(parts(smtp_server.messages()[0])[0], "confirm")))
    Member.objects.update(confirmation_sent_at=None, updated_at=timezone.now() - timezone.timedelta(days=1))

    assert "Queued 0 " in resend("--older-than", "0")

    with pytest.raises(CommandError, match="0 or more"):
        resend("--older-than", "-1")
