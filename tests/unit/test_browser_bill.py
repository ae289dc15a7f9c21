"""A bill printed by a browser: tests/data/pdf/browser-cards-bill.pdf is Chromium's print of the HTML beside it
(bench/extract/browser.py's `cards` layout of a corpus bill). Skia, Chromium's PDF backend, draws no space glyphs
and places glyphs one by one; the page's headings are upper-cased and letter-spaced by CSS, which pdfium reads as
`C U RRE N T C H AR G E S` (its own spaces between letters). Before, no charges heading was found in that, and the
bill loaded as ok without a line item (its account summary confirmed the total)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

import pypdfium2
import pytest

from common.extraction.bills import heuristics, pdf_worker
from common.extraction.bills.cascade import BillResult, extract_bill
from common.extraction.bills.guard import Isolation, PdfTextReader
from common.extraction.bills.layout import Document
from common.models import BillStatus, BudgetBilling, ReadType

BILL = Path(__file__).parents[1] / "data" / "pdf" / "browser-cards-bill.pdf"


def _pdfium_text(path: Path) -> str:
    """The first page's text as pdfium reads it, spaces and line breaks its own."""
    document = pypdfium2.PdfDocument(path.read_bytes())
    try:
        return str(document[0].get_textpage().get_text_range())
    finally:
        document.close()


def test_pdfium_spaces_the_letter_spaced_headings_apart() -> None:
    """What the file holds (so that the test below tests the joining, not a file that lost its spacing)."""
    text = _pdfium_text(BILL)
    assert "C U RRE N T C H AR G E S" in text and "METER REA D I N G S" in text


def _read_through(path: Path, isolation: Isolation) -> tuple[list[str], BillResult]:
    """The fixture's lines and its reading, through a reader of its own (in the sandboxed worker, or in process)."""
    reader = PdfTextReader(isolation)
    try:
        lines = [line.text for line in reader.read(path.read_bytes()).lines]
        return lines, extract_bill(path.read_bytes(), path.name, pdf_reader=reader, templates=(), ocr="off")
    finally:
        reader.close()


@pytest.mark.parametrize("isolation", ["process", "inline"])
def test_a_bill_printed_by_a_browser_reads_whole(isolation: Isolation) -> None:
    lines, result = _read_through(BILL, isolation)

    assert {"ACCOUNT SUMMARY", "CURRENT CHARGES", "METER READINGS"} <= set(lines)
    assert result.status is BillStatus.OK and result.bill is not None
    bill = result.bill
    assert (bill.provider, bill.account_number, bill.service_address) == (
        "Harborview Power & Light",
        "559331266",
        "1898 River Way, Lakeport, MI 48059",
    )
    assert (str(bill.bill_period_start), str(bill.bill_period_end), str(bill.due_date)) == (
        "2025-01-08",
        "2025-02-08",
        "2025-02-26",
    )
    assert [(item.description, str(item.amount)) for item in bill.line_items] == [
        ("Basic Charge", "10.70"),
        ("Energy Charge", "56.56"),
        ("Delivery Charge", "21.13"),
        ("State Utility Tax", "4.51"),
    ]
    assert [(str(item.quantity), item.unit, str(item.rate)) for item in bill.line_items[1:3]] == [
        ("374", "kWh", "0.15122"),
        ("374", "kWh", "0.05649"),
    ]
    assert [
        (read.meter_number, str(read.start_read), str(read.end_read), str(read.quantity)) for read in bill.usage
    ] == [("31088472", "31908", "32282", "374")]


NARROW = BILL.with_name("browser-narrow-bill.pdf")  # `narrow` layout: a table's cells wrap onto a second line
NARROW_ZIP = BILL.with_name("browser-narrow-zip-bill.pdf")


@cache
def _document(path: Path) -> Document:
    """The fixture's lines as the reader gives them, read once for the tests that look at them."""
    reader = PdfTextReader("inline")
    try:
        return reader.read(path.read_bytes())
    finally:
        reader.close()


def _read(path: Path) -> tuple[list[str], BillResult]:
    reader = PdfTextReader("inline")
    try:
        result = extract_bill(path.read_bytes(), path.name, pdf_reader=reader, templates=(), ocr="off")
    finally:
        reader.close()
    return [line.text for line in _document(path).lines], result


def _columns_read(path: Path) -> list[str]:
    """The fixture's lines after the cells side by side and the page's columns are read."""
    document = heuristics._page_columns(heuristics._cells_side_by_side(_document(path)))
    return [line.text for line in document.lines]


def test_a_charges_wrapped_cells_are_read_with_their_row() -> None:
    """`Energy Charge -` over `Meter KC8951273`, `14,240` over `kWh`: the charge loaded as `Energy Charge -`, without
    its quantity, in an ok bill."""
    lines, result = _read(NARROW)
    assert "Energy Charge -\t14,240 $0.06403\t$911.79" in lines and "Meter KC8951273\tkWh" in lines
    assert result.status is BillStatus.OK and result.bill is not None and result.audits == []
    items = [
        (item.description, str(item.amount), str(item.quantity), item.unit, str(item.rate))
        for item in result.bill.line_items
    ]
    assert items[:2] == [
        ("Energy Charge - Meter KC8951273", "911.79", "14240", "kWh", "0.06403"),
        ("Demand Charge - Meter KC8951273", "3878.17", "249.4", "kW", "15.55"),
    ]
    assert [item[0] for item in items[2:]] == [
        "Energy Charge - Meter KC1331931",
        "Demand Charge - Meter KC1331931",
        "Energy Charge - Meter KC3206457",
        "Demand Charge - Meter KC3206457",
        "Energy Charge - Meter KC5520896",
        "Demand Charge - Meter KC5520896",
        "Customer Charge",
        "Fuel Adjustment",
        "Franchise Fee",
        "State Sales Tax",
    ]
    assert items[9][2:4] == ("197320", "kWh")
    provenance = result.bill.provenance["line_items[0]"]
    assert provenance.source_text == "Energy Charge - Meter KC8951273 | 14,240 kWh $0.06403 | $911.79"
    assert provenance.bbox is not None and provenance.bbox[3] - provenance.bbox[1] > 18  # both lines of the row


