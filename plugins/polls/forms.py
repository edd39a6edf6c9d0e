"""A poll as the website shows it: the voting form, or the results, or a
note saying when either comes. The question block, the question page and
the vote URL's own pages all draw it with ``polls/poll.html`` from a
:class:`PollPanel`.

A panel judges nothing: :mod:`plugins.polls.voting` decides. After a refused
vote the panel shows the refusal next to the form, with the visitor's
answers and words kept.

What a panel shows depends on who is looking (their vote, their results),
except once the poll has closed. Until then :func:`poll_panel` keeps the
page out of the anonymous page cache (see :func:`keep_out_of_page_cache`).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from . import voting
from .models import TEXT_MAX_LENGTH, Poll, ResultsShown

# Element ids must stay unique on a page that shows a poll twice.
_fallback_numbers = itertools.count(1)


@dataclass
class Entries:
    """What the visitor sent with a refused vote."""

    choices: set[str] = field(default_factory=set)
    text: str = ""


@dataclass
class PanelChoice:
    id: int
    label: str
    input_id: str
    checked: bool


@dataclass
class PollPanel:
    poll: Poll
    prefix: str
    action: str
    next_url: str
    results_url: str
    choices: list[PanelChoice]
    is_open: bool
    has_closed: bool
    voted: bool
    chosen: set[int]
    results: voting.Results | None
    entries: Entries
    error: voting.VoteError | None = None
    thank_you: str = ""

    @property
    def input_type(self) -> str:
        return "checkbox" if self.poll.multiple else "radio"

    @property
    def shows_form(self) -> bool:
        return self.is_open and not self.voted

    @property
    def text_max_length(self) -> int:
        return TEXT_MAX_LENGTH

    @property
    def choices_error(self) -> str:
        return self.error.message if self.error is not None and self.error.field == "choices" else ""

    @property
    def text_error(self) -> str:
        return self.error.message if self.error is not None and self.error.field == "text" else ""

    @property
    def general_error(self) -> str:
        return self.error.message if self.error is not None and self.error.field is None else ""

    @property
    def opens_on(self) -> str:
        not_yet = self.poll.opens_at and not self.is_open and not self.has_closed
        return voting.when(self.poll.opens_at) if not_yet else ""

    @property
    def closes_on(self) -> str:
        return voting.when(self.poll.closes_at) if self.poll.closes_at else ""

    @property
    def waits_for_closing(self) -> bool:
        """The visitor voted, and the results come only when the poll closes."""
        return self.voted and self.results is None and self.poll.results_shown == ResultsShown.AFTER_CLOSING


def keep_out_of_page_cache(request) -> None:
    """Mark the response as one person's: the CSRF cookie this sets is
    what keeps it out of hearthside.pagecache, which never stores a response
    that sets a cookie, so no visitor is shown another's vote or form."""
    get_token(request)


def _prefix(request, poll: Poll) -> str:
    if request is None:
        return f"poll-{poll.pk}-{next(_fallback_numbers)}"
    shown = getattr(request, "_polls_shown", None)
    if shown is None:
        shown = request._polls_shown = {}
    shown[poll.pk] = count = shown.get(poll.pk, 0) + 1
    return f"poll-{poll.pk}" if count == 1 else f"poll-{poll.pk}-{count}"


def safe_next(request, url: str | None) -> str:
    """``url`` if it leads back into this site, else ""."""
    hosts = {request.get_host()}
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts=hosts, require_https=request.is_secure()):
        return url
    return ""


def poll_panel(
    request,
    poll: Poll | None,
    *,
    site,
    next_url: str = "",
    entries: Entries | None = None,
    error: voting.VoteError | None = None,
    voter: voting.Voter | None = None,
    thank_you: str = "",
) -> PollPanel | None:
    """How ``poll`` shows to the request's visitor, or None if there is
    nothing to show (no poll, or one of another site)."""
    if poll is None or site is None or poll.site_id != site.pk:
        return None
    if voter is None:
        voter = voting.voter_for(request, site)
    chosen = voting.existing_vote(poll, voter)
    voted = chosen is not None
    has_closed = poll.has_closed()
    is_open = poll.is_open()
    results = voting.results(poll) if voting.may_see_results(poll, voted) else None
    entries = entries or Entries()
    prefix = _prefix(request, poll)
    if not has_closed and request is not None:
        keep_out_of_page_cache(request)
    choices = []
    if is_open and not voted:
        choices = [
            PanelChoice(
                id=choice.pk,
                label=choice.label,
                input_id=f"{prefix}-choice-{choice.pk}",
                checked=str(choice.pk) in entries.choices,
            )
            for choice in poll.choices.all()
        ]
    return PollPanel(
        poll=poll,
        prefix=prefix,
        action=reverse("polls:vote", args=[poll.pk]),
        next_url=next_url,
        results_url=reverse("polls:results", args=[poll.pk]),
        choices=choices,
        is_open=is_open,
        has_closed=has_closed,
        voted=voted,
        chosen=chosen or set(),
        results=results,
        entries=entries,
        error=error,
        thank_you=thank_you,
    )
