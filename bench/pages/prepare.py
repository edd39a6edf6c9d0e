"""Build the benchmark's database: migrate, load the demo, pick the article.

Run by run.py as a subprocess, in the throwaway environment it sets up
(DATABASE_URL, MEDIA_ROOT, production settings...). One process does all
three steps, which saves two Django start-ups over separate manage.py calls.

    python bench/pages/prepare.py OUT.json [--skip-build]

With --skip-build (the database came from run.py's prepared-state cache)
it only picks the article. Writes {"article": {...}, "timings": {...}}.
"""
from __future__ import annotations

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


DISCUSSION_THREADS = 40
DISCUSSION_COMMENTS = 200


def add_discussed_copy(article_info: dict) -> dict | None:
    """A published copy of the article carrying 200 approved comments in
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


def main(argv: list[str]) -> None:
    out_path = Path(argv[0])
    skip_build = "--skip-build" in argv[1:]

    started = time.perf_counter()
    import django

    django.setup()
    timings = {"django_setup": round(time.perf_counter() - started, 2)}
    if not skip_build:
        timings["migrate"] = _call("migrate", interactive=False, verbosity=0)
        timings["load_demo"] = _call("load_demo")
    article = pick_article()
    result = {"article": article, "timings": timings}
    if not skip_build:
        result["discussed"] = add_discussed_copy(article)
    out_path.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
