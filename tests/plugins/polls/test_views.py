"""Voting on the website, without JavaScript: the question block's form on a
page, the vote URL (CSRF, safe redirects, refusals shown next to the form
with nothing stored, the rate limit), the results page, escaping, the page
cache, and nothing at all while the plugin is inactive."""
from __future__ import annotations

import datetime

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.utils import timezone
from wagtail.models import Site

from hearthside.pagecache import CACHE_HEADER
from plugins.polls import voting
from plugins.polls.models import ResultsShown, Vote
from tests.themes.test_accessibility import check_accessibility

from .factories import choice_ids, make_poll, page_with_poll

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("generous_vote_limits")]


def soup_of(response) -> BeautifulSoup:
    return BeautifulSoup(response.content.decode(), "html.parser")


def poll_section(client, url, poll):
    response = client.get(url)
    assert response.status_code == 200
    soup = soup_of(response)
    return soup, soup.find("section", id=f"poll-{poll.pk}")


def form_fields(form) -> dict:
    values = {}
    for field in form.find_all("input"):
        if field.get("type") in ("radio", "checkbox") and not field.has_attr("checked"):
            continue
        values.setdefault(field["name"], []).append(field.get("value", ""))
    return values


def vote_from_page(client, page, poll, choices, text=None, **extra):
    _, section = poll_section(client, page.url, poll)
    form = section.find("form")
    data = {**form_fields(form), "choice": [str(choice) for choice in choices], **extra}
    if text is not None:
        data["text"] = text
    return client.post(form["action"], data)


# --- the form on a page, and a vote that is stored -------------------------------------------


def test_the_block_shows_the_question_and_its_choices_as_a_form(client, site, poll, poll_page):
    soup, section = poll_section(client, poll_page.url, poll)
    assert section.find("h2").get_text() == poll.question
    form = section.find("form")
    assert (form["method"], form["action"]) == ("post", f"/polls/{poll.pk}/vote/")
    radios = form.find_all("input", attrs={"name": "choice"})
    assert [(r["type"], r["value"]) for r in radios] == [("radio", str(pk)) for pk in choice_ids(poll)]
    assert [soup.find("label", attrs={"for": r["id"]}).get_text() for r in radios] == ["Sourdough", "Rye", "Seeded"]
    assert form_fields(form)["next"] == [poll_page.url]
    assert form.find("input", attrs={"name": "csrfmiddlewaretoken"}) is not None
    assert form.find("textarea") is None, "this poll asks for no words"
    check_accessibility(soup)


def test_a_poll_of_several_answers_with_words_offers_checkboxes_and_a_labelled_box(
    client, site, root_page, multi_poll
):
    page = page_with_poll(root_page, multi_poll)
    soup, section = poll_section(client, page.url, multi_poll)
    assert {box["type"] for box in section.find_all("input", attrs={"name": "choice"})} == {"checkbox"}
    box = section.find("textarea", attrs={"name": "text"})
    assert box["maxlength"] == "500"
    assert soup.find("label", attrs={"for": box["id"]}).get_text(" ", strip=True) == "Anything else? (optional)"
    check_accessibility(soup)


