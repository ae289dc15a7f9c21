"""Sandbox utility bills: consistent ground-truth bills and realistic PDFs rendered from them.

The sandbox connector serves these PDFs so the whole pipeline (extract, audit, load) runs on files
whose every value is known. Rendering is deterministic: the pipeline names objects by content hash,
so the same bill must always give the same bytes.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.pdfgen.canvas import Canvas

from common.models import (
    Commodity,
    LineItem,
    LineItemCategory,
    NormalizedBill,
    ReadType,
    UsageRead,
)

CENT = Decimal("0.01")
LAYOUTS = ("default", "compact")

# Per commodity: billed unit, display name, and how reads relate to usage.
_COMMODITY_UNITS: dict[Commodity, str] = {
    Commodity.ELECTRICITY: "kWh",
    Commodity.GAS: "therm",
    Commodity.WATER: "gal",
}
COMMODITY_LABELS: dict[Commodity, str] = {
    Commodity.ELECTRICITY: "Electricity",
    Commodity.GAS: "Natural Gas",
    Commodity.WATER: "Water",
}


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _money_between(rng: random.Random, low: int, high: int) -> Decimal:
    """A random amount in whole dollars [low, high] plus random cents."""
    return Decimal(rng.randint(low * 100, high * 100)).scaleb(-2)


# --- ground truth ---------------------------------------------------------------------------------


def _usage_read(rng: random.Random, commodity: Commodity, estimated: bool) -> UsageRead:
    """Reads and multiplier chosen so (end - start) x multiplier is exactly the billed quantity."""
    start_read = Decimal(rng.randint(1000, 89999))
    if commodity is Commodity.ELECTRICITY:
        multiplier = Decimal(rng.choice([1, 1, 1, 10, 40]))
        target = rng.randint(250, 1600)
        difference = Decimal(max(1, target // int(multiplier)))
    elif commodity is Commodity.GAS:
        # Reads in CCF; the therm factor converts volume to energy.
        multiplier = Decimal(rng.randint(1020, 1060)).scaleb(-3)
        difference = Decimal(rng.randint(15, 160))
    elif commodity is Commodity.WATER:
        # Reads in hundreds of gallons.
        multiplier = Decimal(100)
        difference = Decimal(rng.randint(20, 90))
    else:
        raise ValueError(f"sandbox bills do not cover commodity {commodity}")
    return UsageRead(
        commodity=commodity,
        quantity=difference * multiplier,
        unit=_COMMODITY_UNITS[commodity],
        meter_number=str(rng.randint(10_000_000, 99_999_999)),
        read_type=ReadType.ESTIMATED if estimated else ReadType.ACTUAL,
        start_read=start_read,
        end_read=start_read + difference,
        multiplier=multiplier,
    )


def _metered_item(description: str, category: LineItemCategory, usage: UsageRead, rate: Decimal) -> LineItem:
    return LineItem(
        description=description,
        amount=_cents(usage.quantity * rate),
        category=category,
        quantity=usage.quantity,
        unit=usage.unit,
        rate=rate,
    )


def _line_items(rng: random.Random, commodity: Commodity, usage: UsageRead, credit: bool) -> list[LineItem]:
    """Charges a real tariff would show; categories follow the descriptions' own wording."""
    items: list[LineItem] = []
    if commodity is Commodity.ELECTRICITY:
        items.append(
            _metered_item(
                "Electric Supply Charge",
                LineItemCategory.SUPPLY,
                usage,
                Decimal(rng.randint(7000, 14000)).scaleb(-5),
            )
        )
        items.append(
            _metered_item(
                "Distribution Delivery Charge",
                LineItemCategory.DELIVERY,
                usage,
                Decimal(rng.randint(3000, 7000)).scaleb(-5),
            )
        )
        if rng.random() < 0.5:
            items.append(
                _metered_item(
                    "Transmission Charge",
                    LineItemCategory.DELIVERY,
                    usage,
                    Decimal(rng.randint(800, 2000)).scaleb(-5),
                )
            )
        fixed = [
            ("Customer Charge", LineItemCategory.DELIVERY, 8, 20),
            ("Power Cost Adjustment", LineItemCategory.OTHER, 1, 9),
            ("Renewable Energy Surcharge", LineItemCategory.FEE, 1, 5),
        ]
        tax_name, credit_name = "State Sales Tax", "Net Metering Credit"
    elif commodity is Commodity.GAS:
        items.append(
            _metered_item(
                "Gas Supply Charge",
                LineItemCategory.SUPPLY,
                usage,
                Decimal(rng.randint(3000, 9000)).scaleb(-4),
            )
        )
        items.append(
            _metered_item(
                "Gas Distribution Charge",
                LineItemCategory.DELIVERY,
                usage,
                Decimal(rng.randint(1500, 4000)).scaleb(-4),
            )
        )
        fixed = [
            ("Customer Charge", LineItemCategory.DELIVERY, 10, 25),
            ("Purchased Gas Adjustment", LineItemCategory.OTHER, 1, 12),
            ("Pipeline Safety Surcharge", LineItemCategory.FEE, 1, 4),
        ]
        tax_name, credit_name = (
            "Municipal Utility Tax",
            "Bill Credit - Energy Assistance",
        )
    else:
        items.append(
            _metered_item(
                "Water Supply Charge",
                LineItemCategory.SUPPLY,
                usage,
                Decimal(rng.randint(400, 900)).scaleb(-5),
            )
        )
        fixed = [
            ("Customer Charge", LineItemCategory.DELIVERY, 9, 18),
            ("Infrastructure Replacement Fee", LineItemCategory.FEE, 2, 8),
        ]
        tax_name, credit_name = "Local Water Tax", "Conservation Rebate Credit"
    for description, category, low, high in fixed:
        if category is LineItemCategory.OTHER and rng.random() < 0.3:
            continue  # adjustments come and go from month to month
        items.append(
            LineItem(
                description=description,
                amount=_money_between(rng, low, high),
                category=category,
            )
        )
    subtotal = sum((item.amount for item in items), Decimal(0))
    tax_rate = Decimal(rng.randint(20, 80)).scaleb(-3)
    items.append(
        LineItem(
            description=tax_name,
            amount=_cents(subtotal * tax_rate),
            category=LineItemCategory.TAX,
        )
    )
    if credit:
        charges = sum((item.amount for item in items), Decimal(0))
        items.append(
            LineItem(
                description=credit_name,
                amount=-(charges + _money_between(rng, 5, 90)),
                category=LineItemCategory.CREDIT,
            )
        )
    return items


