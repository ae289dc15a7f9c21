"""Bills whose values are annotations: a utility's fillable PDF template filled in, text typed onto a PDF.

pdfium's text holds a page's content only; the reader draws a page's annotations into it first (as the page
shows them), so a filled form reads as the same bill printed.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from reportlab.lib.colors import white
from reportlab.pdfgen.canvas import Canvas

from common.errors import RejectedInput
from common.extraction.bills import pdf_worker
from common.extraction.bills.cascade import extract_bill
from common.extraction.bills.guard import Isolation, PdfTextReader
from common.models import BillStatus

ROWS = [
    ("Account Number", "4410-2287-09"),
    ("Service Address", "12 Birch Lane, Springfield, IL 62704"),
    ("Statement Date", "02/05/2026"),
    ("Billing Period", "01/01/2026 - 01/31/2026"),
    ("Due Date", "02/25/2026"),
    ("Previous Balance", "$64.10"),
    ("Payments Received", "-$64.10"),
    ("Total New Charges", "$70.00"),
    ("Amount Due", "$70.00"),
]
FIELD_LEFT, FIELD_WIDTH = 300, 240


def form_bill(*, flags: str = "print", link: bool = False) -> bytes:
    """A bill whose labels are printed and whose values are the text fields of a filled form (`flags`: the
    fields' annotation flags)."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(612, 792), invariant=1)
    canvas.setFont("Helvetica-Bold", 16)
    canvas.drawString(72, 740, "Maple Creek Power")
    canvas.setFont("Helvetica", 10)
    for number, (label, value) in enumerate(ROWS):
        y = 700 - 22 * number
        canvas.drawString(72, y, label)
        canvas.acroForm.textfield(
            name=f"field{number}",
            value=value,
            x=FIELD_LEFT,
            y=y - 4,
            width=FIELD_WIDTH,
            height=16,
            borderWidth=0,
            fillColor=white,
            fontName="Helvetica",
            fontSize=10,
            annotationFlags=flags,
        )
    if link:
        canvas.drawString(72, 450, "Pay online at maplecreek.test")
        canvas.linkURL("https://maplecreek.test", (72, 446, 240, 460))
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


@pytest.mark.parametrize("isolation", ["process", "inline"])
def test_a_filled_forms_values_are_read_where_the_page_shows_them(isolation: Isolation) -> None:
    """Refused before as `unrecognized_bill`: the text layer held the labels alone."""
    reader = PdfTextReader(isolation)
    try:
        document = reader.read(form_bill())
        result = extract_bill(form_bill(), "form.pdf", pdf_reader=reader, ocr="off")
    finally:
        reader.close()

    assert [line.text for line in document.lines[1 : 1 + len(ROWS)]] == [f"{label}\t{value}" for label, value in ROWS]
    assert result.status is BillStatus.OK and result.bill is not None
    bill = result.bill
    assert (bill.account_number, bill.service_address) == ("4410-2287-09", "12 Birch Lane, Springfield, IL 62704")
    assert (str(bill.bill_period_start), str(bill.bill_period_end), str(bill.due_date)) == (
        "2026-01-01",
        "2026-01-31",
        "2026-02-25",
    )
    assert (str(bill.total_amount), str(bill.amount_due), str(bill.previous_balance)) == ("70.00", "70.00", "64.10")
    box = bill.provenance["account_number"].bbox
    assert box is not None and FIELD_LEFT <= box[0] < box[2] <= FIELD_LEFT + FIELD_WIDTH  # inside its field


def test_a_hidden_fields_value_is_not_read() -> None:
    """What the page shows: a field flagged hidden draws nothing, so nothing of it is read."""
    with pytest.raises(RejectedInput) as caught:
        extract_bill(form_bill(flags="hidden"), ocr="off")
    assert caught.value.reason_code == "unrecognized_bill"
    assert PdfTextReader("inline").read(form_bill(flags="hidden")).text.count("4410") == 0


def test_a_page_whose_only_annotations_are_links_is_read_as_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Links draw nothing: such a page (most e-bills have one) costs no flattening and reading it again."""
    flattened: list[Any] = []
    flatten: Callable[..., int] = pdf_worker.pdfium_c.FPDFPage_Flatten

    def counted(page: Any, mode: int) -> int:
        flattened.append(page)
        return flatten(page, mode)

    monkeypatch.setattr(pdf_worker.pdfium_c, "FPDFPage_Flatten", counted)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(612, 792))
    canvas.drawString(72, 700, "Pay online at maplecreek.test")
    canvas.linkURL("https://maplecreek.test", (72, 696, 240, 710))
    canvas.showPage()
    canvas.save()

    assert PdfTextReader("inline").read(buffer.getvalue()).text == "Pay online at maplecreek.test"
    assert flattened == []
    assert "4410-2287-09" in PdfTextReader("inline").read(form_bill(link=True)).text
    assert len(flattened) == 1
