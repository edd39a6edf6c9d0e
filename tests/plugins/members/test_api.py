"""The members API (/api/v1/members/): signup with double opt-in confirmed
through the real email's link, the magic link, the preference centre with a
signed member token, the number's code, unsubscribing, export and erasure;
the same answer for every address; bad input and bad tokens that change
nothing; rate limits, the gate, the schema and the query budget."""
from __future__ import annotations

import json
import time

import pytest
from django.core import mail
from django.core.management import call_command
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory
from wagtail.models import Page, Site

from hearthside.models import StandardPage
from plugins.members import consent, tokens
from plugins.members.api import ACCESS_LINK_SENT, CHECK_YOUR_INBOX, NO_TOKEN, MemberTokenAuthentication
from plugins.members.config import MemberSettings, save_settings
from plugins.members.models import ConsentRecord, Member, Source, Suppression, SuppressionReason, Topic
from tests.factories import publish

from .conftest import link_in, link_payload, text_body
from .factories import make_member

# Rate limits have their own tests below; elsewhere they would only get in the way.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("generous_member_limits", "generous_write_rate")]

API = "/api/v1/members/"
IP = "203.0.113.9"
BAD_HEADER = "The header must be `Authorization: Member <token>`, with no spaces in the token."
STALE_TOKEN = "This link is for a subscription that no longer exists."
BAD_TOKEN = (
    "This link is not valid: it may have been cut short or changed. Please use the whole link from the "
    "email, or ask for a new one."
)


@pytest.fixture
def generous_write_rate(settings):
    _set_write_rate(settings, "1000/min")


def _set_write_rate(settings, rate):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "public_write": rate}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


@pytest.fixture
def call(api_client, django_capture_on_commit_callbacks):
    """``call(method, endpoint, body, token=None, client=None, ip=IP)``: a JSON
    request to /api/v1/members/<endpoint>, with what it queued for after the
    commit (emails, texts) run, as they are after a real request."""

    def _call(method, endpoint, body=None, *, token=None, client=None, ip=IP, **extra):
        client = client or api_client
        if token is not None:
            extra["HTTP_AUTHORIZATION"] = f"Member {token}"
        with django_capture_on_commit_callbacks(execute=True):
            if method == "get":
                return client.get(API + endpoint, REMOTE_ADDR=ip, **extra)
            return getattr(client, method)(API + endpoint, body, format="json", REMOTE_ADDR=ip, **extra)

    return _call


def token_in(message, kind: str) -> str:
    return link_in(message.body, kind).rstrip("/").rsplit("/", 1)[1]


def preferences_token(member) -> str:
    return tokens.make(tokens.PREFERENCES, member)


def token_made_days_ago(monkeypatch, days: float, purpose: str, member, nonce: str = "") -> str:
    """A token signed ``days`` ago: time travel for the signature's timestamp only."""
    now = time.time()
    with monkeypatch.context() as patched:
        patched.setattr(time, "time", lambda: now - days * 86400)
        return tokens.make(purpose, member, nonce)


def tampered(token: str) -> str:
    middle = len(token) // 2
    return token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]


def channels_of(member) -> dict:
    return dict(member.subscriptions.values_list("channel", "frequency"))


def assert_refused(response, status: int, message: str, field):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"detail", "field"}
    assert body["detail"].startswith(message), body["detail"]
    assert body["field"] == field


# Options -----------------------------------------------------------------------------------


def test_options_offer_the_channels_topics_and_this_sites_wording(call, site, topic, other_topic):
    Topic.objects.create(site=site, name="Internal", slug="internal", subscribable=False)
    save_settings(site, MemberSettings(signup_heading="Join the bakery", wording={"rss": "A feed, please."}))

    response = call("get", "options/")

    assert response.status_code == 200
    data = response.json()
    assert (data["heading"], data["intro"]) == ("Join the bakery", MemberSettings().signup_intro)
    channels = {channel["key"]: channel for channel in data["channels"]}
    assert list(channels) == ["email", "sms", "rss", "webhook"]
    assert [f["key"] for f in channels["email"]["frequencies"]] == ["immediate", "daily", "weekly"]
    assert channels["email"]["frequencies"][2] == {"key": "weekly", "label": "Weekly digest"}
    assert (channels["sms"]["needs"], channels["webhook"]["needs"]) == ("phone", "webhook_url")
    assert channels["email"]["wording"] == (
        "Yes, email me what's new from Copper Kettle. I can unsubscribe at any time."
    )
    assert channels["rss"]["wording"] == "A feed, please."
    assert data["topics"] == [
        {"slug": "baking", "name": "Baking tips", "description": ""},
        {"slug": "offers", "name": "Offers", "description": ""},
    ]


# Signup and confirmation ----------------------------------------------------------------------


