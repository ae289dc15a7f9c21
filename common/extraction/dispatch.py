"""One entry point for every file kind: classify, extract, audit."""

from __future__ import annotations

from dataclasses import dataclass, field

from common.errors import RejectedInput
from common.extraction.classify import classify
from common.intervals.audits import plausibility_audits
from common.intervals.table import IntervalTable
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
from common.ports import BillReader


@dataclass
class Extraction:
    kind: ArtifactKind
    status: ExtractionStatus
    bill: NormalizedBill | None = None
    bills: list[NormalizedBill] = field(default_factory=list)  # a file of several statements: each (bill is None)
    intervals: IntervalTable = field(default_factory=IntervalTable)  # columns, not a model per row
    series: list[IntervalSeriesSummary] = field(default_factory=list)
    audits: list[AuditResult] = field(default_factory=list)

    @property
    def readings(self) -> list[IntervalReading]:
        """One model per row, for the CLI's ``--rows`` and tests; the pipeline writes ``intervals``."""
        return list(self.intervals.readings())


def extract_file(data: bytes, filename: str | None = None, *, bill_reader: BillReader | None = None) -> Extraction:
    """Raises RejectedInput with a reason code for anything that cannot be read.

    A bill that is readable but incomplete (no text layer, no period or total) is NEEDS_REVIEW with
    `bill=None` and the reasons in `audits`; `bill_reader` (Gemini) is asked when configured.
    """
    if not data:
        raise RejectedInput("the file is empty", "empty_file")
    kind = classify(data)
    if kind is ArtifactKind.BILL_PDF:
        from common.extraction.bills.cascade import extract_statements

        results = extract_statements(data, filename, bill_reader=bill_reader)
        ok = all(result.status is BillStatus.OK for result in results)
        status = ExtractionStatus.OK if ok else ExtractionStatus.NEEDS_REVIEW
        if len(results) == 1:
            return Extraction(kind=kind, status=status, bill=results[0].bill, audits=list(results[0].audits))
        # Each statement keeps its audits on its bill; the file's are all of them, each once.
        audits = list({(a.code, a.message): a for result in results for a in result.audits}.values())
        bills = [result.bill for result in results if result.bill is not None]
        if len(bills) < len(results):  # a statement read with no bill: the file waits for a person
            status = ExtractionStatus.NEEDS_REVIEW
        return Extraction(kind=kind, status=status, bills=bills, audits=audits)
    if kind is ArtifactKind.ESPI_XML:
        from common.extraction.espi import parse_espi

        result = parse_espi(data)
        return _interval_extraction(kind, result.table, result.series, result.audits)
    if kind is ArtifactKind.UTILITY_CSV:
        from common.extraction.csvfmt import parse_utility_csv

        parsed = parse_utility_csv(data)
        return _interval_extraction(kind, parsed.table, parsed.series, parsed.audits)
    raise RejectedInput("not a bill PDF, Green Button XML or utility CSV", "unsupported_file_type")


def _interval_extraction(
    kind: ArtifactKind, table: IntervalTable, series: list[IntervalSeriesSummary], audits: list[AuditResult]
) -> Extraction:
    audits = [*audits, *plausibility_audits(table)]
    failed = any(a.severity is Severity.ERROR for a in audits)
    return Extraction(
        kind=kind,
        status=ExtractionStatus.NEEDS_REVIEW if failed else ExtractionStatus.OK,
        intervals=table,
        series=series,
        audits=audits,
    )
