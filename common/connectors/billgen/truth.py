"""Ground-truth helpers: amounts in cents, periods, account summaries that reconcile.

Every generated bill is internally consistent (line items sum to new charges, the summary balances,
reads times factors give usage), so an audit failure on an extracted bill is an extraction error.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from common.extraction.bills.values import categorize
from common.models import LineItem, LineItemCategory

CENT = Decimal("0.01")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def money_between(rng: random.Random, low: int, high: int) -> Decimal:
    """A random amount in whole dollars [low, high] plus random cents."""
    return Decimal(rng.randint(low * 100, high * 100)).scaleb(-2)


def rate(rng: random.Random, low: int, high: int, places: int) -> Decimal:
    """A tariff rate: an integer in [low, high] scaled by 10^-places."""
    return Decimal(rng.randint(low, high)).scaleb(-places)


def metered(
    description: str,
    quantity: Decimal,
    unit: str,
    unit_rate: Decimal,
    category: LineItemCategory | None = None,
    third_party: str | None = None,
) -> LineItem:
    return LineItem(
        description=description,
        amount=cents(quantity * unit_rate),
        category=category or categorize(description),
        quantity=quantity,
        unit=unit,
        rate=unit_rate,
        third_party=third_party,
    )


def fixed(
    description: str, amount: Decimal, category: LineItemCategory | None = None, third_party: str | None = None
) -> LineItem:
    return LineItem(
        description=description, amount=amount, category=category or categorize(description), third_party=third_party
    )


def total(items: list[LineItem]) -> Decimal:
    return sum((item.amount for item in items), Decimal(0))


def tax(description: str, items: list[LineItem], percent: Decimal) -> LineItem:
    return fixed(description, cents(total(items) * percent / 100), LineItemCategory.TAX)


# Bills cycle through this many months after the first period, so that every generated bill is dated
# in the past however large the corpus: a period that has not ended yet is flagged `period_in_future`.
CORPUS_MONTHS = 18


def period(rng: random.Random, index: int, first: date) -> tuple[date, date, date, date]:
    """(start, end, statement date, due date) of the index-th monthly bill after `first` (cycling)."""
    start = first + timedelta(days=30 * (index % CORPUS_MONTHS) + rng.randint(0, 3))
    end = start + timedelta(days=rng.randint(27, 33))
    statement = end + timedelta(days=rng.randint(1, 6))
    return start, end, statement, statement + timedelta(days=rng.choice([14, 20, 21, 25]))


def summary(rng: random.Random, new_charges: Decimal, *, paid_in_full: float = 0.7) -> tuple[Decimal, Decimal, Decimal]:
    """(previous balance, payments, amount due) that reconcile with the new charges."""
    previous = money_between(rng, 20, 400)
    payments = previous if rng.random() < paid_in_full else cents(previous * Decimal(rng.randint(20, 90)) / 100)
    return previous, payments, previous - payments + new_charges
