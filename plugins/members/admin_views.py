"""The members plugin's screens in the Wagtail admin.

- **Members** (``/admin/members/``, namespace ``members_admin``): Wagtail's
  ModelViewSet views, subclassed here: the list (filter by channel, topic,
  stage, tag, source and confirmation; search by email, name and phone; CSV and
  XLSX export of what is shown), a member's page (profile, channels, topics,
  tags and the consent history, newest first), adding a contact or customer by
  hand, editing name, tags and stage, and erasing. Beside them: unsubscribing
  a member from a channel, and marking members as customers (one or many).
- **Import** (``/admin/members/imports/``): upload a CSV file, see the dry
  run, import it all or nothing in the background, watch its progress.
- **Settings** (``/admin/members/settings/``): the site's consent wording per
  channel and the signup form's texts.
- **Topics** (``/admin/members/topics/``, namespace ``members_topics``): the
  sections and tags members can follow.

Rules every screen keeps:

- It works on the site the admin is opened on (``Site.find_for_request``);
  another site's members and topics are as good as missing.
- It checks Django model permissions (``members.view_member``,
  ``members.change_member``, ``members.add_memberimport``...): Wagtail's views
  through their permission policy, the others explicitly.
- Editors never grant a channel on someone's behalf: consent comes only from
  the person (the signup form, the preference centre) or, for an import, from
  an editor stating what those people agreed to. Editors can only take people
  off channels (``preferences.unsubscribe``). Stage changes go through
  ``preferences.set_stage``, so ``member_stage_changed`` fires.
- The audit log names members by number only ("Member #12"), so erasing a
  member leaves no address behind in it.

Every view class is defined in this module (none is Wagtail's own class), so
the plugin gate attributes them to the members plugin: while it is inactive on
a site its screens answer 404.
"""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.views.generic import FormView, TemplateView, View
from django_filters import BooleanFilter, ChoiceFilter, ModelChoiceFilter
from taggit.models import Tag
from wagtail.admin.auth import permission_denied
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms.models import WagtailAdminModelForm
from wagtail.admin.ui.tables import BaseColumn, BooleanColumn, Column, DateColumn, TitleColumn
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import BaseListingView
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.views.generic.usage import UsageView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import BooleanRadioSelect
from wagtail.log_actions import log
from wagtail.models import Site

from hearthside import pagecache
from hearthside.admin_views import SiteScreenMixin
from hearthside.shortcuts import csv_safe, plural, request_site, site_label

from . import consent, hooks, imports, preferences
from .channels import channels_for
from .config import MemberSettings, business_name, save_settings, settings_for
from .models import (
    ImportStatus,
    Member,
    MemberImport,
    Source,
    Stage,
    Suppression,
    Topic,
    email_key,
)
from .signup import announce
from .validation import WORDING_MAX_LENGTH, MemberRejected, clean_name, normalise_email, normalise_phone

CHANGE_MEMBERS = "members.change_member"
# Importing creates and changes members, so it takes all three.
IMPORT_PERMISSIONS = ("members.add_memberimport", "members.add_member", "members.change_member")
# At most this many members are marked as customers in one go.
MARK_MAX = 500
# The import page lists this many row errors; the count covers them all.
ERRORS_LISTED = 200
EXPORT_CHUNK = 1000


def member_log_title(member) -> str:
    """How the audit log names a member: by number, never by address."""
    return f"Member #{member.pk}"


def editor_source(user) -> str:
    return f"admin by {user.get_username()}"


def can_view_members(user) -> bool:
    return user.is_active and any(
        user.has_perm(f"members.{action}_member") for action in ("view", "add", "change", "delete")
    )


def can_view_topics(user) -> bool:
    return user.is_active and any(
        user.has_perm(f"members.{action}_topic") for action in ("view", "add", "change", "delete")
    )


def can_import(user) -> bool:
    return user.is_active and user.has_perms(IMPORT_PERMISSIONS)


def can_configure(user) -> bool:
    """Consent wording and signup texts: for those who may change members."""
    return user.is_active and user.has_perm(CHANGE_MEMBERS)


