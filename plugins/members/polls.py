"""The members plugin's answers to the polls plugin: the member channels,
for answers that stand for one; and who is voting, so a member votes once
whichever browser or app they use. A member is
recognised the two ways they act for themselves elsewhere: signed in to the
preference centre on this browser (its session), or calling with their
preferences token (``Authorization: Member <token>``, as the members API).
"""
from __future__ import annotations

from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from .api import MemberTokenAuthentication
from .channels import channels_for
from .models import Member
from .views import session_member

try:  # the polls plugin may be left out of this install
    from plugins.polls import hooks as polls_hooks
except ImportError:
    polls_hooks = None


def token_member(site, request) -> Member | None:
    """The member whose valid token for ``site`` the request carries, if any."""
    api_request = request if isinstance(request, Request) else Request(request)
    try:
        found = MemberTokenAuthentication().authenticate(api_request)
    except AuthenticationFailed:  # a bad, expired or void token proves nobody
        return None
    if found is None:
        return None
    member = found[1]
    return member if member.site_id == site.pk else None


def voting_member(site, request) -> Member | None:
    member = token_member(site, request)
    if member is None and getattr(request, "session", None) is not None:
        member = session_member(request, site)
    return member


if polls_hooks is not None:

    @polls_hooks.poll_voter.connect
    def member_voting(value, site, request=None, **kwargs):
        if request is None:
            return value
        member = voting_member(site, request)
        return {"member_id": member.pk} if member is not None else value

    @polls_hooks.poll_channels.connect
    def member_channels(site, **kwargs):
        return [(channel.key, channel.label) for channel in channels_for(site).values()]
