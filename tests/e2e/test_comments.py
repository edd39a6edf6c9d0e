"""A visitor comments on an article: confirms by the link in the email the
site sent (through a real SMTP server), sees the comment; a held comment is
approved in the admin and appears."""
import re
import time

from playwright.sync_api import expect

from .conftest import E2E, emailed_link

pytestmark = E2E

CONFIRM_LINK = re.compile(r"https?://\S+/comments/confirm/[^\s/]+/")


def post_comment(visitor, live_server, demo, name, email, text):
    visitor.goto(live_server.url + demo.article.path)
    form = visitor.locator(".comments__respond form.comment-form")
    form.get_by_label("Name", exact=True).fill(name)
    form.get_by_label("Email", exact=True).fill(email)
    form.get_by_label("Comment", exact=True).fill(text)
    # The form refuses posts faster than a person could type (a bot's tell).
    time.sleep(3.5)
    form.get_by_role("button", name="Post comment").click()
    expect(visitor.get_by_text(re.compile("check your email", re.I)).first).to_be_visible()


def confirmation_link(smtp_server, email):
    return emailed_link(smtp_server, email, CONFIRM_LINK)


def test_visitor_posts_confirms_by_email_and_sees_the_comment(
    visitor, live_server, demo, smtp_server, screenshot
):
    from wagtail.models import Site

    from plugins.comments.rules import CommentRules, rules_for, save_rules

    site = Site.objects.get(is_default_site=True)
    save_rules(site, CommentRules(**{**rules_for(site).__dict__, "hold_first_time": False}))

    text = "The cinnamon knots were gone by ten. Worth the early start!"
    post_comment(visitor, live_server, demo, "Ada", "ada@example.com", text)
    link = confirmation_link(smtp_server, "ada@example.com")

    visitor.goto(link)
    expect(visitor).to_have_url(re.compile(re.escape(demo.article.path) + r"#comment-\d+$"))
    comment = visitor.locator(".comment", has_text=text)
    expect(comment).to_be_visible()
    expect(comment).to_contain_text("Ada")
    screenshot(visitor, "confirmed-comment")


def test_held_comment_appears_once_approved_in_the_admin(
    visitor, admin, live_server, demo, smtp_server, screenshot
):
    text = "Is the rye loaf baked on Sundays too?"
    post_comment(visitor, live_server, demo, "Bea", "bea@example.com", text)
    visitor.goto(confirmation_link(smtp_server, "bea@example.com"))
    # A first-time commenter is held for a moderator.
    expect(visitor.get_by_text(re.compile("moderat", re.I)).first).to_be_visible()
    visitor.goto(live_server.url + demo.article.path)
    expect(visitor.locator(".comment", has_text=text)).to_have_count(0)

    admin.goto(live_server.url + "/admin/comments/?state=pending")
    row = admin.locator("tr", has_text=text)
    expect(row).to_be_visible()
    row.get_by_role("checkbox").check()
    admin.get_by_role("button", name=re.compile("^Approve")).first.click()
    expect(admin.get_by_text(re.compile(r"1 comment.* approved", re.I)).first).to_be_visible()
    screenshot(admin, "approved")

    visitor.goto(live_server.url + demo.article.path)
    expect(visitor.locator(".comment", has_text=text)).to_be_visible()
    screenshot(visitor, "approved-comment")


def test_a_moderator_selects_every_comment_at_once_and_rejects_them(admin, live_server, demo):
    from wagtail.models import Page, Site

    from plugins.comments.models import CommentState, PageComment

    site = Site.objects.get(is_default_site=True)
    article = Page.objects.get(url_path__endswith=demo.article.path).specific
    for number in (1, 2, 3):
        PageComment.on(
            article, site, user_name=f"Spammer {number}", user_email=f"s{number}@example.com",
            comment=f"Cheap watches {number}", submit_date=article.first_published_at,
            state=CommentState.PENDING,
        ).save()

    admin.goto(live_server.url + "/admin/comments/?state=pending")
    items = admin.locator("input[name=comment]")
    expect(items).to_have_count(3)
    admin.get_by_label("Select every comment on this page").check()
    for index in range(3):
        expect(items.nth(index)).to_be_checked()
    admin.get_by_role("button", name="Reject").click()
    expect(admin.get_by_text(re.compile(r"3 comments rejected", re.I)).first).to_be_visible()
    assert PageComment.objects.filter(state=CommentState.REMOVED).count() == 3
