"""Bills printed by a browser: corpus truths laid out as HTML e-bills and printed to PDF by headless Chromium
(Skia's PDF backend, another producer than reportlab: no space glyphs, glyphs placed one by one, fonts embedded
as subsets), read by the generic heuristics and scored on the fields the page prints.

    .venv/bin/python -m bench.extract.browser [--per-provider 6] [--json out.json] [--keep DIR]

Needs `chromium` on PATH (Debian's package `chromium`); nothing else of the project does. Nine layouts:
`tables` (label and value side by side, column headers as written), `cards` (labels over values, headings and
column headers upper-cased and letter-spaced by CSS, as many e-bills are), `band` (the account's facts in a box
at the right, the summary a band of figures under their labels, quantities and rates inside the descriptions,
`Meter 31088472`, a serif face), `narrow` (a page 300 px wide: labels, descriptions, figures and headings wrap
onto a second line in their cells, each cell set at its row's top), `middle` (the same, each cell centred in
its row as a browser sets it by default: a one-line cell stands between the lines of a cell wrapped beside it),
`columns` (two columns of the page side by side whose lines do not line up: the account's facts beside a boxed
summary set larger with a usage history under it, the charges beside a budget plan or, on a bill without one, a
paragraph of messages whose lines may start with a figure, a serif face), `paged` (`tables` over up to three pages,
the charges and meter tables broken across them with their headings repeated, a running head and a page footer),
`invoice` (the account's facts boxed beside the masthead, its activity dated under `Date | Description | Amount`,
the charges under their column headings alone with no title over them, each with its service period, the summary
after the charges) and `sidebar` (the summary, the budget plan and the messages in a narrow shaded column at the
left, the facts, the charges and the meters beside it, whose lines fall where they may against the sidebar's).
Each layout words a budget billing plan, a supplier's charges and a net meter's registers its own way. Bills whose
demand the layouts cannot print (a time-of-use period's, or none of a meter read) are left out. Each page goes
through one Chromium process (about a second); the PDFs are kept in `--keep` and reused on the next run.
"""

from __future__ import annotations

import argparse
import html
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.extract.evaluate import Evaluation, emit, field_group, flatten
from common.connectors.billgen import CorpusBill, corpus
from common.errors import RejectedInput
from common.extraction.bills.cascade import extract_bill
from common.extraction.bills.guard import PdfTextReader
from common.models import BillStatus, LineItem, NormalizedBill, Severity, UsageRead

