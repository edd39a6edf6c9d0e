"""The comments plugin's receivers of core hooks."""
from hearthside.extending import hooks

from .threads import comment_counts


@hooks.listing_pages.connect
def count_comments_for_cards(pages, site, request, **kwargs):
    counts = comment_counts(page.pk for page in pages)
    for page in pages:
        page.comment_count = counts.get(page.pk, 0)
    return pages


@hooks.demo_content_loaded.connect
def add_demo_comments(site, pages, **kwargs):
    from .demo import add_demo_comments

    add_demo_comments(site, pages)
