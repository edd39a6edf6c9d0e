"""/api/v1/site/: who the business is, how to reach it, how its site looks."""
import pytest
from wagtail.models import Page, Site

from hearthside.models import SiteBranding, StandardPage
from tests.factories import ImageFactory, publish

pytestmark = pytest.mark.django_db


def test_defaults_come_from_the_site(client, site):
    data = client.get("/api/v1/site/").json()
    assert data == {
        "name": "Copper Kettle",
        "tagline": "",
        "hostname": "testserver",
        "root_url": "http://testserver",
        "root_page_id": site.root_page_id,
        "theme": "hearth",
        "email": "",
        "phone": "",
        "address": "",
        "opening_hours": "",
        "logo": None,
        "social_links": [],
    }


def test_branding_contact_details_and_social_links(client, site):
    SiteBranding.objects.update_or_create(
        site=site,
        defaults={
            "brand_name": "The Copper Kettle Bakery",
            "tagline": "Fresh every morning",
            "email": "hello@copperkettle.example",
            "phone": "+44 1632 960000",
            "address": "1 Mill Lane\nKettleby",
            "opening_hours": "Tue–Sat 7–15",
            "instagram_url": "https://instagram.com/copperkettle",
            "mastodon_url": "https://mastodon.social/@copperkettle",
        },
    )
    data = client.get("/api/v1/site/").json()
    assert data["name"] == "The Copper Kettle Bakery"
    assert data["tagline"] == "Fresh every morning"
    assert data["email"] == "hello@copperkettle.example"
    assert data["phone"] == "+44 1632 960000"
    assert data["address"] == "1 Mill Lane\nKettleby"
    assert data["opening_hours"] == "Tue–Sat 7–15"
    assert data["social_links"] == [
        {"network": "Instagram", "url": "https://instagram.com/copperkettle"},
        {"network": "Mastodon", "url": "https://mastodon.social/@copperkettle"},
    ]


def test_logo(client, site):
    image = ImageFactory(title="Kettle logo")
    SiteBranding.objects.update_or_create(site=site, defaults={"logo": image})
    logo = client.get("/api/v1/site/").json()["logo"]
    assert set(logo) == {"url", "width", "height", "alt", "original_url"}
    assert logo["url"].startswith("http") and "/images/" in logo["url"]
    assert logo["original_url"].endswith(image.file.url)
    assert 0 < logo["width"] <= 400 and 0 < logo["height"] <= 160
    assert logo["alt"] == image.default_alt_text


def test_a_missing_theme_reports_the_theme_actually_used(client, site):
    SiteBranding.objects.update_or_create(site=site, defaults={"theme": "gone-theme"})
    assert client.get("/api/v1/site/").json()["theme"] == "hearth"


def test_each_site_answers_for_itself(client, site):
    other_home = publish(Page.get_first_root_node(), StandardPage(title="Mill", slug="mill"))
    other = Site.objects.create(hostname="mill.example", port=80, root_page=other_home, site_name="The Mill")
    SiteBranding.objects.update_or_create(site=other, defaults={"phone": "01632 960111"})

    data = client.get("/api/v1/site/", HTTP_HOST="mill.example").json()
    assert (data["name"], data["hostname"], data["phone"]) == ("The Mill", "mill.example", "01632 960111")
    assert data["root_page_id"] == other_home.pk
    assert client.get("/api/v1/site/").json()["name"] == "Copper Kettle"


def test_read_only(client, site):
    response = client.put("/api/v1/site/", {}, content_type="application/json")
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "PUT" not allowed.'}
