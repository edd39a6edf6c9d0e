"""Build the benchmark's database: migrate, load the demo, pick the article,
give a copy of it 50 comments, fill the site feed to 50 full-content items.

Run by run.py as a subprocess, in the throwaway environment it sets up
(DATABASE_URL, MEDIA_ROOT, production settings...). One process does every
step, which saves Django start-ups over separate manage.py calls.

    python bench/pages/prepare.py OUT.json [--skip-migrate]

With --skip-migrate the database is already migrated (run.py copied a
migrated PostgreSQL template). Writes {"article": {...}, "discussed":
{...}, "feed": {...}, "timings": {...}}.
"""
from __future__ import annotations

import dataclasses
import io
import json
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
for path in (REPO_ROOT / "site", REPO_ROOT):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))


def _call(name: str, *args, **options) -> float:
    from django.core.management import call_command

    started = time.perf_counter()
    out = io.StringIO()
    try:
        call_command(name, *args, stdout=out, stderr=out, **options)
    except BaseException:
        sys.stderr.write(out.getvalue())
        raise
    return round(time.perf_counter() - started, 2)


def pick_article() -> dict:
    """The newest article of the home page's featured section (the first card
    on the home page), else the newest live, public article anywhere."""
    from wagtail.models import Site

    from hearthside.models.pages import ArticlePage, HomePage

    article = None
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    home = site.root_page.specific if site else None
    if isinstance(home, HomePage) and home.featured_section_id:
        article = home.featured_section.articles().first()
    if article is None:
        article = (
            ArticlePage.objects.live().public().order_by("-first_published_at", "-pk").first()
        )
    if article is None:
        raise SystemExit("prepare: no live ArticlePage after load_demo")
    parts = article.get_url_parts()
    if parts is None:
        raise SystemExit(f"prepare: article {article.pk} is not routable (no site)")
    _site_id, _root_url, page_path = parts
    return {
        "id": article.pk,
        "title": article.title,
        "section": article.get_parent().title,
        "path": page_path,
        "live_articles": ArticlePage.objects.live().public().count(),
    }


# W2's article: 10 threads of 5 comments (a comment, two replies, a reply to
# the first reply and one to that).
DISCUSSION_THREADS = 10
# W3's feed: the site feed lists this many pages (plugins.syndication.feeds.FEED_LENGTH).
FEED_ITEMS = 50


def add_discussed_copy(article_info: dict) -> dict | None:
    """A published copy of the article carrying 50 approved comments in
    nested threads; the original is left without comments, so the two are
    the same article with and without a conversation. None when the comments
    plugin is not installed."""
    from django.apps import apps

    if not apps.is_installed("plugins.comments"):
        return None
    from django.utils import timezone

    from hearthside.models.pages import ArticlePage
    from plugins.comments.models import CommentState, PageComment

    article = ArticlePage.objects.get(pk=article_info["id"])
    PageComment.objects.filter(page=article).delete()
    copy = article.copy(
        update_attrs={"slug": f"{article.slug}-discussed", "title": f"{article.title} (discussed)"},
        keep_live=False,
    )
    copy.save_revision().publish()
    copy = ArticlePage.objects.get(pk=copy.pk)
    site = copy.get_site()
    started = timezone.now() - timezone.timedelta(days=3)
    made = 0

    def comment(parent, number):
        nonlocal made
        made += 1
        row = PageComment.on(
            copy, site, user_name=f"Neighbour {number}",
            user_email=f"neighbour{number}@example.com",
            comment=f"Comment {number}: *lovely* bake, and a [link](https://example.com/{number}).",
            submit_date=started + timezone.timedelta(minutes=made), confirmed_at=started,
            parent_id=parent.pk if parent else 0, state=CommentState.APPROVED,
            is_business_reply=bool(parent) and made % 7 == 0,
        )
        row.save()
        return row

    # Each thread: a comment, two replies, a reply to the first reply: 5 per thread.
    for _ in range(DISCUSSION_THREADS):
        top = comment(None, made + 1)
        first = comment(top, made + 1)
        comment(top, made + 1)
        deeper = comment(first, made + 1)
        comment(deeper, made + 1)
    parts = copy.get_url_parts()
    return {"id": copy.pk, "title": copy.title, "path": parts[2], "comments": made}


def fill_site_feed(article_info: dict) -> dict:
    """Published copies of the article until the site feed has FEED_ITEMS
    pages to list, and feeds set to carry each page's whole content."""
    from wagtail.models import Site

    from hearthside.models.pages import ArticlePage
    from plugins.syndication.config import save_settings, settings_for
    from plugins.syndication.feeds import FEED_LENGTH

    article = ArticlePage.objects.get(pk=article_info["id"])
    live = ArticlePage.objects.live().public().count()
    for number in range(max(0, FEED_ITEMS - live)):
        copy = article.copy(
            update_attrs={"slug": f"{article.slug}-{number + 2}", "title": f"{article.title} ({number + 2})"},
            keep_live=False,
        )
        copy.save_revision().publish()
    site = Site.objects.get(is_default_site=True)
    save_settings(site, dataclasses.replace(settings_for(site), full_content_feeds=True))
    return {"path": "/syndication/feed/", "items": min(FEED_LENGTH, ArticlePage.objects.live().public().count()),
            "full_content": True}


def main(argv: list[str]) -> None:
    out_path = Path(argv[0])
    skip_migrate = "--skip-migrate" in argv[1:]

    started = time.perf_counter()
    import django

    django.setup()
    timings = {"django_setup": round(time.perf_counter() - started, 2)}
    if not skip_migrate:
        timings["migrate"] = _call("migrate", interactive=False, verbosity=0)
    timings["load_demo"] = _call("load_demo")
    article = pick_article()
    result = {"article": article, "timings": timings}
    result["discussed"] = add_discussed_copy(article)
    step_started = time.perf_counter()
    result["feed"] = fill_site_feed(article)
    timings["fill_feed"] = round(time.perf_counter() - step_started, 2)
    out_path.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
