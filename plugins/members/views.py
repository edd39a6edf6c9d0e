"""The members plugin's public pages: signing up, confirming by email, the
magic link, the preference centre (channels, topics, the mobile
number's code, "download my data", "delete me", sign out), and the
unsubscribe link in every update.

The rules live in ``signup`` and ``preferences``; these views translate
between HTTP and them. Every refusal says why, changes nothing and keeps
what the visitor typed.

Two kinds of page, two kinds of protection:

- The signup and "email me a link" forms are posted by visitors without a
  session, from pages that are cached for everyone; they carry no CSRF
  token (see :func:`signup`), and are protected by the honeypot and the
  service's rate limits per IP address and per email address.
- Links from emails open an interstitial page whose button POSTs (mail
  systems' link scanners follow GET links; only a person's press acts).
  That press starts a preference-centre session (a cookie), after which
  every form carries Django's CSRF token. Pages with personal data are
  never cached.
- The unsubscribe link in updates works without a session or cookie (see
  :func:`one_click_unsubscribe`): its signed token is the authority.
"""
from __future__ import annotations

import json
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import rotate_token
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from wagtail.models import Page, Site

from hearthside.ratelimit import client_ip

from . import preferences as preference_service
from . import signup as signup_service
from . import syndication as syndication_service
from . import tokens
from .forms import (
    HONEYPOT_FILLED,
    HONEYPOT_LABEL,
    ChoiceEntries,
    PreferencesForm,
    SignupEntries,
    SignupForm,
    offer_for,
)
from .models import Member
from .signup import LinkAlreadyUsed
from .validation import LinkGone, MemberRateLimited, MemberRejected

SESSION_MEMBER = "members.member_id"
SESSION_TOKEN_VERSION = "members.token_version"

class SeeOther(HttpResponseRedirect):
    """303: after a POST, fetch the next page with GET."""

    status_code = 303


def _site(request) -> Site:
    site = Site.find_for_request(request)
    if site is None:
        raise Http404("No site is set up for this address.")
    return site


def _ip(request) -> str | None:
    return client_ip(request) or None


def _notice(request, heading, message, *, status=200, tone="info", details=(), actions=()):
    """A short page: check your inbox, a bad link, too many requests, deleted.
    ``actions``: (url, label) links shown as buttons."""
    return TemplateResponse(
        request,
        "members/notice.html",
        {"heading": heading, "message": message, "details": list(details), "tone": tone, "actions": list(actions)},
        status=status,
    )


def _too_many(request, refused: MemberRateLimited, *, heading="Please wait a little"):
    response = _notice(request, heading, refused.message, status=429, tone="error")
    response["Retry-After"] = str(refused.retry_after)
    return response


# The preference-centre session ---------------------------------------------------


def start_session(request, member: Member) -> None:
    """Sign ``member`` in to the preference centre on this browser, with a
    new session key, so a key fixed beforehand (session fixation) is worthless."""
    request.session.cycle_key()
    rotate_token(request)  # as Django's login() does: a CSRF token planted beforehand is worthless too
    request.session[SESSION_MEMBER] = member.pk
    request.session[SESSION_TOKEN_VERSION] = member.token_version


def session_member(request, site) -> Member | None:
    """The member signed in on this browser, or None: never signed in, or
    void since (erased, or their token version was raised)."""
    member_id = request.session.get(SESSION_MEMBER)
    if not member_id:
        return None
    member = Member.objects.select_related("site").filter(pk=member_id, site=site).first()
    if member is None or member.token_version != request.session.get(SESSION_TOKEN_VERSION):
        for key in (SESSION_MEMBER, SESSION_TOKEN_VERSION):
            request.session.pop(key, None)
        return None
    return member


