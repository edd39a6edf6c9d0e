"""The syndication plugin's screens in the Wagtail admin (``/admin/syndication/``,
namespace ``syndication_admin``).

- **Updates**: the site's updates, newest first, with their status, when they
  go (or went) out and how far their sending has got.
- **An update**: what state it is in, in a sentence; its deliveries counted
  by status with a progress bar (the page refreshes its figures itself while
  the update waits or sends, and is complete without JavaScript); its recent
  failures and what mail providers reported; a preview of its email. Hold,
  Release, Send now, Try again and Cancel (after a confirmation).
- **Send update again**: a page's header menu offers it for a live page that
  goes out as an update; a confirmation, then a new update.
- **Settings**: the site's syndication settings.

Who may do what:

- Seeing updates takes the ``syndication.view_update`` permission (the
  Editors and Moderators groups have it).
- Changing an update, or sending one again, takes the right to publish its
  page: only publishers send updates. An update whose page was deleted is
  for superusers only.
- The settings take ``syndication.change_update`` (Moderators have it).

Every screen works on the site the admin is opened on; another site's updates
are as good as missing. State changes go through :mod:`.updates`, whose
refusals (an update already sent cannot be held...) are shown as they are,
with nothing changed. Every view class is defined here, so the plugin gate
answers 404 for all of them while the plugin is inactive on the site.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Callable

from django.contrib import messages
from django.db.models import Count
from django.http import HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.functional import cached_property
from django.utils.timesince import timesince, timeuntil
from django.views.generic import FormView, TemplateView, View
from wagtail.admin.auth import permission_denied
from wagtail.admin.views.generic.base import BaseListingView
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry, Page

from hearthside.admin_views import SiteScreenMixin
from hearthside.shortcuts import plural, request_site, site_label

from . import updates
from .config import save_settings, settings_for
from .forms import SyndicationSettingsForm
from .models import Delivery, DeliveryEvent, DeliveryStatus, EventKind, Update, UpdateStatus
from .pages import is_syndicated

logger = logging.getLogger(__name__)

VIEW_PERMISSION = "syndication.view_update"
CONFIGURE_PERMISSION = "syndication.change_update"
PER_PAGE = 30
FAILURES_LISTED = 20
EVENTS_LISTED = 10
# The detail page refreshes its figures while the update is in one of these.
MOVING = (UpdateStatus.SCHEDULED, UpdateStatus.SENDING)
FINISHED = (UpdateStatus.SENT, UpdateStatus.CANCELLED)
REFRESH_SECONDS = 5
EVENT_LABELS = dict(EventKind.choices)

# Delivery counts as the admin shows them: (status, short label, what it means).
COUNTS = [
    (DeliveryStatus.QUEUED, "Queued", "Waiting to be sent, or to be tried again."),
    (DeliveryStatus.SENDING, "Sending", "Being handed to the mail server or provider now."),
    (DeliveryStatus.SENT, "Sent", "Handed over for delivery."),
    (DeliveryStatus.DIGEST, "In digests", "Waiting for the member's daily or weekly digest."),
    (DeliveryStatus.FAILED, "Failed", "Could not be sent, after every retry."),
    (DeliveryStatus.BOUNCED, "Bounced", "The address does not take mail; it is not used again."),
    (DeliveryStatus.SKIPPED, "Skipped", "Unsubscribed or suppressed by the time it was sent."),
    (DeliveryStatus.CANCELLED, "Cancelled", "Not sent: the update was cancelled."),
]

# Log actions (registered in wagtail_hooks) for what editors do to updates.
LOGGED = {
    "hold": "syndication.held",
    "release": "syndication.released",
    "retry": "syndication.retried",
    "send_now": "syndication.sent_now",
    "cancel": "syndication.cancelled",
    "send_again": "syndication.sent_again",
}


# --- who may do what ------------------------------------------------------------------------------


def can_view_updates(user) -> bool:
    return user.is_active and user.has_perm(VIEW_PERMISSION)


def can_configure(user) -> bool:
    return user.is_active and user.has_perm(CONFIGURE_PERMISSION)


def can_publish(user, page) -> bool:
    """Only publishers send updates."""
    if page is None:
        return user.is_active and user.is_superuser
    return page.permissions_for_user(user).can_publish()


def can_act_on(user, update: Update) -> bool:
    return can_view_updates(user) and can_publish(user, update.page)


# --- figures and sentences ------------------------------------------------------------------------


def _moment(when, now) -> str:
    """"at 14:20", "tomorrow at 09:00" or "on 3 December 2026 at 14:20", in the site's time zone."""
    local, today = timezone.localtime(when), timezone.localtime(now).date()
    clock = date_format(local, "H:i")
    if local.date() == today:
        return f"at {clock}"
    if local.date() == today + timedelta(days=1):
        return f"tomorrow at {clock}"
    if local.date() == today - timedelta(days=1):
        return f"yesterday at {clock}"
    return f"on {date_format(local, 'j F Y')} at {clock}"


