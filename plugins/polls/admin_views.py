"""The polls plugin's screens in the Wagtail admin, all under ``/admin/polls/``
(URL namespace ``wagtailsnippets_polls_poll``, Wagtail's own for the Poll
snippet, so the snippet chooser and admin URL finder find them):

- the **Poll snippet** views (list, add, edit, delete, usage, history),
  subclassed here: the list shows each poll's status and votes with a
  "Results" button, and a "Start from a ready-made poll" header button;
- **Start from a ready-made poll** (``ready-made/``): the ready-made polls
  (:mod:`.templates`) previewed for the site; choosing one creates it and
  opens it for editing. Takes ``polls.add_poll``;
- a poll's **results** (``<id>/results/``): votes per answer as bars, the
  written answers newest first, and the votes as CSV (``<id>/results/votes.csv``).
  Takes ``polls.view_poll``.

Rules every screen keeps:

- It works on the site the admin is opened on (``request_site``): a new poll
  belongs to it, and another site's polls answer 404.
- It checks Django model permissions: Wagtail's views through their
  permission policy, the others explicitly.
- Everything voters wrote is shown autoescaped, and CSV cells that a
  spreadsheet would run as a formula are defused.

Every view class is defined in this module (none is Wagtail's own class), so
the plugin gate attributes them to the polls plugin: while it is inactive on
a site its screens answer 404.
"""
from __future__ import annotations

import csv

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.views.generic import TemplateView, View
from wagtail.admin.auth import permission_denied
from wagtail.admin.forms.models import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.widgets import HeaderButton, ListingButton
from wagtail.log_actions import log
from wagtail.snippets.bulk_actions.delete import DeleteBulkAction
from wagtail.snippets.views import chooser, snippets

from hearthside.admin_views import SiteScreenMixin
from hearthside.shortcuts import csv_safe, request_site, site_label

from .models import Choice, Poll, Vote
from .templates import READY_MADE, member_channels

URL_NAMESPACE = "wagtailsnippets_polls_poll"
VIEW_PERMISSION = "polls.view_poll"
ADD_PERMISSION = "polls.add_poll"
CHANGE_PERMISSION = "polls.change_poll"
TEXT_ANSWERS_PER_PAGE = 25
EXPORT_CHUNK = 1000
OPEN, CLOSED, NOT_OPEN_YET = "Open", "Closed", "Not open yet"
NO_CHANNEL_LABEL = "None"


def status_of(opens_at, closes_at, now=None) -> str:
    """"Open", "Closed" or "Not open yet", as voters see the poll ``now``."""
    now = now or timezone.now()
    if closes_at is not None and closes_at <= now:
        return CLOSED
    if opens_at is not None and now < opens_at:
        return NOT_OPEN_YET
    return OPEN


def results_url(poll_id: int) -> str:
    return reverse(f"{URL_NAMESPACE}:results", args=[poll_id])


def can_view_results(user) -> bool:
    return user.is_active and user.has_perm(VIEW_PERMISSION)


def can_add_polls(user) -> bool:
    return user.is_active and user.has_perm(ADD_PERMISSION)


class SiteScopedMixin:
    """The site the admin is opened on; a view's polls come only from it."""

    @cached_property
    def site(self):
        return request_site(self.request)

    def site_polls(self):
        return Poll.objects.filter(site=self.site)


# --- the edit form -------------------------------------------------------------------------------


def _channel_choice_form(base_form, offered: list[tuple[str, str]]):
    """The answer form with ``channel`` as a choice of the site's member
    channels; an answer keeps a channel the site no longer offers."""
    options = [("", NO_CHANNEL_LABEL), *offered]
    model_field = Choice._meta.get_field("channel")

    class ChannelChoiceForm(base_form):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            choices = list(options)
            current = self.instance.channel if self.instance.pk else ""
            if current and current not in dict(choices):
                choices.append((current, f"{current} (no longer offered)"))
            self.fields["channel"] = forms.ChoiceField(
                choices=choices, required=False, label="Channel", help_text=model_field.help_text
            )

    return ChannelChoiceForm


class PollForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        offered = member_channels(self.instance.site) if self.instance.site_id else None
        if offered is not None:
            # The formset builds its forms lazily, so its form class can still change.
            answers = self.formsets["choices"]
            answers.form = _channel_choice_form(answers.form, offered)

    def answers_kept(self) -> int:
        answers = self.formsets["choices"]
        return sum(
            1
            for form in answers.forms
            if form.is_valid() and form.cleaned_data.get("label") and not answers._should_delete_form(form)
        )

    def clean(self):
        cleaned_data = super().clean()
        opens_at, closes_at = cleaned_data.get("opens_at"), cleaned_data.get("closes_at")
        if opens_at and closes_at and closes_at <= opens_at:
            self.add_error(
                "closes_at", "The poll must close after it opens: choose a later time, or leave it empty."
            )
        if self.answers_kept() < 2:
            raise ValidationError(
                "A poll needs at least two answers to choose from: add them under “Answers”."
            )
        return cleaned_data