def member_required(view):
    """Views of the preference centre: ``view(request, site, member, ...)``;
    without a valid session, to the page that emails a new link."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        site = _site(request)
        member = session_member(request, site)
        if member is None:
            return SeeOther(f"{reverse('members:access')}?session=ended")
        return view(request, site, member, *args, **kwargs)

    return wrapped


def _landing(member: Member) -> str:
    """Where a member goes once signed in: the code form if texts wait for one."""
    if (member.pending or {}).get("awaiting_code"):
        return reverse("members:phone_code")
    return reverse("members:preferences")


# Signing up ------------------------------------------------------------------------


def _source_page(site, page_id: str):
    """The live, public page of this site a form was on, or None."""
    if not page_id.isdigit():
        return None
    return Page.objects.live().public().in_site(site).filter(pk=int(page_id)).first()


def _signup_page(request, form: SignupForm, *, status=200):
    response = TemplateResponse(request, "members/signup.html", {"signup_form": form}, status=status)
    if request.method == "POST":
        add_never_cache_headers(response)  # it shows what the visitor typed
    return response


# The footer form is on every page and the signup block on any, and those
# pages are cached for anonymous visitors: a CSRF token would set a cookie and
# keep every page out of the cache (docs/architecture.md, "Anonymous comment
# forms carry no CSRF token"). CSRF protects what a session can do; this view
# uses no session and acts for nobody signed in: a forged post could only ask
# for a confirmation email, which anyone can do directly, and the address's
# owner must still follow the emailed link. Robots meet the honeypot and the
# service's rate limits per IP and per email address.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def signup(request):
    """The full signup page (GET), and every signup form's POST: this page's,
    the footer's and the signup blocks'."""
    site = _site(request)
    offer = offer_for(request, site)
    if request.method == "GET":
        page_id = request.GET.get("page", "")
        entries = SignupEntries(page_id=page_id if page_id.isdigit() else "")
        return _signup_page(request, SignupForm(offer, entries))

    entries = SignupEntries.read(request.POST)
    # A refusal shows the full form, whichever form was sent: every choice
    # is there, and everything typed is kept (the hidden source too).
    form = SignupForm(offer, entries)
    if entries.honeypot:
        form.refuse(HONEYPOT_FILLED.format(label=HONEYPOT_LABEL))
        return _signup_page(request, form, status=400)
    try:
        signup_service.signup(
            site,
            email=entries.email,
            name=entries.name,
            phone=entries.phone,
            channels=entries.chosen_channels(),
            topics=entries.topics,
            webhook_url=entries.webhook_url,
            source=entries.source,
            source_page=_source_page(site, entries.page_id),
            source_detail=entries.source_detail,
            ip_address=_ip(request),
        )
    except MemberRateLimited as refused:
        form.refuse(refused.message)
        response = _signup_page(request, form, status=429)
        response["Retry-After"] = str(refused.retry_after)
        return response
    except MemberRejected as refused:
        form.refuse(refused.message, refused.field)
        return _signup_page(request, form, status=refused.status)
    # The same answer for a new, a known and a suppressed address.
    return SeeOther(reverse("members:signup_done"))


@require_GET
def signup_done(request):
    return _notice(
        request,
        "Check your inbox",
        "We've sent you an email with a link. Please follow it to confirm your address: "
        "until you do, we send you nothing else.",
        tone="success",
        details=[
            (
                f"The link works for {settings.MEMBERS_CONFIRMATION_DAYS} days. If nothing arrives in a few "
                "minutes, look in your spam folder, or sign up again and we'll send it once more."
            ),
        ],
        actions=[("/", "Back to the home page")],
    )


# Links from emails ----------------------------------------------------------------


def _link_refused(request, refused: MemberRejected, purpose: str):
    """A link that cannot be used: why, and what to do instead. Nothing changed.
    410 for a link that worked once (used, expired, its subscription gone),
    400 for one that never did (changed or cut short)."""
    gone = isinstance(refused, LinkGone)
    if purpose == tokens.CONFIRM and not isinstance(refused, LinkAlreadyUsed):
        actions = [(reverse("members:signup"), "Sign up again")]
    else:
        actions = [(reverse("members:access"), "Email me a new link")]
    return _notice(
        request,
        "This link has already been used" if isinstance(refused, LinkAlreadyUsed) else "This link does not work",
        refused.message,
        status=410 if gone else 400,
        tone="info" if isinstance(refused, LinkAlreadyUsed) else "error",
        actions=actions,
    )


def _interstitial(request, member, *, heading, lead, button, details=()):
    return TemplateResponse(
        request,
        "members/link.html",
        {"heading": heading, "lead": lead, "button": button, "details": list(details), "member": member},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """The link in the confirmation email: a page with a button (GET); the
    button (POST) confirms and opens the member's preferences."""
    site = _site(request)
    try:
        member = signup_service.member_of_link(tokens.CONFIRM, token, site=site)
    except MemberRejected as refused:
        return _link_refused(request, refused, tokens.CONFIRM)
    if request.method == "GET":
        offered = offer_for(request, site)
        asked = [
            f"{channel.label} ({dict(channel.frequencies).get(frequency, frequency)})"
            if len(channel.frequencies) > 1
            else channel.label
            for key, frequency in ((member.pending or {}).get("channels") or {}).items()
            if (channel := offered.channel(key)) is not None
        ]
        return _interstitial(
            request,
            member,
            heading="Confirm your subscription",
            lead=f"Press the button to confirm that {member.email} is your address.",
            button="Confirm my subscription",
            details=[f"You asked for: {', '.join(asked)}."] if asked else [],
        )
    try:
        member = signup_service.confirm(token, site=_site(request), ip_address=_ip(request))
    except MemberRejected as refused:
        return _link_refused(request, refused, tokens.CONFIRM)
    start_session(request, member)
    messages.success(request, "Thank you: your subscription is confirmed.")
    return SeeOther(_landing(member))