def _until(when, now) -> str:
    if (when - now).total_seconds() < 60:
        return "in less than a minute"
    return "in " + timeuntil(when, now, depth=1).replace("\xa0", " ")


def _ago(when, now) -> str:
    if (now - when).total_seconds() < 60:
        return "just now"
    return timesince(when, now, depth=1).replace("\xa0", " ") + " ago"


def _name(user) -> str:
    if user is None:
        return "a deleted user"
    return user.get_full_name() or user.get_username()


def status_sentence(update: Update, counts: dict, now=None, changed_by: ModelLogEntry | None = None) -> str:
    """What state ``update`` is in, for an editor: "Goes out at 14:20 (in 7
    minutes)…". ``changed_by`` is the log entry of the hold or cancel that
    put it there, to name who did it."""
    now = now or timezone.now()
    total, done, sent = counts["total"], counts["done"], counts[DeliveryStatus.SENT]
    status = update.status
    who = f" by {_name(changed_by.user)} {_ago(changed_by.timestamp, now)}" if changed_by else " by an editor"
    if status == UpdateStatus.SCHEDULED:
        if update.send_at > now:
            return (
                f"Goes out {_moment(update.send_at, now)} ({_until(update.send_at, now)}), "
                "unless someone holds or cancels it."
            )
        return "Going out now: a worker is about to start sending it."
    if status == UpdateStatus.HELD:
        sentence = f"Held{who}: nothing more of it goes out until someone releases it."
        if sent:
            sentence += f" {plural(sent, 'message was', 'messages were')} sent before it was held."
        return sentence
    if status == UpdateStatus.SENDING:
        if not total:
            return "Sending: working out who gets it."
        return f"Sending: {done} of {plural(total, 'message')} handled so far ({counts['percent']}%)."
    if status == UpdateStatus.SENT:
        when = f" {_moment(update.finished_at, now)}" if update.finished_at else ""
        return f"Sent{when}: {sent} of {plural(total, 'message')} handed over for delivery."
    if status == UpdateStatus.CANCELLED:
        sentence = f"Cancelled{who}: nothing more of it is sent."
        if sent:
            sentence += f" {plural(sent, 'message was', 'messages were')} sent before that."
        return sentence
    if status == UpdateStatus.PROBLEM:
        return f"Needs attention: {update.problem or 'the reason was not recorded.'}"
    return update.get_status_display()


def progress_data(update: Update, counts: dict, now=None) -> dict:
    """What the progress JSON says; the detail page's script reads it."""
    return {
        "id": update.pk,
        "status": update.status,
        "status_label": update.get_status_display(),
        "sentence": status_sentence(update, counts, now),
        "finished": update.status in FINISHED,
        "send_at": update.send_at.isoformat(),
        "counts": {status: counts[status] for status in DeliveryStatus.values},
        "total": counts["total"],
        "done": counts["done"],
        "percent": counts["percent"],
    }


def count_rows(counts: dict) -> list[dict]:
    return [{"status": status, "label": label, "help": help_text, "count": counts[status]}
            for status, label, help_text in COUNTS]


# --- the screens' common parts --------------------------------------------------------------------


class SyndicationAdminMixin(SiteScreenMixin):
    """Turns away anyone ``has_access`` refuses (the admin's way: back to the
    dashboard with a message; 403 for XHR), and knows the request's site."""

    header_icon = "mail"
    breadcrumb_root = ("syndication_admin:updates", "Updates")

    def has_access(self, user) -> bool:
        return can_view_updates(user)

    def dispatch(self, request, *args, **kwargs):
        self.site = request_site(request)
        if not self.has_access(request.user):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)


class UpdateObjectMixin:
    """The update named in the URL, if it is this site's."""

    @cached_property
    def update(self) -> Update:
        return get_object_or_404(
            Update.objects.select_related("page", "created_by"), pk=self.kwargs["pk"], site=self.site
        )