POLL_PANELS = ObjectList(
    [
        FieldPanel("question"),
        FieldPanel("description"),
        MultiFieldPanel(
            [FieldPanel("multiple"), FieldPanel("allow_text"), FieldPanel("text_label")],
            heading="How people answer",
        ),
        InlinePanel(
            "choices", heading="Answers", label="Answer", panels=[FieldPanel("label"), FieldPanel("channel")]
        ),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]), FieldPanel("results_shown")],
            heading="When",
        ),
    ],
    base_form_class=PollForm,
)


# --- the snippet views ---------------------------------------------------------------------------


class PollIndexView(SiteScopedMixin, snippets.IndexView):
    def get_base_queryset(self):
        return self.site_polls().annotate(vote_count=Count("votes"))

    def get_page_subtitle(self):
        return site_label(self.site)

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if can_add_polls(self.request.user):
            buttons.append(
                HeaderButton("Start from a ready-made poll", url=reverse(f"{URL_NAMESPACE}:ready_made"),
                             icon_name="tasks")
            )
        return buttons

    @cached_property
    def may_view_results(self) -> bool:
        return can_view_results(self.request.user)

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if self.may_view_results:
            buttons.append(
                ListingButton("Results", url=results_url(instance.pk), icon_name="view", priority=5)
            )
        return buttons


class PollCreateView(SiteScopedMixin, snippets.CreateView):
    def get_initial_form_instance(self):
        return Poll(site=self.site)

    def save_instance(self):
        self.form.instance.site = self.site
        return super().save_instance()


class PollEditView(SiteScopedMixin, snippets.EditView):
    def get_queryset(self):
        return self.site_polls()

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if can_view_results(self.request.user):
            buttons.append(HeaderButton("Results", url=results_url(self.object.pk), icon_name="view"))
        return buttons


class PollDeleteView(SiteScopedMixin, snippets.DeleteView):
    def get_queryset(self):
        return self.site_polls()


class PollUsageView(SiteScopedMixin, snippets.UsageView):
    def get_base_object_queryset(self):
        return self.site_polls()


class PollHistoryView(SiteScopedMixin, snippets.HistoryView):
    def get_base_object_queryset(self):
        return self.site_polls()


# The chooser (question blocks and pages pick polls with it) offers the site's polls only.


class PollChooseView(SiteScopedMixin, chooser.ChooseView):
    def get_object_list(self):
        return self.site_polls()


class PollChooseResultsView(SiteScopedMixin, chooser.ChooseResultsView):
    def get_object_list(self):
        return self.site_polls()


class PollChosenView(SiteScopedMixin, chooser.SnippetChosenView):
    def get_object(self, pk):
        if not str(pk).isdigit():  # the URL takes any string; a poll's id is a number
            raise Poll.DoesNotExist
        return self.site_polls().get(pk=pk)


class PollChosenMultipleView(SiteScopedMixin, chooser.SnippetChosenMultipleView):
    def get_objects(self, pks):
        return self.site_polls().filter(pk__in=pks)


class PollChooserCreateView(chooser.SnippetCreateView):
    """The chooser has no "create" tab: a poll needs its answers and its site,
    which only the poll's own screen gives. Wagtail still routes the URL, so
    it answers 404 (rather than failing on the form it does not have)."""

    def dispatch(self, request, *args, **kwargs):
        raise Http404("Polls are written on their own screen, not in the chooser.")


class PollChooserViewSet(chooser.SnippetChooserViewSet):
    choose_view_class = PollChooseView
    choose_results_view_class = PollChooseResultsView
    chosen_view_class = PollChosenView
    chosen_multiple_view_class = PollChosenMultipleView
    create_view_class = PollChooserCreateView


class PollDeleteBulkAction(DeleteBulkAction):
    """Deleting polls from the list's checkboxes ("select all" included)
    reaches only the site's polls."""

    models = [Poll]

    def get_queryset(self, model, object_ids):
        polls = Poll.objects.filter(site=request_site(self.request), pk__in=object_ids)
        if not polls:
            raise Http404("None of these polls is on this site.")
        return polls

    def get_all_objects_in_listing_query(self, parent_id):
        return Poll.objects.filter(site=request_site(self.request)).values_list("pk", flat=True)


