"""What the polls plugin gives a headless front end, and how it reads a vote.

:func:`poll_data` is one poll as the question block and the question page
give it in the pages API (/api/v2/pages/): the same for everyone, so the
results are there only once the poll has closed. The polls API
(:mod:`plugins.polls.api`) adds, for the voter asking, whether they voted
and the results whenever they may see them.

Request serializers check only the types; :mod:`plugins.polls.voting` decides
what a vote may be, with the same messages as the website's form. Component
names start with ``Poll`` so they cannot collide with another plugin's.
"""
from __future__ import annotations

from django.db.models import prefetch_related_objects
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from wagtail.api.utils import get_full_url

from .models import TEXT_MAX_LENGTH, ResultsShown


def _url(request, name: str, poll_id: int) -> str:
    path = reverse(name, args=[poll_id])
    return get_full_url(request, path) if request is not None else path


def poll_data(poll, request=None, *, choices=None, results=None) -> dict:
    """``poll`` for the API. ``choices``: its choices if already fetched;
    ``results``: a voting.Results to include (the caller decides who may see them)."""
    from . import voting

    if choices is None:
        choices = list(poll.choices.all())
    if results is None and poll.has_closed():
        results = voting.results(poll)
    return {
        "id": poll.pk,
        "question": poll.question,
        "description": poll.description,
        "multiple": poll.multiple,
        "allow_text": poll.allow_text,
        "text_label": poll.text_label if poll.allow_text else "",
        "text_max_length": TEXT_MAX_LENGTH,
        "choices": [{"id": choice.pk, "label": choice.label} for choice in choices],
        "opens_at": poll.opens_at,
        "closes_at": poll.closes_at,
        "is_open": poll.is_open(),
        "has_closed": poll.has_closed(),
        "results_shown": poll.results_shown,
        "vote_url": _url(request, "api-v1:api-polls:vote", poll.pk),
        "results_url": _url(request, "api-v1:api-polls:poll", poll.pk),
        "form_url": _url(request, "polls:vote", poll.pk),
        "results": results.as_dict() if results is not None else None,
    }


# --- answers ---------------------------------------------------------------------------


class PollErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What was wrong, in a sentence fit to show the voter.")
    code = serializers.CharField(
        allow_null=True,
        required=False,
        help_text=(
            "The rule that refused the vote: not_open, closed, already_voted, no_choice, one_choice_only, "
            "unknown_choice, text_not_taken, text_too_long, text_invalid; bad_request for a body that is not "
            "a vote; null for other errors (not found, throttled). Left out, with `field`, on the 404 for a "
            "path whose poll id is not a number (no polls endpoint is there)."
        ),
    )
    field = serializers.CharField(
        allow_null=True, required=False, help_text="`choices`, `text`, or null for the vote as a whole."
    )


class PollChoiceSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Send it in `choices` to vote for this answer.")
    label = serializers.CharField()


class PollChoiceResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField()
    votes = serializers.IntegerField(help_text="Voters who chose it.")
    percent = serializers.IntegerField(
        help_text=(
            "Of everyone who voted, rounded; on a poll with several answers the percentages add up past 100."
        )
    )


class PollResultsSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="How many people voted.")
    choices = PollChoiceResultSerializer(many=True, help_text="Every choice, in the poll's order.")


class PollSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    question = serializers.CharField()
    description = serializers.CharField(allow_blank=True, help_text="A sentence on why the poll asks.")
    multiple = serializers.BooleanField(help_text="Several answers may be chosen; otherwise exactly one.")
    allow_text = serializers.BooleanField(help_text="A few words may be sent with the vote, in `text`.")
    text_label = serializers.CharField(
        allow_blank=True, help_text="What to ask for the words (empty without)."
    )
    text_max_length = serializers.IntegerField()
    choices = PollChoiceSerializer(many=True)
    opens_at = serializers.DateTimeField(
        allow_null=True, help_text="No votes before; null: open from the start."
    )
    closes_at = serializers.DateTimeField(allow_null=True, help_text="No votes from then on; null: no end.")
    is_open = serializers.BooleanField(help_text="Votes are taken now.")
    has_closed = serializers.BooleanField(help_text="The poll has closed: its results are shown to everyone.")
    results_shown = serializers.ChoiceField(
        choices=ResultsShown.choices,
        help_text=(
            "after_voting: each voter sees the results once they voted; after_closing: nobody before closing."
        ),
    )
    vote_url = serializers.URLField(help_text="POST a vote here (the polls API).")
    results_url = serializers.URLField(
        help_text="GET the poll with the results the caller may see (the polls API)."
    )
    form_url = serializers.CharField(help_text="The website's form posts here (`choice`, `text`, `next`).")
    results = PollResultsSerializer(
        allow_null=True, help_text="The votes so far, when the caller may see them; null otherwise."
    )


class PollDetailSerializer(PollSerializer):
    voted = serializers.BooleanField(help_text="The caller (member, user or browser) has voted in this poll.")
    your_choices = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="The choice ids the caller voted for; empty if they have not.",
    )


class PollVotedSerializer(serializers.Serializer):
    detail = serializers.CharField(
        help_text="A thank-you fit to show the voter, saying when results come if not now."
    )
    poll = PollDetailSerializer()


# --- requests ----------------------------------------------------------------------------


@extend_schema_field({"type": "array", "items": {"type": "integer"}, "minItems": 1})
class ChoiceIdsField(serializers.JSONField):
    """Choice ids as sent; the service checks they are this poll's, and how many."""


class PollVoteSerializer(serializers.Serializer):
    choices = ChoiceIdsField(
        required=False, help_text="The ids of the chosen answers: exactly one unless the poll is `multiple`."
    )
    text = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text=f"A few words, only if the poll has `allow_text`; at most {TEXT_MAX_LENGTH} characters.",
    )


# --- the pages API -------------------------------------------------------------------------


@extend_schema_field(PollSerializer)
class PagePollField(serializers.Field):
    """A question page's poll in /api/v2/pages/: :func:`poll_data`, or null
    if it was deleted or belongs to another site."""

    def get_attribute(self, instance):
        return instance

    def to_representation(self, page):
        from wagtail.models import Site

        request = self.context.get("request")
        self._fetch_choices_for_listing()
        poll = page.poll
        site = Site.find_for_request(request) if request is not None else page.get_site()
        if poll is None or poll.site_id != getattr(site, "pk", None):
            return None
        return poll_data(poll, request)

    def _fetch_choices_for_listing(self):
        # In a listing, fetch every page's choices at the first page, in one
        # query, not once per page (the listing has fetched the polls by then).
        listing = getattr(self.parent, "parent", None)
        pages = getattr(listing, "instance", None)
        if not isinstance(pages, list) or getattr(listing, "_polls_choices_fetched", False):
            return
        listing._polls_choices_fetched = True
        polls = [page.poll for page in pages if getattr(page, "poll_id", None) and page.poll is not None]
        prefetch_related_objects(polls, "choices")
