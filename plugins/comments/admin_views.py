"""The comments plugin's screens in the Wagtail admin: the moderation queue,
replying as the business, the "needs a response" list and the site's rules.

Every screen works on the site the admin is opened on
(``Site.find_for_request``) and needs the ``comments.moderate_comments``
permission. Every change goes through ``posting`` (or ``rules``), so the admin
follows the same rules as the public form and the API.
"""
from __future__ import annotations

from dataclasses import asdict

from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import FormView, View
from wagtail.admin.auth import permission_denied
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.admin.views.generic.base import BaseListingView, WagtailAdminTemplateMixin
from wagtail.log_actions import log

from hearthside import pagecache
from hearthside.shortcuts import plural, request_site, site_label

from . import posting
from .models import MODERATE_PERMISSION, CommentState, PageComment
from .rules import RulesForm, rules_for, save_rules

PER_PAGE = 50


def can_moderate(user) -> bool:
    return user.is_active and user.has_perm(MODERATE_PERMISSION)


# What each bulk action does: the state it sets, what the message says was
# done, and the audit-log action it records.
BULK_ACTIONS = {
    "approve": (CommentState.APPROVED, "approved", "comments.approved"),
    "reject": (CommentState.REMOVED, "rejected", "comments.rejected"),
    "spam": (CommentState.SPAM, "marked as spam", "comments.marked_spam"),
    "pending": (CommentState.PENDING, "moved back to pending", "comments.returned_to_pending"),
}

# The queue's tabs, in order; unconfirmed comments are shown but cannot be
# moderated: nobody has verified who wrote them.
QUEUE_TABS = [
    (CommentState.PENDING, "Pending"),
    (CommentState.APPROVED, "Approved"),
    (CommentState.SPAM, "Spam"),
    (CommentState.REMOVED, "Removed"),
    (CommentState.UNCONFIRMED, "Awaiting confirmation"),
]
# Which bulk buttons each tab offers (an action that would change nothing is left out).
TAB_ACTIONS = {
    CommentState.PENDING: ["approve", "reject", "spam"],
    CommentState.APPROVED: ["reject", "spam", "pending"],
    CommentState.SPAM: ["approve", "reject", "pending"],
    CommentState.REMOVED: ["approve", "spam", "pending"],
    CommentState.UNCONFIRMED: [],
}
ACTION_LABELS = {
    "approve": "Approve",
    "reject": "Reject",
    "spam": "Mark as spam",
    "pending": "Move to pending",
}


class ModeratorsOnlyMixin:
    """Turns away anyone without the moderation permission, the way Wagtail
    does (back to the dashboard with a message; 403 for XHR)."""

    def dispatch(self, request, *args, **kwargs):
        if not can_moderate(request.user):
            return permission_denied(request)
        self.site = request_site(request)
        return super().dispatch(request, *args, **kwargs)


