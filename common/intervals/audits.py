"""Checks on interval values that no parser can make alone: units we can interpret, values a meter can read.

Both send the file to review (severity error) rather than load numbers that mean nothing: a unit we
do not know cannot be summed with kWh or therms, and a reading beyond any plausible meter is a unit or
multiplier error upstream, not consumption.
"""

from __future__ import annotations

from decimal import Decimal

from common.intervals.table import IntervalTable
from common.models import AuditResult, Severity

KNOWN_UNITS = frozenset({"kWh", "kW", "therm", "CCF", "ft3", "m3", "gal"})
# The largest hourly rate a single meter plausibly records: 100 MW is a large industrial site,
# 100,000 therm/h a large gas user; values above these are errors, not load.
MAX_HOURLY_RATE = {"kWh": Decimal(100_000), "kW": Decimal(100_000), "therm": Decimal(100_000)}


def plausibility_audits(table: IntervalTable) -> list[AuditResult]:
    audits: list[AuditResult] = []
    for rows in table.series:
        meta = rows.meta
        if meta.unit not in KNOWN_UNITS:
            audits.append(
                AuditResult(
                    code="unknown_unit",
                    severity=Severity.ERROR,
                    message=f"meter {meta.meter_id}: unit {meta.unit!r} cannot be interpreted",
                    details={"meter_id": meta.meter_id, "unit": meta.unit, "source_unit": meta.source_unit},
                )
            )
            continue
        limit = MAX_HOURLY_RATE.get(meta.unit)
        if limit is None or not rows.values:
            continue
        # Compare in raw integers: value × 10^exponent × 3600 / duration > limit.
        worst = max(
            (abs(value) * 3600 / duration, start)
            for value, duration, start in zip(rows.values, rows.durations, rows.starts, strict=True)
            if duration > 0
        )
        rate = Decimal(worst[0]).scaleb(meta.exponent)
        if rate > limit:
            audits.append(
                AuditResult(
                    code="implausible_value",
                    severity=Severity.ERROR,
                    message=f"meter {meta.meter_id}: {rate:.3f} {meta.unit} per hour exceeds {limit}",
                    details={
                        "meter_id": meta.meter_id,
                        "rate_per_hour": str(rate),
                        "limit": str(limit),
                        "interval_start_epoch": worst[1],
                    },
                )
            )
    return audits
