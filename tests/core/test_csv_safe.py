import pytest

from hearthside.shortcuts import csv_safe


@pytest.mark.parametrize("value, written", [
    ("=HYPERLINK(\"http://evil\")", "'=HYPERLINK(\"http://evil\")"),
    ("+1+1", "'+1+1"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tcmd", "'\tcmd"),
    ("-1+1", "'-1+1"),
    ("-3", "-3"),  # a number: harmless, and must stay a number
    ("Priya", "Priya"),
    (12, 12),
    (None, None),
])
def test_formulas_are_defused_and_the_rest_left_alone(value, written):
    assert csv_safe(value) == written