SYMBOLS = {"USD": "$", "GBP": "£", "EUR": "€"}
LAYOUTS = ("tables", "cards", "band", "narrow", "middle", "columns", "paged", "invoice", "sidebar", "stamped")
# `middle` is `narrow` with its cells centred in their rows, a browser's default: its words are narrow's; `paged`
# is `tables` over pages, `sidebar` the tables' words laid out in two columns, and `stamped` the tables marked.
WORDING = {"middle": "narrow", "paged": "tables", "sidebar": "tables", "stamped": "tables"}
# Previous balance, payments, adjustments, new charges, budget instalment, supplier charges, amount due.
SUMMARY_LABELS = {
    "tables": (
        "Previous Balance",
        "Payments Received",
        "Adjustments",
        "Total New Charges",
        "Budget Billing Amount",
        "Third-Party Supplier Charges",
        "Amount Due",
    ),
    "cards": (
        "Previous Balance",
        "Payments Received",
        "Adjustments",
        "Total New Charges",
        "Budget Plan Amount",
        "Supplier Charges",
        "Amount Due",
    ),
    "band": (
        "Previous balance",
        "Payments",
        "Adjustments",
        "New charges",
        "Budget amount",
        "Supplier charges",
        "Amount due",
    ),
    "narrow": (
        "Previous Balance",
        "Payments Received - Thank You",
        "Adjustments",
        "Total Current Charges",
        "Budget Billing Amount",
        "Charges From Your Supplier",
        "Total Amount Due",
    ),
    "columns": (
        "Balance from last bill",
        "Payments received",
        "Adjustments",
        "Current charges",
        "Budget plan instalment",
        "Charges from your supplier",
        "Total amount due",
    ),
    "invoice": (
        "Previous balance",
        "Payments applied",
        "Adjustments",
        "Charges this period",
        "Levelized payment",
        "Supplier charges",
        "Balance due",
    ),
}
# The budget plan's heading, then its actual charges, instalment and deferred balance.
BUDGET_LABELS = {
    "tables": ("Budget Billing Plan", "Actual Charges This Period", "Budget Billing Amount", "Deferred Balance"),
    "cards": ("Your Budget Plan", "Actual charges this period", "Budget plan amount", "Deferred balance"),
    "band": ("Budget billing", "Actual charges", "Budget amount", "Deferred balance"),
    "narrow": ("Budget Billing", "Actual Charges This Period", "Budget Billing Amount", "Deferred Balance"),
    "columns": ("Budget Plan", "Your actual charges", "Budget plan instalment", "Deferred balance"),
    "invoice": ("Levelized Billing", "Actual charges this period", "Levelized payment amount", "Deferred balance"),
}
SUPPLIER_HEADINGS = {
    "tables": "Supply charges from {supplier}",
    "cards": "Charges from {supplier}",
    "narrow": "Electric supply charges provided by {supplier}",
    "columns": "Supply Services - {supplier}",
    "invoice": "Generation charges from {supplier}",
}
# A meter table's headings for the meter, read type, previous and present reads and usage: `narrow` wraps its own.
METER_HEADINGS = {
    "tables": ("Meter", "Read", "Previous", "Present", "Usage"),
    "narrow": ("Meter Number", "Read Type", "Previous Reading", "Present Reading", "Total Usage"),
    "invoice": ("Meter No.", "Reading", "Prior Read", "Current Read", "Billed Usage"),
}
NET_SERVICES = {"delivered": " Delivered", "received": " Received"}
STYLES = {
    "tables": """body{font-family:'Liberation Sans',sans-serif;font-size:9.5pt;margin:36px}
    h1{font-size:18pt;margin:0 0 2px 0} .sub{color:#555;font-size:8pt;margin-bottom:14px}
    table{border-collapse:collapse;margin:6px 0 14px 0} td,th{padding:3px 10px;text-align:left;white-space:nowrap}
    th{background:#234;color:#fff;font-size:8.5pt} .num{text-align:right} h2{font-size:11pt;margin:12px 0 4px 0;
    border-bottom:1px solid #999} .total td{font-weight:bold;border-top:1px solid #333} .label{color:#444}""",
    "cards": """body{font-family:'DejaVu Sans',sans-serif;font-size:9pt;margin:30px}
    h1{font-size:16pt;letter-spacing:0.02em;margin:0} .sub{font-size:7.5pt;color:#666;margin-bottom:12px}
    .cards{display:flex;flex-wrap:wrap;gap:10px 28px;margin-bottom:14px} .card .label{text-transform:uppercase;
    letter-spacing:0.12em;font-size:6.5pt;color:#777} .card .value{font-size:10pt}
    table{border-collapse:collapse;width:100%;margin:4px 0 14px 0} td,th{padding:2px 6px;text-align:left;
    border-bottom:1px solid #ddd;white-space:nowrap}
    th{text-transform:uppercase;letter-spacing:0.1em;font-size:6.5pt;color:#555}
    .num{text-align:right} h2{font-size:10pt;text-transform:uppercase;letter-spacing:0.15em;margin:10px 0 2px 0}
    .total td{font-weight:bold}""",
    "band": """body{font-family:'DejaVu Serif',serif;font-size:8.5pt;margin:32px}
    .top{display:flex;justify-content:space-between} h1{font-size:17pt;margin:0}
    .account{text-align:right;font-size:8pt;white-space:nowrap} .account b{display:inline-block;min-width:90px;
    text-align:left} .band{display:flex;margin:14px 0;border:1px solid #999} .band div{flex:1;padding:6px;
    border-right:1px solid #ccc} .band .label{font-size:7pt;color:#555} .band .value{font-size:11pt}
    table{border-collapse:collapse;width:100%} td{padding:2px 4px;white-space:nowrap}
    tr:nth-child(even){background:#f1f1f1} .num{text-align:right} h3{font-size:9.5pt;margin:12px 0 3px 0}""",
    "narrow": """body{font-family:'Liberation Sans',sans-serif;font-size:9pt;margin:28px;width:300px}
    h1{font-size:14pt;margin:0} .sub{font-size:7pt;color:#555;margin-bottom:10px}
    table{border-collapse:collapse;width:100%;margin:4px 0 12px 0} td,th{padding:2px 8px 2px 0;text-align:left;
    vertical-align:top} th{font-size:7pt;border-bottom:1px solid #333} .num{text-align:right}
    h2{font-size:9pt;margin:10px 0 2px 0} .total td{font-weight:bold;border-top:1px solid #333} .label{color:#444}""",
}
STYLES["middle"] = STYLES["narrow"].replace("vertical-align:top", "vertical-align:middle")
# Two columns side by side whose rows do not line up: the account's facts beside a boxed summary set larger and
# looser, and the charges beside the budget plan.
STYLES["columns"] = """body{font-family:'Liberation Serif',serif;font-size:9.5pt;margin:34px}
    h1{font-size:17pt;margin:0} .sub{font-size:8pt;color:#555;margin-bottom:12px}
    .columns{display:flex;gap:32px;align-items:flex-start} .columns>div{flex:1}
    .side{border:1px solid #999;padding:6px 10px;font-size:10.5pt} .side td{padding:4px 0}
    table{border-collapse:collapse;width:100%;margin:4px 0 12px 0} td,th{padding:2px 8px 2px 0;text-align:left;
    white-space:nowrap} th{font-size:8pt;border-bottom:1px solid #333} .num{text-align:right}
    h2{font-size:10.5pt;margin:8px 0 4px 0} .total td{font-weight:bold;border-top:1px solid #333}
    .note{font-size:8.5pt;margin-top:10px} .note p{margin:2px 0}"""
