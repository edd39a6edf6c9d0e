"""Hidden things stay hidden on every public surface.

One data set holds one of each thing no visitor may see, each beside a
visible counterpart: a page never published, a page published then
unpublished, unpublished draft changes of a live page, pages under a
password, login or group restriction (and the child of a restricted
section), a page of another site, images and documents in a restricted
collection; comments awaiting confirmation or moderation, removed, spam,
flagged until hidden, a reply under a removed comment and a comment on a
private page; members unconfirmed, unsubscribed, erased and bounced.

Each hidden thing carries its own marker word in its title, body, name or
address. Every surface (API v1 and v2, every feed, the sitemap, the search
page and the search backend, the rendered pages, the syndication emails and
digests, the exports) is read in full and must hold no hidden marker, and
must hold the visible counterparts' markers, so each check can fail.
"""
from __future__ import annotations

import dataclasses
import datetime
from email import message_from_bytes, policy

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction, Page, PageViewRestriction, Site

from hearthside.models import ArticlePage, HomePage
from plugins.comments.models import CommentState
from plugins.comments.posting import flag_for_removal
from plugins.comments.rules import rules_for, save_rules
from plugins.members import preferences, tokens
from plugins.members import syndication as member_syndication
from plugins.members.models import Member
from plugins.polls.models import Vote
from plugins.syndication import digests, outbox
from plugins.syndication.config import SyndicationSettings, save_settings
from plugins.syndication.models import Update, UpdateStatus
from tests.factories import ImageFactory, UserFactory, make_article, make_section, publish
from tests.plugins.comments.factories import store_comment
from tests.plugins.members.factories import make_member
from tests.plugins.polls.factories import make_poll, page_with_poll

# Visible things: each surface that shows their kind must show them.
PUBLIC_ARTICLE = "visdosalpha"
LIVE_VERSION = "visdosgamma"  # the live title of a page with unpublished draft changes
APPROVED_COMMENT = "visdosjuliet"
CONFIRMED_MEMBER = "visdosromeo"
PUBLIC_IMAGE = "visdoswhiskey"
PUBLIC_DOCUMENT = "visdosyankee"

# Hidden things: no surface may show them.
NEVER_PUBLISHED = "visdosbravo"
WITHDRAWN = "visdoscharlie"
DRAFT_CHANGES = "visdosdelta"
PASSWORD_PAGE = "visdosecho"
LOGIN_PAGE = "visdosfoxtrot"
GROUP_PAGE = "visdosgolf"
UNDER_RESTRICTED = "visdoshotel"
OTHER_SITE = "visdosindia"
PENDING_COMMENT = "visdoskilo"
UNCONFIRMED_COMMENT = "visdoslima"
REMOVED_COMMENT = "visdosmike"
SPAM_COMMENT = "visdosnovember"
FLAGGED_COMMENT = "visdososcar"
REPLY_TO_HIDDEN = "visdospapa"
COMMENT_ON_PRIVATE = "visdosquebec"
UNCONFIRMED_MEMBER = "visdossierra"
UNSUBSCRIBED_MEMBER = "visdostango"
ERASED_MEMBER = "visdosuniform"
BOUNCED_MEMBER = "visdosvictor"
PRIVATE_IMAGE = "visdosxray"
PRIVATE_DOCUMENT = "visdoszulu"
PRIVATE_VOTE_TEXT = "visdoskappa"

HIDDEN_PAGES = (NEVER_PUBLISHED, WITHDRAWN, DRAFT_CHANGES, PASSWORD_PAGE, LOGIN_PAGE, GROUP_PAGE,
                UNDER_RESTRICTED, OTHER_SITE)
HIDDEN_COMMENTS = (PENDING_COMMENT, UNCONFIRMED_COMMENT, REMOVED_COMMENT, SPAM_COMMENT, FLAGGED_COMMENT,
                   REPLY_TO_HIDDEN, COMMENT_ON_PRIVATE)
