"""Newsletters from the page editor's "Newsletter" tab (wagtail-newsletter),
sent to the site's own members through the outbox.

:class:`HearthsideCampaignBackend` is wagtail-newsletter's campaign backend
(WAGTAIL_NEWSLETTER_CAMPAIGN_BACKEND):

- **Audiences** are whatever the ``newsletter_audiences`` hook offers (the
  members plugin: everyone on email, the followers of each topic; segments
  by stage and by member tag). wagtail-newsletter keeps one list of
  recipients, and one cache of audiences, for the whole install, while
  members belong to one site, so its ids carry the site:
  ``"<site id>:<hook id>"`` for an audience, ``"<audience id>/<hook id>"``
  for a segment (wagtail-newsletter finds a segment's audience before the
  slash). Sites where this plugin is inactive offer none.
- **A campaign** is an :class:`~.models.Update` of kind "newsletter" on the
  page's site, sent by email only; its id is the update's. Saving it
  creates or changes the update, *held* so nothing goes out; "Send" and
  "Schedule" let it go (now, or at the chosen time) and the outbox does the
  rest, as for any update. Whether it counts opens and clicks is the site's
  setting when the campaign is first saved (off by default).
- **Its content** is the page as its campaign was last saved: the revision
  wagtail-newsletter saved just before, kept with the update's audience
  (``"revision_id"``), so edits after scheduling do not reach members. The
  outbox renders that version with the page's own newsletter template
  (content.NewsletterContent), which is the HTML wagtail-newsletter passes
  in, plus the placeholders each member's copy fills.
- **A test message** goes at once to the address given, by Django mail,
  never through the outbox, with "[Test]" before the subject.
- **The report** counts the update's deliveries and events: sent,
  delivered (sent less bounced), bounced, unsubscribed after it, and
  opens and clicks (distinct members) when the update counts them.

wagtail-newsletter tells the backend nothing about the page when it saves
a new campaign, so hooks around its own (wagtail_hooks.py) note the page
and the editor while its actions run (:data:`acting_on`).

Anything that cannot be done raises CampaignBackendError with the reason,
which the tab shows; nothing is changed then.
"""
from __future__ import annotations

import contextvars
import smtplib
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, Revision, Site
from wagtail_newsletter.audiences import Audience, AudienceSegment
from wagtail_newsletter.campaign_backends import Campaign, CampaignBackend, CampaignBackendError

from hearthside.extending.activation import is_active
from hearthside.shortcuts import site_label

from . import hooks, updates
from .config import settings_for
from .emails import mail_settings_problem
from .models import Delivery, DeliveryEvent, DeliveryStatus, EventKind, Update, UpdateKind, UpdateStatus

LABEL = "syndication"
CHANNEL = "email"
SITE_SEPARATOR, SEGMENT_SEPARATOR = ":", "/"
TEST_PREFIX = "[Test] "


@dataclass(frozen=True)
class ActingOn:
    page: Page
    user: Any = None


# The page (and editor) whose Newsletter tab action is running, set by the
# hooks around wagtail-newsletter's own (wagtail_hooks.py).
acting_on: contextvars.ContextVar[ActingOn | None] = contextvars.ContextVar(
    "syndication_newsletter_acting_on", default=None
)


# -- audiences ----------------------------------------------------------------------------


def audience_id(site, hook_id: str) -> str:
    return f"{site.pk}{SITE_SEPARATOR}{hook_id}"


def segment_id(audience: str, hook_id: str) -> str:
    return f"{audience}{SEGMENT_SEPARATOR}{hook_id}"


def split_audience_id(audience: str) -> tuple[int, str] | None:
    """``(site id, hook id)`` of one of our audience ids, or None."""
    site_part, separator, hook_id = str(audience or "").partition(SITE_SEPARATOR)
    if not separator or not site_part.isdigit() or not hook_id:
        return None
    return int(site_part), hook_id


def hook_audiences(site) -> list[dict]:
    """What the ``newsletter_audiences`` receivers offer on ``site`` (none
    while this plugin is inactive there); ids with a slash cannot be told
    from segments, so they are left out."""
    if not is_active(site, LABEL):
        return []
    found = []
    for _receiver, answered in hooks.newsletter_audiences.send(site):
        for audience in answered or ():
            if SEGMENT_SEPARATOR not in str(audience.get("id", "")):
                found.append(audience)
    return found


def find_audience(site, hook_id: str) -> dict | None:
    return next((a for a in hook_audiences(site) if a["id"] == hook_id), None)