# `tables` over up to three pages: the charges table broken after its second charge and the meter table after its first
# meter (each page repeats the table's headings, as a browser does with a table's head), a running head with the
# account number and a page footer on each page.
STYLES["paged"] = (
    STYLES["tables"]
    + """ .charges tbody tr:nth-child(3),.meters tbody tr:nth-child(2){break-before:page}
    @page{margin:54px 40px 60px 40px;
    @bottom-center{content:"Page " counter(page) " of " counter(pages);font-size:8pt}}"""
)
# An invoice: the account's facts in a box at the right of the masthead, its activity, the charges under their column
# headings alone (no title over them), the summary after the charges at the right, the meter table last.
STYLES["invoice"] = """body{font-family:'Liberation Sans',sans-serif;font-size:9pt;margin:36px}
    .top{display:flex;justify-content:space-between;align-items:flex-start;gap:24px;margin-bottom:18px}
    h1{font-size:16pt;margin:0} .sub{font-size:8pt;color:#555} .facts{border:1px solid #888}
    .facts td{padding:2px 8px} .facts .label{font-weight:bold}
    table{border-collapse:collapse;margin:4px 0 12px 0} td,th{padding:3px 8px;text-align:left;white-space:nowrap}
    .charges,.meters{width:100%} th{background:#e4e4e4;font-size:8.5pt} .num{text-align:right}
    .summary{margin-left:auto;min-width:40%} .summary .total td{font-weight:bold;border-top:1px solid #333}
    .total td{font-weight:bold;border-top:1px solid #333} h2{font-size:10pt;margin:12px 0 4px 0}"""
# A sidebar: the summary, the budget plan and the messages in a narrow shaded column at the left, the account's facts,
# the charges and the meters beside it, their lines falling where they may against the sidebar's.
STYLES["sidebar"] = (
    STYLES["tables"]
    + """ .page{display:flex;gap:28px;align-items:flex-start} .sidebar{width:270px;flex:none;background:#f3f3f3;
    padding:8px} .sidebar table{width:100%} .sidebar td{padding:2px 4px} .main{flex:1} .note{font-size:8pt}"""
)
# `tables` marked as a reprint is: `DUPLICATE` across the page in large pale type, behind the charges, and a form's
# number and a printer's line up its left margin.
STYLES["stamped"] = (
    STYLES["tables"]
    + """ .watermark{position:fixed;top:38%;left:8%;transform:rotate(-35deg);font-size:90pt;font-weight:bold;
    color:rgba(0,0,0,0.08);z-index:-1} .margin{position:fixed;top:300px;left:-150px;width:320px;
    transform:rotate(-90deg);font-size:6.5pt;color:#666}"""
)
STAMPS = "<div class=watermark>DUPLICATE</div><div class=margin>FORM 5102-E REV 03/24 Printed on recycled paper</div>"
# The account's facts: account, service address, statement date, period and due date.
FACT_LABELS = {"invoice": ("Account No.", "Supply Address", "Invoice Date", "Billing Period", "Payment Due")}
DEFAULT_FACT_LABELS = ("Account Number", "Service Address", "Statement Date", "Service Period", "Due Date")


def _money(value: Decimal, currency: str) -> str:
    return f"{'-' if value < 0 else ''}{SYMBOLS.get(currency, '$')}{abs(value):,.2f}"


