"""Extract a NormalizedBill from a utility bill PDF, with per-field provenance and audits.

The work is done by the cascade in `common.extraction.bills` (safe read, provider templates, generic
heuristics, Gemini when configured, audits); this module keeps the entry points the rest of the code
and the tests use.
"""

from __future__ import annotations

from common.errors import RejectedInput
from common.extraction.bills.cascade import BillResult, extract_bill
from common.extraction.bills.guard import MAX_FILE_BYTES, MAX_PAGES, PdfTextReader, default_reader
from common.extraction.bills.layout import Line
from common.extraction.bills.values import categorize, commodity_of, parse_date, parse_money, parse_number
from common.models import NormalizedBill
from common.ports import BillReader

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_PAGES",
    "BillResult",
    "Line",
    "categorize",
    "commodity_of",
    "extract_bill",
    "extract_bill_pdf",
    "parse_date",
    "parse_money",
    "parse_number",
    "read_lines",
]


def read_lines(data: bytes, *, filename: str | None = None, reader: PdfTextReader | None = None) -> list[Line]:
    """The text lines of the first MAX_PAGES pages, top to bottom (raises RejectedInput)."""
    return (reader or default_reader()).read(data, filename).lines


def extract_bill_pdf(
    data: bytes,
    *,
    filename: str | None = None,
    bill_reader: BillReader | None = None,
    pdf_reader: PdfTextReader | None = None,
) -> NormalizedBill:
    """The audited bill (status ok or needs_review). When no bill can be built at all (no text layer,
    no period or total), raises RejectedInput with the first error's code; the pipeline uses
    `extract_bill` instead, which records those as NEEDS_REVIEW."""
    result = extract_bill(data, filename, bill_reader=bill_reader, pdf_reader=pdf_reader)
    if result.bill is None:
        first = next((a for a in result.audits if a.severity.value == "error"), None)
        code = first.code if first is not None else "unrecognized_bill"
        raise RejectedInput(first.message if first is not None else "no bill found", code)
    return result.bill
