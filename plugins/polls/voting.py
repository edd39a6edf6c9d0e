"""Who is voting, casting a vote, and the results: the one service behind
the question block, the question page, the website's vote URL and the API,
so every rule and every message lives here once.

- **Who votes.** The ``poll_voter`` filter first (the members plugin answers
  for a member signed in to its preference centre or calling with their
  token): "member:<id>". Else a signed-in Django user: "user:<id>". Else this
  browser: "browser:<random key>", the key kept in a signed, HttpOnly,
  SameSite=Lax cookie that is set with the first vote and lasts a year.
  Clearing the cookie makes a new voter; the rate limits on the vote URLs
  (``HEARTHSIDE_RATE_LIMITS``, the API's ``PublicWriteThrottle``) bound that.
- **One vote each.** The unique constraint on (poll, voter) is the guard:
  two requests racing each other both pass the checks, and the database
  refuses the second insert. The checks before it are there to give the
  clear message without trying.
- **Results** are counted in the database, in one query.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import formats, timezone

from . import hooks
from .models import TEXT_MAX_LENGTH, Choice, Poll, ResultsShown, Vote

VOTER_COOKIE = "hearthside_poll_voter"
VOTER_COOKIE_SALT = "plugins.polls.voter"
VOTER_COOKIE_MAX_AGE = 365 * 24 * 60 * 60
ALREADY_VOTED = "You have already voted in this poll."


class VoteError(Exception):
    """A vote that was not stored, with a message fit to show the voter.

    ``code`` names the rule (for the API and tests), ``field`` the input it is
    about ("choices", "text" or None for the vote as a whole), ``status`` the
    HTTP status an endpoint answers with.
    """

    NOT_OPEN = "not_open"
    CLOSED = "closed"
    ALREADY_VOTED = "already_voted"
    NO_CHOICE = "no_choice"
    ONE_CHOICE_ONLY = "one_choice_only"
    UNKNOWN_CHOICE = "unknown_choice"
    TEXT_NOT_TAKEN = "text_not_taken"
    TEXT_TOO_LONG = "text_too_long"
    TEXT_INVALID = "text_invalid"

    def __init__(self, code: str, message: str, field: str | None = None, status: int = 400):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.status = status


def when(moment) -> str:
    """A date and time as the site shows them: "3 March 2027, 09:00"."""
    return formats.date_format(timezone.localtime(moment), "j F Y, H:i")


# --- who is voting --------------------------------------------------------------------


@dataclass(frozen=True)
class Voter:
    """Who a request votes as.

    ``key`` is what the vote stores. ``keys`` are every identity the request
    carries (a member who voted in this browser before signing in has voted),
    so "already voted" is asked of all of them. ``new_browser_key`` is set
    when this browser has no key yet: :func:`remember_browser` keeps it in
    the cookie once a vote is stored.
    """

    key: str
    keys: tuple[str, ...]
    member_id: int | None = None
    new_browser_key: str | None = None


def _browser_key(request) -> str | None:
    # A cookie that was tampered with, or signed with another SECRET_KEY, is no key at all.
    key = request.get_signed_cookie(VOTER_COOKIE, default=None, salt=VOTER_COOKIE_SALT)
    if key and len(key) <= 40 and key.replace("-", "").replace("_", "").isalnum():
        return key
    return None


def voter_for(request, site) -> Voter:
    found = hooks.poll_voter.apply(site, None, request=request)
    member_id = found.get("member_id") if isinstance(found, dict) else None
    user = getattr(request, "user", None)
    user_key = f"user:{user.pk}" if user is not None and user.is_authenticated else None
    browser_key = _browser_key(request)
    browser = f"browser:{browser_key}" if browser_key else None
    if member_id is not None:
        key = f"member:{int(member_id)}"
        return Voter(key=key, keys=_keys(key, user_key, browser), member_id=int(member_id))
    if user_key is not None:
        return Voter(key=user_key, keys=_keys(user_key, browser))
    if browser is not None:
        return Voter(key=browser, keys=(browser,))
    new_key = secrets.token_urlsafe(18)
    return Voter(key=f"browser:{new_key}", keys=(f"browser:{new_key}",), new_browser_key=new_key)


def _keys(*keys) -> tuple[str, ...]:
    return tuple(key for key in keys if key)


def remember_browser(response, voter: Voter, request) -> None:
    """Keep a new browser voter's key in its cookie (after its vote is stored)."""
    if voter.new_browser_key is None:
        return
    response.set_signed_cookie(
        VOTER_COOKIE,
        voter.new_browser_key,
        salt=VOTER_COOKIE_SALT,
        max_age=VOTER_COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure() or settings.SESSION_COOKIE_SECURE,
    )


def existing_vote(poll: Poll, voter: Voter) -> set[int] | None:
    """The choice ids of the voter's vote on ``poll``, or None if they have
    not voted (one query)."""
    if voter.new_browser_key is not None:  # a browser seen for the first time has voted nowhere
        return None
    rows = list(Vote.objects.filter(poll=poll, voter__in=voter.keys).values_list("pk", "choices"))
    if not rows:
        return None
    return {choice_id for _, choice_id in rows if choice_id is not None}


# --- casting a vote --------------------------------------------------------------------


def check_open(poll: Poll, now=None) -> None:
    now = now or timezone.now()
    if poll.opens_at is not None and now < poll.opens_at:
        raise VoteError(VoteError.NOT_OPEN, f"This poll isn't open yet: it opens on {when(poll.opens_at)}.")
    if poll.has_closed(now):
        raise VoteError(
            VoteError.CLOSED, f"This poll closed on {when(poll.closes_at)}, so it takes no more votes."
        )


