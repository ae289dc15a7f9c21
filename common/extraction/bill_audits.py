"""Audits a user of utility data expects on every bill: the numbers must agree with each other.

Codes are stable (dashboards and job errors key on them). Errors send the bill to review;
warnings and info are shown but do not block loading.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal

from common.extraction.bills.values import TOU_PERIOD_NAMED, commodity_of, tou_period_of
from common.models import AuditResult, Commodity, LineItem, NormalizedBill, ReadType, Severity

MIN_PERIOD_DAYS = 20
MAX_PERIOD_DAYS = 40

DEMAND_UNITS = frozenset({"kw", "kva", "mw"})

# Units we can normalize, per commodity (compared case-insensitively).
KNOWN_UNITS: dict[Commodity, frozenset[str]] = {
    Commodity.ELECTRICITY: frozenset({"kwh", "mwh", "wh", "kw", "kvarh"}),
    Commodity.GAS: frozenset(
        {"therm", "therms", "ccf", "mcf", "cf", "ft3", "ft³", "dth", "mmbtu", "m3", "m³", "gj", "kwh"}
    ),
    Commodity.WATER: frozenset(
        {"gal", "gallon", "gallons", "kgal", "ccf", "hcf", "cf", "ft3", "ft³", "m3", "m³", "l", "kl"}
    ),
    Commodity.SEWER: frozenset({"gal", "gallon", "gallons", "kgal", "ccf", "hcf", "cf", "ft3", "ft³", "m3", "m³"}),
    Commodity.STORMWATER: frozenset({"eru", "sqft", "acre"}),
    Commodity.OTHER: frozenset(),
}


def _error(code: str, message: str, **details: object) -> AuditResult:
    return AuditResult(code=code, severity=Severity.ERROR, message=message, details=details)


def _warning(code: str, message: str, **details: object) -> AuditResult:
    return AuditResult(code=code, severity=Severity.WARNING, message=message, details=details)


def _info(code: str, message: str, **details: object) -> AuditResult:
    return AuditResult(code=code, severity=Severity.INFO, message=message, details=details)


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


def _check_line_item_arithmetic(bill: NormalizedBill) -> list[AuditResult]:
    """line_item_arithmetic: a charge whose quantity times its rate is not its amount. A figure of it was misread,
    or the bill leaves a factor unprinted (a multiplier, a proration); the amounts still add up, so the bill loads.
    The rate is printed rounded: half its last digit, times the quantity, and half a cent are allowed."""
    audits: list[AuditResult] = []
    for index, item in enumerate(bill.line_items):
        if item.quantity is None or item.rate is None:
            continue
        exponent = item.rate.as_tuple().exponent
        rounding = abs(item.quantity) * Decimal(1).scaleb(exponent if isinstance(exponent, int) else 0) / 2
        product = abs(item.quantity * item.rate)
        if abs(product - abs(item.amount)) > rounding + Decimal("0.005"):
            audits.append(
                _warning(
                    "line_item_arithmetic",
                    f"{item.description}: {item.quantity} x {item.rate} is {product.quantize(Decimal('0.01'))}, "
                    f"but the charge is {item.amount}",
                    line_item=index,
                    quantity=str(item.quantity),
                    rate=str(item.rate),
                    amount=str(item.amount),
                )
            )
    return audits


def _check_balance(bill: NormalizedBill) -> list[AuditResult]:
    """Amount due = previous balance - payments + adjustments + new charges; budget billing replaces the new
    charges by the instalment (third-party supplier charges are billed on top of it). Where no payments were
    read the bill is taken to print none: a summary that balances only with a payment we did not read (an amount
    due of the new charges alone under a previous balance) goes to review rather than load without it. Where
    neither a previous balance nor payments were read, nothing is carried: an amount due other than the new charges
    (and adjustments) goes to review too (heldout-37-0118: its balance and payment printed without their points)."""
    payments_read = bill.payments_and_credits is not None
    if bill.amount_due is None or (bill.previous_balance is None and payments_read):
        return []
    unread = ""
    if not payments_read:
        unread = (
            " (no payments were read)"
            if bill.previous_balance is not None
            else " (no previous balance or payments were read)"
        )
    carried = (
        (bill.previous_balance or Decimal(0))
        - (bill.payments_and_credits or Decimal(0))
        + (bill.adjustments or Decimal(0))
    )
    expected = carried + bill.total_amount
    if expected == bill.amount_due:
        return [_info("credit_balance", f"the account is in credit: {bill.amount_due}")] if bill.amount_due < 0 else []
    budget = bill.budget_billing
    if budget is not None:
        third_party = sum((item.amount for item in bill.line_items if item.third_party), Decimal(0))
        budgeted = carried + budget.instalment + third_party
        if budgeted == bill.amount_due:
            return [
                _info(
                    "budget_billing_applied",
                    f"amount due {bill.amount_due} is the budget instalment {budget.instalment}"
                    f" plus {third_party} of third-party charges, not the new charges {bill.total_amount}",
                    instalment=str(budget.instalment),
                    third_party_charges=str(third_party),
                )
            ]
        return [
            _error(
                "budget_billing_unexplained",
                f"amount due {bill.amount_due} matches neither the new charges ({expected})"
                f" nor the budget instalment plus third-party charges ({budgeted}){unread}",
                expected_amount_due=str(expected),
                budgeted_amount_due=str(budgeted),
                amount_due=str(bill.amount_due),
                payments_read=payments_read,
            )
        ]
    return [
        _error(
            "balance_mismatch",
            f"previous balance - payments{' + adjustments' if bill.adjustments is not None else ''} + new charges"
            f" = {expected}, but amount due is {bill.amount_due}{unread}",
            expected_amount_due=str(expected),
            amount_due=str(bill.amount_due),
            payments_read=payments_read,
            previous_balance_read=bill.previous_balance is not None,
        )
    ]


def _check_usage(bill: NormalizedBill) -> list[AuditResult]:
    results: list[AuditResult] = []
    for read in bill.usage:
        meter = read.meter_number
        if read.start_read is not None and read.end_read is not None:
            multiplier = read.multiplier if read.multiplier is not None else Decimal(1)
            factor = read.conversion_factor if read.conversion_factor is not None else Decimal(1)
            exact = (read.end_read - read.start_read) * multiplier * factor
            # Converted usage is printed rounded: compare at the printed precision, never looser.
            expected = exact.quantize(read.quantity, rounding=ROUND_HALF_UP) if factor != 1 else exact
            if expected != read.quantity:
                results.append(
                    _error(
                        "meter_read_mismatch",
                        f"meter {meter}: ({read.end_read} - {read.start_read}) x {multiplier} x {factor} = "
                        f"{exact}, but billed usage is {read.quantity} {read.unit}",
                        meter_number=meter,
                        expected_quantity=str(exact),
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


# Units a charge bills consumption in (not days, demand or a flat count), and the commodities whose usage reads
# account for it: sewer is billed on the water used, and often has no meter of its own.
CONSUMPTION_UNITS = frozenset().union(*(KNOWN_UNITS[c] for c in (Commodity.GAS, Commodity.WATER)), {"kwh", "mwh"})
_MEASURED_IN = {unit: frozenset(c for c, units in KNOWN_UNITS.items() if unit in units) for unit in CONSUMPTION_UNITS}
_READ_FOR: dict[Commodity, frozenset[Commodity]] = {
    Commodity.SEWER: frozenset({Commodity.SEWER, Commodity.WATER}),
    Commodity.STORMWATER: frozenset({Commodity.STORMWATER, Commodity.WATER}),
}


def _consumed(bill: NormalizedBill) -> Iterator[tuple[LineItem, str]]:
    """The charges for a quantity consumed (not days, demand or a flat count), each with its unit in lower case."""
    for item in bill.line_items:
        unit = (item.unit or "").lower()
        if item.quantity is not None and unit in CONSUMPTION_UNITS:
            yield item, unit


def _charged(item: LineItem) -> str:
    return f"{item.description} ({item.quantity} {item.unit})"


def _check_usage_read(bill: NormalizedBill) -> list[AuditResult]:
    """usage_not_read: the charges bill a quantity consumed (`Gas usage 1,218 kWh`) but no meter's usage of that
    commodity was read. The bill's costs stand; its consumption was printed somewhere the reading missed."""
    read = {usage.commodity for usage in bill.usage}
    missed: dict[str, str] = {}
    for item, unit in _consumed(bill):
        named = commodity_of(item.description)
        # the unit tells where the name does not: `Off peak hot water 355 kWh` is electricity
        could_be = _READ_FOR.get(named, frozenset({named})) if unit in KNOWN_UNITS[named] else _MEASURED_IN[unit]
        if Commodity.OTHER not in read and not read & could_be:
            what = named.value if unit in KNOWN_UNITS[named] else " or ".join(sorted(c.value for c in could_be))
            missed.setdefault(what, _charged(item))
    return [
        _warning(
            "usage_not_read",
            f"the charges bill {charge}, but no {commodity} meter's usage was read",
            commodity=commodity,
            charge=charge,
        )
        for commodity, charge in missed.items()
    ]


