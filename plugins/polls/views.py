"""The website's vote URL and results page, mounted at /polls/.

- ``POST <id>/vote/``: the form of the question block and the question page
  (``choice``: one or more choice ids, ``text``, ``next``: the page it was
  sent from). CSRF-protected and rate-limited per client IP (the "poll
  votes" rule of ``HEARTHSIDE_RATE_LIMITS``). A vote that is stored goes
  back to ``next`` (if it is on this site; otherwise to the results page),
  where the poll now shows the results or when they come. A refused vote
  stores nothing and answers a page with the reason next to the form, the
  visitor's answers and words kept, and a link back (400; 409 for a second
  vote).
- ``GET <id>/results/``: the poll on a page of its own, with the results if
  the visitor may see them, else the form.

Neither is cached: what they show depends on who asks. Both work without
JavaScript.
"""
from __future__ import annotations

from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from wagtail.models import Site

from hearthside.ratelimit import client_ip

from . import voting
from .forms import Entries, poll_panel, safe_next
from .models import Poll

NOTHING_STORED = "Nothing was stored. Check the message below and vote again."
REFUSED_HEADINGS = {
    voting.VoteError.ALREADY_VOTED: "You have already voted",
    voting.VoteError.CLOSED: "This poll has closed",
    voting.VoteError.NOT_OPEN: "This poll isn't open yet",
}


class SeeOther(HttpResponseRedirect):
    """303: after a POST, fetch the next page with GET."""

    status_code = 303


def _poll(request, poll_id: int) -> tuple[Site, Poll]:
    site = Site.find_for_request(request)
    poll = Poll.objects.filter(pk=poll_id, site=site).prefetch_related("choices").first() if site else None
    if poll is None:
        raise Http404("There is no such poll on this site.")
    return site, poll


def _without_fragment(url: str) -> str:
    return url.split("#", 1)[0]


@never_cache
def vote(request, poll_id: int):
    site, poll = _poll(request, poll_id)
    results_url = reverse("polls:results", args=[poll.pk])
    if request.method != "POST":
        return SeeOther(results_url)
    next_url = _without_fragment(safe_next(request, request.POST.get("next")))
    voter = voting.voter_for(request, site)
    choices, text = request.POST.getlist("choice"), request.POST.get("text", "")
    try:
        voting.cast_vote(poll, voter, choices, text, ip_address=client_ip(request) or None)
    except voting.VoteError as refused:
        entries = Entries(set(choices), text)
        panel = poll_panel(
            request, poll, site=site, next_url=next_url, entries=entries, error=refused, voter=voter
        )
        heading = REFUSED_HEADINGS.get(refused.code, "Your vote isn't counted yet")
        lead = "" if refused.code in REFUSED_HEADINGS else NOTHING_STORED
        context = {"panel": panel, "heading": heading, "lead": lead, "back_url": next_url}
        return TemplateResponse(request, "polls/poll_page.html", context, status=refused.status)
    response = SeeOther(f"{next_url or results_url}#poll-{poll.pk}")
    voting.remember_browser(response, voter, request)
    return response


@never_cache
def results(request, poll_id: int):
    site, poll = _poll(request, poll_id)
    panel = poll_panel(request, poll, site=site, next_url=request.path)
    if panel.results is not None:
        heading = "Poll results"
    elif panel.shows_form:
        heading = "Have your say"
    else:
        heading = "Poll"
    return TemplateResponse(request, "polls/poll_page.html", {"panel": panel, "heading": heading})
