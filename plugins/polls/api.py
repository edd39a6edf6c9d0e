"""The polls API, mounted at /api/v1/polls/ (404 while the plugin is inactive
on the request's site: the gate answers before these views run).

- ``GET  <poll_id>/``: the poll, whether the caller voted, and the results
  when the caller may see them (after voting, if the poll says so; after
  closing, always).
- ``POST <poll_id>/vote/``: ``{"choices": [choice ids], "text": "..."}``;
  201 with the poll as GET gives it. 400 for bad input, 409 for a second
  vote, each ``{"detail": message, "code": rule, "field": name or null}``;
  nothing is stored. Throttled per client IP (or user) at the public write
  rate.

Who votes is decided as on the website (:func:`plugins.polls.voting.voter_for`):
a member (``Authorization: Member <token>``, or their preference-centre
session), a user (``Authorization: Token <key>``, or their session), or the
browser, by the polls cookie this API sets with its first vote. Writes that
act through cookies need the CSRF token (``X-CSRFToken``), as DRF asks of
signed-in sessions; a member's session counts as one.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from django.conf import settings
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.authentication import CSRFCheck
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from wagtail.models import Site

from api.throttling import PublicWriteThrottle
from hearthside.ratelimit import client_ip

from . import voting
from .models import Poll
from .serializers import (
    PollDetailSerializer,
    PollErrorSerializer,
    PollVotedSerializer,
    PollVoteSerializer,
    poll_data,
)

TAG = "polls"
BAD_REQUEST = "bad_request"


class PollsAPIError(exceptions.APIException):
    """An error answered as ``{"detail": message, "code": code, "field": field}``."""

    def __init__(self, message: str, code: str | None = BAD_REQUEST, field: str | None = None, status_code=400):
        self.status_code = status_code
        # Set directly: APIException would turn None into the string "None".
        self.detail = {"detail": message, "code": code, "field": field}

    @classmethod
    def from_refusal(cls, refused: voting.VoteError) -> PollsAPIError:
        return cls(refused.message, refused.code, refused.field, status_code=refused.status)


class PollVoteThrottle(PublicWriteThrottle):
    cache_format = "throttle_%(scope)s_polls_votes_%(ident)s"


def _enforce_csrf_for_cookie_sessions(request) -> None:
    """DRF checks CSRF for users signed in by session; a member's
    preference-centre session acts for them too, so it is checked the same."""
    if request.user.is_authenticated or "HTTP_AUTHORIZATION" in request.META:
        return
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return
    check = CSRFCheck(lambda _request: None)
    check.process_request(request._request)
    reason = check.process_view(request._request, None, (), {})
    if reason:
        raise PollsAPIError(f"CSRF Failed: {reason}", code=None, status_code=status.HTTP_403_FORBIDDEN)


class PollsAPIView(APIView):
    permission_classes = [AllowAny]
    parser_classes = [JSONParser]

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        # One error shape for every answer, DRF's own (parse errors, throttling) included.
        if isinstance(response.data, dict) and "code" not in response.data:
            code = BAD_REQUEST if response.status_code in (400, 415) else None
            response.data = {"detail": response.data.get("detail", ""), "code": code, "field": None}
        return response

    def poll(self, request, poll_id: int) -> tuple[Site, Poll]:
        site = Site.find_for_request(request._request)
        polls = Poll.objects.filter(pk=poll_id, site=site).prefetch_related("choices")
        poll = polls.first() if site else None
        if poll is None:
            raise PollsAPIError(
                f"There is no poll {poll_id} on this site.", code=None, status_code=status.HTTP_404_NOT_FOUND
            )
        return site, poll


def detail_data(request, poll: Poll, voter: voting.Voter) -> dict:
    """The poll as the caller may see it (two queries beyond the poll's own)."""
    chosen = voting.existing_vote(poll, voter)
    results = voting.results(poll) if voting.may_see_results(poll, chosen is not None) else None
    data = poll_data(poll, request, choices=list(poll.choices.all()), results=results)
    return {**data, "voted": chosen is not None, "your_choices": sorted(chosen or ())}


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(PollErrorSerializer, description=description)


NOT_FOUND = _error("No such poll on this site, or the polls plugin is not active on it.")
THROTTLED = _error("Too many votes from this address or user; see Retry-After. Nothing was stored.")


class PollView(PollsAPIView):
    @extend_schema(
        operation_id="polls_retrieve",
        summary="A poll, and its results if the caller may see them",
        description=(
            "The question, its choices and when it opens and closes; whether the caller has voted and for "
            "what; and the results when the caller may see them: once they voted (if the poll shows results "
            "after voting) or once the poll has closed (always). Otherwise `results` is null."
        ),
        responses={200: PollDetailSerializer, 404: NOT_FOUND},
        tags=[TAG],
    )
    def get(self, request, poll_id: int):
        site, poll = self.poll(request, poll_id)
        data = detail_data(request, poll, voting.voter_for(request, site))
        response = Response(PollDetailSerializer(data).data)
        response["Cache-Control"] = "private, no-store"  # it says what this caller voted
        return response


class VoteView(PollsAPIView):
    throttle_classes = [*PollsAPIView.throttle_classes, PollVoteThrottle]

    @extend_schema(
        operation_id="polls_vote",
        summary="Vote",
        description=(
            "Casts the caller's vote: `choices` holds the chosen choice ids (exactly one unless the poll is "
            "`multiple`), `text` a few words if the poll has `allow_text`. One vote per member, user or "
            "browser: a browser without the polls cookie gets it with this answer. Answers the poll with the "
            "results the voter may now see."
        ),
        request=PollVoteSerializer,
        responses={
            201: PollVotedSerializer,
            400: _error(
                "Not a vote: no choice, several on a single-answer poll, a choice not of this poll, "
                "words the poll does not take or too many of them, or the poll is not open yet or has "
                "closed (`code` says which). Nothing was stored."
            ),
            403: _error("A cookie session without the CSRF token. Nothing was stored."),
            404: NOT_FOUND,
            409: _error("The caller has already voted in this poll. Nothing was changed."),
            415: _error("The body is not JSON."),
            429: THROTTLED,
        },
        tags=[TAG],
    )
    def post(self, request, poll_id: int):
        _enforce_csrf_for_cookie_sessions(request)
        site, poll = self.poll(request, poll_id)
        entries = self.parsed(request)
        voter = voting.voter_for(request, site)
        try:
            voting.cast_vote(
                poll,
                voter,
                entries.get("choices"),
                entries.get("text", ""),
                ip_address=client_ip(request) or None,
            )
        except voting.VoteError as refused:
            raise PollsAPIError.from_refusal(refused) from None
        # The vote is stored now, under a browser key that was new a moment ago.
        data = detail_data(request, poll, dataclasses.replace(voter, new_browser_key=None))
        if data["results"] is not None:
            detail = "Thank you for voting!"
        elif poll.closes_at:
            detail = (
                "Thank you for voting! The results are shown when the poll closes, "
                f"on {voting.when(poll.closes_at)}."
            )
        else:
            detail = "Thank you for voting! The results are shown when the poll closes."
        voted = PollVotedSerializer({"detail": detail, "poll": data}).data
        response = Response(voted, status=status.HTTP_201_CREATED)
        voting.remember_browser(response, voter, request)
        return response

    @staticmethod
    def parsed(request) -> dict:
        data = request.data
        if not isinstance(data, Mapping):
            raise PollsAPIError('Send a JSON object: {"choices": [choice ids], "text": "..."}.')
        form = PollVoteSerializer(data=data)
        unknown = [key for key in data if key not in form.fields]
        if unknown:
            name = str(unknown[0])[:40]
            message = f"“{name}” is not a field here; send choices and, if asked, text."
            raise PollsAPIError(message, field=name)
        if not form.is_valid():
            name, errors = next(iter(form.errors.items()))
            raise PollsAPIError(f"{name}: {errors[0]}", field=name)
        return form.validated_data


urlpatterns = [
    path("<int:poll_id>/", PollView.as_view(), name="poll"),
    path("<int:poll_id>/vote/", VoteView.as_view(), name="vote"),
]
