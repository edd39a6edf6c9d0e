"""Which page types take comments, and the Comments panel editors use to open
or close them on one page."""

import pytest
from bs4 import BeautifulSoup
from django.apps import apps
from django.conf import settings
from wagtail.models import Page
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from hearthside.models import ArticlePage, HomePage
from plugins.comments import posting
from plugins.comments.models import PageCommentSettings
from plugins.comments.pages import (
    CommentsPageMixin,
    CommentsPanel,
    accepts_comments,
    add_panels_to_configured_page_types,
)
from plugins.comments.rules import closed_reason, rules_for
from tests.factories import make_article, make_section
from tests.support.forms import posted_fields

pytestmark = pytest.mark.django_db


def all_panels(panel):
    yield panel
    for child in getattr(panel, "children", []):
        yield from all_panels(child)


def comments_panels(model):
    return [panel for panel in all_panels(model.get_edit_handler()) if isinstance(panel, CommentsPanel)]


@pytest.fixture
def article(site):
    return make_article(make_section(site.root_page), title="Spelt sourdough")


# Page types ------------------------------------------------------------------------------


@pytest.mark.parametrize("dotted", settings.COMMENTS_PAGE_TYPES)
def test_each_configured_core_page_type_takes_comments_and_has_the_panel(dotted):
    model = apps.get_model(dotted)

    assert accepts_comments(model)
    [panel] = comments_panels(model)
    assert panel.relation_name == "comment_settings"
    assert panel.heading == "Comments"


def test_the_home_page_takes_no_comments_and_has_no_panel():
    assert not accepts_comments(HomePage)
    assert comments_panels(HomePage) == []
    assert not accepts_comments(Page)


def test_a_page_type_with_the_mixin_takes_comments():
    class RecipePage(CommentsPageMixin):
        """Stands in for a plugin's page type: only the mixin matters here."""

    class PlainPage:
        pass

    assert accepts_comments(RecipePage)
    assert not accepts_comments(PlainPage)
    [panel] = RecipePage.get_comments_panels()
    assert isinstance(panel, CommentsPanel)


def test_adding_the_panels_again_adds_no_second_panel():
    add_panels_to_configured_page_types()

    assert sum(isinstance(panel, CommentsPanel) for panel in ArticlePage.settings_panels) == 1
    # The panel went on a new list: page types that take no comments do not share it.
    assert not any(isinstance(panel, CommentsPanel) for panel in HomePage.settings_panels)


# The page editor -----------------------------------------------------------------------------


def edit_form_data(html: str) -> dict:
    """The edit form's fields as the browser would post them, minus the
    StreamField body (its inputs are built by JavaScript)."""
    form = BeautifulSoup(html, "html.parser").find("form", id="page-edit-form")
    return posted_fields(form)


def test_the_page_editor_shows_the_comments_panel(admin_client, article):
    response = admin_client.get(f"/admin/pages/{article.pk}/edit/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="comment_settings-TOTAL_FORMS"' in html
    assert 'name="comment_settings-__prefix__-comments_open"' in html
    assert 'name="comment_settings-__prefix__-close_after_days"' in html
    assert "Without settings here the page follows the site" in html


def test_the_home_page_editor_has_no_comments_panel(admin_client, site):
    html = admin_client.get(f"/admin/pages/{site.root_page.pk}/edit/").content.decode()

    assert "comment_settings-TOTAL_FORMS" not in html


def publish_with_comment_settings(client, page, **settings_fields):
    html = client.get(f"/admin/pages/{page.pk}/edit/").content.decode()
    data = edit_form_data(html)
    data.update(
        nested_form_data({"body": streamfield([("paragraph", rich_text("<p>Fresh out of the oven.</p>"))])})
    )
    data.update(
        {
            "comment_settings-TOTAL_FORMS": "1",
            "comment_settings-INITIAL_FORMS": data.get("comment_settings-INITIAL_FORMS", "0"),
            "comment_settings-0-id": settings_fields.pop("id", ""),
            "comment_settings-0-close_after_days": settings_fields.pop("close_after_days", ""),
            "action-publish": "action-publish",
        }
    )
    if settings_fields.pop("comments_open"):
        data["comment_settings-0-comments_open"] = "on"
    return client.post(f"/admin/pages/{page.pk}/edit/", data)


def test_publishing_with_comments_closed_stores_the_setting_and_closes_comments(admin_client, site, article):
    assert closed_reason(article, rules_for(site)) is None

    response = publish_with_comment_settings(
        admin_client, article, comments_open=False, close_after_days="10"
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    [stored] = PageCommentSettings.objects.filter(page=article)
    assert (stored.comments_open, stored.close_after_days) == (False, 10)
    article = ArticlePage.objects.get(pk=article.pk)
    assert "Fresh out of the oven." in article.body[0].value.source  # the rest of the page saved as posted
    assert closed_reason(article, rules_for(site)) == "Comments are closed on this page."
    with pytest.raises(posting.CommentRejected, match="Comments are closed on this page."):
        posting.submit(site, article, text="Hello", name="Tom", email="tom@example.com")


def test_reopening_comments_in_the_editor_updates_the_same_row(admin_client, site, article):
    publish_with_comment_settings(admin_client, article, comments_open=False)
    stored = PageCommentSettings.objects.get(page=article)

    response = publish_with_comment_settings(admin_client, article, comments_open=True, id=str(stored.pk))

    assert response.status_code == 302
    assert list(PageCommentSettings.objects.filter(page=article).values_list("pk", "comments_open")) == [
        (stored.pk, True)
    ]
    assert closed_reason(ArticlePage.objects.get(pk=article.pk), rules_for(site)) is None
