"""The bench's pdfium-only contender parses every page of a bill and refuses what pdfium cannot open; its
times by provider group add up to its times per bill. bench-geometry tells a redraw that read more, and
right, from one that read otherwise."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest

from bench.extract.geometry import _only_more_and_right
from bench.extract.run import pdfium_parse, run
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


def test_times_by_provider_group_make_up_the_time_per_bill() -> None:
    report = run(1, with_invoice2data=True)
    groups = report["ms_per_bill_by_group"]
    assert set(groups) == {"seen", "unseen"}
    unseen = len(report["unseen_providers"])
    seen = len(report["providers"]) - unseen
    assert report["bills"] == seen + unseen  # one bill a provider
    for name, ms in report["ms_per_bill"].items():
        assert groups["seen"][name] > 0 and groups["unseen"][name] > 0, name
        combined = (groups["seen"][name] * seen + groups["unseen"][name] * unseen) / (seen + unseen)
        assert combined == pytest.approx(ms, abs=0.002), name  # each figure is rounded to a microsecond
    assert report["accuracy"]["unseen"]["methods"] == {"heuristic": unseen}


@pytest.mark.parametrize(
    ("values", "more_and_right"),
    [
        ({"total_amount": 5, "payments_and_credits": 2}, True),  # the square page missed payments
        ({"total_amount": 5, "payments_and_credits": 3}, False),  # ... and this reads them wrong
        ({"total_amount": 6, "payments_and_credits": 2}, False),  # a value the square page read, changed
        ({"payments_and_credits": 2}, True),  # more here, less there: nothing read otherwise
        ({"total_amount": 5, "due_date": 1}, False),  # a value the truth does not have
    ],
)
def test_a_redraw_reads_more_only_where_the_square_page_missed_and_the_truth_agrees(
    values: dict[str, int], more_and_right: bool
) -> None:
    square, truth = {"total_amount": 5}, {"total_amount": 5, "payments_and_credits": 2}
    assert _only_more_and_right(values, square, truth) is more_and_right