def test_signup_confirm_and_read_preferences_through_the_real_email(call, site, topic, section):
    response = call(
        "post",
        "signup/",
        {
            "email": "Ada@Example.com",
            "name": "Ada",
            "channels": {"email": "weekly", "rss": ""},
            "topics": ["baking"],
            "consent_text": "Yes, send me the bakery's news.",
            "source_page_id": section.pk,
        },
    )

    assert response.status_code == 202
    assert response.json() == {"detail": CHECK_YOUR_INBOX}
    member = Member.objects.get()
    assert (member.email, member.name, member.source, member.source_page_id) == (
        "Ada@example.com", "Ada", Source.API, section.pk,
    )
    assert member.confirmed_at is None and channels_of(member) == {}  # nothing until the link is followed
    [email] = mail.outbox
    assert email.to == ["Ada@example.com"]

    confirmed = call("post", "confirm/", {"token": token_in(email, "confirm")})

    assert confirmed.status_code == 200
    body = confirmed.json()
    assert set(body) == {"detail", "preferences_token", "phone_code_required"}
    assert body["detail"] == "Thank you: your address is confirmed."
    assert body["phone_code_required"] is False
    member.refresh_from_db()
    assert member.confirmed_at is not None
    assert channels_of(member) == {"email": "weekly", "rss": "immediate"}
    records = ConsentRecord.objects.filter(member=member)
    assert {r.channel for r in records} == {"email", "rss"}
    for record in records:
        assert record.wording == "Yes, send me the bakery's news."
        assert record.source.startswith("API on “Journal”")
        assert record.ip_address.startswith("sha256:") and IP not in record.ip_address

    preferences = call("get", "preferences/", token=body["preferences_token"])

    assert preferences.status_code == 200
    assert preferences.json() == {
        "name": "Ada",
        "email": "Ada@example.com",
        "phone": "",
        "phone_confirmed": False,
        "phone_code_required": False,
        "channels": {"email": "weekly", "rss": "immediate"},
        "topics": ["baking"],
        "webhook_url": "",
        "feed_url": f"http://testserver/members/feed/{member.feed_key}/",
        "stage": "prospect",
    }


def test_a_confirmation_link_works_once(call, site):
    call("post", "signup/", {"email": "ada@example.com"})
    token = token_in(mail.outbox[0], "confirm")
    assert call("post", "confirm/", {"token": token}).status_code == 200

    again = call("post", "confirm/", {"token": token})

    assert_refused(again, 409, "This link has already been used: your address is confirmed.", "token")


def test_signup_without_channels_asks_for_email_and_the_sites_wording_is_recorded(call, site):
    call("post", "signup/", {"email": "ada@example.com"})
    call("post", "confirm/", {"token": token_in(mail.outbox[0], "confirm")})

    member = Member.objects.get()
    assert channels_of(member) == {"email": "immediate"}
    assert ConsentRecord.objects.get().wording.startswith("Yes, email me what's new from Copper Kettle.")


def test_an_idn_address_is_accepted_and_its_confirmation_crosses_smtp_in_ascii(call, site, smtp_server):
    assert call("post", "signup/", {"email": "anna@Bücher.de", "channels": ["email"]}).status_code == 202

    [message] = smtp_server.messages()
    assert message["To"] == "anna@xn--bcher-kva.de"
    token = link_in(text_body(message), "confirm").rstrip("/").rsplit("/", 1)[1]
    assert call("post", "confirm/", {"token": token}).status_code == 200
    member = Member.objects.get()
    assert member.email == "anna@bücher.de" and member.confirmed_at is not None


def test_texts_wait_for_the_numbers_code(call, site, sms_outbox):
    body = {"email": "ada@example.com", "phone": "07400 123456", "channels": ["email", "sms"]}
    call("post", "signup/", body)

    confirmed = call("post", "confirm/", {"token": token_in(mail.outbox[0], "confirm")}).json()

    assert confirmed["phone_code_required"] is True
    assert "We've texted a code to your mobile number" in confirmed["detail"]
    token = confirmed["preferences_token"]
    assert call("get", "preferences/", token=token).json()["phone_code_required"] is True
    [first_text] = sms_outbox
    assert first_text.to == "+447400123456"

    resent = call("post", "preferences/phone/resend/", token=token)
    assert resent.status_code == 202
    assert resent.json() == {
        "detail": "We're texting a new code to +447400123456. It replaces the one before."
    }
    assert len(sms_outbox) == 2
    code = sms_outbox[-1].body[:6]

    wrong_code = "000000" if code != "000000" else "111111"
    wrong = call("post", "preferences/phone/", {"code": wrong_code}, token=token)
    assert_refused(wrong, 400, "That code is not right. 4 tries left.", "code")
    member = Member.objects.get()
    assert channels_of(member) == {"email": "immediate"}

    right = call("post", "preferences/phone/", {"code": f"{code[:3]} {code[3:]}"}, token=token)

    assert right.status_code == 200
    body = right.json()
    assert body["detail"] == "Thank you: your number is confirmed."
    assert body["preferences"]["channels"] == {"email": "immediate", "sms": "immediate"}
    shown = body["preferences"]
    assert (shown["phone_confirmed"], shown["phone_code_required"]) == (True, False)
    assert channels_of(member) == {"email": "immediate", "sms": "immediate"}
    nothing_waiting = call("post", "preferences/phone/resend/", token=token)
    assert_refused(nothing_waiting, 400, "There is no number waiting for a code.", "code")
    assert len(sms_outbox) == 2