def test_a_meter_table_wrapped_in_its_cells_is_read() -> None:
    """Headings wrapped (`Meter` over `Number`, `Previous` over `Reading`, `Total` over `Usage`), cells run together
    (`KC8951273 Electricity Actual 64,110 64,466`) and units under their figures (`249.4 14,240` over `kW | kWh`).
    No table was found: the bill loaded as ok without its four meters' reads and demands, with a warning."""
    _, result = _read(NARROW)
    assert result.bill is not None
    reads = [
        (
            read.meter_number,
            str(read.start_read),
            str(read.end_read),
            str(read.multiplier),
            str(read.quantity),
            read.unit,
        )
        for read in result.bill.usage
    ]
    assert reads == [
        ("KC8951273", "64110", "64466", "40", "14240", "kWh"),
        ("KC1331931", "73023", "73426", "120", "48360", "kWh"),
        ("KC3206457", "62979", "63647", "120", "80160", "kWh"),
        ("KC5520896", "69298", "69980", "80", "54560", "kWh"),
    ]
    demands = [(demand.meter_number, str(demand.quantity), demand.unit) for demand in result.bill.demand]
    assert demands == [
        ("KC8951273", "249.4", "kW"),
        ("KC1331931", "136.3", "kW"),
        ("KC3206457", "103.2", "kW"),
        ("KC5520896", "234.3", "kW"),
    ]


def test_a_zip_wrapped_under_its_address_is_read_with_it() -> None:
    """`9815 Cedar Ln, Fairhaven, OR` over `97123`: the address loaded without its ZIP, in an ok bill."""
    lines, result = _read(NARROW_ZIP)
    assert "Service Address: 9815 Cedar Ln, Fairhaven, OR" in lines and "97123" in lines
    assert result.status is BillStatus.OK and result.bill is not None
    assert result.bill.service_address == "9815 Cedar Ln, Fairhaven, OR 97123"
    # and its gas meter, under `Previous` over `Reading` over `(m³)`, its usage over `kWh`
    [read] = result.bill.usage
    assert (read.meter_number, read.start_read, read.end_read, read.conversion_factor, read.quantity, read.unit) == (
        "G4A86084101",
        Decimal("11023"),
        Decimal("11242"),
        Decimal("11.30585"),
        Decimal("2476"),
        "kWh",
    )


# The charges of the corpus's summit-000, which the columns, invoice and sidebar fixtures print (the last two the
# supplier's).
SUMMIT_CHARGES = [
    ("Customer Charge", "9.94", None),
    ("Distribution Charge", "29.21", None),
    ("Transmission Charge", "6.73", None),
    ("Gross Receipts Tax", "1.28", None),
    ("Energy Supply", "60.20", "Acme Retail Energy LLC"),
    ("Supplier Monthly Fee", "5.00", "Acme Retail Energy LLC"),
]


def _summit_on_budget(result: BillResult) -> BudgetBilling:
    """The summit bill's budget plan, where it loaded as ok with every charge read and its plan applied."""
    assert result.status is BillStatus.OK and result.bill is not None
    bill = result.bill
    assert [(item.description, str(item.amount), item.third_party) for item in bill.line_items] == SUMMIT_CHARGES
    assert [audit.code for audit in result.audits] == ["budget_billing_applied"]
    assert bill.budget_billing is not None
    return bill.budget_billing


MIDDLE = BILL.with_name("browser-middle-bill.pdf")  # `middle` layout: the narrow page, its cells centred in their rows
COLUMNS = BILL.with_name("browser-columns-bill.pdf")  # `columns` layout: two columns of the page side by side


def test_a_meter_table_centred_in_its_rows_over_three_lines_is_read() -> None:
    """`Previous` over `Reading` over `(m³)` beside `Total` over `Usage` beside `Meter Number`, each cell centred in
    its row: five lines half a line apart. No table was found: the bill loaded as ok without its start and end
    reads."""
    lines, result = _read(MIDDLE)
    assert lines[lines.index("Meter Readings") + 1 :][:5] == [
        "Previous\tPresent",
        "Total",
        "Meter Number\tService Read Type\tReading Reading Multiplier\tFactor",
        "Usage",
        "(m³)\t(m³)",
    ]
    assert result.status is BillStatus.OK and result.bill is not None
    [read] = result.bill.usage
    assert (read.meter_number, read.start_read, read.end_read, read.conversion_factor, read.quantity, read.unit) == (
        "G4A69335171",
        Decimal("18558"),
        Decimal("18693"),
        Decimal("10.96497"),
        Decimal("1480"),
        "kWh",
    )
    assert read.read_type.value == "estimated" and read.read_unit == "m³"


