"""Token auth for apps (``Authorization: Bearer <key>`` or ``Token <key>``,
no CSRF token needed); session auth with CSRF for browsers, on the real write
endpoints (comments' like and flag, poll votes; the members API takes no
session at all); missing, invalid and revoked keys answered 401."""
import json

import pytest
from django.test import Client
from django_comments.models import CommentFlag
from rest_framework.authtoken.models import Token

from plugins.polls.models import Vote
from tests.factories import make_article, make_section
from tests.plugins.comments.factories import store_comment
from tests.plugins.members.factories import make_member
from tests.plugins.polls.factories import make_poll

pytestmark = pytest.mark.django_db

CSRF = "a" * 32


def signed_in_browser(user) -> Client:
    """A browser signed in as ``user`` whose unsafe requests must carry the CSRF token."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    return browser


def assert_refused_as_csrf(response) -> None:
    assert response.status_code == 403
    assert response.json()["detail"].startswith("CSRF Failed")


def test_token_authenticates(client, site, token_user):
    _user, key = token_user
    response = client.get("/api/v1/site/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200


def test_a_bad_token_is_401_json(client, site):
    response = client.get("/api/v2/pages/", HTTP_AUTHORIZATION="Token not-a-real-token")
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}
    assert response["WWW-Authenticate"] == "Token"


def test_session_writes_need_the_csrf_token(site, admin_user):
    """No core endpoint accepts writes yet, but DRF authenticates (and checks
    CSRF) before it looks for the method: a session POST without the token is
    refused as a CSRF failure, and with it reaches the 405 of a read-only view."""
    browser = signed_in_browser(admin_user)

    assert_refused_as_csrf(browser.post("/api/v1/site/"))

    browser.cookies["csrftoken"] = CSRF
    allowed = browser.post("/api/v1/site/", HTTP_X_CSRFTOKEN=CSRF)
    assert allowed.status_code == 405


def test_token_writes_need_no_csrf_token(site, token_user):
    app = Client(enforce_csrf_checks=True)
    response = app.post("/api/v1/site/", HTTP_AUTHORIZATION=f"Token {token_user[1]}")
    assert response.status_code == 405


# --- Bearer or Token, CSRF, and credentials that fail -------------------------------


@pytest.fixture
def admin_key(admin_user):
    return Token.objects.create(user=admin_user).key


@pytest.fixture
def comment(root_page):
    article = make_article(make_section(root_page), title="Our sourdough")
    return store_comment(article, site=root_page.get_site())


@pytest.fixture
def poll(site):
    return make_poll(site)


def like(client, comment, **extra):
    return client.post(f"/api/v1/comments/{comment.pk}/like/", **extra)


def flag(client, comment, **extra):
    return client.post(f"/api/v1/comments/{comment.pk}/flag/", **extra)


def vote(client, poll, **extra):
    body = json.dumps({"choices": [poll.choices.first().pk]})
    return client.post(f"/api/v1/polls/{poll.pk}/vote/", body, content_type="application/json", **extra)


@pytest.mark.parametrize("keyword", ["Bearer", "Token", "bearer"])
def test_bearer_and_token_keys_act_for_their_user_without_csrf(site, comment, poll, admin_key, keyword):
    app = Client(enforce_csrf_checks=True)
    header = {"HTTP_AUTHORIZATION": f"{keyword} {admin_key}"}

    liked = like(app, comment, **header)
    assert liked.status_code == 200
    assert liked.json() == {"liked": True, "likes": 1}

    voted = vote(app, poll, **header)
    assert voted.status_code == 201
    assert Vote.objects.get(poll=poll).voter == f"user:{Token.objects.get(key=admin_key).user_id}"


@pytest.mark.parametrize("write", [like, flag])
def test_session_reactions_without_the_csrf_token_are_refused(site, comment, admin_user, write):
    browser = signed_in_browser(admin_user)

    assert_refused_as_csrf(write(browser, comment))
    assert not CommentFlag.objects.filter(comment=comment).exists()

    browser.cookies["csrftoken"] = CSRF
    assert write(browser, comment, HTTP_X_CSRFTOKEN=CSRF).status_code == 200


def test_a_session_vote_without_the_csrf_token_is_refused(site, poll, admin_user):
    browser = signed_in_browser(admin_user)

    assert_refused_as_csrf(vote(browser, poll))
    assert not Vote.objects.filter(poll=poll).exists()

    browser.cookies["csrftoken"] = CSRF
    assert vote(browser, poll, HTTP_X_CSRFTOKEN=CSRF).status_code == 201


def test_a_session_cannot_change_a_members_preferences_at_all(site, admin_user):
    """The members API takes the member token only: a signed-in browser's
    cookie acts for nobody there, CSRF token or not."""
    robin = make_member(site, email="robin@example.com", name="Robin", channels={"email": "immediate"})
    browser = signed_in_browser(admin_user)
    browser.cookies["csrftoken"] = CSRF

    for extra in ({}, {"HTTP_X_CSRFTOKEN": CSRF}):
        response = browser.patch(
            "/api/v1/members/preferences/", json.dumps({"name": "Changed"}), content_type="application/json", **extra
        )
        assert response.status_code == 401
    robin.refresh_from_db()
    assert robin.name == "Robin"


def _revoked_key(admin_key):
    Token.objects.filter(key=admin_key).delete()
    return admin_key


CREDENTIALS_THAT_FAIL = {
    "missing": lambda key: {},
    "invalid": lambda key: {"HTTP_AUTHORIZATION": "Bearer not-a-real-key"},
    "revoked": lambda key: {"HTTP_AUTHORIZATION": f"Bearer {_revoked_key(key)}"},
    "revoked, Token keyword": lambda key: {"HTTP_AUTHORIZATION": f"Token {_revoked_key(key)}"},
}


@pytest.mark.parametrize("credentials", CREDENTIALS_THAT_FAIL.values(), ids=CREDENTIALS_THAT_FAIL)
def test_endpoints_needing_a_user_answer_401_to_failed_credentials(site, comment, admin_key, credentials):
    headers = credentials(admin_key)
    app = Client(enforce_csrf_checks=True)

    refused_like = like(app, comment, **headers)
    refused_insights = app.get("/api/v1/insights/", **headers)

    for refused in (refused_like, refused_insights):
        assert refused.status_code == 401
        assert refused["WWW-Authenticate"] == "Token"
    assert not CommentFlag.objects.filter(comment=comment).exists()


def test_a_good_key_reaches_the_insights_its_user_may_see(site, admin_key):
    response = Client().get("/api/v1/insights/", HTTP_AUTHORIZATION=f"Bearer {admin_key}")
    assert response.status_code == 200
    assert response.json()["site"] == site.pk


def test_a_bad_bearer_key_is_401_even_on_public_endpoints(client, site):
    for path in ("/api/v2/pages/", "/api/v1/site/"):
        response = client.get(path, HTTP_AUTHORIZATION="Bearer not-a-real-key")
        assert response.status_code == 401
        assert response.json() == {"detail": "Invalid token."}
