"""Hostile and broken PDFs: each gets a stable reason code, in bounded time and memory, and never takes
the caller down (pdfium runs in a resource-limited worker process)."""

from __future__ import annotations

import base64
import json
import re
import resource
import time
import zlib
from collections.abc import Callable, Iterator

import pytest
from pdfs import build_pdf, glyph_numbers_pdf, one_page_pdf, pdf_stream, pdf_text

from common.connectors.sandbox_bills import make_sandbox_bill, render_bill_pdf
from common.errors import RejectedInput
from common.extraction.bills.cascade import UNDECODED_SHARE, _undecoded_text, extract_bill
from common.extraction.bills.guard import MAX_FILE_BYTES, Isolation, PdfTextReader
from common.extraction.bills.layout import Word, build_document
from common.extraction.dispatch import extract_file
from common.models import ArtifactKind, BillStatus, ExtractionStatus, Severity

TIME_LIMIT_S = 2.0  # the worker's deadline in these tests
WALL_BUDGET_S = 6.0  # reading any hostile file, including a worker restart, stays under this


def one_page(content: bytes, *, compress: bool = True) -> bytes:
    raw = zlib.compress(content, 9) if compress else content
    flate = b" /Filter /FlateDecode" if compress else b""
    helvetica = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    return one_page_pdf(raw, b"/Font << /F1 5 0 R >>", helvetica, content_keys=flate)


def compression_bomb(megabytes: int) -> bytes:
    """About 1 KB of deflate per MB of output: a 64 KB file that inflates to 64 MB."""
    deflate = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    raw = b"".join(deflate.compress(chunk) for _ in range(megabytes)) + deflate.flush()
    return one_page_pdf(raw, content_keys=b" /Filter /FlateDecode")


def deeply_nested(depth: int) -> bytes:
    return build_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R /Deep " + b"[" * depth + b"]" * depth + b" >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        ]
    )


def text_flood(runs: int) -> bytes:
    """A few MB of content that pdfium turns into millions of characters (and a GB of memory)."""
    return one_page(b"BT /F1 1 Tf " + b"(abcdefghij) Tj " * runs + b"ET")


def real_bill() -> bytes:
    from datetime import date

    bill = make_sandbox_bill("Sandbox Electric", "H-1", "1 Main St", date(2026, 1, 1), date(2026, 1, 31), seed=5)
    return render_bill_pdf(bill)


def with_pages_blanked(pdf: bytes, *pages: int) -> bytes:
    """The PDF with the objects of its page tree's `pages` (1-based) made `null`, every offset kept: pdfium counts
    those pages and cannot load them."""
    kids = re.search(rb"/Kids\s*\[([^\]]*)\]", pdf)
    assert kids is not None
    numbers = re.findall(rb"(\d+)\s+0\s+R", kids.group(1))
    for page in pages:
        header = b"%s 0 obj" % numbers[page - 1]
        found = re.search(rb"(?<!\d)" + header, pdf)
        assert found is not None
        end = pdf.index(b"endobj", found.start())
        pdf = pdf[: found.end()] + b"null\n".rjust(end - found.end()) + pdf[end:]
    return pdf


def with_stream_damaged(pdf: bytes, index: int, at: float) -> tuple[bytes, int]:
    """The PDF with one digit of its `index`-th ASCII85-over-Flate stream, `at` that fraction into it, made the next
    digit (still ASCII85: only the Flate layer's codes or checksum tell), as a bad disk or transfer leaves it; and
    the stream's object number."""
    streams = list(
        re.finditer(rb"(\d+) 0 obj\s*<<[^>]*/ASCII85Decode /FlateDecode[^>]*>>\s*stream\r?\n(.*?)~>", pdf, re.S)
    )
    start, end = streams[index].span(2)
    place = start + int((end - start) * at)
    while pdf[place] in b" \r\n":
        place += 1
    damaged = bytes([33 + (pdf[place] - 33 + 1) % 85])
    return pdf[:place] + damaged + pdf[place + 1 :], int(streams[index].group(1))