def test_two_columns_of_the_page_are_read_one_after_the_other() -> None:
    """The account's facts beside a boxed summary set larger (messages and a usage history under it), and the
    charges beside a budget plan: a line of the page runs across both (`Customer Charge | $9.94 | Budget plan
    instalment | $95.00`). No charge was read and the plan was lost: the bill went to review (balance_mismatch,
    total_unverified)."""
    lines, result = _read(COLUMNS)
    assert "Customer Charge\t$9.94\tBudget plan instalment\t$95.00" in lines
    assert "Due Date:\t03/02/2025\tBudget plan instalment\t$95.00" in lines
    texts = _columns_read(COLUMNS)
    assert texts[2:12] == [  # the facts, then the summary beside them, then the messages under it
        "Account Number: 97 4926 3825",
        "Service Address: 7165 Mill Ave, Fairhaven, OR 97123",
        "Statement Date:\t02/05/2025",
        "Service Period:\t01/07/2025 - 02/04/2025",
        "Due Date:\t03/02/2025",
        "Account Summary",
        "Balance from last bill\t$227.24",
        "Payments received\t-$227.24",
        "Budget plan instalment\t$95.00",
        "Charges from your supplier\t$65.20",
    ]
    assert texts[texts.index("Current Charges") + 2] == "Customer Charge\t$9.94"
    assert texts[texts.index("Your usage history") + 2] == "Feb 2025\t708 kWh\t30\t23.6"
    assert texts[texts.index("Budget Plan") + 1 :][:3] == [
        "Your actual charges\t$47.16",
        "Budget plan instalment\t$95.00",
        "Deferred balance\t-$106.13",
    ]
    assert result.status is BillStatus.OK and result.bill is not None
    bill = result.bill
    assert (bill.previous_balance, bill.payments_and_credits, bill.amount_due, str(bill.due_date)) == (
        Decimal("227.24"),
        Decimal("227.24"),
        Decimal("160.20"),
        "2025-03-02",
    )
    assert bill.budget_billing is not None
    assert (bill.budget_billing.instalment, bill.budget_billing.actual_charges) == (Decimal("95.00"), Decimal("47.16"))
    assert bill.budget_billing.deferred_balance == Decimal("-106.13")
    assert [(item.description, str(item.amount), item.third_party) for item in bill.line_items] == SUMMIT_CHARGES
    assert [(read.meter_number, read.quantity) for read in bill.usage] == [("S73236624", Decimal("708"))]
    assert [audit.code for audit in result.audits] == ["budget_billing_applied"]
    assert result.bill.provenance["line_items[0]"].source_text == "Customer Charge | $9.94"


INVOICE = BILL.with_name("browser-invoice-bill.pdf")  # `invoice` layout: charges under column headings alone


def test_an_invoices_charges_under_their_column_headings_alone_are_read() -> None:
    """`Item | Service Period | Qty | Unit Price | Total` over the charges, and no title: no charges heading was found,
    and the bill went to review (charges_table_unread) with no line item. The account's activity above them, under
    `Date | Description | Amount`, is no charges table (its lines went to review as unreadable charges). Each charge's
    service period is none of its figures (the charges loaded without their quantities and rates)."""
    lines, result = _read(INVOICE)
    assert "Current Charges" not in lines and "Item\tService Period\tQty\tUnit Price\tTotal" in lines
    assert lines.index("Date\tDescription\tAmount") + 2 == lines.index(
        "01/19/2025 Payment received - thank you\t-$227.24"
    )
    assert result.status is BillStatus.OK and result.bill is not None
    bill = result.bill
    assert [(item.description, str(item.amount), item.third_party) for item in bill.line_items] == SUMMIT_CHARGES
    assert [item.quantity for item in bill.line_items] == [
        None,
        Decimal("708"),
        Decimal("708"),
        None,
        Decimal("708"),
        None,
    ]
    assert bill.line_items[1].rate == Decimal("0.04126")
    assert (bill.account_number, str(bill.statement_date), str(bill.due_date)) == (
        "97 4926 3825",
        "2025-02-05",
        "2025-03-02",
    )
    assert bill.budget_billing is not None and bill.budget_billing.instalment == Decimal("95.00")
    assert [audit.code for audit in result.audits] == ["budget_billing_applied"]


MESSAGES = BILL.with_name("browser-messages-bill.pdf")  # `columns` layout without a budget plan: messages beside


def test_a_paragraph_beside_the_charges_is_read_after_them() -> None:
    """The charges beside a paragraph of messages whose lines start with figures (`02/09/2025 will appear on your`,
    `1.5% a month, at least $5.00,`), set closer than the charges' rows, its first two lines beside the table's
    headings. The charges ran into the messages (`Demand Charge - Meter KC4634591 | 181.3 kW | $17.83 | $3,232.58 |
    next bill. A late payment charge of`): four of eight charges were read, and the bill went to review
    (line_items_sum_mismatch)."""
    lines, result = _read(MESSAGES)
    assert "Customer Charge\t$85.73\tMonday to Friday 8 am to 6 pm." in lines
    texts = _columns_read(MESSAGES)
    charges = texts.index("Current Charges")
    assert texts[charges + 10 :][:5] == [
        "Total New Charges\t$16,774.21",
        "Messages for you",
        "Enroll in AutoPay and paperless billing and save $1.00 a month.",
        "Payments received after",
        "02/09/2025 will appear on your",
    ]
    assert result.status is BillStatus.OK and result.bill is not None and result.audits == []
    assert [(item.description, str(item.amount)) for item in result.bill.line_items] == [
        ("Energy Charge - Meter KC4634591", "1079.55"),
        ("Demand Charge - Meter KC4634591", "3232.58"),
        ("Energy Charge - Meter KC6575722", "5802.59"),
        ("Demand Charge - Meter KC6575722", "4862.24"),
        ("Customer Charge", "85.73"),
        ("Fuel Adjustment", "689.52"),
        ("Franchise Fee", "315.04"),
        ("State Sales Tax", "706.96"),
    ]
    assert [(read.meter_number, read.quantity) for read in result.bill.usage] == [
        ("KC4634591", Decimal("12800")),
        ("KC6575722", Decimal("68800")),
    ]


