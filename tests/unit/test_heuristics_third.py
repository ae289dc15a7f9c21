"""The third bill generator (common/connectors/billgen/third.py): deterministic, and its truth true.

A third author drew these layouts without reading the heuristics or the other two generators, so the
engine's first score on them was a held-out measure (`python -m bench.extract.wild --family third`). That
measure is only honest if every truth value is consistent and printed on the page, which is this test's
business; the score is the bench's.
"""

from __future__ import annotations

import pytest

from common.connectors.billgen import third
from common.connectors.billgen.third import third_bill, third_bills
from common.connectors.billgen.wild import WildBill
from tests.pdfs import assert_deterministic, assert_truth_printed, assert_truth_reconciles

SEED = 1
BILLS = 120  # every locale and kind of bill appears several times


@pytest.fixture(scope="module")
def bills() -> list[WildBill]:
    return third_bills(BILLS, SEED)


def test_generator_is_deterministic() -> None:
    assert_deterministic(third_bill, 5, SEED)


def test_truth_is_consistent(bills: list[WildBill]) -> None:
    """Items sum to the new charges, the summary balances, no audit error on the truth."""
    for bill in bills:
        assert_truth_reconciles(bill)
        assert bill.truth.bill_period_start < bill.truth.bill_period_end, bill.name


def test_truth_is_printed(bills: list[WildBill]) -> None:
    """What the truth names is on the page: provider, account, every line item, meters."""
    for bill in bills:
        assert_truth_printed(bill)


def test_layouts_vary(bills: list[WildBill]) -> None:
    """The sample is wide: every country and kind of bill, several placements and fonts."""
    assert {bill.truth.currency for bill in bills} == {"USD", "CAD", "GBP", "EUR", "AUD", "NZD"}
    for key in ("kind", "header", "charges.style", "font"):
        assert len({bill.choices[key] for bill in bills}) >= 4, key
    assert {bill.choices["meter.style"] for bill in bills} == {"blocks", "table"}
    embedded = any(font.startswith("Third-") for _, font, _ in third._families())  # DejaVu on this machine
    assert any(b"/FontFile2" in bill.pdf for bill in bills) is embedded  # then some bills embed their fonts