class SiteScopedMixin:
    """The site the admin is opened on; a view's objects come only from it."""

    @cached_property
    def site(self) -> Site:
        return request_site(self.request)

    def get_page_subtitle(self):
        return super().get_page_subtitle() or site_label(self.site)


# --- the member list ---------------------------------------------------------------------------


def _site_topics(request):
    return Topic.objects.filter(site=request_site(request))


def _site_member_tags(request):
    return (
        Tag.objects.filter(members_taggedmember_items__content_object__site=request_site(request))
        .distinct()
        .order_by("name")
    )


class MemberFilterSet(WagtailFilterSet):
    """The list's filters. Channels and topics are the request site's."""

    NO_CHANNEL = "none"

    channel = ChoiceFilter(
        label="Channel", method="filter_channel", empty_label="Any", widget=forms.RadioSelect
    )
    topic = ModelChoiceFilter(label="Topic", field_name="topics", queryset=_site_topics)
    stage = ChoiceFilter(label="Stage", choices=Stage.choices, empty_label="Any", widget=forms.RadioSelect)
    confirmed = BooleanFilter(label="Email confirmed", method="filter_confirmed", widget=BooleanRadioSelect)
    tag = ModelChoiceFilter(label="Tag", field_name="tags", queryset=_site_member_tags)
    source = ChoiceFilter(label="Came from", choices=Source.choices, empty_label="Anywhere")

    class Meta:
        model = Member
        fields = []

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        offered = channels_for(request_site(request))
        self.filters["channel"].extra["choices"] = [
            *((key, channel.label) for key, channel in offered.items()),
            (self.NO_CHANNEL, "None (contacts)"),
        ]

    def filter_channel(self, queryset, name, value):
        if value == self.NO_CHANNEL:
            return queryset.filter(subscriptions__isnull=True)
        return queryset.filter(subscriptions__channel=value) if value else queryset

    def filter_confirmed(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(confirmed_at__isnull=not value)


class SelectColumn(BaseColumn):
    """A checkbox per member, for "Mark as customers"."""

    header_template_name = "members/admin/_select_header.html"
    cell_template_name = "members/admin/_select_cell.html"


class _ChunkedRows:
    """A queryset walked in chunks (prefetches included) for the export, so
    a large list is never one huge IN (...) query."""

    def __init__(self, queryset):
        self.queryset = queryset
        self.model = queryset.model

    def __iter__(self):
        return self.queryset.iterator(chunk_size=EXPORT_CHUNK)


# Columns of the export; named as the import reads them, so an export imports back.
EXPORT_FIELDS = [
    "email", "name", "phone", "stage", "tags", "topics", "channels",
    "confirmed_at", "created_at", "unsubscribed_at", "source", "source_detail",
]


class MemberIndexView(SiteScopedMixin, generic.IndexView):
    results_template_name = "members/admin/member_index_results.html"
    page_title = "Members"
    custom_field_preprocess = {
        field: {"csv": csv_safe} for field in ("email", "name", "tags", "topics", "source_detail")
    }

    def get_base_queryset(self):
        return Member.objects.filter(site=self.site).prefetch_related("subscriptions", "topics", "tags")

    @cached_property
    def channel_labels(self) -> dict[str, str]:
        return {key: channel.label for key, channel in channels_for(self.site).items()}

    @cached_property
    def can_mark_customers(self) -> bool:
        return self.user_has_permission("change")

    def inspect_url(self, member) -> str:
        return reverse("members_admin:inspect", args=[member.pk])

    @cached_property
    def columns(self):
        title_column = self._get_title_column_class(TitleColumn)
        columns = [
            title_column("email", label="Email", get_url=self.inspect_url, sort_key="email"),
            Column("name", label="Name", sort_key="name"),
            Column("stage", label="Stage", accessor="get_stage_display", sort_key="stage"),
            Column("channels", label="Channels", accessor=lambda m: ", ".join(
                self.channel_labels.get(s.channel, s.channel) for s in m.subscriptions.all()
            )),
            Column("topics", label="Topics", accessor=lambda m: ", ".join(t.name for t in m.topics.all())),
            Column("tags", label="Tags", accessor=lambda m: ", ".join(sorted(t.name for t in m.tags.all()))),
            BooleanColumn("confirmed", label="Confirmed", accessor="is_confirmed"),
            DateColumn("created_at", label="Joined", sort_key="created_at"),
        ]
        if self.can_mark_customers:
            columns.insert(0, SelectColumn("select", label="Select"))
        return columns

    def get_filename(self):
        return f"members-{slugify(self.site.hostname)}-{timezone.localdate():%Y-%m-%d}"

    def to_row_dict(self, item):
        return {
            "email": item.email,
            "name": item.name,
            "phone": str(item.phone or ""),
            "stage": item.stage,
            "tags": ", ".join(sorted(t.name for t in item.tags.all())),
            "topics": ", ".join(t.slug for t in item.topics.all()),
            "channels": ", ".join(s.channel for s in item.subscriptions.all()),
            "confirmed_at": item.confirmed_at,
            "created_at": item.created_at,
            "unsubscribed_at": item.unsubscribed_at,
            "source": item.source,
            "source_detail": item.source_detail,
        }

    def as_spreadsheet(self, queryset, spreadsheet_format):
        return super().as_spreadsheet(_ChunkedRows(queryset), spreadsheet_format)

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        query = self.request.GET.copy()
        query.pop("_w_filter_fragment", None)
        context["can_mark_customers"] = self.can_mark_customers
        context["listing_url"] = self.index_url + (f"?{query.urlencode()}" if query else "")
        return context


# --- one member --------------------------------------------------------------------------------


class MemberDetailView(SiteScopedMixin, generic.InspectView):
    """A member's profile, channels, topics, tags and consent history."""

    template_name = "members/admin/member_detail.html"
    page_title = "Member"

    def get_object(self, queryset=None):
        members = Member.objects.filter(site=self.site).select_related("source_page")
        return get_object_or_404(members, pk=self.pk)

    def get_fields_context(self):
        return []  # the template lays the member out itself

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        member = self.object
        offered = channels_for(self.site)
        context.update(
            member=member,
            site=self.site,
            subscriptions=[
                {"key": s.channel, "label": offered[s.channel].label if s.channel in offered else s.channel,
                 "frequency": s.frequency, "since": s.created_at, "url": (s.config or {}).get("url", "")}
                for s in member.subscriptions.all()
            ],
            awaiting=[] if member.confirmed_at else sorted((member.pending or {}).get("channels") or {}),
            topics=list(member.topics.all()),
            tags=sorted(member.tags.names()),
            history=list(member.consent_records.order_by("-at", "-pk")),
            can_change=self.user_has_permission("change"),
            history_url=reverse("members_admin:history", args=[member.pk]),
            edit_url=reverse("members_admin:edit", args=[member.pk]),
            stages=Stage.choices,
        )
        return context


class MemberEditForm(WagtailAdminModelForm):
    """What editors may change: the name, the tags and the stage. Channels
    are the person's own choice and are not on this form."""

    stage = forms.ChoiceField(
        choices=Stage.choices,
        help_text="Contact: left an address (a comment, an import). Prospect: signed up. "
        "Customer: bought from the business.",
    )
    field_order = ["name", "stage", "tags"]

    class Meta:
        model = Member
        fields = ["name", "tags"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["stage"].initial = self.instance.stage

    def clean_name(self):
        try:
            return clean_name(self.cleaned_data.get("name", ""))
        except MemberRejected as rejected:
            raise ValidationError(rejected.message) from None


class MemberCreateForm(MemberEditForm):
    """A contact or customer added by hand: an address, no channels. They get
    nothing until they sign up themselves."""

    email = forms.CharField(
        max_length=254, help_text="They will not be emailed: adding someone grants no channel."
    )
    phone = forms.CharField(required=False, max_length=32, label="Mobile number")
    field_order = ["email", "name", "phone", "stage", "tags"]

    class Meta:
        model = Member
        fields = ["email", "name", "phone", "tags"]

    def clean_email(self):
        try:
            email = normalise_email(self.cleaned_data.get("email", ""))
        except MemberRejected as rejected:
            raise ValidationError(rejected.message) from None
        site = self.instance.site
        if Member.objects.filter(site=site, email_key=email_key(email)).exists():
            raise ValidationError(
                f"{email} is already a member of {site_label(site)}: find them in the list."
            )
        if consent.is_suppressed(site, Suppression.EMAIL, email):
            raise ValidationError(
                "This address is on the suppression list (its owner asked to be deleted, or mail to it "
                "bounced), so it cannot be added again."
            )
        return email

    def clean_phone(self):
        try:
            return normalise_phone(self.cleaned_data.get("phone", ""))
        except MemberRejected as rejected:
            raise ValidationError(rejected.message) from None


class MemberCreateView(SiteScopedMixin, generic.CreateView):
    page_title = "Add a contact or customer"

    def get_initial_form_instance(self):
        return Member(site=self.site, source=Source.ADMIN)

    def save_instance(self):
        member = self.form.save(commit=False)
        member.site = self.site
        member.stage = self.form.cleaned_data["stage"]
        member.source = Source.ADMIN
        member.source_detail = f"Added by {self.request.user.get_username()}"[:200]
        member.save()
        self.form.save_m2m()
        announce(hooks.member_stage_changed, member, old_stage=None, new_stage=member.stage, source="admin")
        log(member, "wagtail.create", user=self.request.user, title=member_log_title(member))
        return member

    def get_success_url(self):
        return reverse("members_admin:inspect", args=[self.object.pk])


class MemberEditView(SiteScopedMixin, generic.EditView):
    def get_queryset(self):
        return Member.objects.filter(site=self.site)

    def save_instance(self):
        member = self.form.save(commit=False)
        member.save(update_fields=["name", "updated_at"])
        self.form.save_m2m()
        stage = self.form.cleaned_data["stage"]
        old_stage = member.stage
        if preferences.set_stage(member, stage, source="admin"):
            member.stage = stage
            log(member, "members.stage_changed", user=self.request.user, title=member_log_title(member),
                data={"from": old_stage, "to": stage})
        log(member, "wagtail.edit", user=self.request.user, title=member_log_title(member))
        return member

    def get_success_url(self):
        return reverse("members_admin:inspect", args=[self.object.pk])


class MemberDeleteView(SiteScopedMixin, generic.DeleteView):
    """Erase a member: ``preferences.erase`` deletes everything kept about them
    and keeps only an anonymised suppression entry."""

    page_title = "Erase member"
    success_message = "%(object)s was erased, with everything kept about them."

    def get_queryset(self):
        return Member.objects.filter(site=self.site)

    @property
    def confirmation_message(self):
        return (
            f"Erase {self.object} and everything kept about them, their consent history included? "
            "Their address is kept only as an anonymised entry, so that nobody mails them again and no "
            "import adds them back. This cannot be undone."
        )

    def delete_action(self):
        member = self.object
        log(member, "members.erased", user=self.request.user, title=member_log_title(member))
        preferences.erase(member)


class MemberHistoryView(SiteScopedMixin, HistoryView):
    def get_base_object_queryset(self):
        return Member.objects.filter(site=self.site)


class MemberUsageView(SiteScopedMixin, UsageView):
    def get_base_object_queryset(self):
        return Member.objects.filter(site=self.site)


class MemberActionView(SiteScopedMixin, PermissionCheckedMixin, View):
    """POST-only changes to members, for those who may change them."""

    model = Member
    permission_required = "change"
    http_method_names = ["post"]


class WithdrawView(MemberActionView):
    """Take a member off one channel (``channel``) or all of them (empty)."""

    def post(self, request, pk):
        member = get_object_or_404(Member.objects.select_related("site"), pk=pk, site=self.site)
        back = reverse("members_admin:inspect", args=[member.pk])
        channel = request.POST.get("channel", "").strip()
        try:
            left = preferences.unsubscribe(member, channel or None, source=editor_source(request.user))
        except MemberRejected as rejected:
            messages.error(request, f"{rejected.message} Nothing was changed.")
            return redirect(back)
        if not left:
            messages.info(request, f"{member} was not on {'that channel' if channel else 'any channel'}.")
            return redirect(back)
        log(member, "members.unsubscribed", user=request.user, title=member_log_title(member),
            data={"channel": channel or "all"})
        what = channels_for(self.site)[channel].label if channel else plural(left, "channel")
        messages.success(request, f"{member} was unsubscribed from {what}; the consent history records it.")
        return redirect(back)


class MarkCustomersView(MemberActionView):
    """Move the chosen members (``member``, one or many) to the customer stage."""

    def post(self, request):
        back = get_valid_next_url_from_request(request) or reverse("members_admin:index")
        raw_ids = request.POST.getlist("member")
        if not raw_ids:
            messages.error(request, "Select at least one member first. Nothing was changed.")
            return redirect(back)
        if not all(raw.isdigit() for raw in raw_ids):
            messages.error(request, "The selection was not understood. Nothing was changed.")
            return redirect(back)
        ids = {int(raw) for raw in raw_ids}
        if len(ids) > MARK_MAX:
            messages.error(request, f"Mark at most {MARK_MAX} members at once. Nothing was changed.")
            return redirect(back)
        chosen = list(Member.objects.filter(site=self.site, pk__in=ids))
        if len(chosen) != len(ids):
            missing = len(ids) - len(chosen)
            messages.error(
                request,
                f"{plural(missing, 'of the selected members is', 'of the selected members are')} not on "
                f"{site_label(self.site)} (erased, or on another site). Nothing was changed.",
            )
            return redirect(back)
        marked = 0
        with transaction.atomic():
            for member in chosen:
                old_stage = member.stage
                if preferences.set_stage(member, Stage.CUSTOMER, source="admin"):
                    marked += 1
                    log(member, "members.stage_changed", user=request.user, title=member_log_title(member),
                        data={"from": old_stage, "to": Stage.CUSTOMER})
        already = len(chosen) - marked
        message = f"{plural(marked, 'member')} marked as {'a customer' if marked == 1 else 'customers'}."
        if already:
            message += f" {plural(already, 'was', 'were')} a customer already."
        messages.success(request, message)
        return redirect(back)


class MemberViewSet(ModelViewSet):
    model = Member
    name = "members"
    url_prefix = "members"
    url_namespace = "members_admin"
    icon = "group"
    menu_label = "Members"
    add_to_admin_menu = False  # the "Members" submenu is built in wagtail_hooks
    inspect_view_enabled = True
    copy_view_enabled = False
    add_to_reference_index = False
    index_view_class = MemberIndexView
    add_view_class = MemberCreateView
    edit_view_class = MemberEditView
    inspect_view_class = MemberDetailView
    delete_view_class = MemberDeleteView
    history_view_class = MemberHistoryView
    usage_view_class = MemberUsageView
    list_per_page = 50
    ordering = "-created_at"
    search_fields = ["email", "name", "phone"]
    filterset_class = MemberFilterSet
    list_export = EXPORT_FIELDS
    export_headings = {field: field for field in EXPORT_FIELDS}

    def get_form_class(self, for_update=False):
        return MemberEditForm if for_update else MemberCreateForm

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("withdraw/<int:pk>/", WithdrawView.as_view(), name="withdraw"),
            path("mark-customers/", MarkCustomersView.as_view(), name="mark_customers"),
            path("imports/", ImportListView.as_view(), name="imports"),
            path("imports/new/", ImportUploadView.as_view(), name="import_upload"),
            path("imports/<int:pk>/", ImportDetailView.as_view(), name="import"),
            path("imports/<int:pk>/run/", ImportRunView.as_view(), name="import_run"),
            path("imports/<int:pk>/status.json", ImportStatusView.as_view(), name="import_status"),
            path("settings/", SettingsView.as_view(), name="settings"),
        ]


# --- topics ----------------------------------------------------------------------------------


class TopicForm(WagtailAdminModelForm):
    class Meta:
        model = Topic
        fields = ["name", "slug", "description", "section", "tag", "subscribable", "sort_order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["slug"].help_text = (
            "Used in the API, in links and in import files. Left empty: made from the name."
        )
        self.fields["tag"].queryset = Tag.objects.order_by("name")

    def clean(self):
        cleaned = super().clean()
        site = self.instance.site
        slug = slugify(cleaned.get("slug") or cleaned.get("name") or "")[:80]
        if not slug and "slug" not in self.errors:
            self.add_error("slug", "Give the topic a slug: letters, numbers and hyphens.")
        elif Topic.objects.filter(site=site, slug=slug).exclude(pk=self.instance.pk).exists():
            self.add_error("slug", f"Another topic on {site_label(site)} already uses “{slug}”.")
        cleaned["slug"] = slug
        section = cleaned.get("section")
        if section is not None and not (
            section.pk == site.root_page_id or section.is_descendant_of(site.root_page)
        ):
            self.add_error("section", f"Choose a page of {site_label(site)}.")
        return cleaned


class TopicIndexView(SiteScopedMixin, generic.IndexView):
    page_title = "Topics"

    def get_base_queryset(self):
        return (
            Topic.objects.filter(site=self.site)
            .select_related("section", "tag")
            .annotate(member_count=Count("members"))
        )

    @cached_property
    def columns(self):
        return [
            self._get_title_column("name"),
            Column("slug", label="Slug", sort_key="slug"),
            Column("section", label="Section", accessor=lambda t: t.section.title if t.section else ""),
            Column("tag", label="Tag", accessor=lambda t: t.tag.name if t.tag else ""),
            BooleanColumn("subscribable", label="Offered to members", sort_key="subscribable"),
            Column("member_count", label="Members", sort_key="member_count"),
        ]


class TopicCreateView(SiteScopedMixin, generic.CreateView):
    def get_initial_form_instance(self):
        return Topic(site=self.site)


class TopicEditView(SiteScopedMixin, generic.EditView):
    def get_queryset(self):
        return Topic.objects.filter(site=self.site)


class TopicDeleteView(SiteScopedMixin, generic.DeleteView):
    def get_queryset(self):
        return Topic.objects.filter(site=self.site)

    @property
    def confirmation_message(self):
        count = self.object.members.count()
        return (
            f"Delete the topic “{self.object}”? {plural(count, 'member follows', 'members follow')} it; "
            "they keep their other topics and channels."
        )


class TopicHistoryView(SiteScopedMixin, HistoryView):
    def get_base_object_queryset(self):
        return Topic.objects.filter(site=self.site)


class TopicUsageView(SiteScopedMixin, UsageView):
    def get_base_object_queryset(self):
        return Topic.objects.filter(site=self.site)


class TopicViewSet(ModelViewSet):
    model = Topic
    name = "members_topics"
    url_prefix = "members/topics"
    url_namespace = "members_topics"
    icon = "tag"
    menu_label = "Topics"
    add_to_admin_menu = False
    copy_view_enabled = False
    add_to_reference_index = False
    sort_order_field = None
    index_view_class = TopicIndexView
    add_view_class = TopicCreateView
    edit_view_class = TopicEditView
    delete_view_class = TopicDeleteView
    history_view_class = TopicHistoryView
    usage_view_class = TopicUsageView
    list_per_page = 50
    ordering = ["sort_order", "name"]
    search_fields = ["name", "slug"]

    def get_form_class(self, for_update=False):
        return TopicForm


# --- imports ---------------------------------------------------------------------------------


class MembersAdminMixin(SiteScreenMixin):
    """For the screens that are not Wagtail's model views."""

    header_icon = "group"
    breadcrumb_root = ("members_admin:index", "Members")


class ImportersOnlyMixin:
    """Turns away anyone who may not import (the admin's way: back to the
    dashboard with a message; 403 for XHR)."""

    def dispatch(self, request, *args, **kwargs):
        if not can_import(request.user):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)