def _number(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,f}"


def _day(value: date, layout: str) -> str:
    return value.strftime({"tables": "%B %-d, %Y", "narrow": "%b %-d, %Y"}.get(layout, "%m/%d/%Y"))


def printable(bill: NormalizedBill) -> bool:
    """Whether the layouts print every field of the bill's truth: not demand other than one reading a meter."""
    meters = [demand.meter_number for demand in bill.demand]
    return (
        len(set(meters)) == len(meters)
        and all(demand.period is None and demand.meter_number for demand in bill.demand)
        and set(meters) <= {read.meter_number for read in bill.usage}
    )


def render(bill: NormalizedBill, layout: str) -> str:
    """The bill as an HTML page in `layout`."""
    if layout == "band":
        return _band(bill)
    style, shape = STYLES[layout], layout
    if layout == "paged":
        style += f'@page{{@top-right{{content:"Account {bill.account_number} - statement continued";font-size:8pt}}}}'
    layout = WORDING.get(layout, layout)

    e, currency = html.escape, bill.currency
    period = f"{_day(bill.bill_period_start, layout)} - {_day(bill.bill_period_end, layout)}"
    facts = (
        bill.account_number,
        bill.service_address or "",
        _day(bill.statement_date, layout) if bill.statement_date else "",
        period,
        _day(bill.due_date, layout) if bill.due_date else "",
    )
    labels = FACT_LABELS.get(layout, DEFAULT_FACT_LABELS)
    shown = [(label, value) for label, value in zip(labels, facts, strict=True) if value]
    if layout in ("tables", "narrow", "columns", "invoice"):
        head = "".join(f"<tr><td class=label>{e(label)}:</td><td>{e(value)}</td></tr>" for label, value in shown)
        head = f"<table{' class=facts' if layout == 'invoice' else ''}>{head}</table>"
    else:
        cards = "".join(
            f'<div class="card"><div class="label">{e(label)}</div><div class="value">{e(value)}</div></div>'
            for label, value in shown
        )
        head = f'<div class="cards">{cards}</div>'
    summary = _summary(bill, SUMMARY_LABELS[layout])
    summary_rows = "".join(
        f"<tr{' class=total' if label == 'Amount Due' else ''}><td>{label}</td>"
        f"<td class=num>{e(_money(value, currency))}</td></tr>"
        for label, value in summary
    )
    summary_table = f"<h2>Account Summary</h2><table>{summary_rows}</table>"
    charges, budget = "".join(_charges(bill, layout)), _budget(bill, layout)
    masthead = f"<h1>{e(bill.provider)}</h1><div class=sub>Customer service 1-800-555-0100</div>"
    meters = "".join(_meters(bill, layout))
    if shape == "sidebar":
        side = f"{summary_table}{budget}{_messages(bill)}"
        body = [f"<div class=page><div class=sidebar>{side}</div><div class=main>{head}{charges}{meters}</div></div>"]
        meters = ""
    elif shape == "invoice":
        masthead = f"<div class=top><div>{masthead}</div>{head}</div>"
        body = [_activity(bill), charges, f"<table class=summary>{summary_rows}</table>", budget]
    elif shape == "columns":  # the budget plan beside the charges; without one, the messages
        under = _messages(bill) if budget else ""
        body = [
            f"<div class=columns><div>{head}</div>"
            f"<div><div class=side>{summary_table}</div>{under}{_history(bill)}</div></div>",
            f"<div class=columns><div>{charges}</div><div>{budget or _messages(bill)}</div></div>",
        ]
    else:
        body = [head, summary_table, budget, charges]
    parts = [
        f"{'<!DOCTYPE html>' if layout == 'narrow' else ''}<html><head><meta charset=utf-8>"
        f"<style>{style}</style></head><body>",
        masthead,
        *body,
        meters,
        "<p class=sub>Thank you for your payment. Please pay by the due date to avoid a late fee.</p>",
        STAMPS if shape == "stamped" else "",
        "</body></html>",
    ]
    return "".join(parts)


