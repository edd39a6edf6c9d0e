"""The voting service: who votes, what a vote may be, one vote each (the
unique constraint as the guard, races included), the results in one query,
who sees them, and an erased member's votes."""
from __future__ import annotations

import datetime
import threading

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models.signals import pre_save
from django.test import RequestFactory
from django.utils import timezone
from wagtail.models import Site

from plugins.polls import voting
from plugins.polls.models import ResultsShown, Vote
from plugins.polls.receivers import forget_member
from plugins.polls.voting import VoteError

from .factories import choice_ids, make_poll

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def browser(key="k" * 24) -> voting.Voter:
    return voting.Voter(key=f"browser:{key}", keys=(f"browser:{key}",))


def refusal(poll, voter, choices, text="", **options) -> VoteError:
    with pytest.raises(VoteError) as raised:
        voting.cast_vote(poll, voter, choices, text, **options)
    return raised.value


# --- a vote that is stored --------------------------------------------------------------


def test_a_vote_stores_the_choices_the_words_and_the_address(site, multi_poll):
    sofas, _, books, _ = choice_ids(multi_poll)
    vote = voting.cast_vote(
        multi_poll, browser(), [str(sofas), books], "  More plants, please.  ", ip_address="203.0.113.9"
    )

    vote = Vote.objects.get(pk=vote.pk)
    assert vote.voter == "browser:" + "k" * 24 and vote.member_id is None
    assert set(vote.choices.values_list("pk", flat=True)) == {sofas, books}
    assert vote.text == "More plants, please."
    assert vote.ip_address == "203.0.113.9"


def test_a_choice_sent_twice_counts_once(site, multi_poll):
    sofas = choice_ids(multi_poll)[0]
    vote = voting.cast_vote(multi_poll, browser(), [sofas, str(sofas)])
    assert list(vote.choices.values_list("pk", flat=True)) == [sofas]


def test_a_poll_open_between_its_dates_takes_votes(site):
    poll = make_poll(site, opens_at=NOW - datetime.timedelta(hours=1), closes_at=NOW + datetime.timedelta(hours=1))
    voting.cast_vote(poll, browser(), [choice_ids(poll)[0]])
    assert poll.votes.count() == 1


# --- bad input: a clear message, a code, nothing stored ----------------------------------


@pytest.mark.parametrize(
    "choices, text, code, field, message",
    [
        ([], "", "no_choice", "choices", "Choose an answer before you vote."),
        (None, "", "no_choice", "choices", "Choose an answer before you vote."),
        ("both", "", "one_choice_only", "choices", "Choose just one answer: this poll takes one."),
        ([999999], "", "unknown_choice", "choices", "That answer isn't one of this poll's choices"),
        (["rye"], "", "unknown_choice", "choices", "That answer isn't one of this poll's choices"),
        ([True], "", "unknown_choice", "choices", "That answer isn't one of this poll's choices"),
        ("first", "Lovely", "text_not_taken", "text", "This poll doesn't ask for words"),
    ],
)
def test_a_single_answer_poll_refuses_bad_input_and_stores_nothing(site, poll, choices, text, code, field, message):
    ids = choice_ids(poll)
    choices = {"both": ids[:2], "first": [ids[0]]}.get(choices, choices) if isinstance(choices, str) else choices
    refused = refusal(poll, browser(), choices, text)
    assert (refused.code, refused.field, refused.status) == (code, field, 400)
    assert refused.message.startswith(message)
    assert not Vote.objects.exists()


def test_a_choice_of_another_poll_is_unknown(site, poll, multi_poll):
    refused = refusal(poll, browser(), [choice_ids(multi_poll)[0]])
    assert refused.code == "unknown_choice"
    assert not Vote.objects.exists()


def test_a_poll_of_several_answers_asks_for_at_least_one(site, multi_poll):
    refused = refusal(multi_poll, browser(), [])
    assert refused.message == "Choose at least one answer before you vote."


