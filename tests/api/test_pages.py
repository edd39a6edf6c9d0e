"""/api/v2/pages/: what is served, slots, the api_page_payload filter, limits,
errors and query counts."""
import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from hearthside.extending import hooks, slots
from hearthside.extending.slots import all_slots
from tests.factories import make_article, make_standard

PUBLIC = ("home", "journal", "article", "about")
HIDDEN = ("draft", "unpublished", "private_section", "private_article", "other_home", "other_page")

pytestmark = pytest.mark.django_db


def listing_ids(client, query="", **extra):
    response = client.get(f"/api/v2/pages/?limit=50{query}", **extra)
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def sample_contributions(page_json):
    return [c for c in page_json["meta"]["slots"]["page.after_body"] if c["plugin"] == "sample_plugin"]


# --- what is served ---------------------------------------------------------


def test_listing_has_public_pages_of_this_site_only(client, tree):
    ids = listing_ids(client)
    assert {tree[name].pk for name in PUBLIC} <= ids
    assert not ids & {tree[name].pk for name in HIDDEN}


def test_detail_of_a_hidden_page_is_404(client, tree):
    for name in HIDDEN:
        response = client.get(f"/api/v2/pages/{tree[name].pk}/")
        assert response.status_code == 404, name
        assert response.json() == {"message": "No Page matches the given query."}


def test_detail_of_a_public_page(client, tree):
    for name in PUBLIC:
        response = client.get(f"/api/v2/pages/{tree[name].pk}/")
        assert response.status_code == 200, name
        assert response.json()["title"] == tree[name].title


def test_private_pages_stay_hidden_from_users_the_restriction_admits(client, admin_user, tree):
    """v2 answers the same whoever asks: private sections are not served at all."""
    client.force_login(admin_user)
    assert tree["private_article"].pk not in listing_ids(client)
    assert client.get(f"/api/v2/pages/{tree['private_article'].pk}/").status_code == 404


def test_the_other_site_gets_its_own_pages(client, tree):
    ids = listing_ids(client, HTTP_HOST="other.example")
    assert ids == {tree["other_home"].pk, tree["other_page"].pk}
    assert client.get(f"/api/v2/pages/{tree['article'].pk}/", HTTP_HOST="other.example").status_code == 404


def test_asking_for_another_site_by_parameter_is_refused(client, site):
    response = client.get("/api/v2/pages/?site=other.example")
    assert response.status_code == 400
    assert response.json() == {"message": "query parameter is not an operation or a recognised field: site"}


def test_find_by_path_stays_within_public_pages(client, tree):
    path_on_site = tree["article"].url_path[len(tree["home"].url_path) - 1 :]  # /section-n/article-n/
    found = client.get(f"/api/v2/pages/find/?html_path={path_on_site}")
    assert found.status_code == 302
    assert found["Location"].split("?")[0].endswith(f"/api/v2/pages/{tree['article'].pk}/")
    hidden = client.get(f"/api/v2/pages/find/?id={tree['private_article'].pk}")
    assert hidden.status_code == 404


def test_child_of_root_lists_the_home_pages_children(client, tree):
    ids = listing_ids(client, "&child_of=root")
    assert ids == {tree["journal"].pk, tree["about"].pk}


def test_search_results_are_specific_filtered_pages(client, tree):
    seen = []

    def spy(value, site, page, request, **kwargs):
        seen.append(type(page).__name__)
        return value

    with hooks.api_page_payload.connected(spy):
        response = client.get("/api/v2/pages/?search=loaves&fields=slots")
    assert response.status_code == 200
    items = response.json()["items"]
    assert [item["id"] for item in items] == [tree["article"].pk]
    assert items[0]["sample_plugin_seen"] is True and sample_contributions(items[0])
    assert seen == ["ArticlePage"]
    assert client.get("/api/v2/pages/?search=secret").json()["items"] == []


# --- slots ------------------------------------------------------------------


def test_detail_has_every_slots_data_as_the_theme_gets_it(client, tree):
    article = tree["article"]
    data = client.get(f"/api/v2/pages/{article.pk}/").json()

    request = RequestFactory().get(article.url)
    request.user = AnonymousUser()
    site = Site.find_for_request(request)
    expected = {slot.name: slot.data(request, site, page=article.specific) for slot in all_slots()}
    assert data["meta"]["slots"] == expected
    greeting = {"greeting": "Hello from the sample plugin"}
    assert sample_contributions(data) == [
        {"plugin": "sample_plugin", "component": "GreetingBox", "data": greeting}
    ]


def test_the_theme_renders_the_same_slot_data(client, tree):
    article = tree["article"]
    greeting = sample_contributions(client.get(f"/api/v2/pages/{article.pk}/").json())[0]["data"]["greeting"]
    assert greeting in client.get(article.url).content.decode()