def test_voting_goes_back_to_the_page_which_then_shows_the_results(client, site, poll, poll_page):
    rye = choice_ids(poll)[1]
    response = vote_from_page(client, poll_page, poll, [rye])

    assert response.status_code == 303
    assert response["Location"] == f"{poll_page.url}#poll-{poll.pk}"
    assert list(Vote.objects.values_list("choices", flat=True)) == [rye]
    cookie = response.cookies[voting.VOTER_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"

    _, section = poll_section(client, poll_page.url, poll)
    assert section.find("form") is None
    assert "Thank you for voting!" in section.get_text()
    shown = [
        (li.find(class_="polls-result__label").get_text(" ", strip=True), li.find("strong").get_text())
        for li in section.select(".polls-result")
    ]
    assert shown == [("Sourdough", "0%"), ("Rye (your answer)", "100%"), ("Seeded", "0%")]
    assert "1 person voted." in section.get_text(" ", strip=True)


def test_a_poll_showing_results_after_closing_says_when_they_come(client, site, root_page):
    closes = timezone.now() + datetime.timedelta(days=3)
    poll = make_poll(site, results_shown=ResultsShown.AFTER_CLOSING, closes_at=closes)
    page = page_with_poll(root_page, poll)
    vote_from_page(client, page, poll, [choice_ids(poll)[0]])

    _, section = poll_section(client, page.url, poll)
    assert section.select(".polls-result") == []
    assert f"The results are shown when the poll closes, on {voting.when(closes)}." in section.get_text()


def test_everyone_sees_the_results_of_a_closed_poll_and_no_form(client, site, root_page, closed_poll):
    voting.cast_vote(closed_poll, voting.Voter("browser:early", ("browser:early",)), [choice_ids(closed_poll)[0]],
                     now=closed_poll.closes_at - datetime.timedelta(hours=1))
    page = page_with_poll(root_page, closed_poll)
    _, section = poll_section(client, page.url, closed_poll)
    assert section.find("form") is None
    assert len(section.select(".polls-result")) == 3
    assert "The poll closed on" in section.get_text()


def test_a_poll_not_open_yet_says_when_it_opens(client, site, root_page, future_poll):
    page = page_with_poll(root_page, future_poll)
    _, section = poll_section(client, page.url, future_poll)
    assert section.find("form") is None and section.select(".polls-result") == []
    assert f"This poll opens on {voting.when(future_poll.opens_at)}." in section.get_text()


def test_a_member_votes_as_the_member_and_once_from_any_browser(site, poll, poll_page, as_member):
    with as_member(42):
        assert vote_from_page(Client(), poll_page, poll, [choice_ids(poll)[0]]).status_code == 303
        vote = Vote.objects.get()
        assert (vote.voter, vote.member_id) == ("member:42", 42)

        # Another browser, no cookie: still the same member.
        other_browser = Client()
        _, section = poll_section(other_browser, poll_page.url, poll)
        assert section.find("form") is None, "the member has voted"
        response = other_browser.post(f"/polls/{poll.pk}/vote/", {"choice": choice_ids(poll)[1]})
    assert response.status_code == 409
    assert Vote.objects.count() == 1


# --- CSRF and redirects ------------------------------------------------------------------------


def test_a_vote_without_the_csrf_token_is_refused(site, poll, poll_page):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(f"/polls/{poll.pk}/vote/", {"choice": choice_ids(poll)[0], "next": poll_page.url})
    assert response.status_code == 403
    assert not Vote.objects.exists()

    assert vote_from_page(browser, poll_page, poll, [choice_ids(poll)[0]]).status_code == 303
    assert Vote.objects.count() == 1


@pytest.mark.parametrize("next_url", ["https://evil.example/phish/", "//evil.example/", "javascript:alert(1)", ""])
def test_a_next_address_off_the_site_goes_to_the_results_page_instead(client, site, poll, next_url):
    response = client.post(f"/polls/{poll.pk}/vote/", {"choice": choice_ids(poll)[0], "next": next_url})
    assert response.status_code == 303
    assert response["Location"] == f"/polls/{poll.pk}/results/#poll-{poll.pk}"


def test_the_next_address_loses_its_own_fragment(client, site, poll, poll_page):
    data = {"choice": choice_ids(poll)[0], "next": f"{poll_page.url}#top"}
    response = client.post(f"/polls/{poll.pk}/vote/", data)
    assert response["Location"] == f"{poll_page.url}#poll-{poll.pk}"


def test_the_vote_url_fetched_sends_to_the_results(client, site, poll):
    response = client.get(f"/polls/{poll.pk}/vote/")
    assert (response.status_code, response["Location"]) == (303, f"/polls/{poll.pk}/results/")


# --- refusals: the reason next to the form, what was sent kept, nothing stored ------------------


@pytest.mark.parametrize(
    "choices, text, status, where, message",
    [
        ([], None, 400, "choices", "Choose at least one answer before you vote."),
        (["999999"], None, 400, "choices", "That answer isn't one of this poll's choices"),
        ([0], "x" * 501, 400, "text", "Keep your words to 500 characters or fewer; yours have 501."),
    ],
)
def test_a_refused_vote_shows_why_next_to_the_form_keeping_what_was_sent(
    client, site, root_page, multi_poll, choices, text, status, where, message
):
    page = page_with_poll(root_page, multi_poll)
    ids = choice_ids(multi_poll)
    choices = [ids[c] if isinstance(c, int) else c for c in choices]
    response = vote_from_page(client, page, multi_poll, choices, text)

    assert response.status_code == status
    assert not Vote.objects.exists()
    assert voting.VOTER_COOKIE not in response.cookies
    soup = soup_of(response)
    section = soup.find("section", id=f"poll-{multi_poll.pk}")
    error = section.find(id=f"poll-{multi_poll.pk}-{where}-error")
    assert error.get_text().startswith(message)
    form = section.find("form")
    assert form_fields(form)["next"] == [page.url], "the form still goes back to the page"
    kept = [str(c) for c in choices if str(c) != "999999"]
    assert [box["value"] for box in form.select("input[name=choice][checked]")] == kept
    if text:
        assert form.find("textarea").get_text() == text
    assert soup.find("a", string="Back to the page")["href"] == page.url
    assert "Nothing was stored." in soup.get_text()
    check_accessibility(soup)


def test_several_answers_on_a_single_answer_poll_are_refused(client, site, poll, poll_page):
    response = vote_from_page(client, poll_page, poll, choice_ids(poll)[:2])
    assert response.status_code == 400
    assert "Choose just one answer: this poll takes one." in soup_of(response).get_text()
    assert not Vote.objects.exists()


def test_a_second_vote_is_refused_and_the_results_shown(client, site, poll, poll_page):
    first, second = choice_ids(poll)[:2]
    vote_from_page(client, poll_page, poll, [first])
    response = client.post(f"/polls/{poll.pk}/vote/", {"choice": second, "next": poll_page.url})

    assert response.status_code == 409
    soup = soup_of(response)
    assert soup.find("h1").get_text() == "You have already voted"
    assert soup.find(class_="polls-poll__problem").get_text() == "You have already voted in this poll."
    [chosen] = soup.select(".polls-result--chosen .polls-result__label")
    assert chosen.get_text(" ", strip=True) == "Sourdough (your answer)"
    assert list(Vote.objects.values_list("choices", flat=True)) == [first]


def test_voting_on_a_closed_or_future_poll_is_refused(client, site, closed_poll, future_poll):
    for poll, heading, message in (
        (closed_poll, "This poll has closed", "This poll closed on"),
        (future_poll, "This poll isn't open yet", "This poll isn't open yet: it opens on"),
    ):
        response = client.post(f"/polls/{poll.pk}/vote/", {"choice": choice_ids(poll)[0]})
        assert response.status_code == 400
        soup = soup_of(response)
        assert soup.find("h1").get_text() == heading
        assert soup.find(class_="polls-poll__problem").get_text().startswith(message)
    assert not Vote.objects.exists()


def test_a_poll_of_another_site_or_none_at_all_is_not_found(client, site, root_page):
    other_site = Site.objects.create(hostname="florist.example", root_page=root_page)
    elsewhere = make_poll(other_site)
    for url in (f"/polls/{elsewhere.pk}/vote/", f"/polls/{elsewhere.pk}/results/", "/polls/999999/results/"):
        assert client.post(url, {"choice": choice_ids(elsewhere)[0]}).status_code == 404
    assert client.get(f"/polls/{elsewhere.pk}/results/", HTTP_HOST="florist.example").status_code == 200
    assert not Vote.objects.exists()


# --- the rate limit -------------------------------------------------------------------------------


def test_votes_past_the_rate_limit_answer_429_and_store_nothing(client, site, poll, settings):
    settings.HEARTHSIDE_RATE_LIMITS = [
        (name, pattern, methods, "2/h" if name == "poll votes" else rate)
        for name, pattern, methods, rate in settings.HEARTHSIDE_RATE_LIMITS
    ]
    first, second, third = choice_ids(poll)
    assert Client().post(f"/polls/{poll.pk}/vote/", {"choice": first}).status_code == 303
    assert Client().post(f"/polls/{poll.pk}/vote/", {"choice": second}).status_code == 303

    response = Client().post(f"/polls/{poll.pk}/vote/", {"choice": third})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "You have sent poll votes too often" in response.content.decode()
    assert Vote.objects.count() == 2
    assert Client(REMOTE_ADDR="198.51.100.7").post(f"/polls/{poll.pk}/vote/", {"choice": third}).status_code == 303


# --- the results page -------------------------------------------------------------------------------


def test_the_results_page_shows_the_form_until_the_visitor_voted(client, site, poll, poll_page):
    soup = soup_of(client.get(f"/polls/{poll.pk}/results/"))
    assert soup.find("h1").get_text() == "Have your say"
    form = soup.select_one("form.polls-form")
    assert form_fields(form)["next"] == [f"/polls/{poll.pk}/results/"]
    check_accessibility(soup)

    client.post(form["action"], {**form_fields(form), "choice": choice_ids(poll)[2]})
    response = client.get(f"/polls/{poll.pk}/results/")
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    soup = soup_of(response)
    assert soup.find("h1").get_text() == "Poll results"
    [chosen] = soup.select(".polls-result--chosen .polls-result__label")
    assert chosen.get_text(" ", strip=True) == "Seeded (your answer)"
    check_accessibility(soup)


# --- escaping ----------------------------------------------------------------------------------------

HOSTILE = '<script>alert("x")</script>'


def test_hostile_questions_choices_and_words_are_shown_as_text(client, site, root_page):
    poll = make_poll(
        site, question=f"Q {HOSTILE}", choices=("<img src=x onerror=alert(1)>", "Plain"), allow_text=True,
        description="<b>why</b>", text_label="<i>say</i>",
    )
    page = page_with_poll(root_page, poll)
    html = client.get(page.url).content.decode()
    for raw in ("<script>alert", "<img src=x", "<b>why", "<i>say"):
        assert raw not in html
    assert "Q &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html

    # Words kept after a refusal are escaped too, in the box and in the page.
    response = client.post(f"/polls/{poll.pk}/vote/", {"text": f"</textarea>{HOSTILE}", "next": page.url})
    refused = response.content.decode()
    assert response.status_code == 400
    assert "</textarea><script>" not in refused and "<script>alert" not in refused
    assert "&lt;/textarea&gt;&lt;script&gt;" in refused

    # And the results, after voting.
    client.post(f"/polls/{poll.pk}/vote/", {"choice": choice_ids(poll)[0], "next": page.url})
    results = client.get(page.url).content.decode()
    assert "<img src=x" not in results and "&lt;img src=x onerror=alert(1)&gt;" in results


# --- the page cache ------------------------------------------------------------------------------------


def test_a_page_with_an_open_poll_is_never_served_from_the_page_cache(site, poll, poll_page):
    """What it shows depends on who looks: the form, or this visitor's results."""
    voter = Client()
    vote_from_page(voter, poll_page, poll, [choice_ids(poll)[0]])
    for _ in range(2):
        assert voter.get(poll_page.url).get(CACHE_HEADER) != "hit"
        newcomer = Client()
        response = newcomer.get(poll_page.url)
        assert response.get(CACHE_HEADER) != "hit"
        assert soup_of(response).find("section", id=f"poll-{poll.pk}").find("form") is not None


def test_a_page_with_a_closed_poll_is_cached_and_editing_the_poll_purges_it(
    site, root_page, closed_poll, django_capture_on_commit_callbacks
):
    page = page_with_poll(root_page, closed_poll)
    assert Client().get(page.url)[CACHE_HEADER] == "miss"
    assert Client().get(page.url)[CACHE_HEADER] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        closed_poll.question = "Best cake of the whole summer?"
        closed_poll.save()
    response = Client().get(page.url)
    assert response[CACHE_HEADER] == "miss"
    assert "Best cake of the whole summer?" in response.content.decode()


# --- an inactive plugin -----------------------------------------------------------------------------------


def test_while_the_plugin_is_inactive_the_block_shows_nothing_and_the_urls_are_not_found(
    client, site, poll, poll_page, deactivate_plugin
):
    deactivate_plugin(site, "polls")
    response = client.get(poll_page.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "polls-poll" not in html and poll.question not in html
    assert "Tell us what you think." in html, "the rest of the page is there"
    assert client.post(f"/polls/{poll.pk}/vote/", {"choice": choice_ids(poll)[0]}).status_code == 404
    assert client.get(f"/polls/{poll.pk}/results/").status_code == 404
    assert not Vote.objects.exists()


# --- queries -------------------------------------------------------------------------------------------------


def test_a_page_with_poll_blocks_costs_a_few_queries_more_than_one_without(
    client, site, root_page, poll, multi_poll, django_assert_max_num_queries, settings
):
    settings.HEARTHSIDE_PAGE_CACHE_SECONDS = 0  # count the rendering, not a cache hit
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import make_standard

    plain = make_standard(root_page, body=[("paragraph", "<p>Tell us what you think.</p>")])
    one = page_with_poll(root_page, poll)
    two = page_with_poll(root_page, poll, multi_poll)
    for page in (plain, one, two):
        client.get(page.url)  # warm the per-process caches (site root paths, plugin states)

    with CaptureQueriesContext(connection) as without_poll:
        client.get(plain.url)
    baseline = len(without_poll.captured_queries)
    # A newcomer: the polls with their choices (2), however many blocks.
    with django_assert_max_num_queries(baseline + 2):
        client.get(one.url)
    with django_assert_max_num_queries(baseline + 2):
        client.get(two.url)

    # A voter: then for each block, their vote and the results (2).
    for a_poll in (poll, multi_poll):
        vote_from_page(client, two, a_poll, [choice_ids(a_poll)[0]])
    with django_assert_max_num_queries(baseline + 2 + 2 * 2):
        response = client.get(two.url)
    assert len(soup_of(response).select(".polls-result--chosen")) == 2
