"""Comments stored directly, as if posted and judged: no rules, no emails."""
from __future__ import annotations

from django.utils import timezone

from plugins.comments.models import CommentState, PageComment


def store_comment(
    page,
    text="Lovely crumb on that loaf.",
    *,
    site=None,
    name="Priya",
    email="priya@example.com",
    url="",
    user=None,
    parent=None,
    state=CommentState.APPROVED,
    held_reason="",
    business=False,
    followup=False,
    submitted=None,
) -> PageComment:
    """A saved comment on ``page`` (of ``site``, by default the page's own)."""
    page = page.specific
    submitted = submitted or timezone.now()
    comment = PageComment.on(
        page,
        site or page.get_site(),
        user=user,
        user_name=name,
        user_email=email,
        user_url=url,
        comment=text,
        submit_date=submitted,
        confirmed_at=None if state == CommentState.UNCONFIRMED else submitted,
        parent_id=parent.pk if parent else 0,
        state=state,
        held_reason=held_reason,
        is_business_reply=business,
        followup=followup,
    )
    comment.save()
    return comment