class ImportListView(ImportersOnlyMixin, MembersAdminMixin, BaseListingView):
    page_title = "Imports"
    template_name = "members/admin/import_list.html"
    results_template_name = "members/admin/import_list_results.html"
    index_url_name = "members_admin:imports"
    paginate_by = 30
    verbose_name = "import"
    verbose_name_plural = "imports"

    def get_base_queryset(self):
        return (
            MemberImport.objects.filter(site=self.site)
            .select_related("created_by")
            .defer("content")
            .order_by("-created_at", "-pk")
        )


CONSENT_CHOICES = [
    (
        "no",
        (
            "No. Import them as contacts or customers with no channels: they are never emailed "
            "until they sign up themselves."
        ),
    ),
    (
        "yes",
        "Yes. Every person in the file agreed to get email from the business, and I can say when and how.",
    ),
]


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        allow_empty_file=True,  # imports.read_upload says what is wrong with an empty file
        help_text="UTF-8 CSV, the first line naming the columns: email (required), name, phone, stage, "
        "tags and topics (topic slugs); tags and topics separated by commas or semicolons.",
    )
    default_stage = forms.ChoiceField(
        label="Stage for rows that give none", choices=Stage.choices, initial=Stage.CONTACT,
        widget=forms.RadioSelect,
        help_text="Members already here only move forward: a customer stays a customer.",
    )
    email_consent = forms.ChoiceField(
        label="Did these people agree to get email from you?", choices=CONSENT_CHOICES, initial="no",
        widget=forms.RadioSelect,
    )
    consent_wording = forms.CharField(
        label="What they agreed to, and when and where",
        required=False,
        max_length=WORDING_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept in each person's consent history, e.g. “Ticked ‘Email me news and offers’ on "
        "the loyalty card form at the counter, 2024–2025”. Needed if they agreed.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("email_consent") == "yes" and not cleaned.get("consent_wording", "").strip():
            self.add_error(
                "consent_wording",
                "Say what these people agreed to, and when and where: it goes into their consent history.",
            )
        return cleaned

    def options(self) -> imports.ImportOptions:
        data = self.cleaned_data
        consented = data["email_consent"] == "yes"
        return imports.ImportOptions(
            default_stage=data["default_stage"],
            email_consent=consented,
            consent_wording=data["consent_wording"].strip() if consented else "",
        )


class ImportUploadView(ImportersOnlyMixin, MembersAdminMixin, FormView):
    page_title = "Import members"
    template_name = "members/admin/import_upload.html"
    form_class = ImportForm

    def extra_breadcrumbs(self):
        return [{"url": reverse("members_admin:imports"), "label": "Imports"}]

    def form_valid(self, form):
        try:
            member_import = imports.preview(
                self.site, self.request.user, form.cleaned_data["file"], form.options()
            )
        except imports.ImportRefused as refused:
            form.add_error("file", refused.message)
            return self.form_invalid(form)
        return redirect("members_admin:import", member_import.pk)

    def form_invalid(self, form):
        messages.error(self.request, "The file was not checked: correct the errors below.")
        return super().form_invalid(form)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            max_size=imports._size(imports.max_bytes()),
            columns=imports.COLUMNS,
            topics=list(Topic.objects.filter(site=self.site).values_list("slug", flat=True)),
        )
        return context


