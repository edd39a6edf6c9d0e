"""The unsubscribe link in every update (RFC 8058 one-click), through its
real URL: a GET only asks; a POST, without cookies or a CSRF token, takes
the member off that one channel and tells syndication after the commit;
a second POST changes nothing; bad, expired and foreign links are refused
with nothing changed; it is rate-limited and never cached."""
from __future__ import annotations

import time

import pytest
from bs4 import BeautifulSoup
from django.core import signing
from django.test import Client
from wagtail.models import Page, Site

from hearthside.models import HomePage
from plugins.members import preferences, tokens
from plugins.members.models import ConsentAction, ConsentRecord, Member
from plugins.members.syndication import unsubscribe_link
from plugins.syndication import hooks
from tests.themes.test_accessibility import check_accessibility

from .factories import make_member

# A site as it looks in use: a section in the menu (the accessibility checks want a main nav).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("section")]

MOBILE = "+447700900123"
ONE_CLICK = {"List-Unsubscribe": "One-Click"}


@pytest.fixture(autouse=True)
def plugins_on(site, activate_plugin):
    activate_plugin(site, "members")
    activate_plugin(site, "syndication")


@pytest.fixture
def robin(site):
    return make_member(
        site, email="robin@example.com", name="Robin", phone=MOBILE, channels={"email": "daily", "sms": "immediate"}
    )


@pytest.fixture
def mail_provider():
    """How a mail provider's servers POST: no cookies, CSRF checked as for any client."""
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def heard():
    """What syndication heard through ``unsubscribed_via_update``."""
    calls = []

    def listen(site, **kwargs):
        calls.append({"site": site.pk, **kwargs})

    with hooks.unsubscribed_via_update.connected(listen):
        yield calls


def path_of(url: str) -> str:
    return url.removeprefix("http://testserver")


def link(site, member, channel="email", update_id=42) -> str:
    return path_of(unsubscribe_link(site, member.pk, channel, update_id))


def channels_of(member) -> list[str]:
    return sorted(member.subscriptions.values_list("channel", flat=True))


def page_text(response) -> str:
    return " ".join(BeautifulSoup(response.content.decode(), "html.parser").get_text(" ").split())


def test_opening_the_link_only_asks(site, robin, mail_provider, heard):
    url = link(site, robin)
    for _ in range(3):  # link scanners open it, maybe more than once
        response = mail_provider.get(url)
        assert response.status_code == 200
    text = page_text(response)
    assert "Unsubscribe from Email?" in text
    assert "Press the button to unsubscribe robin@example.com from Email." in text
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    form = soup.select_one("form.members-unsubscribe-form")
    assert form["method"] == "post" and form["action"] == url
    check_accessibility(soup)
    assert channels_of(robin) == ["email", "sms"]
    assert heard == []
    assert not response.cookies, "the page sets no cookie"
    assert "no-cache" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_a_one_click_post_without_cookies_or_csrf_unsubscribes_from_that_channel(
    site, robin, mail_provider, heard, django_capture_on_commit_callbacks
):
    url = link(site, robin, "email", update_id=42)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = mail_provider.post(url, ONE_CLICK, REMOTE_ADDR="198.51.100.9")
    assert response.status_code == 200
    assert "You are unsubscribed from Email" in page_text(response)
    assert not response.cookies
    assert channels_of(robin) == ["sms"], "texts still go"
    record = ConsentRecord.objects.get(member=robin, action=ConsentAction.WITHDRAWN)
    assert (record.channel, record.source) == ("email", "One-click unsubscribe link (update 42)")
    assert record.ip_address.startswith("sha256:"), "kept as MEMBERS_CONSENT_IP says"

    assert heard == [], "syndication hears only once the unsubscribe has committed"
    for callback in callbacks:
        callback()
    assert heard == [{"site": site.pk, "update_id": 42, "member_id": robin.pk, "channel": "email"}]


def test_pressing_the_pages_button_unsubscribes(site, robin, heard, django_capture_on_commit_callbacks):
    browser = Client(enforce_csrf_checks=True)
    url = link(site, robin, "sms", update_id=7)
    form = BeautifulSoup(browser.get(url).content.decode(), "html.parser").select_one("form.members-unsubscribe-form")
    fields = {field["name"]: field.get("value", "") for field in form.find_all("input") if field.get("name")}
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(form["action"], fields)
    assert response.status_code == 200
    assert "You are unsubscribed from Text message" in page_text(response)
    assert channels_of(robin) == ["email"]
    assert heard == [{"site": site.pk, "update_id": 7, "member_id": robin.pk, "channel": "sms"}]


def test_leaving_the_last_channel_leaves_everything(site, mail_provider):
    member = make_member(site, email="only@example.com", channels={"email": "immediate"})
    assert mail_provider.post(link(site, member), ONE_CLICK).status_code == 200
    member.refresh_from_db()
    assert member.unsubscribed_at is not None and channels_of(member) == []


def test_a_second_post_is_harmless_and_not_counted_again(
    site, robin, mail_provider, heard, django_capture_on_commit_callbacks
):
    url = link(site, robin)
    with django_capture_on_commit_callbacks(execute=True):
        first = mail_provider.post(url, ONE_CLICK)
        again = mail_provider.post(url, ONE_CLICK)
    assert first.status_code == again.status_code == 200
    assert ConsentRecord.objects.filter(member=robin, action=ConsentAction.WITHDRAWN).count() == 1
    assert len(heard) == 1
    # Opening it afterwards says so, and still changes nothing.
    response = mail_provider.get(url)
    assert response.status_code == 200
    assert "robin@example.com is not subscribed to Email" in page_text(response)
    assert channels_of(robin) == ["sms"]