def make_sandbox_bill(
    provider: str,
    account_number: str,
    service_address: str,
    period_start: date,
    period_end: date,
    *,
    seed: int,
    estimated: bool = False,
    credit: bool = False,
    commodity: Commodity = Commodity.ELECTRICITY,
) -> NormalizedBill:
    """A ground-truth bill whose numbers agree with each other, as a clean utility's would.

    Line items sum exactly to the new charges, the account summary balances, and the meter reads
    times the multiplier equal the billed usage. `credit=True` makes credits exceed charges, so the
    amount due is negative.
    """
    rng = random.Random(seed)
    usage = _usage_read(rng, commodity, estimated)
    items = _line_items(rng, commodity, usage, credit)
    total_amount = sum((item.amount for item in items), Decimal(0))
    previous_balance = _money_between(rng, 0, 260)
    if credit or rng.random() < 0.7:
        payments = previous_balance  # paid in full
    else:
        payments = _cents(previous_balance * Decimal(rng.randint(30, 95)) / 100)
    statement_date = period_end + timedelta(days=rng.randint(2, 5))
    return NormalizedBill(
        provider=provider,
        account_number=account_number,
        service_address=service_address,
        statement_date=statement_date,
        due_date=statement_date + timedelta(days=21),
        bill_period_start=period_start,
        bill_period_end=period_end,
        total_amount=total_amount,
        amount_due=previous_balance - payments + total_amount,
        previous_balance=previous_balance,
        payments_and_credits=payments,
        line_items=items,
        usage=[usage],
        provenance={},
    )


# --- rendering ------------------------------------------------------------------------------------