@never_cache
@require_http_methods(["GET", "POST"])
def access_link(request, token):
    """The magic link to the preference centre: a page with a button (GET);
    the button (POST) uses the link, once, and signs the member in."""
    site = _site(request)
    try:
        member = signup_service.member_of_link(tokens.ACCESS, token, site=site)
    except MemberRejected as refused:
        return _link_refused(request, refused, tokens.ACCESS)
    if request.method == "GET":
        return _interstitial(
            request,
            member,
            heading="Open your preferences",
            lead=f"Press the button to see and change what we send to {member.email}.",
            button="Open my preferences",
        )
    try:
        member = signup_service.open_access_link(token, site=_site(request))
    except MemberRejected as refused:
        return _link_refused(request, refused, tokens.ACCESS)
    start_session(request, member)
    return SeeOther(_landing(member))


# See the note above signup(): the same holds for asking for a link.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def access(request):
    """ "Email me a link to my preferences"; the same answer for everyone."""
    site = _site(request)
    email = ""
    problem = ""
    status = 200
    if request.method == "POST":
        email = request.POST.get("email", "")
        try:
            signup_service.request_access(site, email, ip_address=_ip(request))
        except MemberRateLimited as refused:
            return _too_many(request, refused)
        except MemberRejected as refused:
            problem, status = refused.message, refused.status
        else:
            return SeeOther(f"{reverse('members:access')}?sent=1")
    context = {
        "email": email,
        "problem": problem,
        "sent": request.method == "GET" and request.GET.get("sent") == "1",
        "session_ended": request.GET.get("session") == "ended",
        "hours": settings.MEMBERS_ACCESS_LINK_HOURS,
    }
    return TemplateResponse(request, "members/access.html", context, status=status)


# The preference centre -----------------------------------------------------------------


def _feed_url(site, member) -> str:
    return f"{site.root_url}{reverse('members:feed', args=[member.feed_key])}"


