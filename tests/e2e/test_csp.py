"""The Content-Security-Policy in a real browser: the admin's screens, both
themes' pages (each twice, the second time from the page cache), the member
pages and the API docs all work under it. The tab fixtures (conftest.py) fail
a test on any violation; these tests make sure there is a policy to violate
and that a violation would be seen."""
import re

from playwright.sync_api import expect

from .conftest import ADMIN_USERNAME, E2E

pytestmark = E2E


def policy_of(response) -> str:
    policy = response.headers.get("content-security-policy", "")
    assert "default-src 'self'" in policy, f"no Content-Security-Policy on {response.url}: {response.headers}"
    return policy


def open_under_policy(page, url):
    response = page.goto(url)
    assert response.status == 200, url
    page.wait_for_load_state("networkidle")
    return policy_of(response)


def test_an_inline_script_is_blocked_and_reported(visitor, live_server, demo, request):
    """The canary: an injected inline script does not run, and the tab hears of it."""
    policy = open_under_policy(visitor, live_server.url + demo.article.path)
    assert "'unsafe-inline'" not in policy
    ran = visitor.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.injectedScriptRan = true";
          document.body.append(script);
          return window.injectedScriptRan === true;
        }"""
    )
    assert not ran
    (tab,) = request.node.e2e_tabs
    violations = tab.csp_violations()
    assert any("script-src" in violation for violation in violations), violations
    tab.violations.clear()  # expected here; any other would still fail the test


def test_the_admin_works_under_the_policy(admin, live_server, demo, screenshot):
    from hearthside.models import ArticlePage
    from plugins.comments.models import CommentState, PageComment
    from plugins.polls.admin_views import results_url
    from plugins.polls.models import Poll
    from plugins.syndication import updates

    article = ArticlePage.objects.get(url_path__endswith=demo.article.path)
    update = updates.send_again(article)  # waiting: its page refreshes its figures by script
    PageComment.on(
        article, article.get_site(), user_name="Cal", user_email="cal@example.com",
        comment="Do you bake on bank holidays?", submit_date=article.first_published_at,
        state=CommentState.PENDING,
    ).save()
    url = live_server.url

    # The dashboard, with Insights' summary panel.
    policy = open_under_policy(admin, url + "/admin/")
    assert "script-src 'self' 'unsafe-inline'" in policy and "nonce-" not in policy
    expect(admin.get_by_text("The community, last 30 days")).to_be_visible()

    # The page explorer, then the article's editor: StreamField, rich text, InlinePanel.
    open_under_policy(admin, f"{url}/admin/pages/{demo.journal_id}/")
    admin.get_by_role("link", name=demo.article.title, exact=True).first.click()
    expect(admin).to_have_url(re.compile(rf"/admin/pages/{article.pk}/edit/$"))
    expect(admin.locator("[data-contentpath='body'] .Draftail-Editor").first).to_be_visible()
    expect(admin.get_by_role("button", name="Add Related pages")).to_be_visible()

    # The preview panel frames the preview view, which allows same-origin framing.
    admin.get_by_role("button", name="Toggle preview").click()
    preview = admin.frame_locator("iframe#w-preview-iframe")
    expect(preview.get_by_role("heading", level=1)).to_have_text(demo.article.title)

    # The image chooser modal, which builds its contents from the server's HTML.
    admin.locator("#id_feature_image-chooser").get_by_role("button", name="Actions").click()
    admin.get_by_role("button", name="Change image").click()
    modal = admin.locator(".modal")
    expect(modal.get_by_role("heading", name=re.compile("Choose an image"))).to_be_visible()
    expect(modal.locator("a.image-choice, [data-chooser-modal-choice]").first).to_be_visible()
    screenshot(admin, "image-chooser")
    admin.keyboard.press("Escape")

    # A snippet listing (polls), and a poll's results.
    poll = Poll.objects.order_by("pk").first()
    open_under_policy(admin, url + "/admin/polls/")
    expect(admin.get_by_role("link", name=poll.question).first).to_be_visible()
    open_under_policy(admin, url + results_url(poll.pk))
    expect(admin.get_by_role("heading", name="Votes per answer")).to_be_visible()

    open_under_policy(admin, url + "/admin/insights/")
    expect(admin.get_by_role("heading", level=2, name="Polls", exact=True)).to_be_visible()

    # Syndication: Updates, and the waiting update with its email in a sandboxed srcdoc iframe.
    open_under_policy(admin, url + "/admin/syndication/")
    admin.get_by_role("link", name=article.title).first.click()
    expect(admin).to_have_url(re.compile(rf"/admin/syndication/{update.pk}/$"))
    email = admin.frame_locator("iframe.syndication-preview")
    expect(email.get_by_role("heading", name=article.title)).to_be_visible()
    assert admin.locator("iframe.syndication-preview").bounding_box()["height"] > 300
    screenshot(admin, "update")

    # Comments moderation, and the plugins screen.
    open_under_policy(admin, url + "/admin/comments/?state=pending")
    expect(admin.locator("tr", has_text="Do you bake on bank holidays?")).to_be_visible()
    open_under_policy(admin, url + "/admin/plugins/")
    expect(admin.get_by_role("combobox", name="Site")).to_have_attribute("data-controller", "w-submit")

    # Django's own admin has the site's policy: it needs nothing inline.
    policy = open_under_policy(admin, url + "/django-admin/auth/user/")
    assert "'unsafe-inline'" not in policy
    admin.get_by_role("link", name=ADMIN_USERNAME, exact=True).click()
    expect(admin.get_by_role("heading", name=ADMIN_USERNAME)).to_be_visible()
    admin.wait_for_load_state("networkidle")


def visit_twice(visitor, url):
    """The page as rendered, then (if the page cache keeps it) as the cache
    serves it, both under the policy; what X-Page-Cache said the second time."""
    open_under_policy(visitor, url)
    response = visitor.reload()
    policy_of(response)
    visitor.wait_for_load_state("networkidle")
    return response.headers.get("x-page-cache")


def test_both_themes_pages_work_under_the_policy(visitor, live_server, demo, screenshot):
    from wagtail.models import Page, Site

    from hearthside import pagecache
    from hearthside.models import ArticlePage, SiteBranding
    from plugins.comments.models import PageComment
    from tests.factories import store_embed

    site = Site.objects.get(is_default_site=True)
    # A 4:3 video in the newest article (stored as its provider answered; its frame is about:blank).
    store_embed("https://video.example/v/1", width=640, height=480)
    article = ArticlePage.objects.get(url_path__endswith=demo.article.path)
    article.body.append(("embed", "https://video.example/v/1"))
    article.save_revision().publish()
    commented = Page.objects.get(pk=PageComment.objects.approved().on_site(site).first().page_id)
    question = Page.objects.get(slug="winter-bake-vote")
    url = live_server.url

    for theme in ("hearth", "meadow"):
        branding = SiteBranding.for_site(site)
        branding.theme = theme
        branding.save()
        pagecache.purge()

        assert visit_twice(visitor, url + "/") == "hit"
        expect(visitor.locator(f"body.theme-{theme}")).to_be_visible()
        visit_twice(visitor, url + demo.journal_path)
        visit_twice(visitor, url + demo.article.path)
        embed = visitor.locator(".responsive-object").first
        box = embed.bounding_box()
        assert abs(box["height"] / box["width"] - 0.75) < 0.02, box
        visit_twice(visitor, url + commented.url)
        expect(visitor.locator(".comment").first).to_be_visible()
        expect(visitor.locator(".comments__respond form.comment-form")).to_be_visible()
        visit_twice(visitor, url + question.url)
        expect(visitor.get_by_role("button", name="Vote")).to_be_visible()
        open_under_policy(visitor, url + "/members/signup/")
        expect(visitor.locator("form.members-form")).to_be_visible()

        # The small-screen menu button is the themes' one script.
        visitor.set_viewport_size({"width": 400, "height": 800})
        toggle = visitor.locator("[data-nav-toggle]")
        expect(toggle).to_be_visible()
        toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        visitor.set_viewport_size({"width": 1280, "height": 900})
        screenshot(visitor, f"{theme}-signup")


def test_the_preference_centre_works_under_the_policy(visitor, live_server, demo):
    import secrets

    from plugins.members import tokens
    from plugins.members.models import Member

    member = Member.objects.filter(confirmed_at__isnull=False, subscriptions__isnull=False).first()
    member.access_nonce = secrets.token_urlsafe(16)
    member.save(update_fields=["access_nonce"])
    link = f"{live_server.url}/members/access/{tokens.make(tokens.ACCESS, member, member.access_nonce)}/"

    open_under_policy(visitor, link)
    visitor.get_by_role("button", name="Open my preferences").click()
    expect(visitor.get_by_role("heading", name="Your preferences")).to_be_visible()
    policy_of(visitor.reload())


def test_the_api_docs_work_under_the_policy(visitor, live_server, demo, screenshot):
    policy = open_under_policy(visitor, live_server.url + "/api/docs/")
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert visitor.locator("style").first.evaluate("style => style.nonce") == nonce
    expect(visitor.locator(".swagger-ui .info .title")).to_contain_text("Hearthside API")
    expect(visitor.locator(".swagger-ui .opblock").first).to_be_visible()
    screenshot(visitor, "api-docs")