def test_a_repeated_signup_resends_the_same_link_until_the_per_address_limit(call, site, settings, topic):
    settings.MEMBERS_RATE_PER_EMAIL = "2/h"
    first = call("post", "signup/", {"email": "ada@example.com", "channels": {"email": "daily"}})
    second = call("post", "signup/", {"email": "ADA@example.com", "channels": {"email": "weekly"}})

    assert first.status_code == second.status_code == 202
    assert first.json() == second.json()
    assert Member.objects.count() == 1
    assert len(mail.outbox) == 2
    assert link_payload(mail.outbox[0].body) == link_payload(mail.outbox[1].body)

    changed_mind = {"email": "ada@example.com", "channels": {"email": "immediate"}, "topics": ["baking"]}
    third = call("post", "signup/", changed_mind)

    assert_refused(third, 429, "We have already sent several emails to this address", None)
    assert 0 < int(third["Retry-After"]) <= 3600
    assert len(mail.outbox) == 2
    assert Member.objects.get().pending["channels"] == {"email": "weekly"}  # the third changed nothing


# The same answer for every address ------------------------------------------------------------


def _answer(response) -> tuple:
    headers = {name: value for name, value in response.items() if name.lower() != "date"}
    return response.status_code, response.content, headers


def test_signup_and_access_answer_the_same_for_new_known_and_suppressed_addresses(call, site):
    make_member(site, email="known@example.com", channels={"email": "immediate"})
    make_member(site, email="unconfirmed@example.com", confirmed=False)
    consent.suppress(site, Suppression.EMAIL, "erased@example.com", SuppressionReason.ERASED)
    addresses = ["new@example.com", "known@example.com", "unconfirmed@example.com", "erased@example.com"]

    for endpoint, message in (("signup/", CHECK_YOUR_INBOX), ("access/", ACCESS_LINK_SENT)):
        answers = {address: _answer(call("post", endpoint, {"email": address})) for address in addresses}

        assert len(set(map(repr, answers.values()))) == 1, answers
        status, content, headers = answers["new@example.com"]
        assert (status, json.loads(content)) == (202, {"detail": message})
        assert "Set-Cookie" not in headers

    # Behind the identical answers, different things happened: the known
    # addresses got mail, the suppressed one nothing and no member row.
    recipients = [to for message in mail.outbox for to in message.to]
    assert recipients.count("known@example.com") == 2  # a confirmation, then a link to its preferences
    assert "erased@example.com" not in recipients
    assert not Member.objects.filter(email="erased@example.com").exists()


# The magic link ------------------------------------------------------------------------------


def test_a_member_asks_for_a_link_and_opens_their_preferences_once(call, site, member):
    response = call("post", "access/", {"email": "ROBIN@example.com"})

    assert response.status_code == 202
    assert response.json() == {"detail": ACCESS_LINK_SENT}
    [email] = mail.outbox
    assert email.to == ["robin@example.com"]
    token = token_in(email, "access")

    opened = call("post", "access/open/", {"token": token})

    assert opened.status_code == 200
    assert opened.json()["detail"] == "Here are your preferences."
    preferences = call("get", "preferences/", token=opened.json()["preferences_token"])
    assert preferences.json()["email"] == "robin@example.com"
    assert_refused(
        call("post", "access/open/", {"token": token}), 409, "This link has already been used.", "token"
    )


def test_an_unconfirmed_member_asking_for_a_link_gets_the_confirmation_again(call, site):
    call("post", "signup/", {"email": "ada@example.com"})

    assert call("post", "access/", {"email": "ada@example.com"}).status_code == 202

    assert len(mail.outbox) == 2
    assert link_payload(mail.outbox[1].body) == link_payload(mail.outbox[0].body)


# Bad input -------------------------------------------------------------------------------------

