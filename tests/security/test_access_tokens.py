"""Members act only for themselves, and the tokens that let them expire and
are used once where they should be.

- A member's preferences token (API) and preference-centre session (web)
  read and change that member only, whatever id or address the request
  names; neither is accepted where the other is expected.
- Each link and code is tried just inside and just past its lifetime, with
  the signature's clock moved back (django.core.signing stamps
  ``time.time()``; the phone code's expiry is a stored time): confirmation
  links, magic links, preferences tokens, unsubscribe links, phone codes and
  comment confirmation links.
- Single use: a confirmation link, a magic link and a phone code work once;
  a comment's confirmation link confirms once and never undoes moderation;
  an unsubscribe link may be used again but only ever unsubscribes. An app's
  API token stops working once revoked.
"""

from __future__ import annotations

import time

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_comments.models import CommentFlag
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from plugins.comments import posting
from plugins.comments.models import CommentState, PageComment
from plugins.members import signup, tokens
from plugins.members.models import Member
from tests.factories import make_article, make_section
from tests.plugins.comments.factories import store_comment
from tests.plugins.members.test_views import PREFERENCES, centre_post, press_button, sign_in

from .conftest import preferences_token

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("generous_limits")]

API = "/api/v1/members/"
HOUR, DAY = 3600, 86400


