"""Wild layouts: bills from utilities nobody wrote a template for, to test the generic heuristics honestly.

The truth comes from the providers' `_make` functions (consistent tariffs, reads and summaries); only the
page is new. Every bill draws its own label wording, placement of labels and values, date and money
formats, table shapes and the distractors real bills carry (remittance stub, marketing figures, last
payment, average daily use), all recorded in `choices` so that a misread can be reproduced and explained.
The truth is edited to say exactly what the page says: a table without a rate column has no rates.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from reportlab.lib.pagesizes import LETTER
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from common.connectors.billgen.draw import Sheet, money, quantity
from common.connectors.billgen.providers import PROVIDERS
from common.models import Direction, NormalizedBill, ReadType

# Truth from the corpus providers' tariffs; summit is left out, as its budget billing is not drawn here.
MAKES = {provider.id: provider.make for provider in PROVIDERS if provider.id != "summit"}
LOCALES: dict[str, dict[str, tuple[str, ...]]] = {
    "US": {
        "makes": ("brightline", "riverside", "keystone", "harborview", "lakeshore"),
        "names": ("Pinecrest Power & Light", "Tri-County Electric Cooperative", "City of Maple Falls Utilities"),
        "dates": ("mdy", "mon", "month"),
        "places": ("Fairhaven, OR 97123", "Brookside, WA 98012", "Lakeport, MI 48059"),
    },
    "UK": {
        "makes": ("northbay", "brightline", "harborview"),
        "names": ("Thames Vale Energy", "Pennine Gas Supply Ltd", "Severn Power Company"),
        "dates": ("dmy", "dmon", "dmonth"),
        "places": ("Reading RG1 2AB", "Leeds LS6 3QW", "Bristol BS8 1TH"),
    },
    "CA": {
        "makes": ("northbay", "brightline", "riverside", "keystone", "lakeshore"),
        "names": ("Maple Ridge Hydro", "Prairie Gas Co-operative", "Laurentian Energy Services"),
        "dates": ("iso", "mon", "month", "dmy"),
        "places": ("Brandon, MB R7A 1B2", "Kelowna, BC V1Y 2K7", "Sudbury, ON P3E 4N1"),
    },
}
CURRENCY = {"US": ("USD", "$"), "UK": ("GBP", "£"), "CA": ("CAD", "$")}
DATE_FORMATS = {
    "mdy": "%m/%d/%Y",
    "dmy": "%d/%m/%Y",
    "iso": "%Y-%m-%d",
    "mon": "{d:%b} {d.day}, {d.year}",
    "month": "{d:%B} {d.day}, {d.year}",
    "dmon": "{d.day} {d:%b} {d.year}",
    "dmonth": "{d.day} {d:%B} {d.year}",
}
LABELS: dict[str, tuple[str, ...]] = {
    "account_number": ("Account Number", "Account No.", "Account #", "Acct No", "Customer Account"),
    "statement_date": ("Statement Date", "Bill Date", "Invoice Date", "Date Issued", "Billing Date"),
    "due_date": ("Due Date", "Payment Due", "Pay By", "Please pay by"),
    "total_amount": (
        "Current Charges",
        "Total Current Charges",
        "New Charges",
        "Charges This Period",
        "Total New Charges",
    ),
    "amount_due": ("Amount Due", "Total Amount Due", "Balance Due", "Please Pay"),
    "previous_balance": ("Previous Balance", "Balance Forward", "Last Bill"),
    "payments_and_credits": ("Payments", "Payment Received", "Payments Received - Thank You"),
    "bill_period": ("Billing Period", "Service Period", "Service From", "Bill Period", "For service"),
    "service_address": ("Service Address", "Service Location", "Premises", "Service at"),
}
# Layout decisions drawn uniformly from their options (the synonyms above and the usage headings below too).
OPTIONS: dict[str, tuple[str, ...]] = {
    "header": ("colon", "far", "above", "inline", "right_box"),
    "summary": ("rows", "two_column", "boxes", "colon"),
    "credit": ("minus", "cr", "parens"),
    "payments_sign": ("credit", "plain"),
    "table_symbol": ("yes", "no"),
    "address_lines": ("1", "2"),
    "provider_size": ("11", "14", "18", "22"),
    "headline_size": ("12", "16", "20"),
    "mailing_block": ("yes", "no"),
    "charges_style": ("plain", "columns", "inline", "cents", "unit_column"),
    "charges_header": ("Current Charges", "Charge Details", "Details of Charges", "Itemized Charges", "Your Charges"),
    "charges_total": ("Total Current Charges", "Total New Charges", "Total Charges", "Current Charges Total"),
    "charges_columns_header": ("none", "Description", "Item"),
    "sections": ("none", "headings", "subtotals"),
    "order": ("usage_first", "charges_first"),
    "usage_title": ("Meter Readings", "Usage Details", "Your Meter Reading", "Meter Information"),
    "num_align": ("left", "right"),
    "unit_style": ("cell", "column", "header"),
    "est_style": ("column", "suffix_E", "suffix_est", "star"),
    "service_column": ("yes", "no"),
    "multiplier_column": ("yes", "no"),
}
USAGE_HEADERS = {
    "service": ("Service", "Utility", "Commodity"),
    "meter": ("Meter", "Meter Number", "Meter No.", "Meter #"),
    "period": ("Period", "TOU Period", "Time of Use", "Rate Period"),
    "read_dates": ("Read Dates", "Reading Dates"),
    "days": ("Days",),
    "start": ("Previous Reading", "Prior Read", "Start Read", "Previous", "Last Reading"),
    "end": ("Present Reading", "Current Read", "End Read", "Present", "This Reading"),
    "multiplier": ("Multiplier", "Mult", "Constant", "Meter Constant"),
    "factor": ("Conversion Factor", "Factor", "Conv. Factor"),
    "usage": ("Usage", "Consumption", "Total Usage", "Billed Usage", "Units Used"),
    "unit": ("Unit", "Units", "UOM"),
    "demand": ("Demand", "Max Demand", "Peak kW", "kW"),
    "read_type": ("Read Type", "Type", "Reading"),
}
# A net meter's register column (`Received`) and a late fee in the summary: their wordings are chosen from the
# provider's name, not drawn, so that every bill drawn before they were printed draws the same.
REGISTER_HEADINGS = ("Register", "Description", "Channel")
ADJUSTMENT_LABELS = ("Late Payment Charge", "Late Fee", "Adjustments")
DISTRACTORS = ("last_payment", "marketing", "average_daily", "stub", "page_footer", "late_amount", "headline")
STREETS = ("Mill Lane", "Oak St", "Harbour Road", "Cedar Ave", "Queen St W", "Lakeview Dr")
RIGHT, LIMIT, STUB_TOP = 572.0, 740.0, 650.0


@dataclass(frozen=True)
class WildBill:
    name: str
    pdf: bytes
    truth: NormalizedBill
    choices: dict[str, str]


def _choose(rng: random.Random) -> dict[str, str]:
    """Every rendering decision, drawn up front so that the page is a pure function of (truth, choices)."""
    c: dict[str, str] = {}
    c["locale"] = locale = rng.choice(tuple(LOCALES))
    c["make"] = rng.choice(LOCALES[locale]["makes"])
    c["provider"] = rng.choice(LOCALES[locale]["names"])
    c["date_format"] = rng.choice(LOCALES[locale]["dates"])
    for name, options in LABELS.items():
        c[f"label.{name}"] = rng.choice(options)
    c["period_sep"] = "to" if c["label.bill_period"] == "Service From" else rng.choice(("-", "to", "through"))
    c.update({name: rng.choice(options) for name, options in OPTIONS.items()})
    c.update({f"col.{name}": rng.choice(options) for name, options in USAGE_HEADERS.items()})
    c["extra_columns"] = ",".join(name for name in ("read_dates", "days") if rng.random() < 0.25)
    c["distractors"] = ",".join(name for name in DISTRACTORS if rng.random() < 0.4)
    c["col.register"] = REGISTER_HEADINGS[len(c["provider"]) % len(REGISTER_HEADINGS)]
    c["label.adjustments"] = ADJUSTMENT_LABELS[len(c["provider"]) % len(ADJUSTMENT_LABELS)]
    return c


def _truth(rng: random.Random, index: int, c: dict[str, str]) -> NormalizedBill:
    """The make's bill, moved to the locale, holding only what this layout prints."""
    bill = MAKES[c["make"]](rng, index)
    currency, _ = CURRENCY[c["locale"]]
    street = f"{rng.randint(2, 980)} {rng.choice(STREETS)}, {rng.choice(LOCALES[c['locale']]['places'])}"
    bare = {"quantity": None, "unit": None, "rate": None}  # a table without those columns prints none of them
    items = [item.model_copy(update=bare) if c["charges_style"] == "plain" else item for item in bill.line_items]
    keep_mult = c["multiplier_column"] == "yes" or any(r.multiplier not in (None, 1) for r in bill.usage)
    usage = [r if keep_mult else r.model_copy(update={"multiplier": None}) for r in bill.usage]
    place = {"provider": c["provider"], "currency": currency, "service_address": street}
    return bill.model_copy(update={**place, "line_items": items, "usage": usage})


