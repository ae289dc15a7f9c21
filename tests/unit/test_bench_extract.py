"""The bench's pdfium-only contender parses every page of a bill and refuses what pdfium cannot open."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest

from bench.extract.run import pdfium_parse
from common.connectors.billgen import corpus


def test_pdfium_parse_loads_every_page() -> None:
    bills = list(corpus(2))
    for bill in bills:
        document = pdfium.PdfDocument(bill.pdf)
        assert pdfium_parse(bill.pdf) == len(document)
        document.close()
    assert max(pdfium_parse(bill.pdf) for bill in bills) > 1  # the multi-page provider is among them


def test_pdfium_parse_refuses_a_file_that_is_not_a_pdf() -> None:
    with pytest.raises(ValueError, match="cannot open"):
        pdfium_parse(b"not a pdf at all")