def test_slot_components_get_the_specific_page(client, tree):
    seen = []

    class Spy(slots.SlotComponent):
        def data(self, request, page=None, **kwargs):
            seen.append(type(page).__name__)
            return {"summary": getattr(page, "summary", None)}

    slots.page_sidebar.contribute(Spy)
    try:
        response = client.get(f"/api/v2/pages/?fields=slots&child_of={tree['journal'].pk}")
        detail = client.get(f"/api/v2/pages/{tree['article'].pk}/").json()
    finally:
        slots.page_sidebar.withdraw(Spy)
    item = response.json()["items"][0]
    assert item["meta"]["slots"]["page.sidebar"] == [
        {"plugin": None, "component": "Spy", "data": {"summary": tree["article"].summary}}
    ]
    assert detail["meta"]["slots"]["page.sidebar"] == item["meta"]["slots"]["page.sidebar"]
    assert set(seen) == {"ArticlePage"}


def test_listing_leaves_slots_out_unless_asked(client, tree):
    default = client.get("/api/v2/pages/").json()["items"]
    assert all("slots" not in item["meta"] for item in default)

    asked = client.get("/api/v2/pages/?fields=slots").json()["items"]
    article = next(item for item in asked if item["id"] == tree["article"].pk)
    assert sample_contributions(article)[0]["data"] == {"greeting": "Hello from the sample plugin"}


def test_fields_star_works_in_listing_and_detail(client, tree):
    listing = client.get("/api/v2/pages/?fields=*")
    assert listing.status_code == 200
    item = next(i for i in listing.json()["items"] if i["id"] == tree["article"].pk)
    assert {"slug", "html_url", "first_published_at", "slots", "locale"} <= set(item["meta"])

    typed = client.get("/api/v2/pages/?type=hearthside.ArticlePage&fields=*")
    assert typed.status_code == 200
    article = typed.json()["items"][0]
    assert {"summary", "body", "tags", "related_links"} <= set(article)
    assert "slots" in article["meta"]

    detail = client.get(f"/api/v2/pages/{tree['article'].pk}/?fields=*")
    assert detail.status_code == 200
    assert "slots" in detail.json()["meta"]


def test_slots_can_be_left_out_of_detail(client, tree):
    data = client.get(f"/api/v2/pages/{tree['article'].pk}/?fields=-slots").json()
    assert "slots" not in data["meta"]


# --- the api_page_payload filter -----------------------------------------------


def test_payload_filter_applies_to_listing_and_detail(client, tree):
    detail = client.get(f"/api/v2/pages/{tree['article'].pk}/").json()
    assert detail["sample_plugin_seen"] is True
    items = client.get("/api/v2/pages/").json()["items"]
    assert items and all(item["sample_plugin_seen"] is True for item in items)


def test_payload_filter_gets_specific_top_level_pages_only(client, tree):
    seen = []

    def spy(value, site, page, request, **kwargs):
        seen.append((type(page).__name__, value["id"]))
        return {**value, "spied": True}

    with hooks.api_page_payload.connected(spy):
        detail = client.get(f"/api/v2/pages/{tree['article'].pk}/").json()
        listing = client.get(f"/api/v2/pages/?child_of={tree['journal'].pk}").json()

    assert detail["spied"] is True
    assert "spied" not in detail["meta"]["parent"]  # a nested reference is not a served page
    assert listing["items"][0]["spied"] is True
    assert seen == [("ArticlePage", tree["article"].pk), ("ArticlePage", tree["article"].pk)]


# --- limits and errors -------------------------------------------------------------


def test_limit_above_the_cap_is_refused(client, site, settings):
    response = client.get("/api/v2/pages/?limit=1000")
    assert response.status_code == 400
    assert response.json() == {"message": f"limit cannot be higher than {settings.WAGTAILAPI_LIMIT_MAX}"}
    assert client.get(f"/api/v2/pages/?limit={settings.WAGTAILAPI_LIMIT_MAX}").status_code == 200


