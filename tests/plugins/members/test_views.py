"""The members plugin's public pages, through their real URLs: signing up
from the signup page, the footer and a block; every refusal; confirming
through the emailed link; the magic link; the preference centre (channels,
frequency, topics, name, the mobile number's code, unsubscribing, export,
delete me, sign out); CSRF, caching, the plugin switched off, and what the
pages cost in queries."""
from __future__ import annotations

import html
import json

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hearthside.models import SiteBranding
from plugins.members import consent, tokens
from plugins.members.config import wording_for
from plugins.members.models import (
    ConsentRecord,
    Member,
    Source,
    Suppression,
    SuppressionReason,
)
from tests.factories import make_article
from tests.themes.test_accessibility import check_accessibility

from .conftest import link_in, text_body
from .factories import make_member

# A site as it looks in use: a section in the menu (the accessibility checks want a main nav).
pytestmark = pytest.mark.usefixtures("generous_member_limits", "section")

SIGNUP = "/members/signup/"
DONE = "/members/signup/check-your-inbox/"
ACCESS = "/members/access/"
PREFERENCES = "/members/preferences/"
PHONE_CODE = "/members/preferences/phone/"
EXPORT = "/members/preferences/export.json"
ERASE = "/members/preferences/delete/"
SIGN_OUT = "/members/preferences/sign-out/"
VISITOR_IP = "203.0.113.7"


# Reading and sending forms as a person would ----------------------------------------


def shown(response) -> str:
    """The response's HTML with entities decoded, to look for messages in."""
    return html.unescape(response.content.decode())


def page_text(response) -> str:
    """What a person reads on the page: its text, whitespace collapsed."""
    return " ".join(BeautifulSoup(response.content.decode(), "html.parser").get_text(" ").split())


def form_values(form) -> dict:
    """The fields a browser would send from ``form`` as rendered: hidden
    ones, ticked boxes (as lists) and each select's chosen option."""
    values: dict = {}
    for field in form.find_all(["input", "textarea", "select"]):
        name = field.get("name")
        if not name or field.get("type") in ("submit", "button"):
            continue
        if field.get("type") == "checkbox":
            if field.has_attr("checked"):
                values.setdefault(name, []).append(field.get("value", "on"))
            continue
        if field.name == "select":
            option = field.find("option", selected=True) or field.find("option")
            values[name] = option.get("value", "")
            continue
        values[name] = field.get_text() if field.name == "textarea" else field.get("value", "")
    return values


def read_form(page_html: str, selector: str = "form.members-form"):
    """The action and the fields of the first form matching ``selector``."""
    form = BeautifulSoup(page_html, "html.parser").select_one(selector)
    assert form is not None, f"No {selector} in the page."
    return form["action"], form_values(form)


