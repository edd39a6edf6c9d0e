"""Every page type renders in both shipped themes, with the right content."""
import re

from bs4 import BeautifulSoup
from django.core.cache import cache

from .conftest import SLOT_NAMES


def soup_of(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


def text_of(response):
    return " ".join(soup_of(response).get_text(" ").split())


def check_home_page(client, theme, bakery):
    response = client.get("/")
    assert response.status_code == 200
    soup = soup_of(response)
    h1 = soup.find_all("h1")
    assert [h.get_text(strip=True) for h in h1] == ["Fresh every morning"]
    text = text_of(response)
    # Latest articles from the featured section, newest first, three at most.
    for article in bakery.articles[1:]:
        assert article.title in text
    assert bakery.articles[0].title not in text
    # Featured offer and the hero's call to action.
    assert "Two loaves, one price" in text and "2 for £4.50" in text
    assert soup.find("a", href=bakery.offer.url, string=re.compile("See this week’s specials"))
    # Hero and card images use the prefetched specs.
    assert "fill-1600x700" in response.content.decode()
    assert "fill-640x400" in response.content.decode()
    # Header: brand, menu of the root's in-menu children, search; footer: contact details.
    nav = soup.find("nav", attrs={"aria-label": "Main"})
    assert [a.get_text(strip=True) for a in nav.find_all("a")] == ["Journal", "Two loaves, one price", "About us"]
    assert soup.find("form", attrs={"action": "/search/"})
    footer = soup.find("footer")
    footer_text = " ".join(footer.get_text(" ").split())
    for expected in ("Copper Kettle Bakery", "14 Mill Lane", "0161 496 0123", "hello@copperkettle.example",
                     "Mon–Fri: 7am – 4pm", "Instagram"):
        assert expected in footer_text
    assert footer.find("a", href="tel:01614960123")
    assert re.search(r"©\s*\d{4} Copper Kettle Bakery", footer_text)


def check_section_page_lists_cards_and_tag_filter(client, theme, bakery):
    response = client.get(bakery.section.url)
    assert response.status_code == 200
    soup = soup_of(response)
    assert soup.h1.get_text(strip=True) == "Journal"
    assert "News & recipes from the bakery." in text_of(response)
    filter_nav = soup.find("nav", attrs={"aria-label": "Filter by topic"})
    links = {a.get_text(strip=True): a for a in filter_nav.find_all("a")}
    assert set(links) == {"All", "Baking", "Behind the scenes", "Recipes", "People"}
    assert links["All"].get("aria-current") == "page"
    assert links["Baking"]["href"] == f"{bakery.section.url}?tag=baking"
    # per_page is 2: the two newest articles, with date, summary and tags.
    cards = soup.select(".card")
    assert len(cards) == 2
    newest = bakery.articles[-1]
    assert newest.title in cards[0].get_text()
    assert newest.summary in cards[0].get_text()
    assert cards[0].find("time")["datetime"] == newest.date.isoformat()
    assert cards[0].find("a", href=f"{bakery.section.url}?tag=people")
    assert cards[0].find("img", src=re.compile("fill-640x400"))


def check_section_tag_filter_marks_current_and_pagination_keeps_it(client, theme, bakery):
    response = client.get(bakery.section.url, {"tag": "baking"})
    soup = soup_of(response)
    current = soup.find("nav", attrs={"aria-label": "Filter by topic"}).find_all(attrs={"aria-current": "page"})
    assert [a.get_text(strip=True) for a in current] == ["Baking"]
    titles = [card.find(class_="card__title").get_text(strip=True) for card in soup.select(".card")]
    assert titles == [bakery.tagged[2].title, bakery.tagged[1].title]
    pagination = soup.find("nav", attrs={"aria-label": "Pagination"})
    next_link = pagination.find("a", rel="next")
    assert next_link["href"] == "?tag=baking&page=2"
    assert pagination.find("a", attrs={"aria-current": "page"}).get_text(strip=True).endswith("1")

    page_two = soup_of(client.get(bakery.section.url, {"tag": "baking", "page": 2}))
    assert [c.find(class_="card__title").get_text(strip=True) for c in page_two.select(".card")] == [
        bakery.tagged[0].title
    ]
    assert page_two.find("a", rel="prev")["href"] == "?tag=baking&page=1"


def check_section_with_unknown_tag_says_so(client, theme, bakery):
    response = client.get(bakery.section.url, {"tag": "<b>nope</b>"})
    assert response.status_code == 200
    assert "Nothing tagged “<b>nope</b>” yet." in text_of(response)
    assert b"<b>nope</b>" not in response.content


def check_article_page(client, theme, bakery):
    article = bakery.articles[0]
    response = client.get(article.url)
    assert response.status_code == 200
    soup = soup_of(response)
    html = response.content.decode()
    assert soup.h1.get_text(strip=True) == article.title
    text = text_of(response)
    assert "Hannah Cole" in text
    assert soup.find("time", attrs={"datetime": article.date.isoformat()})
    # Tags link to the parent section, filtered.
    topics = soup.find("ul", attrs={"aria-label": "Topics"})
    assert {a["href"] for a in topics.find_all("a")} == {
        f"{bakery.section.url}?tag=baking", f"{bakery.section.url}?tag=behind-the-scenes"
    }
    # Feature image, body blocks and body images with the prefetched specs.
    assert soup.find("img", src=re.compile("fill-1600x700"))
    assert soup.find("h2", string="The long, slow rise")
    assert "Thirty-six hours in the fridge." in text
    quote = soup.find("figure", class_="body-quote")
    assert quote.blockquote.get_text(strip=True) == "Good bread takes time."
    assert "Hannah, head baker" in quote.figcaption.get_text()
    assert soup.find("a", href="https://example.com/book", string="Book a place")
    figures = soup.select("figure.body-image")
    assert len(figures) == 2
    for number, figure in enumerate(figures):
        img = figure.img
        assert "width-1200" in img["src"] and "width-800" in img["srcset"]
        assert img["alt"].startswith("Image ")  # no alt text given: falls back to the image title
        assert figure.figcaption.get_text(strip=True) == f"Picture {number}"
    # Related pages as cards, in the editor's order.
    related = soup.find("section", attrs={"aria-labelledby": "related-title"})
    assert [a.get_text(strip=True) for a in related.select(".card__title a")] == [
        "Two loaves, one price", "About us"
    ]
    assert "fill-640x400" in str(related)
    assert "Journal" in soup.find(class_="eyebrow").get_text()
    assert html.count('aria-current="true"') == 1  # the section is marked in the menu


def check_offer_page(client, theme, bakery):
    response = client.get(bakery.offer.url)
    assert response.status_code == 200
    soup = soup_of(response)
    text = text_of(response)
    assert soup.h1.get_text(strip=True) == "Two loaves, one price"
    assert "2 for £4.50" in text
    assert "Valid until" in text
    assert soup.find("time", attrs={"datetime": bakery.offer.valid_until.isoformat()})
    assert soup.find("a", href="https://example.com/reserve", string="Reserve your loaves")
    assert "Weekdays before 10am only." in text
    assert "has ended" not in text


def check_expired_offer_says_so_and_hides_the_button(client, theme, bakery):
    response = client.get(bakery.expired_offer.url)
    assert response.status_code == 200
    text = text_of(response)
    assert "This offer has ended." in text
    assert not soup_of(response).find("a", href="https://example.com/pancakes")


def check_expired_offer_is_not_featured_on_home(client, theme, bakery):
    bakery.home.featured_offer = bakery.expired_offer
    bakery.home.save_revision().publish()
    cache.clear()  # publishing purges the page cache on commit, which a test never reaches
    text = text_of(client.get("/"))
    assert "Pancake Day bundle" not in text and "Special offer" not in text


def check_standard_page(client, theme, bakery):
    response = client.get(bakery.standard.url)
    assert response.status_code == 200
    soup = soup_of(response)
    assert soup.h1.get_text(strip=True) == "About us"
    text = text_of(response)
    assert "A family bakery on Mill Lane since 1998." in text
    assert "We bake everything on site, every day." in text
    assert soup.find("nav", attrs={"aria-label": "Main"}).find("a", attrs={"aria-current": "page"}).get_text(
        strip=True
    ) == "About us"


def check_search_page(client, theme, bakery):
    response = client.get("/search/", {"q": "sourdough"})
    assert response.status_code == 200
    soup = soup_of(response)
    assert soup.h1.get_text(strip=True) == "Search results"
    assert soup.find("input", attrs={"name": "q", "value": "sourdough", "id": "search-page-q"})
    results = soup.select(".search-result")
    assert "How we make our sourdough" in [r.h2.get_text(strip=True) for r in results]
    assert re.search(r"\d+ results? for “sourdough”", text_of(response))
    assert "sourdough" in soup.title.get_text()


def check_empty_search_page(client, theme, bakery):
    response = client.get("/search/")
    assert response.status_code == 200
    assert soup_of(response).h1.get_text(strip=True) == "Search"
    response = client.get("/search/", {"q": "zzzzqqq"})
    assert "0 results for “zzzzqqq”" in text_of(response)


def check_not_found_page(client, theme, bakery):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    soup = soup_of(response)
    assert "can’t find that page" in soup.h1.get_text()
    assert soup.find("form", attrs={"action": "/search/"})
    assert "Copper Kettle Bakery" in soup.title.get_text()
    assert f"/static/themes/{theme}/css/site.css" in response.content.decode()


PAGE_CHECKS = [
    check_home_page,
    check_section_page_lists_cards_and_tag_filter,
    check_section_tag_filter_marks_current_and_pagination_keeps_it,
    check_section_with_unknown_tag_says_so,
    check_article_page,
    check_offer_page,
    check_expired_offer_says_so_and_hides_the_button,
    check_standard_page,
    check_search_page,
    check_empty_search_page,
    check_not_found_page,
    check_expired_offer_is_not_featured_on_home,  # last: it changes the home page
]


def test_every_page_type_renders_its_content(client, theme, bakery):
    """One test per theme (building the site is the slow part); each check
    is a function above, named in the traceback when it fails."""
    for check in PAGE_CHECKS:
        check(client, theme, bakery)


def test_slots_render_once_in_the_right_places(client, theme, bakery, slot_markers):
    # Article and standard pages: all five slots, once each.
    for page, body_text in ((bakery.articles[0], "Book a place"), (bakery.standard, "We bake everything")):
        response = client.get(page.url)
        soup = soup_of(response)
        html = response.content.decode()
        for name in set(SLOT_NAMES) - {"card.meta"}:
            assert html.count(slot_markers[name]) == 1, (page.title, name)
        assert soup.head.find(attrs={"data-test-slot": "site.head"})
        assert soup.find("footer").find(attrs={"data-test-slot": "site.footer"})
        assert soup.find("aside", class_="sidebar").find(attrs={"data-test-slot": "page.sidebar"})
        assert soup.find("main").find(attrs={"data-test-slot": "page.after_body"})
        # site.header comes after the navigation and before the main content;
        # page.after_body after the body.
        assert html.index('aria-label="Main"') < html.index(slot_markers["site.header"]) < html.index('id="main"')
        assert html.index(body_text) < html.index(slot_markers["page.after_body"])
    # Home, section and offer pages: every slot but the sidebar, once each.
    for page in (bakery.home, bakery.section, bakery.offer):
        html = client.get(page.url).content.decode()
        for name in ("site.head", "site.header", "page.after_body", "site.footer"):
            assert html.count(slot_markers[name]) == 1, (page.title, name)
    # card.meta: once under each article card of a listing.
    response = client.get(bakery.section.url)
    cards = soup_of(response).find_all("article", class_="card")
    assert cards and all(card.find(attrs={"data-test-slot": "card.meta"}) for card in cards)
    # Search and 404 have no page: the site-wide slots still render.
    for url, status in (("/search/?q=bread", 200), ("/missing/", 404)):
        response = client.get(url)
        assert response.status_code == status
        html = response.content.decode()
        for name in ("site.head", "site.header", "site.footer"):
            assert html.count(slot_markers[name]) == 1, (url, name)


def test_sample_plugin_greeting_appears_in_both_themes(client, theme, bakery, site, activate_plugin,
                                                       deactivate_plugin):
    assert "Hello from the sample plugin" in text_of(client.get(bakery.articles[0].url))
    activate_plugin(site, "sample_plugin")
    for page in (bakery.home, bakery.articles[0], bakery.standard, bakery.offer, bakery.section):
        text = text_of(client.get(page.url))
        assert text.count("Welcome, neighbour!") == 1, page.title
    deactivate_plugin(site, "sample_plugin")
    text = text_of(client.get(bakery.articles[0].url))
    assert "Welcome, neighbour!" not in text and "Hello from the sample plugin" not in text


def test_editor_text_is_escaped(client, theme, bakery):
    bakery.branding.tagline = "<script>alert('tag')</script>"
    bakery.branding.opening_hours = "<img src=x onerror=alert(1)>"
    bakery.branding.save()
    article = bakery.articles[0]
    article.title = "Bread & <em>butter</em>"
    article.author_name = "<b>Hannah</b>"
    article.summary = "<i>summary</i>"
    article.save_revision().publish()
    bakery.offer.terms = "<u>terms</u>"
    bakery.offer.save_revision().publish()
    bakery.standard.intro = "<s>intro</s> & more"  # plain text, shown in related cards and search results
    bakery.standard.save_revision().publish()
    raw_snippets = ("<script>alert", "<img src=x", "<em>butter</em>", "<b>Hannah</b>", "<i>summary</i>", "<u>terms",
                    "<s>intro</s>")
    for url in ("/", article.url, bakery.offer.url, bakery.section.url, bakery.standard.url, "/search/?q=intro"):
        html = client.get(url).content.decode()
        for raw in raw_snippets:
            assert raw not in html, (url, raw)
    assert "&lt;s&gt;intro&lt;/s&gt; &amp; more" in client.get(article.url).content.decode()
    assert "&lt;em&gt;butter&lt;/em&gt;" in client.get(article.url).content.decode()