SIDEBAR = BILL.with_name("browser-sidebar-bill.pdf")  # `sidebar` layout: summary and messages in a column at the left
SIDEBAR_BUDGET = BILL.with_name("browser-sidebar-budget-bill.pdf")  # the same, with a budget plan in the sidebar


def test_a_sidebars_paragraph_beside_the_charges_is_read_before_them() -> None:
    """A paragraph of messages at the left, its lines wrapped at its own leading, beside the charges' rows: the lines
    of the page held both, each on two baselines (`Monday to Friday 8 am to 6 pm. | Energy Charge - Meter KC6575722 |
    ...`), and the paragraph's lines, each a wrap of the one above, were no lines alone. The charges ran into the
    messages: the bill went to review (line_item_unreadable, line_items_sum_mismatch; and ambiguous_date_order, for the
    messages' `02/09/2025`, though every date read is printed in words)."""
    lines, result = _read(SIDEBAR)
    assert any(line.startswith("Monday to Friday 8 am to 6 pm.\tEnergy Charge") for line in lines)
    texts = _columns_read(SIDEBAR)
    messages = texts.index("Messages for you")
    assert texts[messages + 6 : messages + 9] == [
        "Monday to Friday 8 am to 6 pm.",
        "Description\tQuantity\tRate\tAmount",
        "Energy Charge - Meter KC4634591\t12,800 kWh\t$0.08434\t$1,079.55",
    ]
    assert result.status is BillStatus.OK and result.bill is not None and result.audits == []
    assert [str(item.amount) for item in result.bill.line_items] == [
        "1079.55",
        "3232.58",
        "5802.59",
        "4862.24",
        "85.73",
        "689.52",
        "315.04",
        "706.96",
    ]
    assert (str(result.bill.statement_date), str(result.bill.due_date)) == ("2025-02-09", "2025-02-23")


def test_a_sidebars_budget_plan_beside_the_charges_is_read_before_them() -> None:
    """The budget plan at the left beside the charges, its rows between theirs: a charge alone on its line under a
    plan's row was taken for a cell wrapped under that row (the other column's), so the charges had one line alone,
    and the page was read across: the bill went to review (line_item_unreadable, line_items_sum_mismatch,
    ambiguous_date_order)."""
    _, result = _read(SIDEBAR_BUDGET)
    texts = _columns_read(SIDEBAR_BUDGET)
    assert texts[texts.index("Budget Billing Plan") + 1 :][:4] == [
        "Actual Charges This Period\t$47.16",
        "Budget Billing Amount\t$95.00",
        "Deferred Balance\t-$106.13",
        "Description\tQuantity\tRate\tAmount",
    ]
    budget = _summit_on_budget(result)
    assert budget.deferred_balance == Decimal("-106.13")


STAMPED = BILL.with_name("browser-stamped-bill.pdf")  # `stamped` layout: a watermark and a form's number up the margin


def test_pdfium_breaks_the_stamped_pages_headings_after_every_letter() -> None:
    """What the file holds: read with its watermark, pdfium's own reading of the lines breaks the headings."""
    text = _pdfium_text(STAMPED)
    assert "DUPLICATE" in text and "A\r\nc\r\nc\r\no\r\nu\r\nn\r\nt" in text


@pytest.mark.parametrize("isolation", ["process", "inline"])
def test_a_bill_stamped_duplicate_across_its_charges_reads_whole(isolation: Isolation) -> None:
    """`DUPLICATE` across the page in 90-point type at 35°, and `FORM 5102-E REV 03/24 Printed on recycled paper` up
    the margin. The bill loaded as ok from `DUPLICATE` (the largest type on the page), with no charge and no meter:
    pdfium broke every heading after each letter. The words left out are named (a browser draws each of their first
    letters in a text object of its own: each is set inactive, and the second reading has none of them)."""
    lines, result = _read_through(STAMPED, isolation)
    assert not [line for line in lines if "DUPLICATE" in line or "recycled" in line or "FORM" in line]
    assert {"Account Summary", "Current Charges", "Meter Readings"} <= set(lines)
    assert result.status is BillStatus.OK and result.bill is not None
    bill = result.bill
    assert (bill.provider, bill.account_number) == ("Riverside Municipal Utilities", "RMU-437075-71")
    assert [(item.description, str(item.amount)) for item in bill.line_items] == [
        ("Water Base Charge", "23.88"),
        ("Water Usage", "97.98"),
        ("Sewer Base Charge", "27.49"),
        ("Sewer Volume Charge", "149.27"),
        ("Stormwater Fee", "15.62"),
        ("Gas Customer Charge", "15.26"),
        ("Gas Delivery", "18.01"),
        ("Gas Supply", "26.87"),
        ("Municipal Utility Tax", "16.85"),
    ]
    assert [(read.meter_number, str(read.quantity)) for read in bill.usage] == [
        ("W467488", "23"),
        (None, "23"),
        (None, "2"),
        ("G806939", "31.930"),
    ]
    assert [audit.code for audit in result.audits] == ["text_set_aside", "estimated_read"]
    margin = "FORM 5102-E REV 03/24 Printed on recycled paper".split()
    assert result.audits[0].details == {"words_by_page": {"1": ["DUPLICATE", *margin]}}