# --- the list -------------------------------------------------------------------------------------


STATUS_TABS = [
    ("", "All"),
    (UpdateStatus.SCHEDULED, "Waiting"),
    (UpdateStatus.HELD, "Held"),
    (UpdateStatus.SENDING, "Sending"),
    (UpdateStatus.PROBLEM, "Needs attention"),
    (UpdateStatus.SENT, "Sent"),
    (UpdateStatus.CANCELLED, "Cancelled"),
]


class UpdateListView(SyndicationAdminMixin, BaseListingView):
    page_title = "Updates"
    template_name = "syndication/admin/update_list.html"
    results_template_name = "syndication/admin/update_list_results.html"
    index_url_name = "syndication_admin:updates"
    paginate_by = PER_PAGE
    verbose_name = "update"
    verbose_name_plural = "updates"

    def get_breadcrumbs_items(self):
        return [{"url": reverse("wagtailadmin_home"), "label": "Home"}, {"url": "", "label": "Updates"}]

    @cached_property
    def status(self) -> str:
        asked = self.request.GET.get("status", "")
        if asked not in dict(STATUS_TABS):
            messages.error(
                self.request,
                f"There is no “{asked}” list of updates; showing all of them. "
                f"Choose one of: {', '.join(label for _, label in STATUS_TABS)}.",
            )
            return ""
        return asked

    def get_base_queryset(self):
        listed = Update.objects.filter(site=self.site).order_by("-created_at", "-pk")
        return listed.filter(status=self.status) if self.status else listed

    def paginate_queryset(self, queryset, page_size):
        paginator, page, object_list, is_paginated = super().paginate_queryset(queryset, page_size)
        # The page's updates are read once, and their deliveries counted in one query for them all.
        object_list = page.object_list = list(object_list)
        progress = updates.progress_of(object_list)
        now = timezone.now()
        for update in object_list:
            update.progress = progress[update.pk]
            update.sentence = status_sentence(update, update.progress, now)
            update.count_rows = [row for row in count_rows(update.progress) if row["count"]]
        return paginator, page, object_list, is_paginated

    def tabs(self) -> list[dict]:
        counts = dict(
            Update.objects.filter(site=self.site).order_by().values_list("status").annotate(n=Count("pk"))
        )
        return [
            {
                "status": status,
                "label": label,
                "count": counts.get(status, 0) if status else sum(counts.values()),
                "url": reverse("syndication_admin:updates") + (f"?status={status}" if status else ""),
                "current": status == self.status,
            }
            for status, label in STATUS_TABS
        ]

    def get_context_data(self, **kwargs):
        from . import emails

        context = super().get_context_data(**kwargs)
        context.update(
            tabs=self.tabs(),
            status_label=dict(STATUS_TABS)[self.status],
            mail_problem=emails.mail_settings_problem(),
            can_configure=can_configure(self.request.user),
            delay=settings_for(self.site).send_delay_minutes,
        )
        return context


# --- one update -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class UpdateAction:
    """A button on an update's page: what it calls, on which statuses it is
    offered, and what the editor is told when it worked."""

    label: str
    perform: Callable[[Update], Update]
    offered_on: tuple
    done: str  # formatted with the update's title and its new status sentence
    confirm: bool = False
    primary: bool = False


ACTIONS = {
    "send_now": UpdateAction(
        "Send now", updates.send_now, (UpdateStatus.SCHEDULED, UpdateStatus.HELD),
        "“{title}” goes out now, without waiting any longer.", primary=True,
    ),
    "hold": UpdateAction(
        "Hold", updates.hold, (UpdateStatus.SCHEDULED, UpdateStatus.SENDING),
        "“{title}” is held: nothing more of it goes out until someone releases it.",
    ),
    "release": UpdateAction(
        "Release", updates.release, (UpdateStatus.HELD,),
        "“{title}” is released. {sentence}", primary=True,
    ),
    "retry": UpdateAction(
        "Try again", updates.release, (UpdateStatus.PROBLEM,),
        "“{title}” will be tried again. {sentence}", primary=True,
    ),
    "cancel": UpdateAction(
        "Cancel update", updates.cancel,
        (UpdateStatus.SCHEDULED, UpdateStatus.HELD, UpdateStatus.SENDING, UpdateStatus.PROBLEM),
        "“{title}” is cancelled: nothing more of it is sent.", confirm=True,
    ),
}


