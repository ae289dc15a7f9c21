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


def _left_to_the_viewer(pdf: bytes) -> bytes:
    """The form as a tool that fills in values without drawing them leaves it: no field has an appearance (`/AP`
    renamed, the same length, so the cross-reference table stays right)."""
    assert pdf.count(b"/AP <<") == len(ROWS)
    return pdf.replace(b"/AP <<", b"/XP <<")


def _refilled(pdf: bytes, *, need_appearances: bool) -> bytes:
    """The form with the account field's value changed and its drawing not (pypdf's recipe for years); with
    `need_appearances`, the form says so (`/NeedAppearances true`, in place of its default appearance of the same
    length), and a viewer draws the fields from their values."""
    refilled = pdf.replace(b"/V (4410-2287-09)", b"/V (5510-2287-09)")
    if need_appearances:
        refilled = refilled.replace(b"/DA (/Helv 0 Tf 0 g) /DR", b"/NeedAppearances true/DR")
    assert len(refilled) == len(pdf) and refilled.count(b"5510-2287-09") == 1
    return refilled


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


@pytest.mark.parametrize("flags", ["hidden", "noview"])
def test_a_hidden_fields_value_is_not_read(flags: str) -> None:
    """What the page shows: a field flagged hidden, or neither viewed nor printed (a form's helper field), draws
    nothing, so nothing of it is read. pdfium's flattening for the screen drew `noview` fields."""
    for pdf in (form_bill(flags=flags), _left_to_the_viewer(form_bill(flags=flags))):
        with pytest.raises(RejectedInput) as caught:
            extract_bill(pdf, ocr="off")
        assert caught.value.reason_code == "unrecognized_bill"
        assert PdfTextReader("inline").read(pdf).text.count("4410") == 0


def test_a_field_printed_but_not_viewed_is_read() -> None:
    """`noview` with `print`: on the paper bill, so on the bill."""
    assert PdfTextReader("inline").read(form_bill(flags="noview print")).text.count("4410-2287-09") == 1


def links_only_pdf() -> bytes:
    """A page whose one annotation is a link, as most e-bills have."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(612, 792))
    canvas.drawString(72, 700, "Pay online at maplecreek.test")
    canvas.linkURL("https://maplecreek.test", (72, 696, 240, 710))
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def calls_to(monkeypatch: pytest.MonkeyPatch, name: str) -> list[Any]:
    """The first argument of each call made to pdfium's function `name` from now on."""
    calls: list[Any] = []
    original: Callable[..., Any] = getattr(pdf_worker.pdfium_c, name)

    def counted(*args: Any) -> Any:
        calls.append(args[0])
        return original(*args)

    monkeypatch.setattr(pdf_worker.pdfium_c, name, counted)
    return calls


def test_a_page_whose_only_annotations_are_links_is_read_as_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Links draw nothing: such a page (most e-bills have one) costs no flattening and reading it again."""
    flattened = calls_to(monkeypatch, "FPDFPage_Flatten")

    assert PdfTextReader("inline").read(links_only_pdf()).text == "Pay online at maplecreek.test"
    assert flattened == []
    assert "4410-2287-09" in PdfTextReader("inline").read(form_bill(link=True)).text
    assert len(flattened) == 1


@pytest.mark.parametrize("isolation", ["process", "inline"])
def test_fields_the_file_leaves_for_the_viewer_to_draw_are_read(isolation: Isolation) -> None:
    """Without an appearance a field draws nothing when flattened; a viewer draws its value, and so does pdfium's
    form-fill environment. Refused before as `unrecognized_bill`."""
    reader = PdfTextReader(isolation)
    try:
        result = extract_bill(_left_to_the_viewer(form_bill()), "form.pdf", pdf_reader=reader, ocr="off")
    finally:
        reader.close()

    assert result.status is BillStatus.OK and result.bill is not None
    assert (result.bill.account_number, str(result.bill.amount_due)) == ("4410-2287-09", "70.00")
    box = result.bill.provenance["account_number"].bbox
    assert box is not None and FIELD_LEFT <= box[0] < box[2] <= FIELD_LEFT + FIELD_WIDTH


@pytest.mark.parametrize(("need_appearances", "account"), [(True, "5510-2287-09"), (False, "4410-2287-09")])
def test_a_refilled_field_reads_as_a_viewer_shows_it(need_appearances: bool, account: str) -> None:
    """Marked `/NeedAppearances`, the form is drawn from its values, not from the drawings it holds (those show the
    value before, `4410-...`); unmarked, a viewer shows the drawing, and so is it read."""
    result = extract_bill(_refilled(form_bill(), need_appearances=need_appearances), ocr="off")

    assert result.status is BillStatus.OK and result.bill is not None
    assert result.bill.account_number == account


def test_a_bill_without_a_form_starts_no_form_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The usual bill pays one call for forms (is there one?), not pdfium's form-fill environment."""
    started = calls_to(monkeypatch, "FPDFDOC_InitFormFillEnvironment")

    assert PdfTextReader("inline").read(links_only_pdf()).text == "Pay online at maplecreek.test"
    assert started == []
    assert "4410-2287-09" in PdfTextReader("inline").read(form_bill()).text
    assert len(started) == 1