TWIN = BILL.with_name("browser-twin-bill.pdf")  # `tables`, its charges split into two tables side by side


def test_charges_in_two_tables_side_by_side_are_read_left_then_right() -> None:
    """Each line of the page held a charge of each table on one baseline (`Customer Charge | $9.94 | Gross Receipts
    Tax | $1.28`): the right one's amount was read as the left one's, and the bill went to review
    (line_items_sum_mismatch) with four charges read."""
    lines, result = _read(TWIN)
    assert "Customer Charge\t$9.94\tGross Receipts Tax\t$1.28" in lines
    texts = _columns_read(TWIN)
    headings = "Description\tQuantity\tRate\tAmount"
    assert texts[texts.index(headings) :][:9] == [
        headings,
        "Customer Charge\t$9.94",
        "Distribution Charge\t708 kWh\t$0.04126\t$29.21",
        "Transmission Charge\t708 kWh\t$0.00950\t$6.73",
        headings,
        "Gross Receipts Tax\t$1.28",
        "Supply charges from Acme Retail Energy LLC",
        "Energy Supply\t708 kWh\t$0.08503\t$60.20",
        "Supplier Monthly Fee\t$5.00",
    ]
    assert _summit_on_budget(result).instalment == Decimal("95.00")


SMALL_CAPS = BILL.with_name("browser-smallcaps-bill.pdf")  # bench-wild's fifth family, its labels in small capitals


def test_pdfium_gives_small_capitals_their_glyphs_own_boxes() -> None:
    """What the file holds: Chrome draws CSS small capitals in a Type 3 font, whose characters pdfium gives no loose
    box (FPDFText_GetLooseCharBox is the glyph's own, FPDFText_GetCharBox): `meter` 3.5 points high beside
    `Electric`'s 8.5."""
    document = pypdfium2.PdfDocument(SMALL_CAPS.read_bytes())
    try:
        textpage = document[1].get_textpage()
        index = str(textpage.get_text_range()).index("Electric meter") + len("Electric ")
        loose, tight = textpage.get_charbox(index, loose=True), textpage.get_charbox(index)
        capital = textpage.get_charbox(index - len("Electric "), loose=True)
    finally:
        document.close()
    assert loose == tight
    assert loose[3] - loose[1] < 0.5 * (capital[3] - capital[1])


def test_labels_in_small_capitals_are_read_as_their_lines_type() -> None:
    """`Electric | meter | 197977602`, `Previous | read | 52,290`: each small-capital word was set apart as a cell of
    smaller type, no meter block's title nor key was found, and the bill loaded as ok without its four reads (three
    time-of-use registers of the electric meter's card, and the gas meter's card beside it)."""
    lines, result = _read(SMALL_CAPS)
    assert "Electric meter 197977602\tGas meter 617678996" in lines
    assert "Previous read\t52,290\tCurrent read\t3,650" in lines
    assert result.status is BillStatus.OK and result.bill is not None
    assert [
        (read.meter_number, read.period, read.start_read, read.end_read, read.quantity, read.unit)
        for read in result.bill.usage
    ] == [
        ("197977602", "peak", Decimal("52290"), Decimal("52624"), Decimal("334"), "kWh"),
        ("197977602", "shoulder", Decimal("48537"), Decimal("48680"), Decimal("143"), "kWh"),
        ("197977602", "off_peak", Decimal("46859"), Decimal("47346"), Decimal("487"), "kWh"),
        ("617678996", None, Decimal("3520"), Decimal("3650"), Decimal("130"), "m³"),
    ]
    assert (result.bill.previous_balance, result.bill.amount_due) == (Decimal("272.72"), Decimal("559.40"))


LIGATURES = BILL.with_name("browser-ligatures-bill.pdf")  # bench-wild's fifth family: its tagline under CSS opacity


def test_pdfium_boxes_a_ligature_under_opacity_far_off_its_line() -> None:
    """What the file holds: Chrome draws `fi` as one glyph, and in text under CSS opacity pdfium boxes its two
    letters near the foot of the page, while the string's own matrix draws the glyph on the tagline's baseline."""
    document = pypdfium2.PdfDocument(LIGATURES.read_bytes())
    try:
        textpage = document[0].get_textpage()
        index = str(textpage.get_text_range()).index("simplified") + len("simpli")
        first, ligature = textpage.get_charbox(index - len("simpli"), loose=True), textpage.get_charbox(index)
        matrix = pypdfium2.raw.FS_MATRIX()
        assert pypdfium2.raw.FPDFText_GetMatrix(textpage, index, matrix)
    finally:
        document.close()
    assert ligature[3] < 100 < 700 < first[1]
    assert first[1] < matrix.f < first[3]


