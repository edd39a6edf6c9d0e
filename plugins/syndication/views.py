"""The syndication plugin's endpoints for mail and text providers: where they
report bounces, complaints and permanent failures (docs/syndication.md,
"Bounces and complaints").

- ``events/<secret>/``: Hearthside's own JSON format, for any provider or
  relay that can POST; the secret in the path (SYNDICATION_EVENTS_SECRET)
  is the proof, and an empty setting turns the endpoint off.
- ``anymail/<provider>/tracking/``: django-anymail's tracking webhooks,
  each provider's own format, checked by anymail (basic auth with
  ``ANYMAIL["WEBHOOK_SECRET"]``, and the provider's signature where it has
  one); receivers.py records what they report.

Both count against one rate limit per client IP (SYNDICATION_EVENTS_RATE).

And the public ends of newsletters' open and click tracking (tracking.py,
only for newsletters that count them): ``o/<token>.gif``, the invisible
pixel, and ``c/<token>/``, which records a click and redirects to the
address signed into the token. They have their own rate limit per client
IP (SYNDICATION_TRACKING_RATE).
"""
from __future__ import annotations

import json
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt

from hearthside.ratelimit import client_ip, consume, parse_rate
from hearthside.shortcuts import request_site

from . import events
from .models import EventKind

# The report types the endpoint takes, and what each records.
REPORT_TYPES = {"bounce": EventKind.BOUNCED, "complaint": EventKind.COMPLAINED, "failure": EventKind.FAILED}
MAX_EVENTS_PER_REQUEST = 500
E164 = re.compile(r"^\+[1-9]\d{6,14}$")


class BadReport(ValueError):
    """The body is not a report the endpoint takes; the message says why."""


