"""The "Hear from us" signup in every page's footer: its data (what the pages
API and a headless front end get), its HTML in both themes, when it is left
out, and what it costs in queries."""
from __future__ import annotations

import dataclasses

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from hearthside.extending import slots
from hearthside.extending.activation import active_plugin_labels
from hearthside.models import SiteBranding
from plugins.members import hooks
from plugins.members.config import save_settings, settings_for, wording_for
from plugins.members.models import Member
from plugins.members.slots import FooterSignup
from tests.factories import make_article
from tests.themes.test_accessibility import check_accessibility

pytestmark = pytest.mark.usefixtures("generous_member_limits")


@pytest.fixture
def article(section):
    return make_article(section, title="Spelt sourdough")


def page_request(page=None, path="/"):
    """A request as the middleware leaves it: its site, branding and plugin
    states already read (the page's own render reads them anyway)."""
    from wagtail.models import Site

    request = RequestFactory().get(page.url if page else path, HTTP_HOST="testserver")
    request.user = AnonymousUser()
    site = Site.find_for_request(request)
    SiteBranding.for_request(request)
    active_plugin_labels(site)
    return request


def footer_data(page=None):
    return FooterSignup().data(page_request(page), page=page)


def change_settings(site, **changes):
    save_settings(site, dataclasses.replace(settings_for(site), **changes))


def test_the_footer_as_data_has_everything_a_front_end_needs_to_sign_people_up(site, article, topic):
    data = footer_data(article)

    assert (data["heading"], data["intro"]) == (settings_for(site).signup_heading, settings_for(site).signup_intro)
    assert data["consent_wording"] == wording_for(site, "email")
    assert data["more_options_url"] == f"/members/signup/?page={article.pk}"
    assert data["preferences_url"] == "/members/access/"
    form = data["form"]
    assert (form["action"], form["method"], form["csrf_required"]) == ("/members/signup/", "post", False)
    assert form["fields"] == {"source": "footer", "page": str(article.pk), "channels": "email", "honeypot": ""}
    assert form["asks_for"] == ["email"]
    assert [c["key"] for c in form["channels"]] == ["email"]
    assert [c["key"] for c in data["channels"]] == ["email", "sms", "rss", "webhook"]
    assert {c["key"]: c["wording"] for c in data["channels"]} == {
        key: wording_for(site, key) for key in ("email", "sms", "rss", "webhook")
    }
    assert data["topics"] == [{"slug": "baking", "name": "Baking tips", "description": ""}]


def test_off_a_page_the_footer_names_no_page(site):
    data = footer_data(None)
    assert data["form"]["fields"]["page"] == ""
    assert data["more_options_url"] == "/members/signup/"


def test_the_pages_api_gives_the_footer_and_a_front_end_can_post_it(client, site, article, django_capture_on_commit_callbacks):
    response = client.get(f"/api/v2/pages/{article.pk}/")
    [entry] = [e for e in response.json()["meta"]["slots"]["site.footer"] if e["plugin"] == "members"]
    assert entry["component"] == "FooterSignup"
    assert entry["data"] == footer_data(article)

    form = entry["data"]["form"]
    with django_capture_on_commit_callbacks(execute=True):
        posted = client.post(form["action"], {**form["fields"], "email": "app@example.com"})

    assert posted.status_code == 303
    member = Member.objects.get()
    assert (member.email, member.source_detail, member.source_page_id) == ("app@example.com", "Footer form", article.pk)


@pytest.mark.parametrize("theme", ["hearth", "meadow"])
def test_every_page_shows_the_footer_form_in_both_themes(client, site, article, theme):
    branding = SiteBranding.for_site(site)
    branding.theme = theme
    branding.save()
    more_options = {
        "/": f"/members/signup/?page={site.root_page_id}",
        article.url: f"/members/signup/?page={article.pk}",
        "/search/?q=bread": "/members/signup/",  # not a page: no page to credit
    }
    for url, more_options_url in more_options.items():
        soup = BeautifulSoup(client.get(url).content.decode(), "html.parser")
        assert soup.body["class"][0] == f"theme-{theme}"
        footer = soup.find("footer").find("section", class_="members-footer")
        assert footer is not None, url
        assert footer.find("h2").get_text() == "Hear from us"
        email = footer.find("input", attrs={"type": "email"})
        assert footer.find("label", attrs={"for": email["id"]}).get_text() == "Your email address"
        consent = footer.find(id=email["aria-describedby"])
        assert consent.get_text() == wording_for(site, "email")
        assert footer.find("a", href=more_options_url), url
        check_accessibility(soup)


def test_the_sites_texts_are_shown_escaped(client, site, article):
    change_settings(site, signup_heading="News <script>alert(1)</script>", signup_intro="Bread & <b>butter</b>")
    page = client.get(article.url).content.decode()
    assert "News &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Bread &amp; &lt;b&gt;butter&lt;/b&gt;" in page
    assert "<script>alert(1)" not in page


def test_a_site_can_turn_the_footer_form_off(client, site, article):
    change_settings(site, footer_form=False)
    assert footer_data(article) is None
    assert "members-footer" not in client.get(article.url).content.decode()
    assert client.get("/members/signup/").status_code == 200, "the signup page still works"


def test_no_footer_form_on_a_site_without_the_email_channel(site, article):
    def without_email(channels, site, **kwargs):
        return [channel for channel in channels if channel.key != "email"]

    with hooks.member_channels.connected(without_email):
        assert footer_data(article) is None


def test_no_footer_form_while_the_plugin_is_inactive(client, site, article, deactivate_plugin):
    deactivate_plugin(site, "members")
    request = page_request(article)
    assert [entry for entry in slots.site_footer.data(request, site, page=article) if entry["plugin"] == "members"] == []
    assert "members-footer" not in client.get(article.url).content.decode()
    api = client.get(f"/api/v2/pages/{article.pk}/").json()
    assert all(entry["plugin"] != "members" for entry in api["meta"]["slots"]["site.footer"])


def test_the_footer_costs_two_queries_and_none_again_on_the_same_request(site, article, topic, other_topic):
    request = page_request(article)
    component = FooterSignup()
    with CaptureQueriesContext(connection) as first:
        data = component.data(request, page=article)
        component.render(request, data, page=article)
    with CaptureQueriesContext(connection) as again:
        component.data(request, page=article)  # a listing in the API asks once per page
        component.render(request, data, page=article)

    assert len(first) <= 2, [q["sql"] for q in first.captured_queries]
    assert len(again) == 0, [q["sql"] for q in again.captured_queries]


def test_the_footer_does_not_keep_a_page_out_of_the_page_cache(client, site, article):
    first = client.get(article.url)
    assert not first.cookies
    assert client.get(article.url)["X-Page-Cache"] == "hit"