@pytest.fixture(scope="module")
def reader() -> Iterator[PdfTextReader]:
    guarded = PdfTextReader("process", timeout_s=TIME_LIMIT_S, memory_bytes=768 * 1024 * 1024)
    try:
        yield guarded
    finally:
        guarded.close()


def reason(reader: PdfTextReader, data: bytes) -> tuple[str, float]:
    started = time.monotonic()
    with pytest.raises(RejectedInput) as caught:
        reader.read(data, "hostile.pdf")
    return caught.value.reason_code, time.monotonic() - started


HOSTILE: dict[str, tuple[Callable[[], bytes], set[str]]] = {
    "zero_bytes": (lambda: b"", {"empty_file"}),
    "not_a_pdf": (lambda: b"GIF89a" + b"\x00" * 500, {"not_a_pdf"}),
    "html_with_pdf_words": (lambda: b"<html>%%EOF</html>", {"not_a_pdf"}),
    "truncated": (lambda: real_bill()[: len(real_bill()) // 2], {"corrupt_pdf"}),
    "garbage_between_markers": (lambda: b"%PDF-1.7\n" + b"\x00garbage" * 200 + b"\n%%EOF\n", {"corrupt_pdf"}),
    "oversized": (lambda: b"%PDF-1.7\n" + b" " * MAX_FILE_BYTES + b"\n%%EOF\n", {"file_too_large"}),
    "compression_bomb_64mb": (lambda: compression_bomb(64), {"compressed_bomb"}),
    "deeply_nested_100k": (lambda: deeply_nested(100_000), {"pdf_too_deeply_nested"}),
    # Small enough to pass the byte checks, big enough to blow the worker's time or memory limit.
    "text_flood": (lambda: text_flood(600_000), {"pdf_timeout", "pdf_resource_limit"}),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_pdf_gets_a_reason_code_in_bounded_time(reader: PdfTextReader, case: str) -> None:
    make, codes = HOSTILE[case]
    code, elapsed = reason(reader, make())
    assert code in codes
    assert elapsed < WALL_BUDGET_S


def test_a_word_of_strings_each_drawn_over_the_last_is_read_in_bounded_time() -> None:
    """40,000 one-letter strings, each drawn 4 points back inside the one before: pdfium gives one word (up to its
    limit), which is cut at every string, and the row of tens of thousands of strings drawn over one another is
    regrouped once per string, not once per pair (800 million pairs). Read whole, in 1.3-1.8 s here, so the
    worker is given the wall budget as its deadline: under the other tests' 2 s it timed out when the machine was
    busy."""
    strings = b"".join(b"(%c) Tj 2.5 0 Td " % (ord("A") + index % 26) for index in range(40_000))
    patient = PdfTextReader("process", timeout_s=WALL_BUDGET_S, memory_bytes=768 * 1024 * 1024)
    try:
        started = time.monotonic()
        document = patient.read(one_page(b"BT /F1 10 Tf 72 700 Td " + strings + b"ET"), "hostile.pdf")
        assert time.monotonic() - started < WALL_BUDGET_S
    finally:
        patient.close()
    (line,) = document.lines
    assert len(line.segments) > 30_000 and line.text.startswith("A\tB\tC")


def test_the_worker_survives_hostile_files_and_keeps_reading_bills(reader: PdfTextReader) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    reason(reader, text_flood(600_000))  # kills the worker
    document = reader.read(real_bill())  # a fresh worker reads the next file
    assert any("Sandbox Electric" in line.text for line in document.lines)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 100, "the hostile file's memory was spent in the worker, not here"


def test_encrypted_pdf_is_rejected(reader: PdfTextReader) -> None:
    import io

    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer, encrypt=StandardEncryption("user-secret", ownerPassword="owner"))
    canvas.drawString(72, 700, "Account Number: 1234")
    canvas.showPage()
    canvas.save()
    assert reason(reader, buffer.getvalue())[0] == "encrypted_pdf"


def test_inline_reader_applies_the_same_byte_checks() -> None:
    inline = PdfTextReader("inline")
    with pytest.raises(RejectedInput) as caught:
        inline.read(compression_bomb(40))
    assert caught.value.reason_code == "compressed_bomb"


def test_a_scan_without_text_is_needs_review_not_rejected() -> None:
    blank_scan = one_page(b"0 0 0 rg 72 400 300 200 re f", compress=False)  # shapes only, like an image

    result = extract_file(blank_scan, "scan.pdf")

    assert result.kind is ArtifactKind.BILL_PDF
    assert result.status is ExtractionStatus.NEEDS_REVIEW
    assert result.bill is None
    # OCR was asked and found no word on the page
    assert [(a.code, a.severity, a.details.get("cause")) for a in result.audits] == [
        ("no_text_layer", Severity.ERROR, None),
        ("ocr_failed", Severity.WARNING, "no_words"),
    ]


def test_a_text_layer_of_glyph_numbers_is_needs_review_not_rejected() -> None:
    """Without a Unicode map, pdfium gives glyph numbers: the file may well be a bill, so it is not refused as
    `unrecognized_bill` but goes to review with the reason, as a scan does."""
    pdf = glyph_numbers_pdf()
    assert "\x14\x15\x16\x17" in pdf_text(pdf)  # `1234`, as glyph numbers

    result = extract_file(pdf, "statement.pdf")

    assert result.kind is ArtifactKind.BILL_PDF
    assert result.status is ExtractionStatus.NEEDS_REVIEW
    assert result.bill is None
    audit, ocr = result.audits
    assert audit.code == "unreadable_text_layer" and audit.severity is Severity.ERROR
    # pdfium draws the unembedded font's glyph numbers in a stand-in font: OCR reads no bill in what it draws
    assert (ocr.code, ocr.details) == ("ocr_failed", {"cause": "unrecognized_bill"})
    assert audit.message.startswith("the PDF's text layer does not decode (statement.pdf): ")
    assert audit.details["undecoded_characters"] >= UNDECODED_SHARE * audit.details["characters"] > 0


@pytest.mark.parametrize(("undecoded", "unreadable"), [(0, False), (24, False), (25, True), (60, True)])
def test_a_quarter_of_undecoded_characters_makes_a_text_layer_unreadable(undecoded: int, unreadable: bool) -> None:
    """Of 100 visible characters; a few icons from a symbol font (private use) are a page's own."""
    icons = "\ue001" * (undecoded // 2) + "\x14" * (undecoded - undecoded // 2)
    text = icons + "a" * (100 - undecoded)
    words: list[Word] = [
        (text[i : i + 10], 72.0 + 60 * (i // 10), 700.0, 120.0 + 60 * (i // 10), 710.0) for i in range(0, 100, 10)
    ]
    audit = _undecoded_text(build_document([words], 1), "")
    assert (audit is not None) is unreadable
    if audit is not None:
        assert audit.details == {"undecoded_characters": undecoded, "characters": 100}


def test_the_worker_and_the_inline_reader_read_the_same_document(reader: PdfTextReader) -> None:
    from common.connectors.billgen import ALL_PROVIDERS, corpus_bill

    inline = PdfTextReader("inline")
    for provider in ALL_PROVIDERS:
        pdf = corpus_bill(provider, 3).pdf
        assert reader.read(pdf) == inline.read(pdf), provider.id  # words, boxes and lines, exactly


def test_a_worker_reply_whose_frames_disagree_is_refused() -> None:
    from common.extraction.bills import pdf_worker
    from common.extraction.bills.guard import decode_pages

    limits = {"max_pages": 5, "max_chars_per_page": 50_000}
    pages, _, joined, cut, unreadable, set_aside = pdf_worker.read_words(real_bill(), **limits)
    header_bytes, boxes = pdf_worker.encode_columns(*pdf_worker.read_columns(real_bill(), **limits))
    header = json.loads(header_bytes)
    assert decode_pages(header, boxes) == (pages, joined, cut, unreadable, set_aside) and cut == unreadable == []
    assert set_aside == [[] for _ in pages]

    with pytest.raises(ValueError):
        decode_pages(header, boxes[:-4])  # one coordinate short
    with pytest.raises(ValueError):
        decode_pages({**header, "words_per_page": [len(pages[0]) + 1]}, boxes)
    with pytest.raises(ValueError):
        decode_pages({**header, "words": header["words"] + "\nextra"}, boxes)
    # Joined words a page does not have, or not said for every page, or not said at all.
    others: list[list[int]] = [[] for _ in pages[1:]]
    for joined_per_page in ([[len(pages[0])], *others], [[-1], *others], [[0], *others, [0]], [], [["x"], *others]):
        with pytest.raises(ValueError):
            decode_pages({**header, "joined_per_page": joined_per_page}, boxes)
    for malformed in ([None, *others], None):
        with pytest.raises(ValueError):
            decode_pages({**header, "joined_per_page": malformed}, boxes)
    with pytest.raises(ValueError):
        decode_pages({key: value for key, value in header.items() if key != "joined_per_page"}, boxes)
    last = len(pages[0]) - 1
    assert decode_pages({**header, "joined_per_page": [[0, last], *others]}, boxes)[1] == [[0, last], *others]
    # Cut pages it did not read, out of order, twice, or not said at all.
    for cut_pages in ([0], [len(pages) + 1], [2, 1], [1, 1], [None], None, ["x"]):
        with pytest.raises(ValueError):
            decode_pages({**header, "cut_pages": cut_pages}, boxes)
    with pytest.raises(ValueError):
        decode_pages({key: value for key, value in header.items() if key != "cut_pages"}, boxes)
    assert decode_pages({**header, "cut_pages": [1, len(pages)]}, boxes)[2] == [1, len(pages)]
    # Unreadable pages it did not read, out of order, twice, not said at all, or with words.
    for unreadable_pages in ([0], [len(pages) + 1], [2, 1], [1, 1], [None], None, ["x"], [1]):
        with pytest.raises(ValueError):
            decode_pages({**header, "unreadable_pages": unreadable_pages}, boxes)
    with pytest.raises(ValueError):
        decode_pages({key: value for key, value in header.items() if key != "unreadable_pages"}, boxes)
    # Words set aside not said for every page, or not said at all.
    for set_aside_per_page in ([], [*set_aside, []], None, [None, *set_aside[1:]]):
        with pytest.raises(ValueError):
            decode_pages({**header, "set_aside_per_page": set_aside_per_page}, boxes)
    with pytest.raises(ValueError):
        decode_pages({key: value for key, value in header.items() if key != "set_aside_per_page"}, boxes)
    stamped = [["VOID"], *set_aside[1:]]
    assert decode_pages({**header, "set_aside_per_page": stamped}, boxes)[4] == stamped
    without_first = {
        **header,
        "words_per_page": [0, *header["words_per_page"][1:]],
        "words": "\n".join(header["words"].split("\n")[len(pages[0]) :]),
        "joined_per_page": [[], *header["joined_per_page"][1:]],
    }
    boxes_after_first = boxes[16 * len(pages[0]) :]
    for cut_too, set_aside_too in (([1], []), ([], ["VOID"]), ([], [])):
        readable = {
            **without_first,
            "unreadable_pages": [1],
            "cut_pages": cut_too,
            "set_aside_per_page": [set_aside_too, *set_aside[1:]],
        }
        if cut_too or set_aside_too:  # a page it could not load was not cut, and had nothing set aside
            with pytest.raises(ValueError):
                decode_pages(readable, boxes_after_first)
        else:
            assert decode_pages(readable, boxes_after_first) == ([[], *pages[1:]], joined, [], [1], set_aside)


@pytest.mark.parametrize("isolation", ["process", "inline"])
def test_a_page_past_the_character_limit_is_read_up_to_it_and_named(isolation: Isolation) -> None:
    """The reader reads MAX_CHARS_PER_PAGE characters of a page (a bill's holds a few thousand); a page with more is
    read up to there and named, so a bill whose values may lie past the cut goes to review."""
    bill = real_bill()
    short = PdfTextReader(isolation, max_chars_per_page=300)
    try:
        document = short.read(bill)
        result = extract_bill(bill, pdf_reader=short, ocr="off")
    finally:
        short.close()

    whole = PdfTextReader("inline").read(bill)
    assert document.cut_pages == [1, 2] and whole.cut_pages == []  # both of the bill's pages hold over 300
    assert document.page_range(2, 2).cut_pages == [1] and document.without_pages([1]).cut_pages == [2]
    assert document.with_pages(whole, [2]).cut_pages == [1]  # a page read again whole is whole
    assert 0 < len(document.text) < len(whole.text) and whole.text.startswith(document.text[:100])
    assert result.status is BillStatus.NEEDS_REVIEW
    [cut] = [audit for audit in result.audits if audit.code == "page_text_cut"]
    assert (cut.severity, cut.details) == (Severity.ERROR, {"pages": [1, 2]})


@pytest.mark.parametrize("isolation", ["process", "inline"])
@pytest.mark.parametrize("blanked", [1, 2])
def test_a_page_pdfium_cannot_load_is_named_and_the_others_are_read(isolation: Isolation, blanked: int) -> None:
    """A page tree naming an object that is no page: the file is read but for that page, and goes to review with
    page_unreadable (a person finds the rest in the original). It was refused whole as corrupt_pdf."""
    bill = real_bill()
    damaged = with_pages_blanked(bill, blanked)
    pdf_reader = PdfTextReader(isolation)
    try:
        document = pdf_reader.read(damaged)
        result = extract_bill(damaged, pdf_reader=pdf_reader)  # OCR on: no page is rendered, none asked to be
    finally:
        pdf_reader.close()

    whole = PdfTextReader("inline").read(bill)
    kept = 3 - blanked
    assert document.page_count == 2 and document.unreadable_pages == [blanked]
    assert [line for line in document.lines if line.page == blanked] == []
    assert [line for line in document.lines if line.page == kept] == [line for line in whole.lines if line.page == kept]
    assert document.page_range(blanked, blanked).unreadable_pages == [1]
    assert document.page_range(kept, kept).unreadable_pages == document.without_pages([blanked]).unreadable_pages == []
    assert document.with_pages(whole, [kept]).unreadable_pages == [blanked]

    assert result.status is BillStatus.NEEDS_REVIEW
    errors = [audit for audit in result.audits if audit.severity is Severity.ERROR]
    assert (errors[0].code, errors[0].details) == ("page_unreadable", {"pages": [blanked]})
    assert (
        errors[0].message
        == f"page(s) {blanked} cannot be read (the PDF is damaged there): what they hold is missing here"
    )
    assert not any(audit.code.startswith("ocr") for audit in result.audits)
    if blanked == 2:  # the charges page: page 1's values are kept for the reviewer, none of page 2's
        assert [audit.code for audit in errors] == ["page_unreadable"]
        assert result.bill is not None and result.bill.account_number == "H-1" and result.bill.line_items == []
        read_whole = extract_bill(bill, ocr="off").bill
        assert read_whole is not None and result.bill.total_amount == read_whole.total_amount


def test_a_pdf_none_of_whose_pages_loads_is_refused(reader: PdfTextReader) -> None:
    assert reason(reader, with_pages_blanked(real_bill(), 1, 2))[0] == "corrupt_pdf"
    with pytest.raises(RejectedInput, match=r"^no page can be read \(bill.pdf\)$"):
        PdfTextReader("inline").read(with_pages_blanked(real_bill(), 1, 2), "bill.pdf")


def cover_letter() -> bytes:
    """Two pages of text that are no bill (reportlab's streams: ASCII85 over Flate)."""
    import io

    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    for text in ("Dear customer, your statement for this month follows on the next page.", "Page two"):
        canvas.drawString(72, 700, text)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


@pytest.mark.parametrize("damage", ["page", "stream"])
def test_a_damaged_pdf_whose_readable_text_holds_no_bill_is_refused_as_damaged(damage: str) -> None:
    """A cover letter that reads and a page, or a stream, that does not: the bill may be there, so the file is
    refused as damaged (corrupt_pdf), not as one that holds no bill (unrecognized_bill)."""
    letter = cover_letter()
    with pytest.raises(RejectedInput) as undamaged:
        extract_bill(letter, "letter.pdf", ocr="off")
    assert undamaged.value.reason_code == "unrecognized_bill"

    if damage == "page":
        damaged, expected = with_pages_blanked(letter, 2), "page(s) 2 (letter.pdf) cannot be read (the PDF is damaged "
        expected += "there), and the others hold no bill"
    else:
        (damaged, number), expected = with_stream_damaged(letter, 1, 0.5), "the PDF (letter.pdf) is damaged (the "
        expected += f"streams of object(s) {number} do not decode whole), and what can be read holds no bill"
    with pytest.raises(RejectedInput) as caught:
        extract_bill(damaged, "letter.pdf", ocr="off")
    assert (caught.value.reason_code, caught.value.message) == ("corrupt_pdf", expected)


def test_a_scan_with_a_page_that_does_not_load_is_read_by_ocr_on_the_others() -> None:
    """No text layer: OCR renders the pages pdfium can load and only those (rendering the other fails), and the bill
    goes to review with both reasons."""
    from common.connectors.billgen.scan import scanned

    result = extract_bill(with_pages_blanked(scanned(real_bill(), dpi=150), 2), "scan.pdf")

    assert result.status is BillStatus.NEEDS_REVIEW and result.method.startswith("ocr:tesseract")
    assert result.bill is not None and result.bill.account_number == "H-1"
    codes = [audit.code for audit in result.audits]
    assert codes[:3] == ["no_text_layer", "page_unreadable", "read_by_ocr"] and "ocr_failed" not in codes
    [read_by_ocr] = [audit for audit in result.audits if audit.code == "read_by_ocr"]
    assert read_by_ocr.details["page_numbers"] == [1]


def test_a_stamped_scan_with_a_page_that_does_not_load_names_both_with_ocr_off() -> None:
    """A scanner's stamp on the page that loads, the other damaged: with OCR off a person reads the scan, and is told
    of the page that is missing."""
    from common.connectors.billgen.scan import scanned, stamped

    scan = with_pages_blanked(stamped(scanned(real_bill(), dpi=100), "Scanned by OfficeJet 4650"), 2)

    result = extract_bill(scan, "scan.pdf", ocr="off")

    assert result.status is BillStatus.NEEDS_REVIEW and result.bill is None
    assert [(audit.code, audit.details["pages"]) for audit in result.audits] == [
        ("scanned_pages", [1]),
        ("page_unreadable", [2]),
    ]


@pytest.mark.parametrize(("stream", "at", "read_before"), [(0, 0.6, "no meter"), (1, 0.3, "no charges")])
def test_a_damaged_stream_is_named_and_the_bill_goes_to_review(stream: int, at: float, read_before: str) -> None:
    """pdfium draws a Flate stream up to where it stops decoding, without a word: the bill lost its meter, or every
    charge, and loaded as ok (`read_before`). The byte checks inflate every stream pdfium reads text from, and a
    stream that does not decode whole sends the bill to review."""
    damaged, number = with_stream_damaged(real_bill(), stream, at)

    result = extract_bill(damaged, "bill.pdf", ocr="off")

    assert PdfTextReader("inline").read(real_bill()).damaged_streams == []
    assert result.status is BillStatus.NEEDS_REVIEW and result.bill is not None
    [audit] = [audit for audit in result.audits if audit.severity is Severity.ERROR]
    assert (audit.code, audit.details) == ("damaged_streams", {"objects": [number], "count": 1})
    assert audit.message == (
        f"the PDF is damaged: its stream(s) of object(s) {number} do not decode whole, so text drawn from them may be "
        "missing or wrong"
    )
    lost = result.bill.usage if read_before == "no meter" else result.bill.line_items
    assert lost == []  # what the page lost is not made up; the reviewer has the original


def test_an_audit_names_twenty_damaged_streams_and_counts_the_rest() -> None:
    """A hostile file may hold hundreds of thousands of broken streams: the audit stays small."""
    junk = b"".join(
        b"%d 0 obj <</Filter /FlateDecode /Length 1>> stream\nx\nendstream endobj\n" % n for n in range(900, 930)
    )

    result = extract_bill(real_bill() + junk + b"%%EOF\n", ocr="off")

    [audit] = [audit for audit in result.audits if audit.code == "damaged_streams"]
    assert audit.details == {"objects": list(range(900, 920)), "count": 30}
    assert "object(s) 900, 901, 902, 903, 904 and 25 more do not decode whole" in audit.message


CONTENT = b"BT /F1 12 Tf 72 700 Td (Account Number: 1234) Tj ET"
DEFLATED = zlib.compress(CONTENT)


@pytest.mark.parametrize(
    ("filters", "data", "damaged"),
    [
        (b"/FlateDecode", DEFLATED, False),
        (b"/FlateDecode", DEFLATED[:10] + bytes([DEFLATED[10] ^ 0xFF]) + DEFLATED[11:], True),
        (b"/FlateDecode", DEFLATED[:-6], True),  # cut short
        (b"/FlateDecode", DEFLATED[:-4], False),  # no checksum (some producers leave it off): pdfium draws it all
        (b"/FlateDecode", DEFLATED[:-4] + bytes(4), True),  # a checksum that is not the data's
        (b"/FlateDecode", CONTENT, True),  # not deflated at all
        (b"/FlateDecode", b"", False),  # an empty stream
        (b"/Fl", DEFLATED[:-7], True),
        (b"[/ASCII85Decode /FlateDecode]", base64.a85encode(DEFLATED, wrapcol=40) + b"~>", False),
        (b"[/A85 /Fl]", base64.a85encode(DEFLATED[:-6]) + b"~>", True),
        (b"[/ASCII85Decode /FlateDecode]", base64.a85encode(DEFLATED)[:-3] + b"{" + b"~>", True),  # no ASCII85 digit
        (b"[/ASCII85Decode /FlateDecode]", b"uuuuu" + base64.a85encode(DEFLATED) + b"~>", True),  # past 2**32
        (b"/ASCII85Decode", base64.a85encode(b"\0\0\0\0" + CONTENT) + b"~>", False),  # `z`, four zero bytes
        (b"[/ASCIIHexDecode /FlateDecode]", DEFLATED.hex().encode() + b">", False),
        (b"[/AHx /Fl]", DEFLATED.hex()[:-1].encode() + b">", True),  # an odd digit ends it as a 0: checksum
        (b"/ASCIIHexDecode", b"4g>", True),
        (b"/LZWDecode", b"\x80\x0b\x60\x50", False),  # not checked here: pdfium's to judge
        (b"/FlateDecodf", DEFLATED, True),  # no such filter: pdfium draws nothing of the stream
        (b"[/ASCII85Decode /F\xefateDecode]", base64.a85encode(DEFLATED) + b"~>", True),
    ],
)
def test_the_byte_checks_name_streams_that_do_not_decode_whole(filters: bytes, data: bytes, damaged: bool) -> None:
    from common.extraction.bills.guard import check_structure

    assert check_structure(one_page_pdf(data, content_keys=b" /Filter " + filters)) == ([4] if damaged else [])
    image = b" /Subtype /Image /Filter " + filters  # an image's stream is not decoded to read text
    assert check_structure(one_page_pdf(CONTENT, b"", pdf_stream(data, image))) == []


def test_a_value_holding_a_character_no_font_maps_goes_to_review() -> None:
    """A damaged /Encoding (`/WinAnsiEncodinj`) leaves pdfium the font's standard encoding, which has no euro sign:
    `VAT on €484.86` reads as `VAT on \x80484.86`. Nothing else on that bill is in doubt; one such character in a
    value is enough to hold it, whatever the share of them on the page."""
    from common.connectors.billgen.third import third_bills

    pdf = third_bills(18, 5)[17].pdf
    regular = pdf.index(b"/BaseFont /Helvetica /Encoding /WinAnsiEncoding")
    damaged = pdf[:regular] + pdf[regular:].replace(b"/WinAnsiEncoding", b"/WinAnsiEncodinj", 1)

    intact, result = extract_bill(pdf, templates=(), ocr="off"), extract_bill(damaged, templates=(), ocr="off")

    assert intact.status is BillStatus.OK and intact.bill is not None
    assert intact.bill.line_items[3].description == "VAT on €484.86"
    assert result.status is BillStatus.NEEDS_REVIEW and result.bill is not None
    assert result.bill.line_items[3].description == "VAT on \x80484.86"
    [audit] = [audit for audit in result.audits if audit.severity is Severity.ERROR]
    assert (audit.code, audit.details) == ("undecoded_characters", {"fields": ["line_items[3].description"]})


def test_an_encrypted_file_that_opens_without_a_password_is_read_and_its_streams_not_judged() -> None:
    """A bill locked against printing or copying (an owner password only) opens as any other; its streams are
    ciphertext to the byte checks, which leave them to pdfium."""
    import io

    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen.canvas import Canvas

    from common.extraction.bills.guard import check_structure

    buffer = io.BytesIO()
    canvas = Canvas(buffer, encrypt=StandardEncryption("", ownerPassword="owner", canPrint=0, canCopy=0))
    canvas.drawString(72, 700, "Account Number: 1234")
    canvas.showPage()
    canvas.save()
    locked = buffer.getvalue()

    document = PdfTextReader("inline").read(locked)

    assert document.text == "Account Number: 1234" and document.damaged_streams == []
    assert check_structure(locked.replace(b"/Encrypt", b"/Encrypx")) != []  # ciphertext, judged, would be damaged


def test_a_bomb_under_ascii85_is_refused_by_the_byte_checks(reader: PdfTextReader) -> None:
    """ASCII85 over Flate (as reportlab writes streams) is decoded to count what the Flate layer inflates to."""
    deflate = zlib.compressobj(9)
    raw = b"".join(deflate.compress(b" " * (1 << 20)) for _ in range(64)) + deflate.flush()
    bomb = one_page_pdf(base64.a85encode(raw) + b"~>", content_keys=b" /Filter [/ASCII85Decode /FlateDecode]")
    code, elapsed = reason(reader, bomb)
    assert code == "compressed_bomb" and elapsed < WALL_BUDGET_S


def test_nesting_spread_with_whitespace_is_still_refused() -> None:
    nested = build_pdf([b"<< /Type /Catalog /Kids " + b"[ \n" * 200 + b"]" * 200 + b" >>"])
    with pytest.raises(RejectedInput) as caught:
        PdfTextReader("inline").read(nested)
    assert caught.value.reason_code == "pdf_too_deeply_nested"


@pytest.mark.parametrize("separator", [b"", b" ", b"\n", b"\r\n", b"\t", b"\x0b", b"\x0c", b" \n\t"])
def test_the_nesting_limit_is_exact_whatever_separates_the_openers(separator: bytes) -> None:
    # check_structure first looks for a run of MAX_NESTING openers-or-whitespace with a plain substring
    # search: it must refuse exactly what the nesting regex refuses, at the limit and one below it.
    from common.extraction.bills.guard import MAX_NESTING, check_structure

    def nested(depth: int) -> bytes:
        openers = separator.join([b"[", b"<<"] * (depth // 2) + [b"["] * (depth % 2))
        return b"%PDF-1.4\n1 0 obj\n" + openers + b" 0 " + b"]" * depth + b"\nendobj\n%%EOF\n"

    check_structure(nested(MAX_NESTING - 1))
    with pytest.raises(RejectedInput) as caught:
        check_structure(nested(MAX_NESTING))
    assert caught.value.reason_code == "pdf_too_deeply_nested"
