"""A visitor answers a poll in an article of the demo site, with the
ordinary form (no script needed), and sees the results with their answer
marked; voting again in the same browser is not offered. Then the admin
opens Insights, which has a Polls section."""
import re

from playwright.sync_api import expect

from .conftest import E2E

pytestmark = E2E

QUESTION = "Which loaf should we bake on Saturdays?"


def poll_on_the_newest_article(demo):
    from wagtail.models import Site

    from hearthside.models import ArticlePage
    from plugins.polls.models import Choice, Poll

    poll = Poll(site=Site.objects.get(is_default_site=True), question=QUESTION,
                description="We bake one special loaf each Saturday. You choose it.")
    poll.choices = [Choice(label=label, sort_order=n) for n, label in enumerate(("Sourdough", "Rye", "Seeded"))]
    poll.save()
    article = ArticlePage.objects.get(url_path__endswith=demo.article.path)
    article.body.append(("poll", {"poll": poll}))
    article.save_revision().publish()
    return poll


def test_visitor_votes_on_a_poll_and_sees_the_results_then_insights_shows_polls(
    visitor, admin, live_server, demo, screenshot
):
    from plugins.polls.models import Vote

    poll = poll_on_the_newest_article(demo)
    visitor.goto(live_server.url + demo.article.path)
    section = visitor.locator(f"#poll-{poll.pk}")
    expect(section.get_by_role("heading", name=QUESTION)).to_be_visible()
    screenshot(visitor, "poll-form")

    # Voting with nothing chosen is refused, with the reason by the answers.
    section.get_by_role("button", name="Vote").click()
    expect(visitor.get_by_role("alert").filter(has_text="Choose an answer before you vote.")).to_be_visible()
    assert not Vote.objects.filter(poll=poll).exists()

    refused = visitor.locator(f"#poll-{poll.pk}")
    refused.get_by_label("Rye").check()
    refused.get_by_role("button", name="Vote").click()

    # Back on the article, at the poll, which now shows the results.
    expect(visitor).to_have_url(re.compile(re.escape(demo.article.path) + f"#poll-{poll.pk}$"))
    section = visitor.locator(f"#poll-{poll.pk}")
    expect(section.get_by_text("Thank you for voting!")).to_be_visible()
    expect(section.locator(".polls-result--chosen")).to_contain_text("Rye (your answer)")
    expect(section.locator(".polls-result--chosen")).to_contain_text("100%")
    expect(section.get_by_role("button", name="Vote")).to_have_count(0)
    screenshot(visitor, "poll-results")
    vote = Vote.objects.get(poll=poll)
    assert vote.voter.startswith("browser:") and [c.label for c in vote.choices.all()] == ["Rye"]

    # The same browser, coming back later, sees its results, not the form.
    visitor.reload()
    expect(visitor.locator(f"#poll-{poll.pk} .polls-result--chosen")).to_contain_text("Rye")

    admin.goto(live_server.url + "/admin/insights/")
    expect(admin.get_by_role("heading", name="Insights", exact=False).first).to_be_visible()
    polls_heading = admin.get_by_role("heading", level=2, name="Polls", exact=True)
    polls_section = admin.locator("section.insights-section", has=polls_heading)
    expect(polls_section).to_be_visible()
    screenshot(admin, "insights")
