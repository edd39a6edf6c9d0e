"""The site's comment rules: who is published at once and who is held, when
a page stops taking comments, and the admin form that edits the rules."""

import pytest
from django.utils import timezone

from plugins.comments import hooks
from plugins.comments.models import CommentState, PageComment, PageCommentSettings
from plugins.comments.rules import (
    CommentRules,
    RulesForm,
    Verdict,
    closed_reason,
    rules_for,
    save_rules,
    verdict,
)
from tests.factories import UserFactory, make_article, make_section

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(site):
    return make_article(make_section(site.root_page), title="Spelt sourdough")


def new_comment(
    site, page, text="Lovely bake!", email="ada@example.com", state=CommentState.UNCONFIRMED, save=False
):
    comment = PageComment.on(
        page,
        site,
        user_name="Ada",
        user_email=email,
        comment=text,
        submit_date=timezone.now(),
        state=state,
    )
    if save:
        comment.save()
    return comment


# verdict ----------------------------------------------------------------------


def test_a_first_time_commenter_is_held(site, article):
    decided = verdict(new_comment(site, article), CommentRules())

    assert decided == Verdict(CommentState.PENDING, "first comment from this person")


def test_more_links_than_allowed_are_held(site, article):
    text = "See [one](https://a.example) and [two](https://b.example) and [three](https://c.example)."

    decided = verdict(new_comment(site, article, text), CommentRules(max_links=2, hold_first_time=False))

    assert decided.state == CommentState.PENDING
    assert decided.reason == "3 links (more than 2)"


def test_links_up_to_the_limit_pass(site, article):
    text = "See [one](https://a.example) and [two](https://b.example)."

    decided = verdict(new_comment(site, article, text), CommentRules(max_links=2, hold_first_time=False))

    assert decided.state == CommentState.APPROVED


def test_a_blocklisted_word_is_held_whatever_its_case(site, article):
    rules = CommentRules(blocklist="casino\n  cheap pills  \n", hold_first_time=False)

    decided = verdict(new_comment(site, article, "Best CHEAP Pills here"), rules)

    assert decided.state == CommentState.PENDING
    assert "cheap pills" in decided.reason


def test_an_author_with_an_approved_comment_is_approved_at_once(site, article):
    new_comment(site, article, email="ada@example.com", state=CommentState.APPROVED, save=True)

    decided = verdict(new_comment(site, article, email="ADA@example.com"), CommentRules(hold_first_time=True))

    assert decided == Verdict(CommentState.APPROVED)


def test_approved_history_is_not_enough_when_auto_approve_is_off(site, article):
    new_comment(site, article, state=CommentState.APPROVED, save=True)

    decided = verdict(
        new_comment(site, article), CommentRules(auto_approve_known=False, hold_first_time=True)
    )

    assert decided.state == CommentState.PENDING


def test_only_approved_comments_count_as_history(site, article):
    new_comment(site, article, state=CommentState.SPAM, save=True)
    new_comment(site, article, state=CommentState.PENDING, save=True)

    assert verdict(new_comment(site, article), CommentRules()).state == CommentState.PENDING


def test_a_signed_in_author_history_goes_by_account(site, article):
    user = UserFactory(email="")
    earlier = new_comment(site, article, email="", state=CommentState.APPROVED)
    earlier.user = user
    earlier.save()
    comment = new_comment(site, article, email="")
    comment.user = user

    assert verdict(comment, CommentRules()).state == CommentState.APPROVED


def test_with_hold_first_time_off_a_first_comment_is_approved(site, article):
    decided = verdict(new_comment(site, article), CommentRules(hold_first_time=False))

    assert decided == Verdict(CommentState.APPROVED)


def test_links_are_held_even_for_known_authors(site, article):
    new_comment(site, article, state=CommentState.APPROVED, save=True)
    text = "[a](https://a.example) [b](https://b.example)"

    decided = verdict(new_comment(site, article, text), CommentRules(max_links=1))

    assert decided.state == CommentState.PENDING


def test_the_comment_verdict_hook_can_change_the_outcome(site, article):
    seen = {}

    def trust_the_regulars(value, site, comment, **kwargs):
        seen.update(comment)
        return Verdict(CommentState.APPROVED) if comment["email"] == "ada@example.com" else value

    with hooks.comment_verdict.connected(trust_the_regulars):
        decided = verdict(new_comment(site, article), CommentRules(hold_first_time=True))

    assert decided.state == CommentState.APPROVED
    assert seen["text"] == "Lovely bake!"
    assert seen["page_id"] == article.pk


def test_the_comment_verdict_hook_can_hold_what_the_rules_approve(site, article):
    def hold_everything(value, **kwargs):
        return Verdict(CommentState.PENDING, "held by a plugin")

    with hooks.comment_verdict.connected(hold_everything):
        decided = verdict(new_comment(site, article), CommentRules(hold_first_time=False))

    assert decided == Verdict(CommentState.PENDING, "held by a plugin")