def test_a_link_without_an_update_unsubscribes_without_telling_syndication(
    site, robin, mail_provider, heard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = mail_provider.post(link(site, robin, update_id=None), ONE_CLICK)
    assert response.status_code == 200 and channels_of(robin) == ["sms"]
    assert ConsentRecord.objects.get(member=robin, action=ConsentAction.WITHDRAWN).source == (
        "One-click unsubscribe link"
    )
    assert heard == []


def made_days_ago(monkeypatch, days: float, member_id: int) -> str:
    then = time.time() - days * 86400
    monkeypatch.setattr(signing.time, "time", lambda: then)
    token = tokens.make_unsubscribe(member_id, "email", 1)
    monkeypatch.undo()
    return token


def refused(response, status: int, message: str):
    assert response.status_code == status, response.content
    text = page_text(response)
    assert message in text and "Nothing was changed." in text
    assert "Email me a link to my preferences" in text


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_changed_link_is_refused_and_changes_nothing(site, robin, mail_provider, heard, method):
    url = link(site, robin)
    token = url.rstrip("/").rsplit("/", 1)[1]
    tampered = url.replace(token, token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb"))
    for bad in (tampered, "/members/unsubscribe/nonsense/"):
        refused(getattr(mail_provider, method)(bad, ONE_CLICK), 400, "This link is not valid")
    # Another purpose's token, with the same member in it.
    preferences_token = tokens.make(tokens.PREFERENCES, robin)
    refused(getattr(mail_provider, method)(f"/members/unsubscribe/{preferences_token}/"), 400, "not valid")
    assert channels_of(robin) == ["email", "sms"] and heard == []


def test_a_link_keeps_working_for_a_long_time_then_expires(site, robin, mail_provider, monkeypatch):
    old = made_days_ago(monkeypatch, tokens.UNSUBSCRIBE_DAYS - 1, robin.pk)
    expired = made_days_ago(monkeypatch, tokens.UNSUBSCRIBE_DAYS + 1, robin.pk)
    refused(mail_provider.post(f"/members/unsubscribe/{expired}/", ONE_CLICK), 410, "This unsubscribe link has expired")
    assert channels_of(robin) == ["email", "sms"]
    assert mail_provider.post(f"/members/unsubscribe/{old}/", ONE_CLICK).status_code == 200
    assert channels_of(robin) == ["sms"]


def test_raising_the_token_version_does_not_break_links_in_old_mail(site, robin, mail_provider):
    url = link(site, robin)
    Member.objects.filter(pk=robin.pk).update(token_version=robin.token_version + 1)
    assert mail_provider.post(url, ONE_CLICK).status_code == 200
    assert channels_of(robin) == ["sms"]


def test_a_deleted_members_link_says_so(site, robin, mail_provider):
    url = link(site, robin)
    preferences.erase(robin)
    refused(mail_provider.post(url, ONE_CLICK), 410, "no longer exists")


def test_another_sites_link_is_refused(site, robin, mail_provider):
    root = Page.get_first_root_node()
    home = root.add_child(instance=HomePage(title="Elsewhere", slug="elsewhere", hero_title="Hi"))
    elsewhere = Site.objects.create(hostname="elsewhere.example", port=80, root_page=home, site_name="Elsewhere")
    theirs = make_member(elsewhere, email="robin@example.com", channels={"email": "immediate"})
    refused(mail_provider.post(link(site, theirs), ONE_CLICK), 400, "another website's subscription")
    assert channels_of(theirs) == ["email"]


def test_other_methods_are_not_allowed(site, robin, mail_provider):
    assert mail_provider.put(link(site, robin)).status_code == 405
    assert channels_of(robin) == ["email", "sms"]


def test_presses_are_rate_limited_per_address(site, mail_provider, settings):
    rules = []
    for name, pattern, methods, rate in settings.HEARTHSIDE_RATE_LIMITS:
        if name == "unsubscribes":
            assert pattern == "^/members/unsubscribe/" and methods == ["POST"]
            rate = "2/m"
        rules.append((name, pattern, methods, rate))
    settings.HEARTHSIDE_RATE_LIMITS = rules
    members = [make_member(site, email=f"m{n}@example.com", channels={"email": "immediate"}) for n in range(3)]
    answers = [mail_provider.post(link(site, member), ONE_CLICK, REMOTE_ADDR="198.51.100.9") for member in members]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2]["Retry-After"]
    assert channels_of(members[2]) == ["email"], "refused before anything was done"
    # Another address is counted on its own; opening the link is not limited.
    assert mail_provider.get(link(site, members[2]), REMOTE_ADDR="198.51.100.9").status_code == 200
    assert mail_provider.post(link(site, members[2]), ONE_CLICK, REMOTE_ADDR="203.0.113.1").status_code == 200


def test_the_link_answers_404_with_members_switched_off(site, robin, mail_provider, deactivate_plugin):
    deactivate_plugin(site, "members")
    assert mail_provider.post(link(site, robin), ONE_CLICK).status_code == 404
    assert channels_of(robin) == ["email", "sms"]