BAD_SIGNUPS = [
    ({"email": ""}, "Please give your email address.", "email"),
    ({"email": None}, "email: This field may not be null.", "email"),
    ({"email": ["ada@example.com"]}, "email: Not a valid string.", "email"),
    ({"email": "not-an-address"}, "“not-an-address” is not an email address we can use", "email"),
    ({"email": "ada@exa mple.com"}, "“ada@exa mple.com” is not an email address we can use", "email"),
    (
        {"email": "josé@example.com"},
        "“josé@example.com” is not an email address we can use: We can't send mail to addresses with accents",
        "email",
    ),
    ({"email": "user@xn--zz.com"}, "“user@xn--zz.com” is not an email address we can use", "email"),
    ({"email": "a" * 250 + "@example.com"}, "Email addresses can be at most 254 characters.", "email"),
    ({"name": "N" * 101}, "Names can be at most 100 characters.", "name"),
    ({"name": "N" * 100_000}, "Names can be at most 100 characters.", "name"),
    ({"name": "Ada\x07"}, "Names cannot contain control characters.", "name"),
    ({"channels": ["sms"]}, "Please give your mobile number to get text messages.", "phone"),
    ({"channels": ["sms"], "phone": "12345"}, "“12345” is not a valid phone number.", "phone"),
    ({"channels": ["sms"], "phone": "call me"}, "“call me” is not a phone number.", "phone"),
    ({"channels": ["sms"], "phone": "020 7946 0000"}, "“020 7946 0000” is not a mobile number", "phone"),
    ({"channels": ["sms"], "phone": "0" * 33}, "Phone numbers can be at most 32 characters.", "phone"),
    ({"phone": "12345"}, "“12345” is not a valid phone number.", "phone"),
    ({"channels": ["pigeon"]}, "“pigeon” is not a channel here; choose from email, sms, rss, webhook.",
     "channels"),
    ({"channels": {"email": "hourly"}}, "Email can be “immediate, daily, weekly”, not “hourly”.", "channels"),
    ({"channels": "email"}, "Channels must be a list of channel names or a {channel: frequency} object.",
     "channels"),
    ({"channels": []}, "Please choose at least one way to hear from us.", "channels"),
    ({"channels": ["webhook"]}, "Please give the URL updates should be posted to.", "webhook_url"),
    ({"channels": ["webhook"], "webhook_url": "javascript:alert(1)"},
     "“javascript:alert(1)” is not a web address", "webhook_url"),
    ({"channels": ["webhook"], "webhook_url": "https://example.com/" + "a" * 500},
     "Webhook URLs can be at most 500 characters.", "webhook_url"),
    ({"topics": ["nope"]}, "“nope” is not a topic you can follow here.", "topics"),
    ({"topics": "baking"}, "Topics must be a list of topic names.", "topics"),
    ({"topics": [f"t{n}" for n in range(51)]}, "Choose at most 50 topics.", "topics"),
    ({"consent_text": "x" * 2001}, "Consent text can be at most 2000 characters.", "consent_text"),
    ({"source_page_id": 999999}, "There is no page 999999 on this site.", "source_page_id"),
    ({"source_page_id": "first"}, "source_page_id: A valid integer is required.", "source_page_id"),
    ({"topic": ["baking"]}, "“topic” is not a field here; send email, name, phone, channels, topics",
     "topic"),
]


@pytest.mark.parametrize(("body", "message", "field"), BAD_SIGNUPS)
def test_bad_signups_are_a_400_naming_the_field_and_store_nothing(call, site, topic, body, message, field):
    response = call("post", "signup/", {"email": "ada@example.com", **body})

    assert_refused(response, 400, message, field)
    assert Member.objects.count() == 0
    assert ConsentRecord.objects.count() == 0
    assert mail.outbox == []


