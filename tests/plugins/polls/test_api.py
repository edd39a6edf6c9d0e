"""The polls API at /api/v1/polls/: reading a poll with the results the
caller may see, voting (201), each bad input (400, a clear message, a code,
nothing stored), a second vote (409), throttling (429), CSRF for cookie
sessions, who votes, the schema, and a 404 while the plugin is inactive."""
from __future__ import annotations

import json

import pytest
from django.conf import settings as django_settings
from django.test import Client
from rest_framework.authtoken.models import Token
from wagtail.models import Site

from plugins.polls import voting
from plugins.polls.models import ResultsShown, Vote
from tests.factories import UserFactory

from .factories import choice_ids, make_poll

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("generous_vote_limits")]


def detail_url(poll):
    return f"/api/v1/polls/{poll.pk}/"


def vote_url(poll):
    return f"/api/v1/polls/{poll.pk}/vote/"


def send_vote(client, poll, body, **extra):
    return client.post(vote_url(poll), json.dumps(body), content_type="application/json", **extra)


# --- reading and voting --------------------------------------------------------------------------


def test_a_poll_reads_without_results_until_the_caller_voted(client, site, poll):
    response = client.get(detail_url(poll))
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    data = response.json()
    assert (data["id"], data["question"], data["multiple"]) == (poll.pk, poll.question, False)
    assert data["is_open"] is True
    assert [c["label"] for c in data["choices"]] == ["Sourdough", "Rye", "Seeded"]
    assert (data["voted"], data["your_choices"], data["results"]) == (False, [], None)
    assert data["vote_url"] == f"http://testserver{vote_url(poll)}"


