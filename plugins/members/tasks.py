"""Background work: the plugin's emails and texts, sent after the request
that asked for them is safely stored. A send that fails leaves everything
as it was; ``manage.py members_resend`` queues confirmations that never
went out."""
from __future__ import annotations

from django.utils import timezone
from django_tasks import task


def _member(member_id: int):
    from .models import Member

    return Member.objects.select_related("site").filter(pk=member_id).first()


@task()
def send_confirmation(member_id: int) -> bool:
    from .models import Member
    from .notifications import send_confirmation as send

    member = _member(member_id)
    if member is None or not member.confirmation_nonce:
        return False
    send(member)
    Member.objects.filter(pk=member_id).update(confirmation_sent_at=timezone.now())
    return True


@task()
def send_access_link(member_id: int) -> bool:
    from .notifications import send_access_link as send

    member = _member(member_id)
    if member is None or not member.access_nonce:
        return False
    send(member)
    return True


@task()
def send_phone_code(member_id: int) -> bool:
    from .consent import is_suppressed
    from .models import Suppression
    from .notifications import send_phone_code as send
    from .signup import issue_phone_code

    member = _member(member_id)
    if member is None or not member.phone or not (member.pending or {}).get("awaiting_code"):
        return False
    # An erased member's number is never texted again, whoever gives it.
    if is_suppressed(member.site, Suppression.PHONE, str(member.phone)):
        return False
    send(member, issue_phone_code(member))
    return True


@task()
def run_import(import_id: int) -> bool:
    """Import a previewed CSV file, all or nothing (``imports.run``)."""
    from .imports import run

    return run(import_id)