def _activity(bill: NormalizedBill) -> str:
    """The account's activity since the last invoice, dated, under a table's column headings (`Date | Description |
    Amount`, the first a charges table might have): the balance brought forward, the payment, an adjustment."""
    e, currency, start = html.escape, bill.currency, bill.bill_period_start
    paid = -bill.payments_and_credits if bill.payments_and_credits is not None else None
    rows = [
        (start, "Previous balance", bill.previous_balance),
        (start + timedelta(days=12), "Payment received - thank you", paid),
        (bill.bill_period_end, "Adjustment", bill.adjustments),
    ]
    shown = "".join(
        f"<tr><td>{_day(day, 'invoice')}</td><td>{description}</td>"
        f"<td class=num>{e(_money(amount, currency))}</td></tr>"
        for day, description, amount in rows
        if amount is not None
    )
    if not shown:
        return ""
    return (
        "<h2>Account activity</h2><table class=activity><thead><tr><th>Date</th><th>Description</th>"
        f"<th class=num>Amount</th></tr></thead><tbody>{shown}</tbody></table>"
    )


def _messages(bill: NormalizedBill) -> str:
    """A paragraph of notices under the summary, as bills print them: figures and dates that are no field."""
    symbol = SYMBOLS.get(bill.currency, "$")
    after = _day(bill.statement_date, "columns") if bill.statement_date else "the statement date"
    return (
        "<div class=note><b>Messages for you</b><p>Enroll in AutoPay and paperless billing and save "
        f"{symbol}1.00 a month. Payments received after {after} will appear on your next bill. A late payment "
        f"charge of 1.5% a month, at least {symbol}5.00, applies to balances not paid by the due date. Questions "
        "about your bill? Call 1-800-555-0100, Monday to Friday 8 am to 6 pm.</p></div>"
    )


def _history(bill: NormalizedBill) -> str:
    """The first meter's usage over the last six months, this period's first, as a small table of months, usage,
    days and usage a day: figures beside the bill's that are no field (the months before are made up)."""
    if not bill.usage:
        return ""
    read, end = bill.usage[0], bill.bill_period_end
    rows = ""
    for back in range(6):
        month = date(end.year - (end.month - back < 1), (end.month - back - 1) % 12 + 1, 1)
        used = read.quantity * (100 + 7 * back - 13 * (back % 2)) / 100
        days = 30 - back % 2
        rows += (
            f"<tr><td>{month:%b %Y}</td><td class=num>{used:,.0f} {html.escape(read.unit)}</td>"
            f"<td class=num>{days}</td><td class=num>{used / days:,.1f}</td></tr>"
        )
    return (
        "<div class=note><b>Your usage history</b><table><tr><th>Month</th><th class=num>Usage</th>"
        f"<th class=num>Days</th><th class=num>Per day</th></tr>{rows}</table></div>"
    )


def _band(bill: NormalizedBill) -> str:
    """The account's facts in a box at the right, the summary a band of figures under their labels, each charge's
    quantity and rate in its description (`Energy Charge (374 kWh @ $0.15122)`), meters as `Meter 31088472`."""
    e, currency = html.escape, bill.currency

    def day(value: date | None) -> str:
        return value.strftime("%b %-d, %Y") if value is not None else ""

    facts = [
        ("Account #", bill.account_number),
        ("Bill date", day(bill.statement_date)),
        ("Service period", f"{day(bill.bill_period_start)} to {day(bill.bill_period_end)}"),
        ("Payment due", day(bill.due_date)),
        ("Service address", bill.service_address or ""),
    ]
    account = "".join(f"<div><b>{e(label)}</b> {e(value)}</div>" for label, value in facts if value)
    figures = _summary(bill, SUMMARY_LABELS["band"])
    band = "".join(
        f"<div><div class=label>{label}</div><div class=value>{e(_money(value, currency))}</div></div>"
        for label, value in figures
    )
    charges = []
    for item, supplier in _supplied(bill):
        if supplier:
            charges.append(f"<tr><td><b>Supplier: {e(supplier)}</b></td><td></td></tr>")
        description = item.description
        if item.quantity is not None and item.rate is not None:
            description += f" ({_number(item.quantity)} {item.unit or ''} @ {SYMBOLS.get(currency, '$')}{item.rate})"
        charges.append(f"<tr><td>{e(description)}</td><td class=num>{e(_money(item.amount, currency))}</td></tr>")
    total = e(_money(bill.total_amount, currency))
    charges.append(f"<tr><td><b>Total new charges</b></td><td class=num><b>{total}</b></td></tr>")
    meters = ""
    if bill.usage:
        converted, read_unit, demands = _meter_extras(bill)
        meters = (
            f"<h3>Your meter</h3><table><tr><td>Meter</td><td>Service</td><td class=num>Last reading{read_unit}</td>"
            f"<td class=num>This reading{read_unit}</td><td class=num>Multiplier</td>"
            + ("<td class=num>Conversion factor</td>" if converted else "")
            + ("<td class=num>Peak demand</td>" if demands else "")
            + "<td class=num>Used</td><td>Reading</td></tr>"
        )
        for read in bill.usage:
            name = _service(bill, read, {"delivered": " Delivered", "received": " Exported"})
            times = f"x {_number(read.multiplier)}" if read.multiplier is not None else ""
            demand = demands.pop(read.meter_number, "") if read.meter_number else ""
            meters += (
                f"<tr><td>Meter {e(read.meter_number or '')}</td><td>{e(name)}</td>"
                f"<td class=num>{_number(read.start_read)}</td><td class=num>{_number(read.end_read)}</td>"
                f"<td class=num>{times}</td>"
                + (f"<td class=num>{_number(read.conversion_factor)}</td>" if converted else "")
                + (f"<td class=num>{e(demand)}</td>" if bill.demand else "")
                + f"<td class=num>{_number(read.quantity)} {e(read.unit)}</td>"
                + f"<td>{read.read_type.value.title()}</td></tr>"
            )
        meters += "</table>"
    return (
        f"<html><head><meta charset=utf-8><style>{STYLES['band']}</style></head><body><div class=top><div>"
        f"<h1>{e(bill.provider)}</h1><div>Questions? 1-800-555-0100</div></div><div class=account>{account}</div>"
        f"</div><div class=band>{band}</div>{_budget(bill, 'band')}<h3>Charges this period</h3>"
        f"<table>{''.join(charges)}</table>{meters}"
        "</body></html>"
    )