class _Page:
    """A y-cursor over pages: sections ask for their height and move to a new page when they do not fit."""

    def __init__(self, sheet: Sheet, c: dict[str, str], total_pages: int) -> None:
        self.sheet, self.c, self.total = sheet, c, total_pages
        self.number, self.y = 1, 100.0
        self.stub = "stub" in c["distractors"]

    def need(self, height: float) -> float:
        limit = STUB_TOP - 12 if self.number == 1 and self.stub else LIMIT
        if self.y + height > limit:
            self.footer()
            self.sheet.next_page()
            self.number, self.y = self.number + 1, 50.0
        top, self.y = self.y, self.y + height
        return top

    def footer(self) -> None:
        if "page_footer" in self.c["distractors"]:
            self.sheet.text(40, 775, f"Page {self.number} of {self.total}", 7)


def _date(value: date | None, c: dict[str, str]) -> str:
    if value is None:
        return ""
    fmt = DATE_FORMATS[c["date_format"]]
    return fmt.format(d=value) if "{" in fmt else value.strftime(fmt)


def _money(value: Decimal | None, c: dict[str, str], table: bool = False) -> str:
    symbol = "" if table and c["table_symbol"] == "no" else CURRENCY[c["locale"]][1]
    return money(value, symbol=symbol, credit=c["credit"])