def _last_change(update: Update) -> ModelLogEntry | None:
    """The hold or cancel that left ``update`` as it is, to say who did it."""
    action = {UpdateStatus.HELD: LOGGED["hold"], UpdateStatus.CANCELLED: LOGGED["cancel"]}.get(update.status)
    if action is None:
        return None
    return ModelLogEntry.objects.for_instance(update).filter(action=action).select_related("user").first()


class UpdateDetailView(UpdateObjectMixin, SyndicationAdminMixin, TemplateView):
    template_name = "syndication/admin/update_detail.html"

    def get_page_title(self):
        return self.update.title

    def preview(self) -> tuple[str, str]:
        """The email's HTML for a sample member, or why it could not be drawn.
        A broken preview must not cost editors the Hold and Cancel buttons."""
        from . import emails

        try:
            return emails.preview_html(self.update), ""
        except Exception as error:
            logger.exception("The preview of update %s could not be rendered", self.update.pk)
            return "", f"The email could not be drawn for the preview ({type(error).__name__}: {error})."

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        update, user = self.update, self.request.user
        counts = updates.progress(update)
        may_act = can_act_on(user, update)
        page = update.page
        failures = Delivery.objects.filter(update=update).exclude(error="")
        preview_html, preview_problem = self.preview()
        context.update(
            update=update,
            page=page,
            counts=counts,
            count_rows=count_rows(counts),
            sentence=status_sentence(update, counts, changed_by=_last_change(update)),
            moving=update.status in MOVING,
            refresh_seconds=REFRESH_SECONDS,
            may_act=may_act,
            actions=[
                {"name": name, "action": action,
                 "url": reverse(f"syndication_admin:{name}", args=[update.pk])}
                for name, action in ACTIONS.items()
                if may_act and update.status in action.offered_on
            ],
            can_send_again=bool(page and page.live and update.status in FINISHED and can_publish(user, page)),
            failures=list(failures.order_by("-next_attempt_at", "-pk")[:FAILURES_LISTED]),
            failure_count=failures.count(),
            event_counts=[
                {"kind": kind, "label": EVENT_LABELS.get(kind, kind), "count": n}
                for kind, n in DeliveryEvent.objects.filter(update=update)
                .order_by().values_list("kind").annotate(n=Count("pk")).order_by("-n", "kind")
            ],
            recent_events=list(DeliveryEvent.objects.filter(update=update)[:EVENTS_LISTED]),
            preview_html=preview_html,
            preview_problem=preview_problem,
        )
        return context


class UpdateProgressView(UpdateObjectMixin, SyndicationAdminMixin, View):
    """The update's status and counts as JSON, for the detail page's script."""

    http_method_names = ["get"]

    def get(self, request, pk):
        update = self.update
        return JsonResponse(progress_data(update, updates.progress(update)))


# The preview on its own: no scripts, forms, plugins or requests of its own
# but images and inline styles, as a mail client would show it.
PREVIEW_POLICY = (
    "sandbox; default-src 'none'; img-src https: http: data:; style-src 'unsafe-inline'; "
    "font-src https: data:"
)


class UpdatePreviewView(UpdateObjectMixin, SyndicationAdminMixin, View):
    """The update's email for a sample member, on its own page."""

    http_method_names = ["get"]

    def get(self, request, pk):
        from . import emails

        response = HttpResponse(emails.preview_html(self.update), content_type="text/html; charset=utf-8")
        response["Content-Security-Policy"] = PREVIEW_POLICY
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


class UpdateActionView(UpdateObjectMixin, SyndicationAdminMixin, TemplateView):
    """POST: one of :data:`ACTIONS` on an update. GET shows the confirmation
    of an action that asks for one (Cancel)."""

    template_name = "syndication/admin/confirm_action.html"
    action_name = ""  # set by as_view()

    def has_access(self, user) -> bool:
        # Seeing updates first: someone who may not should not learn which ones exist.
        return can_view_updates(user) and can_act_on(user, self.update)

    @property
    def action(self) -> UpdateAction:
        return ACTIONS[self.action_name]

    def get_page_title(self):
        return f"{self.action.label}: {self.update.title}"

    def extra_breadcrumbs(self):
        return [
            {"url": reverse("syndication_admin:update", args=[self.update.pk]), "label": self.update.title}
        ]

    def get(self, request, *args, **kwargs):
        if not self.action.confirm:
            return HttpResponseNotAllowed(["POST"])
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = updates.progress(self.update)
        context.update(
            update=self.update,
            action=self.action,
            action_url=reverse(f"syndication_admin:{self.action_name}", args=[self.update.pk]),
            back_url=reverse("syndication_admin:update", args=[self.update.pk]),
            unsent=counts[DeliveryStatus.QUEUED] + counts[DeliveryStatus.DIGEST],
            sent=counts[DeliveryStatus.SENT],
        )
        return context

    def post(self, request, *args, **kwargs):
        update = self.update
        back = reverse("syndication_admin:update", args=[update.pk])
        try:
            update = self.action.perform(update)
        except updates.UpdateRefused as refused:
            messages.error(request, str(refused))
            return redirect(back)
        log(update, LOGGED[self.action_name], user=request.user, title=update.title,
            data={"site": self.site.hostname, "status": update.status})
        counts = updates.progress(update)
        sentence = status_sentence(update, counts)
        messages.success(request, self.action.done.format(title=update.title, sentence=sentence))
        return redirect(back)