@pytest.mark.parametrize("isolation", ["process", "inline"])
def test_a_word_holding_a_misplaced_ligature_is_read_where_it_stands(isolation: Isolation) -> None:
    """`simplified` was cut where the ligature jumped away and boxed from the tagline to the foot of the page: set
    aside as text laid across the lines, it took the page's letter-spaced headings with it (no words but
    str.split()'s are joined), and the bill loaded as ok without a charge, a meter or a demand."""
    lines, result = _read_through(LIGATURES, isolation)
    assert "Your energy, simplified" in lines
    assert {"YOUR ACCOUNT AT A GLANCE", "DETAILS OF NEW CHARGES", "METER READINGS"} <= set(lines)
    assert result.status is BillStatus.OK and result.bill is not None
    assert not [audit for audit in result.audits if audit.code == "text_set_aside"]
    bill = result.bill
    assert [(item.description, item.amount) for item in bill.line_items] == [
        ("Customer Charge", Decimal("22.49")),
        ("Energy Charge", Decimal("21567.41")),
        ("Demand Charge", Decimal("1969.76")),
        ("Transmission Charge", Decimal("2854.76")),
        ("Power Cost Adjustment", Decimal("1026.56")),
        ("Bill credit", Decimal("-4.73")),
        ("State Sales Tax", Decimal("1715.06")),
    ]
    assert [(read.meter_number, read.start_read, read.end_read, read.quantity, read.unit) for read in bill.usage] == [
        ("E71-54293", Decimal("16876"), Decimal("18478"), Decimal("192240"), "kWh")
    ]
    assert [(demand.meter_number, demand.quantity, demand.unit) for demand in bill.demand] == [
        ("E71-54293", Decimal("141.1"), "kW")
    ]


FACTS_TABLE = {  # bench-wild's fifth family: the account's facts a table, its lines 1.45 and 1.6 apart
    "6 Wattle Grove, Fremantle WA 6160": BILL.with_name("browser-facts-table-bill.pdf"),
    "12 Harbour Road, Brunswick VIC 3056": BILL.with_name("browser-facts-table-tall-bill.pdf"),
    # in Courier, whose spaces are a character wide, 0.53 of a word's height: the cell was cut at `Road`, and the bill
    # loaded as ok with `14 Harbour Norwich NR2`
    "14 Harbour Road, Norwich NR2 4TD": BILL.with_name("browser-fixed-pitch-bill.pdf"),
    # in Georgia, whose box is small for its size, lines 1.6 apart: 0.52 of its height between the address's lines
    "140 Pacific Hwy, Brunswick VIC 3056": BILL.with_name("browser-facts-table-georgia-bill.pdf"),
}


@pytest.mark.parametrize("address", FACTS_TABLE)
def test_a_label_centred_beside_an_address_wrapped_in_its_cell_is_read_with_it(address: str) -> None:
    """`Service address`, set smaller than its value, centred in its row between the address's two lines, the page's
    lines 1.45 or 1.6 apart: its middle, not its top, sits half a line from theirs (up to 0.82 of their type's
    height), and their lines are further apart than a cell's own leading. The three were read as lines of their
    own, and the bill loaded as ok without its service address."""
    street, town = address.split(", ", 1)
    _, result = _read(FACTS_TABLE[address])
    assert f"service address\t{street} {town}".lower() in map(str.lower, _columns_read(FACTS_TABLE[address]))
    assert result.status is BillStatus.OK and result.bill is not None
    assert result.bill.service_address == address
    source = result.bill.provenance["service_address"].source_text
    assert source is not None and source.lower() == f"service address {street} / {town}".lower()


GLANCE = BILL.with_name("browser-glance-bill.pdf")  # bench-wild's fifth family: the facts in a grid of narrow cells


def test_a_period_wrapped_in_a_narrow_cell_after_its_ends_day() -> None:
    """`30 September 2024 through 2` over `November 2024`, a cell of the account's facts three to a row: the bill went
    to review with no period (as did `1 September 2024 - 29 September` over `2024`)."""
    lines, result = _read(GLANCE)
    assert "30 September 2024 through 2\t9182112643\t26 November 2024" in lines and "November 2024" in lines
    assert result.status is BillStatus.OK and result.bill is not None
    bill = result.bill
    assert (bill.bill_period_start, bill.bill_period_end, bill.due_date) == (
        date(2024, 9, 30),
        date(2024, 11, 2),
        date(2024, 11, 26),
    )
    assert (
        bill.provenance["bill_period_end"].source_text == "Billing period / 30 September 2024 through 2 November 2024"
    )
    assert (bill.account_number, bill.service_address, bill.amount_due) == (
        "52663760702",
        "6 Wattle Grove, Fremantle WA 6160",
        Decimal("613.59"),
    )


KERNED_HEADING = BILL.with_name("browser-kerned-heading-bill.pdf")  # bench-wild's fifth family: meters as cards


def test_a_cards_heading_pdfium_spaced_at_a_kerned_pair_is_read() -> None:
    """`WATER METER 058858431` set 0.04 em apart: pdfium spaced `E` and `R` apart, not the rest (`WAT E R`), and the
    meter's card was not found; the bill went to review with neither meter read."""
    assert "WAT E R" in _pdfium_text(KERNED_HEADING)
    lines, result = _read(KERNED_HEADING)
    assert "ELECTRIC METER 294102144\tWATER METER 058858431" in lines
    assert result.status is BillStatus.OK and result.bill is not None
    assert [
        (read.meter_number, read.start_read, read.end_read, read.quantity, read.unit) for read in result.bill.usage
    ] == [
        ("294102144", Decimal("58573"), Decimal("59438"), Decimal("865"), "kWh"),
        ("058858431", Decimal("858637"), Decimal("858689"), Decimal("52"), "m³"),
    ]


BROKEN_LINES = BILL.with_name("browser-broken-lines-bill.pdf")  # bench-wild's fifth family: web-13-0006