def format_money(value: Decimal, *, credit_style: str = "minus") -> str:
    """`$1,234.56`; negatives as `-$1,234.56` ("minus") or `$1,234.56 CR` ("cr")."""
    text = f"${abs(value):,.2f}"
    if value < 0:
        return f"{text} CR" if credit_style == "cr" else f"-{text}"
    return text


def format_date(value: date | None) -> str:
    return value.strftime("%m/%d/%Y") if value else ""


def _initials(provider: str) -> str:
    words = [word for word in provider.split() if word[:1].isalpha()]
    return "".join(word[0].upper() for word in words[:2]) or "U"


def _draw_logo(canvas: Canvas, provider: str, x: float, y: float) -> None:
    canvas.setFillColor(colors.HexColor("#1f6f43"))
    canvas.roundRect(x, y, 40, 40, 6, stroke=0, fill=1)
    canvas.setFillColor(colors.white)
    canvas.setFont("Helvetica-Bold", 14)
    canvas.drawCentredString(x + 20, y + 15, _initials(provider))
    canvas.setFillColor(colors.black)


def _usage_detail(item: LineItem) -> str:
    if item.quantity is None or item.rate is None:
        return ""
    return f"{item.quantity} {item.unit} @ ${item.rate}"


def _render_default(canvas: Canvas, bill: NormalizedBill) -> None:
    """Two pages: summary, meter table and remittance stub; then the charge details."""
    height = LETTER[1]
    money = format_money
    _draw_logo(canvas, bill.provider, 40, height - 80)
    canvas.setFont("Helvetica-Bold", 20)
    canvas.drawString(92, height - 62, bill.provider)
    canvas.setFont("Helvetica", 8)
    canvas.drawString(92, height - 76, "Customer Service 1-800-555-0142   www.example-utility.test")

    right = [
        ("Account Number:", bill.account_number),
        ("Statement Date:", format_date(bill.statement_date)),
        ("Due Date:", format_date(bill.due_date)),
    ]
    y = height - 56
    for label, value in right:
        canvas.setFont("Helvetica-Bold", 9)
        canvas.drawString(380, y, label)
        canvas.setFont("Helvetica", 9)
        canvas.drawRightString(570, y, value)
        y -= 13

    canvas.setFont("Helvetica", 10)
    canvas.drawString(40, height - 120, f"Service Address: {bill.service_address or ''}")
    canvas.drawString(
        40,
        height - 135,
        f"Service period: {format_date(bill.bill_period_start)} - {format_date(bill.bill_period_end)}",
    )
    days = (bill.bill_period_end - bill.bill_period_start).days
    canvas.setFont("Helvetica", 8)
    canvas.drawString(40, height - 147, f"{days} days in billing period")

    canvas.setFont("Helvetica-Bold", 12)
    canvas.drawString(40, height - 180, "Account Summary")
    canvas.line(40, height - 184, 300, height - 184)
    summary = [
        ("Previous Balance", bill.previous_balance),
        ("Payments/Credits", bill.payments_and_credits),
        ("New Charges", bill.total_amount),
        ("Total Amount Due", bill.amount_due),
    ]
    y = height - 200
    for summary_label, amount in summary:
        bold = summary_label.startswith("Total")
        canvas.setFont("Helvetica-Bold" if bold else "Helvetica", 10)
        canvas.drawString(40, y, summary_label)
        canvas.drawRightString(300, y, money(amount) if amount is not None else "")
        y -= 15

    canvas.setFont("Helvetica-Bold", 12)
    canvas.drawString(40, height - 290, "Meter Information")
    columns = [40, 110, 190, 260, 330, 400, 500]
    headers = [
        "Meter",
        "Service",
        "Start Read",
        "End Read",
        "Multiplier",
        "Usage",
        "Read Type",
    ]
    canvas.setFont("Helvetica-Bold", 8)
    for x, header in zip(columns, headers, strict=True):
        canvas.drawString(x, height - 306, header)
    canvas.line(40, height - 309, 570, height - 309)
    canvas.setFont("Helvetica", 8)
    y = height - 322
    for read in bill.usage:
        cells = [
            read.meter_number or "",
            COMMODITY_LABELS.get(read.commodity, read.commodity.value.title()),
            str(read.start_read) if read.start_read is not None else "",
            str(read.end_read) if read.end_read is not None else "",
            str(read.multiplier) if read.multiplier is not None else "",
            f"{read.quantity} {read.unit}",
            "Estimated" if read.read_type is ReadType.ESTIMATED else "Actual",
        ]
        for x, cell in zip(columns, cells, strict=True):
            canvas.drawString(x, y, cell)
        y -= 12
    if any(read.read_type is ReadType.ESTIMATED for read in bill.usage):
        canvas.setFont("Helvetica-Oblique", 8)
        canvas.drawString(40, y - 4, "Your meter could not be read this month; usage was estimated.")

    # Remittance stub: repeats the account and amount, as real bills do.
    canvas.setDash(3, 3)
    canvas.line(30, 150, 580, 150)
    canvas.setDash()
    canvas.setFont("Helvetica", 7)
    canvas.drawString(40, 140, "Please detach and return this portion with your payment.")
    canvas.setFont("Helvetica", 9)
    canvas.drawString(40, 120, f"Account Number: {bill.account_number}")
    canvas.drawString(40, 106, f"Amount Due: {money(bill.amount_due or Decimal(0))}")
    canvas.drawString(40, 92, f"Due Date: {format_date(bill.due_date)}")
    canvas.drawString(330, 120, f"Make checks payable to {bill.provider}")
    canvas.drawString(330, 106, "PO Box 4500, Anytown, ST 00000-4500")
    canvas.setFont("Helvetica", 7)
    canvas.drawRightString(570, 30, "Page 1 of 2")
    canvas.showPage()

    canvas.setFont("Helvetica-Bold", 10)
    canvas.drawString(40, height - 50, bill.provider)
    canvas.setFont("Helvetica", 9)
    canvas.drawRightString(570, height - 50, f"Account Number: {bill.account_number}")
    canvas.setFont("Helvetica-Bold", 12)
    canvas.drawString(40, height - 90, "Charge Details")
    canvas.setFont("Helvetica-Bold", 8)
    canvas.drawString(40, height - 106, "Description")
    canvas.drawString(280, height - 106, "Quantity and Rate")
    canvas.drawRightString(570, height - 106, "Amount")
    canvas.line(40, height - 109, 570, height - 109)
    y = height - 124
    canvas.setFont("Helvetica", 9)
    for item in bill.line_items:
        canvas.drawString(40, y, item.description)
        detail = _usage_detail(item)
        if detail:
            canvas.drawString(280, y, detail)
        canvas.drawRightString(570, y, money(item.amount))
        y -= 14
    canvas.line(40, y + 8, 570, y + 8)
    canvas.setFont("Helvetica-Bold", 9)
    canvas.drawString(40, y - 6, "Total New Charges")
    canvas.drawRightString(570, y - 6, money(bill.total_amount))

    canvas.setFont("Helvetica", 8)
    notes = [
        "Important messages",
        "A late payment charge of 1.5% per month may apply to balances unpaid after the due date.",
        "To report an outage call 1-800-555-0199, available 24 hours a day.",
    ]
    y -= 40
    for note in notes:
        canvas.drawString(40, y, note)
        y -= 11
    canvas.setFont("Helvetica", 7)
    canvas.drawRightString(570, 30, "Page 2 of 2")
    canvas.showPage()


