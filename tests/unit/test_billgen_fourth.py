"""The fourth bill generator: deterministic, internally consistent, and its PDFs print what the truth says."""

from __future__ import annotations

from decimal import Decimal

import pypdfium2 as pdfium
import pytest

from common.connectors.billgen.fourth import CHOICE_KEYS, fourth_bill, fourth_bills
from common.connectors.billgen.wild import WildBill

BILLS = fourth_bills(60, seed=5)


def _text(bill: WildBill) -> str:
    doc = pdfium.PdfDocument(bill.pdf)
    try:
        return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()


def test_same_index_and_seed_give_identical_bytes() -> None:
    for index in (0, 7, 31):
        first, second = fourth_bill(index, seed=3), fourth_bill(index, seed=3)
        assert first.pdf == second.pdf
        assert first.truth == second.truth
        assert first.choices == second.choices
        assert first.name == f"fourth-3-{index:04d}"
    assert fourth_bill(1, seed=3).pdf != fourth_bill(2, seed=3).pdf


def test_the_family_draws_every_locale_and_kind() -> None:
    bills = fourth_bills(120, seed=9)
    assert {b.choices["locale"] for b in bills} == {"US", "CA", "UK", "IE", "AU"}
    assert {b.choices["kind"] for b in bills} >= {
        "elec_flat",
        "elec_tou",
        "elec_solar",
        "gas",
        "dual",
        "water",
        "commercial",
    }
    assert any(b.truth.amount_due is not None and b.truth.amount_due < 0 for b in bills)
    assert any(b.truth.demand for b in bills)
    assert any(u.direction.value == "received" for b in bills for u in b.truth.usage)


@pytest.mark.parametrize("bill", BILLS, ids=lambda b: b.name)
def test_truth_reconciles(bill: WildBill) -> None:
    t = bill.truth
    assert t.line_items
    assert sum((item.amount for item in t.line_items), Decimal(0)) == t.total_amount
    assert t.previous_balance is not None and t.payments_and_credits is not None and t.amount_due is not None
    assert t.payments_and_credits >= 0
    assert t.previous_balance - t.payments_and_credits + (t.adjustments or 0) + t.total_amount == t.amount_due
    assert t.statement_date is not None and t.due_date is not None
    assert t.bill_period_start < t.bill_period_end < t.statement_date < t.due_date
    assert t.bill_period_end.year <= 2025
    for item in t.line_items:
        if item.quantity is not None:
            assert item.rate is not None and item.unit
            product = (item.quantity * item.rate).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
            assert product == abs(item.amount), item
    assert t.usage
    for read in t.usage:
        if read.start_read is None or read.end_read is None:
            continue
        product = (read.end_read - read.start_read) * (read.multiplier or 1) * (read.conversion_factor or 1)
        if read.conversion_factor is None:
            assert product == read.quantity, read
        else:  # billed units are printed rounded
            exponent = read.quantity.as_tuple().exponent
            assert isinstance(exponent, int)
            assert abs(product - read.quantity) <= Decimal(5).scaleb(exponent - 1), read
    if bill.choices["balance"] == "credit":
        assert t.amount_due < 0
    else:
        assert t.amount_due > 0


@pytest.mark.parametrize("bill", BILLS, ids=lambda b: b.name)
def test_every_choice_key_is_documented(bill: WildBill) -> None:
    assert set(bill.choices) <= set(CHOICE_KEYS)


@pytest.mark.parametrize("bill", BILLS, ids=lambda b: b.name)
def test_pdf_prints_the_truth(bill: WildBill) -> None:
    text = _text(bill)
    flat = " ".join(text.split())
    t = bill.truth
    for item in t.line_items:
        assert item.description in flat, item.description
        assert f"{abs(item.amount):,.2f}" in text, item
    assert t.provider in text
    assert t.account_number in text
    assert f"{abs(t.total_amount):,.2f}" in text
    assert t.amount_due is not None and f"{abs(t.amount_due):,.2f}" in text
    for line in (t.service_address or "").split(", "):
        assert line in flat
    for read in t.usage:
        assert read.meter_number is not None and read.meter_number in text
        assert f"{read.quantity:,}" in text or f"{read.quantity:,.0f}" in text, read
    for demand in t.demand:
        assert f"{demand.quantity:,} kW" in text
