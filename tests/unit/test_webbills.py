"""The fifth author's portal e-bills (bench/extract/webbills.py): pages and truth, without a browser."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from bench.extract import webbills
from bench.extract.webbills import CHOICE_KEYS, web_bill, web_page
from common.models import Direction, NormalizedBill, ReadType

SEEDS = (1, 2211)
COUNT = 80
PAGES = [(index, seed, *web_page(index, seed)) for seed in SEEDS for index in range(COUNT)]
IDS = [f"{seed}-{index}" for index, seed, *_ in PAGES]


def content(element: Any) -> str:
    """An element's text (lxml.html's text_content, which the stubs do not declare on every element)."""
    return str(element.text_content())


def text_of(html: str) -> str:
    """The page's text, whitespace collapsed."""
    return re.sub(r"\s+", " ", content(lxml.html.fromstring(html)))


def amount(value: Decimal) -> str:
    return f"{abs(value):,.2f}"


@pytest.mark.parametrize(("index", "seed"), [(0, 1), (7, 1), (41, 2211)])
def test_deterministic(index: int, seed: int) -> None:
    first, second = web_page(index, seed), web_page(index, seed)
    assert first[0] == second[0]
    assert first[1] == second[1]
    assert first[2] == second[2]
    assert web_page(index + 1, seed)[0] != first[0]


@pytest.mark.parametrize(("index", "seed", "html", "truth", "choices"), PAGES, ids=IDS)
def test_truth_reconciles(index: int, seed: int, html: str, truth: NormalizedBill, choices: dict[str, str]) -> None:
    assert truth.line_items
    assert sum((item.amount for item in truth.line_items), Decimal(0)) == truth.total_amount
    assert truth.previous_balance is not None and truth.payments_and_credits is not None
    assert (
        truth.previous_balance - truth.payments_and_credits + (truth.adjustments or 0) + truth.total_amount
        == truth.amount_due
    )
    assert truth.amount_due is not None and truth.amount_due > 0
    for item in truth.line_items:
        if item.quantity is not None:
            assert item.rate is not None and item.unit
            sign = -1 if item.amount < 0 else 1
            assert abs(sign * item.quantity * item.rate - item.amount) <= Decimal("0.005")
    assert truth.statement_date is not None and truth.due_date is not None
    assert truth.bill_period_start < truth.bill_period_end < truth.statement_date < truth.due_date
    for day in (truth.bill_period_start, truth.bill_period_end, truth.statement_date, truth.due_date):
        assert date(2024, 1, 1) <= day <= date(2025, 12, 31)
    assert truth.usage
    for read in truth.usage:
        assert read.meter_number
        if read.start_read is None:
            assert read.end_read is None and read.multiplier is None and read.conversion_factor is None
            continue
        assert read.end_read is not None
        raw = (read.end_read - read.start_read) * (read.multiplier or 1)
        if read.conversion_factor is None:
            assert raw == read.quantity
        else:
            assert read.read_unit and read.read_unit != read.unit
            # the billed quantity is printed rounded (therms to 0.1, kWh to 1)
            assert abs(raw * read.conversion_factor - read.quantity) <= Decimal("0.5")
        if read.period is not None:
            assert re.fullmatch(r"[a-z]+(_[a-z]+)*", read.period)
    for demand in truth.demand:
        assert demand.meter_number in {read.meter_number for read in truth.usage}


@pytest.mark.parametrize(("index", "seed", "html", "truth", "choices"), PAGES, ids=IDS)
def test_page_prints_the_truth(
    index: int, seed: int, html: str, truth: NormalizedBill, choices: dict[str, str]
) -> None:
    text = text_of(html)
    assert truth.provider in text
    assert truth.account_number in text
    assert truth.amount_due is not None and amount(truth.amount_due) in text
    assert amount(truth.total_amount) in text
    assert truth.service_address is not None
    if choices["address_lines"] == "one":
        assert truth.service_address in text
    else:  # one line after the other

        def squash(value: str) -> str:
            return re.sub(r"[\s,]", "", value)

        assert squash(truth.service_address) in squash(text)
    position = 0
    for item in truth.line_items:
        # descriptions and amounts appear, in printed order
        found = text.find(item.description, position)
        assert found >= 0, item.description
        position = found + len(item.description)
        assert amount(item.amount) in text[position:]
        if item.quantity is not None:
            assert f"{item.quantity:,} {item.unit}" in text
            assert str(item.rate) in text
    for read in truth.usage:
        assert read.meter_number is not None and read.meter_number in text
        assert f"{read.quantity:,}" in text
        for value in (read.start_read, read.end_read, read.multiplier, read.conversion_factor):
            if value is not None:
                assert f"{value:,}" in text
    for demand in truth.demand:
        assert f"{demand.quantity:,} kW" in text


