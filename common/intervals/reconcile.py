"""Interval sum against billed usage, per bill period: the audit a utility-data user expects.

A bill period is a range of *local* dates (both ends inclusive, as bills print them); the window is
from local midnight of the first day to local midnight after the last, in the meter's zone (kept on
every interval row), so a period spanning a DST change is 23 or 25 hours off 24 × days, exactly as
the meter saw it. The warehouse hands over 15-minute buckets (see ``Warehouse.interval_buckets``);
a bucket counts when its rows start and end inside the window.

Only bills whose period has interval coverage are reconciled. The result names the likely cause of
a difference, tested in this order: incomplete coverage (``missing_intervals``), a unit the
intervals do not share or a ratio typical of a heat-content or kilo factor (``conversion_factor``),
estimated intervals (``estimated_intervals``), a difference within about an hour of usage on a
period containing a DST change (``dst``), else ``unexplained``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Any

from common.intervals.localtime import local_day_bounds, zone_from_label
from common.intervals.units import normalise
from common.models import AuditResult, Direction, Severity, UsageRead, energy_billed
from common.ports import BillRecord, IntervalBucket, ReconciliationRecord

MATCH_TOLERANCE = Decimal("0.001")  # 0.1 % (an hour of a month is 0.13 %): bills round, intervals do not
MATCH_FLOOR = Decimal("0.5")  # and never less than half a unit
FULL_COVERAGE = Decimal("0.999")
HEAT_CONTENT_RANGE = (Decimal("0.9"), Decimal("1.2"))  # therms per CCF seen on US gas bills
KILO_RATIOS = (Decimal(1000), Decimal("0.001"))


@dataclass(frozen=True)
class BilledUsage:
    bill_id: str
    customer_id: str
    commodity: str
    unit: str  # normalised
    source_unit: str
    quantity: Decimal  # in `unit`
    start: date
    end: date  # inclusive


def billed_usages(bills: Sequence[BillRecord]) -> list[BilledUsage]:
    """Per bill, commodity and unit: the billed quantity (models.energy_billed: a meter's TOU rows count only when it
    prints no total, and a net-metered meter's received energy is taken off what was delivered)."""
    out: list[BilledUsage] = []
    for record in bills:
        groups: dict[tuple[str, str], list[UsageRead]] = defaultdict(list)
        for usage in record.bill.usage:
            groups[(usage.commodity.value, usage.unit)].append(usage)
        for (commodity, unit), rows in sorted(groups.items()):
            rule = normalise(unit)
            quantity = energy_billed(rows).scaleb(rule.exponent)
            out.append(
                BilledUsage(
                    record.id,
                    record.customer_id,
                    commodity,
                    rule.unit,
                    unit,
                    quantity,
                    record.bill.bill_period_start,
                    record.bill.bill_period_end,
                )
            )
    return out


def window_for(start: date, end: date, zone: tzinfo) -> tuple[int, int]:
    """UTC epoch seconds [first instant, instant after the last) of local dates start..end."""
    return local_day_bounds(start, zone)[0], local_day_bounds(end, zone)[1]


def _transition_in(window: tuple[int, int], zone: tzinfo) -> bool:
    first = datetime.fromtimestamp(window[0], tz=UTC).astimezone(zone).utcoffset()
    last = datetime.fromtimestamp(window[1] - 1, tz=UTC).astimezone(zone).utcoffset()
    if first != last:
        return True
    day = datetime.fromtimestamp(window[0], tz=UTC)
    while day.timestamp() < window[1]:
        if day.astimezone(zone).utcoffset() != first:
            return True
        day += timedelta(days=1)
    return False


def reconcile(bills: Sequence[BillRecord], buckets: Sequence[IntervalBucket]) -> list[ReconciliationRecord]:
    """One record per bill usage (commodity, unit) whose period the intervals cover at least in part."""
    if not buckets:
        return []
    zones = [b.local_zone for b in buckets if b.local_zone]
    zone = zone_from_label(max(set(zones), key=zones.count)) if zones else None
    zone = zone or UTC
    by_commodity: dict[str, list[IntervalBucket]] = defaultdict(list)
    for bucket in buckets:
        by_commodity[bucket.commodity].append(bucket)
    records = []
    for usage in billed_usages(bills):
        candidates = by_commodity.get(usage.commodity, [])
        window = window_for(usage.start, usage.end, zone)
        inside = [
            b
            for b in candidates
            if window[0] <= b.start.timestamp()
            and b.last_end.timestamp() <= window[1]
            and b.direction in (Direction.DELIVERED.value, Direction.NET.value, Direction.RECEIVED.value)
        ]
        if not inside:
            continue
        records.append(_record(usage, inside, window, zone))
    return records


def _record(
    usage: BilledUsage, inside: list[IntervalBucket], window: tuple[int, int], zone: tzinfo
) -> ReconciliationRecord:
    units = sorted({b.unit for b in inside})
    unit = usage.unit if usage.unit in units else units[0]
    same_unit = [b for b in inside if b.unit == unit]
    delivered = [b for b in same_unit if b.direction == Direction.DELIVERED.value]
    net = [b for b in same_unit if b.direction == Direction.NET.value]
    received = [b for b in same_unit if b.direction == Direction.RECEIVED.value]
    used = delivered or net
    total = sum((b.total for b in used), Decimal(0))
    if delivered and received:  # a net-metered bill bills delivered minus received
        total -= sum((b.total for b in received), Decimal(0))
    covered = sum(b.covered_seconds for b in used)
    period_seconds = window[1] - window[0]
    coverage = (Decimal(covered) / Decimal(period_seconds)).quantize(Decimal("0.000001"))
    estimated = sum(b.estimated_rows for b in used)
    difference = usage.quantity - total
    details: dict[str, Any] = {
        "window_start": datetime.fromtimestamp(window[0], tz=UTC).isoformat(),
        "window_end": datetime.fromtimestamp(window[1], tz=UTC).isoformat(),
        "period_hours": period_seconds / 3600,
        "covered_hours": covered / 3600,
        "interval_rows": sum(b.rows for b in used),
        "estimated_rows": estimated,
        "interval_unit": unit,
        "billed_unit": usage.source_unit,
        "net_metered": bool(delivered and received),
    }
    tolerance = max(abs(usage.quantity) * MATCH_TOLERANCE, MATCH_FLOOR)
    cause: str | None = None
    if coverage < FULL_COVERAGE:
        status, cause = "partial_coverage", "missing_intervals"
        details["missing_hours"] = (period_seconds - covered) / 3600
    elif abs(difference) <= tolerance and unit == usage.unit:
        status = "match"
    else:
        status = "mismatch"
        ratio = usage.quantity / total if total else None
        if ratio is not None:
            details["ratio"] = str(ratio.quantize(Decimal("0.0001")))
        if unit != usage.unit or (
            ratio is not None
            and (
                any(abs(ratio - k) <= k * MATCH_TOLERANCE for k in KILO_RATIOS)
                or (usage.commodity == "gas" and HEAT_CONTENT_RANGE[0] <= ratio <= HEAT_CONTENT_RANGE[1])
            )
        ):
            cause = "conversion_factor"
        elif estimated:
            cause = "estimated_intervals"
        elif _transition_in(window, zone) and covered and abs(difference) <= 2 * total * 3600 / covered:
            cause = "dst"
        else:
            cause = "unexplained"
    return ReconciliationRecord(
        bill_id=usage.bill_id,
        customer_id=usage.customer_id,
        commodity=usage.commodity,
        unit=usage.unit,
        period_start=usage.start,
        period_end=usage.end,
        billed=usage.quantity,
        interval_total=total,
        difference=difference,
        coverage_ratio=coverage,
        status=status,
        likely_cause=cause,
        details=details,
    )


def audits(records: Sequence[ReconciliationRecord]) -> list[AuditResult]:
    """The records as audits: matches are info, anything else a warning with its likely cause."""
    out = []
    for r in records:
        severity = Severity.INFO if r.status == "match" else Severity.WARNING
        out.append(
            AuditResult(
                code=f"interval_bill_{r.status}",
                severity=severity,
                message=(
                    f"bill {r.period_start}..{r.period_end}: billed {r.billed} {r.unit}, intervals "
                    f"{r.interval_total} ({r.status}{', likely ' + r.likely_cause if r.likely_cause else ''})"
                ),
                details={
                    "bill_id": r.bill_id,
                    "difference": str(r.difference),
                    "coverage_ratio": str(r.coverage_ratio),
                    "likely_cause": r.likely_cause,
                    **r.details,
                },
            )
        )
    return out


def bucket_range(bills: Sequence[BillRecord]) -> tuple[datetime, datetime] | None:
    """The UTC range to ask the warehouse for: every bill period, widened by a day for any zone."""
    if not bills:
        return None
    first = min(b.bill.bill_period_start for b in bills)
    last = max(b.bill.bill_period_end for b in bills)
    return (
        datetime(first.year, first.month, first.day, tzinfo=UTC) - timedelta(days=1),
        datetime(last.year, last.month, last.day, tzinfo=UTC) + timedelta(days=2),
    )