def _page_text(path: Path, index: int) -> str:
    document = pypdfium2.PdfDocument(path.read_bytes())
    try:
        return str(document[index].get_textpage().get_text_range())
    finally:
        document.close()


def test_glyphs_pdfium_broke_apart_on_their_line_are_read_as_the_words_they_touch_into() -> None:
    """On one page pdfium broke the line between glyphs Chrome drew one by one, each touching the next: the meter's
    number read `E 0 0 - 7 5 2 0 8`, the table's headings `D e t a i l s`, and the bill went to review with its meter
    unread. Touching, they are one word."""
    assert "D\r\ne\r\nt\r\na\r\ni\r\nl\r\ns\r\nA\r\nm\r\no\r\nu\r\nn\r\nt" in _page_text(BROKEN_LINES, 1)
    lines, result = _read(BROKEN_LINES)
    assert "Description\tDetails\tAmount" in lines and "Electric meter E00-75208" in lines
    assert result.status is BillStatus.OK and result.bill is not None
    assert [(read.meter_number, read.period, read.start_read, read.end_read) for read in result.bill.usage] == [
        ("E00-75208", "day", Decimal("47604"), Decimal("48240")),
        ("E00-75208", "night", Decimal("58356"), Decimal("58874")),
    ]


BADGE_UNDER_READ = BILL.with_name("browser-badge-under-read-bill.pdf")  # bench-wild's fifth family: web-41-0058


def test_a_read_types_badge_wrapped_under_its_read_marks_it() -> None:
    """`7,964 m³` over an `ESTIMATED` badge, inset in a box of its own and set smaller, beside the read dates' year and
    the usage's unit: the line was joined to no row, and the bill loaded as ok with its estimated read actual."""
    lines, result = _read(BADGE_UNDER_READ)
    assert "2024\tESTIMATED\tkWh" in lines
    assert result.status is BillStatus.OK and result.bill is not None
    assert [(read.meter_number, read.end_read, read.quantity, read.read_type) for read in result.bill.usage] == [
        ("G86180957", Decimal("7964"), Decimal("2876"), ReadType.ESTIMATED)
    ]


REPEATED_FOOTER = BILL.with_name("browser-repeated-footer-bill.pdf")  # bench-wild's fifth family: web-41-0022


def test_a_charges_tables_footer_repeated_at_a_page_break_is_read_once() -> None:
    """Chromium prints a table's footer on every page the table spans: `Total current charges $271.35` at the foot of
    page 1 under all but the tax, and again after it on page 2. The tax was lost and the bill went to review."""
    lines, result = _read(REPEATED_FOOTER)
    assert lines.count("Total current charges\t$271.35") == 2
    assert result.status is BillStatus.OK and result.bill is not None
    items = result.bill.line_items
    assert (len(items), items[-1].description, items[-1].amount) == (11, "City Utility Tax", Decimal("9.25"))
    assert sum(item.amount for item in items) == result.bill.total_amount == Decimal("271.35")


LOGO_BESIDE_WRAPPED_NAME = BILL.with_name("browser-logo-beside-wrapped-name-bill.pdf")  # web-75-0013


def test_a_logos_initials_beside_a_name_wrapped_onto_two_lines_are_not_part_of_it() -> None:
    """The badge `SR`, set larger and centred beside `Sandhill Rural Electric Membership` over `Corp.`, stands level
    with neither line: read as one cell with `Corp.` (`SR Corp.`, taller than the name), it was loaded as ok as the
    utility's name."""
    lines, result = _read(LOGO_BESIDE_WRAPPED_NAME)
    assert lines[:3] == ["Sandhill Rural Electric Membership", "Your electricity", "SR\tCorp.\tbill"]
    assert result.status is BillStatus.OK and result.bill is not None
    assert result.bill.provider == "Sandhill Rural Electric Membership Corp."


KERNED_LABELS = BILL.with_name("browser-kerned-labels-bill.pdf")  # web-81-0027: Georgia, headings 0.04 em apart


def test_a_full_stop_and_a_kerned_letter_pdfium_spaced_off_their_words_are_read_with_them() -> None:
    """`ACCOUNT NO .` and `P AYMENT RECEIVED` (`P` kerned into `A`): the bill went to review with no account number,
    and its payment and late charge unread."""
    lines, result = _read(KERNED_LABELS)
    assert "ACCOUNT NO.\t3862 5516 22" in lines and "LATE PAYMENT CHARGE\t$10.63" in lines
    assert result.status is BillStatus.OK and result.bill is not None
    bill = result.bill
    assert (bill.account_number, bill.payments_and_credits, bill.adjustments) == (
        "3862 5516 22",
        Decimal("8.32"),
        Decimal("10.63"),
    )


FIXED_PITCH_BADGE = BILL.with_name("browser-fixed-pitch-badge-bill.pdf")  # web-85-0006: Courier New


def test_a_read_types_badge_under_reads_run_together_in_fixed_pitch_type_marks_its_row() -> None:
    """`26,407,500 26,415,400` over `ESTIMATED`: in Courier the reads' cells are a space apart, one cell, and the badge
    under the current read was placed under no read's cell. The wrapped line (`2024 | ESTIMATED | gal`) went on no row,
    and the water meter, its unit on that line, went unread to review."""
    lines, result = _read(FIXED_PITCH_BADGE)
    assert "2024\tESTIMATED\tgal" in lines
    assert result.status is BillStatus.OK and result.bill is not None
    assert [
        (read.meter_number, read.end_read, read.quantity, read.unit, read.read_type) for read in result.bill.usage
    ] == [
        ("188249257", Decimal("6762"), Decimal("613"), "kWh", ReadType.ACTUAL),
        ("W82-12441", Decimal("26415400"), Decimal("7900"), "gal", ReadType.ESTIMATED),
    ]