@pytest.fixture
def generous_limits(settings):
    settings.MEMBERS_RATE_PER_IP = settings.MEMBERS_RATE_PER_EMAIL = "1000/d"
    settings.MEMBERS_PHONE_CODES_PER_NUMBER = "1000/d"
    rates = {key: "1000/min" for key in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


def member_client(member) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Member {preferences_token(member)}")
    return client


def snapshot(member) -> tuple:
    """What a member has: their row and their channels."""
    row = Member.objects.filter(pk=member.pk).values().first()
    channels = sorted(member.subscriptions.values_list("channel", "frequency")) if row else []
    return row, channels


def signed_ago(monkeypatch, seconds: float, make):
    """What ``make()`` signs, as if ``seconds`` ago (the signer reads time.time())."""
    now = time.time()
    with monkeypatch.context() as patched:
        patched.setattr(signing.time, "time", lambda: now - seconds)
        return make()


# --- a member acts only for themselves --------------------------------------------------------------


def test_a_members_token_reads_only_their_own_data_whatever_the_request_names(site_member, other_member):
    client = member_client(site_member)
    for query in ("", f"?member={other_member.pk}", f"?id={other_member.pk}", f"?email={other_member.email}"):
        preferences = client.get(API + "preferences/" + query).json()
        assert preferences["email"] == site_member.email, query
        export = client.get(API + "export/" + query).content.decode()
        assert site_member.email in export and other_member.email not in export, query


@pytest.mark.parametrize(
    "naming",
    [
        {"email": "kit@example.com"},
        {"id": "other"},
        {"member": "other"},
        {"member_id": "other"},
    ],
)
def test_a_members_token_cannot_change_another_member_by_naming_them(site_member, other_member, naming):
    naming = {key: other_member.pk if value == "other" else value for key, value in naming.items()}
    before = snapshot(site_member), snapshot(other_member)

    response = member_client(site_member).patch(
        API + "preferences/", {**naming, "channels": {}}, format="json"
    )

    assert response.status_code == 400, response.content
    assert (snapshot(site_member), snapshot(other_member)) == before


def test_a_members_unsubscribe_and_erase_reach_only_themselves(site_member, other_member):
    client = member_client(site_member)
    other_before = snapshot(other_member)

    client.post(API + f"unsubscribe/?member={other_member.pk}", {"channel": "email"}, format="json")
    assert snapshot(site_member)[1] == [] and snapshot(other_member) == other_before
    client.delete(API + f"preferences/?member={other_member.pk}")
    assert not Member.objects.filter(pk=site_member.pk).exists()
    assert snapshot(other_member) == other_before


def test_the_preference_centre_shows_and_changes_only_the_signed_in_member(client, site_member, other_member):
    sign_in(client, site_member)
    other_before = snapshot(other_member)

    page = client.get(PREFERENCES + f"?member={other_member.pk}").content.decode()
    assert site_member.email in page and other_member.email not in page
    centre_post(
        client,
        name="Robin Baker",
        email=other_member.email,
        member=str(other_member.pk),
        member_id=str(other_member.pk),
    )
    assert Member.objects.get(pk=site_member.pk).name == "Robin Baker"
    assert snapshot(other_member) == other_before
    export = client.get(reverse("members:export") + f"?member={other_member.pk}").content.decode()
    assert site_member.email in export and other_member.email not in export


def test_a_session_and_a_token_each_work_only_where_they_belong(client, site_member):
    sign_in(client, site_member)
    assert client.get(API + "preferences/").status_code == 401  # the centre's cookie is no API credential
    with_token = Client(HTTP_AUTHORIZATION=f"Member {preferences_token(site_member)}")
    response = with_token.get(PREFERENCES)  # and the API's token opens no centre
    assert response.status_code == 303 and response["Location"].startswith(reverse("members:access"))


def test_another_members_magic_link_opens_their_centre_only_for_its_holder(client, site_member, other_member):
    """Whoever holds B's link is B; A's session does not carry over to it, nor B's to A."""
    sign_in(client, site_member)
    sign_in(client, other_member)
    page = client.get(PREFERENCES).content.decode()
    assert other_member.email in page and site_member.email not in page


def test_a_members_token_acts_on_its_own_site_only(site, site_member):
    from wagtail.models import Page, Site

    from hearthside.models import HomePage

    home = Page.get_first_root_node().add_child(
        instance=HomePage(title="Other", slug="other", hero_title="Hi")
    )
    Site.objects.create(hostname="other.example", port=80, root_page=home, site_name="Other bakery")
    client = member_client(site_member)
    before = snapshot(site_member)

    assert client.get(API + "preferences/", HTTP_HOST="other.example").status_code == 401
    assert client.post(API + "unsubscribe/", {}, format="json", HTTP_HOST="other.example").status_code == 401
    assert snapshot(site_member) == before


# --- expiry ------------------------------------------------------------------------------------------


def pending_member(site):
    return signup.signup(site, email="new@example.com", channels={"email": "immediate"})


def test_a_confirmation_link_works_within_its_days_and_not_after(client, site, settings, monkeypatch):
    member = pending_member(site)
    days = settings.MEMBERS_CONFIRMATION_DAYS
    link = lambda: reverse(
        "members:confirm", args=[tokens.make(tokens.CONFIRM, member, member.confirmation_nonce)]
    )  # noqa: E731

    old = signed_ago(monkeypatch, days * DAY + 60, link)
    assert client.post(old).status_code == 410
    assert Member.objects.get(pk=member.pk).confirmed_at is None
    api_old = signed_ago(
        monkeypatch, days * DAY + 60, lambda: tokens.make(tokens.CONFIRM, member, member.confirmation_nonce)
    )
    assert APIClient().post(API + "confirm/", {"token": api_old}, format="json").status_code == 400
    assert Member.objects.get(pk=member.pk).confirmed_at is None

    nearly = signed_ago(monkeypatch, days * DAY - 60, link)
    assert press_button(client, nearly).status_code == 303
    assert Member.objects.get(pk=member.pk).confirmed_at is not None


def test_a_magic_link_works_within_its_hours_and_not_after(site, site_member, settings, monkeypatch):
    hours = settings.MEMBERS_ACCESS_LINK_HOURS
    signup.request_access(site, site_member.email)
    site_member.refresh_from_db()
    make = lambda: tokens.make(tokens.ACCESS, site_member, site_member.access_nonce)  # noqa: E731

    old = signed_ago(monkeypatch, hours * HOUR + 60, make)
    web = Client()
    assert web.post(reverse("members:access_link", args=[old])).status_code == 410
    assert web.get(PREFERENCES).status_code == 303  # no session was started
    assert APIClient().post(API + "access/open/", {"token": old}, format="json").status_code == 400

    nearly = signed_ago(monkeypatch, hours * HOUR - 60, make)
    opened = APIClient().post(API + "access/open/", {"token": nearly}, format="json")
    assert opened.status_code == 200 and opened.json()["preferences_token"]


def test_a_preferences_token_works_within_its_days_and_not_after(site_member, settings, monkeypatch):
    days = settings.MEMBERS_PREFERENCES_TOKEN_DAYS
    make = lambda: tokens.make(tokens.PREFERENCES, site_member)  # noqa: E731
    before = snapshot(site_member)

    old = signed_ago(monkeypatch, days * DAY + 60, make)
    client = APIClient(HTTP_AUTHORIZATION=f"Member {old}")
    assert client.get(API + "preferences/").status_code == 401
    assert client.post(API + "unsubscribe/", {}, format="json").status_code == 401
    assert snapshot(site_member) == before

    nearly = signed_ago(monkeypatch, days * DAY - 60, make)
    assert APIClient(HTTP_AUTHORIZATION=f"Member {nearly}").get(API + "preferences/").status_code == 200


def test_an_unsubscribe_link_works_for_its_days_and_not_after(client, site_member, monkeypatch):
    make = lambda: tokens.make_unsubscribe(site_member.pk, "email")  # noqa: E731
    url = lambda token: reverse("members:one_click_unsubscribe", args=[token])  # noqa: E731

    old = signed_ago(monkeypatch, tokens.UNSUBSCRIBE_DAYS * DAY + 60, make)
    assert client.post(url(old)).status_code == 410
    assert snapshot(site_member)[1] == [("email", "immediate")]

    nearly = signed_ago(monkeypatch, tokens.UNSUBSCRIBE_DAYS * DAY - 60, make)
    assert client.post(url(nearly)).status_code == 200
    assert snapshot(site_member)[1] == []


@pytest.fixture
def awaiting_code(site_member):
    """Robin asked for texts on a new number; returns the code texted to it."""
    from plugins.members import preferences

    preferences.update_preferences(
        site_member, channels={"email": "immediate", "sms": "immediate"}, phone="+447400123457"
    )
    return signup.issue_phone_code(Member.objects.get(pk=site_member.pk))


def test_a_phone_code_expires(site_member, awaiting_code):
    Member.objects.filter(pk=site_member.pk).update(
        phone_code_expires_at=timezone.now() - timezone.timedelta(seconds=1)
    )
    response = member_client(site_member).post(
        API + "preferences/phone/", {"code": awaiting_code}, format="json"
    )
    assert response.status_code == 400 and "expired" in response.json()["detail"]
    assert Member.objects.get(pk=site_member.pk).phone_confirmed_at is None


def test_a_comments_confirmation_link_expires(client, site, settings, monkeypatch):
    article = make_article(make_section(site.root_page))
    comment = store_comment(article, state=CommentState.UNCONFIRMED)
    days = settings.COMMENTS_CONFIRMATION_DAYS

    old = signed_ago(monkeypatch, days * DAY + 60, lambda: posting.confirmation_key(comment))
    assert client.get(reverse("comments:confirm", args=[old])).status_code == 400
    assert PageComment.objects.get(pk=comment.pk).state == CommentState.UNCONFIRMED

    nearly = signed_ago(monkeypatch, days * DAY - 60, lambda: posting.confirmation_key(comment))
    client.get(reverse("comments:confirm", args=[nearly]))
    assert PageComment.objects.get(pk=comment.pk).state != CommentState.UNCONFIRMED


# --- single use, and revocation --------------------------------------------------------------------


def test_a_confirmation_link_works_once(client, site):
    member = pending_member(site)
    token = tokens.make(tokens.CONFIRM, member, member.confirmation_nonce)

    assert press_button(client, reverse("members:confirm", args=[token])).status_code == 303
    confirmed = snapshot(member)
    assert Client().post(reverse("members:confirm", args=[token])).status_code == 410
    assert APIClient().post(API + "confirm/", {"token": token}, format="json").status_code == 409
    assert snapshot(member) == confirmed


def test_a_magic_link_works_once(site, site_member):
    signup.request_access(site, site_member.email)
    site_member.refresh_from_db()
    token = tokens.make(tokens.ACCESS, site_member, site_member.access_nonce)

    assert APIClient().post(API + "access/open/", {"token": token}, format="json").status_code == 200
    again = APIClient().post(API + "access/open/", {"token": token}, format="json")
    assert again.status_code == 409 and "preferences_token" not in again.json()
    replayed = Client()
    assert replayed.post(reverse("members:access_link", args=[token])).status_code == 410
    assert replayed.get(PREFERENCES).status_code == 303


def test_a_phone_code_works_once(site_member, awaiting_code):
    client = member_client(site_member)
    assert client.post(API + "preferences/phone/", {"code": awaiting_code}, format="json").status_code == 200
    confirmed = snapshot(site_member)
    assert confirmed[1] == [("email", "immediate"), ("sms", "immediate")]

    # Unsubscribed from texts, the same code does not take them back.
    client.post(API + "unsubscribe/", {"channel": "sms"}, format="json")
    replay = client.post(API + "preferences/phone/", {"code": awaiting_code}, format="json")
    assert replay.status_code == 400
    assert snapshot(site_member)[1] == [("email", "immediate")]


def test_a_comments_confirmation_link_never_undoes_moderation(client, site, moderator):
    article = make_article(make_section(site.root_page))
    comment = store_comment(article, state=CommentState.UNCONFIRMED)
    link = reverse("comments:confirm", args=[posting.confirmation_key(comment)])
    client.get(link)
    assert PageComment.objects.get(pk=comment.pk).state != CommentState.UNCONFIRMED

    posting.moderate(PageComment.objects.filter(pk=comment.pk), CommentState.REMOVED, moderator)
    client.get(link)
    assert PageComment.objects.get(pk=comment.pk).state == CommentState.REMOVED


def test_an_unsubscribe_link_used_again_only_unsubscribes(client, site_member):
    url = reverse("members:one_click_unsubscribe", args=[tokens.make_unsubscribe(site_member.pk, "email")])
    assert client.post(url).status_code == 200
    site_member.subscriptions.create(channel="email", frequency="weekly")  # they came back by themselves

    again = client.post(url)
    assert again.status_code == 200
    assert snapshot(site_member)[1] == []


def test_an_erased_members_tokens_and_links_all_stop_working(client, site, site_member):
    from plugins.members import preferences

    api_token = preferences_token(site_member)
    signup.request_access(site, site_member.email)
    site_member.refresh_from_db()
    access = tokens.make(tokens.ACCESS, site_member, site_member.access_nonce)
    preferences.erase(site_member)

    assert APIClient(HTTP_AUTHORIZATION=f"Member {api_token}").get(API + "preferences/").status_code == 401
    assert client.post(reverse("members:access_link", args=[access])).status_code == 410


def test_a_revoked_api_token_is_refused(site, admin_user):
    article = make_article(make_section(site.root_page))
    comment = store_comment(article)
    token = Token.objects.create(user=admin_user)
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")
    like = reverse("api-v1:api-comments:like", args=[comment.pk])
    assert client.post(like).json()["liked"] is True

    token.delete()
    assert client.post(like).status_code == 401
    assert CommentFlag.objects.filter(comment=comment, user=admin_user).exists()  # not taken back