def _pairs(bill: NormalizedBill, c: dict[str, str]) -> list[tuple[str, str]]:
    period = f"{_date(bill.bill_period_start, c)} {c['period_sep']} {_date(bill.bill_period_end, c)}"
    return [
        (c["label.account_number"], bill.account_number),
        (c["label.statement_date"], _date(bill.statement_date, c)),
        (c["label.due_date"], _date(bill.due_date, c)),
        (c["label.bill_period"], period),
    ]


def _address_lines(bill: NormalizedBill, c: dict[str, str]) -> list[str]:
    street, place = (bill.service_address or "").split(", ", 1)
    return [street, place] if c["address_lines"] == "2" else [f"{street}, {place}"]


def _header(page: _Page, bill: NormalizedBill) -> None:
    s, c = page.sheet, page.c
    pairs, address = _pairs(bill, c), _address_lines(bill, c)
    address_label = c["label.service_address"]
    placement = c["header"]
    if placement in ("colon", "far"):
        for label, value in [*pairs, (address_label, address[0]), *(("", extra) for extra in address[1:])]:
            y = page.need(14)
            if placement == "colon":
                s.text(40, y, f"{label}: {value}" if label else value)
            else:
                s.text(40, y, label, bold=True)
                s.right(RIGHT, y, value)
    elif placement == "inline":  # several pairs in one drawn string
        s.text(40, page.need(16), "   ".join(f"{label}: {value}" for label, value in pairs[:3]))
        for line in (f"{pairs[3][0]}: {pairs[3][1]}", f"{address_label}: {address[0]}", *address[1:]):
            s.text(40, page.need(14), line)
    elif placement == "above":
        y = page.need(34)
        for column, (label, value) in enumerate(pairs[:3]):
            s.band(40 + 178 * column, y - 10, 170, 30, "#eef3f8")
            s.text(46 + 178 * column, y, label, 8, bold=True)
            s.text(46 + 178 * column, y + 13, value, 10)
        y = page.need(18 + 12 * len(address))
        s.text(40, y, address_label, 8, bold=True)
        s.text(330, y, pairs[3][0], 8, bold=True)
        s.text(330, y + 12, pairs[3][1])
        for row, line in enumerate(address):
            s.text(40, y + 12 + 12 * row, line)
    else:  # right_box: short fields boxed on the right, address and period under their labels on the left
        y = page.need(max(48, 26 + 12 * len(address)))
        for row, (label, value) in enumerate(pairs[:3]):
            s.text(340, y + 14 * row, label, 9, bold=True)
            s.right(RIGHT, y + 14 * row, value)
        s.text(40, y, address_label, 8, bold=True)
        for row, line in enumerate(address):
            s.text(40, y + 12 + 12 * row, line)
        y = page.need(28)
        s.text(40, y, pairs[3][0], 8, bold=True)
        s.text(40, y + 12, pairs[3][1])


