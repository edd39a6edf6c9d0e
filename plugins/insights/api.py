"""The dashboard's figures as JSON, mounted at /api/v1/insights/ (404 while
the plugin is inactive on the request's site: the gate answers first).

- ``GET ?site=&period=&start=&end=``: the same sections, figures and charts
  as the admin's dashboard, for a front end of the business's own. The query
  is the dashboard form's: ``period`` is 7, 30, 90, 365 or "custom" with
  ``start`` and ``end`` (YYYY-MM-DD).

Needs ``insights.view_insights``: ``Authorization: Token <key>`` of a user
who has it, or their admin session. A bad query is a 400 with
``{"detail": message, "field": name or null}``.
"""
from __future__ import annotations

from datetime import date

from django.core.exceptions import NON_FIELD_ERRORS
from django.urls import path, reverse
from django.utils.http import urlencode
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from api.auth import BearerOrTokenAuthentication
from api.openapi import ErrorDetailSerializer
from hearthside.extending.activation import is_active
from hearthside.shortcuts import request_site

from . import dashboard
from .admin_views import LABEL, can_view_insights
from .charts import Chart, Link, Section
from .forms import PeriodForm
from .serializers import DashboardSerializer, InsightsErrorSerializer

TAG = "insights"


class MaySeeInsights(BasePermission):
    message = "Seeing insights takes the “Can see the Insights dashboard” permission."

    def has_permission(self, request, view):
        return can_view_insights(request.user)


def _cell(value):
    if isinstance(value, Link):
        return {"text": value.text, "url": value.url}
    if isinstance(value, date):
        return value.isoformat()
    return value


def _chart(section: Section, chart: Chart, query: dict) -> dict:
    return {
        "key": chart.key,
        "title": chart.title,
        "kind": chart.kind,
        "description": chart.description,
        "cumulative": chart.cumulative,
        "percent": chart.percent,
        "columns": chart.columns,
        "rows": [[_cell(value) for value in row] for row in chart.rows],
        "csv_url": reverse("insights_admin:dashboard") + "?" + urlencode({**query, "csv": f"{section.key}.{chart.key}"}),
    }


class DashboardView(APIView):
    authentication_classes = [BearerOrTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated, MaySeeInsights]

    @extend_schema(
        operation_id="insights_dashboard",
        summary="The Insights dashboard's figures",
        description=(
            "Every active plugin's section for one site and period: figures, and charts as rows of data "
            "(timeseries rows are days, or weeks for periods over 92 days)."
        ),
        parameters=[
            OpenApiParameter("site", OpenApiTypes.INT, description="A site's id; the request's site by default."),
            OpenApiParameter("period", OpenApiTypes.STR, enum=["7", "30", "90", "365", "custom"]),
            OpenApiParameter("start", OpenApiTypes.DATE, description="With period=custom."),
            OpenApiParameter("end", OpenApiTypes.DATE, description="With period=custom."),
        ],
        responses={
            200: DashboardSerializer,
            400: InsightsErrorSerializer,
            401: OpenApiResponse(ErrorDetailSerializer, description="No credentials, or a bad token."),
            403: OpenApiResponse(ErrorDetailSerializer, description=MaySeeInsights.message),
        },
        tags=[TAG],
    )
    def get(self, request):
        form = PeriodForm(request.query_params or None, default_site=request_site(request))
        if form.is_bound and not form.is_valid():
            name, messages = next(iter(form.errors.items()))
            field = None if name == NON_FIELD_ERRORS else name
            detail = messages[0] if field is None else f"{field}: {messages[0]}"
            return Response({"detail": detail, "field": field}, status=400)
        site, period = form.chosen_site, form.chosen_period
        query = {key: value for key, value in request.query_params.items() if key in form.fields}
        sections = []
        if is_active(site, LABEL):
            sections = dashboard.sections(site, period)
            pages = dashboard.pages_section(site, period)
            if pages is not None:
                sections.append(pages)
        data = {
            "site": site.pk,
            "period": {"first_day": period.first_day, "last_day": period.last_day, "weekly": period.weekly},
            "sections": [
                {
                    "key": section.key,
                    "title": section.title,
                    "description": section.description,
                    "figures": [
                        {"label": f.label, "value": f.value, "unit": f.unit, "display": f.display, "note": f.note}
                        for f in section.figures
                    ],
                    "charts": [_chart(section, chart, query) for chart in section.charts],
                }
                for section in sections
            ],
        }
        return Response(DashboardSerializer(data).data)


urlpatterns = [path("", DashboardView.as_view(), name="dashboard")]
