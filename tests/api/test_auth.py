"""Token auth for apps; session auth with CSRF for browsers."""
import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

CSRF = "a" * 32


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
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin_user)

    refused = browser.post("/api/v1/site/")
    assert refused.status_code == 403
    assert refused.json()["detail"].startswith("CSRF Failed")

    browser.cookies["csrftoken"] = CSRF
    allowed = browser.post("/api/v1/site/", HTTP_X_CSRFTOKEN=CSRF)
    assert allowed.status_code == 405


def test_token_writes_need_no_csrf_token(site, token_user):
    app = Client(enforce_csrf_checks=True)
    response = app.post("/api/v1/site/", HTTP_AUTHORIZATION=f"Token {token_user[1]}")
    assert response.status_code == 405