# --- send update again ----------------------------------------------------------------------------


class SendAgainView(SyndicationAdminMixin, TemplateView):
    """A page's "Send update again": GET asks, POST sends (after the site's delay)."""

    template_name = "syndication/admin/send_again.html"

    @cached_property
    def page(self):
        return get_object_or_404(Page, pk=self.kwargs["page_id"]).specific

    def has_access(self, user) -> bool:
        return can_publish(user, self.page)

    def get_page_title(self):
        return f"Send update again: {self.page.title}"

    def extra_breadcrumbs(self):
        return []

    @cached_property
    def back_url(self) -> str:
        return reverse("wagtailadmin_pages:edit", args=[self.page.pk])

    def refusal(self) -> str:
        if not is_syndicated(type(self.page)):
            return (
                f"“{self.page.title}” is a {self.page.get_verbose_name().lower()}, which does not go out as "
                "an update. Nothing was sent."
            )
        return ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page_site = self.page.get_site()
        delay = settings_for(page_site).send_delay_minutes if page_site else 0
        context.update(
            page=self.page,
            refusal=self.refusal(),
            delay=delay,
            earlier=list(Update.objects.filter(page=self.page).order_by("-sequence")[:10]),
            back_url=self.back_url,
        )
        return context

    def post(self, request, *args, **kwargs):
        refusal = self.refusal()
        if refusal:
            messages.error(request, refusal)
            return redirect(self.back_url)
        try:
            update = updates.send_again(self.page, request.user)
        except updates.UpdateRefused as refused:
            messages.error(request, str(refused))
            return redirect(self.back_url)
        log(update, LOGGED["send_again"], user=request.user, title=update.title,
            data={"site": update.site.hostname, "page": self.page.pk, "sequence": update.sequence})
        sentence = status_sentence(update, updates.with_totals(update, {}))
        if update.site_id != self.site.pk:
            messages.success(
                request, f"“{update.title}” is sent again on {site_label(update.site)}. {sentence} "
                f"Its updates are in the admin of {update.site.hostname}.",
            )
            return redirect(self.back_url)
        if update.status == UpdateStatus.PROBLEM:
            messages.error(request, f"“{update.title}” cannot go out yet. {sentence}")
        else:
            messages.success(request, f"“{update.title}” is sent again. {sentence}")
        if can_view_updates(request.user):
            return redirect("syndication_admin:update", update.pk)
        return redirect(self.back_url)


# --- settings -------------------------------------------------------------------------------------


class SettingsView(SyndicationAdminMixin, FormView):
    page_title = "Syndication settings"
    template_name = "syndication/admin/settings.html"
    form_class = SyndicationSettingsForm
    header_icon = "cog"

    def has_access(self, user) -> bool:
        return can_configure(user)

    def get_initial(self):
        current = settings_for(self.site)
        return {
            "full_content_feeds": current.full_content_feeds,
            "send_delay_minutes": current.send_delay_minutes,
            "websub_hub": current.websub_hub,
            "track_opens_and_clicks": current.track_opens_and_clicks,
        }

    def form_valid(self, form):
        save_settings(self.site, form.to_settings(), self.request.user)
        messages.success(
            self.request,
            f"Syndication settings saved for {site_label(self.site)}. The new wait applies to pages "
            "published from now on; updates already waiting keep their time.",
        )
        return redirect("syndication_admin:settings")

    def form_invalid(self, form):
        messages.error(self.request, "The settings were not saved: correct the errors below.")
        return super().form_invalid(form)