def _summary(page: _Page, bill: NormalizedBill) -> None:
    s, c = page.sheet, page.c
    payments = bill.payments_and_credits or Decimal(0)
    adjustments = [] if bill.adjustments is None else [(c["label.adjustments"], _money(bill.adjustments, c))]
    rows = [
        (c["label.previous_balance"], _money(bill.previous_balance, c)),
        (c["label.payments_and_credits"], _money(-payments if c["payments_sign"] == "credit" else payments, c)),
        *adjustments,
        (c["label.total_amount"], _money(bill.total_amount, c)),
        (c["label.amount_due"], _money(bill.amount_due, c)),
    ]
    due = len(rows) - 1
    s.text(40, page.need(18), "Account Summary", 11, bold=True)
    if c["summary"] == "rows":
        for row, (label, value) in enumerate(rows):
            y = page.need(15)
            s.text(40, y, label, 9, bold=row == due)
            s.right(330, y, value, 9, bold=row == due)
    elif c["summary"] == "colon":
        for label, value in rows:
            s.text(40, page.need(14), f"{label}: {value}")
    elif c["summary"] == "two_column":
        for pair in (rows[index : index + 2] for index in range(0, len(rows), 2)):
            y = page.need(15)
            s.text(40, y, pair[0][0])
            s.right(280, y, pair[0][1])
            for label, value in pair[1:]:
                s.text(320, y, label, bold=True)
                s.right(RIGHT, y, value, bold=True)
    else:  # boxes: a row of labels over a row of values
        y = page.need(34)
        step, size = (133, 7) if len(rows) == 4 else (106, 6)  # five boxes: smaller labels, to fit
        for column, (label, value) in enumerate(rows):
            x = 40 + step * column
            s.band(x, y - 10, step - 6, 30, "#f4f4f4")
            s.text(x + 4, y, label, size, bold=True)
            s.text(x + 4, y + 14, value, 10, bold=column == due)


def _unit_style(bill: NormalizedBill, c: dict[str, str]) -> str:
    """Where units print: in each usage cell, in a column of their own, or once in the heading (one unit only)."""
    return "cell" if c["unit_style"] == "header" and len({r.unit for r in bill.usage}) > 1 else c["unit_style"]