@pytest.mark.parametrize(("index", "seed", "html", "truth", "choices"), PAGES, ids=IDS)
def test_marks_and_registers(index: int, seed: int, html: str, truth: NormalizedBill, choices: dict[str, str]) -> None:
    text = text_of(html)
    estimated = [read for read in truth.usage if read.read_type is ReadType.ESTIMATED]
    if choices["meter.marks"] == "none" or choices["meter.style"] == "usage":
        assert not estimated
    if estimated:
        marker = {"column": "Estimated", "badge": "ESTIMATED", "letter": "(E)"}[choices["meter.marks"]]
        assert marker in text
    received = [read for read in truth.usage if read.direction is Direction.RECEIVED]
    assert bool(received) == (choices["meter.setup"] == "net" and choices["kind"] in ("elec", "dual"))
    periods = [read.period for read in truth.usage if read.period]
    assert bool(periods) == (choices["meter.setup"] == "tou" and choices["kind"] in ("elec", "dual"))
    assert bool(truth.demand) == (choices["kind"] == "commercial")
    # the payments the page prints add up to the truth's
    assert truth.payments_and_credits is not None
    printed_total = amount(truth.payments_and_credits) in text
    assert printed_total or (choices["summary.payments"] == "several" and choices["summary.style"] != "equation")


def parse_amount(text: str) -> Decimal:
    text = text.strip()
    negative = text.startswith(("-", "\u2212", "(")) or text.endswith("CR")
    value = Decimal(re.sub(r"[^\d.]", "", text))
    return -value if negative else value


def printed_charges(html: str) -> tuple[list[tuple[str, Decimal]], Decimal]:
    """The charge rows the page prints (description, amount) in order, and its printed total, read from the DOM."""
    root = lxml.html.fromstring(html)
    rows: list[tuple[str, Decimal]] = []
    table = root.find(".//table[@class='charges']")
    if table is not None:
        for tr in table.findall("./tbody/tr"):
            if tr.get("class") is None:
                cells = tr.findall("./td")
                rows.append((content(cells[0]), parse_amount(content(cells[-1]))))
        total = content(table.findall("./tfoot/tr/td")[-1])
    else:
        cards = root.find(".//div[@class='charges']")
        assert cards is not None
        for line in cards.findall("./div[@class='line']"):
            name, value = line.findall("./span")
            rows.append((name.text or "", parse_amount(content(value))))
        total = content(cards.findall("./div[@class='line total']/span")[-1])
    return rows, parse_amount(total)


@pytest.mark.parametrize(("index", "seed", "html", "truth", "choices"), PAGES, ids=IDS)
def test_line_items_are_the_printed_rows(
    index: int, seed: int, html: str, truth: NormalizedBill, choices: dict[str, str]
) -> None:
    rows, printed_total = printed_charges(html)
    assert rows == [(item.description, item.amount) for item in truth.line_items]
    assert sum((value for _, value in rows), Decimal(0)) == printed_total == truth.total_amount


def test_choices_documented_and_varied() -> None:
    seen: dict[str, set[str]] = defaultdict(set)
    for *_, choices in PAGES:
        assert set(choices) <= set(CHOICE_KEYS), set(choices) - set(CHOICE_KEYS)
        for key, value in choices.items():
            assert isinstance(value, str)
            seen[key].add(value)
    assert set(seen) == set(CHOICE_KEYS)
    single = sorted(key for key, values in seen.items() if len(values) < 2)
    assert not single
    assert seen["locale"] == {"US", "CA", "UK", "AU"}
    assert seen["charges.style"] == {"table", "details", "columns", "cards"}


def test_distractors_stay_out_of_the_truth() -> None:
    """A bill with a promotion and a late-fee notice: their prices are printed, and are not in the truth."""
    for _index, _seed, html, truth, choices in PAGES:
        if "promo" in choices["distractors"] and "late_notice" in choices["distractors"]:
            text = text_of(html)
            assert "Save " in text and "late payment charge of" in text
            notice = re.search(r"late payment charge of \D*([\d,.]+\d)", text)
            assert notice is not None
            assert notice.group(1) not in {amount(item.amount) for item in truth.line_items}
            return
    pytest.fail("no bill drew both distractors")


def test_web_bill_writes_the_page_and_reprints_a_changed_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    printed: list[Path] = []

    def fake_print(page: Path) -> bytes:
        printed.append(page)
        pdf = page.with_suffix(".pdf")
        if not pdf.exists():
            pdf.write_bytes(b"%PDF-fake " + page.read_bytes()[:10])
        return pdf.read_bytes()

    monkeypatch.setattr(webbills, "printed", fake_print)
    bill = web_bill(3, 9, tmp_path)
    html, truth, choices = web_page(3, 9)
    assert bill.name == "web-9-0003"
    assert (tmp_path / "web-9-0003.html").read_text() == html
    assert bill.truth == truth and bill.choices == choices and bill.pdf.startswith(b"%PDF")
    (tmp_path / "web-9-0003.html").write_text("an older page")
    (tmp_path / "web-9-0003.pdf").write_bytes(b"stale")
    assert web_bill(3, 9, tmp_path).pdf != b"stale"
    assert [bill.name for bill in webbills.web_bills(3, 9, tmp_path)] == ["web-9-0000", "web-9-0001", "web-9-0002"]
