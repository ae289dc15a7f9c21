"""The held-out bill generator (common/connectors/billgen/heldout.py): deterministic, and its truth true.

The held-out layouts measure whether the generic heuristics generalise beyond the layouts they were tuned
on; that measurement is only honest if every truth value is consistent and printed on the page. The
engine's score on them is the bench's business (`python -m bench.extract.wild --family heldout`), not
this test's.
"""

from __future__ import annotations

import pytest

from common.connectors.billgen.heldout import heldout_bill, heldout_bills
from common.connectors.billgen.wild import WildBill
from tests.pdfs import assert_deterministic, assert_truth_printed, assert_truth_reconciles

SEED = 1
BILLS = 150  # ~3 s: every locale, service and layout choice appears many times


@pytest.fixture(scope="module")
def bills() -> list[WildBill]:
    return heldout_bills(BILLS, SEED)


def test_generator_is_deterministic() -> None:
    assert_deterministic(heldout_bill, 5, SEED)


def test_truth_is_consistent(bills: list[WildBill]) -> None:
    """Items sum to the new charges, the summary balances, dates are sane, no audit error on the truth."""
    for bill in bills:
        assert_truth_reconciles(bill)
        truth = bill.truth
        if truth.previous_balance is not None:
            assert truth.payments_and_credits is not None and truth.amount_due is not None
        else:  # a bill without an account summary: what is due is this bill
            assert truth.payments_and_credits is None and truth.amount_due == truth.total_amount
        assert 25 <= (truth.bill_period_end - truth.bill_period_start).days <= 35, bill.name
        if truth.statement_date is not None:
            assert 1 <= (truth.statement_date - truth.bill_period_end).days <= 10, bill.name
            if truth.due_date is not None:
                assert 10 <= (truth.due_date - truth.statement_date).days <= 25, bill.name


def test_truth_is_printed(bills: list[WildBill]) -> None:
    """What the truth names is on the page: provider, account, every line item, meters, units, address."""
    for bill in bills:
        truth = bill.truth
        extra = [unit for read in truth.usage for unit in (read.unit, read.read_unit) if unit]
        extra += [item.third_party for item in truth.line_items if item.third_party]
        extra += truth.service_address.split(", ") if truth.service_address else []
        assert_truth_printed(bill, extra)


def test_layouts_vary(bills: list[WildBill]) -> None:
    """The sample is wide: every country, service and placement family appears."""
    for key in ("locale", "make", "header", "summary", "charges_style", "meter_style", "date_format", "est_style"):
        assert len({bill.choices[key] for bill in bills}) >= 4, key
    assert {bill.truth.currency for bill in bills} == {"USD", "CAD", "GBP", "EUR", "AUD"}
    assert any(int(bill.choices["pages_drawn"]) > 1 for bill in bills)