def _summary(bill: NormalizedBill, labels: tuple[str, ...]) -> list[tuple[str, Decimal]]:
    """The account summary's figures the bill has, under a layout's `labels` for previous balance, payments (printed
    as a credit), adjustments, new charges, budget instalment, supplier charges and amount due. On budget billing
    the instalment stands for the utility's new charges, and a supplier's charges are added to it."""
    payments = -bill.payments_and_credits if bill.payments_and_credits is not None else None
    budget = bill.budget_billing
    supplied = sum((item.amount for item in bill.line_items if item.third_party), Decimal(0))
    figures = (
        bill.previous_balance,
        payments,
        bill.adjustments,
        bill.total_amount if budget is None else None,
        budget.instalment if budget is not None else None,
        supplied if budget is not None and supplied else None,
        bill.amount_due,
    )
    return [(label, figure) for label, figure in zip(labels, figures, strict=True) if figure is not None]


def _budget(bill: NormalizedBill, layout: str) -> str:
    """The budget billing plan's figures, under the layout's own heading and labels."""
    budget = bill.budget_billing
    if budget is None:
        return ""
    e, currency = html.escape, bill.currency
    heading, *labels = BUDGET_LABELS[layout]
    figures = (budget.actual_charges, budget.instalment, budget.deferred_balance)
    shown = [
        (label, _money(figure, currency)) for label, figure in zip(labels, figures, strict=True) if figure is not None
    ]
    if layout == "cards":
        cards = "".join(
            f'<div class="card"><div class="label">{e(label)}</div><div class="value">{e(value)}</div></div>'
            for label, value in shown
        )
        return f'<h2>{heading}</h2><div class="cards">{cards}</div>'
    rows = "".join(f"<tr><td>{e(label)}</td><td class=num>{e(value)}</td></tr>" for label, value in shown)
    return f"<h{3 if layout == 'band' else 2}>{heading}</h{3 if layout == 'band' else 2}><table>{rows}</table>"


def _supplied(bill: NormalizedBill) -> Iterable[tuple[LineItem, str | None]]:
    """Each line item, with the supplier whose charges it opens (the first of a run of that supplier's)."""
    before: str | None = None
    for item in bill.line_items:
        yield item, item.third_party if item.third_party and item.third_party != before else None
        before = item.third_party


def _service(bill: NormalizedBill, read: UsageRead, directions: dict[str, str]) -> str:
    """A read's service as a meter table names it: its commodity, its time-of-use period, and on a net meter the
    register's direction in the layout's words."""
    net = any(other.direction.value == "received" for other in bill.usage)
    period = f" {read.period.replace('_', '-').title()}" if read.period else ""
    return read.commodity.value.title() + period + (directions[read.direction.value] if net else "")


