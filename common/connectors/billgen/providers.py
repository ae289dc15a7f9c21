"""Seven fictional utilities, each with its own tariff shape and its own page layout.

They cover what real bills throw at an extractor: time-of-use registers, gas metered in m³ but billed
in kWh through a calorific conversion with estimated reads, a municipal bill with four services and
subtotals, a multi-meter commercial bill with demand charges over three pages, budget billing with a
third-party supplier, a net-metering credit bill with a negative balance, and a multi-page dual-fuel
co-op bill whose labels sit above their values. The last two are kept "unseen": no template exists for
them, so they measure the generic path honestly.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from common.connectors.billgen.draw import Sheet, long_date, money, quantity, uk_date, us_date
from common.connectors.billgen.truth import cents, fixed, metered, money_between, period, rate, summary, tax, total
from common.models import (
    BudgetBilling,
    Commodity,
    DemandRead,
    Direction,
    LineItem,
    LineItemCategory,
    NormalizedBill,
    ReadType,
    UsageRead,
)

FIRST_PERIOD = date(2025, 1, 6)
STREETS = ("Oak St", "Harbor Rd", "Lakeview Dr", "Mill Ave", "Cedar Ln", "Summit Blvd", "River Way", "Elm Ct")
CITIES = ("Fairhaven, OR 97123", "Brookside, WA 98012", "Millbrook, NY 12545", "Lakeport, MI 48059")


def _address(rng: random.Random) -> str:
    return f"{rng.randint(10, 9899)} {rng.choice(STREETS)}, {rng.choice(CITIES)}"


@dataclass(frozen=True)
class Provider:
    id: str
    name: str
    seen: bool  # a template exists for it; unseen providers exercise the generic heuristics
    features: str
    make: Callable[[random.Random, int], NormalizedBill]
    render: Callable[[Sheet, NormalizedBill], None]


# --- 1. Brightline Electric: residential time-of-use, two pages ------------------------------------

BRIGHTLINE = "Brightline Electric"
TOU = (("On-Peak", "on_peak"), ("Off-Peak", "off_peak"), ("Super Off-Peak", "super_off_peak"))


def _brightline_make(rng: random.Random, index: int) -> NormalizedBill:
    start, end, statement, due = period(rng, index, FIRST_PERIOD)
    meter = f"BL{rng.randint(1000000, 9999999)}"
    usage: list[UsageRead] = []
    items: list[LineItem] = []
    for label, name in TOU:
        used = Decimal(rng.randint(40, 700))
        first = Decimal(rng.randint(1000, 60000))
        usage.append(
            UsageRead(
                commodity=Commodity.ELECTRICITY,
                quantity=used,
                unit="kWh",
                meter_number=meter,
                start_read=first,
                end_read=first + used,
                multiplier=Decimal(1),
                period=name,
            )
        )
        items.append(metered(f"{label} Energy", used, "kWh", rate(rng, 9000, 42000, 5)))
    kwh = sum((u.quantity for u in usage), Decimal(0))
    items.append(metered("Delivery Charge", kwh, "kWh", rate(rng, 3000, 9000, 5)))
    items.append(fixed("Basic Service Charge", money_between(rng, 8, 15)))
    items.append(fixed("Public Purpose Programs Surcharge", money_between(rng, 1, 9)))
    items.append(tax("Utility Users Tax", items, Decimal(rng.randint(20, 75)) / 10))
    new = total(items)
    previous, payments, due_amount = summary(rng, new)
    bill = NormalizedBill(
        provider=BRIGHTLINE,
        account_number=f"{rng.randint(1000, 9999)}-{rng.randint(100000, 999999)}-{rng.randint(0, 9)}",
        service_address=_address(rng),
        statement_date=statement,
        due_date=due,
        bill_period_start=start,
        bill_period_end=end,
        total_amount=new,
        amount_due=due_amount,
        previous_balance=previous,
        payments_and_credits=payments,
        line_items=items,
        usage=usage,
    )
    # Half the balances left unpaid are charged a late fee on the account (drawn last: every other value is as
    # it was before late fees were drawn).
    if payments < previous and rng.random() < 0.5:
        late = max(cents((previous - payments) * Decimal("0.015")), Decimal("1.00"))
        return bill.model_copy(update={"adjustments": late, "amount_due": due_amount + late})
    return bill


def _brightline_render(sheet: Sheet, bill: NormalizedBill) -> None:
    sheet.logo(40, 36, "BE", "#f4a300")
    sheet.text(86, 58, bill.provider, 22, bold=True)
    sheet.text(86, 72, "brightline-electric.example  |  1-800-555-0110", 8)
    for row, (label, value) in enumerate(
        (
            ("Account Number", bill.account_number),
            ("Statement Date", us_date(bill.statement_date)),
            ("Payment Due Date", us_date(bill.due_date)),
        )
    ):
        sheet.text(380, 48 + 14 * row, label, 9, bold=True)
        sheet.right(572, 48 + 14 * row, value)
    sheet.text(40, 112, "Service Address", 9, bold=True)
    sheet.text(140, 112, bill.service_address or "")
    sheet.text(40, 126, "Billing Period", 9, bold=True)
    sheet.text(140, 126, f"{us_date(bill.bill_period_start)} - {us_date(bill.bill_period_end)}")

    sheet.band(40, 150, 260, 18, "#fff1cc")
    sheet.text(46, 163, "ACCOUNT SUMMARY", 10, bold=True)
    for row, (label, amount) in enumerate(
        (
            ("Previous Balance", bill.previous_balance),
            ("Payment Received", -(bill.payments_and_credits or Decimal(0))),
            *([("Late Payment Charge", bill.adjustments)] if bill.adjustments is not None else []),
            ("New Charges", bill.total_amount),
            ("Amount Due", bill.amount_due),
        )
    ):
        last = label == "Amount Due"
        sheet.text(46, 186 + 15 * row, label, 10, bold=last)
        sheet.right(296, 186 + 15 * row, money(amount), 10, bold=last)

    sheet.text(40, 280, "TIME-OF-USE METER READINGS", 10, bold=True)
    columns = (40, 120, 220, 300, 380, 460)
    for x, header in zip(columns, ("Meter", "Period", "Start Read", "End Read", "Multiplier", "Usage"), strict=True):
        sheet.text(x, 296, header, 8, bold=True)
    sheet.rule(40, 300, 572)
    for row, read in enumerate(bill.usage):
        label = next(lbl for lbl, name in TOU if name == read.period)
        cells = (read.meter_number or "", label, str(read.start_read), str(read.end_read), str(read.multiplier))
        for x, cell in zip(columns, cells, strict=False):
            sheet.text(x, 313 + 13 * row, cell, 8)
        sheet.text(460, 313 + 13 * row, f"{quantity(read.quantity)} kWh", 8)
    sheet.text(40, 740, "Page 1 of 2", 7)
    sheet.next_page()

    sheet.text(40, 50, f"{bill.provider}  -  Account {bill.account_number}", 9, bold=True)
    sheet.text(40, 84, "Detail of New Charges", 12, bold=True)
    for x, header in ((40, "Description"), (250, "Usage"), (350, "Rate")):
        sheet.text(x, 102, header, 8, bold=True)
    sheet.right(572, 102, "Amount", 8, bold=True)
    sheet.rule(40, 106, 572)
    y = 120
    for item in bill.line_items:
        sheet.text(40, y, item.description)
        if item.quantity is not None:
            sheet.text(250, y, f"{quantity(item.quantity)} {item.unit}")
            sheet.text(350, y, f"${item.rate}/{item.unit}")
        sheet.right(572, y, money(item.amount))
        y += 14
    sheet.rule(40, y - 6, 572)
    sheet.text(40, y + 8, "Total New Charges", 9, bold=True)
    sheet.right(572, y + 8, money(bill.total_amount), 9, bold=True)
    sheet.text(40, y + 40, "Time-of-use periods: On-Peak 4-9 pm weekdays; Super Off-Peak midnight-6 am.", 7)
    sheet.text(40, 740, "Page 2 of 2", 7)


# --- 2. Northbay Gas: UK-style, m³ converted to kWh, estimated reads, pence rates --------------------

NORTHBAY = "Northbay Gas"


def _northbay_make(rng: random.Random, index: int) -> NormalizedBill:
    start, end, statement, due = period(rng, index, FIRST_PERIOD)
    first = Decimal(rng.randint(1000, 40000))
    used_m3 = Decimal(rng.randint(30, 420))
    calorific = Decimal(rng.randint(385, 405)).scaleb(-1)
    factor = (Decimal("1.02264") * calorific / Decimal("3.6")).quantize(Decimal("0.00001"), rounding=ROUND_HALF_UP)
    kwh = (used_m3 * factor).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    estimated = rng.random() < 0.35
    read = UsageRead(
        commodity=Commodity.GAS,
        quantity=kwh,
        unit="kWh",
        meter_number=f"G4A{rng.randint(10000000, 99999999)}",
        read_type=ReadType.ESTIMATED if estimated else ReadType.ACTUAL,
        start_read=first,
        end_read=first + used_m3,
        conversion_factor=factor,
        read_unit="m³",
    )
    days = Decimal((end - start).days + 1)
    items = [
        metered("Gas used", kwh, "kWh", rate(rng, 5500, 7900, 5), LineItemCategory.SUPPLY),
        metered("Standing charge", days, "days", rate(rng, 26000, 33000, 5), LineItemCategory.DELIVERY),
    ]
    if rng.random() < 0.15:
        items.append(fixed("Warm Home Discount", -Decimal("150.00"), LineItemCategory.CREDIT))
    subtotal = total(items)
    if subtotal > 0:
        items.append(fixed("VAT at 5%", cents(subtotal * Decimal("0.05")), LineItemCategory.TAX))
    new = total(items)
    previous, payments, due_amount = summary(rng, new, paid_in_full=0.8)
    return NormalizedBill(
        provider=NORTHBAY,
        account_number=f"{rng.randint(8500, 8599)} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}",
        service_address=_address(rng),
        statement_date=statement,
        due_date=due,
        bill_period_start=start,
        bill_period_end=end,
        currency="GBP",
        total_amount=new,
        amount_due=due_amount,
        previous_balance=previous,
        payments_and_credits=payments,
        line_items=items,
        usage=[read],
    )


def _pence(value: Decimal) -> str:
    return f"{(value * 100).normalize():f}p"


def _northbay_render(sheet: Sheet, bill: NormalizedBill) -> None:
    def gbp(value: Decimal | None) -> str:
        return money(value, symbol="£", credit="cr")

    sheet.text(380, 50, bill.provider, 20, bold=True)
    sheet.text(380, 64, "northbaygas.example  0800 555 0199", 8)
    sheet.text(40, 50, "Your gas bill", 14, bold=True)
    rows = (
        ("Bill date", uk_date(bill.statement_date)),
        ("Account number", bill.account_number),
        ("Supply address", bill.service_address or ""),
        ("Bill period", f"{uk_date(bill.bill_period_start)} to {uk_date(bill.bill_period_end)}"),
        ("Payment due", uk_date(bill.due_date)),
    )
    for row, (label, value) in enumerate(rows):
        sheet.text(40, 90 + 14 * row, label, 9, bold=True)
        sheet.text(150, 90 + 14 * row, value)

    sheet.band(40, 170, 532, 16, "#dbe9f6")
    sheet.text(46, 182, "Your account balance", 10, bold=True)
    balance = (
        ("Balance brought forward", gbp(bill.previous_balance)),
        ("Payment received - thank you", gbp(-(bill.payments_and_credits or Decimal(0)))),
        ("Total charges this bill", gbp(bill.total_amount)),
        ("Balance to pay", gbp(bill.amount_due)),
    )
    for row, (label, value) in enumerate(balance):
        sheet.text(46, 204 + 14 * row, label, 9, bold=row == 3)
        sheet.right(566, 204 + 14 * row, value, 9, bold=row == 3)

    (read,) = bill.usage
    mark = " E" if read.read_type is ReadType.ESTIMATED else ""
    sheet.text(40, 280, "Your gas use", 11, bold=True)
    sheet.text(40, 298, f"Meter serial number {read.meter_number}")
    sheet.text(40, 312, f"Previous reading {read.start_read}")
    sheet.text(300, 312, f"Latest reading {read.end_read}{mark}")
    used = (read.end_read or Decimal(0)) - (read.start_read or Decimal(0))
    sheet.text(40, 326, f"Gas used {used} m³ x conversion factor {read.conversion_factor} = {read.quantity} kWh")
    if read.read_type is ReadType.ESTIMATED:
        sheet.text(40, 340, "E = estimated reading. Send us a reading to get an accurate bill.", 7)

    sheet.text(40, 372, "Charges this bill", 11, bold=True)
    y = 390
    for item in bill.line_items:
        description = item.description
        if item.unit == "kWh" and item.quantity is not None and item.rate is not None:
            description += f" {quantity(item.quantity)} kWh at {_pence(item.rate)} per kWh"
        elif item.unit == "days" and item.quantity is not None and item.rate is not None:
            description += f" {item.quantity} days at {_pence(item.rate)} per day"
        sheet.text(46, y, description)
        sheet.right(566, y, gbp(item.amount))
        y += 14
    sheet.rule(46, y - 6, 566)
    sheet.text(46, y + 8, "Total charges this bill", 9, bold=True)
    sheet.right(566, y + 8, gbp(bill.total_amount), 9, bold=True)
    sheet.text(40, 760, "Northbay Gas Ltd. Registered in England. Calorific values from the network operator.", 6)


# --- 3. Riverside Municipal Utilities: water, sewer, stormwater and gas on one bill ------------------

RIVERSIDE = "Riverside Municipal Utilities"


def _riverside_make(rng: random.Random, index: int) -> NormalizedBill:
    start, end, statement, due = period(rng, index, FIRST_PERIOD)
    water_first = Decimal(rng.randint(100, 9000))
    water_ccf = Decimal(rng.randint(3, 28))
    gas_first = Decimal(rng.randint(1000, 30000))
    gas_ccf = Decimal(rng.randint(8, 140))
    therm_factor = rate(rng, 1010, 1065, 3)
    eru = Decimal(rng.choice([1, 1, 2, 3]))
    usage = [
        UsageRead(
            commodity=Commodity.WATER,
            quantity=water_ccf,
            unit="CCF",
            meter_number=f"W{rng.randint(100000, 999999)}",
            start_read=water_first,
            end_read=water_first + water_ccf,
        ),
        UsageRead(commodity=Commodity.SEWER, quantity=water_ccf, unit="CCF"),
        UsageRead(commodity=Commodity.STORMWATER, quantity=eru, unit="ERU"),
        UsageRead(
            commodity=Commodity.GAS,
            quantity=gas_ccf * therm_factor,
            unit="therm",
            meter_number=f"G{rng.randint(100000, 999999)}",
            start_read=gas_first,
            end_read=gas_first + gas_ccf,
            conversion_factor=therm_factor,
            read_type=ReadType.ESTIMATED if rng.random() < 0.2 else ReadType.ACTUAL,
        ),
    ]
    therms = usage[3].quantity
    sections: list[tuple[str, list[LineItem]]] = [
        (
            "WATER",
            [
                fixed("Water Base Charge", money_between(rng, 12, 25), LineItemCategory.DELIVERY),
                metered("Water Usage", water_ccf, "CCF", rate(rng, 250, 520, 2), LineItemCategory.SUPPLY),
            ],
        ),
        (
            "SEWER",
            [
                fixed("Sewer Base Charge", money_between(rng, 15, 30), LineItemCategory.DELIVERY),
                metered("Sewer Volume Charge", water_ccf, "CCF", rate(rng, 300, 650, 2), LineItemCategory.DELIVERY),
            ],
        ),
        ("STORMWATER", [metered("Stormwater Fee", eru, "ERU", rate(rng, 500, 900, 2), LineItemCategory.FEE)]),
        (
            "GAS",
            [
                fixed("Gas Customer Charge", money_between(rng, 9, 16), LineItemCategory.DELIVERY),
                metered("Gas Delivery", therms, "therm", rate(rng, 30000, 60000, 5), LineItemCategory.DELIVERY),
                metered("Gas Supply", therms, "therm", rate(rng, 35000, 90000, 5), LineItemCategory.SUPPLY),
            ],
        ),
    ]
    items = [item for _, section in sections for item in section]
    items.append(tax("Municipal Utility Tax", items, Decimal(rng.randint(30, 60)) / 10))
    new = total(items)
    previous, payments, due_amount = summary(rng, new)
    return NormalizedBill(
        provider=RIVERSIDE,
        account_number=f"RMU-{rng.randint(100000, 999999)}-{rng.randint(10, 99)}",
        service_address=_address(rng),
        statement_date=statement,
        due_date=due,
        bill_period_start=start,
        bill_period_end=end,
        total_amount=new,
        amount_due=due_amount,
        previous_balance=previous,
        payments_and_credits=payments,
        line_items=items,
        usage=usage,
    )


_RIVERSIDE_SECTIONS = (
    ("WATER", ("Water Base Charge", "Water Usage")),
    ("SEWER", ("Sewer Base Charge", "Sewer Volume Charge")),
    ("STORMWATER", ("Stormwater Fee",)),
    ("GAS", ("Gas Customer Charge", "Gas Delivery", "Gas Supply")),
    ("TAXES", ("Municipal Utility Tax",)),
)


def _riverside_render(sheet: Sheet, bill: NormalizedBill) -> None:
    sheet.text(40, 46, "CITY OF RIVERSIDE", 8, bold=True)
    sheet.text(40, 66, bill.provider, 18, bold=True)
    sheet.text(40, 80, "Water - Sewer - Stormwater - Gas", 8)
    block = (
        ("Account:", bill.account_number),
        ("Bill Date:", long_date(bill.statement_date)),
        ("Due Date:", long_date(bill.due_date)),
        ("Service Location:", bill.service_address or ""),
        ("Service Dates:", f"{long_date(bill.bill_period_start)} through {long_date(bill.bill_period_end)}"),
    )
    for row, (label, value) in enumerate(block):
        sheet.text(40, 104 + 13 * row, label, 9, bold=True)
        sheet.text(140, 104 + 13 * row, value)

    sheet.text(380, 104, "BALANCE", 10, bold=True)
    for row, (label, amount) in enumerate(
        (
            ("Previous Balance", bill.previous_balance),
            ("Payments", -(bill.payments_and_credits or Decimal(0))),
            ("Current Charges", bill.total_amount),
            ("Total Amount Due", bill.amount_due),
        )
    ):
        sheet.text(380, 120 + 13 * row, label, 9, bold=row == 3)
        sheet.right(572, 120 + 13 * row, money(amount, credit="parens"), 9, bold=row == 3)

    sheet.text(40, 200, "METER AND USAGE", 10, bold=True)
    columns = (40, 130, 210, 280, 350, 420)
    for x, header in zip(columns, ("Service", "Meter", "Previous", "Present", "Factor", "Billed"), strict=True):
        sheet.text(x, 216, header, 8, bold=True)
    sheet.rule(40, 220, 572)
    for row, read in enumerate(bill.usage):
        y = 233 + 13 * row
        sheet.text(40, y, read.commodity.value.title(), 8)
        if read.meter_number:
            sheet.text(130, y, read.meter_number, 8)
            sheet.text(210, y, str(read.start_read), 8)
            mark = " (est)" if read.read_type is ReadType.ESTIMATED else ""
            sheet.text(280, y, f"{read.end_read}{mark}", 8)
        if read.conversion_factor is not None:
            sheet.text(350, y, str(read.conversion_factor), 8)
        sheet.text(420, y, f"{quantity(read.quantity)} {read.unit}", 8)

    sheet.text(40, 310, "CURRENT CHARGES", 10, bold=True)
    sheet.rule(40, 314, 572)
    by_name = {item.description: item for item in bill.line_items}
    y = 330
    for title, names in _RIVERSIDE_SECTIONS:
        sheet.text(40, y, title, 8, bold=True)
        y += 12
        section = [by_name[name] for name in names]
        for item in section:
            text = item.description
            if item.quantity is not None:
                text += f"  {quantity(item.quantity)} {item.unit} x ${item.rate}"
            sheet.text(52, y, text)
            sheet.right(500, y, money(item.amount, credit="parens"))
            y += 12
        sheet.text(52, y, f"{title.title()} Subtotal", 8, bold=True)
        sheet.right(572, y, money(total(section), credit="parens"), 8, bold=True)
        y += 16
    sheet.rule(40, y - 8, 572)
    sheet.text(40, y + 4, "Total Current Charges", 9, bold=True)
    sheet.right(572, y + 4, money(bill.total_amount, credit="parens"), 9, bold=True)


# --- 4. Keystone Commercial Power: several meters, demand charges, three pages -----------------------

KEYSTONE = "Keystone Commercial Power"


def _keystone_make(rng: random.Random, index: int) -> NormalizedBill:
    start, end, statement, due = period(rng, index, FIRST_PERIOD)
    usage: list[UsageRead] = []
    demand: list[DemandRead] = []
    items: list[LineItem] = []
    energy_rate = rate(rng, 5500, 9500, 5)
    demand_rate = rate(rng, 900, 1900, 2)
    for _ in range(rng.randint(2, 4)):
        meter = f"KC{rng.randint(1000000, 9999999)}"
        multiplier = Decimal(rng.choice([40, 80, 120, 160]))
        first = Decimal(rng.randint(1000, 90000))
        dials = Decimal(rng.randint(80, 900))
        kwh = dials * multiplier
        peak = Decimal(rng.randint(150, 3000)).scaleb(-1)
        usage.append(
            UsageRead(
                commodity=Commodity.ELECTRICITY,
                quantity=kwh,
                unit="kWh",
                meter_number=meter,
                start_read=first,
                end_read=first + dials,
                multiplier=multiplier,
            )
        )
        demand.append(DemandRead(meter_number=meter, quantity=peak, unit="kW"))
        items.append(metered(f"Energy Charge - Meter {meter}", kwh, "kWh", energy_rate, LineItemCategory.SUPPLY))
        items.append(metered(f"Demand Charge - Meter {meter}", peak, "kW", demand_rate, LineItemCategory.DELIVERY))
    all_kwh = sum((u.quantity for u in usage), Decimal(0))
    items.append(fixed("Customer Charge", money_between(rng, 40, 95), LineItemCategory.DELIVERY))
    items.append(metered("Fuel Adjustment", all_kwh, "kWh", rate(rng, 100, 900, 5), LineItemCategory.OTHER))
    items.append(fixed("Franchise Fee", cents(total(items) * Decimal("0.02")), LineItemCategory.FEE))
    items.append(tax("State Sales Tax", items, Decimal(rng.randint(40, 70)) / 10))
    new = total(items)
    previous, payments, due_amount = summary(rng, new, paid_in_full=0.9)
    return NormalizedBill(
        provider=KEYSTONE,
        account_number=f"KCP-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}-{rng.randint(10, 99)}",
        service_address=_address(rng),
        statement_date=statement,
        due_date=due,
        bill_period_start=start,
        bill_period_end=end,
        total_amount=new,
        amount_due=due_amount,
        previous_balance=previous,
        payments_and_credits=payments,
        line_items=items,
        usage=usage,
        demand=demand,
    )


def _keystone_header(sheet: Sheet, bill: NormalizedBill, page: int) -> None:
    sheet.text(40, 40, f"{bill.provider}   Account {bill.account_number}", 8, bold=True)
    sheet.right(572, 40, f"Page {page} of 3", 8)


def _keystone_render(sheet: Sheet, bill: NormalizedBill) -> None:
    sheet.band(0, 0, 612, 90, "#1d3557")
    sheet.canvas.setFillColorRGB(1, 1, 1)
    sheet.text(40, 50, bill.provider, 22, bold=True)
    sheet.text(40, 68, "Commercial & Industrial Services", 9)
    sheet.canvas.setFillColorRGB(0, 0, 0)
    block = (
        ("Customer Account", bill.account_number),
        ("Invoice Date", us_date(bill.statement_date)),
        ("Due Date", us_date(bill.due_date)),
        ("Premises Address", bill.service_address or ""),
        ("Billing Period", f"{us_date(bill.bill_period_start)} to {us_date(bill.bill_period_end)}"),
    )
    for row, (label, value) in enumerate(block):
        sheet.text(40, 120 + 14 * row, label, 9, bold=True)
        sheet.text(170, 120 + 14 * row, value)
    sheet.text(40, 210, "Invoice Summary", 12, bold=True)
    for row, (label, amount) in enumerate(
        (
            ("Balance Forward", bill.previous_balance),
            ("Payments Applied", -(bill.payments_and_credits or Decimal(0))),
            ("Current Invoice Charges", bill.total_amount),
            ("Total Due", bill.amount_due),
        )
    ):
        sheet.text(40, 230 + 15 * row, label, 10, bold=row == 3)
        sheet.right(330, 230 + 15 * row, money(amount), 10, bold=row == 3)
    sheet.text(40, 330, "Meter details and charges follow on pages 2 and 3.", 8)
    sheet.right(572, 760, "Page 1 of 3", 8)
    sheet.next_page()

    _keystone_header(sheet, bill, 2)
    sheet.text(40, 80, "Meter Details", 12, bold=True)
    columns = (40, 130, 200, 270, 330, 430)
    for x, header in zip(columns, ("Meter", "Start Read", "End Read", "Mult", "Energy", "Max Demand"), strict=True):
        sheet.text(x, 98, header, 8, bold=True)
    sheet.rule(40, 102, 572)
    peaks = {d.meter_number: d for d in bill.demand}
    for row, read in enumerate(bill.usage):
        y = 116 + 14 * row
        cells = (read.meter_number or "", str(read.start_read), str(read.end_read), str(read.multiplier))
        for x, cell in zip(columns, cells, strict=False):
            sheet.text(x, y, cell, 8)
        sheet.text(330, y, f"{quantity(read.quantity)} kWh", 8)
        sheet.text(430, y, f"{peaks[read.meter_number].quantity} kW", 8)
    sheet.next_page()

    _keystone_header(sheet, bill, 3)
    sheet.text(40, 80, "Charge Details", 12, bold=True)
    sheet.text(40, 98, "Description", 8, bold=True)
    sheet.text(300, 98, "Billed Quantity x Rate", 8, bold=True)
    sheet.right(572, 98, "Charge", 8, bold=True)
    sheet.rule(40, 102, 572)
    y = 116
    for item in bill.line_items:
        sheet.text(40, y, item.description, 8)
        if item.quantity is not None:
            sheet.text(300, y, f"{quantity(item.quantity)} {item.unit} x ${item.rate}", 8)
        sheet.right(572, y, money(item.amount), 8)
        y += 13
    sheet.rule(40, y - 6, 572)
    sheet.text(40, y + 8, "Current Invoice Charges", 9, bold=True)
    sheet.right(572, y + 8, money(bill.total_amount), 9, bold=True)


# --- 5. Summit Energy Services: budget billing with a third-party supplier ------------------------------

SUMMIT = "Summit Energy Services"
SUPPLIERS = ("Acme Retail Energy LLC", "Greenfield Power Supply Inc.", "Northstar Energy Partners")


def _summit_make(rng: random.Random, index: int) -> NormalizedBill:
    start, end, statement, due = period(rng, index, FIRST_PERIOD)
    first = Decimal(rng.randint(1000, 80000))
    kwh = Decimal(rng.randint(300, 1800))
    supplier = rng.choice(SUPPLIERS)
    utility = [
        fixed("Customer Charge", money_between(rng, 8, 14), LineItemCategory.DELIVERY),
        metered("Distribution Charge", kwh, "kWh", rate(rng, 3000, 7000, 5), LineItemCategory.DELIVERY),
        metered("Transmission Charge", kwh, "kWh", rate(rng, 800, 2000, 5), LineItemCategory.DELIVERY),
    ]
    utility.append(tax("Gross Receipts Tax", utility, Decimal(rng.randint(20, 50)) / 10))
    supply = [
        metered("Energy Supply", kwh, "kWh", rate(rng, 7000, 12000, 5), LineItemCategory.SUPPLY, supplier),
        fixed("Supplier Monthly Fee", money_between(rng, 3, 7), LineItemCategory.FEE, supplier),
    ]
    items = utility + supply
    instalment = Decimal(rng.choice([85, 95, 110, 125, 140])) + Decimal("0.00")
    previous = money_between(rng, 90, 260)
    payments = previous
    third_party = total(supply)
    budget = BudgetBilling(
        instalment=instalment,
        actual_charges=total(utility),
        deferred_balance=money_between(rng, -120, 120),
    )
    return NormalizedBill(
        provider=SUMMIT,
        account_number=f"{rng.randint(10, 99)} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}",
        service_address=_address(rng),
        statement_date=statement,
        due_date=due,
        bill_period_start=start,
        bill_period_end=end,
        total_amount=total(items),
        amount_due=previous - payments + instalment + third_party,
        previous_balance=previous,
        payments_and_credits=payments,
        line_items=items,
        usage=[
            UsageRead(
                commodity=Commodity.ELECTRICITY,
                quantity=kwh,
                unit="kWh",
                meter_number=f"S{rng.randint(10000000, 99999999)}",
                start_read=first,
                end_read=first + kwh,
                multiplier=Decimal(1),
            )
        ],
        budget_billing=budget,
    )


def _summit_render(sheet: Sheet, bill: NormalizedBill) -> None:
    assert bill.budget_billing is not None
    budget = bill.budget_billing
    sheet.logo(500, 30, "SE", "#2a9d8f")
    sheet.text(40, 54, bill.provider, 20, bold=True)
    sheet.text(40, 70, "Electric delivery - summitenergy.example", 8)
    sheet.text(40, 100, f"Account No. {bill.account_number}", 10)
    sheet.text(250, 100, f"Bill Date {us_date(bill.statement_date)}", 10)
    sheet.text(420, 100, f"Due Date {us_date(bill.due_date)}", 10)
    sheet.text(40, 116, f"Service Address {bill.service_address}", 9)
    sheet.text(40, 130, f"Service Period {us_date(bill.bill_period_start)} - {us_date(bill.bill_period_end)}", 9)

    third_party = total([i for i in bill.line_items if i.third_party])
    sheet.text(40, 165, "Amount Due Summary", 11, bold=True)
    rows = (
        ("Previous Balance", money(bill.previous_balance)),
        ("Payments - Thank You", money(-(bill.payments_and_credits or Decimal(0)))),
        ("Budget Billing Amount", money(budget.instalment)),
        ("Third-Party Supplier Charges", money(third_party)),
        ("Amount Due", money(bill.amount_due)),
    )
    for row, (label, value) in enumerate(rows):
        sheet.text(40, 184 + 14 * row, label, 9, bold=row == 4)
        sheet.right(320, 184 + 14 * row, value, 9, bold=row == 4)

    sheet.band(350, 160, 222, 80, "#e9f5f3")
    sheet.text(356, 175, "Budget Billing Plan", 10, bold=True)
    sheet.text(356, 192, "Actual Charges This Period", 8)
    sheet.right(566, 192, money(budget.actual_charges), 8)
    sheet.text(356, 206, "Budget Billing Amount", 8)
    sheet.right(566, 206, money(budget.instalment), 8)
    sheet.text(356, 220, "Deferred Balance", 8)
    sheet.right(566, 220, money(budget.deferred_balance), 8)

    (read,) = bill.usage
    sheet.text(40, 280, "Meter Readings", 11, bold=True)
    columns = (40, 130, 220, 300, 380)
    for x, header in zip(columns, ("Meter", "Start Read", "End Read", "Multiplier", "Usage"), strict=True):
        sheet.text(x, 296, header, 8, bold=True)
    cells = (read.meter_number or "", str(read.start_read), str(read.end_read), str(read.multiplier))
    for x, cell in zip(columns, cells, strict=False):
        sheet.text(x, 310, cell, 8)
    sheet.text(380, 310, f"{quantity(read.quantity)} kWh", 8)
    sheet.next_page()

    sheet.text(40, 50, "Current Charges", 12, bold=True)
    y = 76
    supplier = next((i.third_party for i in bill.line_items if i.third_party), "")
    groups = (
        (f"{bill.provider} Delivery Charges", [i for i in bill.line_items if not i.third_party]),
        (f"Charges from {supplier}", [i for i in bill.line_items if i.third_party]),
    )
    for title, group in groups:
        sheet.text(40, y, title, 9, bold=True)
        y += 14
        for item in group:
            text = item.description
            if item.quantity is not None:
                text += f" ({quantity(item.quantity)} {item.unit} @ ${item.rate})"
            sheet.text(52, y, text)
            sheet.right(572, y, money(item.amount))
            y += 13
        y += 8
    sheet.rule(40, y - 6, 572)
    sheet.text(40, y + 8, "Total New Charges", 9, bold=True)
    sheet.right(572, y + 8, money(bill.total_amount), 9, bold=True)
    sheet.text(40, y + 36, "Supplier charges are billed on behalf of your supplier and are not part of the budget.", 7)


# --- 6. Harborview Power & Light (unseen): net-metering credit, labels above values ------------------

HARBORVIEW = "Harborview Power & Light"


def _harborview_make(rng: random.Random, index: int) -> NormalizedBill:
    start, end, statement, due = period(rng, index, FIRST_PERIOD)
    first = Decimal(rng.randint(1000, 50000))
    kwh = Decimal(rng.randint(150, 900))
    items = [
        fixed("Basic Charge", money_between(rng, 9, 16), LineItemCategory.DELIVERY),
        metered("Energy Charge", kwh, "kWh", rate(rng, 9000, 16000, 5), LineItemCategory.SUPPLY),
        metered("Delivery Charge", kwh, "kWh", rate(rng, 3000, 6000, 5), LineItemCategory.DELIVERY),
    ]
    items.append(tax("State Utility Tax", items, Decimal(rng.randint(20, 60)) / 10))
    solar = rng.random() < 0.6
    exported: tuple[Decimal, Decimal] | None = None  # the received register's first read and the energy sent back
    if solar:
        items.append(fixed("Net Metering Credit", -(total(items) + money_between(rng, 5, 80)), LineItemCategory.CREDIT))
        exported = Decimal(rng.randint(100, 20000)), Decimal(rng.randint(50, 600))
    new = total(items)
    previous = money_between(rng, 0, 60) if not solar else -money_between(rng, 0, 150)
    payments = previous if previous > 0 else Decimal("0.00")
    return NormalizedBill(
        provider=HARBORVIEW,
        account_number=f"{rng.randint(100000000, 999999999)}",
        service_address=_address(rng),
        statement_date=statement,
        due_date=due,
        bill_period_start=start,
        bill_period_end=end,
        total_amount=new,
        amount_due=previous - payments + new,
        previous_balance=previous,
        payments_and_credits=payments,
        line_items=items,
        usage=_harborview_registers(f"{rng.randint(10000000, 99999999)}", first, kwh, exported),
    )


def _harborview_registers(
    meter: str, first: Decimal, kwh: Decimal, exported: tuple[Decimal, Decimal] | None
) -> list[UsageRead]:
    """The meter's delivered register and, on a solar customer's net meter, the register of the energy it received."""
    registers = [(Direction.DELIVERED, first, kwh)]
    if exported is not None:
        registers.append((Direction.RECEIVED, *exported))
    return [
        UsageRead(
            commodity=Commodity.ELECTRICITY,
            quantity=used,
            unit="kWh",
            meter_number=meter,
            start_read=start,
            end_read=start + used,
            direction=direction,
        )
        for direction, start, used in registers
    ]


def _harborview_render(sheet: Sheet, bill: NormalizedBill) -> None:
    def usd(value: Decimal | None) -> str:
        return money(value, credit="cr")

    sheet.text(40, 52, bill.provider, 21, bold=True)
    sheet.text(40, 66, "harborviewpower.example", 8)
    headers = (
        ("Account Number", bill.account_number),
        ("Statement Date", us_date(bill.statement_date)),
        ("Due Date", us_date(bill.due_date)),
        ("Amount Due", usd(bill.amount_due)),
    )
    for column, (label, value) in enumerate(headers):
        x = 40 + 135 * column
        sheet.band(x, 84, 128, 36, "#e3f2fd")
        sheet.text(x + 6, 97, label, 8, bold=True)
        sheet.text(x + 6, 112, value, 10)
    sheet.text(40, 146, "Service Address", 8, bold=True)
    sheet.text(40, 158, bill.service_address or "")
    sheet.text(330, 146, "Billing Period", 8, bold=True)
    sheet.text(330, 158, f"{us_date(bill.bill_period_start)} - {us_date(bill.bill_period_end)}")
    if bill.amount_due is not None and bill.amount_due < 0:
        sheet.text(40, 178, "You have a credit balance. No payment is due.", 8)

    sheet.text(40, 206, "Account Activity", 11, bold=True)
    for row, (label, amount) in enumerate(
        (
            ("Previous Balance", bill.previous_balance),
            ("Payments Received", -(bill.payments_and_credits or Decimal(0))),
            ("Current Charges", bill.total_amount),
            ("Total Amount Due", bill.amount_due),
        )
    ):
        sheet.text(40, 224 + 14 * row, label, 9, bold=row == 3)
        sheet.right(300, 224 + 14 * row, usd(amount), 9, bold=row == 3)

    sheet.text(330, 206, "Meter Reading", 11, bold=True)
    net_meter = len(bill.usage) > 1  # a solar customer's: its delivered and received registers, each with its unit
    headings = ["Meter", "Register", "Start Read", "End Read", "Usage"]
    columns: tuple[float, ...] = (330, 380, 428, 480, 528)
    if not net_meter:  # a meter that only counts what it delivers: the unit in the heading
        headings, columns = ["Meter", "Start Read", "End Read", "kWh Used"], (330, 390, 450, 510)
    for left, heading in zip(columns, headings, strict=True):
        sheet.text(left, 222, heading, 8, bold=True)
    for line, read in enumerate(bill.usage):
        register = [read.direction.value.capitalize()] if net_meter else []
        used = f"{quantity(read.quantity)} {read.unit}" if net_meter else quantity(read.quantity)
        cells = (read.meter_number or "", *register, str(read.start_read), str(read.end_read), used)
        for left, cell in zip(columns, cells, strict=True):
            sheet.text(left, 236 + 12 * line, cell, 8)

    sheet.text(40, 310, "Details of Charges", 11, bold=True)
    sheet.rule(40, 314, 572)
    y = 330
    for item in bill.line_items:
        sheet.text(40, y, item.description)
        if item.quantity is not None:
            sheet.text(260, y, f"{quantity(item.quantity)} {item.unit} @ ${item.rate}")
        sheet.right(572, y, usd(item.amount))
        y += 14
    sheet.rule(40, y - 6, 572)
    sheet.text(40, y + 8, "Total Current Charges", 9, bold=True)
    sheet.right(572, y + 8, usd(bill.total_amount), 9, bold=True)


# --- 7. Lakeshore Energy Cooperative (unseen): dual fuel, three pages, charges across pages ------------

LAKESHORE = "Lakeshore Energy Cooperative"


def _lakeshore_make(rng: random.Random, index: int) -> NormalizedBill:
    start, end, statement, due = period(rng, index, FIRST_PERIOD)
    kwh_first = Decimal(rng.randint(1000, 60000))
    kwh = Decimal(rng.randint(200, 1500))
    ccf_first = Decimal(rng.randint(500, 20000))
    ccf = Decimal(rng.randint(10, 160))
    usage = [
        UsageRead(
            commodity=Commodity.ELECTRICITY,
            quantity=kwh,
            unit="kWh",
            meter_number=f"E{rng.randint(1000000, 9999999)}",
            start_read=kwh_first,
            end_read=kwh_first + kwh,
            multiplier=Decimal(1),
            read_type=ReadType.ESTIMATED if rng.random() < 0.15 else ReadType.ACTUAL,
        ),
        UsageRead(
            commodity=Commodity.GAS,
            quantity=ccf,
            unit="CCF",
            meter_number=f"N{rng.randint(1000000, 9999999)}",
            start_read=ccf_first,
            end_read=ccf_first + ccf,
            multiplier=Decimal(1),
        ),
    ]
    items = [
        fixed("Electric Service Availability Charge", money_between(rng, 20, 35), LineItemCategory.DELIVERY),
        metered("Electric Energy Charge", kwh, "kWh", rate(rng, 8000, 13000, 5), LineItemCategory.SUPPLY),
        metered("Power Cost Adjustment", kwh, "kWh", rate(rng, 100, 900, 5), LineItemCategory.OTHER),
        fixed("Gas Facility Charge", money_between(rng, 10, 20), LineItemCategory.DELIVERY),
        metered("Gas Commodity Charge", ccf, "CCF", rate(rng, 40000, 90000, 5), LineItemCategory.SUPPLY),
        metered("Gas Distribution Charge", ccf, "CCF", rate(rng, 15000, 35000, 5), LineItemCategory.DELIVERY),
    ]
    if rng.random() < 0.3:
        items.append(fixed("Capital Credit Retirement", -money_between(rng, 5, 40), LineItemCategory.CREDIT))
    items.append(tax("County Sales Tax", items, Decimal(rng.randint(10, 40)) / 10))
    new = total(items)
    previous, payments, due_amount = summary(rng, new)
    return NormalizedBill(
        provider=LAKESHORE,
        account_number=f"{rng.randint(10000, 99999)}-{rng.randint(100, 999)}",
        service_address=_address(rng),
        statement_date=statement,
        due_date=due,
        bill_period_start=start,
        bill_period_end=end,
        total_amount=new,
        amount_due=due_amount,
        previous_balance=previous,
        payments_and_credits=payments,
        line_items=items,
        usage=usage,
    )


def _lakeshore_render(sheet: Sheet, bill: NormalizedBill) -> None:
    sheet.text(40, 54, bill.provider, 19, bold=True)
    sheet.text(40, 68, "Your member-owned electric and gas co-op", 8)
    sheet.text(40, 100, "Account No.", 9, bold=True)
    sheet.text(40, 112, bill.account_number, 10)
    sheet.text(200, 100, "Bill Date", 9, bold=True)
    sheet.text(200, 112, long_date(bill.statement_date), 10)
    sheet.text(340, 100, "Due By", 9, bold=True)
    sheet.text(340, 112, long_date(bill.due_date), 10)
    sheet.text(40, 140, "Service Address", 9, bold=True)
    sheet.text(40, 152, bill.service_address or "")
    sheet.text(340, 140, "Service Period", 9, bold=True)
    sheet.text(340, 152, f"{long_date(bill.bill_period_start)} - {long_date(bill.bill_period_end)}")

    sheet.text(40, 190, "Summary of Your Account", 11, bold=True)
    for row, (label, amount) in enumerate(
        (
            ("Previous Balance", bill.previous_balance),
            ("Payments", -(bill.payments_and_credits or Decimal(0))),
            ("Current Charges", bill.total_amount),
            ("Amount Due", bill.amount_due),
        )
    ):
        sheet.text(40, 208 + 14 * row, label, 9, bold=row == 3)
        sheet.right(320, 208 + 14 * row, money(amount), 9, bold=row == 3)
    sheet.text(40, 300, "Thank you for being a member. Details are on the following pages.", 8)
    sheet.right(572, 760, "1", 8)
    sheet.next_page()

    sheet.text(40, 50, "Meter Information", 11, bold=True)
    columns = (40, 120, 200, 280, 340, 430)
    for x, header in zip(columns, ("Meter", "Previous", "Present", "Mult", "Usage", "Type"), strict=True):
        sheet.text(x, 68, header, 8, bold=True)
    sheet.rule(40, 72, 572)
    for row, read in enumerate(bill.usage):
        y = 86 + 13 * row
        cells = (
            read.meter_number or "",
            str(read.start_read),
            str(read.end_read),
            str(read.multiplier),
            f"{quantity(read.quantity)} {read.unit}",
            "Estimated" if read.read_type is ReadType.ESTIMATED else "Actual",
        )
        for x, cell in zip(columns, cells, strict=True):
            sheet.text(x, y, cell, 8)

    sheet.text(40, 140, "Current Charges", 11, bold=True)
    sheet.rule(40, 144, 572)
    y = 160
    split = 3  # the gas charges continue on the next page
    for position, item in enumerate(bill.line_items):
        if position == split:
            sheet.right(572, 760, "2", 8)
            sheet.next_page()
            sheet.text(40, 50, "Current Charges (continued)", 11, bold=True)
            y = 70
        sheet.text(40, y, item.description)
        if item.quantity is not None:
            sheet.text(300, y, f"{quantity(item.quantity)} {item.unit} @ ${item.rate}")
        sheet.right(572, y, money(item.amount))
        y += 14
    sheet.rule(40, y - 6, 572)
    sheet.text(40, y + 8, "Total Current Charges", 9, bold=True)
    sheet.right(572, y + 8, money(bill.total_amount), 9, bold=True)
    sheet.right(572, 760, "3", 8)


PROVIDERS: tuple[Provider, ...] = (
    Provider("brightline", BRIGHTLINE, True, "electricity, time-of-use, 2 pages", _brightline_make, _brightline_render),
    Provider("northbay", NORTHBAY, True, "gas m³→kWh, estimated reads, GBP, pence", _northbay_make, _northbay_render),
    Provider("riverside", RIVERSIDE, True, "water/sewer/stormwater/gas, subtotals", _riverside_make, _riverside_render),
    Provider("keystone", KEYSTONE, True, "commercial multi-meter, demand, 3 pages", _keystone_make, _keystone_render),
    Provider("summit", SUMMIT, True, "budget billing, third-party supplier", _summit_make, _summit_render),
    Provider(
        "harborview",
        HARBORVIEW,
        False,
        "net-metering credit, labels above values",
        _harborview_make,
        _harborview_render,
    ),
    Provider("lakeshore", LAKESHORE, False, "dual fuel, 3 pages, continued table", _lakeshore_make, _lakeshore_render),
)