HYPHEN_WRAPPED = BILL.with_name("browser-hyphen-wrapped-register-bill.pdf")  # web-91-0063


def test_a_word_wrapped_at_its_hyphen_in_a_narrow_cell_is_not_the_utilitys_name() -> None:
    """`Off-` over `Peak` in the meter table's register column: pdfium gives one word on both lines, as tall as two,
    taller than the masthead, and the bill loaded as ok with `Off\\ufffePeak` as its utility."""
    words = pdf_worker.read_words(HYPHEN_WRAPPED.read_bytes(), max_pages=5, max_chars_per_page=100_000)[0][0]
    (wrapped,) = [word for word in words if word[0] == "Off\ufffePeak"]
    assert wrapped[4] - wrapped[2] > 18  # two lines of 10-point type
    _, result = _read(HYPHEN_WRAPPED)
    assert result.status is BillStatus.OK and result.bill is not None
    assert result.bill.provider == "Sandhill Rural Electric Membership Corp."
    assert [(read.period, read.quantity) for read in result.bill.usage if read.unit == "kWh"] == [
        ("on_peak", Decimal("564")),
        ("off_peak", Decimal("461")),
    ]


FIXED_FOOTER = BILL.with_name("browser-fixed-footer-over-reads-bill.pdf")  # web-113-0059


def test_a_footer_printed_on_every_page_over_the_last_lines_is_read_where_it_stands_clear() -> None:
    """A footer set `position: fixed` is printed at the foot of every page, over whatever the page has there: on
    page 1 over `Current read 75,932`, a cell before them, and the meter's second register loaded as ok without its
    current read. The footer is left out of that line, and read on page 2 where it stands clear."""
    footer = "Sandhill Rural Electric Membership Corp. · 1-800-555-0142 · Keep this statement for your records."
    lines, result = _read(FIXED_FOOTER)
    assert "Current read\t75,932" in lines
    assert lines.count(footer) == 1
    assert result.status is BillStatus.OK and result.bill is not None
    assert [(read.start_read, read.end_read, read.quantity) for read in result.bill.usage] == [
        (Decimal("23352"), Decimal("23613"), Decimal("261")),
        (Decimal("75752"), Decimal("75932"), Decimal("180")),
    ]


REPEATED_FOOTER_SPLIT = BILL.with_name("browser-repeated-footer-figure-split-bill.pdf")  # web-141-0019


def test_a_repeated_footers_figure_split_off_its_amount_is_joined_again() -> None:
    """Chrome repeats the charges' footer at the foot of page 1, and pdfium gave page 2's as `$603.7 9`, the last
    figure touching the rest: not printed the same as page 1's, the footer was taken for the charges' end, the tax on
    page 2 was lost and the bill went to review (line_items_sum_mismatch)."""
    lines, result = _read(REPEATED_FOOTER_SPLIT)
    assert lines.count("Total new charges\t$603.79") == 2
    assert result.status is BillStatus.OK and result.bill is not None
    assert result.bill.line_items[-1].description == "HST" and result.bill.line_items[-1].amount == Decimal("69.46")
    assert sum(item.amount for item in result.bill.line_items) == result.bill.total_amount == Decimal("603.79")


LETTER_SPACED_LABEL_ALONE = BILL.with_name("browser-letter-spaced-label-alone-bill.pdf")  # web-145-0077
SMALL_CAPS_DATED_PAYMENTS = BILL.with_name("browser-small-caps-dated-payments-bill.pdf")  # web-133-0040


def test_a_letter_spaced_label_alone_in_its_cell_is_read() -> None:
    """The summary's labels are capitals set 0.04 em apart, drawn glyph by glyph, pdfium breaking its line after
    each; `PAYMENTS` stands alone in its cell, no word beside tells its letters from words, and the payments went
    unread: review (balance_mismatch, no payments read)."""
    lines, result = _read(LETTER_SPACED_LABEL_ALONE)
    assert "PAYMENTS\t$128.96" in lines
    assert result.status is BillStatus.OK and result.bill is not None
    bill = result.bill
    assert (bill.previous_balance, bill.payments_and_credits, bill.total_amount, bill.amount_due) == (
        Decimal("230.29"),
        Decimal("128.96"),
        Decimal("51.81"),
        Decimal("153.14"),
    )


def test_a_payments_date_in_small_capitals_glyph_by_glyph_is_read() -> None:
    """`Payment 2024-05-02` in small capitals 0.05 em apart: the label's letters stand nearly as far apart as its
    word space (the small capitals' boxes are narrower than their advance) and the date's figures join only
    touching; both payments went unread: review (balance_mismatch, no payments read)."""
    lines, result = _read(SMALL_CAPS_DATED_PAYMENTS)
    assert "Payment 2024-05-02\t($56.85)" in lines and "Payment 2024-05-10\t($101.07)" in lines
    assert result.status is BillStatus.OK and result.bill is not None
    bill = result.bill
    assert (bill.previous_balance, bill.payments_and_credits, bill.amount_due) == (
        Decimal("157.92"),
        Decimal("157.92"),
        Decimal("143.41"),
    )
