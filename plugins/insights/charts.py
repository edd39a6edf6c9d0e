"""What receivers of the insights hooks return, checked and shaped for
drawing: sections of figures and charts, each chart drawn as SVG on the
server (readable without JavaScript), with the same numbers as a table and
as CSV.

Receivers hand over plain data (see :mod:`.hooks`). A section that does not
follow the shape is left out and logged, so one plugin's mistake never takes
the dashboard down.
"""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from datetime import date

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from .period import Period

logger = logging.getLogger(__name__)

KINDS = ("timeseries", "bars", "table")
UNITS = ("count", "percent", "seconds")
# Colours that stay apart for the common kinds of colour blindness (Okabe–Ito).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
WIDTH = 720
LABEL_CHARACTERS = 30


class ShapeError(ValueError):
    """What a receiver returned does not follow the shapes in hooks.py."""


def format_duration(seconds: float) -> str:
    """3725 -> "1 h 2 min"; under a minute -> "under a minute"."""
    minutes = int(seconds // 60)
    if minutes < 1:
        return "under a minute"
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"


def format_number(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


@dataclass
class Figure:
    label: str
    value: int | float | None
    unit: str = "count"
    note: str = ""

    @property
    def display(self) -> str:
        if self.value is None:
            return "–"
        if self.unit == "percent":
            return f"{self.value * 100:.0f} %"
        if self.unit == "seconds":
            return format_duration(self.value)
        return format_number(self.value)


@dataclass
class Link:
    text: str
    url: str

    def __str__(self):
        return self.text


@dataclass
class Chart:
    key: str
    title: str
    kind: str
    columns: list[str]
    rows: list[list]
    description: str = ""
    percent: bool = False
    cumulative: bool = False
    section_key: str = ""

    @property
    def anchor(self) -> str:
        return f"{self.section_key}-{self.key}"

    @property
    def is_empty(self) -> bool:
        if self.kind == "timeseries":
            return not any(any(row[1:]) for row in self.rows) and not self.cumulative
        return not self.rows

    # The table and CSV ------------------------------------------------------------------------

    def table_columns(self) -> list[str]:
        return [*self.columns, "Share"] if self.percent else list(self.columns)

    def table_rows(self) -> list[list]:
        """Rows as the table shows them (numbers formatted, shares added)."""
        if self.kind == "bars" and self.percent:
            total = sum(row[1] for row in self.rows) or 1
            return [[row[0], format_number(row[1]), f"{row[1] / total * 100:.0f} %"] for row in self.rows]
        return [[_cell(value) for value in row] for row in self.rows]

    def csv_rows(self) -> list[list]:
        rows = []
        total = (sum(row[1] for row in self.rows) or 1) if self.percent else 1
        for row in self.rows:
            values = [value.isoformat() if isinstance(value, date) else _plain(value) for value in row]
            if self.percent:
                values.append(f"{row[1] / total:.4f}")
            rows.append(values)
        return rows

    # The picture ------------------------------------------------------------------------------

    def svg(self) -> SafeString:
        if self.kind == "timeseries":
            return _timeseries_svg(self)
        if self.kind == "bars":
            return _bars_svg(self)
        return mark_safe("")


@dataclass
class Section:
    key: str
    title: str
    order: int = 100
    description: str = ""
    figures: list[Figure] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)

    def chart(self, key: str) -> Chart | None:
        return next((chart for chart in self.charts if chart.key == key), None)


# --- from receivers' data to sections ------------------------------------------------------------


def section_from(data: dict, period: Period) -> Section:
    """A Section from what a receiver returned; ShapeError if it does not fit."""
    if not isinstance(data, dict):
        raise ShapeError(f"a section must be a dict, not {type(data).__name__}")
    try:
        section = Section(
            key=str(data["key"]),
            title=str(data["title"]),
            order=int(data.get("order", 100)),
            description=str(data.get("description", "")),
            figures=[_figure_from(figure) for figure in data.get("figures", ())],
        )
        section.charts = [_chart_from(chart, period, section.key) for chart in data.get("charts", ())]
    except (KeyError, TypeError) as error:
        raise ShapeError(f"section {data.get('key')!r}: {error!r}") from error
    return section


def _figure_from(data: dict) -> Figure:
    unit = data.get("unit", "count")
    if unit not in UNITS:
        raise ShapeError(f"unknown figure unit {unit!r}")
    value = data.get("value")
    if value is not None and not isinstance(value, (int, float)):
        raise ShapeError(f"figure {data.get('label')!r} has a value that is not a number")
    return Figure(label=str(data["label"]), value=value, unit=unit, note=str(data.get("note", "")))


def _chart_from(data: dict, period: Period, section_key: str) -> Chart:
    kind = data.get("kind")
    if kind not in KINDS:
        raise ShapeError(f"unknown chart kind {kind!r}")
    chart = Chart(
        key=str(data["key"]),
        title=str(data["title"]),
        kind=kind,
        columns=[str(column) for column in data["columns"]],
        rows=[list(row) for row in data.get("rows", ())],
        description=str(data.get("description", "")),
        percent=bool(data.get("percent")) and kind == "bars",
        section_key=section_key,
    )
    if kind == "timeseries":
        chart.cumulative = "cumulative_from" in data
        chart.rows = _bucketed(chart.columns, chart.rows, period, data.get("cumulative_from"))
        chart.columns = ["Week of" if period.weekly else "Day", *chart.columns]
    elif kind == "bars":
        for row in chart.rows:
            if len(row) != 2 or not isinstance(row[1], (int, float)):
                raise ShapeError(f"chart {chart.key!r}: a bars row is [label, number], not {row!r}")
    else:
        chart.rows = [[Link(str(cell["text"]), str(cell["url"])) if isinstance(cell, dict) else cell
                       for cell in row] for row in chart.rows]
    for row in chart.rows:
        if len(row) != len(chart.columns):
            raise ShapeError(f"chart {chart.key!r}: a row has {len(row)} cells for {len(chart.columns)} columns")
    return chart


def _bucketed(series: list[str], rows: list[list], period: Period, cumulative_from) -> list[list]:
    """One row per day (or week) of the period, the empty ones as zeros,
    running totals when the chart is cumulative."""
    width = len(series)
    totals = {bucket: [0] * width for bucket in period.buckets()}
    for row in rows:
        day, values = row[0], row[1:]
        if len(values) != width:
            raise ShapeError(f"a timeseries row has {len(values)} values for {width} series")
        if isinstance(day, str):
            day = date.fromisoformat(day)
        if not period.first_day <= day <= period.last_day:
            continue
        bucket = totals[period.bucket_of(day)]
        for index, value in enumerate(values):
            bucket[index] += value or 0
    if cumulative_from is None:
        return [[bucket, *values] for bucket, values in totals.items()]
    if len(cumulative_from) != width:
        raise ShapeError("cumulative_from needs one value per series")
    running = [value or 0 for value in cumulative_from]
    result = []
    for bucket, values in totals.items():
        running = [total + value for total, value in zip(running, values)]
        result.append([bucket, *running])
    return result


def _cell(value):
    if isinstance(value, date):
        return f"{value:%-d %b %Y}"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_number(value)
    return value if value is not None else "–"


def _plain(value):
    if value is None:
        return ""
    return str(value)


# --- SVG -----------------------------------------------------------------------------------------


def _nice_ceiling(value: float) -> float:
    """The axis top: 1, 2 or 5 times a power of ten, at least ``value``."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def _n(number: float) -> str:
    return f"{number:.1f}"


def _short(label) -> str:
    text = str(label)
    return text if len(text) <= LABEL_CHARACTERS else text[: LABEL_CHARACTERS - 1] + "…"


def _open_svg(chart: Chart, height: int) -> str:
    title_id = f"chart-{chart.anchor}-title"
    return format_html(
        '<svg class="insights-chart" viewBox="0 0 {} {}" width="100%" role="img" aria-labelledby="{}" '
        'xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" font-size="12">'
        '<title id="{}">{}</title>',
        WIDTH, height, title_id, title_id,
        f"{chart.title}. {chart.description} The table below holds the same figures.".replace("  ", " "),
    )


def _legend(chart: Chart, series: list[str], y: int) -> list[str]:
    parts, x = [], 48
    for index, name in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        parts.append(format_html('<rect x="{}" y="{}" width="12" height="12" fill="{}"/>', x, y, colour))
        parts.append(format_html('<text x="{}" y="{}">{}</text>', x + 16, y + 10, _short(name)))
        x += 28 + 7 * min(len(str(name)), LABEL_CHARACTERS)
    return parts


def _timeseries_svg(chart: Chart) -> SafeString:
    series = chart.columns[1:]
    rows = chart.rows
    left, right, top, plot_height = 56, 12, 12, 170
    plot_width = WIDTH - left - right
    legend_y = top + plot_height + 34
    height = legend_y + 22
    if chart.cumulative:
        peak = max((max(row[1:]) for row in rows), default=0)
    else:
        peak = max((sum(row[1:]) for row in rows), default=0)
    ceiling = _nice_ceiling(peak)
    slot = plot_width / max(len(rows), 1)

    def y_of(value):
        return top + plot_height - value / ceiling * plot_height

    parts = [_open_svg(chart, height)]
    for fraction in (0, 0.5, 1):
        y = y_of(ceiling * fraction)
        parts.append(format_html(
            '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#ccc"/>'
            '<text x="{}" y="{}" text-anchor="end">{}</text>',
            left, WIDTH - right, _n(y), _n(y), left - 6, _n(y + 4), format_number(ceiling * fraction),
        ))
    if chart.cumulative:
        for index in range(len(series)):
            points = " ".join(
                f"{left + slot * (position + 0.5):.1f},{y_of(row[index + 1]):.1f}" for position, row in enumerate(rows)
            )
            parts.append(format_html(
                '<polyline fill="none" stroke="{}" stroke-width="2" points="{}"/>',
                PALETTE[index % len(PALETTE)], points,
            ))
    else:
        bar_width = max(slot * 0.8, 1)
        for position, row in enumerate(rows):
            base = 0
            for index, value in enumerate(row[1:]):
                if value:
                    parts.append(format_html(
                        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}">'
                        "<title>{}: {} {}</title></rect>",
                        _n(left + slot * position + (slot - bar_width) / 2), _n(y_of(base + value)), _n(bar_width),
                        _n(value / ceiling * plot_height), PALETTE[index % len(PALETTE)],
                        _cell(row[0]), format_number(value), series[index],
                    ))
                base += value
    if rows:
        for position in sorted({0, len(rows) // 2, len(rows) - 1}):
            parts.append(format_html(
                '<text x="{}" y="{}" text-anchor="middle">{}</text>',
                _n(left + slot * (position + 0.5)), top + plot_height + 18, f"{rows[position][0]:%-d %b}",
            ))
    parts.extend(_legend(chart, series, legend_y))
    parts.append("</svg>")
    return mark_safe("".join(parts))


def _bars_svg(chart: Chart) -> SafeString:
    row_height, label_width, top = 26, 220, 4
    height = top + row_height * max(len(chart.rows), 1) + 4
    plot_width = WIDTH - label_width - 90
    total = sum(row[1] for row in chart.rows) or 1
    ceiling = max((row[1] for row in chart.rows), default=0) or 1
    parts = [_open_svg(chart, height)]
    for position, (label, value) in enumerate(chart.rows):
        y = top + position * row_height
        width = value / ceiling * plot_width
        shown = f"{format_number(value)} ({value / total * 100:.0f} %)" if chart.percent else format_number(value)
        parts.append(format_html(
            '<text x="{}" y="{}" text-anchor="end"><title>{}</title>{}</text>'
            '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
            '<text x="{}" y="{}">{}</text>',
            label_width - 8, y + 16, label, _short(label),
            label_width, y + 4, _n(width), row_height - 8, PALETTE[0],
            _n(label_width + width + 6), y + 16, shown,
        ))
    parts.append("</svg>")
    return mark_safe("".join(parts))
