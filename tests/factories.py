"""Builders for test data: pages in a real tree, images from Wagtail's test file."""
import datetime
import itertools

import factory
from django.contrib.auth import get_user_model
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file

from hearthside.models import ArticlePage, OfferPage, SectionIndexPage, StandardPage

_counter = itertools.count(1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("correct horse battery")
    is_active = True


class ImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_image_model()

    title = factory.Sequence(lambda n: f"Image {n}")
    file = factory.LazyFunction(lambda: get_test_image_file(filename=f"test-{next(_counter)}.png"))


def publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def make_section(parent, title="Journal", **fields):
    n = next(_counter)
    return publish(parent, SectionIndexPage(title=title, slug=f"section-{n}", **fields))


def make_article(section, title=None, tags=(), images=0, related=(), body=None, **fields):
    """A published article with ``images`` body images, ``tags`` and ``related`` pages."""
    n = next(_counter)
    blocks = body or [("paragraph", f"<p>Body of article {n}.</p>")]
    blocks = list(blocks) + [
        ("image", {"image": ImageFactory(), "caption": f"Picture {i}", "alt_text": ""})
        for i in range(images)
    ]
    fields.setdefault("feature_image", ImageFactory() if images else None)
    article = ArticlePage(
        title=title or f"Article {n}",
        slug=f"article-{n}",
        summary=f"Summary of article {n}.",
        date=datetime.date(2026, 1, 1) + datetime.timedelta(days=n % 300),
        body=blocks,
        **fields,
    )
    section.add_child(instance=article)
    article.tags.add(*tags)
    for page in related:
        article.related_links.create(page=page)
    article.save_revision().publish()
    article.refresh_from_db()
    return article


def make_offer(parent, **fields):
    n = next(_counter)
    fields.setdefault("summary", "Two loaves for the price of one.")
    return publish(parent, OfferPage(title=fields.pop("title", f"Offer {n}"), slug=f"offer-{n}", **fields))


def make_standard(parent, **fields):
    n = next(_counter)
    return publish(parent, StandardPage(title=fields.pop("title", f"Page {n}"), slug=f"page-{n}", **fields))


def store_embed(url, width=640, height=480):
    """An embed as an oEmbed provider would have answered, so no network is needed."""
    from wagtail.embeds.embeds import get_embed_hash
    from wagtail.embeds.models import Embed

    return Embed.objects.create(
        url=url, hash=get_embed_hash(url), type="video", width=width, height=height,
        html=f'<iframe src="about:blank" width="{width}" height="{height}" title="A video"></iframe>',
    )
