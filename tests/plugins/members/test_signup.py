"""Signup with double opt-in, through the service every way in uses."""
import pytest
from django.core import mail

from plugins.members import signup as service
from plugins.members.models import ConsentRecord, Member, Stage
from plugins.members.validation import MemberRejected

from .conftest import link_in, link_payload

pytestmark = pytest.mark.django_db


def _token(link):
    return link.rstrip("/").rsplit("/", 1)[1]


def test_a_signup_is_stored_unconfirmed_and_gets_only_the_confirmation(site, topic, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        member = service.signup(site, email="Ada@Example.com", name="Ada", channels={"email": "weekly"}, topics=["baking"])
    member.refresh_from_db()
    assert member.confirmed_at is None
    assert member.stage == Stage.PROSPECT
    assert not member.subscriptions.exists()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["Ada@example.com"]
    assert "/members/confirm/" in mail.outbox[0].body


def test_confirming_grants_what_was_asked_and_records_consent(site, topic, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        service.signup(site, email="ada@example.com", channels={"email": "weekly"}, topics=["baking"], ip_address="203.0.113.9")
    token = _token(link_in(mail.outbox[0].body, "confirm"))
    with django_capture_on_commit_callbacks(execute=True):
        member = service.confirm(token)
    assert member.confirmed_at is not None
    assert dict(member.subscriptions.values_list("channel", "frequency")) == {"email": "weekly"}
    assert list(member.topics.values_list("slug", flat=True)) == ["baking"]
    record = ConsentRecord.objects.get(member=member)
    assert record.action == "granted" and record.channel == "email"
    assert "email me" in record.wording
    assert record.ip_address.startswith("sha256:") and "203.0.113.9" not in record.ip_address
    with pytest.raises(service.LinkAlreadyUsed):
        service.confirm(token)


def test_two_signups_of_one_address_make_one_member(site, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        service.signup(site, email="ada@example.com")
        service.signup(site, email="ADA@example.com")
    assert Member.objects.count() == 1
    assert len(mail.outbox) == 2
    assert link_payload(mail.outbox[0].body) == link_payload(mail.outbox[1].body)


@pytest.mark.parametrize(
    "email",
    ["not-an-address", "josé@example.com", "user@xn--zz.com", "a" * 250 + "@example.com", "user@exa mple.com"],
)
def test_bad_addresses_are_refused_and_nothing_is_stored(site, email):
    with pytest.raises(MemberRejected) as refused:
        service.signup(site, email=email)
    assert refused.value.field == "email"
    assert Member.objects.count() == 0
    assert mail.outbox == []


def test_an_idn_domain_is_accepted_and_mailed_in_its_ascii_form(site, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        member = service.signup(site, email="anna@bücher.de")
    assert member.email == "anna@bücher.de"
    assert mail.outbox[0].to == ["anna@xn--bcher-kva.de"]


def test_sms_waits_for_the_code(site, sms_outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        service.signup(site, email="ada@example.com", phone="07400 123456", channels={"email": "immediate", "sms": "immediate"})
    assert sms_outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        member = service.confirm(_token(link_in(mail.outbox[0].body, "confirm")))
    assert set(member.subscriptions.values_list("channel", flat=True)) == {"email"}
    assert len(sms_outbox) == 1 and sms_outbox[0].to == "+447400123456"
    code = sms_outbox[0].body[:6]
    with pytest.raises(MemberRejected):
        service.verify_phone_code(member, "000000" if code != "000000" else "111111")
    member = service.verify_phone_code(member, code)
    assert set(member.subscriptions.values_list("channel", flat=True)) == {"email", "sms"}
