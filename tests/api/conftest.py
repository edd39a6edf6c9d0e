"""Fixtures for the API tests: a small page tree with hidden pages beside
the public ones, and a second site."""
import pytest
from rest_framework.authtoken.models import Token
from wagtail.models import Page, PageViewRestriction, Site

from hearthside.models import StandardPage
from tests.factories import UserFactory, make_article, make_section, make_standard, publish


@pytest.fixture
def token_user(db):
    user = UserFactory(username="app")
    return user, Token.objects.create(user=user).key


@pytest.fixture
def journal(root_page):
    return make_section(root_page, title="Journal")


@pytest.fixture
def tree(root_page, journal):
    """Public pages, and one of each kind of page the API must never show."""
    article = make_article(journal, title="New loaves")
    about = make_standard(root_page, title="About us")

    draft = StandardPage(title="Draft", slug="draft", live=False)
    root_page.add_child(instance=draft)
    draft.save_revision()

    unpublished = make_standard(root_page, title="Withdrawn")
    unpublished.unpublish()

    private_section = make_section(root_page, title="Members only")
    private_article = make_article(private_section, title="Secret recipe")
    PageViewRestriction.objects.create(page=private_section, restriction_type=PageViewRestriction.LOGIN)

    other_home = publish(Page.get_first_root_node(), StandardPage(title="Other shop", slug="other-shop"))
    other_page = make_standard(other_home, title="Other shop news")
    Site.objects.create(hostname="other.example", port=80, root_page=other_home, site_name="Other shop")

    return {
        "home": root_page,
        "journal": journal,
        "article": article,
        "about": about,
        "draft": draft,
        "unpublished": unpublished,
        "private_section": private_section,
        "private_article": private_article,
        "other_home": other_home,
        "other_page": other_page,
    }


PUBLIC = ("home", "journal", "article", "about")
HIDDEN = ("draft", "unpublished", "private_section", "private_article", "other_home", "other_page")