HIDDEN_MEMBERS = (UNCONFIRMED_MEMBER, UNSUBSCRIBED_MEMBER, ERASED_MEMBER, BOUNCED_MEMBER)
HIDDEN_MEDIA = (PRIVATE_IMAGE, PRIVATE_DOCUMENT)
HIDDEN = HIDDEN_PAGES + HIDDEN_COMMENTS + HIDDEN_MEMBERS + HIDDEN_MEDIA + (PRIVATE_VOTE_TEXT,)
PUBLIC_PAGES = (PUBLIC_ARTICLE, LIVE_VERSION)
TAG = "visdostag"


def assert_shows_only_visible(body, surface: str, expected=()) -> None:
    """``body`` (text or bytes) holds none of the hidden markers and every one of ``expected``."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
    leaked = [marker for marker in HIDDEN if marker in text]
    assert not leaked, f"{surface} shows hidden {leaked}"
    missing = [marker for marker in expected if marker not in text]
    assert not missing, f"{surface} lacks the visible {missing}: the check could not fail"


def assert_shows_nothing_of_others_or_erased(body, surface: str) -> None:
    """For the staff's own screens (insights), which may name the site's
    private pages: nothing of another site, no erased member, no comment's text."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
    leaked = [marker for marker in (OTHER_SITE, ERASED_MEMBER, APPROVED_COMMENT, *HIDDEN_COMMENTS) if marker in text]
    assert not leaked, f"{surface} shows {leaked}"


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def article(parent, marker: str, **fields) -> ArticlePage:
    page = make_article(parent, title=f"{marker} loaf", tags=[TAG],
                        body=[("paragraph", f"<p>How we bake the {marker} loaf.</p>")], **fields)
    page.summary = f"Summary {marker}"
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@dataclasses.dataclass
class World:
    site: Site
    journal: Page
    public: ArticlePage
    edited: ArticlePage
    hidden_pages: dict
    other_site: Site
    members: dict
    poll: object
    poll_page: Page
    other_poll: object