def _render_compact(canvas: Canvas, bill: NormalizedBill) -> None:
    """One page; other labels and order, credits as `CR`, meter reads as a sentence per meter."""
    height = LETTER[1]

    def money(value: Decimal | None) -> str:
        return format_money(value, credit_style="cr") if value is not None else ""

    canvas.setFont("Helvetica-Bold", 18)
    canvas.drawString(40, height - 50, bill.provider)
    _draw_logo(canvas, bill.provider, 530, height - 66)
    canvas.setFont("Helvetica", 9)
    account_label = f"Acct #: {bill.account_number}"
    canvas.drawString(40, height - 72, account_label)
    # A long account number pushes the dates right: text must never run together.
    dates_x = max(200.0, 40 + canvas.stringWidth(account_label, "Helvetica", 9) + 24)
    canvas.drawString(dates_x, height - 72, f"Bill Date: {format_date(bill.statement_date)}")
    canvas.drawString(dates_x + 160, height - 72, f"Pay By: {format_date(bill.due_date)}")
    canvas.drawString(40, height - 86, f"Service Location: {bill.service_address or ''}")
    canvas.drawString(
        40,
        height - 100,
        f"Billing period: {format_date(bill.bill_period_start)} to {format_date(bill.bill_period_end)}",
    )

    canvas.setFillColor(colors.HexColor("#eeeeee"))
    canvas.rect(40, height - 190, 250, 78, stroke=0, fill=1)
    canvas.setFillColor(colors.black)
    canvas.setFont("Helvetica-Bold", 10)
    canvas.drawString(46, height - 126, "YOUR BALANCE")
    rows = [
        ("Balance from last bill", bill.previous_balance),
        ("Payments received", bill.payments_and_credits),
        ("Current charges", bill.total_amount),
        ("Please pay", bill.amount_due),
    ]
    y = height - 140
    canvas.setFont("Helvetica", 9)
    for label, value in rows:
        canvas.drawString(46, y, label)
        canvas.drawRightString(284, y, money(value))
        y -= 12

    canvas.setFont("Helvetica-Bold", 10)
    canvas.drawString(320, height - 126, "METER READINGS")
    canvas.setFont("Helvetica", 8)
    y = height - 140
    for read in bill.usage:
        kind = "estimated" if read.read_type is ReadType.ESTIMATED else "actual"
        canvas.drawString(
            320,
            y,
            f"Meter {read.meter_number} - {COMMODITY_LABELS.get(read.commodity, read.commodity.value)}",
        )
        canvas.drawString(
            320,
            y - 11,
            f"Reads {read.start_read} to {read.end_read} ({kind}) x {read.multiplier}",
        )
        canvas.drawString(320, y - 22, f"Billed usage {read.quantity} {read.unit}")
        y -= 36

    canvas.setFont("Helvetica-Bold", 10)
    canvas.drawString(40, height - 215, "CURRENT CHARGES")
    canvas.line(40, height - 219, 570, height - 219)
    canvas.setFont("Helvetica", 9)
    y = height - 234
    for item in bill.line_items:
        text = item.description
        if item.quantity is not None and item.rate is not None:
            text += f" ({item.quantity} {item.unit} x ${item.rate}/{item.unit})"
        canvas.drawString(40, y, text)
        canvas.drawRightString(570, y, money(item.amount))
        y -= 13
    canvas.setFont("Helvetica-Bold", 9)
    canvas.drawString(40, y - 4, "Total current charges")
    canvas.drawRightString(570, y - 4, money(bill.total_amount))
    canvas.setFont("Helvetica", 7)
    canvas.drawString(40, 40, "Questions? Call 1-888-555-0177. Payments received after the due date")
    canvas.drawString(40, 31, "may be subject to a late charge.")
    canvas.showPage()


_RENDERERS: dict[str, Callable[[Canvas, NormalizedBill], None]] = {
    "default": _render_default,
    "compact": _render_compact,
}


def render_on_canvas(canvas: Canvas, bill: NormalizedBill, *, layout: str = "default") -> None:
    """Draw `bill` in one of the sandbox layouts on a canvas the caller owns (the corpus generator's)."""
    try:
        renderer = _RENDERERS[layout]
    except KeyError:
        raise ValueError(f"unknown layout {layout!r}; expected one of {LAYOUTS}") from None
    renderer(canvas, bill)


def render_bill_pdf(bill: NormalizedBill, *, layout: str = "default") -> bytes:
    """Render `bill` as a text PDF; same bill and layout give byte-identical output."""
    if layout not in _RENDERERS:
        raise ValueError(f"unknown layout {layout!r}; expected one of {LAYOUTS}")
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=LETTER, invariant=1, pageCompression=1)
    canvas.setTitle(f"{bill.provider} statement {format_date(bill.statement_date)}")
    canvas.setAuthor(bill.provider)
    render_on_canvas(canvas, bill, layout=layout)
    canvas.save()
    return buffer.getvalue()
