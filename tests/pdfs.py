"""Hand-built PDFs for tests that need exact objects (hostile structures, custom fonts and ToUnicode maps),
and checks shared by the tests of the bill generators."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import pypdfium2 as pdfium
from reportlab.pdfgen.canvas import Canvas

from common.connectors.billgen.wild import WildBill
from common.connectors.sandbox_bills import make_sandbox_bill, render_bill_pdf
from common.extraction.bill_audits import audit_bill
from common.models import NormalizedBill, Severity


def merged(*pdfs: bytes) -> bytes:
    """One file of the pages of `pdfs`, in order."""
    return spliced(*((pdf, None) for pdf in pdfs))


def spliced(*parts: tuple[bytes, list[int] | None]) -> bytes:
    """One file of the given pages (0-based; None: all) of each PDF, in order."""
    document = pdfium.PdfDocument.new()
    try:
        for pdf, pages in parts:
            source = pdfium.PdfDocument(pdf)
            document.import_pages(source, pages)
            source.close()
        return _saved(document)
    finally:
        document.close()


def stamped_across(pdf: bytes, text: str, pages: list[int] | None = None, degrees: float = 40) -> bytes:
    """`pdf` with `text` across the middle of each of `pages` (0-based; None: all) in pale 100-point type, turned
    `degrees`: a stamp drawn as a stamping tool draws one, a page of its own laid over the bill's (a form XObject)."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    canvas.setFillGray(0.85)
    canvas.translate(306, 396)
    canvas.rotate(degrees)
    canvas.setFont("Helvetica-Bold", 100)
    canvas.drawCentredString(0, 0, text)
    canvas.save()
    document, stamp = pdfium.PdfDocument(pdf), pdfium.PdfDocument(buffer.getvalue())
    try:
        for index in range(len(document)) if pages is None else pages:
            page = document[index]
            page.insert_obj(stamp.page_as_xobject(0, document).as_pageobject())
            page.gen_content()
        return _saved(document)
    finally:
        stamp.close()
        document.close()


def _saved(document: pdfium.PdfDocument) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def months_of_one_account(count: int, account: str = "G-77") -> list[NormalizedBill]:
    """`count` consecutive monthly sandbox bills of one account, from January 2025."""
    address = "9 Elm St, Springfield, IL 62701"
    starts = [date(2025, 1, 3) + timedelta(days=30 * month) for month in range(count)]
    return [
        make_sandbox_bill("Sandbox Electric", account, address, start, start + timedelta(29), seed=month)
        for month, start in enumerate(starts)
    ]


def statements_file(bills: list[NormalizedBill], layout: str = "default") -> bytes:
    """The bills rendered one after the other into one file, as a utility's download of several months."""
    return merged(*(render_bill_pdf(bill, layout=layout) for bill in bills))


def build_pdf(objects: list[bytes]) -> bytes:
    """A syntactically valid PDF from object bodies (object 1 is the catalog), with a correct xref table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def pdf_stream(data: bytes, keys: bytes = b"") -> bytes:
    """A stream object's body: `data`, its length and further dictionary `keys` (` /Filter /FlateDecode`)."""
    return b"<< /Length %d%s >>\nstream\n" % (len(data), keys) + data + b"\nendstream"


def one_page_pdf(content: bytes, resources: bytes = b"", *objects: bytes, content_keys: bytes = b"") -> bytes:
    """A letter page drawing `content` (its stream's further keys `content_keys`), with `resources` in its
    /Resources (`/Font << /F1 5 0 R >>`) and `objects` numbered from 5."""
    resources_entry = b" /Resources << " + resources + b" >>" if resources else b""
    return build_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R" + resources_entry + b" >>",
            pdf_stream(content, content_keys),
            *objects,
        ]
    )


GLYPH_NUMBER_LINES = ("Account Number: 1234-5678", "Amount Due $50.00", "Billing Period: 01/06/2025 - 02/05/2025")


def glyph_numbers_pdf() -> bytes:
    """A bill's lines in a Type0 font with Identity-H and no ToUnicode map, as some billing systems embed
    subset fonts: pdfium can give only glyph numbers, most of them control characters (`1234` comes out as
    `\x14\x15\x16\x17`). The glyph numbers here are a TrueType font's for those letters."""
    content = b"BT /F1 12 Tf "
    for index, line in enumerate(GLYPH_NUMBER_LINES):
        glyphs = "".join(f"{ord(character) - 29:04X}" for character in line).encode()
        content += b"1 0 0 1 72 %d Tm <%s> Tj " % (700 - 20 * index, glyphs)
    content += b"ET"
    return one_page_pdf(
        content,
        b"/Font << /F1 5 0 R >>",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /ABCDEF+Arial /Encoding /Identity-H /DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /ABCDEF+Arial"
        b" /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 500 >>",
    )


def pdf_text(pdf: bytes) -> str:
    """Every page's raw pdfium text: what a generated page prints, read without the engine under test."""
    document = pdfium.PdfDocument(pdf)
    try:
        return " ".join(document[page].get_textpage().get_text_range() for page in range(len(document)))
    finally:
        document.close()


def assert_deterministic(draw: Callable[[int, int], WildBill], index: int, seed: int) -> None:
    """A generated bill is a function of (index, seed) alone, and another index or seed draws another."""
    first, again, other = draw(index, seed), draw(index, seed), draw(index + 1, seed)
    assert first.pdf == again.pdf
    assert first.truth == again.truth and first.choices == again.choices
    assert first.name == again.name != other.name
    assert first.pdf != other.pdf
    assert draw(index, seed + 1).pdf != first.pdf


def assert_truth_reconciles(bill: WildBill) -> None:
    """A generated bill's truth adds up: its items sum to the new charges, its summary balances where it
    prints one, and the audits find no error in it (so an audit failure on an extracted bill is a misread)."""
    truth = bill.truth
    assert sum((item.amount for item in truth.line_items), Decimal(0)) == truth.total_amount, bill.name
    if truth.previous_balance is not None and truth.payments_and_credits is not None:
        carried = truth.previous_balance - truth.payments_and_credits + (truth.adjustments or Decimal(0))
        assert carried + truth.total_amount == truth.amount_due, bill.name
    errors = [a.code for a in audit_bill(truth) if a.severity is Severity.ERROR]
    assert errors == [], (bill.name, errors)


def assert_truth_printed(bill: WildBill, extra: list[str] | None = None) -> None:
    """What a generated bill's truth names is on its page: provider, account, every line item's description,
    the meters' numbers, and whatever `extra` values the generator also promises to print."""
    truth = bill.truth
    text = " ".join(pdf_text(bill.pdf).split())
    printed = [truth.provider, truth.account_number, *(item.description for item in truth.line_items)]
    printed += [read.meter_number for read in truth.usage if read.meter_number]
    missing = [value for value in [*printed, *(extra or [])] if value not in text]
    assert missing == [], (bill.name, missing)