def _meter_extras(bill: NormalizedBill) -> tuple[bool, str, dict[str | None, str]]:
    """What a meter table adds for this bill: whether it prints a conversion factor column, the reads' unit for
    their headings (` (m³)`), and each meter's demand (printed on its first row)."""
    converted = any(read.conversion_factor is not None for read in bill.usage)
    read_unit = next((f" ({read.read_unit})" for read in bill.usage if read.read_unit), "")
    demands = {demand.meter_number: f"{_number(demand.quantity)} {demand.unit}" for demand in bill.demand}
    return converted, read_unit, demands


def _charges(bill: NormalizedBill, layout: str) -> Iterable[str]:
    """The charges table; a supplier's charges under a heading row naming it (`Supply charges from X`)."""
    e, currency = html.escape, bill.currency
    detailed = any(item.quantity is not None for item in bill.line_items)
    columns = "<th class=num>Quantity</th><th class=num>Rate</th>" if detailed else ""
    invoice = layout == "invoice"  # headings alone, no title, and each charge's service period in a column
    if invoice:
        columns = "<th class=num>Qty</th><th class=num>Unit Price</th>" if detailed else ""
        yield (
            f"<table class=charges><thead><tr><th>Item</th><th>Service Period</th>{columns}<th class=num>Total</th>"
            "</tr></thead><tbody>"
        )
    else:
        yield (
            f"<h2>Current Charges</h2><table class=charges><thead><tr><th>Description</th>{columns}"
            "<th class=num>Amount</th></tr></thead><tbody>"
        )
    span = (3 if detailed else 1) + invoice  # the cells before the amount
    period = (
        f"<td>{_day(bill.bill_period_start, layout)} - {_day(bill.bill_period_end, layout)}</td>" if invoice else ""
    )
    for item, supplier in _supplied(bill):
        if supplier:
            heading = SUPPLIER_HEADINGS[layout].format(supplier=e(supplier))
            yield f"<tr><td colspan={span + 1}><b>{heading}</b></td></tr>"
        figures = ""
        if detailed:
            quantity = f"{_number(item.quantity)} {item.unit or ''}".strip() if item.quantity is not None else ""
            rate = f"{SYMBOLS.get(currency, '$')}{item.rate}" if item.rate is not None else ""
            figures = f"<td class=num>{e(quantity)}</td><td class=num>{e(rate)}</td>"
        amount = e(_money(item.amount, currency))
        yield f"<tr><td>{e(item.description)}</td>{period}{figures}<td class=num>{amount}</td></tr>"
    total = e(_money(bill.total_amount, currency))
    label = "Total charges this period" if invoice else "Total New Charges"
    yield f"<tr class=total><td colspan={span}>{label}</td><td class=num>{total}</td></tr>"
    yield "</tbody></table>"


def _meters(bill: NormalizedBill, layout: str) -> Iterable[str]:
    """The meter table; a conversion factor's column and the reads' unit where a meter's volume is converted, a
    demand column where a meter's peak demand is billed (on its first row), and a net meter's registers: a column
    of their own in `tables`, named in the service in `cards`."""
    if not bill.usage:
        return
    e = html.escape
    converted, read_unit, demands = _meter_extras(bill)
    registers = layout in ("tables", "narrow") and any(read.direction.value == "received" for read in bill.usage)
    meter, read_type, previous, present, usage = METER_HEADINGS.get(layout, METER_HEADINGS["tables"])
    yield (
        f"<h2>Meter Readings</h2><table class=meters><thead><tr><th>{meter}</th><th>Service</th>"
        + ("<th>Register</th>" if registers else "")
        + f"<th>{read_type}</th>"
        f"<th class=num>{previous}{read_unit}</th><th class=num>{present}{read_unit}</th><th class=num>Multiplier</th>"
        + ("<th class=num>Factor</th>" if converted else "")
        + ("<th class=num>Demand</th>" if demands else "")
        + f"<th class=num>{usage}</th></tr></thead><tbody>"
    )
    for read in bill.usage:
        service = _service(bill, read, {"delivered": "", "received": ""} if registers else NET_SERVICES)
        demand = demands.pop(read.meter_number, "") if read.meter_number else ""
        yield (
            f"<tr><td>{e(read.meter_number or '')}</td><td>{e(service)}</td>"
            + (f"<td>{read.direction.value.title()}</td>" if registers else "")
            + f"<td>{read.read_type.value.title()}</td>"
            f"<td class=num>{_number(read.start_read)}</td><td class=num>{_number(read.end_read)}</td>"
            f"<td class=num>{_number(read.multiplier)}</td>"
            + (f"<td class=num>{_number(read.conversion_factor)}</td>" if converted else "")
            + (f"<td class=num>{e(demand)}</td>" if bill.demand else "")
            + f"<td class=num>{_number(read.quantity)} {e(read.unit)}</td></tr>"
        )
    yield "</tbody></table>"