def _usage(page: _Page, bill: NormalizedBill) -> None:
    s, c, reads = page.sheet, page.c, bill.usage
    units, estimated = _unit_style(bill, c), any(r.read_type is ReadType.ESTIMATED for r in reads)
    present = {
        "service": c["service_column"] == "yes",
        "meter": True,
        "period": any(r.period for r in reads),
        "register": any(r.direction is not Direction.DELIVERED for r in reads),
        "read_dates": "read_dates" in c["extra_columns"],
        "days": "days" in c["extra_columns"],
        "start": True,
        "end": True,
        "multiplier": any(r.multiplier is not None for r in reads),
        "factor": any(r.conversion_factor is not None for r in reads),
        "usage": True,
        "unit": units == "column",
        "demand": bool(bill.demand),
        "read_type": c["est_style"] == "column" and estimated,
    }
    names = [name for name, shown in present.items() if shown]
    headers = {n: c[f"col.{n}"] for n in names} | ({"usage": f"{reads[0].unit} Used"} if units == "header" else {})
    mark = {"suffix_E": " E", "suffix_est": " (est)", "star": "*"}.get(c["est_style"], "")
    short = "%d/%m" if c["date_format"].startswith("d") else "%m/%d"
    demand = {d.meter_number: d.quantity for d in bill.demand}
    rows = [
        {
            "service": read.commodity.value.title(),
            "meter": read.meter_number or "",
            "period": (read.period or "").replace("_", "-").title(),
            "register": read.direction.value.title(),
            "read_dates": f"{bill.bill_period_start:{short}} - {bill.bill_period_end:{short}}",
            "days": str((bill.bill_period_end - bill.bill_period_start).days),
            "start": "" if read.start_read is None else str(read.start_read),
            "end": "" if read.end_read is None else f"{read.end_read}{mark * (read.read_type is ReadType.ESTIMATED)}",
            "multiplier": "" if read.multiplier is None else str(read.multiplier),
            "factor": "" if read.conversion_factor is None else str(read.conversion_factor),
            "usage": quantity(read.quantity) + (f" {read.unit}" if units == "cell" else ""),
            "unit": read.unit,
            "demand": str(demand.get(read.meter_number, "")),
            "read_type": "" if read.start_read is None else read.read_type.value.title(),
        }
        for read in reads
    ]
    widths = {
        n: max(stringWidth(headers[n], "Helvetica-Bold", 7), *(stringWidth(r[n], "Helvetica", 7) for r in rows))
        for n in names
    }
    gutter = max(8.0, min(24.0, (RIGHT - 40 - sum(widths.values())) / max(1, len(names) - 1)))
    notes = [f"Readings in {r.read_unit}, converted at the factor shown" for r in reads[:1] if r.read_unit]
    notes += ["* estimated reading"] if c["est_style"] == "star" and estimated else []
    top = page.need(32 + 12 * len(rows) + 10 * len(notes))
    s.text(40, top, c["usage_title"], 11, bold=True)
    x = 40.0
    for name in names:
        right_align = c["num_align"] == "right" and name not in ("service", "meter", "period", "read_type")
        for row, text in enumerate([headers[name], *(r[name] for r in rows)]):
            y, bold = top + 16 + 12 * row + (2 if row else 0), row == 0
            if right_align:
                s.right(x + widths[name], y, text, 7, bold=bold)
            else:
                s.text(x, y, text, 7, bold=bold)
        x += widths[name] + gutter
    for row, note in enumerate(notes):
        s.text(40, top + 32 + 12 * len(rows) + 10 * row, note, 7)


