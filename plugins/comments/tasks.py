"""Background work: sending the plugin's emails after the comment is safely
stored. A failed send leaves the comment as it was (nothing is lost);
``manage.py comments_resend`` sends confirmations that never went out."""
from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from .models import CommentState, PageComment


def _comment(comment_id: int) -> PageComment | None:
    return PageComment.objects.select_related("page", "wagtail_site").filter(pk=comment_id).first()


@task()
def send_confirmation(comment_id: int) -> bool:
    from .notifications import send_confirmation as send

    comment = _comment(comment_id)
    if comment is None or comment.state != CommentState.UNCONFIRMED:
        return False
    send(comment)
    PageComment.objects.filter(pk=comment_id).update(confirmation_sent_at=timezone.now())
    return True


@task()
def notify_followers(comment_id: int) -> int:
    from .notifications import send_reply_notifications

    comment = _comment(comment_id)
    if comment is None or comment.state != CommentState.APPROVED:
        return 0
    return send_reply_notifications(comment)


@task()
def alert_moderators(comment_id: int) -> int:
    from .notifications import send_moderator_alert

    comment = _comment(comment_id)
    if comment is None or comment.state != CommentState.PENDING:
        return 0
    return send_moderator_alert(comment)