def printed(page: Path) -> bytes:
    """The HTML page printed to PDF by headless Chromium (kept beside it, and reused)."""
    pdf = page.with_suffix(".pdf")
    if not pdf.exists():
        profile = page.parent / f".profile-{page.stem}"
        subprocess.run(
            [
                "chromium",
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--no-pdf-header-footer",
                f"--user-data-dir={profile}",
                f"--print-to-pdf={pdf}",
                str(page),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        shutil.rmtree(profile, ignore_errors=True)
    return pdf.read_bytes()


def run(per_provider: int, folder: Path) -> dict[str, Any]:
    bills: list[tuple[CorpusBill, str, Path]] = []
    for bill in corpus(per_provider):
        if not printable(bill.truth):
            continue
        for layout in LAYOUTS:
            page = folder / f"{bill.name}-{layout}.html"
            page.write_text(render(bill.truth, layout))
            bills.append((bill, layout, page))
    with ThreadPoolExecutor(max_workers=2) as pool:
        pdfs = list(pool.map(printed, (page for _, _, page in bills)))
    reader = PdfTextReader("inline")
    by_layout = {layout: Evaluation() for layout in LAYOUTS}
    missed = {layout: Counter[str]() for layout in LAYOUTS}  # printed fields an ok bill loaded without
    for (bill, layout, page), pdf in zip(bills, pdfs, strict=True):
        try:
            result = extract_bill(pdf, page.with_suffix(".pdf").name, pdf_reader=reader, templates=(), ocr="off")
        except RejectedInput:
            by_layout[layout].record(page.stem, bill.truth, None, "rejected", [])
            continue
        codes = [audit.code for audit in result.audits if audit.severity is Severity.ERROR]
        by_layout[layout].record(page.stem, bill.truth, result.bill, result.method, codes)
        if result.bill is not None and result.status is BillStatus.OK:
            found = flatten(result.bill)
            missed[layout].update(field_group(path) for path in flatten(bill.truth) if path not in found)
    report: dict[str, Any] = {"bills": len(bills), "layouts": {}}
    for layout, evaluation in by_layout.items():
        total = evaluation.total()
        report["layouts"][layout] = {
            "bills": evaluation.bills,
            "ok": evaluation.ok,
            "needs_review": evaluation.needs_review,
            "rejected": evaluation.rejected,
            "precision_ok": round(total.precision, 5),
            "recall_ok": round(total.recall, 5),
            "review_reasons": dict(evaluation.review_reasons),
            "missed_in_ok_bills": dict(sorted(missed[layout].items())),
            "wrong_in_ok": [list(map(str, row)) for row in evaluation.wrong_in_ok[:50]],
        }
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-provider", type=int, default=6)
    parser.add_argument("--json")
    parser.add_argument("--keep", type=Path, help="where the HTML pages and their PDFs are kept (default: a temp dir)")
    args = parser.parse_args()
    if shutil.which("chromium") is None:
        sys.exit("bench.extract.browser needs chromium on PATH (Debian: apt-get install chromium)")
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
        report = run(args.per_provider, args.keep)
    else:
        with tempfile.TemporaryDirectory(prefix="browser-bills-") as folder:
            report = run(args.per_provider, Path(folder))
    print(f"{report['bills']} pages printed by Chromium, read by the heuristics (templates off)\n")
    print(f"{'layout':8s} {'bills':>5s} {'ok':>4s} {'review':>6s} {'refused':>7s} {'precision':>9s} {'recall':>7s}")
    for layout, row in report["layouts"].items():
        print(
            f"{layout:8s} {row['bills']:5d} {row['ok']:4d} {row['needs_review']:6d} {row['rejected']:7d} "
            f"{row['precision_ok']:9.4f} {row['recall_ok']:7.4f}  review: {row['review_reasons']}"
        )
        for name, count in row["missed_in_ok_bills"].items():
            print(f"    {name:30s} printed, and missing from {count} values of ok bills")
        for wrong in row["wrong_in_ok"]:
            print("    wrong in an ok bill:", *wrong)
    emit(report, args.json)


if __name__ == "__main__":
    main()