def find_segment(audience: dict, hook_id: str) -> dict | None:
    return next((s for s in audience.get("segments") or () if s["id"] == hook_id), None)


# -- campaigns ----------------------------------------------------------------------------


def campaign_page(update: Update):
    """The page of newsletter ``update`` as its campaign was saved: the kept
    revision, or the page as it is if that revision is gone."""
    revision_id = (update.audience or {}).get("revision_id")
    revision = Revision.objects.filter(pk=revision_id).first() if revision_id else None
    if revision is not None:
        return revision.as_object()
    return update.page.specific


STATUS_LABELS = {
    UpdateStatus.HELD: "Saved, not sent",
    UpdateStatus.SCHEDULED: "Scheduled",
    UpdateStatus.SENDING: "Sending",
    UpdateStatus.SENT: "Sent",
    UpdateStatus.CANCELLED: "Cancelled",
    UpdateStatus.PROBLEM: "Needs attention",
}


@dataclass
class HearthsideCampaign(Campaign):
    update: Update

    @property
    def id(self) -> str:
        return str(self.update.pk)

    @property
    def status(self) -> str:
        if self.is_sent and self.update.status == UpdateStatus.SCHEDULED:
            return "Sending"
        label = STATUS_LABELS.get(self.update.status, self.update.get_status_display())
        return f"{label}: {self.update.problem}" if self.update.problem else label

    @property
    def is_scheduled(self) -> bool:
        return self.update.status == UpdateStatus.SCHEDULED and self.update.send_at > timezone.now()

    @property
    def is_sent(self) -> bool:
        # Once it has gone (or started, or was stopped) the tab shows where it stands, not the buttons.
        return self.update.status not in (UpdateStatus.HELD,) and not self.is_scheduled

    @property
    def url(self) -> str:
        return reverse("syndication_admin:update", args=[self.update.pk])

    def get_report(self) -> dict[str, Any]:
        return campaign_report(self.update)


def campaign_report(update: Update) -> dict[str, Any]:
    """What happened to ``update``'s messages, from its rows: ``sent``
    (handed over, bounced ones included), ``delivered``, ``bounced``,
    ``failed``, ``waiting``, ``unsubscribed`` and, when it counts them,
    ``opens`` and ``clicks`` (members, each once); ``emails_sent`` and
    ``bounces`` repeat two of them under wagtail-newsletter's names."""
    by_status = dict(
        Delivery.objects.filter(update=update).order_by().values_list("status").annotate(n=Count("pk"))
    )
    bounced = by_status.get(DeliveryStatus.BOUNCED, 0)
    sent = by_status.get(DeliveryStatus.SENT, 0) + bounced

    def members_with(kind: str) -> int:
        return (
            DeliveryEvent.objects.filter(update=update, kind=kind).order_by().values("member_id").distinct().count()
        )

    report: dict[str, Any] = {
        "sent": sent,
        "delivered": sent - bounced,
        "bounced": bounced,
        "failed": by_status.get(DeliveryStatus.FAILED, 0),
        "waiting": by_status.get(DeliveryStatus.QUEUED, 0) + by_status.get(DeliveryStatus.SENDING, 0),
        "unsubscribed": members_with(EventKind.UNSUBSCRIBED),
        "tracked": update.track,
        "send_time": update.fanned_out_at or update.send_at,
        "emails_sent": sent,
        "bounces": bounced,
    }
    if update.track:
        report["opens"] = members_with(EventKind.OPENED)
        report["clicks"] = members_with(EventKind.CLICKED)
    return report


