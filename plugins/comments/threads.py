"""A page's conversation as nested data: the one shape the theme, the page
API's slot data and the comments API all share.

Threads (a top-level comment and every reply under it) are paginated; a
page of threads costs the same few queries however many comments it holds.
A reply shows only while every comment above it is visible.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q
from django_comments.models import CommentFlag
from django_comments_xtd.models import LIKEDIT_FLAG

from hearthside.usertext import render_markdown

from .models import CommentState, PageComment

THREADS_PER_PAGE = 20
MAX_THREADS_PER_PAGE = 100


@dataclass
class ThreadPage:
    threads: list[dict]
    number: int
    per_page: int
    thread_count: int
    comment_count: int

    @property
    def page_count(self) -> int:
        return max(1, -(-self.thread_count // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.number < self.page_count

    @property
    def has_previous(self) -> bool:
        return self.number > 1


HTML_CACHE_SECONDS = 24 * 3600


def _html_key(comment) -> str:
    digest = hashlib.sha256(comment.comment.encode()).hexdigest()[:32]
    return f"hearthside:comment-html:{comment.pk}:{digest}"


def rendered_html(comments) -> dict[int, str]:
    """Each comment's sanitised HTML by pk. Turning Markdown into safe HTML is
    most of the cost of a long thread, and comments rarely change, so the
    results are kept in the cache (keyed by the text, so an edit renders
    afresh): one round trip for the whole thread."""
    keys = {comment.pk: _html_key(comment) for comment in comments}
    found = cache.get_many(keys.values())
    html, missing = {}, {}
    for comment in comments:
        key = keys[comment.pk]
        if key in found:
            html[comment.pk] = found[key]
        else:
            html[comment.pk] = missing[key] = str(render_markdown(comment.comment))
    if missing:
        cache.set_many(missing, HTML_CACHE_SECONDS)
    return html


def serialize_comment(comment, *, likes: int = 0, liked: bool = False, can_reply: bool = False, html=None) -> dict:
    return {
        "id": comment.pk,
        "parent_id": comment.parent_id if comment.parent_id != comment.pk else None,
        "level": comment.level,
        "author": {"name": comment.user_name, "url": comment.user_url or None},
        "is_business_reply": comment.is_business_reply,
        "html": html if html is not None else str(render_markdown(comment.comment)),
        "submitted_at": comment.submit_date.isoformat(),
        "likes": likes,
        "liked": liked,
        "can_reply": can_reply,
        "replies": [],
    }


def shown(comments):
    """The approved ``comments`` (a PageComment queryset) that are shown: a
    reply under a hidden comment is hidden too. In a thread's ``order`` each
    comment's replies follow it, deeper than it, until a comment at its level
    or above; so a hidden comment is above a reply when it comes earlier,
    less deep, and nothing in between is as shallow as it."""
    shallower_between = PageComment.objects.filter(
        thread_id=OuterRef("thread_id"),
        order__gt=OuterRef("order"),
        order__lt=OuterRef(OuterRef("order")),
        level__lte=OuterRef("level"),
    )
    hidden_above = (
        PageComment.objects.filter(thread_id=OuterRef("thread_id"), order__lt=OuterRef("order"),
                                   level__lt=OuterRef("level"))
        .exclude(state=CommentState.APPROVED)
        .exclude(Exists(shallower_between))
    )
    return comments.filter(state=CommentState.APPROVED).exclude(Exists(hidden_above))


def comment_counts(page_ids) -> dict[int, int]:
    """Shown comments per page, for every page in ``page_ids`` in one query."""
    rows = (
        shown(PageComment.objects.filter(page_id__in=list(page_ids)))
        .order_by()
        .values("page_id")
        .annotate(total=Count("pk"))
    )
    return {row["page_id"]: row["total"] for row in rows}


def thread_page(page, *, max_depth: int, number: int = 1, per_page: int = THREADS_PER_PAGE, user=None) -> ThreadPage:
    visible = PageComment.objects.filter(page_id=page.pk, state=CommentState.APPROVED).order_by()
    per_page = max(1, min(per_page, MAX_THREADS_PER_PAGE))
    totals = shown(visible).aggregate(
        comments=Count("pk"), threads=Count("pk", filter=Q(level=0))
    )
    page_count = max(1, -(-totals["threads"] // per_page))
    number = max(1, min(number, page_count))
    start = (number - 1) * per_page
    thread_ids = list(
        visible.filter(level=0).order_by("submit_date", "pk").values_list("pk", flat=True)[start : start + per_page]
    )
    comments = list(
        visible.filter(thread_id__in=thread_ids)
        .annotate(like_count=Count("flags", filter=Q(flags__flag=LIKEDIT_FLAG)))
        .order_by("thread_id", "order")
    )
    liked_ids = set()
    if user is not None and user.is_authenticated and comments:
        liked_ids = set(
            CommentFlag.objects.filter(
                user=user, flag=LIKEDIT_FLAG, comment_id__in=[c.pk for c in comments]
            ).values_list("comment_id", flat=True)
        )
    html = rendered_html(comments)
    nodes: dict[int, dict] = {}
    roots: dict[int, dict] = {}
    for comment in comments:
        node = serialize_comment(
            comment,
            likes=comment.like_count,
            liked=comment.pk in liked_ids,
            can_reply=comment.level < max_depth,
            html=html[comment.pk],
        )
        if comment.level == 0:
            roots[comment.pk] = nodes[comment.pk] = node
        elif comment.parent_id in nodes:
            nodes[comment.parent_id]["replies"].append(node)
            nodes[comment.pk] = node
        # else: a comment above it is hidden, so it is hidden too.
    return ThreadPage(
        threads=[roots[pk] for pk in thread_ids if pk in roots],
        number=number,
        per_page=per_page,
        thread_count=totals["threads"],
        comment_count=totals["comments"],
    )