@pytest.mark.parametrize(
    "text, code, message",
    [
        ("x" * 501, "text_too_long", "Keep your words to 500 characters or fewer; yours have 501."),
        ("nul\x00byte", "text_invalid", "Your words hold a character that can't be stored; remove it."),
        (["a list"], "text_invalid", "Send your words as text."),
    ],
)
def test_words_that_cannot_be_kept_are_refused_with_the_choice(site, multi_poll, text, code, message):
    refused = refusal(multi_poll, browser(), [choice_ids(multi_poll)[0]], text)
    assert (refused.code, refused.field, refused.message) == (code, "text", message)
    assert not Vote.objects.exists()


def test_five_hundred_characters_of_words_fit(site, multi_poll):
    vote = voting.cast_vote(multi_poll, browser(), [choice_ids(multi_poll)[0]], "é" * 500)
    assert len(Vote.objects.get(pk=vote.pk).text) == 500


def test_a_closed_poll_and_one_not_open_yet_take_no_vote(site, closed_poll, future_poll):
    closed = refusal(closed_poll, browser(), [choice_ids(closed_poll)[0]])
    assert closed.code == "closed" and closed.message.startswith("This poll closed on ")
    early = refusal(future_poll, browser(), [choice_ids(future_poll)[0]])
    assert early.code == "not_open" and early.message.startswith("This poll isn't open yet: it opens on ")
    assert voting.when(future_poll.opens_at) in early.message
    assert not Vote.objects.exists()


def test_a_poll_closes_at_its_closing_time_exactly(site):
    poll = make_poll(site, closes_at=NOW)
    assert refusal(poll, browser(), [choice_ids(poll)[0]], now=NOW).code == "closed"
    voting.cast_vote(poll, browser(), [choice_ids(poll)[0]], now=NOW - datetime.timedelta(seconds=1))


# --- one vote each ---------------------------------------------------------------------------


def test_a_second_vote_is_refused_and_the_first_stands(site, poll):
    first, second = choice_ids(poll)[:2]
    voting.cast_vote(poll, browser(), [first])
    refused = refusal(poll, browser(), [second])
    assert (refused.code, refused.status) == ("already_voted", 409)
    assert refused.message == "You have already voted in this poll."
    assert list(Vote.objects.values_list("choices", flat=True)) == [first]


def test_a_second_vote_with_bad_input_still_says_already_voted(site, poll):
    voting.cast_vote(poll, browser(), [choice_ids(poll)[0]])
    assert refusal(poll, browser(), []).code == "already_voted"


def test_the_same_voter_votes_once_per_poll_not_once_overall(site, poll, multi_poll):
    voting.cast_vote(poll, browser(), [choice_ids(poll)[0]])
    voting.cast_vote(multi_poll, browser(), [choice_ids(multi_poll)[0]])
    assert Vote.objects.count() == 2


def test_the_unique_constraint_refuses_what_the_check_missed(site, poll):
    voting.cast_vote(poll, browser("same"), [choice_ids(poll)[0]])
    # A voter whose other identities were looked up, not the one it votes as:
    # the look-up finds nothing, so only the database can refuse.
    blind = voting.Voter(key="browser:same", keys=("browser:someone-else",))
    refused = refusal(poll, blind, [choice_ids(poll)[1]])
    assert (refused.code, refused.message) == ("already_voted", "You have already voted in this poll.")
    assert Vote.objects.count() == 1