def _choice_ids(raw) -> list[int]:
    if raw is None:
        return []
    if isinstance(raw, (str, int)):
        raw = [raw]
    ids = []
    for item in raw:
        if isinstance(item, bool) or not isinstance(item, (int, str)):
            raise _unknown_choice()
        if isinstance(item, str):
            item = item.strip()
            if not item.isdigit():
                raise _unknown_choice()
        ids.append(int(item))
    return list(dict.fromkeys(ids))


def _unknown_choice() -> VoteError:
    return VoteError(
        VoteError.UNKNOWN_CHOICE,
        "That answer isn't one of this poll's choices; it may have just changed. "
        "Reload the page and choose again.",
        "choices",
    )


def clean_choices(poll: Poll, raw) -> list[int]:
    ids = _choice_ids(raw)
    if not ids:
        if poll.multiple:
            raise VoteError(VoteError.NO_CHOICE, "Choose at least one answer before you vote.", "choices")
        raise VoteError(VoteError.NO_CHOICE, "Choose an answer before you vote.", "choices")
    if len(ids) > 1 and not poll.multiple:
        raise VoteError(VoteError.ONE_CHOICE_ONLY, "Choose just one answer: this poll takes one.", "choices")
    # An id no database column can hold names no choice (SQLite raised OverflowError on it).
    if any(not -(2**63) <= id_ < 2**63 for id_ in ids):
        raise _unknown_choice()
    if Choice.objects.filter(poll=poll, pk__in=ids).count() != len(ids):
        raise _unknown_choice()
    return ids


def clean_text(poll: Poll, text) -> str:
    if text is None:
        return ""
    if not isinstance(text, str):
        raise VoteError(VoteError.TEXT_INVALID, "Send your words as text.", "text")
    text = text.strip()
    if not text:
        return ""
    if not poll.allow_text:
        raise VoteError(
            VoteError.TEXT_NOT_TAKEN, "This poll doesn't ask for words: send just your answer.", "text"
        )
    if len(text) > TEXT_MAX_LENGTH:
        raise VoteError(
            VoteError.TEXT_TOO_LONG,
            f"Keep your words to {TEXT_MAX_LENGTH} characters or fewer; yours have {len(text)}.",
            "text",
        )
    # PostgreSQL cannot store NUL, and no keyboard types it.
    if "\x00" in text:
        raise VoteError(
            VoteError.TEXT_INVALID, "Your words hold a character that can't be stored; remove it.", "text"
        )
    return text


def cast_vote(poll: Poll, voter: Voter, choices, text="", *, ip_address: str | None = None, now=None) -> Vote:
    """Store ``voter``'s vote for the choice ids ``choices`` (ids or digit
    strings) with ``text``. Raises :class:`VoteError` and stores nothing if
    the poll is not open, the voter has voted, or the input is not right."""
    check_open(poll, now)
    if Vote.objects.filter(poll=poll, voter__in=voter.keys).exists():
        raise VoteError(VoteError.ALREADY_VOTED, ALREADY_VOTED, status=409)
    choice_ids = clean_choices(poll, choices)
    text = clean_text(poll, text)
    try:
        with transaction.atomic():
            vote = Vote.objects.create(
                poll=poll,
                voter=voter.key,
                member_id=voter.member_id,
                text=text,
                ip_address=ip_address or None,
                created_at=now or timezone.now(),
            )
            vote.choices.add(*choice_ids)
    except IntegrityError:
        # Another request by the same voter got in first; anything else is a real error.
        if Vote.objects.filter(poll=poll, voter=voter.key).exists():
            raise VoteError(VoteError.ALREADY_VOTED, ALREADY_VOTED, status=409) from None
        raise
    return vote


# --- results ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ChoiceResult:
    id: int
    label: str
    votes: int
    percent: int  # of the people who voted; on a poll with several answers they add up past 100


@dataclass(frozen=True)
class Results:
    total: int  # people who voted
    choices: list[ChoiceResult] = field(default_factory=list)

    @property
    def most_votes(self) -> int:
        return max((choice.votes for choice in self.choices), default=0)

    def as_dict(self) -> dict:
        return {
            "total": self.total,
            "choices": [
                {"id": c.id, "label": c.label, "votes": c.votes, "percent": c.percent} for c in self.choices
            ],
        }


def results(poll: Poll) -> Results:
    """Votes per choice (in the editor's order) and the number of voters, in one query."""
    through = Vote.choices.through
    per_choice = (
        through.objects.filter(choice=OuterRef("pk"))
        .order_by()
        .values("choice")
        .annotate(n=Count("pk"))
        .values("n")
    )
    voters = Vote.objects.filter(poll=OuterRef("poll")).order_by().values("poll").annotate(n=Count("pk"))
    rows = list(
        Choice.objects.filter(poll=poll)
        .annotate(
            vote_count=Coalesce(Subquery(per_choice, output_field=IntegerField()), Value(0)),
            voter_count=Coalesce(Subquery(voters.values("n"), output_field=IntegerField()), Value(0)),
        )
        .order_by("sort_order", "pk")
        .values_list("pk", "label", "vote_count", "voter_count")
    )
    total = rows[0][3] if rows else 0
    return Results(
        total=total,
        choices=[
            ChoiceResult(id=pk, label=label, votes=n, percent=round(100 * n / total) if total else 0)
            for pk, label, n, _ in rows
        ],
    )


def may_see_results(poll: Poll, voted: bool, now=None) -> bool:
    """Everyone sees the results of a closed poll; before that, voters do
    if the poll shows them after voting."""
    if poll.has_closed(now):
        return True
    return bool(voted) and poll.results_shown == ResultsShown.AFTER_VOTING