def get_html(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def post_from(client, url, selector="form.members-form", ip=VISITOR_IP, **entries):
    """Open ``url``, fill in its form (``entries`` replace what it holds;
    lists tick boxes) and send it from ``ip``."""
    action, fields = read_form(get_html(client, url), selector)
    fields.update(entries)
    return client.post(action, fields, REMOTE_ADDR=ip)


def checkbox_values(page_html: str, name: str, selector="form.members-form") -> list[str]:
    form = BeautifulSoup(page_html, "html.parser").select_one(selector)
    return [box["value"] for box in form.find_all("input", attrs={"type": "checkbox", "name": name})]


def token_of(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[1]


def csrf_token_in(page_html: str) -> str:
    field = BeautifulSoup(page_html, "html.parser").find("input", attrs={"name": "csrfmiddlewaretoken"})
    return field["value"] if field else ""


def press_button(client, url, **extra):
    """Open a link from an email and press its page's button (with the page's CSRF token)."""
    page = get_html(client, url)
    return client.post(url, {"csrfmiddlewaretoken": csrf_token_in(page)}, REMOTE_ADDR=VISITOR_IP, **extra)


def access_link_for(member) -> str:
    """A fresh magic link for ``member``, as request_access would email it."""
    member.access_nonce = f"nonce-{timezone.now().timestamp()}"
    member.save(update_fields=["access_nonce"])
    return reverse("members:access_link", args=[tokens.make(tokens.ACCESS, member, member.access_nonce)])


def sign_in(client, member):
    """Open ``member``'s preference centre on ``client`` through a magic link."""
    response = press_button(client, access_link_for(member))
    assert response.status_code == 303, shown(response)
    return response


def confirmation_link_for(member) -> str:
    return reverse("members:confirm", args=[tokens.make(tokens.CONFIRM, member, member.confirmation_nonce)])


def centre_post(client, **fields):
    """Send the preference centre's "Change your choices" form with ``fields`` changed."""
    page = get_html(client, PREFERENCES)
    form = BeautifulSoup(page, "html.parser").find("input", attrs={"name": "action", "value": "save"}).parent
    values = form_values(form)
    values.update(fields)
    return client.post(PREFERENCES, values, REMOTE_ADDR=VISITOR_IP)


@pytest.fixture
def commits(django_capture_on_commit_callbacks):
    """``with commits():``: run what a request queues after its commit (emails, texts)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def article(section):
    return make_article(section, title="How we make our sourdough", tags=["bread"])


# Signing up from the signup page -------------------------------------------------------


def test_the_signup_page_offers_every_channel_with_its_wording_and_every_topic(client, site, topic, other_topic):
    page = get_html(client, SIGNUP)

    assert checkbox_values(page, "channels") == ["email", "sms", "rss", "webhook"]
    assert checkbox_values(page, "topics") == ["baking", "offers"]
    text = html.unescape(page)
    for key in ("email", "sms", "rss", "webhook"):
        assert wording_for(site, key) in text, f"the {key} wording is shown"
    _, fields = read_form(page)
    assert "channels" not in fields, "no channel ticked in advance: ticked boxes are not consent"
    assert (fields["source"], fields["page"], fields["honeypot"]) == ("page", "", "")
    assert '<meta name="robots" content="noindex">' in page
    assert "csrfmiddlewaretoken" not in page


def test_a_visitor_signs_up_on_the_page_confirms_from_the_email_and_lands_in_their_preferences(
    client, site, topic, other_topic, smtp_server, commits
):
    with commits():
        response = post_from(
            client, SIGNUP, email="Ada@Example.com", name="Ada", channels=["email", "rss"],
            frequency_email="weekly", topics=["baking"],
        )

    assert response.status_code == 303
    assert response["Location"] == DONE
    assert "Check your inbox" in shown(client.get(DONE))
    member = Member.objects.get()
    assert (member.email, member.name, member.source, member.source_detail) == (
        "Ada@example.com", "Ada", Source.FORM, "Signup page",
    )
    assert member.confirmed_at is None and not member.subscriptions.exists(), "nothing granted before confirming"
    [message] = smtp_server.messages()
    link = link_in(text_body(message), "confirm")

    with commits():
        landed = press_button(client, link)

    assert landed.status_code == 303
    assert landed["Location"] == PREFERENCES
    member.refresh_from_db()
    assert member.confirmed_at is not None
    assert dict(member.subscriptions.values_list("channel", "frequency")) == {"email": "weekly", "rss": "immediate"}
    assert list(member.topics.values_list("slug", flat=True)) == ["baking"]
    centre = page_text(client.get(PREFERENCES))
    assert "Signed in as Ada@example.com" in centre
    assert "Thank you: your subscription is confirmed." in centre


def test_the_wording_shown_beside_each_channel_is_the_wording_recorded(client, site, commits, settings):
    settings.MEMBERS_CONSENT_IP = "keep"
    page = get_html(client, SIGNUP)
    soup = BeautifulSoup(page, "html.parser")
    shown_wording = {
        key: soup.find(id=f"members-signup-channel-{key}-wording").get_text() for key in ("email", "rss")
    }
    with commits():
        post_from(client, SIGNUP, email="ada@example.com", channels=["email", "rss"])
        press_button(client, confirmation_link_for(Member.objects.get()))

    records = {r.channel: r for r in ConsentRecord.objects.all()}
    assert {key: records[key].wording for key in records} == shown_wording
    assert records["email"].ip_address == VISITOR_IP
    assert records["email"].source.startswith("Signup form, confirmed by email")


def test_a_sites_own_consent_wording_is_shown_and_recorded(client, site, commits):
    from dataclasses import replace

    from plugins.members.config import save_settings, settings_for

    save_settings(site, replace(settings_for(site), wording={"email": "Send me the <b>Kettle Post</b>."}))
    page = get_html(client, SIGNUP)
    assert "Send me the &lt;b&gt;Kettle Post&lt;/b&gt;." in page, "escaped, like all site text"
    with commits():
        post_from(client, SIGNUP, email="ada@example.com", channels=["email"])
        press_button(client, confirmation_link_for(Member.objects.get()))
    assert ConsentRecord.objects.get().wording == "Send me the <b>Kettle Post</b>."


def test_sms_and_webhook_signups_keep_the_number_and_url(client, site, commits, sms_outbox):
    with commits():
        response = post_from(
            client, SIGNUP, email="ada@example.com", channels=["email", "sms", "webhook"],
            phone="07400 123456", webhook_url="https://hooks.example.com/kettle",
        )
    assert response.status_code == 303
    member = Member.objects.get()
    assert member.pending["phone"] == "+447400123456"
    assert member.pending["webhook_url"] == "https://hooks.example.com/kettle"

    with commits():
        landed = press_button(client, confirmation_link_for(member))

    assert landed["Location"] == PHONE_CODE, "texts wait for the number's code"
    assert set(member.subscriptions.values_list("channel", flat=True)) == {"email", "webhook"}
    assert len(sms_outbox) == 1 and sms_outbox[0].to == "+447400123456"


# Signing up from the footer and from a block ----------------------------------------------


def test_a_visitor_signs_up_from_the_footer_of_any_page(client, site, article, smtp_server, commits):
    page = get_html(client, article.url)
    action, fields = read_form(page, "form.members-footer__form")
    assert action == SIGNUP
    assert fields == {"source": "footer", "page": str(article.pk), "channels": "email", "email": "", "honeypot": ""}

    with commits():
        response = client.post(action, {**fields, "email": "sam@example.com"}, REMOTE_ADDR=VISITOR_IP)

    assert response.status_code == 303 and response["Location"] == DONE
    member = Member.objects.get()
    assert (member.source, member.source_detail, member.source_page_id) == (Source.FORM, "Footer form", article.pk)
    assert member.pending["channels"] == {"email": "immediate"}
    assert "How we make our sourdough" in member.pending["source"]
    [message] = smtp_server.messages()
    assert message["To"] == "sam@example.com"


def test_a_visitor_signs_up_from_a_block_on_a_page(client, site, section, topic, other_topic, commits):
    page = make_article(
        section,
        title="Baking with us",
        body=[("member_signup", {"heading": "Baking news", "offer_sms": True, "topics": "baking"})],
    )
    with commits():
        response = post_from(
            client, page.url, "section.members-block form", email="kim@example.com", channels=["email"],
            frequency_email="daily",
        )

    assert response.status_code == 303 and response["Location"] == DONE
    member = Member.objects.get()
    assert (member.source, member.source_detail, member.source_page_id) == (Source.BLOCK, "Signup block", page.pk)
    assert member.pending["channels"] == {"email": "daily"}
    assert member.pending["topics"] == ["baking"], "the block's topic comes ticked"
    assert member.pending["source"].startswith("Signup block on a page on “Baking with us”")


def test_a_refused_footer_signup_shows_the_full_form_and_keeps_its_source(client, site, article):
    response = post_from(client, article.url, "form.members-footer__form", email="not-an-address")

    assert response.status_code == 400
    _, fields = read_form(response.content.decode())
    assert (fields["source"], fields["page"], fields["email"], fields["channels"]) == (
        "footer", str(article.pk), "not-an-address", ["email"],
    )
    assert Member.objects.count() == 0


# Refusals: the message next to its field, everything typed kept, nothing stored -------------


def assert_refused(response, message, field, *, status=400):
    text = shown(response)
    assert response.status_code == status, text
    assert message in text
    assert "You are not signed up yet." in text
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    error = soup.find(id=f"members-signup-{field}-error")
    assert error is not None and message in error.get_text(), f"the message is next to {field}"
    assert Member.objects.count() == 0
    assert mail.outbox == []
    check_accessibility(soup)


@pytest.mark.parametrize(
    "entries, message, field",
    [
        ({"email": "not-an-address"}, "is not an email address we can use", "email"),
        ({"email": "josé@example.com"}, "We can't send mail to addresses with accents", "email"),
        ({"email": "a" * 250 + "@example.com"}, "Email addresses can be at most 254 characters.", "email"),
        ({"email": ""}, "Please give your email address.", "email"),
        ({"name": "N" * 101}, "Names can be at most 100 characters.", "name"),
        ({"channels": []}, "Please choose at least one way to hear from us.", "channels"),
        ({"channels": ["email", "sms"], "phone": ""}, "Please give your mobile number to get text messages.", "phone"),
        ({"channels": ["email", "sms"], "phone": "12345"}, "is not a valid phone number", "phone"),
        ({"channels": ["email", "sms"], "phone": "0117 496 0742"}, "is not a mobile number", "phone"),
        ({"channels": ["email", "sms"], "phone": "call me"}, "is not a phone number", "phone"),
        ({"channels": ["email", "webhook"], "webhook_url": ""}, "Please give the URL updates should be posted to.", "webhook_url"),
        ({"channels": ["email", "webhook"], "webhook_url": "ftp://x"}, "is not a web address", "webhook_url"),
        ({"topics": ["baking", "nope"]}, "“nope” is not a topic you can follow here.", "topics"),
        ({"channels": ["email", "pigeon"]}, "“pigeon” is not a channel here", "channels"),
        ({"frequency_email": "hourly"}, "Email can be “immediate, daily, weekly”, not “hourly”.", "channels"),
    ],
    ids=[
        "invalid-email", "unicode-local-part", "long-email", "no-email", "long-name", "no-channel",
        "sms-without-phone", "invalid-phone", "landline", "not-a-number", "webhook-without-url", "bad-webhook-url",
        "unknown-topic", "unknown-channel", "unknown-frequency",
    ],
)
def test_bad_entries_are_refused_next_to_their_field_and_keep_what_was_typed(
    client, site, topic, entries, message, field
):
    typed = {"email": "ada@example.com", "name": "Ada <b>L</b>", "channels": ["email"], "topics": ["baking"], **entries}
    response = post_from(client, SIGNUP, **typed)

    assert_refused(response, message, field)
    _, kept = read_form(response.content.decode())
    for name in ("email", "name", "phone", "webhook_url"):
        if name in typed:
            assert kept[name] == typed[name], f"{name} is kept"
    known = {"email", "sms", "rss", "webhook"}
    assert kept.get("channels", []) == [key for key in typed["channels"] if key in known]
    assert kept.get("topics", []) == [slug for slug in typed["topics"] if slug == "baking"]
    if "frequency_email" in typed and typed["frequency_email"] in ("daily", "weekly"):
        assert kept["frequency_email"] == typed["frequency_email"]
    assert "Ada <b>L</b>" not in response.content.decode(), "what was typed is escaped"


def test_a_refusal_keeps_the_chosen_frequency(client, site):
    response = post_from(client, SIGNUP, email="nope", channels=["email"], frequency_email="weekly")
    assert response.status_code == 400
    assert read_form(response.content.decode())[1]["frequency_email"] == "weekly"


def test_a_filled_in_honeypot_is_refused_and_nothing_is_sent(client, site):
    response = post_from(client, SIGNUP, email="ada@example.com", channels=["email"], honeypot="http://spam.example")
    text = shown(response)
    assert response.status_code == 400
    assert "meant to catch spam robots" in text
    assert read_form(response.content.decode())[1]["email"] == "ada@example.com"
    assert Member.objects.count() == 0 and mail.outbox == []


def test_a_source_page_from_another_site_or_not_live_is_ignored(client, site, article, commits):
    article.unpublish()
    with commits():
        post_from(client, SIGNUP, email="ada@example.com", channels=["email"], page=str(article.pk), source="bogus")
    member = Member.objects.get()
    assert (member.source_page_id, member.source_detail) == (None, "Signup page")


# No enumeration, rate limits ---------------------------------------------------------------


def test_known_unknown_and_suppressed_addresses_get_the_same_answer(client, site, member, commits):
    consent.suppress(site, Suppression.EMAIL, "gone@example.com", SuppressionReason.ERASED)
    answers = []
    for email in ("new@example.com", "robin@example.com", "gone@example.com"):
        with commits():
            response = post_from(client, SIGNUP, email=email, channels=["email"])
        answers.append((response.status_code, response["Location"]))

    assert answers == [(303, DONE)] * 3
    assert sorted(address for message in mail.outbox for address in message.to) == [
        "new@example.com", "robin@example.com",
    ], "the suppressed address is sent nothing"
    assert not Member.objects.filter(email="gone@example.com").exists()


def test_too_many_signups_for_one_address_answer_429_and_keep_the_form(client, site, settings, commits):
    settings.MEMBERS_RATE_PER_EMAIL = "1/h"
    with commits():
        assert post_from(client, SIGNUP, email="ada@example.com", channels=["email"]).status_code == 303

    response = post_from(client, SIGNUP, email="ada@example.com", channels=["email"], name="Ada")

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "We have already sent several emails to this address" in shown(response)
    assert read_form(response.content.decode())[1]["name"] == "Ada"
    assert len(mail.outbox) == 1


def test_too_many_signups_from_one_network_answer_429(client, site, settings, commits):
    settings.MEMBERS_RATE_PER_IP = "2/m"
    with commits():
        for n in range(2):
            assert post_from(client, SIGNUP, email=f"p{n}@example.com", channels=["email"]).status_code == 303
    response = post_from(client, SIGNUP, email="p3@example.com", channels=["email"])
    assert response.status_code == 429
    assert "Too many requests from your network." in shown(response)
    other = post_from(client, SIGNUP, email="p3@example.com", channels=["email"], ip="198.51.100.1")
    assert other.status_code == 303, "another network is not held back"


# Confirming: GET shows a button, only the POST confirms ----------------------------------------


@pytest.fixture
def signed_up(site, commits):
    """Someone who signed up for weekly email and has not confirmed yet."""
    from plugins.members import signup as service

    with commits():
        return service.signup(site, email="ada@example.com", name="Ada", channels={"email": "weekly"})


def test_following_the_confirmation_link_confirms_nothing_until_the_button(client, signed_up):
    link = confirmation_link_for(signed_up)
    response = client.get(link)

    assert response.status_code == 200
    text = shown(response)
    assert "Press the button to confirm that ada@example.com is your address." in text
    assert "You asked for: Email (Weekly digest)." in text
    assert 'content="noindex"' in text and "no-store" in response["Cache-Control"]
    signed_up.refresh_from_db()
    assert signed_up.confirmed_at is None
    assert signed_up.subscriptions.count() == 0
    check_accessibility(BeautifulSoup(response.content.decode(), "html.parser"))


def test_a_used_confirmation_link_explains_itself_and_changes_nothing(client, signed_up, commits):
    link = confirmation_link_for(signed_up)
    with commits():
        assert press_button(client, link).status_code == 303
    again = Client().post(link)
    assert again.status_code == 410
    assert "This link has already been used: your address is confirmed." in shown(again)
    assert Client().get(link).status_code == 410
    assert ConsentRecord.objects.count() == 1


def test_a_tampered_confirmation_link_is_refused(client, signed_up):
    link = confirmation_link_for(signed_up)
    tampered = link[:-6] + ("A" if link[-6] != "A" else "B") + link[-5:]
    for response in (client.get(tampered), client.post(tampered)):
        assert response.status_code == 400
        assert "This link is not valid" in shown(response)
    signed_up.refresh_from_db()
    assert signed_up.confirmed_at is None


def test_an_expired_confirmation_link_is_refused(client, signed_up, settings):
    link = confirmation_link_for(signed_up)
    settings.MEMBERS_CONFIRMATION_DAYS = -1  # every link is older than that
    response = client.post(link)
    assert response.status_code == 410
    assert "This confirmation link has expired. Please sign up again" in shown(response)
    signed_up.refresh_from_db()
    assert signed_up.confirmed_at is None


def test_a_confirmation_link_for_someone_erased_is_gone(client, signed_up):
    link = confirmation_link_for(signed_up)
    signed_up.delete()
    response = client.get(link)
    assert response.status_code == 410
    assert "no longer exists" in shown(response)


# The magic link to the preference centre -----------------------------------------------------


def test_a_member_asks_for_a_link_and_opens_their_preferences_with_it(client, member, smtp_server, commits):
    with commits():
        response = post_from(client, ACCESS, email="ROBIN@example.com")

    assert response.status_code == 303 and response["Location"] == f"{ACCESS}?sent=1"
    assert "If that address is signed up, we've emailed it a link" in shown(client.get(response["Location"]))
    [message] = smtp_server.messages()
    link = link_in(text_body(message), "access")
    interstitial = client.get(link)
    assert "Press the button to see and change what we send to robin@example.com." in shown(interstitial)
    assert client.get(PREFERENCES).status_code == 303, "following the link signs nobody in"

    landed = press_button(client, link)

    assert landed.status_code == 303 and landed["Location"] == PREFERENCES
    assert "Signed in as robin@example.com" in page_text(client.get(PREFERENCES))
    used = Client().post(link)
    assert used.status_code == 410 and "This link has already been used." in shown(used)


def test_asking_for_a_link_answers_the_same_for_anyone(client, site, member, commits):
    consent.suppress(site, Suppression.EMAIL, "gone@example.com", SuppressionReason.ERASED)
    make_member(site, email="pending@example.com", confirmed=False)
    answers = []
    for email in ("robin@example.com", "stranger@example.com", "gone@example.com", "pending@example.com"):
        with commits():
            response = post_from(client, ACCESS, email=email)
        answers.append((response.status_code, response["Location"]))
    assert answers == [(303, f"{ACCESS}?sent=1")] * 4
    assert [message.to for message in mail.outbox] == [["robin@example.com"]]


def test_asking_for_a_link_with_a_bad_address_says_why(client, site):
    response = post_from(client, ACCESS, email="robin-at-example")
    assert response.status_code == 400
    assert "is not an email address we can use" in shown(response)
    assert read_form(response.content.decode())[1]["email"] == "robin-at-example"


def test_asking_for_too_many_links_answers_429(client, member, settings, commits):
    settings.MEMBERS_RATE_PER_EMAIL = "1/h"
    with commits():
        post_from(client, ACCESS, email="robin@example.com")
    response = post_from(client, ACCESS, email="robin@example.com")
    assert response.status_code == 429 and "Retry-After" in response
    assert len(mail.outbox) == 1


def test_an_access_link_once_the_members_links_were_voided_is_refused(client, member):
    link = access_link_for(member)
    Member.objects.filter(pk=member.pk).update(token_version=member.token_version + 1)
    response = client.post(link)
    assert response.status_code == 410
    assert client.get(PREFERENCES)["Location"].startswith(ACCESS)


# The preference centre ---------------------------------------------------------------------


@pytest.mark.parametrize("url", [PREFERENCES, PHONE_CODE, EXPORT, ERASE])
def test_the_preference_centre_without_a_session_leads_to_the_access_page(client, site, url):
    response = client.get(url)
    assert response.status_code == 303
    assert response["Location"] == f"{ACCESS}?session=ended"
    assert "Your preferences are closed on this browser." in shown(client.get(response["Location"]))


def test_signing_in_gives_a_new_session_key(client, member):
    before = client.session.session_key
    sign_in(client, member)
    assert client.session.session_key != before
    assert client.session["members.member_id"] == member.pk


def test_a_session_whose_links_were_voided_ends(client, member):
    sign_in(client, member)
    Member.objects.filter(pk=member.pk).update(token_version=member.token_version + 1)
    assert client.get(PREFERENCES)["Location"] == f"{ACCESS}?session=ended"


def test_the_preference_centre_shows_what_the_member_gets(client, site, member, topic):
    member.topics.set([topic])
    sign_in(client, member)
    response = client.get(PREFERENCES)

    text = shown(response)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "Unsubscribe from Email" in text and "Unsubscribe from everything" in text
    assert "Download my data" in text and "Delete me" in text and "Sign out" in text
    _, fields = read_form(response.content.decode(), "form.members-form:has(input[value=save])")
    assert (fields["channels"], fields["frequency_email"], fields["topics"], fields["name"]) == (
        ["email"], "immediate", ["baking"], "Robin",
    )
    assert "Your private RSS feed" not in text, "the feed only for members on RSS"
    check_accessibility(BeautifulSoup(response.content.decode(), "html.parser"))


def test_a_member_changes_channels_frequency_topics_and_name(client, site, member, topic, other_topic):
    sign_in(client, member)
    response = centre_post(
        client, channels=["email", "rss"], frequency_email="weekly", topics=["offers"], name="Robin Hood"
    )

    assert response.status_code == 303 and response["Location"] == PREFERENCES
    member.refresh_from_db()
    assert dict(member.subscriptions.values_list("channel", "frequency")) == {"email": "weekly", "rss": "immediate"}
    assert list(member.topics.values_list("slug", flat=True)) == ["offers"]
    assert member.name == "Robin Hood"
    page = shown(client.get(PREFERENCES))
    assert "Your choices are saved." in page
    assert f"http://testserver/members/feed/{member.feed_key}/" in page, "the private feed's full address"
    granted = ConsentRecord.objects.filter(member=member, channel="rss").get()
    assert granted.source == "Preference centre" and granted.wording == wording_for(site, "rss")


def test_a_refused_change_keeps_what_was_typed_and_changes_nothing(client, member):
    sign_in(client, member)
    response = centre_post(client, channels=["email", "webhook"], webhook_url="", name="<i>Robin</i>")

    assert response.status_code == 400
    text = shown(response)
    assert "Nothing was changed." in text
    assert "Please give the URL updates should be posted to." in text
    assert "<i>Robin</i>" not in response.content.decode()
    _, fields = read_form(response.content.decode(), "form.members-form:has(input[value=save])")
    assert (fields["channels"], fields["name"]) == (["email", "webhook"], "<i>Robin</i>")
    member.refresh_from_db()
    assert member.name == "Robin"
    assert list(member.subscriptions.values_list("channel", flat=True)) == ["email"]


def test_a_new_mobile_number_is_confirmed_by_code_before_texts_start(client, member, sms_outbox, commits):
    sign_in(client, member)
    with commits():
        response = centre_post(client, channels=["email", "sms"], phone="07400 123456")

    assert response.status_code == 303 and response["Location"] == PHONE_CODE
    assert not member.subscriptions.filter(channel="sms").exists()
    page = shown(client.get(PHONE_CODE))
    assert "We've texted a code to +447400123456" in page
    assert "Text message starts once you enter the code" in shown(client.get(PREFERENCES))
    [text] = sms_outbox
    code = text.body[:6]

    wrong = client.post(PHONE_CODE, {"action": "verify", "code": "000000" if code != "000000" else "111111"})
    assert wrong.status_code == 400
    assert "That code is not right. 4 tries left." in shown(wrong)
    assert not member.subscriptions.filter(channel="sms").exists()

    right = client.post(PHONE_CODE, {"action": "verify", "code": f"{code[:3]} {code[3:]}"})
    assert right.status_code == 303 and right["Location"] == PREFERENCES
    assert member.subscriptions.filter(channel="sms").exists()
    assert "Your number is confirmed: text messages are on." in shown(client.get(PREFERENCES))
    assert client.get(PHONE_CODE)["Location"] == PREFERENCES, "no code waiting any more"


def test_an_expired_code_is_refused_and_a_new_one_can_be_sent(client, member, sms_outbox, commits):
    sign_in(client, member)
    with commits():
        centre_post(client, channels=["email", "sms"], phone="07400 123456")
    code = sms_outbox[0].body[:6]
    Member.objects.filter(pk=member.pk).update(phone_code_expires_at=timezone.now() - timezone.timedelta(minutes=1))

    expired = client.post(PHONE_CODE, {"action": "verify", "code": code})
    assert expired.status_code == 400
    assert "This code has expired. Ask for a new one." in shown(expired)

    with commits():
        resent = client.post(PHONE_CODE, {"action": "resend"})
    assert resent.status_code == 303
    assert len(sms_outbox) == 2
    assert "We've texted a new code to +447400123456" in shown(client.get(PHONE_CODE))
    with commits():
        client.post(PHONE_CODE, {"action": "verify", "code": sms_outbox[1].body[:6]})
    assert member.subscriptions.filter(channel="sms").exists()


def test_asking_for_too_many_codes_answers_429(client, member, sms_outbox, settings, commits):
    sign_in(client, member)
    with commits():
        centre_post(client, channels=["email", "sms"], phone="07400 123456")
    settings.MEMBERS_PHONE_CODES_PER_NUMBER = "1/h"
    with commits():
        assert client.post(PHONE_CODE, {"action": "resend"}).status_code == 303
    response = client.post(PHONE_CODE, {"action": "resend"})
    assert response.status_code == 429
    assert "We have sent several codes to this number already." in shown(response)


def test_a_member_unsubscribes_from_one_channel_then_from_everything(client, site):
    member = make_member(site, email="kim@example.com", channels={"email": "weekly", "rss": "immediate"})
    sign_in(client, member)
    page = get_html(client, PREFERENCES)
    soup = BeautifulSoup(page, "html.parser")
    rss_form = soup.find("button", string="Unsubscribe from RSS feed").find_parent("form")

    response = client.post(PREFERENCES, form_values(rss_form))

    assert response.status_code == 303
    assert list(member.subscriptions.values_list("channel", flat=True)) == ["email"]
    assert "You are unsubscribed from RSS feed." in shown(client.get(PREFERENCES))
    everything = BeautifulSoup(get_html(client, PREFERENCES), "html.parser").find(
        "button", string="Unsubscribe from everything"
    ).find_parent("form")

    client.post(PREFERENCES, form_values(everything))

    member.refresh_from_db()
    assert not member.subscriptions.exists() and member.unsubscribed_at is not None
    assert sorted(ConsentRecord.objects.filter(member=member, action="withdrawn").values_list("channel", flat=True)) == [
        "email", "rss",
    ]
    page = shown(client.get(PREFERENCES))
    assert "You are unsubscribed from everything" in page
    assert "You get nothing from us at the moment." in page


def test_unsubscribing_from_a_channel_that_does_not_exist_changes_nothing(client, member):
    sign_in(client, member)
    response = client.post(PREFERENCES, {"action": "unsubscribe", "channel": "pigeon"})
    assert response.status_code == 400
    assert "“pigeon” is not a channel here." in shown(response)
    assert member.subscriptions.count() == 1


def test_download_my_data_is_a_json_attachment_of_everything_kept(client, site, member, topic):
    member.topics.set([topic])
    sign_in(client, member)
    response = client.get(EXPORT)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"] == 'attachment; filename="my-data-testserver.json"'
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert (data["email"], data["name"], data["site"]) == ("robin@example.com", "Robin", "Copper Kettle")
    assert [c["channel"] for c in data["channels"]] == ["email"]
    assert data["topics"] == [{"slug": "baking", "name": "Baking tips"}]
    assert [(h["channel"], h["action"]) for h in data["consent_history"]] == [("email", "granted")]


def test_delete_me_asks_first_then_deletes_for_good(client, site, member, commits):
    sign_in(client, member)
    page = client.get(ERASE)
    assert page.status_code == 200 and "This deletes robin@example.com" in shown(page)
    check_accessibility(BeautifulSoup(page.content.decode(), "html.parser"))

    unticked = client.post(ERASE, {})
    assert unticked.status_code == 400
    assert "Please tick the box to confirm" in shown(unticked)
    assert Member.objects.filter(pk=member.pk).exists()

    done = client.post(ERASE, {"confirm": "yes"})

    assert done.status_code == 200
    assert "we will never email this address again" in shown(done)
    assert not Member.objects.filter(pk=member.pk).exists()
    assert ConsentRecord.objects.count() == 0
    assert Suppression.objects.filter(site=site, kind=Suppression.EMAIL, reason=SuppressionReason.ERASED).exists()
    assert client.get(PREFERENCES)["Location"] == f"{ACCESS}?session=ended", "the session is gone"
    with commits():
        again = post_from(client, SIGNUP, email="robin@example.com", channels=["email"])
    assert again.status_code == 303 and again["Location"] == DONE
    assert mail.outbox == [] and not Member.objects.exists(), "an erased address is never mailed again"


def test_signing_out_closes_the_preference_centre(client, member):
    sign_in(client, member)
    response = client.post(SIGN_OUT)
    assert response.status_code == 200
    assert "You are signed out" in shown(response)
    assert client.get(PREFERENCES)["Location"] == f"{ACCESS}?session=ended"
    assert client.get(SIGN_OUT).status_code == 405


# CSRF and caching --------------------------------------------------------------------------


def test_the_signup_and_access_forms_post_without_a_csrf_token(site, article, commits):
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(article.url)
    assert not page.cookies, "a page with the footer form sets no cookie, so it can be cached"
    with commits():
        assert post_from(browser, article.url, "form.members-footer__form", email="a@example.com").status_code == 303
        assert post_from(browser, SIGNUP, email="b@example.com", channels=["email"]).status_code == 303
        assert post_from(browser, ACCESS, email="b@example.com").status_code == 303


def test_the_preference_centre_enforces_csrf(site, member):
    browser = Client(enforce_csrf_checks=True)
    link = access_link_for(member)
    assert browser.post(link).status_code == 403, "a forged sign-in (login CSRF) is refused"
    assert press_button(browser, link).status_code == 303

    page = get_html(browser, PREFERENCES)
    token = csrf_token_in(page)
    assert browser.post(PREFERENCES, {"action": "unsubscribe", "channel": ""}).status_code == 403
    assert browser.post(ERASE, {"confirm": "yes"}).status_code == 403
    assert browser.post(SIGN_OUT).status_code == 403
    assert browser.post(PHONE_CODE, {"action": "resend"}).status_code == 403
    assert Member.objects.get(pk=member.pk).subscriptions.count() == 1

    response = browser.post(PREFERENCES, {"action": "unsubscribe", "channel": "", "csrfmiddlewaretoken": token})
    assert response.status_code == 303
    assert Member.objects.get(pk=member.pk).subscriptions.count() == 0


def test_a_page_with_the_footer_form_is_served_from_the_page_cache(site, article):
    visitor = Client()
    first = visitor.get(article.url)
    second = visitor.get(article.url)
    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
    assert "members-footer__form" in second.content.decode()


def test_a_refused_signup_is_never_cached(client, site):
    response = post_from(client, SIGNUP, email="nope")
    assert "no-store" in response["Cache-Control"]


# Themes, accessibility, the plugin switched off, query counts --------------------------------


@pytest.mark.parametrize("theme", ["hearth", "meadow"])
def test_the_members_pages_pass_accessibility_basics_in_both_themes(client, site, member, topic, signed_up, theme):
    branding = SiteBranding.for_site(site)
    branding.theme = theme
    branding.save()
    refused = post_from(client, SIGNUP, email="nope", channels=["email", "sms"])
    pages = {
        "signup": client.get(SIGNUP),
        "refused": refused,
        "done": client.get(DONE),
        "access": client.get(ACCESS),
        "confirm": client.get(confirmation_link_for(signed_up)),
        "bad link": client.get("/members/confirm/nonsense/"),
    }
    sign_in(client, member)
    pages["preferences"] = client.get(PREFERENCES)
    for name, response in pages.items():
        text = response.content.decode()
        assert f"theme-{theme}" in text, name
        try:
            check_accessibility(BeautifulSoup(text, "html.parser"))
        except AssertionError as error:
            raise AssertionError(f"{theme} theme, {name} page: {error}") from error


def test_the_members_pages_have_no_footer_form(client, site):
    assert "members-footer" not in client.get(SIGNUP).content.decode()


@pytest.mark.parametrize(
    "url", [SIGNUP, DONE, ACCESS, PREFERENCES, PHONE_CODE, EXPORT, ERASE, "/members/confirm/x/", "/members/access/x/"]
)
def test_every_page_answers_404_while_the_plugin_is_inactive(client, site, deactivate_plugin, url):
    deactivate_plugin(site, "members")
    assert client.get(url).status_code == 404
    assert client.post(url, {"email": "ada@example.com", "channels": "email"}).status_code == 404
    assert Member.objects.count() == 0


def test_signing_up_costs_a_bounded_number_of_queries(client, site, topic, other_topic, commits, settings):
    settings.HEARTHSIDE_PAGE_CACHE_SECONDS = 0  # count what rendering costs, not a cache hit
    client.get(SIGNUP)
    # Counted at once: the next request clears the connection's query log.
    with CaptureQueriesContext(connection) as page:
        client.get(SIGNUP)
    page_queries = len(page)
    action, fields = read_form(get_html(client, SIGNUP))
    with commits(), CaptureQueriesContext(connection) as posted:
        response = client.post(action, {**fields, "email": "ada@example.com", "channels": ["email"], "topics": ["baking"]})
        posted_queries = len(posted)
    assert response.status_code == 303
    assert page_queries <= 6
    assert posted_queries <= 15


def test_the_preference_centre_costs_the_same_queries_however_much_a_member_has(client, site, topic, other_topic):
    few = make_member(site, email="few@example.com", channels={"email": "weekly"})
    many = make_member(
        site, email="many@example.com", channels={"email": "weekly", "rss": "immediate", "webhook": "immediate"},
        topics=["baking", "offers"],
    )

    def cost(member):
        browser = Client()
        sign_in(browser, member)
        browser.get(PREFERENCES)
        with CaptureQueriesContext(connection) as queries:
            assert browser.get(PREFERENCES).status_code == 200
        return len(queries)

    assert cost(many) == cost(few) <= 10


def test_a_save_that_would_text_a_number_too_often_answers_429_with_retry_after(
    client, member, settings, sms_outbox, commits
):
    settings.MEMBERS_PHONE_CODES_PER_NUMBER = "1/h"
    sign_in(client, member)
    with commits():
        first = centre_post(client, channels=["email", "sms"], phone="07400 123456")
    assert first.status_code == 303 and len(sms_outbox) == 1
    with commits():
        centre_post(client, channels=["email", "sms"], phone="07400 123457")
    with commits():
        again = centre_post(client, channels=["email", "sms"], phone="07400 123456")
    assert again.status_code == 429
    assert int(again["Retry-After"]) > 0
    assert "several codes to this number" in page_text(again)
    assert [message.to for message in sms_outbox] == ["+447400123456", "+447400123457"]
