"""Utility CSV exports → interval columns, recognised by header fingerprint, never guessed.

Layouts (fixtures in tests/data/csv mirror each):
- ``opower``: the "Download my data" export of Opower-hosted utilities (PG&E and others): a
  name/address/account preamble, then ``TYPE,DATE,START TIME,END TIME,USAGE,UNITS,COST,NOTES``
  (COST optional), or ``IMPORT (kWh),EXPORT (kWh)`` instead of USAGE,UNITS for solar customers.
  END TIME is the last minute of the interval (``00:14`` for a 15-minute row).
- ``sdge``: ``Meter Number,Date,Start Time,Duration,Consumption,Generation,Net`` with 12-hour times
  and the duration in minutes; Generation and Net become received and net series when non-zero.
- ``sce``: a sectioned file (byte-order mark, a preamble, ``Delivered`` / ``Received`` section
  headings), rows ``"<start> to <end>",<usage>,<quality>`` with non-breaking spaces in headers and
  ranges.

Time zone: these exports print local wall-clock times without an offset. The zone is taken from the
file when it names one (a ``Time Zone`` preamble line), else the caller's account/meter default,
else the layout's home zone (America/Los_Angeles for all three: PG&E, SDG&E and SCE are Californian)
— an info audit ``zone_assumed`` then says so. A local time that occurs twice (DST fall-back) is the
first instant on its first occurrence and the second on its second; a local time that does not exist
(spring-forward) is dropped, never moved, with an audit (info for a zero placeholder, else warning).

Unknown headers raise ``RejectedInput(..., "unknown_csv_layout")`` naming the header and its
fingerprint (sha256 of the normalised header, 12 hex digits).
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
from io import StringIO

from common.errors import RejectedInput
from common.extraction.espi import SeriesStats, make_block, series_audits, series_summary
from common.intervals.localtime import zone_from_label
from common.intervals.table import COST_EXPONENT, IntervalTable, SeriesMeta, SeriesRows
from common.intervals.units import normalise
from common.models import AuditResult, Commodity, Direction, IntervalSeriesSummary, Severity

HOME_ZONE = "America/Los_Angeles"
OPOWER_REQUIRED = ("type", "date", "start time", "end time")
SDGE_HEADER = ("meter number", "date", "start time", "duration", "consumption", "generation", "net")
SCE_FIRST_CELLS = ("energy consumption time period", "energy production time period")
_SPACES = re.compile(r"\s+")


@dataclass
class CsvResult:
    layout: str
    table: IntervalTable = field(default_factory=IntervalTable)
    series: list[IntervalSeriesSummary] = field(default_factory=list)
    audits: list[AuditResult] = field(default_factory=list)


def _norm(cell: str) -> str:
    return _SPACES.sub(" ", cell.replace("\xa0", " ").replace("\ufeff", "")).strip().lower()


def fingerprint(header: list[str]) -> str:
    return hashlib.sha256(",".join(_norm(c) for c in header).encode()).hexdigest()[:12]


def _decimal(text: str, what: str) -> Decimal:
    cleaned = text.replace("$", "").replace(",", "").strip()
    negative = cleaned.startswith("(") and cleaned.endswith(")")
    try:
        value = Decimal(cleaned.strip("()"))
    except InvalidOperation:
        raise RejectedInput(f"CSV {what} is not a number: {text!r}", "invalid_csv_value") from None
    if not value.is_finite():
        raise RejectedInput(f"CSV {what} is not a finite number: {text!r}", "invalid_csv_value")
    return -value if negative else value


_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y")
_TIME_FORMATS = ("%H:%M", "%H:%M:%S", "%I:%M %p", "%I:%M:%S %p")


def _date(text: str) -> date:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise RejectedInput(f"CSV date not understood: {text!r}", "invalid_csv_value")


def _time(text: str) -> timedelta:
    cleaned = text.strip().upper()
    if cleaned in ("24:00", "24:00:00"):
        return timedelta(days=1)
    for fmt in _TIME_FORMATS:
        try:
            parsed = datetime.strptime(cleaned, fmt)
        except ValueError:
            continue
        return timedelta(hours=parsed.hour, minutes=parsed.minute, seconds=parsed.second)
    raise RejectedInput(f"CSV time not understood: {text!r}", "invalid_csv_value")


def _local_datetime(text: str) -> datetime:
    day, _, clock = text.strip().partition(" ")
    moment = datetime.combine(_date(day), datetime.min.time())
    return moment + (_time(clock) if clock.strip() else timedelta(0))


def _exponent(value: Decimal) -> int:
    """The decimal exponent of a finite value (``_decimal`` refuses the others)."""
    exponent = value.as_tuple().exponent
    return exponent if isinstance(exponent, int) else 0


# --- from local wall-clock rows to instants --------------------------------------------------------


@dataclass
class _SeriesBuilder:
    meter_id: str
    commodity: Commodity
    source_unit: str
    direction: Direction
    starts: list[int] = field(default_factory=list)
    durations: list[int] = field(default_factory=list)
    values: list[Decimal] = field(default_factory=list)
    costs: list[Decimal | None] = field(default_factory=list)
    estimated: list[bool] = field(default_factory=list)
    seen: dict[datetime, int] = field(default_factory=dict)


class _Rows:
    """Collects rows per series, resolving local times to instants with DST folds."""

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone
        self.series: dict[tuple[str, Direction, str], _SeriesBuilder] = {}
        self.dropped: list[dict[str, str]] = []
        self.repeated = 0

    def add(
        self,
        meter_id: str,
        commodity: Commodity,
        unit: str,
        direction: Direction,
        start: datetime,
        end: datetime,
        value: Decimal,
        cost: Decimal | None = None,
        estimated: bool = False,
    ) -> None:
        key = (meter_id, direction, unit)
        builder = self.series.get(key)
        if builder is None:
            builder = self.series[key] = _SeriesBuilder(meter_id, commodity, unit, direction)
        occurrence = builder.seen.get(start, 0)
        builder.seen[start] = occurrence + 1
        fold = 1 if occurrence else 0
        start_instant = self._instant(start, fold)
        if start_instant is None:
            self.dropped.append({"meter_id": meter_id, "local_start": start.isoformat(), "value": str(value)})
            return
        if occurrence and self._instant(start, 0) != start_instant:
            self.repeated += 1
        wall = int((end - start).total_seconds())
        if wall <= 0:
            raise RejectedInput(f"CSV interval ends before it starts: {start} .. {end}", "invalid_csv_value")
        if wall <= 3600:
            duration = wall  # inside one hour: the wall clock is the real length, repeated hour included
        else:
            end_instant = self._instant(end, fold) or self._instant(end, 0)
            duration = (end_instant or start_instant + wall) - start_instant
        builder.starts.append(start_instant)
        builder.durations.append(duration)
        builder.values.append(value)
        builder.costs.append(cost)
        builder.estimated.append(estimated)

    def _instant(self, wall: datetime, fold: int) -> int | None:
        """UTC epoch seconds of a wall time, or None when the wall time does not exist."""
        aware = wall.replace(tzinfo=self.zone, fold=fold)
        utc = aware.astimezone(UTC)
        if utc.astimezone(self.zone).replace(tzinfo=None) != wall:
            return None
        return int(utc.timestamp())

    def build(self, zone_label: str) -> tuple[IntervalTable, list[IntervalSeriesSummary], list[AuditResult]]:
        table, summaries, audits = IntervalTable(), [], []
        for key in sorted(self.series, key=lambda k: (k[0], k[1].value, k[2])):
            builder = self.series[key]
            if not builder.starts:
                continue
            rule = normalise(builder.source_unit)
            exponent = min(_exponent(v) for v in builder.values)
            cost_values = [c for c in builder.costs if c is not None]
            cost_exponent = min([COST_EXPONENT, *(_exponent(c) for c in cost_values)])
            rows = SeriesRows(
                SeriesMeta(
                    meter_id=builder.meter_id,
                    commodity=builder.commodity
                    if builder.commodity is not Commodity.OTHER
                    else rule.commodity or Commodity.OTHER,
                    unit=rule.unit,
                    direction=builder.direction,
                    exponent=int(exponent) + rule.exponent,
                    local_zone=zone_label,
                    source_unit=builder.source_unit,
                    unit_exponent=rule.exponent,
                    cost_exponent=int(cost_exponent),
                ),
                starts=builder.starts,
                durations=builder.durations,
                values=[int(v.scaleb(-exponent)) for v in builder.values],
                costs=[None if c is None else int(c.scaleb(-cost_exponent)) for c in builder.costs]
                if cost_values
                else None,
                estimated=builder.estimated if any(builder.estimated) else None,
            )
            stats = SeriesStats()
            stats.add(make_block(rows.starts, rows.durations, rows.values, rows.costs, rows.estimated))
            if not stats.coverage.in_order:
                rows.sort()
            summary = series_summary(rows.meta, stats)
            table.series.append(rows)
            summaries.append(summary)
            audits.extend(series_audits(summary, stats))
        return table, summaries, audits


# --- the layouts -----------------------------------------------------------------------------------


def _records(text: str) -> list[list[str]]:
    return [row for row in csv.reader(StringIO(text)) if any(cell.strip() for cell in row)]


def _preamble(records: list[list[str]], until: int) -> dict[str, str]:
    """``Key,Value`` lines before the header, keys normalised."""
    return {_norm(r[0]).rstrip(":"): r[1].strip() for r in records[:until] if len(r) >= 2 and r[0].strip()}


def _opower(records: list[list[str]], at: int, zone: _Rows) -> None:
    header = [_norm(c) for c in records[at]]
    info = _preamble(records, at)
    meter = info.get("meter") or info.get("service") or info.get("account number") or "opower"
    column = {name: i for i, name in enumerate(header)}
    solar = "import (kwh)" in column and "export (kwh)" in column
    if not solar and not {"usage", "units"} <= column.keys():
        raise RejectedInput("Opower header without USAGE,UNITS or IMPORT/EXPORT columns", "unknown_csv_layout")
    for record in records[at + 1 :]:
        if len(record) < len(header) - 1 or not record[column["date"]].strip():
            continue
        kind = _norm(record[column["type"]])
        day = datetime.combine(_date(record[column["date"]]), datetime.min.time())
        start = day + _time(record[column["start time"]])
        end = day + _time(record[column["end time"]]) + timedelta(minutes=1)
        if end <= start:
            end += timedelta(days=1)
        cost_text = record[column["cost"]].strip() if "cost" in column else ""
        cost = _decimal(cost_text, "COST") if cost_text else None
        estimated = "estimat" in _norm(record[column["notes"]]) if "notes" in column else False
        commodity = Commodity.GAS if "gas" in kind else Commodity.ELECTRICITY
        if solar:
            zone.add(meter, commodity, "kWh", Direction.DELIVERED, start, end,
                     _decimal(record[column["import (kwh)"]], "IMPORT"), cost, estimated)  # fmt: skip
            zone.add(meter, commodity, "kWh", Direction.RECEIVED, start, end,
                     _decimal(record[column["export (kwh)"]], "EXPORT"), None, estimated)  # fmt: skip
        else:
            unit = record[column["units"]].strip()
            zone.add(meter, commodity, unit, Direction.DELIVERED, start, end,
                     _decimal(record[column["usage"]], "USAGE"), cost, estimated)  # fmt: skip


def _sdge(records: list[list[str]], at: int, zone: _Rows) -> None:
    rows: list[tuple[str, datetime, datetime, Decimal, Decimal, Decimal]] = []
    for record in records[at + 1 :]:
        if len(record) < len(SDGE_HEADER) or not record[1].strip():
            continue
        start = datetime.combine(_date(record[1]), datetime.min.time()) + _time(record[2])
        end = start + timedelta(minutes=int(_decimal(record[3], "Duration")))
        values = [_decimal(record[i], SDGE_HEADER[i]) for i in (4, 5, 6)]
        rows.append((record[0].strip() or "sdge", start, end, values[0], values[1], values[2]))
    solar = any(generation for *_, generation, _net in rows)
    for meter, start, end, consumption, generation, net in rows:
        zone.add(meter, Commodity.ELECTRICITY, "kWh", Direction.DELIVERED, start, end, consumption)
        if solar:
            zone.add(meter, Commodity.ELECTRICITY, "kWh", Direction.RECEIVED, start, end, generation)
            zone.add(meter, Commodity.ELECTRICITY, "kWh", Direction.NET, start, end, net)


def _sce(records: list[list[str]], first_header: int, zone: _Rows) -> None:
    info: dict[str, str] = {}
    for record in records[:first_header]:
        for cell in record:
            key, colon, value = cell.partition(":")
            if colon:
                info[_norm(key)] = value.strip()
    meter = info.get("meter") or info.get("service account") or "sce"
    direction: Direction | None = None
    unit = "kWh"
    for record in records:
        first = _norm(record[0])
        if first in ("delivered", "received"):
            direction = Direction(first)
            continue
        if first in SCE_FIRST_CELLS:
            if direction is None:
                direction = Direction.RECEIVED if "production" in first else Direction.DELIVERED
            match = re.search(r"in (\w+)", _norm(record[1])) if len(record) > 1 else None
            unit = {"kilowatt-hours": "kWh", "therms": "therm"}.get(match.group(1) if match else "", "kWh")
            continue
        if direction is None or " to " not in record[0].replace("\xa0", " "):
            continue
        begin, _, finish = record[0].replace("\xa0", " ").partition(" to ")
        quality = _norm(record[2]) if len(record) > 2 else ""
        zone.add(meter, Commodity.ELECTRICITY if unit == "kWh" else Commodity.GAS, unit, direction,
                 _local_datetime(begin), _local_datetime(finish), _decimal(record[1], "usage"),
                 estimated=quality.startswith("e"))  # fmt: skip


def detect(records: list[list[str]]) -> tuple[str, int]:
    """(layout, index of its header row) by fingerprint, or RejectedInput naming the header seen."""
    for index, record in enumerate(records):
        cells = tuple(_norm(c) for c in record)
        if cells[:4] == OPOWER_REQUIRED:
            return "opower", index
        if cells[: len(SDGE_HEADER)] == SDGE_HEADER:
            return "sdge", index
        if cells and cells[0] in SCE_FIRST_CELLS:
            return "sce", index
    header = max(records[:30], key=len, default=[])
    raise RejectedInput(
        f"unknown CSV layout, header fingerprint {fingerprint(header)}: {','.join(header)[:200]!r}",
        "unknown_csv_layout",
    )


def parse_utility_csv(data: bytes, default_zone: str | None = None) -> CsvResult:
    """Parse a utility CSV export; ``default_zone`` is the account's or meter's zone, if known."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="strict") if b"\x00" not in data else ""
    if not text.strip():
        raise RejectedInput("the CSV file is empty or not text", "unknown_csv_layout")
    records = _records(text.replace("\ufeff", ""))
    layout, at = detect(records)
    info = _preamble(records, at)
    file_zone = info.get("time zone") or info.get("timezone")
    label = file_zone or default_zone or HOME_ZONE
    zone = zone_from_label(label)
    if zone is None:
        raise RejectedInput(f"unknown time zone {label!r}", "invalid_csv_value")
    rows = _Rows(zone)
    {"opower": _opower, "sdge": _sdge, "sce": _sce}[layout](records, at, rows)
    table, series, audits = rows.build(label)
    if not len(table):
        raise RejectedInput(f"{layout} CSV without interval rows", "no_interval_data")
    result = CsvResult(layout, table, series, audits)
    if not file_zone:
        result.audits.append(
            AuditResult(
                code="zone_assumed",
                severity=Severity.INFO,
                message=f"the {layout} export prints local times without a zone; read as {label}",
                details={"zone": label, "source": "account default" if default_zone else "layout default"},
            )
        )
    if rows.dropped:
        nonzero = [d for d in rows.dropped if Decimal(d["value"]) != 0]
        result.audits.append(
            AuditResult(
                code="nonexistent_local_time",
                severity=Severity.WARNING if nonzero else Severity.INFO,
                message=f"{len(rows.dropped)} row(s) at local times skipped by DST were dropped, not moved",
                details={"count": len(rows.dropped), "nonzero": len(nonzero), "rows": rows.dropped[:10]},
            )
        )
    return result
