"""The period a dashboard covers, chosen in its form and handed to every
receiver of the insights hooks as a plain dict."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

PRESETS = {7: "Last 7 days", 30: "Last 30 days", 90: "Last 90 days", 365: "Last 12 months"}
DEFAULT_DAYS = 30
# Longest custom period: a few years of daily rows stays cheap to draw.
MAX_DAYS = 3 * 366
# Periods longer than this are drawn week by week.
DAILY_UP_TO = 92


class PeriodError(ValueError):
    """A period that cannot be shown, with the reason for the editor."""


@dataclass(frozen=True)
class Period:
    first_day: date
    last_day: date

    @classmethod
    def last(cls, days: int, today: date | None = None) -> Period:
        today = today or timezone.localdate()
        return cls(today - timedelta(days=days - 1), today)

    @classmethod
    def between(cls, first_day: date, last_day: date) -> Period:
        if first_day > last_day:
            raise PeriodError("The period's first day comes after its last day.")
        if (last_day - first_day).days + 1 > MAX_DAYS:
            raise PeriodError(f"A period can be at most {MAX_DAYS} days long.")
        return cls(first_day, last_day)

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def weekly(self) -> bool:
        return self.days > DAILY_UP_TO

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.first_day, time.min))

    @property
    def end(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.last_day + timedelta(days=1), time.min))

    def each_day(self) -> list[date]:
        return [self.first_day + timedelta(days=offset) for offset in range(self.days)]

    def bucket_of(self, day: date) -> date:
        """The first day of the row ``day`` is counted in: itself, or its week's Monday
        (the period's first day for a partial first week)."""
        if not self.weekly:
            return day
        return max(day - timedelta(days=day.weekday()), self.first_day)

    def buckets(self) -> list[date]:
        return list(dict.fromkeys(self.bucket_of(day) for day in self.each_day()))

    def as_hook_argument(self) -> dict:
        return {
            "start": self.start,
            "end": self.end,
            "first_day": self.first_day,
            "last_day": self.last_day,
            "timezone": timezone.get_current_timezone(),
        }

    def describe(self) -> str:
        if self.last_day == timezone.localdate() and self.days in PRESETS:
            return PRESETS[self.days]
        return f"{self.first_day:%-d %b %Y} – {self.last_day:%-d %b %Y}"