@pytest.mark.parametrize(
    "query, message",
    [
        ("limit=lots", "limit must be a positive integer"),
        ("limit=-1", "limit must be a positive integer"),
        ("offset=-5", "offset must be a positive integer"),
        ("type=nothing.Here", "type doesn't exist"),
        ("type=hearthside", "type doesn't exist"),
        ("type=hearthside.SiteBranding", "type doesn't exist"),
        ("fields=nonsense", "unknown fields: nonsense"),
        ("fields=title(", "fields error: unexpected end of input (did you miss out a close bracket?)"),
        ("fields=*,title", "fields error: additional fields with '*' doesn't make sense"),
        ("fields=title(id)", "'title' does not support nested fields"),
        ("order=nonsense", "cannot order by 'nonsense' (unknown field)"),
        ("child_of=abc", "child_of must be a positive integer"),
        ("child_of=999999", "parent page doesn't exist"),
        ("descendant_of=999999", "ancestor page doesn't exist"),
        ("show_in_menus=perhaps", None),
        ("first_published_at=yesterday", None),
        ("type=hearthside.ArticlePage&date=2026-13-45", None),
        ("search=bread&search_operator=maybe", "search_operator must be 'and' or 'or'"),
        ("search=bread&order=random", None),
        ("order=random&offset=2", "random ordering with offset is not supported"),
        ("rich_text_format=pdf", None),
        ("colour=blue", "query parameter is not an operation or a recognised field: colour"),
    ],
)
def test_bad_listing_parameters_answer_400_json(client, site, query, message):
    response = client.get(f"/api/v2/pages/?{query}")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"message"} and body["message"]
    if message:
        assert body["message"] == message


@pytest.mark.parametrize(
    "query", ["fields=nonsense", "fields=title(", "rich_text_format=pdf", "first_published_at=yesterday"]
)
def test_bad_detail_parameters_answer_400_json(client, root_page, query):
    response = client.get(f"/api/v2/pages/{root_page.pk}/?{query}")
    assert response.status_code == 400
    assert response.json()["message"]


def test_child_of_a_private_page_is_a_bad_request_not_a_leak(client, tree):
    response = client.get(f"/api/v2/pages/?child_of={tree['private_section'].pk}")
    assert response.status_code == 400
    assert response.json() == {"message": "parent page doesn't exist"}


def test_unknown_page_id_is_404_json(client, site):
    response = client.get("/api/v2/pages/999999/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"message": "No Page matches the given query."}


@pytest.mark.parametrize("path", ["/api/v2/pages/abc/", "/api/v2/nothing/", "/api/nothing/"])
def test_unknown_api_paths_are_404_json(client, site, path):
    """Needs ``handler404 = "api.errors.page_not_found"`` in config/urls.py."""
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    key = "message" if path.startswith("/api/v2/") else "detail"
    assert response.json() == {key: f"There is no API endpoint at {path}."}


def test_path_without_trailing_slash_redirects(client, site):
    response = client.get("/api/v2/pages")
    assert response.status_code == 301
    assert response["Location"] == "/api/v2/pages/"


# --- query counts -----------------------------------------------------------------


def _count_queries(client, url):
    client.get(url)  # warm per-process caches (content types, plugin state)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), len(response.json()["items"])


@pytest.mark.parametrize("query", ["", "&fields=*,-slots"])
def test_listing_queries_do_not_grow_with_the_number_of_pages(client, root_page, journal, query):
    def add(n):
        for _ in range(n):
            make_article(journal)
            make_standard(root_page)

    url = f"/api/v2/pages/?limit=20{query}"
    add(2)
    few_queries, few_items = _count_queries(client, url)
    add(10)
    many_queries, many_items = _count_queries(client, url)

    assert (few_items, many_items) == (6, 20)
    assert many_queries == few_queries


def test_slots_in_a_listing_cost_only_what_the_components_cost(client, root_page, journal):
    """Listings leave slots out by default because each component's data()
    runs once per page; the API itself adds no per-page queries."""
    for _ in range(2):
        make_article(journal)
    few, _ = _count_queries(client, "/api/v2/pages/?limit=20&fields=slots")
    added = [make_article(journal) for _ in range(3)]
    many, _ = _count_queries(client, "/api/v2/pages/?limit=20&fields=slots")

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    site = Site.find_for_request(request)
    # What each further page costs: components may fetch once per request (the footer does).
    for slot in all_slots():
        slot.data(request, site, page=added[1])
    with CaptureQueriesContext(connection) as per_page:
        for slot in all_slots():
            slot.data(request, site, page=added[0])
    assert many - few == 3 * len(per_page)


def test_default_listing_of_20_pages_stays_within_a_small_budget(client, root_page, journal):
    """The site's root page (the cached site carries none), view restrictions,
    count, page ids, then one query per page type (home, section, article,
    standard): 8, beyond what middleware does."""
    for _ in range(10):
        make_article(journal)
        make_standard(root_page)
    client.get("/api/v2/pages/?limit=20")
    with CaptureQueriesContext(connection) as middleware_only:
        client.options("/api/v2/pages/")
    with CaptureQueriesContext(connection) as listing:
        assert len(client.get("/api/v2/pages/?limit=20").json()["items"]) == 20
    assert len(listing) - len(middleware_only) <= 1 + 3 + 4


def test_browsers_get_the_browsable_api(client, site):
    response = client.get("/api/v2/pages/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
