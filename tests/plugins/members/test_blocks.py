"""The signup block editors place in page bodies: what it offers, how it
renders and posts, its data in the pages API, and nothing while the plugin
is inactive."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hearthside.models import SiteBranding
from plugins.members.blocks import SignupBlock, topic_slugs
from plugins.members.config import settings_for, wording_for
from plugins.members.models import Member, Source
from tests.factories import make_article, make_standard
from tests.themes.test_accessibility import check_accessibility

from .test_views import form_values

pytestmark = pytest.mark.usefixtures("generous_member_limits")


def signup_block(**value):
    return ("member_signup", {"heading": "", "intro": "", "button_label": "Sign up", **value})


def page_with(section, *blocks, title="Baking with us"):
    return make_article(section, title=title, body=[("paragraph", "<p>Fresh every morning.</p>"), *blocks])


def blocks_in(client, page):
    response = client.get(page.url)
    assert response.status_code == 200
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    return soup, soup.select("section.members-block")


def test_an_email_only_block_asks_for_the_address_and_shows_what_the_button_agrees_to(client, site, section):
    page = page_with(section, signup_block(heading="Bread news", intro="One email a week.", button_label="Count me in"))
    soup, [block] = blocks_in(client, page)

    assert block.find("h2").get_text() == "Bread news"
    assert "One email a week." in block.get_text()
    form = block.find("form")
    values = form_values(form)
    assert (form["action"], values["source"], values["page"], values["channels"]) == (
        "/members/signup/", "block", str(page.pk), "email",
    )
    assert form.find_all("input", attrs={"type": "checkbox"}) == [], "one channel: nothing to tick"
    button = form.find("button", attrs={"type": "submit"})
    assert button.get_text() == "Count me in"
    assert soup.find(id=button["aria-describedby"]).get_text() == wording_for(site, "email")
    assert values["frequency_email"] == "immediate", "email's frequency can still be chosen"
    assert "csrfmiddlewaretoken" not in values
    check_accessibility(soup)


def test_an_empty_heading_and_intro_take_the_sites_signup_texts(client, site, section):
    page = page_with(section, signup_block())
    _, [block] = blocks_in(client, page)
    assert block.find("h2").get_text() == settings_for(site).signup_heading
    assert settings_for(site).signup_intro in block.get_text()


def test_a_block_offers_the_channels_the_editor_ticked_each_with_its_wording(client, site, section):
    page = page_with(section, signup_block(offer_rss=True, offer_webhook=True))
    _, [block] = blocks_in(client, page)
    boxes = block.find_all("input", attrs={"type": "checkbox", "name": "channels"})
    assert [box["value"] for box in boxes] == ["email", "rss", "webhook"]
    assert not any(box.has_attr("checked") for box in boxes)
    for box in boxes:
        wording = block.find(id=f"{box['id']}-wording")
        assert wording.get_text() == wording_for(site, box["value"])
        assert wording["id"] in box["aria-describedby"]
    assert block.find("input", attrs={"name": "webhook_url"}) is not None
    assert block.find("input", attrs={"name": "phone"}) is None, "no texts offered, so no number asked"


def test_a_block_can_offer_only_some_topics_ticked_in_advance(client, site, section, topic, other_topic):
    page = page_with(section, signup_block(topics="baking, nonsense"))
    _, [block] = blocks_in(client, page)
    boxes = block.find_all("input", attrs={"type": "checkbox", "name": "topics"})
    assert [(box["value"], box.has_attr("checked")) for box in boxes] == [("baking", True)]

    everything = page_with(section, signup_block(), title="All topics")
    _, [block] = blocks_in(client, everything)
    boxes = block.find_all("input", attrs={"type": "checkbox", "name": "topics"})
    assert [(box["value"], box.has_attr("checked")) for box in boxes] == [("baking", False), ("offers", False)]


def test_posting_a_block_signs_up_from_that_block_on_that_page(client, site, section, topic, django_capture_on_commit_callbacks):
    page = page_with(section, signup_block(topics="baking", offer_sms=True))
    _, [block] = blocks_in(client, page)
    form = block.find("form")
    values = {**form_values(form), "email": "lee@example.com", "channels": ["email", "sms"], "phone": "+44 7400 123456"}

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(form["action"], values)

    assert response.status_code == 303
    member = Member.objects.get()
    assert (member.source, member.source_page_id) == (Source.BLOCK, page.pk)
    assert member.pending["channels"] == {"email": "immediate", "sms": "immediate"}
    assert member.pending["topics"] == ["baking"]
    assert member.pending["phone"] == "+447400123456"


def test_two_blocks_and_the_footer_on_one_page_keep_their_ids_apart(client, site, section):
    page = page_with(section, signup_block(offer_sms=True), signup_block(offer_rss=True))
    soup, blocks = blocks_in(client, page)
    assert len(blocks) == 2
    assert len(soup.select("form.members-footer__form")) == 1
    check_accessibility(soup)  # unique ids, labels, heading levels


@pytest.mark.parametrize("theme", ["hearth", "meadow"])
def test_the_block_renders_in_both_themes_and_on_every_page_type(client, site, section, root_page, theme):
    branding = SiteBranding.for_site(site)
    branding.theme = theme
    branding.save()
    for page in (page_with(section, signup_block()), make_standard(root_page, body=[signup_block()])):
        soup, blocks = blocks_in(client, page)
        assert len(blocks) == 1 and soup.body["class"][0] == f"theme-{theme}"
        check_accessibility(soup)


def test_editor_text_in_a_block_is_escaped(client, site, section):
    page = page_with(section, signup_block(heading="<script>alert(1)</script>", intro="<b>bold</b>"))
    html = client.get(page.url).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "<script>alert(1)" not in html


def test_the_pages_api_gives_the_block_with_how_to_send_it(client, site, section, topic):
    page = page_with(section, signup_block(heading="Bread news", offer_sms=True, topics="baking"))
    body = client.get(f"/api/v2/pages/{page.pk}/").json()["body"]
    [block] = [item for item in body if item["type"] == "member_signup"]
    value = block["value"]

    assert value["heading"] == "Bread news" and value["offer_sms"] is True
    assert value["shown"] == {
        "heading": "Bread news", "intro": settings_for(site).signup_intro, "button_label": "Sign up",
    }
    form = value["form"]
    assert form["action"] == "/members/signup/"
    assert form["fields"] == {"source": "block", "page": "", "honeypot": ""}
    assert form["asks_for"] == ["email", "name", "channels", "phone", "topics"]
    assert [(c["key"], c["wording"]) for c in form["channels"]] == [
        ("email", wording_for(site, "email")), ("sms", wording_for(site, "sms")),
    ]
    assert [t["slug"] for t in form["topics"]] == ["baking"]


def test_the_block_shows_nothing_while_the_plugin_is_inactive(client, site, section, deactivate_plugin):
    page = page_with(section, signup_block(heading="Bread news"))
    deactivate_plugin(site, "members")

    html = client.get(page.url).content.decode()
    assert "members-block" not in html and "Bread news" not in html
    assert "Fresh every morning." in html, "the rest of the body is there"
    body = client.get(f"/api/v2/pages/{page.pk}/").json()["body"]
    assert [item["type"] for item in body] == ["paragraph"]


def test_more_blocks_on_a_page_cost_no_more_queries(client, site, section, topic, settings):
    settings.HEARTHSIDE_PAGE_CACHE_SECONDS = 0
    one = page_with(section, signup_block(), title="One")
    three = page_with(section, signup_block(), signup_block(offer_sms=True), signup_block(topics="baking"), title="Three")

    def cost(page):
        client.get(page.url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page.url).status_code == 200
        return len(queries)

    assert cost(three) == cost(one)


def test_a_page_with_a_block_is_served_from_the_page_cache(client, site, section):
    page = page_with(section, signup_block())
    assert not client.get(page.url).cookies
    assert client.get(page.url)["X-Page-Cache"] == "hit"


def test_topic_slugs_are_read_from_what_the_editor_typed():
    assert topic_slugs(" baking, offers;news ,, baking ") == ["baking", "offers", "news"]
    assert topic_slugs("") == []


def test_the_block_is_a_plugin_block_in_every_page_body():
    from hearthside.extending.blocks import PluginBlock
    from hearthside.models import ArticlePage, HomePage, OfferPage, StandardPage

    for model in (ArticlePage, HomePage, OfferPage, StandardPage):
        block = model._meta.get_field("body").stream_block.child_blocks["member_signup"]
        assert isinstance(block, SignupBlock) and isinstance(block, PluginBlock), model