class CommentsAdminMixin(ModeratorsOnlyMixin, WagtailAdminTemplateMixin):
    header_icon = "comment"

    def get_page_subtitle(self):
        return site_label(self.site)

    def get_breadcrumbs_items(self):
        return [
            {"url": reverse("wagtailadmin_home"), "label": "Home"},
            {"url": reverse("comments_admin:queue"), "label": "Comments"},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["site"] = self.site
        context["current_url"] = self.request.get_full_path()
        return context


class CommentListingView(CommentsAdminMixin, BaseListingView):
    """A paginated list of this site's comments, drawn in the admin's listing layout."""

    paginate_by = PER_PAGE
    verbose_name = "comment"
    verbose_name_plural = "comments"


# The moderation queue ---------------------------------------------------------


class QueueView(CommentListingView):
    page_title = "Moderation queue"
    template_name = "comments/admin/queue.html"
    results_template_name = "comments/admin/queue_results.html"
    index_url_name = "comments_admin:queue"

    @cached_property
    def state(self) -> str:
        asked = self.request.GET.get("state") or CommentState.PENDING
        if asked not in dict(QUEUE_TABS):
            messages.error(
                self.request,
                f"There is no “{asked}” list of comments; showing the pending ones. "
                f"Choose one of: {', '.join(label for _, label in QUEUE_TABS)}.",
            )
            return CommentState.PENDING
        return asked

    def get_base_queryset(self):
        return (
            PageComment.objects.on_site(self.site)
            .filter(state=self.state)
            .select_related("page", "moderated_by")
            .order_by("-submit_date", "-pk")
        )

    def tabs(self) -> list[dict]:
        counts = dict(
            PageComment.objects.on_site(self.site).order_by().values_list("state").annotate(total=Count("pk"))
        )
        return [
            {
                "state": state,
                "label": label,
                "count": counts.get(state, 0),
                "url": f"{reverse('comments_admin:queue')}?state={state}",
                "current": state == self.state,
            }
            for state, label in QUEUE_TABS
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            state=self.state,
            state_label=dict(QUEUE_TABS)[self.state],
            tabs=self.tabs(),
            actions=[(action, ACTION_LABELS[action]) for action in TAB_ACTIONS[self.state]],
            can_reply=self.state == CommentState.APPROVED,
            read_only=not TAB_ACTIONS[self.state],
        )
        return context


class BulkModerationView(ModeratorsOnlyMixin, View):
    """POST only: apply one moderation action to the ticked comments of this
    site. Anything wrong with the request changes nothing and says why."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        back = get_valid_next_url_from_request(request) or reverse("comments_admin:queue")
        action = request.POST.get("action", "")
        if action not in BULK_ACTIONS:
            messages.error(
                request,
                f"“{action}” is not something the queue can do; choose Approve, Reject, "
                "Mark as spam or Move to pending. Nothing was changed." if action else
                "Choose what to do with the selected comments. Nothing was changed.",
            )
            return redirect(back)
        raw_ids = request.POST.getlist("comment")
        if not raw_ids:
            messages.error(request, "Select at least one comment first. Nothing was changed.")
            return redirect(back)
        if not all(raw.isdigit() for raw in raw_ids):
            messages.error(request, "The selection was not understood. Nothing was changed.")
            return redirect(back)
        ids = {int(raw) for raw in raw_ids}
        chosen = PageComment.objects.on_site(self.site).filter(pk__in=ids)
        found = dict(chosen.values_list("pk", "state"))
        if len(found) != len(ids):
            missing = len(ids) - len(found)
            messages.error(
                request,
                f"{plural(missing, 'of the selected comments does', 'of the selected comments do')} not "
                f"exist on {site_label(self.site)} (deleted, or on another site). Nothing was changed.",
            )
            return redirect(back)
        if CommentState.UNCONFIRMED in found.values():
            messages.error(
                request,
                "Comments awaiting email confirmation cannot be moderated until their authors confirm "
                "them. Nothing was changed.",
            )
            return redirect(back)

        state, done, log_action = BULK_ACTIONS[action]
        with transaction.atomic():
            changing = [pk for pk, current in found.items() if current != state]
            changed = posting.moderate(chosen, state, request.user)
            for comment in PageComment.objects.filter(pk__in=changing).select_related("page"):
                log(comment, log_action, user=request.user, data={"site": self.site.hostname})
        unchanged = len(ids) - changed
        message = f"{plural(changed, 'comment')} {done}."
        if unchanged:
            message += f" {plural(unchanged, 'was', 'were')} already {CommentState(state).label.lower()}."
        messages.success(request, message)
        return redirect(back)


# Replying as the business ---------------------------------------------------------


class BusinessReplyForm(forms.Form):
    # Not required here: posting.reply_as_business gives the same message the
    # public form gives for an empty or over-long comment.
    text = forms.CharField(
        required=False,
        strip=False,
        label="Your reply",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Posted at once, under the comment, marked as a reply from the business. "
        "Markdown: **bold**, *italic*, [links](https://example.com), lists and quotes.",
    )


class ReplyView(CommentsAdminMixin, FormView):
    page_title = "Reply as the business"
    template_name = "comments/admin/reply.html"
    form_class = BusinessReplyForm

    @cached_property
    def parent(self) -> PageComment:
        # Another site's comment is as good as missing here.
        return get_object_or_404(
            PageComment.objects.select_related("page", "wagtail_site"),
            pk=self.kwargs["comment_id"],
            wagtail_site=self.site,
        )

    @cached_property
    def back_url(self) -> str:
        return get_valid_next_url_from_request(self.request) or (
            f"{reverse('comments_admin:queue')}?state={CommentState.APPROVED}"
        )

    def get(self, request, *args, **kwargs):
        self.parent  # noqa: B018  (404 before drawing the form)
        return super().get(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            reply = posting.reply_as_business(self.parent, form.cleaned_data["text"], self.request.user)
        except posting.CommentRejected as rejected:
            form.add_error("text", rejected.message)
            return self.form_invalid(form)
        log(reply, "comments.business_reply", user=self.request.user, data={"reply_to": self.parent.pk})
        answered, page_title = self.parent.user_name or "the comment", self.parent.page.title
        messages.success(self.request, f"Your reply to {answered} on “{page_title}” is published.")
        return redirect(self.back_url)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            parent=self.parent,
            back_url=self.back_url,
            business_name=posting.business_name(self.site),
        )
        return context


# Needs a response -----------------------------------------------------------------


class NeedsResponseView(CommentListingView):
    page_title = "Needs a response"
    template_name = "comments/admin/needs_response.html"
    results_template_name = "comments/admin/needs_response_results.html"
    index_url_name = "comments_admin:needs_response"

    @cached_property
    def hours(self) -> int:
        return rules_for(self.site).needs_response_hours

    def get_base_queryset(self):
        return PageComment.objects.needing_response(self.site, self.hours).select_related("page")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(hours=self.hours, now=timezone.now())
        return context

    def post(self, request, *args, **kwargs):
        """"No reply needed": take the chosen comments off the list."""
        back = get_valid_next_url_from_request(request) or reverse("comments_admin:needs_response")
        raw_ids = request.POST.getlist("comment")
        if not raw_ids or not all(raw.isdigit() for raw in raw_ids):
            messages.error(request, "Choose the comment that needs no reply. Nothing was changed.")
            return redirect(back)
        ids = {int(raw) for raw in raw_ids}
        chosen = PageComment.objects.on_site(self.site).filter(pk__in=ids, is_business_reply=False)
        if chosen.count() != len(ids):
            messages.error(
                request,
                f"That comment is not a visitor's comment on {site_label(self.site)}. Nothing was changed.",
            )
            return redirect(back)
        with transaction.atomic():
            to_mark = list(chosen.filter(answered_at__isnull=True).select_related("page"))
            marked = posting.mark_answered(chosen)
            for comment in to_mark:
                log(comment, "comments.marked_answered", user=request.user, data={"site": self.site.hostname})
        if marked:
            messages.success(request, f"{plural(marked, 'comment')} taken off the list: no reply needed.")
        else:
            messages.success(request, "That comment was already off the list.")
        return redirect(back)


def needs_response_count(site) -> int:
    """For the menu: how many comments on ``site`` wait for an answer."""
    return PageComment.objects.needing_response(site, rules_for(site).needs_response_hours).count()


# Rules --------------------------------------------------------------------------


class RulesView(CommentsAdminMixin, FormView):
    page_title = "Comment rules"
    template_name = "comments/admin/rules.html"
    form_class = RulesForm

    def get_initial(self):
        return asdict(rules_for(self.site))

    def form_valid(self, form):
        save_rules(self.site, form.to_rules(), self.request.user)
        # Opening, closing and reply depth change what pages show.
        pagecache.purge()
        messages.success(self.request, f"Comment rules saved for {site_label(self.site)}.")
        return redirect("comments_admin:rules")

    def form_invalid(self, form):
        messages.error(self.request, "The rules were not saved: correct the errors below.")
        return super().form_invalid(form)