def build_world(site, root_page) -> World:
    journal = make_section(root_page, title="Journal", show_in_menus=True)
    public = article(journal, PUBLIC_ARTICLE)

    edited = article(journal, LIVE_VERSION)
    edited.title = f"{DRAFT_CHANGES} loaf"
    edited.summary = f"Summary {DRAFT_CHANGES}"
    edited.body = [("paragraph", f"<p>{DRAFT_CHANGES} recipe, not yet published.</p>")]
    edited.save_revision()
    edited.refresh_from_db()

    never = ArticlePage(title=f"{NEVER_PUBLISHED} loaf", slug="never", live=False, summary=NEVER_PUBLISHED,
                        date=datetime.date(2026, 2, 1), body=[("paragraph", f"<p>{NEVER_PUBLISHED}</p>")])
    journal.add_child(instance=never)
    never.save_revision()
    withdrawn = article(journal, WITHDRAWN)
    withdrawn.unpublish()

    password = article(journal, PASSWORD_PAGE)
    PageViewRestriction.objects.create(page=password, restriction_type=PageViewRestriction.PASSWORD,
                                       password="swordfish")
    login = article(journal, LOGIN_PAGE)
    PageViewRestriction.objects.create(page=login, restriction_type=PageViewRestriction.LOGIN)
    grouped = article(journal, GROUP_PAGE)
    PageViewRestriction.objects.create(
        page=grouped, restriction_type=PageViewRestriction.GROUPS
    ).groups.add(Group.objects.get(name="Editors"))
    corner = make_section(root_page, title=f"{UNDER_RESTRICTED} corner")
    PageViewRestriction.objects.create(page=corner, restriction_type=PageViewRestriction.LOGIN)
    under = article(corner, UNDER_RESTRICTED)

    other_home = publish(Page.get_first_root_node(), HomePage(title=f"{OTHER_SITE} shop", slug="other-shop"))
    other_site = Site.objects.create(hostname="other.example", port=80, root_page=other_home,
                                     site_name=f"{OTHER_SITE} shop")
    other_journal = make_section(other_home, title=f"{OTHER_SITE} journal")
    other_article = article(other_journal, OTHER_SITE)

    save_rules(site, dataclasses.replace(rules_for(site), flag_threshold=1))
    store_comment(public, f"{APPROVED_COMMENT} great crust", name="Ada")
    store_comment(public, f"{PENDING_COMMENT} waiting", name="Kim", state=CommentState.PENDING)
    store_comment(public, f"{UNCONFIRMED_COMMENT} unconfirmed", name="Lee", state=CommentState.UNCONFIRMED)
    removed = store_comment(public, f"{REMOVED_COMMENT} rude", name="Max", state=CommentState.REMOVED)
    store_comment(public, f"{SPAM_COMMENT} buy now", name="Ned", state=CommentState.SPAM)
    store_comment(public, f"{REPLY_TO_HIDDEN} replying", name="Pat", parent=removed)
    flagged = store_comment(public, f"{FLAGGED_COMMENT} reported", name="Oli")
    assert flag_for_removal(flagged.pk, UserFactory(username="reporter"))
    store_comment(login, f"{COMMENT_ON_PRIVATE} members chat", name="Quin")
    store_comment(other_article, f"{OTHER_SITE} comment", name="Ivy", site=other_site)

    channels = {"email": "immediate"}
    members = {
        "confirmed": make_member(site, email=f"{CONFIRMED_MEMBER}@example.com", name=CONFIRMED_MEMBER,
                                 channels=channels),
        "weekly": make_member(site, email=f"weekly-{CONFIRMED_MEMBER}@example.com", channels={"email": "weekly"}),
        "unconfirmed": make_member(site, email=f"{UNCONFIRMED_MEMBER}@example.com", name=UNCONFIRMED_MEMBER,
                                   channels=channels, confirmed=False),
        "unsubscribed": make_member(site, email=f"{UNSUBSCRIBED_MEMBER}@example.com", name=UNSUBSCRIBED_MEMBER,
                                    channels=channels),
        "bounced": make_member(site, email=f"{BOUNCED_MEMBER}@example.com", name=BOUNCED_MEMBER,
                               channels=channels),
    }
    preferences.unsubscribe(members["unsubscribed"])
    member_syndication.address_undeliverable(site, "email", f"{BOUNCED_MEMBER}@example.com")
    erased = make_member(site, email=f"{ERASED_MEMBER}@example.com", name=ERASED_MEMBER, channels=channels)
    members["erased_token"] = tokens.make(tokens.PREFERENCES, erased)
    preferences.erase(erased)

    ImageFactory(title=f"{PUBLIC_IMAGE} photo")
    Document = get_document_model()
    Document.objects.create(title=f"{PUBLIC_DOCUMENT} photo", file=ContentFile(b"menu", name="menu.txt"))
    staff_only = Collection.get_first_root_node().add_child(name="Staff only")
    CollectionViewRestriction.objects.create(collection=staff_only, restriction_type=CollectionViewRestriction.LOGIN)
    ImageFactory(title=f"{PRIVATE_IMAGE} photo", collection=staff_only)
    Document.objects.create(title=f"{PRIVATE_DOCUMENT} photo", file=ContentFile(b"rota", name="rota.txt"),
                            collection=staff_only)

    poll = make_poll(site, question="Which loaf on Saturday?", allow_text=True)
    Vote.objects.create(poll=poll, voter="cookie-1", text=f"{PRIVATE_VOTE_TEXT} is my address")
    poll_page = page_with_poll(root_page, poll, title="Saturday bread")
    other_poll = make_poll(other_site, question=f"{OTHER_SITE} poll?")

    hidden_pages = {"never": never, "withdrawn": withdrawn, "password": password, "login": login,
                    "grouped": grouped, "corner": corner, "under": under, "other_home": other_home,
                    "other_journal": other_journal, "other_article": other_article}
    return World(site=site, journal=journal, public=public, edited=edited, hidden_pages=hidden_pages,
                 other_site=other_site, members=members, poll=poll, poll_page=poll_page, other_poll=other_poll)


@pytest.fixture
def world(site, root_page):
    return build_world(site, root_page)


# --- API v2 -------------------------------------------------------------------------------