def test_a_page_of_another_site_is_not_a_source(call, site):
    other_home = publish(Page.get_first_root_node(), StandardPage(title="Other shop", slug="other-shop"))
    Site.objects.create(hostname="other.example", port=80, root_page=other_home)

    response = call("post", "signup/", {"email": "ada@example.com", "source_page_id": other_home.pk})

    assert_refused(response, 400, f"There is no page {other_home.pk} on this site.", "source_page_id")
    assert Member.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "content_type", "status", "message"),
    [
        ('["ada@example.com"]', "application/json", 400, "Send a JSON object with the fields as its keys."),
        ("{not json", "application/json", 400, "JSON parse error"),
        ("email=ada%40example.com", "application/x-www-form-urlencoded", 415, "Unsupported media type"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_refused(api_client, site, body, content_type, status, message):
    response = api_client.post(API + "signup/", body, content_type=content_type)

    assert_refused(response, status, message, None)
    assert Member.objects.count() == 0


def test_bad_access_requests_are_a_400_and_send_nothing(call, site, member):
    for body, message in (
        ({"email": "robin"}, "“robin” is not an email address we can use"),
        ({}, "Please give your email address."),
        ({"email": "r" * 300 + "@example.com"}, "Email addresses can be at most 254 characters."),
    ):
        assert_refused(call("post", "access/", body), 400, message, "email")
    assert mail.outbox == []
    assert Member.objects.get().access_nonce == ""


def test_a_changed_or_expired_confirmation_token_confirms_nothing(call, site, monkeypatch):
    call("post", "signup/", {"email": "ada@example.com"})
    token = token_in(mail.outbox[0], "confirm")
    member = Member.objects.get()
    expired = token_made_days_ago(monkeypatch, 8, tokens.CONFIRM, member, member.confirmation_nonce)
    access_token = tokens.make(tokens.ACCESS, member, member.confirmation_nonce)  # signed for another purpose

    for bad in (tampered(token), token[:-3], access_token, "x" * 5000):
        assert_refused(call("post", "confirm/", {"token": bad}), 400, "This link is not valid", "token")
    assert_refused(call("post", "confirm/", {}), 400, "token: This field is required.", "token")
    blank = call("post", "confirm/", {"token": ""})
    assert_refused(blank, 400, "token: This field may not be blank.", "token")
    assert_refused(
        call("post", "confirm/", {"token": expired}), 400, "This confirmation link has expired.", "token"
    )

    member.refresh_from_db()
    assert member.confirmed_at is None and channels_of(member) == {}
    assert ConsentRecord.objects.count() == 0
    assert call("post", "confirm/", {"token": token}).status_code == 200  # the real one still works


def test_a_changed_or_expired_access_token_opens_nothing(call, site, member, monkeypatch):
    call("post", "access/", {"email": "robin@example.com"})
    token = token_in(mail.outbox[0], "access")
    member.refresh_from_db()
    expired = token_made_days_ago(monkeypatch, 2, tokens.ACCESS, member, member.access_nonce)

    changed = call("post", "access/open/", {"token": tampered(token)})
    assert_refused(changed, 400, "This link is not valid", "token")
    assert_refused(call("post", "access/open/", {"token": expired}), 400, "This link has expired.", "token")
    assert call("post", "access/open/", {"token": token}).status_code == 200


# The member token --------------------------------------------------------------------------

MEMBER_ENDPOINTS = [
    ("get", "preferences/", None),
    ("patch", "preferences/", {"name": "Mallory"}),
    ("delete", "preferences/", None),
    ("post", "preferences/phone/", {"code": "123456"}),
    ("post", "preferences/phone/resend/", None),
    ("post", "unsubscribe/", {}),
    ("get", "export/", None),
]


def _assert_member_untouched(member):
    member.refresh_from_db()
    assert member.name == "Robin"
    assert channels_of(member) == {"email": "immediate"}
    assert member.consent_records.count() == 1


@pytest.mark.parametrize(("method", "endpoint", "body"), MEMBER_ENDPOINTS)
def test_member_endpoints_need_a_good_token_and_change_nothing_without_one(
    call, site, member, monkeypatch, method, endpoint, body
):
    good = preferences_token(member)
    expired = token_made_days_ago(monkeypatch, 31, tokens.PREFERENCES, member)
    confirm_token = tokens.make(tokens.CONFIRM, member)
    other_home = publish(Page.get_first_root_node(), StandardPage(title="Other shop", slug="other-shop"))
    other_site = Site.objects.create(hostname="other.example", port=80, root_page=other_home)
    elsewhere = preferences_token(make_member(other_site, email="robin@example.com"))

    refusals = [
        ({}, NO_TOKEN),
        ({"HTTP_AUTHORIZATION": f"Token {good}"}, NO_TOKEN),
        ({"HTTP_AUTHORIZATION": "Member"}, BAD_HEADER),
        ({"HTTP_AUTHORIZATION": f"Member {good} extra"}, BAD_HEADER),
        ({"HTTP_AUTHORIZATION": f"Member {tampered(good)}"}, BAD_TOKEN),
        ({"HTTP_AUTHORIZATION": f"Member {confirm_token}"}, BAD_TOKEN),
        ({"HTTP_AUTHORIZATION": f"Member {expired}"}, "This link has expired. Ask for a new one"),
        ({"HTTP_AUTHORIZATION": f"Member {elsewhere}"}, "This token is for another site."),
    ]
    for headers, message in refusals:
        response = call(method, endpoint, body, **headers)
        assert_refused(response, 401, message, None)
        assert response["WWW-Authenticate"] == 'Member realm="members"'
    _assert_member_untouched(member)


def test_a_voided_token_is_refused(call, site, member):
    token = preferences_token(member)
    Member.objects.filter(pk=member.pk).update(token_version=2)

    assert_refused(call("get", "preferences/", token=token), 401, STALE_TOKEN, None)


def test_a_member_token_is_not_a_django_user_and_needs_no_csrf(site, member, admin_user):
    request = Request(APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Member {preferences_token(member)}"))
    user, authenticated = MemberTokenAuthentication().authenticate(request)
    assert user.is_authenticated is False and authenticated == member

    browser = APIClient(enforce_csrf_checks=True)
    browser.credentials(HTTP_AUTHORIZATION=f"Member {preferences_token(member)}")
    assert browser.patch(API + "preferences/", {"name": "Robin H"}, format="json").status_code == 200

    staff = APIClient()
    staff.force_login(admin_user)  # a session is no member token
    assert_refused(staff.get(API + "preferences/"), 401, NO_TOKEN, None)


# The preference centre ----------------------------------------------------------------------


def test_changing_preferences_grants_and_withdraws_with_consent_records(
    call, site, member, topic, other_topic
):
    token = preferences_token(member)

    response = call(
        "patch",
        "preferences/",
        {
            "name": "  Robin   Hood ",
            "channels": {"email": "daily", "webhook": ""},
            "webhook_url": "https://hooks.example.com/robin",
            "topics": ["offers"],
        },
        token=token,
    )

    assert response.status_code == 200
    data = response.json()
    assert (data["name"], data["channels"], data["topics"]) == (
        "Robin Hood", {"email": "daily", "webhook": "immediate"}, ["offers"],
    )
    assert data["webhook_url"] == "https://hooks.example.com/robin"
    assert data["feed_url"] is None
    webhook = ConsentRecord.objects.get(member=member, channel="webhook")
    assert (webhook.action, webhook.source) == ("granted", "API")
    assert "webhook URL" in webhook.wording
    # A new frequency is no new consent.
    assert ConsentRecord.objects.filter(member=member, channel="email").count() == 1

    dropped = call("patch", "preferences/", {"channels": ["rss"]}, token=token).json()

    assert dropped["channels"] == {"rss": "immediate"}
    assert dropped["feed_url"] == f"http://testserver/members/feed/{member.feed_key}/"
    withdrawn = ConsentRecord.objects.filter(member=member, action="withdrawn")
    assert set(withdrawn.values_list("channel", flat=True)) == {"email", "webhook"}
    assert set(withdrawn.values_list("source", flat=True)) == {"API"}


def test_what_get_answered_can_be_sent_back_unchanged(call, site, member):
    token = preferences_token(member)
    shown = call("get", "preferences/", token=token).json()
    records = ConsentRecord.objects.count()

    response = call("patch", "preferences/", shown, token=token)

    assert response.status_code == 200
    assert response.json() == shown
    assert ConsentRecord.objects.count() == records


def test_a_new_number_waits_for_its_code(call, site, member, sms_outbox):
    token = preferences_token(member)

    change = {"phone": "+44 7400 123457", "channels": ["email", "sms"]}
    data = call("patch", "preferences/", change, token=token).json()

    assert (data["phone"], data["phone_confirmed"]) == ("+447400123457", False)
    assert data["phone_code_required"] is True
    assert data["channels"] == {"email": "immediate"}
    [text] = sms_outbox
    right = call("post", "preferences/phone/", {"code": text.body[:6]}, token=token)
    assert right.json()["preferences"]["channels"] == {"email": "immediate", "sms": "immediate"}


BAD_CHANGES = [
    ({"channels": {"email": "hourly"}}, "Email can be “immediate, daily, weekly”, not “hourly”.", "channels"),
    ({"channels": ["pigeon"]}, "“pigeon” is not a channel here", "channels"),
    ({"channels": None}, "channels: This field may not be null.", "channels"),
    ({"channels": ["sms"], "phone": "12345"}, "“12345” is not a valid phone number.", "phone"),
    ({"phone": "020 7946 0000"}, "“020 7946 0000” is not a mobile number", "phone"),
    ({"channels": ["webhook"], "webhook_url": "ftp://files.example.com"},
     "“ftp://files.example.com” is not a web address", "webhook_url"),
    ({"name": "N" * 101}, "Names can be at most 100 characters.", "name"),
    ({"topics": ["nope"]}, "“nope” is not a topic you can follow here.", "topics"),
    ({"topics": [f"t{n}" for n in range(51)]}, "Choose at most 50 topics.", "topics"),
    ({"email": "someone-else@example.com"}, "Your email address cannot be changed here", "email"),
    ({"colour": "blue"}, "“colour” is not a field here; send name, phone, channels, topics, webhook_url.",
     "colour"),
]


@pytest.mark.parametrize(("body", "message", "field"), BAD_CHANGES)
def test_bad_changes_are_a_400_and_change_nothing(call, site, member, topic, body, message, field):
    response = call("patch", "preferences/", {"name": "Changed", **body}, token=preferences_token(member))

    assert_refused(response, 400, message, field)
    _assert_member_untouched(member)


def test_unsubscribing_from_one_channel_then_everything(call, site):
    member = make_member(site, email="ada@example.com", channels={"email": "weekly", "rss": "immediate"})
    token = preferences_token(member)

    one = call("post", "unsubscribe/", {"channel": "rss"}, token=token)

    assert one.status_code == 200
    assert one.json()["detail"] == "You're unsubscribed from RSS feed."
    assert (one.json()["withdrawn"], one.json()["preferences"]["channels"]) == (1, {"email": "weekly"})
    again = call("post", "unsubscribe/", {"channel": "rss"}, token=token).json()
    assert (again["detail"], again["withdrawn"]) == ("You weren't getting RSS feed, so nothing changed.", 0)
    unknown = call("post", "unsubscribe/", {"channel": "pigeon"}, token=token)
    assert_refused(unknown, 400, "“pigeon” is not a channel here.", "channel")

    everything = call("post", "unsubscribe/", None, token=token).json()

    assert everything["detail"] == "You're unsubscribed from everything: we won't send you anything more."
    assert (everything["withdrawn"], everything["preferences"]["channels"]) == (1, {})
    member.refresh_from_db()
    assert member.unsubscribed_at is not None
    assert list(member.consent_records.filter(action="withdrawn").values_list("channel", "source")) == [
        ("rss", "API"), ("email", "API"),
    ]
    assert call("post", "unsubscribe/", {"channel": None}, token=token).json()["detail"] == (
        "You weren't subscribed to anything, so nothing changed."
    )


def test_export_gives_everything_kept(call, site, member, topic):
    member.topics.set([topic])

    response = call("get", "export/", token=preferences_token(member))

    assert response.status_code == 200
    data = response.json()
    assert (data["email"], data["name"], data["site"]) == ("robin@example.com", "Robin", "Copper Kettle")
    assert [(c["channel"], c["frequency"]) for c in data["channels"]] == [("email", "immediate")]
    assert data["topics"] == [{"slug": "baking", "name": "Baking tips"}]
    [record] = data["consent_history"]
    assert (record["channel"], record["action"], record["wording"]) == ("email", "granted", "Test wording")


def test_erasing_deletes_the_member_voids_the_token_and_keeps_the_address_off_the_list(call, site, member):
    token = preferences_token(member)

    response = call("delete", "preferences/", token=token)

    assert response.status_code == 200
    assert response.json() == {
        "detail": "Everything we kept about you is deleted, and we won't contact you again. Goodbye!"
    }
    assert Member.objects.count() == 0 and ConsentRecord.objects.count() == 0
    assert Suppression.objects.filter(site=site, kind=Suppression.EMAIL).exists()
    for method, endpoint, body in MEMBER_ENDPOINTS:
        assert_refused(call(method, endpoint, body, token=token), 401, STALE_TOKEN, None)

    again = call("post", "signup/", {"email": "robin@example.com"})
    assert (again.status_code, again.json()) == (202, {"detail": CHECK_YOUR_INBOX})
    assert mail.outbox == [] and Member.objects.count() == 0


# Rate limits --------------------------------------------------------------------------------


def test_signup_is_throttled_by_the_public_write_rate_apart_from_access(call, site, settings):
    _set_write_rate(settings, "2/min")
    for n in range(2):
        assert call("post", "signup/", {"email": f"ada{n}@example.com"}).status_code == 202

    refused = call("post", "signup/", {"email": "ada9@example.com"})

    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert refused.json()["field"] is None and refused.json()["detail"].startswith("Request was throttled.")
    assert Member.objects.count() == 2
    assert call("post", "access/", {"email": "ada0@example.com"}).status_code == 202  # counted apart
    assert call("post", "signup/", {"email": "ada9@example.com"}, ip="198.51.100.7").status_code == 202
    assert call("get", "options/").status_code == 200  # reading is not a write


def test_signups_past_the_per_network_limit_are_a_429_with_retry_after(call, site, settings):
    settings.MEMBERS_RATE_PER_IP = "2/m"
    for n in range(2):
        assert call("post", "signup/", {"email": f"ada{n}@example.com"}).status_code == 202

    refused = call("post", "signup/", {"email": "ada9@example.com"})

    assert_refused(refused, 429, "Too many requests from your network. Please try again in about 1 minute; "
                   "nothing was changed.", None)
    assert 0 < int(refused["Retry-After"]) <= 60
    assert Member.objects.count() == 2 and len(mail.outbox) == 2


def test_a_members_changes_are_throttled_per_member(call, site, member, settings):
    _set_write_rate(settings, "2/min")
    token = preferences_token(member)
    for _ in range(2):
        assert call("post", "unsubscribe/", {"channel": "rss"}, token=token).status_code == 200

    refused = call("patch", "preferences/", {"name": "Robin H"}, token=token)

    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert Member.objects.get(pk=member.pk).name == "Robin"
    other = make_member(site, email="ada@example.com", channels={"email": "immediate"})
    assert call("patch", "preferences/", {"name": "Ada"}, token=preferences_token(other)).status_code == 200


def test_asking_for_codes_too_often_is_a_429(call, site, settings, sms_outbox):
    settings.MEMBERS_PHONE_CODES_PER_NUMBER = "1/h"
    call("post", "signup/", {"email": "ada@example.com", "phone": "07400 123456", "channels": ["sms"]})
    confirmed = call("post", "confirm/", {"token": token_in(mail.outbox[0], "confirm")})
    token = confirmed.json()["preferences_token"]
    assert call("post", "preferences/phone/resend/", token=token).status_code == 202

    refused = call("post", "preferences/phone/resend/", token=token)

    assert_refused(refused, 429, "We have sent several codes to this number already.", None)
    assert int(refused["Retry-After"]) > 0
    assert len(sms_outbox) == 2  # the one sent on confirming, and the one asked for


# The gate -----------------------------------------------------------------------------------


def test_the_inactive_plugin_answers_404_everywhere_and_changes_nothing(
    call, site, member, deactivate_plugin
):
    token = preferences_token(member)
    deactivate_plugin(site, "members")

    responses = [
        call("get", "options/"),
        call("post", "signup/", {"email": "ada@example.com"}),
        call("post", "confirm/", {"token": "x"}),
        call("post", "access/", {"email": "robin@example.com"}),
        call("post", "access/open/", {"token": "x"}),
        *(call(method, endpoint, body, token=token) for method, endpoint, body in MEMBER_ENDPOINTS),
    ]

    for response in responses:
        assert response.status_code == 404
        assert response.json() == {"detail": "The plugin “Members” is not active on this site."}
    assert list(Member.objects.values_list("email", flat=True)) == ["robin@example.com"]
    _assert_member_untouched(member)
    assert mail.outbox == []


# Schema and query budget ------------------------------------------------------------------------

OPERATIONS = {
    ("/api/v1/members/options/", "get"): "members_options",
    ("/api/v1/members/signup/", "post"): "members_signup",
    ("/api/v1/members/confirm/", "post"): "members_confirm",
    ("/api/v1/members/access/", "post"): "members_access",
    ("/api/v1/members/access/open/", "post"): "members_access_open",
    ("/api/v1/members/preferences/", "get"): "members_preferences_retrieve",
    ("/api/v1/members/preferences/", "patch"): "members_preferences_update",
    ("/api/v1/members/preferences/", "delete"): "members_erase",
    ("/api/v1/members/preferences/phone/", "post"): "members_phone_verify",
    ("/api/v1/members/preferences/phone/resend/", "post"): "members_phone_resend",
    ("/api/v1/members/unsubscribe/", "post"): "members_unsubscribe",
    ("/api/v1/members/export/", "get"): "members_export",
}
PUBLIC_OPERATIONS = {
    "members_options", "members_signup", "members_confirm", "members_access", "members_access_open",
}


def test_the_endpoints_are_described_in_the_schema(api_client, site):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    members_paths = {path for path in schema["paths"] if path.startswith(API)}
    assert members_paths == {path for path, _method in OPERATIONS}

    for (path, method), operation_id in OPERATIONS.items():
        operation = schema["paths"][path][method]
        assert operation["operationId"] == operation_id
        assert operation["tags"] == ["members"]
        assert operation["summary"] and operation["description"]
        assert {"200", "202"} & set(operation["responses"]), operation_id
        assert {"404", "429"} <= set(operation["responses"]), operation_id
        if operation_id in PUBLIC_OPERATIONS:
            assert operation["security"] == [{}]
        else:
            assert operation["security"] == [{"memberToken": []}]
            assert "401" in operation["responses"]

    def ref(content):
        return content["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]

    signup = schema["paths"]["/api/v1/members/signup/"]["post"]
    assert ref(signup["requestBody"]) == "MemberSignup"
    assert ref(signup["responses"]["400"]) == "MemberError"
    assert "Retry-After" in signup["responses"]["429"]["headers"]
    preferences = schema["paths"]["/api/v1/members/preferences/"]
    assert ref(preferences["get"]["responses"]["200"]) == "MemberPreferences"
    assert ref(preferences["patch"]["requestBody"]) == "PatchedMemberPreferencesUpdate"
    components = schema["components"]["schemas"]
    assert set(components["MemberSignup"]["properties"]) == {
        "email", "name", "phone", "channels", "topics", "webhook_url", "consent_text", "source_page_id",
    }
    assert len(components["MemberSignup"]["properties"]["channels"]["oneOf"]) == 2
    assert schema["components"]["securitySchemes"]["memberToken"]["in"] == "header"


def test_the_schema_validates_without_warnings(tmp_path):
    """What CI runs (``manage.py spectacular --validate --fail-on-warn``), with these endpoints in it."""
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert "/api/v1/members/preferences/:" in out.read_text()


def test_reading_preferences_costs_a_bounded_number_of_queries(
    call, site, topic, other_topic, django_assert_max_num_queries
):
    member = make_member(
        site,
        email="ada@example.com",
        channels={"email": "weekly", "rss": "immediate", "webhook": "immediate"},
        topics=["baking", "offers"],
    )
    token = preferences_token(member)
    call("get", "preferences/", token=token)  # warm per-process caches (site, activation)

    # The request's site and branding (core middleware), then the member, their channels, their topics.
    with django_assert_max_num_queries(5):
        response = call("get", "preferences/", token=token)

    assert response.status_code == 200
    assert response.json()["webhook_url"] == "https://hooks.example.com/in"
    assert response.json()["topics"] == ["baking", "offers"]
