"""Who votes in a poll: the members plugin's answer to polls' ``poll_voter``,
through the hook itself."""
from __future__ import annotations

import pytest
from django.contrib.sessions.middleware import SessionMiddleware
from django.test import RequestFactory
from rest_framework.request import Request
from wagtail.models import Page, Site

from plugins.members import tokens
from plugins.members.views import start_session
from plugins.polls.hooks import poll_channels, poll_voter

from .factories import make_member

pytestmark = pytest.mark.django_db

EARLIER = {"member_id": 999}


def voting_request(*, authorization: str | None = None, host: str = "testserver"):
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    request = RequestFactory().post("/polls/1/vote/", HTTP_HOST=host, **headers)
    SessionMiddleware(lambda request: None).process_request(request)
    return request


def signed_in(member, **options):
    request = voting_request(**options)
    start_session(request, member)
    return request


def with_token(member, **options):
    return voting_request(authorization=f"Member {tokens.make(tokens.PREFERENCES, member)}", **options)


@pytest.fixture
def other_site(site):
    home = Page.get_first_root_node().add_child(instance=Page(title="The Mill", slug="the-mill"))
    return Site.objects.create(hostname="mill.example", port=80, root_page=home, site_name="The Mill")


def test_a_member_signed_in_to_the_preference_centre_votes_as_themselves(site, member):
    assert poll_voter.apply(site, None, request=signed_in(member)) == {"member_id": member.pk}


def test_a_session_made_void_votes_as_nobody(site, member):
    request = signed_in(member)
    member.token_version += 1  # as erasing or "sign out everywhere" does
    member.save(update_fields=["token_version"])

    assert poll_voter.apply(site, None, request=request) is None


def test_a_session_on_another_site_votes_as_nobody_here(site, other_site):
    elsewhere = make_member(other_site, email="robin@example.com")

    assert poll_voter.apply(site, None, request=signed_in(elsewhere)) is None


def test_a_member_token_votes_as_its_member(site, member):
    assert poll_voter.apply(site, None, request=with_token(member)) == {"member_id": member.pk}


def test_a_member_token_in_an_api_request_votes_as_its_member(site, member):
    request = Request(with_token(member))

    assert poll_voter.apply(site, None, request=request) == {"member_id": member.pk}


def test_a_token_made_void_votes_as_nobody(site, member):
    request = with_token(member)
    member.token_version += 1
    member.save(update_fields=["token_version"])

    assert poll_voter.apply(site, None, request=request) is None


@pytest.mark.parametrize(
    "authorization",
    ["Member not-a-token", "Member", "Member one two", "Token 0123456789abcdef", "Basic cm9iaW46c2VjcmV0"],
)
def test_other_or_broken_credentials_leave_the_value_alone(site, member, authorization):
    assert poll_voter.apply(site, EARLIER, request=voting_request(authorization=authorization)) == EARLIER


def test_another_sites_token_votes_as_nobody_here(site, other_site):
    elsewhere = make_member(other_site, email="robin@example.com")

    assert poll_voter.apply(site, None, request=with_token(elsewhere)) is None
    assert poll_voter.apply(site, None, request=with_token(elsewhere, host="mill.example")) is None


def test_a_broken_token_falls_back_on_the_session(site, member):
    request = signed_in(member, authorization="Member not-a-token")

    assert poll_voter.apply(site, None, request=request) == {"member_id": member.pk}


def test_a_visitor_leaves_the_value_alone(site, member):
    assert poll_voter.apply(site, None, request=voting_request()) is None
    assert poll_voter.apply(site, EARLIER, request=voting_request()) == EARLIER


def test_nobody_is_asked_while_members_is_inactive(site, member, deactivate_plugin):
    deactivate_plugin(site, "members")

    assert poll_voter.apply(site, None, request=signed_in(member)) is None
    assert poll_voter.apply(site, None, request=with_token(member)) is None


def test_poll_answers_can_stand_for_the_member_channels(site, deactivate_plugin):
    found = [pair for _, pairs in poll_channels.send(site) for pair in pairs]
    assert found[:4] == [("email", "Email"), ("sms", "Text message"), ("rss", "RSS feed"), ("webhook", "Webhook")]
    deactivate_plugin(site, "members")
    assert poll_channels.send(site) == []