class ImportObjectMixin:
    @cached_property
    def member_import(self) -> MemberImport:
        return get_object_or_404(
            MemberImport.objects.select_related("created_by"), pk=self.kwargs["pk"], site=self.site
        )


def import_status(member_import: MemberImport) -> dict:
    """What the status page and its JSON say about an import."""
    progress = imports.progress_of(member_import)
    return {
        "id": member_import.pk,
        "file_name": member_import.file_name,
        "status": member_import.status,
        "status_label": member_import.get_status_display(),
        "finished": member_import.status in (ImportStatus.DONE, ImportStatus.FAILED),
        "phase": progress["phase"],
        "processed": progress["done"],
        "total": progress["total"],
        "percent": progress["percent"],
        "created": member_import.created_count,
        "updated": member_import.updated_count,
        "error_count": len(member_import.errors or []),
    }


class ImportDetailView(ImportersOnlyMixin, ImportObjectMixin, MembersAdminMixin, TemplateView):
    """The dry run's figures and errors before the import; its progress while
    it runs (the page reloads itself); what it did, or why it failed, after."""

    template_name = "members/admin/import_detail.html"

    def get_page_title(self):
        return f"Import of {self.member_import.file_name}"

    def extra_breadcrumbs(self):
        return [{"url": reverse("members_admin:imports"), "label": "Imports"}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        member_import = self.member_import
        errors = member_import.errors or []
        general = [e for e in errors if not e.get("line")]
        row_errors = [e for e in errors if e.get("line")]
        options = member_import.options or {}
        context.update(
            member_import=member_import,
            status=import_status(member_import),
            summary=options.get("summary", {}),
            options=options,
            stage_label=dict(Stage.choices).get(options.get("default_stage"), ""),
            general_errors=general,
            row_errors=row_errors[:ERRORS_LISTED],
            row_error_count=len(row_errors),
            can_run=member_import.status == ImportStatus.PREVIEWED and not errors,
            running=member_import.status in (ImportStatus.QUEUED, ImportStatus.RUNNING),
        )
        return context


class ImportRunView(ImportersOnlyMixin, ImportObjectMixin, View):
    http_method_names = ["post"]

    @cached_property
    def site(self):
        return request_site(self.request)

    def post(self, request, pk):
        member_import = self.member_import
        back = reverse("members_admin:import", args=[member_import.pk])
        if member_import.errors:
            messages.error(
                request, "This file has errors, so none of it can be imported. Fix them and upload it again."
            )
        elif not imports.start(member_import, request.user):
            state = member_import.get_status_display().lower()
            messages.error(request, f"This import was already {state}; it runs only once.")
        else:
            messages.success(
                request, f"Importing {member_import.file_name}: this page shows how far it has got."
            )
        return redirect(back)


class ImportStatusView(ImportersOnlyMixin, ImportObjectMixin, View):
    """The import's progress as JSON, for scripts and the status page."""

    http_method_names = ["get"]

    @cached_property
    def site(self):
        return request_site(self.request)

    def get(self, request, pk):
        return JsonResponse(import_status(self.member_import))


# --- settings ----------------------------------------------------------------------------------


class SettingsForm(forms.Form):
    signup_heading = forms.CharField(label="Signup heading", max_length=120)
    signup_intro = forms.CharField(
        label="Signup introduction", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    footer_form = forms.BooleanField(label="Show the signup form in every page's footer", required=False)

    def __init__(self, *args, channels, business, **kwargs):
        super().__init__(*args, **kwargs)
        self.channel_keys = list(channels)
        for key, channel in channels.items():
            default = channel.wording.replace("{business}", business)
            self.fields[f"wording_{key}"] = forms.CharField(
                label=f"Consent wording: {channel.label}",
                required=False,
                max_length=WORDING_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 2, "placeholder": default}),
                help_text=f"What people see beside this choice, and what their consent record keeps. "
                f"Leave empty for the default: “{default}”",
            )

    def to_settings(self) -> MemberSettings:
        data = self.cleaned_data
        given = {key: data[f"wording_{key}"].strip() for key in self.channel_keys}
        wording = {key: text for key, text in given.items() if text}
        return MemberSettings(
            signup_heading=data["signup_heading"].strip(),
            signup_intro=data["signup_intro"].strip(),
            footer_form=data["footer_form"],
            wording=wording,
        )


class SettingsView(MembersAdminMixin, FormView):
    page_title = "Members settings"
    template_name = "members/admin/settings.html"
    form_class = SettingsForm

    def dispatch(self, request, *args, **kwargs):
        if not can_configure(request.user):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "channels": channels_for(self.site),
            "business": business_name(self.site),
        }

    def get_initial(self):
        current = settings_for(self.site)
        initial = {
            "signup_heading": current.signup_heading,
            "signup_intro": current.signup_intro,
            "footer_form": current.footer_form,
        }
        initial.update({f"wording_{key}": text for key, text in (current.wording or {}).items()})
        return initial

    def form_valid(self, form):
        save_settings(self.site, form.to_settings(), self.request.user)
        pagecache.purge()  # the signup texts are on pages
        messages.success(self.request, f"Members settings saved for {site_label(self.site)}.")
        return redirect("members_admin:settings")

    def form_invalid(self, form):
        messages.error(self.request, "The settings were not saved: correct the errors below.")
        return super().form_invalid(form)
