"""The Insights dashboard in the Wagtail admin (``/admin/insights/``,
namespace ``insights_admin``) and its panel on the admin home.

Seeing either takes ``insights.view_insights`` (Editors and Moderators have
it). The dashboard shows one site and one period, chosen in its form; a bad
choice is explained above the form and the dashboard falls back to the last
30 days of the admin's own site. Each chart downloads as CSV from the same
URL with ``?csv=<section>.<chart>``.
"""
from __future__ import annotations

import csv

from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.text import slugify
from django.views.generic import TemplateView
from wagtail.admin.auth import permission_denied
from wagtail.admin.ui.components import Component

from hearthside.admin_views import SiteScreenMixin
from hearthside.extending.activation import is_active
from hearthside.shortcuts import csv_safe, request_site, site_label

from . import dashboard
from .forms import PeriodForm
from .period import DEFAULT_DAYS, Period

VIEW_PERMISSION = "insights.view_insights"
LABEL = "insights"


def can_view_insights(user) -> bool:
    return user.is_active and user.has_perm(VIEW_PERMISSION)


class DashboardView(SiteScreenMixin, TemplateView):
    template_name = "insights/dashboard.html"
    page_title = "Insights"
    header_icon = "view"
    breadcrumb_root = ("insights_admin:dashboard", "Insights")

    def dispatch(self, request, *args, **kwargs):
        if not can_view_insights(request.user):
            return permission_denied(request)
        self.form = PeriodForm(request.GET or None, default_site=request_site(request))
        self.chosen_site = self.form.chosen_site
        self.period = self.form.chosen_period
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [{"url": reverse("wagtailadmin_home"), "label": "Home"}, {"url": "", "label": self.page_title}]

    def get_page_subtitle(self):
        return f"{site_label(self.chosen_site)}, {self.period.describe()}"

    def get(self, request, *args, **kwargs):
        if "csv" in request.GET:
            return self.csv_download(request.GET["csv"])
        return super().get(request, *args, **kwargs)

    def csv_download(self, wanted: str):
        section_key, _, chart_key = wanted.partition(".")
        chart = dashboard.find_chart(self.chosen_site, self.period, section_key, chart_key) if self.active else None
        if chart is None:
            raise Http404("There is no such chart on this dashboard.")
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        name = slugify(f"{site_label(self.chosen_site)} {chart.title} {self.period.first_day} {self.period.last_day}")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        writer = csv.writer(response)
        writer.writerow(chart.table_columns())
        for row in chart.csv_rows():
            writer.writerow([csv_safe(cell) for cell in row])
        return response

    @property
    def active(self) -> bool:
        return is_active(self.chosen_site, LABEL)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sections = []
        if self.active:
            sections = dashboard.sections(self.chosen_site, self.period)
            pages = dashboard.pages_section(self.chosen_site, self.period)
            if pages is not None:
                sections.append(pages)
        query = self.request.GET.copy()
        query.pop("csv", None)
        context.update(
            form=self.form,
            chosen_site=self.chosen_site,
            period=self.period,
            insights_active=self.active,
            sections=sections,
            query=query.urlencode(),
            subtitle=self.get_page_subtitle(),
        )
        return context


class SummaryPanel(Component):
    """The admin home's panel: each section's figures for the last 30 days."""

    name = "insights"
    order = 90
    template_name = "insights/summary_panel.html"

    def __init__(self, site):
        self.site = site

    def get_context_data(self, parent_context):
        period = Period.last(DEFAULT_DAYS)
        sections = [section for section in dashboard.sections(self.site, period, summary=True) if section.figures]
        return {"sections": sections, "period": period, "dashboard_url": reverse("insights_admin:dashboard")}
