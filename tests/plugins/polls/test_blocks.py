"""The question block: in every page type's body (and not in the core's
migrations), drawn in both themes, its poll's data in the pages API, and
nothing for a deleted poll, another site's poll, or an inactive plugin."""
from __future__ import annotations

import datetime
import json

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone
from wagtail.models import Site

from hearthside.models import ArticlePage, HomePage, OfferPage, SiteBranding, StandardPage
from plugins.polls import voting
from plugins.polls.blocks import PollBlock
from plugins.polls.models import Poll
from tests.factories import make_article, make_section
from tests.themes.test_accessibility import check_accessibility

from .factories import choice_ids, make_poll, page_with_poll, poll_block

pytestmark = pytest.mark.django_db


def api_blocks(client, page):
    response = client.get(f"/api/v2/pages/{page.pk}/")
    assert response.status_code == 200
    return [item for item in response.json()["body"] if item["type"] == "poll"]


@pytest.mark.parametrize("page_type", [HomePage, ArticlePage, OfferPage, StandardPage])
def test_every_page_body_offers_the_poll_block(page_type):
    assert isinstance(page_type._meta.get_field("body").stream_block.child_blocks["poll"], PollBlock)


def test_the_core_migrations_do_not_record_the_poll_block():
    _, _, args, kwargs = StandardPage._meta.get_field("body").deconstruct()
    assert "poll" not in [name for name, _ in args[0]]
    assert "polls" not in json.dumps(kwargs["block_lookup"], default=str).lower()


@pytest.mark.parametrize("theme", ["hearth", "meadow"])
def test_the_block_renders_in_both_themes_on_articles_and_pages(client, site, root_page, poll, theme):
    branding = SiteBranding.for_site(site)
    branding.theme = theme
    branding.save()
    section = make_section(root_page, show_in_menus=True)
    article = make_article(section, body=[("paragraph", "<p>Our bread.</p>"), poll_block(poll)])
    for page in (article, page_with_poll(root_page, poll)):
        soup = BeautifulSoup(client.get(page.url).content.decode(), "html.parser")
        assert soup.body["class"][0] == f"theme-{theme}"
        [block] = soup.select(".polls-block")
        assert block.find("h2").get_text() == poll.question
        check_accessibility(soup)


def test_one_poll_twice_on_a_page_keeps_its_ids_apart(client, site, root_page, poll):
    page = page_with_poll(root_page, poll, poll)
    soup = BeautifulSoup(client.get(page.url).content.decode(), "html.parser")
    assert [s["id"] for s in soup.select("section.polls-poll")] == [f"poll-{poll.pk}", f"poll-{poll.pk}-2"]
    check_accessibility(soup)


def test_a_deleted_poll_or_another_sites_poll_shows_nothing(client, site, root_page, poll):
    other_site = Site.objects.create(hostname="florist.example", root_page=root_page)
    elsewhere = make_poll(other_site, question="Tulips or roses?")
    page = page_with_poll(root_page, poll, elsewhere)
    Poll.objects.filter(pk=poll.pk).delete()

    html = client.get(page.url).content.decode()
    assert "polls-poll" not in html and "Tulips or roses?" not in html
    assert api_blocks(client, page) == []


def test_the_pages_api_gives_the_polls_data_and_how_to_vote(client, site, root_page, multi_poll):
    page = page_with_poll(root_page, multi_poll)
    [block] = api_blocks(client, page)
    poll = block["value"]["poll"]
    assert poll == {
        "id": multi_poll.pk,
        "question": "What should the new café corner have?",
        "description": "",
        "multiple": True,
        "allow_text": True,
        "text_label": "Anything else?",
        "text_max_length": 500,
        "choices": [
            {"id": pk, "label": label}
            for pk, label in zip(choice_ids(multi_poll), ["Sofas", "Plugs", "Books", "Games"])
        ],
        "opens_at": None,
        "closes_at": None,
        "is_open": True,
        "has_closed": False,
        "results_shown": "after_voting",
        "vote_url": f"http://testserver/api/v1/polls/{multi_poll.pk}/vote/",
        "results_url": f"http://testserver/api/v1/polls/{multi_poll.pk}/",
        "form_url": f"http://testserver/polls/{multi_poll.pk}/vote/",
        "results": None,
    }


def test_the_pages_api_gives_everyone_the_results_once_the_poll_closed(client, site, root_page):
    poll = make_poll(site, closes_at=timezone.now() + datetime.timedelta(minutes=5))
    voting.cast_vote(poll, voting.Voter("browser:a", ("browser:a",)), [choice_ids(poll)[0]])
    Poll.objects.filter(pk=poll.pk).update(closes_at=timezone.now() - datetime.timedelta(minutes=1))
    page = page_with_poll(root_page, poll)

    data = api_blocks(client, page)[0]["value"]["poll"]
    assert (data["is_open"], data["has_closed"]) == (False, True)
    assert data["results"]["total"] == 1
    assert [c["votes"] for c in data["results"]["choices"]] == [1, 0, 0]


def test_while_the_plugin_is_inactive_the_api_leaves_the_block_out(
    client, site, root_page, poll, deactivate_plugin
):
    page = page_with_poll(root_page, poll)
    assert len(api_blocks(client, page)) == 1
    deactivate_plugin(site, "polls")
    assert api_blocks(client, page) == []
    body = client.get(f"/api/v2/pages/{page.pk}/").json()["body"]
    assert [item["type"] for item in body] == ["paragraph"]


def test_the_page_editor_offers_the_poll_block(client, site, root_page, poll, editor):
    page = page_with_poll(root_page, poll)
    client.force_login(editor)
    response = client.get(f"/admin/pages/{page.pk}/edit/")
    assert response.status_code == 200
    # The body's block definitions, with the poll block's snippet chooser.
    assert "snippets/choose/polls/poll/" in response.content.decode()


def test_a_body_rendered_without_a_request_shows_no_poll(site, root_page, poll):
    """As in a newsletter email: no visitor to show, no CSRF token to post with."""
    page = page_with_poll(root_page, poll)
    assert "polls-poll" not in page.body.render_as_block(context={"page": page})
    assert "Tell us what you think." in str(page.body)
    assert "polls-poll" not in str(page.body)
