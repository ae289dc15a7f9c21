"""The cascade: safe read (OCR for pages without text) → provider template → generic heuristics → Gemini (when
configured) → audits.

Each step fills a Draft whose every value carries its provenance; the first result whose required
fields are present and whose audits pass is the answer. Otherwise the best attempt is returned as
NEEDS_REVIEW with the reasons: a bill is loaded as ok only when it is complete and consistent.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Literal

from common.errors import RejectedInput
from common.extraction.bill_audits import audit_bill, total_verified
from common.extraction.bills import llm as llm_step
from common.extraction.bills.draft import Draft, quality_audits
from common.extraction.bills.guard import PdfTextReader, default_reader, named
from common.extraction.bills.heuristics import (
    charges_table_headings,
    extract_heuristic,
    several_statements,
    statement_pages,
)
from common.extraction.bills.layout import NOT_A_BILL, READABLE_SKEW, Document
from common.extraction.bills.ocr import (
    MAX_OCR_PAGES,
    ScannedDocument,
    TesseractOcr,
    default_ocr,
    inked_pages,
    ocr_deadline,
    read_scanned,
)
from common.extraction.bills.templates import Template, apply_template, detect, load_templates
from common.models import AuditResult, BillStatus, NormalizedBill, Severity
from common.ports import BillReader

BILL_SIGNALS = ("total_amount", "amount_due", "bill_period_start", "account_number")
# A page with fewer words in its text layer that shows print (ocr.inked_pages) is read by OCR: a scanner's or fax's
# stamp, a Bates or page number over a scanned image is a few words; a bill's page of text is a hundred or more.
SPARSE_PAGE_WORDS = 20
DAMAGED_SHOWN = 20  # object numbers of damaged streams an audit names


@dataclass
class BillResult:
    """The outcome for one PDF: a bill (possibly for review), or only the reasons and what was read."""

    status: BillStatus
    bill: NormalizedBill | None
    audits: list[AuditResult]
    method: str
    found: dict[str, str] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        return sum(1 for audit in self.audits if audit.severity is Severity.ERROR)


def _finish(draft: Draft, document: Document, *, extra: list[AuditResult] | None = None) -> BillResult:
    """Audit a draft and decide its status. Every method must have its total confirmed, a template's too: a
    provider's template can misread a page unlike the ones it was written for (on a page printed a degree
    off level it read `-$12.62` as `$12.62` and no charges at all, and nothing else contradicted it)."""
    audits = [*(extra or []), *quality_audits(draft)]
    bill = draft.to_bill()
    if bill is None:
        audits.append(
            AuditResult(
                code="partial_extraction",
                severity=Severity.INFO,
                message=f"{draft.method} read only some fields; see details",
                details={"method": draft.method, "found": draft.found_summary()},
            )
        )
        return BillResult(BillStatus.NEEDS_REVIEW, None, audits, draft.method, draft.found_summary())
    bill_audits = audit_bill(bill)
    audits.extend(bill_audits)
    audits.extend(_tables_unread(bill, audits, document))
    if (undecoded := _undecoded_values(bill)) is not None:
        audits.append(undecoded)
    if not total_verified(bill, bill_audits):
        audits.append(
            AuditResult(
                code="total_unverified",
                severity=Severity.ERROR,
                message=f"{draft.method}: no line items or account summary confirm new charges of {bill.total_amount}",
                details={"method": draft.method},
            )
        )
    status = BillStatus.NEEDS_REVIEW if any(a.severity is Severity.ERROR for a in audits) else BillStatus.OK
    return BillResult(status, bill.model_copy(update={"audits": audits, "status": status}), audits, draft.method)


def _tables_unread(bill: NormalizedBill, audits: list[AuditResult], document: Document) -> list[AuditResult]:
    """A meter table or a charges table the page prints and the reading lost, each an error: `meter_table_unread`
    where the charges bill a consumption and no meter's usage was read (and no meter row was unreadable, which says
    so already), `charges_table_unread` where no charge was read (charges run into a column of messages beside them:
    the summary confirmed the total, and the bill loaded as ok without one line item)."""
    codes = {audit.code for audit in audits}
    found: list[tuple[str, str, str]] = []
    if not bill.usage and "usage_not_read" in codes and "usage_row_unreadable" not in codes:
        if table := _meter_table(document):
            found.append(
                (
                    "meter_table_unread",
                    f"the page prints a meter table ({table}), the charges bill a consumption, and no meter's usage "
                    "was read",
                    table,
                )
            )
    if not bill.line_items and (charges := charges_table_headings(document)):
        found.append(
            (
                "charges_table_unread",
                f"the page prints a table of charges ({charges[1]}), and no charge was read from it",
                charges[1],
            )
        )
    return [
        AuditResult(code=code, severity=Severity.ERROR, message=message, details={"headings": headings})
        for code, message, headings in found
    ]


# A meter table's headings or title, with no figures: `Meter Number | Previous Reading | ...`, `Meter Readings`.
METER_TABLE = re.compile(
    r"^(?!.*\d)(?=.*\bmeters?\b)(?=.*\b(?:read(?:ings?|s)?|previous|present|prior|usage|used|consumption)\b)",
    re.IGNORECASE,
)


def _meter_table(document: Document) -> str | None:
    """The first line that heads a meter table. Where the charges bill a consumption and no meter's usage was read at
    all, such a table was printed and lost (a table whose headings wrap in their cells loaded as ok without its
    reads); a bill that prints no meter table keeps its consumption in its charges, and only a warning. (A table
    read in part, one meter of two, is not told apart from a bill that prints one meter: a warning.)"""
    return next((line.text.replace("\t", " | ") for line in document.lines if METER_TABLE.match(line.text)), None)


def _better(first: BillResult, second: BillResult) -> BillResult:
    """Prefer an ok result, then one with a bill, then fewer errors; ties keep the earlier step."""

    def rank(result: BillResult) -> tuple[int, int, int]:
        return (result.status is BillStatus.OK, result.bill is not None, -result.errors)

    return second if rank(second) > rank(first) else first


def _no_text_layer(name: str) -> AuditResult:
    return AuditResult(
        code="no_text_layer",
        severity=Severity.ERROR,
        message=f"the PDF has no text layer{name}: it is a scan or an image, and a person confirms what OCR or a "
        "model reads of it",
        details={},
    )


# What pdfium gives for glyphs its font does not map to Unicode (a subset font without a ToUnicode table
# hands out glyph numbers, most of them control characters): C0 and C1 controls but whitespace, U+FFFD and
# the private use area.
_UNDECODED = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x9f\ufffd\ue000-\uf8ff]")
UNDECODED_SHARE = 0.25  # a real page's icons in a symbol font are a few characters, not a quarter of them


def _undecoded_text(document: Document, name: str) -> AuditResult | None:
    """unreadable_text_layer when a quarter or more of the text layer does not decode: such a file may well be
    a bill, so it goes to OCR, a model or a person instead of being refused as not one."""
    text = document.text
    visible = len(text) - text.count(" ") - text.count("\t") - text.count("\n")
    undecoded = len(_UNDECODED.findall(text))
    if not visible or undecoded < UNDECODED_SHARE * visible:
        return None
    return AuditResult(
        code="unreadable_text_layer",
        severity=Severity.ERROR,
        message=f"the PDF's text layer does not decode{name}: {undecoded} of its {visible} characters are glyph "
        "numbers, not letters (a font without a Unicode map); it needs OCR or a person",
        details={"undecoded_characters": undecoded, "characters": visible},
    )


def _undecoded_values(bill: NormalizedBill) -> AuditResult | None:
    """A value holding a character no font maps to a letter (`VAT on \x80484.86`, a damaged /Encoding's euro sign):
    whatever the share of such characters on the page, that value was not read as printed."""
    texts = {"provider": bill.provider, "account_number": bill.account_number, "service_address": bill.service_address}
    texts |= {f"line_items[{index}].description": item.description for index, item in enumerate(bill.line_items)}
    texts |= {f"usage[{index}].meter_number": read.meter_number for index, read in enumerate(bill.usage)}
    texts |= {f"demand[{index}].meter_number": read.meter_number for index, read in enumerate(bill.demand)}
    fields = [path for path, text in texts.items() if text and _UNDECODED.search(text)]
    if not fields:
        return None
    return AuditResult(
        code="undecoded_characters",
        severity=Severity.ERROR,
        message=f"{', '.join(fields)} hold characters the PDF's fonts map to no letter: not read as printed",
        details={"fields": fields},
    )


@dataclass(frozen=True)
class _Reading:
    """What the cascade reads a file with: its name (for messages), the PDF reader, the templates (None: the
    packaged ones) and the OCR that reads a PDF without readable text, before the model; and whether the words
    being read are OCR's."""

    filename: str | None
    pdf_reader: PdfTextReader
    templates: tuple[Template, ...] | None
    ocr: TesseractOcr | None
    read_by_ocr: bool = False  # the words (some of them) are OCR's: a template's keywords may be misread

    @property
    def name(self) -> str:
        return named(self.filename)


def _without_text(
    reader: BillReader | None,
    data: bytes,
    document: Document,
    audits: list[AuditResult],
    reading: _Reading,
    *,
    split: bool,
) -> list[BillResult]:
    """A PDF whose text cannot be read: its pages read by OCR (statement by statement, as _read_file reads a text
    layer), else the model's reading when one is configured, else only the reasons. Either way a person reviews
    it, since nothing on the page can confirm a value."""
    if reading.ocr is not None:
        scanned = _read_by_ocr(data, document.unreadable_pages, audits, reading, reading.ocr, split=split)
        if scanned is not None and (any(result.bill is not None for result in scanned) or reader is None):
            return scanned  # else the model may read one
    if reader is not None:
        read_by_model = _ask_model(reader, data, document, audits)
        if read_by_model is not None and read_by_model.bill is not None:
            reviewed = read_by_model.bill.model_copy(update={"status": BillStatus.NEEDS_REVIEW})
            return [BillResult(BillStatus.NEEDS_REVIEW, reviewed, reviewed.audits, read_by_model.method)]
    return [BillResult(BillStatus.NEEDS_REVIEW, None, audits, "none")]


def _read_by_ocr(
    data: bytes,
    unreadable: list[int],
    audits: list[AuditResult],
    reading: _Reading,
    ocr: TesseractOcr,
    *,
    split: bool,
) -> list[BillResult] | None:
    """The cascade on the words OCR reads of the pages pdfium can load (all but `unreadable`), for review with the
    reasons the text layer gave (`audits`); None where OCR finds no bill, with the reason added to `audits`."""
    pages = [page for page in range(1, MAX_OCR_PAGES + 1) if page not in unreadable] if unreadable else None
    try:
        scanned = read_scanned(data, reading.filename, reading.pdf_reader, ocr, pages)
    except RejectedInput as exc:
        audits.append(_render_failed(exc))
        return None
    if not scanned.document.has_text:
        audits.append(_no_words(ocr.name))
        return None
    skipped = scanned.skipped()

    def notes(pages: range) -> list[AuditResult]:
        return [*audits, scanned.audit(pages), *skipped]

    try:
        return _read_with_ocr(scanned.document, data, reading, scanned, notes, split=split)
    except RejectedInput as exc:
        audits.append(_ocr_failed(f"the words OCR ({ocr.name}) read are not a bill: {exc.message}", exc.reason_code))
        return None


def _read_with_ocr(
    document: Document,
    data: bytes,
    reading: _Reading,
    scanned: ScannedDocument,
    notes: Callable[[range], list[AuditResult]],
    *,
    split: bool,
) -> list[BillResult]:
    """_read_file on a document of OCR's words (some or all of its pages), no model asked, each statement that
    OCR read marked as such (_as_scanned); raises RejectedInput where the words are no bill."""
    results = _read_file(document, data, replace(reading, ocr=None, read_by_ocr=True), None, notes, split=split)
    return [_as_scanned(result, scanned) for result in results]


def _as_scanned(result: BillResult, scanned: ScannedDocument) -> BillResult:
    """A result read from OCR's words: for review, its values marked with Tesseract's confidence in them. A
    statement on text pages alone (no read_by_ocr among its audits) is left as read."""
    if not any(audit.code == "read_by_ocr" for audit in result.audits):
        return result
    method = f"ocr:{scanned.engine}+{result.method}"
    if result.bill is None:
        return BillResult(BillStatus.NEEDS_REVIEW, None, result.audits, method, result.found)
    bill, doubtful = scanned.marked(result.bill)
    audits = [*result.audits, *([doubtful] if doubtful is not None else [])]
    bill = bill.model_copy(update={"status": BillStatus.NEEDS_REVIEW, "audits": audits})
    return BillResult(BillStatus.NEEDS_REVIEW, bill, audits, method, result.found)


def _ocr_failed(message: str, cause: str) -> AuditResult:
    return AuditResult(code="ocr_failed", severity=Severity.WARNING, message=message, details={"cause": cause})


def _render_failed(exc: RejectedInput) -> AuditResult:
    return _ocr_failed(f"rendering the pages for OCR failed: {exc.message}", exc.reason_code)


def _no_words(engine: str) -> AuditResult:
    return _ocr_failed(f"OCR ({engine}) found no words on the pages", "no_words")


def _ask_model(reader: BillReader, data: bytes, document: Document, extra: list[AuditResult]) -> BillResult | None:
    answer = llm_step.ask(reader, data)
    if answer.bill is None:
        extra.extend(answer.audits)
        return None
    draft = llm_step.to_draft(answer.bill, document, reader.name)
    return _finish(draft, document, extra=[*extra, *answer.audits])


def extract_bill(
    data: bytes,
    filename: str | None = None,
    *,
    bill_reader: BillReader | None = None,
    pdf_reader: PdfTextReader | None = None,
    templates: tuple[Template, ...] | None = None,
    ocr: TesseractOcr | Literal["default", "off"] = "default",
) -> BillResult:
    """Raises RejectedInput for files that are not readable bills (corrupt, hostile, not a bill). A file of several
    statements is one result, for review (several_statements); extract_statements reads each of them."""
    [result] = _extract(data, filename, bill_reader, _reading(filename, pdf_reader, templates, ocr), split=False)
    return result


def extract_statements(
    data: bytes,
    filename: str | None = None,
    *,
    bill_reader: BillReader | None = None,
    pdf_reader: PdfTextReader | None = None,
    templates: tuple[Template, ...] | None = None,
    ocr: TesseractOcr | Literal["default", "off"] = "default",
) -> list[BillResult]:
    """One result per statement, in page order: a file of several statements of one account (a year of bills
    downloaded as one) is read statement by statement, each as if it came alone, its provenance on the file's
    pages. Otherwise, and where a statement reads as no bill, the one result of extract_bill."""
    return _extract(data, filename, bill_reader, _reading(filename, pdf_reader, templates, ocr), split=True)


def _reading(
    filename: str | None,
    pdf_reader: PdfTextReader | None,
    templates: tuple[Template, ...] | None,
    ocr: TesseractOcr | Literal["default", "off"],
) -> _Reading:
    chosen = default_ocr() if ocr == "default" else None if ocr == "off" else ocr
    return _Reading(filename, pdf_reader or default_reader(), templates, chosen)


def _extract(
    data: bytes, filename: str | None, bill_reader: BillReader | None, reading: _Reading, *, split: bool
) -> list[BillResult]:
    document = reading.pdf_reader.read(data, filename)
    if not document.has_text:
        audits = [_no_text_layer(reading.name), *_damage_audits(document)]
        return _without_text(bill_reader, data, document, audits, reading, split=split)
    scan = _with_scanned_pages(document, data, reading, split=split)
    # A scan under a stamp on every page is a scan: as with one that has no text layer, OCR before the model.
    read_as_scan = scan.every_page and any(result.bill is not None for result in scan.results or [])
    model = None if read_as_scan else bill_reader
    try:
        results = _read_file(document, data, reading, model, scan.unread_notes, split=split)
    except RejectedInput:
        if scan.results is not None:
            return _past_the_page_limit(scan.results, document, reading)
        # No bill in the text layer, nor in what OCR read. A scan under a stamp on every page goes to review as one
        # with no text layer would, even where OCR (or its absence) left the print unread; beside pages of text that
        # are no bill, only pages OCR could not look at keep the file from being refused (a picture is not a bill).
        if not (unread := scan.unreadable if scan.every_page else scan.unread):
            if document.unreadable_pages or document.damaged_streams:
                raise _damaged_without_bill(document, reading) from None
            raise
        outcome: Literal["unread", "off"] = "off" if reading.ocr is None else "unread"
        reasons = [_scanned_pages(unread, scan.words, reading.name, outcome), *_damage_audits(document), *scan.why]
        if scan.every_page:
            reasons += scan.no_words
        return [BillResult(BillStatus.NEEDS_REVIEW, None, reasons, "none")]
    chosen = scan.results if scan.results is not None and _file_rank(scan.results) > _file_rank(results) else results
    return _past_the_page_limit(chosen, document, reading)


def _damaged_without_bill(document: Document, reading: _Reading) -> RejectedInput:
    """What pdfium can read of a damaged file holds no bill: it is refused as damaged (the bill may be in what it
    cannot read), not as a file that is no bill."""
    if document.unreadable_pages:
        pages = ", ".join(map(str, document.unreadable_pages))
        message = (
            f"page(s) {pages}{reading.name} cannot be read (the PDF is damaged there), and the others hold no bill"
        )
    else:
        objects = _some(list(map(str, document.damaged_streams)))
        message = (
            f"the PDF{reading.name} is damaged (the streams of object(s) {objects} do not decode whole), and what "
            "can be read holds no bill"
        )
    return RejectedInput(message, "corrupt_pdf")


def _past_the_page_limit(results: list[BillResult], document: Document, reading: _Reading) -> list[BillResult]:
    """The results, the last one for review where the file has pages past the reader's limit: a statement, or a bill's
    meters and charges, may stand there unread (a year of five-page statements is 60 pages)."""
    limit = reading.pdf_reader.max_pages
    if document.page_count <= limit or not results:
        return results
    audit = AuditResult(
        code="pages_not_read",
        severity=Severity.ERROR,
        message=f"pages {limit + 1}-{document.page_count}{reading.name} were not read: the reader stops at {limit} "
        "pages a file, and what they hold (a statement, meters, charges) is missing here",
        details={"pages_read": limit, "page_count": document.page_count},
    )
    *earlier, last = results
    audits = [*last.audits, audit]
    review = {"status": BillStatus.NEEDS_REVIEW, "audits": audits}
    bill = last.bill.model_copy(update=review) if last.bill is not None else None
    return [*earlier, BillResult(BillStatus.NEEDS_REVIEW, bill, audits, last.method, last.found)]


@dataclass
class _ScannedPages:
    """What OCR made of the pages of a file that show print under (almost) no text layer."""

    inked: list[int] = field(default_factory=list)  # such pages
    read: list[int] = field(default_factory=list)  # of them, those OCR found more words on than the text layer
    unread: list[int] = field(default_factory=list)  # of them, those OCR did not get to (failed, off, its limits)
    why: list[AuditResult] = field(default_factory=list)  # why `unread`: ocr_failed, ocr_pages_skipped; none if off
    no_words: list[AuditResult] = field(default_factory=list)  # ocr_failed, where OCR found no more words on any
    results: list[BillResult] | None = None  # the file read with OCR's words on `read`, where that is a bill
    words: dict[int, int] = field(default_factory=dict)  # words in each page's text layer
    every_page: bool = False  # every page of the file has (almost) no text layer

    @property
    def unreadable(self) -> list[int]:
        """The pages neither the text layer nor OCR could read a word of."""
        return [page for page in self.inked if page not in self.read]

    def unread_notes(self, pages: range) -> list[AuditResult]:
        """For a statement read from the text layer: why any of its pages that show print went unread."""
        left = [page for page in self.unread if page in pages]
        return (
            [audit.model_copy(update={"details": {**audit.details, "unread_pages": left}}) for audit in self.why]
            if left
            else []
        )


def _with_scanned_pages(document: Document, data: bytes, reading: _Reading, *, split: bool) -> _ScannedPages:
    """The file read again with the pages its text layer leaves (almost) empty but that show print read by OCR:
    a scan under a scanner's or fax's text stamp, a scanned page among a PDF's text pages (a statement scanned
    into a year's download would otherwise pass for its neighbour's back page). For review, like any OCR
    reading. No results where it has no such page, OCR is off or finds no more words there than the text layer,
    or no bill. A file whose every page has text costs nothing here; a blank page costs a 36 dpi render. With OCR
    off, only a file whose every page is (almost) empty is looked at for print: a scan under a stamp."""
    counts = document.words_per_page()
    read_pages = min(document.page_count, reading.pdf_reader.max_pages)
    unreadable = document.unreadable_pages
    sparse = [
        page for page in range(1, read_pages + 1) if counts.get(page, 0) < SPARSE_PAGE_WORDS and page not in unreadable
    ]
    every_page = len(sparse) + len(unreadable) == document.page_count

    def none_read(pages: list[int], *why: AuditResult) -> _ScannedPages:
        return _ScannedPages(inked=pages, unread=pages, why=list(why), words=counts, every_page=every_page)

    if not sparse or (reading.ocr is None and not every_page):
        return none_read([])
    deadline = ocr_deadline()
    try:
        inked = inked_pages(data, reading.filename, reading.pdf_reader, sparse, deadline)
    except RejectedInput as exc:
        return none_read(sparse, _render_failed(exc))
    if not inked or reading.ocr is None:
        return none_read(inked)
    try:
        scanned = read_scanned(data, reading.filename, reading.pdf_reader, reading.ocr, inked, deadline)
    except RejectedInput as exc:
        return none_read(inked, _render_failed(exc))
    replaced = [page for page, found in sorted(scanned.pages.items()) if len(found.words) > counts.get(page, 0)]
    unread = [page for page in inked if page not in scanned.pages]
    skipped = scanned.skipped()
    outcome = _ScannedPages(inked, replaced, unread, skipped, words=counts, every_page=every_page)
    if not replaced:
        outcome.no_words = [_no_words(scanned.engine)]
        return outcome

    def notes(pages: range) -> list[AuditResult]:
        """What OCR says of the statement on `pages`, where any of them was OCR'd; a text statement gets nothing."""
        ocr_pages = [page for page in replaced if page in pages]
        return [_scanned_pages(ocr_pages, counts, reading.name), scanned.audit(pages), *skipped] if ocr_pages else []

    try:
        outcome.results = _read_with_ocr(
            document.with_pages(scanned.document, replaced), data, reading, scanned, notes, split=split
        )
    except RejectedInput:
        pass
    return outcome


_SCANNED_PAGES_OUTCOME = {
    "read": "OCR read them, and a person confirms what it read",
    "unread": "OCR could not read them, so a person does",
    "off": "OCR is off, so a person reads them",
}


def _scanned_pages(
    pages: list[int], words: dict[int, int], name: str, outcome: Literal["read", "unread", "off"] = "read"
) -> AuditResult:
    shown = ", ".join(map(str, pages))
    return AuditResult(
        code="scanned_pages",
        severity=Severity.ERROR,
        message=f"page(s) {shown}{name} have almost no text layer but show print (a scan or an image, under at most "
        f"a stamp): {_SCANNED_PAGES_OUTCOME[outcome]}",
        details={"pages": pages, "text_layer_words": {str(page): words.get(page, 0) for page in pages}},
    )


def _file_rank(results: list[BillResult]) -> tuple[int, int, int]:
    """A file's reading: more statements found (read one by one, or told of by several_statements), then more
    read as bills, then fewer errors, scanned_pages (OCR's reason for review) aside."""
    audits = [audit for result in results for audit in result.audits]
    statements = len(results) + sum(audit.code == "several_statements" for audit in audits)
    errors = sum(audit.severity is Severity.ERROR and audit.code != "scanned_pages" for audit in audits)
    return statements, sum(result.bill is not None for result in results), -errors


def _read_file(
    document: Document,
    data: bytes,
    reading: _Reading,
    bill_reader: BillReader | None,
    notes: Callable[[range], list[AuditResult]],
    *,
    split: bool,
) -> list[BillResult]:
    """The file's statements, each read on its own where it holds several of one account and `split` is asked;
    else one result (for review with several_statements where it holds several). `notes(pages)`: what the file's
    reading says of the statement on `pages`."""
    document, repeated = _without_repeated_pages(document)
    several = several_statements(document) if document.page_count > 1 else None
    if split and several is not None and (parts := statement_pages(document)) is not None:
        try:
            # No model: it would be given the whole file, and read its first statement.
            return [
                _on_file_pages(
                    _read_statement(
                        document.page_range(first, last),
                        data,
                        reading,
                        None,
                        [
                            *notes(range(first, last + 1)),
                            *repeated,
                            *_page_audits(document, range(first, last + 1)),
                        ],
                        ask_model=False,
                    ),
                    first - 1,
                )
                for first, last in parts
            ]
        except RejectedInput:
            pass
    everything = range(1, document.page_count + 1)
    page_notes = [*notes(everything), *repeated, *_page_audits(document), *([several] if several else [])]
    return [_read_statement(document, data, reading, bill_reader, page_notes, ask_model=several is None)]


def _read_statement(
    document: Document,
    data: bytes,
    reading: _Reading,
    bill_reader: BillReader | None,
    page_notes: list[AuditResult],
    ask_model: bool,
) -> BillResult:
    """The cascade on one statement's pages; `page_notes` are what the file's reading put in doubt."""
    name = reading.name
    templates = load_templates() if reading.templates is None else reading.templates
    template = detect(document, templates, misread=reading.read_by_ocr)
    result: BillResult | None = None
    if template is not None:
        result = _finish(apply_template(template, document), document, extra=page_notes)
    if result is None or result.status is not BillStatus.OK:
        draft = extract_heuristic(document)
        if result is None and not any(signal in draft.fields for signal in BILL_SIGNALS):
            if (undecoded := _undecoded_text(document, name)) is not None:
                [unread] = _without_text(bill_reader, data, document, [undecoded], reading, split=False)
                return unread
            if bill_reader is None:
                raise RejectedInput(
                    f"no account, period or amounts found{name}: not a bill we recognize", "unrecognized_bill"
                )
        heuristic = _finish(draft, document, extra=page_notes)
        result = heuristic if result is None else _better(result, heuristic)
    if result.status is not BillStatus.OK and bill_reader is not None and ask_model:  # a model reads one too
        notes: list[AuditResult] = list(page_notes)
        asked = _ask_model(bill_reader, data, document, notes)
        if asked is not None:
            result = _better(result, asked)
        else:
            result.audits.extend(notes)
            if result.bill is not None:
                result.bill = result.bill.model_copy(update={"audits": result.audits})
    model_failed = any(a.code.startswith("llm_") for a in result.audits)  # a model may read it later: review
    if result.bill is None and not model_failed and not any(signal in result.found for signal in BILL_SIGNALS):
        raise RejectedInput(f"no account, period or amounts found{name}: not a bill we recognize", "unrecognized_bill")
    if (document.turns or document.skews) and result.bill is not None:
        result.bill = _in_page_coordinates(result.bill, document)
    return result


def _on_file_pages(result: BillResult, shift: int) -> BillResult:
    """A statement's result with its provenance on the pages of the file it was read from."""
    if result.bill is None or not shift:
        return result
    provenance = {
        key: found.model_copy(update={"page": found.page + shift}) if found.page is not None else found
        for key, found in result.bill.provenance.items()
    }
    result.bill = result.bill.model_copy(update={"provenance": provenance})
    return result


def _without_repeated_pages(document: Document) -> tuple[Document, list[AuditResult]]:
    """The document without the pages that repeat an earlier page word for word (a bill saved twice into one
    file, a reprinted page): read once, a meter or a charge on them is not counted twice."""
    pages: dict[int, list[str]] = {}
    for line in document.lines:
        pages.setdefault(line.page, []).append(line.text)
    first_with: dict[str, int] = {}
    repeated: dict[int, int] = {}
    for page, texts in pages.items():
        text = "\n".join(texts)
        if text.strip():
            repeated_page = first_with.setdefault(text, page)
            if repeated_page != page:
                repeated[page] = repeated_page
    if not repeated:
        return document, []
    kept = document.without_pages(repeated.keys())
    audit = AuditResult(
        code="repeated_pages",
        severity=Severity.WARNING,
        message="read once: "
        + ", ".join(f"page {page} repeats page {earlier}" for page, earlier in sorted(repeated.items())),
        details={"repeated": {str(page): earlier for page, earlier in sorted(repeated.items())}},
    )
    return kept, [audit]


def _page_audits(document: Document, pages: range | None = None) -> list[AuditResult]:
    """What a page's reading itself puts in doubt, before any value is read from it: of `pages` only, if given."""
    return [
        *_skew_audits(document, pages),
        *_run_together_audits(document, pages),
        *_set_aside_audits(document, pages),
        *_cut_audits(document, pages),
        *_damage_audits(document, pages),
    ]


# A stamp across a page saying the document is no bill to load (layout.NOT_A_BILL): read in capitals, as stamps are
# set; a page whose only such text is the stamp is read in any case.
_STAMP_IN_CAPITALS = re.compile(rf"\b(?:{NOT_A_BILL})\b")
_STAMP_ALONE = re.compile(NOT_A_BILL, re.IGNORECASE)


def _set_aside_audits(document: Document, pages: range | None) -> list[AuditResult]:
    """The words left out of the reading for running another way than their page's lines, or laid over them in type
    several times theirs (a watermark, a note up the margin): named, so that what was not read is seen; a stamp
    saying the document is no bill to load (`VOID`, `SAMPLE`) sends it to a person."""
    set_aside = {page: words for page, words in document.set_aside.items() if pages is None or page in pages}
    if not set_aside:
        return []
    named = _by_page({page: _some(words) for page, words in set_aside.items()})
    audits = [
        AuditResult(
            code="text_set_aside",
            severity=Severity.WARNING,
            message=f"text laid across the lines of its page (a watermark, a stamp, a note up the margin) was left out "
            f"of the reading ({named})",
            details={"words_by_page": {str(page): words for page, words in set_aside.items()}},
        )
    ]
    stamps = {page: stamp for page, words in set_aside.items() if (stamp := _stamp(" ".join(words))) is not None}
    if stamps:
        audits.append(
            AuditResult(
                code="stamped_not_a_bill",
                severity=Severity.ERROR,
                message="stamped across the page as no bill to load ("
                + _by_page(stamps)
                + "): a person decides whether it is loaded",
                details={"stamps_by_page": {str(page): stamp for page, stamp in stamps.items()}},
            )
        )
    return audits


def _stamp(text: str) -> str | None:
    """The stamp `text` (a page's words set aside) carries that says the document is no bill to load, if any."""
    if (found := _STAMP_IN_CAPITALS.search(text)) is not None or (found := _STAMP_ALONE.fullmatch(text)) is not None:
        return " ".join(found.group().split())
    return None


def _cut_audits(document: Document, pages: range | None) -> list[AuditResult]:
    """Pages whose text runs past the reader's limit of characters a page (a bill's page holds a few thousand): read
    up to there, so values printed after it are missing."""
    return _pages_audit(
        "page_text_cut",
        document.cut_pages,
        pages,
        "hold more text than the reader reads of a page: each was read up to its limit, and what is printed after it "
        "is missing here",
    )


def _damage_audits(document: Document, pages: range | None = None) -> list[AuditResult]:
    """The damage the reader found: pages it could not load (of `pages` only, if given), streams that do not decode
    whole (the file's)."""
    return [*_unreadable_audits(document, pages), *_damaged_audits(document)]


def _unreadable_audits(document: Document, pages: range | None) -> list[AuditResult]:
    """Pages pdfium cannot load (a page tree naming an object the file lacks): the file's other pages are read, and
    a person finds what those held (meters, charges, a statement) in the original."""
    says = "cannot be read (the PDF is damaged there): what they hold is missing here"
    return _pages_audit("page_unreadable", document.unreadable_pages, pages, says)


def _pages_audit(code: str, named: list[int], pages: range | None, says: str) -> list[AuditResult]:
    """An error naming the pages of `named` (of `pages` only, if given), `says` after their numbers; none without."""
    shown = [page for page in named if pages is None or page in pages]
    if not shown:
        return []
    message = f"page(s) {', '.join(map(str, shown))} {says}"
    return [AuditResult(code=code, severity=Severity.ERROR, message=message, details={"pages": shown})]


def _damaged_audits(document: Document) -> list[AuditResult]:
    """Streams that do not decode whole (a byte damaged on a disk or in a transfer): pdfium draws what it decoded
    before the damage without a word, so text (a page's charges, a digit) may be missing or wrong anywhere."""
    damaged = document.damaged_streams
    if not damaged:
        return []
    return [
        AuditResult(
            code="damaged_streams",
            severity=Severity.ERROR,
            message=f"the PDF is damaged: its stream(s) of object(s) {_some(list(map(str, damaged)))} do not decode "
            "whole, so text drawn from them may be missing or wrong",
            details={"objects": damaged[:DAMAGED_SHOWN], "count": len(damaged)},  # a hostile file names thousands
        )
    ]


def _run_together_audits(document: Document, pages: range | None) -> list[AuditResult]:
    """Words whose first and last characters pdfium found on two lines (on a page a degree off level, `21`
    above `1` came out as `211`): a value may hold a neighbouring line's figures, so a person reads it."""
    run_together = {page: words for page, words in document.run_together.items() if pages is None or page in pages}
    if not run_together:
        return []
    return [
        AuditResult(
            code="lines_run_together",
            severity=Severity.ERROR,
            message="the PDF's text runs words of two lines together ("
            + _by_page({page: _some(words) for page, words in run_together.items()})
            + "): a value read there may hold a neighbouring line's",
            details={"words_by_page": {str(page): words for page, words in run_together.items()}},
        )
    ]


def _by_page(said: dict[int, str]) -> str:
    """`page 1: ...; page 2: ...`, in page order."""
    return "; ".join(f"page {page}: {text}" for page, text in sorted(said.items()))


def _some(words: list[str], shown: int = 5) -> str:
    more = f" and {len(words) - shown} more" if len(words) > shown else ""
    return ", ".join(words[:shown]) + more


def _skew_audits(document: Document, pages: range | None) -> list[AuditResult]:
    """Pages printed further off level than bills were measured to read right at: what was read goes to a person.
    The further off, the more words of neighbouring lines pdfium runs together (`GasSTANDING`)."""
    tilted = {
        page: math.degrees(angle)
        for page, angle in document.skews.items()
        if abs(angle) > READABLE_SKEW and (pages is None or page in pages)
    }
    if not tilted:
        return []
    return [
        AuditResult(
            code="skewed_text",
            severity=Severity.ERROR,
            message="the text is printed off level ("
            + ", ".join(f"page {page} by {degrees:.1f}°" for page, degrees in sorted(tilted.items()))
            + f", more than {math.degrees(READABLE_SKEW):g}°): words of neighbouring lines may run together",
            details={"degrees_by_page": {str(page): round(degrees, 2) for page, degrees in tilted.items()}},
        )
    ]


def _in_page_coordinates(bill: NormalizedBill, document: Document) -> NormalizedBill:
    """The bill with every box back in its page's PDF coordinates, for pages read turned upright or level."""
    provenance = {
        key: found.model_copy(update={"bbox": document.page_box(found.page, found.bbox)})
        for key, found in bill.provenance.items()
    }
    return bill.model_copy(update={"provenance": provenance})
