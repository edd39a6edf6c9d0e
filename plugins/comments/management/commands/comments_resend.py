from django.core.management.base import BaseCommand
from django.utils import timezone

from plugins.comments.models import CommentState, PageComment
from plugins.comments.tasks import send_confirmation


class Command(BaseCommand):
    help = (
        "Send again the confirmation emails that never went out (the mail server was down), "
        "and delete unconfirmed comments whose link has expired."
    )

    def handle(self, *args, **options):
        from django.conf import settings

        expired_before = timezone.now() - timezone.timedelta(days=settings.COMMENTS_CONFIRMATION_DAYS)
        unconfirmed = PageComment.objects.filter(state=CommentState.UNCONFIRMED)
        deleted = 0
        for comment in unconfirmed.filter(submit_date__lt=expired_before):
            comment.delete()
            deleted += 1
        queued = 0
        for comment_id in unconfirmed.filter(confirmation_sent_at__isnull=True).values_list("pk", flat=True):
            send_confirmation.enqueue(comment_id)
            queued += 1
        self.stdout.write(f"Queued {queued} confirmation email(s); deleted {deleted} expired unconfirmed comment(s).")