class PollViewSet(snippets.SnippetViewSet):
    model = Poll
    icon = "tasks"
    menu_label = "Polls"
    menu_name = "polls"  # the core hides the item by this name while the plugin is inactive
    menu_order = 275
    add_to_admin_menu = True
    base_url_path = "polls"
    copy_view_enabled = False
    list_per_page = 50
    search_fields = ["question", "description"]
    list_display = [
        "question",
        Column("status", label="Status", accessor=lambda poll: status_of(poll.opens_at, poll.closes_at)),
        Column("vote_count", label="Votes", sort_key="vote_count"),
        DateColumn("created_at", label="Created", sort_key="created_at"),
    ]
    edit_handler = POLL_PANELS
    index_view_class = PollIndexView
    add_view_class = PollCreateView
    edit_view_class = PollEditView
    delete_view_class = PollDeleteView
    usage_view_class = PollUsageView
    history_view_class = PollHistoryView
    chooser_viewset_class = PollChooserViewSet

    def get_permissions_to_register(self):
        # The group screen offers "view" too: it opens the results screen.
        return super().get_permissions_to_register() | self._view_permission()

    def _view_permission(self):
        from django.contrib.auth.models import Permission

        return Permission.objects.filter(content_type__app_label="polls", codename="view_poll")

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("ready-made/", ReadyMadeView.as_view(), name="ready_made"),
            path("<int:pk>/results/", ResultsView.as_view(), name="results"),
            path("<int:pk>/results/votes.csv", VotesExportView.as_view(), name="results_csv"),
        ]


# --- ready-made polls ----------------------------------------------------------------------------


class PollsScreenMixin(SiteScreenMixin):
    breadcrumb_root = (f"{URL_NAMESPACE}:list", "Polls")
    header_icon = "tasks"


class ReadyMadeView(PollsScreenMixin, TemplateView):
    template_name = "polls/admin/ready_made.html"
    page_title = "Start from a ready-made poll"

    def dispatch(self, request, *args, **kwargs):
        if not can_add_polls(request.user):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["ready_made"] = [template.preview(self.site) for template in READY_MADE.values()]
        return context

    def post(self, request, *args, **kwargs):
        template = READY_MADE.get(request.POST.get("template", ""))
        if template is None:
            messages.error(request, "There is no such ready-made poll: pick one of those below.")
            return redirect(f"{URL_NAMESPACE}:ready_made")
        poll = template.create(self.site)
        log(poll, "wagtail.create", user=request.user)
        messages.success(request, f"“{poll}” is ready. Check its answers and dates, then save it.")
        return redirect(f"{URL_NAMESPACE}:edit", poll.pk)


# --- results -------------------------------------------------------------------------------------


class PollResultsMixin(SiteScopedMixin):
    """The poll of the URL, on the request's site, for those who may view polls."""

    def dispatch(self, request, *args, **kwargs):
        if not can_view_results(request.user):
            return permission_denied(request)
        self.poll = get_object_or_404(Poll, pk=kwargs["pk"], site=self.site)
        return super().dispatch(request, *args, **kwargs)


class ResultsView(PollResultsMixin, PollsScreenMixin, TemplateView):
    template_name = "polls/admin/results.html"
    page_title = "Results"

    def get_page_subtitle(self):
        return self.poll.question

    def extra_breadcrumbs(self) -> list[dict]:
        if self.request.user.has_perm(CHANGE_PERMISSION):
            edit_url = reverse(f"{URL_NAMESPACE}:edit", args=[self.poll.pk])
            return [{"url": edit_url, "label": self.poll.question}]
        return []

    def answers(self, voters: int) -> list[dict]:
        choices = self.poll.choices.annotate(vote_count=Count("votes")).order_by("sort_order", "pk")
        return [
            {
                "label": choice.label,
                "channel": choice.channel,
                "votes": choice.vote_count,
                # A share of the voters: with several answers allowed, shares add up to more than 100 %.
                "percent": round(choice.vote_count / voters * 100) if voters else 0,
            }
            for choice in choices
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        voters = Vote.objects.filter(poll=self.poll).count()
        written = Vote.objects.filter(poll=self.poll).exclude(text="").order_by("-created_at", "-pk")
        text_page = Paginator(written.prefetch_related("choices"), TEXT_ANSWERS_PER_PAGE).get_page(
            self.request.GET.get("page")
        )
        context.update(
            poll=self.poll,
            status=status_of(self.poll.opens_at, self.poll.closes_at),
            voters=voters,
            answers=self.answers(voters),
            text_page=text_page,
            csv_url=reverse(f"{URL_NAMESPACE}:results_csv", args=[self.poll.pk]),
        )
        return context


class VotesExportView(PollResultsMixin, View):
    """Every vote on the poll, one row each: when, which answers, what was
    written and how the voter was known (never who: no ids, no addresses)."""

    def get(self, request, *args, **kwargs):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        name = slugify(f"{site_label(self.site)} poll {self.poll.pk} votes {timezone.localdate()}")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        writer = csv.writer(response)
        writer.writerow(["Voted at", "Answers", "Text", "Voter"])
        votes = Vote.objects.filter(poll=self.poll).order_by("created_at", "pk").prefetch_related("choices")
        for vote in votes.iterator(chunk_size=EXPORT_CHUNK):
            answers = "; ".join(choice.label for choice in sorted(vote.choices.all(), key=_answer_order))
            writer.writerow([
                timezone.localtime(vote.created_at).isoformat(timespec="seconds"),
                csv_safe(answers),
                csv_safe(vote.text),
                vote.voter.partition(":")[0],
            ])
        return response


def _answer_order(choice) -> tuple:
    return (choice.sort_order is None, choice.sort_order or 0, choice.pk)