def test_a_vote_answers_201_with_the_results_and_keeps_the_browser_in_a_cookie(client, site, poll):
    rye = choice_ids(poll)[1]
    response = send_vote(client, poll, {"choices": [rye]})

    assert response.status_code == 201
    body = response.json()
    assert body["detail"] == "Thank you for voting!"
    assert (body["poll"]["voted"], body["poll"]["your_choices"]) == (True, [rye])
    assert body["poll"]["results"] == {
        "total": 1,
        "choices": [
            {"id": pk, "label": label, "votes": int(pk == rye), "percent": 100 if pk == rye else 0}
            for pk, label in zip(choice_ids(poll), ["Sourdough", "Rye", "Seeded"])
        ],
    }
    cookie = response.cookies[voting.VOTER_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    vote = Vote.objects.get()
    assert vote.voter.startswith("browser:") and vote.ip_address == "127.0.0.1"

    again = client.get(detail_url(poll)).json()
    assert (again["voted"], again["results"]["total"]) == (True, 1)


def test_a_poll_of_several_answers_takes_them_with_words(client, site, multi_poll):
    sofas, _, books, _ = choice_ids(multi_poll)
    response = send_vote(client, multi_poll, {"choices": [books, sofas], "text": "A piano?"})
    assert response.status_code == 201
    assert response.json()["poll"]["your_choices"] == sorted([books, sofas])
    assert Vote.objects.get().text == "A piano?"


def test_a_poll_showing_results_after_closing_says_so_and_shows_none(client, site):
    poll = make_poll(site, results_shown=ResultsShown.AFTER_CLOSING)
    body = send_vote(client, poll, {"choices": [choice_ids(poll)[0]]}).json()
    assert body["detail"] == "Thank you for voting! The results are shown when the poll closes."
    assert (body["poll"]["voted"], body["poll"]["results"]) == (True, None)


def test_everyone_reads_the_results_of_a_closed_poll(client, site, closed_poll):
    data = client.get(detail_url(closed_poll)).json()
    assert (data["is_open"], data["has_closed"], data["voted"]) == (False, True, False)
    assert data["results"]["total"] == 0


# --- bad input: 400, a clear message and a code, nothing stored -----------------------------------


@pytest.mark.parametrize(
    "body, code, field, message",
    [
        ({}, "no_choice", "choices", "Choose an answer before you vote."),
        ({"choices": []}, "no_choice", "choices", "Choose an answer before you vote."),
        ({"choices": "both"}, "one_choice_only", "choices", "Choose just one answer: this poll takes one."),
        ({"choices": [999999]}, "unknown_choice", "choices", "That answer isn't one of this poll's choices"),
        ({"choices": ["abc"]}, "unknown_choice", "choices", "That answer isn't one of this poll's choices"),
        ({"choices": [{"id": 1}]}, "unknown_choice", "choices", "That answer isn't one of this poll's choices"),
        ({"choices": "first", "text": "Nice"}, "text_not_taken", "text", "This poll doesn't ask for words"),
        ({"choices": "first", "colour": "red"}, "bad_request", "colour", "“colour” is not a field here"),
        (["not", "an", "object"], "bad_request", None, "Send a JSON object"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(client, site, poll, body, code, field, message):
    ids = choice_ids(poll)
    if isinstance(body, dict) and isinstance(body.get("choices"), str):
        body = {**body, "choices": {"both": ids[:2], "first": ids[:1]}[body["choices"]]}
    response = send_vote(client, poll, body)
    assert response.status_code == 400
    data = response.json()
    assert (data["code"], data["field"]) == (code, field)
    assert data["detail"].startswith(message)
    assert not Vote.objects.exists()
    assert voting.VOTER_COOKIE not in response.cookies


def test_too_many_words_are_refused(client, site, multi_poll):
    response = send_vote(client, multi_poll, {"choices": [choice_ids(multi_poll)[0]], "text": "x" * 501})
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Keep your words to 500 characters or fewer; yours have 501.",
        "code": "text_too_long",
        "field": "text",
    }
    assert not Vote.objects.exists()


def test_a_body_that_is_not_json_is_refused(client, site, poll):
    response = client.post(vote_url(poll), {"choices": choice_ids(poll)[0]})
    assert response.status_code == 415
    assert response.json()["code"] == "bad_request"
    broken = client.post(vote_url(poll), "{not json", content_type="application/json")
    assert broken.status_code == 400 and broken.json()["code"] == "bad_request"
    assert not Vote.objects.exists()


def test_a_closed_poll_and_one_not_open_yet_refuse_votes(client, site, closed_poll, future_poll):
    closed = send_vote(client, closed_poll, {"choices": [choice_ids(closed_poll)[0]]})
    assert (closed.status_code, closed.json()["code"]) == (400, "closed")
    early = send_vote(client, future_poll, {"choices": [choice_ids(future_poll)[0]]})
    assert (early.status_code, early.json()["code"]) == (400, "not_open")
    assert early.json()["detail"].startswith("This poll isn't open yet: it opens on ")
    assert not Vote.objects.exists()


def test_a_second_vote_is_409_and_changes_nothing(client, site, poll):
    first, second = choice_ids(poll)[:2]
    assert send_vote(client, poll, {"choices": [first]}).status_code == 201
    response = send_vote(client, poll, {"choices": [second]})
    assert response.status_code == 409
    assert response.json() == {
        "detail": "You have already voted in this poll.", "code": "already_voted", "field": None,
    }
    assert list(Vote.objects.values_list("choices", flat=True)) == [first]


def test_polls_of_another_site_and_unknown_polls_are_not_found(client, site, root_page):
    other_site = Site.objects.create(hostname="florist.example", root_page=root_page)
    elsewhere = make_poll(other_site)
    assert client.get(detail_url(elsewhere)).status_code == 404
    refused = send_vote(client, elsewhere, {"choices": [choice_ids(elsewhere)[0]]})
    assert refused.status_code == 404
    assert refused.json() == {
        "detail": f"There is no poll {elsewhere.pk} on this site.", "code": None, "field": None,
    }
    assert client.get("/api/v1/polls/999999/").status_code == 404
    assert not Vote.objects.exists()


def test_while_the_plugin_is_inactive_the_endpoints_are_not_found(client, site, poll, deactivate_plugin):
    deactivate_plugin(site, "polls")
    assert client.get(detail_url(poll)).status_code == 404
    assert send_vote(client, poll, {"choices": [choice_ids(poll)[0]]}).status_code == 404
    assert not Vote.objects.exists()


# --- throttling ------------------------------------------------------------------------------------


def test_votes_past_the_public_write_rate_answer_429_and_store_nothing(site, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "public_write": "2/min"},
    }
    polls = [make_poll(site, question=f"Question {n}?") for n in range(3)]
    browser = Client()
    assert [send_vote(browser, p, {"choices": [choice_ids(p)[0]]}).status_code for p in polls[:2]] == [201, 201]

    refused = send_vote(browser, polls[2], {"choices": [choice_ids(polls[2])[0]]})
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert refused.json()["detail"].startswith("Request was throttled.")
    assert Vote.objects.count() == 2
    assert browser.get(detail_url(polls[2])).status_code == 200, "reading is not counted"


# --- who votes, and CSRF ---------------------------------------------------------------------------


def test_a_signed_in_user_needs_the_csrf_token_and_votes_as_themselves(site, poll, admin_user):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin_user)
    refused = send_vote(browser, poll, {"choices": [choice_ids(poll)[0]]})
    assert refused.status_code == 403 and refused.json()["detail"].startswith("CSRF Failed")
    assert not Vote.objects.exists()

    browser.cookies["csrftoken"] = "a" * 32
    allowed = send_vote(browser, poll, {"choices": [choice_ids(poll)[0]]}, HTTP_X_CSRFTOKEN="a" * 32)
    assert allowed.status_code == 201
    assert Vote.objects.get().voter == f"user:{admin_user.pk}"


def test_a_cookie_session_without_a_user_needs_the_csrf_token_too(site, poll, as_member):
    """A member's preference-centre session acts for them: as a user's does."""
    browser = Client(enforce_csrf_checks=True)
    session = browser.session
    session["members.member_id"] = 42
    session.save()
    browser.cookies[django_settings.SESSION_COOKIE_NAME] = session.session_key
    with as_member(42):
        refused = send_vote(browser, poll, {"choices": [choice_ids(poll)[0]]})
        assert (refused.status_code, refused.json()["code"]) == (403, None)
        assert refused.json()["detail"].startswith("CSRF Failed")
        assert not Vote.objects.exists()

        browser.cookies["csrftoken"] = "b" * 32
        allowed = send_vote(browser, poll, {"choices": [choice_ids(poll)[0]]}, HTTP_X_CSRFTOKEN="b" * 32)
    assert allowed.status_code == 201
    assert (Vote.objects.get().voter, Vote.objects.get().member_id) == ("member:42", 42)


def test_an_anonymous_browser_needs_no_csrf_token(site, poll):
    assert send_vote(Client(enforce_csrf_checks=True), poll, {"choices": [choice_ids(poll)[0]]}).status_code == 201


def test_an_app_with_a_token_votes_as_its_user_without_csrf(site, poll):
    user = UserFactory(username="kiosk")
    key = Token.objects.create(user=user).key
    app = Client(enforce_csrf_checks=True)
    response = send_vote(app, poll, {"choices": [choice_ids(poll)[0]]}, HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 201
    assert Vote.objects.get().voter == f"user:{user.pk}"
    assert voting.VOTER_COOKIE not in response.cookies, "an app's user needs no browser key"
    again = send_vote(Client(), poll, {"choices": [choice_ids(poll)[1]]}, HTTP_AUTHORIZATION=f"Token {key}")
    assert again.status_code == 409


def test_a_member_named_by_poll_voter_votes_once_from_any_client(site, poll, as_member):
    with as_member(42):
        assert send_vote(Client(), poll, {"choices": [choice_ids(poll)[0]]}).status_code == 201
        assert send_vote(Client(), poll, {"choices": [choice_ids(poll)[1]]}).status_code == 409
        assert Client().get(detail_url(poll)).json()["your_choices"] == [choice_ids(poll)[0]]
    assert Vote.objects.get().member_id == 42


# --- the schema ------------------------------------------------------------------------------------------


def test_the_endpoints_are_in_the_openapi_schema(client, site):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    detail = schema["paths"]["/api/v1/polls/{poll_id}/"]["get"]
    vote = schema["paths"]["/api/v1/polls/{poll_id}/vote/"]["post"]
    assert (detail["operationId"], detail["tags"]) == ("polls_retrieve", ["polls"])
    assert (vote["operationId"], vote["tags"]) == ("polls_vote", ["polls"])
    assert {"201", "400", "403", "404", "409", "415", "429"} <= set(vote["responses"])
    assert vote["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/PollVote"}
    assert set(schema["components"]["schemas"]["PollDetail"]["properties"]) >= {"voted", "your_choices", "results"}