def test_a_spam_check_answer_decides_spam_and_no_answer_holds(site, article):
    rules = CommentRules(hold_first_time=False)

    assert verdict(new_comment(site, article), rules, spam_check=lambda c: True).state == CommentState.SPAM
    unreachable = verdict(new_comment(site, article), rules, spam_check=lambda c: None)
    assert unreachable == Verdict(CommentState.PENDING, "the spam check could not be reached")
    assert (
        verdict(new_comment(site, article), rules, spam_check=lambda c: False).state == CommentState.APPROVED
    )


# closed_reason ------------------------------------------------------------------


def test_an_article_is_open_by_default(site, article):
    assert closed_reason(article, CommentRules()) is None


def test_the_page_switch_closes_comments(site, article):
    PageCommentSettings.objects.create(page=article, comments_open=False)
    article = article.specific_class.objects.get(pk=article.pk)

    assert closed_reason(article, CommentRules()) == "Comments are closed on this page."


def test_the_page_switch_can_open_a_page_the_site_keeps_closed(site, article):
    PageCommentSettings.objects.create(page=article, comments_open=True)
    article = article.specific_class.objects.get(pk=article.pk)

    assert closed_reason(article, CommentRules(open_by_default=False)) is None


def test_the_site_default_closes_pages_without_their_own_setting(site, article):
    assert closed_reason(article, CommentRules(open_by_default=False)) == "Comments are closed on this page."


def test_comments_close_n_days_after_first_publication(site, article):
    rules = CommentRules(close_after_days=30)
    article.first_published_at = timezone.now() - timezone.timedelta(days=29)
    assert closed_reason(article, rules) is None

    article.first_published_at = timezone.now() - timezone.timedelta(days=31)
    assert closed_reason(article, rules) == "Comments closed 30 days after this page was published."


def test_auto_close_counts_from_first_publication_not_the_latest(site, article):
    article.first_published_at = timezone.now() - timezone.timedelta(days=40)
    article.last_published_at = timezone.now()

    assert closed_reason(article, CommentRules(close_after_days=30)) is not None


def test_a_page_own_close_after_days_wins_over_the_site(site, article):
    PageCommentSettings.objects.create(page=article, comments_open=True, close_after_days=5)
    article = article.specific_class.objects.get(pk=article.pk)
    article.first_published_at = timezone.now() - timezone.timedelta(days=6)

    assert closed_reason(article, CommentRules(close_after_days=100)) == (
        "Comments closed 5 days after this page was published."
    )


def test_a_page_type_that_takes_no_comments_is_closed(site):
    assert closed_reason(site.root_page.specific, CommentRules()) == "This page does not take comments."


# RulesForm and storage --------------------------------------------------------------


def form_data(**changes):
    data = {
        "open_by_default": True,
        "close_after_days": "",
        "max_depth": 3,
        "hold_first_time": True,
        "auto_approve_known": True,
        "max_links": 2,
        "blocklist": "",
        "needs_response_hours": 24,
        "flag_threshold": 3,
        "notify_moderators": True,
        "moderator_emails": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not False}


def test_the_rules_form_turns_valid_input_into_rules():
    form = RulesForm(
        data=form_data(moderator_emails="a@example.com, b@example.com\nc@example.com", max_depth=0)
    )

    assert form.is_valid(), form.errors
    rules = form.to_rules()
    assert rules.max_depth == 0
    assert rules.close_after_days is None
    assert rules.extra_moderator_emails == ["a@example.com", "b@example.com", "c@example.com"]


def test_the_rules_form_names_the_bad_moderator_email():
    form = RulesForm(data=form_data(moderator_emails="a@example.com, not-an-email"))

    assert not form.is_valid()
    assert form.errors["moderator_emails"] == ["“not-an-email” is not an email address."]


@pytest.mark.parametrize("depth", [-1, 9])
def test_the_rules_form_refuses_a_depth_out_of_range(depth):
    form = RulesForm(data=form_data(max_depth=depth))

    assert not form.is_valid()
    assert "max_depth" in form.errors


def test_a_site_that_never_saved_rules_gets_the_defaults(site):
    assert rules_for(site) == CommentRules()
    assert rules_for(None) == CommentRules()


def test_saved_rules_come_back_as_saved(site, admin_user):
    rules = CommentRules(
        max_depth=5, blocklist="casino", moderator_emails="boss@example.com", close_after_days=14
    )

    save_rules(site, rules, admin_user)

    assert rules_for(site) == rules


def test_saving_rules_keeps_other_plugin_config_and_ignores_unknown_keys(site):
    from hearthside.extending.activation import plugin_config, save_plugin_config

    save_plugin_config(site, "comments", {"something_else": 1, "max_links": 7})

    assert rules_for(site).max_links == 7
    save_rules(site, CommentRules(max_links=4))
    assert plugin_config(site, "comments")["something_else"] == 1
    assert rules_for(site).max_links == 4
