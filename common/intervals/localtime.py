"""Meter-local time: ESPI LocalTimeParameters decoded into a real ``tzinfo``, and zone labels.

Interval instants are always stored in UTC; the meter's zone is kept beside them as a *label* so that
local days, bill periods (which are local dates) and DST days can be recomputed exactly later:

- an IANA name (``America/Los_Angeles``) when the file's offset and DST rules are the current North
  American ones for a well-known zone, or when a CSV layout or an account default names one;
- ``UTC±HH:MM`` for a fixed offset without DST;
- ``ESPI:<tzOffset>:<dstOffset>:<dstStartRule>:<dstEndRule>`` for any other ESPI rule set, which
  :func:`zone_from_label` turns back into an :class:`EspiZone`.

ESPI DST rules are 32-bit maps (NAESB REQ.21): bits 0-11 seconds, 12-16 hour, 17-19 day of week
(1 = Monday … 7 = Sunday), 20-24 day of month, 25-27 operator, 28-31 month; ``FFFFFFFF`` = no DST.
Operators: 0 the day of the month; 1 the day of week on or after the day of the month; 2-6 the first
to fifth such weekday of the month; 7 the last. Rule times are local wall-clock times (start in
standard time, end in daylight time).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

NO_DST_RULE = 0xFFFFFFFF
US_DST_START, US_DST_END = 0x360E2000, 0xB40E2000  # 2nd Sunday of March / 1st Sunday of November, 02:00
# Standard offsets whose US-rule zone is unambiguous enough to name; without DST, the zones that skip it.
US_ZONES_WITH_DST = {
    -18000: "America/New_York",
    -21600: "America/Chicago",
    -25200: "America/Denver",
    -28800: "America/Los_Angeles",
    -32400: "America/Anchorage",
}
ZONES_WITHOUT_DST = {-25200: "America/Phoenix", -36000: "Pacific/Honolulu", 0: "UTC"}


@dataclass(frozen=True)
class DstRule:
    month: int
    day_of_month: int
    day_of_week: int  # 1 = Monday … 7 = Sunday, 0 = not applicable
    operator: int
    seconds: int  # seconds after local midnight

    @classmethod
    def decode(cls, value: int) -> DstRule:
        rule = cls(
            month=(value >> 28) & 0xF,
            day_of_month=(value >> 20) & 0x1F,
            day_of_week=(value >> 17) & 0x7,
            operator=(value >> 25) & 0x7,
            seconds=((value >> 12) & 0x1F) * 3600 + (value & 0xFFF),
        )
        if not 1 <= rule.month <= 12 or (rule.operator != 0 and not 1 <= rule.day_of_week <= 7):
            raise ValueError(f"not an ESPI DST rule: {value:08X}")
        return rule

    def local_moment(self, year: int) -> datetime:
        """The naive local wall-clock moment this rule names in ``year``."""
        days_in_month = calendar.monthrange(year, self.month)[1]
        if self.operator == 0:
            day = self.day_of_month
        else:
            weekday = self.day_of_week - 1  # Python: Monday = 0
            first = date(year, self.month, 1)
            first_match = 1 + (weekday - first.weekday()) % 7
            if self.operator == 1:
                anchor = date(year, self.month, max(self.day_of_month, 1))
                day = anchor.day + (weekday - anchor.weekday()) % 7
            elif self.operator == 7:
                day = first_match + 7 * ((days_in_month - first_match) // 7)
            else:
                day = first_match + 7 * (self.operator - 2)
        if not 1 <= day <= days_in_month:
            raise ValueError(f"DST rule names day {day} of {year}-{self.month:02d}")
        return datetime(year, self.month, day) + timedelta(seconds=self.seconds)


class EspiZone(tzinfo):
    """A standard offset plus DST rules, with PEP 495 ``fold`` for the repeated hour."""

    def __init__(self, tz_offset: int, dst_offset: int, start: DstRule | None, end: DstRule | None) -> None:
        self.std = timedelta(seconds=tz_offset)
        self.dst_delta = timedelta(seconds=dst_offset if start and end else 0)
        self.start, self.end = start, end

    def _wall_transitions(self, year: int) -> tuple[datetime, datetime] | None:
        if not self.start or not self.end or not self.dst_delta:
            return None
        return self.start.local_moment(year), self.end.local_moment(year)

    def _in_dst_wall(self, wall: datetime, fold: int) -> bool:
        moments = self._wall_transitions(wall.year)
        if moments is None:
            return False
        begin, finish = moments
        delta = self.dst_delta
        # The skipped hour follows PEP 495 (fold 0 = the offset before it); the repeated hour is
        # daylight time on fold 0 and standard time on fold 1.
        if begin <= wall < begin + delta:
            return fold == 1
        if finish - delta <= wall < finish:
            return fold == 0
        if begin <= finish:
            return begin + delta <= wall < finish - delta
        return wall >= begin + delta or wall < finish - delta  # southern hemisphere: DST spans new year

    def utcoffset(self, dt: datetime | None) -> timedelta:
        if dt is None:
            return self.std
        return self.std + (self.dst_delta if self._in_dst_wall(dt.replace(tzinfo=None), dt.fold) else timedelta(0))

    def dst(self, dt: datetime | None) -> timedelta:
        return self.utcoffset(dt) - self.std if dt is not None else timedelta(0)

    def tzname(self, dt: datetime | None) -> str:
        return fixed_label(int(self.utcoffset(dt).total_seconds()))

    def fromutc(self, dt: datetime) -> datetime:
        naive = dt.replace(tzinfo=None)
        standard = naive + self.std
        moments = self._wall_transitions(standard.year)
        if moments is None:
            return standard.replace(tzinfo=self)
        begin, finish = moments
        begin_utc = begin - self.std
        finish_utc = finish - self.std - self.dst_delta
        in_dst = begin_utc <= naive < finish_utc if begin <= finish else not finish_utc <= naive < begin_utc
        if not in_dst:
            # The hour after daylight time ends repeats wall times already seen: fold 1.
            fold = 1 if finish_utc <= naive < finish_utc + self.dst_delta else 0
            return standard.replace(tzinfo=self, fold=fold)
        return (standard + self.dst_delta).replace(tzinfo=self)


def fixed_label(offset_seconds: int) -> str:
    sign = "-" if offset_seconds < 0 else "+"
    hours, rest = divmod(abs(offset_seconds), 3600)
    return f"UTC{sign}{hours:02d}:{rest // 60:02d}"


def espi_zone_label(tz_offset: int, dst_offset: int, start_rule: int | None, end_rule: int | None) -> str:
    """The label of an ESPI LocalTimeParameters set (see the module docstring)."""
    no_dst = not dst_offset or start_rule in (None, NO_DST_RULE) or end_rule in (None, NO_DST_RULE)
    if no_dst:
        return ZONES_WITHOUT_DST.get(tz_offset) or fixed_label(tz_offset)
    if (start_rule, end_rule, dst_offset) == (US_DST_START, US_DST_END, 3600) and tz_offset in US_ZONES_WITH_DST:
        return US_ZONES_WITH_DST[tz_offset]
    return f"ESPI:{tz_offset}:{dst_offset}:{start_rule:08X}:{end_rule:08X}"


@lru_cache(maxsize=256)
def zone_from_label(label: str | None) -> tzinfo | None:
    """Turn a stored zone label back into a tzinfo; None for no or an unreadable label."""
    if not label:
        return None
    if label.startswith("ESPI:"):
        _, tz_offset, dst_offset, start, end = label.split(":")
        return EspiZone(int(tz_offset), int(dst_offset), DstRule.decode(int(start, 16)), DstRule.decode(int(end, 16)))
    if label.startswith("UTC") and len(label) == 9:
        sign = -1 if label[3] == "-" else 1
        return timezone(sign * timedelta(hours=int(label[4:6]), minutes=int(label[7:9])))
    try:
        return ZoneInfo(label)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def local_day_bounds(day: date, zone: tzinfo) -> tuple[int, int]:
    """UTC epoch seconds of a local day's first instant and of the next day's: 23, 24 or 25 hours apart."""
    start = datetime(day.year, day.month, day.day, tzinfo=zone)
    after = start.replace(tzinfo=None) + timedelta(days=1)
    end = after.replace(tzinfo=zone)
    return int(start.astimezone(UTC).timestamp()), int(end.astimezone(UTC).timestamp())