def test_the_pages_api_lists_finds_and_searches_only_visible_pages(client, world):
    for query in ("?limit=50", "?limit=50&fields=*", "?limit=50&type=hearthside.ArticlePage&fields=*",
                  f"?limit=50&child_of={world.journal.pk}", f"?limit=50&descendant_of={world.site.root_page_id}",
                  "?limit=50&search=loaf", "?limit=50&search=loaf&search_operator=or&order=title"):
        response = client.get(f"/api/v2/pages/{query}")
        assert response.status_code == 200, query
        assert_shows_only_visible(response.content, f"/api/v2/pages/{query}", PUBLIC_PAGES)
    for marker in HIDDEN_PAGES:
        response = client.get(f"/api/v2/pages/?search={marker}")
        assert response.json()["items"] == [], marker

    detail = client.get(f"/api/v2/pages/{world.edited.pk}/")
    assert_shows_only_visible(detail.content, "the detail of a page with draft changes", [LIVE_VERSION])
    assert_shows_only_visible(client.get(f"/api/v2/pages/{world.public.pk}/").content, "a detail",
                              [PUBLIC_ARTICLE, APPROVED_COMMENT])
    for name, page in world.hidden_pages.items():
        response = client.get(f"/api/v2/pages/{page.pk}/")
        assert response.status_code == 404, name
        assert_shows_only_visible(response.content, f"the 404 of {name}")
        found = client.get(f"/api/v2/pages/find/?id={page.pk}")
        assert found.status_code == 404, name
        site_root = world.site.root_page if page.is_descendant_of(world.site.root_page) else page.get_site().root_page
        if page.pk != site_root.pk:
            html_path = page.url_path.removeprefix(site_root.url_path)
            assert client.get(f"/api/v2/pages/find/?html_path={html_path}").status_code == 404, name
    assert client.get(f"/api/v2/pages/find/?id={world.public.pk}").status_code == 302


def test_the_images_and_documents_apis_leave_out_restricted_collections(client, world):
    for endpoint, visible, hidden in (("images", PUBLIC_IMAGE, PRIVATE_IMAGE),
                                      ("documents", PUBLIC_DOCUMENT, PRIVATE_DOCUMENT)):
        assert client.get(f"/api/v2/{endpoint}/?search={hidden}").json()["items"] == []
        for query in ("?limit=50", "?limit=50&fields=*", "?limit=50&search=photo"):
            response = client.get(f"/api/v2/{endpoint}/{query}")
            assert response.status_code == 200
            assert_shows_only_visible(response.content, f"/api/v2/{endpoint}/{query}", [visible])
        model = get_document_model() if endpoint == "documents" else ImageFactory._meta.model
        hidden_item = model.objects.get(title__startswith=hidden)
        assert client.get(f"/api/v2/{endpoint}/{hidden_item.pk}/").status_code == 404
        assert client.get(f"/api/v2/{endpoint}/find/?id={hidden_item.pk}").status_code == 404


# --- API v1 -------------------------------------------------------------------------------


