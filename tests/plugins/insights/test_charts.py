from datetime import date
from xml.etree import ElementTree

import pytest

from plugins.insights.charts import Figure, ShapeError, format_duration, section_from
from plugins.insights.period import Period

NOVEMBER = Period.between(date(2026, 11, 1), date(2026, 11, 30))
HOSTILE = '<script>alert("x")</script>'


def section(*charts, **extra):
    return {"key": "test", "title": "Test", "charts": list(charts), **extra}


def test_timeseries_fills_empty_days_and_ignores_days_outside_the_period():
    chart = section_from(section({
        "key": "joins", "title": "Joins", "kind": "timeseries", "columns": ["A", "B"],
        "rows": [[date(2026, 11, 3), 2, 1], ["2026-11-03", 1, 0], [date(2026, 10, 31), 50, 50]],
    }), NOVEMBER).charts[0]
    assert len(chart.rows) == 30
    assert chart.columns == ["Day", "A", "B"]
    assert chart.rows[0] == [date(2026, 11, 1), 0, 0]
    assert chart.rows[2] == [date(2026, 11, 3), 3, 1]
    assert sum(row[1] for row in chart.rows) == 3


def test_cumulative_timeseries_are_running_totals_from_the_earlier_total():
    chart = section_from(section({
        "key": "growth", "title": "Growth", "kind": "timeseries", "columns": ["Members"],
        "rows": [[date(2026, 11, 2), 5], [date(2026, 11, 30), 1]], "cumulative_from": [100],
    }), NOVEMBER).charts[0]
    assert chart.cumulative
    assert [row[1] for row in chart.rows[:3]] == [100, 105, 105]
    assert chart.rows[-1][1] == 106


def test_long_periods_sum_days_into_weeks():
    period = Period.between(date(2026, 1, 1), date(2026, 12, 31))
    chart = section_from(section({
        "key": "per-day", "title": "Per day", "kind": "timeseries", "columns": ["Comments"],
        # Tuesday and Sunday of the week starting Monday 30 November.
        "rows": [[date(2026, 12, 1), 2], [date(2026, 12, 6), 3]],
    }), period).charts[0]
    assert chart.columns[0] == "Week of"
    assert [date(2026, 11, 30), 5] in chart.rows
    assert sum(row[1] for row in chart.rows) == 5


def test_bars_with_shares_add_a_share_column_to_table_and_csv():
    chart = section_from(section({
        "key": "channels", "title": "Channels", "kind": "bars", "columns": ["Channel", "Members"],
        "rows": [["Email", 3], ["SMS", 1]], "percent": True,
    }), NOVEMBER).charts[0]
    assert chart.table_columns() == ["Channel", "Members", "Share"]
    assert chart.table_rows() == [["Email", "3", "75 %"], ["SMS", "1", "25 %"]]
    assert chart.csv_rows() == [["Email", "3", "0.7500"], ["SMS", "1", "0.2500"]]


def test_svg_is_well_formed_and_escapes_labels():
    data = section(
        {"key": "b", "title": HOSTILE, "kind": "bars", "columns": ["Topic", "Members"], "rows": [[HOSTILE, 4]]},
        {"key": "t", "title": "T", "kind": "timeseries", "columns": [HOSTILE], "rows": [[date(2026, 11, 5), 2]]},
        {"key": "c", "title": "C", "kind": "timeseries", "columns": ["X"], "rows": [], "cumulative_from": [3]},
    )
    for chart in section_from(data, NOVEMBER).charts:
        svg = str(chart.svg())
        assert "<script>" not in svg
        root = ElementTree.fromstring(svg)
        assert root.get("role") == "img"
        assert root.find("{http://www.w3.org/2000/svg}title") is not None


def test_table_links_become_link_cells():
    chart = section_from(section({
        "key": "updates", "title": "Updates", "kind": "table", "columns": ["Update", "Sent"],
        "rows": [[{"text": "Winter menu", "url": "/admin/syndication/1/"}, 12]],
    }), NOVEMBER).charts[0]
    link = chart.rows[0][0]
    assert (link.text, link.url) == ("Winter menu", "/admin/syndication/1/")
    assert chart.csv_rows() == [["Winter menu", "12"]]


@pytest.mark.parametrize("bad, message", [
    ({"key": "x", "title": "X", "kind": "pie", "columns": ["A"]}, "unknown chart kind"),
    ({"key": "x", "title": "X", "kind": "bars", "columns": ["A", "B"], "rows": [["a"]]}, "bars row"),
    ({"key": "x", "title": "X", "kind": "table", "columns": ["A", "B"], "rows": [["a"]]}, "1 cells for 2 columns"),
    ({"key": "x", "title": "X", "kind": "timeseries", "columns": ["A"], "rows": [[date(2026, 11, 2), 1, 2]]},
     "2 values for 1 series"),
    ({"title": "X", "kind": "table", "columns": []}, "KeyError"),
])
def test_malformed_charts_are_refused(bad, message):
    with pytest.raises(ShapeError, match=message):
        section_from(section(bad), NOVEMBER)


def test_figures_format_their_units():
    assert Figure("a", 0.625, "percent").display == "62 %"
    assert Figure("b", 12345, "count").display == "12,345"
    assert Figure("c", None, "seconds").display == "–"
    assert Figure("d", 3 * 3600 + 20 * 60, "seconds").display == "3 h 20 min"
    assert format_duration(30) == "under a minute"
    assert format_duration(2 * 86400 + 3600) == "2 d 1 h"
    with pytest.raises(ShapeError, match="not a number"):
        section_from({"key": "x", "title": "X", "figures": [{"label": "n", "value": "12"}]}, NOVEMBER)