def _rate_limited(request) -> JsonResponse | None:
    limit, window = parse_rate(settings.SYNDICATION_EVENTS_RATE)
    retry_after = consume("syndication provider reports", client_ip(request), limit, window)
    if retry_after is None:
        return None
    response = JsonResponse(
        {
            "error": f"Too many reports from this address; try again in {retry_after} seconds. "
            "Nothing was recorded."
        },
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


def _parse_event(index: int, entry) -> dict:
    where = f"Event {index + 1}"
    if not isinstance(entry, dict):
        raise BadReport(f"{where} is not an object.")
    kind = REPORT_TYPES.get(entry.get("type"))
    if kind is None:
        raise BadReport(
            f'{where}: "type" must be "bounce", "complaint" or "failure", not {entry.get("type")!r}.'
        )
    email, phone = entry.get("email"), entry.get("phone")
    if (email is None) == (phone is None):
        raise BadReport(f'{where}: give either "email" or "phone" (one of them).')
    if email is not None:
        channel, address = "email", email.strip() if isinstance(email, str) else ""
        try:
            validate_email(address)
        except ValidationError:
            raise BadReport(f'{where}: "email" {email!r} is not an email address.') from None
    else:
        channel, address = "sms", phone.strip() if isinstance(phone, str) else ""
        if not E164.match(address):
            raise BadReport(
                f'{where}: "phone" {phone!r} is not a number in E.164 form, like "+447400123456".'
            )
    message_id, detail = entry.get("message_id", ""), entry.get("detail", "")
    if not isinstance(message_id, str) or len(message_id) > 255:
        raise BadReport(f'{where}: "message_id" must be a string of at most 255 characters.')
    if not isinstance(detail, str):
        raise BadReport(f'{where}: "detail" must be a string.')
    return {"kind": kind, "channel": channel, "address": address, "message_id": message_id, "detail": detail}


def parse_report(body: bytes) -> list[dict]:
    """The events of a report body, all checked; BadReport for the first
    thing wrong, so a bad report records nothing."""
    try:
        report = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        raise BadReport("The body is not JSON.") from None
    entries = report.get("events") if isinstance(report, dict) else None
    if not isinstance(entries, list) or not entries:
        raise BadReport('The body must be an object with a non-empty list "events".')
    if len(entries) > MAX_EVENTS_PER_REQUEST:
        raise BadReport(f"At most {MAX_EVENTS_PER_REQUEST} events per request; send the rest in another.")
    return [_parse_event(index, entry) for index, entry in enumerate(entries)]


@csrf_exempt  # posted by providers' servers, with no session; the secret is the proof
def provider_events(request, secret: str):
    """``POST {"events": [{"type", "email" or "phone", "message_id"?, "detail"?}, ...]}``:
    record each event (answering ``{"recorded": n, "repeated": n}``), or
    none of them when any is malformed (400, with the reason)."""
    limited = _rate_limited(request)
    if limited is not None:
        return limited
    expected = settings.SYNDICATION_EVENTS_SECRET
    if not expected or not constant_time_compare(secret, expected):
        raise Http404("No such endpoint.")
    if request.method != "POST":
        return JsonResponse({"error": "POST a JSON report here."}, status=405, headers={"Allow": "POST"})
    try:
        reported = parse_report(request.body)
    except BadReport as bad:
        return JsonResponse({"error": f"{bad} Nothing was recorded."}, status=400)
    site = request_site(request)
    with transaction.atomic():  # all or nothing, so a provider's retry of the whole report is safe
        recorded = [events.record_event(site, provider="webhook", **event) for event in reported]
    new = sum(1 for event in recorded if event is not None)
    return JsonResponse({"recorded": new, "repeated": len(recorded) - new})


class SiteAwareTrackingWebhook:
    """Mixed into each of anymail's tracking webhook views: the rate limit,
    no open webhook (a provider whose only protection is basic auth answers
    404 until ``ANYMAIL["WEBHOOK_SECRET"]`` is set), and the request's site
    for events that name no message of ours. Defined here, the views belong
    to this plugin, so the gate answers 404 where it is inactive."""

    def dispatch(self, request, *args, **kwargs):
        limited = _rate_limited(request)
        if limited is not None:
            return limited
        if getattr(self, "warn_if_no_basic_auth", False) and not getattr(self, "basic_auth", None):
            raise Http404("Set ANYMAIL['WEBHOOK_SECRET'] to receive this provider's events.")
        token = events.webhook_site.set(request_site(request))
        try:
            return super().dispatch(request, *args, **kwargs)
        finally:
            events.webhook_site.reset(token)


def provider_tracking_views() -> list[tuple[str, object, str]]:
    """``(route, view, name)`` for every tracking webhook anymail has, e.g.
    ``("postmark/tracking/", view, "anymail_postmark_tracking")``."""
    from anymail import urls as anymail_urls

    views = []
    for pattern in anymail_urls.urlpatterns:
        if not (pattern.name or "").endswith("_tracking_webhook"):
            continue
        provider_view = pattern.callback.view_class
        view_class = type(
            provider_view.__name__, (SiteAwareTrackingWebhook, provider_view), {"__module__": __name__}
        )
        name = "anymail_" + pattern.name.removesuffix("_webhook")
        views.append((str(pattern.pattern), view_class.as_view(**pattern.callback.view_initkwargs), name))
    return views


# -- newsletters' opens and clicks (tracking.py) -------------------------------------------

# The smallest transparent GIF: 1x1 pixel.
PIXEL_GIF = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c000000000100010000020144003b")
NO_STORE = {"Cache-Control": "no-store, private", "Pragma": "no-cache"}


def _tracking_allowed(request) -> int | None:
    """None if the client may be counted now, else the seconds until it may."""
    limit, window = parse_rate(settings.SYNDICATION_TRACKING_RATE)
    return consume("syndication tracking", client_ip(request), limit, window)


def track_open(request, token: str):
    """The pixel of one member's copy of a newsletter: counts the open (once)."""
    from . import tracking

    try:
        payload = tracking.read_token(token, tracking.OPEN)
    except tracking.BadToken:
        raise Http404("No such image.") from None
    retry_after = _tracking_allowed(request)
    if retry_after is not None:
        return HttpResponse(status=429, headers={"Retry-After": str(retry_after), **NO_STORE})
    tracking.record(payload, tracking.OPEN)
    return HttpResponse(PIXEL_GIF, content_type="image/gif", headers=NO_STORE)


def track_click(request, token: str):
    """A link in one member's copy of a newsletter: counts the click (once per
    address) and sends the reader on. Only an address signed into the token
    is followed; past the rate limit the link still works, uncounted."""
    from . import tracking

    try:
        payload = tracking.read_token(token, tracking.CLICK)
    except tracking.BadToken:
        raise Http404("This link was not made by this site.") from None
    if _tracking_allowed(request) is None:
        tracking.record(payload, tracking.CLICK)
    return HttpResponseRedirect(payload["l"], headers=NO_STORE)
