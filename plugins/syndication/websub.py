"""WebSub: telling the site's hub that its feeds changed, so subscribers'
readers fetch them within moments instead of at their next poll.

On publish (receivers.py), :func:`notify_hub` works out which public feeds
the page is in (the site's, its sections', its tags') and queues
:func:`ping_hub`, a django-tasks task, so a slow or unreachable hub never
slows publishing. The task POSTs ``hub.mode=publish&hub.url=<feed>`` to the
hub once per feed; a hub that fails or times out is logged and the rest
are still told.
"""
from __future__ import annotations

import logging
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django_tasks import task
from wagtail.models import Page

from .config import settings_for
from .feeds import feed_urls
from .pages import is_syndicated

logger = logging.getLogger(__name__)


def _timeout() -> float:
    return getattr(settings, "SYNDICATION_WEBSUB_TIMEOUT", 10.0)


def usable_hub(url: str) -> bool:
    parts = urlsplit(url or "")
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def affected_feed_urls(site, page) -> list[str]:
    """Absolute addresses of every public feed that lists ``page`` (or, for a
    section index, its own feed, whose title and link it gives)."""
    from hearthside.models import ArticlePageTag, SectionIndexPage

    if not Page.objects.filter(pk=page.pk).live().public().exists():
        return []
    urls: list[str] = []
    if isinstance(page, SectionIndexPage):
        urls += feed_urls(site, "section-feed", page.pk).values()
    if not is_syndicated(page.specific_class or type(page)):
        return urls
    urls += feed_urls(site, "feed").values()
    sections = page.get_ancestors().type(SectionIndexPage).live().public()
    for section_id in sections.values_list("pk", flat=True):
        urls += feed_urls(site, "section-feed", section_id).values()
    slugs = ArticlePageTag.objects.filter(content_object_id=page.pk).values_list("tag__slug", flat=True)
    for slug in sorted(slugs):
        urls += feed_urls(site, "tag-feed", slug).values()
    return urls


@task()
def ping_hub(hub_url: str, feed_urls: list[str]) -> int:
    """Tell ``hub_url`` that each of ``feed_urls`` changed; returns how many
    pings the hub accepted (a 2xx answer)."""
    accepted = 0
    for feed_url in feed_urls:
        try:
            response = requests.post(
                hub_url, data={"hub.mode": "publish", "hub.url": feed_url}, timeout=_timeout()
            )
        except requests.RequestException as error:
            logger.warning("WebSub hub %s could not be told about %s: %s", hub_url, feed_url, error)
            continue
        if 200 <= response.status_code < 300:
            accepted += 1
        else:
            logger.warning(
                "WebSub hub %s answered %s for %s: %s",
                hub_url, response.status_code, feed_url, response.text[:200],
            )
    return accepted


def notify_hub(site, page) -> list[str]:
    """Queue a ping of the site's hub for the feeds ``page`` is in; returns
    those feeds' addresses ([] without a usable hub, or when none lists it)."""
    hub_url = settings_for(site).websub_hub.strip()
    if not hub_url:
        return []
    if not usable_hub(hub_url):
        logger.warning("The WebSub hub %r of %s is not an http(s) address; not pinged.", hub_url, site)
        return []
    urls = affected_feed_urls(site, page)
    if urls:
        ping_hub.enqueue(hub_url, urls)
    return urls
