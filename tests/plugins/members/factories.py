"""Members made directly, without forms or emails, for tests about something else."""
from __future__ import annotations

from django.utils import timezone

from plugins.members import consent
from plugins.members.models import Member, Source, Stage, Subscription, Topic


def make_member(
    site,
    *,
    email: str,
    name: str = "",
    phone: str = "",
    channels: dict | None = None,
    topics=(),
    stage: str = Stage.PROSPECT,
    confirmed: bool = True,
    source: str = Source.FORM,
) -> Member:
    """A member with ``channels`` ({key: frequency}) granted and recorded as
    consent, following ``topics`` (slugs)."""
    now = timezone.now()
    member = Member.objects.create(
        site=site,
        email=email,
        name=name,
        phone=phone,
        phone_confirmed_at=now if phone else None,
        stage=stage,
        source=source,
        confirmed_at=now if confirmed else None,
    )
    for key, frequency in (channels or {}).items():
        config = {"url": "https://hooks.example.com/in"} if key == "webhook" else {}
        Subscription.objects.create(member=member, channel=key, frequency=frequency, config=config)
        consent.record(member, key, True, source="test factory", wording="Test wording", ip="")
    member.topics.set(Topic.objects.filter(site=site, slug__in=topics))
    return member