def _detail(item_quantity: Decimal, unit: str, rate: Decimal, c: dict[str, str]) -> tuple[str, str]:
    """(quantity cell, rate cell) in the layout's style: `$0.1234/kWh`, `12.34¢/kWh` or `12.34p/kWh`."""
    hundredths = f"{(rate * 100).normalize():f}"
    if c["charges_style"] == "cents" and rate < 1:  # cents (pence) per unit, as bills print small rates
        rate_text = f"{hundredths}{'p' if c['locale'] == 'UK' else '¢'}/{unit}"
    else:
        rate_text = f"{CURRENCY[c['locale']][1]}{rate}/{unit}"
    return f"{quantity(item_quantity)} {unit}", rate_text


def _charges(page: _Page, bill: NormalizedBill) -> None:
    s, c = page.sheet, page.c
    groups: list[tuple[str, list[int]]] = []
    for index, item in enumerate(bill.line_items):
        word = item.description.split()[0]
        key = word if c["sections"] != "none" and word in ("Water", "Sewer", "Gas", "Electric", "Stormwater") else ""
        if groups and groups[-1][0] == key:
            groups[-1][1].append(index)
        else:
            groups.append((key, [index]))
    height = 40 + 14 * len(bill.line_items) + 14 * sum(2 for key, _ in groups if key)
    y = page.need(height + 14)
    s.text(40, y, c["charges_header"], 11, bold=True)
    y += 16
    if c["charges_columns_header"] != "none":
        s.text(40, y, c["charges_columns_header"], 8, bold=True)
        if c["charges_style"] in ("columns", "cents", "unit_column"):
            s.text(280, y, "Quantity", 8, bold=True)
            s.text(390, y, "Rate", 8, bold=True)
        s.right(RIGHT, y, "Amount", 8, bold=True)
        y += 14
    for key, indexes in groups:
        if key:
            s.text(40, y, f"{key} Service", 9, bold=True)
            y += 14
        for index in indexes:
            item = bill.line_items[index]
            description = item.description
            if item.quantity is not None and item.rate is not None and item.unit:
                amount, rate = _detail(item.quantity, item.unit, item.rate, c)
                style = c["charges_style"]
                if style == "inline":
                    description += f" {amount} @ {rate}"
                elif style == "unit_column":
                    s.text(280, y, quantity(item.quantity))
                    s.text(340, y, item.unit)
                    s.text(390, y, rate.rsplit("/", 1)[0])
                else:
                    s.text(280, y, amount)
                    s.text(390, y, rate)
            s.text(40 if not key else 52, y, description)
            s.right(RIGHT, y, _money(item.amount, c, table=True))
            y += 14
        if key:
            subtotal = sum((bill.line_items[i].amount for i in indexes), Decimal(0))
            label = "Subtotal" if c["sections"] == "subtotals" else f"Total {key} Charges"
            s.text(52, y, label, 9, bold=True)
            s.right(RIGHT, y, _money(subtotal, c, table=True), 9, bold=True)
            y += 14
    s.rule(40, y - 6, RIGHT)
    s.text(40, y + 8, c["charges_total"], 9, bold=True)
    s.right(RIGHT, y + 8, _money(bill.total_amount, c, table=True), 9, bold=True)


def _messages(page: _Page, bill: NormalizedBill) -> None:
    s, c = page.sheet, page.c
    lines = []
    if "last_payment" in c["distractors"] and bill.payments_and_credits:
        paid = _money(bill.payments_and_credits, c)
        lines.append(f"Last payment received on {_date(bill.bill_period_end, c)}: {paid} - thank you!")
    if "average_daily" in c["distractors"] and bill.usage:
        days = (bill.bill_period_end - bill.bill_period_start).days or 1
        daily = (bill.usage[0].quantity / days).quantize(Decimal("0.1"))
        cost = _money((bill.total_amount / days).quantize(Decimal("0.01")), c)
        lines.append(f"Average daily use: {daily} {bill.usage[0].unit}    Average daily cost: {cost}    Days: {days}")
    if "marketing" in c["distractors"]:
        credit = _money(Decimal("5.00"), c)
        lines.append(f"Go paperless and get a {credit} bill credit. 92% of customers who switched say it saves time.")
    for line in lines:
        s.text(40, page.need(13), line, 8)
    if "late_amount" in c["distractors"] and bill.amount_due is not None and bill.amount_due > 0:
        y = page.need(14)
        s.text(40, y, f"Amount due after {_date(bill.due_date, c)}")
        s.right(330, y, _money(bill.amount_due + Decimal("7.50"), c))


