"""The question page: where it may be created, how it looks in both themes
(the plugin's template through the theme chain), the thank-you after
voting, its poll in the pages API, and a 404 while the plugin is inactive."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from wagtail.models import Site

from hearthside.models import ArticlePage, HomePage, OfferPage, SectionIndexPage, SiteBranding, StandardPage
from plugins.polls.models import Poll, QuestionPage
from plugins.polls.pages import QuestionPageForm
from tests.factories import make_section, publish
from tests.themes.test_accessibility import check_accessibility

from .factories import choice_ids, make_poll

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("generous_vote_limits")]


INTRO = "We bake one special loaf each Saturday. You choose it."
THANKS = "Thanks! We'll bake the winner on the first Saturday."


def make_question_page(parent, poll, **fields):
    fields.setdefault("show_in_menus", True)
    return publish(
        parent,
        QuestionPage(
            title=fields.pop("title", "Saturday bread"), slug=fields.pop("slug", "saturday-bread"),
            intro=fields.pop("intro", INTRO),
            poll=poll,
            **fields,
        ),
    )


@pytest.fixture
def question_page(root_page, poll):
    return make_question_page(root_page, poll, thank_you=THANKS)


def soup_of(response):
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser")


# --- where it goes ------------------------------------------------------------------------------


def test_it_names_the_home_and_section_pages_as_its_parents_and_has_no_children():
    assert QuestionPage.clean_parent_page_models() == [HomePage, SectionIndexPage]
    assert QuestionPage.clean_subpage_models() == []
    for page_type in (ArticlePage, OfferPage, StandardPage):
        assert not QuestionPage.can_exist_under(page_type())


def test_editors_can_create_it_under_the_home_page_and_a_section(root_page):
    assert QuestionPage.can_create_at(root_page)
    assert QuestionPage.can_create_at(make_section(root_page))


def test_it_is_not_offered_where_polls_is_inactive(site, root_page, deactivate_plugin):
    deactivate_plugin(site, "polls")
    assert not QuestionPage.can_create_at(root_page)


def test_the_admin_form_refuses_a_poll_of_another_site(site, root_page, poll):
    other_site = Site.objects.create(hostname="florist.example", root_page=root_page)
    elsewhere = make_poll(other_site)
    form_class = QuestionPage.get_edit_handler().get_form_class()
    assert issubclass(form_class, QuestionPageForm)

    def form_for(a_poll):
        data = {"title": "Vote", "slug": "vote", "poll": a_poll.pk, "intro": "", "thank_you": ""}
        return form_class(data, instance=QuestionPage(), parent_page=root_page, for_user=None)

    refused = form_for(elsewhere)
    assert not refused.is_valid()
    assert refused.errors["poll"] == ["This poll belongs to another site: choose one of this site's polls."]
    assert "poll" not in form_for(poll).errors


# --- how it looks ------------------------------------------------------------------------------------


@pytest.mark.parametrize("theme", ["hearth", "meadow"])
def test_it_renders_in_both_themes_with_its_intro_and_form(client, site, question_page, poll, theme):
    branding = SiteBranding.for_site(site)
    branding.theme = theme
    branding.save()
    response = client.get(question_page.url)
    assert [t.name for t in response.templates][:2] == ["polls/question_page.html", "base.html"]
    soup = soup_of(response)
    assert soup.body["class"] == [f"theme-{theme}", "page-question"]
    assert soup.find("h1").get_text() == "Saturday bread"
    assert soup.select_one(".article__header .lead").get_text() == INTRO
    section = soup.find("section", id=f"poll-{poll.pk}")
    assert section.find("h2").get_text() == poll.question
    assert section.select_one("form.polls-form input[name=next]")["value"] == question_page.url
    check_accessibility(soup)


def test_after_voting_the_page_says_its_thank_you_with_the_results(client, site, question_page, poll):
    response = client.post(f"/polls/{poll.pk}/vote/", {"choice": choice_ids(poll)[0], "next": question_page.url})
    assert response["Location"] == f"{question_page.url}#poll-{poll.pk}"
    soup = soup_of(client.get(question_page.url))
    assert soup.select_one(".polls-poll__thanks").get_text() == THANKS
    assert len(soup.select(".polls-result")) == 3
    check_accessibility(soup)


def test_a_page_whose_poll_was_deleted_says_the_question_is_gone(client, site, question_page, poll):
    Poll.objects.filter(pk=poll.pk).delete()
    question_page.refresh_from_db()
    assert question_page.poll is None, "the page stays"
    soup = soup_of(client.get(question_page.url))
    assert "This question isn't asked any more." in soup.get_text()
    check_accessibility(soup)


def test_a_page_whose_poll_belongs_to_another_site_shows_no_poll(client, site, root_page):
    other_site = Site.objects.create(hostname="florist.example", root_page=root_page)
    page = make_question_page(root_page, make_poll(other_site, question="Tulips or roses?"))
    html = client.get(page.url).content.decode()
    assert "Tulips or roses?" not in html and "This question isn't asked any more." in html
    assert client.get(f"/api/v2/pages/{page.pk}/").json()["poll"] is None


def test_the_intro_and_thank_you_are_escaped(client, site, root_page, poll):
    page = make_question_page(root_page, poll, intro="<script>alert(1)</script>", thank_you="<b>ta</b>")
    client.post(f"/polls/{poll.pk}/vote/", {"choice": choice_ids(poll)[0]})
    html = client.get(page.url).content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>ta</b>" not in html and "&lt;b&gt;ta&lt;/b&gt;" in html


# --- the pages API ---------------------------------------------------------------------------------------


def test_the_pages_api_lists_it_and_gives_its_poll(client, site, question_page, poll):
    listing = client.get("/api/v2/pages/", {"type": "polls.QuestionPage", "fields": "intro,poll"}).json()
    [item] = listing["items"]
    assert item["id"] == question_page.pk and item["meta"]["type"] == "polls.QuestionPage"
    assert item["poll"]["id"] == poll.pk and item["poll"]["question"] == poll.question

    detail = client.get(f"/api/v2/pages/{question_page.pk}/").json()
    assert detail["intro"] == question_page.intro
    assert detail["thank_you"] == THANKS
    assert [c["id"] for c in detail["poll"]["choices"]] == choice_ids(poll)
    assert detail["poll"]["vote_url"] == f"http://testserver/api/v1/polls/{poll.pk}/vote/"
    assert detail["poll"]["results"] is None


def test_listing_question_pages_with_their_polls_costs_the_same_for_one_page_or_six(
    client, site, root_page, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def listing():
        return client.get("/api/v2/pages/", {"type": "polls.QuestionPage", "fields": "poll"}).json()["items"]

    make_question_page(root_page, make_poll(site), title="Question 0", slug="question-0")
    listing()  # warm the per-process caches (site root paths, plugin states)
    with CaptureQueriesContext(connection) as one_page:
        listing()
    for number in range(1, 6):
        make_question_page(root_page, make_poll(site), title=f"Question {number}", slug=f"question-{number}")
    # The polls, then all their choices, in one query each.
    with django_assert_max_num_queries(len(one_page.captured_queries)):
        items = listing()
    assert [len(item["poll"]["choices"]) for item in items] == [3] * 6


# --- an inactive plugin ----------------------------------------------------------------------------------


def test_while_the_plugin_is_inactive_the_page_is_not_found_nor_in_the_api(
    client, site, question_page, deactivate_plugin
):
    deactivate_plugin(site, "polls")
    assert client.get(question_page.url).status_code == 404
    assert client.get(f"/api/v2/pages/{question_page.pk}/").status_code == 404
    ids = [item["id"] for item in client.get("/api/v2/pages/").json()["items"]]
    assert question_page.pk not in ids


# --- the admin -------------------------------------------------------------------------------------------


def test_editors_edit_a_question_page_and_pick_its_poll_with_the_snippet_chooser(client, site, question_page, editor):
    client.force_login(editor)
    response = client.get(f"/admin/pages/{question_page.pk}/edit/")
    assert response.status_code == 200
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    chooser = soup.find("input", attrs={"name": "poll"})
    assert chooser is not None and chooser["value"] == str(question_page.poll_id)
    assert 'new SnippetChooser("id_poll", {"modalUrl": "/admin/snippets/choose/polls/poll/"})' in str(soup)