def _check_registers_read(bill: NormalizedBill) -> list[AuditResult]:
    """register_not_read: the meters were read register by register, by time-of-use period, and a charge bills a
    consumption of a period no register read is of (`Super Off-Peak Energy 169 kWh` beside an on-peak and an
    off-peak read): a register was printed and lost, and the bill's usage falls short. A read of the charge's
    quantity accounts for it, whatever its register is named (`Off peak hot water 300 kWh`, a controlled load's)."""
    periods = {read.period for read in bill.usage if read.period}
    quantities = {read.quantity for read in bill.usage}
    missed: dict[str, str] = {}
    for item, _ in _consumed(bill) if periods else ():
        if item.quantity in quantities or not (named := TOU_PERIOD_NAMED.search(item.description)):
            continue
        if (period := tou_period_of(named.group())) and period not in periods:
            missed.setdefault(period, _charged(item))
    return [
        _error(
            "register_not_read",
            f"the charges bill {charge}, but no {period} register was read (read: {', '.join(sorted(periods))})",
            period=period,
            charge=charge,
        )
        for period, charge in missed.items()
    ]


def _check_future(bill: NormalizedBill, today: date) -> list[AuditResult]:
    """A bill cannot cover days that have not happened, nor be dated after today."""
    latest = max(d for d in (bill.bill_period_end, bill.statement_date) if d is not None)
    if latest <= today:
        return []
    return [
        _error(
            "period_in_future",
            f"the bill reaches {latest}, after today ({today})",
            latest=latest.isoformat(),
            today=today.isoformat(),
        )
    ]


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
    if bill.due_date is not None and bill.statement_date is not None and bill.due_date < bill.statement_date:
        results.append(
            _error(
                "due_before_statement",
                f"due {bill.due_date}, before the statement date {bill.statement_date}",
                due_date=bill.due_date.isoformat(),
                statement_date=bill.statement_date.isoformat(),
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


def _check_demand(bill: NormalizedBill) -> list[AuditResult]:
    return [
        _warning(
            "unknown_unit",
            f"demand of meter {read.meter_number}: unit {read.unit!r} is not kW, kVA or MW",
            meter_number=read.meter_number,
            unit=read.unit,
        )
        for read in bill.demand
        if read.unit.lower() not in DEMAND_UNITS
    ]


def audit_bill(bill: NormalizedBill, today: date | None = None) -> list[AuditResult]:
    """Every audit of one bill, in a stable order. `today` defaults to the current UTC date."""
    return [
        *_check_line_items(bill),
        *_check_line_item_arithmetic(bill),
        *_check_balance(bill),
        *_check_usage(bill),
        *_check_usage_read(bill),
        *_check_registers_read(bill),
        *_check_demand(bill),
        *_check_period(bill),
        *_check_future(bill, today or datetime.now(UTC).date()),
    ]


def total_verified(bill: NormalizedBill, audits: list[AuditResult]) -> bool:
    """Whether some cross-check confirmed the new charges: line items summing to them, or an account
    summary reconciling with them. A total nothing confirms is a guess on an unknown layout."""
    codes = {audit.code for audit in audits}
    items_confirm = bool(bill.line_items) and "line_items_sum_mismatch" not in codes
    balance_inputs = (bill.amount_due, bill.previous_balance, bill.payments_and_credits)
    balance_confirms = all(v is not None for v in balance_inputs) and not codes & {
        "balance_mismatch",
        "budget_billing_unexplained",
    }
    return items_confirm or balance_confirms