def _stub(sheet: Sheet, bill: NormalizedBill, c: dict[str, str]) -> None:
    """The tear-off slip at the foot of page 1: account and amount again, and a scan line."""
    sheet.rule(30, STUB_TOP, 582, dashed=True)
    sheet.text(40, STUB_TOP + 14, "Please detach and return this portion with your payment.", 7)
    sheet.text(40, STUB_TOP + 32, c["provider"], 10, bold=True)
    cells = (
        (c["label.account_number"], bill.account_number),
        (c["label.due_date"], _date(bill.due_date, c)),
        (c["label.amount_due"], _money(bill.amount_due, c)),
        ("Amount Enclosed", f"{CURRENCY[c['locale']][1]}__________"),
    )
    for column, (label, value) in enumerate(cells):
        sheet.text(40 + 135 * column, STUB_TOP + 54, label, 8, bold=True)
        sheet.text(40 + 135 * column, STUB_TOP + 67, value, 10)
    digits = "".join(ch for ch in bill.account_number if ch.isdigit())
    cents = int((bill.amount_due or Decimal(0)).copy_abs() * 100)
    sheet.text(200, STUB_TOP + 100, f"{digits}  {cents:010d}  7", 10, font="Courier")


def _render(sheet: Sheet, bill: NormalizedBill, c: dict[str, str], total_pages: int) -> int:
    page = _Page(sheet, c, total_pages)
    sheet.text(40, 56, bill.provider, int(c["provider_size"]), bold=True)
    sheet.text(40, 70, "Customer service 1-800-555-0173  |  Outages 1-800-555-0199", 7)
    if "headline" in c["distractors"]:  # under the name, so that the two never touch
        sheet.right(RIGHT, 90, "Your Energy Statement", int(c["headline_size"]), bold=True)
    if page.stub:
        _stub(sheet, bill, c)
    if c["mailing_block"] == "yes":
        y = page.need(48)
        for row, line in enumerate(["JORDAN A RIVERA", *_address_lines(bill, c)]):
            sheet.text(40, y + 11 * row, line.upper(), 8)
    _header(page, bill)
    page.need(8)
    _summary(page, bill)
    page.need(8)
    _messages(page, bill)
    sections = (_usage, _charges) if c["order"] == "usage_first" else (_charges, _usage)
    for section in sections:
        page.need(10)
        section(page, bill)
    page.footer()
    return page.number


def _pdf(bill: NormalizedBill, c: dict[str, str], total_pages: int) -> tuple[bytes, int]:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=LETTER, invariant=1, pageCompression=1)
    canvas.setTitle(f"{bill.provider} statement")
    pages = _render(Sheet(canvas), bill, c, total_pages)
    canvas.save()
    return buffer.getvalue(), pages


def wild_bill(index: int, seed: int = 7) -> WildBill:
    """The index-th wild bill of a seed: the same pair always gives the same truth, choices and PDF bytes."""
    rng = random.Random(f"wild:{seed}:{index}")  # noqa: S311 - reproducible test data, not secrets
    choices = _choose(rng)
    truth = _truth(rng, index, choices)
    _, pages = _pdf(truth, choices, 0)  # a first pass counts the pages for "Page 1 of N"
    pdf, _ = _pdf(truth, choices, pages)
    return WildBill(f"wild-{seed}-{index:04d}", pdf, truth, choices)


def wild_bills(count: int, seed: int = 7) -> list[WildBill]:
    return [wild_bill(index, seed) for index in range(count)]


__all__ = ["MAKES", "WildBill", "wild_bill", "wild_bills"]
