"""A bill printed by a browser: tests/data/pdf/browser-cards-bill.pdf is Chromium's print of the HTML beside it
(bench/extract/browser.py's `cards` layout of a corpus bill). Skia, Chromium's PDF backend, draws no space glyphs
and places glyphs one by one; the page's headings are upper-cased and letter-spaced by CSS, which pdfium reads as
`C U RRE N T C H AR G E S` (its own spaces between letters). Before, no charges heading was found in that, and the
bill loaded as ok without a line item (its account summary confirmed the total)."""

from __future__ import annotations

from pathlib import Path

import pypdfium2
import pytest

from common.extraction.bills.cascade import extract_bill
from common.extraction.bills.guard import Isolation, PdfTextReader
from common.models import BillStatus

BILL = Path(__file__).parents[1] / "data" / "pdf" / "browser-cards-bill.pdf"


def test_pdfium_spaces_the_letter_spaced_headings_apart() -> None:
    """What the file holds (so that the test below tests the joining, not a file that lost its spacing)."""
    document = pypdfium2.PdfDocument(BILL.read_bytes())
    try:
        text = document[0].get_textpage().get_text_range()
    finally:
        document.close()
    assert "C U RRE N T C H AR G E S" in text and "METER REA D I N G S" in text


@pytest.mark.parametrize("isolation", ["process", "inline"])
def test_a_bill_printed_by_a_browser_reads_whole(isolation: Isolation) -> None:
    reader = PdfTextReader(isolation)
    try:
        lines = [line.text for line in reader.read(BILL.read_bytes()).lines]
        result = extract_bill(BILL.read_bytes(), BILL.name, pdf_reader=reader, templates=(), ocr="off")
    finally:
        reader.close()

    assert {"ACCOUNT SUMMARY", "CURRENT CHARGES", "METER READINGS"} <= set(lines)
    assert result.status is BillStatus.OK and result.bill is not None
    bill = result.bill
    assert (bill.provider, bill.account_number, bill.service_address) == (
        "Harborview Power & Light",
        "559331266",
        "1898 River Way, Lakeport, MI 48059",
    )
    assert (str(bill.bill_period_start), str(bill.bill_period_end), str(bill.due_date)) == (
        "2025-01-08",
        "2025-02-08",
        "2025-02-26",
    )
    assert [(item.description, str(item.amount)) for item in bill.line_items] == [
        ("Basic Charge", "10.70"),
        ("Energy Charge", "56.56"),
        ("Delivery Charge", "21.13"),
        ("State Utility Tax", "4.51"),
    ]
    assert [(str(item.quantity), item.unit, str(item.rate)) for item in bill.line_items[1:3]] == [
        ("374", "kWh", "0.15122"),
        ("374", "kWh", "0.05649"),
    ]
    assert [
        (read.meter_number, str(read.start_read), str(read.end_read), str(read.quantity)) for read in bill.usage
    ] == [("31088472", "31908", "32282", "374")]