def test_the_v1_endpoints_show_only_visible_comments_and_nothing_hidden(client, admin_user, world):
    thread = client.get(f"/api/v1/comments/pages/{world.public.pk}/?page_size=50")
    assert thread.status_code == 200
    assert_shows_only_visible(thread.content, "the comments API", [APPROVED_COMMENT])
    for name, page in world.hidden_pages.items():
        response = client.get(f"/api/v1/comments/pages/{page.pk}/")
        assert response.status_code == 404, name
        assert_shows_only_visible(response.content, f"the comments API of {name}")

    for path in ("/api/v1/site/", "/api/v1/plugins/", "/api/v1/members/options/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_shows_only_visible(response.content, path)

    poll = client.get(f"/api/v1/polls/{world.poll.pk}/")
    assert poll.status_code == 200
    assert_shows_only_visible(poll.content, "the polls API", ["Which loaf on Saturday?"])
    assert client.get(f"/api/v1/polls/{world.other_poll.pk}/").status_code == 404

    client.force_login(admin_user)
    insights = client.get("/api/v1/insights/?period=30")
    assert insights.status_code == 200
    assert_shows_nothing_of_others_or_erased(insights.content, "the insights API")


# --- feeds, sitemap, search ---------------------------------------------------------------


def test_every_feed_shows_only_visible_pages_and_comments(client, world):
    feeds = {
        "/syndication/feed/": PUBLIC_PAGES,
        "/syndication/feed/atom/": PUBLIC_PAGES,
        f"/syndication/section/{world.journal.pk}/feed/": PUBLIC_PAGES,
        f"/syndication/section/{world.journal.pk}/feed/atom/": PUBLIC_PAGES,
        f"/syndication/tag/{TAG}/feed/": PUBLIC_PAGES,
        f"/syndication/tag/{TAG}/feed/atom/": PUBLIC_PAGES,
        "/comments/feed/rss/": [APPROVED_COMMENT],
        "/comments/feed/atom/": [APPROVED_COMMENT],
        f"/comments/page/{world.public.pk}/feed/rss/": [APPROVED_COMMENT],
        f"/comments/page/{world.public.pk}/feed/atom/": [APPROVED_COMMENT],
    }
    save_settings(world.site, SyndicationSettings(full_content_feeds=True))
    for path, expected in feeds.items():
        response = client.get(path)
        assert response.status_code == 200, path
        assert_shows_only_visible(body_of(response), path, expected)
    for name, page in world.hidden_pages.items():
        for path in (f"/syndication/section/{page.pk}/feed/", f"/comments/page/{page.pk}/feed/rss/"):
            response = client.get(path)
            assert response.status_code == 404, (name, path)


def test_a_members_private_feed_shows_only_visible_pages(client, world):
    world.members["confirmed"].subscriptions.create(channel="rss", frequency="immediate")
    response = client.get(f"/members/feed/{world.members['confirmed'].feed_key}/")
    assert response.status_code == 200
    assert_shows_only_visible(body_of(response), "a member's feed", PUBLIC_PAGES)


def test_a_page_made_private_leaves_the_feeds_and_the_page_cache_at_once(
    client, world, django_capture_on_commit_callbacks
):
    """Feeds and anonymous pages are cached; adding a view restriction must drop those copies."""
    assert PUBLIC_ARTICLE in body_of(client.get("/syndication/feed/")).decode()
    assert PUBLIC_ARTICLE in client.get(world.public.url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(page=world.public, restriction_type=PageViewRestriction.LOGIN)

    assert PUBLIC_ARTICLE not in body_of(client.get("/syndication/feed/")).decode()
    assert PUBLIC_ARTICLE not in client.get(world.public.url).content.decode()


def test_the_sitemap_and_the_search_page_show_only_visible_pages(client, world):
    sitemap = client.get("/sitemap.xml")
    assert sitemap.status_code == 200
    text = sitemap.content.decode()
    assert world.public.url in text and world.edited.url in text
    for name, page in world.hidden_pages.items():
        if page.url_path.startswith(world.site.root_page.url_path):
            assert page.url_path.removeprefix(world.site.root_page.url_path) not in text, name

    response = client.get("/search/", {"q": "loaf"})
    assert_shows_only_visible(response.content, "the search page", PUBLIC_PAGES)
    for marker in HIDDEN_PAGES:
        # The page repeats the query itself; the hidden page's title must not follow.
        results = client.get("/search/", {"q": marker}).content.decode()
        assert f"{marker} loaf" not in results and f"{marker} corner" not in results, marker


def test_the_search_backend_is_only_asked_about_live_public_pages(world):
    pages = Page.objects.live().public().descendant_of(world.site.root_page, inclusive=True).specific()
    titles = " ".join(page.title for page in pages.search("loaf"))
    assert_shows_only_visible(titles, "the search backend", PUBLIC_PAGES)


# --- rendered pages -----------------------------------------------------------------------


def test_the_pages_show_only_approved_comments_and_count_only_those(client, world):
    page = client.get(world.public.url)
    assert page.status_code == 200
    assert_shows_only_visible(page.content, "the article page", [PUBLIC_ARTICLE, APPROVED_COMMENT])
    # The reply under the removed comment is not shown, so it is not counted either.
    assert ">1 comment<" in page.content.decode()
    assert "1 comment<span" in client.get(world.journal.url).content.decode()
    for url in (world.journal.url, world.site.root_page.url, world.edited.url, world.poll_page.url):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_shows_only_visible(response.content, url)
    for name, page in world.hidden_pages.items():
        if page.live and page.url_path.startswith(world.site.root_page.url_path):
            response = client.get(page.url)
            assert_shows_only_visible(response.content, f"the page {name} to a visitor")


# --- emails -------------------------------------------------------------------------------


def parsed(message):
    return message_from_bytes(message.as_bytes(), policy=policy.default)


def test_updates_and_digests_reach_only_confirmed_members_and_never_carry_hidden_pages(
    site, root_page, smtp_server, django_capture_on_commit_callbacks
):
    save_settings(site, SyndicationSettings(send_delay_minutes=0))
    with django_capture_on_commit_callbacks(execute=True):
        world = build_world(site, root_page)
    assert Update.objects.filter(page=world.public, status=UpdateStatus.SENT).exists()

    later = timezone.now() + datetime.timedelta(days=7)
    digests.collect_all(later)
    outbox.run(now=later)

    messages = [parsed(message) for message in smtp_server.messages()]
    recipients = {address.addr_spec for message in messages for address in message["To"].addresses}
    assert recipients == {f"{CONFIRMED_MEMBER}@example.com", f"weekly-{CONFIRMED_MEMBER}@example.com"}
    for message in messages:
        text = "\n".join(str(message[header]) for header in ("Subject", "To"))
        for part in message.walk():
            if part.get_content_maintype() == "text":
                text += part.get_content()
        assert_shows_only_visible(text, f"the email {message['Subject']!r} to {message['To']}")
    everything = "".join(part.get_content() for message in messages for part in message.walk()
                         if part.get_content_maintype() == "text")
    assert PUBLIC_ARTICLE in everything and LIVE_VERSION in everything


def test_a_page_made_private_before_its_update_goes_out_is_not_sent(
    site, world, smtp_server, django_capture_on_commit_callbacks
):
    save_settings(site, SyndicationSettings(send_delay_minutes=30))
    with django_capture_on_commit_callbacks(execute=True):
        fresh = article(world.journal, f"{LOGIN_PAGE} news")
    PageViewRestriction.objects.create(page=fresh, restriction_type=PageViewRestriction.LOGIN)
    later = timezone.now() + datetime.timedelta(hours=1)
    from plugins.syndication.fanout import fan_out

    assert fan_out(Update.objects.get(page=fresh).pk, now=later) is None
    update = Update.objects.get(page=fresh)
    assert update.status == UpdateStatus.PROBLEM and "private" in update.problem
    outbox.run(now=later)
    assert smtp_server.messages() == []


# --- exports ------------------------------------------------------------------------------


def test_the_member_export_and_the_erased_members_token_give_nothing_hidden(client, api_client, admin_user, world):
    confirmed = world.members["confirmed"]
    export = api_client.get("/api/v1/members/export/",
                            HTTP_AUTHORIZATION=f"Member {tokens.make(tokens.PREFERENCES, confirmed)}")
    assert export.status_code == 200
    assert_shows_only_visible(export.content, "a member's data export", [CONFIRMED_MEMBER])
    erased = api_client.get("/api/v1/members/export/", HTTP_AUTHORIZATION=f"Member {world.members['erased_token']}")
    assert erased.status_code in (401, 403)
    assert ERASED_MEMBER not in erased.content.decode()
    assert not Member.objects.filter(email__startswith=ERASED_MEMBER).exists()

    client.force_login(admin_user)
    members_csv = body_of(client.get("/admin/members/?export=csv")).decode()
    assert CONFIRMED_MEMBER in members_csv and ERASED_MEMBER not in members_csv


def test_the_insights_csv_downloads_name_nothing_of_another_site_nor_any_comments_text(client, admin_user, world):
    client.force_login(admin_user)
    sections = client.get("/api/v1/insights/?period=30").json()["sections"]
    urls = [chart["csv_url"] for section in sections for chart in section["charts"] if chart.get("csv_url")]
    assert urls
    downloads = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        downloads.append(body_of(response).decode())
        assert_shows_nothing_of_others_or_erased(downloads[-1], url)
    assert any(PUBLIC_ARTICLE in download for download in downloads)