def _preferences_page(request, site, member, form=None, *, status=200):
    subscriptions = list(member.subscriptions.all())
    offer = offer_for(request, site)
    if form is None:
        form = PreferencesForm.for_member(offer, member, subscriptions)
    offered = {channel.key: channel for channel in offer.channels}
    current = [
        {
            "key": s.channel,
            "label": offered[s.channel].label if s.channel in offered else s.channel,
            "frequency": dict(offered[s.channel].frequencies).get(s.frequency, s.frequency)
            if s.channel in offered and len(offered[s.channel].frequencies) > 1
            else "",
        }
        for s in subscriptions
    ]
    awaiting = (member.pending or {}).get("awaiting_code") or {}
    context = {
        "member": member,
        "form": form,
        "subscriptions": current,
        "feed_url": _feed_url(site, member) if any(s.channel == "rss" for s in subscriptions) else "",
        "awaiting_code": [offered[key].label for key in awaiting if key in offered],
    }
    return TemplateResponse(request, "members/preferences.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@member_required
def preferences(request, site, member):
    """What the member gets, and how: shown (GET) and saved or left (POST)."""
    if request.method == "GET":
        return _preferences_page(request, site, member)
    if request.POST.get("action") == "unsubscribe":
        channel = request.POST.get("channel") or None
        try:
            left = preference_service.unsubscribe(member, channel, ip_address=_ip(request))
        except MemberRejected as refused:  # a channel this site does not have
            return _notice(
                request, "Nothing was changed", refused.message, status=400, tone="error",
                actions=[(reverse("members:preferences"), "Back to your preferences")],
            )
        if channel is None:
            messages.success(request, "You are unsubscribed from everything: we won't send you anything more.")
        elif left:
            label = getattr(offer_for(request, site).channel(channel), "label", channel)
            messages.success(request, f"You are unsubscribed from {label}.")
        else:
            messages.info(request, "You were not subscribed to that; nothing was changed.")
        return SeeOther(reverse("members:preferences"))

    offer = offer_for(request, site)
    entries = ChoiceEntries.read(request.POST)
    try:
        member = preference_service.update_preferences(
            member,
            channels=entries.chosen_channels(),
            topics=entries.topics,
            name=entries.name,
            phone=entries.phone,
            webhook_url=entries.webhook_url,
            source=preference_service.CENTRE,
            ip_address=_ip(request),
        )
    except MemberRejected as refused:
        awaiting = (member.pending or {}).get("awaiting_code") or {}
        form = PreferencesForm(offer, entries, awaiting=awaiting)
        form.refuse(refused.message, refused.field)
        response = _preferences_page(request, site, member, form, status=refused.status)
        if isinstance(refused, MemberRateLimited):
            response["Retry-After"] = str(refused.retry_after)
        return response
    if (member.pending or {}).get("awaiting_code"):
        messages.success(request, "Saved. Enter the code we texted you to start text messages.")
        return SeeOther(reverse("members:phone_code"))
    if entries.channels:
        messages.success(request, "Your choices are saved.")
    else:
        messages.success(request, "Saved. You are on no channel now, so we won't send you anything.")
    return SeeOther(reverse("members:preferences"))


def _phone_code_page(request, member, *, problem="", status=200):
    context = {"member": member, "code_problem": problem, "code_minutes": settings.MEMBERS_PHONE_CODE_MINUTES}
    return TemplateResponse(request, "members/phone_code.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@member_required
def phone_code(request, site, member):
    """The code texted to a new mobile number: enter it (or ask for another)."""
    if not (member.pending or {}).get("awaiting_code"):
        if request.method == "POST":
            messages.info(request, "There is no code waiting: your number needs no confirming.")
        return SeeOther(reverse("members:preferences"))
    if request.method == "GET":
        return _phone_code_page(request, member)
    if request.POST.get("action") == "resend":
        try:
            signup_service.request_new_phone_code(member)
        except MemberRejected as refused:  # rate-limited, too
            return _phone_code_page(request, member, problem=refused.message, status=refused.status)
        messages.success(request, f"We've texted a new code to {member.phone}. The old one no longer works.")
        return SeeOther(reverse("members:phone_code"))
    try:
        signup_service.verify_phone_code(member, request.POST.get("code", ""))
    except MemberRejected as refused:
        member.refresh_from_db()
        return _phone_code_page(request, member, problem=refused.message, status=refused.status)
    messages.success(request, "Your number is confirmed: text messages are on.")
    return SeeOther(reverse("members:preferences"))


@never_cache
@require_GET
@member_required
def export(request, site, member):
    """Download my data: everything kept about the member, as JSON."""
    data = preference_service.export_data(member)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="my-data-{site.hostname}.json"'
    return response


@never_cache
@require_http_methods(["GET", "POST"])
@member_required
def erase(request, site, member):
    """Delete me: asked to confirm (GET), then done (POST) for good."""
    problem = ""
    if request.method == "POST":
        if request.POST.get("confirm") == "yes":
            preference_service.erase(member)
            request.session.flush()
            return _notice(
                request,
                "You are deleted",
                "Everything we kept about you is gone, and we will never email this address again.",
                tone="success",
                details=[
                    (
                        "We keep only a scrambled fingerprint of your address and number, which cannot be "
                        "turned back into them, so that nobody can sign you up again by mistake."
                    )
                ],
                actions=[("/", "Go to the home page")],
            )
        problem = "Please tick the box to confirm that you want to be deleted. Nothing was deleted."
    return TemplateResponse(
        request, "members/erase.html", {"member": member, "problem": problem}, status=400 if problem else 200
    )


@never_cache
@require_POST
def sign_out(request):
    """Forget the preference-centre session on this browser."""
    request.session.flush()
    return _notice(
        request,
        "You are signed out",
        "Your preferences are closed on this browser. To open them again, ask for a new link.",
        actions=[(reverse("members:access"), "Email me a link"), ("/", "Go to the home page")],
    )


# The unsubscribe link in updates ----------------------------------------------------------


# RFC 8058: mail providers POST "List-Unsubscribe=One-Click" to this address
# from their servers, without cookies or a CSRF token, and the person's own
# press of the page's button must work in a browser that keeps no cookies.
# The signed token is the authority, and all it can do is take one member
# off one channel, so a forged POST achieves nothing its owner would mind.
# A GET only asks: link scanners follow every link in a message.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def one_click_unsubscribe(request, token):
    """The unsubscribe link of an update: asks (GET), unsubscribes (POST)."""
    site = _site(request)
    try:
        if request.method == "POST":
            link = syndication_service.use_unsubscribe_link(site, token, ip_address=_ip(request))
        else:
            link = syndication_service.read_unsubscribe_link(site, token)
    except MemberRejected as refused:
        return _notice(
            request,
            "This link does not work",
            f"{refused.message} Nothing was changed.",
            status=410 if isinstance(refused, LinkGone) else 400,
            tone="error",
            actions=[(reverse("members:access"), "Email me a link to my preferences")],
        )
    preferences_action = [(reverse("members:access"), "Change what else you get")]
    if request.method == "POST":
        return _notice(
            request,
            f"You are unsubscribed from {link.channel_label}",
            f"We won't send {link.member.email} anything more there.",
            tone="success",
            details=["Anything else you get from us stays as it was."],
            actions=preferences_action,
        )
    if not link.subscribed:
        return _notice(
            request,
            f"You are not subscribed to {link.channel_label}",
            f"{link.member.email} is not subscribed to {link.channel_label}: we send nothing there.",
            actions=preferences_action,
        )
    return TemplateResponse(
        request,
        "members/unsubscribe.html",
        {"link": link, "heading": f"Unsubscribe from {link.channel_label}?"},
    )
