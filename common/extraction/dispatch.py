"""One entry point for every file kind: classify, extract, audit."""

from __future__ import annotations

from dataclasses import dataclass, field

from common.errors import RejectedInput
from common.extraction.classify import classify
from common.models import (
    ArtifactKind,
    AuditResult,
    BillStatus,
    ExtractionStatus,
    IntervalReading,
    IntervalSeriesSummary,
    NormalizedBill,
    Severity,
)


@dataclass
class Extraction:
    kind: ArtifactKind
    status: ExtractionStatus
    bill: NormalizedBill | None = None
    readings: list[IntervalReading] = field(default_factory=list)
    series: list[IntervalSeriesSummary] = field(default_factory=list)
    audits: list[AuditResult] = field(default_factory=list)


def extract_file(data: bytes, filename: str | None = None) -> Extraction:
    """Raises RejectedInput with a reason code for anything that cannot be read."""
    if not data:
        raise RejectedInput("the file is empty", "empty_file")
    kind = classify(data)
    if kind is ArtifactKind.BILL_PDF:
        from common.extraction.pdf_bill import extract_bill_pdf

        bill = extract_bill_pdf(data, filename=filename)
        status = ExtractionStatus.OK if bill.status is BillStatus.OK else ExtractionStatus.NEEDS_REVIEW
        return Extraction(kind=kind, status=status, bill=bill, audits=list(bill.audits))
    if kind is ArtifactKind.ESPI_XML:
        from common.extraction.espi import parse_espi

        result = parse_espi(data)
        failed = any(a.severity is Severity.ERROR for a in result.audits)
        return Extraction(
            kind=kind,
            status=ExtractionStatus.NEEDS_REVIEW if failed else ExtractionStatus.OK,
            readings=result.readings,
            series=result.series,
            audits=result.audits,
        )
    if kind is ArtifactKind.UTILITY_CSV:
        raise RejectedInput("utility CSV exports are not supported by this build", "unknown_csv_layout")
    raise RejectedInput("not a bill PDF, Green Button XML or utility CSV", "unsupported_file_type")