def test_a_browser_that_voted_before_its_member_signed_in_has_voted(site, poll):
    voting.cast_vote(poll, browser("shared"), [choice_ids(poll)[0]])
    member = voting.Voter(key="member:7", keys=("member:7", "browser:shared"), member_id=7)
    assert refusal(poll, member, [choice_ids(poll)[1]]).code == "already_voted"


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason=f"needs PostgreSQL to race two writers (this run uses {connection.vendor})",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_votes_at_once_by_one_voter_store_one(site, poll):
    """Both requests pass the check before either inserts (held at a barrier):
    the unique constraint is what stops the second."""
    barrier = threading.Barrier(2)

    def in_step(sender, instance, **kwargs):
        if instance.pk is None:
            barrier.wait(timeout=30)

    outcomes = []

    def vote(choice):
        try:
            voting.cast_vote(poll, browser("racer"), [choice])
            outcomes.append("stored")
        except VoteError as refused:
            outcomes.append(refused.code)
        finally:
            connection.close()

    pre_save.connect(in_step, sender=Vote, weak=False, dispatch_uid="polls-race")
    try:
        threads = [threading.Thread(target=vote, args=(choice,)) for choice in choice_ids(poll)[:2]]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        pre_save.disconnect(sender=Vote, dispatch_uid="polls-race")
    assert sorted(outcomes) == ["already_voted", "stored"]
    assert Vote.objects.filter(poll=poll).count() == 1
    assert Vote.objects.get().choices.count() == 1


# --- who votes -------------------------------------------------------------------------------


def request_to(site, **cookies):
    request = RequestFactory().post("/polls/1/vote/")
    request.COOKIES.update(cookies)
    request.user = AnonymousUser()
    request._wagtail_site = site
    return request


