"""Sandbox bill PDFs round-trip through the extractor exactly; bad files get stable reason codes."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import pytest
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfgen.canvas import Canvas

from common.connectors.sandbox_bills import (
    LAYOUTS,
    format_money,
    make_sandbox_bill,
    render_bill_pdf,
)
from common.errors import RejectedInput
from common.extraction.bill_audits import audit_bill
from common.extraction.pdf_bill import (
    MAX_PAGES,
    categorize,
    extract_bill_pdf,
    parse_date,
    parse_money,
    read_lines,
)
from common.models import (
    AuditResult,
    BillStatus,
    Commodity,
    LineItem,
    LineItemCategory,
    NormalizedBill,
    ReadType,
    Severity,
)

PROVIDERS = [
    "Sandbox Electric",
    "Evergreen Power & Light",
    "Northwind Gas Co.",
    "Cascade Utilities",
]
COMMODITIES = [
    Commodity.ELECTRICITY,
    Commodity.GAS,
    Commodity.ELECTRICITY,
    Commodity.GAS,
]
EXTRACTED_FIELDS = [name for name in NormalizedBill.model_fields if name not in ("provenance", "audits", "status")]


def sample_bill(seed: int, **overrides: object) -> NormalizedBill:
    """A varied but reproducible bill: provider, commodity, dates and flags all move with seed."""
    start = date(2018, 1, 3) + timedelta(days=29 * (seed % 90))  # always in the past: future bills are audited
    options: dict[str, object] = {
        "estimated": seed % 5 == 3,
        "credit": seed % 7 == 2,
        "commodity": Commodity.WATER if seed % 11 == 10 else COMMODITIES[seed % 4],
    }
    options.update(overrides)
    return make_sandbox_bill(
        PROVIDERS[seed % len(PROVIDERS)],
        f"{seed:04d}-{(seed * 7919) % 100000:05d}-{seed % 97:02d}",
        f"{100 + seed * 13} Maple Ave Apt {seed % 9 + 1}, Springfield, IL 627{seed % 100:02d}",
        start,
        start + timedelta(days=28 + seed % 6),
        seed=seed,
        **options,  # type: ignore[arg-type]
    )


def assert_same_bill(expected: NormalizedBill, actual: NormalizedBill) -> None:
    for name in EXTRACTED_FIELDS:
        assert getattr(actual, name) == getattr(expected, name), name


def codes_of(audits: list[AuditResult]) -> list[str]:
    """Warnings and errors; info notes (a credit balance, budget billing applied) are not findings."""
    return [audit.code for audit in audits if audit.severity is not Severity.INFO]


def codes(bill: NormalizedBill) -> list[str]:
    return codes_of(bill.audits)


# --- ground truth ---------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(30))
def test_sandbox_bill_is_internally_consistent(seed: int) -> None:
    bill = sample_bill(seed)
    assert sum(item.amount for item in bill.line_items) == bill.total_amount
    assert bill.previous_balance is not None and bill.payments_and_credits is not None
    assert bill.amount_due == bill.previous_balance - bill.payments_and_credits + bill.total_amount
    for money in [
        bill.total_amount,
        bill.amount_due,
        *(i.amount for i in bill.line_items),
    ]:
        assert money == money.quantize(Decimal("0.01"))
    (read,) = bill.usage
    assert read.end_read is not None and read.start_read is not None and read.multiplier
    assert (read.end_read - read.start_read) * read.multiplier == read.quantity
    assert bill.statement_date is not None and bill.due_date is not None
    assert 2 <= (bill.statement_date - bill.bill_period_end).days <= 5
    assert (bill.due_date - bill.statement_date).days == 21
    expected = ["estimated_read"] if read.read_type is ReadType.ESTIMATED else []
    assert codes_of(audit_bill(bill)) == expected


def test_credit_bill_has_negative_amount_due_and_a_credit_line() -> None:
    bill = sample_bill(4, credit=True)
    assert bill.amount_due is not None and bill.amount_due < 0
    assert bill.line_items[-1].category is LineItemCategory.CREDIT
    assert bill.line_items[-1].amount < 0


def test_same_seed_same_bill_other_seed_other_bill() -> None:
    assert sample_bill(8) == sample_bill(8)
    assert sample_bill(8).line_items != sample_bill(9).line_items


def test_units_follow_commodity() -> None:
    assert sample_bill(1, commodity=Commodity.ELECTRICITY).usage[0].unit == "kWh"
    assert sample_bill(1, commodity=Commodity.GAS).usage[0].unit == "therm"
    with pytest.raises(ValueError):
        sample_bill(1, commodity=Commodity.STORMWATER)


# --- rendering --------------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", LAYOUTS)
def test_rendering_is_deterministic(layout: str) -> None:
    first = render_bill_pdf(sample_bill(5), layout=layout)
    assert first.startswith(b"%PDF-")
    assert render_bill_pdf(sample_bill(5), layout=layout) == first
    assert render_bill_pdf(sample_bill(6), layout=layout) != first


def test_layouts_differ_and_unknown_layout_is_refused() -> None:
    bill = sample_bill(2)
    assert render_bill_pdf(bill, layout="default") != render_bill_pdf(bill, layout="compact")
    with pytest.raises(ValueError):
        render_bill_pdf(bill, layout="fancy")


def test_money_formats() -> None:
    assert format_money(Decimal("1234.5")) == "$1,234.50"
    assert format_money(Decimal("-12.34")) == "-$12.34"
    assert format_money(Decimal("-12.34"), credit_style="cr") == "$12.34 CR"


# --- round trip -------------------------------------------------------------------------------------

ROUND_TRIP_CASES = [(seed, LAYOUTS[seed % 2]) for seed in range(40)] + [
    (100, "default"),
    (100, "compact"),
]


@pytest.mark.parametrize(("seed", "layout"), ROUND_TRIP_CASES)
def test_extraction_round_trips_every_field(seed: int, layout: str) -> None:
    truth = sample_bill(seed)
    extracted = extract_bill_pdf(render_bill_pdf(truth, layout=layout), filename=f"{seed}.pdf")
    assert_same_bill(truth, extracted)
    if truth.usage[0].read_type is ReadType.ESTIMATED:
        assert codes(extracted) == ["estimated_read"]
    else:
        assert codes(extracted) == []
    assert extracted.status is BillStatus.OK
    assert all(p.method == f"template:sandbox-{layout}@1" for p in extracted.provenance.values())


def test_round_trip_cases_cover_the_variations() -> None:
    bills = [sample_bill(seed) for seed, _ in ROUND_TRIP_CASES]
    assert {b.usage[0].commodity for b in bills} >= {
        Commodity.ELECTRICITY,
        Commodity.GAS,
    }
    assert any(b.amount_due is not None and b.amount_due < 0 for b in bills)
    assert any(b.usage[0].read_type is ReadType.ESTIMATED for b in bills)
    assert any(b.usage[0].multiplier not in (None, Decimal(1)) for b in bills)
    assert any(b.payments_and_credits != b.previous_balance for b in bills)
    assert {layout for _, layout in ROUND_TRIP_CASES} == set(LAYOUTS)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_credit_and_estimated_bill_round_trips(layout: str) -> None:
    truth = sample_bill(12, credit=True, estimated=True, commodity=Commodity.GAS)
    extracted = extract_bill_pdf(render_bill_pdf(truth, layout=layout))
    assert extracted.amount_due is not None and extracted.amount_due < 0
    assert "credit_balance" in [a.code for a in extracted.audits if a.severity is Severity.INFO]
    assert extracted.usage[0].read_type is ReadType.ESTIMATED
    assert_same_bill(truth, extracted)


def test_provenance_points_at_the_page_and_text() -> None:
    truth = sample_bill(3)
    extracted = extract_bill_pdf(render_bill_pdf(truth, layout="default"))
    expected_fields = {
        "provider",
        "account_number",
        "service_address",
        "statement_date",
        "due_date",
        "bill_period_start",
        "bill_period_end",
        "currency",
        "total_amount",
        "amount_due",
        "previous_balance",
        "payments_and_credits",
        *(f"line_items[{i}]" for i in range(len(truth.line_items))),
        "usage[0]",
    }
    assert set(extracted.provenance) == expected_fields
    assert extracted.provenance["line_items[0]"].page == 2  # the default layout's second page
    assert extracted.provenance["total_amount"].page == 1
    first_item = extracted.provenance["line_items[0]"].source_text
    assert first_item is not None and truth.line_items[0].description in first_item
    account = extracted.provenance["account_number"]
    assert account.source_text is not None and truth.account_number in account.source_text
    assert account.bbox is not None
    left, bottom, right, top = account.bbox
    assert 0 <= left < right <= LETTER[0] and 0 <= bottom < top <= LETTER[1]
    assert all(
        p.method == "template:sandbox-default@1" and 0.9 < p.confidence <= 1 for p in extracted.provenance.values()
    )


# --- audits on rendered bills ----------------------------------------------------------------------


def test_wrong_total_on_the_bill_fails_the_line_item_audit() -> None:
    truth = sample_bill(7)
    wrong_total = truth.total_amount + Decimal("10.00")
    assert truth.amount_due is not None
    # Keep the account summary self-consistent so only the line-item audit fires.
    tampered = truth.model_copy(
        update={
            "total_amount": wrong_total,
            "amount_due": truth.amount_due + Decimal("10.00"),
        }
    )
    extracted = extract_bill_pdf(render_bill_pdf(tampered))
    assert extracted.total_amount == wrong_total
    assert codes(extracted) == ["line_items_sum_mismatch"]
    assert extracted.audits[0].details["difference"] == "10.00"
    assert extracted.status is BillStatus.NEEDS_REVIEW


def test_unbalanced_summary_fails_the_balance_audit() -> None:
    truth = sample_bill(9)
    assert truth.amount_due is not None
    tampered = truth.model_copy(update={"amount_due": truth.amount_due + Decimal("0.01")})
    extracted = extract_bill_pdf(render_bill_pdf(tampered, layout="compact"))
    assert codes(extracted) == ["balance_mismatch"]
    assert extracted.status is BillStatus.NEEDS_REVIEW


def test_the_balance_counts_the_accounts_adjustments() -> None:
    truth = sample_bill(9)
    assert truth.amount_due is not None
    late = truth.model_copy(update={"amount_due": truth.amount_due + Decimal("1.50"), "adjustments": Decimal("1.50")})
    assert codes_of(audit_bill(late)) == []
    unexplained = late.model_copy(update={"adjustments": None})
    [mismatch] = [audit for audit in audit_bill(unexplained) if audit.code == "balance_mismatch"]
    assert mismatch.details["expected_amount_due"] == str(truth.amount_due)
    wrong = late.model_copy(update={"adjustments": Decimal("-1.50")})
    [mismatch] = [audit for audit in audit_bill(wrong) if audit.code == "balance_mismatch"]
    assert "adjustments" in mismatch.message


def test_meter_reads_that_disagree_with_usage_fail() -> None:
    truth = sample_bill(1)
    read = truth.usage[0].model_copy(update={"quantity": truth.usage[0].quantity + 1})
    extracted = extract_bill_pdf(render_bill_pdf(truth.model_copy(update={"usage": [read]})))
    assert codes(extracted) == ["meter_read_mismatch"]
    assert extracted.status is BillStatus.NEEDS_REVIEW


def test_unknown_unit_is_flagged_but_not_blocking() -> None:
    truth = sample_bill(1)
    read = truth.usage[0].model_copy(update={"unit": "furlongs"})
    extracted = extract_bill_pdf(render_bill_pdf(truth.model_copy(update={"usage": [read]})))
    assert extracted.usage[0].unit == "furlongs"
    assert codes(extracted) == ["unknown_unit"]
    assert extracted.status is BillStatus.OK


def test_charges_for_a_quantity_consumed_with_no_meter_read_are_flagged_but_not_blocking() -> None:
    gas = sample_bill(1)
    assert [read.commodity for read in gas.usage] == [Commodity.GAS]
    [audit] = [audit for audit in audit_bill(gas.model_copy(update={"usage": []})) if audit.code == "usage_not_read"]
    assert audit.severity is Severity.WARNING
    assert audit.details == {"commodity": "gas", "charge": "Gas Supply Charge (32.736 therm)"}
    assert "usage_not_read" not in codes_of(audit_bill(gas))


@pytest.mark.parametrize(
    ("charge", "periods", "flagged"),
    [
        (("Super Off-Peak Energy", "169", "kWh"), ("on_peak", "off_peak"), "super_off_peak"),  # a register lost
        (("Super Off-Peak Energy", "169", "kWh"), ("on_peak", "off_peak", "super_off_peak"), None),
        (("On-peak energy", "300", "kWh"), (), None),  # a meter read whole, not register by register
        (("Off peak hot water", "133", "kWh"), ("controlled_load",), None),  # a read of its quantity accounts for it
        (("Off peak hot water", "355", "kWh"), ("controlled_load",), "off_peak"),
        (("Off-peak delivery", "31", "days"), ("on_peak",), None),  # days are not consumed
    ],
)
def test_a_charge_for_a_period_no_register_was_read_of_sends_the_bill_to_review(
    charge: tuple[str, str, str], periods: tuple[str, ...], flagged: str | None
) -> None:
    """A table whose third register's row went unread (its service wrapped over three lines, the row's other cells
    centred between them) loaded as ok with the on- and off-peak reads alone: its usage 169 kWh short."""
    bill = sample_bill(2)
    template = bill.usage[0].model_copy(update={"commodity": Commodity.ELECTRICITY, "unit": "kWh"})
    usage = [
        template.model_copy(update={"period": period, "quantity": Decimal(133 + index)})
        for index, period in enumerate(periods)
    ] or [template.model_copy(update={"quantity": Decimal(300)})]
    audits = audit_bill(bill.model_copy(update={"line_items": [_charged(*charge)], "usage": usage}))
    flags = [(audit.details["period"], audit.severity) for audit in audits if audit.code == "register_not_read"]
    assert flags == ([(flagged, Severity.ERROR)] if flagged else [])


def _charged(description: str, quantity: str, unit: str) -> LineItem:
    amount, category = Decimal("10.00"), LineItemCategory.SUPPLY
    return LineItem(description=description, amount=amount, category=category, quantity=Decimal(quantity), unit=unit)


@pytest.mark.parametrize(
    ("charge", "read", "flagged"),
    [
        (("Sewer usage", "12", "kgal"), Commodity.WATER, None),  # sewer is billed on the water used
        (("Off peak hot water", "355", "kWh"), Commodity.ELECTRICITY, None),  # the unit says electricity
        (("Off peak hot water", "355", "kWh"), None, "electricity or gas"),
        (("Gas usage", "1218", "kWh"), Commodity.GAS, None),
        (("Gas usage", "1218", "kWh"), Commodity.ELECTRICITY, "gas"),  # the gas meter of a dual-fuel bill lost
        (("Daily supply charge", "31", "days"), None, None),  # days are not consumed
        (("Peak demand", "15", "kW"), None, None),
    ],
)
def test_which_meter_a_charge_for_a_quantity_consumed_wants(
    charge: tuple[str, str, str], read: Commodity | None, flagged: str | None
) -> None:
    bill = sample_bill(2)
    usage = [bill.usage[0].model_copy(update={"commodity": read})] if read is not None else []
    audits = audit_bill(bill.model_copy(update={"line_items": [_charged(*charge)], "usage": usage}))
    assert [audit.details["commodity"] for audit in audits if audit.code == "usage_not_read"] == (
        [flagged] if flagged else []
    )


@pytest.mark.parametrize(
    ("quantity", "rate", "amount", "flagged"),
    [
        ("1200", "0.0333", "40.00", False),  # 39.96: the rate is printed rounded to 0.0001, and 1200 x 0.00005 = 0.06
        ("31", "1.2903", "40.00", False),  # 39.9993
        ("400", "0.10", "-40.00", False),  # a credit
        ("200", "0.10", "40.00", True),  # `Energy 2 x 200 kWh @ $0.10`: the quantity read is half the one billed
        ("1200", "0.0333", "40.10", True),  # 0.14 off, more than the rate's rounding allows
        ("400", "1.0", "40.00", True),  # a rate read ten times too high
    ],
)
def test_a_charge_whose_quantity_times_rate_is_not_its_amount_is_flagged(
    quantity: str, rate: str, amount: str, flagged: bool
) -> None:
    bill = sample_bill(2)
    item = LineItem(
        description="Energy",
        amount=Decimal(amount),
        category=LineItemCategory.SUPPLY,
        quantity=Decimal(quantity),
        unit="kWh",
        rate=Decimal(rate),
    )
    audits = [a for a in audit_bill(bill.model_copy(update={"line_items": [item]})) if a.code == "line_item_arithmetic"]
    assert [(a.severity, a.details["line_item"]) for a in audits] == ([(Severity.WARNING, 0)] if flagged else [])


def test_statement_before_period_end_is_invalid() -> None:
    truth = sample_bill(1)
    early = truth.model_copy(update={"statement_date": truth.bill_period_end - timedelta(days=3)})
    extracted = extract_bill_pdf(render_bill_pdf(early, layout="compact"))
    assert codes(extracted) == ["period_invalid"]
    assert extracted.status is BillStatus.NEEDS_REVIEW


def test_long_period_is_a_warning() -> None:
    truth = sample_bill(1)
    longer = truth.model_copy(update={"bill_period_start": truth.bill_period_end - timedelta(days=45)})
    extracted = extract_bill_pdf(render_bill_pdf(longer))
    assert codes(extracted) == ["period_length_unusual"]
    assert extracted.audits[0].details == {"days": 45}
    assert extracted.status is BillStatus.OK


def test_reversed_period_is_invalid() -> None:
    truth = sample_bill(1)
    reversed_period = truth.model_copy(
        update={
            "bill_period_start": truth.bill_period_end,
            "bill_period_end": truth.bill_period_start,
        }
    )
    assert codes_of(audit_bill(reversed_period)) == ["period_invalid"]


def test_missing_account_number_needs_review() -> None:
    truth = sample_bill(2).model_copy(update={"account_number": ""})
    extracted = extract_bill_pdf(render_bill_pdf(truth))
    assert extracted.account_number == ""
    assert "missing_required_field" in codes(extracted)
    assert any(a.details == {"field": "account_number"} for a in extracted.audits)
    assert extracted.status is BillStatus.NEEDS_REVIEW


# --- parsing rules ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("$1,234.56", Decimal("1234.56")),
        ("-$12.34", Decimal("-12.34")),
        ("$12.34 CR", Decimal("-12.34")),
        ("12.34CR", Decimal("-12.34")),
        ("$17.98-", Decimal("-17.98")),  # the credit sign after the amount, as many US bills print it
        ("1,380.88−", Decimal("-1380.88")),
        ("($7.00)", Decimal("-7.00")),
        ("0.00", Decimal("0.00")),
    ],
)
def test_parse_money(text: str, value: Decimal) -> None:
    assert parse_money(text) == value


@pytest.mark.parametrize(
    "text",
    [
        "02/07/2025",
        "Feb 7, 2025",
        "February 7 2025",
        "7th February 2025",
        "7 Feb. 2025",
        "07-Feb-25",
        "07-FEB-2025",
        "Friday 7 February 2025",  # a weekday before the date is read past
        "Fri, 7 Feb 2025",
        "FRI. 7 FEB 2025",
    ],
)
def test_parse_date(text: str) -> None:
    assert parse_date(text) == date(2025, 2, 7)


def test_sept_is_september() -> None:
    assert parse_date("Sept 5, 2025") == parse_date("5 Sept 2025") == date(2025, 9, 5)


@pytest.mark.parametrize("text", ["7 Feb", "Friday", "Friday 7", "2025", "31/02/2025"])
def test_what_is_not_a_whole_date_does_not_parse(text: str) -> None:
    with pytest.raises(ValueError, match="not a date"):
        parse_date(text)


@pytest.mark.parametrize(
    ("description", "category"),
    [
        ("Generation Service", LineItemCategory.SUPPLY),
        ("Electric Supply Charge", LineItemCategory.SUPPLY),
        ("Transmission Charge", LineItemCategory.DELIVERY),
        ("Customer Charge", LineItemCategory.DELIVERY),
        ("Gross Receipts Tax", LineItemCategory.TAX),
        ("Pipeline Safety Surcharge", LineItemCategory.FEE),
        ("Late Payment Fee", LineItemCategory.FEE),
        ("Net Metering Credit", LineItemCategory.CREDIT),
        ("Power Cost Adjustment", LineItemCategory.OTHER),
        # wordings of other countries and municipal bills
        ("Day units", LineItemCategory.SUPPLY),
        ("Unit charge", LineItemCategory.SUPPLY),
        ("Controlled load 2", LineItemCategory.SUPPLY),
        ("Off-peak electricity", LineItemCategory.SUPPLY),
        ("On-peak demand", LineItemCategory.DELIVERY),
        ("Cost of gas", LineItemCategory.SUPPLY),
        ("Water volume charge", LineItemCategory.SUPPLY),
        ("Transportation", LineItemCategory.DELIVERY),
        ("Monthly service charge", LineItemCategory.DELIVERY),
        ("Water fixed charge", LineItemCategory.DELIVERY),
        ("Climate Change Levy", LineItemCategory.TAX),
        ("Federal carbon charge", LineItemCategory.TAX),
        ("Surface water drainage", LineItemCategory.FEE),
        ("Refuse collection", LineItemCategory.FEE),
        ("Electricity Costs Emergency Benefit", LineItemCategory.CREDIT),
        ("Rate rider", LineItemCategory.OTHER),
        # carrying energy, or charging by the day, is delivery whatever else the name says
        ("Energy delivery charge", LineItemCategory.DELIVERY),
        ("Daily supply charge", LineItemCategory.DELIVERY),
        ("Fixed daily charge", LineItemCategory.DELIVERY),
        ("Water supply service charge", LineItemCategory.DELIVERY),
        ("Sewerage: volume (95% returned)", LineItemCategory.DELIVERY),
        # time-of-use rates, an uncontrolled load, the gas itself, a line named for the commodity alone
        ("Night rate", LineItemCategory.SUPPLY),
        ("Uncontrolled", LineItemCategory.SUPPLY),
        ("Purchased gas cost", LineItemCategory.SUPPLY),
        ("Electricity", LineItemCategory.SUPPLY),
        ("Water: volume", LineItemCategory.SUPPLY),
        ("Late payment charge", LineItemCategory.FEE),
        ("Stormwater charge", LineItemCategory.FEE),
        ("System benefits charge", LineItemCategory.FEE),
        ("PST 7%", LineItemCategory.TAX),
        ("Supply charge", LineItemCategory.SUPPLY),  # a fixed charge in Australia, the energy in America: as named
    ],
)
def test_categorize(description: str, category: LineItemCategory) -> None:
    assert categorize(description) is category


# --- rejected inputs --------------------------------------------------------------------------------


def pdf_with(
    draw: Callable[[Canvas, int], None] | None = None,
    *,
    encrypt: StandardEncryption | None = None,
    pages: int = 1,
) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=LETTER, invariant=1, encrypt=encrypt)
    for page in range(pages):
        if draw is not None:
            draw(canvas, page)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def rejection(data: bytes) -> str:
    with pytest.raises(RejectedInput) as caught:
        extract_bill_pdf(data, filename="bad.pdf")
    return caught.value.reason_code


def test_empty_file_is_rejected() -> None:
    assert rejection(b"") == "empty_file"


def test_non_pdf_is_rejected() -> None:
    assert rejection(b"hello") == "not_a_pdf"
    assert rejection(b"<html><body>%%EOF</body></html>") == "not_a_pdf"


def test_truncated_pdf_is_corrupt() -> None:
    real = render_bill_pdf(sample_bill(1))
    assert rejection(real[: len(real) // 3]) == "corrupt_pdf"
    assert rejection(real[:-200]) == "corrupt_pdf"


def test_garbage_with_pdf_markers_is_corrupt() -> None:
    assert rejection(b"%PDF-1.7\n" + b"\x00garbage" * 100 + b"\n%%EOF\n") == "corrupt_pdf"


def test_password_protected_pdf_is_rejected() -> None:
    def draw(canvas: Canvas, page: int) -> None:
        canvas.drawString(72, 700, "Service period: 01/01/2024 - 01/31/2024")

    encrypted = pdf_with(draw, encrypt=StandardEncryption("user-secret", ownerPassword="owner"))
    assert rejection(encrypted) == "encrypted_pdf"


def test_pdf_without_text_needs_ocr() -> None:
    def draw(canvas: Canvas, page: int) -> None:
        canvas.rect(72, 500, 300, 200, fill=1)  # a scanned page looks like this to us
        canvas.line(72, 400, 500, 400)

    assert rejection(pdf_with(draw)) == "no_text_layer"
    assert rejection(pdf_with()) == "no_text_layer"


def test_text_pdf_that_is_not_a_bill_is_unrecognized() -> None:
    def draw(canvas: Canvas, page: int) -> None:
        canvas.drawString(72, 700, "Dear customer, thank you for your letter of 01/02/2024.")

    assert rejection(pdf_with(draw)) == "unrecognized_bill"


def test_oversized_file_is_refused_before_parsing() -> None:
    huge = b"%PDF-1.7\n" + b" " * (20 * 1024 * 1024) + b"\n%%EOF\n"
    assert rejection(huge) == "file_too_large"


def test_page_count_is_capped() -> None:
    def draw(canvas: Canvas, page: int) -> None:
        canvas.drawString(72, 700, f"Page {page + 1}")

    lines = read_lines(pdf_with(draw, pages=MAX_PAGES + 5))
    assert max(line.page for line in lines) == MAX_PAGES
    assert lines[-1].text == f"Page {MAX_PAGES}"


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("account_number", ["SBX-DUPLICATE-DELIVERY-001", "0000123456789012345678901234"])
def test_long_account_numbers_survive_every_layout(layout: str, account_number: str) -> None:
    truth = sample_bill(7).model_copy(update={"account_number": account_number})
    extracted = extract_bill_pdf(render_bill_pdf(truth, layout=layout))
    assert extracted.account_number == account_number
    assert extracted.statement_date == truth.statement_date


def test_a_bill_reaching_past_today_goes_to_review() -> None:
    bill = sample_bill(3)
    assert bill.statement_date is not None
    on_the_day = [a.code for a in audit_bill(bill, today=bill.statement_date)]
    the_day_before = [a for a in audit_bill(bill, today=bill.statement_date - timedelta(days=1))]
    assert "period_in_future" not in on_the_day
    assert [(a.code, a.severity) for a in the_day_before if a.code == "period_in_future"] == [
        ("period_in_future", Severity.ERROR)
    ]


def test_a_date_is_found_whole_in_every_process() -> None:
    # The date pattern's alternatives once came in the order of a set of strings, which changes with each
    # process's hash seed: in some processes `10/13/2023` was found as `10/13/20`, the year 2020.
    import subprocess
    import sys

    script = (
        "import re; from common.extraction.bills.values import DEFAULT_DATE_FORMATS, date_regex; "
        "print(re.search(date_regex(DEFAULT_DATE_FORMATS), 'Charges for 9/17/2023 - 10/13/2023 (27 days)')"
        ".group(), date_regex(DEFAULT_DATE_FORMATS))"
    )
    answers = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in range(8)
    }
    assert len(answers) == 1
    assert answers.pop().startswith("9/17/2023 ")


def test_a_summary_that_balances_only_with_a_payment_not_read_fails_the_balance_audit() -> None:
    """heldout-29-0108 printed a previous balance of 185.06 and an amount due of the new charges alone; its payments'
    amount was not read, and the audit, which needed payments to check anything, let the bill load without them."""
    truth = sample_bill(9)
    assert truth.previous_balance and truth.payments_and_credits and truth.amount_due is not None
    paid_in_full = truth.model_copy(
        update={"payments_and_credits": truth.previous_balance, "amount_due": truth.total_amount}
    )
    assert codes_of(audit_bill(paid_in_full)) == []
    unread = paid_in_full.model_copy(update={"payments_and_credits": None})
    [mismatch] = [audit for audit in audit_bill(unread) if audit.code == "balance_mismatch"]
    assert mismatch.severity is Severity.ERROR
    assert mismatch.details["payments_read"] is False
    assert mismatch.details["expected_amount_due"] == str(truth.previous_balance + truth.total_amount)
    assert mismatch.message.endswith("(no payments were read)")
    none_paid = unread.model_copy(update={"amount_due": truth.previous_balance + truth.total_amount})
    assert codes_of(audit_bill(none_paid)) == []


def test_an_amount_due_other_than_the_new_charges_with_no_balance_read_fails_the_balance_audit() -> None:
    """heldout-37-0118 printed its previous balance and its payment without their points (`€26660`, `€10131`): neither
    was read, the audit checked nothing without a previous balance, and the bill loaded as ok without both though
    its amount due (424.11) was not its new charges (258.82)."""
    truth = sample_bill(9)
    carried = {"previous_balance": None, "payments_and_credits": None, "adjustments": None}
    unread = truth.model_copy(update={**carried, "amount_due": truth.total_amount + Decimal("165.29")})
    [mismatch] = [audit for audit in audit_bill(unread) if audit.code == "balance_mismatch"]
    assert mismatch.details["previous_balance_read"] is False and mismatch.details["payments_read"] is False
    assert mismatch.message.endswith("(no previous balance or payments were read)")
    nothing_carried = unread.model_copy(update={"amount_due": truth.total_amount})
    assert codes_of(audit_bill(nothing_carried)) == []
    # a payment read without the balance it paid tells nothing: not checked
    assert codes_of(audit_bill(unread.model_copy(update={"payments_and_credits": Decimal("5.00")}))) == []
