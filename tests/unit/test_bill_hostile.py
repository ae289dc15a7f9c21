"""Hostile and broken PDFs: each gets a stable reason code, in bounded time and memory, and never takes
the caller down (pdfium runs in a resource-limited worker process)."""

from __future__ import annotations

import json
import resource
import time
import zlib
from collections.abc import Callable, Iterator

import pytest
from pdfs import build_pdf, glyph_numbers_pdf, one_page_pdf, pdf_text

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


def test_a_word_of_strings_each_drawn_over_the_last_is_read_in_bounded_time(reader: PdfTextReader) -> None:
    """40,000 one-letter strings, each drawn 4 points back inside the one before: pdfium gives one word (up to its
    limit), which is cut at every string, and the row of tens of thousands of strings drawn over one another is
    regrouped once per string, not once per pair."""
    strings = b"".join(b"(%c) Tj 2.5 0 Td " % (ord("A") + index % 26) for index in range(40_000))
    started = time.monotonic()
    document = reader.read(one_page(b"BT /F1 10 Tf 72 700 Td " + strings + b"ET"), "hostile.pdf")
    assert time.monotonic() - started < WALL_BUDGET_S
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
    pages, _, joined, cut = pdf_worker.read_words(real_bill(), **limits)
    header_bytes, boxes = pdf_worker.encode_columns(*pdf_worker.read_columns(real_bill(), **limits))
    header = json.loads(header_bytes)
    assert decode_pages(header, boxes) == (pages, joined, cut) and cut == []

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