class HearthsideCampaignBackend(CampaignBackend):
    name = "Hearthside"
    campaign_class = HearthsideCampaign

    # -- audiences --------------------------------------------------------------------------

    def get_audiences(self) -> list[Audience]:
        offered = [(site, audience) for site in Site.objects.order_by("pk") for audience in hook_audiences(site)]
        several_sites = len({site.pk for site, _ in offered}) > 1
        return [
            Audience(
                id=audience_id(site, audience["id"]),
                name=f"{site_label(site)}: {audience['name']}" if several_sites else audience["name"],
                member_count=audience.get("member_count", 0),
            )
            for site, audience in offered
        ]

    def get_audience_segments(self, audience_id) -> list[AudienceSegment]:
        site, audience = self._audience(audience_id)
        if audience is None:
            raise Audience.DoesNotExist
        return [
            AudienceSegment(
                id=segment_id(audience_id, segment["id"]),
                name=segment["name"],
                member_count=segment.get("member_count", 0),
            )
            for segment in audience.get("segments") or ()
        ]

    def _audience(self, audience: str) -> tuple[Site | None, dict | None]:
        parts = split_audience_id(audience)
        site = Site.objects.filter(pk=parts[0]).first() if parts else None
        if site is None:
            return None, None
        return site, find_audience(site, parts[1])

    def _audience_of(self, site, recipients) -> dict:
        """The update's audience for wagtail-newsletter's ``recipients`` (hook
        ids), checked against what ``site`` offers now."""
        name = f"“{recipients.name}”" if getattr(recipients, "name", "") else "These recipients"
        parts = split_audience_id(recipients.audience)
        if parts is None:
            raise CampaignBackendError(
                f"{name} name an audience Hearthside does not know ({recipients.audience!r}). Choose other recipients."
            )
        if parts[0] != site.pk:
            other = Site.objects.filter(pk=parts[0]).first()
            where = f"the members of {site_label(other)}" if other else "the members of a site that is gone"
            raise CampaignBackendError(
                f"{name} are {where}, and this page is on {site_label(site)}. Choose recipients of {site_label(site)}."
            )
        segment = None
        if recipients.segment:
            prefix = recipients.audience + SEGMENT_SEPARATOR
            if not recipients.segment.startswith(prefix):
                raise CampaignBackendError(f"{name}: the segment is not part of the chosen audience.")
            segment = recipients.segment.removeprefix(prefix)
        return {"audience": parts[1], "segment": segment}

    def _offered(self, site, chosen: dict) -> dict:
        """The audience (or segment) ``chosen`` names, as ``site`` offers it
        now; CampaignBackendError if it names none, or one the site does not offer."""
        if not chosen.get("audience"):
            raise CampaignBackendError("Choose the recipients first (“Recipients” above), then save the page.")
        audience = find_audience(site, chosen["audience"])
        if audience is None:
            raise CampaignBackendError(
                f"{site_label(site)} has no audience “{chosen['audience']}” (any more): choose other recipients."
            )
        if not chosen.get("segment"):
            return audience
        segment = find_segment(audience, chosen["segment"])
        if segment is None:
            raise CampaignBackendError(
                f"“{audience['name']}” has no segment “{chosen['segment']}” (any more): choose other recipients."
            )
        return segment

    def _reach(self, update: Update) -> int:
        """How many members the update's audience has now; CampaignBackendError
        if it names none, one the site no longer offers, or an empty one."""
        counted = self._offered(update.site, update.audience or {})
        count = int(counted.get("member_count") or 0)
        if not count:
            raise CampaignBackendError(
                f"Nobody is in “{counted['name']}” yet, so nobody would get this newsletter. Choose other recipients."
            )
        return count

    # -- campaigns --------------------------------------------------------------------------

    def _require_active(self, site) -> None:
        if site is None:
            raise CampaignBackendError("This page is on no site, so it has no members to send to.")
        if not is_active(site, LABEL):
            raise CampaignBackendError(
                f"Newsletters are sent by the Syndication plugin, which is not active on {site_label(site)}. "
                "Activate it in Settings → Plugins to send this page."
            )

    def _update(self, campaign_id) -> Update | None:
        """The newsletter update ``campaign_id`` names; None if there is none,
        or it was cancelled before anything went (then it is as good as deleted)."""
        if not str(campaign_id or "").isdigit():
            return None
        update = (
            Update.objects.select_related("site", "page")
            .filter(pk=int(campaign_id), kind=UpdateKind.NEWSLETTER)
            .first()
        )
        if update is None or (update.status == UpdateStatus.CANCELLED and update.fanned_out_at is None):
            return None
        return update

    def _campaign_update(self, campaign_id) -> Update:
        update = self._update(campaign_id)
        if update is None:
            raise CampaignBackendError("There is no such campaign: save the campaign first.")
        self._require_active(update.site)
        return update

    def save_campaign(self, *, campaign_id=None, recipients, subject: str, html: str, from_name: str,
                      reply_to: str) -> str:
        update = self._update(campaign_id) if campaign_id else None
        context = acting_on.get()
        if update is None:
            if context is None:
                raise CampaignBackendError("A newsletter is saved from its page's “Newsletter” tab.")
            page = context.page
            site = page.get_site()
        else:
            page, site = update.page, update.site
            if page is None:
                raise CampaignBackendError("The page of this campaign was deleted.")
        self._require_active(site)
        if update is not None and update.status != UpdateStatus.HELD:
            what = STATUS_LABELS.get(update.status, update.get_status_display()).lower()
            advice = "Unschedule it first." if update.status == UpdateStatus.SCHEDULED else (
                "Copy the page to send a new newsletter.")
            raise CampaignBackendError(f"“{update.title}” is {what}, so it cannot be changed. {advice}")
        if recipients is not None:
            audience = self._audience_of(site, recipients)
            self._offered(site, audience)
        else:
            audience = {"audience": None, "segment": None}
        # The revision wagtail-newsletter just saved and rendered ``html`` from.
        audience["revision_id"] = Page.objects.filter(pk=page.pk).values_list("latest_revision_id", flat=True).first()
        title = (subject or page.title)[:255]
        if update is not None:
            Update.objects.filter(pk=update.pk, status=UpdateStatus.HELD).update(title=title, audience=audience)
            return str(update.pk)
        with transaction.atomic():
            last = Update.objects.filter(page=page, kind=UpdateKind.NEWSLETTER).aggregate(last=Max("sequence"))["last"]
            update = Update.objects.create(
                site=site,
                page=page,
                kind=UpdateKind.NEWSLETTER,
                sequence=(last or 0) + 1,
                title=title,
                status=UpdateStatus.HELD,
                audience=audience,
                channels=[CHANNEL],
                track=settings_for(site).track_opens_and_clicks,
                created_by=context.user if getattr(context.user, "pk", None) else None,
            )
        return str(update.pk)

    def get_campaign(self, campaign_id: str) -> HearthsideCampaign | None:
        update = self._update(campaign_id)
        if update is None:
            return None
        self._require_active(update.site)
        return self.campaign_class(update=update)

    def send_test_email(self, *, campaign_id: str, email: str) -> None:
        from .content import NewsletterContent

        update = self._campaign_update(campaign_id)
        try:
            validate_email(email)
        except ValidationError:
            raise CampaignBackendError(f"“{email}” is not an email address.") from None
        problem = mail_settings_problem()
        if problem:
            raise CampaignBackendError(problem)
        if update.page is None:
            raise CampaignBackendError("The page of this campaign was deleted.")
        rendered = NewsletterContent(update).rendered
        root = update.site.root_url + "/"
        # A test address is nobody's subscription: its links lead to the site, not to anyone's settings.
        contact = {"email": email, "name": "", "unsubscribe_url": root, "preferences_url": root}
        message = replace(rendered, subject=(TEST_PREFIX + rendered.subject)[:255]).message(contact)
        try:
            message.send()
        except (OSError, smtplib.SMTPException) as error:
            raise CampaignBackendError(f"The test message could not be sent: {error}") from error

    def send_campaign(self, campaign_id: str) -> None:
        update = self._ready_to_go(campaign_id)
        try:
            updates.send_now(update)
        except updates.UpdateRefused as refused:
            raise CampaignBackendError(str(refused)) from refused

    def validate_schedule_time(self, schedule_time: datetime) -> None:
        if schedule_time <= timezone.now():
            raise CampaignBackendError("Choose a time in the future.")

    def schedule_campaign(self, campaign_id: str, schedule_time: datetime) -> None:
        self.validate_schedule_time(schedule_time)
        update = self._ready_to_go(campaign_id)
        try:
            updates.schedule_for(update, schedule_time)
        except updates.UpdateRefused as refused:
            raise CampaignBackendError(str(refused)) from refused

    def unschedule_campaign(self, campaign_id: str) -> None:
        update = self._campaign_update(campaign_id)
        try:
            updates.unschedule(update)
        except updates.UpdateRefused as refused:
            raise CampaignBackendError(str(refused)) from refused

    def _ready_to_go(self, campaign_id) -> Update:
        update = self._campaign_update(campaign_id)
        if update.page is None:
            raise CampaignBackendError("The page of this campaign was deleted.")
        self._reach(update)
        problem = mail_settings_problem()
        if problem:
            raise CampaignBackendError(problem)
        return update


# -- the tab's actions: which page they are for -------------------------------------------


def note_page(request, page) -> None:
    """Before wagtail-newsletter's action (wagtail_hooks.py): remember the page."""
    if request.method == "POST" and request.POST.get("newsletter-action"):
        acting_on.set(ActingOn(page=page, user=getattr(request, "user", None)))


def forget_page(request, page) -> None:
    """After it: forget it, so nothing outlives the request."""
    acting_on.set(None)