def test_a_new_browser_gets_a_random_key_kept_in_a_signed_lax_httponly_cookie(site):
    from django.http import HttpResponse

    first, second = voting.voter_for(request_to(site), site), voting.voter_for(request_to(site), site)
    assert first.key.startswith("browser:") and first.key != second.key
    assert first.new_browser_key and first.key == f"browser:{first.new_browser_key}"

    response = HttpResponse()
    voting.remember_browser(response, first, request_to(site))
    cookie = response.cookies[voting.VOTER_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["max-age"] == 365 * 24 * 3600
    assert cookie.value.startswith(f"{first.new_browser_key}:"), "the key travels with its signature"

    again = voting.voter_for(request_to(site, **{voting.VOTER_COOKIE: cookie.value}), site)
    assert (again.key, again.new_browser_key) == (first.key, None)


def test_a_cookie_that_was_tampered_with_is_no_key(site):
    from django.http import HttpResponse

    response = HttpResponse()
    voting.remember_browser(response, voting.voter_for(request_to(site), site), request_to(site))
    value = response.cookies[voting.VOTER_COOKIE].value
    forged = "someone-else" + value[value.index(":"):]
    voter = voting.voter_for(request_to(site, **{voting.VOTER_COOKIE: forged}), site)
    assert voter.new_browser_key is not None and "someone-else" not in voter.key


def test_a_signed_in_user_votes_as_themselves(site, admin_user):
    request = request_to(site)
    request.user = admin_user
    key = f"user:{admin_user.pk}"
    assert voting.voter_for(request, site) == voting.Voter(key=key, keys=(key,))


def test_the_poll_voter_filter_names_the_member_first(site, admin_user, as_member):
    request = request_to(site)
    request.user = admin_user
    with as_member(42):
        voter = voting.voter_for(request, site)
    assert (voter.key, voter.member_id) == ("member:42", 42)
    assert f"user:{admin_user.pk}" in voter.keys


def test_a_member_votes_once_and_is_recorded_as_the_member(site, poll, as_member):
    with as_member(42):
        voter = voting.voter_for(request_to(site), site)
    vote = voting.cast_vote(poll, voter, [choice_ids(poll)[0]])
    assert (vote.voter, vote.member_id) == ("member:42", 42)
    assert refusal(poll, voter, [choice_ids(poll)[1]]).code == "already_voted"


def test_the_poll_voter_filter_is_asked_for_the_site_and_request(site):
    heard = []

    def answer(value, site, request=None, **kwargs):
        heard.append((value, site, request))
        return value

    request = request_to(site)
    with voting.hooks.poll_voter.connected(answer):
        voting.voter_for(request, site)
    assert heard == [(None, site, request)]


# --- results ---------------------------------------------------------------------------------


def test_results_count_each_choice_and_the_voters_in_one_query(site, multi_poll, django_assert_num_queries):
    sofas, plugs, books, games = choice_ids(multi_poll)
    for number, choices in enumerate([[sofas], [sofas, plugs], [sofas, books], [books]]):
        voting.cast_vote(multi_poll, browser(f"voter{number}"), choices)
    other = make_poll(site)
    voting.cast_vote(other, browser("elsewhere"), [choice_ids(other)[0]])

    with django_assert_num_queries(1):
        results = voting.results(multi_poll)

    assert results.total == 4
    assert [(c.id, c.label, c.votes, c.percent) for c in results.choices] == [
        (sofas, "Sofas", 3, 75), (plugs, "Plugs", 1, 25), (books, "Books", 2, 50), (games, "Games", 0, 0),
    ]
    assert results.as_dict()["choices"][3] == {"id": games, "label": "Games", "votes": 0, "percent": 0}


def test_results_of_a_poll_nobody_voted_in(site, poll):
    results = voting.results(poll)
    assert results.total == 0 and [c.votes for c in results.choices] == [0, 0, 0]


@pytest.mark.parametrize(
    "shown, closed, voted, sees",
    [
        (ResultsShown.AFTER_VOTING, False, False, False),
        (ResultsShown.AFTER_VOTING, False, True, True),
        (ResultsShown.AFTER_VOTING, True, False, True),
        (ResultsShown.AFTER_CLOSING, False, True, False),
        (ResultsShown.AFTER_CLOSING, False, False, False),
        (ResultsShown.AFTER_CLOSING, True, False, True),
    ],
)
def test_who_sees_the_results(site, shown, closed, voted, sees):
    poll = make_poll(site, results_shown=shown, closes_at=NOW - datetime.timedelta(minutes=1) if closed else None)
    assert voting.may_see_results(poll, voted) is sees


# --- an erased member ------------------------------------------------------------------------


def test_an_erased_members_votes_stay_counted_but_name_nobody(site, poll, multi_poll):
    first = choice_ids(poll)[0]
    for a_poll in (poll, multi_poll):
        voting.cast_vote(a_poll, voting.Voter("member:7", ("member:7",), member_id=7), [choice_ids(a_poll)[0]],
                         ip_address="203.0.113.9")
    voting.cast_vote(poll, voting.Voter("member:8", ("member:8",), member_id=8), [first])
    other_site = Site.objects.create(hostname="florist.example", root_page=site.root_page)
    elsewhere = make_poll(other_site)
    voting.cast_vote(elsewhere, voting.Voter("member:7", ("member:7",), member_id=7), [choice_ids(elsewhere)[0]])

    assert forget_member(site, 7) == 2

    erased = Vote.objects.filter(poll__site=site, member_id=None)
    assert erased.count() == 2
    assert all(v.voter == f"erased:{v.pk}" and v.ip_address is None for v in erased)
    assert voting.results(poll).choices[0].votes == 2, "the counts are unchanged"
    assert Vote.objects.get(member_id=8).voter == "member:8"
    assert Vote.objects.get(poll=elsewhere).voter == "member:7", "another site's member is another person"


def test_the_members_plugin_erasing_a_member_unlinks_their_votes(site, poll, django_capture_on_commit_callbacks):
    from plugins.members import preferences
    from tests.plugins.members.factories import make_member

    member = make_member(site, email="robin@example.com")
    voting.cast_vote(poll, voting.Voter(f"member:{member.pk}", (f"member:{member.pk}",), member_id=member.pk),
                     [choice_ids(poll)[0]])
    with django_capture_on_commit_callbacks(execute=True):
        preferences.erase(member)

    vote = Vote.objects.get()
    assert vote.member_id is None and not vote.voter.startswith("member:")
    assert voting.results(poll).total == 1
