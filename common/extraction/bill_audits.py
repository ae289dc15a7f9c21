"""Audits a user of utility data expects on every bill: the numbers must agree with each other.

Codes are stable (dashboards and job errors key on them). Errors send the bill to review;
warnings and info are shown but do not block loading.
"""

from __future__ import annotations

from decimal import Decimal

from common.models import AuditResult, Commodity, NormalizedBill, ReadType, Severity

MIN_PERIOD_DAYS = 20
MAX_PERIOD_DAYS = 40

# Units we can normalize, per commodity (compared case-insensitively).
KNOWN_UNITS: dict[Commodity, frozenset[str]] = {
    Commodity.ELECTRICITY: frozenset({"kwh", "mwh", "wh", "kw", "kvarh"}),
    Commodity.GAS: frozenset({"therm", "therms", "ccf", "mcf", "dth", "m3", "m³", "gj", "kwh"}),
    Commodity.WATER: frozenset({"gal", "kgal", "ccf", "hcf", "m3", "m³", "l"}),
    Commodity.SEWER: frozenset({"gal", "kgal", "ccf", "hcf", "m3", "m³"}),
    Commodity.STORMWATER: frozenset({"eru", "sqft", "acre"}),
    Commodity.OTHER: frozenset(),
}


def _error(code: str, message: str, **details: object) -> AuditResult:
    return AuditResult(code=code, severity=Severity.ERROR, message=message, details=details)


def _warning(code: str, message: str, **details: object) -> AuditResult:
    return AuditResult(code=code, severity=Severity.WARNING, message=message, details=details)


def _check_line_items(bill: NormalizedBill) -> list[AuditResult]:
    if not bill.line_items:
        return []
    items_sum = sum((item.amount for item in bill.line_items), Decimal(0))
    if items_sum == bill.total_amount:
        return []
    return [
        _error(
            "line_items_sum_mismatch",
            f"line items sum to {items_sum}, but new charges are {bill.total_amount}",
            line_items_sum=str(items_sum),
            total_amount=str(bill.total_amount),
            difference=str(bill.total_amount - items_sum),
        )
    ]


def _check_balance(bill: NormalizedBill) -> list[AuditResult]:
    if bill.amount_due is None or bill.previous_balance is None or bill.payments_and_credits is None:
        return []
    expected = bill.previous_balance - bill.payments_and_credits + bill.total_amount
    if expected == bill.amount_due:
        return []
    return [
        _error(
            "balance_mismatch",
            f"previous balance - payments + new charges = {expected}, but amount due is {bill.amount_due}",
            expected_amount_due=str(expected),
            amount_due=str(bill.amount_due),
        )
    ]


def _check_usage(bill: NormalizedBill) -> list[AuditResult]:
    results: list[AuditResult] = []
    for read in bill.usage:
        meter = read.meter_number
        if read.start_read is not None and read.end_read is not None:
            multiplier = read.multiplier if read.multiplier is not None else Decimal(1)
            expected = (read.end_read - read.start_read) * multiplier
            if expected != read.quantity:
                results.append(
                    _error(
                        "meter_read_mismatch",
                        f"meter {meter}: ({read.end_read} - {read.start_read}) x {multiplier} = "
                        f"{expected}, but billed usage is {read.quantity} {read.unit}",
                        meter_number=meter,
                        expected_quantity=str(expected),
                        quantity=str(read.quantity),
                    )
                )
        if read.read_type is ReadType.ESTIMATED:
            results.append(
                _warning(
                    "estimated_read",
                    f"meter {meter}: usage was estimated, not read; a later bill will true it up",
                    meter_number=meter,
                )
            )
        if read.unit.lower() not in KNOWN_UNITS.get(read.commodity, frozenset()):
            results.append(
                _warning(
                    "unknown_unit",
                    f"meter {meter}: unit {read.unit!r} is not a known {read.commodity.value} unit",
                    meter_number=meter,
                    unit=read.unit,
                    commodity=read.commodity.value,
                )
            )
    return results


def _check_period(bill: NormalizedBill) -> list[AuditResult]:
    start, end = bill.bill_period_start, bill.bill_period_end
    if start >= end:
        return [
            _error(
                "period_invalid",
                f"billing period starts {start} but ends {end}",
                start=start.isoformat(),
                end=end.isoformat(),
            )
        ]
    results: list[AuditResult] = []
    if bill.statement_date is not None and bill.statement_date < end:
        results.append(
            _error(
                "period_invalid",
                f"statement dated {bill.statement_date}, before the period ends on {end}",
                statement_date=bill.statement_date.isoformat(),
                end=end.isoformat(),
            )
        )
    days = (end - start).days
    if not MIN_PERIOD_DAYS <= days <= MAX_PERIOD_DAYS:
        results.append(
            _warning(
                "period_length_unusual",
                f"billing period is {days} days; expected {MIN_PERIOD_DAYS}-{MAX_PERIOD_DAYS}",
                days=days,
            )
        )
    return results


def audit_bill(bill: NormalizedBill) -> list[AuditResult]:
    """Every audit of one bill, in a stable order."""
    return [
        *_check_line_items(bill),
        *_check_balance(bill),
        *_check_usage(bill),
        *_check_period(bill),
    ]
