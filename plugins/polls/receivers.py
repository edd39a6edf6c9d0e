"""The polls plugin's receivers: an erased member's votes stay counted but
no longer say whose they were; editing or deleting a poll drops the cached
pages, since a closed poll's results are cached with the pages showing them."""

from django.db import transaction
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from hearthside import pagecache

from .models import Poll, Vote


def forget_member(site, member_id) -> int:
    """Unlink ``member_id``'s votes on ``site``'s polls: the counts and the
    words stay, the member id, the address they voted from and the voter key
    that named them go. Returns how many votes were unlinked."""
    return Vote.objects.filter(poll__site=site, member_id=member_id).update(
        member_id=None,
        ip_address=None,
        # Still unique per poll, as the constraint needs; it names nobody.
        voter=Concat(Value("erased:"), Cast("pk", output_field=CharField())),
    )


try:
    from plugins.members import hooks as member_hooks
except ImportError:  # the members plugin may be left out of this install
    member_hooks = None

if member_hooks is not None:

    @member_hooks.member_erased.connect
    def forget_erased_member(site, member_id, **kwargs):
        forget_member(site, member_id)


@receiver(post_save, sender=Poll, dispatch_uid="polls_purge_pages_on_save")
@receiver(post_delete, sender=Poll, dispatch_uid="polls_purge_pages_on_delete")
def purge_pages_showing_polls(sender, instance, **kwargs):
    transaction.on_commit(pagecache.purge)
