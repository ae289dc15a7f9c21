"""Odd lines anywhere on a bill get a result or a reason code, never a crash: a crash leaves the file
unread and its event retried to the dead-letter topic instead of a person seeing it in review.
"""

from __future__ import annotations

import random

import pytest
from test_heuristics_reading import Row, bill, read

from common.errors import RejectedInput
from common.extraction.bills.cascade import BillResult

ODD_LINES = [
    "......................................",  # a rule of dots between two charges
    ". . . . . . . . . . . .",
    "...   ...   ...",
    "\u2026\u2026\u2026",
    "$",
    "-",
    "( )",
    ":",
    "Total",
    "Amount Due:",
    "Supply services from",
]
PLACES = ("charges", "meters", "extra", "header")


def _read(place: str, rows: list[list[Row]]) -> BillResult | None:
    try:
        return read(bill(**{place: rows}))
    except RejectedInput:
        return None


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("odd", ODD_LINES)
def test_an_odd_line_is_read_past(place: str, odd: str) -> None:
    rows: list[list[Row]] = [[(72, "Basic Charge", 540, "$10.00")], [(72, odd)], [(72, "Energy Charge", 540, "$40.00")]]
    result = _read(place, rows)
    if place == "charges":  # the charges around it are still read
        assert result is not None and result.bill is not None
        assert [item.description for item in result.bill.line_items] == ["Basic Charge", "Energy Charge"]


WORDS = (
    "Account Number: Amount Due Total Charges Payments Previous Balance Meter Reading Estimated E * CR % Tax "
    "Supply from Supplier: Service Address: Period to - – = + Page 1 of 2 (continued) Subtotal GST VAT on Read type"
)
TOKENS = [
    *WORDS.split(),
    "1234-5678",
    "$10.00",
    "-$5.00",
    "($3.00)",
    "...",
    "…",
    "02/07/2025",
    "01/06/2025 - 02/05/2025",
]
TOKENS += ["kWh", "400", "@", "$0.10", "€", "£", "m³", "ccf", "12 Oak St", "Previous reading", "Current reading"]


def _soup(rng: random.Random) -> list[list[Row]]:
    rows: list[list[Row]] = []
    for _ in range(rng.randint(1, 8)):
        row: list[Row] = []
        x = 72.0
        while x < 450 and len(row) < 3:
            text = " ".join(rng.choice(TOKENS) for _ in range(rng.randint(1, 5)))
            row.append((x, text, 540, rng.choice(TOKENS)) if rng.random() < 0.5 else (x, text))
            x += rng.randint(60, 200)
        rows.append(row)
    return rows


@pytest.mark.parametrize("seed", range(4))
def test_random_lines_anywhere_never_crash_the_reader(seed: int) -> None:
    """Any exception but RejectedInput escapes _read and fails the test."""
    rng = random.Random(seed)
    for _ in range(75):
        _read(rng.choice(PLACES), _soup(rng))
