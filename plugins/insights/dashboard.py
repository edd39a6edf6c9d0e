"""The dashboard's content: every active plugin's section, asked through
the insights hooks, plus the table of pages that drove the community, which
joins the plugins' page counts."""
from __future__ import annotations

import logging

from django.urls import reverse
from wagtail.models import Page

from . import hooks
from .charts import Chart, Link, Section, ShapeError, section_from
from .period import Period

logger = logging.getLogger(__name__)

PAGES_LISTED = 10
PAGES_SECTION = "pages"


def sections(site, period: Period, *, summary: bool = False) -> list[Section]:
    """The sections of the plugins active on ``site``, in their order (the
    pages table is :func:`pages_section`)."""
    argument = period.as_hook_argument()
    found = []
    for receiver, data in hooks.insights_sections.send(site, period=argument, summary=summary):
        if data is None:
            continue
        try:
            found.append(section_from(data, period))
        except ShapeError:
            logger.exception("Insights: %s returned a section that cannot be drawn", receiver.name)
    found.sort(key=lambda section: (section.order, section.title))
    return found


def pages_section(site, period: Period) -> Section | None:
    argument = period.as_hook_argument()
    activities = []
    for receiver, data in hooks.page_activity.send(site, period=argument, limit=PAGES_LISTED):
        if not data:
            continue
        try:
            activities.append((str(data["key"]), str(data["label"]), {int(page): int(n) for page, n in data["counts"]}))
        except (KeyError, TypeError, ValueError):
            logger.exception("Insights: %s returned page activity that cannot be read", receiver.name)
    if not activities:
        return None
    totals: dict[int, int] = {}
    for _, _, counts in activities:
        for page_id, count in counts.items():
            totals[page_id] = totals.get(page_id, 0) + count
    ranked = sorted(totals, key=lambda page_id: (-totals[page_id], page_id))[:PAGES_LISTED]
    pages = {page.pk: page for page in Page.objects.filter(pk__in=ranked).only("id", "title", "url_path")}
    rows = []
    for page_id in ranked:
        page = pages.get(page_id)
        title = Link(page.title, reverse("wagtailadmin_pages:edit", args=[page.pk])) if page else "A deleted page"
        rows.append([title, *(counts.get(page_id, 0) for _, _, counts in activities)])
    chart = Chart(
        key="top",
        title="Pages that drove the community",
        kind="table",
        columns=["Page", *(label for _, label, _ in activities)],
        rows=rows,
        description="The pages with the most activity in the period, all kinds counted together.",
        section_key=PAGES_SECTION,
    )
    return Section(key=PAGES_SECTION, title="Pages", order=1000, charts=[chart])


def find_chart(site, period: Period, section_key: str, chart_key: str) -> Chart | None:
    if section_key == PAGES_SECTION:
        section = pages_section(site, period)
        return section.chart(chart_key) if section else None
    for section in sections(site, period):
        if section.key == section_key:
            return section.chart(chart_key)
    return None
